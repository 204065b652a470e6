//! Finding spec files and directories, so a build script can watch them all.

use std::path::{Path, PathBuf};

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
