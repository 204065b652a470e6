//! `crosscheck bogo run`: every selected case against every selected shim
//! and variant on a pool of worker threads, one line per test
//! (`PASSED`, `FAILED`, `UNIMPLEMENTED`, `DISABLED`) as upstream's `-pipe`
//! prints them, a summary, and optionally the upstream JSON results. A
//! test the shim's config declares unimplemented or expected to fail is
//! as expected when it is exactly that.

use std::path::{Path, PathBuf};

use go_glob::{Pattern, PatternError};
use thiserror::Error;

use crate::bogo::case::Case;
use crate::bogo::declared;
use crate::bogo::program;
use crate::bogo::results::{ResultType, Results};
use crate::bogo::runner::{self, RunOptions, Verdict};
use crate::bogo::shim_config::{self, ShimConfig};
use crate::expectation::Expectation;
use crate::pool::{self, Progress};
use crate::results::{
    Family, GridDescription, Place, Provenance, RunResults, TestResult, Verdict as TestVerdict,
};

/// The one grid of the family's results.
const GRID: &str = "shim × variant";

/// What to run and how.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Shim names; empty: every shim with a program.
    pub shims: Vec<String>,
    /// Variant names; empty: every variant of each shim.
    pub variants: Vec<String>,
    /// `;`-separated Go globs on the test name, like upstream's `-test`; empty: all.
    pub filter: Option<String>,
    /// Run disabled tests too (`-include-disabled`), for every shim (a shim
    /// may ask for it in its own options).
    pub include_disabled: bool,
    /// Count exit 89 as a pass for every shim (`-allow-unimplemented`).
    pub allow_unimplemented: bool,
    /// Accept any error text (`-loose-errors`).
    pub loose_errors: bool,
    pub jobs: usize,
    pub logs_dir: PathBuf,
    pub progress: bool,
}

/// One test's line.
#[derive(Debug, Clone)]
pub struct Line {
    pub shim: &'static str,
    pub variant: &'static str,
    pub test: &'static str,
    pub status: Status,
    /// What the test must show, as the spec compiler decided from the
    /// shim's config.
    pub expectation: &'static Expectation,
    /// Why the status is not what the config declares, with the details;
    /// `None` when it is.
    pub problem: Option<String>,
    /// The shim's output and the runner's summary; `None`: not run.
    pub log: Option<PathBuf>,
    pub elapsed_ms: Option<f64>,
}

impl Line {
    /// Whether it is unimplemented or failed as its shim's config declares.
    pub fn is_declared_outcome(&self) -> bool {
        self.problem.is_none()
            && matches!(
                self.expectation,
                Expectation::Unsupported(_) | Expectation::Fail(_)
            )
    }

    /// The declared reason of a disabled, unimplemented or expected-to-fail
    /// test, with the entry's glob and location.
    pub fn declared_reason(&self) -> Option<String> {
        let entry = self.expectation.declared().first()?;
        Some(format!(
            "{} ({}, {})",
            entry.reason, entry.name, entry.declared_at
        ))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Passed,
    Failed,
    Unimplemented,
    Disabled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "PASSED",
            Status::Failed => "FAILED",
            Status::Unimplemented => "UNIMPLEMENTED",
            Status::Disabled => "DISABLED",
        }
    }
}

/// The lines in run order plus what the exit status and the JSON need.
#[derive(Debug)]
pub struct RunReport {
    pub lines: Vec<Line>,
    pub started_at: f64,
    /// Per shim: whether 89 counted as a pass.
    allow_unimplemented: Vec<(&'static str, bool)>,
    /// Per shim: its description (what it is and which version).
    descriptions: Vec<(&'static str, &'static str)>,
}

impl RunReport {
    pub fn count(&self, status: Status) -> usize {
        self.lines
            .iter()
            .filter(|line| line.status == status)
            .count()
    }

    /// Tests with this status as the shim's config declares them
    /// (unimplemented or expected to fail).
    pub fn count_declared(&self, status: Status) -> usize {
        self.lines
            .iter()
            .filter(|line| line.status == status && line.is_declared_outcome())
            .count()
    }

