//! GnuTLS (the system library, `libgnutls.so.30` from Debian's libgnutls30,
//! loaded when the shim starts) behind the driver's traits.
//!
//! Every session is limited to TLS 1.3 by its priority string. GnuTLS does
//! the I/O itself on the TCP socket's descriptor (`gnutls_transport_set_int2`).
//!
//! GnuTLS sends no alert of its own when a handshake fails (verification,
//! a missing client certificate, no common group): it leaves that to the
//! application, which sends `gnutls_alert_send_appropriate(session, error)`.
//! The adapter does so after every fatal error of its own side.
//!
//! `hello_retry_request`: the client's priority lists x25519 then secp256r1
//! and `GNUTLS_KEY_SHARE_TOP` limits its key shares to the first (by default
//! GnuTLS sends one for x25519 and one for secp256r1, being different kinds).
//!
//! As a receiver GnuTLS accepts at most 8 KeyUpdates per second
//! (`KEY_UPDATES_PER_WINDOW` in lib/tls13/key_update.c) and fails the
//! connection with `GNUTLS_E_TOO_MANY_HANDSHAKE_PACKETS` on the next one, so a
//! client in `large_data_download_with_frequent_key_updates` fails when the
//! server sends more than 8 KeyUpdates within a second.

use std::cell::RefCell;
use std::collections::HashSet;
use std::ffi::{CStr, CString, c_char, c_int, c_uint, c_void};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::rc::Rc;
use std::sync::{Mutex, PoisonError};

use crate::case::{Case, Role};
use crate::error::Error;
use crate::key_log::key_log;
use crate::library::{self, Library, NamedGroup, TlsStream};
use crate::pki::{Pki, PkiFile};
use crate::protocol::{MAX_EARLY_DATA_BYTES, PSK_IDENTITY, PSK_SECRET};

mod ffi;
use ffi::{Allocator, Datum, GnuTlsApi};

/// Every session: TLS 1.3 only.
const TLS13: &str = "NORMAL:-VERS-ALL:+VERS-TLS1.3";
/// `hello_retry_request` client: x25519 then secp256r1 (with
/// `GNUTLS_KEY_SHARE_TOP`: a key share for x25519 only).
const CLIENT_RETRY_GROUPS: &str = ":-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1";
/// `hello_retry_request` and `no_shared_group` server: secp256r1 alone.
const SERVER_ONLY_GROUP: &str = ":-GROUP-ALL:+GROUP-SECP256R1";
/// `no_shared_group` client: x25519 alone.
const CLIENT_ONLY_GROUP: &str = ":-GROUP-ALL:+GROUP-X25519";
/// `out_of_band_psk`: the PSK with (EC)DHE only (psk_dhe_ke), no certificate
/// key exchange, TLS_AES_128_GCM_SHA256 only.
const EXTERNAL_PSK: &str = ":-KX-ALL:+ECDHE-PSK:-CIPHER-ALL:+AES-128-GCM";

/// The name the client sends as SNI and checks on the server's certificate
/// (`protocol::SERVER_NAME`); GnuTLS keeps the pointer, so it is static.
const SERVER_NAME: &CStr = c"localhost";

/// Size of a GnuTLS session ticket encryption key (`TICKET_MASTER_KEY_SIZE`).
const TICKET_KEY_BYTES: usize = 64;

/// The system GnuTLS.
pub struct GnuTls;

impl Library for GnuTls {
    type Client = GnuTlsClient;
    type Server = GnuTlsServer;

    const OPTIONS_SYNOPSIS: &'static str = "";

    fn from_options(options: &[String]) -> Result<Self, String> {
        if options.is_empty() {
            Ok(GnuTls)
        } else {
            Err(format!("unexpected options {options:?}"))
        }
    }

