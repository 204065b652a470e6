//! s2n-tls (the `s2n-tls` crate, built from source on aws-lc) behind the
//! driver's traits.
//!
//! Security policies: `default_tls13` for every case but `hello_retry_request`.
//! There, s2n has no policy whose groups are exactly x25519 then secp256r1, so
//! the client uses `AWS-CRT-SDK-TLSv1.3` (TLS 1.3 only, groups x25519,
//! secp256r1, secp384r1, a key share for x25519 only) and the server uses
//! `20230317` (TLS 1.3 suites, groups secp256r1, secp384r1, secp521r1: no
//! x25519), so a client offering an x25519 key share gets a HelloRetryRequest
//! for secp256r1. The server uses `20230317` in `no_shared_group` too; as a
//! client there s2n would need a policy offering x25519 alone, which it lacks.
//!
//! `early_data` is not supported: the 0.3.47 binding has no 0-RTT API, and in a
//! build from source it exposes no raw `s2n_connection`/`s2n_config` pointer
//! (`unstable_as_ptr` exists only with an externally built libs2n), so
//! `s2n_send_early_data`, `s2n_recv_early_data` and the server's early data
//! limit are out of reach.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;
use std::time::SystemTime;

use s2n_tls::callbacks::{SessionTicket, SessionTicketCallback, VerifyHostNameCallback};
use s2n_tls::config::{Builder, Config};
use s2n_tls::connection::Connection;
use s2n_tls::enums::{Blinding, ClientAuthType, PeerKeyUpdate, PskHmac};
use s2n_tls::psk::Psk;
use s2n_tls::security::Policy;

use crate::build_info::crate_version;
use crate::case::{Case, Role};
use crate::error::Error;
use crate::key_log::key_log;
use crate::library::{self, Library, NamedGroup, TlsStream};
use crate::pki::{Pki, PkiFile};
use crate::protocol::{PSK_IDENTITY, PSK_SECRET, SERVER_NAME};

mod socket;
use socket::CallbackSocket;

const DEFAULT_POLICY: &str = "default_tls13";
const CLIENT_RETRY_POLICY: &str = "AWS-CRT-SDK-TLSv1.3";
const SERVER_RETRY_POLICY: &str = "20230317";
const TICKET_KEY_NAME: &[u8] = b"crosscheck";

/// s2n-tls.
pub struct S2nTls;

impl Library for S2nTls {
    type Client = S2nClient;
    type Server = S2nServer;

    const OPTIONS_SYNOPSIS: &'static str = "";

    fn from_options(options: &[String]) -> Result<Self, String> {
        if options.is_empty() {
            Ok(S2nTls)
        } else {
            Err(format!("unexpected options {options:?}"))
        }
    }

    fn version(&self) -> String {
        format!(
            "s2n-tls {} (built from the s2n-tls-sys crate's source)",
            crate_version("s2n-tls-sys")
        )
    }

