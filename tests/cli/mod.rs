//! Running the `crosscheck` binary from a test, in the project root.

use std::path::PathBuf;
use std::process::{Command, Output};

const CROSSCHECK: &str = env!("CARGO_BIN_EXE_crosscheck");

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `crosscheck ARGS…`, run to its end in the project root.
pub fn crosscheck(args: &[&str]) -> Output {
    Command::new(CROSSCHECK)
        .args(args)
        .current_dir(root())
        .output()
        .expect("crosscheck starts")
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
