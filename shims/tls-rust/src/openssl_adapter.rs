//! OpenSSL 3 (the system library, through the `openssl` crate) behind the
//! driver's traits.

use std::ffi::c_int;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex, PoisonError};

use foreign_types::ForeignTypeRef;
use openssl::error::ErrorStack;
use openssl::nid::Nid;
use openssl::ssl::{
    Ssl, SslContext, SslContextBuilder, SslFiletype, SslMethod, SslOptions, SslRef, SslSession,
    SslSessionCacheMode, SslStream, SslVerifyMode, SslVersion,
};

use crate::build_info::crate_version;
use crate::case::{Case, Role};
use crate::error::{Context, Error};
use crate::key_log::key_log;
use crate::library::{self, Library, NamedGroup, TlsStream};
use crate::pki::{Pki, PkiFile};
use crate::protocol::{MAX_EARLY_DATA_BYTES, PSK_IDENTITY, PSK_SECRET, SERVER_NAME};
use crate::transport::Socket;

// The `openssl` crate (0.10) and `openssl-sys` bind neither SSL_key_update nor
// SSL_get_early_data_status (both OpenSSL >= 1.1.1), so they are declared here.
unsafe extern "C" {
    fn SSL_key_update(ssl: *mut openssl_sys::SSL, update_type: c_int) -> c_int;
    fn SSL_get_early_data_status(ssl: *const openssl_sys::SSL) -> c_int;
}
/// `SSL_KEY_UPDATE_NOT_REQUESTED` from `<openssl/ssl.h>`.
const SSL_KEY_UPDATE_NOT_REQUESTED: c_int = 0;
/// `SSL_EARLY_DATA_ACCEPTED` from `<openssl/ssl.h>`.
const SSL_EARLY_DATA_ACCEPTED: c_int = 2;
/// `SSL_CTRL_GET_NEGOTIATED_GROUP`: `SSL_get_negotiated_group` is a macro over
/// `SSL_ctrl`, which the crate does not wrap.
const SSL_CTRL_GET_NEGOTIATED_GROUP: c_int = 134;

/// Groups for `hello_retry_request`: key share for the first only.
const CLIENT_RETRY_GROUPS: &str = "X25519:P-256";
const SERVER_RETRY_GROUPS: &str = "P-256";
/// `no_shared_group`: the client offers x25519 alone, the server P-256 alone.
const CLIENT_ONLY_GROUP: &str = "X25519";
/// The external PSK's cipher suite.
const PSK_CIPHER_SUITE: &str = "TLS_AES_128_GCM_SHA256";
const SESSION_ID_CONTEXT: &[u8] = b"crosscheck-tls-shims";

/// The system OpenSSL.
pub struct OpenSsl;

impl Library for OpenSsl {
    type Client = OpenSslClient;
    type Server = OpenSslServer;

    const OPTIONS_SYNOPSIS: &'static str = "";

    fn from_options(options: &[String]) -> Result<Self, String> {
        if options.is_empty() {
            Ok(OpenSsl)
        } else {
            Err(format!("unexpected options {options:?}"))
        }
    }

