//! Canaries vet every App Identity verifier before its verdicts count: the
//! real verifiers answer `not ok` to each, and a verifier that answers `ok`
//! to everything (`generated-tests/app_identity/fixtures/always-ok.sh`) is caught.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::OnceLock;

use crosscheck::app_identity::canaries::Vetting;
use crosscheck::app_identity::case::Expect;
use crosscheck::app_identity::report::write_report;
use crosscheck::app_identity::runs::{FamilyRuns, runs};
use crosscheck::app_identity::{
    Family, FamilyCase, Implementation, Judgement, PlannedPair, check, judge,
};
use crosscheck::expectation::{Declared, Expectation};
use crosscheck::program::{Cargo, Program, Provision};

include!(concat!(env!("OUT_DIR"), "/app_identity_family.rs"));

/// Relative to the family's root, where suite tools run.
const ALWAYS_OK: &str = "fixtures/always-ok.sh";

const RUST: Implementation = Implementation {
    name: Cow::Borrowed("rust"),
    description: Cow::Borrowed("crosscheck's app-identity crate (app-identity-suite-rs)"),
    program: Program::new(
        "rust",
        Provision::Cargo(Cargo {
            package: Cow::Borrowed("crosscheck-suite"),
            bin: Cow::Borrowed("app-identity-suite-rs"),
            built_at: Some(env!("CARGO_BIN_EXE_app-identity-suite-rs")),
            compiled_in: Some(env!("CARGO_PKG_NAME")),
        }),
    ),
    generate_args: Cow::Borrowed(&[Cow::Borrowed("--all-cases")]),
    generates_all_cases: true,
};

/// The rust implementation and `verifier`, over every case of the specs.
/// The cases are marked non-upstream so that `verifier`, which builds no
/// suites, is never asked to generate one.
fn family_with(name: &'static str, verifier: Implementation) -> &'static Family {
    family_rooted_at(env!("CARGO_MANIFEST_DIR"), name, verifier)
}

/// As [`family_with`], for a family whose project root is `root`.
fn family_rooted_at(
    root: &'static str,
    name: &'static str,
    verifier: Implementation,
) -> &'static Family {
    let cases: Vec<FamilyCase> = FAMILY
        .cases
        .iter()
        .map(|case| FamilyCase {
            upstream: false,
            ..case.clone()
        })
        .collect();
    // What the spec compiler would decide: `verifier` (index 1) builds no
    // suite, so no pair with it as generator runs.
    let not_generated: Vec<PlannedPair> = (0..cases.len())
        .flat_map(|case| {
            (0..2).map(move |verifier| PlannedPair {
                case,
                generator: 1,
                verifier,
                expectation: Expectation::Unsupported(Cow::Owned(vec![Declared {
                    who: Cow::Borrowed("generator"),
                    name: Cow::Borrowed("the verifier's generator"),
                    reason: Cow::Borrowed("builds only the upstream cases it embeds"),
                    declared_at: Cow::Borrowed("tests/app_identity_canaries.rs"),
                }])),
            })
        })
        .collect();
    Box::leak(Box::new(Family {
        name: Cow::Borrowed(name),
        root: Cow::Borrowed(root),
        implementations: Cow::Owned(vec![RUST, verifier]),
        cases: Cow::Owned(cases),
        pairs: Cow::Owned(not_generated),
    }))
}

fn always_ok_family() -> &'static Family {
    static FAMILY: OnceLock<&'static Family> = OnceLock::new();
    FAMILY.get_or_init(|| {
        family_with(
            "always_ok_verifier",
            Implementation {
                name: Cow::Borrowed("always-ok"),
                description: Cow::Borrowed("answers ok to every test"),
                program: Program::installed(
                    "always-ok",
                    &[Cow::Borrowed("sh"), Cow::Borrowed(ALWAYS_OK)],
                ),
                generate_args: Cow::Borrowed(&[]),
                generates_all_cases: false,
            },
        )
    })
}

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

/// always-ok.sh behind a guard that refuses to run anywhere but in
/// `fixtures/`, the root of the family that runs it (and not the directory
/// the tests run in).
const ONLY_IN_FIXTURES: &str = "case $PWD in */generated-tests/app_identity/fixtures) ;; *) exit 9;; esac; exec sh always-ok.sh \"$@\"";

