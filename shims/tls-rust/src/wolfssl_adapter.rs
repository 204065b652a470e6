//! wolfSSL (Debian's libwolfssl35, loaded at run time) behind the driver's
//! traits.
//!
//! What Debian's build (`<wolfssl/options.h>`) leaves out decides the cases:
//! without WOLFSSL_EARLY_DATA there is no 0-RTT API (`early_data` is not
//! supported), and without HAVE_SECRET_CALLBACK there is no way to learn the
//! TLS 1.3 secrets, so this shim writes no key log. KeyUpdates go out with
//! `wolfSSL_update_keys`, which always sends `update_requested`.
//!
//! Two things the library itself does that the cases show: built without
//! WOLFSSL_TICKET_NONCE_MALLOC, a 5.5.4 client rejects NewSessionTicket nonces
//! longer than 8 bytes (rustls sends 32) with illegal_parameter; and a server
//! that shares no group with the client answers with a HelloRetryRequest that
//! selects no group instead of a handshake_failure alert.
//!
//! The library does its own I/O on the TCP socket's file descriptor
//! (`wolfSSL_set_fd`); both methods (`wolfTLSv1_3_client_method`,
//! `wolfTLSv1_3_server_method`) speak TLS 1.3 only.

use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char, c_int, c_long, c_uchar, c_uint, c_ulong, c_ushort};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::ptr::NonNull;
use std::rc::Rc;
use std::sync::{Once, OnceLock};

use crate::case::{Case, Role};
use crate::error::Error;
use crate::library::{self, Library, NamedGroup, TlsStream};
use crate::pki::{Pki, PkiFile};
use crate::protocol::{PSK_IDENTITY, PSK_SECRET, SERVER_NAME};

mod ffi;
use ffi::*;

/// wolfSSL's name for the external PSK's cipher suite, TLS_AES_128_GCM_SHA256.
const PSK_CIPHER_SUITE: &CStr = c"TLS13-AES128-GCM-SHA256";
/// `hello_retry_request`, client: x25519 then secp256r1, a key share for x25519.
const CLIENT_RETRY_GROUPS: [c_ushort; 2] = [WOLFSSL_ECC_X25519, WOLFSSL_ECC_SECP256R1];
/// `no_shared_group`, client: x25519 alone.
const CLIENT_ONLY_GROUP: [c_ushort; 1] = [WOLFSSL_ECC_X25519];
/// `hello_retry_request` and `no_shared_group`, server: secp256r1 alone.
const SERVER_GROUPS: [c_ushort; 1] = [WOLFSSL_ECC_SECP256R1];

/// wolfSSL, as the system's libwolfssl35.
pub struct WolfSsl;

impl Library for WolfSsl {
    type Client = WolfSslClient;
    type Server = WolfSslServer;

    const OPTIONS_SYNOPSIS: &'static str = "";

    fn from_options(options: &[String]) -> Result<Self, String> {
        if options.is_empty() {
            Ok(WolfSsl)
        } else {
            Err(format!("unexpected options {options:?}"))
        }
    }

