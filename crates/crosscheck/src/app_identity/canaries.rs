//! Canaries: real proofs whose `expect` is inverted, fed to every verifier
//! before its verdicts count. A correct verifier answers `not ok` to each;
//! one that answers `ok` cannot tell valid proofs from invalid ones, so none
//! of its verdicts can be trusted.

use std::path::PathBuf;

use app_identity::case::Expect;
use app_identity::suite::{Suite, SuiteTest};
use app_identity::{Proof, Timestamp, VerifyError, Version, verify_proof_with_diagnostic};
use thiserror::Error;

use crate::app_identity::Family;
use crate::app_identity::check::SPEC_VERSION;
use crate::expectation::Expectation;
use crate::tap::{Directive, Document, Status, TestPoint};

/// Why no canaries could be made from a suite, or read from a verifier's
/// answers.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CanaryError {
    /// Each missing canary, as "proof version N that must pass".
    #[error("no proof to make these canaries of: {}", missing.join(", "))]
    NoProof { missing: Vec<String> },
    #[error("the suite has no test {number}")]
    NoTest { number: usize },
    #[error("test `{description}`: {source}")]
    BadProof {
        description: String,
        #[source]
        source: VerifyError,
    },
    #[error("printed no test point {number} (canary `{description}`)")]
    NoAnswer { number: usize, description: String },
}

/// A generated test with its expectation inverted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canary {
    /// As written in the canary suite.
    pub description: String,
    pub proof_version: u8,
    /// What the proof really deserves; the canary suite says the opposite.
    pub truly: Expect,
}

/// The canaries of one family run, written as a suite file.
#[derive(Debug)]
pub struct CanarySuite {
    pub path: PathBuf,
    /// The generator whose proofs the canaries are.
    pub source: &'static str,
    pub canaries: Vec<Canary>,
}

