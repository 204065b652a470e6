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

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::paths;
use crate::process::Job;
use crate::program::{Script, Text};
use crate::programs::{BuildOnce, Error, Fingerprint, files_under, fresh_dir, once_per_process};

/// A cold build of BoringSSL or NSS on two cores takes minutes, not hours.
const BUILD_DEADLINE: Duration = Duration::from_secs(60 * 60);

/// `program` in the output of `script` (both relative: the script to
/// `root`, the program to the output), building it first if this machine
/// has no build for the script's current inputs.
pub fn program(name: &str, declared: &Script, root: &Path) -> Result<PathBuf, Error> {
    let (script, program) = (declared.path.as_ref(), declared.output.as_ref());
    let output = once_per_process(&format!("script {script}"), || {
        build(name, root, &root.join(script), &declared.inputs)
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
fn build(name: &str, root: &Path, script: &Path, inputs: &[Text]) -> Result<PathBuf, Error> {
    let key = inputs_key(script, inputs, root)?;
    let builds = paths::cache_dir().join("builds");
    let stem = format!("{name}-{}", &key[..16]);
    let step_name = script.display().to_string();
    let (step, output) = BuildOnce::keyed(&step_name, &builds, &stem, key, BUILD_DEADLINE);
    let fresh_output = || fresh_dir(&output);
    step.run(fresh_output, Job::new(script, [&output]).current_dir(root))?;
    Ok(output)
}

/// A hash of every file in the script's directory and under each of
/// `inputs` (relative to `root`): paths and contents.
fn inputs_key(script: &Path, inputs: &[Text], root: &Path) -> Result<String, Error> {
    let directory = script.parent().ok_or_else(|| Error::NoDirectory {
        script: script.to_path_buf(),
    })?;
    let mut fingerprint = Fingerprint::default();
    add_tree(&mut fingerprint, directory)?;
    for input in inputs {
        fingerprint.word(input);
        let path = root.join(input.as_ref());
        if path.is_dir() {
            add_tree(&mut fingerprint, &path)?;
        } else {
            fingerprint.file(root, Path::new(input.as_ref()))?;
        }
    }
    Ok(fingerprint.finish())
}

/// Every file under `directory`, in a stable order.
fn add_tree(fingerprint: &mut Fingerprint, directory: &Path) -> Result<(), Error> {
    for relative in &files_under(directory, &[])? {
        fingerprint.file(directory, relative)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn the_key_follows_every_file_beside_the_script() {
        let directory = tempfile::tempdir().unwrap();
        let script = directory.path().join("build.sh");
        fs::write(&script, "echo build").unwrap();
        let key = |inputs: &[Text]| inputs_key(&script, inputs, directory.path()).unwrap();
        let first = key(&[]);
        assert_eq!(first, key(&[]));
        fs::create_dir(directory.path().join("patches")).unwrap();
        fs::write(directory.path().join("patches/fix.patch"), "a").unwrap();
        let with_patch = key(&[]);
        assert_ne!(first, with_patch);
        fs::write(directory.path().join("patches/fix.patch"), "b").unwrap();
        let changed_patch = key(&[]);
        assert_ne!(with_patch, changed_patch);
    }

    #[test]
    fn the_key_follows_the_declared_inputs_too() {
        let project = tempfile::tempdir().unwrap();
        fs::create_dir_all(project.path().join("shim")).unwrap();
        fs::create_dir_all(project.path().join("driver/src")).unwrap();
        let script = project.path().join("shim/build.sh");
        fs::write(&script, "echo build").unwrap();
        fs::write(project.path().join("driver/src/lib.rs"), "v1").unwrap();
        let inputs = [Text::Borrowed("driver")];
        let key = || inputs_key(&script, &inputs, project.path()).unwrap();
        let first = key();
        assert_ne!(first, inputs_key(&script, &[], project.path()).unwrap());
        fs::write(project.path().join("driver/src/lib.rs"), "v2").unwrap();
        assert_ne!(
            first,
            key(),
            "a change in a declared directory makes a new build"
        );
    }
}
