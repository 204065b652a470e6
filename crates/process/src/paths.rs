//! Where crosscheck keeps what it installs and logs.

use std::path::PathBuf;

/// `$CROSSCHECK_WORK_DIR`, else `<cargo target dir>/crosscheck`.
///
/// The target directory is found from the running executable
/// (`target/<profile>/` for binaries, `target/<profile>/deps/` for tests),
/// so it follows `CARGO_TARGET_DIR` and profiles without configuration.
pub fn work_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CROSSCHECK_WORK_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir).join("crosscheck");
    }
    let exe = std::env::current_exe().unwrap_or_default();
    let mut dir = exe.parent().map(PathBuf::from).unwrap_or_default();
    if dir.file_name().is_some_and(|name| name == "deps") {
        dir.pop();
    }
    // Leave the profile directory (debug, release, …) for the target root.
    dir.pop();
    if dir.as_os_str().is_empty() {
        return std::env::temp_dir().join("crosscheck");
    }
    dir.join("crosscheck")
}

/// A directory private to this process under `work_dir()/<area>`, for files
/// that parallel test processes must not share (suites, logs).
pub fn run_dir(area: &str) -> PathBuf {
    work_dir()
        .join(area)
        .join(format!("run-{}", std::process::id()))
}

/// `$CROSSCHECK_CACHE_DIR`, else `$XDG_CACHE_HOME/crosscheck`, else
/// `~/.cache/crosscheck`: builds every checkout on the machine shares.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CROSSCHECK_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|dir| !dir.is_empty()) {
        return PathBuf::from(dir).join("crosscheck");
    }
    match std::env::var_os("HOME").filter(|dir| !dir.is_empty()) {
        Some(home) => PathBuf::from(home).join(".cache").join("crosscheck"),
        None => work_dir().join("cache"),
    }
}
