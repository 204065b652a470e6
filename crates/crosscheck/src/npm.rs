//! Installs pinned npm packages on first use.
//!
//! A tool's committed `package.json` and `package-lock.json` are copied into
//! its own directory under an install root and installed with `npm ci`. A
//! marker holding a hash of both manifests makes later calls no-ops; an
//! exclusive file lock makes concurrent callers (threads or test processes)
//! wait for a single install.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::process::{Job, ProcessError, log_tail};

pub const INSTALL_DEADLINE: Duration = Duration::from_secs(5 * 60);

const MANIFESTS: [&str; 2] = ["package.json", "package-lock.json"];
const MARKER: &str = ".manifest-sha256";
const LOG: &str = "npm-install.log";
const LOG_TAIL_LINES: usize = 20;

/// Install directories known to be up to date in this process, with the
/// manifest hash they were installed from.
static INSTALLED: Mutex<BTreeMap<PathBuf, String>> = Mutex::new(BTreeMap::new());

/// An npm-distributed command-line tool pinned by a committed lock file.
#[derive(Debug, Clone)]
pub struct NpmTool {
    name: String,
    manifest_dir: PathBuf,
    bin: String,
    npm: OsString,
}

#[derive(Debug, Error)]
pub enum NpmError {
    #[error("npm tool name `{0}` must be a single, plain directory name")]
    InvalidName(String),
    #[error("cannot read {path}: {source}")]
    Manifest {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("npm not found (PATH={path}); install Node.js 20+ and npm")]
    NpmNotFound { path: String },
    #[error("`npm ci` for {name} failed with {status}; {log_tail}")]
    InstallFailed {
        name: String,
        status: ExitStatus,
        log_tail: String,
    },
    #[error("`npm ci` for {name} did not finish within {deadline:?}; {log_tail}")]
    TimedOut {
        name: String,
        deadline: Duration,
        log_tail: String,
    },
    #[error(
        "`{bin}` is missing at {} after `npm ci` for {name}; does {} depend on the package that provides it?",
        .path.display(), .package_json.display()
    )]
    BinMissing {
        name: String,
        bin: String,
        path: PathBuf,
        package_json: PathBuf,
    },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Process(ProcessError),
}

fn io_error(context: impl Into<String>) -> impl FnOnce(io::Error) -> NpmError {
    let context = context.into();
    move |source| NpmError::Io { context, source }
}

impl NpmTool {
    /// `manifest_dir` holds the committed `package.json` and
    /// `package-lock.json`; `bin` is the command in `node_modules/.bin`.
    pub fn new(name: &str, manifest_dir: &Path, bin: &str) -> Self {
        Self {
            name: name.to_string(),
            manifest_dir: manifest_dir.to_path_buf(),
            bin: bin.to_string(),
            npm: OsString::from("npm"),
        }
    }

    /// The npm executable to run instead of `npm` from PATH.
    pub fn npm_program(mut self, npm: impl Into<OsString>) -> Self {
        self.npm = npm.into();
        self
    }

    /// Where the tool is installed: `install_root/<name>`.
    pub fn install_dir(&self, install_root: &Path) -> PathBuf {
        install_root.join(&self.name)
    }

    /// Installs the tool unless an install from identical manifests is
    /// already there, and returns the path of its `node_modules/.bin` command.
    pub fn ensure_installed(&self, install_root: &Path) -> Result<PathBuf, NpmError> {
        self.check_name()?;
        let manifests = self.read_manifests()?;
        let hash = manifest_hash(&manifests);
        let dir = self.install_dir(install_root);
        let bin = dir.join("node_modules").join(".bin").join(&self.bin);

        let cached = INSTALLED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&dir)
            .is_some_and(|installed| *installed == hash);
        if cached && bin.exists() {
            return Ok(bin);
        }

