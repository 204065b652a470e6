//! `crosscheck bogo …` as users run it: the transcribed rustls shim config
//! yields, for each variant, the JSON the C preprocessor makes of rustls'
//! template; `tests-diff` reports what a new upstream list changes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

mod cli;

use cli::{crosscheck, root, text};

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// What `cpp -P <defines>` makes of the template, parsed, without the
/// template's placeholder keys.
fn preprocessed(defines: &[&str]) -> Value {
    let template = root().join("specs/shims/upstream/rustls-config.json.in");
    let output = Command::new("cpp")
        .arg("-P")
        .args(defines)
        .arg(&template)
        .output()
        .expect("cpp starts (it comes with the C compiler)");
    assert!(
        output.status.success(),
        "cpp failed: {}",
        text(&output.stderr)
    );
    let mut config: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("cpp {defines:?} output is not JSON: {error}"));
    for (map, placeholder) in [
        ("DisabledTests", "__LAST__"),
        ("TestLocalErrorMap", "C__"),
        ("TestLocalErrorMap", "D__"),
    ] {
        let removed = config
            .get_mut(map)
            .and_then(Value::as_object_mut)
            .and_then(|object| object.remove(placeholder));
        assert!(removed.is_some(), "the template has no {map}.{placeholder}");
    }
    config
}

fn generated(variant: &str) -> Value {
    let output = crosscheck(&["bogo", "config", "rustls-upstream", "--variant", variant]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("`bogo config` output is not JSON: {error}"))
}

/// The keys of `map` in which `a` and `b` differ, for a readable failure.
fn differences(a: &Value, b: &Value) -> Vec<String> {
    let mut differing = Vec::new();
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return vec![format!("{a} != {b}")];
    };
    for (section, value) in a {
        match (value.as_object(), b.get(section).and_then(Value::as_object)) {
            (Some(ours), Some(theirs)) => {
                for (key, entry) in ours {
                    if theirs.get(key) != Some(entry) {
                        differing
                            .push(format!("{section}.{key}: {entry} vs {:?}", theirs.get(key)));
                    }
                }
                for key in theirs.keys().filter(|key| !ours.contains_key(*key)) {
                    differing.push(format!("{section}.{key}: missing from the YAML's output"));
                }
            }
            _ if b.get(section) != Some(value) => {
                differing.push(format!("{section}: {value} vs {:?}", b.get(section)));
            }
            _ => {}
        }
    }
    for section in b.keys().filter(|section| !a.contains_key(*section)) {
        differing.push(format!("{section}: missing from the YAML's output"));
    }
    differing
}

#[test]
fn every_variant_equals_the_preprocessed_upstream_template() {
    for (variant, defines) in [
        ("ring", &["-DRING"][..]),
        ("aws-lc-rs", &["-DAWS_LC_RS"][..]),
        ("aws-lc-rs-fips", &["-DAWS_LC_RS", "-DFIPS"][..]),
    ] {
        let ours = generated(variant);
        let theirs = preprocessed(defines);
        assert!(
            ours == theirs,
            "variant {variant} differs from cpp -P {defines:?}:\n{}",
            differences(&ours, &theirs).join("\n")
        );
    }
}