    fn unsupported(&self, role: Role, case: Case) -> Option<&'static str> {
        match case {
            Case::EarlyData => Some(
                "the s2n-tls 0.3.47 binding has no early data API and, built from source, \
                 exposes no raw connection or config pointer to call s2n's C early data API",
            ),
            Case::NoSharedGroup if role == Role::Client => {
                Some("s2n-tls has no security policy that offers x25519 alone")
            }
            _ => None,
        }
    }

    fn client(&self, case: Case, pki: &Pki) -> Result<S2nClient, Error> {
        let policy = match case {
            Case::HelloRetryRequest => CLIENT_RETRY_POLICY,
            _ => DEFAULT_POLICY,
        };
        let mut builder = config_builder(policy)?;
        if case != Case::OutOfBandPsk {
            let ca = pki.read(PkiFile::Ca)?;
            builder
                .trust_pem(&ca)
                .map_err(|error| s2n_error("trusting ca-certificate.pem", &error))?;
        }
        if case == Case::MtlsRequestResponse {
            load_certificate(&mut builder, pki, PkiFile::ClientChain, PkiFile::ClientKey)?;
            builder
                .set_client_auth_type(ClientAuthType::Required)
                .map_err(|error| s2n_error("enabling client authentication", &error))?;
        }
        let ticket = Arc::new(Mutex::new(None));
        if case.resumes() {
            builder
                .enable_session_tickets(true)
                .map_err(|error| s2n_error("enabling session tickets", &error))?;
            builder
                .set_session_ticket_callback(KeepTicket(Arc::clone(&ticket)))
                .map_err(|error| s2n_error("setting the ticket callback", &error))?;
        }
        let config = builder
            .build()
            .map_err(|error| s2n_error("building the configuration", &error))?;
        Ok(S2nClient {
            config,
            external_psk: case == Case::OutOfBandPsk,
            ticket,
        })
    }

    fn server(&self, case: Case, pki: &Pki) -> Result<S2nServer, Error> {
        let policy = match case {
            Case::HelloRetryRequest | Case::NoSharedGroup => SERVER_RETRY_POLICY,
            _ => DEFAULT_POLICY,
        };
        let mut builder = config_builder(policy)?;
        // With the external PSK the server has no certificate.
        if case != Case::OutOfBandPsk {
            let (chain, key) = case.server_credentials();
            load_certificate(&mut builder, pki, chain, key)?;
        }
        if case.requires_client_certificate() {
            let ca = pki.read(PkiFile::Ca)?;
            builder
                .trust_pem(&ca)
                .map_err(|error| s2n_error("trusting ca-certificate.pem", &error))?;
            builder
                .set_client_auth_type(ClientAuthType::Required)
                .map_err(|error| s2n_error("requiring client authentication", &error))?;
            builder
                .set_verify_host_callback(AnyClientName)
                .map_err(|error| s2n_error("setting the client name check", &error))?;
        }
        if case.resumes() {
            builder
                .add_session_ticket_key(TICKET_KEY_NAME, &ticket_key()?, SystemTime::now())
                .map_err(|error| s2n_error("adding the session ticket key", &error))?;
        }
        let config = builder
            .build()
            .map_err(|error| s2n_error("building the configuration", &error))?;
        Ok(S2nServer {
            config,
            external_psk: case == Case::OutOfBandPsk,
        })
    }
}

fn config_builder(policy: &str) -> Result<Builder, Error> {
    let mut builder = Builder::new();
    builder
        .with_system_certs(false)
        .map_err(|error| s2n_error("leaving out the system trust store", &error))?;
    let policy = Policy::from_version(policy)
        .map_err(|error| s2n_error(&format!("finding security policy {policy}"), &error))?;
    builder
        .set_security_policy(&policy)
        .map_err(|error| s2n_error("setting the security policy", &error))?;
    if key_log().is_some() {
        // SAFETY: the callback ignores its context, so a null one is fine.
        unsafe { builder.set_key_log_callback(Some(write_key_log_line), std::ptr::null_mut()) }
            .map_err(|error| s2n_error("setting the key log callback", &error))?;
    }
    Ok(builder)
}

/// s2n-tls's key log callback: one NSS key log line of `length` bytes.
unsafe extern "C" fn write_key_log_line(
    _context: *mut std::ffi::c_void,
    _connection: *mut s2n_tls_sys::s2n_connection,
    line: *mut u8,
    length: usize,
) -> std::ffi::c_int {
    if let Some(key_log) = key_log()
        && !line.is_null()
    {
        // SAFETY: s2n-tls hands over `length` readable bytes at `line`.
        key_log.write_line(unsafe { std::slice::from_raw_parts(line, length) });
    }
    0
}

fn load_certificate(
    builder: &mut Builder,
    pki: &Pki,
    chain: PkiFile,
    key: PkiFile,
) -> Result<(), Error> {
    let (chain_pem, key_pem) = (pki.read(chain)?, pki.read(key)?);
    builder.load_pem(&chain_pem, &key_pem).map_err(|error| {
        s2n_error(
            &format!("loading {} and {}", chain.file_name(), key.file_name()),
            &error,
        )
    })?;
    Ok(())
}

