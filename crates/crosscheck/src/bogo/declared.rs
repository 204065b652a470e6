//! Holding a test's outcome to what the spec compiler decided it must
//! show: a test declared unimplemented must be answered with exit 89 and
//! one declared to fail must fail, so an entry that no longer holds fails
//! its test and says which entry to change.

use crate::bogo::runner::{Outcome, Verdict};
use crate::expectation::{Expectation, Judgement, Observed, judge};

/// How messages name what the shim did when it answered 89.
const ANSWERED_89: &str = "answered 89 (unimplemented)";

/// `Ok` when the outcome is what `expectation` says; otherwise the whole
/// story and what to change.
pub fn hold(expectation: &Expectation, outcome: &Outcome) -> Result<(), String> {
    let report = outcome.report();
    let observed = match &outcome.verdict {
        Verdict::Passed => Observed::Passed,
        // Where the shim's options or the run allow 89, it is a pass to
        // any test not declared unimplemented.
        Verdict::Unimplemented
            if outcome.allow_unimplemented
                && !matches!(expectation, Expectation::Unsupported(_)) =>
        {
            Observed::Passed
        }
        Verdict::Unimplemented => Observed::Unsupported {
            who: &["shim"],
            how: ANSWERED_89,
        },
        Verdict::Failed(reason) => Observed::Failed(reason),
    };
    match judge(expectation, &observed) {
        Judgement::AsExpected => Ok(()),
        // A plain failure: the report says it all.
        Judgement::Unexpected(_)
            if matches!(observed, Observed::Failed(_))
                && matches!(expectation, Expectation::Pass | Expectation::Disabled(_)) =>
        {
            Err(report)
        }
        Judgement::Unexpected(why) => Err(format!("{}: {why}\n{report}", outcome.test)),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use super::hold;
    use crate::bogo::runner::{Outcome, ShimExit, Verdict};
    use crate::expectation::{Declared, Expectation};

    const ENTRY: Declared = Declared::new(
        "shim",
        "`Basic-*`",
        "a known bug",
        "specs/shims/demo.yaml:9:3",
    );

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

    fn unimplemented() -> Expectation {
        static ENTRIES: [Declared; 1] = [ENTRY];
        Expectation::Unsupported(std::borrow::Cow::Borrowed(&ENTRIES))
    }

    #[test]
    fn a_test_declared_nothing_must_pass() {
        assert!(hold(&Expectation::Pass, &outcome(Verdict::Passed)).is_ok());
        assert!(hold(&Expectation::Pass, &outcome(failed())).is_err());
        assert!(hold(&Expectation::Pass, &outcome(Verdict::Unimplemented)).is_err());
        assert!(hold(&Expectation::Disabled(ENTRY), &outcome(failed())).is_err());
        let mut allowed = outcome(Verdict::Unimplemented);
        allowed.allow_unimplemented = true;
        assert!(hold(&Expectation::Pass, &allowed).is_ok());
    }

    #[test]
    fn a_declared_outcome_holds_only_as_declared() {
        let expected_failure = Expectation::Fail(ENTRY);
        assert!(hold(&unimplemented(), &outcome(Verdict::Unimplemented)).is_ok());
        assert!(hold(&expected_failure, &outcome(failed())).is_ok());

        let wrong = hold(&unimplemented(), &outcome(failed())).unwrap_err();
        assert!(
            wrong.starts_with(
                "Basic-Server: declared unsupported (`Basic-*`: a known bug) but it ran and failed: \
                 make the entry at specs/shims/demo.yaml:9:3 a known failure"
            ),
            "{wrong}"
        );
        assert!(wrong.contains("BoGo test Basic-Server: FAILED"), "{wrong}");
        let wrong = hold(&expected_failure, &outcome(Verdict::Unimplemented)).unwrap_err();
        assert!(
            wrong.starts_with(
                "Basic-Server: the shim answered 89 (unimplemented) (unsupported), but \
                 specs/shims/demo.yaml:9:3 declares it a known failure (a known bug); \
                 declare it unsupported instead"
            ),
            "{wrong}"
        );
    }

    #[test]
    fn a_declared_test_that_passes_names_the_stale_entry() {
        let stale = hold(&unimplemented(), &outcome(Verdict::Passed)).unwrap_err();
        assert!(
            stale.starts_with(
                "Basic-Server: declared unsupported (`Basic-*`: a known bug) but it ran: \
                 remove the entry at specs/shims/demo.yaml:9:3"
            ),
            "{stale}"
        );
        let stale = hold(&Expectation::Fail(ENTRY), &outcome(Verdict::Passed)).unwrap_err();
        assert!(
            stale.starts_with(
                "Basic-Server: passes now: remove the known failure at \
                 specs/shims/demo.yaml:9:3 (a known bug)"
            ),
            "{stale}"
        );
    }
}
