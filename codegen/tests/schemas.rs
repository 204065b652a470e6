//! The committed JSON Schemas under `specs/schema/` match the spec model.

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

#[test]
fn spec_files_point_editors_at_their_schema() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/app_identity");
    for (file, schema) in [
        ("manifest.yaml", "app_identity_manifest.json"),
        ("extra.yaml", "app_identity_cases.json"),
    ] {
        let text = std::fs::read_to_string(specs.join(file)).unwrap_or_default();
        let first_line = text.lines().next().unwrap_or_default();
        assert_eq!(
            first_line,
            format!("# yaml-language-server: $schema=../schema/{schema}"),
            "{file}"
        );
    }
}