    fn unsupported(&self, _role: Role, case: Case) -> Option<&'static str> {
        match case {
            Case::EarlyData => Some(
                "Debian's libwolfssl35 5.5.4 is built without WOLFSSL_EARLY_DATA: \
                 wolfSSL_write_early_data and wolfSSL_read_early_data are not in the library",
            ),
            _ => None,
        }
    }

    fn version(&self) -> String {
        match api() {
            // SAFETY: wolfSSL_lib_version returns a static NUL-terminated string.
            Ok(api) => match unsafe { c_text((api.wolfSSL_lib_version)()) } {
                Some(version) => format!("wolfSSL {version} (libwolfssl.so.35)"),
                None => "wolfSSL ? (libwolfssl.so.35 reports no version)".to_string(),
            },
            Err(error) => format!("wolfSSL ? ({error})"),
        }
    }

    fn client(&self, case: Case, pki: &Pki) -> Result<WolfSslClient, Error> {
        let api = api()?;
        note_no_key_log();
        // SAFETY: a method table from the library, which CTX_new takes over.
        let context = Context::new(api, unsafe { (api.wolfTLSv1_3_client_method)() })?;
        if case == Case::OutOfBandPsk {
            // Authenticated by the PSK alone: the server sends no certificate.
            context.set_verify(WOLFSSL_VERIFY_NONE);
            context.psk_cipher_suite()?;
            // SAFETY: a live context; the callback matches the typedef.
            unsafe {
                (api.wolfSSL_CTX_set_psk_client_tls13_callback)(
                    context.as_ptr(),
                    Some(psk_client_callback),
                );
            }
        } else {
            context.set_verify(WOLFSSL_VERIFY_PEER);
            context.trust(pki)?;
        }
        if case == Case::MtlsRequestResponse {
            context.certificate(pki, PkiFile::ClientChain, PkiFile::ClientKey)?;
        }
        let groups: &[c_ushort] = match case {
            Case::HelloRetryRequest => &CLIENT_RETRY_GROUPS,
            Case::NoSharedGroup => &CLIENT_ONLY_GROUP,
            _ => &[],
        };
        Ok(WolfSslClient {
            context: Rc::new(context),
            verify_peer: case != Case::OutOfBandPsk,
            groups,
            session: case.resumes().then(|| Rc::new(RefCell::new(None))),
        })
    }

    fn server(&self, case: Case, pki: &Pki) -> Result<WolfSslServer, Error> {
        let api = api()?;
        note_no_key_log();
        // SAFETY: a method table from the library, which CTX_new takes over.
        let context = Context::new(api, unsafe { (api.wolfTLSv1_3_server_method)() })?;
        if case == Case::OutOfBandPsk {
            // No certificate: the PSK authenticates both sides.
            context.psk_cipher_suite()?;
            // SAFETY: a live context; the callback matches the typedef.
            unsafe {
                (api.wolfSSL_CTX_set_psk_server_tls13_callback)(
                    context.as_ptr(),
                    Some(psk_server_callback),
                );
            }
        } else {
            let (chain, key) = case.server_credentials();
            context.certificate(pki, chain, key)?;
        }
        if case.requires_client_certificate() {
            context.set_verify(WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT);
            context.trust(pki)?;
        } else {
            context.set_verify(WOLFSSL_VERIFY_NONE);
        }
        if matches!(case, Case::HelloRetryRequest | Case::NoSharedGroup) {
            let mut groups: Vec<c_int> = SERVER_GROUPS.iter().map(|&g| c_int::from(g)).collect();
            // SAFETY: a live context; `groups` holds `count` entries, copied by the call.
            let status = unsafe {
                (api.wolfSSL_CTX_set_groups)(context.as_ptr(), groups.as_mut_ptr(), count(&groups))
            };
            check(api, status, "setting the groups")?;
        }
        // Session tickets need no setting up: a TLS 1.3 server context issues
        // them, encrypted with a key it makes itself, and they span connections.
        Ok(WolfSslServer {
            context: Rc::new(context),
        })
    }
}

/// The library, loaded and initialised once (`wolfSSL_Init`).
fn api() -> Result<&'static WolfSslApi, Error> {
    static INIT: OnceLock<c_int> = OnceLock::new();
    let api = WolfSslApi::get()?;
    // SAFETY: wolfSSL_Init has no preconditions; it runs once per process.
    let status = *INIT.get_or_init(|| unsafe { (api.wolfSSL_Init)() });
    if status != WOLFSSL_SUCCESS {
        return Err(Error::library("wolfSSL_Init", describe(api, status)));
    }
    Ok(api)
}

/// Says once on stderr why no key log is written although one was asked for.
fn note_no_key_log() {
    static NOTE: Once = Once::new();
    if std::env::var_os("SSLKEYLOGFILE").is_some() {
        NOTE.call_once(|| {
            eprintln!(
                "note: Debian's libwolfssl35 is built without HAVE_SECRET_CALLBACK \
                 (no wolfSSL_set_tls13_secret_cb); no key log is written"
            );
        });
    }
}

