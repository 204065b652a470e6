//! The seam between the driver and a TLS library. The driver owns flags,
//! sockets, checks, the echo loop and exit codes; an adapter turns a
//! [`TestConfig`] into library settings, runs handshakes and reports what
//! was negotiated.

use crate::config::{TLS_VERSIONS, TestConfig};
use crate::error::Failure;
use crate::unsupported::BORINGSSL_DEFAULT_TLS12_SUITES;
use crate::wire::Wire;

/// A TLS library behind the BoGo protocol.
pub trait Library: Sized {
    type Connection: Connection;

    /// Creates the adapter. Called once, before any other library call
    /// (allocation hooks must be installed first); `Failure::Unimplemented`
    /// when the environment asks for a mode the adapter lacks.
    fn new() -> Result<Self, Failure>;

    /// Refuses, before any network activity, a configuration the library
    /// cannot honour exactly (`Failure::Unimplemented`).
    fn check(&self, config: &TestConfig) -> Result<(), Failure>;

    /// Configures the library for `config` and completes a handshake over
    /// `wire`. `resumption` is true for every connection after the first;
    /// state that carries over (sessions, ticket keys) lives in `self`.
    /// On failure any alert the library produced has been sent.
    fn handshake(
        &mut self,
        config: &TestConfig,
        wire: Wire,
        resumption: bool,
    ) -> Result<Self::Connection, Failure>;

    /// What the library implements of what BoringSSL's shim enables by
    /// default.
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }

    /// Whether an allocation was made to fail in this process (malloc
    /// tests); the process then exits with 88 whatever happened.
    fn allocation_failure_injected(&self) -> bool {
        false
    }
}

/// The protocol versions and TLS 1.2 cipher suites a library implements,
/// as IANA values. The default is everything BoringSSL's shim enables
/// without flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    pub versions: &'static [u16],
    pub tls12_suites: &'static [u16],
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities {
            versions: &TLS_VERSIONS,
            tls12_suites: BORINGSSL_DEFAULT_TLS12_SUITES,
        }
    }
}

/// What a read returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadOutcome {
    /// This many bytes of application data.
    Data(usize),
    /// The peer's close_notify.
    CloseNotify,
    /// The transport ended without close_notify.
    Eof,
}

/// An established connection.
pub trait Connection {
    /// Reads application data.
    fn read(&mut self, buffer: &mut [u8]) -> Result<ReadOutcome, Failure>;

    /// Writes and flushes all of `data`.
    fn write_all(&mut self, data: &[u8]) -> Result<(), Failure>;

    /// Sends a KeyUpdate (update_not_requested) before the next write.
    fn key_update(&mut self) -> Result<(), Failure>;

    /// Sends close_notify and flushes it.
    fn send_close_notify(&mut self) -> Result<(), Failure>;

    /// Ends the connection without sending close_notify (BoringSSL's quiet
    /// shutdown), as a clean end as far as the library's session cache is
    /// concerned.
    fn shut_down_quietly(&mut self) -> Result<(), Failure> {
        Ok(())
    }

    /// Derives keying material (RFC 5705 / RFC 8446, 7.5).
    fn export_keying_material(
        &self,
        length: usize,
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<Vec<u8>, Failure>;

    /// What the handshake negotiated.
    fn facts(&self) -> Facts;

    /// Sessions this connection produced so far (client: sessions cached for
    /// a later resumption; server: sessions put in the server-side cache).
    fn sessions(&self) -> SessionFacts;

    /// The socket, for the driver's wire observations.
    fn wire(&self) -> &Wire;
}

/// Negotiated parameters, as far as the library reports them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// Protocol version, wire value.
    pub version: Option<u16>,
    /// Cipher suite, IANA value.
    pub cipher_suite: Option<u16>,
    /// Key exchange group, IANA value.
    pub group: Option<u16>,
    /// The selected ALPN protocol.
    pub alpn: Option<Vec<u8>>,
    /// Whether the handshake resumed a session.
    pub resumed: bool,
    /// The certificates the peer sent (DER, leaf first); empty if none.
    pub peer_certificates: Vec<Vec<u8>>,
    /// Whether the peer's certificate passed verification (true when there
    /// was nothing to verify), for the session this connection uses.
    pub verify_ok: bool,
    /// Server: the host name the client sent (SNI).
    pub server_name: Option<String>,
    /// Server: the client's ALPN list in wire format, if it sent one.
    pub offered_alpn: Option<Vec<u8>>,
    /// The signature algorithm the peer signed the handshake with (kept by
    /// a resumed session), IANA value.
    pub peer_signature_algorithm: Option<u16>,
    /// Client: the OCSP response the server stapled.
    pub ocsp_response: Option<Vec<u8>>,
    /// Whether the extended master secret was negotiated (None: the
    /// library does not tell; adapters refuse the flag then).
    pub extended_master_secret: Option<bool>,
}

/// Sessions seen on one connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionFacts {
    /// New sessions cached: `None` when the library cannot tell a new
    /// session from a re-saved one (then the driver does not check).
    pub new_sessions: Option<usize>,
    /// Whether the newest session allows 0-RTT.
    pub latest_allows_early_data: bool,
}
