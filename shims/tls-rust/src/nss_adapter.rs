//! NSS (Debian's libnss3, with NSPR) behind the driver's traits, loaded at
//! run time.
//!
//! NSS runs without a certificate database (`NSS_NoDB_Init`): certificates
//! are temporary, keys are session objects in the internal slot, and the
//! test CA, marked trusted, is the only trust anchor; NSS's own certificate
//! hook verifies peers against it (and a server's name against the client's
//! `SSL_SetURL`). Each connection is the accepted or connected TCP socket
//! handed to NSPR (`PR_ImportTCPSocket`), with the adapter's pass-through
//! I/O layer (see `socket`) and NSS's TLS layer (`SSL_ImportFD`) on top,
//! TLS 1.3 only. Resumption goes through NSS's resumption tokens, 0-RTT
//! through the server's anti-replay context, the external PSK through
//! `SSL_AddExternalPsk`, KeyUpdates through `SSL_KeyUpdate`
//! (update_not_requested), and the key log through the secret callback (see
//! `key_log`); the experimental functions are looked up by name as
//! `sslexp.h` does.
//!
//! In `out_of_band_psk` the server is configured with its certificate too,
//! because NSS 3.87 will not start a TLS 1.3 server handshake without one
//! (`ssl_CheckSignatureSchemes`); it is never sent, and both sides check
//! that the external PSK authenticated the handshake.

mod credentials;
mod ffi;
mod key_log;
mod socket;

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::ffi::{CStr, c_int, c_uint, c_void};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::{FromRawFd, IntoRawFd};
use std::ptr::{self, NonNull};
use std::rc::Rc;
use std::sync::OnceLock;

use crate::case::{Case, Role};
use crate::error::Error;
use crate::key_log::key_log;
use crate::library::{self, Library, NamedGroup, TlsStream};
use crate::pki::{Pki, PkiFile};
use crate::protocol::{MAX_EARLY_DATA_BYTES, PSK_IDENTITY, PSK_SECRET, SERVER_NAME};

use credentials::{
    ClientCredentials, PrivateKey, ServerCredentials, TrustedCa, client_credentials_hook,
    refuse_certificates_hook,
};
use ffi::{
    CKA_DERIVE, CKM_HKDF_KEY_GEN, Experimental, Nspr4, Nss3, PK11_ORIGIN_UNWRAP, PK11SymKey,
    PR_END_OF_FILE_ERROR, PR_FALSE, PR_SHUTDOWN_SEND, PR_SUCCESS, PR_TRUE, PR_WOULD_BLOCK_ERROR,
    PRErrorCode, PRFileDesc, SEC_SUCCESS, SECItem, SECStatus, SSL_ENABLE_0RTT_DATA,
    SSL_ENABLE_SESSION_TICKETS, SSL_GRP_EC_CURVE25519, SSL_GRP_EC_SECP256R1, SSL_HASH_SHA256,
    SSL_LIBRARY_VERSION_TLS_1_3, SSL_PSK_EXTERNAL, SSL_REQUEST_CERTIFICATE, SSL_REQUIRE_ALWAYS,
    SSL_REQUIRE_CERTIFICATE, SSL_REQUIRE_NEVER, SSL_SECURITY, SSLAntiReplayContext, SSLChannelInfo,
    SSLNamedGroup, SSLPreliminaryChannelInfo, SSLVersionRange, Ssl3, TLS_AES_256_GCM_SHA384,
    TLS_CHACHA20_POLY1305_SHA256,
};
use key_log::KeyLogger;
use socket::SocketState;

/// Groups for `hello_retry_request`: the client offers x25519 then
/// secp256r1 with a key share for x25519 only; the server takes secp256r1.
const CLIENT_RETRY_GROUPS: [SSLNamedGroup; 2] = [SSL_GRP_EC_CURVE25519, SSL_GRP_EC_SECP256R1];
const SERVER_GROUPS: [SSLNamedGroup; 1] = [SSL_GRP_EC_SECP256R1];
/// `no_shared_group`: the client offers x25519 alone.
const CLIENT_ONLY_GROUP: [SSLNamedGroup; 1] = [SSL_GRP_EC_CURVE25519];
/// The anti-replay window for 0-RTT (microseconds): 10 s.
const ANTI_REPLAY_WINDOW: i64 = 10_000_000;
/// Bloom filter parameters of the anti-replay context (`sslexp.h`'s example
/// for a 1% false positive rate over 1000 handshakes).
const ANTI_REPLAY_HASHES: c_uint = 7;
const ANTI_REPLAY_BITS: c_uint = 14;

/// Debian's NSS 3 with NSPR 4.
pub struct Nss;

impl Library for Nss {
    type Client = NssClient;
    type Server = NssServer;

    const OPTIONS_SYNOPSIS: &'static str = "";

