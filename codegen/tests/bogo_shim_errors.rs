//! BoGo shim files: every problem is reported at once with its location;
//! good files expand into one `-shim-config` per variant.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

use crosscheck_codegen::bogo_shims::plan::{Address, Protocol, ShimPlan};
use crosscheck_codegen::bogo_shims::{Layout, emit, plan_directory};
use crosscheck_model::program::{Cargo, Program, Provision, Script};

const SHIM: &str = "\
description: A demo shim
program:
  cargo: {package: demo-shims, bin: demo-shim}
upstream_tests: t1
variants:
  ring: with ring
  aws: with aws-lc-rs
DisabledTests:
  \"*-TLS1\": we only support >=TLS1.2
  TLS-ECH-*:
    - reason: no HPKE
      variants: [ring]
  \"*-P-224-*\":
    reason: no p224
    keep_unmatched: kept to match the upstream config
ErrorMap:
  \":NO_SHARED_CIPHER:\": [\":HANDSHAKE_FAILURE:\"]
TestErrorMap:
  NoSharedCipher-TLS13: \":HANDSHAKE_FAILURE:\"
TestLocalErrorMap:
  Garbage-TLS13: \"\"
HalfRTTTickets: 0
";

const TESTS: &str = "\
Basic-Client-TLS1
Basic-Client-TLS12
TLS-ECH-Client
NoSharedCipher-TLS13
Garbage-TLS13
";

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(shim: &str) -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        let layout = Layout::under(dir.path());
        std::fs::create_dir_all(&layout.shims).expect("shims dir");
        std::fs::create_dir_all(&layout.upstream_tests).expect("lists dir");
        std::fs::write(layout.shims.join("demo.yaml"), shim).expect("write shim");
        std::fs::write(layout.upstream_tests.join("t1.txt"), TESTS).expect("write list");
        Project { dir }
    }

    fn compile(&self, extra_tests: &[&str]) -> Result<Vec<ShimPlan>, Vec<String>> {
        let extra: Vec<String> = extra_tests.iter().map(|name| name.to_string()).collect();
        plan_directory(&Layout::under(self.dir.path()), self.dir.path(), &extra)
            .map(|plan| plan.shims)
            .map_err(|diagnostics| {
                diagnostics
                    .0
                    .iter()
                    .map(|d| format!("{}: error: {}", d.location, d.message))
                    .collect()
            })
    }
}

fn planned(shim: &str) -> ShimPlan {
    match Project::new(shim).compile(&[]) {
        Ok(mut plans) if plans.len() == 1 => plans.remove(0),
        Ok(plans) => panic!("expected one shim, got {}", plans.len()),
        Err(errors) => panic!("{}", errors.join("\n")),
    }
}

fn errors(shim: &str) -> Vec<String> {
    match Project::new(shim).compile(&[]) {
        Ok(_) => panic!("expected spec errors"),
        Err(errors) => errors,
    }
}

#[test]
fn each_variant_gets_the_entries_that_hold_for_it() {
    let plan = planned(SHIM);
    assert_eq!(plan.name, "demo");
    assert_eq!(
        plan.program,
        Some(Program::new(
            "demo",
            Provision::Cargo(Cargo::new("demo-shims", "demo-shim"))
        ))
    );
    assert_eq!(plan.declared_in, "shims/demo.yaml");
    let ring = &plan.variants[0];
    assert_eq!(
        (ring.name.as_str(), ring.description.as_str()),
        ("ring", "with ring")
    );
    assert_eq!(
        ring.config_json,
        r#"{
  "DisabledTests": {
    "*-TLS1": "we only support >=TLS1.2",
    "TLS-ECH-*": "no HPKE",
    "*-P-224-*": "no p224"
  },
  "ErrorMap": {
    ":NO_SHARED_CIPHER:": [":HANDSHAKE_FAILURE:"]
  },
  "TestErrorMap": {
    "NoSharedCipher-TLS13": ":HANDSHAKE_FAILURE:"
  },
  "TestLocalErrorMap": {
    "Garbage-TLS13": ""
  },
  "HalfRTTTickets": 0
}
"#
    );
    let aws = &plan.variants[1];
    let globs: Vec<&str> = aws
        .config
        .disabled_tests
        .iter()
        .flatten()
        .map(|d| d.glob.as_ref())
        .collect();
    assert_eq!(globs, ["*-TLS1", "*-P-224-*"]);
    let declared_at: Vec<&str> = ring
        .config
        .disabled_tests
        .iter()
        .flatten()
        .map(|d| d.declared_at.as_ref())
        .collect();
    assert_eq!(
        declared_at,
        [
            "shims/demo.yaml:9:3",
            "shims/demo.yaml:10:3",
            "shims/demo.yaml:13:3"
        ]
    );
    assert_eq!(plan.tracked_files.len(), 2);
}