    fn unsupported(&self, _role: Role, _case: Case) -> Option<&'static str> {
        None
    }

    fn version(&self) -> String {
        // "OpenSSL 3.0.x  DD Mon YYYY" as the loaded library reports it.
        let text = openssl::version::version();
        let words: Vec<&str> = text.split_whitespace().take(2).collect();
        format!(
            "{} (openssl crate {})",
            words.join(" "),
            crate_version("openssl")
        )
    }

    fn client(&self, case: Case, pki: &Pki) -> Result<OpenSslClient, Error> {
        let mut builder =
            SslContext::builder(SslMethod::tls_client()).context("creating SSL_CTX")?;
        common_options(&mut builder);
        if case == Case::OutOfBandPsk {
            psk_only(&mut builder)?;
            // Authenticated by the PSK alone: the server sends no certificate.
            builder.set_verify(SslVerifyMode::NONE);
            builder.set_psk_client_callback(|_, _hint, identity, secret| {
                // The identity goes out as a NUL-terminated string.
                let identity_length = PSK_IDENTITY.len();
                if identity.len() <= identity_length || secret.len() < PSK_SECRET.len() {
                    return Err(ErrorStack::get());
                }
                identity[..identity_length].copy_from_slice(PSK_IDENTITY);
                identity[identity_length] = 0;
                secret[..PSK_SECRET.len()].copy_from_slice(&PSK_SECRET);
                Ok(PSK_SECRET.len())
            });
        } else {
            builder.set_verify(SslVerifyMode::PEER);
            builder
                .set_ca_file(pki.path(PkiFile::Ca)?)
                .context("loading ca-certificate.pem")?;
        }
        if case == Case::MtlsRequestResponse {
            certificate(&mut builder, pki, PkiFile::ClientChain, PkiFile::ClientKey)?;
        }
        if case == Case::HelloRetryRequest {
            builder
                .set_groups_list(CLIENT_RETRY_GROUPS)
                .context("setting the groups")?;
        }
        if case == Case::NoSharedGroup {
            builder
                .set_groups_list(CLIENT_ONLY_GROUP)
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
        Ok(OpenSslClient {
            context: builder.build(),
            verify_peer: case != Case::OutOfBandPsk,
            session,
        })
    }

    fn server(&self, case: Case, pki: &Pki) -> Result<OpenSslServer, Error> {
        let mut builder =
            SslContext::builder(SslMethod::tls_server()).context("creating SSL_CTX")?;
        common_options(&mut builder);
        builder
            .set_session_id_context(SESSION_ID_CONTEXT)
            .context("setting the session id context")?;
        if case == Case::OutOfBandPsk {
            // No certificate: the PSK authenticates both sides.
            psk_only(&mut builder)?;
            builder.set_psk_server_callback(|_, identity, secret| {
                if identity != Some(PSK_IDENTITY) || secret.len() < PSK_SECRET.len() {
                    return Ok(0);
                }
                secret[..PSK_SECRET.len()].copy_from_slice(&PSK_SECRET);
                Ok(PSK_SECRET.len())
            });
        } else {
            let (chain, key) = case.server_credentials();
            certificate(&mut builder, pki, chain, key)?;
        }
        if case.requires_client_certificate() {
            builder.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
            builder
                .set_ca_file(pki.path(PkiFile::Ca)?)
                .context("loading ca-certificate.pem")?;
        }
        if matches!(case, Case::HelloRetryRequest | Case::NoSharedGroup) {
            builder
                .set_groups_list(SERVER_RETRY_GROUPS)
                .context("setting the groups")?;
        }
        if case == Case::EarlyData {
            builder
                .set_max_early_data(MAX_EARLY_DATA_BYTES)
                .context("allowing early data")?;
        }
        Ok(OpenSslServer {
            context: builder.build(),
        })
    }
}

fn common_options(builder: &mut SslContextBuilder) {
    // A TCP end of stream without close_notify reads as the peer's close; the
    // driver knows every length it expects, so truncation is still caught.
    builder.set_options(SslOptions::IGNORE_UNEXPECTED_EOF);
    if let Some(key_log) = key_log() {
        builder.set_keylog_callback(|_, line| key_log.write_line(line.as_bytes()));
    }
}

