//! Binaries of this workspace's packages. One of the package running the
//! code is the one cargo built beside it (for a test, the one cargo built
//! for the test); any other is built in release mode under an exclusive
//! lock shared by every process, into one target directory, so the TLS and
//! BoGo shims share the libraries they both compile. A stamp beside the
//! build records the workspace's sources it was made from (paths, sizes,
//! modification times, the cargo that built it): while they are the same,
//! a process skips cargo altogether, so a test process (nextest starts one
//! per test) costs a directory walk, not a cargo run under the lock.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::paths;
use crate::process::Job;
use crate::program::Cargo;
use crate::programs::{BuildOnce, Error, Fingerprint, files_under, once_per_process};

/// Directories of the workspace that are not sources of a build.
const NOT_SOURCES: [&str; 3] = ["target", ".git", "node_modules"];

/// Long enough for a cold release build of the Rust shims on two cores.
pub const BUILD_DEADLINE: Duration = Duration::from_secs(30 * 60);

/// The cargo target directory packages are built into.
pub fn target_dir() -> PathBuf {
    paths::work_dir()
        .join("tls")
        .join("builds")
        .join("rust-shims")
}

/// `cargo.bin`: where cargo built it for the running test, beside the
/// running program when that is of the same package, else from a release
/// build of its package. `root` is the workspace root.
pub fn program(cargo: &Cargo, root: &Path) -> Result<PathBuf, Error> {
    if let Some(built_at) = cargo.built_at {
        return Ok(paths::built_binary(&cargo.bin, built_at));
    }
    let package = &cargo.package;
    if cargo.compiled_in == Some(package.as_ref()) {
        return beside_running_program(package, &cargo.bin, root);
    }
    let target = once_per_process(&format!("cargo package {package}"), || build(package, root))?;
    let path = target.join("release").join(cargo.bin.as_ref());
    if path.is_file() {
        Ok(path)
    } else {
        Err(Error::NoBinary {
            package: package.to_string(),
            bin: cargo.bin.to_string(),
            path,
        })
    }
}

/// `bin` of the running program's own package, next to it (binaries live
/// in `target/<profile>/`, tests in `target/<profile>/deps/`); under cargo
/// (`cargo run` builds only the binary it runs), built there first when
/// missing.
fn beside_running_program(package: &str, bin: &str, root: &Path) -> Result<PathBuf, Error> {
    let exe = std::env::current_exe().map_err(|source| Error::NoRunningProgram { source })?;
    let directories: Vec<&Path> = exe.ancestors().skip(1).take(2).collect();
    let found = || {
        directories
            .iter()
            .map(|directory| directory.join(bin))
            .find(|path| path.is_file())
    };
    if let Some(path) = found() {
        return Ok(path);
    }
    let (Some(cargo), Some(profile_dir)) = (std::env::var_os("CARGO"), directories.first()) else {
        return Err(Error::NotBuilt {
            bin: bin.to_string(),
        });
    };
    let release = profile_dir.ends_with("release");
    once_per_process(&format!("cargo binary {package} {bin}"), || {
        let mut job = Job::new(
            cargo,
            ["build", "--quiet", "--package", package, "--bin", bin],
        );
        if release {
            job = job.arg("--release");
        }
        let work = paths::work_dir();
        let step = BuildOnce {
            name: &format!("building `{bin}`"),
            lock: work.join(format!("{bin}.lock")),
            log: work.join(format!("{bin}.build.log")),
            marker: None,
            deadline: BUILD_DEADLINE,
        };
        // The step creates the directory of its lock and log.
        step.run(|| Ok(()), job.current_dir(root))?;
        Ok(profile_dir.join(bin))
    })?;
    found().ok_or_else(|| Error::NotBuilt {
        bin: bin.to_string(),
    })
}

/// Every binary of `package`, in release mode; the target directory.
fn build(package: &str, root: &Path) -> Result<PathBuf, Error> {
    let target = target_dir();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let step = BuildOnce {
        name: &format!("building package `{package}`"),
        lock: target.join(format!("{package}.lock")),
        log: target.join(format!("{package}.build.log")),
        marker: Some((
            target.join(format!("{package}.sources")),
            sources_key(root, &cargo)?,
        )),
        deadline: BUILD_DEADLINE,
    };
    let job = Job::new(
        &cargo,
        [
            "build",
            "--release",
            "--locked",
            "--quiet",
            "--package",
            package,
            "--bins",
            "--target-dir",
        ],
    )
    .arg(&target)
    .current_dir(root);
    // The step creates the target directory, where its lock and log are.
    step.run(|| Ok(()), job)?;
    Ok(target)
}

/// What a release build of the workspace's packages is made from, as
/// cargo sees it: every file of the workspace by path, size and
/// modification time, the cargo building it (a new toolchain is a new
/// file) and the variables that change its flags.
fn sources_key(root: &Path, cargo: &OsStr) -> Result<String, Error> {
    let mut fingerprint = Fingerprint::default();
    let cargo = Path::new(cargo);
    fingerprint.word(&cargo.to_string_lossy());
    if cargo.is_absolute() {
        fingerprint.file_stamp(Path::new("/"), cargo);
    }
    for variable in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
    ] {
        let value = std::env::var(variable).unwrap_or_default();
        fingerprint.word(variable).word(&value);
    }
    for file in files_under(root, &NOT_SOURCES)? {
        fingerprint.file_stamp(root, &file);
    }
    Ok(fingerprint.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sources_key_follows_sources_and_cargo_not_build_output() {
        let root = tempfile::tempdir().unwrap();
        let file = |path: &str, text: &str| {
            let path = root.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        file("Cargo.toml", "[workspace]");
        file("shims/src/main.rs", "fn main() {}");
        let key = |cargo: &str| sources_key(root.path(), OsStr::new(cargo)).unwrap();
        let first = key("cargo");
        file("target/release/shim", "binary");
        file("custom-target/CACHEDIR.TAG", "cargo");
        file("custom-target/release/shim", "binary");
        assert_eq!(first, key("cargo"), "build output is not a source");
        assert_ne!(first, key("/other/cargo"));
        file("shims/src/main.rs", "fn main() { println!() }");
        assert_ne!(first, key("cargo"), "an edited source");
    }
}