/// A verifier's answers to the canaries.
#[derive(Debug)]
pub struct Vetting {
    /// The canaries it answered `ok` to.
    pub fooled: Vec<Fooled>,
    pub log: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fooled {
    pub canary: Canary,
    /// The verifier's answer, e.g. `ok` or `ok # SKIP reason`.
    pub answer: String,
}

impl Vetting {
    pub fn is_reliable(&self) -> bool {
        self.fooled.is_empty()
    }
}

/// Generators in the order canaries are taken from them: those that build
/// every case first, so every proof version is covered.
pub fn source_candidates(family: &Family) -> Vec<usize> {
    let mut candidates: Vec<usize> = (0..family.implementations.len()).collect();
    candidates.sort_by_key(|&generator| !family.implementations[generator].generates_all_cases);
    candidates
}

/// The tests of `suite` (by index) that become canaries: for every proof
/// version, one whose proof must verify and one whose proof must not.
pub fn choose(family: &Family, suite: &Suite) -> Result<Vec<usize>, CanaryError> {
    let now = Timestamp::now();
    let candidates: Vec<Candidate> = suite
        .tests
        .iter()
        .enumerate()
        .filter_map(|(index, test)| candidate(family, now, index, test))
        .collect();
    let mut chosen = Vec::new();
    let mut missing = Vec::new();
    for version in Version::ALL {
        for truly in [Expect::Pass, Expect::Fail] {
            let best = candidates
                .iter()
                .filter(|candidate| candidate.version == version && candidate.expect == truly)
                .min_by_key(|candidate| (candidate.preference, candidate.test));
            match best {
                Some(candidate) => chosen.push(candidate.test),
                None => missing.push(format!(
                    "proof version {} that must {}",
                    version.number(),
                    expect_word(truly)
                )),
            }
        }
    }
    if missing.is_empty() {
        Ok(chosen)
    } else {
        Err(CanaryError::NoProof { missing })
    }
}

struct Candidate {
    test: usize,
    version: Version,
    expect: Expect,
    /// Lower is better.
    preference: u8,
}

fn candidate(family: &Family, now: Timestamp, test: usize, entry: &SuiteTest) -> Option<Candidate> {
    // A case some verifier is known to get wrong would make that verifier
    // look unreliable.
    let known_to_fail = family
        .pairs
        .iter()
        .filter(|pair| matches!(pair.expectation, Expectation::Fail(_)))
        .filter_map(|pair| family.cases.get(pair.case))
        .any(|case| case.spec.description == entry.description);
    if entry.spec_version > SPEC_VERSION || known_to_fail {
        return None;
    }
    let version = Proof::parse(&entry.proof).ok()?.version;
    // Valid proofs: required tests. Invalid ones: a well-formed proof whose
    // padlock was not made with the app's secret, which a verifier that
    // skips the digest check accepts.
    let second_choice = match entry.expect {
        Expect::Pass => !entry.required,
        Expect::Fail => {
            let app = entry.app.to_app().ok()?;
            verify_proof_with_diagnostic(&entry.proof, &app, now)
                != Err(VerifyError::PadlockMismatch)
        }
    };
    Some(Candidate {
        test,
        version,
        expect: entry.expect,
        preference: u8::from(second_choice),
    })
}

/// The canary suite made of the `chosen` tests of `suite`, each test's
/// `expect` inverted (and `required`, so no verifier excuses a miss as
/// optional).
pub fn build(suite: &Suite, chosen: &[usize]) -> Result<(Suite, Vec<Canary>), CanaryError> {
    let mut tests = Vec::with_capacity(chosen.len());
    let mut canaries = Vec::with_capacity(chosen.len());
    for &index in chosen {
        let test = suite
            .tests
            .get(index)
            .ok_or(CanaryError::NoTest { number: index + 1 })?;
        let proof = Proof::parse(&test.proof).map_err(|source| CanaryError::BadProof {
            description: test.description.clone(),
            source,
        })?;
        let truly = test.expect;
        let marked = inverted(truly);
        let description = format!(
            "{} [canary: truly {}, marked {}]",
            test.description,
            expect_word(truly),
            expect_word(marked)
        );
        tests.push(SuiteTest {
            description: description.clone(),
            expect: marked,
            required: true,
            ..test.clone()
        });
        canaries.push(Canary {
            description,
            proof_version: proof.version.number(),
            truly,
        });
    }
    let canary_suite = Suite {
        description: Some(format!(
            "crosscheck canaries: proofs by {} with expect inverted",
            suite.generator()
        )),
        name: suite.name.clone(),
        spec_version: suite.spec_version,
        tests,
        version: suite.version.clone(),
    };
    Ok((canary_suite, canaries))
}

/// The canaries a verifier's TAP answered `ok` to (canary N is point N).
pub fn fooled(canaries: &[Canary], tap: &Document) -> Result<Vec<Fooled>, CanaryError> {
    let mut fooled = Vec::new();
    for (index, canary) in canaries.iter().enumerate() {
        let number = index + 1;
        let point = tap
            .test_points
            .iter()
            .find(|point| usize::try_from(point.number).ok() == Some(number))
            .ok_or_else(|| CanaryError::NoAnswer {
                number,
                description: canary.description.clone(),
            })?;
        if point.status == Status::Ok {
            fooled.push(Fooled {
                canary: canary.clone(),
                answer: answer(point),
            });
        }
    }
    Ok(fooled)
}

fn answer(point: &TestPoint) -> String {
    match &point.directive {
        Some(Directive::Skip(reason)) => format!("ok # SKIP {reason}"),
        Some(Directive::Todo(reason)) => format!("ok # TODO {reason}"),
        None => "ok".to_string(),
    }
}

/// Why `verifier`'s verdicts do not count, naming every canary it answered
/// `ok` to.
pub fn unreliable_message(verifier: &str, suite: &CanarySuite, vetting: &Vetting) -> String {
    let mut lines = vec![format!(
        "the {verifier} verifier is unreliable, so its verdicts do not count: it answered `ok` \
         to {} of {} canaries (real proofs by the {} generator with `expect` inverted; a correct \
         verifier answers `not ok` to each):",
        vetting.fooled.len(),
        suite.canaries.len(),
        suite.source
    )];
    lines.extend(vetting.fooled.iter().map(|fooled| {
        format!(
            "  canary `{}`: the proof truly expects {}, the verifier answered `{}`",
            fooled.canary.description,
            expect_word(fooled.canary.truly),
            fooled.answer
        )
    }));
    lines.push(format!("canary suite: {}", suite.path.display()));
    lines.push(format!("verifier log: {}", vetting.log.display()));
    lines.join("\n")
}

pub fn expect_word(expect: Expect) -> &'static str {
    match expect {
        Expect::Pass => "pass",
        Expect::Fail => "fail",
    }
}

