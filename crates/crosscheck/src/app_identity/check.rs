//! Judging one case for one (generator, verifier) pair, and the body of
//! every generated App Identity test.

use std::sync::Arc;

use thiserror::Error;

use crate::app_identity::Family;
use crate::app_identity::canaries;
use crate::app_identity::runs::{FamilyRuns, RunError, runs};
use crate::expectation::{self, Expectation, Observed};
use crate::tap::{Status, TestPoint};

/// The spec version crosscheck's implementation and runner support.
pub const SPEC_VERSION: u32 = 4;

/// What a verifier did with one case of one generator's suite, against
/// what the spec files planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// Verified a passing case or rejected a failing one (or skipped a case
    /// of a newer spec version).
    Conforms,
    /// Deviates, as declared; `reason` is the declaration's.
    KnownFailure { reason: String },
    /// Declared a known failure but conforms now.
    KnownFailureFixed { reason: String, declared_at: String },
    /// Deviates without a declaration.
    Deviates { why: String },
    /// The verifier answered `ok` to a canary, so its verdict does not count.
    UnreliableVerifier { why: String },
    /// The generator does not build this case.
    NotGenerated,
}

impl Judgement {
    /// Whether this outcome is what the specs want.
    pub fn is_expected(&self) -> bool {
        matches!(
            self,
            Judgement::Conforms | Judgement::KnownFailure { .. } | Judgement::NotGenerated
        )
    }
}

/// Why a pair could not be judged.
#[derive(Debug, Error)]
pub enum JudgeError {
    #[error(transparent)]
    Run(#[from] Arc<RunError>),
    #[error("the {generator} generator's suite ({}) has no test described `{description}`", suite.display())]
    NotInSuite {
        generator: String,
        suite: std::path::PathBuf,
        description: String,
    },
    #[error("the {verifier} verifier printed no test point {number}")]
    NoTestPoint { verifier: String, number: usize },
}

/// Runs (or reuses) the generator and verifier and panics with the evidence
/// unless the pair behaves as the specs say.
pub fn check(family: &'static Family, case: usize, generator: usize, verifier: usize) {
    let runs = runs(family);
    let pair = pair_name(family, generator, verifier);
    let spec = &family.cases[case].spec;
    let description = &spec.description;
    let judgement = match judge(&runs, case, generator, verifier) {
        Ok(judgement) => judgement,
        Err(error) => panic!("{pair} on `{description}`: cannot run: {error}"),
    };
    match judgement {
        Judgement::Conforms | Judgement::KnownFailure { .. } => {}
        Judgement::NotGenerated => panic!(
            "{pair} on `{description}`: the {} generator does not build this case",
            family.implementations[generator].name
        ),
        Judgement::Deviates { why } => panic!(
            "{pair} on `{description}` (expect {:?}): {why}\n{}",
            spec.expect,
            evidence(&runs, generator, verifier)
        ),
        Judgement::UnreliableVerifier { why } => panic!("{pair} on `{description}`: {why}"),
        Judgement::KnownFailureFixed {
            reason,
            declared_at,
        } => panic!(
            "{pair} on `{description}` now conforms, but it is declared a known failure \
             ({reason}); remove the entry at {declared_at}\n{}",
            evidence(&runs, generator, verifier)
        ),
    }
}

pub fn pair_name(family: &Family, generator: usize, verifier: usize) -> String {
    format!(
        "{} → {}",
        family.implementations[generator].name, family.implementations[verifier].name
    )
}

/// Vets the verifier with the canaries, looks up the case in the
/// generator's suite and the verifier's TAP point for it, and judges it
/// against the pair's expectation.
pub fn judge(
    runs: &FamilyRuns,
    case: usize,
    generator: usize,
    verifier: usize,
) -> Result<Judgement, JudgeError> {
    let family = runs.family();
    let expected = family.expectation(case, generator, verifier);
    if let Expectation::Unsupported(_) = expected {
        return Ok(Judgement::NotGenerated);
    }
    let vetting = runs.vetting(verifier)?;
    if !vetting.is_reliable() {
        let why = canaries::unreliable_message(
            &family.implementations[verifier].name,
            runs.canaries()?,
            vetting,
        );
        return Ok(Judgement::UnreliableVerifier { why });
    }
    let spec = &family.cases[case].spec;
    let generated = runs.generated(generator)?;
    let index = generated
        .suite
        .tests
        .iter()
        .position(|test| test.description == spec.description)
        .ok_or_else(|| JudgeError::NotInSuite {
            generator: family.implementations[generator].name.to_string(),
            suite: generated.path.clone(),
            description: spec.description.to_string(),
        })?;
    let verification = runs.verified(generator, verifier)?;
    let number = index + 1;
    let point = verification
        .tap
        .test_points
        .iter()
        .find(|point| usize::try_from(point.number).ok() == Some(number))
        .ok_or_else(|| JudgeError::NoTestPoint {
            verifier: family.implementations[verifier].name.to_string(),
            number,
        })?;
    let deviation = deviation(point, spec.spec_version);
    let observed = match &deviation {
        None => Observed::Passed,
        Some(why) => Observed::Failed(why),
    };
    Ok(match (expectation::judge(expected, &observed), expected) {
        (expectation::Judgement::AsExpected, Expectation::Fail(known)) => Judgement::KnownFailure {
            reason: known.reason.to_string(),
        },
        (expectation::Judgement::AsExpected, _) => Judgement::Conforms,
        (expectation::Judgement::Unexpected(_), Expectation::Fail(known)) => {
            Judgement::KnownFailureFixed {
                reason: known.reason.to_string(),
                declared_at: known.declared_at.to_string(),
            }
        }
        (expectation::Judgement::Unexpected(why), _) => Judgement::Deviates { why },
    })
}

/// Why the point shows non-conformance, or `None` when it conforms.
fn deviation(point: &TestPoint, spec_version: u32) -> Option<String> {
    if point.is_skip() {
        return (spec_version <= SPEC_VERSION)
            .then(|| format!("skipped a spec {spec_version} case"));
    }
    if point.status == Status::Ok {
        return None;
    }
    // Keep every diagnostic line: references print multi-line messages.
    Some(match &point.diagnostics {
        Some(diagnostics) => diagnostics
            .lines
            .iter()
            .map(|line| line.trim())
            .collect::<Vec<_>>()
            .join(" ")
            .trim_start_matches("message:")
            .trim()
            .to_string(),
        None => "not ok (no diagnostic)".to_string(),
    })
}

fn evidence(runs: &FamilyRuns, generator: usize, verifier: usize) -> String {
    let mut lines = Vec::new();
    if let Ok(generated) = runs.generated(generator) {
        lines.push(format!("suite: {}", generated.path.display()));
    }
    if let Ok(verification) = runs.verified(generator, verifier) {
        lines.push(crate::process::log_tail(&verification.log, 20));
    }
    lines.join("\n")
}