fn rooted_in_fixtures_family() -> &'static Family {
    static FAMILY: OnceLock<&'static Family> = OnceLock::new();
    FAMILY.get_or_init(|| {
        family_rooted_at(
            FIXTURES,
            "rooted_in_fixtures",
            Implementation {
                name: Cow::Borrowed("only-in-fixtures"),
                description: Cow::Borrowed("always-ok.sh, run only from its own directory"),
                program: Program::installed(
                    "only-in-fixtures",
                    &[
                        Cow::Borrowed("sh"),
                        Cow::Borrowed("-c"),
                        Cow::Borrowed(ONLY_IN_FIXTURES),
                        Cow::Borrowed("only-in-fixtures"),
                    ],
                ),
                generate_args: Cow::Borrowed(&[]),
                generates_all_cases: false,
            },
        )
    })
}

#[test]
fn suite_tools_run_in_their_familys_root_not_where_the_tests_run() {
    let family = rooted_in_fixtures_family();
    assert_ne!(
        std::env::current_dir().unwrap(),
        crosscheck::paths::in_workspace(FIXTURES)
    );
    let runs = runs(family);
    let rust = implementation_index(family, "rust");
    let verifier = implementation_index(family, "only-in-fixtures");
    let verified = runs.verified(rust, verifier);
    assert!(verified.is_ok(), "{:?}", verified.err());
}

fn missing_verifier_family() -> &'static Family {
    static FAMILY: OnceLock<&'static Family> = OnceLock::new();
    FAMILY.get_or_init(|| {
        family_with(
            "missing_verifier",
            Implementation {
                name: Cow::Borrowed("missing"),
                description: Cow::Borrowed("a verifier program that does not exist"),
                program: Program::installed(
                    "missing",
                    &[Cow::Borrowed("/nonexistent/app-identity-verifier")],
                ),
                generate_args: Cow::Borrowed(&[]),
                generates_all_cases: false,
            },
        )
    })
}

fn case_index(description: &str) -> usize {
    FAMILY
        .cases
        .iter()
        .position(|case| case.spec.description == description)
        .unwrap_or_else(|| panic!("no case `{description}` in the specs"))
}

fn implementation_index(family: &Family, name: &str) -> usize {
    family
        .implementations
        .iter()
        .position(|implementation| implementation.name == name)
        .unwrap_or_else(|| panic!("no implementation `{name}`"))
}

fn vetting<'a>(runs: &'a FamilyRuns, verifier: &str) -> &'a Vetting {
    let index = implementation_index(runs.family(), verifier);
    runs.vetting(index)
        .unwrap_or_else(|error| panic!("{error}"))
}

fn assert_reliable(verifier: &str) {
    let runs = runs(&FAMILY);
    let vetting = vetting(&runs, verifier);
    let suite = runs.canaries().unwrap_or_else(|error| panic!("{error}"));
    assert!(
        vetting.is_reliable(),
        "{}",
        crosscheck::app_identity::canaries::unreliable_message(verifier, suite, vetting)
    );
}

fn panic_message(run: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(run).expect_err("the test body fails");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| {
            payload
                .downcast_ref::<&str>()
                .map(|text| (*text).to_string())
        })
        .unwrap_or_default()
}

#[test]
fn canaries_are_real_proofs_with_expect_inverted_for_every_proof_version() {
    let runs = runs(&FAMILY);
    let canaries = runs.canaries().unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(canaries.source, "rust");
    let covered: BTreeSet<(u8, bool)> = canaries
        .canaries
        .iter()
        .map(|canary| (canary.proof_version, canary.truly == Expect::Pass))
        .collect();
    let every: BTreeSet<(u8, bool)> = (1..=4)
        .flat_map(|version| [(version, true), (version, false)])
        .collect();
    assert_eq!(covered, every);

    let text = std::fs::read_to_string(&canaries.path).expect("canary suite written");
    let written = app_identity::Suite::from_json(&text).expect("canary suite reads back");
    let source = runs
        .generated(implementation_index(&FAMILY, "rust"))
        .expect("rust suite");
    for (canary, test) in canaries.canaries.iter().zip(&written.tests) {
        assert_eq!(test.description, canary.description);
        assert_ne!(test.expect, canary.truly, "{}", canary.description);
        let original = source
            .suite
            .tests
            .iter()
            .find(|original| original.proof == test.proof)
            .unwrap_or_else(|| panic!("`{}` is not a generated proof", canary.description));
        assert_eq!(original.expect, canary.truly, "{}", canary.description);
        assert_eq!(original.app, test.app, "{}", canary.description);
    }
}

