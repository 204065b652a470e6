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

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::paths;
use crate::process::Job;
use crate::programs::{BuildOnce, Error, Fingerprint, fresh_dir, once_per_process};

/// A cold build of BoringSSL or NSS on two cores takes minutes, not hours.
const BUILD_DEADLINE: Duration = Duration::from_secs(60 * 60);

/// `program` in the output of `script` (both relative: the script to
/// `root`, the program to the output), building it first if this machine
/// has no build for the script's current inputs.
pub fn program(name: &str, script: &str, program: &str, root: &Path) -> Result<PathBuf, Error> {
    let output = once_per_process(&format!("script {script}"), || {
        build(name, root, &root.join(script))
    })?;
    let path = output.join(program);
    if path.is_file() {
        Ok(path)
    } else {
        Err(Error::NoProgram {
            script: script.to_string(),
            program: program.to_string(),
            path,
        })
    }
}

/// The output directory of a finished build of `script`.
fn build(name: &str, root: &Path, script: &Path) -> Result<PathBuf, Error> {
    let key = inputs_key(script)?;
    let builds = paths::cache_dir().join("builds");
    let stem = format!("{name}-{}", &key[..16]);
    let step_name = script.display().to_string();
    let (step, output) = BuildOnce::keyed(&step_name, &builds, &stem, key, BUILD_DEADLINE);
    let fresh_output = || fresh_dir(&output);
    step.run(fresh_output, Job::new(script, [&output]).current_dir(root))?;
    Ok(output)
}

/// A hash of every file in the script's directory: paths and contents.
fn inputs_key(script: &Path) -> Result<String, Error> {
    let directory = script.parent().ok_or_else(|| Error::NoDirectory {
        script: script.to_path_buf(),
    })?;
    let mut files = Vec::new();
    collect_files(directory, directory, &mut files)?;
    files.sort();
    let mut fingerprint = Fingerprint::default();
    for relative in &files {
        fingerprint.file(directory, relative)?;
    }
    Ok(fingerprint.finish())
}

fn collect_files(base: &Path, directory: &Path, files: &mut Vec<PathBuf>) -> Result<(), Error> {
    let cannot_list = |source| Error::List {
        path: directory.to_path_buf(),
        source,
    };
    for entry in fs::read_dir(directory).map_err(cannot_list)? {
        let entry = entry.map_err(cannot_list)?;
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
