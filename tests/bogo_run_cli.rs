//! `crosscheck bogo run` as users run it, against the real OpenSSL shim:
//! tests declared unimplemented or expected to fail count as expected when
//! they are exactly that, in the printed lines, the summary, the exit
//! status and the upstream JSON results; bad selections are one clear
//! error and a non-zero exit.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

mod cli;

use cli::{assert_success, crosscheck, text};

use std::path::PathBuf;

use serde_json::Value;

#[test]
fn declared_outcomes_are_expected_in_lines_summary_and_results() {
    let dir = tempfile::tempdir().expect("temp dir");
    let results: PathBuf = dir.path().join("results.json");
    let output = crosscheck(&[
        "bogo",
        "run",
        "--shim",
        "openssl",
        "TooManyKeyUpdates;ALPNServer-SelectEmpty-TLS-TLS13;Basic-Client-TLS-Sync",
        "--json-output",
        results.to_str().expect("utf-8 path"),
    ]);
    assert_success(&output);
    let stdout = text(&output.stdout);
    for expected in [
        "FAILED (openssl/default/TooManyKeyUpdates)\n    OpenSSL 3 sets no limit",
        "(expected_failures `TooManyKeyUpdates`, specs/shims/openssl.yaml:",
        "UNIMPLEMENTED (openssl/default/ALPNServer-SelectEmpty-TLS-TLS13)\n",
        "(unimplemented `ALPNServer-SelectEmpty-*`, specs/shims/openssl.yaml:",
        "PASSED (openssl/default/Basic-Client-TLS-Sync)\n",
        "1 passed, 1 failed (1 as declared), 1 unimplemented (1 as declared), 0 disabled; 0 not as expected",
    ] {
        assert!(
            stdout.contains(expected),
            "missing `{expected}` in:\n{stdout}"
        );
    }

    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(&results).expect("the results file is written"),
    )
    .expect("the results file is JSON");
    let result = |test: &str| {
        let entry = &json["tests"][test];
        (
            entry["actual"].as_str().unwrap_or("?").to_string(),
            entry["expected"].as_str().unwrap_or("?").to_string(),
            entry["is_unexpected"].as_bool(),
        )
    };
    let pair =
        |actual: &str, expected: &str| (actual.to_string(), expected.to_string(), Some(false));
    assert_eq!(result("TooManyKeyUpdates"), pair("FAIL", "FAIL"));
    assert_eq!(
        result("ALPNServer-SelectEmpty-TLS-TLS13"),
        pair("SKIP", "SKIP")
    );
    assert_eq!(result("Basic-Client-TLS-Sync"), pair("PASS", "PASS"));
}

#[test]
fn bad_selections_are_one_error_each() {
    // A results path under a file: refused before any test runs.
    let unwritable = format!("{}/results.json", file!());
    for (args, expected) in [
        (
            &[
                "bogo",
                "run",
                "--shim",
                "openssl",
                "Basic-Client-TLS-Sync",
                "--json-output",
                &unwritable,
            ][..],
            "cannot create tests/bogo_run_cli.rs:",
        ),
        (
            &["bogo", "run", "--shim", "nosuch"][..],
            "unknown shim `nosuch`; shims with a program:",
        ),
        (
            &["bogo", "run", "--shim", "openssl", "["][..],
            "bad test filter `[`",
        ),
        (
            &["bogo", "run", "--shim", "openssl", "No-Such-Test-*"][..],
            "no tests run: the filter matches no case",
        ),
        (
            &["bogo", "run", "--shim", "openssl", "--variant", "ring"][..],
            "shim `openssl` has none of the variants ring; it has: default",
        ),
    ] {
        let output = crosscheck(args);
        let stderr = text(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(
            stderr.contains(expected),
            "{args:?}: missing `{expected}` in stderr:\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            !text(&output.stdout).contains("PASSED"),
            "{args:?}: a test ran before the error"
        );
    }
}
