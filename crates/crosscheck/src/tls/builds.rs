//! Building implementations' programs before the first cell needs them.
//!
//! Each build runs at most once per process and under an exclusive file lock
//! shared by every process, so parallel tests and nextest's processes wait
//! for one build instead of racing. A build with declared inputs also
//! leaves a marker holding a hash of its command and inputs; while that
//! matches, later runs skip it.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use thiserror::Error;

use crate::paths;
use crate::process::Job;
use crate::programs::{self, BuildOnce, Fingerprint, once_per_process};
use crate::tls::matrix::{Build, Matrix};

/// Long enough for a cold release build of the Rust shims on two cores.
pub const BUILD_DEADLINE: Duration = Duration::from_secs(30 * 60);

const MARKER: &str = ".inputs-sha256";

#[derive(Debug, Error)]
pub enum Error {
    #[error("build #{index} is not in the matrix")]
    NotInMatrix { index: usize },
    #[error(transparent)]
    Build(#[from] programs::Error),
}

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
pub fn ensure_built(matrix: &Matrix, index: usize) -> Result<PathBuf, Error> {
    let build = matrix
        .builds
        .get(index)
        .ok_or(Error::NotInMatrix { index })?;
    Ok(once_per_process(
        &format!("tls build {}", build.name),
        || run_locked(build, Path::new(matrix.root)),
    )?)
}

fn run_locked(build: &Build, root: &Path) -> Result<PathBuf, programs::Error> {
    let directory = build_dir(build);
    let parent = directory.parent().unwrap_or(&directory).to_path_buf();
    let placeholders = Placeholders {
        root: root.to_path_buf(),
        build_dir: Some(directory.clone()),
    };
    let command: Vec<String> = build
        .command
        .iter()
        .map(|word| placeholders.expand(word))
        .collect();
    let marker = if build.inputs.is_empty() {
        None
    } else {
        Some((
            directory.join(MARKER),
            fingerprint(&command, build.inputs, root)?,
        ))
    };
    let name = format!("build `{}`", build.name);
    let (program, args) = command
        .split_first()
        .ok_or_else(|| programs::Error::EmptyCommand { name: name.clone() })?;
    let step = BuildOnce {
        name: &name,
        lock: parent.join(format!("{}.lock", build.name)),
        log: parent.join(format!("{}.log", build.name)),
        marker,
        deadline: BUILD_DEADLINE,
    };
    let create = || {
        fs::create_dir_all(&directory).map_err(|source| programs::Error::Create {
            path: directory.clone(),
            source,
        })
    };
    step.run(create, Job::new(program, args).current_dir(root))?;
    Ok(directory)
}

/// Hash of the expanded command and every input's path and contents.
fn fingerprint(
    command: &[String],
    inputs: &[&str],
    root: &Path,
) -> Result<String, programs::Error> {
    let mut fingerprint = Fingerprint::default();
    for word in command {
        fingerprint.word(word);
    }
    for input in inputs {
        fingerprint.file(root, Path::new(input))?;
    }
    Ok(fingerprint.finish())
}
