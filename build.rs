//! Checks every spec family under `specs/`, reporting spec errors with
//! their locations, and writes `<family>_family.rs` (the case table the
//! binaries include) under `OUT_DIR`.
//!
//! It watches every file and directory under `specs/`: a rerun rebuilds the
//! test targets, whose `spec!` calls then pick up new YAML files.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crosscheck_codegen::{app_identity, discover};

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let specs = root.join("specs");
    let out_dir = build_helper::out_dir();

    match discover::watch_list(&specs) {
        Ok(paths) => paths.iter().for_each(build_helper::rerun_if_changed),
        Err(error) => return fail(&format!("cannot list {}: {error}", specs.display())),
    }

    let family = specs.join("app_identity");
    match app_identity::compile_directory(&family, &root) {
        Ok(generated) => {
            if let Err(message) = write(&out_dir, "app_identity", &generated) {
                return fail(&message);
            }
            ExitCode::SUCCESS
        }
        Err(diagnostics) => fail(&diagnostics.to_string()),
    }
}

fn write(out_dir: &Path, name: &str, generated: &app_identity::Generated) -> Result<(), String> {
    let path = out_dir.join(format!("{name}_family.rs"));
    std::fs::write(&path, generated.family.to_string())
        .map_err(|error| format!("cannot write {}: {error}", path.display()))
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
