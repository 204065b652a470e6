//! The BoGo runner end to end: the dispatcher, exit codes, stderr and
//! malloc handling against shell programs standing in for shims, and whole
//! tests against the real `bogo-shim-rustls` (built as the generated BoGo
//! tests build it: release, once, under a lock shared by every process).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

use std::borrow::Cow;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use crosscheck::bogo::case::{
    Case, Expect, KeyType, KeyUpdateRequest, Messages, Misbehaviour, Peer, RecordAt, Role, Version,
};
use crosscheck::bogo::runner::{
    self, Address, Dispatcher, MallocTest, NO_ERROR_MAPS, Outcome, Protocol, RunOptions, Shim,
    ShimExit, StaticErrorMaps, Verdict,
};
use crosscheck::paths;
use crosscheck::program::Cargo;
use crosscheck::programs;

const BASE: Case = Case {
    name: Cow::Borrowed("Runner-Test"),
    group: Cow::Borrowed("runner_tests"),
    shim_role: Role::Client,
    key_type: KeyType::EcdsaP256,
    flags: Cow::Borrowed(&[]),
    resume_count: 0,
    shim_writes_first: false,
    shim_shuts_down: false,
    messages: Messages::DEFAULT,
    peer: Peer::DEFAULT,
    expect: Expect::SUCCESS,
};

const NO_SHARED_CIPHER: Expect = Expect {
    should_fail: true,
    error: Some(Cow::Borrowed(":NO_SHARED_CIPHER:")),
    local_error: None,
    ..Expect::SUCCESS
};

fn options() -> RunOptions {
    RunOptions {
        logs_dir: paths::run_dir("bogo-runner-tests"),
        idle_timeout: Duration::from_secs(10),
        deadline: Duration::from_secs(60),
        ..RunOptions::default()
    }
}

/// A shell script standing in for a shim; the runner's flags are `$@`.
fn sh_shim(script: &str) -> Shim {
    Shim {
        name: "sh".to_string(),
        program: "sh".into(),
        leading_args: vec!["-c".into(), script.into(), "sh".into()],
        env: Vec::new(),
        current_dir: None,
    }
}

fn named(name: &'static str, case: Case) -> Case {
    Case {
        name: Cow::Borrowed(name),
        ..case
    }
}

fn failure_reason(outcome: &Outcome) -> &str {
    match &outcome.verdict {
        Verdict::Failed(reason) => reason,
        other => panic!("expected a failure, got {other}\n{outcome}"),
    }
}

fn assert_passed(outcome: &Outcome) {
    if let Err(message) = outcome.check() {
        panic!("{message}");
    }
    assert_eq!(outcome.verdict, Verdict::Passed, "{outcome}");
}

// --- the dispatcher -------------------------------------------------------

#[test]
fn a_connection_with_an_unknown_id_is_closed() {
    let dispatcher = Dispatcher::start(Address::Ipv6, Duration::from_secs(5)).unwrap();
    let slot = dispatcher.register();
    let mut stream = TcpStream::connect(dispatcher.address()).unwrap();
    stream.write_all(&(slot.id() + 1000).to_le_bytes()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut byte = [0u8; 1];
    assert_eq!(stream.read(&mut byte).unwrap_or(0), 0, "not closed");
    let give_up = Instant::now() + Duration::from_secs(5);
    while dispatcher.unknown_connections() == 0 && Instant::now() < give_up {
        thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(dispatcher.unknown_connections(), 1);
    assert!(
        slot.accept(Duration::from_millis(100), || false).is_err(),
        "the unknown connection reached a slot"
    );
}

#[test]
fn parallel_shims_get_their_own_connections() {
    let dispatcher = Dispatcher::start(Address::Ipv6, Duration::from_secs(5)).unwrap();
    let slots: Vec<_> = (0..8).map(|_| dispatcher.register()).collect();
    let address = dispatcher.address();
    // Connect in reverse order from several threads at once; a silent
    // client must not hold anyone up.
    let _silent = TcpStream::connect(address).unwrap();
    let clients: Vec<_> = slots
        .iter()
        .rev()
        .map(|slot| {
            let id = slot.id();
            thread::spawn(move || {
                let mut stream = TcpStream::connect(address).unwrap();
                stream.write_all(&id.to_le_bytes()).unwrap();
                stream
                    .write_all(format!("shim {id:04}").as_bytes())
                    .unwrap();
                stream
            })
        })
        .collect();
    for slot in &slots {
        let mut stream = slot.accept(Duration::from_secs(5), || false).unwrap();
        let mut text = [0u8; 9];
        stream.read_exact(&mut text).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&text),
            format!("shim {:04}", slot.id())
        );
    }
    for client in clients {
        client.join().unwrap();
    }
}