/// A C string the library returned, if any.
///
/// # Safety
/// `text` is null or points to a NUL-terminated string that outlives the call.
unsafe fn c_text(text: *const c_char) -> Option<String> {
    if text.is_null() {
        return None;
    }
    // SAFETY: guaranteed by the caller.
    Some(
        unsafe { CStr::from_ptr(text) }
            .to_string_lossy()
            .into_owned(),
    )
}

/// wolfSSL's text for error code `code` (negative, as the library returns them).
fn describe(api: &WolfSslApi, code: c_int) -> String {
    let mut buffer = [0 as c_char; WOLFSSL_MAX_ERROR_SZ];
    // SAFETY: the buffer holds WOLFSSL_MAX_ERROR_SZ bytes and the call writes
    // at most that many, NUL included. The code is passed sign-extended, as
    // the library casts it back to int.
    unsafe {
        (api.wolfSSL_ERR_error_string_n)(
            code as c_long as c_ulong,
            buffer.as_mut_ptr(),
            WOLFSSL_MAX_ERROR_SZ as c_ulong,
        );
    }
    // SAFETY: the buffer is NUL-terminated by the call (and zeroed before).
    let text = unsafe { CStr::from_ptr(buffer.as_ptr()) }.to_string_lossy();
    format!("{text} (wolfSSL error {code})")
}

/// `Ok` when a configuration call returned WOLFSSL_SUCCESS.
fn check(api: &WolfSslApi, status: c_int, what: &str) -> Result<(), Error> {
    if status == WOLFSSL_SUCCESS {
        return Ok(());
    }
    if status < 0 {
        return Err(Error::library(what, describe(api, status)));
    }
    // SAFETY: reads (and removes) the oldest error of this thread's queue.
    let queued = unsafe { (api.wolfSSL_ERR_get_error)() };
    if queued == 0 {
        Err(Error::library(what, format!("failed (returned {status})")))
    } else {
        Err(Error::library(what, describe(api, queued as c_int)))
    }
}

/// The number of entries of a group list, as the C API takes it.
fn count(groups: &[c_int]) -> c_int {
    c_int::try_from(groups.len()).unwrap_or(c_int::MAX)
}

fn c_path(pki: &Pki, file: PkiFile) -> Result<CString, Error> {
    let path = pki.path(file)?;
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| Error::Invocation(format!("the path {} contains a NUL byte", path.display())))
}

/// A `WOLFSSL_CTX`, freed on drop.
struct Context {
    api: &'static WolfSslApi,
    context: NonNull<SslCtx>,
}

impl Context {
    fn new(api: &'static WolfSslApi, method: *mut SslMethod) -> Result<Context, Error> {
        if method.is_null() {
            return Err(Error::library(
                "creating the TLS 1.3 method",
                "out of memory",
            ));
        }
        // SAFETY: a fresh method, which the context owns from here on.
        let context = unsafe { (api.wolfSSL_CTX_new)(method) };
        let context =
            NonNull::new(context).ok_or_else(|| Error::library("wolfSSL_CTX_new", "failed"))?;
        Ok(Context { api, context })
    }

    fn as_ptr(&self) -> *mut SslCtx {
        self.context.as_ptr()
    }

    fn set_verify(&self, mode: c_int) {
        // SAFETY: a live context; no callback.
        unsafe { (self.api.wolfSSL_CTX_set_verify)(self.as_ptr(), mode, None) }
    }

    /// Trusts ca-certificate.pem alone.
    fn trust(&self, pki: &Pki) -> Result<(), Error> {
        let ca = c_path(pki, PkiFile::Ca)?;
        // SAFETY: a live context and a NUL-terminated path; no directory.
        let status = unsafe {
            (self.api.wolfSSL_CTX_load_verify_locations)(
                self.as_ptr(),
                ca.as_ptr(),
                std::ptr::null(),
            )
        };
        check(self.api, status, "loading ca-certificate.pem")
    }

