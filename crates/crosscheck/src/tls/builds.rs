//! Building implementations' programs before the first cell needs them.
//!
//! Each build runs at most once per process and under an exclusive file lock
//! shared by every process, so parallel tests and nextest's processes wait
//! for one build instead of racing. A build with declared inputs also
//! leaves a marker holding a hash of its command and inputs; while that
//! matches, later runs skip it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::cached_build;
use crate::paths;
use crate::process::{Job, log_tail};
use crate::tls::matrix::{Build, Matrix};

/// Long enough for a cold release build of the Rust shims on two cores.
pub const BUILD_DEADLINE: Duration = Duration::from_secs(30 * 60);

const MARKER: &str = ".inputs-sha256";
const LOG_TAIL_LINES: usize = 30;

/// Outcome of each build in this process: its output directory or why it failed.
static BUILT: Mutex<BTreeMap<&'static str, Result<PathBuf, String>>> = Mutex::new(BTreeMap::new());

/// Values for `{build_dir}`, `{root}` and `{cargo}` in commands.
#[derive(Debug, Clone)]
pub struct Placeholders {
    pub root: PathBuf,
    pub build_dir: Option<PathBuf>,
}

impl Placeholders {
    /// `word` with every placeholder replaced.
    pub fn expand(&self, word: &str) -> String {
        let mut expanded = word.replace("{root}", &self.root.to_string_lossy());
        if let Some(build_dir) = &self.build_dir {
            expanded = expanded.replace("{build_dir}", &build_dir.to_string_lossy());
        }
        if expanded.contains("{cargo}") {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
            expanded = expanded.replace("{cargo}", &cargo);
        }
        expanded
    }
}

/// Where `build`'s outputs go.
pub fn build_dir(build: &Build) -> PathBuf {
    paths::work_dir()
        .join("tls")
        .join("builds")
        .join(build.name)
}

/// Runs `matrix.builds[index]` unless this process (or a marker) says it is
/// done; returns its output directory.
pub fn ensure_built(matrix: &Matrix, index: usize) -> Result<PathBuf, String> {
    let build = matrix
        .builds
        .get(index)
        .ok_or_else(|| format!("build #{index} is not in the matrix"))?;
    let mut built = BUILT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(outcome) = built.get(build.name) {
        return outcome.clone();
    }
    let outcome = run_locked(build, Path::new(matrix.root));
    built.insert(build.name, outcome.clone());
    outcome
}

fn run_locked(build: &Build, root: &Path) -> Result<PathBuf, String> {
    let directory = build_dir(build);
    let parent = directory.parent().unwrap_or(&directory).to_path_buf();
    fs::create_dir_all(&directory)
        .map_err(|error| format!("cannot create {}: {error}", directory.display()))?;
    let _lock = cached_build::lock_exclusive(&parent.join(format!("{}.lock", build.name)))?;

    let placeholders = Placeholders {
        root: root.to_path_buf(),
        build_dir: Some(directory.clone()),
    };
    let command: Vec<String> = build
        .command
        .iter()
        .map(|word| placeholders.expand(word))
        .collect();
    let fingerprint = if build.inputs.is_empty() {
        None
    } else {
        Some(fingerprint(&command, build.inputs, root)?)
    };
    let marker = directory.join(MARKER);
    if let Some(fingerprint) = &fingerprint
        && fs::read_to_string(&marker).is_ok_and(|found| &found == fingerprint)
    {
        return Ok(directory);
    }

    let (program, args) = command
        .split_first()
        .ok_or_else(|| format!("build `{}` has an empty command", build.name))?;
    let log = parent.join(format!("{}.log", build.name));
    let _ = fs::remove_file(&log);
    let finished = Job::new(program, args)
        .current_dir(root)
        .log_to(&log)
        .deadline(BUILD_DEADLINE)
        .run()
        .map_err(|error| format!("build `{}` did not run: {error}", build.name))?;
    if !finished.status.success() {
        return Err(format!(
            "build `{}` failed ({}); {}",
            build.name,
            finished.status,
            log_tail(&log, LOG_TAIL_LINES)
        ));
    }
    if let Some(fingerprint) = fingerprint {
        fs::write(&marker, fingerprint)
            .map_err(|error| format!("cannot write {}: {error}", marker.display()))?;
    }
    Ok(directory)
}

/// Hash of the expanded command and every input's path and contents.
fn fingerprint(command: &[String], inputs: &[&str], root: &Path) -> Result<String, String> {
    let mut hasher = Sha256::new();
    for word in command {
        hasher.update(word.as_bytes());
        hasher.update([0]);
    }
    for input in inputs {
        let path = root.join(input);
        let contents = fs::read(&path)
            .map_err(|error| format!("cannot read build input {}: {error}", path.display()))?;
        hasher.update(input.as_bytes());
        hasher.update([0]);
        hasher.update((contents.len() as u64).to_le_bytes());
        hasher.update(&contents);
    }
    Ok(cached_build::hex(&hasher.finalize()))
}