        fs::create_dir_all(&dir).map_err(io_error(format!("cannot create {}", dir.display())))?;
        let lock_path = install_root.join(format!("{}.lock", self.name));
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_error(format!("cannot open {}", lock_path.display())))?;
        lock.lock()
            .map_err(io_error(format!("cannot lock {}", lock_path.display())))?;

        let marker = dir.join(MARKER);
        let up_to_date = fs::read_to_string(&marker).is_ok_and(|installed| installed == hash);
        if !(up_to_date && bin.exists()) {
            self.install(&dir, &manifests, &marker, &hash, &bin)?;
        }
        INSTALLED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(dir, hash);
        // Dropping `lock` closes the file, which releases the lock.
        drop(lock);
        Ok(bin)
    }

    fn check_name(&self) -> Result<(), NpmError> {
        let plain = !self.name.is_empty()
            && self.name != "."
            && self.name != ".."
            && !self.name.contains(['/', '\\', '\0']);
        if plain {
            Ok(())
        } else {
            Err(NpmError::InvalidName(self.name.clone()))
        }
    }

    fn read_manifests(&self) -> Result<Vec<(&'static str, Vec<u8>)>, NpmError> {
        MANIFESTS
            .iter()
            .map(|file| {
                let path = self.manifest_dir.join(file);
                fs::read(&path)
                    .map(|content| (*file, content))
                    .map_err(|source| NpmError::Manifest { path, source })
            })
            .collect()
    }

    /// Runs with the install lock held.
    fn install(
        &self,
        dir: &Path,
        manifests: &[(&str, Vec<u8>)],
        marker: &Path,
        hash: &str,
        bin: &Path,
    ) -> Result<(), NpmError> {
        // An interrupted install must not look finished.
        match fs::remove_file(marker) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => {
                return Err(io_error(format!("cannot remove {}", marker.display()))(
                    error,
                ));
            }
            _ => {}
        }
        for (file, content) in manifests {
            let path = dir.join(file);
            fs::write(&path, content)
                .map_err(io_error(format!("cannot write {}", path.display())))?;
        }

        let log = dir.join(LOG);
        let finished = Job::new(&self.npm, ["ci", "--no-audit", "--no-fund"])
            .current_dir(dir)
            .env("npm_config_update_notifier", "false")
            .log_to(&log)
            .deadline(INSTALL_DEADLINE)
            .run()
            .map_err(|error| match error {
                ProcessError::NotFound { path, .. } => NpmError::NpmNotFound { path },
                ProcessError::TimedOut { deadline, .. } => NpmError::TimedOut {
                    name: self.name.clone(),
                    deadline,
                    log_tail: log_tail(&log, LOG_TAIL_LINES),
                },
                other => NpmError::Process(other),
            })?;
        if !finished.status.success() {
            return Err(NpmError::InstallFailed {
                name: self.name.clone(),
                status: finished.status,
                log_tail: log_tail(&log, LOG_TAIL_LINES),
            });
        }
        if !bin.exists() {
            return Err(NpmError::BinMissing {
                name: self.name.clone(),
                bin: self.bin.clone(),
                path: bin.to_path_buf(),
                package_json: self.manifest_dir.join("package.json"),
            });
        }

        let partial = dir.join(format!("{MARKER}.partial"));
        fs::write(&partial, hash)
            .map_err(io_error(format!("cannot write {}", partial.display())))?;
        fs::rename(&partial, marker).map_err(io_error(format!("cannot write {}", marker.display())))
    }
}

