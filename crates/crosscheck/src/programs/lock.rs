//! Exclusive file locks shared by every process on the machine.

use std::fs::{File, OpenOptions};
use std::path::Path;

/// The file at `path` (created if need be), locked exclusively: the lock
/// holds until the file is dropped, across every process of the machine.
pub fn lock_exclusive(path: &Path) -> Result<File, String> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|error| format!("cannot open {}: {error}", path.display()))?;
    file.lock()
        .map_err(|error| format!("cannot lock {}: {error}", path.display()))?;
    Ok(file)
}
