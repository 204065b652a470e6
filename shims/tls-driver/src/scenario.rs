//! The cases, written once: which connections each role makes, what it
//! sends and checks on them, and which facts it reports.

use std::net::{Ipv4Addr, TcpListener, TcpStream};

use crate::case::{Case, Flow};
use crate::error::Error;
use crate::exchange::{
    check_message, close, close_after_peer, expect, receive_download, send, send_download,
};
use crate::invocation::Parameters;
use crate::library::{Client, NamedGroup, Server, TlsStream};
use crate::protocol::{GREETING, RESPONSE};

use crosscheck_model::tls::{EARLY_DATA_ACCEPTED, FACT_PREFIX, REFUSAL_PREFIX, SESSION_RESUMED};

/// Prints a fact the shim has just checked.
fn report(fact: &str) {
    println!("{FACT_PREFIX} {fact}");
}

/// Prints why the shim refused, in a negative case where refusing is its
/// part; the error goes back to the driver and the shim exits 1.
pub fn report_refusal(role: crate::case::Role, case: Case, error: Error) -> Error {
    if case.refuser() == Some(role) {
        println!("{REFUSAL_PREFIX} {error}");
    }
    error
}

/// Plays the client side of `case` against the server on 127.0.0.1:`port`.
pub fn run_client(
    client: &mut impl Client,
    case: Case,
    port: u16,
    parameters: &Parameters,
) -> Result<(), Error> {
    let mut stream = match case.flow() {
        Flow::Resumed { early_data } => return resume_client(client, early_data, port),
        Flow::Handshake | Flow::RequestResponse | Flow::Download { .. } => {
            connect(client, port, None)?
        }
    };
    check_group(&stream, case)?;
    match case.flow() {
        Flow::Handshake => {}
        Flow::RequestResponse => request_response(&mut stream)?,
        Flow::Download { .. } => {
            send(&mut stream, GREETING, "the greeting")?;
            receive_download(&mut stream, parameters.download_bytes)?;
        }
        Flow::Resumed { .. } => {} // returned above
    }
    close(&mut stream)
}

/// Plays the server side of `case` on 127.0.0.1:`port`.
pub fn run_server(
    server: &mut impl Server,
    case: Case,
    port: u16,
    parameters: &Parameters,
) -> Result<(), Error> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .map_err(|source| Error::io(format!("cannot listen on 127.0.0.1:{port}"), source))?;
    let mut stream = match case.flow() {
        Flow::Resumed { early_data } => return resume_server(server, early_data, &listener),
        Flow::Handshake | Flow::RequestResponse | Flow::Download { .. } => {
            accept(server, &listener, None)?
        }
    };
    check_group(&stream, case)?;
    match case.flow() {
        Flow::Handshake => {}
        Flow::RequestResponse => respond(&mut stream)?,
        Flow::Download { key_updates } => {
            expect(&mut stream, GREETING, "the greeting")?;
            let interval = key_updates.then_some(parameters.key_update_interval_bytes);
            send_download(&mut stream, parameters.download_bytes, interval)?;
        }
        Flow::Resumed { .. } => {} // returned above
    }
    close_after_peer(&mut stream)
}

/// `resumption` and `early_data`, client side: a full handshake, then a
/// resumed one (sending the greeting as 0-RTT data in `early_data`).
fn resume_client(client: &mut impl Client, early_data: bool, port: u16) -> Result<(), Error> {
    full_handshake_client(client, port).map_err(|error| error.during("connection 1"))?;
    resumed_client(client, early_data, port).map_err(|error| error.during("connection 2"))
}

fn full_handshake_client(client: &mut impl Client, port: u16) -> Result<(), Error> {
    let mut stream = connect(client, port, None)?;
    check_not_resumed(&stream)?;
    // Reading the response also takes in the session ticket(s).
    request_response(&mut stream)?;
    close(&mut stream)
}

fn resumed_client(client: &mut impl Client, with_early_data: bool, port: u16) -> Result<(), Error> {
    let early_data = with_early_data.then_some(GREETING);
    let mut stream = connect(client, port, early_data)?;
    check_resumed(&stream)?;
    if with_early_data {
        if !stream.early_data_accepted() {
            return Err(Error::check("the server did not accept the early data"));
        }
        report(EARLY_DATA_ACCEPTED);
        expect(&mut stream, RESPONSE, "the response")?;
    } else {
        request_response(&mut stream)?;
    }
    close(&mut stream)
}

