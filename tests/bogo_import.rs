//! `crosscheck bogo import` as users run it: Go's and rustls' shim configs
//! import to shim files that compile back to the same `-shim-config` JSON;
//! what a config hides (repeated keys, comment keys, globs that match no
//! upstream test) is reported; malformed JSON is an error with its place.
//!
//! The shim files the imports write are committed in
//! `tests/fixtures/bogo_import/specs/shims/`, where `spec!` compiles them as
//! `build.rs` compiles `specs/shims/` (with the upstream lists linked beside
//! them). Each test checks that the import still writes its file, byte for
//! byte, and that the file's compiled JSON equals the imported config. After
//! a deliberate change to the import, `CROSSCHECK_BLESS=1 cargo test --test
//! bogo_import` rewrites the files (then look at the diff).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

mod cli;

use cli::{crosscheck, root, text};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

crosscheck_macros::spec!("tests/fixtures/bogo_import/specs/bogo");

const FIXTURES: &str = "tests/fixtures/bogo_import";

/// Fails unless `yaml` is the committed shim file `name`; under
/// `CROSSCHECK_BLESS=1`, rewrites it and returns true (its compiled JSON
/// is this build's, so the caller checks no further).
fn committed(name: &str, yaml: &str) -> bool {
    let path = root()
        .join(FIXTURES)
        .join(format!("specs/shims/{name}.yaml"));
    if std::env::var_os("CROSSCHECK_BLESS").is_some() {
        std::fs::write(&path, yaml).expect("write the shim file");
        eprintln!("wrote {}; run the tests again to check it", path.display());
        return true;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != yaml {
        let first = committed
            .lines()
            .zip(yaml.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(yaml.lines().count()));
        panic!(
            "the import no longer writes {} (first difference on line {}):\n{}\n\
             If the change is meant, run `CROSSCHECK_BLESS=1 cargo test --test bogo_import` \
             and look at the diff.",
            path.display(),
            first + 1,
            yaml.lines()
                .skip(first)
                .take(5)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    false
}

/// The `-shim-config` JSON `spec!` compiled from the committed shim file.
fn compiled(name: &str) -> Value {
    let shim = bogo::SHIMS
        .iter()
        .find(|shim| shim.name == name)
        .unwrap_or_else(|| panic!("no committed shim file {name}.yaml"));
    assert_eq!(shim.variants.len(), 1, "{name}: one variant");
    serde_json::from_str(&shim.variants[0].config_json).expect("compiled JSON")
}

/// `config` less its comment keys (`"#…"`), at the top and in sections.
fn without_comment_keys(mut config: Value) -> Value {
    if let Some(object) = config.as_object_mut() {
        object.retain(|key, _| !key.starts_with('#'));
        for section in object.values_mut() {
            if let Some(entries) = section.as_object_mut() {
                entries.retain(|key, _| !key.starts_with('#'));
            }
        }
    }
    config
}

fn remove(config: &mut Value, section: &str, key: &str) {
    let removed = config
        .get_mut(section)
        .and_then(Value::as_object_mut)
        .and_then(|entries| entries.remove(key));
    assert!(removed.is_some(), "no {section}.{key}");
}

/// Where two configs differ, one line each, for a readable failure.
fn differences(ours: &Value, theirs: &Value) -> Vec<String> {
    let (Some(ours), Some(theirs)) = (ours.as_object(), theirs.as_object()) else {
        return vec![format!("{ours} != {theirs}")];
    };
    let sections: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
    let mut differing = Vec::new();
    for section in sections {
        match (ours.get(section), theirs.get(section)) {
            (Some(Value::Object(a)), Some(Value::Object(b))) => {
                let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                for key in keys.into_iter().filter(|key| a.get(*key) != b.get(*key)) {
                    differing.push(format!(
                        "{section}.{key}: {:?} (compiled) vs {:?} (imported)",
                        a.get(key),
                        b.get(key)
                    ));
                }
            }
            (a, b) if a != b => differing.push(format!("{section}: {a:?} vs {b:?}")),
            _ => {}
        }
    }
    differing
}

fn assert_same_config(name: &str, imported: &Value) {
    let compiled = compiled(name);
    assert!(
        &compiled == imported,
        "{name}: the compiled shim file differs from the imported config:\n{}",
        differences(&compiled, imported).join("\n")
    );
}

/// The `DisabledTests` globs of `config` that match no test of b28d2e8.
fn unmatched_globs(config: &Value) -> Vec<String> {
    let list = std::fs::read_to_string(root().join("specs/bogo/upstream-tests/b28d2e8.txt"))
        .expect("the upstream list");
    let tests: Vec<&str> = list.lines().filter(|line| !line.is_empty()).collect();
    config["DisabledTests"]
        .as_object()
        .expect("DisabledTests")
        .keys()
        .filter(|glob| {
            let pattern = go_glob::Pattern::new(glob).expect("well-formed glob");
            !tests.iter().any(|test| pattern.matches(test))
        })
        .cloned()
        .collect()
}

#[test]
fn go_config_imports_to_a_shim_file_that_compiles_back_to_it() {
    let config_path = format!("{FIXTURES}/go-bogo_config.json");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("go.yaml");
    let out_text = out.display().to_string();
    let output = crosscheck(&["bogo", "import", &config_path, "-o", &out_text]);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(output.stdout.is_empty(), "the YAML goes to -o only");
    let yaml = std::fs::read_to_string(&out).expect("the shim file is written");
    assert!(yaml.starts_with("# yaml-language-server: $schema=../schema/bogo_shim.json\n"));
    assert!(yaml.contains(
        "\ndescription: The BoGo shim config of go, imported from go-bogo_config.json\n"
    ));
    assert!(yaml.contains("\nupstream_tests: b28d2e8\n"));
    assert!(!yaml.contains("program:"));
    if committed("go", &yaml) {
        return;
    }

    let config: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join(&config_path)).expect("Go's config"),
    )
    .expect("Go's config is JSON");
    assert_same_config("go", &without_comment_keys(config.clone()));

    // What the JSON hid: globs that match nothing in b28d2e8 (the config
    // follows a newer runner), each reported on its own line.
    let unmatched = unmatched_globs(&config);
    assert!(!unmatched.is_empty());
    let reported: Vec<&str> = stderr
        .lines()
        .filter(|line| line.ends_with("; imported with keep_unmatched"))
        .collect();
    assert_eq!(reported.len(), unmatched.len(), "{stderr}");
    for glob in &unmatched {
        let line = format!(
            ": glob `{glob}` matches no test of upstream list b28d2e8; imported with keep_unmatched"
        );
        assert!(
            reported.iter().any(|reported| reported.ends_with(&line)
                && reported.starts_with(&format!("{config_path}:"))),
            "{glob} not reported:\n{stderr}"
        );
    }
    assert!(
        stderr.ends_with(&format!(
            "crosscheck: imported {config_path}: DisabledTests 190, ErrorMap 1; \
             globs matching no test of b28d2e8 (kept with keep_unmatched): {}\n",
            unmatched.len()
        )),
        "{stderr}"
    );
}

/// What `cpp -P -DRING` makes of rustls' template, less blank lines (which
/// cpp versions keep differently).
fn rustls_ring_config() -> String {
    let template = root().join("specs/shims/upstream/rustls-config.json.in");
    let output = Command::new("cpp")
        .args(["-P", "-DRING"])
        .arg(&template)
        .output()
        .expect("cpp starts (it comes with the C compiler)");
    assert!(output.status.success(), "cpp: {}", text(&output.stderr));
    text(&output.stdout)
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| format!("{line}\n"))
        .collect()
}