    fn unsupported(&self, role: Role, case: Case) -> Option<&'static str> {
        match (role, case) {
            // Whether the 9th update inside a second arrives depends on how
            // fast the server writes: a verdict on that would be a verdict
            // on the machine's load.
            (Role::Client, Case::LargeDataDownloadWithFrequentKeyUpdates) => Some(
                "GnuTLS 3.7 accepts at most 8 KeyUpdates per second \
                 (KEY_UPDATES_PER_WINDOW, lib/tls13/key_update.c) and fails the next with \
                 GNUTLS_E_TOO_MANY_HANDSHAKE_PACKETS; the case's default sends 10 within milliseconds",
            ),
            _ => None,
        }
    }

    fn version(&self) -> String {
        match GnuTlsApi::get() {
            // SAFETY: with NULL, gnutls_check_version returns the library's
            // static version string.
            Ok(api) => match text(unsafe { (api.gnutls_check_version)(std::ptr::null()) }) {
                Some(version) => format!("GnuTLS {version} (libgnutls.so.30)"),
                None => "GnuTLS (libgnutls.so.30, version unknown)".to_string(),
            },
            Err(error) => format!("GnuTLS (not loaded: {error})"),
        }
    }

    fn client(&self, case: Case, pki: &Pki) -> Result<GnuTlsClient, Error> {
        let api = GnuTlsApi::get()?;
        let mut priority = TLS13.to_string();
        let mut flags = 0;
        let credentials = if case == Case::OutOfBandPsk {
            priority.push_str(EXTERNAL_PSK);
            Credentials::psk_client(api)?
        } else {
            let own = (case == Case::MtlsRequestResponse)
                .then_some((PkiFile::ClientChain, PkiFile::ClientKey));
            Credentials::certificate(api, pki, Some(PkiFile::Ca), own)?
        };
        match case {
            Case::HelloRetryRequest => {
                priority.push_str(CLIENT_RETRY_GROUPS);
                flags |= ffi::GNUTLS_KEY_SHARE_TOP;
            }
            Case::NoSharedGroup => priority.push_str(CLIENT_ONLY_GROUP),
            _ => {}
        }
        Ok(GnuTlsClient {
            api,
            credentials: Rc::new(credentials),
            priority: c_string(priority)?,
            flags,
            verify_server: case != Case::OutOfBandPsk,
            ticket: case.resumes().then(|| Rc::new(RefCell::new(None))),
        })
    }

    fn server(&self, case: Case, pki: &Pki) -> Result<GnuTlsServer, Error> {
        let api = GnuTlsApi::get()?;
        let mut priority = TLS13.to_string();
        let mut flags = 0;
        let credentials = if case == Case::OutOfBandPsk {
            // No certificate: the PSK authenticates both sides.
            priority.push_str(EXTERNAL_PSK);
            Credentials::psk_server(api)?
        } else {
            let trust = case.requires_client_certificate().then_some(PkiFile::Ca);
            Credentials::certificate(api, pki, trust, Some(case.server_credentials()))?
        };
        if matches!(case, Case::HelloRetryRequest | Case::NoSharedGroup) {
            priority.push_str(SERVER_ONLY_GROUP);
        }
        let ticket_key = if case.resumes() {
            let mut key = [0u8; TICKET_KEY_BYTES];
            // SAFETY: `key` has room for the requested bytes.
            let status = unsafe {
                (api.gnutls_rnd)(
                    ffi::GNUTLS_RND_KEY,
                    key.as_mut_ptr().cast::<c_void>(),
                    key.len(),
                )
            };
            check(api, status, "generating the session ticket key")?;
            Some(key)
        } else {
            None
        };
        let anti_replay = if case == Case::EarlyData {
            flags |= ffi::GNUTLS_ENABLE_EARLY_DATA;
            Some(Rc::new(AntiReplay::new(api)?))
        } else {
            None
        };
        Ok(GnuTlsServer {
            api,
            credentials: Rc::new(credentials),
            priority: c_string(priority)?,
            flags,
            require_client_certificate: case.requires_client_certificate(),
            ticket_key,
            anti_replay,
        })
    }
}

/// The client side; keeps the latest session (with its ticket) for the next
/// connection.
pub struct GnuTlsClient {
    api: &'static GnuTlsApi,
    credentials: Rc<Credentials>,
    priority: CString,
    flags: c_uint,
    verify_server: bool,
    ticket: Option<Rc<RefCell<Option<Vec<u8>>>>>,
}

impl library::Client for GnuTlsClient {
    type Stream = GnuTlsStream;

    fn connect(
        &mut self,
        tcp: TcpStream,
        early_data: Option<&[u8]>,
    ) -> Result<GnuTlsStream, Error> {
        let api = self.api;
        let session = Session::new(
            api,
            ffi::GNUTLS_CLIENT | self.flags,
            &self.priority,
            &self.credentials,
            &tcp,
        )?;
        let name = SERVER_NAME.to_bytes();
        // SAFETY: a live session; GnuTLS copies the name.
        let status = unsafe {
            (api.gnutls_server_name_set)(
                session.raw,
                ffi::GNUTLS_NAME_DNS,
                name.as_ptr().cast::<c_void>(),
                name.len(),
            )
        };
        session.check(status, "setting SNI")?;
        if self.verify_server {
            // SAFETY: a live session; the name is static, as GnuTLS keeps the
            // pointer.
            unsafe { (api.gnutls_session_set_verify_cert)(session.raw, SERVER_NAME.as_ptr(), 0) };
        }
        let ticket = self.ticket.as_ref().and_then(|slot| slot.borrow().clone());
        if let Some(ticket) = &ticket {
            // SAFETY: a live session; GnuTLS copies the data.
            let status = unsafe {
                (api.gnutls_session_set_data)(
                    session.raw,
                    ticket.as_ptr().cast::<c_void>(),
                    ticket.len(),
                )
            };
            session.check(status, "offering the earlier session")?;
        }
        if let (Some(data), Some(_)) = (early_data, &ticket) {
            // GnuTLS buffers the data and sends it with the ClientHello.
            // SAFETY: a live session; `data` is readable for its length.
            let sent = unsafe {
                (api.gnutls_record_send_early_data)(
                    session.raw,
                    data.as_ptr().cast::<c_void>(),
                    data.len(),
                )
            };
            match c_int::try_from(sent) {
                Ok(sent) if sent >= 0 => {}
                // The ticket allows no early data: nothing is sent early and
                // `early_data_accepted` reports false.
                Ok(ffi::GNUTLS_E_RECORD_LIMIT_REACHED) => {
                    eprintln!("note: the session ticket allows no early data; sent none");
                }
                Ok(status) => return Err(session.error("sending early data", status)),
                Err(_) => return Err(Error::library("sending early data", sent)),
            }
        }
        session.handshake()?;
        Ok(GnuTlsStream {
            session,
            _tcp: tcp,
            _credentials: Rc::clone(&self.credentials),
            _anti_replay: None,
            ticket: self.ticket.clone(),
        })
    }
}

