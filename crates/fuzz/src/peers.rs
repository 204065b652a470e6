//! What peers send: TLS records and hellos as the BoGo runner, the shims
//! and the wire observer read them, and the argument lists shims are
//! started with.

use std::ffi::OsString;
use std::io;
use std::os::unix::ffi::OsStringExt;

use crosscheck::tls::matrix::Role;
use crosscheck::tls::observe::capture::{Depth, DirectionCapture, DirectionTap};
use crosscheck::tls::observe::connection::{ConnectionCapture, observe};
use crosscheck::tls::observe::hello::{parse_client_hello, parse_server_hello};
use crosscheck::tls::observe::keylog::KeyLog;
use crosscheck_bogo_runner::key_updates::ShimKeyUpdates;
use crosscheck_bogo_runner::record::{
    HANDSHAKE, KEY_UPDATE, RecordBuffer, duplicate_extension, handshake_name,
    take_handshake_messages,
};
use crosscheck_bogo_runner::tamper::Tamper;
use crosscheck_bogo_shims::config::parse_alpn_list;
use crosscheck_bogo_shims::hellos::{
    ClientHelloWatch, ServerHelloWatch, client_offer, server_choice,
};
use crosscheck_model::bogo::{Misbehaviour, RecordAt};

use crate::seeds::Seed;
use crate::{Input, Target, project_root};
use crosscheck_tls_exchange::{Kind, Recorded};

pub const BOGO_RECORDS: Target = Target {
    name: "bogo_records",
    reads: "a TLS byte stream cut into records and handshake messages, edited by every misbehaviour the BoGo runner applies, and watched for hellos as the BoGo shims do",
    run: |_, data| bogo_records(data),
    seeds: || stream_seeds(|recorded| [recorded.to_server.clone(), recorded.to_client.clone()]),
    canary: false,
};

pub const HELLOS: Target = Target {
    name: "hellos",
    reads: "a ClientHello or ServerHello body, by the wire observer's and the BoGo shims' hello parsers",
    run: |_, data| hellos(data),
    seeds: hello_seeds,
    canary: false,
};

pub const WIRE_OBSERVER: Target = Target {
    name: "wire_observer",
    reads: "a key log and both directions of a connection, through the TLS wire observer (record capture, hellos, decryption)",
    run: |_, data| wire_observer(data),
    seeds: || {
        stream_seeds(|recorded| {
            [frame(&[
                recorded.key_log.as_bytes(),
                &recorded.to_server,
                &recorded.to_client,
            ])]
        })
    },
    canary: false,
};

pub const BOGO_SHIM_FLAGS: Target = Target {
    name: "bogo_shim_flags",
    reads: "a BoGo shim's command line (arguments separated by NUL bytes)",
    run: |_, data| {
        let arguments: Vec<Vec<u8>> = data.split(|byte| *byte == 0).map(<[u8]>::to_vec).collect();
        Input::from_ok(crosscheck_bogo_shims::flags::parse(&arguments).is_ok())
    },
    seeds: upstream_argv_seeds,
    canary: false,
};

pub const TLS_SHIM_ARGUMENTS: Target = Target {
    name: "tls_shim_arguments",
    reads: "a TLS interop shim's command line, `client|server CASE PORT` (arguments separated by NUL bytes)",
    run: |_, data| {
        let arguments = data
            .split(|byte| *byte == 0)
            .map(|argument| OsString::from_vec(argument.to_vec()));
        Input::from_ok(crosscheck_tls_driver::invocation::Invocation::parse(arguments).is_ok())
    },
    seeds: || {
        let seeds: [&[&str]; 5] = [
            &["client", "handshake", "4433"],
            &["server", "large_data_download", "65535"],
            &["client", "resumption", "1"],
            &["server", "key_update", "0"],
            &["version"],
        ];
        Ok(seeds
            .iter()
            .enumerate()
            .map(|(index, arguments)| {
                Seed::new(&index.to_string(), arguments.join("\0").into_bytes())
            })
            .collect())
    },
    canary: false,
};