// --- exit codes, stderr, argv, timeouts (no TLS) -----------------------

#[test]
fn exit_89_is_unimplemented_and_a_success_only_when_allowed() {
    let shim = sh_shim("echo 'unknown flag' >&2; exit 89");
    let case = named("Unimplemented-Shell", BASE);
    let outcome = runner::run(&shim, &case, &NO_ERROR_MAPS, &options());
    assert_eq!(outcome.verdict, Verdict::Unimplemented, "{outcome}");
    assert!(!outcome.is_success());
    assert!(outcome.check().is_err());
    let allowing = RunOptions {
        allow_unimplemented: true,
        ..options()
    };
    let outcome = runner::run(&shim, &case, &NO_ERROR_MAPS, &allowing);
    assert!(outcome.is_success(), "{outcome}");
}

#[test]
fn a_shim_runs_in_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path().canonicalize().unwrap();
    let shim = Shim {
        current_dir: Some(here.clone()),
        ..sh_shim(&format!(
            "[ \"$PWD\" = '{}' ] && exit 89; exit 9",
            here.display()
        ))
    };
    let outcome = runner::run(&shim, &BASE, &NO_ERROR_MAPS, &options());
    assert_eq!(outcome.verdict, Verdict::Unimplemented, "{outcome}");
    let elsewhere = Shim {
        current_dir: None,
        ..shim
    };
    let outcome = runner::run(&elsewhere, &BASE, &NO_ERROR_MAPS, &options());
    assert_ne!(outcome.verdict, Verdict::Unimplemented, "{outcome}");
}

#[test]
fn a_crash_fails_even_a_test_that_should_fail() {
    let shim = sh_shim("echo ':NO_SHARED_CIPHER:' >&2; kill -SEGV $$");
    let case = Case {
        expect: NO_SHARED_CIPHER,
        ..named("Crash-Shell", BASE)
    };
    let outcome = runner::run(&shim, &case, &NO_ERROR_MAPS, &options());
    let reason = failure_reason(&outcome);
    assert!(reason.contains("crashed: killed by SIGSEGV"), "{outcome}");
    assert_eq!(outcome.shim_exit, ShimExit::Signal(11));
}

#[test]
fn an_expected_failure_needs_the_expected_error_on_stderr() {
    let case = Case {
        expect: NO_SHARED_CIPHER,
        ..named("Expected-Failure-Shell", BASE)
    };
    let right = sh_shim("echo 'handshake failed: :NO_SHARED_CIPHER:' >&2; exit 1");
    let outcome = runner::run(&right, &case, &NO_ERROR_MAPS, &options());
    assert_passed(&outcome);
    assert_eq!(
        outcome.shim_stderr,
        "handshake failed: :NO_SHARED_CIPHER:\n"
    );
    assert_eq!(
        outcome.local_error.as_deref(),
        Some("the shim exited without connecting")
    );

    let wrong = sh_shim("echo ':DECODE_ERROR:' >&2; exit 1");
    let outcome = runner::run(&wrong, &case, &NO_ERROR_MAPS, &options());
    assert!(
        failure_reason(&outcome).contains("bad error (wanted ':NO_SHARED_CIPHER:'"),
        "{outcome}"
    );
    // Mapped through ErrorMap, or accepted with loose errors.
    let maps = StaticErrorMaps {
        error_map: &[(
            ":NO_SHARED_CIPHER:",
            &[":HANDSHAKE_FAILURE:", ":DECODE_ERROR:"],
        )],
        ..NO_ERROR_MAPS
    };
    assert_passed(&runner::run(&wrong, &case, &maps, &options()));
    let loose = RunOptions {
        loose_errors: true,
        ..options()
    };
    assert_passed(&runner::run(&wrong, &case, &NO_ERROR_MAPS, &loose));
    // TestErrorMap replaces the test's expected error.
    let per_test = StaticErrorMaps {
        test_error_map: &[("Expected-Failure-Shell", ":DECODE_ERROR:")],
        ..NO_ERROR_MAPS
    };
    assert_passed(&runner::run(&wrong, &case, &per_test, &options()));
}

