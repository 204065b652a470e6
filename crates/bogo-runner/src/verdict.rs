//! Whether a test passed, from what the shim and the runner saw, as
//! upstream's runner decides it:
//!
//! * exit 89 is "unimplemented", exit 88 asks for another malloc iteration,
//!   exit 90 fails the test; a signal or a kill at the deadline always
//!   fails it (a crash never counts as the expected failure);
//! * failed = the runner saw an error or the shim exited non-zero; the test
//!   passes when failed == should_fail;
//! * a failure must be the right one: the shim's stderr contains the
//!   expected error (through the shim config's `TestErrorMap` and
//!   `ErrorMap`) and the runner's error contains the expected local error
//!   (through `TestLocalErrorMap`);
//! * a success must be quiet: anything on stderr fails it, and so does
//!   anything after a `--- DONE ---` line in any case.

use std::fmt;

use crosscheck_model::bogo::Expect;
use crosscheck_model::bogo::shim::Variant;

/// The shim exit code for "a flag is not implemented".
pub const EXIT_UNIMPLEMENTED: i32 = crosscheck_model::bogo::UNIMPLEMENTED_EXIT as i32;
/// The shim exit code for "an allocation failure was injected; try the next one".
pub const EXIT_MORE_MALLOCS: i32 = 88;
/// The shim exit code for "fail this test".
pub const EXIT_MUST_FAIL: i32 = 90;

/// Stderr after this line is a tool's report (sanitizers), never the shim's.
const DONE_MARKER: &str = "--- DONE ---\n";

/// A shim config's error translations. Implemented for the compiled
/// [`Variant`]s and for [`StaticErrorMaps`].
pub trait ErrorMaps {
    /// `ErrorMap`: the shim errors that stand for an expected error.
    fn error_map(&self, expected: &str) -> Option<Vec<String>>;
    /// `TestErrorMap`: the error this test expects instead of its own.
    fn test_error(&self, test: &str) -> Option<&str>;
    /// `TestLocalErrorMap`: the runner error this test expects instead.
    fn test_local_error(&self, test: &str) -> Option<&str>;
}

/// Error maps as plain tables.
#[derive(Debug, Clone, Copy, Default)]
pub struct StaticErrorMaps<'a> {
    pub error_map: &'a [(&'a str, &'a [&'a str])],
    pub test_error_map: &'a [(&'a str, &'a str)],
    pub test_local_error_map: &'a [(&'a str, &'a str)],
}

/// No translations at all.
pub const NO_ERROR_MAPS: StaticErrorMaps<'static> = StaticErrorMaps {
    error_map: &[],
    test_error_map: &[],
    test_local_error_map: &[],
};

impl ErrorMaps for StaticErrorMaps<'_> {
    fn error_map(&self, expected: &str) -> Option<Vec<String>> {
        self.error_map
            .iter()
            .find(|(key, _)| *key == expected)
            .map(|(_, errors)| errors.iter().map(|error| error.to_string()).collect())
    }

    fn test_error(&self, test: &str) -> Option<&str> {
        self.test_error_map
            .iter()
            .find(|(key, _)| *key == test)
            .map(|(_, error)| *error)
    }

    fn test_local_error(&self, test: &str) -> Option<&str> {
        self.test_local_error_map
            .iter()
            .find(|(key, _)| *key == test)
            .map(|(_, error)| *error)
    }
}

impl ErrorMaps for Variant {
    fn error_map(&self, expected: &str) -> Option<Vec<String>> {
        self.error_map
            .iter()
            .find(|mapping| mapping.expected == expected)
            .map(|mapping| {
                mapping
                    .errors
                    .iter()
                    .map(|error| error.to_string())
                    .collect()
            })
    }

    fn test_error(&self, test: &str) -> Option<&str> {
        self.test_error_map
            .iter()
            .find(|entry| entry.test == test)
            .map(|entry| &*entry.error)
    }

    fn test_local_error(&self, test: &str) -> Option<&str> {
        self.test_local_error_map
            .iter()
            .find(|entry| entry.test == test)
            .map(|entry| &*entry.error)
    }
}

/// How the shim process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShimExit {
    Code(i32),
    Signal(i32),
    /// Killed because it outlived its deadline or the idle timeout.
    Killed,
    /// It never ran.
    NotStarted,
}

impl fmt::Display for ShimExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShimExit::Code(code) => write!(f, "exit code {code}"),
            ShimExit::Signal(signal) => {
                let name = nix::sys::signal::Signal::try_from(*signal)
                    .map(|signal| signal.as_str().to_string())
                    .unwrap_or_else(|_| format!("signal {signal}"));
                write!(f, "killed by {name}")
            }
            ShimExit::Killed => write!(f, "killed by the runner (timed out)"),
            ShimExit::NotStarted => write!(f, "not started"),
        }
    }
}