    /// Presents `chain` (leaf first) with `key`.
    fn certificate(&self, pki: &Pki, chain: PkiFile, key: PkiFile) -> Result<(), Error> {
        let chain_path = c_path(pki, chain)?;
        // SAFETY: a live context and a NUL-terminated path.
        let status = unsafe {
            (self.api.wolfSSL_CTX_use_certificate_chain_file)(self.as_ptr(), chain_path.as_ptr())
        };
        check(self.api, status, &format!("loading {}", chain.file_name()))?;
        let key_path = c_path(pki, key)?;
        // SAFETY: a live context and a NUL-terminated path.
        let status = unsafe {
            (self.api.wolfSSL_CTX_use_PrivateKey_file)(
                self.as_ptr(),
                key_path.as_ptr(),
                WOLFSSL_FILETYPE_PEM,
            )
        };
        check(self.api, status, &format!("loading {}", key.file_name()))?;
        // SAFETY: a live context.
        let status = unsafe { (self.api.wolfSSL_CTX_check_private_key)(self.as_ptr()) };
        check(
            self.api,
            status,
            &format!("matching {} to {}", key.file_name(), chain.file_name()),
        )
    }

    /// Restricts the cipher suites to the external PSK's.
    fn psk_cipher_suite(&self) -> Result<(), Error> {
        // SAFETY: a live context and a NUL-terminated list.
        let status = unsafe {
            (self.api.wolfSSL_CTX_set_cipher_list)(self.as_ptr(), PSK_CIPHER_SUITE.as_ptr())
        };
        check(self.api, status, "setting the PSK cipher suite")
    }

    /// A new connection object on this context, doing I/O on `tcp`.
    fn connection(self: &Rc<Self>, tcp: TcpStream) -> Result<WolfSslStream, Error> {
        // SAFETY: a live context, kept alive by the stream's reference to it.
        let ssl = unsafe { (self.api.wolfSSL_new)(self.as_ptr()) };
        let ssl = NonNull::new(ssl).ok_or_else(|| Error::library("wolfSSL_new", "failed"))?;
        let stream = WolfSslStream {
            api: self.api,
            ssl,
            session: None,
            _context: Rc::clone(self),
            tcp,
        };
        // SAFETY: a live connection and an open socket the stream owns and
        // closes only after freeing the connection.
        let status = unsafe { (self.api.wolfSSL_set_fd)(ssl.as_ptr(), stream.tcp.as_raw_fd()) };
        check(self.api, status, "wolfSSL_set_fd")?;
        Ok(stream)
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        // SAFETY: made by wolfSSL_CTX_new and freed only here, after every
        // connection on it (they hold an `Rc` of this context).
        unsafe { (self.api.wolfSSL_CTX_free)(self.as_ptr()) }
    }
}

/// A `WOLFSSL_SESSION` this program holds a reference to.
struct Session {
    api: &'static WolfSslApi,
    session: NonNull<SslSession>,
}

impl Drop for Session {
    fn drop(&mut self) {
        // SAFETY: the reference wolfSSL_get1_session handed over, released once.
        unsafe { (self.api.wolfSSL_SESSION_free)(self.session.as_ptr()) }
    }
}

