//! A BoGo shim file as written: `specs/shims/<name>.yaml`.
//!
//! The runner's own keys keep the runner's spelling (`DisabledTests`,
//! `ErrorMap`, …), so a shim config transcribes line for line; crosscheck's
//! keys are snake_case. Any entry of the four maps may hold for some
//! variants only.
//!
//! These types describe the file and give its JSON Schema; the spec loader
//! reads them, reporting every problem.

use schemars::JsonSchema;
use serde::de::VariantAccess;
use serde::{Deserialize, Deserializer};

use crate::entries::Entries;
use crate::located::Located;
use crate::program::ProgramDoc;
use crate::yaml::shape::{self, ByShape, Shape};

/// The variants an entry holds for (absent: all of them).
pub type VariantsDoc = Option<Located<Vec<Located<String>>>>;

/// A BoGo shim: its program, what the runner needs to know about it (the
/// `-shim-config` JSON, per variant), and how crosscheck runs it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "BoGo shim")]
pub struct ShimDoc {
    /// What the shim is: the library, how it is built.
    pub description: Located<String>,
    /// How to get and start the shim; the runner appends its flags.
    /// Absent: the file is a config only (for the upstream runner's
    /// `-shim-config`) and compiles to no tests.
    #[serde(default)]
    pub program: Option<Located<ProgramDoc>>,
    /// The upstream runner's test list the names here are checked against:
    /// `specs/bogo/upstream-tests/<this>.txt`, e.g. `b28d2e8`.
    #[schemars(example = &"b28d2e8")]
    pub upstream_tests: Located<String>,
    /// Builds of the shim whose configs differ, by name, each with a
    /// description (e.g. `ring: rustls with the *ring* provider`) or a
    /// description and the environment the shim gets in that variant.
    /// Entries may name them under `variants`. Absent: one variant,
    /// `default`.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": "^[A-Za-z0-9._-]+$" }))]
    pub variants: Option<Entries<Located<VariantDoc>>>,
    /// Options of crosscheck's runner for this shim.
    #[serde(default)]
    pub runner: Option<RunnerDoc>,
    /// Tests the runner must not run: Go `filepath.Match` glob on the full
    /// test name → why.
    #[serde(rename = "DisabledTests", default)]
    pub disabled_tests: Option<Entries<Located<TestGlobDoc>>>,
    /// Tests this shim does not implement (it exits 89 in them): glob →
    /// why. Their tests pass while the shim answers 89 and fail once it
    /// does anything else, so a stale entry shows. The `-shim-config` JSON
    /// lists them under `DisabledTests`.
    #[serde(default)]
    pub unimplemented: Option<Entries<Located<TestGlobDoc>>>,
    /// Tests this shim is known to fail: glob → why. Their tests pass while
    /// the shim fails them and fail once it passes, so a stale entry shows.
    /// The `-shim-config` JSON lists them under `DisabledTests`.
    #[serde(default)]
    pub expected_failures: Option<Entries<Located<TestGlobDoc>>>,
    /// The runner's expected error (e.g. `:NO_SHARED_CIPHER:`) → the errors
    /// this shim reports instead, any of which is accepted.
    #[serde(rename = "ErrorMap", default)]
    pub error_map: Option<Entries<Located<ErrorsDoc>>>,
    /// Test name → the error this shim reports in that test (rustls' runner
    /// fork only; the upstream runner ignores it).
    #[serde(rename = "TestErrorMap", default)]
    pub test_error_map: Option<Entries<Located<TestErrorDoc>>>,
    /// Test name → the runner's local error expected in that test; `""`
    /// accepts any (rustls' runner fork only).
    #[serde(rename = "TestLocalErrorMap", default)]
    pub test_local_error_map: Option<Entries<Located<TestErrorDoc>>>,
    /// Half-RTT tickets a 0-RTT client gets before half-RTT data (the
    /// runner's default is 2).
    #[serde(rename = "HalfRTTTickets", default)]
    pub half_rtt_tickets: Option<Located<u32>>,
    /// Records the shim keeps before ACKing, in DTLS (the runner's default
    /// is 32).
    #[serde(rename = "MaxACKBuffer", default)]
    pub max_ack_buffer: Option<Located<u32>>,
    /// Every curve code point the shim supports (rustls' 2024 runner fork).
    #[serde(rename = "AllCurves", default)]
    pub all_curves: Option<Located<Vec<Located<u16>>>>,
}