#[test]
fn rustls_config_imports_to_a_shim_file_that_compiles_back_to_it() {
    let json = rustls_ring_config();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("rustls-ring.json");
    std::fs::write(&path, &json).expect("write the config");
    let path_text = path.display().to_string();
    let output = crosscheck(&["bogo", "import", &path_text, "--name", "rustls-ring"]);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    if committed("rustls-ring", &text(&output.stdout)) {
        return;
    }

    // The template's placeholders are what a shim file cannot hold as
    // they are: `__LAST__` has no reason (it gets one), and `C__` and `D__`
    // are no test names (kept as comments).
    for expected in [
        ": `__LAST__` in DisabledTests has no reason, which a shim file needs; imported with reason \"no reason given in rustls-ring.json\"",
        ": glob `__LAST__` matches no test of upstream list b28d2e8; imported with keep_unmatched",
        ": `C__` in TestLocalErrorMap is not a test of upstream list b28d2e8, and a shim file takes test names only; not imported",
        ": `D__` in TestLocalErrorMap is not a test of upstream list b28d2e8, and a shim file takes test names only; not imported",
        ": `CheckClientCertificateTypes` in DisabledTests is set at lines 40 and 41 (the same value): the runner, like any JSON reader, keeps only the last value; imported with it",
    ] {
        assert!(
            stderr
                .lines()
                .any(|line| line.starts_with(&path_text) && line.ends_with(expected)),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    let mut imported =
        without_comment_keys(serde_json::from_str(&json).expect("cpp output is JSON"));
    let mut compiled = compiled("rustls-ring");
    for value in [&mut imported, &mut compiled] {
        remove(value, "DisabledTests", "__LAST__");
    }
    remove(&mut imported, "TestLocalErrorMap", "C__");
    remove(&mut imported, "TestLocalErrorMap", "D__");
    assert!(
        compiled == imported,
        "the compiled shim file differs from the imported config:\n{}",
        differences(&compiled, &imported).join("\n")
    );
}

#[test]
fn repeated_and_comment_keys_are_reported() {
    let config_path = format!("{FIXTURES}/repeated-keys.json");
    let output = crosscheck(&["bogo", "import", &config_path]);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let yaml = text(&output.stdout);
    if committed("repeated-keys", &yaml) {
        return;
    }
    let expected = [
        "2:5: comment key `#` (the top level): not a test; kept as a YAML comment",
        "4:9: comment key `### Not supported by this library` (DisabledTests): not a test; kept as a YAML comment",
        "7:9: comment key `####################` (DisabledTests): not a test; kept as a YAML comment",
        "8:9: comment key `### Not yet` (DisabledTests): not a test; kept as a YAML comment",
        "10:9: `*DTLS*` in DisabledTests is set at lines 5 and 10 (line 5 had \"No DTLS\"): the runner, like any JSON reader, keeps only the last value; imported with it",
        "11:9: glob `No-Such-Test-*` matches no test of upstream list b28d2e8; imported with keep_unmatched",
        "13:9: `Basic-Client-*` in DisabledTests is set at lines 12 and 13 (the same value): the runner, like any JSON reader, keeps only the last value; imported with it",
        "14:9: comment key `####################` (DisabledTests): not a test; kept as a YAML comment",
        "14:9: comment key `####################` repeats the one at line 7 (DisabledTests): a JSON reader keeps only the last; both are kept as YAML comments",
    ]
    .map(|line| format!("{config_path}:{line}\n"))
    .concat()
        + &format!(
            "crosscheck: imported {config_path}: DisabledTests 5, ErrorMap 2, HalfRTTTickets 1; \
             comment keys (kept as comments): 5, repeated keys: 3, \
             globs matching no test of b28d2e8 (kept with keep_unmatched): 1\n"
        );
    assert_eq!(stderr, expected);

    // The comments stay where they were; the repeated glob keeps its first
    // place and its last reason.
    for expected in [
        "\n# A small config in the style of NSS's: its sections are separated by comment keys that repeat.\n",
        "\nDisabledTests:\n  # ### Not supported by this library\n",
        "\n  \"*DTLS*\": DTLS is out of scope\n  \"*SSL3*\": No SSL 3\n  # ####################\n  # ### Not yet\n",
        "\n  No-Such-Test-*:\n    reason: Renamed upstream\n    keep_unmatched: no test of b28d2e8 matches it; kept as in repeated-keys.json\n",
    ] {
        assert!(yaml.contains(expected), "missing {expected:?} in:\n{yaml}");
    }
    let config: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join(&config_path)).expect("the config"),
    )
    .expect("the config is JSON");
    assert_same_config("repeated-keys", &without_comment_keys(config));
}

