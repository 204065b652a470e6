//! BoringSSL (built from the source in boring-sys, through the `boring`
//! crate) behind the driver's traits.
//!
//! Close to the OpenSSL adapter, except where BoringSSL differs: TLS 1.3
//! 0-RTT (`SSL_CTX_set_early_data_enabled`: the handshake returns early on
//! both sides), no external PSKs in TLS 1.3, and no version number.

use std::ffi::c_int;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use boring::ssl::{
    ErrorCode, Ssl, SslContext, SslContextBuilder, SslFiletype, SslMethod, SslRef, SslSession,
    SslSessionCacheMode, SslStream, SslVerifyMode, SslVersion,
};
use foreign_types::ForeignTypeRef;

use crosscheck_tls_driver::case::{Case, Role};
use crosscheck_tls_driver::error::{Context, Error};
use crosscheck_tls_driver::key_log::key_log;
use crosscheck_tls_driver::library::{self, Library, NamedGroup, TlsStream};
use crosscheck_tls_driver::pki::{Pki, PkiFile};
use crosscheck_tls_driver::protocol::SERVER_NAME;
use crosscheck_tls_driver::transport::Socket;

mod built {
    include!(concat!(env!("OUT_DIR"), "/built.rs"));
}

/// The BoringSSL commit boring-sys carries (recorded and checked against
/// Cargo.lock by build.rs).
const BORINGSSL_COMMIT: &str = env!("CROSSCHECK_BORINGSSL_COMMIT");

/// Groups for `hello_retry_request`: BoringSSL's client sends a key share
/// for the first only.
const CLIENT_RETRY_GROUPS: &str = "X25519:P-256";
const SERVER_RETRY_GROUPS: &str = "P-256";
/// `no_shared_group`: the client offers x25519 alone, the server P-256 alone.
const CLIENT_ONLY_GROUP: &str = "X25519";
const SESSION_ID_CONTEXT: &[u8] = b"crosscheck-tls-shims";

/// `SSL_KEY_UPDATE_NOT_REQUESTED` from `<openssl/ssl.h>`.
const SSL_KEY_UPDATE_NOT_REQUESTED: c_int = 0;
/// `SSL_ERROR_EARLY_DATA_REJECTED` from `<openssl/ssl.h>`.
const SSL_ERROR_EARLY_DATA_REJECTED: c_int = 15;
/// `SSL_CURVE_SECP256R1` and `SSL_CURVE_X25519` from `<openssl/ssl.h>`:
/// the TLS group code points `SSL_get_curve_id` returns.
const SSL_CURVE_SECP256R1: u16 = 23;
const SSL_CURVE_X25519: u16 = 29;

/// BoringSSL, linked statically.
pub struct BoringSsl;

impl Library for BoringSsl {
    type Client = BoringClient;
    type Server = BoringServer;

    const OPTIONS_SYNOPSIS: &'static str = "";

    fn from_options(options: &[String]) -> Result<Self, String> {
        if options.is_empty() {
            Ok(BoringSsl)
        } else {
            Err(format!("unexpected options {options:?}"))
        }
    }

