//! The committed JSON Schemas under `specs/schema/` match the spec model.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

use std::path::Path;

use crosscheck_codegen::schema;

#[test]
fn committed_schemas_are_up_to_date() {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/schema");
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
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs")
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

/// The keys the shim-file reader accepts are the schema's properties (the
/// reader is hand-written so that it can report every problem at once).
#[test]
fn the_shim_reader_accepts_exactly_the_schema_keys() {
    use crosscheck_codegen::bogo_shims::model::{
        BuildDoc, ErrorsEntryDoc, ProgramDoc, RunnerDoc, ShimDoc, TestErrorEntryDoc,
        TestGlobEntryDoc, VariantEntryDoc,
    };

    let schema = serde_json::to_value(schemars::schema_for!(ShimDoc))
        .unwrap_or_else(|error| panic!("{error}"));
    let keys = |object: &serde_json::Value| -> Vec<String> {
        let mut keys: Vec<String> = object["properties"]
            .as_object()
            .map(|properties| properties.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort();
        keys
    };
    let sorted = |fields: &[&str]| -> Vec<String> {
        let mut fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        fields.sort();
        fields
    };
    let definitions = &schema["$defs"];
    assert_eq!(keys(&schema), sorted(ShimDoc::FIELDS));
    for (definition, fields) in [
        ("RunnerDoc", RunnerDoc::FIELDS),
        ("TestGlobEntryDoc", TestGlobEntryDoc::FIELDS),
        ("ErrorsEntryDoc", ErrorsEntryDoc::FIELDS),
        ("TestErrorEntryDoc", TestErrorEntryDoc::FIELDS),
        ("VariantEntryDoc", VariantEntryDoc::FIELDS),
        ("BuildDoc", BuildDoc::FIELDS),
    ] {
        assert_eq!(
            keys(&definitions[definition]),
            sorted(fields),
            "{definition}"
        );
    }
    let mut program_keys: Vec<String> = definitions["ProgramDoc"]["oneOf"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(keys)
        .collect();
    program_keys.sort();
    assert_eq!(program_keys, sorted(ProgramDoc::FIELDS));
}
