//! `app-identity-suite-rs` as users run it: real processes, real files, and
//! the TypeScript reference on the other side.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crosscheck::app_identity::Family;
use crosscheck::program::Provision;

include!(concat!(env!("OUT_DIR"), "/app_identity_family.rs"));

/// The suite tool cargo built for these tests.
fn tool() -> PathBuf {
    crosscheck::paths::built_binary(
        "app-identity-suite-rs",
        env!("CARGO_BIN_EXE_app-identity-suite-rs"),
    )
}

fn run_tool(program: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tool starts");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("tool finishes")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = crosscheck::paths::run_dir("suite-tool-tests").join(name);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn typescript_tool(family: &Family) -> PathBuf {
    let implementation = family
        .implementations
        .iter()
        .find(|i| matches!(i.program.provision, Provision::Npm(_)))
        .expect("the manifest declares the npm reference");
    crosscheck::programs::resolve(&implementation.program, Path::new(&*family.root))
        .unwrap_or_else(|e| panic!("{e}"))
        .program
}

fn generated_suite(all_cases: bool) -> String {
    let mut args = vec!["generate", "--stdout"];
    if all_cases {
        args.push("--all-cases");
    }
    let output = run_tool(&tool(), &args, None);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

fn assert_every_point_ok(tap: &str, expected_points: usize) {
    let document = crosscheck::tap::parse(tap).unwrap_or_else(|e| panic!("{e}\n{tap}"));
    assert_eq!(document.test_points.len(), expected_points, "{tap}");
    let bad: Vec<_> = document
        .test_points
        .iter()
        .filter(|p| p.status != crosscheck::tap::Status::Ok)
        .collect();
    assert!(bad.is_empty(), "not ok: {bad:#?}");
}

#[test]
fn generated_suites_validate_against_the_upstream_schema() {
    let schema_path = crosscheck::paths::in_workspace(env!("CARGO_MANIFEST_DIR"))
        .join("../../specs/app_identity/suite.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).expect("schema"))
            .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    for all_cases in [false, true] {
        let suite: serde_json::Value =
            serde_json::from_str(&generated_suite(all_cases)).expect("suite JSON");
        let errors: Vec<String> = validator
            .iter_errors(&suite)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

#[test]
fn default_suite_holds_exactly_the_upstream_cases() {
    let suite: serde_json::Value =
        serde_json::from_str(&generated_suite(false)).expect("suite JSON");
    let tests = suite["tests"].as_array().expect("tests");
    let upstream = FAMILY.cases.iter().filter(|c| c.upstream).count();
    assert_eq!(tests.len(), upstream);
    assert_eq!(upstream, 78, "40 required + 38 optional upstream cases");
    let required = tests.iter().filter(|t| t["required"] == true).count();
    assert_eq!(required, 40);
}

#[test]
fn typescript_reference_verifies_our_suite_and_we_verify_theirs() {
    let dir = scratch("cross");
    let ts = typescript_tool(&FAMILY);

    let ours = dir.join("rs.json");
    std::fs::write(&ours, generated_suite(false)).expect("write suite");
    let output = run_tool(
        &ts,
        &["run", "--strict", ours.to_str().expect("utf-8 path")],
        None,
    );
    assert!(
        output.status.success(),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert_every_point_ok(&stdout(&output), 78);

    let theirs = run_tool(&ts, &["generate", "--stdout"], None);
    assert!(theirs.status.success(), "{}", stderr(&theirs));
    let output = run_tool(
        &tool(),
        &["run", "--strict", "--stdin"],
        Some(&stdout(&theirs)),
    );
    assert!(
        output.status.success(),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert_every_point_ok(&stdout(&output), 78);
}

#[test]
fn run_prints_tap_14_with_header_comments_and_reads_directories() {
    let dir = scratch("directory");
    let output = run_tool(
        &tool(),
        &["generate", "-q", dir.join("a").to_str().expect("path")],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(dir.join("a.json").is_file(), "`.json` is added to the name");
    std::fs::copy(dir.join("a.json"), dir.join("b.json")).expect("copy");
    std::fs::write(dir.join("notes.txt"), "not a suite").expect("write");
    let output = run_tool(&tool(), &["run", dir.to_str().expect("path")], None);
    assert!(output.status.success(), "{}", stderr(&output));
    let tap = stdout(&output);
    let mut lines = tap.lines();
    assert_eq!(lines.next(), Some("TAP version 14"));
    assert_eq!(
        lines.next(),
        Some("1..156"),
        "both suites merge into one plan"
    );
    assert_eq!(
        lines.next(),
        Some("# generator: crosscheck app-identity 0.1.0 (spec 4)")
    );
    assert_eq!(
        lines.next(),
        Some("# runner: crosscheck app-identity 0.1.0 (spec 4)")
    );
    assert!(
        tap.contains("\nok 156 - Proof V4, Mismatched Padlock\n"),
        "{tap}"
    );
}

fn suite_with(tests: &str) -> String {
    format!(r#"{{"name":"n","version":"1","spec_version":4,"tests":[{tests}]}}"#)
}

const BAD_OPTIONAL: &str = r#"{"description":"opt","app":{"id":"a","secret":"s","version":1},"proof":"bm9wZQ==","expect":"pass","required":false,"spec_version":4}"#;
const BAD_REQUIRED: &str = r#"{"description":"req","app":{"id":"a","secret":"s","version":1},"proof":"bm9wZQ==","expect":"pass","required":true,"spec_version":4}"#;
const NEWER: &str = r#"{"description":"new","app":{"id":"a","secret":"s","version":1},"proof":"bm9wZQ==","expect":"pass","required":true,"spec_version":5}"#;

#[test]
fn optional_failures_are_todo_unless_strict_and_newer_specs_skip() {
    let suite = suite_with(&format!("{BAD_OPTIONAL},{NEWER}"));
    let normal = run_tool(&tool(), &["run", "--stdin", "-D"], Some(&suite));
    assert!(
        normal.status.success(),
        "an optional failure does not fail a normal run"
    );
    let tap = stdout(&normal);
    assert!(
        tap.contains("not ok 1 - opt # TODO optional failing test\n  ---\n  message: "),
        "{tap}"
    );
    assert!(
        tap.contains("ok 2 - new # SKIP unsupported spec version (4 < 5)"),
        "{tap}"
    );
    crosscheck::tap::parse(&tap).expect("our -D output is valid TAP");

    let strict = run_tool(&tool(), &["run", "--stdin", "-S"], Some(&suite));
    assert!(
        !strict.status.success(),
        "strict mode counts optional failures"
    );
    assert!(stdout(&strict).contains("not ok 1 - opt\n"));

    let required = run_tool(
        &tool(),
        &["run", "--stdin"],
        Some(&suite_with(BAD_REQUIRED)),
    );
    assert!(
        !required.status.success(),
        "a required failure fails the run"
    );
}

#[test]
fn bad_input_is_one_error_line_and_a_nonzero_exit() {
    let dir = scratch("bad");
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\"name\": ").expect("write");
    let cases: [(Vec<String>, Option<String>, &str); 5] = [
        (
            vec!["run".into(), broken.display().to_string()],
            None,
            "broken.json",
        ),
        (
            vec!["run".into(), dir.join("missing.json").display().to_string()],
            None,
            "missing.json",
        ),
        (
            vec!["run".into(), "--stdin".into()],
            Some(suite_with("")),
            "tests",
        ),
        (
            vec!["run".into(), "--stdin".into()],
            Some(suite_with(
                &BAD_REQUIRED.replace("\"id\":\"a\"", "\"id\":\"\""),
            )),
            "id",
        ),
        (
            vec!["run".into(), "--stdin".into()],
            Some("[1, 2]".to_string()),
            "standard input",
        ),
    ];
    for (args, input, mentions) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = run_tool(&tool(), &args, input.as_deref());
        let error = stderr(&output);
        assert!(!output.status.success(), "{args:?} must fail");
        assert_eq!(error.lines().count(), 1, "one line for {args:?}: {error}");
        assert!(
            error.starts_with("app-identity-suite-rs: error: ") && error.contains(mentions),
            "{args:?}: {error}"
        );
        assert!(!error.contains("panicked"), "{error}");
    }
    let output = run_tool(&tool(), &["run", "--frobnicate"], None);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("--frobnicate"));

    let endless = Command::new(tool())
        .args(["run", "--stdin"])
        .stdin(std::fs::File::open("/dev/zero").expect("/dev/zero"))
        .output()
        .expect("tool finishes");
    assert!(!endless.status.success());
    assert_eq!(
        stderr(&endless),
        "app-identity-suite-rs: error: cannot read standard input: it holds more than 64 MiB, more than any real input\n"
    );
}
