//! The App Identity spec files as written: case files (the upstream suite
//! description format plus crosscheck's extensions) and the family manifest.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::located::Located;
use crate::program::ProgramDoc;

/// A case file: a list of suite test descriptions. `required.yaml` and
/// `optional.yaml` from upstream use this format unchanged.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(transparent)]
#[schemars(title = "App Identity case file")]
pub struct CaseFile(pub Vec<Located<CaseDoc>>);

/// One integration-suite test description.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseDoc {
    /// Shown in TAP output; also the test name (sanitised to snake_case).
    pub description: Located<String>,
    /// The major spec version the case belongs to.
    pub spec_version: Located<u32>,
    /// Whether the built proof must verify.
    pub expect: ExpectDoc,
    /// The app to create. Absent: a version 1 app.
    #[serde(default)]
    pub app: Option<AppDoc>,
    pub proof: ProofDoc,
    /// The proof's nonce. Absent: what the public API generates.
    #[serde(default)]
    pub nonce: Option<Located<NonceDoc>>,
    /// The proof's padlock. Absent: the correct one.
    #[serde(default)]
    pub padlock: Option<Located<PadlockDoc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExpectDoc {
    Pass,
    Fail,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppDoc {
    /// Minimum algorithm version of the app, 1–4.
    pub version: Located<i64>,
    #[serde(default)]
    pub config: Option<ConfigDoc>,
    /// crosscheck extension: a fixed id (string or number) instead of a random UUID.
    #[serde(default)]
    pub id: Option<Located<IdDoc>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigDoc {
    /// Allowed clock difference for timestamp nonces, in seconds (positive).
    pub fuzz: Located<i64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum IdDoc {
    Number(u64),
    Text(String),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProofDoc {
    /// Algorithm version of the proof, 1–4.
    pub version: Located<i64>,
    /// Build the padlock and proof with this id instead of the app's.
    #[serde(default)]
    pub id: Option<Located<String>>,
    /// Build the padlock with this secret instead of the app's.
    #[serde(default)]
    pub secret: Option<Located<String>>,
    /// crosscheck extension: base64 alphabet of the proof (default `url_safe`).
    #[serde(default)]
    pub alphabet: Option<AlphabetDoc>,
    /// crosscheck extension: keep `=` padding (default true).
    #[serde(default)]
    pub padded: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlphabetDoc {
    UrlSafe,
    Standard,
}

/// Exactly one of `value`, `empty` or a timestamp (`offset_minutes` and/or
/// `fraction_digits`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NonceDoc {
    #[serde(default)]
    pub value: Option<String>,
    /// Must be `true`: the nonce is the empty string.
    #[serde(default)]
    pub empty: Option<Located<bool>>,
    /// A timestamp nonce this many minutes from now.
    #[serde(default)]
    pub offset_minutes: Option<i64>,
    /// crosscheck extension: digits of fractional seconds in a timestamp nonce
    /// (0–9; default 3).
    #[serde(default)]
    pub fraction_digits: Option<Located<i64>>,
}

/// Either `value` alone, or `nonce` and/or `case`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PadlockDoc {
    /// Use this text as the padlock.
    #[serde(default)]
    pub value: Option<Located<String>>,
    /// Compute the padlock over this nonce instead of the proof's.
    #[serde(default)]
    pub nonce: Option<Located<String>>,
    #[serde(default)]
    pub case: Option<PadlockCaseDoc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PadlockCaseDoc {
    Upper,
    Lower,
    Random,
}

/// `specs/app_identity/manifest.yaml`: how the case files are treated, which
/// implementations cross-verify them, and their known failures.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "App Identity family manifest")]
pub struct ManifestDoc {
    /// Settings per case file (by file name). Every other `*.yaml` in the
    /// directory is a case file too, with the defaults.
    #[serde(default)]
    pub case_files: Vec<CaseFileSettingsDoc>,
    /// The implementations; every case is run for every (generator, verifier) pair.
    pub implementations: Vec<ImplementationDoc>,
    /// Pairs that fail a case today, each with the reason.
    #[serde(default)]
    pub known_failures: Vec<Located<KnownFailureDoc>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseFileSettingsDoc {
    /// File name next to the manifest, e.g. `required.yaml`.
    pub file: Located<String>,
    /// Whether the cases are required for conformance (default false).
    #[serde(default)]
    pub required: bool,
    /// Whether the file comes from upstream unchanged (reference generators
    /// build exactly these cases).
    #[serde(default)]
    pub upstream: bool,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImplementationDoc {
    /// Short name used in test names, e.g. `rust`, `ts`.
    pub name: Located<String>,
    pub description: String,
    /// Its suite tool (`generate` / `run` interface): how to get and start it.
    pub program: Located<ProgramDoc>,
    /// Extra arguments after `generate --stdout` (e.g. to ask for every case).
    #[serde(default)]
    pub generate_args: Vec<String>,
    /// Which cases its `generate` command builds (default `all_cases`).
    #[serde(default)]
    pub generates: GeneratesDoc,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GeneratesDoc {
    /// Its generator builds any case crosscheck gives it.
    #[default]
    AllCases,
    /// Its generator builds only the upstream cases it embeds.
    UpstreamCases,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnownFailureDoc {
    /// The case's description, exactly as in its case file.
    pub case: Located<String>,
    /// The generating implementation (default: any).
    #[serde(default)]
    pub generator: Option<Located<String>>,
    /// The verifying implementation (default: any).
    #[serde(default)]
    pub verifier: Option<Located<String>>,
    /// Why it fails; shown when the failure is fixed.
    pub reason: Located<String>,
}