/// The server side; the ticket key and the anti-replay state span
/// connections.
pub struct GnuTlsServer {
    api: &'static GnuTlsApi,
    credentials: Rc<Credentials>,
    priority: CString,
    flags: c_uint,
    require_client_certificate: bool,
    ticket_key: Option<[u8; TICKET_KEY_BYTES]>,
    anti_replay: Option<Rc<AntiReplay>>,
}

impl library::Server for GnuTlsServer {
    type Stream = GnuTlsStream;

    fn accept(
        &mut self,
        tcp: TcpStream,
        early_data: Option<&mut Vec<u8>>,
    ) -> Result<GnuTlsStream, Error> {
        let api = self.api;
        let session = Session::new(
            api,
            ffi::GNUTLS_SERVER | self.flags,
            &self.priority,
            &self.credentials,
            &tcp,
        )?;
        if self.require_client_certificate {
            // SAFETY: a live session.
            unsafe {
                (api.gnutls_certificate_server_set_request)(session.raw, ffi::GNUTLS_CERT_REQUIRE);
                // Verify the client's chain against the trusted CA; no name
                // to check.
                (api.gnutls_session_set_verify_cert)(session.raw, std::ptr::null(), 0);
            }
        }
        if let Some(key) = &self.ticket_key {
            let datum = Datum {
                data: key.as_ptr().cast_mut(),
                size: TICKET_KEY_BYTES as c_uint,
            };
            // SAFETY: a live session; GnuTLS copies the key and never writes
            // through the datum.
            let status = unsafe { (api.gnutls_session_ticket_enable_server)(session.raw, &datum) };
            session.check(status, "enabling session tickets")?;
        }
        if let Some(anti_replay) = &self.anti_replay {
            // SAFETY: a live session; the limit is a plain value and the
            // anti-replay context outlives the session (the stream holds it).
            let status = unsafe {
                (api.gnutls_anti_replay_enable)(session.raw, anti_replay.raw);
                (api.gnutls_record_set_max_early_data_size)(
                    session.raw,
                    MAX_EARLY_DATA_BYTES as usize,
                )
            };
            session.check(status, "allowing early data")?;
        }
        session.handshake()?;
        if let Some(buffer) = early_data {
            session.read_early_data(buffer)?;
        }
        Ok(GnuTlsStream {
            session,
            _tcp: tcp,
            _credentials: Rc::clone(&self.credentials),
            _anti_replay: self.anti_replay.clone(),
            ticket: None,
        })
    }
}

/// One GnuTLS session (`gnutls_session_t`), freed on drop.
struct Session {
    api: &'static GnuTlsApi,
    raw: ffi::Session,
}

