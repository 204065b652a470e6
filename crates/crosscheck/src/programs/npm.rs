//! npm packages pinned by a committed lock file, installed once per machine.
//!
//! A package directory's `package.json` and `package-lock.json` are copied
//! into [`paths::cache_dir`] under `npm/<name>-<key>`, where the key hashes
//! both manifests, and installed there with `npm ci` as a [`BuildOnce`]
//! step: every checkout and test process on the machine shares the install,
//! and a changed lock file makes a new one.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::paths;
use crate::process::{Job, ProcessError};
use crate::programs::{BuildOnce, Error, Fingerprint, fresh_dir, once_per_process};

pub const INSTALL_DEADLINE: Duration = Duration::from_secs(5 * 60);

const MANIFESTS: [&str; 2] = ["package.json", "package-lock.json"];

/// The command `bin` of the package in `package_dir`, installed first if
/// this machine has no install of its current manifests.
pub fn program(package_dir: &Path, bin: &str) -> Result<PathBuf, Error> {
    install(
        OsStr::new("npm"),
        &paths::cache_dir().join("npm"),
        package_dir,
        bin,
    )
}

/// [`program`] with a chosen npm executable and install root.
fn install(npm: &OsStr, installs: &Path, package_dir: &Path, bin: &str) -> Result<PathBuf, Error> {
    let key = manifests_key(package_dir)?;
    let name = package_dir.file_name().map_or_else(
        || bin.to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    let stem = format!("{name}-{}", &key[..16]);
    let step_name = format!("`npm ci` for {}", package_dir.display());
    let (step, output) = BuildOnce::keyed(&step_name, installs, &stem, key, INSTALL_DEADLINE);
    let command = output.join("node_modules").join(".bin").join(bin);
    once_per_process(&format!("npm {}", output.display()), || {
        // From the manifests as they are now.
        let fresh_output = || {
            fresh_dir(&output)?;
            for file in MANIFESTS {
                copy(&package_dir.join(file), &output.join(file))?;
            }
            Ok(())
        };
        let job = Job::new(npm, ["ci", "--no-audit", "--no-fund"])
            .current_dir(&output)
            .env("npm_config_update_notifier", "false");
        step.run(fresh_output, job).map_err(npm_missing)?;
        Ok(output.clone())
    })?;
    if command.is_file() {
        Ok(command)
    } else {
        Err(Error::NoNpmCommand {
            bin: bin.to_string(),
            path: command,
            package_json: package_dir.join("package.json"),
        })
    }
}

/// A hash of both manifests: their names and contents.
fn manifests_key(package_dir: &Path) -> Result<String, Error> {
    let mut fingerprint = Fingerprint::default();
    for file in MANIFESTS {
        fingerprint.file(package_dir, Path::new(file))?;
    }
    Ok(fingerprint.finish())
}

fn copy(from: &Path, to: &Path) -> Result<(), Error> {
    fs::copy(from, to).map(drop).map_err(|source| Error::Write {
        path: to.to_path_buf(),
        source,
    })
}

/// npm not being there is a setup step to name, not a failed install.
fn npm_missing(error: Error) -> Error {
    match error {
        Error::DidNotRun {
            source: ProcessError::NotFound { path, .. },
            ..
        } => Error::NpmMissing { path },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    fn fixture() -> PathBuf {
        crate::paths::in_workspace(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/npm-is-number")
    }

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
        package: PathBuf,
        installs: PathBuf,
        npm: PathBuf,
    }

    impl FakeSetup {
        fn install(&self) -> Result<PathBuf, Error> {
            install(self.npm.as_os_str(), &self.installs, &self.package, "tool")
        }

        /// Every line the fake npm printed, across all install logs.
        fn npm_runs(&self) -> usize {
            let mut runs = 0;
            for entry in fs::read_dir(&self.installs).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|extension| extension == "log") {
                    let log = fs::read_to_string(&path).unwrap();
                    runs += log.lines().filter(|line| line.starts_with("ran ")).count();
                }
            }
            runs
        }
    }

    /// A package directory and a fake npm running `npm_body`.
    fn fake_setup(npm_body: &str) -> FakeSetup {
        let temp = tempfile::tempdir().unwrap();
        let package = temp.path().join("fake");
        fs::create_dir(&package).unwrap();
        fs::write(package.join("package.json"), "{}").unwrap();
        fs::write(package.join("package-lock.json"), "{}").unwrap();
        let npm = temp.path().join("fake-npm");
        write_executable(&npm, &format!("#!/bin/sh\n{npm_body}\n"));
        FakeSetup {
            installs: temp.path().join("installs"),
            package,
            npm,
            _temp: temp,
        }
    }

    const INSTALLS_TOOL: &str = r#"test -f package-lock.json || exit 9
mkdir -p node_modules/.bin
printf '#!/bin/sh\n' > node_modules/.bin/tool
echo "ran $*""#;

    fn from_threads(
        threads: usize,
        install: impl Fn() -> Result<PathBuf, Error> + Sync,
    ) -> Vec<PathBuf> {
        thread::scope(|scope| {
            let handles: Vec<_> = (0..threads).map(|_| scope.spawn(&install)).collect();
            handles
                .into_iter()
                .map(|handle| handle.join().unwrap().unwrap())
                .collect()
        })
    }

    #[test]
    fn concurrent_callers_install_once_and_a_changed_lock_file_again() {
        let setup = fake_setup(INSTALLS_TOOL);
        let paths = from_threads(4, || setup.install());
        assert!(paths.iter().all(|path| *path == paths[0]), "{paths:?}");
        assert!(paths[0].ends_with("node_modules/.bin/tool"), "{paths:?}");
        assert_eq!(setup.npm_runs(), 1);
        assert_eq!(setup.install().unwrap(), paths[0]);
        assert_eq!(setup.npm_runs(), 1);

        fs::write(setup.package.join("package-lock.json"), "{\"v\":2}").unwrap();
        let changed = from_threads(2, || setup.install());
        assert_ne!(changed[0], paths[0]);
        assert_eq!(setup.npm_runs(), 2);
        let install_dir = changed[0].ancestors().nth(3).unwrap();
        let copied = fs::read_to_string(install_dir.join("package-lock.json")).unwrap();
        assert_eq!(copied, "{\"v\":2}");
    }

    #[test]
    fn a_failed_install_reports_its_status_and_log_and_leaves_no_marker() {
        let setup = fake_setup("echo 'npm error something broke'\nexit 7");
        let error = setup.install().unwrap_err();
        let message = error.to_string();
        assert!(matches!(error.first(), Error::Failed { .. }), "{message}");
        assert!(message.contains("exit status: 7"), "{message}");
        assert!(message.contains("npm error something broke"), "{message}");
        let markers = fs::read_dir(&setup.installs)
            .unwrap()
            .filter(|entry| entry.as_ref().unwrap().path().join(".complete").exists())
            .count();
        assert_eq!(markers, 0);
    }

    #[test]
    fn a_missing_command_after_install_names_the_package_json() {
        let setup = fake_setup("true");
        let error = setup.install().unwrap_err();
        assert!(
            matches!(error.first(), Error::NoNpmCommand { .. }),
            "{error}"
        );
        assert!(error.to_string().contains("package.json"), "{error}");
    }

    #[test]
    fn missing_npm_asks_for_node() {
        let mut setup = fake_setup("true");
        setup.npm = PathBuf::from("/nonexistent/bin/npm");
        let error = setup.install().unwrap_err();
        assert!(matches!(error.first(), Error::NpmMissing { .. }), "{error}");
        assert!(
            error.to_string().contains("install Node.js 20+ and npm"),
            "{error}"
        );
    }

    #[test]
    fn a_missing_manifest_is_named() {
        let setup = fake_setup("true");
        fs::remove_file(setup.package.join("package-lock.json")).unwrap();
        let error = setup.install().unwrap_err();
        assert!(matches!(error.first(), Error::Read { .. }), "{error}");
        assert!(error.to_string().contains("package-lock.json"), "{error}");
    }

    /// Uses the real npm and registry.
    #[test]
    fn installs_a_real_package_once() {
        let temp = tempfile::tempdir().unwrap();
        let npm = OsStr::new("npm");
        let fixture = &fixture();
        let paths = from_threads(4, || install(npm, temp.path(), fixture, "mkdirp"));
        assert!(paths.iter().all(|path| *path == paths[0]));
        let install_dir = paths[0].ancestors().nth(3).unwrap();
        assert!(
            install_dir
                .join("node_modules/is-number/index.js")
                .is_file()
        );
        assert_eq!(
            install(npm, temp.path(), fixture, "mkdirp").unwrap(),
            paths[0]
        );
    }

    #[test]
    fn an_unreadable_cache_is_an_error_not_a_panic() {
        let setup = fake_setup(INSTALLS_TOOL);
        fs::write(&setup.installs, "a file where the directory should be").unwrap();
        let error = setup.install().unwrap_err();
        assert!(
            matches!(error.first(), Error::Create { .. } | Error::Open { .. }),
            "{error}"
        );
    }
}
