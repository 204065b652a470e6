//! Getting the programs under test and starting them: [`resolve`] takes a
//! declared [`Program`](crate::program::Program) of any family (a TLS
//! implementation, a BoGo shim, an App Identity suite tool), provisions it
//! by its kind (a cargo package, an npm package, a build script, a build
//! command) and says how to start it. Every build goes through
//! [`BuildOnce`], which runs a build at most once per process
//! ([`once_per_process`]) and once per machine state: under an exclusive
//! file lock that every process shares, skipped while its marker holds the
//! fingerprint of what it was built from.

use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::sync::Arc;

use thiserror::Error;

use crate::process::ProcessError;

pub mod build;
mod build_once;
pub mod cargo;
pub mod debian;
mod fingerprint;
mod lock;
pub mod npm;
mod resolve;
pub mod script;

pub use build_once::{BuildOnce, once_per_process};
pub use fingerprint::{Fingerprint, files_under, hex};
pub use lock::lock_exclusive;
pub use resolve::{Placeholders, Resolved, resolve};

/// Why a program could not be built or found.
#[derive(Debug, Error)]
pub enum Error {
    #[error("cannot open {}: {source}", path.display())]
    Open { path: PathBuf, source: io::Error },
    #[error("cannot lock {}: {source}", path.display())]
    Lock { path: PathBuf, source: io::Error },
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot list {}: {source}", path.display())]
    List { path: PathBuf, source: io::Error },
    #[error("cannot create {}: {source}", path.display())]
    Create { path: PathBuf, source: io::Error },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot remove the unfinished build {}: {source}", path.display())]
    RemoveUnfinished { path: PathBuf, source: io::Error },
    #[error("{} has no directory", script.display())]
    NoDirectory { script: PathBuf },
    #[error("{name} has an empty command")]
    EmptyCommand { name: String },
    #[error("{name} did not run: {source}")]
    DidNotRun { name: String, source: ProcessError },
    #[error("{name} failed ({status}); log {}:\n{log_tail}", log.display())]
    Failed {
        name: String,
        status: ExitStatus,
        log: PathBuf,
        log_tail: String,
    },
    #[error("`{script}` succeeded but left no `{program}` in its output ({})", path.display())]
    NoProgram {
        script: String,
        program: String,
        path: PathBuf,
    },
    #[error("package `{package}` built but has no binary `{bin}` ({})", path.display())]
    NoBinary {
        package: String,
        bin: String,
        path: PathBuf,
    },
    #[error("cannot locate the running program: {source}")]
    NoRunningProgram { source: io::Error },
    #[error(
        "binary `{bin}` is not built; run `cargo build --bin {bin}` (or `cargo build --release --bin {bin}` for release runs)"
    )]
    NotBuilt { bin: String },
    #[error("npm not found (PATH={path}); install Node.js 20+ and npm")]
    NpmMissing { path: String },
    #[error(
        "`{bin}` is missing at {} after `npm ci`; does {} depend on the package that provides it?",
        path.display(), package_json.display()
    )]
    NoNpmCommand {
        bin: String,
        path: PathBuf,
        package_json: PathBuf,
    },
    #[error(
        "`{name}` has nothing to run: its provision ({kind}) makes no program and it has no `run`"
    )]
    NothingToRun { name: String, kind: &'static str },
    #[error(
        "the build input `{program}` is no file of the project and no program on PATH: {source}"
    )]
    InputNotOnPath {
        program: String,
        source: which::Error,
    },
    #[error("`{name}` needs the Debian packages {}; run: {command}", packages.join(" "))]
    DebianPackagesMissing {
        name: String,
        packages: Vec<String>,
        /// The command that installs them, as a person would type it.
        command: String,
    },
    #[error(transparent)]
    DebianInstallFailed(Box<DebianInstallFailed>),
    /// The outcome of this process's first attempt, given to every later one.
    #[error(transparent)]
    Earlier(Arc<Error>),
}

/// `apt-get` could not install a program's Debian packages.
#[derive(Debug, Error)]
#[error("installing the Debian packages {} for `{name}` failed ({status}); log {}:\n{log_tail}", packages.join(" "), log.display())]
pub struct DebianInstallFailed {
    pub name: String,
    pub packages: Vec<String>,
    pub status: String,
    pub log: PathBuf,
    pub log_tail: String,
}

impl Error {
    /// The error itself, seen through [`Error::Earlier`].
    pub fn first(&self) -> &Error {
        match self {
            Error::Earlier(earlier) => earlier.first(),
            other => other,
        }
    }
}

/// `path` as an empty directory: an unfinished build there (its marker is
/// written last) is redone from scratch.
pub fn fresh_dir(path: &Path) -> Result<(), Error> {
    if path.exists() {
        std::fs::remove_dir_all(path).map_err(|source| Error::RemoveUnfinished {
            path: path.to_path_buf(),
            source,
        })?;
    }
    create_dir(path)
}

/// `fs::create_dir_all`, its failure an [`Error::Create`].
pub fn create_dir(path: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(path).map_err(|source| Error::Create {
        path: path.to_path_buf(),
        source,
    })
}