#[test]
fn argv_follows_upstreams_order_and_the_log_has_everything() {
    let dir = tempfile::tempdir().unwrap();
    let argv = dir.path().join("argv");
    let shim = sh_shim(&format!(
        r#"for arg in "$@"; do echo "$arg"; done > '{}'; echo on-stdout; echo on-stderr >&2; exit 3"#,
        argv.display()
    ));
    let case = Case {
        shim_role: Role::Server,
        resume_count: 2,
        shim_writes_first: true,
        shim_shuts_down: true,
        flags: Cow::Borrowed(&[
            Cow::Borrowed("-expect-version"),
            Cow::Borrowed("771"),
            Cow::Borrowed("-trust-cert"),
            Cow::Borrowed("{ca_file}"),
        ]),
        ..named("Argv/Order Shell", BASE)
    };
    let options = RunOptions {
        extra_flags: vec!["-extra".to_string()],
        ..options()
    };
    let outcome = runner::run(&shim, &case, &NO_ERROR_MAPS, &options);
    assert_eq!(outcome.shim_exit, ShimExit::Code(3));
    let argv = fs::read_to_string(&argv).unwrap();
    let words: Vec<&str> = argv.lines().collect();
    let dispatcher = Dispatcher::shared(Address::Ipv6).unwrap();
    let mut expected = vec![
        "-port".to_string(),
        dispatcher.port().to_string(),
        "-shim-id".to_string(),
    ];
    assert_eq!(&words[..3], expected.as_slice(), "{argv}");
    assert!(words[3].parse::<u64>().is_ok(), "{argv}");
    expected.clear();
    if dispatcher.is_ipv6() {
        expected.push("-ipv6".to_string());
    }
    expected.extend(["-extra", "-server", "-cert-file"].map(String::from));
    let rest = &words[4..];
    assert_eq!(&rest[..expected.len()], expected.as_slice(), "{argv}");
    let rest = &rest[expected.len()..];
    assert!(rest[0].ends_with("ecdsa-p256-cert.pem"), "{argv}");
    assert_eq!(rest[1], "-key-file");
    assert!(rest[2].ends_with("ecdsa-p256-key.pem"), "{argv}");
    assert_eq!(
        &rest[3..10],
        [
            "-resume-count",
            "2",
            "-shim-writes-first",
            "-shim-shuts-down",
            "-expect-version",
            "771",
            "-trust-cert"
        ]
    );
    assert!(
        rest[10].ends_with("ca-cert.pem") && rest.len() == 11,
        "{argv}"
    );
    assert!(fs::metadata(rest[10]).is_ok(), "{argv}");

    assert!(
        outcome
            .log
            .ends_with("sh/runner_tests/Argv_Order_Shell.log")
    );
    let log = fs::read_to_string(&outcome.log).unwrap();
    for expected in [
        "on-stdout\n",
        "on-stderr\n",
        "[exit status: 3",
        "[runner] BoGo test",
    ] {
        assert!(log.contains(expected), "{expected:?} missing in:\n{log}");
    }
    assert_eq!(outcome.shim_stderr, "on-stderr\n");
}

#[test]
fn a_shim_that_never_connects_is_killed_after_the_idle_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let shim = sh_shim(&format!(
        r#"sleep 60 & echo $! > '{}'; wait"#,
        pid_file.display()
    ));
    let options = RunOptions {
        idle_timeout: Duration::from_secs(1),
        ..options()
    };
    let started = Instant::now();
    let outcome = runner::run(
        &shim,
        &named("Silent-Shell", BASE),
        &NO_ERROR_MAPS,
        &options,
    );
    assert!(started.elapsed() < Duration::from_secs(20), "{outcome}");
    assert_eq!(outcome.shim_exit, ShimExit::Killed, "{outcome}");
    assert_eq!(
        outcome.local_error.as_deref(),
        Some("the shim did not connect within 1s")
    );
    let pid = fs::read_to_string(&pid_file).unwrap();
    let running = || {
        let stat = fs::read_to_string(format!("/proc/{}/stat", pid.trim()));
        stat.is_ok_and(|stat| {
            stat.rsplit_once(')')
                .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
        })
    };
    // SIGKILL reaches the group at once but takes effect asynchronously.
    let give_up = Instant::now() + Duration::from_secs(5);
    while running() && Instant::now() < give_up {
        thread::sleep(Duration::from_millis(10));
    }
    assert!(!running(), "the shim's child {pid} outlived the test");
}

