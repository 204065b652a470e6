//! Running each suite tool once per run and sharing the results: every
//! generator builds its suite once, every verifier checks each suite and
//! the canaries once (a run is a process under `cargo test`, and every
//! process of a nextest run: `run_store`).

use std::collections::HashMap;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use app_identity::suite::{Suite, SuiteError};
use thiserror::Error;

use crate::app_identity::canaries::{self, CanaryError, CanarySuite, Vetting};
use crate::app_identity::run_store::{self, StoreError};
use crate::app_identity::{Family, Implementation};
use crate::process::{Job, ProcessError, log_tail};
use crate::programs::{self, Resolved};
use crate::tap;

const GENERATE_DEADLINE: Duration = Duration::from_secs(120);
const VERIFY_DEADLINE: Duration = Duration::from_secs(120);
/// Lines of a tool's log shown with its failure.
const LOG_TAIL_LINES: usize = 20;

/// Why a suite tool's run gave no result. Shared by every test that needs
/// the run, so it is handed out behind an `Arc`.
#[derive(Debug, Error)]
pub enum RunError {
    #[error("{name}: {source}")]
    Provision {
        name: String,
        #[source]
        source: programs::Error,
    },
    #[error("{name} {role}: {source}")]
    DidNotRun {
        name: String,
        role: &'static str,
        #[source]
        source: ProcessError,
    },
    #[error("{name} generator failed: it {}\n{log_tail}", exited(status))]
    GeneratorFailed {
        name: String,
        status: ExitStatus,
        log_tail: String,
    },
    #[error("{name} generator wrote an unreadable suite: {source}\n{log_tail}")]
    UnreadableSuite {
        name: String,
        #[source]
        source: SuiteError,
        log_tail: String,
    },
    #[error("{name} verifier printed unreadable TAP: {source}\n{log_tail}")]
    UnreadableTap {
        name: String,
        #[source]
        source: tap::ParseError,
        log_tail: String,
    },
    #[error(
        "{name} verifier {} for a suite of {tests} tests, and {}\n{log_tail}",
        planned.map_or("printed no TAP plan".to_string(), |count| format!("planned {count} tests")),
        exited(status)
    )]
    WrongPlan {
        name: String,
        planned: Option<usize>,
        tests: usize,
        status: ExitStatus,
        log_tail: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot serialise {}: {source}", path.display())]
    Serialise {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot create {}: {source}", path.display())]
    Create {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Each generator's reason, in the order they were tried.
    #[error("{}", join(problems))]
    NoCanarySource { problems: Vec<SourceProblem> },
    #[error("cannot build the canaries: {source}")]
    Canaries {
        #[source]
        source: Box<RunError>,
    },
    #[error(
        "the canaries could not vet the {name} verifier, so its verdicts do not count: {source}"
    )]
    NotVetted {
        name: String,
        #[source]
        source: Arc<RunError>,
    },
    #[error(
        "the canaries could not vet the {name} verifier, so its verdicts do not count: the verifier {source}\n{log_tail}"
    )]
    CanaryAnswers {
        name: String,
        #[source]
        source: CanaryError,
        log_tail: String,
    },
}

/// How a process ended, as the end of a sentence: "exited with status 127",
/// "was killed by signal 9".
fn exited(status: &ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        (None, None) => status.to_string(),
    }
}

/// Why one generator's suite gave no canaries.
#[derive(Debug, Error)]
pub enum SourceProblem {
    #[error(transparent)]
    Generator(Arc<RunError>),
    #[error("the {generator} generator's suite ({}): {source}", suite.display())]
    Suite {
        generator: String,
        suite: PathBuf,
        #[source]
        source: CanaryError,
    },
}

fn join(problems: &[SourceProblem]) -> String {
    let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
    problems.join("; ")
}

/// A verifier's run as the run store keeps it.
#[derive(serde::Serialize, serde::Deserialize)]
struct ToolRun {
    /// The raw wait status, as `ExitStatus::from_raw` takes it.
    wait_status: i32,
    stdout: String,
}

