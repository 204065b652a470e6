//! The TLS spec files as written: `cases.yaml` (what every client and server
//! do) and `implementations.yaml` (who takes part, how their programs are
//! built and started, and what they cannot do).

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};

use crate::entries::Entries;
use crate::located::Located;
use crate::program::ProgramDoc;

/// `specs/tls/cases.yaml`: the scenarios every client plays against every
/// server over real TCP on loopback.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "TLS interop cases")]
pub struct CasesDoc {
    /// Every case by name, in the order tests are listed. The name is what
    /// shims receive as CASE; its snake_case form names the test module.
    pub cases: Entries<CaseDoc>,
}

/// One scenario, run between every client and every server.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseDoc {
    /// One sentence: what the case exercises.
    pub description: Located<String>,
    /// Whether the upstream interop suite defines the case (default true);
    /// `false` for crosscheck's own cases.
    #[serde(default = "yes")]
    pub upstream: bool,
    /// What the client does and must check.
    pub client: Located<String>,
    /// What the server does and must check.
    pub server: Located<String>,
    /// Time for the whole cell, server start to both exits, e.g. `10s`,
    /// `1500ms`, `2m`.
    #[schemars(example = "10s")]
    pub deadline: Located<String>,
    /// Values passed to both shims as `CROSSCHECK_TLS_<NAME>` environment
    /// variables (the environment of the test run overrides them).
    #[serde(default)]
    pub parameters: Entries<ParameterDoc>,
    /// Relay the connection through the harness in tiny TCP segments.
    #[serde(default)]
    pub relay: Option<RelayDoc>,
    /// `crosscheck-fact: NAME` lines each side must print once it has
    /// checked the fact.
    #[serde(default)]
    pub facts: Option<FactsDoc>,
    /// What the harness must see on the wire (it relays every connection).
    #[serde(default)]
    pub wire: Option<WireDoc>,
    /// For a negative case: the side that must refuse the handshake and
    /// the alerts it may refuse with. The other side must fail too.
    #[serde(default)]
    pub refusal: Option<RefusalDoc>,
    /// Start the client just after a second of wall-clock time begins (the
    /// server is already listening), for a case whose verdict would
    /// otherwise ride on when a second ends: a library that counts time in
    /// whole seconds then sees one second for what the client does first.
    /// Say why in a comment beside it.
    #[serde(default)]
    pub client_starts_at_second: bool,
}

/// What the wire must show, in RFC 8446's terms.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WireDoc {
    /// One entry per connection the case makes, in order (default: one
    /// connection with nothing more to check than the version).
    #[serde(default)]
    pub connections: Vec<Located<ConnectionWireDoc>>,
    /// KeyUpdates one side must be seen sending (decrypted with a key log).
    #[serde(default)]
    pub key_updates: Option<KeyUpdatesDoc>,
}

/// What one connection's handshake must show. Every connection of a
/// positive case must also negotiate TLS 1.3.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectionWireDoc {
    /// `true`: the ServerHello selects a `pre_shared_key` the ClientHello
    /// offered from an earlier connection's ticket; `false`: it selects none
    /// (a full handshake).
    #[serde(default)]
    pub resumed: Option<bool>,
    /// An external PSK identity the ClientHello offers and the ServerHello
    /// selects.
    #[serde(default)]
    pub psk_identity: Option<Located<String>>,
    /// A HelloRetryRequest selects this group, the second ClientHello
    /// carries a key share for it and the ServerHello's key share uses it.
    #[serde(default)]
    pub hello_retry_request: Option<Located<String>>,
    /// The ClientHello offers `early_data` and the EncryptedExtensions
    /// accept it (seen only with a key log).
    #[serde(default)]
    pub early_data_accepted: Option<bool>,
    /// The server sends a CertificateRequest and the client a non-empty
    /// Certificate (seen only with a key log).
    #[serde(default)]
    pub client_certificate: Option<bool>,
}

/// KeyUpdates one side must send: at least one per `every` bytes of `of`,
/// both named parameters of the case.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyUpdatesDoc {
    pub sender: RoleDoc,
    /// The parameter giving the interval in bytes.
    pub every: Located<String>,
    /// The parameter giving the bytes transferred.
    pub of: Located<String>,
}

/// The refusal a negative case expects.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefusalDoc {
    /// The side that must refuse.
    pub by: RoleDoc,
    /// Alert descriptions (RFC 8446 §6.2 names, e.g. `unknown_ca`) the
    /// refusing side may send; the wire must show one of them.
    #[schemars(length(min = 1))]
    pub alerts: Located<Vec<Located<String>>>,
}

