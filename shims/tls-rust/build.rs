//! Records the versions of the crates the shims link, for their `version` line.

fn main() {
    if let Err(error) = built::write_built_file() {
        println!("cargo::error=cannot record the dependency versions: {error}");
    }
}