    fn from_options(options: &[String]) -> Result<Self, String> {
        if options.is_empty() {
            Ok(Nss)
        } else {
            Err(format!("unexpected options {options:?}"))
        }
    }

    fn unsupported(&self, _role: Role, _case: Case) -> Option<&'static str> {
        None
    }

    fn version(&self) -> String {
        let version = |text: *const std::ffi::c_char| {
            if text.is_null() {
                "unknown".to_string()
            } else {
                // SAFETY: NSS and NSPR return static NUL-terminated strings.
                unsafe { CStr::from_ptr(text) }
                    .to_string_lossy()
                    .into_owned()
            }
        };
        match (Nss3::get(), Nspr4::get()) {
            // SAFETY: version queries without preconditions.
            (Ok(nss), Ok(nspr)) => unsafe {
                format!(
                    "NSS {} (NSPR {})",
                    version((nss.NSS_GetVersion)()),
                    version((nspr.PR_GetVersion)())
                )
            },
            (Err(error), _) | (_, Err(error)) => format!("NSS (not loadable: {error})"),
        }
    }

    fn client(&self, case: Case, pki: &Pki) -> Result<NssClient, Error> {
        initialise()?;
        let external_psk = case == Case::OutOfBandPsk;
        let trusted_ca = if external_psk {
            None
        } else {
            Some(TrustedCa::load(pki)?)
        };
        let credentials = if case == Case::MtlsRequestResponse {
            Some(Rc::new(ClientCredentials {
                chain: credentials::Chain::load(pki, PkiFile::ClientChain)?,
                key: PrivateKey::load(pki, PkiFile::ClientKey)?,
            }))
        } else {
            None
        };
        Ok(NssClient {
            case,
            _trusted_ca: trusted_ca,
            credentials,
            psk: external_psk.then(SymKey::external_psk).transpose()?,
            token: Rc::new(TokenSlot::default()),
        })
    }

    fn server(&self, case: Case, pki: &Pki) -> Result<NssServer, Error> {
        initialise()?;
        server_session_cache()?;
        let external_psk = case == Case::OutOfBandPsk;
        // With the external PSK too: a TLS 1.3 server in NSS 3.87 refuses to
        // start a handshake without a certificate for some signature scheme
        // (ssl_CheckSignatureSchemes), even one it will authenticate with a
        // PSK alone. The certificate is never sent then, and `accept`
        // checks that the PSK, not the certificate, authenticated.
        let (chain, key) = case.server_credentials();
        let credentials = ServerCredentials {
            chain: credentials::Chain::load(pki, chain)?,
            key: PrivateKey::load(pki, key)?,
        };
        let trusted_ca = case
            .requires_client_certificate()
            .then(|| TrustedCa::load(pki))
            .transpose()?;
        Ok(NssServer {
            case,
            credentials,
            trusted_ca,
            psk: external_psk.then(SymKey::external_psk).transpose()?,
            anti_replay: (case == Case::EarlyData)
                .then(AntiReplay::new)
                .transpose()?,
        })
    }
}

/// Loads the libraries and initialises NSS once: no database, the cipher
/// suite policy that allows every suite NSS implements.
fn initialise() -> Result<(), Error> {
    static INITIALISED: OnceLock<Result<(), String>> = OnceLock::new();
    let (nss, ssl) = (Nss3::get()?, Ssl3::get()?);
    Nspr4::get()?;
    INITIALISED
        .get_or_init(|| {
            // SAFETY: NSS's initialisation, once per process, no database.
            if unsafe { (nss.NSS_NoDB_Init)(ptr::null()) } != SEC_SUCCESS {
                return Err(nss_error("NSS_NoDB_Init").to_string());
            }
            // SAFETY: sets process-wide cipher policy after NSS_NoDB_Init.
            if unsafe { (ssl.NSS_SetDomesticPolicy)() } != SEC_SUCCESS {
                return Err(nss_error("NSS_SetDomesticPolicy").to_string());
            }
            Experimental::get().map_err(|error| error.to_string())?;
            Ok(())
        })
        .clone()
        .map_err(|message| Error::library("initialising NSS", message))
}

/// A server's session cache, which NSS needs for session tickets; once.
fn server_session_cache() -> Result<(), Error> {
    static CONFIGURED: OnceLock<Result<(), String>> = OnceLock::new();
    let ssl = Ssl3::get()?;
    CONFIGURED
        .get_or_init(|| {
            // SAFETY: default sizes and timeouts, in memory (no directory).
            let status = unsafe { (ssl.SSL_ConfigServerSessionIDCache)(0, 0, 0, ptr::null()) };
            if status != SEC_SUCCESS {
                return Err(nss_error("SSL_ConfigServerSessionIDCache").to_string());
            }
            Ok(())
        })
        .clone()
        .map_err(|message| Error::library("configuring the server session cache", message))
}