impl Session {
    /// A session with `flags`, the priority string, the credentials and the
    /// key log, doing its I/O on `tcp`'s descriptor.
    fn new(
        api: &'static GnuTlsApi,
        flags: c_uint,
        priority: &CStr,
        credentials: &Credentials,
        tcp: &TcpStream,
    ) -> Result<Session, Error> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: `raw` receives a new session or stays null on failure.
        let status = unsafe { (api.gnutls_init)(&mut raw, flags | ffi::GNUTLS_NO_SIGNAL) };
        check(api, status, "gnutls_init")?;
        if raw.is_null() {
            return Err(Error::library("gnutls_init", "no session"));
        }
        let session = Session { api, raw };
        let mut error_position: *const c_char = std::ptr::null();
        // SAFETY: a live session and a NUL-terminated priority string; on
        // failure `error_position` points into that string.
        let status = unsafe {
            (api.gnutls_priority_set_direct)(session.raw, priority.as_ptr(), &mut error_position)
        };
        if status < 0 {
            let at = text(error_position).unwrap_or_default();
            return Err(Error::library(
                format!("setting the priority string {priority:?} (at {at:?})"),
                describe(api, status),
            ));
        }
        credentials.set_on(&session)?;
        if key_log().is_some() {
            // SAFETY: a live session; the callback has the expected prototype.
            unsafe { (api.gnutls_session_set_keylog_function)(session.raw, Some(log_secret)) };
        }
        let fd = tcp.as_raw_fd();
        // SAFETY: a live session; the descriptor stays open as long as the
        // session (the stream owns both and frees the session first).
        unsafe { (api.gnutls_transport_set_int2)(session.raw, fd, fd) };
        Ok(session)
    }

    /// Runs the handshake to its end; on a failure of this side, sends the
    /// alert GnuTLS names for it.
    fn handshake(&self) -> Result<(), Error> {
        loop {
            // SAFETY: a live session with its transport set.
            let status = unsafe { (self.api.gnutls_handshake)(self.raw) };
            if status >= 0 {
                return Ok(());
            }
            if !self.is_fatal(status) {
                continue; // interrupted, or a warning alert
            }
            self.send_alert_for(status);
            return Err(self.error("TLS handshake", status));
        }
    }

    /// Appends the 0-RTT data the server accepted (none if it accepted none).
    fn read_early_data(&self, buffer: &mut Vec<u8>) -> Result<(), Error> {
        let mut chunk = [0u8; 4096];
        loop {
            // SAFETY: a live session; `chunk` is writable for its length.
            let count = unsafe {
                (self.api.gnutls_record_recv_early_data)(
                    self.raw,
                    chunk.as_mut_ptr().cast::<c_void>(),
                    chunk.len(),
                )
            };
            match usize::try_from(count) {
                Ok(0) => return Ok(()),
                Ok(count) => buffer.extend_from_slice(chunk.get(..count).unwrap_or(&chunk)),
                Err(_) => {
                    let status = c_int::try_from(count).unwrap_or(c_int::MIN);
                    if status == ffi::GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE {
                        return Ok(());
                    }
                    return Err(self.error("reading early data", status));
                }
            }
        }
    }

    /// The session's data (ticket and secrets) for resuming it, once a
    /// ticket has arrived.
    fn resumption_data(&self) -> Option<Vec<u8>> {
        // SAFETY: a live session; read-only query.
        let flags = unsafe { (self.api.gnutls_session_get_flags)(self.raw) };
        if flags & ffi::GNUTLS_SFLAGS_SESSION_TICKET == 0 {
            return None;
        }
        let mut size = 0usize;
        // SAFETY: a live session; with no buffer GnuTLS only sets the size.
        unsafe { (self.api.gnutls_session_get_data)(self.raw, std::ptr::null_mut(), &mut size) };
        let mut data = vec![0u8; size];
        // SAFETY: `data` is writable for `size` bytes, which GnuTLS checks.
        let status = unsafe {
            (self.api.gnutls_session_get_data)(
                self.raw,
                data.as_mut_ptr().cast::<c_void>(),
                &mut size,
            )
        };
        if status < 0 {
            eprintln!(
                "note: cannot keep the session for resumption: {}",
                describe(self.api, status)
            );
            return None;
        }
        data.truncate(size);
        Some(data)
    }

    fn is_fatal(&self, status: c_int) -> bool {
        // SAFETY: a pure function of the error code.
        unsafe { (self.api.gnutls_error_is_fatal)(status) != 0 }
    }

    /// After a fatal error of this side, the alert GnuTLS maps it to; none
    /// when the peer sent an alert or the connection itself failed.
    fn send_alert_for(&self, status: c_int) {
        if matches!(
            status,
            ffi::GNUTLS_E_FATAL_ALERT_RECEIVED
                | ffi::GNUTLS_E_PREMATURE_TERMINATION
                | ffi::GNUTLS_E_PUSH_ERROR
                | ffi::GNUTLS_E_PULL_ERROR
        ) {
            return;
        }
        // SAFETY: a live session; the alert goes out on its transport. Its
        // own failure changes nothing: the connection has failed already.
        unsafe { (self.api.gnutls_alert_send_appropriate)(self.raw, status) };
    }

    /// `status` as a success, or an error while doing `what`.
    fn check(&self, status: c_int, what: &str) -> Result<(), Error> {
        if status < 0 {
            Err(self.error(what, status))
        } else {
            Ok(())
        }
    }

    /// The library's error `status` while doing `what`, with the alert
    /// received or the certificate verification result where they explain it.
    fn error(&self, what: &str, status: c_int) -> Error {
        let mut detail = describe(self.api, status);
        match status {
            ffi::GNUTLS_E_FATAL_ALERT_RECEIVED => {
                // SAFETY: a live session; the alert's name is static text.
                let alert = unsafe {
                    text((self.api.gnutls_alert_get_name)((self
                        .api
                        .gnutls_alert_get)(
                        self.raw
                    )))
                };
                detail.push_str(&format!(": {}", alert.unwrap_or("unknown alert")));
            }
            ffi::GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR => {
                if let Some(reason) = self.verification_status() {
                    detail.push_str(&format!(": {reason}"));
                }
            }
            _ => {}
        }
        Error::library(what, detail)
    }

    /// GnuTLS's description of why the peer's certificate did not verify.
    fn verification_status(&self) -> Option<String> {
        let allocator = Allocator::get().ok()?;
        // SAFETY: a live session; read-only query.
        let status = unsafe { (self.api.gnutls_session_get_verify_cert_status)(self.raw) };
        let mut out = Datum {
            data: std::ptr::null_mut(),
            size: 0,
        };
        // SAFETY: `out` receives text allocated with gnutls_malloc.
        let result = unsafe {
            (self.api.gnutls_certificate_verification_status_print)(
                status,
                ffi::GNUTLS_CRT_X509,
                &mut out,
                0,
            )
        };
        if result < 0 || out.data.is_null() {
            return None;
        }
        // SAFETY: GnuTLS handed over `size` bytes at `data`.
        let reason = String::from_utf8_lossy(unsafe { datum_bytes(&out) }).into_owned();
        // SAFETY: allocated by GnuTLS for the caller to free with gnutls_free.
        unsafe { (allocator.free)(out.data.cast::<c_void>()) };
        Some(reason.trim_end_matches('\0').trim().to_string())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // SAFETY: the session is live and freed only here.
        unsafe { (self.api.gnutls_deinit)(self.raw) };
    }
}

