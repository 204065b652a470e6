//! Where crosscheck keeps what it installs and logs.

use std::path::{Path, PathBuf};

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

/// Where the workspace was when this code was compiled.
fn compiled_workspace() -> &'static Path {
    // This package is `crates/process` of the workspace.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("/"))
}

/// `compiled`, a path into the workspace as it was when the code was
/// compiled (what `env!("CARGO_MANIFEST_DIR")` and the generated tables
/// hold), where the workspace is for this run. They differ when nextest
/// runs tests from an archive in another directory (`--workspace-remap`,
/// which sets `NEXTEST_WORKSPACE_ROOT`); a path outside the workspace, or
/// already in this run's, is left as it is.
pub fn in_workspace(compiled: impl AsRef<Path>) -> PathBuf {
    let compiled = compiled.as_ref();
    match std::env::var_os("NEXTEST_WORKSPACE_ROOT") {
        Some(workspace) => moved(compiled, compiled_workspace(), Path::new(&workspace)),
        None => compiled.to_path_buf(),
    }
}

/// `path` from under `from` to under `to`; as it is when it is not under
/// `from`, or already under `to`.
fn moved(path: &Path, from: &Path, to: &Path) -> PathBuf {
    if path.starts_with(to) {
        return path.to_path_buf();
    }
    match path.strip_prefix(from) {
        Ok(inside) => to.join(inside),
        Err(_) => path.to_path_buf(),
    }
}

/// The binary `name` that cargo built for the running integration test
/// (`compiled` is `env!("CARGO_BIN_EXE_<name>")`): where nextest says it
/// is when it runs tests from an archive, else where cargo built it.
pub fn built_binary(name: &str, compiled: &str) -> PathBuf {
    std::env::var_os(format!("NEXTEST_BIN_EXE_{name}"))
        .map_or_else(|| PathBuf::from(compiled), PathBuf::from)
}

/// Scratch space for a test, shared by the processes of one test run:
/// `work_dir()/tmp/<area>`, created. Unlike `CARGO_TARGET_TMPDIR`, it
/// follows the target directory when tests run from a nextest archive.
pub fn scratch_dir(area: &str) -> std::io::Result<PathBuf> {
    let dir = work_dir().join("tmp").join(area);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_into_the_compiled_workspace_move_to_this_runs() {
        let from = Path::new("/build/ws");
        let to = Path::new("/job/3/ws");
        let moved = |path: &str| super::moved(Path::new(path), from, to);
        assert_eq!(
            moved("/build/ws/specs/tls"),
            Path::new("/job/3/ws/specs/tls")
        );
        assert_eq!(moved("/build/ws"), to);
        // Outside the workspace, or a sibling that shares its name's prefix.
        assert_eq!(moved("/usr/bin/sh"), Path::new("/usr/bin/sh"));
        assert_eq!(moved("/build/ws2/x"), Path::new("/build/ws2/x"));
        // Already moved: a run's workspace may lie inside the compiled one.
        let inside = Path::new("/build/ws/target/part-1/ws");
        assert_eq!(
            super::moved(Path::new("/build/ws/target/part-1/ws/specs"), from, inside),
            Path::new("/build/ws/target/part-1/ws/specs")
        );
    }
}