/// A run's result as every test shares it.
type Shared<T> = Result<T, Arc<RunError>>;

/// A suite one generator built.
#[derive(Debug)]
pub struct GeneratedSuite {
    pub path: PathBuf,
    pub suite: Suite,
}

/// One verifier's TAP verdict on one generated suite.
#[derive(Debug)]
pub struct Verification {
    pub tap: tap::Document,
    /// The verifier's TAP output as printed.
    pub output: String,
    pub log: PathBuf,
}

/// Lazily computed results for one family, shared by all its tests.
pub struct FamilyRuns {
    family: &'static Family,
    directory: PathBuf,
    generated: Vec<OnceLock<Shared<GeneratedSuite>>>,
    verified: Vec<OnceLock<Shared<Verification>>>,
    canaries: OnceLock<Shared<CanarySuite>>,
    vetted: Vec<OnceLock<Shared<Vetting>>>,
}

/// The shared runs of `family` in this process.
pub fn runs(family: &'static Family) -> Arc<FamilyRuns> {
    static REGISTRY: OnceLock<Mutex<HashMap<usize, Arc<FamilyRuns>>>> = OnceLock::new();
    let registry = REGISTRY.get_or_init(Default::default);
    let key = std::ptr::from_ref(family) as usize;
    let mut map = registry
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Arc::clone(
        map.entry(key)
            .or_insert_with(|| Arc::new(FamilyRuns::new(family))),
    )
}

impl FamilyRuns {
    pub fn new(family: &'static Family) -> Self {
        let count = family.implementations.len();
        FamilyRuns {
            family,
            directory: run_store::directory(&family.name),
            generated: (0..count).map(|_| OnceLock::new()).collect(),
            verified: (0..count * count).map(|_| OnceLock::new()).collect(),
            canaries: OnceLock::new(),
            vetted: (0..count).map(|_| OnceLock::new()).collect(),
        }
    }

