//! The TLS interop shim contract (`shims/README.md`), and the compiled form
//! of `specs/tls/`: what the spec compiler builds and emits (with the
//! `tokens` feature, as `databake` tokens naming `crosscheck::tls`), and
//! what the generated tests and the CLI read from the static `MATRIX`. The
//! runtime's table borrows its strings; the compiler's own values own them.

use std::borrow::Cow;
use std::time::Duration;

use crate::Role;
use crate::expectation::Expectation;
use crate::program::Program;

/// Exit status: this implementation does not support the case.
pub const UNSUPPORTED_EXIT: u8 = 127;
/// Starts a line naming a fact the shim checked: `crosscheck-fact: NAME`.
pub const FACT_PREFIX: &str = "crosscheck-fact:";
/// Starts the line saying why a shim refused: `crosscheck-refusal: WHY`.
pub const REFUSAL_PREFIX: &str = "crosscheck-refusal:";
/// Fact: the connection resumed an earlier session.
pub const SESSION_RESUMED: &str = "session_resumed";
/// Fact: the server accepted 0-RTT data.
pub const EARLY_DATA_ACCEPTED: &str = "early_data_accepted";

type Text = Cow<'static, str>;
type List<T> = Cow<'static, [T]>;

/// Every case, every implementation, and how to get and start them.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::tls))]
pub struct Matrix {
    /// Absolute path of the project root: programs run there, and relative
    /// paths in their declarations resolve against it.
    pub root: Text,
    /// Absolute path of the test PKI directory (`certificates/`).
    pub certificates: Text,
    pub cases: List<Case>,
    pub implementations: List<Implementation>,
    /// What each (case, client, server) that must not simply pass must
    /// show, as the spec compiler decided from the unsupported entries and
    /// known failures; a cell not listed must pass.
    pub cells: List<PlannedCell>,
}

impl Matrix {
    /// What the cell must show; one the table does not list must pass.
    pub fn expectation(&self, case: usize, client: usize, server: usize) -> &Expectation {
        const PASS: &Expectation = &Expectation::Pass;
        self.cells
            .iter()
            .find(|cell| (cell.case, cell.client, cell.server) == (case, client, server))
            .map_or(PASS, |cell| &cell.expectation)
    }
}

/// One cell of the matrix and its expectation.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::tls))]
pub struct PlannedCell {
    pub case: usize,
    pub client: usize,
    pub server: usize,
    pub expectation: Expectation,
}

/// One scenario, run between every client and every server.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::tls))]
pub struct Case {
    /// As in the spec and on the command line of shims (`handshake`, …).
    pub name: Text,
    pub description: Text,
    /// Whether the upstream interop suite defines it (else it is one of the
    /// upstream's future cases that crosscheck defines).
    pub upstream: bool,
    /// What the client does and must check.
    pub client_duty: Text,
    /// What the server does and must check.
    pub server_duty: Text,
    /// Time for the whole cell (server start to both exits), in
    /// milliseconds, before parameter-dependent extensions.
    pub deadline_ms: u64,
    pub parameters: List<Parameter>,
    /// `Some` when the harness relays the connection in tiny segments.
    pub relay: Option<Relay>,
    /// `crosscheck-fact:` lines the client must print.
    pub client_facts: List<Text>,
    /// `crosscheck-fact:` lines the server must print.
    pub server_facts: List<Text>,
    /// What the harness must see on the wire.
    pub wire: Wire,
    /// For a negative case, who must refuse and with which alerts.
    pub refusal: Option<Refusal>,
    /// Whether the client starts just after a second of wall-clock time
    /// begins, so what it does in its first moments falls within one
    /// second (see `CaseDoc::client_starts_at_second`).
    pub client_starts_at_second: bool,
}

impl Case {
    /// Time for the whole cell, before parameter-dependent extensions.
    pub fn deadline(&self) -> Duration {
        Duration::from_millis(self.deadline_ms)
    }
}

/// What the wire must show, in RFC 8446's terms. Every connection of a
/// positive case must also negotiate TLS 1.3.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::tls))]
pub struct Wire {
    /// One entry per connection the case makes (none: one connection).
    pub connections: List<ConnectionWire>,
    pub key_updates: Option<KeyUpdates>,
}

impl Wire {
    /// One connection, checked for TLS 1.3 and nothing more.
    pub const ANY: Wire = Wire {
        connections: Cow::Borrowed(&[]),
        key_updates: None,
    };
}

/// What one connection's handshake must show; `None` checks nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::tls))]
pub struct ConnectionWire {
    /// The ServerHello selects (`true`) or does not select (`false`) a
    /// PSK from a ticket.
    pub resumed: Option<bool>,
    /// An external PSK identity offered and selected.
    pub psk_identity: Option<Text>,
    /// The group a HelloRetryRequest selects and the handshake then uses.
    pub hello_retry_request: Option<Text>,
    /// The server accepts 0-RTT data (seen only with a key log).
    pub early_data_accepted: Option<bool>,
    /// The server requests and the client sends a certificate (seen only
    /// with a key log).
    pub client_certificate: Option<bool>,
}

/// KeyUpdates `sender` must send: at least one per `every` bytes of `of`,
/// both indices into the case's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::tls))]
pub struct KeyUpdates {
    pub sender: Role,
    pub every: usize,
    pub of: usize,
}

/// The refusal a negative case expects.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::tls))]
pub struct Refusal {
    pub by: Role,
    /// Alert names (RFC 8446 §6) the refusing side may send.
    pub alerts: List<Text>,
}

/// A case parameter, passed to both shims as an environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::tls))]
pub struct Parameter {
    /// As in the spec, e.g. `download_bytes`.
    pub name: Text,
    /// `CROSSCHECK_TLS_DOWNLOAD_BYTES`; setting it in the harness's own
    /// environment overrides the spec's value.
    pub env: Text,
    pub description: Text,
    pub kind: ParameterKind,
    /// The spec's value.
    pub default: u64,
    /// Extra deadline for every 1,000,000,000 units of the value, in
    /// milliseconds.
    pub deadline_per_billion_ms: Option<u64>,
}

impl Parameter {
    /// Extra deadline for every 1,000,000,000 units of the value.
    pub fn deadline_per_billion(&self) -> Option<Duration> {
        self.deadline_per_billion_ms.map(Duration::from_millis)
    }
}

/// How a case parameter's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::tls))]
pub enum ParameterKind {
    /// A size in bytes; the environment may use units (`1 GB`, `512MiB`).
    Bytes,
    /// A plain count.
    Count,
}

/// The harness's loopback relay between client and server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::tls))]
pub struct Relay {
    /// Largest segment forwarded at once, in bytes.
    pub segment_bytes: usize,
}

/// One TLS implementation: its shim program and what it can do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::tls))]
pub struct Implementation {
    /// As in the spec (`s2n-tls`); test names use its snake_case form.
    pub name: Text,
    pub description: Text,
    /// Its shim program; `client|server CASE PORT` follow its arguments.
    pub program: Program,
    pub client: bool,
    pub server: bool,
}

impl Implementation {
    /// Whether it takes part in cells as `role`.
    pub fn plays(&self, role: Role) -> bool {
        match role {
            Role::Client => self.client,
            Role::Server => self.server,
        }
    }
}
