//! What a build was made from, as one SHA-256: words (an expanded command)
//! and files (paths and contents), in the order given.

use std::fs;
use std::path::Path;

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

    /// Lowercase hexadecimal.
    pub fn finish(&self) -> String {
        hex(&self.hasher.clone().finalize())
    }
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
