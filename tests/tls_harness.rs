//! The TLS harness against real processes: the real rustls shim where a TLS
//! peer is needed, and small shell programs where a peer must misbehave
//! (exit 127, fail, never listen, stay silent about facts, find their port
//! taken).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

use std::fs;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use std::borrow::Cow;

use crosscheck::program::{Cargo, Program, Provision, Text};
use crosscheck::tls::cell::{self, Cell, CellResult, Settings, Verdict};
use crosscheck::tls::{Case, Implementation, Matrix, Relay, Role, Wire};

include!(concat!(env!("OUT_DIR"), "/tls_matrix.rs"));

const fn case(name: &'static str, deadline_ms: u64) -> Case {
    relayed_case(name, deadline_ms, None, &[])
}

/// `case`, its client started just after a second begins.
const fn client_at_second(name: &'static str, deadline_ms: u64) -> Case {
    let mut case = case(name, deadline_ms);
    case.client_starts_at_second = true;
    case
}

/// A case relayed as `relay` says, whose client must report `client_facts`.
const fn relayed_case(
    name: &'static str,
    deadline_ms: u64,
    relay: Option<Relay>,
    client_facts: &'static [Text],
) -> Case {
    Case {
        name: Cow::Borrowed(name),
        description: Cow::Borrowed(""),
        upstream: true,
        client_duty: Cow::Borrowed(""),
        server_duty: Cow::Borrowed(""),
        deadline_ms,
        parameters: Cow::Borrowed(&[]),
        relay,
        client_facts: Cow::Borrowed(client_facts),
        server_facts: Cow::Borrowed(&[]),
        wire: Wire::ANY,
        refusal: None,
        client_starts_at_second: false,
    }
}

/// `run` (none: the binary itself) of the rustls shim of crosscheck's TLS
/// shims package (`provision` true), or of a program already installed.
const fn program(name: &'static str, rustls: bool, run: &'static [Text]) -> Implementation {
    let provision = if rustls {
        Provision::Cargo(Cargo::new("crosscheck-tls-shims", "tls-shim-rustls"))
    } else {
        Provision::Installed
    };
    Implementation {
        name: Cow::Borrowed(name),
        description: Cow::Borrowed(""),
        program: Program {
            name: Cow::Borrowed(name),
            provision,
            run: Cow::Borrowed(run),
            args: Cow::Borrowed(&[]),
            env: Cow::Borrowed(&[]),
            debian: Cow::Borrowed(&[]),
        },
        client: true,
        server: true,
    }
}

/// A program already installed, started with `run`.
const fn shell(name: &'static str, run: &'static [Text]) -> Implementation {
    program(name, false, run)
}

/// Words known when the code is built.
macro_rules! words {
    ($($word:expr),* $(,)?) => { &[$(Cow::Borrowed($word)),*] };
}

const REQUEST_RESPONSE: usize = 0;
const SMALL_TCP_PACKET: usize = 1;
const UNREPORTED_FACT: usize = 2;
const CLIENT_AT_SECOND: usize = 3;

const RUSTLS: usize = 0;
const UNSUPPORTED: usize = 1;
const FAILING: usize = 2;
const NEVER_LISTENS: usize = 3;
const SQUATTED_ONCE: usize = 4;
const SQUATTED_ALWAYS: usize = 5;
const EARLY_IN_ITS_SECOND: usize = 6;

/// Where the squatted servers write their ports (`$0` of their scripts).
static SQUATTED_ONCE_PORTS: LazyLock<String> = LazyLock::new(|| announcements("squatted-once"));
static SQUATTED_ALWAYS_PORTS: LazyLock<String> = LazyLock::new(|| announcements("squatted-always"));

fn announcements(name: &str) -> String {
    let dir = crosscheck::paths::scratch_dir("tls-harness").unwrap();
    dir.join(name).display().to_string()
}

/// The harness's matrix of these cases and implementations.
static HARNESS: LazyLock<Matrix> = LazyLock::new(|| matrix(CASES));

