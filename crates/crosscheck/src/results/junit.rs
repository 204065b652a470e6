//! JUnit XML, what CI systems read: one suite per family and group, one
//! case per test. Declared failures are successes there (the run is as the
//! specs say), with the declaration in the case's output; unsupported,
//! unimplemented and disabled tests are skipped with their reason.

use std::collections::BTreeMap;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::results::{RunResults, TestResult, Verdict};

/// The results as a JUnit XML document.
pub fn render(results: &RunResults) -> Result<String, quick_junit::SerializeError> {
    let mut groups: BTreeMap<(&str, &str), Vec<&TestResult>> = BTreeMap::new();
    for test in &results.tests {
        groups
            .entry((test.family.as_str(), &test.group))
            .or_default()
            .push(test);
    }
    let mut report = Report::new("crosscheck");
    for ((family, group), tests) in groups {
        let mut suite = TestSuite::new(format!("{family}::{group}"));
        for test in tests {
            suite.add_test_case(test_case(test));
        }
        report.add_test_suite(suite);
    }
    report.set_time(Duration::from_secs_f64(results.wall_seconds.max(0.0)));
    report.to_string()
}

fn test_case(test: &TestResult) -> TestCase {
    let detail = test.detail.clone().unwrap_or_default();
    let status = match test.verdict {
        Verdict::Pass | Verdict::DeclaredFailure => TestCaseStatus::success(),
        Verdict::Fail | Verdict::NotAsDeclared => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(format!(
                "{}: {}",
                test.verdict.as_str(),
                first_line(&detail)
            ));
            status.set_type(test.verdict.as_str());
            status.set_description(detail.clone());
            status
        }
        Verdict::Unsupported | Verdict::Unimplemented | Verdict::Disabled => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!(
                "{}: {}",
                test.verdict.as_str(),
                first_line(&detail)
            ));
            status
        }
    };
    let mut case = TestCase::new(test.name.clone(), status);
    case.set_classname(format!("{}::{}", test.family.as_str(), test.group));
    if let Some(elapsed) = test.elapsed_ms {
        case.set_time(Duration::from_secs_f64((elapsed / 1000.0).max(0.0)));
    }
    let mut output = Vec::new();
    if test.verdict == Verdict::DeclaredFailure {
        output.push(format!("failed as declared: {detail}"));
    }
    if let Some(observed) = &test.observed {
        output.push(format!("observed: {observed}"));
    }
    if let Some(speed) = test.megabytes_per_second {
        output.push(format!("throughput: {speed:.1} MB/s"));
    }
    output.extend(test.logs.iter().map(|log| format!("log: {log}")));
    if !output.is_empty() {
        case.set_system_out(output.join("\n"));
    }
    case
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Family;

    #[test]
    fn failures_fail_skips_skip_and_declared_failures_pass_with_their_declaration() {
        let mut results = RunResults::new(0);
        let test = |verdict, detail: &str| {
            TestResult::new(
                Family::Bogo,
                "rustls/default",
                &format!("{verdict:?}"),
                verdict,
            )
            .with_detail(Some(detail.to_string()))
        };
        results.tests = vec![
            test(Verdict::Pass, ""),
            test(Verdict::Fail, "expected <b> & got \"c\""),
            test(Verdict::DeclaredFailure, "known: bug 7"),
            test(Verdict::Unimplemented, "no ECH"),
            test(Verdict::NotAsDeclared, "passes now"),
        ];
        let xml = render(&results).unwrap();
        assert!(xml.contains(r#"<testsuite name="bogo::rustls/default" tests="5" disabled="1" errors="0" failures="2""#), "{xml}");
        assert!(
            xml.contains("expected &lt;b&gt; &amp; got &quot;c&quot;"),
            "{xml}"
        );
        assert!(
            xml.contains("<skipped message=\"unimplemented: no ECH\"/>"),
            "{xml}"
        );
        assert!(
            xml.contains("<system-out>failed as declared: known: bug 7</system-out>"),
            "{xml}"
        );
    }
}