/// SHA-256 over each manifest's name, length and content, in hex.
fn manifest_hash(manifests: &[(&str, Vec<u8>)]) -> String {
    let mut hasher = Sha256::new();
    for (file, content) in manifests {
        hasher.update(file.as_bytes());
        hasher.update([0]);
        hasher.update((content.len() as u64).to_le_bytes());
        hasher.update(content);
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    const FIXTURE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/npm-is-number"
    );

    /// Written by a child process, so no descriptor open for writing can
    /// leak into a concurrently forked child and make exec fail with ETXTBSY.
    fn write_executable(path: &Path, script: &str) {
        let finished = Job::new("sh", ["-c", r#"cat > "$1" && chmod +x "$1""#, "sh"])
            .arg(path)
            .stdin_bytes(script.as_bytes().to_vec())
            .run()
            .unwrap();
        assert!(finished.status.success());
    }

    struct FakeSetup {
        _temp: tempfile::TempDir,
        manifests: PathBuf,
        root: PathBuf,
        npm: PathBuf,
    }

    /// A manifest directory and a fake npm running `npm_body`.
    fn fake_setup(npm_body: &str) -> FakeSetup {
        let temp = tempfile::tempdir().unwrap();
        let manifests = temp.path().join("manifests");
        fs::create_dir(&manifests).unwrap();
        fs::write(manifests.join("package.json"), "{}").unwrap();
        fs::write(manifests.join("package-lock.json"), "{}").unwrap();
        let npm = temp.path().join("fake-npm");
        write_executable(&npm, &format!("#!/bin/sh\n{npm_body}\n"));
        FakeSetup {
            root: temp.path().join("root"),
            manifests,
            npm,
            _temp: temp,
        }
    }

    const INSTALLS_TOOL: &str = r#"test -f package-lock.json || exit 9
sleep 0.2
mkdir -p node_modules/.bin
printf '#!/bin/sh\n' > node_modules/.bin/tool
echo "installed with $*""#;

    fn npm_runs(log: &Path, header: &str) -> usize {
        fs::read_to_string(log)
            .unwrap_or_default()
            .lines()
            .filter(|line| *line == header)
            .count()
    }

    fn ensure_from_threads(tool: &NpmTool, root: &Path, threads: usize) -> Vec<PathBuf> {
        thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| scope.spawn(|| tool.ensure_installed(root)))
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().unwrap().unwrap())
                .collect()
        })
    }

    #[test]
    fn concurrent_callers_install_once() {
        let setup = fake_setup(INSTALLS_TOOL);
        let tool = NpmTool::new("fake", &setup.manifests, "tool").npm_program(&setup.npm);
        let paths = ensure_from_threads(&tool, &setup.root, 4);
        let expected = setup.root.join("fake/node_modules/.bin/tool");
        assert!(paths.iter().all(|path| *path == expected), "{paths:?}");

        let log = setup.root.join("fake").join(LOG);
        let header = format!("$ {} ci --no-audit --no-fund", setup.npm.display());
        assert_eq!(npm_runs(&log, &header), 1);
        assert_eq!(tool.ensure_installed(&setup.root).unwrap(), expected);
        assert_eq!(npm_runs(&log, &header), 1);

        // A changed lock file is installed again, once.
        fs::write(setup.manifests.join("package-lock.json"), "{\"v\":2}").unwrap();
        ensure_from_threads(&tool, &setup.root, 2);
        assert_eq!(npm_runs(&log, &header), 2);
        let copied = fs::read_to_string(setup.root.join("fake/package-lock.json")).unwrap();
        assert_eq!(copied, "{\"v\":2}");
    }

    #[test]
    fn failed_install_reports_status_and_log_tail_and_is_retried() {
        let setup = fake_setup("echo 'npm error something broke'\nexit 7");
        let tool = NpmTool::new("broken", &setup.manifests, "tool").npm_program(&setup.npm);
        let error = tool.ensure_installed(&setup.root).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, NpmError::InstallFailed { .. }), "{message}");
        assert!(message.contains("exit status: 7"), "{message}");
        assert!(message.contains("last "), "{message}");
        assert!(message.contains("npm error something broke"), "{message}");
        assert!(!setup.root.join("broken").join(MARKER).exists());
        assert!(tool.ensure_installed(&setup.root).is_err());
        let log = fs::read_to_string(setup.root.join("broken").join(LOG)).unwrap();
        assert_eq!(log.matches("something broke").count(), 2);
    }

    #[test]
    fn missing_bin_after_install_is_reported() {
        let setup = fake_setup("true");
        let tool = NpmTool::new("nobin", &setup.manifests, "tool").npm_program(&setup.npm);
        let error = tool.ensure_installed(&setup.root).unwrap_err();
        assert!(matches!(error, NpmError::BinMissing { .. }), "{error}");
        assert!(error.to_string().contains("package.json"), "{error}");
    }

    #[test]
    fn missing_npm_asks_for_node() {
        let setup = fake_setup("true");
        let tool =
            NpmTool::new("nonpm", &setup.manifests, "tool").npm_program("/nonexistent/bin/npm");
        let error = tool.ensure_installed(&setup.root).unwrap_err();
        assert!(matches!(error, NpmError::NpmNotFound { .. }), "{error}");
        assert!(
            error.to_string().contains("install Node.js 20+ and npm"),
            "{error}"
        );
    }

    #[test]
    fn missing_manifest_and_bad_names_are_errors() {
        let temp = tempfile::tempdir().unwrap();
        let tool = NpmTool::new("empty", temp.path(), "tool");
        let error = tool.ensure_installed(temp.path()).unwrap_err();
        assert!(matches!(error, NpmError::Manifest { .. }), "{error}");
        assert!(error.to_string().contains("package.json"), "{error}");
        for name in ["", "..", "a/b"] {
            let error = NpmTool::new(name, temp.path(), "tool")
                .ensure_installed(temp.path())
                .unwrap_err();
            assert!(matches!(error, NpmError::InvalidName(_)), "{error}");
        }
    }

    #[test]
    fn hash_depends_on_content_and_file_boundaries() {
        let hash = |a: &str, b: &str| {
            manifest_hash(&[("package.json", a.into()), ("package-lock.json", b.into())])
        };
        assert_eq!(hash("{}", "{}").len(), 64);
        assert_eq!(hash("{}", "{}"), hash("{}", "{}"));
        assert_ne!(hash("{}", "{}"), hash("{} ", "{}"));
        assert_ne!(hash("ab", "c"), hash("a", "bc"));
    }

    /// Uses the real npm and registry.
    #[test]
    fn installs_a_real_package_once() {
        let temp = tempfile::tempdir().unwrap();
        let tool = NpmTool::new("is-number", Path::new(FIXTURE), "mkdirp");
        let paths = ensure_from_threads(&tool, temp.path(), 4);
        let dir = temp.path().join("is-number");
        assert!(
            paths
                .iter()
                .all(|path| *path == dir.join("node_modules/.bin/mkdirp"))
        );
        assert!(dir.join("node_modules/is-number/index.js").is_file());
        assert!(paths[0].exists());

        let log = dir.join(LOG);
        let header = "$ npm ci --no-audit --no-fund";
        assert_eq!(npm_runs(&log, header), 1);
        tool.ensure_installed(temp.path()).unwrap();
        assert_eq!(npm_runs(&log, header), 1);
    }
}
