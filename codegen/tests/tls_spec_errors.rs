//! TLS specs: bad ones give located, readable errors (all of them at once);
//! good ones plan the right tests, and a new implementation is new tests.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

mod support;

use std::path::Path;

use crosscheck_codegen::SpecFamily;
use crosscheck_codegen::tls::plan::MatrixPlan;
use crosscheck_codegen::tls::{Tls, load, plan};
use crosscheck_model::program::Provision;

use crosscheck_codegen::compile_path;

const CASES: &str = "\
cases:
  handshake:
    description: Handshake, then close.
    client: Handshake; close.
    server: Handshake; close after the client.
    deadline: 10s
  early_data:
    upstream: false
    description: Resumption with 0-RTT.
    client: Send the greeting as early data.
    server: Accept early data.
    deadline: 1500ms
    parameters:
      download_bytes:
        description: Bytes to send.
        kind: bytes
        default: 10 MB
        deadline_per_billion: 30s
    facts:
      client: [session_resumed, early_data_accepted]
";

const IMPLEMENTATIONS: &str = "\
implementations:
  rustls:
    description: rustls
    program:
      build: {command: [\"{cargo}\", build, --target-dir, \"{build_dir}\"]}
      run: [\"{build_dir}/release/rustls\"]
  java:
    description: JSSE
    program: {run: [java, -cp, \"{root}/java\", TlsShim]}
    unsupported:
      - case: early_data
        role: server
        reason: JSSE does not implement TLS 1.3 0-RTT
";

fn family(cases: &str, implementations: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("cases.yaml"), cases).expect("write cases");
    std::fs::write(dir.path().join("implementations.yaml"), implementations)
        .expect("write implementations");
    dir
}

fn planned(cases: &str, implementations: &str) -> MatrixPlan {
    let dir = family(cases, implementations);
    planned_with_root(&dir, dir.path())
}

/// The family in `dir`, its programs' files found under `root`.
fn planned_with_root(dir: &tempfile::TempDir, root: &Path) -> MatrixPlan {
    let mut diagnostics = crosscheck_codegen::Diagnostics::default();
    let loaded = load::load(dir.path(), root, &mut diagnostics);
    assert!(diagnostics.is_empty(), "{diagnostics}");
    let loaded = loaded.unwrap_or_else(|| panic!("not loaded"));
    plan::plan(&loaded).unwrap_or_else(|d| panic!("{d}"))
}

fn errors(cases: &str, implementations: &str) -> String {
    let dir = family(cases, implementations);
    match Tls::plan(dir.path(), dir.path()) {
        Ok(_) => panic!("expected spec errors"),
        Err(diagnostics) => diagnostics.to_string(),
    }
}

/// `IMPLEMENTATIONS` with `text` appended (e.g. a `known_failures:` list).
fn with_implementations_tail(text: &str) -> String {
    format!("{IMPLEMENTATIONS}{text}")
}

fn assert_reports(report: &str, expected: &[&str]) {
    for line in expected {
        assert!(report.contains(line), "missing `{line}` in:\n{report}");
    }
}

/// (`case::test`, ignore reason) of every planned test.
fn tests_of(plan: &MatrixPlan) -> Vec<(String, Option<String>)> {
    plan.cases
        .iter()
        .flat_map(|case| {
            case.tests.iter().map(move |test| {
                let reason = test.ignored.clone();
                (format!("{}::{}", case.module, test.name), reason)
            })
        })
        .collect()
}

#[test]
fn every_case_runs_every_client_against_every_server_in_file_order() {
    let plan = planned(CASES, IMPLEMENTATIONS);
    let java_server = Some("java as server: JSSE does not implement TLS 1.3 0-RTT".to_string());
    assert_eq!(
        tests_of(&plan),
        [
            ("handshake::rustls_to_rustls".to_string(), None),
            ("handshake::rustls_to_java".to_string(), None),
            ("handshake::java_to_rustls".to_string(), None),
            ("handshake::java_to_java".to_string(), None),
            ("early_data::rustls_to_rustls".to_string(), None),
            (
                "early_data::rustls_to_java".to_string(),
                java_server.clone()
            ),
            ("early_data::java_to_rustls".to_string(), None),
            ("early_data::java_to_java".to_string(), java_server),
        ]
    );
    let early_data = &plan.cases[1].record;
    assert_eq!(early_data.deadline_ms, 1500);
    assert_eq!(
        early_data.parameters[0].env,
        "CROSSCHECK_TLS_DOWNLOAD_BYTES"
    );
    assert_eq!(early_data.parameters[0].default, 10_000_000);
    assert_eq!(
        early_data.parameters[0].deadline_per_billion_ms,
        Some(30_000)
    );
    assert_eq!(
        *early_data.client_facts,
        ["session_resumed", "early_data_accepted"]
    );
    assert!(!early_data.upstream && plan.cases[0].record.upstream);
    assert!(matches!(
        plan.implementations[0].record.program.provision,
        Provision::Build(_)
    ));
    assert_eq!(
        plan.implementations[1].record.program.provision,
        Provision::Installed
    );
}

#[test]
fn both_reasons_show_when_both_sides_are_unsupported() {
    let implementations = IMPLEMENTATIONS.replace(
        "      run: [\"{build_dir}/release/rustls\"]\n",
        "      run: [\"{build_dir}/release/rustls\"]\n    unsupported:\n      - case: early_data\n        reason: no 0-RTT here\n",
    );
    let plan = planned(CASES, &implementations);
    let reasons: Vec<Option<String>> = tests_of(&plan)
        .into_iter()
        .filter(|(name, _)| name.starts_with("early_data::"))
        .map(|(_, reason)| reason)
        .collect();
    assert_eq!(
        reasons,
        [
            Some("rustls as client: no 0-RTT here; rustls as server: no 0-RTT here".to_string()),
            Some(
                "rustls as client: no 0-RTT here; java as server: JSSE does not implement TLS 1.3 0-RTT"
                    .to_string()
            ),
            Some("rustls as server: no 0-RTT here".to_string()),
            Some("java as server: JSSE does not implement TLS 1.3 0-RTT".to_string()),
        ]
    );
}

#[test]
fn roles_limit_the_cells() {
    let implementations = IMPLEMENTATIONS
        .replace(
            "    description: JSSE\n",
            "    description: JSSE\n    roles: [client]\n",
        )
        .replace("        role: server\n", "");
    let names: Vec<String> = tests_of(&planned(CASES, &implementations))
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| name.starts_with("handshake::"))
        .collect();
    assert_eq!(
        names,
        ["handshake::rustls_to_rustls", "handshake::java_to_rustls"]
    );
}

#[test]
fn spec_macro_tokens_hold_the_matrix_and_thin_tests() {
    let dir = family(CASES, IMPLEMENTATIONS);
    let family_name = dir
        .path()
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let module = crosscheck_codegen::names::snake_case(&family_name).expect("module name");
    for path in [
        dir.path().to_path_buf(),
        dir.path().join("cases.yaml"),
        dir.path().join("implementations.yaml"),
    ] {
        let tokens = crosscheck_codegen::compile_path(&path, dir.path())
            .unwrap_or_else(|d| panic!("{d}"))
            .to_string();
        assert!(
            tokens.starts_with(&format!("pub mod {module} {{")),
            "{tokens}"
        );
        assert_reports(
            &tokens,
            &[
                "include_bytes !",
                "pub static MATRIX : :: crosscheck :: tls :: Matrix",
                "pub mod early_data",
                "# [ignore = \"java as server: JSSE does not implement TLS 1.3 0-RTT\"] fn rustls_to_java ()",
                ":: crosscheck :: tls :: check (& super :: MATRIX , 1usize , 0usize , 1usize)",
                "deadline_ms : 1500u64",
                "env : alloc :: borrow :: Cow :: Borrowed (\"CROSSCHECK_TLS_DOWNLOAD_BYTES\")",
            ],
        );
    }
    let report = match compile_path(&dir.path().join("other.yaml"), dir.path()) {
        Ok(_) => panic!("other.yaml is not a TLS spec file"),
        Err(diagnostics) => diagnostics.to_string(),
    };
    assert!(report.contains("not a TLS spec file"), "{report}");
}

#[test]
fn the_matrix_knows_its_root_and_each_cells_expectation() {
    let implementations = with_implementations_tail(
        "known_failures:\n  - case: handshake\n    client: java\n    reason: flaky close\n",
    );
    let dir = family(CASES, &implementations);
    let plan = Tls::plan(dir.path(), dir.path()).unwrap_or_else(|d| panic!("{d}"));
    let matrix = Tls::tables(&plan, "tls").to_string();
    let root = dir.path().display().to_string();
    assert_reports(
        &matrix,
        &[
            &format!("root : alloc :: borrow :: Cow :: Borrowed ({root:?})"),
            &format!(
                "certificates : alloc :: borrow :: Cow :: Borrowed ({:?})",
                dir.path().join("certificates").display().to_string()
            ),
            "client : 1usize , server : 0usize , expectation : :: crosscheck :: expectation :: Expectation :: Fail",
            "Declared :: new (\"test\" , \"a known failure\" , \"flaky close\" , \"implementations.yaml:15:5\")",
        ],
    );
    assert!(!matrix.contains("fn "), "the matrix alone has no tests");
    assert_eq!(Tls::inputs(&plan).len(), 2);
}

#[test]
fn unknown_names_are_located() {
    let implementations = with_implementations_tail(
        "known_failures:\n  - case: handshak\n    reason: r\n  - case: handshake\n    server: bouncy\n    reason: r\n",
    )
    .replace("case: early_data", "case: early-data");
    let report = errors(CASES, &implementations);
    assert_reports(
        &report,
        &[
            "implementations.yaml:11:15: error: unknown case `early-data`; expected one of handshake, early_data",
            "implementations.yaml:15:11: error: unknown case `handshak`; expected one of handshake, early_data",
            "implementations.yaml:18:13: error: unknown implementation `bouncy`; expected one of rustls, java",
        ],
    );
    assert!(report.ends_with("3 spec errors"), "{report}");
}

#[test]
fn empty_texts_and_commands_are_errors() {
    let cases = CASES
        .replace("description: Handshake, then close.", "description: ''")
        .replace("client: Handshake; close.", "client: ' '");
    let implementations = IMPLEMENTATIONS
        .replace("description: JSSE", "description: \"\"")
        .replace("run: [\"{build_dir}/release/rustls\"]", "run: []")
        .replace(
            "reason: JSSE does not implement TLS 1.3 0-RTT",
            "reason: ''",
        )
        .replace(
            "command: [\"{cargo}\", build, --target-dir, \"{build_dir}\"]",
            "command: ['', build]",
        );
    let report = errors(&cases, &implementations);
    assert_reports(
        &report,
        &[
            "cases.yaml:3:18: error: a case's description must not be empty",
            "cases.yaml:4:13: error: the client's duty must not be empty",
            "implementations.yaml:5:25: error: a command's program must not be empty",
            "implementations.yaml:6:12: error: a command needs at least a program",
            "implementations.yaml:8:18: error: an implementation's description must not be empty",
            "implementations.yaml:13:17: error: the reason a case is unsupported must not be empty",
        ],
    );
    assert!(report.ends_with("6 spec errors"), "{report}");
}

#[test]
fn durations_and_sizes_say_what_was_expected() {
    let cases = CASES
        .replace("deadline: 10s", "deadline: 10")
        .replace("deadline: 1500ms", "deadline: 0s")
        .replace("default: 10 MB", "default: 10 MX")
        .replace(
            "deadline_per_billion: 30s",
            "deadline_per_billion: 1.5 parsecs",
        );
    let report = errors(&cases, IMPLEMENTATIONS);
    assert_reports(
        &report,
        &[
            "cases.yaml:6:15: error: deadline `10` is not a duration (time unit needed, for example 10sec or 10ms); expected a number and a unit, such as `10s`, `1500ms` or `2m`",
            "cases.yaml:12:15: error: deadline must be longer than zero",
            "cases.yaml:17:18: error: `10 MX` is not a size (",
            "expected a number of bytes, or a number and a unit such as `10 MB` (10^6 bytes) or `512 MiB` (2^20 bytes)",
            "cases.yaml:18:31: error: deadline_per_billion `1.5 parsecs` is not a duration",
        ],
    );
    let counts = CASES.replace("kind: bytes", "kind: count");
    let report = errors(&counts, IMPLEMENTATIONS);
    assert_reports(
        &report,
        &[
            "cases.yaml:17:18: error: `10 MB` is not a count; a `count` parameter takes a whole number",
        ],
    );
    let negative = CASES.replace("default: 10 MB", "default: -5");
    let report = errors(&negative, IMPLEMENTATIONS);
    assert_reports(
        &report,
        &[
            "cases.yaml:17:18: error: expected a whole number, or a size with a unit such as `10 MB`, found `-5`",
        ],
    );
}

#[test]
fn names_that_sanitise_alike_or_to_keywords_are_errors() {
    let implementations = IMPLEMENTATIONS
        .replace("  rustls:\n", "  s2n-tls:\n")
        .replace("  java:\n", "  s2n_tls:\n");
    let report = errors(CASES, &implementations);
    assert_reports(
        &report,
        &[
            "implementations.yaml:7:3: error: `s2n_tls` and `s2n-tls` (at implementations.yaml:2:3) both become the test-name part `s2n_tls`; rename one",
        ],
    );
    let cases = CASES
        .replace("  handshake:\n", "  Early Data:\n")
        .replace("  early_data:\n", "  type:\n");
    let report = errors(&cases, IMPLEMENTATIONS);
    assert_reports(
        &report,
        &[
            "cases.yaml:7:3: error: `type` becomes the Rust keyword `type`; rename it",
            "implementations.yaml:11:15: error: unknown case `early_data`; expected one of Early Data, type",
        ],
    );
    let clash = CASES.replace("  handshake:\n", "  Early Data:\n");
    let report = errors(&clash, IMPLEMENTATIONS);
    assert_reports(
        &report,
        &[
            "cases.yaml:7:3: error: `early_data` and `Early Data` (at cases.yaml:2:3) both become the test module `early_data`; rename one",
        ],
    );
}

#[test]
fn test_names_of_different_pairs_must_differ() {
    let implementations = "\
implementations:
  a_to:
    description: one
    program: {run: [one]}
  to_b:
    description: two
    program: {run: [two]}
  a:
    description: three
    program: {run: [three]}
  b:
    description: four
    program: {run: [four]}
";
    let report = errors(CASES, implementations);
    assert_reports(
        &report,
        &["would both be named `a_to_to_b`; rename one implementation"],
    );
}

#[test]
fn duplicate_and_redundant_unsupported_entries_are_errors() {
    let implementations = IMPLEMENTATIONS.replace(
        "        reason: JSSE does not implement TLS 1.3 0-RTT\n",
        "        reason: JSSE does not implement TLS 1.3 0-RTT\n      - case: early_data\n        reason: again\n",
    );
    let report = errors(CASES, &implementations);
    assert_reports(
        &report,
        &[
            "implementations.yaml:14:9: error: `java` is already declared unsupported in `early_data` at implementations.yaml:11:9",
        ],
    );
    let client_only = IMPLEMENTATIONS.replace(
        "    description: JSSE\n",
        "    description: JSSE\n    roles: [client, client]\n",
    );
    let report = errors(CASES, &client_only);
    assert_reports(
        &report,
        &[
            "implementations.yaml:9:21: error: role `client` is listed twice",
            "implementations.yaml:12:9: error: `java` never plays server (see its `roles`), so it needs no unsupported entry as one",
        ],
    );
    let no_roles = IMPLEMENTATIONS.replace(
        "    description: JSSE\n",
        "    description: JSSE\n    roles: []\n",
    );
    let report = errors(CASES, &no_roles);
    assert_reports(
        &report,
        &[
            "implementations.yaml:9:12: error: `roles` needs `client`, `server` or both (leave it out for both)",
        ],
    );
}

#[test]
fn known_failures_must_be_observable_unique_and_explained() {
    let implementations = with_implementations_tail(
        "\
known_failures:
  - case: early_data
    server: java
    reason: it fails
  - case: handshake
    client: java
    reason: flaky
  - case: handshake
    client: java
    reason: flaky again
  - case: handshake
    reason: ' '
",
    );
    let report = errors(CASES, &implementations);
    assert_reports(
        &report,
        &[
            "implementations.yaml:15:5: error: this known failure covers only tests ignored as unsupported (java as server: JSSE does not implement TLS 1.3 0-RTT); remove it or the unsupported entry",
            "implementations.yaml:21:5: error: this known failure is declared twice (first at implementations.yaml:18:5)",
            "implementations.yaml:25:13: error: a known failure's reason must not be empty",
        ],
    );
    assert!(report.ends_with("3 spec errors"), "{report}");
    let partly_ignored = with_implementations_tail(
        "known_failures:\n  - case: early_data\n    client: java\n    reason: java as client fails against rustls\n",
    );
    planned(CASES, &partly_ignored);
}

#[test]
fn placeholders_are_checked_per_program_part() {
    let implementations = IMPLEMENTATIONS
        .replace("\"{root}/java\"", "\"{build_dir}/java\"")
        .replace(
            "[\"{build_dir}/release/rustls\"]",
            "[\"{build_dir}/release/rustls\", \"{cargo}\", \"{rooot}\", \"{\\\"json\\\": 1}\"]",
        );
    let report = errors(CASES, &implementations);
    assert_reports(
        &report,
        &[
            "implementations.yaml:6:43: error: `{cargo}` is not available in `run`; it may use only {root}, {build_dir}",
            "implementations.yaml:6:54: error: unknown placeholder `{rooot}` in `run`; it may use only {root}, {build_dir}",
            "implementations.yaml:9:32: error: `{build_dir}` is not available in `run`; it may use only {root}",
        ],
    );
    assert!(report.ends_with("3 spec errors"), "{report}");
}

#[test]
fn facts_relays_and_parameters_are_checked() {
    let cases = CASES
        .replace(
            "client: [session_resumed, early_data_accepted]",
            "client: [Session-Resumed, early_data_accepted, early_data_accepted]",
        )
        .replace(
            "    deadline: 10s\n",
            "    deadline: 10s\n    relay:\n      segment_bytes: 0\n    parameters:\n      download_bytes:\n        description: A count.\n        kind: count\n        default: 3\n      Bad-Name:\n        description: x\n        kind: count\n        default: 1\n",
        );
    let report = errors(&cases, IMPLEMENTATIONS);
    assert_reports(
        &report,
        &[
            "cases.yaml:8:22: error: relay.segment_bytes must be at least 1 (and fit in memory), not 0",
            "cases.yaml:14:7: error: parameter `Bad-Name` must be lower-case snake_case (like `download_bytes`): it becomes the variable CROSSCHECK_TLS_<NAME>",
            "cases.yaml:25:7: error: parameter `download_bytes` is a `bytes` here but a `count` at cases.yaml:10:7; one variable overrides both, so use one kind",
            "cases.yaml:31:16: error: fact `Session-Resumed` must be lower-case letters, digits, `_` and `=` (as in `session_resumed`)",
            "cases.yaml:31:54: error: the client fact `early_data_accepted` is listed twice",
        ],
    );
    assert!(report.ends_with("5 spec errors"), "{report}");
}

#[test]
fn malformed_programs_are_located() {
    let cargo_without_bin = IMPLEMENTATIONS.replace(
        "      build: {command: [\"{cargo}\", build, --target-dir, \"{build_dir}\"]}\n      run: [\"{build_dir}/release/rustls\"]\n",
        "      cargo: {package: shims}\n      args: [--provider, ring]\n",
    );
    let unknown_kind = IMPLEMENTATIONS.replace(
        "    program: {run: [java, -cp, \"{root}/java\", TlsShim]}\n",
        "    program: {deb: openjdk-17-jdk, args: [TlsShim]}\n",
    );
    let two_kinds = IMPLEMENTATIONS.replace(
        "      run: [",
        "      script: {path: shims/rustls/build.sh, output: rustls}\n      run: [",
    );
    for (implementations, expected) in [
        (
            cargo_without_bin,
            &["implementations.yaml:5:14: error: missing field `bin`"][..],
        ),
        (
            unknown_kind,
            &[
                "implementations.yaml:9:15: error: unknown field `deb`, expected one of `cargo`, `npm`, `script`, `build`, `run`, `args`, `env`",
            ],
        ),
        (
            two_kinds,
            &[
                "implementations.yaml:6:15: error: `program` takes one way to get it, and already has `build`; keep `build` or `script`",
                "implementations.yaml:6:22: error: no build script at `shims/rustls/build.sh`",
            ],
        ),
    ] {
        let report = errors(CASES, &implementations);
        assert_reports(&report, expected);
        let count = expected.len();
        let noun = if count == 1 { "error" } else { "errors" };
        assert!(
            report.ends_with(&format!("{count} spec {noun}")),
            "{report}"
        );
    }
}

#[test]
fn yaml_errors_in_both_files_are_reported_together() {
    let cases = CASES.replace(
        "    deadline: 10s\n",
        "    deadline: 10s\n    deadline: 20s\n",
    );
    let implementations =
        IMPLEMENTATIONS.replace("    description: JSSE\n", "    descripton: JSSE\n");
    let report = errors(&cases, &implementations);
    assert_reports(
        &report,
        &[
            "cases.yaml:7:5: error: duplicate key `deadline` (first at cases.yaml:6:5)",
            "implementations.yaml:8:5: error: unknown field `descripton`, expected one of `description`, `program`, `roles`, `unsupported`",
            "8 |     descripton: JSSE",
        ],
    );
    assert!(!report.contains("DuplicateKeyPolicy"), "{report}");
    assert!(report.ends_with("2 spec errors"), "{report}");
    let duplicate = IMPLEMENTATIONS.replace("  java:\n", "  rustls:\n");
    let report = errors(CASES, &duplicate);
    assert_reports(
        &report,
        &[
            "implementations.yaml:7:3: error: duplicate key `rustls` (first at implementations.yaml:2:3)",
        ],
    );
}

#[test]
fn problems_in_both_files_are_reported_at_once() {
    let cases = CASES.replace("deadline: 10s", "deadline: soon");
    let implementations = IMPLEMENTATIONS
        .replace("case: early_data", "case: nope")
        .replace("program: {run:", "program: {pip: tls-shim, run:");
    let report = errors(&cases, &implementations);
    assert_reports(
        &report,
        &[
            "cases.yaml:6:15: error: deadline `soon` is not a duration",
            "implementations.yaml:9:15: error: unknown field `pip`, expected one of `cargo`, `npm`, `script`, `build`, `run`, `args`, `env`",
            "implementations.yaml:11:15: error: unknown case `nope`",
        ],
    );
    assert!(report.ends_with("3 spec errors"), "{report}");
}

#[test]
fn a_directory_of_no_family_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("cases.yaml"), CASES).expect("write");
    let report = match crosscheck_codegen::compile_path(dir.path(), dir.path()) {
        Ok(_) => panic!("no family marker"),
        Err(diagnostics) => diagnostics.to_string(),
    };
    assert!(
        report
            .contains("holds neither manifest.yaml (App Identity), implementations.yaml (TLS) nor upstream-tests/ (BoGo)"),
        "{report}"
    );
}

fn project_specs() -> std::path::PathBuf {
    support::package_dir().join("../specs/tls")
}

#[test]
fn the_project_specs_compile() {
    let root = support::package_dir().join("..");
    let plan = Tls::plan(&project_specs(), &root).unwrap_or_else(|d| panic!("{d}"));
    let tests = Tls::tests(&plan)
        .unwrap_or_else(|d| panic!("{d}"))
        .to_string();
    assert_reports(
        &tests,
        &[
            "pub mod handshake",
            "fn rustls_to_openssl ()",
            "fn s2n_tls_to_rustls_ring ()",
            "# [ignore = \"java as server: JSSE does not implement TLS 1.3 0-RTT\"]",
        ],
    );
}

#[test]
fn a_new_implementation_entry_adds_tests_in_every_case_in_both_roles() {
    let read = |name: &str| {
        std::fs::read_to_string(project_specs().join(name)).unwrap_or_else(|e| panic!("{e}"))
    };
    let cases = read("cases.yaml");
    // The project's programs name its build scripts, found from its root.
    let project_root = project_specs().join("../..");
    let in_project =
        |implementations: &str| planned_with_root(&family(&cases, implementations), &project_root);
    let before = in_project(&read("implementations.yaml"));
    // The entry goes at the end of `implementations:`, before any later key.
    let text = read("implementations.yaml");
    let (entries, rest) = text
        .split_once("\nknown_failures:")
        .map_or((text.as_str(), String::new()), |(entries, rest)| {
            (entries, format!("\nknown_failures:{rest}"))
        });
    let implementations = format!(
        "{}\n  mbedtls:\n    description: Mbed TLS\n    program: {{run: [\"{{root}}/shims/mbedtls\"]}}\n{rest}",
        entries.trim_end()
    );
    let after = in_project(&implementations);

    let count = before.implementations.len();
    assert_eq!(after.implementations.len(), count + 1);
    for (old, new) in before.cases.iter().zip(&after.cases) {
        assert_eq!(old.tests.len(), count * count);
        assert_eq!(new.tests.len(), (count + 1) * (count + 1));
        let added: Vec<&str> = new
            .tests
            .iter()
            .map(|test| test.name.as_str())
            .filter(|name| !old.tests.iter().any(|t| t.name == *name))
            .collect();
        assert!(added.contains(&"mbedtls_to_mbedtls"), "{}", new.module);
        for other in &before.implementations {
            let ident = &other.ident;
            assert!(added.contains(&format!("mbedtls_to_{ident}").as_str()));
            assert!(added.contains(&format!("{ident}_to_mbedtls").as_str()));
        }
        assert_eq!(added.len(), 2 * count + 1);
    }
}

#[test]
fn wire_and_refusal_name_real_groups_alerts_and_parameters() {
    let cases = format!(
        "{CASES}{}",
        "    wire:
      connections:
        - hello_retry_request: secp257r1
      key_updates: {sender: server, every: interval_bytes, of: download_bytes}
  refused:
    description: The client refuses.
    client: Refuse.
    server: Be refused.
    deadline: 10s
    refusal:
      by: client
      alerts: [unknown_ca, no_such_alert]
  refused_silently:
    description: Nobody says which alert.
    client: Refuse.
    server: Be refused.
    deadline: 10s
    refusal:
      by: server
      alerts: []
"
    );
    assert_reports(
        &errors(&cases, IMPLEMENTATIONS),
        &[
            "cases.yaml:23:32: error: `secp257r1` is not a known group; expected one of secp256r1,",
            "cases.yaml:24:44: error: `interval_bytes` is not a parameter of this case",
            "cases.yaml:32:28: error: `no_such_alert` is not a known alert; expected one of close_notify,",
            "cases.yaml:40:15: error: `alerts` must name at least one alert",
        ],
    );
}

#[test]
fn wire_and_refusal_are_planned() {
    let cases = format!(
        "{CASES}{}",
        "    wire:
      connections:
        - {resumed: false}
        - {resumed: true, early_data_accepted: true}
  refused:
    description: The client refuses.
    client: Refuse.
    server: Be refused.
    deadline: 10s
    refusal:
      by: client
      alerts: [unknown_ca, bad_certificate]
"
    );
    let plan = planned(&cases, IMPLEMENTATIONS);
    let early_data = &plan.cases[1].record;
    assert_eq!(early_data.wire.connections.len(), 2);
    assert_eq!(early_data.wire.connections[1].resumed, Some(true));
    assert_eq!(
        early_data.wire.connections[1].early_data_accepted,
        Some(true)
    );
    let refusal = plan.cases[2].record.refusal.as_ref().expect("a refusal");
    assert_eq!(*refusal.alerts, ["unknown_ca", "bad_certificate"]);
}