/// A credentials structure a session refers to (GnuTLS does not copy it),
/// freed on drop after every session using it.
enum CredentialsKind {
    Certificate(ffi::CertificateCredentials),
    PskClient(ffi::PskClientCredentials),
    PskServer(ffi::PskServerCredentials),
}

struct Credentials {
    api: &'static GnuTlsApi,
    kind: CredentialsKind,
}

impl Credentials {
    /// Certificate credentials trusting `trust` and presenting `own` (chain, key).
    fn certificate(
        api: &'static GnuTlsApi,
        pki: &Pki,
        trust: Option<PkiFile>,
        own: Option<(PkiFile, PkiFile)>,
    ) -> Result<Credentials, Error> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: `raw` receives new credentials.
        let status = unsafe { (api.gnutls_certificate_allocate_credentials)(&mut raw) };
        check(api, status, "allocating certificate credentials")?;
        let credentials = Credentials {
            api,
            kind: CredentialsKind::Certificate(raw),
        };
        if let Some(ca) = trust {
            let path = path_c_string(&pki.path(ca)?)?;
            // SAFETY: live credentials and a NUL-terminated path.
            let status = unsafe {
                (api.gnutls_certificate_set_x509_trust_file)(
                    raw,
                    path.as_ptr(),
                    ffi::GNUTLS_X509_FMT_PEM,
                )
            };
            check(api, status, &format!("loading {}", ca.file_name()))?;
            if status == 0 {
                return Err(Error::library(
                    format!("loading {}", ca.file_name()),
                    "no certificate in the file",
                ));
            }
        }
        if let Some((chain, key)) = own {
            let chain_path = path_c_string(&pki.path(chain)?)?;
            let key_path = path_c_string(&pki.path(key)?)?;
            // SAFETY: live credentials and NUL-terminated paths; the key is
            // not encrypted (no password).
            let status = unsafe {
                (api.gnutls_certificate_set_x509_key_file2)(
                    raw,
                    chain_path.as_ptr(),
                    key_path.as_ptr(),
                    ffi::GNUTLS_X509_FMT_PEM,
                    std::ptr::null(),
                    0,
                )
            };
            check(
                api,
                status,
                &format!("loading {} and {}", chain.file_name(), key.file_name()),
            )?;
        }
        Ok(credentials)
    }

    /// The client's external PSK: identity and raw 32-byte key.
    fn psk_client(api: &'static GnuTlsApi) -> Result<Credentials, Error> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: `raw` receives new credentials.
        let status = unsafe { (api.gnutls_psk_allocate_client_credentials)(&mut raw) };
        check(api, status, "allocating PSK credentials")?;
        let credentials = Credentials {
            api,
            kind: CredentialsKind::PskClient(raw),
        };
        let identity = Datum {
            data: PSK_IDENTITY.as_ptr().cast_mut(),
            size: PSK_IDENTITY.len() as c_uint,
        };
        let key = Datum {
            data: PSK_SECRET.as_ptr().cast_mut(),
            size: PSK_SECRET.len() as c_uint,
        };
        // SAFETY: live credentials; GnuTLS copies both and writes through
        // neither.
        let status = unsafe {
            (api.gnutls_psk_set_client_credentials2)(raw, &identity, &key, ffi::GNUTLS_PSK_KEY_RAW)
        };
        check(api, status, "setting the PSK")?;
        Ok(credentials)
    }

    /// The server's external PSK, looked up by identity.
    fn psk_server(api: &'static GnuTlsApi) -> Result<Credentials, Error> {
        // The key is handed over in memory GnuTLS frees.
        Allocator::get()?;
        let mut raw = std::ptr::null_mut();
        // SAFETY: `raw` receives new credentials.
        let status = unsafe { (api.gnutls_psk_allocate_server_credentials)(&mut raw) };
        check(api, status, "allocating PSK credentials")?;
        // SAFETY: live credentials; the callback has the expected prototype.
        unsafe { (api.gnutls_psk_set_server_credentials_function2)(raw, Some(psk_for_identity)) };
        Ok(Credentials {
            api,
            kind: CredentialsKind::PskServer(raw),
        })
    }

    fn set_on(&self, session: &Session) -> Result<(), Error> {
        let (kind, raw) = match self.kind {
            CredentialsKind::Certificate(raw) => {
                (ffi::GNUTLS_CRD_CERTIFICATE, raw.cast::<c_void>())
            }
            CredentialsKind::PskClient(raw) => (ffi::GNUTLS_CRD_PSK, raw.cast::<c_void>()),
            CredentialsKind::PskServer(raw) => (ffi::GNUTLS_CRD_PSK, raw.cast::<c_void>()),
        };
        // SAFETY: a live session and live credentials, which outlive it (the
        // stream holds them).
        let status = unsafe { (self.api.gnutls_credentials_set)(session.raw, kind, raw) };
        session.check(status, "setting the credentials")
    }
}