#[test]
fn a_file_without_variants_has_one_default_variant() {
    let shim = SHIM
        .replace("variants:\n  ring: with ring\n  aws: with aws-lc-rs\n", "")
        .replace(
            "    - reason: no HPKE\n      variants: [ring]\n",
            "    - reason: no HPKE\n",
        );
    let plan = planned(&shim);
    let names: Vec<&str> = plan.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["default"]);
}

#[test]
fn unknown_keys_everywhere_are_reported_together_with_later_checks() {
    let shim = SHIM
        .replace("HalfRTTTickets: 0", "HalfRTTTicket: 0")
        .replace(
            "    reason: no p224\n",
            "    reasn: no p224\n    reason: no p224\n",
        )
        .replace("  TLS-ECH-*:", "  TLS-ECH-*x:");
    assert_eq!(
        errors(&shim),
        [
            "shims/demo.yaml:10:3: error: glob `TLS-ECH-*x` matches no known test (upstream list t1); correct it, or keep it with `keep_unmatched: \"why\"`",
            "shims/demo.yaml:14:5: error: unknown field `reasn`, expected one of `reason`, `variants`, `keep_unmatched`",
            "shims/demo.yaml:23:1: error: unknown field `HalfRTTTicket`, expected one of `description`, `program`, `upstream_tests`, `variants`, `runner`, `DisabledTests`, `unimplemented`, `expected_failures`, `ErrorMap`, `TestErrorMap`, `TestLocalErrorMap`, `HalfRTTTickets`, `MaxACKBuffer`, `AllCurves`",
        ]
    );
}

#[test]
fn duplicate_keys_are_reported_where_they_repeat() {
    let shim = SHIM
        .replace(
            "  \"*-TLS1\": we only support >=TLS1.2\n",
            "  \"*-TLS1\": we only support >=TLS1.2\n  \"*-TLS1\": we only support >=TLS1.2\n",
        )
        .replace(
            "HalfRTTTickets: 0\n",
            "HalfRTTTickets: 0\nHalfRTTTickets: 1\n",
        );
    assert_eq!(
        errors(&shim),
        [
            "shims/demo.yaml:10:3: error: duplicate key `*-TLS1` (first at shims/demo.yaml:9:3)",
            "shims/demo.yaml:24:1: error: duplicate key `HalfRTTTickets` (first at shims/demo.yaml:23:1)",
        ]
    );
}

#[test]
fn reasons_must_not_be_empty() {
    let shim = SHIM
        .replace("we only support >=TLS1.2", "\"\"")
        .replace("    - reason: no HPKE\n", "    - reason:\n")
        .replace(
            "    keep_unmatched: kept to match the upstream config\n",
            "    keep_unmatched: ' '\n",
        );
    assert_eq!(
        errors(&shim),
        [
            "shims/demo.yaml:9:13: error: a disabled test's reason must not be empty",
            "shims/demo.yaml:11:13: error: a disabled test's reason must not be empty",
            "shims/demo.yaml:15:21: error: `keep_unmatched` (why the glob is kept) must not be empty",
        ]
    );
}