/// Client PSK callback: the external PSK's identity, secret and cipher suite.
///
/// # Safety
/// wolfSSL passes an identity buffer of `identity_size` bytes, a key buffer
/// of `key_size` bytes and a place for the cipher suite name.
unsafe extern "C" fn psk_client_callback(
    _ssl: *mut Ssl,
    _hint: *const c_char,
    identity: *mut c_char,
    identity_size: c_uint,
    key: *mut c_uchar,
    key_size: c_uint,
    cipher_suite: *mut *const c_char,
) -> c_uint {
    // The identity goes out as a NUL-terminated string.
    if identity.is_null()
        || key.is_null()
        || cipher_suite.is_null()
        || (identity_size as usize) <= PSK_IDENTITY.len()
        || (key_size as usize) < PSK_SECRET.len()
    {
        return 0;
    }
    // SAFETY: the buffers are as large as checked above; the suite name is static.
    unsafe {
        std::ptr::copy_nonoverlapping(PSK_IDENTITY.as_ptr(), identity.cast(), PSK_IDENTITY.len());
        *identity.add(PSK_IDENTITY.len()) = 0;
        std::ptr::copy_nonoverlapping(PSK_SECRET.as_ptr(), key, PSK_SECRET.len());
        *cipher_suite = PSK_CIPHER_SUITE.as_ptr();
    }
    PSK_SECRET.len() as c_uint
}

/// Server PSK callback: the secret for the external PSK's identity, none for
/// any other.
///
/// # Safety
/// wolfSSL passes the client's NUL-terminated identity, a key buffer of
/// `key_size` bytes and a place for the cipher suite name.
unsafe extern "C" fn psk_server_callback(
    _ssl: *mut Ssl,
    identity: *const c_char,
    key: *mut c_uchar,
    key_size: c_uint,
    cipher_suite: *mut *const c_char,
) -> c_uint {
    if identity.is_null()
        || key.is_null()
        || cipher_suite.is_null()
        || (key_size as usize) < PSK_SECRET.len()
    {
        return 0;
    }
    // SAFETY: a NUL-terminated identity, as the caller guarantees.
    if unsafe { CStr::from_ptr(identity) }.to_bytes() != PSK_IDENTITY {
        return 0;
    }
    // SAFETY: the key buffer is as large as checked above; the suite name is static.
    unsafe {
        std::ptr::copy_nonoverlapping(PSK_SECRET.as_ptr(), key, PSK_SECRET.len());
        *cipher_suite = PSK_CIPHER_SUITE.as_ptr();
    }
    PSK_SECRET.len() as c_uint
}

/// The client side; keeps the latest session for the next connection.
pub struct WolfSslClient {
    context: Rc<Context>,
    verify_peer: bool,
    /// The groups to offer, the first with a key share (none: the default).
    groups: &'static [c_ushort],
    /// In the resuming cases, the session the previous connection ended with.
    session: Option<Rc<RefCell<Option<Session>>>>,
}

impl library::Client for WolfSslClient {
    type Stream = WolfSslStream;

    fn connect(
        &mut self,
        tcp: TcpStream,
        early_data: Option<&[u8]>,
    ) -> Result<WolfSslStream, Error> {
        if early_data.is_some() {
            return Err(Error::library(
                "sending early data",
                "not supported by this wolfSSL build",
            ));
        }
        let api = self.context.api;
        let mut stream = self.context.connection(tcp)?;
        let ssl = stream.ssl.as_ptr();
        let name = SERVER_NAME.as_bytes();
        // SAFETY: a live connection; the name's bytes are copied by the call.
        let status = unsafe {
            (api.wolfSSL_UseSNI)(
                ssl,
                WOLFSSL_SNI_HOST_NAME,
                name.as_ptr().cast(),
                name.len() as c_ushort,
            )
        };
        check(api, status, "setting SNI")?;
        if self.verify_peer {
            let name = CString::new(SERVER_NAME)
                .map_err(|_| Error::library("the server name", "contains a NUL byte"))?;
            // SAFETY: a live connection; the name is copied by the call.
            let status = unsafe { (api.wolfSSL_check_domain_name)(ssl, name.as_ptr()) };
            check(api, status, "setting the expected host name")?;
        }
        if let Some(&first) = self.groups.first() {
            let mut groups: Vec<c_int> = self.groups.iter().map(|&g| c_int::from(g)).collect();
            // SAFETY: a live connection; `groups` holds `count` entries, copied by the call.
            let status =
                unsafe { (api.wolfSSL_set_groups)(ssl, groups.as_mut_ptr(), count(&groups)) };
            check(api, status, "setting the groups")?;
            // SAFETY: a live connection.
            let status = unsafe { (api.wolfSSL_UseKeyShare)(ssl, first) };
            check(api, status, "offering the key share")?;
        }
        if let Some(slot) = &self.session {
            if let Some(session) = slot.borrow().as_ref() {
                // SAFETY: a live connection and a session of this same context.
                let status = unsafe { (api.wolfSSL_set_session)(ssl, session.session.as_ptr()) };
                check(api, status, "offering the earlier session")?;
            }
            stream.session = Some(Rc::clone(slot));
        }
        // SAFETY: a live connection over its blocking socket.
        let status = unsafe { (api.wolfSSL_connect)(ssl) };
        if status != WOLFSSL_SUCCESS {
            return Err(stream.handshake_error(status));
        }
        Ok(stream)
    }
}

