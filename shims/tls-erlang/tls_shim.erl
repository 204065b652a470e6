#!/usr/bin/env escript
%% -*- erlang -*-
%%! +sbwt none +sbwtdcpu none +sbwtdio none -noinput
%%
%% crosscheck TLS interop shim for Erlang/OTP's ssl application (TLS 1.3).
%%
%% The contract (invocation, exit codes, environment, shared values, cases)
%% is in shims/README.md. Run from the project root:
%%
%%     escript shims/tls-erlang/tls_shim.erl client|server CASE PORT
%%     escript shims/tls-erlang/tls_shim.erl version
%%
%% Needs only the Erlang runtime with the ssl application (Debian:
%% `apt-get install --no-install-recommends erlang-ssl`, which brings
%% erlang-base, erlang-crypto, erlang-public-key and erlang-asn1). Nothing
%% is built: escript runs this file as it is. It is interpreted
%% (-mode(interpret)), which starts about twice as fast as compiling it on
%% every run; the work is done by the compiled ssl modules. The VM flags
%% above keep idle schedulers from spinning (+sbwt none ...).
%%
%% Reading order: main/1 (command line) -> cases/0 (the case table, and why
%% OTP cannot play some of them) -> client/2 and server/2 (one scenario per
%% case and role) -> message I/O and the close rules -> ssl setup -> key
%% log -> facts and errors.
%%
%% How the shim uses OTP 25's ssl:
%% - {versions, ['tlsv1.3']} on every socket.
%% - Key log: {keep_secrets, true}, then ssl:connection_information(Socket,
%%   [keylog]) once the handshake is done and before any application data:
%%   CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET,
%%   CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0 and, when 0-RTT was
%%   used, CLIENT_EARLY_TRAFFIC_SECRET. OTP reports the *current*
%%   application secrets under the _0 labels, so asking again after a
%%   KeyUpdate would log a wrong line; the later secrets follow from _0 by
%%   the key schedule. A handshake that fails yields no secrets (OTP 25 has
%%   no key log callback during the handshake).
%% - Closing: ssl:shutdown(Socket, write) only half-closes TCP (it sends no
%%   close_notify), so "close" is ssl:close(Socket, {self(), Timeout}),
%%   which sends close_notify and waits for the peer's; "close after the
%%   client" waits for the client's close_notify, which OTP answers with
%%   its own (see close_after_client/1).
%% - The negotiated group is not exposed for TLS 1.3 (connection_information
%%   has `ecc` only for TLS 1.2 ECDHE suites), so hello_retry_request
%%   relies on the configured groups.

-mode(interpret).

%% ---------------------------------------------------------------------
%% Shared values of the contract
%% ---------------------------------------------------------------------

-define(GREETING, <<"i am the client. nice to meet you server.">>).
-define(RESPONSE, <<"i am the server. a pleasure to make your acquaintance.">>).
-define(CHUNK_BYTES, 1000000).
-define(DEFAULT_DOWNLOAD_BYTES, 256000000000).
-define(DEFAULT_KEY_UPDATE_INTERVAL_BYTES, 1000000000).
-define(LOOPBACK, {127, 0, 0, 1}).
-define(SERVER_NAME, "localhost").
%% Early data a ticket allows (the contract's 16384; OTP's default too).
-define(MAX_EARLY_DATA_BYTES, 16384).

%% Per-operation timeout; the harness enforces each case's deadline.
-define(IO_TIMEOUT, 60000).
%% How long the client waits for a ticket after connection 1 closed.
-define(TICKET_TIMEOUT, 2000).

-define(EXIT_OK, 0).
-define(EXIT_FAILED, 1).
-define(EXIT_USAGE, 2).
-define(EXIT_UNSUPPORTED, 127).

-define(NO_EXTERNAL_PSK,
        "OTP 25 ssl has no TLS 1.3 external PSK: its psk_identity and "
        "user_lookup_fun options are rejected unless TLS 1.2 or older is "
        "enabled (PSK cipher suites only), and in TLS 1.3 it offers and "
        "accepts only its own session tickets, binding them with the "
        "resumption binder key (tls_v1:external_binder_key is never used)").