    /// Tests whose status is not what the shim's config declares:
    /// failures, unimplemented tests where that is not allowed, and
    /// declared failures that no longer hold.
    pub fn unexpected(&self) -> usize {
        self.lines
            .iter()
            .filter(|line| line.problem.is_some())
            .count()
    }

    fn allows_unimplemented(&self, shim: &str) -> bool {
        self.allow_unimplemented
            .iter()
            .any(|(name, allowed)| *name == shim && *allowed)
    }

    /// The lines in the one result model every family shares: grouped
    /// by `shim/variant`, placed in one shim × variant grid, each shim's
    /// description as its version; log paths relative to `results_dir`
    /// where they are under it.
    pub fn test_results(&self, results_dir: &Path) -> RunResults {
        let mut results = RunResults::new(self.started_at as u64);
        results.implementations = self
            .descriptions
            .iter()
            .map(|(name, description)| Provenance {
                family: Family::Bogo,
                name: name.to_string(),
                version: description.to_string(),
            })
            .collect();
        results.grids.push(GridDescription {
            family: Family::Bogo,
            grid: GRID.to_string(),
            description:
                "each shim in each variant against the BoGo runner; a cell counts its tests"
                    .to_string(),
        });
        results.tests = self
            .lines
            .iter()
            .map(|line| {
                let problem = line.problem.clone();
                let verdict = match (line.status, problem.is_some()) {
                    (Status::Disabled, _) => TestVerdict::Disabled,
                    (Status::Passed, false) => TestVerdict::Pass,
                    (Status::Failed, false) => TestVerdict::DeclaredFailure,
                    (Status::Unimplemented, false) => TestVerdict::Unimplemented,
                    (Status::Failed, true) if matches!(line.expectation, Expectation::Pass) => {
                        TestVerdict::Fail
                    }
                    (_, true) => TestVerdict::NotAsDeclared,
                };
                let group = format!("{}/{}", line.shim, line.variant);
                let detail = problem.or_else(|| line.declared_reason());
                let mut test = TestResult::new(Family::Bogo, &group, line.test, verdict)
                    .with_detail(detail)
                    .at(Place::new(GRID, line.shim, line.variant));
                test.elapsed_ms = line.elapsed_ms;
                test.logs = line
                    .log
                    .iter()
                    .map(|log| {
                        log.strip_prefix(results_dir)
                            .unwrap_or(log)
                            .display()
                            .to_string()
                    })
                    .collect();
                test
            })
            .collect();
        results
    }

