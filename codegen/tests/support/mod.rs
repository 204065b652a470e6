//! What every test file of the spec compiler shares.

use std::path::PathBuf;

/// This package's directory for this run: where cargo or nextest says it
/// is (nextest moves it when it runs tests from an archive elsewhere), else
/// where it was compiled.
pub fn package_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}