fn inverted(expect: Expect) -> Expect {
    match expect {
        Expect::Pass => Expect::Fail,
        Expect::Fail => Expect::Pass,
    }
}

#[cfg(test)]
mod tests {
    use app_identity::case::{
        Alphabet, AppSpec, CaseSpec, IdSpec, NonceSpec, PadlockSpec, ProofSpec,
    };
    use app_identity::{GeneratorInfo, generate_suite};

    use super::*;
    use std::borrow::Cow;

    use crate::app_identity::{FamilyCase, Implementation, PlannedPair};
    use crate::expectation::Declared;
    use crate::program::Program;

    const fn case(
        description: &'static str,
        version: u8,
        expect: Expect,
        required: bool,
        secret: Option<&'static str>,
    ) -> FamilyCase {
        family_case(
            description,
            4,
            version,
            expect,
            required,
            secret,
            NonceSpec::Default,
        )
    }

    const fn old_timestamp(description: &'static str, version: u8) -> FamilyCase {
        let nonce = NonceSpec::Value(Cow::Borrowed("20060102T150405.333Z"));
        family_case(description, 4, version, Expect::Fail, true, None, nonce)
    }

    /// A case of a version 1 app whose proof has version `version` and,
    /// when `secret` is given, is made with that secret instead of the app's.
    const fn family_case(
        description: &'static str,
        spec_version: u32,
        version: u8,
        expect: Expect,
        required: bool,
        secret: Option<&'static str>,
        nonce: NonceSpec,
    ) -> FamilyCase {
        FamilyCase {
            file: Cow::Borrowed("cases.yaml"),
            upstream: true,
            spec: CaseSpec {
                description: Cow::Borrowed(description),
                spec_version,
                expect,
                required,
                app: AppSpec {
                    version: 1,
                    fuzz: None,
                    id: IdSpec::Random,
                },
                proof: ProofSpec {
                    version,
                    id: None,
                    secret: match secret {
                        Some(secret) => Some(Cow::Borrowed(secret)),
                        None => None,
                    },
                    alphabet: Alphabet::UrlSafe,
                    padded: true,
                },
                nonce,
                padlock: PadlockSpec::Default,
            },
        }
    }

    static IMPLEMENTATIONS: [Implementation; 2] = [
        Implementation {
            name: Cow::Borrowed("upstream-only"),
            description: Cow::Borrowed(""),
            program: Program::installed("true", &[Cow::Borrowed("true")]),
            generate_args: Cow::Borrowed(&[]),
            generates_all_cases: false,
        },
        Implementation {
            name: Cow::Borrowed("all"),
            description: Cow::Borrowed(""),
            program: Program::installed("true", &[Cow::Borrowed("true")]),
            generate_args: Cow::Borrowed(&[]),
            generates_all_cases: true,
        },
    ];

    static CASES: [FamilyCase; 12] = [
        case("V1 optional pass", 1, Expect::Pass, false, None),
        case("V1 pass", 1, Expect::Pass, true, None),
        case("V1 wrong secret", 1, Expect::Fail, false, Some("other")),
        case("V2 pass", 2, Expect::Pass, true, None),
        old_timestamp("V2 old timestamp", 2),
        case("V2 wrong secret", 2, Expect::Fail, false, Some("other")),
        case("V3 pass", 3, Expect::Pass, true, None),
        old_timestamp("V3 old timestamp", 3),
        case("V4 pass", 4, Expect::Pass, true, None),
        case("V4 known to fail", 4, Expect::Pass, true, None),
        case("V4 wrong secret", 4, Expect::Fail, false, Some("other")),
        family_case(
            "V3 wrong secret, newer spec",
            5,
            3,
            Expect::Fail,
            false,
            Some("o"),
            NonceSpec::Default,
        ),
    ];