/// The thread's NSPR error code, by name and description.
fn describe_error(code: PRErrorCode) -> String {
    let Ok(nspr) = Nspr4::get() else {
        return format!("NSS error {code}");
    };
    // SAFETY: NSPR returns static NUL-terminated strings or null.
    let (name, text) = unsafe {
        (
            (nspr.PR_ErrorToName)(code),
            (nspr.PR_ErrorToString)(code, ffi::PR_LANGUAGE_I_DEFAULT),
        )
    };
    let read = |text: *const std::ffi::c_char| {
        // SAFETY: checked for null; NUL-terminated otherwise.
        (!text.is_null()).then(|| {
            unsafe { CStr::from_ptr(text) }
                .to_string_lossy()
                .into_owned()
        })
    };
    match (read(name), read(text)) {
        (Some(name), Some(text)) => format!("{name}: {text}"),
        (Some(name), None) => name,
        (None, _) => format!("NSS error {code}"),
    }
}

/// The last NSS error of this thread, as an [`Error`] while doing `what`.
fn nss_error(what: &str) -> Error {
    Error::library(what, describe_error(last_error_code()))
}

fn last_error_code() -> PRErrorCode {
    match Nspr4::get() {
        // SAFETY: reads the thread's error code.
        Ok(nspr) => unsafe { (nspr.PR_GetError)() },
        Err(_) => 0,
    }
}

fn check(status: SECStatus, what: &str) -> Result<(), Error> {
    if status == SEC_SUCCESS {
        Ok(())
    } else {
        Err(nss_error(what))
    }
}

/// A symmetric key in the internal slot (the external PSK).
pub struct SymKey(NonNull<PK11SymKey>);

impl SymKey {
    fn external_psk() -> Result<SymKey, Error> {
        let nss = Nss3::get()?;
        let mut item = SECItem::borrowing(&PSK_SECRET);
        // SAFETY: the internal slot exists after initialisation and is
        // released below; the key bytes are copied into the slot.
        let key = unsafe {
            let slot = (nss.PK11_GetInternalSlot)();
            if slot.is_null() {
                return Err(nss_error("PK11_GetInternalSlot"));
            }
            let key = (nss.PK11_ImportSymKey)(
                slot,
                CKM_HKDF_KEY_GEN,
                PK11_ORIGIN_UNWRAP,
                CKA_DERIVE,
                &mut item,
                ptr::null_mut(),
            );
            (nss.PK11_FreeSlot)(slot);
            key
        };
        NonNull::new(key)
            .map(SymKey)
            .ok_or_else(|| nss_error("importing the external PSK (PK11_ImportSymKey)"))
    }

    /// Makes the key the socket's external PSK, with SHA-256 and
    /// TLS_AES_128_GCM_SHA256 as its only cipher suite.
    fn offer(&self, fd: *mut PRFileDesc) -> Result<(), Error> {
        let (ssl, experimental) = (Ssl3::get()?, Experimental::get()?);
        let identity_length = c_uint::try_from(PSK_IDENTITY.len()).unwrap_or(c_uint::MAX);
        // SAFETY: a live socket; NSS takes its own reference to the key and
        // copies the identity.
        unsafe {
            check(
                (experimental.SSL_AddExternalPsk)(
                    fd,
                    self.0.as_ptr(),
                    PSK_IDENTITY.as_ptr(),
                    identity_length,
                    SSL_HASH_SHA256,
                ),
                "SSL_AddExternalPsk",
            )?;
            for suite in [TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256] {
                check(
                    (ssl.SSL_CipherPrefSet)(fd, suite, PR_FALSE),
                    "SSL_CipherPrefSet",
                )?;
            }
        }
        Ok(())
    }
}

impl Drop for SymKey {
    fn drop(&mut self) {
        if let Ok(nss) = Nss3::get() {
            // SAFETY: the reference this value owns, released once.
            unsafe { (nss.PK11_FreeSymKey)(self.0.as_ptr()) };
        }
    }
}

/// The server's anti-replay context for 0-RTT, shared by its connections.
pub struct AntiReplay(NonNull<SSLAntiReplayContext>);

impl AntiReplay {
    fn new() -> Result<AntiReplay, Error> {
        let (nspr, experimental) = (Nspr4::get()?, Experimental::get()?);
        let mut context = ptr::null_mut();
        // NSS refuses 0-RTT during the first window of a new context, since
        // a server that restarts cannot know what it accepted before. This
        // process has accepted nothing before, so the context starts one
        // window in the past.
        // SAFETY: a place for the new context, which this value then owns.
        let status = unsafe {
            (experimental.SSL_CreateAntiReplayContext)(
                (nspr.PR_Now)() - ANTI_REPLAY_WINDOW,
                ANTI_REPLAY_WINDOW,
                ANTI_REPLAY_HASHES,
                ANTI_REPLAY_BITS,
                &mut context,
            )
        };
        check(status, "SSL_CreateAntiReplayContext")?;
        NonNull::new(context)
            .map(AntiReplay)
            .ok_or_else(|| Error::library("SSL_CreateAntiReplayContext", "no context"))
    }
}