    fn unsupported(&self, _role: Role, case: Case) -> Option<&'static str> {
        (case == Case::OutOfBandPsk).then_some(
            "BoringSSL has no API for TLS 1.3 external pre-shared keys: its PSK callbacks \
             (SSL_CTX_set_psk_client_callback, SSL_CTX_set_psk_server_callback) negotiate only \
             the TLS 1.2 PSK cipher suites, and its TLS 1.3 pre_shared_key carries resumption \
             tickets only",
        )
    }

    fn version(&self) -> String {
        // BoringSSL has no releases: name the commit, the API version its
        // headers declare, and the crates that built it.
        format!(
            "{} {BORINGSSL_COMMIT} (API version {}; boring-sys {}, boring {})",
            boring::version::version(),
            boring_sys::BORINGSSL_API_VERSION,
            crate_version("boring-sys"),
            crate_version("boring"),
        )
    }

    fn client(&self, case: Case, pki: &Pki) -> Result<BoringClient, Error> {
        let mut builder =
            SslContext::builder(SslMethod::tls_client()).context("creating SSL_CTX")?;
        common_options(&mut builder)?;
        builder.set_verify(SslVerifyMode::PEER);
        builder
            .set_ca_file(pki.path(PkiFile::Ca)?)
            .context("loading ca-certificate.pem")?;
        if case == Case::MtlsRequestResponse {
            certificate(&mut builder, pki, PkiFile::ClientChain, PkiFile::ClientKey)?;
        }
        if case == Case::HelloRetryRequest {
            builder
                .set_curves_list(CLIENT_RETRY_GROUPS)
                .context("setting the groups")?;
        }
        if case == Case::NoSharedGroup {
            builder
                .set_curves_list(CLIENT_ONLY_GROUP)
                .context("setting the groups")?;
        }
        let session = Arc::new(Mutex::new(None));
        if case.resumes() {
            // TLS 1.3 tickets arrive after the handshake: keep the latest one.
            builder.set_session_cache_mode(SslSessionCacheMode::CLIENT);
            let slot = Arc::clone(&session);
            builder.set_new_session_callback(move |_, new_session| {
                *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(new_session);
            });
        }
        if case == Case::EarlyData {
            enable_early_data(&mut builder);
        }
        Ok(BoringClient {
            context: builder.build(),
            session,
        })
    }

    fn server(&self, case: Case, pki: &Pki) -> Result<BoringServer, Error> {
        let mut builder =
            SslContext::builder(SslMethod::tls_server()).context("creating SSL_CTX")?;
        common_options(&mut builder)?;
        builder
            .set_session_id_context(SESSION_ID_CONTEXT)
            .context("setting the session id context")?;
        let (chain, key) = case.server_credentials();
        certificate(&mut builder, pki, chain, key)?;
        if case.requires_client_certificate() {
            builder.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
            builder
                .set_ca_file(pki.path(PkiFile::Ca)?)
                .context("loading ca-certificate.pem")?;
        }
        if matches!(case, Case::HelloRetryRequest | Case::NoSharedGroup) {
            builder
                .set_curves_list(SERVER_RETRY_GROUPS)
                .context("setting the groups")?;
        }
        if case == Case::EarlyData {
            // BoringSSL's tickets then allow its fixed 14336 bytes of early
            // data (kMaxEarlyDataAccepted); it has no setting for the amount.
            enable_early_data(&mut builder);
        }
        Ok(BoringServer {
            context: builder.build(),
        })
    }
}

/// The version of dependency `name` as Cargo.lock pinned it.
fn crate_version(name: &str) -> &'static str {
    built::DEPENDENCIES
        .iter()
        .find(|(dependency, _)| *dependency == name)
        .map_or("?", |(_, version)| *version)
}

fn common_options(builder: &mut SslContextBuilder) -> Result<(), Error> {
    builder
        .set_min_proto_version(Some(SslVersion::TLS1_3))
        .context("requiring TLS 1.3")?;
    builder
        .set_max_proto_version(Some(SslVersion::TLS1_3))
        .context("requiring TLS 1.3")?;
    if let Some(key_log) = key_log() {
        builder.set_keylog_callback(|_, line| key_log.write_line(line.as_bytes()));
    }
    Ok(())
}

fn enable_early_data(builder: &mut SslContextBuilder) {
    // SAFETY: a live SSL_CTX owned by the builder; the call sets a flag.
    unsafe { boring_sys::SSL_CTX_set_early_data_enabled(builder.as_ptr(), 1) };
}

fn certificate(
    builder: &mut SslContextBuilder,
    pki: &Pki,
    chain: PkiFile,
    key: PkiFile,
) -> Result<(), Error> {
    builder
        .set_certificate_chain_file(pki.path(chain)?)
        .context(&format!("loading {}", chain.file_name()))?;
    builder
        .set_private_key_file(pki.path(key)?, SslFiletype::PEM)
        .context(&format!("loading {}", key.file_name()))?;
    builder.check_private_key().context(&format!(
        "matching {} to {}",
        key.file_name(),
        chain.file_name()
    ))
}

/// The client side; keeps the latest session for the next connection.
pub struct BoringClient {
    context: SslContext,
    session: Arc<Mutex<Option<SslSession>>>,
}

impl library::Client for BoringClient {
    type Stream = BoringStream;

