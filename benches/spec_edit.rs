//! How long a one-line spec edit keeps `cargo test` waiting: for each
//! family, append a comment line to one of its spec files and time
//! `cargo test --no-run --test FAMILY` (the debug build a developer runs),
//! then put the file back. Figures are medians of a few edits, after a
//! warm-up build, next to the family's number of generated tests.
//!
//! `cargo bench --bench spec_edit [-- ROUNDS]` (default 3). The file is
//! restored after each edit; a line left by an interrupted run (it carries
//! the marker below) is removed before the next.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const MARKER: &str = "# spec_edit bench: this line is temporary";

/// (test target, the spec file edited).
const FAMILIES: &[(&str, &str)] = &[
    ("app_identity_specs", "specs/app_identity/extra.yaml"),
    ("tls", "specs/tls/cases.yaml"),
    ("bogo", "specs/bogo/basic.yaml"),
];

fn main() -> ExitCode {
    let rounds = std::env::args()
        .skip(1)
        .find(|arg| arg != "--bench")
        .map_or(Ok(3), |arg| arg.parse::<usize>())
        .unwrap_or(0)
        .max(1);
    match run(rounds) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("spec_edit: error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(rounds: usize) -> Result<(), String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for (_, file) in FAMILIES {
        Edit::clean(&root.join(file))?;
    }
    println!("warming up: cargo test --no-run");
    cargo_no_run(&root, None)?;
    println!("one-line edit → `cargo test --no-run --test FAMILY`, median of {rounds} edits:");
    for (family, file) in FAMILIES {
        let path = root.join(file);
        let mut times = Vec::new();
        for round in 0..rounds {
            let edit = Edit::apply(&path, round)?;
            let elapsed = cargo_no_run(&root, Some(family));
            drop(edit);
            times.push(elapsed?);
        }
        // Leave the tree built as it was before the next family.
        cargo_no_run(&root, Some(family))?;
        times.sort();
        let tests = count_tests(&root, family)?;
        println!(
            "  {family:<13} {:>6.2} s  ({tests} tests; edited {file})",
            times[times.len() / 2].as_secs_f64()
        );
    }
    Ok(())
}

fn cargo_no_run(root: &Path, family: Option<&str>) -> Result<Duration, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args(["test", "--no-run", "--quiet", "--locked"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(family) = family {
        command.args(["--test", family]);
    }
    let started = Instant::now();
    let output = command
        .output()
        .map_err(|error| format!("cannot run cargo: {error}"))?;
    let elapsed = started.elapsed();
    if !output.status.success() {
        return Err(format!(
            "cargo test --no-run failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(elapsed)
}

/// The number of tests in a family's target, as `--list` prints them.
fn count_tests(root: &Path, family: &str) -> Result<usize, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .current_dir(root)
        .args([
            "test", "--quiet", "--locked", "--test", family, "--", "--list",
        ])
        .stderr(Stdio::null())
        .output()
        .map_err(|error| format!("cannot run cargo: {error}"))?;
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.ends_with(": test"))
        .count())
}

/// A spec file with one comment line appended, put back when dropped.
struct Edit {
    path: PathBuf,
    original: String,
}

impl Edit {
    fn apply(path: &Path, round: usize) -> Result<Edit, String> {
        let original = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        let edited = format!("{original}{MARKER} ({round})\n");
        std::fs::write(path, edited)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        Ok(Edit {
            path: path.to_path_buf(),
            original,
        })
    }

    /// Removes a line an interrupted run left.
    fn clean(path: &Path) -> Result<(), String> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        if !text.contains(MARKER) {
            return Ok(());
        }
        let kept: String = text
            .lines()
            .filter(|line| !line.starts_with(MARKER))
            .map(|line| format!("{line}\n"))
            .collect();
        std::fs::write(path, kept)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))
    }
}

impl Drop for Edit {
    fn drop(&mut self) {
        if let Err(error) = std::fs::write(&self.path, &self.original) {
            eprintln!("spec_edit: cannot restore {}: {error}", self.path.display());
        }
    }
}
