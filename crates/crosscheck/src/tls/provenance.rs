//! What each implementation is, exactly, as a run saw it: every TLS shim
//! answers `PROGRAM [ARGS] version` with one line naming its library and
//! version (shims/README.md), asked once per run after provisioning.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::process::Job;
use crate::programs::Resolved;

/// A JVM or an Erlang VM starting cold on a loaded machine.
const VERSION_DEADLINE: Duration = Duration::from_secs(30);

/// An implementation's version line, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Version {
    /// The line the program printed.
    Reported(String),
    /// The program could not be provisioned or did not answer.
    Unavailable(String),
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Reported(line) => f.write_str(line),
            Version::Unavailable(why) => write!(f, "version unknown: {why}"),
        }
    }
}

/// Asks the resolved program for its version.
pub fn version(program: &Resolved) -> Version {
    let finished = Job::new(&program.program, &program.leading_args)
        .arg("version")
        .current_dir(&program.cwd)
        .envs(&program.env)
        .capture_stdout()
        .capture_stderr()
        .deadline(VERSION_DEADLINE)
        .run();
    match finished {
        Ok(finished) if finished.status.success() => {
            let stdout = String::from_utf8_lossy(&finished.stdout);
            match stdout.lines().map(str::trim).find(|line| !line.is_empty()) {
                Some(line) => Version::Reported(line.to_string()),
                None => Version::Unavailable("`version` printed nothing".to_string()),
            }
        }
        Ok(finished) => {
            let stderr = String::from_utf8_lossy(&finished.stderr);
            let last = stderr.lines().last().unwrap_or("").trim();
            Version::Unavailable(format!("`version` failed ({}): {last}", finished.status))
        }
        Err(error) => Version::Unavailable(format!("`version` did not run: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn sh(script: &str) -> Resolved {
        Resolved {
            program: PathBuf::from("sh"),
            leading_args: vec!["-c".to_string(), script.to_string(), "shim".to_string()],
            env: vec![("LIBRARY".to_string(), "demo-tls".to_string())],
            cwd: std::env::temp_dir(),
        }
    }

    #[test]
    fn the_first_line_the_program_prints_is_its_version() {
        let program = sh(r#"test "$1" = version && printf '\n%s 1.2.3\nmore\n' "$LIBRARY""#);
        assert_eq!(
            version(&program),
            Version::Reported("demo-tls 1.2.3".to_string())
        );
    }

    #[test]
    fn a_program_that_cannot_say_is_reported_as_such() {
        let program = sh("echo 'usage: shim client|server CASE PORT' >&2; exit 2");
        let Version::Unavailable(why) = version(&program) else {
            panic!("no version expected");
        };
        assert!(why.contains("usage: shim"), "{why}");
        assert_eq!(
            version(&sh("true")),
            Version::Unavailable("`version` printed nothing".to_string())
        );
    }
}