impl Drop for AntiReplay {
    fn drop(&mut self) {
        if let Ok(experimental) = Experimental::get() {
            // SAFETY: the reference this value owns; sockets hold their own.
            unsafe { (experimental.SSL_ReleaseAntiReplayContext)(self.0.as_ptr()) };
        }
    }
}

/// The client's latest resumption token (NSS's serialised session).
#[derive(Default)]
struct TokenSlot(RefCell<Option<Vec<u8>>>);

/// `SSLResumptionTokenCallback`: keeps the newest token.
///
/// # Safety
/// `argument` is a live [`TokenSlot`]; `token` holds `length` bytes.
unsafe extern "C" fn keep_token(
    _fd: *mut PRFileDesc,
    token: *const u8,
    length: c_uint,
    argument: *mut c_void,
) -> SECStatus {
    // SAFETY: guaranteed by the caller (the connection keeps the slot alive).
    let (slot, token) = unsafe {
        (
            &*argument.cast::<TokenSlot>(),
            std::slice::from_raw_parts(token, length as usize),
        )
    };
    *slot.0.borrow_mut() = Some(token.to_vec());
    SEC_SUCCESS
}

/// One TLS socket: NSPR's descriptor stack over the TCP socket (TLS layer,
/// the adapter's I/O layer, TCP), and what its layer and hooks point to,
/// kept alive until the socket is closed.
struct Connection {
    fd: *mut PRFileDesc,
    state: NonNull<SocketState>,
    hook_arguments: Vec<Rc<dyn Any>>,
    /// Set when a read or write failed: the connection is then closed
    /// without a close_notify (after a fatal alert, none may follow).
    failed: Cell<bool>,
}

impl Connection {
    /// Hands `tcp` to NSPR and puts the TLS layer on it (TLS 1.3 only), with
    /// the key log when `SSLKEYLOGFILE` asks for one.
    fn open(tcp: TcpStream, role: Role) -> Result<Connection, Error> {
        let (nspr, ssl, experimental) = (Nspr4::get()?, Ssl3::get()?, Experimental::get()?);
        let raw = tcp.into_raw_fd();
        // SAFETY: NSPR takes over the open socket; it closes it from now on.
        let tcp_fd = unsafe { (nspr.PR_ImportTCPSocket)(raw) };
        if tcp_fd.is_null() {
            let error = nss_error("PR_ImportTCPSocket");
            // SAFETY: NSPR did not take the socket, so it is still ours to close.
            drop(unsafe { TcpStream::from_raw_fd(raw) });
            return Err(error);
        }
        let mut connection = Connection {
            fd: tcp_fd,
            state: SocketState::new(key_log().map(|log| KeyLogger::new(role, log))),
            hook_arguments: Vec::new(),
            failed: Cell::new(false),
        };
        // SAFETY: a live socket; the state is freed only after it closes.
        unsafe { socket::push_layer(tcp_fd, connection.state)? };
        // SAFETY: a live socket without a TLS layer; on success the returned
        // descriptor is the top of the same stack.
        let fd = unsafe { (ssl.SSL_ImportFD)(ptr::null_mut(), tcp_fd) };
        if fd.is_null() {
            return Err(nss_error("SSL_ImportFD"));
        }
        connection.fd = fd;
        let range = SSLVersionRange {
            min: SSL_LIBRARY_VERSION_TLS_1_3,
            max: SSL_LIBRARY_VERSION_TLS_1_3,
        };
        // SAFETY: a live TLS socket before its handshake. Resetting the
        // handshake makes it the client or server of the connection, and
        // comes first because it drops a session offered before it.
        unsafe {
            check(
                (ssl.SSL_ResetHandshake)(fd, c_int::from(role == Role::Server)),
                "SSL_ResetHandshake",
            )?;
            check(
                (ssl.SSL_OptionSet)(fd, SSL_SECURITY, PR_TRUE),
                "SSL_SECURITY",
            )?;
            check((ssl.SSL_VersionRangeSet)(fd, &range), "SSL_VersionRangeSet")?;
            if let Some(logger) = (*connection.state.as_ptr()).key_log.as_mut() {
                let logger: *mut KeyLogger = logger;
                check(
                    (experimental.SSL_SecretCallback)(fd, key_log::record_secret, logger.cast()),
                    "SSL_SecretCallback",
                )?;
            }
        }
        Ok(connection)
    }

    /// Keeps `argument` alive as long as the socket, and returns the pointer
    /// to hand to a hook.
    fn hook_argument<T: Any>(&mut self, argument: &Rc<T>) -> *mut c_void {
        self.hook_arguments.push(Rc::clone(argument) as Rc<dyn Any>);
        Rc::as_ptr(argument).cast_mut().cast()
    }

