//! Holding a test's outcome to what its shim's config declares: a test
//! declared unimplemented must be answered with exit 89 and one declared
//! to fail must fail, so an entry that no longer holds fails its test and
//! says which entry to change.

use crate::bogo::runner::{Outcome, Verdict};
use crate::bogo::shim_config::{Declaration, TestGlob};

/// `Ok` when the outcome is what `declaration` says (a pass, where it says
/// nothing or the test is disabled and was run anyway); otherwise the
/// whole story and what to change.
pub fn hold(declaration: Declaration, outcome: &Outcome) -> Result<(), String> {
    match (declaration, &outcome.verdict) {
        (Declaration::MustPass | Declaration::Disabled(_), _) => outcome.check(),
        (Declaration::Unimplemented(_), Verdict::Unimplemented)
        | (Declaration::ExpectedFailure(_), Verdict::Failed(_)) => Ok(()),
        (
            Declaration::Unimplemented(glob) | Declaration::ExpectedFailure(glob),
            Verdict::Passed,
        ) => Err(format!(
            "{} passes now, but {} declares it {}: delete that entry.\n{}",
            outcome.test,
            entry(glob),
            what(declaration),
            outcome.report()
        )),
        (Declaration::Unimplemented(glob), Verdict::Failed(_)) => Err(format!(
            "{} is declared unimplemented by {}, but the shim did not answer 89: it fails the test; \
             move the entry to `expected_failures` or fix the shim.\n{}",
            outcome.test,
            entry(glob),
            outcome.report()
        )),
        (Declaration::ExpectedFailure(glob), Verdict::Unimplemented) => Err(format!(
            "{} is declared to fail by {}, but the shim answered 89 (unimplemented); \
             move the entry to `unimplemented`.\n{}",
            outcome.test,
            entry(glob),
            outcome.report()
        )),
    }
}

fn entry(glob: &TestGlob) -> String {
    format!(
        "`{}` at {} (\"{}\")",
        glob.glob, glob.declared_at, glob.reason
    )
}

fn what(declaration: Declaration) -> &'static str {
    match declaration {
        Declaration::Unimplemented(_) => "unimplemented",
        Declaration::ExpectedFailure(_) => "expected to fail",
        Declaration::MustPass | Declaration::Disabled(_) => "to pass",
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use super::hold;
    use crate::bogo::runner::{Outcome, ShimExit, Verdict};
    use crate::bogo::shim_config::{Declaration, TestGlob};

    static GLOB: TestGlob = TestGlob {
        glob: "Basic-*",
        reason: "a known bug",
        declared_at: "specs/shims/demo.yaml:9:3",
    };

    fn outcome(verdict: Verdict) -> Outcome {
        Outcome {
            test: "Basic-Server".to_string(),
            verdict,
            shim_exit: ShimExit::Code(0),
            shim_stderr: String::new(),
            local_error: None,
            runner_error: None,
            log: PathBuf::from("/nonexistent/crosscheck-log"),
            elapsed: Duration::ZERO,
            malloc_iterations: None,
            allow_unimplemented: false,
        }
    }

    fn failed() -> Verdict {
        Verdict::Failed("wrong error".to_string())
    }

    #[test]
    fn a_test_declared_nothing_must_pass() {
        assert!(hold(Declaration::MustPass, &outcome(Verdict::Passed)).is_ok());
        assert!(hold(Declaration::MustPass, &outcome(failed())).is_err());
        assert!(hold(Declaration::MustPass, &outcome(Verdict::Unimplemented)).is_err());
        assert!(hold(Declaration::Disabled(&GLOB), &outcome(failed())).is_err());
    }

    #[test]
    fn a_declared_outcome_holds_only_as_declared() {
        let unimplemented = Declaration::Unimplemented(&GLOB);
        let expected_failure = Declaration::ExpectedFailure(&GLOB);
        assert!(hold(unimplemented, &outcome(Verdict::Unimplemented)).is_ok());
        assert!(hold(expected_failure, &outcome(failed())).is_ok());

        let wrong = hold(unimplemented, &outcome(failed())).unwrap_err();
        assert!(wrong.contains("did not answer 89"), "{wrong}");
        assert!(wrong.contains("`expected_failures`"), "{wrong}");
        let wrong = hold(expected_failure, &outcome(Verdict::Unimplemented)).unwrap_err();
        assert!(
            wrong.contains("move the entry to `unimplemented`"),
            "{wrong}"
        );
    }

    #[test]
    fn a_declared_test_that_passes_names_the_stale_entry() {
        for declaration in [
            Declaration::Unimplemented(&GLOB),
            Declaration::ExpectedFailure(&GLOB),
        ] {
            let stale = hold(declaration, &outcome(Verdict::Passed)).unwrap_err();
            assert!(
                stale.starts_with(
                    "Basic-Server passes now, but `Basic-*` at specs/shims/demo.yaml:9:3 (\"a known bug\") declares it"
                ),
                "{stale}"
            );
            assert!(stale.contains("delete that entry"), "{stale}");
        }
    }
}