fn matrix(cases: &'static [Case]) -> Matrix {
    Matrix {
        root: Cow::Borrowed(env!("CARGO_MANIFEST_DIR")),
        certificates: Cow::Borrowed(concat!(env!("CARGO_MANIFEST_DIR"), "/certificates")),
        cases: Cow::Borrowed(cases),
        implementations: Cow::Owned(implementations()),
        cells: Cow::Borrowed(&[]),
    }
}

const CASES: &[Case] = &[
    case("request_response", 10_000),
    relayed_case(
        "small_tcp_packet",
        20_000,
        Some(Relay { segment_bytes: 1 }),
        &[],
    ),
    relayed_case("request_response", 10_000, None, words!["never_reported"]),
    client_at_second("request_response", 10_000),
];

fn implementations() -> Vec<Implementation> {
    vec![
        program("rustls", true, &[]),
        shell("unsupported", words!["sh", "-c", "exit 127", "sh"]),
        shell(
            "failing",
            words!["sh", "-c", "echo 'handshake went wrong' >&2; exit 3", "sh"],
        ),
        shell("never-listens", words!["sh", "-c", "sleep 60", "sh"]),
        // The first run announces its port and waits (for the test to take
        // the port); a second run is the rustls shim.
        script(
            program("squatted-once", true, &[]),
            r#"if [ -s "$0" ]; then exec {program} "$@"; fi; echo "$3" > "$0.new"; mv "$0.new" "$0"; exec sleep 60"#,
            &SQUATTED_ONCE_PORTS,
        ),
        script(
            shell("squatted-always", &[]),
            r#"echo "$3" >> "$0"; exec sleep 60"#,
            &SQUATTED_ALWAYS_PORTS,
        ),
        // The rustls shim, but a client fails unless it starts in the first
        // half of a wall-clock second.
        program(
            "early-in-its-second",
            true,
            words![
                "sh",
                "-c",
                r#"case "$1:$(date +%N)" in client:[5-9]*) echo "started $(date +%N) ns into a second" >&2; exit 3;; esac; exec {program} "$@""#,
                "sh",
            ],
        ),
    ]
}

/// `implementation` started as `sh -c SCRIPT ZERO` (`$0` is `zero`).
fn script(mut implementation: Implementation, script: &'static str, zero: &str) -> Implementation {
    implementation.program.run = Cow::Owned(vec![
        Cow::Borrowed("sh"),
        Cow::Borrowed("-c"),
        Cow::Borrowed(script),
        Cow::Owned(zero.to_string()),
    ]);
    implementation
}

/// A logs directory per cell run: two cases here share a name (the shim
/// knows cases by name), and the tests run in parallel.
fn logs_dir() -> PathBuf {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let number = RUNS.fetch_add(1, Ordering::Relaxed);
    crosscheck::paths::run_dir("tls-harness-tests").join(format!("cell-{number}"))
}