/// A fresh random session ticket key for this server process.
fn ticket_key() -> Result<[u8; 32], Error> {
    let mut key = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut key))
        .map_err(|source| Error::io("reading /dev/urandom for the ticket key", source))?;
    Ok(key)
}

fn external_psk() -> Result<Psk, Error> {
    let mut builder = Psk::builder().map_err(|error| s2n_error("creating the PSK", &error))?;
    builder
        .set_identity(PSK_IDENTITY)
        .and_then(|builder| builder.set_secret(&PSK_SECRET))
        .and_then(|builder| builder.set_hmac(PskHmac::SHA256))
        .map_err(|error| s2n_error("setting up the PSK", &error))?;
    builder
        .build()
        .map_err(|error| s2n_error("building the PSK", &error))
}

/// Client side: remembers the latest session ticket for the next connection.
struct KeepTicket(Arc<Mutex<Option<Vec<u8>>>>);

impl SessionTicketCallback for KeepTicket {
    fn on_session_ticket(&self, _connection: &mut Connection, ticket: &SessionTicket) {
        let Ok(length) = ticket.len() else { return };
        let mut data = vec![0u8; length];
        if ticket.data(&mut data).is_ok() {
            *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(data);
        }
    }
}

/// Server side of mTLS: the client chain must verify, its name is not checked
/// (s2n would otherwise compare it with the SNI).
struct AnyClientName;

impl VerifyHostNameCallback for AnyClientName {
    fn verify_host_name(&self, _host_name: &str) -> bool {
        true
    }
}

/// The client side.
pub struct S2nClient {
    config: Config,
    external_psk: bool,
    ticket: Arc<Mutex<Option<Vec<u8>>>>,
}

impl library::Client for S2nClient {
    type Stream = S2nStream;

    fn connect(&mut self, tcp: TcpStream, early_data: Option<&[u8]>) -> Result<S2nStream, Error> {
        let (mut connection, socket) = new_connection(Connection::new_client(), &self.config, tcp)?;
        connection
            .set_server_name(SERVER_NAME)
            .map_err(|error| s2n_error("setting SNI", &error))?;
        if self.external_psk {
            connection
                .append_psk(&external_psk()?)
                .map_err(|error| s2n_error("offering the PSK", &error))?;
        }
        let ticket = self
            .ticket
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(ticket) = ticket {
            connection
                .set_session_ticket(&ticket)
                .map_err(|error| s2n_error("offering the earlier session", &error))?;
        }
        if early_data.is_some() {
            return Err(Error::library("sending early data", "not supported"));
        }
        negotiate(&mut connection)?;
        Ok(S2nStream {
            connection,
            _socket: socket,
        })
    }
}

/// The server side; the ticket key in the config spans connections.
pub struct S2nServer {
    config: Config,
    external_psk: bool,
}

impl library::Server for S2nServer {
    type Stream = S2nStream;

    fn accept(
        &mut self,
        tcp: TcpStream,
        early_data: Option<&mut Vec<u8>>,
    ) -> Result<S2nStream, Error> {
        let (mut connection, socket) = new_connection(Connection::new_server(), &self.config, tcp)?;
        if self.external_psk {
            connection
                .append_psk(&external_psk()?)
                .map_err(|error| s2n_error("adding the PSK", &error))?;
        }
        if early_data.is_some() {
            return Err(Error::library("receiving early data", "not supported"));
        }
        negotiate(&mut connection)?;
        Ok(S2nStream {
            connection,
            _socket: socket,
        })
    }
}