impl Drop for Credentials {
    fn drop(&mut self) {
        // SAFETY: the credentials are live, freed only here, and no session
        // uses them any more.
        unsafe {
            match self.kind {
                CredentialsKind::Certificate(raw) => {
                    (self.api.gnutls_certificate_free_credentials)(raw)
                }
                CredentialsKind::PskClient(raw) => {
                    (self.api.gnutls_psk_free_client_credentials)(raw)
                }
                CredentialsKind::PskServer(raw) => {
                    (self.api.gnutls_psk_free_server_credentials)(raw)
                }
            }
        }
    }
}

/// The server's 0-RTT replay protection (GnuTLS accepts early data only with
/// one): every ClientHello it is shown is new, or the early data is refused.
struct AntiReplay {
    api: &'static GnuTlsApi,
    raw: ffi::AntiReplay,
    // Boxed so its address, handed to GnuTLS, stays put.
    _seen: Box<Mutex<HashSet<Vec<u8>>>>,
}

impl AntiReplay {
    fn new(api: &'static GnuTlsApi) -> Result<AntiReplay, Error> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: `raw` receives a new anti-replay context.
        let status = unsafe { (api.gnutls_anti_replay_init)(&mut raw) };
        check(api, status, "setting up anti-replay")?;
        let seen = Box::new(Mutex::new(HashSet::new()));
        let pointer = std::ptr::from_ref::<Mutex<HashSet<Vec<u8>>>>(&seen).cast_mut();
        // SAFETY: a live context; the pointer is the boxed set, which lives
        // as long as the context.
        unsafe {
            (api.gnutls_anti_replay_set_ptr)(raw, pointer.cast::<c_void>());
            (api.gnutls_anti_replay_set_add_function)(raw, Some(remember_client_hello));
        }
        Ok(AntiReplay {
            api,
            raw,
            _seen: seen,
        })
    }
}

impl Drop for AntiReplay {
    fn drop(&mut self) {
        // SAFETY: the context is live, freed only here, after every session.
        unsafe { (self.api.gnutls_anti_replay_deinit)(self.raw) };
    }
}

/// An established GnuTLS connection; owns its socket, the credentials and
/// anti-replay context its session refers to.
pub struct GnuTlsStream {
    // Declared first so the session is freed before what it refers to.
    session: Session,
    _tcp: TcpStream,
    _credentials: Rc<Credentials>,
    _anti_replay: Option<Rc<AntiReplay>>,
    /// Client side of resumption: where the session goes for the next connection.
    ticket: Option<Rc<RefCell<Option<Vec<u8>>>>>,
}

impl Drop for GnuTlsStream {
    fn drop(&mut self) {
        // TLS 1.3 tickets arrive after the handshake: the session is kept
        // when the connection is done, with the latest ticket.
        if let Some(slot) = &self.ticket
            && let Some(data) = self.session.resumption_data()
        {
            *slot.borrow_mut() = Some(data);
        }
    }
}

