//! Compiles every spec family under `specs/` into Rust under `OUT_DIR`:
//! `<family>.rs` (case table + tests, included by `generated-tests/`) and
//! `<family>_family.rs` (case table only, for the binaries).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crosscheck_codegen::{app_identity, discover};

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let specs = root.join("specs");
    let out_dir = PathBuf::from(build_helper::out_dir());

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
    for (file, tokens) in [
        (format!("{name}.rs"), &generated.tests),
        (format!("{name}_family.rs"), &generated.family),
    ] {
        let path = out_dir.join(file);
        std::fs::write(&path, tokens.to_string())
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    }
    Ok(())
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
