//! The TLS harness against real processes: the real rustls shim where a TLS
//! peer is needed, and small shell programs where a peer must misbehave
//! (exit 127, fail, never listen, stay silent about facts).

use std::fs;
use std::path::Path;
use std::time::Duration;

use crosscheck::tls::cell::{self, Cell, CellResult, Settings, Verdict};
use crosscheck::tls::{Case, Implementation, Matrix, Relay, Role};

include!(concat!(env!("OUT_DIR"), "/tls_matrix.rs"));

const fn case(name: &'static str, deadline_ms: u64) -> Case {
    Case {
        name,
        description: "",
        upstream: true,
        client_duty: "",
        server_duty: "",
        deadline: Duration::from_millis(deadline_ms),
        parameters: &[],
        relay: None,
        client_facts: &[],
        server_facts: &[],
    }
}

const fn shell(name: &'static str, command: &'static [&'static str]) -> Implementation {
    Implementation {
        name,
        description: "",
        build: None,
        command,
        client: true,
        server: true,
        unsupported: &[],
    }
}

const REQUEST_RESPONSE: usize = 0;
const SMALL_TCP_PACKET: usize = 1;
const UNREPORTED_FACT: usize = 2;

const RUSTLS: usize = 0;
const UNSUPPORTED: usize = 1;
const FAILING: usize = 2;
const NEVER_LISTENS: usize = 3;

static HARNESS: Matrix = Matrix {
    root: env!("CARGO_MANIFEST_DIR"),
    certificates: concat!(env!("CARGO_MANIFEST_DIR"), "/certificates"),
    cases: &[
        case("request_response", 10_000),
        Case {
            relay: Some(Relay { segment_bytes: 1 }),
            ..case("small_tcp_packet", 20_000)
        },
        Case {
            client_facts: &["never_reported"],
            ..case("request_response", 10_000)
        },
    ],
    implementations: &[
        Implementation {
            name: "rustls",
            description: "",
            build: Some(0),
            command: &["{build_dir}/release/tls-shim-rustls"],
            client: true,
            server: true,
            unsupported: &[],
        },
        shell("unsupported", &["sh", "-c", "exit 127", "sh"]),
        shell(
            "failing",
            &["sh", "-c", "echo 'handshake went wrong' >&2; exit 3", "sh"],
        ),
        shell("never-listens", &["sh", "-c", "sleep 60", "sh"]),
    ],
    builds: MATRIX.builds,
    known_failures: &[],
};

fn run(case: usize, client: usize, server: usize) -> CellResult {
    let logs = crosscheck::paths::run_dir("tls-harness-tests");
    cell::run(
        &HARNESS,
        Cell {
            case,
            client,
            server,
        },
        &Settings::new(logs),
    )
}

/// The port a side was started with, from its log's command line.
fn port_in_log(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_default();
    let header = text.lines().next().unwrap_or_default().to_string();
    header.rsplit(' ').next().unwrap_or_default().to_string()
}

/// Processes whose command line ends with `port` (as every shim's does).
fn processes_using_port(port: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(raw) = fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let words: Vec<String> = raw
            .split(|byte| *byte == 0)
            .filter(|word| !word.is_empty())
            .map(|word| String::from_utf8_lossy(word).into_owned())
            .collect();
        if words.last().is_some_and(|last| last == port)
            && words.iter().any(|w| w == "server" || w == "client")
        {
            found.push(words.join(" "));
        }
    }
    found
}

#[test]
fn a_real_pair_passes_and_leaves_nothing_running() {
    let result = run(REQUEST_RESPONSE, RUSTLS, RUSTLS);
    assert_eq!(
        result.verdict,
        Verdict::Passed,
        "logs: {}",
        result.server_log.display()
    );
    let port = port_in_log(&result.server_log);
    assert!(
        port.parse::<u16>().is_ok(),
        "no port in the server log header"
    );
    assert_eq!(processes_using_port(&port), Vec::<String>::new());
    let server_log = fs::read_to_string(&result.server_log).expect("server log");
    assert!(
        server_log.contains("server request_response"),
        "{server_log}"
    );
    assert!(server_log.contains("[exit status: 0"), "{server_log}");
}

#[test]
fn the_relay_carries_the_exchange_in_one_byte_segments() {
    let result = run(SMALL_TCP_PACKET, RUSTLS, RUSTLS);
    assert_eq!(
        result.verdict,
        Verdict::Passed,
        "logs: {}",
        result.client_log.display()
    );
    let relay = result.relay.expect("relay statistics");
    assert_eq!(relay.connections, 1);
    assert!(
        relay.bytes > 1000,
        "a TLS 1.3 handshake with two certificates is over 1 KB: {relay:?}"
    );
    assert_eq!(relay.segments, relay.bytes, "every byte travels alone");
}

#[test]
fn a_server_exiting_127_is_unsupported() {
    let result = run(REQUEST_RESPONSE, RUSTLS, UNSUPPORTED);
    assert_eq!(
        result.verdict,
        Verdict::Unsupported {
            roles: vec![Role::Server]
        }
    );
    // The client never started.
    assert!(!result.client_log.exists());
}

#[test]
fn a_client_exiting_127_is_unsupported_and_the_server_is_stopped() {
    let result = run(REQUEST_RESPONSE, UNSUPPORTED, RUSTLS);
    assert_eq!(
        result.verdict,
        Verdict::Unsupported {
            roles: vec![Role::Client]
        }
    );
    let port = port_in_log(&result.server_log);
    assert_eq!(processes_using_port(&port), Vec::<String>::new());
}

#[test]
fn a_failing_client_fails_the_cell_and_the_waiting_server_is_killed() {
    let result = run(REQUEST_RESPONSE, FAILING, RUSTLS);
    let Verdict::Failed { reason } = &result.verdict else {
        panic!("expected a failure, got {:?}", result.verdict);
    };
    assert!(
        reason.contains("client exited with exit status: 3"),
        "{reason}"
    );
    assert!(
        reason.contains("server was still running"),
        "the server waits for a client that never came: {reason}"
    );
    let client_log = fs::read_to_string(&result.client_log).expect("client log");
    assert!(client_log.contains("handshake went wrong"), "{client_log}");
    let port = port_in_log(&result.server_log);
    assert_eq!(processes_using_port(&port), Vec::<String>::new());
}

#[test]
fn a_server_that_never_listens_fails_at_the_deadline_and_is_killed() {
    static QUICK: Matrix = Matrix {
        cases: &[case("request_response", 300)],
        ..HARNESS
    };
    let result = cell::run(
        &QUICK,
        Cell {
            case: 0,
            client: RUSTLS,
            server: NEVER_LISTENS,
        },
        &Settings::new(crosscheck::paths::run_dir("tls-harness-tests")),
    );
    let Verdict::Failed { reason } = &result.verdict else {
        panic!("expected a failure, got {:?}", result.verdict);
    };
    assert!(reason.contains("did not listen within"), "{reason}");
    let server_log = fs::read_to_string(&result.server_log).expect("server log");
    assert!(server_log.contains("[killed"), "{server_log}");
    let port = port_in_log(&result.server_log);
    assert_eq!(processes_using_port(&port), Vec::<String>::new());
}

#[test]
fn a_required_fact_that_is_not_reported_fails_the_cell() {
    let result = run(UNREPORTED_FACT, RUSTLS, RUSTLS);
    let Verdict::Failed { reason } = &result.verdict else {
        panic!("expected a failure, got {:?}", result.verdict);
    };
    assert_eq!(
        reason,
        "client exited 0 but did not report `crosscheck-fact: never_reported`"
    );
}
