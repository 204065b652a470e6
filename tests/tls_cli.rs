//! `crosscheck tls` as users run it, with the rustls shim on both sides:
//! parameters given with units reach only the cases that have them, and
//! bad options are one clear error before any cell runs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

mod cli;

use cli::{assert_success, crosscheck, crosscheck_with, text};

/// `tls --only rustls -o OUT EXTRA…`, with `--jobs 2` unless EXTRA sets it.
fn tls(out: &std::path::Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["tls", "--only", "rustls", "-o"];
    args.push(out.to_str().expect("utf-8 path"));
    if !extra.contains(&"--jobs") {
        args.extend(["--jobs", "2"]);
    }
    args.extend(extra);
    args.into_iter().map(str::to_string).collect()
}

#[test]
fn a_size_with_units_reaches_only_the_cases_that_have_it_as_bytes() {
    let out = tempfile::tempdir().unwrap();
    let args = tls(
        out.path(),
        &["--case", "handshake", "--case", "large_data_download"],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = crosscheck_with(&args, &[("CROSSCHECK_TLS_DOWNLOAD_BYTES", "1 MB")]);
    assert_success(&output);
    let log = |case: &str| {
        std::fs::read_to_string(
            out.path()
                .join("logs")
                .join(case)
                .join("rustls_to_rustls/client.log"),
        )
        .unwrap()
    };
    let handshake = log("handshake");
    let first = handshake.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("$ env -u CROSSCHECK_TLS_DOWNLOAD_BYTES ")
            && !first.contains("CROSSCHECK_TLS_DOWNLOAD_BYTES="),
        "{first}"
    );
    let download = log("large_data_download");
    let first = download.lines().next().unwrap_or_default();
    assert!(
        first.contains("CROSSCHECK_TLS_DOWNLOAD_BYTES=1000000 "),
        "{first}"
    );
}

#[test]
fn bad_options_are_one_error_before_any_cell_runs() {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    for (extra, expected) in [
        (
            vec!["--set", "nonexistent=5"],
            "unknown parameter `nonexistent`; known: download_bytes, key_update_interval_bytes\n",
        ),
        (
            vec!["--set", "download_bytes=banana"],
            "--set download_bytes=\"banana\" is not a size",
        ),
    ] {
        let args = tls(out.path(), &extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = crosscheck(&args);
        let stderr = text(&output.stderr);
        assert!(!output.status.success(), "{extra:?} succeeded");
        assert!(
            stderr.contains(expected),
            "{extra:?}: missing `{expected}` in:\n{stderr}"
        );
    }

    let args = tls(&file, &["--case", "handshake"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = crosscheck(&args);
    let stderr = text(&output.stderr);
    assert!(
        !output.status.success(),
        "an output path that is a file was taken"
    );
    assert!(
        stderr.contains(&format!(
            "cannot write the report and logs into {}",
            file.display()
        )),
        "{stderr}"
    );
    let stdout = text(&output.stdout);
    assert!(!stdout.contains("rustls"), "cells ran first:\n{stdout}");
}

#[test]
fn more_jobs_than_cpus_run_one_per_cpu_and_say_so() {
    let out = tempfile::tempdir().unwrap();
    let args = tls(out.path(), &["--case", "handshake", "--jobs", "256"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = crosscheck(&args);
    assert_success(&output);
    let cpus = std::thread::available_parallelism().map_or(2, usize::from);
    assert!(
        text(&output.stderr).contains(&format!(
            "crosscheck: note: running {cpus} at once, not 256: this machine has {cpus} CPUs"
        )),
        "{}",
        text(&output.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(report["jobs"], cpus);
}