/// `resumption` and `early_data`, server side: a full handshake, then a
/// resumed one (taking the greeting from 0-RTT data in `early_data`).
fn resume_server(
    server: &mut impl Server,
    early_data: bool,
    listener: &TcpListener,
) -> Result<(), Error> {
    full_handshake_server(server, listener).map_err(|error| error.during("connection 1"))?;
    resumed_server(server, early_data, listener).map_err(|error| error.during("connection 2"))
}

fn full_handshake_server(server: &mut impl Server, listener: &TcpListener) -> Result<(), Error> {
    let mut stream = accept(server, listener, None)?;
    check_not_resumed(&stream)?;
    respond(&mut stream)?;
    close_after_peer(&mut stream)
}

fn resumed_server(
    server: &mut impl Server,
    with_early_data: bool,
    listener: &TcpListener,
) -> Result<(), Error> {
    let mut early_data = Vec::new();
    let mut stream = accept(server, listener, with_early_data.then_some(&mut early_data))?;
    check_resumed(&stream)?;
    if with_early_data {
        if !stream.early_data_accepted() {
            return Err(Error::check("the client's early data was not accepted"));
        }
        check_message(&early_data, GREETING, "the greeting (early data)")?;
        report(EARLY_DATA_ACCEPTED);
        send(&mut stream, RESPONSE, "the response")?;
    } else {
        respond(&mut stream)?;
    }
    close_after_peer(&mut stream)
}

/// Client half of request_response: greeting out, response in.
fn request_response(stream: &mut impl TlsStream) -> Result<(), Error> {
    send(stream, GREETING, "the greeting")?;
    expect(stream, RESPONSE, "the response")
}

/// Server half of request_response: greeting in, response out.
fn respond(stream: &mut impl TlsStream) -> Result<(), Error> {
    expect(stream, GREETING, "the greeting")?;
    send(stream, RESPONSE, "the response")
}

fn connect<C: Client>(
    client: &mut C,
    port: u16,
    early_data: Option<&[u8]>,
) -> Result<C::Stream, Error> {
    let tcp = TcpStream::connect((Ipv4Addr::LOCALHOST, port))
        .map_err(|source| Error::io(format!("cannot connect to 127.0.0.1:{port}"), source))?;
    tcp.set_nodelay(true)
        .map_err(|source| Error::io("setting TCP_NODELAY", source))?;
    client
        .connect(tcp, early_data)
        .map_err(|error| error.during("handshake"))
}

fn accept<S: Server>(
    server: &mut S,
    listener: &TcpListener,
    early_data: Option<&mut Vec<u8>>,
) -> Result<S::Stream, Error> {
    let (tcp, _) = listener
        .accept()
        .map_err(|source| Error::io("accepting a TCP connection", source))?;
    tcp.set_nodelay(true)
        .map_err(|source| Error::io("setting TCP_NODELAY", source))?;
    server
        .accept(tcp, early_data)
        .map_err(|error| error.during("handshake"))
}

fn check_not_resumed(stream: &impl TlsStream) -> Result<(), Error> {
    if stream.resumed() {
        return Err(Error::check(
            "the handshake resumed a session; expected a full handshake",
        ));
    }
    Ok(())
}

fn check_resumed(stream: &impl TlsStream) -> Result<(), Error> {
    if !stream.resumed() {
        return Err(Error::check(
            "the handshake did not resume the first connection's session",
        ));
    }
    report(SESSION_RESUMED);
    Ok(())
}

/// In `hello_retry_request`, the group must be secp256r1 where the library tells.
fn check_group(stream: &impl TlsStream, case: Case) -> Result<(), Error> {
    if case != Case::HelloRetryRequest {
        return Ok(());
    }
    match stream.negotiated_group() {
        Some(NamedGroup::Secp256r1) => Ok(()),
        Some(group) => Err(Error::check(format!(
            "negotiated group {group}, expected secp256r1"
        ))),
        None => {
            eprintln!("note: the library does not expose the negotiated group; not checked");
            Ok(())
        }
    }
}
