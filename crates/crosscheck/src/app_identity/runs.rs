//! Running each suite tool once per process and sharing the results:
//! every generator builds its suite once, every verifier checks each suite
//! and the canaries once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use app_identity::suite::Suite;

use crate::app_identity::canaries::{self, CanarySuite, Vetting};
use crate::app_identity::{Family, Implementation};
use crate::paths;
use crate::process::Job;
use crate::programs::{self, Resolved};
use crate::tap;

const GENERATE_DEADLINE: Duration = Duration::from_secs(120);
const VERIFY_DEADLINE: Duration = Duration::from_secs(120);

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
    generated: Vec<OnceLock<Result<GeneratedSuite, String>>>,
    verified: Vec<OnceLock<Result<Verification, String>>>,
    canaries: OnceLock<Result<CanarySuite, String>>,
    vetted: Vec<OnceLock<Result<Vetting, String>>>,
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
            directory: paths::run_dir("app_identity").join(&*family.name),
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
    pub fn generated(&self, generator: usize) -> Result<&GeneratedSuite, String> {
        self.generated[generator]
            .get_or_init(|| self.generate(&self.family.implementations[generator]))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// What implementation `verifier` says of `generator`'s suite.
    pub fn verified(&self, generator: usize, verifier: usize) -> Result<&Verification, String> {
        let slot = generator * self.family.implementations.len() + verifier;
        self.verified[slot]
            .get_or_init(|| {
                let suite = self.generated(generator)?;
                self.verify(
                    &self.family.implementations[generator],
                    suite,
                    &self.family.implementations[verifier],
                )
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The canary suite (built on first request from a generator's suite).
    pub fn canaries(&self) -> Result<&CanarySuite, String> {
        self.canaries
            .get_or_init(|| self.build_canaries())
            .as_ref()
            .map_err(|error| format!("cannot build the canaries: {error}"))
    }

    /// What implementation `verifier` answers to the canaries.
    pub fn vetting(&self, verifier: usize) -> Result<&Vetting, String> {
        self.vetted[verifier]
            .get_or_init(|| {
                let suite = self.canaries()?;
                self.vet(&self.family.implementations[verifier], suite)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Canaries from the first generator that builds a suite covering every
    /// proof version; every generator's shortfall when none does.
    fn build_canaries(&self) -> Result<CanarySuite, String> {
        let mut problems = Vec::new();
        for generator in canaries::source_candidates(self.family) {
            let built = self.generated(generator).and_then(|generated| {
                canaries::choose(self.family, &generated.suite)
                    .and_then(|chosen| canaries::build(&generated.suite, &chosen))
                    .map_err(|error| {
                        format!(
                            "the {} generator's suite ({}): {error}",
                            self.family.implementations[generator].name,
                            generated.path.display()
                        )
                    })
            });
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
        Err(problems.join("; "))
    }

    fn vet(&self, verifier: &Implementation, suite: &CanarySuite) -> Result<Vetting, String> {
        let log = self
            .directory
            .join(format!("canaries-to-{}.log", verifier.name));
        let context = |error: String| {
            format!(
                "the canaries could not vet the {} verifier, so its verdicts do not count: {error}",
                verifier.name
            )
        };
        let verification = self
            .run_verifier(verifier, &suite.path, suite.canaries.len(), log)
            .map_err(context)?;
        let fooled = canaries::fooled(&suite.canaries, &verification.tap).map_err(|error| {
            context(format!(
                "the verifier {error}\n{}",
                crate::process::log_tail(&verification.log, 20)
            ))
        })?;
        Ok(Vetting {
            fooled,
            log: verification.log,
        })
    }

    /// How to start `implementation`'s suite tool, provisioning it first.
    fn resolve(&self, implementation: &Implementation) -> Result<Resolved, String> {
        programs::resolve(&implementation.program, Path::new(&*self.family.root))
            .map_err(|error| format!("{}: {error}", implementation.name))
    }

    fn generate(&self, implementation: &Implementation) -> Result<GeneratedSuite, String> {
        let tool = self.resolve(implementation)?;
        let log = self
            .directory
            .join(format!("{}-generate.log", implementation.name));
        let mut args = tool.leading_args.clone();
        args.extend(["generate".to_string(), "--stdout".to_string()]);
        args.extend(implementation.generate_args.iter().map(ToString::to_string));
        let finished = Job::new(&tool.program, &args)
            .envs(&tool.env)
            .log_to(&log)
            .deadline(GENERATE_DEADLINE)
            .capture_stdout()
            .run()
            .map_err(|error| format!("{} generator: {error}", implementation.name))?;
        if !finished.status.success() {
            return Err(format!(
                "{} generator exited with {}\n{}",
                implementation.name,
                finished.status,
                crate::process::log_tail(&log, 20)
            ));
        }
        let json = String::from_utf8_lossy(&finished.stdout).into_owned();
        let suite = Suite::from_json(&json).map_err(|error| {
            format!(
                "{} generator wrote an unreadable suite: {error}\n{}",
                implementation.name,
                crate::process::log_tail(&log, 20)
            )
        })?;
        let path = self.directory.join(format!("{}.json", implementation.name));
        std::fs::write(&path, &json)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(GeneratedSuite { path, suite })
    }

    fn verify(
        &self,
        generator: &Implementation,
        suite: &GeneratedSuite,
        verifier: &Implementation,
    ) -> Result<Verification, String> {
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
    ) -> Result<Verification, String> {
        let tool = self.resolve(verifier)?;
        let mut args = tool.leading_args.clone();
        args.extend([
            "run".to_string(),
            "--diagnostic".to_string(),
            suite.display().to_string(),
        ]);
        let finished = Job::new(&tool.program, &args)
            .envs(&tool.env)
            .log_to(&log)
            .deadline(VERIFY_DEADLINE)
            .capture_stdout()
            .run()
            .map_err(|error| format!("{} verifier: {error}", verifier.name))?;
        // The exit status only summarises the points (and references differ on
        // optional failures); each test reads its own point instead.
        let output = String::from_utf8_lossy(&finished.stdout).into_owned();
        let document = tap::parse(&output).map_err(|error| {
            format!(
                "{} verifier printed unreadable TAP: {error}\n{}",
                verifier.name,
                crate::process::log_tail(&log, 20)
            )
        })?;
        let planned = document
            .plan
            .as_ref()
            .and_then(|plan| usize::try_from(plan.count).ok());
        if planned != Some(tests) {
            return Err(format!(
                "{} verifier planned {planned:?} tests for a suite of {tests} (exit {})\n{}",
                verifier.name,
                finished.status,
                crate::process::log_tail(&log, 20)
            ));
        }
        Ok(Verification {
            tap: document,
            output,
            log,
        })
    }
}

fn write_suite(path: &Path, suite: &Suite) -> Result<(), String> {
    let json = suite
        .to_json_pretty()
        .map_err(|error| format!("cannot serialise {}: {error}", path.display()))?;
    if let Some(directory) = path.parent() {
        std::fs::create_dir_all(directory)
            .map_err(|error| format!("cannot create {}: {error}", directory.display()))?;
    }
    std::fs::write(path, json).map_err(|error| format!("cannot write {}: {error}", path.display()))
}