/// The result of a test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Failed(String),
    /// The shim exited 89: it does not implement a flag the test needs.
    Unimplemented,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Passed => write!(f, "PASSED"),
            Verdict::Failed(reason) => write!(f, "FAILED: {reason}"),
            Verdict::Unimplemented => write!(f, "UNIMPLEMENTED"),
        }
    }
}

/// A verdict, or a request for the next malloc iteration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    Verdict(Verdict),
    MoreMallocs,
}

/// Everything a verdict depends on.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    pub exit: ShimExit,
    pub stderr: &'a str,
    /// The runner's error from talking to the shim.
    pub local_error: Option<&'a str>,
    /// The runner could not do its part (a broken case or a runner bug);
    /// always a failure.
    pub runner_error: Option<&'a str>,
}

/// What a failure must look like after the maps, for messages and checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedErrors {
    /// Any of these in stderr will do; empty: any stderr.
    pub shim: Vec<String>,
    /// Substring of the runner's error; `None`: any.
    pub local: Option<String>,
}

/// `expect` for test `test` through `maps`.
pub fn expected_errors(
    test: &str,
    expect: &Expect,
    maps: &dyn ErrorMaps,
    loose_errors: bool,
) -> ExpectedErrors {
    let expected = maps
        .test_error(test)
        .or(expect.error.as_deref())
        .unwrap_or("");
    let shim = if expected.is_empty() || loose_errors {
        Vec::new()
    } else {
        match maps.error_map(expected) {
            Some(errors) => errors,
            None => vec![expected.to_string()],
        }
    };
    let local = maps
        .test_local_error(test)
        .or(expect.local_error.as_deref())
        .filter(|local| !local.is_empty())
        .map(str::to_string);
    ExpectedErrors { shim, local }
}

