//! Programs a spec's build command makes, into a directory of the work
//! dir. Each build runs at most once per process and under an exclusive
//! file lock shared by every process, so parallel tests wait for one build
//! instead of racing. A build with declared inputs also leaves a marker
//! holding a hash of its command and inputs; while that matches, later runs
//! skip it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::paths;
use crate::process::Job;
use crate::program::Build;
use crate::programs::{BuildOnce, Error, Fingerprint, Placeholders, create_dir, once_per_process};

/// Long enough for a cold build of a shim on two cores.
pub const BUILD_DEADLINE: Duration = Duration::from_secs(30 * 60);

const MARKER: &str = ".inputs-sha256";

/// Where the build of the program called `name` goes.
pub fn build_dir(name: &str) -> PathBuf {
    paths::work_dir().join("builds").join(name)
}

/// Runs `build` for the program `name` unless this process (or a marker)
/// says it is done; returns its output directory.
pub fn ensure_built(name: &str, build: &Build, root: &Path) -> Result<PathBuf, Error> {
    once_per_process(&format!("build {name}"), || run_locked(name, build, root))
}

fn run_locked(name: &str, build: &Build, root: &Path) -> Result<PathBuf, Error> {
    let directory = build_dir(name);
    let parent = directory.parent().unwrap_or(&directory).to_path_buf();
    let placeholders = Placeholders {
        root,
        build_dir: Some(&directory),
        program: None,
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
            fingerprint(&command, &build.inputs, root)?,
        ))
    };
    let step_name = format!("the build of `{name}`");
    let (program, args) = command.split_first().ok_or_else(|| Error::EmptyCommand {
        name: step_name.clone(),
    })?;
    let step = BuildOnce {
        name: &step_name,
        lock: parent.join(format!("{name}.lock")),
        log: parent.join(format!("{name}.log")),
        marker,
        deadline: BUILD_DEADLINE,
    };
    step.run(
        || create_dir(&directory),
        Job::new(program, args).current_dir(root),
    )?;
    Ok(directory)
}

/// Hash of the expanded command and every input's path and contents.
fn fingerprint<S: AsRef<str>>(
    command: &[String],
    inputs: &[S],
    root: &Path,
) -> Result<String, Error> {
    let mut fingerprint = Fingerprint::default();
    for word in command {
        fingerprint.word(word);
    }
    for input in inputs {
        let input = input.as_ref();
        if input.contains('/') || root.join(input).exists() {
            // Relative to the root, or absolute (join keeps an absolute path).
            fingerprint.file(root, Path::new(input))?;
        } else {
            let program = which::which(input).map_err(|source| Error::InputNotOnPath {
                program: input.to_string(),
                source,
            })?;
            // Through symlinks (`/usr/bin/java` → the JDK's own launcher), so
            // the JDK's directory and launcher decide, not the alternative.
            let program = std::fs::canonicalize(&program).map_err(|source| Error::Read {
                path: program,
                source,
            })?;
            fingerprint.file(Path::new("/"), &program)?;
        }
    }
    Ok(fingerprint.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_may_be_project_files_absolute_paths_or_programs_on_path() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("Shim.java"), "class Shim {}").unwrap();
        let outside = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(outside.path(), "v1").unwrap();
        let command = ["javac".to_string()];
        let key = |inputs: &[&str]| fingerprint(&command, inputs, root.path()).unwrap();
        let absolute = outside.path().to_str().unwrap();
        let first = key(&["Shim.java", absolute, "sh"]);
        assert_eq!(first, key(&["Shim.java", absolute, "sh"]));
        std::fs::write(outside.path(), "v2").unwrap();
        assert_ne!(
            first,
            key(&["Shim.java", absolute, "sh"]),
            "a file outside the project"
        );
        let error =
            fingerprint(&command, &["crosscheck-no-such-program"], root.path()).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("no file of the project and no program on PATH"),
            "{error}"
        );
    }
}
