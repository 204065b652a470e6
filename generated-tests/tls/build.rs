//! Watches `specs/tls/`, so a new or removed spec file re-expands the
//! tests' `spec!` (an edit to a file it read already does, through the
//! `include_bytes!` in its expansion).

use std::process::ExitCode;

use crosscheck_codegen::build_script::TablesBuild;

fn main() -> ExitCode {
    TablesBuild::new("../..").watch("specs/tls").finish()
}