/// The server side; the context's session cache and ticket key span connections.
pub struct WolfSslServer {
    context: Rc<Context>,
}

impl library::Server for WolfSslServer {
    type Stream = WolfSslStream;

    fn accept(
        &mut self,
        tcp: TcpStream,
        early_data: Option<&mut Vec<u8>>,
    ) -> Result<WolfSslStream, Error> {
        if early_data.is_some() {
            return Err(Error::library(
                "receiving early data",
                "not supported by this wolfSSL build",
            ));
        }
        let stream = self.context.connection(tcp)?;
        // SAFETY: a live connection over its blocking socket.
        let status = unsafe { (self.context.api.wolfSSL_accept)(stream.ssl.as_ptr()) };
        if status != WOLFSSL_SUCCESS {
            return Err(stream.handshake_error(status));
        }
        Ok(stream)
    }
}

/// A wolfSSL connection over its own TCP socket.
pub struct WolfSslStream {
    api: &'static WolfSslApi,
    ssl: NonNull<Ssl>,
    /// Client, resuming cases: where the session goes when the connection ends.
    session: Option<Rc<RefCell<Option<Session>>>>,
    _context: Rc<Context>,
    /// Closed (dropped) after the connection is freed.
    tcp: TcpStream,
}

impl WolfSslStream {
    /// The error wolfSSL recorded for a call that returned `status`.
    fn error_code(&self, status: c_int) -> c_int {
        // SAFETY: a live connection; reads its last error.
        unsafe { (self.api.wolfSSL_get_error)(self.ssl.as_ptr(), status) }
    }

    /// A failed handshake: wolfSSL's error, and the certificate verification
    /// result when verification failed.
    fn handshake_error(&self, status: c_int) -> Error {
        let code = self.error_code(status);
        let mut detail = describe(self.api, code);
        // SAFETY: a live connection; read-only query.
        let verification = unsafe { (self.api.wolfSSL_get_verify_result)(self.ssl.as_ptr()) };
        if verification != 0 {
            // The library has no text for most X509_V_ERR codes: the number it is.
            detail.push_str(&format!(" (X509 verification result {verification})"));
        }
        Error::library("TLS handshake", detail)
    }

    /// An I/O error for a read or write that returned `status`.
    fn io_error(&self, status: c_int) -> io::Error {
        let code = self.error_code(status);
        let kind = if code == WOLFSSL_ERROR_SYSCALL || code == SOCKET_PEER_CLOSED_E {
            io::ErrorKind::UnexpectedEof
        } else {
            io::ErrorKind::Other
        };
        io::Error::new(kind, describe(self.api, code))
    }
}

impl Drop for WolfSslStream {
    fn drop(&mut self) {
        if let Some(slot) = &self.session {
            // SAFETY: a live connection; the reference returned is ours to free.
            let session = unsafe { (self.api.wolfSSL_get1_session)(self.ssl.as_ptr()) };
            if let Some(session) = NonNull::new(session) {
                *slot.borrow_mut() = Some(Session {
                    api: self.api,
                    session,
                });
            }
        }
        // SAFETY: made by wolfSSL_new and freed only here; the socket is still open.
        unsafe { (self.api.wolfSSL_free)(self.ssl.as_ptr()) }
    }
}

