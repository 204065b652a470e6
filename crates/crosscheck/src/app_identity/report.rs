//! The main App Identity job: every generator's suite checked by every
//! verifier, judged against the specs, as one TAP 14 document. It opens with
//! what each verifier answered to the canaries.

use std::io::{self, Write};

use crate::app_identity::Family;
use crate::app_identity::canaries::expect_word;
use crate::app_identity::check::{Judgement, judge, pair_name};
use crate::app_identity::runs::{FamilyRuns, runs};
use crate::results::{
    Family as ResultFamily, GridDescription, Place, Provenance, RunResults, TestResult, Verdict,
};

/// The one grid of the family's results.
const GRID: &str = "generator × verifier";
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

/// Every verdict of the matrix, judged once; the TAP report, the short
/// terminal view and the shared result model are all written from it.
pub struct Judged {
    pub family: &'static Family,
    /// What each verifier answered to the canaries, one line each.
    pub canary_lines: Vec<String>,
    /// Generator-major, as the TAP subtests.
    pub pairs: Vec<PairJudgements>,
}

/// One (generator, verifier) pair: a judgement per case, in case order.
pub struct PairJudgements {
    pub name: String,
    /// Indices into the family's implementations.
    pub generator: usize,
    pub verifier: usize,
    pub judgements: Vec<Judgement>,
}

/// Runs and judges every pair.
pub fn judge_all(family: &'static Family) -> Judged {
    let runs = runs(family);
    let count = family.implementations.len();
    let pairs = (0..count)
        .flat_map(|generator| (0..count).map(move |verifier| (generator, verifier)))
        .map(|(generator, verifier)| PairJudgements {
            name: pair_name(family, generator, verifier),
            generator,
            verifier,
            judgements: (0..family.cases.len())
                .map(|case| {
                    judge(&runs, case, generator, verifier).unwrap_or_else(|error| {
                        Judgement::Deviates {
                            why: format!("cannot run: {error}"),
                        }
                    })
                })
                .collect(),
        })
        .collect();
    Judged {
        family,
        canary_lines: canary_lines(&runs),
        pairs,
    }
}

/// Writes the report; each (generator, verifier) pair is a subtest with one
/// point per case.
pub fn write_report<W: Write>(family: &'static Family, out: W) -> io::Result<Totals> {
    write_tap(&judge_all(family), out)
}

/// The judged matrix as TAP 14.
pub fn write_tap<W: Write>(judged: &Judged, out: W) -> io::Result<Totals> {
    let family = judged.family;
    let count = family.implementations.len();
    let mut tap = Writer::new(out);
    let mut totals = Totals::default();
    tap.version()?;
    tap.comment(&judged.canary_lines.join("\n"))?;
    tap.plan(judged.pairs.len() as u64)?;
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
    for (number, pair) in judged.pairs.iter().enumerate() {
        let before = totals.unexpected;
        {
            let mut pair_tap = tap.subtest(&pair.name)?;
            pair_tap.plan(pair.judgements.len() as u64)?;
            for (case, judgement) in pair.judgements.iter().enumerate() {
                write_point(
                    &mut pair_tap,
                    case as u64 + 1,
                    &family.cases[case].spec.description,
                    judgement,
                    &mut totals,
                )?;
            }
        }
        let status = if totals.unexpected == before {
            Status::Ok
        } else {
            Status::NotOk
        };
        tap.test_point(status, number as u64 + 1, &pair.name, None)?;
    }
    tap.comment(&totals_line(&totals))?;
    Ok(totals)
}

/// The short terminal view, as `tapview` shows TAP: the canary lines, a
/// mark per case for each pair (`.` conforms, `t` known failure, `s` not
/// generated, `X` not as the specs say), then every unexpected verdict in
/// full.
pub fn write_condensed<W: Write>(judged: &Judged, mut out: W) -> io::Result<Totals> {
    let mut totals = Totals::default();
    for line in &judged.canary_lines {
        writeln!(out, "{line}")?;
    }
    let width = judged
        .pairs
        .iter()
        .map(|pair| pair.name.len())
        .max()
        .unwrap_or(0);
    let mut unexpected = Vec::new();
    for pair in &judged.pairs {
        let marks: String = pair
            .judgements
            .iter()
            .enumerate()
            .map(|(case, judgement)| {
                count(judgement, &mut totals);
                if !judgement.is_expected() {
                    let description = &judged.family.cases[case].spec.description;
                    unexpected.push(format!("{}: {description}: {}", pair.name, why(judgement)));
                }
                mark(judgement)
            })
            .collect();
        writeln!(out, "{:<width$}  {marks}", pair.name)?;
    }
    for line in &unexpected {
        writeln!(out, "not ok {line}")?;
    }
    writeln!(out, "{}", totals_line(&totals))?;
    Ok(totals)
}

