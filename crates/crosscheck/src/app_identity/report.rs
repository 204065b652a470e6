//! The main App Identity job: every generator's suite checked by every
//! verifier, judged against the specs, as one TAP 14 document. It opens with
//! what each verifier answered to the canaries.

use std::io::{self, Write};

use crate::app_identity::Family;
use crate::app_identity::canaries::expect_word;
use crate::app_identity::check::{Judgement, judge, pair_name};
use crate::app_identity::runs::{FamilyRuns, runs};
use crate::tap::{Directive, Status, Writer};

/// Totals over the whole matrix.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub conform: usize,
    pub known_failures: usize,
    pub not_generated: usize,
    /// Includes the verdicts of unreliable verifiers.
    pub unexpected: usize,
    /// Verdicts that do not count because the verifier answered `ok` to a
    /// canary.
    pub unreliable: usize,
}

impl Totals {
    pub fn passed(&self) -> bool {
        self.unexpected == 0
    }
}

/// Writes the report; each (generator, verifier) pair is a subtest with one
/// point per case.
pub fn write_report<W: Write>(family: &'static Family, out: W) -> io::Result<Totals> {
    let runs = runs(family);
    let count = family.implementations.len();
    let mut tap = Writer::new(out);
    let mut totals = Totals::default();
    tap.version()?;
    tap.comment(&canary_lines(&runs).join("\n"))?;
    tap.plan((count * count) as u64)?;
    tap.comment(&format!(
        "{} cases × {count} generators × {count} verifiers",
        family.cases.len()
    ))?;
    for implementation in family.implementations.iter() {
        tap.comment(&format!(
            "{}: {}",
            implementation.name, implementation.description
        ))?;
    }
    let mut number = 0;
    for generator in 0..count {
        for verifier in 0..count {
            number += 1;
            let name = pair_name(family, generator, verifier);
            let before = totals.unexpected;
            {
                let mut pair = tap.subtest(&name)?;
                pair.plan(family.cases.len() as u64)?;
                for case in 0..family.cases.len() {
                    let judgement =
                        judge(&runs, case, generator, verifier).unwrap_or_else(|error| {
                            Judgement::Deviates {
                                why: format!("cannot run: {error}"),
                            }
                        });
                    write_point(
                        &mut pair,
                        case as u64 + 1,
                        &family.cases[case].spec.description,
                        &judgement,
                        &mut totals,
                    )?;
                }
            }
            let status = if totals.unexpected == before {
                Status::Ok
            } else {
                Status::NotOk
            };
            tap.test_point(status, number, &name, None)?;
        }
    }
    tap.comment(&format!(
        "{} conform, {} known failures, {} not generated, {} unexpected \
         ({} from unreliable verifiers)",
        totals.conform,
        totals.known_failures,
        totals.not_generated,
        totals.unexpected,
        totals.unreliable
    ))?;
    Ok(totals)
}

/// One line for the canaries and one per verifier: whether its verdicts count.
fn canary_lines(runs: &FamilyRuns) -> Vec<String> {
    let family = runs.family();
    let suite = match runs.canaries() {
        Ok(suite) => suite,
        Err(error) => {
            return vec![format!(
                "UNRELIABLE VERIFIERS: no verifier's verdicts count: {}",
                first_line(&error.to_string())
            )];
        }
    };
    let total = suite.canaries.len();
    let mut lines = vec![format!(
        "canaries: {total} real proofs by the {} generator with expect inverted ({})",
        suite.source,
        suite.path.display()
    )];
    for (verifier, implementation) in family.implementations.iter().enumerate() {
        let name = &implementation.name;
        lines.push(match runs.vetting(verifier) {
            Err(error) => format!(
                "UNRELIABLE VERIFIER {name}: {}",
                first_line(&error.to_string())
            ),
            Ok(vetting) => match vetting.fooled.first() {
                None => format!("verifier {name}: answered not ok to all {total} canaries"),
                Some(first) => format!(
                    "UNRELIABLE VERIFIER {name}: answered ok to {} of {total} canaries \
                     (first `{}`, which truly expects {}); its verdicts count as not conforming",
                    vetting.fooled.len(),
                    first.canary.description,
                    expect_word(first.canary.truly)
                ),
            },
        });
    }
    lines
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

fn write_point<W: Write>(
    tap: &mut Writer<W>,
    number: u64,
    description: &str,
    judgement: &Judgement,
    totals: &mut Totals,
) -> io::Result<()> {
    match judgement {
        Judgement::Conforms => {
            totals.conform += 1;
            tap.ok(number, description)
        }
        Judgement::NotGenerated => {
            totals.not_generated += 1;
            let skip = Directive::Skip("not built by this generator".to_string());
            tap.test_point(Status::Ok, number, description, Some(&skip))
        }
        Judgement::KnownFailure { reason } => {
            totals.known_failures += 1;
            let todo = Directive::Todo(format!("known failure: {reason}"));
            tap.test_point(Status::NotOk, number, description, Some(&todo))
        }
        Judgement::KnownFailureFixed {
            reason,
            declared_at,
        } => {
            totals.unexpected += 1;
            tap.not_ok(number, description)?;
            let message =
                format!("conforms now; remove the known failure at {declared_at} ({reason})");
            tap.diagnostics(&[("message", &message)])
        }
        Judgement::Deviates { why } => {
            totals.unexpected += 1;
            tap.not_ok(number, description)?;
            tap.diagnostics(&[("message", why)])
        }
        Judgement::UnreliableVerifier { why } => {
            totals.unexpected += 1;
            totals.unreliable += 1;
            tap.not_ok(number, description)?;
            tap.diagnostics(&[("message", first_line(why))])
        }
    }
}
