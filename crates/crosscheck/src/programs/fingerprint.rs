//! What a build was made from, as one SHA-256: words (an expanded command)
//! and files (paths and contents, or paths, sizes and modification times),
//! in the order given.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use sha2::{Digest, Sha256};

use crate::programs::Error;

#[derive(Default)]
pub struct Fingerprint {
    hasher: Sha256,
}

impl Fingerprint {
    pub fn word(&mut self, word: &str) -> &mut Self {
        self.hasher.update(word.as_bytes());
        self.hasher.update([0]);
        self
    }

    /// `path` (read from `base.join(path)`) by its name and contents.
    pub fn file(&mut self, base: &Path, path: &Path) -> Result<&mut Self, Error> {
        let full = base.join(path);
        let contents = fs::read(&full).map_err(|source| Error::Read { path: full, source })?;
        self.hasher.update(path.to_string_lossy().as_bytes());
        self.hasher.update([0]);
        self.hasher.update((contents.len() as u64).to_le_bytes());
        self.hasher.update(&contents);
        Ok(self)
    }

    /// `path` (under `base`) by its name, size and modification time, as
    /// cargo tracks sources: cheap enough for every test process to ask. A
    /// file that cannot be read (a dangling link, an editor's lock file
    /// gone meanwhile) counts by its name alone.
    pub fn file_stamp(&mut self, base: &Path, path: &Path) -> &mut Self {
        self.hasher.update(path.to_string_lossy().as_bytes());
        self.hasher.update([0]);
        if let Ok(metadata) = fs::symlink_metadata(base.join(path)) {
            let modified = metadata
                .modified()
                .ok()
                .and_then(|modified| modified.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |since| since.as_nanos());
            self.hasher.update(metadata.len().to_le_bytes());
            self.hasher.update(modified.to_le_bytes());
        }
        self
    }

    /// Lowercase hexadecimal.
    pub fn finish(&self) -> String {
        hex(&self.hasher.clone().finalize())
    }
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Every file under `directory`, relative to it and sorted, leaving out
/// directories named in `skip` and build directories (those holding a
/// `CACHEDIR.TAG`, as cargo's target directories do).
pub fn files_under(directory: &Path, skip: &[&str]) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    collect_files(directory, directory, skip, &mut files)?;
    files.sort();
    Ok(files)
}

fn collect_files(
    base: &Path,
    directory: &Path,
    skip: &[&str],
    files: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    let cannot_list = |source| Error::List {
        path: directory.to_path_buf(),
        source,
    };
    for entry in fs::read_dir(directory).map_err(cannot_list)? {
        let entry = entry.map_err(cannot_list)?;
        let path = entry.path();
        if path.is_dir() {
            let skipped = entry
                .file_name()
                .to_str()
                .is_some_and(|name| skip.contains(&name))
                || path.join("CACHEDIR.TAG").exists();
            if !skipped {
                collect_files(base, &path, skip, files)?;
            }
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
    fn a_tree_is_listed_without_skipped_and_build_directories() {
        let root = tempfile::tempdir().unwrap();
        for file in [
            "a.rs",
            "src/b.rs",
            "node_modules/x.js",
            "out/CACHEDIR.TAG",
            "out/y",
        ] {
            let path = root.path().join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "x").unwrap();
        }
        assert_eq!(
            files_under(root.path(), &["node_modules"]).unwrap(),
            [PathBuf::from("a.rs"), PathBuf::from("src/b.rs")]
        );
    }

    #[test]
    fn a_stamp_follows_size_and_modification_time() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("a.rs");
        fs::write(&file, "one").unwrap();
        let stamp = || {
            Fingerprint::default()
                .file_stamp(root.path(), Path::new("a.rs"))
                .finish()
        };
        let first = stamp();
        assert_eq!(first, stamp());
        fs::write(&file, "three").unwrap();
        assert_ne!(first, stamp(), "a new size");
        let second = stamp();
        let file = fs::File::options().write(true).open(&file).unwrap();
        file.set_modified(UNIX_EPOCH).unwrap();
        assert_ne!(second, stamp(), "a new modification time");
    }
}