    /// Chromium test results (v3), as upstream's `-json-output`; test names
    /// are prefixed `shim/variant/` when several shims or variants ran.
    pub fn results(&self) -> Results {
        let prefixed = self
            .lines
            .iter()
            .any(|line| (line.shim, line.variant) != (self.lines[0].shim, self.lines[0].variant));
        let mut results = Results::new(self.started_at);
        for line in &self.lines {
            let name = if prefixed {
                format!("{}/{}/{}", line.shim, line.variant, line.test)
            } else {
                line.test.to_string()
            };
            let actual = match line.status {
                Status::Passed => ResultType::Pass,
                Status::Failed => ResultType::Fail,
                // As upstream: SKIP, unexpected unless allowed or declared.
                Status::Unimplemented => ResultType::Skip,
                // Upstream neither runs nor counts disabled tests.
                Status::Disabled => continue,
            };
            let expected = match line.expectation {
                Expectation::Unsupported(_) => ResultType::Skip,
                Expectation::Fail(_) => ResultType::Fail,
                Expectation::Pass | Expectation::Disabled(_) => match line.status {
                    Status::Unimplemented if self.allows_unimplemented(line.shim) => {
                        ResultType::Skip
                    }
                    _ => ResultType::Pass,
                },
            };
            results.add_expected(&name, actual, expected, line.problem.clone());
        }
        results
    }
}

/// A (shim, variant, case) to run or to report as disabled.
#[derive(Clone, Copy)]
struct Job {
    shim: &'static ShimConfig,
    variant: usize,
    case: &'static Case,
    expectation: &'static Expectation,
    /// Disabled and not included: reported, not run.
    skip: bool,
}

/// Why a selection cannot run.
#[derive(Debug, Error)]
pub enum Error {
    #[error("bad test filter `{glob}`: {source}")]
    Filter { glob: String, source: PatternError },
    #[error("unknown shim `{name}`; shims with a program: {}", runnable.join(", "))]
    UnknownShim {
        name: String,
        runnable: Vec<&'static str>,
    },
    #[error(
        "shim `{shim}` has none of the variants {}; it has: {}",
        wanted.join(", "),
        known.join(", ")
    )]
    NoVariant {
        shim: &'static str,
        wanted: Vec<String>,
        known: Vec<&'static str>,
    },
    #[error(transparent)]
    Config(#[from] shim_config::Error),
    #[error("no tests run: the filter matches no case")]
    NoTests,
    #[error(transparent)]
    Program(#[from] program::Error),
}

/// Runs the selection; `root` is the workspace root (for building shims).
pub fn run(
    shims: &'static [ShimConfig],
    cases: &'static [Case],
    selection: &Selection,
    root: &Path,
) -> Result<RunReport, Error> {
    let filter = compile_filter(selection.filter.as_deref())?;
    let chosen = choose_shims(shims, &selection.shims)?;
    let mut jobs = Vec::new();
    for shim in &chosen {
        for variant in choose_variants(shim, &selection.variants)? {
            for case in cases.iter().filter(|case| matches(&filter, &case.name)) {
                let expectation = shim.variants[variant].expectation(&case.name);
                jobs.push(Job {
                    shim,
                    variant,
                    case,
                    expectation,
                    skip: matches!(expectation, Expectation::Disabled(_))
                        && !(selection.include_disabled || shim.runner.include_disabled),
                });
            }
        }
    }
    if jobs.is_empty() {
        return Err(Error::NoTests);
    }
    let programs = chosen
        .iter()
        .map(|shim| program::resolve(shim, root).map(|program| (&*shim.name, program)))
        .collect::<Result<Vec<_>, _>>()?;

    let started_at = crate::results::unix_now();
    let progress = Progress::new(jobs.len(), "tests", selection.progress);
    let lines = pool::run_all(&jobs, selection.jobs, &progress, |job, progress| {
        let program = programs
            .iter()
            .find(|(name, _)| *name == job.shim.name)
            .map(|(_, program)| program);
        let line = run_job(*job, program, selection);
        progress.step(line.test);
        if line.problem.is_some() {
            progress.note(&format!(
                "FAILED ({}/{}/{})",
                line.shim, line.variant, line.test
            ));
        }
        line
    });
    let lines = lines
        .into_iter()
        .zip(&jobs)
        .map(|(line, job)| {
            line.unwrap_or_else(|| Line {
                shim: &job.shim.name,
                variant: &job.shim.variants[job.variant].name,
                test: job.case.name.as_ref(),
                status: Status::Failed,
                expectation: job.expectation,
                problem: Some("the runner lost this test's result".into()),
                log: None,
                elapsed_ms: None,
            })
        })
        .collect();
    Ok(RunReport {
        lines,
        started_at,
        allow_unimplemented: chosen
            .iter()
            .map(|shim| {
                (
                    &*shim.name,
                    selection.allow_unimplemented || shim.runner.allow_unimplemented,
                )
            })
            .collect(),
        descriptions: chosen
            .iter()
            .map(|shim| (&*shim.name, &*shim.description))
            .collect(),
    })
}

fn run_job(job: Job, program: Option<&runner::Shim>, selection: &Selection) -> Line {
    let variant = &job.shim.variants[job.variant];
    let mut line = Line {
        shim: &job.shim.name,
        variant: &variant.name,
        test: job.case.name.as_ref(),
        status: Status::Disabled,
        expectation: job.expectation,
        problem: None,
        log: None,
        elapsed_ms: None,
    };
    if job.skip {
        return line;
    }
    let _slot = crate::cpu_slots::acquire();
    let Some(program) = program else {
        line.status = Status::Failed;
        line.problem = Some(format!("shim `{}` has no program", job.shim.name));
        return line;
    };
    let program = program.clone().with_env(&variant.env);
    let mut options = RunOptions {
        logs_dir: selection.logs_dir.join(&*variant.name),
        ..RunOptions::default()
    }
    .with_shim_options(job.shim.runner);
    options.loose_errors |= selection.loose_errors;
    options.allow_unimplemented |= selection.allow_unimplemented;
    let outcome = runner::run(&program, job.case, variant, &options);
    line.status = match &outcome.verdict {
        Verdict::Passed => Status::Passed,
        Verdict::Unimplemented => Status::Unimplemented,
        Verdict::Failed(_) => Status::Failed,
    };
    line.problem = declared::hold(job.expectation, &outcome).err();
    line.log = Some(outcome.log.clone());
    line.elapsed_ms = Some(outcome.elapsed.as_secs_f64() * 1000.0);
    line
}

fn compile_filter(filter: Option<&str>) -> Result<Vec<Pattern>, Error> {
    filter
        .unwrap_or_default()
        .split(';')
        .filter(|glob| !glob.is_empty())
        .map(|glob| {
            Pattern::new(glob).map_err(|source| Error::Filter {
                glob: glob.to_string(),
                source,
            })
        })
        .collect()
}

fn matches(filter: &[Pattern], name: &str) -> bool {
    filter.is_empty() || filter.iter().any(|glob| glob.matches(name))
}

fn choose_shims(
    shims: &'static [ShimConfig],
    wanted: &[String],
) -> Result<Vec<&'static ShimConfig>, Error> {
    let runnable: Vec<&ShimConfig> = shims.iter().filter(|shim| shim.program.is_some()).collect();
    if wanted.is_empty() {
        return Ok(runnable);
    }
    wanted
        .iter()
        .map(|name| {
            runnable
                .iter()
                .copied()
                .find(|shim| shim.name == name.as_str())
                .ok_or_else(|| Error::UnknownShim {
                    name: name.clone(),
                    runnable: runnable.iter().map(|shim| &*shim.name).collect(),
                })
        })
        .collect()
}

