//! JSON Schemas of every spec kind, generated from the model types and
//! committed under `specs/schema/` for editors.

use schemars::JsonSchema;

use crate::app_identity::model::{CaseFile, ManifestDoc};
use crate::bogo_cases::model::CaseFileDoc as BogoCaseFileDoc;
use crate::bogo_shims::model::ShimDoc;
use crate::tls::model::{CasesDoc, ImplementationsDoc};

/// (file name under `specs/schema/`, pretty JSON) for every spec kind.
pub fn all() -> Vec<(&'static str, String)> {
    vec![
        ("app_identity_cases.json", render::<CaseFile>()),
        ("app_identity_manifest.json", render::<ManifestDoc>()),
        ("bogo_cases.json", render::<BogoCaseFileDoc>()),
        ("bogo_shim.json", render::<ShimDoc>()),
        ("tls_cases.json", render::<CasesDoc>()),
        ("tls_implementations.json", render::<ImplementationsDoc>()),
    ]
}

fn render<T: JsonSchema>() -> String {
    let schema = schemars::schema_for!(T);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The command that rewrites the committed schemas.
pub const REWRITE_COMMAND: &str = "cargo run -p crosscheck-codegen --bin write-schemas";
