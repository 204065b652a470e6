//! Where a family's suite tool runs keep what they made, and the rule that
//! each is made once per run: under `cargo test` one process runs every
//! test, so the run is the process; under nextest a process runs one test,
//! so the run is the one `NEXTEST_RUN_ID` names, shared by its processes.
//! A new run never reuses an old run's verdicts: every tool runs again.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::paths;
use crate::programs;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(transparent)]
    Lock(#[from] programs::Error),
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

/// The directory of `family`'s suites, verdicts and logs for this run.
pub fn directory(family: &str) -> PathBuf {
    match nextest_run() {
        Some(run) => paths::work_dir()
            .join("app_identity")
            .join(format!("nextest-{run}"))
            .join(family),
        None => paths::run_dir("app_identity").join(family),
    }
}

/// The nextest run this process belongs to, if its id is safe as a
/// directory name.
fn nextest_run() -> Option<String> {
    std::env::var("NEXTEST_RUN_ID")
        .ok()
        .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

/// The bytes kept at `path`: read back when an earlier process of the run
/// made them, else made by `produce` (under a lock, so two processes do not
/// both run the tool) and written whole through a temporary file, so no
/// process reads half of them. A failed `produce` keeps nothing: the next
/// process tries again.
pub fn once<E: From<StoreError>>(
    path: &Path,
    produce: impl FnOnce() -> Result<Vec<u8>, E>,
) -> Result<Vec<u8>, E> {
    let directory = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(directory).map_err(|source| StoreError::Write {
        path: directory.to_path_buf(),
        source,
    })?;
    let _lock = programs::lock_exclusive(&with_suffix(path, ".lock")).map_err(StoreError::from)?;
    match fs::read(path) {
        Ok(bytes) => return Ok(bytes),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(StoreError::Read {
                path: path.to_path_buf(),
                source,
            }
            .into());
        }
    }
    let bytes = produce()?;
    write_whole(path, &bytes)?;
    Ok(bytes)
}

/// Writes `bytes` to `path` through a temporary file beside it, so a
/// reader sees all of them or none.
pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let temporary = with_suffix(path, &format!(".{}.tmp", std::process::id()));
    let failed = |source| StoreError::Write {
        path: path.to_path_buf(),
        source,
    };
    fs::write(&temporary, bytes).map_err(failed)?;
    fs::rename(&temporary, path).map_err(failed)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_one_process_made_the_next_reads_back_and_a_failure_keeps_nothing() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("runs/suite.json");
        let failed: Result<Vec<u8>, StoreError> = once(&path, || {
            Err(StoreError::Read {
                path: PathBuf::from("tool"),
                source: io::Error::other("tool failed"),
            })
        });
        assert!(failed.is_err());
        assert!(!path.exists());
        let made: Result<Vec<u8>, StoreError> = once(&path, || Ok(b"first".to_vec()));
        assert_eq!(made.unwrap(), b"first");
        let again: Result<Vec<u8>, StoreError> =
            once(&path, || panic!("an earlier process made it"));
        assert_eq!(again.unwrap(), b"first");
    }
}
