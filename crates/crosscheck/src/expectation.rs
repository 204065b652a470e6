//! Judging a run against what its test expects. The spec compiler decides
//! each test's [`Expectation`] once; every family turns its run into an
//! [`Observed`] and asks [`judge`], which says, when a declaration no
//! longer holds, which entry to change.

pub use crosscheck_model::expectation::{Declared, Expectation};

/// What a run showed, in the terms every family shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed<'a> {
    Passed,
    /// Failed, with why.
    Failed(&'a str),
    /// The programs named by `who` said they cannot play the test
    /// (`how`: e.g. "exited 127").
    Unsupported {
        who: &'a [&'a str],
        how: &'a str,
    },
}

/// How a run compares with its expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// As expected: passed, failed as declared, or unsupported where
    /// declared.
    AsExpected,
    /// Anything else, with what happened and what to change.
    Unexpected(String),
}

/// Compares `observed` with `expected`.
pub fn judge(expected: &Expectation, observed: &Observed<'_>) -> Judgement {
    match (expected, observed) {
        (Expectation::Pass | Expectation::Disabled(_), Observed::Passed)
        | (Expectation::Fail(_), Observed::Failed(_)) => Judgement::AsExpected,
        (Expectation::Pass | Expectation::Disabled(_), Observed::Failed(why)) => {
            Judgement::Unexpected(why.to_string())
        }
        (_, Observed::Unsupported { who, how }) => {
            let declared: &[Declared] = match expected {
                Expectation::Unsupported(declared) => declared,
                Expectation::Pass | Expectation::Fail(_) | Expectation::Disabled(_) => &[],
            };
            let undeclared: Vec<&str> = who
                .iter()
                .copied()
                .filter(|side| !declared.iter().any(|entry| entry.who == *side))
                .collect();
            match (undeclared.is_empty(), expected) {
                (true, _) => Judgement::AsExpected,
                (false, Expectation::Fail(entry)) => Judgement::Unexpected(format!(
                    "the {} {how} (unsupported), but {} declares it a known failure ({}); \
                     declare it unsupported instead",
                    undeclared.join(" and the "),
                    entry.declared_at,
                    entry.reason
                )),
                (false, _) => Judgement::Unexpected(format!(
                    "the {} {how} (unsupported) but the spec declares the test supported",
                    undeclared.join(" and the ")
                )),
            }
        }
        (Expectation::Unsupported(declared), observed) => {
            let entries = declared
                .iter()
                .map(|entry| format!("{}: {}", entry.name, entry.reason))
                .collect::<Vec<_>>()
                .join("; ");
            let places = declared
                .iter()
                .map(|entry| format!("the entry at {}", entry.declared_at))
                .collect::<Vec<_>>()
                .join(" and ");
            Judgement::Unexpected(match observed {
                Observed::Failed(why) => format!(
                    "declared unsupported ({entries}) but it ran and failed: make {places} \
                     a known failure, or fix the program (the run failed: {why})"
                ),
                _ => format!("declared unsupported ({entries}) but it ran: remove {places}"),
            })
        }
        (Expectation::Fail(entry), Observed::Passed) => Judgement::Unexpected(format!(
            "passes now: remove the known failure at {} ({})",
            entry.declared_at, entry.reason
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{Declared, Expectation, Judgement, Observed, judge};

    fn declared(who: &'static str) -> Declared {
        Declared {
            who: Cow::Borrowed(who),
            name: Cow::Borrowed("java as server"),
            reason: Cow::Borrowed("no 0-RTT"),
            declared_at: Cow::Borrowed("implementations.yaml:9:7"),
        }
    }

    fn unsupported(who: &'static [&'static str]) -> Observed<'static> {
        Observed::Unsupported {
            who,
            how: "exited 127",
        }
    }

    fn unexpected(expected: &Expectation, observed: &Observed<'_>) -> String {
        match judge(expected, observed) {
            Judgement::Unexpected(why) => why,
            Judgement::AsExpected => panic!("{observed:?} is not unexpected under {expected:?}"),
        }
    }

    #[test]
    fn each_expectation_holds_only_as_declared() {
        let unsupported_server = Expectation::Unsupported(Cow::Owned(vec![declared("server")]));
        let fail = Expectation::Fail(declared("server"));
        assert_eq!(
            judge(&Expectation::Pass, &Observed::Passed),
            Judgement::AsExpected
        );
        assert_eq!(judge(&fail, &Observed::Failed("x")), Judgement::AsExpected);
        assert_eq!(
            judge(&unsupported_server, &unsupported(&["server"])),
            Judgement::AsExpected
        );
        assert_eq!(
            unexpected(&Expectation::Pass, &Observed::Failed("bad alert")),
            "bad alert"
        );
        assert!(unexpected(&fail, &Observed::Passed).contains("remove the known failure at"));
        let ran = unexpected(&unsupported_server, &Observed::Failed("boom"));
        assert!(
            ran.contains("make the entry at implementations.yaml:9:7 a known failure"),
            "{ran}"
        );
        assert!(ran.contains("(the run failed: boom)"), "{ran}");
        let undeclared = unexpected(&unsupported_server, &unsupported(&["client", "server"]));
        assert!(
            undeclared.starts_with("the client exited 127"),
            "{undeclared}"
        );
        assert!(unexpected(&fail, &unsupported(&["client"])).contains("declare it unsupported"));
    }
}