    pub fn family(&self) -> &'static Family {
        self.family
    }

    /// The suite implementation `generator` built (built on first request).
    pub fn generated(&self, generator: usize) -> Shared<&GeneratedSuite> {
        self.generated[generator]
            .get_or_init(|| {
                self.generate(&self.family.implementations[generator])
                    .map_err(Arc::new)
            })
            .as_ref()
            .map_err(Arc::clone)
    }

    /// What implementation `verifier` says of `generator`'s suite.
    pub fn verified(&self, generator: usize, verifier: usize) -> Shared<&Verification> {
        let slot = generator * self.family.implementations.len() + verifier;
        self.verified[slot]
            .get_or_init(|| {
                let suite = self.generated(generator)?;
                self.verify(
                    &self.family.implementations[generator],
                    suite,
                    &self.family.implementations[verifier],
                )
                .map_err(Arc::new)
            })
            .as_ref()
            .map_err(Arc::clone)
    }

    /// The canary suite (built on first request from a generator's suite).
    pub fn canaries(&self) -> Shared<&CanarySuite> {
        self.canaries
            .get_or_init(|| {
                self.build_canaries().map_err(|source| {
                    Arc::new(RunError::Canaries {
                        source: Box::new(source),
                    })
                })
            })
            .as_ref()
            .map_err(Arc::clone)
    }

    /// What implementation `verifier` answers to the canaries.
    pub fn vetting(&self, verifier: usize) -> Shared<&Vetting> {
        self.vetted[verifier]
            .get_or_init(|| {
                let suite = self.canaries()?;
                self.vet(&self.family.implementations[verifier], suite)
                    .map_err(Arc::new)
            })
            .as_ref()
            .map_err(Arc::clone)
    }

    /// Canaries from the first generator that builds a suite covering every
    /// proof version; every generator's shortfall when none does.
    fn build_canaries(&self) -> Result<CanarySuite, RunError> {
        let mut problems = Vec::new();
        for generator in canaries::source_candidates(self.family) {
            let built = match self.generated(generator) {
                Err(error) => Err(SourceProblem::Generator(error)),
                Ok(generated) => canaries::choose(self.family, &generated.suite)
                    .and_then(|chosen| canaries::build(&generated.suite, &chosen))
                    .map_err(|source| SourceProblem::Suite {
                        generator: self.family.implementations[generator].name.to_string(),
                        suite: generated.path.clone(),
                        source,
                    }),
            };
            match built {
                Ok((suite, canaries)) => {
                    let path = self.directory.join("canaries.json");
                    write_suite(&path, &suite)?;
                    return Ok(CanarySuite {
                        path,
                        source: &self.family.implementations[generator].name,
                        canaries,
                    });
                }
                Err(problem) => problems.push(problem),
            }
        }
        Err(RunError::NoCanarySource { problems })
    }

    fn vet(&self, verifier: &Implementation, suite: &CanarySuite) -> Result<Vetting, RunError> {
        let log = self
            .directory
            .join(format!("canaries-to-{}.log", verifier.name));
        let verification = self
            .run_verifier(verifier, &suite.path, suite.canaries.len(), log)
            .map_err(|source| RunError::NotVetted {
                name: verifier.name.to_string(),
                source: Arc::new(source),
            })?;
        let fooled = canaries::fooled(&suite.canaries, &verification.tap).map_err(|source| {
            RunError::CanaryAnswers {
                name: verifier.name.to_string(),
                source,
                log_tail: log_tail(&verification.log, LOG_TAIL_LINES),
            }
        })?;
        Ok(Vetting {
            fooled,
            log: verification.log,
        })
    }

    /// How to start `implementation`'s suite tool, provisioning it first.
    fn resolve(&self, implementation: &Implementation) -> Result<Resolved, RunError> {
        programs::resolve(&implementation.program, Path::new(&*self.family.root)).map_err(
            |source| RunError::Provision {
                name: implementation.name.to_string(),
                source,
            },
        )
    }

    /// `implementation`'s suite tool with `args` after its own, in its
    /// root, logged to `log`, under `deadline`.
    fn tool_job(
        &self,
        implementation: &Implementation,
        args: impl IntoIterator<Item = String>,
        log: &Path,
        deadline: Duration,
    ) -> Result<Job, RunError> {
        let tool = self.resolve(implementation)?;
        let mut all = tool.leading_args.clone();
        all.extend(args);
        Ok(Job::new(&tool.program, &all)
            .envs(&tool.env)
            .current_dir(&tool.cwd)
            .log_to(log)
            .deadline(deadline))
    }

    fn generate(&self, implementation: &Implementation) -> Result<GeneratedSuite, RunError> {
        let log = self
            .directory
            .join(format!("{}-generate.log", implementation.name));
        let path = self.directory.join(format!("{}.json", implementation.name));
        let json = run_store::once(&path, || {
            let args = ["generate", "--stdout"]
                .into_iter()
                .map(String::from)
                .chain(implementation.generate_args.iter().map(ToString::to_string));
            let finished = self
                .tool_job(implementation, args, &log, GENERATE_DEADLINE)?
                // The suite holds secrets; it is kept in its own file, not the log.
                .capture_stdout_unlogged()
                .run()
                .map_err(|source| RunError::DidNotRun {
                    name: implementation.name.to_string(),
                    role: "generator",
                    source,
                })?;
            if !finished.status.success() {
                return Err(RunError::GeneratorFailed {
                    name: implementation.name.to_string(),
                    status: finished.status,
                    log_tail: log_tail(&log, LOG_TAIL_LINES),
                });
            }
            Ok(finished.stdout)
        })?;
        let json = String::from_utf8_lossy(&json);
        let suite = Suite::from_json(&json).map_err(|source| RunError::UnreadableSuite {
            name: implementation.name.to_string(),
            source,
            log_tail: log_tail(&log, LOG_TAIL_LINES),
        })?;
        Ok(GeneratedSuite { path, suite })
    }

    fn verify(
        &self,
        generator: &Implementation,
        suite: &GeneratedSuite,
        verifier: &Implementation,
    ) -> Result<Verification, RunError> {
        let log = self
            .directory
            .join(format!("{}-to-{}.log", generator.name, verifier.name));
        self.run_verifier(verifier, &suite.path, suite.suite.tests.len(), log)
    }

    /// `verifier run --diagnostic SUITE`, its TAP parsed and its plan checked.
    fn run_verifier(
        &self,
        verifier: &Implementation,
        suite: &Path,
        tests: usize,
        log: PathBuf,
    ) -> Result<Verification, RunError> {
        let record = log.with_extension("run.json");
        let run = run_store::once(&record, || {
            let args = [
                "run".to_string(),
                "--diagnostic".to_string(),
                suite.display().to_string(),
            ];
            let finished = self
                .tool_job(verifier, args, &log, VERIFY_DEADLINE)?
                .capture_stdout()
                .run()
                .map_err(|source| RunError::DidNotRun {
                    name: verifier.name.to_string(),
                    role: "verifier",
                    source,
                })?;
            let run = ToolRun {
                wait_status: finished.status.into_raw(),
                stdout: String::from_utf8_lossy(&finished.stdout).into_owned(),
            };
            serde_json::to_vec(&run).map_err(|source| RunError::Serialise {
                path: record.clone(),
                source,
            })
        })?;
        let run: ToolRun = serde_json::from_slice(&run).map_err(|source| RunError::Serialise {
            path: record.clone(),
            source,
        })?;
        let status = ExitStatus::from_raw(run.wait_status);
        // The exit status only summarises the points (and references differ on
        // optional failures); each test reads its own point instead.
        let output = run.stdout;
        let document = tap::parse(&output).map_err(|source| RunError::UnreadableTap {
            name: verifier.name.to_string(),
            source,
            log_tail: log_tail(&log, LOG_TAIL_LINES),
        })?;
        let planned = document
            .plan
            .as_ref()
            .and_then(|plan| usize::try_from(plan.count).ok());
        if planned != Some(tests) {
            return Err(RunError::WrongPlan {
                name: verifier.name.to_string(),
                planned,
                tests,
                status,
                log_tail: log_tail(&log, LOG_TAIL_LINES),
            });
        }
        Ok(Verification {
            tap: document,
            output,
            log,
        })
    }
}