    fn option(&self, option: i32, value: c_int, what: &str) -> Result<(), Error> {
        let ssl = Ssl3::get()?;
        // SAFETY: a live TLS socket.
        check(unsafe { (ssl.SSL_OptionSet)(self.fd, option, value) }, what)
    }

    fn groups(&self, groups: &[SSLNamedGroup]) -> Result<(), Error> {
        let ssl = Ssl3::get()?;
        let count = c_uint::try_from(groups.len()).unwrap_or(0);
        // SAFETY: a live TLS socket; NSS copies the groups.
        check(
            unsafe { (ssl.SSL_NamedGroupConfig)(self.fd, groups.as_ptr(), count) },
            "SSL_NamedGroupConfig",
        )
    }

    fn handshake(&self) -> Result<(), Error> {
        let ssl = Ssl3::get()?;
        // SAFETY: a live, configured TLS socket.
        check(
            unsafe { (ssl.SSL_ForceHandshake)(self.fd) },
            "TLS handshake",
        )
    }

    fn channel_info(&self) -> Option<SSLChannelInfo> {
        let ssl = Ssl3::get().ok()?;
        let mut info = SSLChannelInfo::default();
        let size = c_uint::try_from(std::mem::size_of::<SSLChannelInfo>()).ok()?;
        // SAFETY: a live TLS socket and a record of `size` bytes.
        let status = unsafe { (ssl.SSL_GetChannelInfo)(self.fd, &mut info, size) };
        (status == SEC_SUCCESS).then_some(info)
    }

    /// Checks the handshake was authenticated by the external PSK.
    fn check_external_psk(&self) -> Result<(), Error> {
        match self.channel_info() {
            Some(info) if info.psk_type == SSL_PSK_EXTERNAL => Ok(()),
            Some(info) => Err(Error::check(format!(
                "the handshake did not use the external PSK (NSS PSK type {})",
                info.psk_type
            ))),
            None => Err(nss_error("SSL_GetChannelInfo")),
        }
    }

    fn can_send_early_data(&self) -> bool {
        let Ok(ssl) = Ssl3::get() else { return false };
        let mut info = SSLPreliminaryChannelInfo::default();
        let size = c_uint::try_from(std::mem::size_of::<SSLPreliminaryChannelInfo>()).unwrap_or(0);
        // SAFETY: a live TLS socket and a record of `size` bytes.
        let status = unsafe { (ssl.SSL_GetPreliminaryChannelInfo)(self.fd, &mut info, size) };
        status == SEC_SUCCESS && info.can_send_early_data != 0
    }

    /// `PR_Read`: the count, or the NSPR error code.
    fn read(&self, buffer: &mut [u8]) -> Result<usize, PRErrorCode> {
        let nspr = Nspr4::get().map_err(|_| 0)?;
        let amount = i32::try_from(buffer.len()).unwrap_or(i32::MAX);
        // SAFETY: a live TLS socket and a buffer of at least `amount` bytes.
        let count = unsafe { (nspr.PR_Read)(self.fd, buffer.as_mut_ptr().cast(), amount) };
        usize::try_from(count).map_err(|_| self.failure(last_error_code()))
    }

    /// `PR_Write`: the count, or the NSPR error code.
    fn write(&self, data: &[u8]) -> Result<usize, PRErrorCode> {
        let nspr = Nspr4::get().map_err(|_| 0)?;
        let amount = i32::try_from(data.len()).unwrap_or(i32::MAX);
        // SAFETY: a live TLS socket and `amount` readable bytes.
        let count = unsafe { (nspr.PR_Write)(self.fd, data.as_ptr().cast(), amount) };
        usize::try_from(count).map_err(|_| self.failure(last_error_code()))
    }

    /// Notes a failed read or write (a would-block or the peer's end of
    /// stream is none) and passes its error code on.
    fn failure(&self, code: PRErrorCode) -> PRErrorCode {
        if !matches!(code, PR_WOULD_BLOCK_ERROR | PR_END_OF_FILE_ERROR) {
            self.failed.set(true);
        }
        code
    }

    /// Holds reads back (see `socket`), or lets them through again.
    fn hold_reads(&self, hold: bool) {
        // SAFETY: the state lives as long as the connection; NSS is not
        // running on this socket now, so nothing else uses it.
        unsafe { (*self.state.as_ptr()).hold_reads = hold };
    }

