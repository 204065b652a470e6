//! How to build one integration-suite test: the data a suite generator reads.
//!
//! These types mirror the upstream suite-description YAML (`required.yaml`,
//! `optional.yaml`) plus crosscheck's extensions. Their text is
//! `Cow<'static, str>`: generated code builds them as constants that borrow
//! it, and a spec compiler builds the same records owning it. With the
//! `bake` feature they implement `databake::Bake`, so a compiler emits the
//! values it built; the tokens name this module as `app_identity::case`.

use std::borrow::Cow;

/// Whether the proof built for a case must verify (in suites: `"pass"` or
/// `"fail"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = app_identity::case))]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    Pass,
    Fail,
}

/// One suite test description.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = app_identity::case))]
pub struct CaseSpec {
    pub description: Cow<'static, str>,
    pub spec_version: u32,
    pub expect: Expect,
    pub required: bool,
    pub app: AppSpec,
    pub proof: ProofSpec,
    pub nonce: NonceSpec,
    pub padlock: PadlockSpec,
}

/// The app the generator creates for a case (a fresh random secret every time).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = app_identity::case))]
pub struct AppSpec {
    /// Minimum algorithm version of the app, 1–4. Upstream default: 1.
    pub version: u8,
    /// `config.fuzz` in seconds; `None` leaves the config out (default 600).
    pub fuzz: Option<u32>,
    pub id: IdSpec,
}

/// The app id the generator uses.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = app_identity::case))]
pub enum IdSpec {
    /// A fresh random UUID string (the upstream behaviour).
    Random,
    /// This exact string id.
    Text(Cow<'static, str>),
    /// This numeric id, written to the suite JSON as a number.
    Number(u64),
}

/// How the proof is built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = app_identity::case))]
pub struct ProofSpec {
    /// Algorithm version of the proof, 1–4.
    pub version: u8,
    /// Build the padlock and proof with this id instead of the app's.
    pub id: Option<Cow<'static, str>>,
    /// Build the padlock with this secret instead of the app's.
    pub secret: Option<Cow<'static, str>>,
    /// Base64 alphabet of the proof string.
    pub alphabet: Alphabet,
    /// Whether the proof string keeps its `=` padding.
    pub padded: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = app_identity::case))]
pub enum Alphabet {
    /// `-` and `_` (RFC 4648 §5); what the references generate.
    UrlSafe,
    /// `+` and `/` (RFC 4648 §4).
    Standard,
}

/// The nonce of the proof.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = app_identity::case))]
pub enum NonceSpec {
    /// What the public API generates for the proof version: a random string for
    /// version 1, the current timestamp with milliseconds for versions 2–4.
    Default,
    /// This exact value.
    Value(Cow<'static, str>),
    /// The empty string.
    Empty,
    /// The current UTC time moved by `offset_minutes`, formatted
    /// `YYYYMMDDTHHMMSS[.fraction]Z` with `fraction_digits` digits (0 = no fraction).
    Timestamp {
        offset_minutes: i64,
        fraction_digits: u8,
    },
}

/// The padlock inside the proof.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = app_identity::case))]
pub enum PadlockSpec {
    /// The correct padlock for the proof's id, nonce and secret (uppercase hex).
    Default,
    /// This exact value instead of a digest.
    Value(Cow<'static, str>),
    /// A digest, optionally over another nonce, in the given hex case.
    Build {
        nonce: Option<Cow<'static, str>>,
        case: PadlockCase,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = app_identity::case))]
pub enum PadlockCase {
    Upper,
    Lower,
    /// Upper or lower, chosen at random per generated test.
    Random,
}
