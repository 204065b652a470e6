//! Programs a script of the project builds once per machine.
//!
//! The script runs in the project root with an empty output directory as
//! its only argument. Its output lives in [`paths::cache_dir`] under
//! `<name>-<key>`, where the key hashes every file in the script's
//! directory (the script, its patches, its pinned versions), so every
//! checkout and every test process on the machine shares one build, and a
//! change beside the script makes a new one. An exclusive file lock per key
//! lets one process build while the others wait; a build counts only once
//! the script has succeeded and left the program, so an interrupted build
//! is redone from scratch.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::paths;
use crate::process::{Job, log_tail};

/// A cold build of BoringSSL or NSS on two cores takes minutes, not hours.
const BUILD_DEADLINE: Duration = Duration::from_secs(60 * 60);
const COMPLETE_MARKER: &str = ".complete";
const LOG_TAIL_LINES: usize = 30;

/// Outcomes in this process, by script.
static BUILT: Mutex<BTreeMap<String, Result<PathBuf, String>>> = Mutex::new(BTreeMap::new());

/// `program` in the output of `script` (both relative: the script to
/// `root`, the program to the output), building it first if this machine
/// has no build for the script's current inputs.
pub fn program(name: &str, script: &str, program: &str, root: &Path) -> Result<PathBuf, String> {
    let mut built = BUILT.lock().unwrap_or_else(PoisonError::into_inner);
    let outcome = match built.get(script) {
        Some(outcome) => outcome.clone(),
        None => {
            let outcome = build(name, root, &root.join(script));
            built.insert(script.to_string(), outcome.clone());
            outcome
        }
    };
    let path = outcome?.join(program);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "`{script}` succeeded but left no `{program}` in its output ({})",
            path.display()
        ))
    }
}

/// The output directory of a finished build of `script`.
fn build(name: &str, root: &Path, script: &Path) -> Result<PathBuf, String> {
    let key = inputs_key(script)?;
    let builds = paths::cache_dir().join("builds");
    fs::create_dir_all(&builds)
        .map_err(|error| format!("cannot create {}: {error}", builds.display()))?;
    let stem = format!("{name}-{}", &key[..16]);
    let output = builds.join(&stem);
    let complete = output.join(COMPLETE_MARKER);
    if complete.is_file() {
        return Ok(output);
    }

    let _lock = lock_exclusive(&builds.join(format!("{stem}.lock")))?;
    if complete.is_file() {
        return Ok(output);
    }

    if output.exists() {
        fs::remove_dir_all(&output).map_err(|error| {
            format!(
                "cannot remove the unfinished build {}: {error}",
                output.display()
            )
        })?;
    }
    fs::create_dir_all(&output)
        .map_err(|error| format!("cannot create {}: {error}", output.display()))?;
    let log = builds.join(format!("{stem}.log"));
    let _ = fs::remove_file(&log);
    let finished = Job::new(script, [&output])
        .current_dir(root)
        .log_to(&log)
        .deadline(BUILD_DEADLINE)
        .run()
        .map_err(|error| format!("{} did not run: {error}", script.display()))?;
    if !finished.status.success() {
        return Err(format!(
            "{} failed ({}); log {}:\n{}",
            script.display(),
            finished.status,
            log.display(),
            log_tail(&log, LOG_TAIL_LINES)
        ));
    }
    fs::write(&complete, &key)
        .map_err(|error| format!("cannot write {}: {error}", complete.display()))?;
    Ok(output)
}

/// A hash of every file in the script's directory: paths and contents.
fn inputs_key(script: &Path) -> Result<String, String> {
    let directory = script
        .parent()
        .ok_or_else(|| format!("{} has no directory", script.display()))?;
    let mut files = Vec::new();
    collect_files(directory, directory, &mut files)?;
    files.sort();
    let mut hasher = Sha256::new();
    for relative in &files {
        let path = directory.join(relative);
        let contents =
            fs::read(&path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        hasher.update(relative.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update((contents.len() as u64).to_le_bytes());
        hasher.update(&contents);
    }
    Ok(hex(&hasher.finalize()))
}

/// The file at `path` (created if need be), locked exclusively: the lock
/// holds until the file is dropped, across every process of the machine.
pub fn lock_exclusive(path: &Path) -> Result<File, String> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|error| format!("cannot open {}: {error}", path.display()))?;
    file.lock()
        .map_err(|error| format!("cannot lock {}: {error}", path.display()))?;
    Ok(file)
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn collect_files(base: &Path, directory: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(directory)
        .map_err(|error| format!("cannot list {}: {error}", directory.display()))?;
    for entry in entries {
        let entry =
            entry.map_err(|error| format!("cannot list {}: {error}", directory.display()))?;
        let path = entry.path();
        if path.is_dir() {
            collect_files(base, &path, files)?;
        } else {
            let relative = path.strip_prefix(base).unwrap_or(&path).to_path_buf();
            files.push(relative);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_follows_every_file_beside_the_script() {
        let directory = tempfile::tempdir().unwrap();
        let script = directory.path().join("build.sh");
        fs::write(&script, "echo build").unwrap();
        let first = inputs_key(&script).unwrap();
        assert_eq!(first, inputs_key(&script).unwrap());
        fs::create_dir(directory.path().join("patches")).unwrap();
        fs::write(directory.path().join("patches/fix.patch"), "a").unwrap();
        let with_patch = inputs_key(&script).unwrap();
        assert_ne!(first, with_patch);
        fs::write(directory.path().join("patches/fix.patch"), "b").unwrap();
        assert_ne!(with_patch, inputs_key(&script).unwrap());
    }
}