#[test]
fn variant_names_must_be_declared() {
    let shim = SHIM
        .replace(
            "      variants: [ring]\n",
            "      variants: [rign, ring, ring]\n",
        )
        .replace(
            "  NoSharedCipher-TLS13: \":HANDSHAKE_FAILURE:\"\n",
            "  NoSharedCipher-TLS13:\n    error: \":HANDSHAKE_FAILURE:\"\n    variants: []\n",
        );
    assert_eq!(
        errors(&shim),
        [
            "shims/demo.yaml:12:18: error: unknown variant `rign`; expected one of ring, aws",
            "shims/demo.yaml:12:30: error: variant `ring` is listed twice",
            "shims/demo.yaml:21:15: error: `variants` needs at least one variant (leave it out for all)",
        ]
    );
    let without_variants =
        SHIM.replace("variants:\n  ring: with ring\n  aws: with aws-lc-rs\n", "");
    assert_eq!(
        errors(&without_variants),
        ["shims/demo.yaml:9:18: error: unknown variant `ring`; this shim declares no `variants`"]
    );
}

#[test]
fn a_variant_may_get_one_entry_per_key() {
    let shim = SHIM.replace(
        "    - reason: no HPKE\n      variants: [ring]\n",
        "    - reason: no HPKE\n      variants: [ring]\n    - reason: other\n",
    );
    assert_eq!(
        errors(&shim),
        [
            "shims/demo.yaml:13:7: error: `TLS-ECH-*` already has an entry for variant `ring` (at shims/demo.yaml:11:7)"
        ]
    );
}

#[test]
fn a_glob_that_matches_nothing_needs_keep_unmatched_and_a_kept_one_must_match_nothing() {
    let dead = SHIM.replace(
        "    keep_unmatched: kept to match the upstream config\n",
        "",
    );
    assert_eq!(
        errors(&dead),
        [
            "shims/demo.yaml:13:3: error: glob `*-P-224-*` matches no known test (upstream list t1); correct it, or keep it with `keep_unmatched: \"why\"`"
        ]
    );
    let stale = SHIM.replace("  \"*-P-224-*\":", "  \"Basic-*\":");
    assert_eq!(
        errors(&stale),
        [
            "shims/demo.yaml:13:3: error: glob `Basic-*` has `keep_unmatched` but matches 2 known tests (e.g. `Basic-Client-TLS1`); remove `keep_unmatched`"
        ]
    );
}

#[test]
fn extra_known_names_count_as_tests() {
    let dead = SHIM.replace(
        "    keep_unmatched: kept to match the upstream config\n",
        "",
    );
    let project = Project::new(&dead);
    assert!(project.compile(&[]).is_err());
    assert!(project.compile(&["Own-P-224-Case"]).is_ok());
}

#[test]
fn malformed_globs_say_what_is_wrong() {
    let shim = SHIM.replace("  \"*-TLS1\":", "  \"*-TLS1[2\":");
    assert_eq!(
        errors(&shim),
        [
            "shims/demo.yaml:9:3: error: glob `*-TLS1[2` is malformed: a `[` class is not closed with `]`"
        ]
    );
}

#[test]
fn per_test_keys_must_be_known_test_names() {
    let shim = SHIM
        .replace("  NoSharedCipher-TLS13:", "  NoSharedCiper-TLS13:")
        .replace("  Garbage-TLS13:", "  Garbage-*:");
    assert_eq!(
        errors(&shim),
        [
            "shims/demo.yaml:19:3: error: `NoSharedCiper-TLS13` is not a known test (upstream list t1); did you mean `NoSharedCipher-TLS13`?",
            "shims/demo.yaml:21:3: error: `Garbage-*` is not a known test (upstream list t1); TestLocalErrorMap keys are test names, not globs",
        ]
    );
}

#[test]
fn values_of_the_wrong_kind_are_reported_and_the_rest_still_checked() {
    let shim = SHIM
        .replace(
            "HalfRTTTickets: 0",
            "HalfRTTTickets: -1\nMaxACKBuffer: many",
        )
        .replace("[\":HANDSHAKE_FAILURE:\"]", "\":HANDSHAKE_FAILURE:\"")
        .replace(
            "  cargo: {package: demo-shims, bin: demo-shim}\n",
            "  cargo: {package: demo-shims, bin: demo-shim}\n  build: {command: [make]}\n",
        )
        .replace(
            "    keep_unmatched: kept to match the upstream config\n",
            "",
        );
    assert_eq!(
        errors(&shim),
        [
            "shims/demo.yaml:4:10: error: `program` takes one way to get it, and already has `cargo`; keep `cargo` or `build`",
            "shims/demo.yaml:14:3: error: glob `*-P-224-*` matches no known test (upstream list t1); correct it, or keep it with `keep_unmatched: \"why\"`",
            "shims/demo.yaml:17:25: error: expected a list of the shim's errors, a mapping with `errors`, or a list of such mappings, found `:HANDSHAKE_FAILURE:`",
            "shims/demo.yaml:22:17: error: expected a whole number from 0 to 4294967295, found `-1`",
            "shims/demo.yaml:23:15: error: expected a whole number from 0 to 4294967295, found `many`",
        ]
    );
}