#[test]
fn the_config_can_be_written_to_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config.json");
    let path_text = path.display().to_string();
    let output = crosscheck(&[
        "bogo",
        "config",
        "rustls-upstream",
        "--variant",
        "aws-lc-rs-fips",
        "-o",
        &path_text,
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(output.stdout.is_empty());
    let written = std::fs::read_to_string(&path).expect("config written");
    let value: Value = serde_json::from_str(&written).expect("written config is JSON");
    assert_eq!(value, generated("aws-lc-rs-fips"));
}

#[test]
fn unknown_names_and_missing_files_are_clear_errors() {
    for (args, message) in [
        (
            &["bogo", "config", "wolfssl", "--variant", "ring"][..],
            "crosscheck: error: unknown shim `wolfssl`; known shims: boringssl, nss, openssl, rustls-upstream, rustls\n",
        ),
        (
            &["bogo", "config", "rustls-upstream", "--variant", "fips"][..],
            "crosscheck: error: shim `rustls-upstream` has no variant `fips`; its variants: ring, aws-lc-rs, aws-lc-rs-fips\n",
        ),
        (
            &["bogo", "config", "rustls-upstream"][..],
            "crosscheck: error: shim `rustls-upstream` has several variants; choose one with --variant: ring, aws-lc-rs, aws-lc-rs-fips\n",
        ),
        (
            &["bogo", "tests-diff", "no-such-old.txt", "no-such-new.txt"][..],
            "crosscheck: error: cannot read test list no-such-old.txt: No such file or directory (os error 2)\n",
        ),
        (
            &[
                "bogo",
                "tests-diff",
                "specs/bogo/upstream-tests/b28d2e8.txt",
                "/dev/zero",
            ][..],
            "crosscheck: error: cannot read test list /dev/zero: it holds more than 64 MiB, more than any real input\n",
        ),
    ] {
        let output = crosscheck(args);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert_eq!(text(&output.stderr), message, "{args:?}");
    }
}

fn write_list(dir: &Path, name: &str, names: &[String]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, names.join("\n") + "\n").expect("write list");
    path.display().to_string()
}

#[test]
fn tests_diff_reports_a_new_list_through_the_shim() {
    let upstream = std::fs::read_to_string(root().join("specs/bogo/upstream-tests/b28d2e8.txt"))
        .expect("the upstream list");
    let old: Vec<String> = upstream.lines().map(str::to_string).collect();
    // The new list renames a FIPS compliance test back to the name the
    // template still disables, drops a test a glob disabled, and adds two.
    let mut new: Vec<String> = old
        .iter()
        .filter(|name| {
            !matches!(
                name.as_str(),
                "Compliance-fips-202205-TLS-Client-MLKEM1024"
                    | "NPN-Client-ClientSelectEmpty-TLS-Async"
            )
        })
        .cloned()
        .collect();
    new.extend(
        [
            "Compliance-fips-202205-TLS-Client-MLKEM",
            "Basic-Client-Brand-New",
        ]
        .map(str::to_string),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let old_path = write_list(dir.path(), "old.txt", &old);
    let new_path = write_list(dir.path(), "new.txt", &new);
    let output = crosscheck(&[
        "bogo",
        "tests-diff",
        &old_path,
        &new_path,
        "--shim",
        "rustls-upstream",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report = text(&output.stdout);
    let expected_lines = [
        format!(
            "{} tests in {old_path}, {} in {new_path}: 2 added, 2 removed",
            old.len(),
            new.len(),
        ),
        "  - NPN-Client-ClientSelectEmpty-TLS-Async\n".to_string(),
        "  + Compliance-fips-202205-TLS-Client-MLKEM\n".to_string(),
        "shim rustls-upstream (its file is checked against upstream list b28d2e8):".to_string(),
        "  added tests it disables (1):\n    Compliance-fips-202205-TLS-Client-MLKEM  by `*MLKEM*` [ring] (specs/shims/rustls-upstream.yaml:".to_string(),
        "), `Compliance-fips-202205-TLS-Client-MLKEM` [aws-lc-rs-fips] (specs/shims/rustls-upstream.yaml:".to_string(),
        "  added tests it runs (1):\n    Basic-Client-Brand-New\n".to_string(),
        "  removed tests it disabled (2):\n    Compliance-fips-202205-TLS-Client-MLKEM1024  by `*MLKEM*` [ring] (specs/shims/rustls-upstream.yaml:".to_string(),
        "    NPN-Client-ClientSelectEmpty-TLS-Async  by `NPN-*` (specs/shims/rustls-upstream.yaml:".to_string(),
        "globs that matched nothing and now match (remove their keep_unmatched) (1):\n    `Compliance-fips-202205-TLS-Client-MLKEM` [aws-lc-rs-fips]".to_string(),
        "): 1 test\n".to_string(),
    ];
    for expected in &expected_lines {
        assert!(
            report.contains(expected),
            "missing {expected:?} in:\n{report}"
        );
    }
}