    fn connect(
        &mut self,
        tcp: TcpStream,
        early_data: Option<&[u8]>,
    ) -> Result<BoringStream, Error> {
        let mut ssl = Ssl::new(&self.context).context("creating SSL")?;
        ssl.set_hostname(SERVER_NAME).context("setting SNI")?;
        ssl.param_mut()
            .set_host(SERVER_NAME)
            .context("setting the expected host name")?;
        let session = self
            .session
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(session) = &session {
            // SAFETY: the session was made by a connection on this same SSL_CTX.
            unsafe { ssl.set_session(session) }.context("offering the earlier session")?;
        }
        let mut stream = SslStream::new(ssl, Socket::new(tcp)).context("creating the stream")?;
        // With a 0-RTT-capable session and early data enabled, SSL_connect
        // returns once the ClientHello is out; otherwise it completes the
        // handshake, nothing is sent early and `early_data_accepted` is false.
        stream
            .connect()
            .map_err(|error| handshake_error(stream.ssl(), error))?;
        if in_early_data(stream.ssl()) {
            let data = early_data.unwrap_or_default();
            let mut sent = 0;
            while sent < data.len() {
                sent += stream
                    .ssl_write(&data[sent..])
                    .map_err(|error| Error::library("sending early data", error))?;
            }
            finish_client_handshake(&mut stream)?;
        }
        Ok(BoringStream {
            stream,
            pending: Vec::new(),
        })
    }
}

/// Completes a handshake that returned early for 0-RTT; if the server
/// rejected the early data, completes it as a 1-RTT handshake.
fn finish_client_handshake(stream: &mut SslStream<Socket>) -> Result<(), Error> {
    match stream.do_handshake() {
        Ok(()) => Ok(()),
        Err(error) if error.code().as_raw() == SSL_ERROR_EARLY_DATA_REJECTED => {
            // SAFETY: a live SSL whose handshake just signalled
            // SSL_ERROR_EARLY_DATA_REJECTED, as the call requires.
            unsafe { boring_sys::SSL_reset_early_data_reject(stream.ssl().as_ptr()) };
            stream
                .do_handshake()
                .map_err(|error| handshake_error(stream.ssl(), error))
        }
        Err(error) => Err(handshake_error(stream.ssl(), error)),
    }
}

/// The server side; BoringSSL's tickets span connections.
pub struct BoringServer {
    context: SslContext,
}

impl library::Server for BoringServer {
    type Stream = BoringStream;

    fn accept(
        &mut self,
        tcp: TcpStream,
        early_data: Option<&mut Vec<u8>>,
    ) -> Result<BoringStream, Error> {
        // The same socket, to switch it to non-blocking while 0-RTT data is read.
        let control = tcp
            .try_clone()
            .map_err(|source| Error::io("duplicating the TCP socket", source))?;
        let ssl = Ssl::new(&self.context).context("creating SSL")?;
        let mut stream = SslStream::new(ssl, Socket::new(tcp)).context("creating the stream")?;
        // When BoringSSL accepts 0-RTT, SSL_accept returns once the server's
        // flight is out, with the handshake still in progress.
        stream
            .accept()
            .map_err(|error| handshake_error(stream.ssl(), error))?;
        let mut pending = Vec::new();
        if in_init(stream.ssl()) {
            // Early data nobody asked for is read as the stream's first bytes.
            let mut unasked = Vec::new();
            let early_data = early_data.unwrap_or(&mut unasked);
            control
                .set_nonblocking(true)
                .map_err(|source| Error::io("making the socket non-blocking", source))?;
            let read = read_early_data(&mut stream, &control, early_data, &mut pending);
            control
                .set_nonblocking(false)
                .map_err(|source| Error::io("making the socket blocking again", source))?;
            read?;
            unasked.append(&mut pending);
            pending = unasked;
        }
        Ok(BoringStream { stream, pending })
    }
}

/// Reads the client's 0-RTT data into `early_data` until the handshake is
/// complete, over a non-blocking socket: a blocking `SSL_read` would go on,
/// after the client's Finished, to wait for 1-RTT data the client only sends
/// once it has read the response. Bytes that arrive after the handshake go
/// to `pending`, for the stream's first reads.
fn read_early_data(
    stream: &mut SslStream<Socket>,
    control: &TcpStream,
    early_data: &mut Vec<u8>,
    pending: &mut Vec<u8>,
) -> Result<(), Error> {
    let mut chunk = [0u8; 4096];
    while in_init(stream.ssl()) {
        match stream.ssl_read(&mut chunk) {
            // SSL_read returns as soon as it has data: still in the
            // handshake, the record was early data.
            Ok(count) if in_init(stream.ssl()) => early_data.extend_from_slice(&chunk[..count]),
            Ok(count) => pending.extend_from_slice(&chunk[..count]),
            Err(error) if error.code() == ErrorCode::WANT_READ => {
                if in_init(stream.ssl()) {
                    wait_readable(control)?;
                }
            }
            // The tickets after the client's Finished may meet a full send buffer.
            Err(error) if error.code() == ErrorCode::WANT_WRITE => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(error) if error.code() == ErrorCode::ZERO_RETURN => {
                return Err(Error::check(
                    "the client closed the connection during the 0-RTT handshake",
                ));
            }
            Err(error) => return Err(handshake_error(stream.ssl(), error)),
        }
    }
    Ok(())
}