#[test]
fn a_script_program_needs_its_script_and_a_path_inside_the_build() {
    let project = Project::new(&SHIM.replace(
        "  cargo: {package: demo-shims, bin: demo-shim}\n",
        "  script:\n    path: shims/demo/build.sh\n    output: out/demo_shim\n",
    ));
    std::fs::create_dir_all(project.dir.path().join("shims/demo")).expect("script dir");
    std::fs::write(project.dir.path().join("shims/demo/build.sh"), "").expect("script");
    let plans = project.compile(&[]).expect("a good shim file");
    assert_eq!(
        plans[0].program,
        Some(Program::new(
            "demo",
            Provision::Script(Script {
                path: "shims/demo/build.sh".into(),
                output: "out/demo_shim".into(),
                inputs: Vec::new().into(),
            })
        ))
    );

    let shim = SHIM.replace(
        "  cargo: {package: demo-shims, bin: demo-shim}\n",
        "  script:\n    path: shims/missing.sh\n    output: ../demo_shim\n",
    );
    assert_eq!(
        errors(&shim),
        [
            "shims/demo.yaml:4:11: error: no build script at `shims/missing.sh`",
            "shims/demo.yaml:5:13: error: the script's output `../demo_shim` must be a relative path without `..`",
        ]
    );
    let shim = SHIM.replace(
        "  cargo: {package: demo-shims, bin: demo-shim}\n",
        "  script:\n    path: b.sh\n",
    );
    assert_eq!(
        errors(&shim),
        ["shims/demo.yaml:4:5: error: missing field `output`"]
    );
}

#[test]
fn runner_options_choose_the_protocol_the_shim_speaks() {
    let plan = planned(&SHIM.replace(
        "upstream_tests: t1\n",
        "upstream_tests: t1\nrunner:\n  shim_id: false\n  trust_cert: false\n  address: ipv4\n",
    ));
    let ipv4 = Protocol {
        shim_id: false,
        trust_cert: false,
        address: Address::Ipv4,
    };
    assert_eq!(plan.runner.protocol, ipv4);
    let plan = planned(SHIM);
    assert_eq!(plan.runner.protocol, Protocol::CURRENT);
    let shim = SHIM.replace(
        "upstream_tests: t1\n",
        "upstream_tests: t1\nrunner:\n  shim_id: no-thanks\n  address: ipx\n",
    );
    assert_eq!(
        errors(&shim),
        [
            "shims/demo.yaml:6:12: error: expected `true` or `false`, found `no-thanks`",
            "shims/demo.yaml:7:12: error: unknown variant `ipx`, expected one of `ipv6`, `ipv4`",
        ]
    );
}

#[test]
fn the_test_list_must_exist() {
    let shim = SHIM.replace("upstream_tests: t1", "upstream_tests: t2");
    assert_eq!(
        errors(&shim),
        ["shims/demo.yaml:4:17: error: unknown upstream test list `t2`; expected one of t1"]
    );
}

#[test]
fn emitted_tokens_hold_the_json_and_the_maps() {
    let project = Project::new(SHIM);
    let plan = plan_directory(&Layout::under(project.dir.path()), project.dir.path(), &[])
        .unwrap_or_else(|d| panic!("{d}"));
    let tokens = emit::shims(&plan.shims).to_string();
    for expected in [
        "pub static SHIMS : & [:: crosscheck :: bogo :: ShimConfig]",
        "program : Some (:: crosscheck :: program :: Program { name : :: std :: borrow :: Cow :: Borrowed (\"demo\") , provision : :: crosscheck :: program :: Provision :: Cargo",
        "crosscheck :: bogo :: TestGlob { glob : alloc :: borrow :: Cow :: Borrowed (\"TLS-ECH-*\") , reason : alloc :: borrow :: Cow :: Borrowed (\"no HPKE\") , declared_at : alloc :: borrow :: Cow :: Borrowed (\"shims/demo.yaml:10:3\")",
        "crosscheck :: bogo :: ErrorMapping { expected : alloc :: borrow :: Cow :: Borrowed (\":NO_SHARED_CIPHER:\") , errors : alloc :: borrow :: Cow :: Borrowed (& [alloc :: borrow :: Cow :: Borrowed (\":HANDSHAKE_FAILURE:\")])",
        "half_rtt_tickets : Some (0u32)",
        "all_curves : None",
    ] {
        assert!(
            tokens.contains(expected),
            "missing `{expected}` in:\n{tokens}"
        );
    }
}