#[test]
fn malloc_mode_repeats_while_the_shim_exits_88() {
    let dir = tempfile::tempdir().unwrap();
    let seen = dir.path().join("seen");
    let shim = sh_shim(&format!(
        r#"echo "$MALLOC_NUMBER_TO_FAIL" >> '{}'
if [ "$MALLOC_NUMBER_TO_FAIL" -lt 3 ]; then exit 88; fi
echo ':NO_SHARED_CIPHER:' >&2; exit 1"#,
        seen.display()
    ));
    let case = Case {
        expect: NO_SHARED_CIPHER,
        ..named("Malloc-Shell", BASE)
    };
    let malloc = RunOptions {
        malloc: Some(MallocTest::default()),
        ..options()
    };
    let outcome = runner::run(&shim, &case, &NO_ERROR_MAPS, &malloc);
    assert_passed(&outcome);
    assert_eq!(outcome.malloc_iterations, Some(4));
    assert_eq!(fs::read_to_string(&seen).unwrap(), "0\n1\n2\n3\n");

    // A crash at any iteration fails the test.
    let crashing =
        sh_shim(r#"if [ "$MALLOC_NUMBER_TO_FAIL" -lt 2 ]; then exit 88; fi; kill -ABRT $$"#);
    let outcome = runner::run(&crashing, &case, &NO_ERROR_MAPS, &malloc);
    let reason = failure_reason(&outcome);
    assert!(
        reason.contains("MALLOC_NUMBER_TO_FAIL=2") && reason.contains("SIGABRT"),
        "{outcome}"
    );

    // So does a shim that always wants more.
    let capped = RunOptions {
        malloc: Some(MallocTest {
            start: 5,
            max_iterations: 4,
        }),
        ..options()
    };
    let outcome = runner::run(&sh_shim("exit 88"), &case, &NO_ERROR_MAPS, &capped);
    assert!(
        failure_reason(&outcome).contains(
            "still exited 88 (more mallocs) after 4 malloc iterations from MALLOC_NUMBER_TO_FAIL=5"
        ),
        "{outcome}"
    );

    // Outside malloc mode, 88 is a failure.
    let outcome = runner::run(&sh_shim("exit 88"), &case, &NO_ERROR_MAPS, &options());
    assert!(
        failure_reason(&outcome).contains("outside a malloc test"),
        "{outcome}"
    );
}

#[test]
fn runner_errors_fail_before_any_shim_starts() {
    let case = Case {
        peer: Peer {
            cipher_suites: Cow::Borrowed(&[Cow::Borrowed("TLS_NO_SUCH_SUITE")]),
            ..Peer::DEFAULT
        },
        ..named("Bad-Suite", BASE)
    };
    let outcome = runner::run(&sh_shim("exit 0"), &case, &NO_ERROR_MAPS, &options());
    assert!(
        failure_reason(&outcome).contains("no cipher suite `TLS_NO_SUCH_SUITE`"),
        "{outcome}"
    );
    assert_eq!(outcome.shim_exit, ShimExit::NotStarted);
}

// --- against bogo-shim-rustls --------------------------------------------

/// `bogo-shim-rustls`, built as the generated tests build it, or
/// `$CROSSCHECK_BOGO_SHIM_RUSTLS`.
fn rustls_shim() -> Shim {
    let program = match std::env::var_os("CROSSCHECK_BOGO_SHIM_RUSTLS") {
        Some(path) => Ok(PathBuf::from(path)),
        None => programs::cargo::program(
            &Cargo::new("crosscheck-bogo-shims", "bogo-shim-rustls"),
            &crosscheck::paths::in_workspace(env!("CARGO_MANIFEST_DIR")),
        ),
    };
    match program {
        Ok(program) => Shim::new("rustls", program),
        Err(error) => panic!("{error}"),
    }
}

fn run_rustls(case: &Case) -> Outcome {
    runner::run(&rustls_shim(), case, &NO_ERROR_MAPS, &options())
}

#[test]
fn basic_client() {
    let case = named("Basic-Client-TLS13", BASE);
    let outcome = run_rustls(&case);
    assert_passed(&outcome);
    assert!(outcome.shim_stderr.is_empty());
    assert!(outcome.local_error.is_none());
}

#[test]
fn basic_server() {
    let case = Case {
        shim_role: Role::Server,
        ..named("Basic-Server-TLS13", BASE)
    };
    assert_passed(&run_rustls(&case));
}

#[test]
fn basic_tls12_with_rsa_both_ways() {
    for shim_role in [Role::Client, Role::Server] {
        let case = Case {
            shim_role,
            key_type: KeyType::Rsa2048,
            flags: Cow::Borrowed(&[Cow::Borrowed("-expect-version"), Cow::Borrowed("771")]),
            peer: Peer {
                max_version: Some(Version::Tls12),
                cipher_suites: Cow::Borrowed(&[Cow::Borrowed(
                    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                )]),
                ..Peer::DEFAULT
            },
            ..named("Basic-TLS12-RSA", BASE)
        };
        assert_passed(&run_rustls(&case));
    }
}

#[test]
fn resumption_both_ways_and_versions() {
    for shim_role in [Role::Client, Role::Server] {
        for version in [Version::Tls12, Version::Tls13] {
            let case = Case {
                shim_role,
                resume_count: 2,
                peer: Peer {
                    max_version: Some(version),
                    ..Peer::DEFAULT
                },
                ..named("Resume-Basic", BASE)
            };
            assert_passed(&run_rustls(&case));
        }
    }
    // Without the runner's session cache the shim notices.
    let missed = Case {
        shim_role: Role::Server,
        resume_count: 1,
        flags: Cow::Borrowed(&[Cow::Borrowed("-expect-session-miss")]),
        ..named("Resume-Expect-Miss", BASE)
    };
    let outcome = run_rustls(&missed);
    assert!(
        failure_reason(&outcome).contains("unexpected failure"),
        "{outcome}"
    );
}

#[test]
fn version_too_low_is_an_expected_failure() {
    let case = Case {
        shim_role: Role::Server,
        flags: Cow::Borrowed(&[Cow::Borrowed("-min-version"), Cow::Borrowed("772")]),
        peer: Peer {
            max_version: Some(Version::Tls12),
            ..Peer::DEFAULT
        },
        expect: Expect {
            should_fail: true,
            error: Some(Cow::Borrowed(":UNSUPPORTED_PROTOCOL:")),
            local_error: Some(Cow::Borrowed(
                "remote error: protocol version not supported",
            )),
            ..Expect::SUCCESS
        },
        ..named("MinimumVersion-Server-TLS12-TLS13", BASE)
    };
    let outcome = run_rustls(&case);
    assert_passed(&outcome);
    assert!(outcome.shim_stderr.contains(":UNSUPPORTED_PROTOCOL:"));
}

#[test]
fn an_http_request_instead_of_a_client_hello_is_rejected() {
    let case = Case {
        shim_role: Role::Server,
        peer: Peer {
            misbehaviour: Some(Misbehaviour::RawBytesInsteadOfHandshake(Cow::Borrowed(
                b"GET / HTTP/1.0\r\n\r\n",
            ))),
            ..Peer::DEFAULT
        },
        expect: Expect {
            should_fail: true,
            error: Some(Cow::Borrowed(":HTTP_REQUEST:")),
            local_error: None,
            ..Expect::SUCCESS
        },
        ..named("HttpGET", BASE)
    };
    // rustls has no HTTP detection; its shim reports garbage.
    let maps = StaticErrorMaps {
        error_map: &[(
            ":HTTP_REQUEST:",
            &[":GARBAGE:", ":WRONG_VERSION_NUMBER:", ":UNEXPECTED_RECORD:"],
        )],
        ..NO_ERROR_MAPS
    };
    let outcome = runner::run(&rustls_shim(), &case, &maps, &options());
    assert_passed(&outcome);
    assert!(outcome.local_error.is_some(), "{outcome}");
}

#[test]
fn raw_bytes_instead_of_a_server_hello_are_rejected() {
    let case = Case {
        peer: Peer {
            misbehaviour: Some(Misbehaviour::RawBytesInsteadOfHandshake(Cow::Borrowed(
                b"HTTP/1.1 400 Bad Request\r\n\r\n",
            ))),
            ..Peer::DEFAULT
        },
        expect: Expect {
            should_fail: true,
            error: None,
            local_error: None,
            ..Expect::SUCCESS
        },
        ..named("Garbage-Instead-Of-ServerHello", BASE)
    };
    let outcome = run_rustls(&case);
    assert_passed(&outcome);
    assert_eq!(outcome.shim_exit, ShimExit::Code(1), "{outcome}");
}

#[test]
fn an_unknown_flag_is_unimplemented() {
    let case = Case {
        flags: Cow::Borrowed(&[Cow::Borrowed("-no-such-flag-anywhere")]),
        ..named("Unknown-Flag", BASE)
    };
    let outcome = run_rustls(&case);
    assert_eq!(outcome.verdict, Verdict::Unimplemented, "{outcome}");
    assert_eq!(outcome.shim_exit, ShimExit::Code(89));
}

#[test]
fn noise_on_stderr_fails_a_successful_test() {
    let shim = rustls_shim();
    let noisy = Shim {
        name: "noisy".to_string(),
        program: "sh".into(),
        leading_args: vec![
            "-c".into(),
            r#""$0" "$@"; code=$?; echo 'a stray warning' >&2; exit $code"#.into(),
            shim.program.into_os_string(),
        ],
        env: Vec::new(),
        current_dir: None,
    };
    let outcome = runner::run(
        &noisy,
        &named("Noisy-Client", BASE),
        &NO_ERROR_MAPS,
        &options(),
    );
    assert_eq!(
        outcome.verdict,
        Verdict::Failed("unexpected error output".to_string()),
        "{outcome}"
    );
}

#[test]
fn application_data_options() {
    let cases = [
        Case {
            shim_writes_first: true,
            messages: Messages {
                count: 3,
                length: 40_000,
            },
            ..named("Echo-Large-Client", BASE)
        },
        Case {
            shim_role: Role::Server,
            shim_writes_first: true,
            messages: Messages {
                count: 5,
                length: 1,
            },
            ..named("Echo-Small-Server", BASE)
        },
        Case {
            shim_shuts_down: true,
            messages: Messages::NONE,
            ..named("Shim-Shuts-Down-Client", BASE)
        },
        Case {
            shim_role: Role::Server,
            shim_shuts_down: true,
            shim_writes_first: true,
            messages: Messages::NONE,
            ..named("Shim-Shuts-Down-Server", BASE)
        },
        Case {
            shim_role: Role::Server,
            peer: Peer {
                key_updates_after_handshake: 2,
                ..Peer::DEFAULT
            },
            messages: Messages {
                count: 2,
                length: 32,
            },
            ..named("KeyUpdate-Server", BASE)
        },
        Case {
            flags: Cow::Borrowed(&[
                Cow::Borrowed("-advertise-alpn"),
                Cow::Borrowed("\x03foo\x03bar"),
                Cow::Borrowed("-expect-alpn"),
                Cow::Borrowed("bar"),
            ]),
            peer: Peer {
                alpn: Cow::Borrowed(&[Cow::Borrowed("bar")]),
                ..Peer::DEFAULT
            },
            ..named("ALPN-Client", BASE)
        },
        Case {
            shim_role: Role::Server,
            flags: Cow::Borrowed(&[Cow::Borrowed("-require-any-client-certificate")]),
            peer: Peer {
                client_certificate: true,
                ..Peer::DEFAULT
            },
            ..named("ClientAuth-Server", BASE)
        },
        Case {
            flags: Cow::Borrowed(&[
                Cow::Borrowed("-cert-file"),
                Cow::Borrowed("{cert_file}"),
                Cow::Borrowed("-key-file"),
                Cow::Borrowed("{key_file}"),
            ]),
            peer: Peer {
                request_client_certificate: true,
                ..Peer::DEFAULT
            },
            ..named("ClientAuth-Client", BASE)
        },
    ];
    for case in cases {
        assert_passed(&run_rustls(&case));
    }
}

#[test]
fn misbehaviours_are_rejected() {
    let failing = |error: &'static str, local_error: Option<&'static str>| Expect {
        should_fail: true,
        error: Some(Cow::Borrowed(error)),
        local_error: local_error.map(Cow::Borrowed),
        ..Expect::SUCCESS
    };
    let cases = [
        Case {
            shim_role: Role::Server,
            peer: Peer {
                misbehaviour: Some(Misbehaviour::DuplicateExtension {
                    message: 1,
                    extension: 43,
                }),
                ..Peer::DEFAULT
            },
            expect: failing(":DUPLICATE_EXTENSION:", Some("remote error: ")),
            ..named("DuplicateExtensionServer-TLS13", BASE)
        },
        Case {
            peer: Peer {
                misbehaviour: Some(Misbehaviour::DuplicateExtension {
                    message: 2,
                    extension: 43,
                }),
                ..Peer::DEFAULT
            },
            expect: failing(":DUPLICATE_EXTENSION:", None),
            ..named("DuplicateExtensionClient-TLS13", BASE)
        },
        Case {
            peer: Peer {
                max_version: Some(Version::Tls12),
                misbehaviour: Some(Misbehaviour::TrailingDataInHandshakeMessage {
                    message: 14,
                    bytes: Cow::Borrowed(b"\x00"),
                }),
                ..Peer::DEFAULT
            },
            expect: failing(
                ":DECODE_ERROR:",
                Some("remote error: error decoding message"),
            ),
            ..named("TrailingData-ServerHelloDone", BASE)
        },
        Case {
            shim_role: Role::Server,
            peer: Peer {
                misbehaviour: Some(Misbehaviour::InvalidRecordType {
                    content_type: 0x55,
                    at: RecordAt::FirstRecord,
                }),
                ..Peer::DEFAULT
            },
            expect: failing(":UNEXPECTED_RECORD:", None),
            ..named("UnknownRecordType-First", BASE)
        },
        Case {
            peer: Peer {
                misbehaviour: Some(Misbehaviour::Alert {
                    level: 2,
                    description: 10,
                }),
                ..Peer::DEFAULT
            },
            expect: failing(":SSLV3_ALERT_UNEXPECTED_MESSAGE:", None),
            ..named("Alert-After-Handshake-TLS13", BASE)
        },
        Case {
            shim_role: Role::Server,
            peer: Peer {
                max_version: Some(Version::Tls12),
                misbehaviour: Some(Misbehaviour::InvalidRecordType {
                    content_type: 0x55,
                    at: RecordAt::AfterHandshake,
                }),
                ..Peer::DEFAULT
            },
            expect: failing(":UNEXPECTED_RECORD:", None),
            ..named("UnknownRecordType-After-TLS12", BASE)
        },
        Case {
            peer: Peer {
                misbehaviour: Some(Misbehaviour::InvalidRecordType {
                    content_type: 0x55,
                    at: RecordAt::AfterHandshake,
                }),
                ..Peer::DEFAULT
            },
            // The shim's encrypted alert, opened by the runner itself.
            expect: failing(":UNEXPECTED_RECORD:", Some("remote error: ")),
            ..named("UnknownRecordType-After-TLS13", BASE)
        },
        Case {
            shim_role: Role::Server,
            peer: Peer {
                misbehaviour: Some(Misbehaviour::BogusAlert(Cow::Borrowed(&[2]))),
                ..Peer::DEFAULT
            },
            expect: failing(":BAD_ALERT:", None),
            ..named("BogusAlert-Short-TLS13", BASE)
        },
        Case {
            shim_role: Role::Server,
            peer: Peer {
                misbehaviour: Some(Misbehaviour::FirstRecordVersion(0x1234)),
                ..Peer::DEFAULT
            },
            expect: failing(":WRONG_VERSION_NUMBER:", None),
            ..named("GarbageInitialRecordVersion", BASE)
        },
        Case {
            shim_role: Role::Server,
            peer: Peer {
                misbehaviour: Some(Misbehaviour::EmptyRecords(100)),
                ..Peer::DEFAULT
            },
            expect: failing(":TOO_MANY_EMPTY_FRAGMENTS:", None),
            ..named("SendEmptyRecords-TLS13", BASE)
        },
    ];
    for case in cases {
        let outcome = run_rustls(&case);
        assert_passed(&outcome);
    }
}

#[test]
fn harmless_post_handshake_records_are_tolerated() {
    for (version, role) in [
        (Version::Tls13, Role::Client),
        (Version::Tls12, Role::Server),
    ] {
        let case = Case {
            shim_role: role,
            resume_count: 1,
            messages: Messages {
                count: 3,
                length: 100,
            },
            peer: Peer {
                max_version: Some(version),
                misbehaviour: Some(Misbehaviour::EmptyRecords(2)),
                ..Peer::DEFAULT
            },
            ..named("SendEmptyRecords-Pass", BASE)
        };
        assert_passed(&run_rustls(&case));
    }
}

#[test]
fn key_updates_go_both_ways_as_upstream_sends_and_checks_them() {
    let three_messages = Messages {
        count: 3,
        length: 32,
    };
    let passing = [
        // The shim only updates its read keys; data still flows both ways.
        Case {
            shim_role: Role::Server,
            messages: three_messages,
            peer: Peer {
                key_updates_after_handshake: 3,
                misbehaviour: Some(Misbehaviour::EmptyRecords(2)),
                ..Peer::DEFAULT
            },
            ..named("KeyUpdate-NotRequested-With-EmptyRecords", BASE)
        },
        // Five requests, one answer each time.
        Case {
            shim_writes_first: true,
            messages: three_messages,
            peer: Peer {
                key_updates_after_handshake: 5,
                key_update_request: KeyUpdateRequest::Requested,
                ..Peer::DEFAULT
            },
            ..named("KeyUpdate-Requested-Client", BASE)
        },
        // The shim's own KeyUpdate, among the runner's.
        Case {
            flags: Cow::Borrowed(&[Cow::Borrowed("-key-update")]),
            messages: three_messages,
            peer: Peer {
                key_updates_after_handshake: 2,
                ..Peer::DEFAULT
            },
            expect: Expect {
                unsolicited_key_update: true,
                ..Expect::SUCCESS
            },
            ..named("KeyUpdate-FromClient-And-ToClient", BASE)
        },
    ];
    for case in passing {
        assert_passed(&run_rustls(&case));
    }

    let failing = [
        (
            Case {
                shim_role: Role::Server,
                flags: Cow::Borrowed(&[Cow::Borrowed("-key-update")]),
                peer: Peer {
                    key_updates_after_handshake: 1,
                    ..Peer::DEFAULT
                },
                ..named("KeyUpdate-Unexpected", BASE)
            },
            "the shim sent a KeyUpdate of its own, which the test does not expect",
        ),
        (
            Case {
                expect: Expect {
                    unsolicited_key_update: true,
                    ..Expect::SUCCESS
                },
                ..named("KeyUpdate-Missing", BASE)
            },
            "the shim sent no KeyUpdate of its own before its reply",
        ),
        (
            Case {
                peer: Peer {
                    max_version: Some(Version::Tls12),
                    key_updates_after_handshake: 1,
                    ..Peer::DEFAULT
                },
                ..named("KeyUpdate-TLS12", BASE)
            },
            "KeyUpdates exist only in TLS 1.3",
        ),
    ];
    for (case, reason) in failing {
        let outcome = run_rustls(&case);
        assert!(failure_reason(&outcome).contains(reason), "{outcome}");
    }
}

#[test]
fn a_misbehaviour_that_never_happens_fails_the_test() {
    // The runner as client never sends a ServerHello.
    let case = Case {
        shim_role: Role::Server,
        peer: Peer {
            misbehaviour: Some(Misbehaviour::TrailingDataInHandshakeMessage {
                message: 2,
                bytes: Cow::Borrowed(b"\x00"),
            }),
            ..Peer::DEFAULT
        },
        expect: Expect {
            should_fail: true,
            error: None,
            local_error: None,
            ..Expect::SUCCESS
        },
        ..named("Never-Happens", BASE)
    };
    let outcome = run_rustls(&case);
    assert!(
        failure_reason(&outcome).contains("never happened"),
        "{outcome}"
    );

    // A handshake that fails before a post-handshake misbehaviour.
    let case = Case {
        shim_role: Role::Server,
        flags: Cow::Borrowed(&[Cow::Borrowed("-min-version"), Cow::Borrowed("772")]),
        peer: Peer {
            max_version: Some(Version::Tls12),
            misbehaviour: Some(Misbehaviour::EmptyRecords(100)),
            ..Peer::DEFAULT
        },
        expect: Expect {
            should_fail: true,
            error: Some(Cow::Borrowed(":UNSUPPORTED_PROTOCOL:")),
            local_error: None,
            ..Expect::SUCCESS
        },
        ..named("Never-Happens-After-Handshake", BASE)
    };
    let outcome = run_rustls(&case);
    let reason = failure_reason(&outcome);
    assert!(
        reason.contains("EmptyRecords(100) never happened: the connection ended first: remote error: protocol version not supported"),
        "{outcome}"
    );
}

#[test]
fn many_tests_in_parallel_share_the_listener() {
    let handles: Vec<_> = (0..6)
        .map(|index| {
            thread::spawn(move || {
                let case = Case {
                    shim_role: if index % 2 == 0 {
                        Role::Client
                    } else {
                        Role::Server
                    },
                    resume_count: 1,
                    shim_writes_first: true,
                    ..named("Parallel", BASE)
                };
                let options = RunOptions {
                    logs_dir: paths::run_dir("bogo-runner-tests").join(format!("parallel-{index}")),
                    ..options()
                };
                runner::run(&rustls_shim(), &case, &NO_ERROR_MAPS, &options)
            })
        })
        .collect();
    for handle in handles {
        assert_passed(&handle.join().unwrap());
    }
}

fn recorded_argv(protocol: Protocol, case: &Case) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let argv = dir.path().join("argv");
    let shim = sh_shim(&format!(
        r#"for arg in "$@"; do echo "$arg"; done > '{}'; exit 89"#,
        argv.display()
    ));
    let options = RunOptions {
        protocol,
        ..options()
    };
    let outcome = runner::run(&shim, case, &NO_ERROR_MAPS, &options);
    assert_eq!(outcome.verdict, Verdict::Unimplemented, "{outcome}");
    fs::read_to_string(&argv)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn a_shim_from_before_the_shim_id_gets_a_port_of_its_own_and_no_newer_flags() {
    let old = Protocol {
        shim_id: false,
        trust_cert: false,
        address: Address::Ipv6,
    };
    let client = named("Old/Client", BASE);
    let argv = recorded_argv(old, &client);
    assert_eq!(argv[0], "-port", "{argv:?}");
    let port: u16 = argv[1].parse().unwrap();
    assert_ne!(port, Dispatcher::shared(Address::Ipv6).unwrap().port());
    for newer in ["-shim-id", "-ipv6", "-trust-cert"] {
        assert!(!argv.iter().any(|arg| arg == newer), "{argv:?}");
    }
    // Today's protocol gives the same client case -trust-cert.
    assert!(recorded_argv(Protocol::CURRENT, &client).contains(&"-trust-cert".to_string()));
}

#[test]
fn trust_cert_reaches_server_shims_only_when_the_runner_presents_a_certificate() {
    let server = Case {
        shim_role: Role::Server,
        ..named("Server/Trust", BASE)
    };
    let trusts =
        |case: &Case| recorded_argv(Protocol::CURRENT, case).contains(&"-trust-cert".to_string());
    assert!(!trusts(&server));
    let authenticated = Case {
        peer: Peer {
            client_certificate: true,
            ..Peer::DEFAULT
        },
        ..server
    };
    assert!(trusts(&authenticated));
}

#[test]
fn an_ipv4_shim_gets_an_ipv4_listener_and_no_ipv6_flag() {
    let ipv4 = Protocol {
        address: Address::Ipv4,
        ..Protocol::CURRENT
    };
    let argv = recorded_argv(ipv4, &named("Ipv4/Client", BASE));
    assert_eq!(argv[2], "-shim-id", "{argv:?}");
    assert!(!argv.iter().any(|arg| arg == "-ipv6"), "{argv:?}");
    let port: u16 = argv[1].parse().unwrap();
    assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());
}
