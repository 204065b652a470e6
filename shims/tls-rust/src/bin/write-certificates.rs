//! Regenerates the test PKI: `cargo run -p crosscheck-tls-shims --bin write-certificates`
//! (writes into `certificates/` at the workspace root, or the directory given).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let directory = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../certificates"));
    let year = time::OffsetDateTime::now_utc().year();
    let files = match crosscheck_tls_shims::certificates::generate(year) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("write-certificates: error: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(error) = std::fs::create_dir_all(&directory) {
        eprintln!(
            "write-certificates: error: cannot create {}: {error}",
            directory.display()
        );
        return ExitCode::FAILURE;
    }
    for file in files {
        let path = directory.join(file.name);
        if let Err(error) = std::fs::write(&path, file.pem) {
            eprintln!(
                "write-certificates: error: cannot write {}: {error}",
                path.display()
            );
            return ExitCode::FAILURE;
        }
        println!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}