    /// Client: sends `data` as 0-RTT data. NSS sends early data only from a
    /// write that finds its ClientHello sent and the handshake waiting for
    /// the server, so reads are held back until the data is out: the first
    /// write sends the ClientHello and reports would-block, the next ones
    /// carry the data. Nothing is sent early when the session allows no 0-RTT.
    fn send_early_data(&self, data: &[u8]) -> Result<(), Error> {
        self.hold_reads(true);
        let mut sent = 0;
        let mut would_block = 0;
        let mut outcome = Ok(());
        while sent < data.len() {
            match self.write(&data[sent..]) {
                // NSS's limit for early data (the ticket's) is reached.
                Ok(0) => break,
                Ok(count) => sent += count,
                // Once for the ClientHello; again only if the write is stuck.
                Err(PR_WOULD_BLOCK_ERROR) if would_block < 2 && self.can_send_early_data() => {
                    would_block += 1;
                }
                Err(PR_WOULD_BLOCK_ERROR) => break,
                Err(code) => {
                    outcome = Err(Error::library("sending early data", describe_error(code)));
                    break;
                }
            }
        }
        self.hold_reads(false);
        if outcome.is_ok() && sent > 0 && sent < data.len() {
            outcome = Err(Error::library(
                "sending early data",
                format!("NSS sent {sent} of the {} bytes as early data", data.len()),
            ));
        }
        outcome
    }

    /// Server: completes the handshake, taking in the client's 0-RTT data
    /// when `early_data` asks for it. NSS holds accepted early data back and
    /// makes the handshake report would-block until it is read (`ssl.h`,
    /// `SSL_ENABLE_0RTT_DATA`), even on a blocking socket.
    fn accept_handshake(&self, mut early_data: Option<&mut Vec<u8>>) -> Result<(), Error> {
        let ssl = Ssl3::get()?;
        // More than a server accepts, so one read takes all that is held.
        let mut chunk = vec![0u8; MAX_EARLY_DATA_BYTES as usize + 1];
        loop {
            // SAFETY: a live, configured TLS socket.
            if unsafe { (ssl.SSL_ForceHandshake)(self.fd) } == SEC_SUCCESS {
                return Ok(());
            }
            let code = last_error_code();
            let Some(buffer) = early_data.as_deref_mut() else {
                return Err(Error::library("TLS handshake", describe_error(code)));
            };
            if code != PR_WOULD_BLOCK_ERROR {
                return Err(Error::library("TLS handshake", describe_error(code)));
            }
            loop {
                let count = self
                    .read(&mut chunk)
                    .map_err(|code| Error::library("reading early data", describe_error(code)))?;
                buffer.extend_from_slice(&chunk[..count]);
                if count < chunk.len() {
                    break;
                }
            }
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if self.failed.get() {
            // SAFETY: the state lives until below; NSS is not running now.
            unsafe { (*self.state.as_ptr()).refuse_writes = true };
        }
        if let Ok(nspr) = Nspr4::get() {
            // SAFETY: the stack this value owns, closed once (it closes the
            // TCP socket too).
            unsafe { (nspr.PR_Close)(self.fd) };
        }
        // SAFETY: the socket that used the state is closed.
        unsafe { SocketState::free(self.state) };
    }
}

/// The client side: keeps the latest resumption token for the next connection.
pub struct NssClient {
    case: Case,
    /// Trusted while the client exists (none with the external PSK).
    _trusted_ca: Option<TrustedCa>,
    credentials: Option<Rc<ClientCredentials>>,
    psk: Option<SymKey>,
    token: Rc<TokenSlot>,
}

impl library::Client for NssClient {
    type Stream = NssStream;

