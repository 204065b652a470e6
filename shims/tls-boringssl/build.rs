//! Records the versions of the crates the shim links, and the BoringSSL
//! commit the pinned boring-sys carries, for the shim's `version` line.

use std::path::Path;

/// The boring-sys version whose BoringSSL commit is recorded below.
const BORING_SYS_VERSION: &str = "4.22.0";
/// The BoringSSL commit boring-sys 4.22.0 vendors in `deps/boringssl` (its
/// git submodule in the boring repository at the crate's commit, which
/// the crate's `.cargo_vcs_info.json` names). The crate itself does not
/// say which BoringSSL it carries, nor does BoringSSL have version numbers.
const BORINGSSL_COMMIT: &str = "44b3df6f03d85c901767250329c571db405122d5";

fn main() {
    if let Err(error) = built::write_built_file() {
        println!("cargo::error=cannot record the dependency versions: {error}");
    }
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock");
    println!("cargo::rerun-if-changed={}", lock.display());
    match std::fs::read_to_string(&lock) {
        Ok(text) => match locked_version(&text, "boring-sys") {
            Some(BORING_SYS_VERSION) => {
                println!("cargo::rustc-env=CROSSCHECK_BORINGSSL_COMMIT={BORINGSSL_COMMIT}");
            }
            Some(version) => println!(
                "cargo::error=Cargo.lock pins boring-sys {version}, but build.rs records the \
                 BoringSSL commit of boring-sys {BORING_SYS_VERSION}: record the new one"
            ),
            None => println!("cargo::error=Cargo.lock pins no boring-sys"),
        },
        Err(error) => println!("cargo::error=cannot read {}: {error}", lock.display()),
    }
}

/// The version of package `name` in the text of a Cargo.lock.
fn locked_version<'a>(lock: &'a str, name: &str) -> Option<&'a str> {
    let name_line = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    lines.find(|line| *line == name_line)?;
    lines
        .next()?
        .strip_prefix("version = \"")?
        .strip_suffix('"')
}