/// A variant of the shim.
#[derive(Debug, Clone, JsonSchema)]
#[schemars(untagged)]
pub enum VariantDoc {
    /// What the variant is.
    Description(String),
    /// What it is, and how the shim is started in it.
    Entry(VariantEntryDoc),
}

/// A variant with its own environment.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantEntryDoc {
    /// What the variant is.
    pub description: Located<String>,
    /// Environment variables the shim gets in this variant (e.g.
    /// `BOGO_RUSTLS_PROVIDER: ring`); the upstream runner knows nothing of
    /// them, so set them yourself when you run it.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" }))]
    pub env: Option<Entries<Located<String>>>,
}

/// Options of crosscheck's runner for this shim.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RunnerDoc {
    /// Accept any error text where a test expects a failure (the upstream
    /// runner's `-loose-errors`).
    pub loose_errors: bool,
    /// Count tests the shim answers with exit 89 ("unimplemented") as
    /// passes (the upstream runner's `-allow-unimplemented`).
    pub allow_unimplemented: bool,
    /// Run the tests `DisabledTests` matches as well (the upstream runner's
    /// `-include-disabled`): their generated tests are not `#[ignore]`d.
    pub include_disabled: bool,
    /// Whether the shim knows `-shim-id` (and `-ipv6`), which upstream's
    /// runner passes since June 2023. `false`: each test gets a listener of
    /// its own and the shim connects without an id, as before.
    pub shim_id: bool,
    /// Whether the shim knows `-trust-cert`, which upstream's runner passes
    /// whenever it holds a credential. `false`: the flag is left out.
    pub trust_cert: bool,
    /// The loopback address the runner listens on: `ipv6` (`[::1]`, with
    /// `-ipv6`, as upstream) or `ipv4` (`127.0.0.1`, for a shim that dials
    /// IPv4 only).
    pub address: AddressDoc,
}

impl Default for RunnerDoc {
    fn default() -> Self {
        RunnerDoc {
            loose_errors: false,
            allow_unimplemented: false,
            include_disabled: false,
            shim_id: true,
            trust_cert: true,
            address: AddressDoc::Ipv6,
        }
    }
}

/// A loopback address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AddressDoc {
    Ipv6,
    Ipv4,
}

/// A `DisabledTests`, `unimplemented` or `expected_failures` value.
#[derive(Debug, Clone, JsonSchema)]
#[schemars(untagged)]
pub enum TestGlobDoc {
    /// Why, in every variant.
    Reason(String),
    /// A reason with conditions.
    Entry(TestGlobEntryDoc),
    /// Entries for different variants (e.g. a different reason in each);
    /// no variant may be in two of them.
    PerVariant(#[schemars(length(min = 1))] Vec<Located<TestGlobEntryDoc>>),
}

/// A reason for a glob, with conditions.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestGlobEntryDoc {
    /// Why the matching tests are not run (or fail).
    pub reason: Located<String>,
    /// The variants it holds for (absent: all).
    #[serde(default)]
    #[schemars(length(min = 1))]
    pub variants: VariantsDoc,
    /// Keep the glob although it matches no known test, and why (e.g. to
    /// reproduce an upstream config). Without it such a glob is an error.
    #[serde(default)]
    pub keep_unmatched: Option<Located<String>>,
}