/// A connection on `config` over `tcp`, ready for the handshake.
fn new_connection(
    mut connection: Connection,
    config: &Config,
    tcp: TcpStream,
) -> Result<(Connection, CallbackSocket), Error> {
    connection
        .set_config(config.clone())
        .map_err(|error| s2n_error("applying the configuration", &error))?;
    // Report errors at once instead of sleeping 10 to 30 s first (s2n's
    // built-in blinding against timing side channels).
    connection
        .set_blinding(Blinding::SelfService)
        .map_err(|error| s2n_error("disabling built-in blinding", &error))?;
    connection
        .prefer_throughput()
        .map_err(|error| s2n_error("preferring throughput", &error))?;
    connection
        .set_receive_buffering(true)
        .map_err(|error| s2n_error("enabling receive buffering", &error))?;
    let socket = CallbackSocket::attach(&mut connection, tcp)
        .map_err(|error| s2n_error("setting the I/O callbacks", &error))?;
    Ok((connection, socket))
}

fn negotiate(connection: &mut Connection) -> Result<(), Error> {
    match connection.poll_negotiate() {
        Poll::Ready(Ok(_)) => Ok(()),
        Poll::Ready(Err(error)) => Err(s2n_error("TLS handshake", &error)),
        Poll::Pending => Err(Error::library(
            "TLS handshake",
            "s2n_negotiate blocked on a blocking socket",
        )),
    }
}

fn s2n_error(what: &str, error: &s2n_tls::error::Error) -> Error {
    let mut detail = format!("{} ({})", error, error.name());
    if let Some(debug) = error.debug() {
        detail.push_str(&format!(" at {debug}"));
    }
    Error::library(what, detail)
}

fn io_error(error: s2n_tls::error::Error) -> io::Error {
    if error.kind() == s2n_tls::error::ErrorType::ConnectionClosed {
        io::Error::new(io::ErrorKind::UnexpectedEof, error)
    } else {
        io::Error::other(s2n_error("s2n-tls", &error))
    }
}

fn would_block() -> io::Error {
    io::Error::new(
        io::ErrorKind::WouldBlock,
        "s2n-tls blocked on a blocking socket",
    )
}

/// An established s2n-tls connection on its own socket.
pub struct S2nStream {
    // Declared before the socket so it is freed first.
    connection: Connection,
    _socket: CallbackSocket,
}

impl Read for S2nStream {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        match self.connection.poll_recv(buffer) {
            Poll::Ready(result) => result.map_err(io_error),
            Poll::Pending => Err(would_block()),
        }
    }
}

impl Write for S2nStream {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self.connection.poll_send(data) {
            Poll::Ready(result) => result.map_err(io_error),
            Poll::Pending => Err(would_block()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.connection.poll_flush() {
            Poll::Ready(result) => result.map(|_| ()).map_err(io_error),
            Poll::Pending => Err(would_block()),
        }
    }
}

impl TlsStream for S2nStream {
    fn send_close_notify(&mut self) -> Result<(), Error> {
        match self.connection.poll_shutdown_send() {
            Poll::Ready(Ok(_)) => Ok(()),
            Poll::Ready(Err(error)) => Err(s2n_error("sending close_notify", &error)),
            Poll::Pending => Err(Error::library(
                "sending close_notify",
                "s2n_shutdown_send blocked on a blocking socket",
            )),
        }
    }

    fn request_key_update(&mut self) -> Result<(), Error> {
        self.connection
            .request_key_update(PeerKeyUpdate::KeyUpdateNotRequested)
            .map_err(|error| s2n_error("requesting a KeyUpdate", &error))?;
        Ok(())
    }

    fn resumed(&self) -> bool {
        self.connection.resumed()
    }

    fn early_data_accepted(&self) -> bool {
        false
    }

    fn negotiated_group(&self) -> Option<NamedGroup> {
        Some(match self.connection.selected_key_exchange_group()? {
            "secp256r1" => NamedGroup::Secp256r1,
            "x25519" => NamedGroup::X25519,
            other => NamedGroup::Other(other.to_string()),
        })
    }
}