impl Read for WolfSslStream {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if buffer.is_empty() {
            return Ok(0);
        }
        let size = c_int::try_from(buffer.len()).unwrap_or(c_int::MAX);
        loop {
            // SAFETY: a live connection; the buffer has room for `size` bytes.
            let status = unsafe {
                (self.api.wolfSSL_read)(self.ssl.as_ptr(), buffer.as_mut_ptr().cast(), size)
            };
            if let Ok(count) = usize::try_from(status)
                && count > 0
            {
                return Ok(count);
            }
            match self.error_code(status) {
                WOLFSSL_ERROR_ZERO_RETURN => return Ok(0),
                // Only post-handshake messages were read; the socket blocks,
                // so trying again waits for more.
                WOLFSSL_ERROR_WANT_READ | WOLFSSL_ERROR_WANT_WRITE => {}
                _ => return Err(self.io_error(status)),
            }
        }
    }
}

impl Write for WolfSslStream {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        let size = c_int::try_from(data.len()).unwrap_or(c_int::MAX);
        // SAFETY: a live connection; `data` holds at least `size` bytes. On a
        // blocking socket wolfSSL writes them all before returning.
        let status =
            unsafe { (self.api.wolfSSL_write)(self.ssl.as_ptr(), data.as_ptr().cast(), size) };
        match usize::try_from(status) {
            Ok(count) if count > 0 => Ok(count),
            _ => Err(self.io_error(status)),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        // wolfSSL_write has put everything on the socket already.
        Ok(())
    }
}

impl TlsStream for WolfSslStream {
    fn send_close_notify(&mut self) -> Result<(), Error> {
        // SAFETY: a live connection over its blocking socket.
        let status = unsafe { (self.api.wolfSSL_shutdown)(self.ssl.as_ptr()) };
        // WOLFSSL_SUCCESS once both close_notify are through, 0
        // (WOLFSSL_SHUTDOWN_NOT_DONE with WOLFSSL_ERROR_CODE_OPENSSL) when
        // only ours is.
        if status >= 0 {
            Ok(())
        } else {
            Err(Error::library(
                "wolfSSL_shutdown",
                describe(self.api, self.error_code(status)),
            ))
        }
    }

    fn request_key_update(&mut self) -> Result<(), Error> {
        // SAFETY: a live connection; the KeyUpdate goes out at once.
        let status = unsafe { (self.api.wolfSSL_update_keys)(self.ssl.as_ptr()) };
        if status == WOLFSSL_SUCCESS {
            Ok(())
        } else {
            Err(Error::library(
                "wolfSSL_update_keys",
                describe(self.api, self.error_code(status)),
            ))
        }
    }

    fn resumed(&self) -> bool {
        // SAFETY: a live connection; read-only query.
        unsafe { (self.api.wolfSSL_session_reused)(self.ssl.as_ptr()) == 1 }
    }

    fn early_data_accepted(&self) -> bool {
        false
    }

    fn negotiated_group(&self) -> Option<NamedGroup> {
        // SAFETY: a live connection; returns a static string or null.
        let name = unsafe { c_text((self.api.wolfSSL_get_curve_name)(self.ssl.as_ptr())) }?;
        Some(match name.as_str() {
            "SECP256R1" => NamedGroup::Secp256r1,
            "X25519" => NamedGroup::X25519,
            _ => NamedGroup::Other(name),
        })
    }
}

#[cfg(test)]
mod tests {
    // wolfSSL itself (a Debian package the matrix installs on first use) is
    // exercised by the wolfssl cells of the TLS matrix, not here.
    use super::*;

    #[test]
    fn early_data_alone_is_unsupported() {
        for case in Case::ALL {
            for role in [Role::Client, Role::Server] {
                assert_eq!(
                    WolfSsl.unsupported(role, case).is_some(),
                    case == Case::EarlyData,
                    "{role} {case}"
                );
            }
        }
    }
}
