//! Debian packages a program needs (`debian:`): checked with `dpkg-query`,
//! and installed with `apt-get install` when this process may (it runs as
//! root), once per machine: under an exclusive lock every process shares,
//! with the package lists refreshed (`apt-get update`) only when apt cannot
//! find a package. Where it may not, the program's runs fail with one line
//! naming the command to run.

use std::path::PathBuf;
use std::time::Duration;

use crate::paths;
use crate::process::{Job, log_tail};
use crate::program::Text;
use crate::programs::{DebianInstallFailed, Error, create_dir, lock_exclusive, once_per_process};

/// Long enough to download and unpack a language runtime.
const INSTALL_DEADLINE: Duration = Duration::from_secs(20 * 60);
const QUERY_DEADLINE: Duration = Duration::from_secs(60);
const LOG_TAIL_LINES: usize = 20;

/// Makes sure every package of `packages` is installed, for the program
/// `name` (which messages name).
pub fn ensure(name: &str, packages: &[Text]) -> Result<(), Error> {
    if packages.is_empty() {
        return Ok(());
    }
    let packages: Vec<String> = packages.iter().map(|package| package.to_string()).collect();
    let key = format!("debian {}", packages.join(" "));
    once_per_process(&key, || {
        install(name, &packages)?;
        Ok(PathBuf::new())
    })
    .map(drop)
}

fn install(name: &str, packages: &[String]) -> Result<(), Error> {
    if missing(packages).is_empty() {
        return Ok(());
    }
    let directory = paths::cache_dir().join("debian");
    create_dir(&directory)?;
    let _lock = lock_exclusive(&directory.join("apt.lock"))?;
    // Another process may have installed them while this one waited.
    let missing = missing(packages);
    if missing.is_empty() {
        return Ok(());
    }
    if !may_install() {
        return Err(Error::DebianPackagesMissing {
            name: name.to_string(),
            command: format!(
                "sudo apt-get install -y --no-install-recommends {}",
                missing.join(" ")
            ),
            packages: missing,
        });
    }
    let log = directory.join("apt.log");
    let failed = |status: String| {
        Error::DebianInstallFailed(Box::new(DebianInstallFailed {
            name: name.to_string(),
            packages: missing.clone(),
            status,
            log: log.clone(),
            log_tail: log_tail(&log, LOG_TAIL_LINES),
        }))
    };
    if apt_get(
        &["install", "-y", "--no-install-recommends"],
        &missing,
        &log,
    )
    .is_err()
    {
        // Most often the package lists are missing or stale (a fresh
        // container has none): refresh them once and try again.
        apt_get(&["update"], &[], &log).map_err(&failed)?;
        apt_get(
            &["install", "-y", "--no-install-recommends"],
            &missing,
            &log,
        )
        .map_err(&failed)?;
    }
    let still_missing = self::missing(&missing);
    if still_missing.is_empty() {
        Ok(())
    } else {
        Err(failed(format!(
            "apt-get succeeded but {} is still not installed",
            still_missing.join(" ")
        )))
    }
}

/// Runs `apt-get ARGS PACKAGES`, appending its output to `log`; the error
/// is the status in words.
fn apt_get(args: &[&str], packages: &[String], log: &std::path::Path) -> Result<(), String> {
    let finished = Job::new(
        "apt-get",
        args.iter()
            .copied()
            .chain(packages.iter().map(String::as_str)),
    )
    .env("DEBIAN_FRONTEND", "noninteractive")
    .log_to(log)
    .deadline(INSTALL_DEADLINE)
    .run()
    .map_err(|error| error.to_string())?;
    if finished.status.success() {
        Ok(())
    } else {
        Err(finished.status.to_string())
    }
}

/// The packages of `packages` that `dpkg-query` does not report installed
/// (all of them when dpkg-query cannot tell).
fn missing(packages: &[String]) -> Vec<String> {
    packages
        .iter()
        .filter(|package| !installed(package))
        .cloned()
        .collect()
}

fn installed(package: &str) -> bool {
    Job::new("dpkg-query", ["-W", "-f=${db:Status-Status}", package])
        .capture_stdout()
        .deadline(QUERY_DEADLINE)
        .run()
        .is_ok_and(|finished| finished.status.success() && finished.stdout == b"installed")
}

/// Only root may install packages; `apt-get` must be there to do it.
fn may_install() -> bool {
    nix::unistd::geteuid().is_root() && which::which("apt-get").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_packages_need_nothing() {
        // Every Debian system has dpkg itself.
        assert!(missing(&["dpkg".to_string()]).is_empty());
        ensure("a program", &[Text::Borrowed("dpkg")]).unwrap();
    }

    #[test]
    fn an_unknown_package_is_missing() {
        assert_eq!(
            missing(&["crosscheck-no-such-package".to_string()]),
            ["crosscheck-no-such-package"]
        );
    }
}
