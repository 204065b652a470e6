//! BoGo case specs: bad ones give located, readable errors (all of them at
//! once); good ones plan and emit the right cases and tests; the project's
//! `specs/bogo/` compiles.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crosscheck_codegen::bogo_cases::plan::{
    CasesPlan, KeyUpdateRequest, Misbehaviour, Role, Version,
};
use crosscheck_codegen::bogo_cases::{Bogo, ShimTests, VariantTests, check_directory, emit};
use crosscheck_codegen::{Diagnostics, compile_module, family::track_files};
use crosscheck_model::bogo::shim::PlannedTest;
use crosscheck_model::expectation::{Declared, Expectation};
use proc_macro2::TokenStream;

/// The cases of `directory` with the tests of `shims`, as a module that
/// also holds `SHIMS` would have them.
fn compile_tests(
    directory: &Path,
    root: &Path,
    shims: &[ShimTests<'_>],
) -> Result<TokenStream, Diagnostics> {
    let plan = check_directory(directory, root)?;
    let track = track_files(&plan.tracked_files);
    let root = emit::root(root);
    let cases = emit::cases(&plan);
    let tests = emit::tests(&plan, shims)?;
    Ok(quote::quote! { #track #root #cases #tests })
}

const UPSTREAM_LIST: &str = "\
Basic-Client-TLS-Sync
HttpGET
VersionTooLow
NoSharedCipher-TLS13
ALPNServer-Decline-TLS-TLS13
TrailingMessageData-ServerHello-TLS
SendEmptyRecords
";

const BASIC: &str = "\
# yaml-language-server: $schema=../schema/bogo_cases.json
group: Basic handshakes
upstream_tests: abc
cases:
  Basic-Client-TLS-Sync:
    shim_role: client
    flags: [-expect-no-hrr, [-max-version, 771]]
    resume_count: 1
    peer:
      max_version: tls12
  HttpGET:
    shim_role: server
    peer:
      misbehaviour:
        raw_bytes_instead_of_handshake:
          text: \"GET / HTTP/1.0\\n\"
    expect:
      fail: true
      error: \":HTTP_REQUEST:\"
";

const RECORDS: &str = "\
group: Records
upstream_tests: abc
cases:
  SendEmptyRecords:
    shim_role: client
    key_type: ecdsa_p256
    messages: {count: 2, length: 100}
    peer:
      min_version: tls13
      cipher_suites: [TLS13_AES_128_GCM_SHA256]
      groups: [X25519]
      alpn: [foo]
      request_client_certificate: true
      key_updates_after_handshake: 3
      misbehaviour:
        empty_records: 33
    expect:
      fail: true
      error: \":TOO_MANY_EMPTY_FRAGMENTS:\"
      local_error: \"remote error: unexpected message\"
  Own-Case:
    own: true
    description: Crosscheck's own.
    shim_role: server
    shim_shuts_down: true
    flags:
      - [-cert-file, \"{cert_file}\"]
    peer:
      misbehaviour:
        first_record_version: 0x03ff
";

/// A case directory holding `files` and the upstream list `abc`.
fn directory(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let lists = dir.path().join("upstream-tests");
    std::fs::create_dir(&lists).expect("list dir");
    std::fs::write(lists.join("abc.txt"), UPSTREAM_LIST).expect("write list");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write case file");
    }
    dir
}

fn planned(files: &[(&str, &str)]) -> CasesPlan {
    let dir = directory(files);
    check_directory(dir.path(), dir.path()).unwrap_or_else(|d| panic!("{d}"))
}

fn errors(files: &[(&str, &str)]) -> String {
    let dir = directory(files);
    match check_directory(dir.path(), dir.path()) {
        Ok(_) => panic!("expected spec errors"),
        Err(diagnostics) => diagnostics.to_string(),
    }
}

/// The report for `BASIC` with `text` in place of `from`.
fn basic_errors(from: &str, text: &str) -> String {
    assert!(BASIC.contains(from), "`{from}` is not in BASIC");
    errors(&[("basic.yaml", &BASIC.replacen(from, text, 1))])
}

fn assert_reports(report: &str, expected: &[&str]) {
    for line in expected {
        assert!(report.contains(line), "missing `{line}` in:\n{report}");
    }
}

fn assert_count(report: &str, count: usize) {
    let ending = if count == 1 {
        "1 spec error".to_string()
    } else {
        format!("{count} spec errors")
    };
    assert!(report.ends_with(&ending), "expected {ending}:\n{report}");
}

#[test]
fn cases_plan_with_upstream_defaults_in_group_order() {
    let plan = planned(&[("basic.yaml", BASIC), ("records.yaml", RECORDS)]);
    let names: Vec<(&str, &str, &str)> = plan
        .cases
        .iter()
        .map(|case| {
            (
                case.record.group.as_ref(),
                case.name(),
                case.test_name.as_str(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("basic", "Basic-Client-TLS-Sync", "basic_client_tls_sync"),
            ("basic", "HttpGET", "http_get"),
            ("records", "SendEmptyRecords", "send_empty_records"),
            ("records", "Own-Case", "own_case"),
        ]
    );
    let basic = &plan.cases[0].record;
    assert_eq!(basic.shim_role, Role::Client);
    assert_eq!(basic.flags[..], ["-expect-no-hrr", "-max-version", "771"]);
    assert_eq!(basic.resume_count, 1);
    assert_eq!((basic.messages.count, basic.messages.length), (1, 32));
    assert_eq!(basic.peer.max_version, Some(Version::Tls12));
    assert_eq!(basic.peer.min_version, None);
    assert!(!basic.expect.should_fail);
    assert_eq!(plan.cases[0].declared_at, "basic.yaml:5:3");
    assert_eq!(
        plan.cases[1].record.peer.misbehaviour,
        Some(Misbehaviour::RawBytesInsteadOfHandshake(
            b"GET / HTTP/1.0\n".to_vec().into()
        ))
    );
    assert_eq!(
        plan.cases[1].record.expect.error.as_deref(),
        Some(":HTTP_REQUEST:")
    );
    let records = &plan.cases[2].record;
    assert_eq!((records.messages.count, records.messages.length), (2, 100));
    assert_eq!(records.peer.key_updates_after_handshake, 3);
    assert_eq!(
        records.peer.key_update_request,
        KeyUpdateRequest::NotRequested
    );
    assert!(!records.expect.unsolicited_key_update);
    assert!(records.peer.request_client_certificate);
    assert!(plan.cases[3].own);
    let own = &plan.cases[3].record;
    assert!(own.shim_shuts_down);
    assert_eq!(
        own.messages.count, 0,
        "a shim that shuts down gets no messages"
    );
    assert_eq!(own.flags[..], ["-cert-file", "{cert_file}"]);
    assert_eq!(plan.own_names(), ["Own-Case"]);
    assert_eq!(
        plan.groups
            .iter()
            .map(|group| (group.name.as_str(), group.description.as_str()))
            .collect::<Vec<_>>(),
        [("basic", "Basic handshakes"), ("records", "Records")]
    );
    assert_eq!(plan.tracked_files.len(), 3, "{:?}", plan.tracked_files);
}

#[test]
fn cases_emit_the_runtime_types() {
    let dir = directory(&[("basic.yaml", BASIC), ("records.yaml", RECORDS)]);
    let plan = check_directory(dir.path(), dir.path()).unwrap_or_else(|d| panic!("{d}"));
    // Each record is baked as the expression that builds it (its values
    // are checked against the plan above; the golden files pin the text).
    let cases = emit::cases(&plan);
    let file: syn::File = syn::parse2(cases.clone()).expect("CASES parses as Rust");
    assert_eq!(file.items.len(), 1, "CASES, declaring `alloc` inside");
    let cases = cases.to_string();
    assert_eq!(
        cases
            .matches("crosscheck :: bogo :: case :: Case {")
            .count(),
        4
    );
    assert_reports(
        &cases,
        &[
            "pub static CASES : & [:: crosscheck :: bogo :: case :: Case] = { extern crate alloc ; & [",
            "name : alloc :: borrow :: Cow :: Borrowed (\"Basic-Client-TLS-Sync\")",
            "crosscheck :: bogo :: case :: Misbehaviour :: EmptyRecords (33u32",
        ],
    );
    assert_eq!(
        track_files(&plan.tracked_files)
            .to_string()
            .matches("include_bytes !")
            .count(),
        3
    );
}

#[test]
fn tests_are_per_shim_and_variant_and_disabled_cases_are_ignored() {
    let dir = directory(&[("basic.yaml", BASIC)]);
    let ring_expected = [PlannedTest {
        case: "HttpGET".into(),
        expectation: Expectation::Disabled(Declared::new(
            "shim",
            "DisabledTests `Http*`",
            "no HTTP detection",
            "shims/demo.yaml:9:3",
        )),
    }];
    let shims = [
        ShimTests {
            index: 0,
            name: "rustls-upstream",
            variants: vec![
                VariantTests {
                    name: "ring",
                    expected: &ring_expected,
                },
                VariantTests {
                    name: "aws-lc-rs",
                    expected: &[],
                },
            ],
        },
        ShimTests {
            index: 1,
            name: "openssl",
            variants: vec![VariantTests {
                name: "default",
                expected: &[],
            }],
        },
    ];
    let tokens = compile_tests(dir.path(), dir.path(), &shims)
        .unwrap_or_else(|d| panic!("{d}"))
        .to_string();
    assert_reports(
        &tokens,
        &[
            "const _ : & [u8] = include_bytes !",
            &format!(
                "pub const ROOT : & str = {:?} ;",
                dir.path().display().to_string()
            ),
            "pub static CASES",
            "pub mod rustls_upstream { pub mod ring { # [test] fn basic_client_tls_sync () { :: crosscheck :: bogo :: check (& super :: super :: SHIMS [0usize] , 0usize , & super :: super :: CASES [0usize] , super :: super :: ROOT ,) }",
            "# [test] # [ignore = \"no HTTP detection (DisabledTests `Http*`, shims/demo.yaml:9:3)\"] fn http_get () { :: crosscheck :: bogo :: check (& super :: super :: SHIMS [0usize] , 0usize , & super :: super :: CASES [1usize] , super :: super :: ROOT ,) }",
            "pub mod aws_lc_rs { # [test] fn basic_client_tls_sync () { :: crosscheck :: bogo :: check (& super :: super :: SHIMS [0usize] , 1usize , & super :: super :: CASES [0usize] , super :: super :: ROOT ,) }",
            "pub mod openssl { # [test] fn basic_client_tls_sync () { :: crosscheck :: bogo :: check (& super :: SHIMS [1usize] , 0usize , & super :: CASES [0usize] , super :: ROOT ,) }",
        ],
    );
    assert_eq!(tokens.matches("# [ignore").count(), 1, "{tokens}");
}

#[test]
fn shim_and_variant_names_must_give_distinct_modules() {
    let plan = planned(&[("basic.yaml", BASIC)]);
    let variant = |name| VariantTests {
        name,
        expected: &[],
    };
    let shims = [
        ShimTests {
            index: 0,
            name: "s2n-tls",
            variants: vec![variant("a-b"), variant("a_b")],
        },
        ShimTests {
            index: 1,
            name: "s2n_tls",
            variants: vec![variant("default")],
        },
        ShimTests {
            index: 2,
            name: "type",
            variants: vec![],
        },
    ];
    let report = match emit::tests(&plan, &shims) {
        Ok(_) => panic!("expected errors"),
        Err(diagnostics) => diagnostics.to_string(),
    };
    assert_reports(
        &report,
        &[
            "a_b: error: variant of shim `s2n-tls` names `a_b` and `a-b` both become the module `a_b`; rename one",
            "s2n_tls: error: shim names `s2n_tls` and `s2n-tls` both become the module `s2n_tls`; rename one",
            "type: error: shim: `type` becomes the Rust keyword `type`; rename it",
        ],
    );
}

#[test]
fn every_problem_in_every_file_is_reported_together() {
    let bad_basic = BASIC
        .replace(
            "flags: [-expect-no-hrr, [-max-version, 771]]",
            "flags: [expect-no-hrr]",
        )
        .replace("      error: \":HTTP_REQUEST:\"\n", "      error: \"\"\n");
    let bad_records = RECORDS.replace("empty_records: 33", "empty_records: 0");
    let report = errors(&[("basic.yaml", &bad_basic), ("records.yaml", &bad_records)]);
    assert_reports(
        &report,
        &[
            "basic.yaml:7:13: error: `expect-no-hrr` is not a flag: flags start with `-`, and a value goes with its flag as `[-flag, value]`",
            "basic.yaml:19:14: error: `error` must not be empty; leave it out to accept any",
            "records.yaml:16:24: error: empty_records must be at least 1",
        ],
    );
    assert_count(&report, 3);
}

#[test]
fn yaml_errors_are_located_and_other_files_are_still_checked() {
    let unknown_key = BASIC.replace("    resume_count: 1\n", "    resume_cuont: 1\n");
    let report = errors(&[
        ("basic.yaml", &unknown_key),
        (
            "records.yaml",
            &RECORDS.replace("Own-Case", "VersionTooLow"),
        ),
    ]);
    assert_reports(
        &report,
        &[
            "basic.yaml:8:5: error: unknown field `resume_cuont`, expected one of ",
            "records.yaml:21:3: error: `VersionTooLow` is a test of the upstream list abc; drop `own: true`",
        ],
    );
    let duplicate_key = BASIC.replace(
        "    resume_count: 1\n",
        "    resume_count: 1\n    resume_count: 2\n",
    );
    assert_reports(
        &errors(&[("basic.yaml", &duplicate_key)]),
        &["basic.yaml:9:5: error: duplicate key `resume_count` (first at basic.yaml:8:5)"],
    );
    let duplicate_case = format!("{BASIC}  HttpGET:\n    shim_role: client\n");
    assert_reports(
        &errors(&[("basic.yaml", &duplicate_case)]),
        &["basic.yaml:20:3: error: duplicate key `HttpGET` (first at basic.yaml:11:3)"],
    );
}

#[test]
fn names_must_be_upstream_tests_or_own_cases_with_descriptions() {
    let report = basic_errors("  HttpGET:\n", "  HttpGT:\n");
    assert_reports(
        &report,
        &[
            "basic.yaml:11:3: error: `HttpGT` is not a test of the upstream list abc (did you mean `HttpGET`?); a case of crosscheck's own needs `own: true` and a description",
        ],
    );
    assert_count(&report, 1);
    let report = basic_errors("  HttpGET:\n", "  Crosscheck-Own:\n    own: true\n");
    assert_reports(
        &report,
        &["basic.yaml:11:3: error: crosscheck's own case `Crosscheck-Own` needs a `description`"],
    );
    assert_count(&report, 1);
    let report = basic_errors(
        "  HttpGET:\n",
        "  Crosscheck-Own:\n    own: true\n    description: ' '\n",
    );
    assert_reports(
        &report,
        &["basic.yaml:13:18: error: a case's description must not be empty"],
    );
    let report = basic_errors("upstream_tests: abc", "upstream_tests: b28d2e8");
    assert_reports(
        &report,
        &[
            "basic.yaml:3:17: error: unknown upstream test list `b28d2e8`: no upstream-tests/b28d2e8.txt; known lists: abc",
        ],
    );
    assert_count(&report, 1);
}

#[test]
fn names_are_unique_across_files_and_as_test_names() {
    let other = "group: Other\nupstream_tests: abc\ncases:\n  HttpGET:\n    shim_role: server\n";
    let report = errors(&[("basic.yaml", BASIC), ("other.yaml", other)]);
    assert_reports(
        &report,
        &["other.yaml:4:3: error: case `HttpGET` is already defined at basic.yaml:11:3"],
    );
    assert_count(&report, 1);
    let clash = "group: Other\nupstream_tests: abc\ncases:\n  Http-GET:\n    own: true\n    description: d\n    shim_role: server\n  Loop:\n    own: true\n    description: d\n    shim_role: server\n";
    let report = errors(&[("basic.yaml", BASIC), ("other.yaml", clash)]);
    assert_reports(
        &report,
        &[
            "other.yaml:4:3: error: `Http-GET` and `HttpGET` (at basic.yaml:11:3) both become the test name `http_get`",
            "other.yaml:8:3: error: `Loop` becomes the Rust keyword `loop`; rename it",
        ],
    );
    assert_count(&report, 2);
}

#[test]
fn files_need_a_group_name_a_description_and_cases() {
    let empty = "group: ''\nupstream_tests: abc\ncases: {}\n";
    let report = errors(&[("Bad-Name.yaml", empty)]);
    assert_reports(
        &report,
        &[
            "Bad-Name.yaml: error: the file name `Bad-Name` names the group; use lower-case snake_case, like `version_negotiation.yaml`",
            "Bad-Name.yaml:1:8: error: the group's description must not be empty",
            "Bad-Name.yaml: error: `cases` must name at least one case",
        ],
    );
    assert_count(&report, 3);
    let dir = directory(&[]);
    let report = match check_directory(dir.path(), dir.path()) {
        Ok(_) => panic!("an empty directory is an error"),
        Err(diagnostics) => diagnostics.to_string(),
    };
    assert!(
        report.contains("no case files (`*.yaml`) in the BoGo case directory"),
        "{report}"
    );
}

#[test]
fn roles_versions_and_keys_are_closed_sets() {
    let report = basic_errors("shim_role: client", "shim_role: both");
    assert_reports(
        &report,
        &["basic.yaml:6:16: error: unknown variant `both`, expected one of `client`, `server`"],
    );
    let report = basic_errors("max_version: tls12", "max_version: tls14");
    assert_reports(
        &report,
        &["basic.yaml:10:20: error: unknown variant `tls14`, expected one of `tls12`, `tls13`"],
    );
    let report = basic_errors("    resume_count: 1\n", "    key_type: ed25519\n");
    assert_reports(
        &report,
        &[
            "basic.yaml:8:15: error: unknown variant `ed25519`, expected one of `rsa2048`, `ecdsa_p256`",
        ],
    );
}

#[test]
fn flags_are_flags_and_leave_the_runner_its_own() {
    let report = basic_errors(
        "flags: [-expect-no-hrr, [-max-version, 771]]",
        "flags: [-server, [-resume-count, 2], [-host-name, a, b], [max-version, 1], [-cert-file, '{cert}'], 771, '-']",
    );
    assert_reports(
        &report,
        &[
            "basic.yaml:7:13: error: the runner adds `-server` itself, from `shim_role: server`; remove it from `flags`",
            "basic.yaml:7:23: error: the runner adds `-resume-count` itself, from `resume_count`; remove it from `flags`",
            "basic.yaml:7:42: error: a flag with a value is written `[-flag, value]`: two items, not 3",
            "basic.yaml:7:63: error: `max-version` is not a flag: flags start with `-`, and a value goes with its flag as `[-flag, value]`",
            "basic.yaml:7:93: error: unknown placeholder `{cert}`; flag values may use {cert_file}, {key_file}, {ca_file}",
            "basic.yaml:7:104: error: `771` is not a flag",
            "basic.yaml:7:109: error: `-` is not a flag",
        ],
    );
    assert_count(&report, 7);
    let report = basic_errors(
        "flags: [-expect-no-hrr, [-max-version, 771]]",
        "flags: [{a: 1}]",
    );
    assert_reports(
        &report,
        &[
            "basic.yaml:7:13: error: expected a flag (`-flag`), or a flag and its value as `[-flag, value]`, found a mapping",
        ],
    );
}

#[test]
fn raw_bytes_must_be_well_formed() {
    let hex = |value: &str| {
        basic_errors(
            "          text: \"GET / HTTP/1.0\\n\"",
            &format!("          hex: {value}"),
        )
    };
    assert_reports(
        &hex("'16 0z'"),
        &["basic.yaml:16:16: error: the raw bytes: `z` (character 5) is not a hex digit"],
    );
    assert_reports(
        &hex("'160'"),
        &[
            "basic.yaml:16:16: error: the raw bytes: an odd number of hex digits; write two per byte",
        ],
    );
    assert_reports(
        &hex("'1 6'"),
        &[
            "basic.yaml:16:16: error: the raw bytes: a byte is split by a space at character 2; write two hex digits per byte",
        ],
    );
    assert_reports(
        &hex("''"),
        &["basic.yaml:16:16: error: the raw bytes must hold at least one byte"],
    );
    let report = basic_errors("\"GET / HTTP/1.0\\n\"", "\"GET \\q\"");
    assert_reports(
        &report,
        &["basic.yaml:16:17: error: while parsing a quoted scalar, found unknown escape character"],
    );
    let report = basic_errors("          text:", "          base64:");
    assert_reports(
        &report,
        &["basic.yaml:16:11: error: unknown variant `base64`, expected one of `text`, `hex`"],
    );
}

#[test]
fn errors_are_expected_only_of_failing_tests() {
    let report = basic_errors("      fail: true\n", "");
    assert_reports(
        &report,
        &[
            "basic.yaml:18:14: error: `error` needs `fail: true`: a test that passes reports no error",
        ],
    );
    let report = basic_errors(
        "      fail: true\n",
        "      fail: false\n      local_error: 'remote error'\n",
    );
    assert_reports(
        &report,
        &[
            "basic.yaml:19:20: error: `local_error` needs `fail: true`: a test that passes reports no error",
            "basic.yaml:20:14: error: `error` needs `fail: true`",
        ],
    );
    assert_count(&report, 2);
}

#[test]
fn the_peer_must_be_consistent() {
    let peer = |text: &str| basic_errors("    peer:\n      max_version: tls12\n", text);
    let report = peer(
        "    peer:\n      min_version: tls13\n      max_version: tls12\n      cipher_suites: [TLS13_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_128_GCM_SHA256]\n      groups: [X25519, X25519, P-256]\n      alpn: [foo, '', foo]\n",
    );
    assert_reports(
        &report,
        &[
            "basic.yaml:10:20: error: min_version tls13 is above max_version tls12",
            "basic.yaml:12:23: error: `TLS13_AES_128_GCM_SHA256` is a TLS 1.3 suite, but the peer's max_version is tls12",
            "basic.yaml:12:49: error: `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256` is a TLS 1.2 suite, but the peer's min_version is tls13",
            "basic.yaml:12:88: error: the runner's rustls has no cipher suite `TLS_RSA_WITH_AES_128_GCM_SHA256`; it has TLS13_AES_128_GCM_SHA256, ",
            "basic.yaml:13:24: error: key exchange group `X25519` is listed twice",
            "basic.yaml:13:32: error: the runner's rustls has no key exchange group `P-256`; it has X25519, secp256r1, ",
            "basic.yaml:14:19: error: an ALPN protocol has 1 to 255 bytes",
            "basic.yaml:14:23: error: ALPN protocol `foo` is listed twice",
        ],
    );
    assert_count(&report, 8);
    let report = peer("    peer:\n      cipher_suites: []\n");
    assert_reports(
        &report,
        &[
            "basic.yaml:10:22: error: `cipher_suites` must name at least one cipher suite; leave it out for rustls' defaults",
        ],
    );
}

#[test]
fn client_certificates_and_key_updates_need_the_right_role_and_version() {
    let report = basic_errors(
        "      max_version: tls12\n",
        "      max_version: tls12\n      client_certificate: true\n      key_updates_after_handshake: 2\n",
    );
    assert_reports(
        &report,
        &[
            "basic.yaml:11:27: error: `client_certificate` needs `shim_role: server`: the runner presents a client certificate only as the client, and here the runner is the server",
            "basic.yaml:12:36: error: KeyUpdate exists only in TLS 1.3, but the peer's max_version is tls12",
        ],
    );
    assert_count(&report, 2);
    let report = basic_errors(
        "    peer:\n      misbehaviour:",
        "    peer:\n      request_client_certificate: true\n      misbehaviour:",
    );
    assert_reports(
        &report,
        &[
            "basic.yaml:14:35: error: `request_client_certificate` needs `shim_role: client`: the runner asks for a client certificate only as the server, and here the runner is the client",
        ],
    );
}

/// A key update case, `shim_role: client`, with `lines` under it.
fn key_update_case(lines: &str) -> String {
    format!("group: g\nupstream_tests: abc\ncases:\n  HttpGET:\n    shim_role: client\n{lines}")
}

#[test]
fn key_update_requests_and_the_shims_own_key_updates_plan_and_emit() {
    let case = key_update_case(
        "    peer:\n      key_updates_after_handshake: 2\n      key_update_request: requested\n    expect:\n      unsolicited_key_update: true\n",
    );
    let plan = planned(&[("basic.yaml", &case)]);
    assert_eq!(
        plan.cases[0].record.peer.key_update_request,
        KeyUpdateRequest::Requested
    );
    assert!(plan.cases[0].record.expect.unsolicited_key_update);
    let dir = directory(&[("basic.yaml", &case)]);
    let plan = check_directory(dir.path(), dir.path()).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(plan.cases[0].record.peer.key_updates_after_handshake, 2);
    assert!(plan.cases[0].record.expect.local_error.is_none());
}

#[test]
fn key_update_requests_and_the_shims_own_key_updates_need_their_context() {
    let report = errors(&[(
        "basic.yaml",
        &key_update_case(
            "    peer:\n      max_version: tls12\n      key_update_request: requested\n    expect:\n      unsolicited_key_update: true\n",
        ),
    )]);
    assert_reports(
        &report,
        &[
            "basic.yaml:8:27: error: `key_update_request` needs `key_updates_after_handshake` of at least 1: here the runner sends no KeyUpdates",
            "basic.yaml:10:31: error: KeyUpdate exists only in TLS 1.3, but the peer's max_version is tls12",
        ],
    );
    assert_count(&report, 2);
    let report = errors(&[(
        "basic.yaml",
        &key_update_case(
            "    shim_shuts_down: true\n    expect:\n      unsolicited_key_update: true\n",
        ),
    )]);
    assert_reports(
        &report,
        &[
            "basic.yaml:8:31: error: the runner looks for the shim's KeyUpdate after each of its replies, and here the shim echoes no messages",
        ],
    );
    assert_count(&report, 1);
    let report = errors(&[(
        "basic.yaml",
        &key_update_case("    peer:\n      key_update_request: sometimes\n"),
    )]);
    assert_reports(
        &report,
        &[
            "basic.yaml:7:27: error: unknown variant `sometimes`, expected one of `not_requested`, `requested`, `invalid`",
        ],
    );
}

#[test]
fn an_invalid_key_update_request_is_any_value_but_0_and_1() {
    let case = key_update_case(
        "    peer:\n      key_updates_after_handshake: 1\n      key_update_request: {invalid: 42}\n",
    );
    let plan = planned(&[("basic.yaml", &case)]);
    assert_eq!(
        plan.cases[0].record.peer.key_update_request,
        KeyUpdateRequest::Invalid(42)
    );
    for (value, name) in [(0, "not_requested"), (1, "requested")] {
        let report = errors(&[(
            "basic.yaml",
            &key_update_case(&format!(
                "    peer:\n      key_updates_after_handshake: 1\n      key_update_request: {{invalid: {value}}}\n"
            )),
        )]);
        assert_reports(
            &report,
            &[&format!(
                "basic.yaml:8:27: error: {value} is a valid request (`{name}`); write `{name}`, or use a value other than 0 and 1"
            )],
        );
        assert_count(&report, 1);
    }
}

/// `BASIC`'s HttpGET case with `misbehaviour` (indented under `peer:`)
/// and `extra` peer lines.
fn misbehaviour_errors(role: &str, extra: &str, misbehaviour: &str) -> String {
    let case = format!(
        "group: g\nupstream_tests: abc\ncases:\n  HttpGET:\n    shim_role: {role}\n    peer:\n{extra}      misbehaviour:\n{misbehaviour}"
    );
    errors(&[("basic.yaml", &case)])
}

#[test]
fn handshake_messages_must_be_plaintext_ones_the_runner_sends() {
    let trailing = |message: &str| {
        format!(
            "        trailing_data_in_handshake_message:\n          message: {message}\n          bytes: {{hex: '00'}}\n"
        )
    };
    let tls12 = "      max_version: tls12\n";
    let cases = [
        (
            "server",
            tls12,
            "server_hello",
            "the runner is the client here (`shim_role: server`), and a client never sends server_hello",
        ),
        (
            "client",
            tls12,
            "finished",
            "finished is always encrypted; the runner edits only plaintext handshake messages",
        ),
        (
            "client",
            "",
            "server_key_exchange",
            "server_key_exchange travels in plaintext only in TLS 1.2; set `peer.max_version: tls12`",
        ),
        (
            "client",
            tls12,
            "certificate_request",
            "the runner as server sends certificate_request only with `peer.request_client_certificate: true`",
        ),
        (
            "server",
            tls12,
            "certificate",
            "the runner as client sends certificate only with `peer.client_certificate: true`",
        ),
        (
            "client",
            tls12,
            "certificate_verify",
            "a server sends certificate_verify only in TLS 1.3, where it is encrypted; the runner edits only plaintext handshake messages",
        ),
    ];
    for (role, extra, message, expected) in cases {
        let report = misbehaviour_errors(role, extra, &trailing(message));
        let line = 9 + extra.lines().count();
        assert_reports(
            &report,
            &[&format!("basic.yaml:{line}:20: error: {expected}")],
        );
        assert_count(&report, 1);
    }
    let report = misbehaviour_errors(
        "client",
        "",
        "        duplicate_extension: {message: certificate, extension: 0xffff}\n",
    );
    assert_reports(
        &report,
        &[
            "basic.yaml:8:40: error: the runner repeats extensions only in client_hello or server_hello, not in certificate",
        ],
    );
    let report = misbehaviour_errors(
        "client",
        "",
        "        duplicate_extension: {message: client_hello, extension: 0x1ffff}\n",
    );
    assert_reports(
        &report,
        &["basic.yaml:8:65: error: expected a whole number from 0 to 65535, found `131071`"],
    );
}

#[test]
fn misbehaviours_after_the_handshake_need_messages() {
    let after = |misbehaviour: &str| {
        misbehaviour_errors("client", "", &format!("        {misbehaviour}\n"))
    };
    let no_messages = |what: &str| {
        format!(
            "the runner sends {what} before each of its messages, and here it sends none (messages.count is 0)"
        )
    };
    let case = "group: g\nupstream_tests: abc\ncases:\n  HttpGET:\n    shim_role: client\n    messages: {count: 0}\n    peer:\n      key_updates_after_handshake: 1\n      misbehaviour:\n        alert: {level: fatal, description: no_such_alert}\n";
    let report = errors(&[("basic.yaml", case)]);
    assert_reports(
        &report,
        &[
            &format!("basic.yaml:8:36: error: {}", no_messages("KeyUpdates")),
            &format!("basic.yaml:10:9: error: {}", no_messages("the alert")),
            "basic.yaml:10:44: error: unknown alert `no_such_alert`; use a number or one of close_notify, unexpected_message, ",
        ],
    );
    assert_count(&report, 3);
    assert_reports(
        &after("alert: {level: fatal, description: 300}"),
        &["basic.yaml:8:44: error: alert description 300 does not fit in a byte (0 to 255)"],
    );
    assert_reports(
        &after("alert: {level: loud, description: 1}"),
        &["basic.yaml:8:24: error: unknown variant `loud`, expected one of `warning`, `fatal`"],
    );
    assert_reports(
        &after("invalid_record_type: {content_type: 22, at: after_handshake}"),
        &[
            "basic.yaml:8:45: error: content type 22 is handshake, which TLS defines; pick one it does not (upstream uses 42)",
        ],
    );
    assert_reports(
        &after("bogus_alert: {text: ''}"),
        &["basic.yaml:8:29: error: the alert body must hold at least one byte"],
    );
    let report = basic_errors("    resume_count: 1\n", "    messages: {length: 0}\n");
    assert_reports(
        &report,
        &[
            "basic.yaml:8:24: error: messages.length must be at least 1 (upstream reads 0 as its default, 32)",
        ],
    );
}

fn project_root() -> PathBuf {
    support::package_dir().join("..")
}

#[test]
fn the_project_cases_compile_into_many_groups() {
    let root = project_root();
    let plan = check_directory(&root.join("specs/bogo"), &root).unwrap_or_else(|d| panic!("{d}"));
    let plan = &plan;
    let mut per_group: BTreeMap<&str, usize> = BTreeMap::new();
    for case in &plan.cases {
        *per_group.entry(case.record.group.as_ref()).or_default() += 1;
    }
    assert!(plan.cases.len() >= 60, "{} cases", plan.cases.len());
    assert!(per_group.len() >= 8, "{per_group:?}");
    assert!(per_group.values().all(|&count| count > 0), "{per_group:?}");
    assert!(
        plan.cases
            .iter()
            .all(|case| !case.own || case.description.is_some()),
        "own cases are described"
    );
    let tokens = emit::cases(plan).to_string();
    assert_reports(
        &tokens,
        &[
            "name : alloc :: borrow :: Cow :: Borrowed (\"VersionTooLow\")",
            "name : alloc :: borrow :: Cow :: Borrowed (\"Basic-Client-TLS-Sync\")",
        ],
    );
}

/// The schema as `schema::all()` renders it once it lists the BoGo cases.
fn rendered_schema() -> String {
    let schema = schemars::schema_for!(crosscheck_codegen::bogo_cases::model::CaseFileDoc);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[test]
fn the_committed_schema_is_current_and_every_case_file_follows_it() {
    let root = project_root();
    let committed =
        std::fs::read_to_string(root.join("specs/schema/bogo_cases.json")).unwrap_or_default();
    assert!(
        committed == rendered_schema(),
        "specs/schema/bogo_cases.json is stale; rewrite it with: {}",
        crosscheck_codegen::schema::REWRITE_COMMAND
    );
    let schema: serde_json::Value =
        serde_json::from_str(&committed).unwrap_or_else(|error| panic!("{error}"));
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|error| panic!("{error}"));
    let directory = root.join("specs/bogo");
    let files = crosscheck_codegen::bogo_cases::load::case_files(&directory)
        .unwrap_or_else(|d| panic!("{d}"));
    assert!(files.len() >= 8, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(
            text.lines().next(),
            Some("# yaml-language-server: $schema=../schema/bogo_cases.json"),
            "{}",
            file.display()
        );
        let document: serde_json::Value = serde_saphyr::from_str(&text)
            .unwrap_or_else(|error| panic!("{}: {error}", file.display()));
        let problems: Vec<String> = validator
            .iter_errors(&document)
            .map(|error| format!("{}: {error}", error.instance_path()))
            .collect();
        assert!(
            problems.is_empty(),
            "{}:\n{}",
            file.display(),
            problems.join("\n")
        );
    }
}

#[test]
fn the_project_shim_configs_disable_cases_by_their_globs() {
    use crosscheck_codegen::family::SpecFamily;

    let root = project_root();
    let plan =
        Bogo::plan(&root.join("specs").join("bogo"), &root).unwrap_or_else(|d| panic!("{d}"));
    let (cases, shims) = (&plan.cases, &plan.shims);
    let tests = emit::tests(cases, &emit::shim_tests(&shims.shims))
        .unwrap_or_else(|d| panic!("{d}"))
        .to_string();
    let first = shims
        .shims
        .iter()
        .find(|shim| shim.program.is_some())
        .expect("a shim with a program");
    let module = crosscheck_codegen::names::snake_case(&first.name).unwrap_or_default();
    let layout = if first.variants.len() > 1 {
        let variant =
            crosscheck_codegen::names::snake_case(&first.variants[0].name).unwrap_or_default();
        format!("pub mod {module} {{ pub mod {variant} {{ # [test]")
    } else {
        format!("pub mod {module} {{ # [test]")
    };
    assert!(tests.contains(&layout), "{layout}");
    // Config-only shim files (no `program`) compile to no tests.
    let tests_per_variant: usize = shims
        .shims
        .iter()
        .filter(|shim| shim.program.is_some())
        .map(|shim| shim.variants.len())
        .sum();
    assert_eq!(
        tests.matches("# [test]").count(),
        tests_per_variant * cases.cases.len()
    );
    for ignored in tests.split("# [ignore = \"").skip(1) {
        assert!(
            ignored.contains("(DisabledTests `"),
            "an ignore reason names its glob: {ignored}"
        );
    }
}

#[test]
fn the_family_holds_shims_cases_and_tests_in_one_module() {
    let root = project_root();
    let tokens = compile_module::<Bogo>(&root.join("specs/bogo"), &root)
        .unwrap_or_else(|d| panic!("{d}"))
        .to_string();
    assert!(tokens.starts_with("pub mod bogo {"), "{}", &tokens[..100]);
    assert_reports(
        &tokens,
        &[
            "include_bytes !",
            "pub const ROOT : & str =",
            "pub static SHIMS",
            "pub static CASES",
            "fn version_too_low ()",
        ],
    );
}

#[test]
fn family_problems_in_cases_and_shims_are_reported_together() {
    let specs = tempfile::tempdir().expect("temp dir");
    let bogo = specs.path().join("bogo");
    let shims = specs.path().join("shims");
    std::fs::create_dir_all(bogo.join("upstream-tests")).expect("list dir");
    std::fs::create_dir_all(&shims).expect("shim dir");
    std::fs::write(bogo.join("upstream-tests/abc.txt"), UPSTREAM_LIST).expect("list");
    std::fs::write(
        bogo.join("basic.yaml"),
        BASIC.replace("shim_role: client", "shim_role: clent"),
    )
    .expect("cases");
    std::fs::write(
        shims.join("demo.yaml"),
        "description: d\nprogram:\n  cargo: {package: demo-shims, bin: demo}\nupstream_tests: abc\nDisabledTests:\n  Own-*: own cases\n",
    )
    .expect("shim");
    let report = match compile_module::<Bogo>(&bogo, specs.path()) {
        Ok(_) => panic!("expected errors"),
        Err(diagnostics) => diagnostics.to_string(),
    };
    assert_reports(
        &report,
        &[
            "bogo/basic.yaml:6:16: error: unknown variant `clent`, expected one of `client`, `server`",
            "shims/demo.yaml:6:3: error: ",
        ],
    );
}