fn yes() -> bool {
    true
}

/// A case parameter.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParameterDoc {
    /// What the value means to the shims.
    pub description: Located<String>,
    /// How the value is written and read: `bytes` or `count`.
    pub kind: ParameterKindDoc,
    /// The value. `bytes`: a number of bytes or a size with a unit (`10 MB`
    /// is 10,000,000 bytes, `10 MiB` is 10,485,760). `count`: a number.
    #[schemars(example = "10 MB")]
    pub default: Located<QuantityDoc>,
    /// Extra deadline for every 1,000,000,000 units of the value, e.g. `30s`.
    #[serde(default)]
    pub deadline_per_billion: Option<Located<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParameterKindDoc {
    /// A size in bytes; values may carry units (`1 GB`, `512 MiB`).
    Bytes,
    /// A plain count.
    Count,
}

/// A parameter value as written: a plain number, or text such as `10 MB`.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(untagged)]
pub enum QuantityDoc {
    Number(u64),
    Text(String),
}

impl<'de> Deserialize<'de> for QuantityDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(QuantityVisitor)
    }
}

struct QuantityVisitor;

impl Visitor<'_> for QuantityVisitor {
    type Value = QuantityDoc;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a whole number, or a size with a unit such as `10 MB`")
    }
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<QuantityDoc, E> {
        Ok(QuantityDoc::Number(value))
    }
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<QuantityDoc, E> {
        u64::try_from(value)
            .map(QuantityDoc::Number)
            .map_err(|_| E::invalid_value(de::Unexpected::Signed(value), &self))
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<QuantityDoc, E> {
        Ok(QuantityDoc::Text(value.to_string()))
    }
}

/// The harness's loopback relay between client and server.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RelayDoc {
    /// Largest TCP segment forwarded at once, in bytes (1 or more).
    #[schemars(range(min = 1))]
    pub segment_bytes: Located<u64>,
}

/// Facts each side reports, as `[a-z0-9_=]+` names.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactsDoc {
    /// Facts the client must print.
    #[serde(default)]
    #[schemars(inner(regex(pattern = r"^[a-z0-9_=]+$")))]
    pub client: Vec<Located<String>>,
    /// Facts the server must print.
    #[serde(default)]
    #[schemars(inner(regex(pattern = r"^[a-z0-9_=]+$")))]
    pub server: Vec<Located<String>>,
}

/// `specs/tls/implementations.yaml`: the TLS implementations, how to get
/// and start their shim programs, and what they cannot do.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "TLS implementations")]
pub struct ImplementationsDoc {
    /// Every implementation by name (its snake_case form names tests:
    /// `<client>_to_<server>`). Each plays every case as client against
    /// every server and as server against every client (see `roles`).
    pub implementations: Entries<ImplementationDoc>,
    /// Cells that fail today, each with the reason. Their tests pass while
    /// the failure lasts and fail, naming the entry, once it is fixed.
    #[serde(default)]
    pub known_failures: Vec<Located<KnownFailureDoc>>,
}

/// One TLS implementation behind the shim contract.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImplementationDoc {
    /// Library, version and how it is reached.
    pub description: Located<String>,
    /// Its shim program; `client|server CASE PORT` follow its arguments,
    /// and it runs in the project root.
    pub program: Located<ProgramDoc>,
    /// The roles it plays (default: both).
    #[serde(default)]
    pub roles: Option<Located<Vec<Located<RoleDoc>>>>,
    /// Cases it cannot play, in one role or both; their tests are ignored
    /// with the reason.
    #[serde(default)]
    pub unsupported: Vec<Located<UnsupportedDoc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleDoc {
    /// Connects to the server under test.
    Client,
    /// Listens for the client under test.
    Server,
}

/// A case an implementation does not support.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnsupportedDoc {
    /// The case's name in `cases.yaml`.
    pub case: Located<String>,
    /// The role it cannot play in the case; absent: it can play neither.
    #[serde(default)]
    pub role: Option<RoleDoc>,
    /// Why; shown as the ignored tests' reason.
    pub reason: Located<String>,
}

/// A cell (case, client, server) declared to fail today.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnownFailureDoc {
    /// The case's name in `cases.yaml`.
    pub case: Located<String>,
    /// The client implementation (default: any).
    #[serde(default)]
    pub client: Option<Located<String>>,
    /// The server implementation (default: any).
    #[serde(default)]
    pub server: Option<Located<String>>,
    /// Why it fails; shown when the failure is fixed.
    pub reason: Located<String>,
}