fn choose_variants(shim: &'static ShimConfig, wanted: &[String]) -> Result<Vec<usize>, Error> {
    if wanted.is_empty() {
        return Ok((0..shim.variants.len()).collect());
    }
    let chosen: Vec<usize> = (0..shim.variants.len())
        .filter(|&index| wanted.iter().any(|name| *name == shim.variants[index].name))
        .collect();
    if chosen.is_empty() {
        return Err(Error::NoVariant {
            shim: &shim.name,
            wanted: wanted.to_vec(),
            known: shim.variants.iter().map(|variant| &*variant.name).collect(),
        });
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(test: &'static str, status: Status, problem: Option<&str>) -> Line {
        Line {
            shim: "demo",
            variant: "default",
            test,
            status,
            expectation: &Expectation::Pass,
            problem: problem.map(str::to_string),
            log: None,
            elapsed_ms: None,
        }
    }

    #[test]
    fn an_unimplemented_test_is_a_skip_unexpected_unless_allowed_as_upstream_says() {
        let report = |allowed: bool| RunReport {
            lines: vec![
                line("Implemented", Status::Passed, None),
                line(
                    "Missing",
                    Status::Unimplemented,
                    (!allowed).then_some("the shim answered 89"),
                ),
            ],
            started_at: 0.0,
            allow_unimplemented: vec![("demo", allowed)],
            descriptions: vec![("demo", "a demo shim")],
        };
        for allowed in [false, true] {
            let json = serde_json::to_value(report(allowed).results()).unwrap();
            let missing = &json["tests"]["Missing"];
            assert_eq!(missing["actual"], "SKIP");
            assert_eq!(missing["expected"], if allowed { "SKIP" } else { "PASS" });
            assert_eq!(missing["is_unexpected"], !allowed);
        }
    }
}
