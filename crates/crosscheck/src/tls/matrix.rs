//! The compiled form of `specs/tls/`: static data the generated tests and
//! the CLI share. Built by the spec compiler, never by hand.

use std::time::Duration;

use crate::expectation::Expectation;
use crate::program::Program;

/// Every case, every implementation, and how to get and start them.
#[derive(Debug)]
pub struct Matrix {
    /// Absolute path of the project root: programs run there, and relative
    /// paths in their declarations resolve against it.
    pub root: &'static str,
    /// Absolute path of the test PKI directory (`certificates/`).
    pub certificates: &'static str,
    pub cases: &'static [Case],
    pub implementations: &'static [Implementation],
    /// What each (case, client, server) that must not simply pass must
    /// show, as the spec compiler decided from the unsupported entries and
    /// known failures; a cell not listed must pass.
    pub cells: &'static [PlannedCell],
}

/// One cell of the matrix and its expectation.
#[derive(Debug)]
pub struct PlannedCell {
    pub case: usize,
    pub client: usize,
    pub server: usize,
    pub expectation: Expectation,
}

/// One scenario, run between every client and every server.
#[derive(Debug)]
pub struct Case {
    /// As in the spec and on the command line of shims (`handshake`, …).
    pub name: &'static str,
    pub description: &'static str,
    /// Whether the upstream interop suite defines it (else it is one of the
    /// upstream's future cases that crosscheck defines).
    pub upstream: bool,
    /// What the client does and must check.
    pub client_duty: &'static str,
    /// What the server does and must check.
    pub server_duty: &'static str,
    /// Time for the whole cell (server start to both exits), before
    /// parameter-dependent extensions.
    pub deadline: Duration,
    pub parameters: &'static [Parameter],
    /// `Some` when the harness relays the connection in tiny segments.
    pub relay: Option<Relay>,
    /// `crosscheck-fact:` lines the client must print.
    pub client_facts: &'static [&'static str],
    /// `crosscheck-fact:` lines the server must print.
    pub server_facts: &'static [&'static str],
    /// What the harness must see on the wire.
    pub wire: Wire,
    /// For a negative case, who must refuse and with which alerts.
    pub refusal: Option<Refusal>,
}

/// What the wire must show, in RFC 8446's terms. Every connection of a
/// positive case must also negotiate TLS 1.3.
#[derive(Debug)]
pub struct Wire {
    /// One entry per connection the case makes (none: one connection).
    pub connections: &'static [ConnectionWire],
    pub key_updates: Option<KeyUpdates>,
}

impl Wire {
    /// One connection, checked for TLS 1.3 and nothing more.
    pub const ANY: Wire = Wire {
        connections: &[],
        key_updates: None,
    };
}

/// What one connection's handshake must show; `None` checks nothing.
#[derive(Debug, Default)]
pub struct ConnectionWire {
    /// The ServerHello selects (`true`) or does not select (`false`) a
    /// PSK from a ticket.
    pub resumed: Option<bool>,
    /// An external PSK identity offered and selected.
    pub psk_identity: Option<&'static str>,
    /// The group a HelloRetryRequest selects and the handshake then uses.
    pub hello_retry_request: Option<&'static str>,
    /// The server accepts 0-RTT data (seen only with a key log).
    pub early_data_accepted: Option<bool>,
    /// The server requests and the client sends a certificate (seen only
    /// with a key log).
    pub client_certificate: Option<bool>,
}

/// KeyUpdates `sender` must send: at least one per `every` bytes of `of`,
/// both indices into the case's parameters.
#[derive(Debug)]
pub struct KeyUpdates {
    pub sender: Role,
    pub every: usize,
    pub of: usize,
}

/// The refusal a negative case expects.
#[derive(Debug, Clone, Copy)]
pub struct Refusal {
    pub by: Role,
    /// Alert names (RFC 8446 §6) the refusing side may send.
    pub alerts: &'static [&'static str],
}

/// A case parameter, passed to both shims as an environment variable.
#[derive(Debug)]
pub struct Parameter {
    /// As in the spec, e.g. `download_bytes`.
    pub name: &'static str,
    /// `CROSSCHECK_TLS_DOWNLOAD_BYTES`; setting it in the harness's own
    /// environment overrides the spec's value.
    pub env: &'static str,
    pub description: &'static str,
    pub kind: ParameterKind,
    /// The spec's value.
    pub default: u64,
    /// Extra deadline for every 1,000,000,000 units of the value.
    pub deadline_per_billion: Option<Duration>,
}

/// The harness's loopback relay between client and server.
#[derive(Debug, Clone, Copy)]
pub struct Relay {
    /// Largest segment forwarded at once, in bytes.
    pub segment_bytes: usize,
}

/// One TLS implementation: its shim program and what it can do.
#[derive(Debug)]
pub struct Implementation {
    /// As in the spec (`s2n-tls`); test names use its snake_case form.
    pub name: &'static str,
    pub description: &'static str,
    /// Its shim program; `client|server CASE PORT` follow its arguments.
    pub program: Program,
    pub client: bool,
    pub server: bool,
}

pub use crosscheck_model::Role;
pub use crosscheck_model::tls::ParameterKind;

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