/// `SHIM` with declared outcomes and a variant environment added.
fn with_declared(declared: &str) -> String {
    SHIM.replace(
        "  aws: with aws-lc-rs\n",
        "  aws:\n    description: with aws-lc-rs\n    env:\n      DEMO_PROVIDER: aws-lc-rs\n",
    ) + declared
}

#[test]
fn declared_outcomes_join_disabled_tests_in_the_json_and_stay_apart_in_the_plan() {
    let plan = planned(&with_declared(
        "unimplemented:\n  Basic-Client-TLS12: no flag for it\nexpected_failures:\n  NoSharedCipher-*:\n    reason: a known bug\n    variants: [aws]\n",
    ));
    let [ring, aws] = plan.variants.as_slice() else {
        panic!("two variants expected");
    };
    assert_eq!(ring.env, []);
    assert_eq!(
        aws.env,
        [("DEMO_PROVIDER".to_string(), "aws-lc-rs".to_string())]
    );
    assert_eq!(aws.description, "with aws-lc-rs");
    let globs = |entries: &[crosscheck_codegen::bogo_shims::plan::TestGlob]| {
        entries
            .iter()
            .map(|entry| format!("{} @ {}", entry.glob, entry.declared_at))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        globs(&aws.config.unimplemented),
        ["Basic-Client-TLS12 @ shims/demo.yaml:27:3"]
    );
    assert_eq!(
        globs(&aws.config.expected_failures),
        ["NoSharedCipher-* @ shims/demo.yaml:29:3"]
    );
    assert!(ring.config.expected_failures.is_empty());
    assert!(aws.config_json.contains(
        "    \"*-P-224-*\": \"no p224\",\n    \"Basic-Client-TLS12\": \"unimplemented: no flag for it\",\n    \"NoSharedCipher-*\": \"expected to fail: a known bug\"\n  },"
    ), "{}", aws.config_json);
    assert!(!ring.config_json.contains("NoSharedCipher-*"));
}

#[test]
fn each_clash_between_sections_names_the_first_common_test_in_list_order() {
    let shim = with_declared(concat!(
        "unimplemented:\n",
        "  \"*TLS1*\": no TLS 1.x\n",
        "  NoShared*: no ciphers\n",
        "  TLS-ECH-Client:\n",
        "    reason: no ECH in aws-lc-rs\n",
        "    variants: [aws]\n",
        "expected_failures:\n",
        "  \"*TLS1?\": a bug\n",
        "  \"*13\": a bug\n",
        "  TLS-ECH-*:\n",
        "    reason: a bug in aws-lc-rs\n",
        "    variants: [aws]\n",
    ));
    // `NoSharedCipher-TLS13` comes before `Garbage-TLS13` in the list;
    // each clash is reported once, though both variants have it, and the
    // ECH globs clash in `aws` only.
    let clashes: Vec<String> = errors(&shim)
        .iter()
        .map(|error| {
            error.replace(
                "; a test is either disabled, unimplemented or expected to fail",
                "",
            )
        })
        .collect();
    assert_eq!(
        clashes,
        [
            "shims/demo.yaml:27:3: error: glob `*TLS1*` matches `Basic-Client-TLS1`, as does `*-TLS1` in `DisabledTests` (at shims/demo.yaml:12:3)",
            "shims/demo.yaml:33:3: error: glob `*TLS1?` matches `Basic-Client-TLS12`, as does `*TLS1*` in `unimplemented` (at shims/demo.yaml:27:3)",
            "shims/demo.yaml:33:3: error: glob `*TLS1?` matches `NoSharedCipher-TLS13`, as does `NoShared*` in `unimplemented` (at shims/demo.yaml:28:3)",
            "shims/demo.yaml:34:3: error: glob `*13` matches `NoSharedCipher-TLS13`, as does `*TLS1*` in `unimplemented` (at shims/demo.yaml:27:3)",
            "shims/demo.yaml:34:3: error: glob `*13` matches `NoSharedCipher-TLS13`, as does `NoShared*` in `unimplemented` (at shims/demo.yaml:28:3)",
            "shims/demo.yaml:35:3: error: glob `TLS-ECH-*` matches `TLS-ECH-Client`, as does `TLS-ECH-Client` in `unimplemented` (at shims/demo.yaml:29:3)",
        ]
    );
}

