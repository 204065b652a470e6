//! BoGo runner throughput: every case against each shim with a program,
//! as `crosscheck bogo run` runs them, in tests per second; and, when
//! BoringSSL's own runner is at hand, the same shim binary and tests under
//! it.
//!
//! `cargo bench --bench bogo_runner [-- [--jobs N] [SHIM[/VARIANT]…]]`
//!
//! Set `CROSSCHECK_UPSTREAM_RUNNER` to the directory of a built upstream
//! runner (BoringSSL's `ssl/test/runner`, holding `runner.test` from
//! `go test -c`) to compare. The upstream runner gets the variant's
//! compiled `-shim-config`, the variant's environment, the same test names,
//! the same number of workers, `-include-disabled` (so it runs what
//! crosscheck runs: declared tests too) and `-allow-unimplemented`. Shims
//! that predate upstream's shim-id protocol cannot run under it; their line
//! says so.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use crosscheck::bogo::run::{self, Selection};
use crosscheck::bogo::{ShimConfig, program};

include!(concat!(env!("OUT_DIR"), "/bogo.rs"));

fn main() -> ExitCode {
    let mut jobs = 2;
    let mut wanted = Vec::new();
    let mut args = std::env::args().skip(1).filter(|arg| arg != "--bench");
    while let Some(arg) = args.next() {
        if arg == "--jobs" {
            match args.next().map(|text| text.parse::<usize>()) {
                Some(Ok(n)) if n > 0 => jobs = n,
                _ => {
                    eprintln!("bogo_runner: error: --jobs needs a positive whole number");
                    return ExitCode::FAILURE;
                }
            }
        } else {
            wanted.push(arg);
        }
    }
    let upstream = std::env::var_os("CROSSCHECK_UPSTREAM_RUNNER").map(PathBuf::from);
    let work = crosscheck::paths::work_dir()
        .join("bench")
        .join("bogo_runner");

    println!(
        "BoGo runner wall time, {} cases, {jobs} workers{}:",
        CASES.len(),
        if upstream.is_some() {
            ", against the upstream runner"
        } else {
            " (set CROSSCHECK_UPSTREAM_RUNNER to compare with the upstream runner)"
        }
    );
    println!(
        "{:<22} {:>6} {:>10} {:>10} {:>10} {:>10}",
        "shim/variant", "tests", "crosscheck", "tests/s", "upstream", "tests/s"
    );
    let mut failed = false;
    for shim in SHIMS.iter().filter(|shim| shim.program.is_some()) {
        for variant in shim.variants.iter() {
            let label = format!("{}/{}", shim.name, variant.name);
            if !wanted.is_empty()
                && !wanted
                    .iter()
                    .any(|name| *name == shim.name || *name == label)
            {
                continue;
            }
            let selection = Selection {
                shims: vec![shim.name.to_string()],
                variants: vec![variant.name.to_string()],
                filter: None,
                include_disabled: true,
                allow_unimplemented: true,
                loose_errors: false,
                jobs,
                logs_dir: work.join("logs"),
                progress: false,
            };
            // Builds (first use) are not part of the figure.
            if let Err(error) = program::resolve(shim, Path::new(ROOT)) {
                eprintln!("bogo_runner: {label}: {error}");
                failed = true;
                continue;
            }
            let started = Instant::now();
            let report = match run::run(SHIMS, CASES, &selection, Path::new(ROOT)) {
                Ok(report) => report,
                Err(error) => {
                    eprintln!("bogo_runner: {label}: {error}");
                    failed = true;
                    continue;
                }
            };
            let ours = started.elapsed();
            let tests = report.lines.len();
            let theirs = upstream
                .as_deref()
                .map(|runner| upstream_run(runner, shim, variant, jobs, &work));
            let (theirs_time, theirs_rate) = match &theirs {
                None => ("-".to_string(), "-".to_string()),
                Some(Ok((elapsed, count))) => (
                    format!("{:.2} s", elapsed.as_secs_f64()),
                    format!("{:.1}", *count as f64 / elapsed.as_secs_f64()),
                ),
                Some(Err(why)) => {
                    eprintln!("  {label}: upstream: {why}");
                    ("n/a".to_string(), "n/a".to_string())
                }
            };
            let theirs_count = match &theirs {
                Some(Ok((_, count))) => format!(" ({count} upstream tests)"),
                _ => String::new(),
            };
            println!(
                "{:<22} {:>6} {:>8.2} s {:>10.1} {:>10} {:>10}{theirs_count}",
                label,
                tests,
                ours.as_secs_f64(),
                tests as f64 / ours.as_secs_f64(),
                theirs_time,
                theirs_rate
            );
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Wall time and test count of the upstream runner on the same shim binary,
/// config and tests.
fn upstream_run(
    runner: &Path,
    shim: &'static ShimConfig,
    variant: &crosscheck::bogo::Variant,
    jobs: usize,
    work: &Path,
) -> Result<(Duration, usize), String> {
    if !shim.runner.protocol.shim_id {
        return Err("the shim predates upstream's -shim-id protocol".to_string());
    }
    let resolved = program::resolve(shim, Path::new(ROOT)).map_err(|error| error.to_string())?;
    if !resolved.leading_args.is_empty() {
        return Err("only shims without leading arguments can run under it".to_string());
    }
    let binary = resolved.program;
    std::fs::create_dir_all(work).map_err(|error| error.to_string())?;
    let config = work.join(format!("{}-{}.json", shim.name, variant.name));
    std::fs::write(&config, &*variant.config_json).map_err(|error| error.to_string())?;
    let tests: Vec<&str> = CASES.iter().map(|case| case.name.as_ref()).collect();
    let results = work.join(format!("{}-{}-upstream.json", shim.name, variant.name));
    let _ = std::fs::remove_file(&results);
    let started = Instant::now();
    let status = Command::new(runner.join("runner.test"))
        .current_dir(runner)
        .args(["-test.run", "^TestAll$", "-shim-path"])
        .arg(&binary)
        .arg("-shim-config")
        .arg(&config)
        .args(["-test", &tests.join(";")])
        .args(["-num-workers", &jobs.to_string()])
        .args(["-include-disabled", "-allow-unimplemented", "-json-output"])
        .arg(&results)
        .envs(variant.env.iter().map(|(name, value)| (&**name, &**value)))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|error| format!("cannot start {}: {error}", runner.display()))?;
    let elapsed = started.elapsed();
    // Failures are expected (declared ones run too); only a crash counts.
    if status.code().is_none() {
        return Err(format!("the upstream runner ended with {status}"));
    }
    // crosscheck's own cases are not upstream tests: count what it ran.
    let results: serde_json::Value = std::fs::read(&results)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| {
            format!(
                "the upstream runner wrote no results to {}",
                results.display()
            )
        })?;
    let ran = results["tests"].as_object().map_or(0, |tests| tests.len());
    Ok((elapsed, ran))
}
