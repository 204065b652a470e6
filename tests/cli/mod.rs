//! Running the `crosscheck` binary from a test, in the project root.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The `crosscheck` binary cargo built for the tests.
pub fn crosscheck_binary() -> PathBuf {
    crosscheck::paths::built_binary("crosscheck", env!("CARGO_BIN_EXE_crosscheck"))
}

/// The project root.
pub fn root() -> PathBuf {
    crosscheck::paths::in_workspace(env!("CARGO_MANIFEST_DIR"))
}

/// `crosscheck ARGS…`, run to its end in the project root.
pub fn crosscheck(args: &[&str]) -> Output {
    crosscheck_with(args, &[])
}

/// `crosscheck ARGS…` with the variables `env` set, run to its end in the
/// project root.
pub fn crosscheck_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(crosscheck_binary())
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .output()
        .expect("crosscheck starts")
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Panics, showing both streams, unless `output` is a success.
#[allow(
    dead_code,
    reason = "each test file includes this module and uses part of it"
)]
pub fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        text(&output.stdout),
        text(&output.stderr)
    );
}
