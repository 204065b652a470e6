//! One build step: locked, logged, under a deadline, skipped while done.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::process::{Job, log_tail};
use crate::programs::{Error, create_dir, lock_exclusive};

const LOG_TAIL_LINES: usize = 30;

/// The outcome of `build` the first time this process asks for `key`; the
/// same outcome every later time. Builds in one process run one at a time.
pub fn once_per_process(
    key: &str,
    build: impl FnOnce() -> Result<PathBuf, Error>,
) -> Result<PathBuf, Error> {
    static BUILT: Mutex<BTreeMap<String, Result<PathBuf, Arc<Error>>>> =
        Mutex::new(BTreeMap::new());
    let mut built = BUILT.lock().unwrap_or_else(PoisonError::into_inner);
    let outcome = match built.get(key) {
        Some(outcome) => outcome,
        None => built
            .entry(key.to_string())
            .or_insert(build().map_err(Arc::new)),
    };
    outcome.clone().map_err(Error::Earlier)
}

/// A build step and where it keeps its lock, log and marker.
pub struct BuildOnce<'a> {
    /// As messages name it.
    pub name: &'a str,
    /// Held while the step checks its marker and runs.
    pub lock: PathBuf,
    pub log: PathBuf,
    /// A file that, holding `fingerprint`, says the step is done; `None`:
    /// the step runs every time (for tools such as cargo that know
    /// themselves what to rebuild).
    pub marker: Option<(PathBuf, String)>,
    pub deadline: Duration,
}

/// Written last into a keyed output: the build in it is complete.
const COMPLETE_MARKER: &str = ".complete";

impl<'a> BuildOnce<'a> {
    /// A step building into `directory/<stem>`, its lock and log beside
    /// the output and its marker inside, done while the marker holds `key`.
    pub fn keyed(
        name: &'a str,
        directory: &Path,
        stem: &str,
        key: String,
        deadline: Duration,
    ) -> (Self, PathBuf) {
        let output = directory.join(stem);
        let step = BuildOnce {
            name,
            lock: directory.join(format!("{stem}.lock")),
            log: directory.join(format!("{stem}.log")),
            marker: Some((output.join(COMPLETE_MARKER), key)),
            deadline,
        };
        (step, output)
    }

    /// Runs `job` unless the marker says it is done; `prepare` runs first,
    /// under the lock (to create or empty an output directory).
    pub fn run(&self, prepare: impl FnOnce() -> Result<(), Error>, job: Job) -> Result<(), Error> {
        if self.is_done() {
            return Ok(());
        }
        if let Some(parent) = self.lock.parent() {
            create_dir(parent)?;
        }
        let _lock = lock_exclusive(&self.lock)?;
        // Another process may have finished it while this one waited.
        if self.is_done() {
            return Ok(());
        }
        prepare()?;
        let _ = fs::remove_file(&self.log);
        let finished = job
            .log_to(&self.log)
            .deadline(self.deadline)
            .run()
            .map_err(|source| Error::DidNotRun {
                name: self.name.to_string(),
                source,
            })?;
        if !finished.status.success() {
            return Err(Error::Failed {
                name: self.name.to_string(),
                status: finished.status,
                log: self.log.clone(),
                log_tail: log_tail(&self.log, LOG_TAIL_LINES),
            });
        }
        if let Some((marker, fingerprint)) = &self.marker {
            fs::write(marker, fingerprint).map_err(|source| Error::Write {
                path: marker.clone(),
                source,
            })?;
        }
        Ok(())
    }

    fn is_done(&self) -> bool {
        self.marker.as_ref().is_some_and(|(marker, fingerprint)| {
            fs::read_to_string(marker).is_ok_and(|found| &found == fingerprint)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(directory: &std::path::Path, fingerprint: Option<&str>) -> BuildOnce<'static> {
        BuildOnce {
            name: "the test build",
            lock: directory.join("step.lock"),
            log: directory.join("step.log"),
            marker: fingerprint.map(|key| (directory.join("done"), key.to_string())),
            deadline: Duration::from_secs(10),
        }
    }

    fn counting_job(directory: &std::path::Path) -> Job {
        Job::new("sh", ["-c", "echo run >> \"$0\"", "runs"]).current_dir(directory)
    }

    fn runs(directory: &std::path::Path) -> usize {
        fs::read_to_string(directory.join("runs"))
            .unwrap_or_default()
            .lines()
            .count()
    }

    #[test]
    fn a_marked_step_runs_until_its_fingerprint_is_recorded() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path();
        step(path, Some("v1"))
            .run(|| Ok(()), counting_job(path))
            .unwrap();
        step(path, Some("v1"))
            .run(|| Ok(()), counting_job(path))
            .unwrap();
        assert_eq!(runs(path), 1, "the second run saw the marker");
        step(path, Some("v2"))
            .run(|| Ok(()), counting_job(path))
            .unwrap();
        assert_eq!(runs(path), 2, "a new fingerprint builds again");
        step(path, None).run(|| Ok(()), counting_job(path)).unwrap();
        assert_eq!(runs(path), 3, "an unmarked step always runs");
    }

    #[test]
    fn a_failing_step_says_so_with_its_log_and_leaves_no_marker() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path();
        let job = Job::new("sh", ["-c", "echo 'missing libfoo' >&2; exit 4"]).current_dir(path);
        let error = step(path, Some("v1"))
            .run(|| Ok(()), job)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("the test build failed (exit status: 4)"),
            "{error}"
        );
        assert!(error.contains("missing libfoo"), "{error}");
        assert!(!path.join("done").exists());
        let error = step(path, Some("v1"))
            .run(
                || {
                    Err(Error::Create {
                        path: path.join("out"),
                        source: std::io::Error::other("no room"),
                    })
                },
                counting_job(path),
            )
            .unwrap_err();
        assert!(matches!(error, Error::Create { .. }), "{error}");
        assert_eq!(runs(path), 0, "nothing runs when preparing fails");
    }

    #[test]
    fn a_process_builds_each_key_once() {
        let mut calls = 0;
        let key = format!("test key {}", std::process::id());
        for _ in 0..3 {
            let outcome = once_per_process(&key, || {
                calls += 1;
                Err(Error::NoDirectory {
                    script: "broken".into(),
                })
            });
            assert_eq!(
                outcome.map_err(|error| error.to_string()),
                Err("broken has no directory".to_string())
            );
        }
        assert_eq!(calls, 1, "a failure is remembered too");
    }
}