    fn connect(&mut self, tcp: TcpStream, early_data: Option<&[u8]>) -> Result<NssStream, Error> {
        let (ssl, experimental) = (Ssl3::get()?, Experimental::get()?);
        let mut connection = Connection::open(tcp, Role::Client)?;
        let fd = connection.fd;
        let server_name = std::ffi::CString::new(SERVER_NAME)
            .map_err(|error| Error::library("the server name", error))?;
        // SAFETY: a live TLS socket; NSS copies the name.
        check(
            unsafe { (ssl.SSL_SetURL)(fd, server_name.as_ptr()) },
            "SSL_SetURL",
        )?;
        if self.psk.is_some() {
            // The PSK alone authenticates the server: refuse any certificate.
            // SAFETY: the hook takes no argument.
            check(
                unsafe {
                    (ssl.SSL_AuthCertificateHook)(fd, refuse_certificates_hook, ptr::null_mut())
                },
                "SSL_AuthCertificateHook",
            )?;
        }
        if let Some(credentials) = &self.credentials {
            let argument = connection.hook_argument(credentials);
            // SAFETY: the credentials live as long as the socket.
            check(
                unsafe { (ssl.SSL_GetClientAuthDataHook)(fd, client_credentials_hook, argument) },
                "SSL_GetClientAuthDataHook",
            )?;
        }
        match self.case {
            Case::HelloRetryRequest => {
                connection.groups(&CLIENT_RETRY_GROUPS)?;
                // SAFETY: a live TLS socket.
                check(
                    unsafe { (ssl.SSL_SendAdditionalKeyShares)(fd, 0) },
                    "SSL_SendAdditionalKeyShares",
                )?;
            }
            Case::NoSharedGroup => connection.groups(&CLIENT_ONLY_GROUP)?,
            _ => {}
        }
        if let Some(psk) = &self.psk {
            psk.offer(fd)?;
        }
        if self.case.resumes() {
            connection.option(
                SSL_ENABLE_SESSION_TICKETS,
                PR_TRUE,
                "SSL_ENABLE_SESSION_TICKETS",
            )?;
            connection.option(
                SSL_ENABLE_0RTT_DATA,
                c_int::from(self.case == Case::EarlyData),
                "SSL_ENABLE_0RTT_DATA",
            )?;
            let argument = connection.hook_argument(&self.token);
            // SAFETY: the slot lives as long as the socket.
            check(
                unsafe { (experimental.SSL_SetResumptionTokenCallback)(fd, keep_token, argument) },
                "SSL_SetResumptionTokenCallback",
            )?;
            if let Some(token) = self.token.0.borrow().as_deref() {
                let length = c_uint::try_from(token.len()).unwrap_or(c_uint::MAX);
                // SAFETY: a live TLS socket; NSS decodes the token at once.
                check(
                    unsafe { (experimental.SSL_SetResumptionToken)(fd, token.as_ptr(), length) },
                    "offering the earlier session (SSL_SetResumptionToken)",
                )?;
            }
        }
        if let Some(data) = early_data {
            connection.send_early_data(data)?;
        }
        connection.handshake()?;
        if self.psk.is_some() {
            connection.check_external_psk()?;
        }
        Ok(NssStream { connection })
    }
}

/// The server side; NSS's session cache and ticket keys span connections.
pub struct NssServer {
    case: Case,
    credentials: ServerCredentials,
    /// Present when the server requires client certificates.
    trusted_ca: Option<TrustedCa>,
    psk: Option<SymKey>,
    anti_replay: Option<AntiReplay>,
}

impl library::Server for NssServer {
    type Stream = NssStream;

    fn accept(
        &mut self,
        tcp: TcpStream,
        early_data: Option<&mut Vec<u8>>,
    ) -> Result<NssStream, Error> {
        let experimental = Experimental::get()?;
        let connection = Connection::open(tcp, Role::Server)?;
        let fd = connection.fd;
        self.credentials.configure(fd)?;
        if self.trusted_ca.is_some() {
            connection.option(SSL_REQUEST_CERTIFICATE, PR_TRUE, "SSL_REQUEST_CERTIFICATE")?;
            connection.option(
                SSL_REQUIRE_CERTIFICATE,
                SSL_REQUIRE_ALWAYS,
                "SSL_REQUIRE_CERTIFICATE",
            )?;
        }
        if matches!(self.case, Case::HelloRetryRequest | Case::NoSharedGroup) {
            connection.groups(&SERVER_GROUPS)?;
        }
        if let Some(psk) = &self.psk {
            // NSS refuses a PSK server that could ask for a certificate, which
            // its default (SSL_REQUIRE_FIRST_HANDSHAKE) counts as doing.
            connection.option(
                SSL_REQUIRE_CERTIFICATE,
                SSL_REQUIRE_NEVER,
                "SSL_REQUIRE_CERTIFICATE",
            )?;
            psk.offer(fd)?;
        }
        if self.case.resumes() {
            connection.option(
                SSL_ENABLE_SESSION_TICKETS,
                PR_TRUE,
                "SSL_ENABLE_SESSION_TICKETS",
            )?;
        }
        if let Some(anti_replay) = &self.anti_replay {
            connection.option(SSL_ENABLE_0RTT_DATA, PR_TRUE, "SSL_ENABLE_0RTT_DATA")?;
            // SAFETY: a live TLS socket; it takes its own reference to the context.
            unsafe {
                check(
                    (experimental.SSL_SetMaxEarlyDataSize)(fd, MAX_EARLY_DATA_BYTES),
                    "SSL_SetMaxEarlyDataSize",
                )?;
                check(
                    (experimental.SSL_SetAntiReplayContext)(fd, anti_replay.0.as_ptr()),
                    "SSL_SetAntiReplayContext",
                )?;
            }
        }
        connection.accept_handshake(early_data)?;
        if self.psk.is_some() {
            connection.check_external_psk()?;
        }
        Ok(NssStream { connection })
    }
}

/// An established NSS connection.
pub struct NssStream {
    connection: Connection,
}

fn io_error(code: PRErrorCode) -> io::Error {
    let kind = match code {
        PR_WOULD_BLOCK_ERROR => io::ErrorKind::WouldBlock,
        PR_END_OF_FILE_ERROR => io::ErrorKind::UnexpectedEof,
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, describe_error(code))
}

impl Read for NssStream {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.connection.read(buffer).map_err(io_error)
    }
}

