//! The harness's controls: deliberately broken implementations played
//! against the real OpenSSL shim in every case of `specs/tls/cases.yaml`.
//! Each must fail every cell it should fail, with a message that says why:
//!
//! - `liar` prints every fact and exits 0 without speaking TLS;
//! - `accept-any` is the rustls shim with a client that trusts any
//!   certificate for any name;
//! - `false-resumption` is the rustls shim with a client that never offers
//!   its session, wrapped to claim `session_resumed` and exit 0 whatever
//!   happened.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

use std::borrow::Cow;
use std::sync::LazyLock;

use crosscheck::program::{Cargo, Program, Provision, Text};
use crosscheck::tls::cell::{self, Cell, CellResult, Settings, Verdict};
use crosscheck::tls::{Implementation, Matrix};

include!(concat!(env!("OUT_DIR"), "/tls_matrix.rs"));

const OPENSSL: usize = 0;
const LIAR: usize = 1;
const ACCEPT_ANY: usize = 2;
const FALSE_RESUMPTION: usize = 3;

/// A shim of crosscheck's TLS shims package, started with `run` (none:
/// the binary itself) and then `args`.
const fn shim(
    name: &'static str,
    bin: &'static str,
    run: &'static [Text],
    args: &'static [Text],
) -> Implementation {
    Implementation {
        name: Cow::Borrowed(name),
        description: Cow::Borrowed(""),
        program: Program {
            name: Cow::Borrowed(name),
            provision: Provision::Cargo(Cargo::new("crosscheck-tls-shims", bin)),
            run: Cow::Borrowed(run),
            args: Cow::Borrowed(args),
            env: Cow::Borrowed(&[]),
            debian: Cow::Borrowed(&[]),
        },
        client: true,
        server: true,
    }
}

/// As a client it connects and sends a line of text; as a server it does
/// not even listen. Either way it claims every fact and exits 0.
const LIAR_SCRIPT: &str = r#"
if [ "$1" = client ]; then exec 3<>"/dev/tcp/127.0.0.1/$3" && printf 'hello, TLS\n' >&3; fi
echo "crosscheck-fact: session_resumed"
echo "crosscheck-fact: early_data_accepted"
exit 0
"#;

/// The spec's cases and root, played by these implementations.
static CONTROLS: LazyLock<Matrix> = LazyLock::new(|| Matrix {
    root: MATRIX.root.clone(),
    certificates: MATRIX.certificates.clone(),
    cases: MATRIX.cases.clone(),
    implementations: Cow::Borrowed(IMPLEMENTATIONS),
    cells: Cow::Borrowed(&[]),
});

const IMPLEMENTATIONS: &[Implementation] = &[
    shim("openssl", "tls-shim-openssl", &[], &[]),
    Implementation {
        name: Cow::Borrowed("liar"),
        description: Cow::Borrowed(""),
        program: Program::installed(
            "liar",
            &[
                Cow::Borrowed("bash"),
                Cow::Borrowed("-c"),
                Cow::Borrowed(LIAR_SCRIPT),
                Cow::Borrowed("liar"),
            ],
        ),
        client: true,
        server: true,
    },
    shim(
        "accept-any",
        "tls-shim-rustls",
        &[],
        &[
            Cow::Borrowed("--defect"),
            Cow::Borrowed("accept-any-certificate"),
        ],
    ),
    shim(
        "false-resumption",
        "tls-shim-rustls",
        &[
            Cow::Borrowed("sh"),
            Cow::Borrowed("-c"),
            Cow::Borrowed(
                r#"{program} --defect no-resumption "$@"; echo "crosscheck-fact: session_resumed"; exit 0"#,
            ),
            Cow::Borrowed("false-resumption"),
        ],
        &[],
    ),
];

fn run(case: usize, client: usize, server: usize) -> CellResult {
    let logs = crosscheck::paths::run_dir("tls-controls");
    cell::run(
        &CONTROLS,
        Cell {
            case,
            client,
            server,
        },
        &Settings::new(logs),
    )
}

fn case(name: &str) -> usize {
    CONTROLS
        .cases
        .iter()
        .position(|case| case.name == name)
        .unwrap_or_else(|| panic!("no case {name} in cases.yaml"))
}

fn label(case: usize, client: usize, server: usize) -> String {
    Cell {
        case,
        client,
        server,
    }
    .label(&CONTROLS)
}

/// The reason a cell failed; panics if it did not.
fn failure(case: usize, client: usize, server: usize) -> String {
    let result = run(case, client, server);
    match result.verdict {
        Verdict::Failed { reason } => reason,
        other => panic!(
            "{} should fail, but is {other:?}",
            label(case, client, server)
        ),
    }
}

#[test]
fn the_liar_fails_every_cell_it_takes_part_in() {
    for case in 0..CONTROLS.cases.len() {
        let reason = failure(case, LIAR, OPENSSL);
        assert!(
            reason.contains("not TLS records") || reason.contains("no ClientHello"),
            "{}: the reason does not say the wire showed no TLS: {reason}",
            label(case, LIAR, OPENSSL)
        );
        let reason = failure(case, OPENSSL, LIAR);
        assert!(
            reason.contains("before it listened"),
            "{}: {reason}",
            label(case, OPENSSL, LIAR)
        );
    }
    let reason = failure(case("resumption"), LIAR, LIAR);
    assert!(reason.contains("before it listened"), "{reason}");
}

#[test]
fn a_client_that_accepts_any_certificate_fails_every_certificate_refusal() {
    for name in [
        "untrusted_certificate",
        "wrong_hostname",
        "expired_certificate",
    ] {
        let reason = failure(case(name), ACCEPT_ANY, OPENSSL);
        assert!(
            reason.contains("client exited 0: it accepted what it should have refused"),
            "{name}: {reason}"
        );
        assert!(
            reason.contains("the client sent its Finished: it accepted the server"),
            "{name}: the wire's story is missing: {reason}"
        );
    }
    // Otherwise it is a working client.
    let result = run(case("request_response"), ACCEPT_ANY, OPENSSL);
    assert_eq!(result.verdict, Verdict::Passed);
}

#[test]
fn a_false_session_resumed_claim_is_caught_on_the_wire() {
    let reason = failure(case("resumption"), FALSE_RESUMPTION, FALSE_RESUMPTION);
    assert!(
        reason.contains(
            "the client claims session_resumed, but the wire shows connection 2 as a full handshake"
        ),
        "{reason}"
    );
    assert!(
        reason.contains("the server claims session_resumed"),
        "{reason}"
    );
    assert!(
        reason
            .contains("connection 2 should resume, but its ServerHello selects no pre_shared_key"),
        "{reason}"
    );
}

#[test]
fn what_the_wire_showed_is_in_the_result() {
    let result = run(case("hello_retry_request"), OPENSSL, OPENSSL);
    assert_eq!(result.verdict, Verdict::Passed);
    let observation = result.observation.expect("the harness observed the cell");
    let summary = observation.summary();
    assert!(summary.starts_with("connection 1: TLS 1.3, "), "{summary}");
    assert!(summary.contains("secp256r1, HRR(secp256r1)"), "{summary}");
    assert!(observation.decrypted(), "OpenSSL writes a key log");
}