fn psk_only(builder: &mut SslContextBuilder) -> Result<(), Error> {
    builder
        .set_min_proto_version(Some(SslVersion::TLS1_3))
        .context("requiring TLS 1.3")?;
    builder
        .set_ciphersuites(PSK_CIPHER_SUITE)
        .context("setting the PSK cipher suite")
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
pub struct OpenSslClient {
    context: SslContext,
    verify_peer: bool,
    session: Arc<Mutex<Option<SslSession>>>,
}

impl library::Client for OpenSslClient {
    type Stream = OpenSslStream;

    fn connect(
        &mut self,
        tcp: TcpStream,
        early_data: Option<&[u8]>,
    ) -> Result<OpenSslStream, Error> {
        let mut ssl = Ssl::new(&self.context).context("creating SSL")?;
        ssl.set_connect_state();
        ssl.set_hostname(SERVER_NAME).context("setting SNI")?;
        if self.verify_peer {
            ssl.param_mut()
                .set_host(SERVER_NAME)
                .context("setting the expected host name")?;
        }
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
        if let (Some(data), Some(session)) = (early_data, &session) {
            // Without a session that allows 0-RTT nothing is sent early and
            // `early_data_accepted` reports false.
            if session.max_early_data() > 0 {
                let mut sent = 0;
                while sent < data.len() {
                    sent += stream
                        .write_early_data(&data[sent..])
                        .map_err(|error| Error::library("sending early data", error))?;
                }
            }
        }
        stream
            .connect()
            .map_err(|error| handshake_error(stream.ssl(), error))?;
        Ok(OpenSslStream { stream })
    }
}

/// The server side; OpenSSL's session cache and tickets span connections.
pub struct OpenSslServer {
    context: SslContext,
}

impl library::Server for OpenSslServer {
    type Stream = OpenSslStream;

    fn accept(
        &mut self,
        tcp: TcpStream,
        early_data: Option<&mut Vec<u8>>,
    ) -> Result<OpenSslStream, Error> {
        let mut ssl = Ssl::new(&self.context).context("creating SSL")?;
        ssl.set_accept_state();
        let mut stream = SslStream::new(ssl, Socket::new(tcp)).context("creating the stream")?;
        if let Some(buffer) = early_data {
            let mut chunk = [0u8; 4096];
            loop {
                match stream.read_early_data(&mut chunk) {
                    Ok(0) => break,
                    Ok(count) => buffer.extend_from_slice(&chunk[..count]),
                    Err(error) => return Err(handshake_error(stream.ssl(), error)),
                }
            }
        }
        stream
            .accept()
            .map_err(|error| handshake_error(stream.ssl(), error))?;
        Ok(OpenSslStream { stream })
    }
}

/// A handshake error, with the certificate verification result when it failed.
fn handshake_error(ssl: &SslRef, error: openssl::ssl::Error) -> Error {
    let verification = ssl.verify_result();
    if verification == openssl::x509::X509VerifyResult::OK {
        Error::library("TLS handshake", error)
    } else {
        Error::library(
            "TLS handshake",
            format!("{error} (certificate verification: {verification})"),
        )
    }
}

/// An established OpenSSL connection over a [`Socket`].
pub struct OpenSslStream {
    stream: SslStream<Socket>,
}

impl Read for OpenSslStream {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.stream.read(buffer)
    }
}

impl Write for OpenSslStream {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.stream.write(data)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

impl TlsStream for OpenSslStream {
    fn send_close_notify(&mut self) -> Result<(), Error> {
        self.stream
            .shutdown()
            .map_err(|error| Error::library("sending close_notify", error))?;
        self.stream
            .flush()
            .map_err(|source| Error::io("flushing close_notify", source))
    }

    fn request_key_update(&mut self) -> Result<(), Error> {
        // SAFETY: a live SSL owned by the stream; the call only schedules the
        // KeyUpdate, which goes out with the next write.
        let status =
            unsafe { SSL_key_update(self.stream.ssl().as_ptr(), SSL_KEY_UPDATE_NOT_REQUESTED) };
        if status == 1 {
            Ok(())
        } else {
            Err(Error::library("SSL_key_update", ErrorStack::get()))
        }
    }

    fn resumed(&self) -> bool {
        self.stream.ssl().session_reused()
    }

    fn early_data_accepted(&self) -> bool {
        // SAFETY: a live SSL owned by the stream; read-only query.
        unsafe { SSL_get_early_data_status(self.stream.ssl().as_ptr()) == SSL_EARLY_DATA_ACCEPTED }
    }

    fn negotiated_group(&self) -> Option<NamedGroup> {
        // SAFETY: a live SSL owned by the stream; this control reads state only.
        let nid = unsafe {
            openssl_sys::SSL_ctrl(
                self.stream.ssl().as_ptr(),
                SSL_CTRL_GET_NEGOTIATED_GROUP,
                0,
                std::ptr::null_mut(),
            )
        };
        let nid = Nid::from_raw(c_int::try_from(nid).ok().filter(|nid| *nid > 0)?);
        Some(if nid == Nid::X9_62_PRIME256V1 {
            NamedGroup::Secp256r1
        } else if nid.as_raw() == openssl_sys::NID_X25519 {
            NamedGroup::X25519
        } else {
            NamedGroup::Other(nid.short_name().unwrap_or("unknown").to_string())
        })
    }
}
