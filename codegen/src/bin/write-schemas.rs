//! Rewrites `specs/schema/*.json` from the spec model types.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/schema");
    if let Err(error) = std::fs::create_dir_all(&directory) {
        eprintln!("error: cannot create {}: {error}", directory.display());
        return ExitCode::FAILURE;
    }
    for (name, text) in crosscheck_codegen::schema::all() {
        let path = directory.join(name);
        if let Err(error) = std::fs::write(&path, text) {
            eprintln!("error: cannot write {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote specs/schema/{name}");
    }
    ExitCode::SUCCESS
}