impl Write for NssStream {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.connection.write(data).map_err(io_error)
    }

    fn flush(&mut self) -> io::Result<()> {
        // Writes on a blocking socket go out before PR_Write returns.
        Ok(())
    }
}

impl TlsStream for NssStream {
    fn send_close_notify(&mut self) -> Result<(), Error> {
        let nspr = Nspr4::get()?;
        // SAFETY: a live TLS socket; NSS sends close_notify, then shuts the
        // TCP socket for writing. Reading stays possible.
        if unsafe { (nspr.PR_Shutdown)(self.connection.fd, PR_SHUTDOWN_SEND) } != PR_SUCCESS {
            return Err(nss_error("PR_Shutdown"));
        }
        Ok(())
    }

    fn request_key_update(&mut self) -> Result<(), Error> {
        let experimental = Experimental::get()?;
        // SAFETY: a live TLS socket after its handshake; update_not_requested.
        check(
            unsafe { (experimental.SSL_KeyUpdate)(self.connection.fd, PR_FALSE) },
            "SSL_KeyUpdate",
        )
    }

    fn resumed(&self) -> bool {
        self.connection
            .channel_info()
            .is_some_and(|info| info.resumed != 0)
    }

    fn early_data_accepted(&self) -> bool {
        self.connection
            .channel_info()
            .is_some_and(|info| info.early_data_accepted != 0)
    }

    fn negotiated_group(&self) -> Option<NamedGroup> {
        let info = self.connection.channel_info()?;
        Some(match info.kea_group {
            SSL_GRP_EC_SECP256R1 => NamedGroup::Secp256r1,
            SSL_GRP_EC_CURVE25519 => NamedGroup::X25519,
            0 => return None,
            other => NamedGroup::Other(format!("NSS group {other}")),
        })
    }
}

#[cfg(test)]
mod tests {
    //! Both sides of some cases in one process, over loopback. The machine
    //! must have NSS: without it these tests fail naming the package.

    use std::net::{Ipv4Addr, TcpListener};
    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    use super::*;
    use crate::invocation::Parameters;
    use crate::scenario::{run_client, run_server};

    fn nss_loads() {
        if let Err(error) = initialise() {
            panic!("NSS must load for these tests: {error}");
        }
    }

    fn parameters() -> Parameters {
        Parameters {
            // The package directory of this run (nextest moves it when it
            // runs tests from an archive elsewhere).
            certificates: std::env::var_os("CARGO_MANIFEST_DIR")
                .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
                .join("../../certificates"),
            download_bytes: 3_000_000,
            key_update_interval_bytes: 1_000_000,
        }
    }

    /// Runs `case` with an NSS server and an NSS client; their outcomes.
    fn play(case: Case) -> (Result<(), Error>, Result<(), Error>) {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let server = std::thread::spawn(move || {
            let parameters = parameters();
            let mut server = Nss.server(case, &Pki::new(&parameters.certificates))?;
            run_server(&mut server, case, port, &parameters)
        });
        // The server listens once its port can no longer be bound.
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let parameters = parameters();
        let client = Nss
            .client(case, &Pki::new(&parameters.certificates))
            .and_then(|mut client| run_client(&mut client, case, port, &parameters));
        let server = server.join().expect("the server thread ends");
        (server, client)
    }

    #[test]
    fn positive_cases_pass_between_nss_peers() {
        nss_loads();
        for case in [
            Case::RequestResponse,
            Case::LargeDataDownloadWithFrequentKeyUpdates,
            Case::MtlsRequestResponse,
            Case::Resumption,
            Case::EarlyData,
            Case::OutOfBandPsk,
            Case::HelloRetryRequest,
        ] {
            let (server, client) = play(case);
            assert!(server.is_ok(), "{case} server: {server:?}");
            assert!(client.is_ok(), "{case} client: {client:?}");
        }
    }

    #[test]
    fn the_refusing_side_names_nss_error() {
        nss_loads();
        for (case, refusal) in [
            (Case::UntrustedCertificate, "SEC_ERROR_UNTRUSTED_ISSUER"),
            (Case::WrongHostname, "SSL_ERROR_BAD_CERT_DOMAIN"),
            (Case::ExpiredCertificate, "SEC_ERROR_EXPIRED_CERTIFICATE"),
            (Case::ClientCertificateRequired, "SSL_ERROR_NO_CERTIFICATE"),
            (Case::NoSharedGroup, "SSL_ERROR_NO_CYPHER_OVERLAP"),
        ] {
            let (server, client) = play(case);
            let (refuser, other) = match case.refuser() {
                Some(Role::Client) => (client, server),
                _ => (server, client),
            };
            let refuser = refuser.expect_err("the refusing side fails").to_string();
            assert!(refuser.contains(refusal), "{case}: {refuser}");
            assert!(other.is_err(), "{case}: the other side passed");
        }
    }
}
