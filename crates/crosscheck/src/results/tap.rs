//! TAP 14 for every family: a subtest per family, in it a subtest per
//! group, in that a point per test. Declared failures are `not ok # TODO`,
//! skipped tests `ok # SKIP`, so a TAP consumer fails only what fails the
//! run.

use std::io::{self, Write};

use crate::results::{Family, RunResults, TestResult, Verdict};
use crate::tap::{Directive, Status, Writer};

pub fn write<W: Write>(results: &RunResults, out: W) -> io::Result<()> {
    let mut tap = Writer::new(out);
    tap.version()?;
    let families = families(results);
    tap.plan(families.len() as u64)?;
    for (number, (family, groups)) in families.iter().enumerate() {
        let failed = groups
            .iter()
            .flat_map(|(_, tests)| tests)
            .any(|test| test.verdict.fails_the_run());
        {
            let mut family_tap = tap.subtest(family.as_str())?;
            family_tap.plan(groups.len() as u64)?;
            for (index, (group, tests)) in groups.iter().enumerate() {
                let group_failed = tests.iter().any(|test| test.verdict.fails_the_run());
                {
                    let mut group_tap = family_tap.subtest(group)?;
                    group_tap.plan(tests.len() as u64)?;
                    for (point, test) in tests.iter().enumerate() {
                        write_point(&mut group_tap, point as u64 + 1, test)?;
                    }
                }
                family_tap.test_point(status(!group_failed), index as u64 + 1, group, None)?;
            }
        }
        tap.test_point(status(!failed), number as u64 + 1, family.as_str(), None)?;
    }
    Ok(())
}

type Groups<'a> = Vec<(&'a str, Vec<&'a TestResult>)>;

/// Families in run order, each with its groups in first-seen order.
fn families(results: &RunResults) -> Vec<(Family, Groups<'_>)> {
    let mut families: Vec<(Family, Groups<'_>)> = Vec::new();
    for test in &results.tests {
        let index = match families
            .iter()
            .position(|(family, _)| *family == test.family)
        {
            Some(index) => index,
            None => {
                families.push((test.family, Vec::new()));
                families.len() - 1
            }
        };
        let groups = &mut families[index].1;
        match groups.iter_mut().find(|(group, _)| *group == test.group) {
            Some((_, tests)) => tests.push(test),
            None => groups.push((&test.group, vec![test])),
        }
    }
    families
}

fn status(ok: bool) -> Status {
    if ok { Status::Ok } else { Status::NotOk }
}

fn write_point<W: Write>(tap: &mut Writer<W>, number: u64, test: &TestResult) -> io::Result<()> {
    let detail = test.detail.clone().unwrap_or_default();
    match test.verdict {
        Verdict::Pass => tap.ok(number, &test.name),
        Verdict::DeclaredFailure => {
            let todo = Directive::Todo(format!("declared failure: {detail}"));
            tap.test_point(Status::NotOk, number, &test.name, Some(&todo))
        }
        Verdict::Unsupported | Verdict::Unimplemented | Verdict::Disabled => {
            let skip = Directive::Skip(format!("{}: {detail}", test.verdict.as_str()));
            tap.test_point(Status::Ok, number, &test.name, Some(&skip))
        }
        Verdict::Fail | Verdict::NotAsDeclared => {
            tap.not_ok(number, &test.name)?;
            let mut fields = vec![
                ("verdict", test.verdict.as_str()),
                ("message", detail.as_str()),
            ];
            let logs = test.logs.join("\n");
            if !logs.is_empty() {
                fields.push(("logs", &logs));
            }
            tap.diagnostics(&fields)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_parses_and_fails_only_what_fails_the_run() {
        let mut results = RunResults::new(0);
        let tests = [
            (
                Family::AppIdentity,
                "rust -> ts",
                "App V1, Proof V1",
                Verdict::Pass,
            ),
            (
                Family::AppIdentity,
                "rust -> ts",
                "App V2, Proof V1",
                Verdict::DeclaredFailure,
            ),
            (Family::Tls, "handshake", "go_to_java", Verdict::Unsupported),
            (Family::Tls, "resumption", "go_to_java", Verdict::Fail),
        ];
        results.tests = tests
            .iter()
            .map(|(family, group, name, verdict)| TestResult::new(*family, group, name, *verdict))
            .collect();
        let mut out = Vec::new();
        write(&results, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let document = crate::tap::parse(&text).unwrap();
        let failing: Vec<&str> = document
            .test_points
            .iter()
            .filter(|point| point.is_failure())
            .map(|point| point.description.as_str())
            .collect();
        assert_eq!(failing, ["tls"], "{text}");
        assert!(
            text.contains(
                "    # Subtest: resumption\n        1..1\n        not ok 1 - go_to_java\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("not ok 2 - App V2, Proof V1 # TODO declared failure: "),
            "{text}"
        );
        assert!(
            text.contains("ok 1 - go_to_java # SKIP unsupported: "),
            "{text}"
        );
    }
}