#[test]
fn malformed_json_is_an_error_with_its_line_and_column() {
    let output = crosscheck(&["bogo", "import", &format!("{FIXTURES}/malformed.json")]);
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    assert_eq!(
        text(&output.stderr),
        format!(
            "crosscheck: error: {FIXTURES}/malformed.json:5:5: malformed JSON: trailing comma\n"
        )
    );
}

#[test]
fn configs_the_runner_cannot_read_and_missing_files_are_clear_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, json: &str| -> String {
        let path: PathBuf = dir.path().join(name);
        std::fs::write(&path, json).expect("write the config");
        path.display().to_string()
    };
    let not_object = write("list.json", "[\"DisabledTests\"]\n");
    let wrong_type = write(
        "wrong.json",
        "{\n  \"DisabledTests\": {\n    \"*DTLS*\": 1\n  }\n}\n",
    );
    let truncated = write("truncated.json", "{\"DisabledTests\": {\"*DTLS*\": \"No");
    let missing = dir.path().join("missing.json").display().to_string();
    let cases = [
        (
            vec![not_object.as_str()],
            format!("{not_object}:1:1: the config is a list, not an object of the runner's keys"),
        ),
        (
            vec![wrong_type.as_str()],
            format!(
                "{wrong_type}:3:5: DisabledTests `*DTLS*`: expected a string (the reason), found a number; the runner cannot read it"
            ),
        ),
        (
            vec![truncated.as_str()],
            format!("{truncated}:1:32: malformed JSON: EOF while parsing a string"),
        ),
        (
            vec![missing.as_str()],
            format!("cannot read {missing}: No such file or directory (os error 2)"),
        ),
        (
            vec![not_object.as_str(), "--upstream-tests", "no-such-list"],
            format!(
                "cannot read test list {}: No such file or directory (os error 2)",
                root()
                    .join("specs/bogo/upstream-tests/no-such-list.txt")
                    .display()
            ),
        ),
    ];
    for (args, message) in cases {
        let mut full = vec!["bogo", "import"];
        full.extend(args.iter().copied());
        let output = crosscheck(&full);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert_eq!(
            text(&output.stderr),
            format!("crosscheck: error: {message}\n"),
            "{args:?}"
        );
    }
}

#[test]
fn the_upstream_list_may_be_a_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = dir.path().join("tiny.txt");
    std::fs::write(&list, "Basic-Client-TLS-Sync\n").expect("write the list");
    let config = dir.path().join("config.json");
    std::fs::write(
        &config,
        "{\"DisabledTests\": {\"Basic-*\": \"why\", \"*DTLS*\": \"no DTLS\"}}",
    )
    .expect("write the config");
    let list_text = list.display().to_string();
    let config_text = config.display().to_string();
    let output = crosscheck(&[
        "bogo",
        "import",
        &config_text,
        "--upstream-tests",
        &list_text,
        "--name",
        "tiny",
    ]);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let yaml = text(&output.stdout);
    assert!(yaml.contains("\nupstream_tests: tiny\n"), "{yaml}");
    assert!(
        yaml.contains("\n  Basic-*: why\n  \"*DTLS*\":\n    reason: no DTLS\n    keep_unmatched: no test of tiny matches it; kept as in config.json\n"),
        "{yaml}"
    );
    assert!(stderr.contains(&format!(
        "{config_text}:1:38: glob `*DTLS*` matches no test of upstream list tiny; imported with keep_unmatched\n"
    )));
    assert!(Path::new(&list_text).is_file());
}