fn bogo_records(data: &[u8]) -> Input {
    let mut buffer = RecordBuffer::default();
    buffer.extend(data);
    let mut encoded = Vec::new();
    let mut handshake = Vec::new();
    let mut key_updates = ShimKeyUpdates::new(false, true);
    while let Some(record) = buffer.next_record() {
        record.encode_into(&mut encoded);
        if record.content_type != HANDSHAKE {
            continue;
        }
        handshake.extend_from_slice(&record.body);
        for message in take_handshake_messages(&mut handshake) {
            let _ = handshake_name(message.message_type);
            for extension in [0, 10, 16, 43, 51] {
                let _ = duplicate_extension(message.message_type, &message.body, extension);
            }
            if message.message_type == KEY_UPDATE {
                let _ = key_updates.received(&message.body);
            }
        }
    }
    let incomplete = buffer.take();
    let whole_records = incomplete.is_empty();
    encoded.extend_from_slice(&incomplete);
    assert_eq!(
        encoded, data,
        "records read from a stream must re-encode to the same bytes"
    );
    for misbehaviour in misbehaviours() {
        let mut tamper = Tamper::new(Some(misbehaviour));
        // Fed in two parts, as bytes arrive, to reach the buffering paths.
        let (first, rest) = data.split_at(data.len() / 2);
        let _ = tamper.outgoing(first).and_then(|_| tamper.outgoing(rest));
    }
    let mut client = ClientHelloWatch::default();
    client.observe(data);
    let _ = client.offer();
    let mut server = ServerHelloWatch::default();
    server.observe(data);
    let _ = (server.choice(), server.saw_hello_retry_request());
    let _ = (server.saw_new_session_ticket(), server.alert_before_hello());
    Input::from_ok(whole_records)
}

/// One of each misbehaviour the runner's tamperer applies to a stream.
fn misbehaviours() -> [Misbehaviour; 4] {
    [
        Misbehaviour::FirstRecordVersion(0x0302),
        Misbehaviour::InvalidRecordType {
            content_type: 0x2a,
            at: RecordAt::FirstRecord,
        },
        Misbehaviour::TrailingDataInHandshakeMessage {
            message: 1,
            bytes: std::borrow::Cow::Borrowed(b"\x00\x01"),
        },
        Misbehaviour::DuplicateExtension {
            message: 1,
            extension: 43,
        },
    ]
}

fn hellos(body: &[u8]) -> Input {
    let parsed = parse_client_hello(body).is_ok() || parse_server_hello(body).is_ok();
    let _ = parse_alpn_list(body);
    for message_type in [1u8, 2] {
        let length = u32::try_from(body.len()).unwrap_or(u32::MAX).to_be_bytes();
        let mut message = vec![message_type, length[1], length[2], length[3]];
        message.extend_from_slice(body);
        let _ = client_offer(&message);
        let _ = server_choice(&message);
    }
    Input::from_ok(parsed)
}

fn wire_observer(data: &[u8]) -> Input {
    let [key_log, to_server, to_client] = unframe(data);
    let mut keys = KeyLog::default();
    keys.add(
        Role::Client,
        "fuzzed.keys",
        &String::from_utf8_lossy(key_log),
    );
    let capture = ConnectionCapture {
        to_server: tapped(to_server),
        to_client: tapped(to_client),
    };
    let observation = observe(&capture, &keys);
    let _ = observation.summary();
    let _ = observation.psk_selected();
    Input::from_ok(observation.problems.is_empty() && observation.decrypted.is_some())
}

/// What the relay's tap keeps of `stream`, fed in uneven pieces as a
/// socket would deliver it.
fn tapped(stream: &[u8]) -> DirectionCapture {
    let mut tap = DirectionTap::new(Depth::Everything);
    let mut rest = stream;
    let mut piece = 1;
    while !rest.is_empty() {
        let (now, later) = rest.split_at(piece.min(rest.len()));
        tap.feed(now);
        rest = later;
        piece = piece * 3 + 1;
    }
    tap.finish()
}

