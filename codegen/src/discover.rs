//! Finding spec files and directories, so a build script can watch them all.

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;

/// Every directory and every file under `root` (sorted), including `root`.
/// A build script reruns when any of them changes, and a new file in a
/// watched directory changes that directory.
pub fn watch_list(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = vec![root.to_path_buf()];
    let mut pending = vec![root.to_path_buf()];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path.clone());
            }
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// The `*.yaml` entries directly in `directory`, sorted by name; `what`
/// names the directory in the error (e.g. "the shim directory").
///
/// Every entry so named is kept, readable or not (a broken symbolic link,
/// a link loop, a directory called `x.yaml`): reading it then fails with
/// its name, where leaving it out would lose its cases without a word.
pub fn yaml_files(directory: &Path, what: &str) -> Result<Vec<PathBuf>, Diagnostic> {
    let cannot_list = |error: std::io::Error| {
        Diagnostic::without_position(
            &directory.display().to_string(),
            format!("cannot list {what}: {error}"),
        )
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(directory).map_err(cannot_list)? {
        let path = entry.map_err(cannot_list)?.path();
        if path.extension().is_some_and(|ext| ext == "yaml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Family directories directly under `specs/` that have a manifest
/// (e.g. `specs/app_identity`).
pub fn family_directories(specs: &Path, manifest_file: &str) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(specs)? {
        let path = entry?.path();
        if path.join(manifest_file).is_file() {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::SourceFile;

    #[test]
    fn unreadable_yaml_entries_are_kept_and_fail_to_read_with_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("good.yaml"), "a: 1\n").unwrap();
        std::fs::write(root.join("notes.txt"), "").unwrap();
        std::fs::create_dir(root.join("directory.yaml")).unwrap();
        std::os::unix::fs::symlink(root.join("missing"), root.join("broken.yaml")).unwrap();
        std::os::unix::fs::symlink(root.join("loop.yaml"), root.join("loop.yaml")).unwrap();

        let files = yaml_files(root, "the test directory").unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            ["broken.yaml", "directory.yaml", "good.yaml", "loop.yaml"]
        );
        for (file, expected) in files.iter().zip([
            Some("broken.yaml: error: cannot read spec file: it is a symbolic link to"),
            Some("directory.yaml: error: cannot read spec file: "),
            None,
            Some("loop.yaml: error: cannot read spec file: "),
        ]) {
            let read = SourceFile::read(file, root);
            match expected {
                None => assert!(read.is_ok(), "{file:?}"),
                Some(expected) => {
                    let message = read.err().unwrap().to_string();
                    assert!(message.starts_with(expected), "{message}");
                }
            }
        }
    }
}
