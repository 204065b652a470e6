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

/// The `*.yaml` files directly in `directory`, sorted by name; `what`
/// names the directory in the error (e.g. "the shim directory").
pub fn yaml_files(directory: &Path, what: &str) -> Result<Vec<PathBuf>, Diagnostic> {
    let entries = std::fs::read_dir(directory).map_err(|error| {
        Diagnostic::without_position(
            &directory.display().to_string(),
            format!("cannot list {what}: {error}"),
        )
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
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
