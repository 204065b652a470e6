//! Binaries of this workspace's packages. One of the package running the
//! code is the one cargo built beside it (for a test, the one cargo built
//! for the test); any other is built in release mode once per package and
//! process, under an exclusive lock shared by every process, into one
//! target directory, so the TLS and BoGo shims share the libraries they
//! both compile.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::paths;
use crate::process::Job;
use crate::program::Cargo;
use crate::programs::{BuildOnce, Error, once_per_process};

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
        return Ok(PathBuf::from(built_at));
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
    let step = BuildOnce {
        name: &format!("building package `{package}`"),
        lock: target.join(format!("{package}.lock")),
        log: target.join(format!("{package}.build.log")),
        // cargo knows what to rebuild.
        marker: None,
        deadline: BUILD_DEADLINE,
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let job = Job::new(
        cargo,
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
