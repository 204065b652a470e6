//! Bad specs give located, readable errors; good ones plan the right tests.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

mod support;

use crosscheck_codegen::SpecFamily;
use crosscheck_codegen::app_identity::{AppIdentity, load, plan};

const MANIFEST: &str = "\
implementations:
  - name: rust
    description: the Rust one
    program:
      cargo: {package: crosscheck-suite, bin: app-identity-suite-rs}
  - name: other
    description: another
    program:
      run: [other-tool]
    generates: upstream_cases
case_files:
  - file: up.yaml
    upstream: true
    required: true
";

const CASES: &str = "\
- description: 'App V1, Proof V1'
  spec_version: 4
  expect: pass
  app:
    version: 1
  proof:
    version: 1
";

fn family(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write spec");
    }
    dir
}

fn errors(files: &[(&str, &str)]) -> String {
    let dir = family(files);
    match AppIdentity::plan(dir.path(), dir.path()) {
        Ok(_) => panic!("expected spec errors"),
        Err(diagnostics) => diagnostics.to_string(),
    }
}

#[test]
fn a_typo_names_file_line_column_and_the_expected_fields() {
    let typo = CASES.replace("  proof:\n    version: 1", "  proof:\n    versoin: 1");
    let report = errors(&[("manifest.yaml", MANIFEST), ("up.yaml", &typo)]);
    assert!(
        report.contains("up.yaml:7:5: error: unknown field `versoin`"),
        "{report}"
    );
    assert!(report.contains("expected one of `version`"), "{report}");
    assert!(report.contains("7 |     versoin: 1"), "{report}");
}

#[test]
fn every_semantic_problem_is_reported_at_once_with_its_location() {
    let bad = format!(
        "{CASES}- description: 'App V1, Proof V1'\n  spec_version: 4\n  expect: pass\n  proof:\n    version: 7\n"
    );
    let manifest = format!(
        "{MANIFEST}known_failures:\n  - case: No such case\n    verifier: nobody\n    reason: because\n"
    );
    let report = errors(&[("manifest.yaml", &manifest), ("up.yaml", &bad)]);
    assert!(
        report.contains(
            "up.yaml:8:16: error: duplicate case `App V1, Proof V1` (first at up.yaml:1:16)"
        ),
        "{report}"
    );
    assert!(
        report.contains("up.yaml:12:14: error: proof.version must be 1, 2, 3 or 4, not 7"),
        "{report}"
    );
    assert!(
        report.contains("manifest.yaml:16:11: error: no case is described `No such case`"),
        "{report}"
    );
    assert!(report.contains("manifest.yaml:17:15: error: unknown implementation `nobody`; expected one of rust, other"), "{report}");
    assert!(report.ends_with("4 spec errors"), "{report}");
}

#[test]
fn descriptions_that_sanitise_alike_are_an_error_not_a_suffix() {
    let clash = format!(
        "{CASES}- description: 'app v1 proof v1!'\n  spec_version: 4\n  expect: pass\n  proof:\n    version: 1\n"
    );
    let report = errors(&[("manifest.yaml", MANIFEST), ("up.yaml", &clash)]);
    assert!(
        report.contains("both become the test name `app_v1_proof_v1`"),
        "{report}"
    );
}

#[test]
fn malformed_yaml_and_duplicate_keys_are_located() {
    let report = errors(&[
        ("manifest.yaml", MANIFEST),
        ("up.yaml", "- description: [\n"),
    ]);
    assert!(report.contains("up.yaml:"), "{report}");
    let duplicate = CASES.replace("  expect: pass\n", "  expect: pass\n  expect: fail\n");
    let report = errors(&[("manifest.yaml", MANIFEST), ("up.yaml", &duplicate)]);
    assert!(
        report.contains("up.yaml:4:3: error: duplicate key `expect` (first at up.yaml:3:3)"),
        "{report}"
    );
}

#[test]
fn nonce_and_padlock_forms_are_checked() {
    let bad = CASES.to_string()
        + "  nonce:\n    value: x\n    empty: true\n  padlock:\n    value: abc\n    case: lower\n";
    let report = errors(&[("manifest.yaml", MANIFEST), ("up.yaml", &bad)]);
    assert!(report.contains("nonce needs exactly one of"), "{report}");
    assert!(
        report.contains("padlock.value cannot be combined"),
        "{report}"
    );
}

#[test]
fn a_manifest_entry_for_a_missing_file_is_an_error() {
    let manifest = MANIFEST.replace("file: up.yaml", "file: gone.yaml");
    let report = errors(&[("manifest.yaml", &manifest), ("up.yaml", CASES)]);
    assert!(
        report.contains("manifest.yaml:12:11: error: no case file `gone.yaml`"),
        "{report}"
    );
}

#[test]
fn every_case_becomes_one_test_per_pair_and_a_new_file_adds_tests() {
    let extra = CASES.replace("App V1, Proof V1", "Numeric id");
    let dir = family(&[
        ("manifest.yaml", MANIFEST),
        ("up.yaml", CASES),
        ("mine.yaml", &extra),
    ]);
    let mut diagnostics = crosscheck_codegen::Diagnostics::default();
    let loaded = load::load(dir.path(), dir.path(), &mut diagnostics).expect("loads");
    assert!(diagnostics.is_empty(), "{diagnostics}");
    let planned = plan::plan(&loaded).expect("plans");
    let tests: Vec<String> = planned
        .modules
        .iter()
        .flat_map(|m| {
            m.cases.iter().flat_map(move |c| {
                c.tests
                    .iter()
                    .map(move |t| format!("{}::{}::{}", m.name, c.name, t.name))
            })
        })
        .collect();
    assert_eq!(
        tests,
        [
            "up::app_v1_proof_v1::rust_to_rust",
            "up::app_v1_proof_v1::rust_to_other",
            "up::app_v1_proof_v1::other_to_rust",
            "up::app_v1_proof_v1::other_to_other",
            "mine::numeric_id::rust_to_rust",
            "mine::numeric_id::rust_to_other",
            "mine::numeric_id::other_to_rust",
            "mine::numeric_id::other_to_other",
        ]
    );
    let ignored: Vec<bool> = planned.modules[1].cases[0]
        .tests
        .iter()
        .map(|t| t.ignored.is_some())
        .collect();
    assert_eq!(
        ignored,
        [false, false, true, true],
        "`other` only generates upstream cases"
    );
}

#[test]
fn the_project_specs_compile() {
    let specs = support::package_dir().join("../specs/app_identity");
    let root = support::package_dir().join("..");
    let plan = AppIdentity::plan(&specs, &root).unwrap_or_else(|d| panic!("{d}"));
    let tests = AppIdentity::tests(&plan).unwrap_or_else(|d| panic!("{d}"));
    assert!(tests.to_string().contains("fn rust_to_ts"));
    assert!(
        AppIdentity::tables(&plan, "app_identity")
            .to_string()
            .contains("Proof V4, Mismatched Padlock")
    );
}