/// Blocks until the non-blocking `socket` has bytes to read (or its end).
fn wait_readable(socket: &TcpStream) -> Result<(), Error> {
    let waiting = |source| Error::io("waiting for the client's handshake", source);
    socket.set_nonblocking(false).map_err(waiting)?;
    let peeked = socket.peek(&mut [0u8; 1]);
    socket.set_nonblocking(true).map_err(waiting)?;
    peeked.map(drop).map_err(waiting)
}

fn in_init(ssl: &SslRef) -> bool {
    // SAFETY: a live SSL; a read-only query.
    unsafe { boring_sys::SSL_in_init(ssl.as_ptr()) == 1 }
}

fn in_early_data(ssl: &SslRef) -> bool {
    // SAFETY: a live SSL; a read-only query.
    unsafe { boring_sys::SSL_in_early_data(ssl.as_ptr()) == 1 }
}

/// A handshake error, with the certificate verification result when it failed.
fn handshake_error(ssl: &SslRef, error: boring::ssl::Error) -> Error {
    match ssl.verify_result() {
        // X509_V_ERR_INVALID_CALL: no certificate was verified.
        Err(verification) if verification.as_raw() != boring_sys::X509_V_ERR_INVALID_CALL => {
            Error::library(
                "TLS handshake",
                format!("{error} (certificate verification: {verification})"),
            )
        }
        _ => Error::library("TLS handshake", error),
    }
}

/// An established BoringSSL connection over a [`Socket`].
pub struct BoringStream {
    stream: SslStream<Socket>,
    /// 1-RTT bytes read while completing a 0-RTT handshake, not yet returned.
    pending: Vec<u8>,
}

impl Read for BoringStream {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            return self.stream.read(buffer);
        }
        let count = buffer.len().min(self.pending.len());
        buffer[..count].copy_from_slice(&self.pending[..count]);
        self.pending.drain(..count);
        Ok(count)
    }
}

impl Write for BoringStream {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.stream.write(data)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

impl TlsStream for BoringStream {
    fn send_close_notify(&mut self) -> Result<(), Error> {
        self.stream
            .shutdown()
            .map_err(|error| Error::library("sending close_notify", error))?;
        self.stream
            .flush()
            .map_err(|source| Error::io("flushing close_notify", source))
    }

    fn request_key_update(&mut self) -> Result<(), Error> {
        // SAFETY: a live SSL owned by the stream; the call only queues the
        // KeyUpdate, which goes out with the next write.
        let status = unsafe {
            boring_sys::SSL_key_update(self.stream.ssl().as_ptr(), SSL_KEY_UPDATE_NOT_REQUESTED)
        };
        if status == 1 {
            Ok(())
        } else {
            Err(Error::library(
                "SSL_key_update",
                boring::error::ErrorStack::get(),
            ))
        }
    }

    fn resumed(&self) -> bool {
        self.stream.ssl().session_reused()
    }

    fn early_data_accepted(&self) -> bool {
        // SAFETY: a live SSL owned by the stream; a read-only query.
        unsafe { boring_sys::SSL_early_data_accepted(self.stream.ssl().as_ptr()) == 1 }
    }

    fn negotiated_group(&self) -> Option<NamedGroup> {
        // SAFETY: a live SSL owned by the stream; a read-only query.
        let group = unsafe { boring_sys::SSL_get_curve_id(self.stream.ssl().as_ptr()) };
        match group {
            0 => None,
            SSL_CURVE_SECP256R1 => Some(NamedGroup::Secp256r1),
            SSL_CURVE_X25519 => Some(NamedGroup::X25519),
            _ => Some(NamedGroup::Other(
                self.stream
                    .ssl()
                    .curve_name()
                    .map_or_else(|| format!("group {group}"), str::to_string),
            )),
        }
    }
}