impl GnuTlsStream {
    /// An I/O error for a GnuTLS error code, after sending the alert for it.
    fn io_error(&self, what: &str, status: c_int) -> io::Error {
        self.session.send_alert_for(status);
        let error = self.session.error(what, status);
        if status == ffi::GNUTLS_E_PREMATURE_TERMINATION {
            io::Error::new(io::ErrorKind::UnexpectedEof, error.to_string())
        } else {
            io::Error::other(error.to_string())
        }
    }

    /// Retries `call` while GnuTLS reports it was interrupted (or, in
    /// blocking mode, handled a post-handshake message such as a ticket or
    /// KeyUpdate and has nothing to return yet).
    fn retrying(&self, mut call: impl FnMut() -> isize) -> Result<usize, c_int> {
        loop {
            let result = call();
            match usize::try_from(result) {
                Ok(count) => return Ok(count),
                Err(_) => {
                    let status = c_int::try_from(result).unwrap_or(c_int::MIN);
                    if status != ffi::GNUTLS_E_AGAIN && status != ffi::GNUTLS_E_INTERRUPTED {
                        return Err(status);
                    }
                }
            }
        }
    }
}

impl Read for GnuTlsStream {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let (api, raw) = (self.session.api, self.session.raw);
        // SAFETY: a live session; `buffer` is writable for its length.
        self.retrying(|| unsafe {
            (api.gnutls_record_recv)(raw, buffer.as_mut_ptr().cast::<c_void>(), buffer.len())
        })
        .map_err(|status| self.io_error("gnutls_record_recv", status))
    }
}

impl Write for GnuTlsStream {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let (api, raw) = (self.session.api, self.session.raw);
        // SAFETY: a live session; `data` is readable for its length (and the
        // same on a retry, as GnuTLS asks).
        self.retrying(|| unsafe {
            (api.gnutls_record_send)(raw, data.as_ptr().cast::<c_void>(), data.len())
        })
        .map_err(|status| self.io_error("gnutls_record_send", status))
    }

    fn flush(&mut self) -> io::Result<()> {
        // gnutls_record_send has put every record on the socket.
        Ok(())
    }
}

impl TlsStream for GnuTlsStream {
    fn send_close_notify(&mut self) -> Result<(), Error> {
        let (api, raw) = (self.session.api, self.session.raw);
        // SAFETY: a live session; SHUT_WR sends close_notify without waiting
        // for the peer's.
        self.retrying(|| unsafe { (api.gnutls_bye)(raw, ffi::GNUTLS_SHUT_WR) as isize })
            .map(|_| ())
            .map_err(|status| self.session.error("gnutls_bye", status))
    }

    fn request_key_update(&mut self) -> Result<(), Error> {
        let (api, raw) = (self.session.api, self.session.raw);
        // SAFETY: a live session; flags 0 sends a KeyUpdate with
        // update_not_requested (GNUTLS_KU_PEER would request the peer's).
        self.retrying(|| unsafe { (api.gnutls_session_key_update)(raw, 0) as isize })
            .map(|_| ())
            .map_err(|status| self.session.error("gnutls_session_key_update", status))
    }

    fn resumed(&self) -> bool {
        // SAFETY: a live session; read-only query.
        unsafe { (self.session.api.gnutls_session_is_resumed)(self.session.raw) != 0 }
    }

    fn early_data_accepted(&self) -> bool {
        // SAFETY: a live session; read-only query.
        let flags = unsafe { (self.session.api.gnutls_session_get_flags)(self.session.raw) };
        flags & ffi::GNUTLS_SFLAGS_EARLY_DATA != 0
    }

    fn negotiated_group(&self) -> Option<NamedGroup> {
        let api = self.session.api;
        // SAFETY: a live session; read-only query.
        let group = unsafe { (api.gnutls_group_get)(self.session.raw) };
        Some(match group {
            0 => return None,
            ffi::GNUTLS_GROUP_SECP256R1 => NamedGroup::Secp256r1,
            ffi::GNUTLS_GROUP_X25519 => NamedGroup::X25519,
            // SAFETY: the group's name is static text (or null).
            other => NamedGroup::Other(
                text(unsafe { (api.gnutls_group_get_name)(other) })
                    .unwrap_or("unknown")
                    .to_string(),
            ),
        })
    }
}

/// GnuTLS's key log callback: one NSS key log line per secret.
///
/// # Safety
/// GnuTLS passes a live session, a NUL-terminated label and a secret.
unsafe extern "C" fn log_secret(
    session: ffi::Session,
    label: *const c_char,
    secret: *const Datum,
) -> c_int {
    let (Some(key_log), Ok(api)) = (key_log(), GnuTlsApi::get()) else {
        return 0;
    };
    if label.is_null() || secret.is_null() {
        return 0;
    }
    let mut client_random = Datum {
        data: std::ptr::null_mut(),
        size: 0,
    };
    let mut server_random = Datum {
        data: std::ptr::null_mut(),
        size: 0,
    };
    // SAFETY: guaranteed by the caller; the randoms point into the session.
    let (label, secret, client_random) = unsafe {
        (api.gnutls_session_get_random)(session, &mut client_random, &mut server_random);
        (
            CStr::from_ptr(label).to_bytes(),
            datum_bytes(&*secret),
            datum_bytes(&client_random),
        )
    };
    let mut line = label.to_vec();
    line.push(b' ');
    line.extend_from_slice(hex(client_random).as_bytes());
    line.push(b' ');
    line.extend_from_slice(hex(secret).as_bytes());
    key_log.write_line(&line);
    0
}