%% ---------------------------------------------------------------------
%% Entry point
%% ---------------------------------------------------------------------

main(["version"]) ->
    io:format("~s~n", [version()]),
    halt(?EXIT_OK);
main([RoleArg, CaseName, PortArg]) ->
    Settings = settings(RoleArg, CaseName, PortArg),
    #{role := Role} = Settings,
    Label = io_lib:format("tls-erlang ~s ~s", [Role, CaseName]),
    case lists:keyfind(CaseName, 1, cases()) of
        false ->
            %% A case this shim does not know is one it does not support.
            stderr("~s: unsupported: unknown case~n", [Label]),
            halt(?EXIT_UNSUPPORTED);
        {_, Spec} ->
            case unsupported(Spec, Role) of
                false ->
                    ok;
                Why ->
                    stderr("~s: unsupported: ~s~n", [Label, Why]),
                    halt(?EXIT_UNSUPPORTED)
            end,
            play(Label, Settings#{refuser => maps:get(refuser, Spec, none)})
    end;
main(Args) ->
    usage("expected ROLE CASE PORT or 'version', got ~b argument(s)", [length(Args)]).

play(Label, #{role := Role, case_name := CaseName, refuser := Refuser} = Settings) ->
    %% Killed at the deadline, die of the signal: the VM would otherwise
    %% treat SIGTERM as a request to stop cleanly and exit 0.
    ok = os:set_signal(sigterm, default),
    start_ssl(),
    try
        case Role of
            client -> client(CaseName, Settings);
            server -> server(CaseName, Settings)
        end
    of
        ok -> halt(?EXIT_OK)
    catch
        throw:{tls, Step, Reason} ->
            case Refuser =:= Role andalso own_alert(Role, Reason) of
                true -> io:format("crosscheck-refusal: ~s~n", [format_term(Reason)]);
                false -> ok
            end,
            stderr("~s: failed: ~s: ~s~n", [Label, Step, format_term(Reason)]),
            %% Give the connection process a moment to get its alert out.
            timer:sleep(200),
            halt(?EXIT_FAILED);
        throw:{check, Message} ->
            stderr("~s: failed: ~s~n", [Label, Message]),
            timer:sleep(200),
            halt(?EXIT_FAILED);
        Class:Reason:Stack ->
            stderr("~s: failed: ~p:~p~n~p~n", [Label, Class, Reason, Stack]),
            halt(?EXIT_FAILED)
    end.

%% "Erlang/OTP 25.2.3 ssl 10.8.7".
version() ->
    Release = erlang:system_info(otp_release),
    OtpVersionFile = filename:join([code:root_dir(), "releases", Release, "OTP_VERSION"]),
    Otp = case file:read_file(OtpVersionFile) of
              {ok, Text} -> string:trim(binary_to_list(Text));
              {error, _} -> Release
          end,
    ok = application:load(ssl),
    {ok, Ssl} = application:get_key(ssl, vsn),
    io_lib:format("Erlang/OTP ~s ssl ~s", [Otp, Ssl]).

%% ---------------------------------------------------------------------
%% Arguments and environment
%% ---------------------------------------------------------------------

settings(RoleArg, CaseName, PortArg) ->
    Role = case RoleArg of
               "client" -> client;
               "server" -> server;
               _ -> usage("role must be 'client' or 'server', got '~s'", [RoleArg])
           end,
    case re:run(CaseName, "^[a-z0-9_]+$", [{capture, none}]) of
        match -> ok;
        nomatch -> usage("CASE must be a case name like 'handshake', got '~s'", [CaseName])
    end,
    Port = number("PORT", PortArg, 1, 65535),
    Certificates = case os:getenv("CROSSCHECK_TLS_CERTIFICATES") of
                       false -> "certificates";
                       "" -> "certificates";
                       Directory -> Directory
                   end,
    #{role => Role,
      case_name => CaseName,
      port => Port,
      certificates => Certificates,
      download_bytes => number_from_env("CROSSCHECK_TLS_DOWNLOAD_BYTES",
                                        ?DEFAULT_DOWNLOAD_BYTES, 0),
      key_update_interval_bytes => number_from_env("CROSSCHECK_TLS_KEY_UPDATE_INTERVAL_BYTES",
                                                   ?DEFAULT_KEY_UPDATE_INTERVAL_BYTES, 1),
      key_log => case os:getenv("SSLKEYLOGFILE") of
                     false -> none;
                     "" -> none;
                     File -> File
                 end}.

number_from_env(Name, Default, Min) ->
    case os:getenv(Name) of
        false -> Default;
        "" -> Default;
        Text -> number(Name, Text, Min, infinity)
    end.

number(Name, Text, Min, Max) ->
    Value = case re:run(Text, "^[0-9]+$", [{capture, none}]) of
                match -> list_to_integer(Text);
                nomatch -> usage("~s must be a decimal integer, got '~s'", [Name, Text])
            end,
    case Value >= Min andalso (Max =:= infinity orelse Value =< Max) of
        true -> Value;
        false -> usage("~s must be between ~b and ~p, got ~b", [Name, Min, Max, Value])
    end.

usage(Format, Args) ->
    stderr("tls-erlang: " ++ Format ++ "~n", Args),
    stderr("usage: escript shims/tls-erlang/tls_shim.erl client|server CASE PORT~n"
           "       escript shims/tls-erlang/tls_shim.erl version~n"
           "  CASE is one of: ~s~n"
           "  environment: CROSSCHECK_TLS_CERTIFICATES (directory, default 'certificates'),~n"
           "               CROSSCHECK_TLS_DOWNLOAD_BYTES (default ~b),~n"
           "               CROSSCHECK_TLS_KEY_UPDATE_INTERVAL_BYTES (default ~b),~n"
           "               SSLKEYLOGFILE (NSS key log, appended)~n",
           [lists:join(", ", [Name || {Name, _} <- cases()]),
            ?DEFAULT_DOWNLOAD_BYTES, ?DEFAULT_KEY_UPDATE_INTERVAL_BYTES]),
    halt(?EXIT_USAGE).

%% ---------------------------------------------------------------------
%% Cases
%% ---------------------------------------------------------------------

cases() ->
    [{"handshake", #{}},
     {"request_response", #{}},
     {"large_data_download", #{}},
     %% The server sends KeyUpdate(update_not_requested) with
     %% ssl:update_keys(Socket, write); the client's ssl answers any
     %% update_requested by itself while reading.
     {"large_data_download_with_frequent_key_updates", #{}},
     {"mtls_request_response", #{}},
     %% Known interop limits of OTP 25.2.3 in the two resumption cases:
     %% - As client, it sends psk_key_exchange_modes only in a ClientHello
     %%   that offers a ticket (ssl_handshake:maybe_add_pre_shared_key/2),
     %%   so connection 1 advertises none, and a server that issues tickets
     %%   only to clients offering psk_dhe_ke (rustls, per RFC 8446 4.2.9)
     %%   sends none: "connection 1 brought no session ticket".
     %% - As server, it checks a ticket's binder over a re-encoded
     %%   ClientHello (tls_handshake_1_3:truncate_client_hello/1), which
     %%   crashes on a signature scheme it does not know (function_clause
     %%   in ssl_cipher:hash_algorithm(unassigned); rustls with aws-lc-rs
     %%   offers ML-DSA, 0x0904-0x0906) and closes without an alert.
     {"resumption", #{}},
     %% Client: {early_data, Greeting} with a ticket taken by hand
     %% ({session_tickets, manual}); OTP tells the owner
     %% {ssl, Socket, {early_data, accepted | rejected}}. Server: stateful
     %% tickets with {early_data, enabled}; OTP hands the 0-RTT data over as
     %% ordinary application data.
     {"early_data", #{}},
     {"out_of_band_psk", #{client => ?NO_EXTERNAL_PSK, server => ?NO_EXTERNAL_PSK}},
     %% OTP's ClientHello carries a key share for the first of its
     %% supported_groups only, so [x25519, secp256r1] shares x25519 alone.
     {"hello_retry_request", #{}},
     {"small_tcp_packet", #{}},
     %% Negative cases: the refusing side prints `crosscheck-refusal: WHY`
     %% when its ssl reports an alert it generated itself.
     {"untrusted_certificate", #{refuser => client}},
     %% OTP 25 refuses a wrong name with handshake_failure, not
     %% bad_certificate: ssl_handshake:path_validation_alert/1 has no clause
     %% for {bad_cert, hostname_check_failed}.
     {"wrong_hostname", #{refuser => client}},
     {"expired_certificate", #{refuser => client}},
     {"client_certificate_required", #{refuser => server}},
     {"no_shared_group", #{refuser => server}}].

unsupported(Spec, Role) ->
    maps:get(Role, Spec, false).

%% ---------------------------------------------------------------------
%% Client scenarios
%% ---------------------------------------------------------------------

client("handshake", S) ->
    Socket = connect(S, []),
    close(Socket);
client("request_response", S) ->
    request_response(connect(S, []));
client("small_tcp_packet", S) ->
    request_response(connect(S, []));
client("large_data_download", S) ->
    download(S);
client("large_data_download_with_frequent_key_updates", S) ->
    download(S);
client("mtls_request_response", S) ->
    request_response(connect(S, identity_options(S, "client-chain.pem", "client-key.pem")));
client("resumption", S) ->
    resumption_client(S, false);
client("early_data", S) ->
    resumption_client(S, true);
client("hello_retry_request", S) ->
    %% Key share for x25519 only (the first group); the server wants secp256r1.
    request_response(connect(S, [{supported_groups, [x25519, secp256r1]}]));
client("untrusted_certificate", S) ->
    request_response(connect(S, []));
client("wrong_hostname", S) ->
    request_response(connect(S, []));
client("expired_certificate", S) ->
    request_response(connect(S, []));
client("client_certificate_required", S) ->
    %% No certificate to present, though the server asks for one.
    request_response(connect(S, []));
client("no_shared_group", S) ->
    request_response(connect(S, [{supported_groups, [x25519]}])).

%% The client half of request_response on a connected socket.
request_response(Socket) ->
    send(Socket, ?GREETING),
    receive_exactly(Socket, ?RESPONSE, "response"),
    close(Socket).

download(#{download_bytes := Total} = S) ->
    Socket = connect(S, []),
    send(Socket, ?GREETING),
    receive_download(Socket, Total),
    close(Socket).

%% Connection 1 is a full handshake whose tickets the client keeps
%% ({session_tickets, manual}); connection 2 offers the first one and, with
%% EarlyData, sends the greeting as 0-RTT data.
resumption_client(S, EarlyData) ->
    flush_tickets(),
    First = connect(S, [{session_tickets, manual}]),
    case resumed(First) of
        false -> ok;
        true -> throw({check, "connection 1 was resumed, expected a full handshake"})
    end,
    request_response(First),
    Ticket = receive
                 {ssl, session_ticket, T} -> T
             after ?TICKET_TIMEOUT ->
                     throw({check, "connection 1 brought no session ticket"})
             end,
    flush_tickets(),
    Options = [{session_tickets, manual}, {use_ticket, [Ticket]}]
        ++ case EarlyData of
               true -> [{early_data, ?GREETING}];
               false -> []
           end,
    Second = connect(S, Options),
    case resumed(Second) of
        true -> fact("session_resumed");
        false -> throw({check, "connection 2 was not resumed (it was a full handshake)"})
    end,
    case EarlyData of
        false ->
            request_response(Second);
        true ->
            %% OTP sends this to the owner while the handshake runs, so it
            %% is in the mailbox by the time ssl:connect/4 returns.
            receive
                {ssl, _, {early_data, accepted}} ->
                    fact("early_data_accepted");
                {ssl, _, {early_data, rejected}} ->
                    throw({check, "the server rejected the early data"})
            after 0 ->
                    throw({check, "ssl did not say whether the server accepted the early data"})
            end,
            %% The greeting went out as 0-RTT data.
            receive_exactly(Second, ?RESPONSE, "response"),
            close(Second)
    end.

flush_tickets() ->
    receive
        {ssl, session_ticket, _} -> flush_tickets()
    after 0 ->
            ok
    end.

%% ---------------------------------------------------------------------
%% Server scenarios
%% ---------------------------------------------------------------------

server("handshake", S) ->
    serve(S, [], handshake);
server("request_response", S) ->
    serve(S, [], request_response);
server("small_tcp_packet", S) ->
    serve(S, [], request_response);
server("large_data_download", S) ->
    serve(S, [], {download, none});
server("large_data_download_with_frequent_key_updates", #{key_update_interval_bytes := I} = S) ->
    serve(S, [], {download, I});
server("mtls_request_response", S) ->
    serve(S, mtls_options(S), mtls_request_response);
server("resumption", S) ->
    resumption_server(S, false);
server("early_data", S) ->
    resumption_server(S, true);
server("hello_retry_request", S) ->
    %% secp256r1 alone: a client sharing only x25519 gets a HelloRetryRequest.
    serve(S, [{supported_groups, [secp256r1]}], request_response);
server("untrusted_certificate", S) ->
    serve(S, [], request_response);
server("wrong_hostname", S) ->
    serve(S, [], request_response);
server("expired_certificate", S) ->
    serve(S, [], request_response);
server("client_certificate_required", S) ->
    %% Requires a client certificate, which the client lacks.
    serve(S, mtls_options(S), mtls_request_response);
server("no_shared_group", S) ->
    serve(S, [{supported_groups, [secp256r1]}], request_response).

%% One connection: listen, accept (handshake), then the scenario.
serve(S, Options, Scenario) ->
    Listener = listen(S, Options),
    Socket = accept(Listener, S),
    case Scenario of
        handshake ->
            close_after_client(Socket);
        request_response ->
            request_response_server(Socket);
        mtls_request_response ->
            case ssl:peercert(Socket) of
                {ok, _} -> ok;
                {error, Reason} -> throw({tls, "reading the client certificate", Reason})
            end,
            request_response_server(Socket);
        {download, KeyUpdateInterval} ->
            receive_exactly(Socket, ?GREETING, "greeting"),
            send_download(Socket, maps:get(download_bytes, S), KeyUpdateInterval),
            close_after_client(Socket)
    end,
    _ = ssl:close(Listener),
    ok.

%% The server half of request_response on an accepted socket.
request_response_server(Socket) ->
    receive_exactly(Socket, ?GREETING, "greeting"),
    send(Socket, ?RESPONSE),
    close_after_client(Socket).

%% verify_peer with fail_if_no_peer_cert: the handshake fails without a
%% client chain that verifies against the test CA.
mtls_options(S) ->
    [{verify, verify_peer},
     {fail_if_no_peer_cert, true},
     {cacertfile, certificate_file(S, "ca-certificate.pem")}].

%% Two connections on one listener; stateful tickets (single use) carry the
%% session from the first to the second.
resumption_server(S, EarlyData) ->
    Options = [{session_tickets, stateful}]
        ++ case EarlyData of
               true -> [{early_data, enabled}];
               false -> []
           end,
    Listener = listen(S, Options),
    First = accept(Listener, S),
    case resumed(First) of
        false -> ok;
        true -> throw({check, "connection 1 was resumed, expected a full handshake"})
    end,
    request_response_server(First),
    Second = accept(Listener, S),
    case resumed(Second) of
        true -> fact("session_resumed");
        false -> throw({check, "connection 2 was not resumed (it was a full handshake)"})
    end,
    case EarlyData of
        false ->
            receive_exactly(Second, ?GREETING, "greeting");
        true ->
            %% OTP derives the client early traffic secret on the server
            %% only when it accepts 0-RTT data (tls_handshake_1_3,
            %% session_resumption/2 with early_data_accepted), and hands the
            %% data over as ordinary application data that is already
            %% buffered when the handshake returns.
            case early_data_secret(Second) of
                true -> ok;
                false -> throw({check, "the client's early data was not accepted"})
            end,
            case ssl:recv(Second, byte_size(?GREETING), 0) of
                {ok, ?GREETING} ->
                    fact("early_data_accepted");
                {ok, Other} ->
                    throw({check, io_lib:format("wrong greeting in the early data: ~p", [Other])});
                {error, timeout} ->
                    throw({check, "the greeting was not in the early data"});
                {error, Reason} ->
                    throw({tls, "reading the early data", Reason})
            end
    end,
    send(Second, ?RESPONSE),
    close_after_client(Second),
    _ = ssl:close(Listener),
    ok.

%% ---------------------------------------------------------------------
%% Message I/O and closing
%% ---------------------------------------------------------------------

send(Socket, Data) ->
    case ssl:send(Socket, Data) of
        ok -> ok;
        {error, Reason} -> throw({tls, "sending", Reason})
    end.

receive_exactly(Socket, Expected, What) ->
    case ssl:recv(Socket, byte_size(Expected), ?IO_TIMEOUT) of
        {ok, Expected} ->
            ok;
        {ok, Other} ->
            throw({check, io_lib:format("wrong ~s: got ~p", [What, Other])});
        {error, Reason} ->
            throw({tls, "reading the " ++ What, Reason})
    end.

%% Writes Total bytes as 1,000,000-byte writes, byte 0 of each being its
%% tag. With an integer KeyUpdateInterval, sends a KeyUpdate
%% (update_not_requested) before every offset that is a multiple of it,
%% offset 0 included, splitting a chunk's write where one falls inside.
send_download(Socket, Total, KeyUpdateInterval) ->
    Filler = binary:copy(<<0>>, ?CHUNK_BYTES - 1),
    NextKeyUpdate = case KeyUpdateInterval of
                        none -> none;
                        _ -> 0
                    end,
    send_chunks(Socket, 0, Total, KeyUpdateInterval, NextKeyUpdate, Filler).

send_chunks(_Socket, Offset, Total, _Interval, _Next, _Filler) when Offset >= Total ->
    ok;
send_chunks(Socket, Offset, Total, Interval, Next0, Filler) ->
    End = min(Offset + ?CHUNK_BYTES, Total),
    Chunk = binary:part(<<(chunk_tag(Offset)), Filler/binary>>, 0, End - Offset),
    Next = send_pieces(Socket, Chunk, Offset, Offset, End, Interval, Next0),
    send_chunks(Socket, End, Total, Interval, Next, Filler).

send_pieces(_Socket, _Chunk, _Offset, Written, End, _Interval, Next) when Written >= End ->
    Next;
send_pieces(Socket, Chunk, Offset, Written, End, Interval, Written) ->
    case ssl:update_keys(Socket, write) of
        ok -> ok;
        {error, Reason} -> throw({tls, "sending a KeyUpdate", Reason})
    end,
    send_pieces(Socket, Chunk, Offset, Written, End, Interval, Written + Interval);
send_pieces(Socket, Chunk, Offset, Written, End, Interval, Next) ->
    Stop = case Next of
               none -> End;
               _ -> min(End, Next)
           end,
    send(Socket, binary:part(Chunk, Written - Offset, Stop - Written)),
    send_pieces(Socket, Chunk, Offset, Stop, End, Interval, Next).

chunk_tag(Offset) ->
    (Offset div 1000000000) rem 255.

receive_download(Socket, Total) ->
    receive_download(Socket, 0, Total).

receive_download(_Socket, Offset, Total) when Offset >= Total ->
    ok;
receive_download(Socket, Offset, Total) ->
    Length = min(?CHUNK_BYTES, Total - Offset),
    Tag = chunk_tag(Offset),
    case ssl:recv(Socket, Length, ?IO_TIMEOUT) of
        {ok, <<Tag, _/binary>> = Chunk} when byte_size(Chunk) =:= Length ->
            receive_download(Socket, Offset + Length, Total);
        {ok, <<Other, _/binary>>} ->
            throw({check, io_lib:format("chunk at offset ~b has tag ~b, expected ~b",
                                        [Offset, Other, Tag])});
        {error, Reason} ->
            throw({tls, io_lib:format("reading the download at offset ~b", [Offset]), Reason})
    end.

%% "Close": send close_notify, then read until the peer's close. OTP's
%% downgrade does exactly that and hands back the TCP socket.
close(Socket) ->
    case ssl:close(Socket, {self(), ?IO_TIMEOUT}) of
        {ok, Tcp} -> gen_tcp:close(Tcp);
        {ok, Tcp, _} -> gen_tcp:close(Tcp);
        %% The peer closed TCP after (or without) its close_notify.
        {error, closed} -> ok;
        {error, tcp_closed} -> ok;
        {error, Reason} -> throw({tls, "closing", Reason})
    end.

%% "Close after the client": read until the client's close_notify, on which
%% OTP sends its own and closes; ssl:close/1 then waits for that.
%%
%% The reading is done in active mode: in passive mode OTP 25 may process
%% the close_notify while no ssl:recv is pending (it keeps reading after
%% the handshake), and a later ssl:recv then waits for the TCP close
%% instead of returning {error, closed} (ssl_gen_statem:passive_receive/4
%% ignores socket_tls_closed). Switching to {active, once} reports it.
close_after_client(Socket) ->
    read_until_close(Socket, 0),
    _ = ssl:close(Socket),
    ok.

read_until_close(Socket, Unexpected) ->
    case ssl:setopts(Socket, [{active, once}]) of
        ok -> ok;
        {error, closed} -> ok;
        {error, Reason0} -> throw({tls, "waiting for the client's close", Reason0})
    end,
    receive
        {ssl, Socket, Data} ->
            read_until_close(Socket, Unexpected + iolist_size(Data));
        {ssl_closed, Socket} when Unexpected =:= 0 ->
            ok;
        {ssl_closed, Socket} ->
            throw({check, io_lib:format("peer sent ~b unexpected bytes before its close",
                                        [Unexpected])});
        {ssl_error, Socket, Reason} ->
            throw({tls, "waiting for the client's close", Reason})
    after ?IO_TIMEOUT ->
            throw({check, "timed out waiting for the client's close"})
    end.

%% ---------------------------------------------------------------------
%% ssl setup
%% ---------------------------------------------------------------------

start_ssl() ->
    %% The ssl application logs alerts through the logger, whose default
    %% handler writes to stdout; keep stdout for the contract's lines.
    _ = logger:remove_handler(default),
    ok = logger:add_handler(default, logger_std_h, #{config => #{type => standard_error}}),
    ok = application:load(ssl),
    ok = application:set_env(ssl, server_session_ticket_max_early_data, ?MAX_EARLY_DATA_BYTES),
    {ok, _} = application:ensure_all_started(ssl),
    ok.

common_options() ->
    [{versions, ['tlsv1.3']},
     {keep_secrets, true},
     {active, false},
     {mode, binary},
     {nodelay, true}].

%% Connects to 127.0.0.1:PORT as "localhost" (SNI and hostname check),
%% trusting only the test CA, completes the handshake and logs its secrets.
connect(#{port := Port} = S, Extra) ->
    Options = common_options()
        ++ [{verify, verify_peer},
            {cacertfile, certificate_file(S, "ca-certificate.pem")},
            {server_name_indication, ?SERVER_NAME}]
        ++ Extra,
    case ssl:connect(?LOOPBACK, Port, Options, ?IO_TIMEOUT) of
        {ok, Socket} ->
            write_key_log(Socket, S),
            Socket;
        {error, Reason} ->
            throw({tls, "handshake", Reason})
    end.

%% Listens on 127.0.0.1:PORT (SO_REUSEADDR) presenting the case's chain.
listen(#{port := Port} = S, Extra) ->
    Options = common_options()
        ++ [{ip, ?LOOPBACK}, {reuseaddr, true}]
        ++ server_identity(S)
        ++ Extra,
    case ssl:listen(Port, Options) of
        {ok, Listener} -> Listener;
        {error, Reason} -> throw({tls, io_lib:format("listening on port ~b", [Port]), Reason})
    end.

%% Accepts the next connection, completes its handshake, logs its secrets.
accept(Listener, S) ->
    Tcp = case ssl:transport_accept(Listener, ?IO_TIMEOUT) of
              {ok, T} -> T;
              {error, R} -> throw({tls, "accepting", R})
          end,
    case ssl:handshake(Tcp, ?IO_TIMEOUT) of
        {ok, Socket} ->
            write_key_log(Socket, S),
            Socket;
        {error, Reason} ->
            throw({tls, "handshake", Reason})
    end.

%% server-chain.pem, or in the certificate cases the chain the client must
%% refuse (with refused-server-key.pem). The certfile's certificates after
%% the leaf are sent as its chain.
server_identity(#{case_name := Case} = S) ->
    case Case of
        "untrusted_certificate" ->
            identity_options(S, "untrusted-server-chain.pem", "refused-server-key.pem");
        "wrong_hostname" ->
            identity_options(S, "wrong-name-server-chain.pem", "refused-server-key.pem");
        "expired_certificate" ->
            identity_options(S, "expired-server-chain.pem", "refused-server-key.pem");
        _ ->
            identity_options(S, "server-chain.pem", "server-key.pem")
    end.

identity_options(S, Chain, Key) ->
    [{certfile, certificate_file(S, Chain)}, {keyfile, certificate_file(S, Key)}].

certificate_file(#{certificates := Directory}, Name) ->
    File = filename:join(Directory, Name),
    case filelib:is_regular(File) of
        true -> File;
        false -> throw({check, "missing certificate file " ++ File})
    end.

resumed(Socket) ->
    case ssl:connection_information(Socket, [session_resumption]) of
        {ok, [{session_resumption, Resumed}]} -> Resumed;
        {ok, _} -> throw({check, "ssl did not say whether the session was resumed"});
        {error, Reason} -> throw({tls, "reading the connection information", Reason})
    end.

%% Whether the connection has a client early traffic secret. ssl returns
%% secrets only when a security item (keylog) is asked for too.
early_data_secret(Socket) ->
    case ssl:connection_information(Socket, [keylog, client_early_data_secret]) of
        {ok, Info} -> lists:keymember(client_early_data_secret, 1, Info);
        {error, Reason} -> throw({tls, "reading the connection information", Reason})
    end.

%% ---------------------------------------------------------------------
%% Key log
%% ---------------------------------------------------------------------

%% Appends the connection's secrets in the NSS key log format. Called right
%% after the handshake, before any KeyUpdate: OTP reports the current
%% application secrets under the _0 labels.
write_key_log(_Socket, #{key_log := none}) ->
    ok;
write_key_log(Socket, #{key_log := File}) ->
    case ssl:connection_information(Socket, [keylog]) of
        {ok, [{keylog, Lines}]} ->
            case file:write_file(File, [[Line, $\n] || Line <- Lines], [append]) of
                ok -> ok;
                {error, Reason} ->
                    throw({check, io_lib:format("cannot append to SSLKEYLOGFILE ~s: ~p",
                                                [File, Reason])})
            end;
        {ok, []} ->
            stderr("tls-erlang: ssl gave no key log for this connection~n", []);
        {error, Reason} ->
            throw({tls, "reading the key log", Reason})
    end.

%% ---------------------------------------------------------------------
%% Facts, errors, output
%% ---------------------------------------------------------------------

fact(Name) ->
    io:format("crosscheck-fact: ~s~n", [Name]).

%% Whether an ssl error is this side's own refusal: an alert ssl generated
%% itself ("... generated CLIENT ALERT: ..."), not one it received from the
%% peer ("received SERVER ALERT"), nor a closed connection.
own_alert(Role, {tls_alert, {_, Text}}) ->
    Generated = "generated " ++ string:uppercase(atom_to_list(Role)) ++ " ALERT",
    string:find(Text, Generated) =/= nomatch;
own_alert(_, _) ->
    false.

%% A term on one line.
format_term(Term) ->
    Text = io_lib:format("~tp", [Term]),
    string:trim(re:replace(Text, "\\s*\\n\\s*", " ", [global, unicode, {return, list}])).

stderr(Format, Args) ->
    io:format(standard_error, Format, Args).
