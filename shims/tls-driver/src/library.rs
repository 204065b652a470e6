//! The seam between the scenario driver and a TLS library: the driver runs
//! every case through these traits, an adapter implements them for one library.

use std::io::{Read, Write};
use std::net::TcpStream;

use crate::case::{Case, Role};
use crate::error::Error;
use crate::pki::Pki;

/// A TLS library the cases can run on.
pub trait Library: Sized {
    /// The client side of one case, possibly over several connections.
    type Client: Client;
    /// The server side of one case, possibly over several connections.
    type Server: Server;

    /// Synopsis of the library's leading options for the usage line ("" if none).
    const OPTIONS_SYNOPSIS: &'static str;

    /// Builds the adapter from the leading command-line options.
    fn from_options(options: &[String]) -> Result<Self, String>;

    /// Why the library cannot play `role` in `case`, or `None` if it can.
    /// Decided before any network activity.
    fn unsupported(&self, role: Role, case: Case) -> Option<&'static str>;

    /// The library and its exact version as this program runs it, one line
    /// (for the reports' provenance).
    fn version(&self) -> String;

    /// A client configured for `case`: certificates, PSK, groups, early data.
    fn client(&self, case: Case, pki: &Pki) -> Result<Self::Client, Error>;

    /// A server configured for `case`: certificates, PSK, groups, tickets, early data.
    fn server(&self, case: Case, pki: &Pki) -> Result<Self::Server, Error>;
}

/// Opens TLS connections as a client (SNI `localhost`).
pub trait Client {
    type Stream: TlsStream;

    /// Completes a handshake over `tcp`. A later connection resumes the session
    /// learnt on an earlier one when there is one; with `early_data`, the client
    /// sends those bytes as 0-RTT data (see [`TlsStream::early_data_accepted`]).
    fn connect(&mut self, tcp: TcpStream, early_data: Option<&[u8]>)
    -> Result<Self::Stream, Error>;
}

/// Accepts TLS connections as a server.
pub trait Server {
    type Stream: TlsStream;

    /// Completes a handshake over `tcp`. With `early_data`, the 0-RTT data the
    /// client sent, if the server accepted it, is appended to that buffer.
    fn accept(
        &mut self,
        tcp: TcpStream,
        early_data: Option<&mut Vec<u8>>,
    ) -> Result<Self::Stream, Error>;
}

/// An established, blocking TLS connection.
///
/// `read` returns `Ok(0)` once the peer's close_notify arrived; a TCP end of
/// stream without close_notify is either `Ok(0)` or an error of kind
/// `UnexpectedEof`, as the library reports it. `write` + `flush` put the bytes
/// on the wire.
pub trait TlsStream: Read + Write {
    /// Sends close_notify (and flushes it); reading stays possible.
    fn send_close_notify(&mut self) -> Result<(), Error>;

    /// Sends a KeyUpdate before the next application data:
    /// `update_not_requested` where the library lets the sender choose,
    /// else the library's `update_requested`.
    fn request_key_update(&mut self) -> Result<(), Error>;

    /// Whether the handshake resumed an earlier session.
    fn resumed(&self) -> bool;

    /// Whether the server accepted 0-RTT data on this connection.
    fn early_data_accepted(&self) -> bool;

    /// The negotiated key exchange group, if the library tells.
    fn negotiated_group(&self) -> Option<NamedGroup>;
}

/// A key exchange group, as far as the cases care.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NamedGroup {
    Secp256r1,
    X25519,
    /// Any other group, by the library's name for it.
    Other(String),
}

impl std::fmt::Display for NamedGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NamedGroup::Secp256r1 => f.write_str("secp256r1"),
            NamedGroup::X25519 => f.write_str("x25519"),
            NamedGroup::Other(name) => f.write_str(name),
        }
    }
}
