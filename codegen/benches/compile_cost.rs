//! Compile cost of generated tests: builds a scratch crate whose tests come
//! from N synthetic App Identity cases (through `spec!`), and reports the
//! debug build time per case and the rebuild time after a one-line YAML edit.
//!
//! `cargo bench -p crosscheck-codegen --bench compile_cost [-- N…]`
//! (default N = 1000 10000). Uses `target/compile-cost/` as scratch space.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

const TARGET_PER_CASE_MS: f64 = 1.5;
const TARGET_EDIT_SECONDS: f64 = 5.0;

fn main() -> ExitCode {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|arg| arg.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1_000, 10_000]
    } else {
        sizes
    };
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let workspace = workspace.canonicalize().unwrap_or(workspace);
    let scratch = workspace.join("target/compile-cost");
    match run(&workspace, &scratch, &sizes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("compile_cost: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(workspace: &Path, scratch: &Path, sizes: &[usize]) -> Result<(), String> {
    let project = scratch.join("project");
    write_project(workspace, &project)?;
    // Dependencies (crosscheck, its macros, …) are built once, outside the figures.
    write_cases(&project, 1, 0)?;
    println!("warming up: building dependencies and a 1-case crate…");
    let baseline = build(&project, scratch)?;
    let baseline_again = {
        write_cases(&project, 1, 1)?;
        build(&project, scratch)?
    };
    println!(
        "1 case: {:.2} s (first), {:.2} s (rebuild)",
        baseline.as_secs_f64(),
        baseline_again.as_secs_f64()
    );
    println!();
    println!(
        "{:>7} {:>7} {:>11} {:>13} {:>13} {:>15}",
        "cases", "tests", "build (s)", "ms per case", "ms per test", "1-line edit (s)"
    );
    for &cases in sizes {
        write_cases(&project, cases, 0)?;
        let full = build(&project, scratch)?;
        write_cases(&project, cases, 1)?;
        let edit = build(&project, scratch)?;
        let tests = cases * 4;
        let marginal = full.saturating_sub(baseline_again).as_secs_f64() * 1000.0;
        println!(
            "{cases:>7} {tests:>7} {:>11.2} {:>13.3} {:>13.3} {:>15.2}",
            full.as_secs_f64(),
            marginal / cases as f64,
            marginal / tests as f64,
            edit.as_secs_f64()
        );
    }
    println!();
    println!(
        "ms per case = (build time − 1-case build time) / cases; each case is 4 tests (2 generators × 2 verifiers)"
    );
    println!(
        "target: < {TARGET_PER_CASE_MS} ms per case (debug build); one-line edit rebuild < {TARGET_EDIT_SECONDS} s for 1,000 cases"
    );
    Ok(())
}

fn write_project(workspace: &Path, project: &Path) -> Result<(), String> {
    let specs = project.join("specs/app_identity");
    std::fs::create_dir_all(&specs)
        .map_err(|e| format!("cannot create {}: {e}", specs.display()))?;
    std::fs::create_dir_all(project.join("tests"))
        .map_err(|e| format!("cannot create tests dir: {e}"))?;
    std::fs::create_dir_all(project.join("src"))
        .map_err(|e| format!("cannot create src dir: {e}"))?;
    let root = workspace.display();
    let files = [
        (
            "Cargo.toml".to_string(),
            format!(
                "[package]\nname = \"compile-cost\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
                 [workspace]\n\n[dev-dependencies]\ncrosscheck = {{ path = \"{root}\" }}\ncrosscheck-macros = {{ path = \"{root}/codegen/macros\" }}\n"
            ),
        ),
        ("src/lib.rs".to_string(), String::new()),
        ("tests/generated.rs".to_string(), "crosscheck_macros::spec!(\"specs/app_identity/synthetic.yaml\");\n".to_string()),
        (
            "specs/app_identity/manifest.yaml".to_string(),
            "implementations:\n  - name: rust\n    description: r\n    program:\n      cargo: {package: crosscheck-suite, bin: app-identity-suite-rs}\n  \
             - name: other\n    description: o\n    program:\n      run: [other-suite-tool]\n"
                .to_string(),
        ),
    ];
    for (name, text) in files {
        let path = project.join(&name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// `cases` synthetic cases; `edition` changes one line so a rebuild is an edit.
fn write_cases(project: &Path, cases: usize, edition: usize) -> Result<(), String> {
    let mut yaml = String::new();
    for index in 0..cases {
        let version = index % 4 + 1;
        let expect = if index % 3 == 0 { "fail" } else { "pass" };
        let suffix = if index == 0 && edition > 0 {
            " (edited)"
        } else {
            ""
        };
        let _ = write!(
            yaml,
            "- description: 'Synthetic case {index}{suffix}'\n  spec_version: 4\n  expect: {expect}\n  app:\n    version: {version}\n  proof:\n    version: {version}\n"
        );
    }
    let path = project.join("specs/app_identity/synthetic.yaml");
    std::fs::write(&path, yaml).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn build(project: &Path, scratch: &Path) -> Result<Duration, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let started = Instant::now();
    let output = Command::new(cargo)
        .args(["build", "--tests", "--quiet"])
        .current_dir(project)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let elapsed = started.elapsed();
    if !output.status.success() {
        return Err(format!(
            "build failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(elapsed)
}