fn run(case: usize, client: usize, server: usize) -> CellResult {
    let logs = logs_dir();
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
    // The client never started; its log says why.
    assert_eq!(
        std::fs::read_to_string(&result.client_log).unwrap(),
        "[crosscheck] not started: the server exited 127 (unsupported)\n"
    );
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
    const QUICK_CASES: &[Case] = &[case("request_response", 300)];
    static QUICK: LazyLock<Matrix> = LazyLock::new(|| matrix(QUICK_CASES));
    let result = cell::run(
        &QUICK,
        Cell {
            case: 0,
            client: RUSTLS,
            server: NEVER_LISTENS,
        },
        &Settings::new(logs_dir()),
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
    assert!(
        reason.starts_with(
            "client exited 0 but did not report `crosscheck-fact: never_reported`; the wire showed: connection 1: TLS 1.3"
        ),
        "{reason}"
    );
}

/// Runs `server` against the rustls client while listening, in this process,
/// on each port that `server` writes to `announced` (one a line), as a
/// program that no run started would. Returns the result and the ports.
fn run_squatted(server: usize, announced: &str) -> (CellResult, Vec<u16>) {
    let _ = fs::remove_file(announced);
    let cell = thread::spawn(move || run(REQUEST_RESPONSE, RUSTLS, server));
    let mut ports: Vec<u16> = Vec::new();
    let mut squatters: Vec<TcpListener> = Vec::new();
    // The cell ends by itself: the case's deadline bounds the servers.
    while !cell.is_finished() {
        let text = fs::read_to_string(announced).unwrap_or_default();
        for line in text.lines() {
            let Ok(port) = line.trim().parse::<u16>() else {
                continue;
            };
            if !ports.contains(&port) {
                let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
                    .unwrap_or_else(|error| panic!("listen on {port}: {error}"));
                squatters.push(listener);
                ports.push(port);
            }
        }
        thread::sleep(Duration::from_millis(5));
    }
    let result = cell.join().expect("the cell thread");
    let _ = fs::remove_file(announced);
    (result, ports)
}

#[test]
fn a_port_taken_by_a_stranger_is_given_up_for_another() {
    let (result, squatted) = run_squatted(SQUATTED_ONCE, &SQUATTED_ONCE_PORTS);
    assert_eq!(
        result.verdict,
        Verdict::Passed,
        "logs: {}",
        result.server_log.display()
    );
    let [first] = squatted[..] else {
        panic!("one port taken: {squatted:?}");
    };
    let server_log = fs::read_to_string(&result.server_log).expect("server log");
    let me = std::process::id();
    let note = format!("[port {first} is already taken by another process (pid {me}, `");
    assert!(server_log.contains(&note), "{server_log}");
    let moved = "— not started by this run; the server starts again on another port]";
    assert!(server_log.contains(moved), "{server_log}");
    // The second run, on another port, is the last command in the log.
    let last_header = server_log
        .lines()
        .rfind(|line| line.starts_with("$ "))
        .expect("a command line");
    let second = last_header.rsplit(' ').next().expect("a port");
    assert_ne!(second, first.to_string(), "{server_log}");
    assert_eq!(
        processes_using_port(&first.to_string()),
        Vec::<String>::new()
    );
}

#[test]
fn a_server_whose_ports_are_both_taken_fails_naming_the_stranger() {
    let (result, squatted) = run_squatted(SQUATTED_ALWAYS, &SQUATTED_ALWAYS_PORTS);
    let Verdict::Failed { reason } = &result.verdict else {
        panic!("expected a failure, got {:?}", result.verdict);
    };
    let [first, second] = squatted[..] else {
        panic!("two ports taken: {squatted:?}; {reason}");
    };
    let me = std::process::id();
    assert!(
        reason.starts_with(&format!(
            "port {first} is already taken by another process (pid {me}, `"
        )),
        "{reason}"
    );
    assert!(
        reason.contains(&format!(
            "— not started by this run; then port {second} is already taken by another process (pid {me}, `"
        )),
        "{reason}"
    );
    assert!(reason.ends_with("— not started by this run"), "{reason}");
    // The client never started (its log says why), and neither server run
    // is left.
    assert_eq!(
        std::fs::read_to_string(&result.client_log).unwrap(),
        format!("[crosscheck] not started: {reason}\n")
    );
    for port in [first, second] {
        assert_eq!(
            processes_using_port(&port.to_string()),
            Vec::<String>::new()
        );
    }
}

#[test]
fn a_case_that_asks_starts_its_client_just_after_a_second_begins() {
    // Unaligned, each run would start in the second half of a second
    // half the time: all three passing by chance is 1 in 8.
    for _ in 0..3 {
        let result = run(CLIENT_AT_SECOND, EARLY_IN_ITS_SECOND, RUSTLS);
        assert_eq!(
            result.verdict,
            Verdict::Passed,
            "{}",
            std::fs::read_to_string(&result.client_log).unwrap_or_default()
        );
    }
}