fn write_suite(path: &Path, suite: &Suite) -> Result<(), RunError> {
    let json = suite
        .to_json_pretty()
        .map_err(|source| RunError::Serialise {
            path: path.to_path_buf(),
            source,
        })?;
    if let Some(directory) = path.parent() {
        std::fs::create_dir_all(directory).map_err(|source| RunError::Create {
            path: directory.to_path_buf(),
            source,
        })?;
    }
    // Every process of a nextest run writes the same canaries; whole, so
    // none reads another's half-written file.
    run_store::write_whole(path, json.as_bytes()).map_err(RunError::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn a_wrong_plan_says_what_the_verifier_printed_and_how_it_ended() {
        let error = |planned, status| {
            RunError::WrongPlan {
                name: "ts".to_string(),
                planned,
                tests: 40,
                status: ExitStatus::from_raw(status),
                log_tail: "log file ts.log, last 0 lines:".to_string(),
            }
            .to_string()
        };
        assert_eq!(
            error(None, 127 << 8),
            "ts verifier printed no TAP plan for a suite of 40 tests, and exited with status 127\nlog file ts.log, last 0 lines:"
        );
        assert_eq!(
            error(Some(39), 9),
            "ts verifier planned 39 tests for a suite of 40 tests, and was killed by signal 9\nlog file ts.log, last 0 lines:"
        );
    }
}