#[test]
fn a_test_is_disabled_unimplemented_or_expected_to_fail_not_two_of_them() {
    let shim = with_declared(
        "unimplemented:\n  \"*-TLS1\": no TLS 1.0\n  \"Basic-*\": no flag\nexpected_failures:\n  Basic-Client-TLS12: a bug\n  NoSharedCipher-TLS13:\n    reason: a bug in ring only\n    variants: [ring]\n",
    )
    .replace(
        "  TLS-ECH-*:\n",
        "  NoSharedCipher-*:\n    - reason: aws-lc-rs lacks it\n      variants: [aws]\n  TLS-ECH-*:\n",
    );
    assert_eq!(
        errors(&shim),
        [
            "shims/demo.yaml:30:3: error: glob `*-TLS1` is also in `DisabledTests` (at shims/demo.yaml:12:3); a test is either disabled, unimplemented or expected to fail",
            "shims/demo.yaml:31:3: error: glob `Basic-*` matches `Basic-Client-TLS1`, as does `*-TLS1` in `DisabledTests` (at shims/demo.yaml:12:3); a test is either disabled, unimplemented or expected to fail",
            "shims/demo.yaml:33:3: error: glob `Basic-Client-TLS12` matches `Basic-Client-TLS12`, as does `Basic-*` in `unimplemented` (at shims/demo.yaml:31:3); a test is either disabled, unimplemented or expected to fail",
        ]
    );
}

#[test]
fn declared_outcomes_are_checked_like_disabled_tests() {
    let shim = with_declared(
        "unimplemented:\n  Basic-Client-TLS3: no flag\nexpected_failures:\n  NoSharedCipher-TLS13: \"\"\n  Garbage-*:\n    reason: a bug\n    variants: [boringssl]\n",
    );
    let errors = errors(&shim);
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(errors[0].starts_with(
        "shims/demo.yaml:27:3: error: glob `Basic-Client-TLS3` matches no known test"
    ));
    assert_eq!(
        errors[1],
        "shims/demo.yaml:29:25: error: an expected failure's reason must not be empty"
    );
    assert_eq!(
        errors[2],
        "shims/demo.yaml:32:16: error: unknown variant `boringssl`; expected one of ring, aws"
    );
}

#[test]
fn variant_environments_need_portable_names_and_known_keys() {
    let shim = SHIM.replace(
        "  aws: with aws-lc-rs\n",
        "  aws:\n    description: with aws-lc-rs\n    envs: {}\n    env:\n      1PROVIDER: aws\n      DEMO-MODE: fips\n",
    );
    assert_eq!(
        errors(&shim),
        [
            "shims/demo.yaml:9:5: error: unknown field `envs`, expected one of `description`, `env`",
            "shims/demo.yaml:11:7: error: `1PROVIDER` is not an environment variable name (letters, digits and `_`, not starting with a digit)",
            "shims/demo.yaml:12:7: error: `DEMO-MODE` is not an environment variable name (letters, digits and `_`, not starting with a digit)",
        ]
    );
}

#[test]
fn a_shim_can_include_disabled_tests() {
    // What that does to each test's expectation is `bogo_cases::expand`'s.
    assert!(!planned(SHIM).runner.include_disabled);
    let including = SHIM.replace(
        "upstream_tests: t1\n",
        "upstream_tests: t1\nrunner:\n  include_disabled: true\n",
    );
    assert!(planned(&including).runner.include_disabled);
}
