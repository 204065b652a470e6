//! Running each suite tool once per process and sharing the results:
//! every generator builds its suite once, every verifier checks each suite once.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use app_identity::suite::Suite;

use crate::app_identity::family::{Family, Implementation};
use crate::app_identity::tools;
use crate::paths;
use crate::process::Job;
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
            directory: paths::run_dir("app_identity").join(family.name),
            generated: (0..count).map(|_| OnceLock::new()).collect(),
            verified: (0..count * count).map(|_| OnceLock::new()).collect(),
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

    fn generate(&self, implementation: &Implementation) -> Result<GeneratedSuite, String> {
        let tool = tools::resolve(&implementation.tool)?;
        let log = self
            .directory
            .join(format!("{}-generate.log", implementation.name));
        let mut args = tool.leading_args.clone();
        args.extend(["generate".to_string(), "--stdout".to_string()]);
        args.extend(
            implementation
                .generate_args
                .iter()
                .map(|a| (*a).to_string()),
        );
        let finished = Job::new(&tool.program, &args)
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
        let tool = tools::resolve(&verifier.tool)?;
        let log = self
            .directory
            .join(format!("{}-to-{}.log", generator.name, verifier.name));
        let mut args = tool.leading_args.clone();
        args.extend([
            "run".to_string(),
            "--diagnostic".to_string(),
            suite.path.display().to_string(),
        ]);
        let finished = Job::new(&tool.program, &args)
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
        if planned != Some(suite.suite.tests.len()) {
            return Err(format!(
                "{} verifier planned {planned:?} tests for a suite of {} (exit {})\n{}",
                verifier.name,
                suite.suite.tests.len(),
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