/// An `ErrorMap` value.
#[derive(Debug, Clone, JsonSchema)]
#[schemars(untagged)]
pub enum ErrorsDoc {
    /// The shim's errors, in every variant.
    Errors(#[schemars(length(min = 1))] Vec<Located<String>>),
    /// The shim's errors, with conditions.
    Entry(ErrorsEntryDoc),
    /// Entries for different variants; no variant may be in two of them.
    PerVariant(#[schemars(length(min = 1))] Vec<Located<ErrorsEntryDoc>>),
}

/// An `ErrorMap` value with conditions.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorsEntryDoc {
    /// The shim's errors; any of them is accepted.
    #[schemars(length(min = 1))]
    pub errors: Located<Vec<Located<String>>>,
    /// The variants it holds for (absent: all).
    #[serde(default)]
    #[schemars(length(min = 1))]
    pub variants: VariantsDoc,
}

/// A `TestErrorMap` or `TestLocalErrorMap` value.
#[derive(Debug, Clone, JsonSchema)]
#[schemars(untagged)]
pub enum TestErrorDoc {
    /// The error, in every variant.
    Error(String),
    /// The error, with conditions.
    Entry(TestErrorEntryDoc),
    /// Entries for different variants; no variant may be in two of them.
    PerVariant(#[schemars(length(min = 1))] Vec<Located<TestErrorEntryDoc>>),
}

/// A per-test error with conditions.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestErrorEntryDoc {
    /// The error.
    pub error: Located<String>,
    /// The variants it holds for (absent: all).
    #[serde(default)]
    #[schemars(length(min = 1))]
    pub variants: VariantsDoc,
}

impl ByShape for VariantDoc {
    const EXPECTING: &'static str =
        "text (the variant's description) or a mapping with `description` and `env`";
    fn read<'de, V: VariantAccess<'de>>(shape: Shape, value: V) -> Result<Self, V::Error> {
        match shape {
            Shape::Scalar => value.newtype_variant().map(VariantDoc::Description),
            Shape::Mapping => value.newtype_variant().map(VariantDoc::Entry),
            Shape::Nothing | Shape::List => shape::unfit(value),
        }
    }
}

impl ByShape for TestGlobDoc {
    const EXPECTING: &'static str = "a reason, a mapping with `reason`, or a list of such mappings";
    fn read<'de, V: VariantAccess<'de>>(shape: Shape, value: V) -> Result<Self, V::Error> {
        match shape {
            // `glob:` alone: an empty reason, which the checks name.
            Shape::Nothing => Ok(TestGlobDoc::Reason(String::new())),
            Shape::Scalar => value.newtype_variant().map(TestGlobDoc::Reason),
            Shape::Mapping => value.newtype_variant().map(TestGlobDoc::Entry),
            Shape::List => value.newtype_variant().map(TestGlobDoc::PerVariant),
        }
    }
}

/// An item of an `ErrorMap` list: an error, or an entry with conditions.
#[derive(Debug)]
enum ErrorsItem {
    Error(Located<String>),
    Entry(Located<ErrorsEntryDoc>),
}

impl ByShape for ErrorsItem {
    const EXPECTING: &'static str = "text (an error) or a mapping with `errors`";
    fn read<'de, V: VariantAccess<'de>>(shape: Shape, value: V) -> Result<Self, V::Error> {
        match shape {
            Shape::Scalar => value.newtype_variant().map(ErrorsItem::Error),
            Shape::Mapping => value.newtype_variant().map(ErrorsItem::Entry),
            Shape::Nothing | Shape::List => shape::unfit(value),
        }
    }
}

impl ByShape for ErrorsDoc {
    const EXPECTING: &'static str =
        "a list of the shim's errors, a mapping with `errors`, or a list of such mappings";
    fn read<'de, V: VariantAccess<'de>>(shape: Shape, value: V) -> Result<Self, V::Error> {
        match shape {
            Shape::Mapping => value.newtype_variant().map(ErrorsDoc::Entry),
            Shape::List => value
                .newtype_variant::<Vec<ErrorsItem>>()
                .and_then(errors_list),
            Shape::Nothing | Shape::Scalar => shape::unfit(value),
        }
    }
}

/// A list of errors, or a list of entries; not both.
fn errors_list<E: serde::de::Error>(items: Vec<ErrorsItem>) -> Result<ErrorsDoc, E> {
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    for item in items {
        match item {
            ErrorsItem::Error(error) => errors.push(error),
            ErrorsItem::Entry(entry) => entries.push(entry),
        }
    }
    match (errors.is_empty(), entries.is_empty()) {
        (_, true) => Ok(ErrorsDoc::Errors(errors)),
        (true, false) => Ok(ErrorsDoc::PerVariant(entries)),
        (false, false) => Err(E::custom(
            "expected either errors or mappings with `errors` in this list, found both",
        )),
    }
}

impl ByShape for TestErrorDoc {
    const EXPECTING: &'static str =
        "an error (`\"\"` for any), a mapping with `error`, or a list of such mappings";
    fn read<'de, V: VariantAccess<'de>>(shape: Shape, value: V) -> Result<Self, V::Error> {
        match shape {
            Shape::Scalar => value.newtype_variant().map(TestErrorDoc::Error),
            Shape::Mapping => value.newtype_variant().map(TestErrorDoc::Entry),
            Shape::List => value.newtype_variant().map(TestErrorDoc::PerVariant),
            Shape::Nothing => shape::unfit(value),
        }
    }
}

macro_rules! deserialize_by_shape {
    ($($doc:ty),*) => {$(
        impl<'de> Deserialize<'de> for $doc {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                shape::deserialize(deserializer)
            }
        }
    )*};
}

deserialize_by_shape!(VariantDoc, TestGlobDoc, ErrorsItem, ErrorsDoc, TestErrorDoc);