/// The judgement for one shim run.
pub fn judge(
    test: &str,
    expect: &Expect,
    maps: &dyn ErrorMaps,
    loose_errors: bool,
    evidence: &Evidence<'_>,
) -> Judgement {
    let fail = |reason: String| Judgement::Verdict(Verdict::Failed(reason));
    if let Some(error) = evidence.runner_error {
        return fail(format!("runner error: {error}"));
    }
    let code = match evidence.exit {
        ShimExit::Code(code) => code,
        ShimExit::Signal(_) => return fail(format!("the shim crashed: {}", evidence.exit)),
        ShimExit::Killed => return fail(format!("the shim {}", evidence.exit)),
        ShimExit::NotStarted => return fail("the shim did not start".to_string()),
    };
    match code {
        EXIT_MORE_MALLOCS => return Judgement::MoreMallocs,
        EXIT_UNIMPLEMENTED => return Judgement::Verdict(Verdict::Unimplemented),
        _ => {}
    }

    let (stderr, tool_output) = match evidence.stderr.split_once(DONE_MARKER) {
        Some((stderr, tool_output)) => (stderr, tool_output),
        None => (evidence.stderr, ""),
    };
    let failed = evidence.local_error.is_some() || code != 0;
    let expected = expected_errors(test, expect, maps, loose_errors);
    let local_error = evidence.local_error.unwrap_or("none");
    let correct_failure = (expected.shim.is_empty()
        || expected
            .shim
            .iter()
            .any(|error| stderr.contains(error.as_str())))
        && expected
            .local
            .as_deref()
            .is_none_or(|local| local_error.contains(local));

    if failed != expect.should_fail || (failed && !correct_failure) || code == EXIT_MUST_FAIL {
        let what = if failed && !expect.should_fail {
            "unexpected failure".to_string()
        } else if !failed && expect.should_fail {
            "unexpected success".to_string()
        } else if failed && !correct_failure {
            let shim = match expected.shim.as_slice() {
                [] => "any error".to_string(),
                [one] => format!("'{one}'"),
                several => format!(
                    "one of {}",
                    several
                        .iter()
                        .map(|error| format!("'{error}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            format!(
                "bad error (wanted {shim} / '{}')",
                expected.local.as_deref().unwrap_or("")
            )
        } else {
            format!("the shim exited {EXIT_MUST_FAIL}: test failure")
        };
        return fail(format!(
            "{what}: local error '{local_error}', shim {}",
            evidence.exit
        ));
    }
    if !tool_output.is_empty() || (!failed && !stderr.is_empty()) {
        return fail("unexpected error output".to_string());
    }
    Judgement::Verdict(Verdict::Passed)
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    const SUCCESS: Expect = Expect::SUCCESS;
    const NO_SHARED_CIPHER: Expect = Expect {
        should_fail: true,
        error: Some(Cow::Borrowed(":NO_SHARED_CIPHER:")),
        local_error: Some(Cow::Borrowed("remote error: handshake failure")),
        ..Expect::SUCCESS
    };

    fn evidence<'a>(exit: ShimExit, stderr: &'a str, local_error: Option<&'a str>) -> Evidence<'a> {
        Evidence {
            exit,
            stderr,
            local_error,
            runner_error: None,
        }
    }

    fn verdict(expect: &Expect, evidence: &Evidence<'_>) -> Judgement {
        judge("Some-Test", expect, &NO_ERROR_MAPS, false, evidence)
    }

    fn failed_with(judgement: Judgement, text: &str) {
        match judgement {
            Judgement::Verdict(Verdict::Failed(reason)) => {
                assert!(reason.contains(text), "{reason:?} lacks {text:?}")
            }
            other => panic!("expected a failure with {text:?}, got {other:?}"),
        }
    }

    const PASSED: Judgement = Judgement::Verdict(Verdict::Passed);

    #[test]
    fn a_quiet_success_passes_and_a_noisy_one_fails() {
        assert_eq!(
            verdict(&SUCCESS, &evidence(ShimExit::Code(0), "", None)),
            PASSED
        );
        failed_with(
            verdict(&SUCCESS, &evidence(ShimExit::Code(0), "warning\n", None)),
            "unexpected error output",
        );
        failed_with(
            verdict(
                &SUCCESS,
                &evidence(ShimExit::Code(0), "--- DONE ---\nleak of 3 bytes\n", None),
            ),
            "unexpected error output",
        );
    }

    #[test]
    fn exit_codes_and_signals() {
        assert_eq!(
            verdict(
                &SUCCESS,
                &evidence(ShimExit::Code(89), "unknown flag", None)
            ),
            Judgement::Verdict(Verdict::Unimplemented)
        );
        assert_eq!(
            verdict(&NO_SHARED_CIPHER, &evidence(ShimExit::Code(88), "", None)),
            Judgement::MoreMallocs
        );
        failed_with(
            verdict(&SUCCESS, &evidence(ShimExit::Code(1), "", None)),
            "unexpected failure",
        );
        failed_with(
            verdict(&SUCCESS, &evidence(ShimExit::Code(90), "", None)),
            "unexpected failure",
        );
        failed_with(
            verdict(
                &NO_SHARED_CIPHER,
                &evidence(
                    ShimExit::Code(90),
                    ":NO_SHARED_CIPHER:",
                    Some("remote error: handshake failure"),
                ),
            ),
            "exited 90: test failure",
        );
        // A crash is never the expected failure, whatever it printed.
        failed_with(
            verdict(
                &NO_SHARED_CIPHER,
                &evidence(
                    ShimExit::Signal(11),
                    ":NO_SHARED_CIPHER:",
                    Some("remote error: handshake failure"),
                ),
            ),
            "crashed: killed by SIGSEGV",
        );
        failed_with(
            verdict(&SUCCESS, &evidence(ShimExit::Killed, "", None)),
            "timed out",
        );
    }

    #[test]
    fn failures_must_be_the_expected_ones() {
        let right = evidence(
            ShimExit::Code(1),
            "error: :NO_SHARED_CIPHER:\n",
            Some("remote error: handshake failure"),
        );
        assert_eq!(verdict(&NO_SHARED_CIPHER, &right), PASSED);
        failed_with(
            verdict(&NO_SHARED_CIPHER, &evidence(ShimExit::Code(0), "", None)),
            "unexpected success",
        );
        failed_with(
            verdict(
                &NO_SHARED_CIPHER,
                &evidence(
                    ShimExit::Code(1),
                    ":DECODE_ERROR:",
                    Some("remote error: handshake failure"),
                ),
            ),
            "bad error (wanted ':NO_SHARED_CIPHER:' / 'remote error: handshake failure')",
        );
        failed_with(
            verdict(
                &NO_SHARED_CIPHER,
                &evidence(ShimExit::Code(1), ":NO_SHARED_CIPHER:", None),
            ),
            "local error 'none'",
        );
        // The runner's error alone makes a failure.
        let local_only = Expect {
            should_fail: true,
            error: None,
            local_error: Some(Cow::Borrowed("bad reply")),
            ..Expect::SUCCESS
        };
        assert_eq!(
            verdict(
                &local_only,
                &evidence(ShimExit::Code(0), "", Some("bad reply to message 0"))
            ),
            PASSED
        );
        // Runner errors fail whatever was expected.
        let mut broken = right;
        broken.runner_error = Some("no such suite");
        failed_with(
            verdict(&NO_SHARED_CIPHER, &broken),
            "runner error: no such suite",
        );
    }

    #[test]
    fn error_maps_translate_expected_errors() {
        let maps = StaticErrorMaps {
            error_map: &[(
                ":NO_SHARED_CIPHER:",
                &[":HANDSHAKE_FAILURE:", ":NO_CIPHERS:"],
            )],
            test_error_map: &[("Special-Test", ":PEER_MISBEHAVED:")],
            test_local_error_map: &[("Special-Test", "remote error: decode"), ("Any-Local", "")],
        };
        let exit = ShimExit::Code(1);
        let handshake = Some("remote error: handshake failure");
        // ErrorMap: any of the listed errors will do, the original no longer.
        for (stderr, ok) in [
            (":NO_CIPHERS:", true),
            (":HANDSHAKE_FAILURE:", true),
            (":NO_SHARED_CIPHER:", false),
        ] {
            let judgement = judge(
                "T",
                &NO_SHARED_CIPHER,
                &maps,
                false,
                &evidence(exit, stderr, handshake),
            );
            assert_eq!(judgement == PASSED, ok, "{stderr}: {judgement:?}");
        }
        // TestErrorMap and TestLocalErrorMap replace the test's expectations.
        let special = evidence(
            exit,
            ":PEER_MISBEHAVED:",
            Some("remote error: decode error"),
        );
        assert_eq!(
            judge("Special-Test", &NO_SHARED_CIPHER, &maps, false, &special),
            PASSED
        );
        // An empty TestLocalErrorMap entry accepts any local error.
        let any_local = evidence(exit, ":NO_CIPHERS:", Some("something else"));
        assert_eq!(
            judge("Any-Local", &NO_SHARED_CIPHER, &maps, false, &any_local),
            PASSED
        );
        assert_eq!(
            expected_errors("T", &NO_SHARED_CIPHER, &maps, false).shim,
            [":HANDSHAKE_FAILURE:", ":NO_CIPHERS:"]
        );
    }

    #[test]
    fn loose_errors_accept_any_shim_error_but_not_any_local_error() {
        let wrong = evidence(
            ShimExit::Code(1),
            ":SOMETHING_ELSE:",
            Some("remote error: handshake failure"),
        );
        assert_eq!(
            judge("T", &NO_SHARED_CIPHER, &NO_ERROR_MAPS, true, &wrong),
            PASSED
        );
        let wrong_local = evidence(ShimExit::Code(1), ":SOMETHING_ELSE:", Some("other"));
        failed_with(
            judge("T", &NO_SHARED_CIPHER, &NO_ERROR_MAPS, true, &wrong_local),
            "bad error",
        );
    }

    #[test]
    fn compiled_variants_are_error_maps() {
        use crosscheck_model::bogo::shim::{ErrorMapping, TestError};
        let variant = Variant {
            name: Cow::Borrowed("default"),
            description: Cow::Borrowed(""),
            env: Cow::Borrowed(&[]),
            config_json: Cow::Borrowed("{}"),
            disabled_tests: Cow::Borrowed(&[]),
            unimplemented: Cow::Borrowed(&[]),
            expected_failures: Cow::Borrowed(&[]),
            error_map: Cow::Borrowed(&[ErrorMapping {
                expected: Cow::Borrowed(":A:"),
                errors: Cow::Borrowed(&[Cow::Borrowed(":B:")]),
            }]),
            test_error_map: Cow::Borrowed(&[TestError {
                test: Cow::Borrowed("T1"),
                error: Cow::Borrowed(":C:"),
            }]),
            test_local_error_map: Cow::Borrowed(&[TestError {
                test: Cow::Borrowed("T2"),
                error: Cow::Borrowed("local"),
            }]),
            half_rtt_tickets: None,
            max_ack_buffer: None,
            all_curves: None,
            expected: Cow::Borrowed(&[]),
        };
        assert_eq!(variant.error_map(":A:"), Some(vec![":B:".to_string()]));
        assert_eq!(variant.error_map(":B:"), None);
        assert_eq!(variant.test_error("T1"), Some(":C:"));
        assert_eq!(variant.test_local_error("T2"), Some("local"));
        assert_eq!(variant.test_local_error("T1"), None);
    }
}
