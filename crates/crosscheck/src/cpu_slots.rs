//! At most one TLS cell or BoGo test per CPU, across every process on the
//! machine. `cargo test -- --test-threads=16`, nextest's process per test,
//! or two checkouts testing at once would otherwise start more shims than
//! the CPUs can run within their deadlines, and load would fail cells that
//! pass alone: a verdict must not depend on how many ran at once.
//!
//! A slot is an exclusive lock on one of N files (N = CPUs) in the
//! machine-wide cache directory; the kernel frees it when its holder ends,
//! however it ends.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::Path;
use std::sync::Once;

use crate::paths;

/// A held slot; dropping it frees the slot.
#[derive(Debug)]
pub struct CpuSlot {
    _lock: Option<File>,
}

/// Waits for a free slot. Where no slot can be kept (the cache directory
/// is not writable) it says so once on stderr and runs without one.
pub fn acquire() -> CpuSlot {
    let count = std::thread::available_parallelism().map_or(1, usize::from);
    let directory = paths::cache_dir().join("cpu-slots");
    match wait_for_slot(&directory, count) {
        Ok(lock) => CpuSlot { _lock: Some(lock) },
        Err(error) => {
            static WARNED: Once = Once::new();
            WARNED.call_once(|| {
                eprintln!(
                    "crosscheck: note: cannot keep CPU slots in {}: {error}; tests run without a limit on how many run at once",
                    directory.display()
                );
            });
            CpuSlot { _lock: None }
        }
    }
}

/// The lock of a free slot among `count` in `directory`, waiting for one
/// when all are taken.
fn wait_for_slot(directory: &Path, count: usize) -> io::Result<File> {
    if let Some(lock) = try_slot(directory, count)? {
        return Ok(lock);
    }
    // All taken: queue on one slot, chosen by process and thread so that
    // waiters spread over the slots.
    let mut hasher = std::hash::DefaultHasher::new();
    std::hash::Hash::hash(
        &(std::process::id(), std::thread::current().id()),
        &mut hasher,
    );
    let slot = (std::hash::Hasher::finish(&hasher) % count.max(1) as u64) as usize;
    let file = open_slot(directory, slot)?;
    file.lock()?;
    Ok(file)
}

/// The lock of a free slot, or `None` when all `count` are taken.
fn try_slot(directory: &Path, count: usize) -> io::Result<Option<File>> {
    std::fs::create_dir_all(directory)?;
    for slot in 0..count.max(1) {
        let file = open_slot(directory, slot)?;
        match file.try_lock() {
            Ok(()) => return Ok(Some(file)),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(error)) => return Err(error),
        }
    }
    Ok(None)
}

fn open_slot(directory: &Path, slot: usize) -> io::Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(directory.join(format!("{slot}.lock")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_as_many_slots_as_asked_and_a_freed_one_is_taken_again() {
        let dir = tempfile::tempdir().unwrap();
        let first = try_slot(dir.path(), 2).unwrap().unwrap();
        let second = try_slot(dir.path(), 2).unwrap().unwrap();
        assert!(
            try_slot(dir.path(), 2).unwrap().is_none(),
            "a third slot of two"
        );
        drop(first);
        let again = try_slot(dir.path(), 2).unwrap();
        assert!(again.is_some(), "the freed slot is free again");
        drop(second);
    }

    #[test]
    fn a_waiter_gets_a_slot_once_one_is_freed() {
        let dir = tempfile::tempdir().unwrap();
        let held = try_slot(dir.path(), 1).unwrap().unwrap();
        let directory = dir.path().to_path_buf();
        let waiter = std::thread::spawn(move || wait_for_slot(&directory, 1).map(|_| ()));
        drop(held);
        waiter.join().unwrap().unwrap();
    }
}