/// GnuTLS's PSK lookup: the external PSK for its identity, in memory from
/// gnutls_malloc (GnuTLS frees it); -1 for any other identity.
///
/// # Safety
/// GnuTLS passes the identity the client offered and a datum to fill.
unsafe extern "C" fn psk_for_identity(
    _session: ffi::Session,
    username: *const Datum,
    key: *mut Datum,
) -> c_int {
    if username.is_null() || key.is_null() {
        return -1;
    }
    // SAFETY: guaranteed by the caller.
    if unsafe { datum_bytes(&*username) } != PSK_IDENTITY {
        return -1;
    }
    let Ok(allocator) = Allocator::get() else {
        return -1;
    };
    // SAFETY: a plain allocation.
    let data = unsafe { (allocator.malloc)(PSK_SECRET.len()) }.cast::<u8>();
    if data.is_null() {
        return -1;
    }
    // SAFETY: `data` has room for the secret; `key` is the caller's datum.
    unsafe {
        std::ptr::copy_nonoverlapping(PSK_SECRET.as_ptr(), data, PSK_SECRET.len());
        (*key).data = data;
        (*key).size = PSK_SECRET.len() as c_uint;
    }
    0
}

/// The anti-replay store's add function: 0 for a new ClientHello,
/// `GNUTLS_E_DB_ENTRY_EXISTS` for one seen before.
///
/// # Safety
/// `pointer` is the set `AntiReplay::new` registered; `key` is a datum.
unsafe extern "C" fn remember_client_hello(
    pointer: *mut c_void,
    _expiry: i64,
    key: *const Datum,
    _data: *const Datum,
) -> c_int {
    if pointer.is_null() || key.is_null() {
        return ffi::GNUTLS_E_DB_ENTRY_EXISTS;
    }
    // SAFETY: guaranteed by the caller.
    let (seen, key) = unsafe {
        (
            &*pointer.cast::<Mutex<HashSet<Vec<u8>>>>(),
            datum_bytes(&*key).to_vec(),
        )
    };
    if seen
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key)
    {
        0
    } else {
        ffi::GNUTLS_E_DB_ENTRY_EXISTS
    }
}

/// The bytes of a datum.
///
/// # Safety
/// `datum.data` is null or readable for `datum.size` bytes while the result
/// is used.
unsafe fn datum_bytes(datum: &Datum) -> &[u8] {
    if datum.data.is_null() || datum.size == 0 {
        return &[];
    }
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts(datum.data, datum.size as usize) }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A static C string from GnuTLS, if there is one.
fn text(pointer: *const c_char) -> Option<&'static str> {
    if pointer.is_null() {
        return None;
    }
    // SAFETY: GnuTLS's names and messages are static NUL-terminated strings.
    unsafe { CStr::from_ptr(pointer) }.to_str().ok()
}

/// GnuTLS's message and name for an error code.
fn describe(api: &GnuTlsApi, status: c_int) -> String {
    // SAFETY: pure functions of the code returning static text.
    let (message, name) = unsafe {
        (
            text((api.gnutls_strerror)(status)),
            text((api.gnutls_strerror_name)(status)),
        )
    };
    format!(
        "{} ({})",
        message.unwrap_or("unknown error"),
        name.map_or_else(|| status.to_string(), str::to_string)
    )
}

fn check(api: &GnuTlsApi, status: c_int, what: &str) -> Result<(), Error> {
    if status < 0 {
        Err(Error::library(what, describe(api, status)))
    } else {
        Ok(())
    }
}

fn c_string(text: String) -> Result<CString, Error> {
    CString::new(text).map_err(|error| Error::library("building a C string", error))
}

fn path_c_string(path: &Path) -> Result<CString, Error> {
    CString::new(path.as_os_str().as_bytes()).map_err(|_| {
        Error::library(
            format!("using {}", path.display()),
            "the path contains a NUL byte",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_static_server_name_is_the_shared_one() {
        assert_eq!(SERVER_NAME.to_str(), Ok(crate::protocol::SERVER_NAME));
    }

    #[test]
    fn hex_is_lower_case_pairs() {
        assert_eq!(hex(&[0x00, 0xab, 0x1f]), "00ab1f");
    }
}
