//! Exclusive file locks shared by every process on the machine.

use std::fs::{File, OpenOptions};
use std::path::Path;

use crate::programs::Error;

/// The file at `path` (created if need be), locked exclusively: the lock
/// holds until the file is dropped, across every process of the machine.
pub fn lock_exclusive(path: &Path) -> Result<File, Error> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|source| Error::Open {
            path: path.to_path_buf(),
            source,
        })?;
    file.lock().map_err(|source| Error::Lock {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(file)
}
