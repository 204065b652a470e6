//! The shared results and `crosscheck diff`, as users run them: a real TLS
//! run, the same run with the Erlang implementation deliberately broken
//! (its `escript` replaced by one that fails), and the diff between them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

mod cli;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use cli::{assert_success, crosscheck, crosscheck_with, text};

/// `crosscheck tls` of the handshake cells with Erlang on a side and
/// rustls or Erlang on the other, into `out`.
fn handshake_with_erlang(out: &Path, env: &[(&str, &str)]) -> std::process::Output {
    let args = [
        "tls",
        "--case",
        "handshake",
        "--implementation",
        "erlang",
        "--only",
        "erlang",
        "--only",
        "rustls",
        "--jobs",
        "2",
        "-o",
        out.to_str().unwrap(),
    ];
    crosscheck_with(&args, env)
}

#[test]
fn a_deliberately_broken_implementation_shows_as_regressions_and_fails_the_diff() {
    let dir = tempfile::tempdir().unwrap();
    let (before, after) = (dir.path().join("before"), dir.path().join("after"));
    assert_success(&handshake_with_erlang(&before, &[]));

    let broken = dir.path().join("broken-bin");
    std::fs::create_dir(&broken).unwrap();
    let escript = broken.join("escript");
    std::fs::write(
        &escript,
        "#!/bin/sh\necho 'broken on purpose' >&2\nexit 3\n",
    )
    .unwrap();
    std::fs::set_permissions(&escript, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", broken.display(), std::env::var("PATH").unwrap());
    let broken_run = handshake_with_erlang(&after, &[("PATH", &path)]);
    assert!(!broken_run.status.success(), "{}", text(&broken_run.stdout));

    let old = before.join("results.json");
    let new = after.join("results.json");
    let output = crosscheck(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    let report = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{report}\n{}",
        text(&output.stderr)
    );
    assert!(report.starts_with("regressions (3):\n"), "{report}");
    for cell in ["rustls_to_erlang", "erlang_to_rustls", "erlang_to_erlang"] {
        assert!(
            report.contains(&format!("  tls::handshake::{cell}  pass → ")),
            "{cell} missing:\n{report}"
        );
    }
    assert!(
        report.ends_with(
            "3 regressions, 0 fixes, 0 other changes, 0 new, 0 removed, 0 slower, 0 faster\n"
        ),
        "{report}"
    );

    let same = crosscheck(&["diff", old.to_str().unwrap(), old.to_str().unwrap()]);
    assert_success(&same);
    assert!(text(&same.stdout).starts_with("no changes\n"));
    let back = crosscheck(&["diff", new.to_str().unwrap(), old.to_str().unwrap()]);
    assert_success(&back);
    assert!(
        text(&back.stdout).starts_with("fixes (3):\n"),
        "{}",
        text(&back.stdout)
    );
}

#[test]
fn diff_of_files_that_are_not_results_is_one_error_each_and_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{\"format\": 1, \"tests\": 7}").unwrap();
    let missing = dir.path().join("missing.json");
    let output = crosscheck(&["diff", garbage.to_str().unwrap(), missing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let errors = text(&output.stderr);
    let lines: Vec<&str> = errors.lines().collect();
    assert_eq!(lines.len(), 2, "{errors}");
    assert!(
        lines[0].starts_with(&format!("crosscheck: error: {}:1:", garbage.display())),
        "{errors}"
    );
    assert!(
        lines[1].starts_with(&format!(
            "crosscheck: error: cannot read {}",
            missing.display()
        )),
        "{errors}"
    );
}