    static FAMILY: Family = Family {
        root: Cow::Borrowed("/"),
        name: Cow::Borrowed("canary_unit_tests"),
        implementations: Cow::Borrowed(&IMPLEMENTATIONS),
        cases: Cow::Borrowed(&CASES),
        pairs: Cow::Borrowed(&[PlannedPair {
            case: 9,
            generator: 1,
            verifier: 0,
            expectation: Expectation::Fail(Declared {
                who: Cow::Borrowed("pair"),
                name: Cow::Borrowed("a known failure"),
                reason: Cow::Borrowed(""),
                declared_at: Cow::Borrowed(""),
            }),
        }]),
    };

    fn suite(cases: &[FamilyCase]) -> Suite {
        let specs: Vec<CaseSpec> = cases.iter().map(|case| case.spec.clone()).collect();
        generate_suite(&GeneratorInfo::new("unit", "1"), &specs).unwrap()
    }

    fn chosen_descriptions(cases: &[FamilyCase]) -> Result<Vec<String>, CanaryError> {
        let suite = suite(cases);
        let chosen = choose(&FAMILY, &suite)?;
        Ok(chosen
            .iter()
            .map(|&index| suite.tests[index].description.clone())
            .collect())
    }

    #[test]
    fn generators_that_build_every_case_come_first() {
        assert_eq!(source_candidates(&FAMILY), [1, 0]);
    }

    #[test]
    fn prefers_required_valid_proofs_and_wrong_secret_invalid_ones() {
        assert_eq!(
            chosen_descriptions(&CASES).unwrap(),
            [
                "V1 pass",
                "V1 wrong secret",
                "V2 pass",
                "V2 wrong secret",
                "V3 pass",
                "V3 old timestamp",
                "V4 pass",
                "V4 wrong secret",
            ]
        );
    }

    #[test]
    fn a_proof_version_without_a_canary_is_named() {
        let without_v4_failures: Vec<FamilyCase> = CASES
            .iter()
            .filter(|case| case.spec.description != "V4 wrong secret")
            .cloned()
            .collect();
        assert_eq!(
            chosen_descriptions(&without_v4_failures)
                .unwrap_err()
                .to_string(),
            "no proof to make these canaries of: proof version 4 that must fail"
        );
    }

    #[test]
    fn canaries_invert_expect_and_keep_the_proof() {
        let suite = suite(&CASES);
        let chosen = choose(&FAMILY, &suite).unwrap();
        let (canary_suite, canaries) = build(&suite, &chosen).unwrap();
        assert_eq!(canary_suite.tests.len(), 8);
        for ((canary, test), &index) in canaries.iter().zip(&canary_suite.tests).zip(&chosen) {
            let original = &suite.tests[index];
            assert_eq!(canary.truly, original.expect);
            assert_eq!(test.expect, inverted(original.expect));
            assert_eq!(test.proof, original.proof);
            assert_eq!(test.app, original.app);
            assert!(test.required);
            assert_eq!(test.description, canary.description);
        }
        assert_eq!(
            canaries[1].description,
            "V1 wrong secret [canary: truly fail, marked pass]"
        );
        assert_eq!(canaries[7].proof_version, 4);
    }

    fn canary(description: &str, truly: Expect) -> Canary {
        Canary {
            description: description.to_string(),
            proof_version: 1,
            truly,
        }
    }

    #[test]
    fn ok_and_skip_answers_are_fooled_not_ok_ones_are_not() {
        let canaries = [
            canary("a", Expect::Pass),
            canary("b", Expect::Fail),
            canary("c", Expect::Fail),
        ];
        let tap = crate::tap::parse(
            "TAP version 14\n1..3\nnot ok 1 - a\nok 2 - b\nok 3 - c # SKIP not today\n",
        )
        .unwrap();
        let fooled = fooled(&canaries, &tap).unwrap();
        let answers: Vec<_> = fooled
            .iter()
            .map(|fooled| (fooled.canary.description.as_str(), fooled.answer.as_str()))
            .collect();
        assert_eq!(answers, [("b", "ok"), ("c", "ok # SKIP not today")]);
    }

    #[test]
    fn a_missing_answer_is_an_error() {
        let canaries = [canary("a", Expect::Pass), canary("b", Expect::Fail)];
        let tap = crate::tap::parse("TAP version 14\n1..2\nnot ok 1 - a\n").unwrap();
        assert_eq!(
            fooled(&canaries, &tap).unwrap_err().to_string(),
            "printed no test point 2 (canary `b`)"
        );
    }
}