#[test]
fn the_rust_verifier_answers_not_ok_to_every_canary() {
    assert_reliable("rust");
}

#[test]
fn the_typescript_verifier_answers_not_ok_to_every_canary() {
    assert_reliable("ts");
}

#[test]
fn a_verifier_that_answers_ok_to_everything_is_caught_by_the_canaries() {
    let family = always_ok_family();
    let runs = runs(family);
    let rust = implementation_index(family, "rust");
    let always_ok = implementation_index(family, "always-ok");
    let vetting = vetting(&runs, "always-ok");
    assert_eq!(vetting.fooled.len(), 8, "{vetting:#?}");

    let case = case_index("App V1, Proof V1");
    let message = panic_message(|| check(family, case, rust, always_ok));
    assert!(
        message.starts_with(
            "rust → always-ok on `App V1, Proof V1`: the always-ok verifier is unreliable, \
             so its verdicts do not count: it answered `ok` to 8 of 8 canaries"
        ),
        "{message}"
    );
    for canary in [
        "canary `App V1, Proof V1 [canary: truly pass, marked fail]`: the proof truly expects \
         pass, the verifier answered `ok`",
        "canary `Proof V4, Incorrect Proof Secret [canary: truly fail, marked pass]`: the \
         proof truly expects fail, the verifier answered `ok`",
    ] {
        assert!(message.contains(canary), "{message}");
    }

    // Its verdict on a failing case would otherwise look right.
    let failing = case_index("Proof V2, Incorrect Proof Secret");
    assert!(matches!(
        judge(&runs, failing, rust, always_ok),
        Ok(Judgement::UnreliableVerifier { .. })
    ));
    assert!(matches!(
        judge(&runs, case, rust, rust),
        Ok(Judgement::Conforms)
    ));
}

#[test]
fn a_verifier_whose_canary_run_cannot_start_fails_every_test() {
    let family = missing_verifier_family();
    let case = case_index("App V1, Proof V1");
    let message = panic_message(|| check(family, case, 0, 1));
    assert!(
        message.starts_with(
            "rust → missing on `App V1, Proof V1`: cannot run: the canaries could not vet the \
             missing verifier, so its verdicts do not count: "
        ),
        "{message}"
    );
    assert!(
        message.contains("/nonexistent/app-identity-verifier"),
        "{message}"
    );
}

#[test]
fn the_report_says_at_the_top_which_verifiers_are_unreliable() {
    let family = always_ok_family();
    let mut output = Vec::new();
    let totals = write_report(family, &mut output).expect("report written");
    let report = String::from_utf8(output).expect("UTF-8 report");
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines[0], "TAP version 14");
    assert!(
        lines[1]
            .starts_with("# canaries: 8 real proofs by the rust generator with expect inverted ("),
        "{report}"
    );
    assert_eq!(
        lines[2],
        "# verifier rust: answered not ok to all 8 canaries"
    );
    assert_eq!(
        lines[3],
        "# UNRELIABLE VERIFIER always-ok: answered ok to 8 of 8 canaries (first `App V1, \
         Proof V1 [canary: truly pass, marked fail]`, which truly expects pass); its verdicts \
         count as not conforming"
    );
    assert_eq!(lines[4], "1..4");
    let cases = FAMILY.cases.len();
    assert_eq!(totals.unreliable, cases);
    assert_eq!(totals.unexpected, cases);
    assert!(!totals.passed());
    assert!(
        report.contains(&format!("({cases} from unreliable verifiers)")),
        "{report}"
    );
}

#[test]
fn no_secret_of_a_generated_suite_reaches_the_generators_log() {
    let runs = runs(&FAMILY);
    for implementation in FAMILY.implementations.iter() {
        let generated = runs
            .generated(implementation_index(&FAMILY, &implementation.name))
            .unwrap_or_else(|error| panic!("{error}"));
        let log = generated
            .path
            .with_file_name(format!("{}-generate.log", implementation.name));
        let logged = std::fs::read_to_string(&log)
            .unwrap_or_else(|error| panic!("{}: {error}", log.display()));
        for test in &generated.suite.tests {
            assert!(
                !logged.contains(&test.app.secret),
                "{}: a secret of `{}` is in the log",
                log.display(),
                test.description
            );
        }
    }
}
