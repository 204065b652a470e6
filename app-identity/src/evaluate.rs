//! The suite runner's rules: which tests pass, skip or fail, and whether the
//! run as a whole passes. Output formatting is left to the caller.

use jiff::Timestamp;

use crate::SPEC_VERSION;
use crate::case::Expect;
use crate::suite::{Suite, SuiteTest};
use crate::verify::verify_proof_with_diagnostic;

/// How a run treats failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvaluateOptions {
    /// Every failure counts, optional tests included.
    pub strict: bool,
    /// The spec version the runner implements; newer tests are skipped.
    pub spec_version: u32,
}

impl Default for EvaluateOptions {
    fn default() -> EvaluateOptions {
        EvaluateOptions {
            strict: false,
            spec_version: SPEC_VERSION,
        }
    }
}

/// What happened to one test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Skip {
        reason: String,
    },
    NotOk {
        /// A failing optional test outside strict mode: reported, not counted.
        todo: bool,
        message: String,
    },
}

/// One test's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    /// Position in the whole run, from 1, across suites in order.
    pub number: usize,
    pub description: String,
    pub required: bool,
    pub outcome: Outcome,
}

/// The results of one suite's tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteReport {
    /// Who generated the suite (see [`Suite::generator`]).
    pub generator: String,
    pub tests: Vec<TestResult>,
}

/// The results of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub suites: Vec<SuiteReport>,
    /// False iff a counted test failed: a required one, or any in strict mode.
    pub passed: bool,
}

impl Evaluation {
    /// Number of tests in the run.
    pub fn total(&self) -> usize {
        self.suites.iter().map(|suite| suite.tests.len()).sum()
    }
}

/// Runs every test of `suites` now.
pub fn evaluate(suites: &[Suite], options: &EvaluateOptions) -> Evaluation {
    evaluate_at(suites, options, Timestamp::now())
}

/// Runs every test of `suites`, checking timestamp nonces against `now`.
pub fn evaluate_at(suites: &[Suite], options: &EvaluateOptions, now: Timestamp) -> Evaluation {
    let mut number = 0;
    let mut passed = true;
    let reports = suites
        .iter()
        .map(|suite| SuiteReport {
            generator: suite.generator(),
            tests: suite
                .tests
                .iter()
                .map(|test| {
                    number += 1;
                    let outcome = run_test(test, options, now);
                    if matches!(outcome, Outcome::NotOk { todo: false, .. }) {
                        passed = false;
                    }
                    TestResult {
                        number,
                        description: test.description.clone(),
                        required: test.required,
                        outcome,
                    }
                })
                .collect(),
        })
        .collect();
    Evaluation {
        suites: reports,
        passed,
    }
}

fn run_test(test: &SuiteTest, options: &EvaluateOptions, now: Timestamp) -> Outcome {
    if test.spec_version > options.spec_version {
        return Outcome::Skip {
            reason: format!(
                "unsupported spec version ({} < {})",
                options.spec_version, test.spec_version
            ),
        };
    }
    let verified = test
        .app
        .to_app()
        .map_err(|problem| format!("invalid app: {problem}"))
        .and_then(|app| {
            verify_proof_with_diagnostic(&test.proof, &app, now).map_err(|error| error.to_string())
        });
    let failure = match (test.expect, verified) {
        (Expect::Pass, Ok(())) | (Expect::Fail, Err(_)) => return Outcome::Ok,
        (Expect::Pass, Err(message)) => message,
        (Expect::Fail, Ok(())) => "proof verified but the test expects failure".to_owned(),
    };
    Outcome::NotOk {
        todo: !test.required && !options.strict,
        message: failure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{App, AppId};
    use crate::proof::generate_proof;
    use crate::secret::Secret;
    use crate::suite::SuiteApp;
    use crate::version::Version;

    fn app() -> App {
        App::new(
            AppId::from_text("app").unwrap(),
            Secret::new("secret").unwrap(),
            Version::V1,
            None,
        )
        .unwrap()
    }

    fn test(description: &str, expect: Expect, required: bool, good_proof: bool) -> SuiteTest {
        let proof = if good_proof {
            generate_proof(&app(), None, None).unwrap()
        } else {
            "bm90IGEgcHJvb2Y".to_owned()
        };
        SuiteTest {
            description: description.to_owned(),
            expect,
            app: SuiteApp::from_app(&app()),
            proof,
            required,
            spec_version: 4,
        }
    }

    fn suite(name: &str, tests: Vec<SuiteTest>) -> Suite {
        Suite {
            description: None,
            name: name.to_owned(),
            spec_version: 4,
            tests,
            version: "1.0".to_owned(),
        }
    }

    fn suites() -> Vec<Suite> {
        let mut future = test("future", Expect::Pass, true, false);
        future.spec_version = 5;
        vec![
            suite(
                "first",
                vec![
                    test("passes", Expect::Pass, true, true),
                    test("rejects", Expect::Fail, true, false),
                ],
            ),
            suite(
                "second",
                vec![
                    future,
                    test("optional broken", Expect::Pass, false, false),
                    test("optional wrongly verifies", Expect::Fail, false, true),
                ],
            ),
        ]
    }

    fn outcomes(evaluation: &Evaluation) -> Vec<(usize, Outcome)> {
        evaluation
            .suites
            .iter()
            .flat_map(|suite| &suite.tests)
            .map(|test| (test.number, test.outcome.clone()))
            .collect()
    }

    #[test]
    fn normal_mode() {
        let evaluation = evaluate(&suites(), &EvaluateOptions::default());
        assert!(evaluation.passed);
        assert_eq!(evaluation.total(), 5);
        assert_eq!(evaluation.suites[0].generator, "first 1.0 (spec 4)");
        assert_eq!(
            outcomes(&evaluation),
            vec![
                (1, Outcome::Ok),
                (2, Outcome::Ok),
                (
                    3,
                    Outcome::Skip {
                        reason: "unsupported spec version (4 < 5)".into()
                    }
                ),
                (
                    4,
                    Outcome::NotOk {
                        todo: true,
                        message: "decoded proof has 1 ':'-separated parts; expected 3 \
                                  (id:nonce:padlock) or 4 (version:id:nonce:padlock)"
                            .into()
                    }
                ),
                (
                    5,
                    Outcome::NotOk {
                        todo: true,
                        message: "proof verified but the test expects failure".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn strict_mode_counts_optional_failures() {
        let options = EvaluateOptions {
            strict: true,
            ..EvaluateOptions::default()
        };
        let evaluation = evaluate(&suites(), &options);
        assert!(!evaluation.passed);
        assert!(
            evaluation.suites[1]
                .tests
                .iter()
                .all(|test| !matches!(test.outcome, Outcome::NotOk { todo: true, .. }))
        );
    }

    #[test]
    fn a_failing_required_test_fails_the_run() {
        let broken = vec![suite("x", vec![test("broken", Expect::Pass, true, false)])];
        let evaluation = evaluate(&broken, &EvaluateOptions::default());
        assert!(!evaluation.passed);
        assert!(matches!(
            evaluation.suites[0].tests[0].outcome,
            Outcome::NotOk { todo: false, .. }
        ));
    }
}