/// The judged matrix in the one result model every family shares, with
/// each implementation's description as its version; each case sits in the
/// grid of generators (rows) and verifiers (columns).
pub fn test_results(judged: &Judged) -> RunResults {
    let family = judged.family;
    let mut results = RunResults::new(0);
    results.implementations = family
        .implementations
        .iter()
        .map(|implementation| Provenance {
            family: ResultFamily::AppIdentity,
            name: implementation.name.to_string(),
            version: implementation.description.to_string(),
        })
        .collect();
    results.grids.push(GridDescription {
        family: ResultFamily::AppIdentity,
        grid: GRID.to_string(),
        description: "each generator's suite checked by each verifier; a cell counts its cases"
            .to_string(),
    });
    results.tests = judged
        .pairs
        .iter()
        .flat_map(|pair| {
            let place = Place::new(
                GRID,
                &family.implementations[pair.generator].name,
                &family.implementations[pair.verifier].name,
            );
            pair.judgements
                .iter()
                .enumerate()
                .map(move |(case, judgement)| {
                    let description = &family.cases[case].spec.description;
                    let verdict = match judgement {
                        Judgement::Conforms => Verdict::Pass,
                        Judgement::KnownFailure { .. } => Verdict::DeclaredFailure,
                        Judgement::NotGenerated => Verdict::Unsupported,
                        Judgement::KnownFailureFixed { .. } => Verdict::NotAsDeclared,
                        Judgement::Deviates { .. } | Judgement::UnreliableVerifier { .. } => {
                            Verdict::Fail
                        }
                    };
                    let detail = (*judgement != Judgement::Conforms).then(|| why(judgement));
                    TestResult::new(ResultFamily::AppIdentity, &pair.name, description, verdict)
                        .with_detail(detail)
                        .at(place.clone())
                })
        })
        .collect();
    results
}

fn mark(judgement: &Judgement) -> char {
    match judgement {
        Judgement::Conforms => '.',
        Judgement::KnownFailure { .. } => 't',
        Judgement::NotGenerated => 's',
        Judgement::KnownFailureFixed { .. }
        | Judgement::Deviates { .. }
        | Judgement::UnreliableVerifier { .. } => 'X',
    }
}

/// What a judgement says, in words.
fn why(judgement: &Judgement) -> String {
    match judgement {
        Judgement::Conforms => "conforms".to_string(),
        Judgement::NotGenerated => "not built by this generator".to_string(),
        Judgement::KnownFailure { reason } => format!("known failure: {reason}"),
        Judgement::KnownFailureFixed {
            reason,
            declared_at,
        } => format!("conforms now; remove the known failure at {declared_at} ({reason})"),
        Judgement::Deviates { why } => why.clone(),
        Judgement::UnreliableVerifier { why } => first_line(why).to_string(),
    }
}

fn count(judgement: &Judgement, totals: &mut Totals) {
    match judgement {
        Judgement::Conforms => totals.conform += 1,
        Judgement::NotGenerated => totals.not_generated += 1,
        Judgement::KnownFailure { .. } => totals.known_failures += 1,
        Judgement::KnownFailureFixed { .. } | Judgement::Deviates { .. } => totals.unexpected += 1,
        Judgement::UnreliableVerifier { .. } => {
            totals.unexpected += 1;
            totals.unreliable += 1;
        }
    }
}

fn totals_line(totals: &Totals) -> String {
    format!(
        "{} conform, {} known failures, {} not generated, {} unexpected \
         ({} from unreliable verifiers)",
        totals.conform,
        totals.known_failures,
        totals.not_generated,
        totals.unexpected,
        totals.unreliable
    )
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
    count(judgement, totals);
    match judgement {
        Judgement::Conforms => tap.ok(number, description),
        Judgement::NotGenerated => {
            let skip = Directive::Skip(why(judgement));
            tap.test_point(Status::Ok, number, description, Some(&skip))
        }
        Judgement::KnownFailure { .. } => {
            let todo = Directive::Todo(why(judgement));
            tap.test_point(Status::NotOk, number, description, Some(&todo))
        }
        Judgement::KnownFailureFixed { .. }
        | Judgement::Deviates { .. }
        | Judgement::UnreliableVerifier { .. } => {
            tap.not_ok(number, description)?;
            tap.diagnostics(&[("message", &why(judgement))])
        }
    }
}
