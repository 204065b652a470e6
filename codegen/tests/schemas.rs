//! The committed JSON Schemas under `specs/schema/` match the spec model.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

mod support;

use crosscheck_codegen::schema;

#[test]
fn committed_schemas_are_up_to_date() {
    let directory = support::package_dir().join("../specs/schema");
    let mut stale = Vec::new();
    for (name, expected) in schema::all() {
        let committed = std::fs::read_to_string(directory.join(name)).unwrap_or_default();
        if committed != expected {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "stale schemas in specs/schema/: {}\nrewrite them with: {}",
        stale.join(", "),
        schema::REWRITE_COMMAND
    );
}

/// (spec file under `specs/`, its schema under `specs/schema/`).
const SPEC_FILES: &[(&str, &str)] = &[
    ("app_identity/manifest.yaml", "app_identity_manifest.json"),
    ("app_identity/extra.yaml", "app_identity_cases.json"),
    ("shims/rustls-upstream.yaml", "bogo_shim.json"),
    ("tls/cases.yaml", "tls_cases.json"),
    ("tls/implementations.yaml", "tls_implementations.json"),
];

fn specs() -> std::path::PathBuf {
    support::package_dir().join("../specs")
}

#[test]
fn spec_files_point_editors_at_their_schema() {
    for (file, schema) in SPEC_FILES {
        let text = std::fs::read_to_string(specs().join(file)).unwrap_or_default();
        let first_line = text.lines().next().unwrap_or_default();
        assert_eq!(
            first_line,
            format!("# yaml-language-server: $schema=../schema/{schema}"),
            "{file}"
        );
    }
}

#[test]
fn spec_files_validate_against_their_schema() {
    for (file, schema) in SPEC_FILES {
        let schema_text = std::fs::read_to_string(specs().join("schema").join(schema))
            .unwrap_or_else(|error| panic!("{schema}: {error}"));
        let schema: serde_json::Value =
            serde_json::from_str(&schema_text).unwrap_or_else(|error| panic!("{schema}: {error}"));
        let validator =
            jsonschema::validator_for(&schema).unwrap_or_else(|error| panic!("{schema}: {error}"));
        let text = std::fs::read_to_string(specs().join(file))
            .unwrap_or_else(|error| panic!("{file}: {error}"));
        let document: serde_json::Value =
            serde_saphyr::from_str(&text).unwrap_or_else(|error| panic!("{file}: {error}"));
        let problems: Vec<String> = validator
            .iter_errors(&document)
            .map(|error| format!("{}: {error}", error.instance_path()))
            .collect();
        assert!(problems.is_empty(), "{file}:\n{}", problems.join("\n"));
    }
}