/// Parts as one input: each but the last behind its length (4 bytes,
/// big-endian); the last takes the rest.
fn frame(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        if index + 1 < parts.len() {
            let length = u32::try_from(part.len()).unwrap_or(u32::MAX);
            out.extend_from_slice(&length.to_be_bytes());
        }
        out.extend_from_slice(part);
    }
    out
}

/// The three parts [`frame`] made; lengths past the end are cut short.
fn unframe(mut data: &[u8]) -> [&[u8]; 3] {
    let mut parts: [&[u8]; 3] = [&[]; 3];
    for part in parts.iter_mut().take(2) {
        let length = data
            .get(..4)
            .map(|bytes| u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize)
            .unwrap_or(0);
        data = data.get(4..).unwrap_or(&[]);
        let (now, later) = data.split_at(length.min(data.len()));
        *part = now;
        data = later;
    }
    parts[2] = data;
    parts
}

/// One real exchange of `kind`: a short request, a 300-byte response.
fn record(kind: Kind) -> std::io::Result<Recorded> {
    crosscheck_tls_exchange::record(kind, b"GET / HTTP/1.0\r\n\r\n", &[b'x'; 300])
}

/// Seeds made from each kind of real exchange.
fn stream_seeds<const N: usize>(
    inputs: impl Fn(&Recorded) -> [Vec<u8>; N],
) -> io::Result<Vec<Seed>> {
    let mut seeds = Vec::new();
    for kind in Kind::ALL {
        let recorded = record(kind)?;
        for (index, input) in inputs(&recorded).into_iter().enumerate() {
            seeds.push(Seed::new(&format!("{}-{index}", kind.name()), input));
        }
    }
    Ok(seeds)
}

/// The plaintext hello bodies of each kind of real exchange.
fn hello_seeds() -> io::Result<Vec<Seed>> {
    let mut seeds = Vec::new();
    for kind in Kind::ALL {
        let recorded = record(kind)?;
        for (direction, stream) in [
            ("client", &recorded.to_server),
            ("server", &recorded.to_client),
        ] {
            let mut buffer = RecordBuffer::default();
            buffer.extend(stream);
            let mut handshake = Vec::new();
            while let Some(record) = buffer.next_record() {
                if record.content_type == HANDSHAKE {
                    handshake.extend_from_slice(&record.body);
                }
            }
            let hellos = take_handshake_messages(&mut handshake)
                .into_iter()
                .filter(|message| matches!(message.message_type, 1 | 2));
            for (index, message) in hellos.enumerate() {
                let name = format!("{}-{direction}-{index}", kind.name());
                seeds.push(Seed::new(&name, message.body));
            }
        }
    }
    Ok(seeds)
}

/// The upstream runner's shim command lines (tests/fixtures), with the
/// placeholders filled in.
fn upstream_argv_seeds() -> io::Result<Vec<Seed>> {
    let path = project_root().join("tests/fixtures/bogo_upstream_argv.tsv");
    let text = std::fs::read_to_string(path)?;
    let mut seeds = Vec::new();
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        let Some((test, arguments)) = line.split_once('\t') else {
            continue;
        };
        let arguments: Vec<String> = arguments
            .split(' ')
            .map(|argument| {
                let argument = if argument.starts_with('"') {
                    serde_json::from_str(argument).unwrap_or_else(|_| argument.to_string())
                } else {
                    argument.to_string()
                };
                argument
                    .replace("{port}", "40000")
                    .replace("{shim_id}", "1")
                    .replace('{', "/tmp/")
                    .replace('}', ".pem")
            })
            .collect();
        seeds.push(Seed::new(test, arguments.join("\0").into_bytes()));
    }
    Ok(seeds)
}
