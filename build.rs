//! Checks every spec family under `specs/`, reporting every family's spec
//! errors together with their locations, and writes under `OUT_DIR` the
//! static tables the binaries include: `app_identity_family.rs` (`FAMILY`),
//! `tls_matrix.rs` (`MATRIX`), `bogo_cases.rs` (`CASES`, from `specs/bogo/`)
//! and `bogo_shims.rs` (`SHIMS`, from `specs/shims/*.yaml`).
//!
//! It watches every file and directory under `specs/`: a rerun rebuilds the
//! test targets, whose `spec!` calls then pick up new YAML files. The runtime
//! is another package (`crates/crosscheck`), so a spec edit never rebuilds
//! it, and each family has its own test target.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crosscheck_codegen::{Diagnostics, app_identity, bogo_cases, bogo_shims, discover, tls};

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let specs = root.join("specs");
    let out_dir = build_helper::out_dir();

    match discover::watch_list(&specs) {
        Ok(paths) => paths.iter().for_each(build_helper::rerun_if_changed),
        Err(error) => return fail(&format!("cannot list {}: {error}", specs.display())),
    }

    let mut diagnostics = Diagnostics::default();
    let mut outputs = Vec::new();
    match app_identity::compile_directory(&specs.join("app_identity"), &root) {
        Ok(generated) => outputs.push(("app_identity_family.rs", generated.family.to_string())),
        Err(errors) => diagnostics.extend(errors),
    }
    match tls::compile_directory(&specs.join("tls"), &root) {
        Ok(generated) => outputs.push(("tls_matrix.rs", generated.matrix.to_string())),
        Err(errors) => diagnostics.extend(errors),
    }
    // Shim files' test names are checked against an upstream list plus the
    // names of crosscheck's own BoGo cases.
    let mut own_bogo_cases: Vec<String> = Vec::new();
    match bogo_cases::compile_directory(&specs.join("bogo"), &root) {
        Ok(generated) => {
            own_bogo_cases = generated.plan.own_names();
            outputs.push(("bogo_cases.rs", generated.cases.to_string()));
        }
        Err(errors) => diagnostics.extend(errors),
    }
    match bogo_shims::compile_directory(&bogo_shims::Layout::under(&specs), &root, &own_bogo_cases)
    {
        Ok(generated) => outputs.push(("bogo_shims.rs", generated.shims.to_string())),
        Err(errors) => diagnostics.extend(errors),
    }
    if !diagnostics.is_empty() {
        return fail(&diagnostics.to_string());
    }
    for (name, text) in outputs {
        if let Err(message) = write(&out_dir, name, &text) {
            return fail(&message);
        }
    }
    ExitCode::SUCCESS
}

fn write(out_dir: &Path, name: &str, text: &str) -> Result<(), String> {
    let path = out_dir.join(name);
    std::fs::write(&path, text).map_err(|error| format!("cannot write {}: {error}", path.display()))
}

/// Spec errors go to stderr (which cargo shows when the build script fails),
/// one `cargo::error` line each for IDEs that read those.
fn fail(message: &str) -> ExitCode {
    eprintln!("{message}");
    for line in message.lines().filter(|line| line.contains(": error: ")) {
        println!("cargo::error={line}");
    }
    ExitCode::FAILURE
}
