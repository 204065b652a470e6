//! The system OpenSSL 3 (through the `openssl` crate, with `openssl-sys`
//! where the crate has no safe wrapper) behind the driver's traits.
//!
//! One `SSL_CTX` serves every connection of the process, so the session
//! cache and ticket keys carry over to resumptions; everything a connection's
//! flags decide is set on its `SSL`. Callbacks are plain C functions over
//! one process-wide state, so that setting them up never allocates through
//! a path that could panic under allocation-failure injection.

mod errors;
pub mod malloc;

use std::ffi::{c_char, c_int, c_long, c_uchar, c_uint, c_void};
use std::path::Path;
use std::ptr;
use std::sync::{Mutex, MutexGuard, PoisonError};

use foreign_types::{ForeignType, ForeignTypeRef};
use openssl::ssl::{
    ErrorCode, NameType, SslContext, SslContextBuilder, SslFiletype, SslMethod, SslOptions, SslRef,
    SslSession, SslSessionCacheMode, SslStream, SslVersion, StatusType,
};
use openssl::x509::X509VerifyResult;
use openssl_sys as ffi;

use crate::config::{self, TLS1_0, TLS1_1, TLS1_2, TLS1_3, TestConfig};
use crate::error::Failure;
use crate::library::{Connection, Facts, Library, ReadOutcome, SessionFacts};
use crate::wire::Wire;

// Not bound by `openssl-sys` 0.9 (or bound only as macros there).
unsafe extern "C" {
    fn SSL_key_update(ssl: *mut ffi::SSL, update_type: c_int) -> c_int;
    fn SSL_set_options(ssl: *mut ffi::SSL, options: u64) -> u64;
    fn SSL_set_quiet_shutdown(ssl: *mut ffi::SSL, mode: c_int);
    fn SSL_set_psk_client_callback(
        ssl: *mut ffi::SSL,
        callback: Option<
            extern "C" fn(
                *mut ffi::SSL,
                *const c_char,
                *mut c_char,
                c_uint,
                *mut c_uchar,
                c_uint,
            ) -> c_uint,
        >,
    );
    fn SSL_set_psk_server_callback(
        ssl: *mut ffi::SSL,
        callback: Option<
            extern "C" fn(*mut ffi::SSL, *const c_char, *mut c_uchar, c_uint) -> c_uint,
        >,
    );
    fn SSL_use_psk_identity_hint(ssl: *mut ffi::SSL, hint: *const c_char) -> c_int;
    fn SSL_get_state(ssl: *const ffi::SSL) -> c_int;
    fn SSL_CTX_set_msg_callback(
        ctx: *mut ffi::SSL_CTX,
        callback: Option<
            extern "C" fn(c_int, c_int, c_int, *const c_void, usize, *mut ffi::SSL, *mut c_void),
        >,
    );
    fn SSL_CTX_set_cert_verify_callback(
        ctx: *mut ffi::SSL_CTX,
        callback: Option<extern "C" fn(*mut ffi::X509_STORE_CTX, *mut c_void) -> c_int>,
        argument: *mut c_void,
    );
}

/// `TLS_ST_CW_CLNT_HELLO` / `TLS_ST_SR_CLNT_HELLO` (`OSSL_HANDSHAKE_STATE`):
/// the states in which OpenSSL asks the PSK callbacks for a TLS 1.3 PSK.
const STATE_WRITING_CLIENT_HELLO: c_int = 12;
const STATE_READING_CLIENT_HELLO: c_int = 20;
/// `SSL3_RT_CHANGE_CIPHER_SPEC`.
const CONTENT_CHANGE_CIPHER_SPEC: c_int = 20;
/// `SSL3_RT_HEADER` / `SSL3_RT_INNER_CONTENT_TYPE`: the message callback's
/// pseudo content types for a record header and a TLS 1.3 inner type.
const RECORD_HEADER: c_int = 256;
const INNER_CONTENT_TYPE: c_int = 257;
/// `SSL_KEY_UPDATE_NOT_REQUESTED`.
const KEY_UPDATE_NOT_REQUESTED: c_int = 0;
/// `SSL_CTRL_GET_NEGOTIATED_GROUP` (`SSL_get_negotiated_group` is a macro).
const CTRL_GET_NEGOTIATED_GROUP: c_int = 134;
/// `SSL_CTRL_SESS_NUMBER` (`SSL_CTX_sess_number` is a macro).
const CTRL_SESS_NUMBER: c_int = 20;
/// `TLSEXT_nid_unknown`: flags a group OpenSSL has no NID for.
const NID_UNKNOWN_GROUP: c_int = 0x0100_0000;
/// `SSL_TLSEXT_ERR_OK` / `SSL_TLSEXT_ERR_NOACK`.
const TLSEXT_ERR_OK: c_int = 0;
const TLSEXT_ERR_ALERT_FATAL: c_int = 2;
const TLSEXT_ERR_NOACK: c_int = 3;
/// `X509_V_ERR_APPLICATION_VERIFICATION`.
const X509_V_ERR_APPLICATION_VERIFICATION: c_int = 50;

const SESSION_ID_CONTEXT: &[u8] = b"crosscheck-bogo";

/// TLS group ids and OpenSSL's names and NIDs for them.
const GROUPS: &[(u16, &str, c_int)] = &[
    (23, "P-256", 415),
    (24, "P-384", 715),
    (25, "P-521", 716),
    (29, "X25519", 1034),
    (30, "X448", 1035),
    (256, "ffdhe2048", 1126),
    (257, "ffdhe3072", 1127),
    (258, "ffdhe4096", 1128),
    (259, "ffdhe6144", 1129),
    (260, "ffdhe8192", 1130),
];

/// How the server answers ALPN.
#[derive(Clone, Copy, Debug)]
enum AlpnChoice {
    /// No protocol is selected (no callback in BoringSSL's shim).
    None,
    /// `-select-alpn`: this protocol, whatever the client offered.
    Select(&'static [u8]),
    /// `-reject-alpn`: fail the handshake.
    Reject,
}

/// State the C callbacks read and write; one connection runs at a time.
struct CallbackState {
    /// The OCSP response of the last full handshake: a resumed session
    /// carries it in BoringSSL, OpenSSL does not keep it.
    session_ocsp: Option<Vec<u8>>,
    psk: Vec<u8>,
    psk_identity: Vec<u8>,
    verify_fail: bool,
    ocsp_response: Option<Vec<u8>>,
    alpn: AlpnChoice,
    offered_alpn: Option<Vec<u8>>,
    keep_sessions: bool,
    new_sessions: usize,
    latest: Option<SslSession>,
    latest_allows_early_data: bool,
    /// The content type of the last record received.
    last_received: c_int,
}

static CALLBACKS: Mutex<CallbackState> = Mutex::new(CallbackState {
    session_ocsp: None,
    psk: Vec::new(),
    psk_identity: Vec::new(),
    verify_fail: false,
    ocsp_response: None,
    alpn: AlpnChoice::None,
    offered_alpn: None,
    keep_sessions: false,
    new_sessions: 0,
    latest: None,
    latest_allows_early_data: false,
    last_received: 0,
});

fn callbacks() -> MutexGuard<'static, CallbackState> {
    CALLBACKS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Replaces OpenSSL's chain verification, as BoringSSL's shim replaces
/// its own: any chain is accepted unless `-verify-fail`. The verify mode
/// then decides whether a rejection ends the handshake.
extern "C" fn cert_verify_callback(
    store: *mut ffi::X509_STORE_CTX,
    _argument: *mut c_void,
) -> c_int {
    if callbacks().verify_fail {
        // SAFETY: OpenSSL passes the live store context of this verification.
        unsafe { ffi::X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION) };
        return 0;
    }
    1
}

/// Copies `source` into OpenSSL's `max`-byte buffer at `out`; false if it
/// does not fit.
fn copy_out(source: &[u8], out: *mut c_uchar, max: c_uint) -> bool {
    if out.is_null() || usize::try_from(max).map_or(true, |max| source.len() > max) {
        return false;
    }
    // SAFETY: OpenSSL's buffer holds `max` bytes, checked above.
    unsafe { ptr::copy_nonoverlapping(source.as_ptr(), out, source.len()) };
    true
}

/// The C string at `pointer` (None for NULL).
fn c_bytes<'a>(pointer: *const c_char) -> Option<&'a [u8]> {
    // SAFETY: OpenSSL passes NUL-terminated strings or NULL.
    (!pointer.is_null()).then(|| unsafe { std::ffi::CStr::from_ptr(pointer) }.to_bytes())
}

/// Whether OpenSSL asks a PSK callback for a TLS 1.3 PSK (while the
/// ClientHello is written or read): BoringSSL's `-psk` configures the
/// TLS 1.2 PSK cipher suites only, so the callbacks offer nothing then.
fn tls13_psk_request(ssl: *mut ffi::SSL) -> bool {
    // SAFETY: OpenSSL passes the live connection to its callbacks.
    let state = unsafe { SSL_get_state(ssl) };
    state == STATE_WRITING_CLIENT_HELLO || state == STATE_READING_CLIENT_HELLO
}

/// Notes the content type of every record received, from the record
/// headers (and TLS 1.3's inner content types), which OpenSSL reports
/// before it processes the record.
extern "C" fn message_callback(
    write_p: c_int,
    _version: c_int,
    content_type: c_int,
    buffer: *const c_void,
    length: usize,
    _ssl: *mut ffi::SSL,
    _argument: *mut c_void,
) {
    if write_p != 0
        || buffer.is_null()
        || length == 0
        || !(content_type == RECORD_HEADER || content_type == INNER_CONTENT_TYPE)
    {
        return;
    }
    // SAFETY: OpenSSL passes `length` readable bytes at `buffer`.
    let record_type = unsafe { *buffer.cast::<u8>() };
    callbacks().last_received = c_int::from(record_type);
}

/// The client side of `-psk`: the server's hint must be the configured
/// identity (or absent when there is none), as in BoringSSL's shim.
extern "C" fn psk_client_callback(
    ssl: *mut ffi::SSL,
    hint: *const c_char,
    identity: *mut c_char,
    max_identity: c_uint,
    psk: *mut c_uchar,
    max_psk: c_uint,
) -> c_uint {
    if tls13_psk_request(ssl) {
        return 0;
    }
    let state = callbacks();
    let hint = c_bytes(hint);
    let hint_ok = if state.psk_identity.is_empty() {
        hint.is_none()
    } else {
        hint == Some(state.psk_identity.as_slice())
    };
    let mut terminated = state.psk_identity.clone();
    terminated.push(0);
    if !hint_ok
        || !copy_out(&terminated, identity.cast(), max_identity)
        || !copy_out(&state.psk, psk, max_psk)
    {
        return 0;
    }
    c_uint::try_from(state.psk.len()).unwrap_or(0)
}

/// The server side of `-psk`: the client must send the configured identity.
extern "C" fn psk_server_callback(
    ssl: *mut ffi::SSL,
    identity: *const c_char,
    psk: *mut c_uchar,
    max_psk: c_uint,
) -> c_uint {
    if tls13_psk_request(ssl) {
        return 0;
    }
    let state = callbacks();
    if c_bytes(identity) != Some(state.psk_identity.as_slice())
        || !copy_out(&state.psk, psk, max_psk)
    {
        return 0;
    }
    c_uint::try_from(state.psk.len()).unwrap_or(0)
}

/// Staples the configured OCSP response (the server only staples from
/// this callback in OpenSSL).
extern "C" fn status_callback(ssl: *mut ffi::SSL, _argument: *mut c_void) -> c_int {
    let Some(response) = callbacks().ocsp_response.clone() else {
        return TLSEXT_ERR_NOACK;
    };
    // SAFETY: OpenSSL passes the live connection being handshaken.
    let ssl = unsafe { SslRef::from_ptr_mut(ssl) };
    match ssl.set_ocsp_status(&response) {
        Ok(()) => TLSEXT_ERR_OK,
        Err(_) => TLSEXT_ERR_ALERT_FATAL,
    }
}

extern "C" fn alpn_callback(
    _ssl: *mut ffi::SSL,
    out: *mut *const c_uchar,
    out_length: *mut c_uchar,
    offered: *const c_uchar,
    offered_length: c_uint,
    _argument: *mut c_void,
) -> c_int {
    let mut state = callbacks();
    let offered = match usize::try_from(offered_length) {
        Ok(length) if !offered.is_null() => {
            // SAFETY: OpenSSL passes the client's list and its length.
            unsafe { std::slice::from_raw_parts(offered, length) }.to_vec()
        }
        _ => Vec::new(),
    };
    state.offered_alpn = Some(offered);
    match state.alpn {
        AlpnChoice::Select(protocol) => {
            let Ok(length) = c_uchar::try_from(protocol.len()) else {
                return TLSEXT_ERR_NOACK;
            };
            // SAFETY: OpenSSL passes valid out-pointers; the protocol is
            // 'static and OpenSSL copies it before the handshake goes on.
            unsafe {
                *out = protocol.as_ptr();
                *out_length = length;
            }
            TLSEXT_ERR_OK
        }
        AlpnChoice::None => TLSEXT_ERR_NOACK,
        AlpnChoice::Reject => TLSEXT_ERR_ALERT_FATAL,
    }
}

unsafe extern "C" fn new_session_callback(
    _ssl: *mut ffi::SSL,
    session: *mut ffi::SSL_SESSION,
) -> c_int {
    let mut state = callbacks();
    state.new_sessions += 1;
    if !state.keep_sessions {
        return 0;
    }
    // SAFETY: returning 1 hands this reference to us, so wrapping it in an
    // owning `SslSession` is balanced.
    let session = unsafe { SslSession::from_ptr(session) };
    state.latest_allows_early_data = session.max_early_data() > 0;
    state.latest = Some(session);
    1
}

/// The OpenSSL adapter.
pub struct OpenSsl {
    injecting: bool,
    context: Option<SslContext>,
}

impl Library for OpenSsl {
    type Connection = OpenSslStream;

    fn new() -> Result<OpenSsl, Failure> {
        let injecting = malloc::install_from_env()?;
        Ok(OpenSsl {
            injecting,
            context: None,
        })
    }

    fn check(&self, config: &TestConfig) -> Result<(), Failure> {
        config::enabled_versions(config).map_err(|version| {
            Failure::unimplemented(format!("protocol version {version:#06x}"))
        })?;
        if let Some(cipher) = &config.cipher {
            openssl_cipher_list(cipher)?;
        }
        group_names(&config.curves)?;
        if !config.signing_prefs.is_empty()
            || !config.verify_prefs.is_empty()
            || config.expect_peer_signature_algorithm.is_some()
        {
            return Err(Failure::unimplemented(
                "signature algorithm preferences and the peer's signature algorithm \
                 (OpenSSL 3.0 has no per-direction lists nor a codepoint getter)",
            ));
        }
        if config::parse_alpn_list(&config.advertise_alpn).is_none() {
            return Err(Failure::unimplemented("a malformed -advertise-alpn list"));
        }
        for path in [
            &config.cert_file,
            &config.key_file,
            &config.expect_peer_cert_file,
        ]
        .into_iter()
        .flatten()
        {
            if path.to_str().is_none() {
                return Err(Failure::setup(format!("{} is not UTF-8", path.display())));
            }
        }
        Ok(())
    }

    fn handshake(
        &mut self,
        config: &TestConfig,
        wire: Wire,
        resumption: bool,
    ) -> Result<OpenSslStream, Failure> {
        let context = match &self.context {
            Some(context) => context.clone(),
            None => {
                let context = build_context(config)?;
                self.context = Some(context.clone());
                context
            }
        };
        let cached_before = session_count(&context);
        let offer = {
            let mut state = callbacks();
            state.verify_fail = config.verify_fail;
            state.psk.clone_from(&config.psk);
            state.psk_identity.clone_from(&config.psk_identity);
            state.ocsp_response.clone_from(&config.ocsp_response);
            state.alpn =
                if config.decline_alpn || (config.select_alpn.is_empty() && !config.reject_alpn) {
                    AlpnChoice::None
                } else if config.reject_alpn {
                    AlpnChoice::Reject
                } else {
                    AlpnChoice::Select(Box::leak(config.select_alpn.clone().into_boxed_slice()))
                };
            state.keep_sessions = !config.is_server;
            state.offered_alpn = None;
            state.last_received = 0;
            state.new_sessions = 0;
            state.latest_allows_early_data = false;
            state.latest.take()
        };
        let mut ssl = openssl::ssl::Ssl::new(&context).map_err(|error| errors::failure(&error))?;
        configure(&mut ssl, config)?;
        if config.is_server {
            ssl.set_accept_state();
        } else {
            if resumption {
                let Some(session) = offer else {
                    return Err(Failure::check("No session to offer."));
                };
                // SAFETY: the session comes from this process's SSL_CTX.
                unsafe { ssl.set_session(&session) }.map_err(|error| errors::failure(&error))?;
            }
            ssl.set_connect_state();
        }
        let mut stream = SslStream::new(ssl, wire).map_err(|error| errors::failure(&error))?;
        if !config.implicit_handshake {
            stream.do_handshake().map_err(ssl_failure)?;
            if !stream.ssl().session_reused() {
                callbacks().session_ocsp = stream.ssl().ocsp_status().map(<[u8]>::to_vec);
            }
        }
        Ok(OpenSslStream {
            stream,
            context,
            cached_before,
            server: config.is_server,
        })
    }

    fn allocation_failure_injected(&self) -> bool {
        self.injecting && malloc::failure_injected()
    }
}

fn build_context(config: &TestConfig) -> Result<SslContext, Failure> {
    let mut builder =
        SslContextBuilder::new(SslMethod::tls()).map_err(|error| errors::failure(&error))?;
    // BoringSSL has no security levels: let the flags alone decide versions
    // and algorithms. Renegotiation is off, as BoringSSL's default.
    builder.set_security_level(0);
    builder.set_options(SslOptions::NO_RENEGOTIATION);
    if config.is_server {
        builder.set_session_cache_mode(SslSessionCacheMode::SERVER);
        builder
            .set_session_id_context(SESSION_ID_CONTEXT)
            .map_err(|error| errors::failure(&error))?;
    } else {
        builder.set_session_cache_mode(SslSessionCacheMode::CLIENT);
    }
    // SAFETY: the context is live; the callbacks have OpenSSL's signatures.
    unsafe {
        SSL_CTX_set_cert_verify_callback(
            builder.as_ptr(),
            Some(cert_verify_callback),
            ptr::null_mut(),
        );
        ffi::SSL_CTX_sess_set_new_cb(builder.as_ptr(), Some(new_session_callback));
        SSL_CTX_set_msg_callback(builder.as_ptr(), Some(message_callback));
        if config.is_server {
            ffi::SSL_CTX_set_tlsext_status_cb(builder.as_ptr(), Some(status_callback));
            ffi::SSL_CTX_set_alpn_select_cb__fixed_rust(
                builder.as_ptr(),
                Some(alpn_callback),
                ptr::null_mut(),
            );
        }
    }
    Ok(builder.build())
}

fn session_count(context: &SslContext) -> c_long {
    // SAFETY: SSL_CTX_sess_number is this ctrl on a live context.
    unsafe { ffi::SSL_CTX_ctrl(context.as_ptr(), CTRL_SESS_NUMBER, 0, ptr::null_mut()) }
}

/// OpenSSL's `SslVersion` for a TLS wire value.
fn ssl_version(version: u16) -> Option<SslVersion> {
    match version {
        TLS1_0 => Some(SslVersion::TLS1),
        TLS1_1 => Some(SslVersion::TLS1_1),
        TLS1_2 => Some(SslVersion::TLS1_2),
        TLS1_3 => Some(SslVersion::TLS1_3),
        _ => None,
    }
}

fn setup_error(what: &str) -> impl Fn(openssl::error::ErrorStack) -> Failure + '_ {
    move |error| Failure::setup(format!("{what}: {error}"))
}

/// Applies a connection's flags to its `SSL`.
fn configure(ssl: &mut SslRef, config: &TestConfig) -> Result<(), Failure> {
    let enabled = config::enabled_versions(config)
        .map_err(|version| Failure::unimplemented(format!("protocol version {version:#06x}")))?;
    // BoringSSL's client accepts a server without renegotiation_info (it
    // only needs the extension to renegotiate, which it does not here).
    let mut options = ffi::SSL_OP_NO_RENEGOTIATION | ffi::SSL_OP_LEGACY_SERVER_CONNECT;
    for (version, option) in [
        (TLS1_0, ffi::SSL_OP_NO_TLSv1),
        (TLS1_1, ffi::SSL_OP_NO_TLSv1_1),
        (TLS1_2, ffi::SSL_OP_NO_TLSv1_2),
        (TLS1_3, ffi::SSL_OP_NO_TLSv1_3),
    ] {
        if !enabled.contains(&version) {
            options |= option;
        }
    }
    if let (Some(&low), Some(&high)) = (enabled.first(), enabled.last()) {
        ssl.set_min_proto_version(ssl_version(low))
            .and_then(|()| ssl.set_max_proto_version(ssl_version(high)))
            .map_err(setup_error("setting the version range"))?;
    }
    if config.server_preference {
        options |= ffi::SSL_OP_CIPHER_SERVER_PREFERENCE;
    }
    if config.no_ticket {
        options |= ffi::SSL_OP_NO_TICKET;
        ssl.set_num_tickets(0)
            .map_err(setup_error("disabling tickets"))?;
    }
    // SAFETY: `ssl` is live; options are plain bit flags.
    unsafe { SSL_set_options(ssl.as_ptr(), options) };

    if let Some(cipher) = &config.cipher {
        let list = openssl_cipher_list(cipher)?;
        ssl.set_cipher_list(&list).map_err(|error| {
            Failure::unimplemented(format!("OpenSSL rejects cipher string {list:?}: {error}"))
        })?;
    }
    if !config.curves.is_empty() {
        let names = group_names(&config.curves)?;
        let list = std::ffi::CString::new(names.join(":"))
            .map_err(|_| Failure::setup("group list with NUL"))?;
        // SAFETY: `ssl` is live and `list` a NUL-terminated string.
        if unsafe { ffi::SSL_set1_groups_list(ssl.as_ptr(), list.as_ptr()) } != 1 {
            return Err(Failure::unimplemented(format!(
                "OpenSSL rejects groups {names:?}"
            )));
        }
    }

    if let (Some(cert), Some(key)) = (&config.cert_file, &config.key_file) {
        ssl.set_certificate_chain_file(utf8(cert)?)
            .map_err(|error| errors::failure(&error))?;
        ssl.set_private_key_file(utf8(key)?, SslFiletype::PEM)
            .map_err(|error| errors::failure(&error))?;
    }

    let mode = if config.is_server {
        if config.require_any_client_certificate {
            ffi::SSL_VERIFY_PEER | ffi::SSL_VERIFY_FAIL_IF_NO_PEER_CERT
        } else if config.verify_peer {
            ffi::SSL_VERIFY_PEER
        } else {
            ffi::SSL_VERIFY_NONE
        }
    } else if config.verify_peer {
        ffi::SSL_VERIFY_PEER
    } else {
        ffi::SSL_VERIFY_NONE
    };
    // SAFETY: `ssl` is live.
    unsafe { ffi::SSL_set_verify(ssl.as_ptr(), mode, None) };

    if !config.is_server && !config.advertise_alpn.is_empty() {
        ssl.set_alpn_protos(&config.advertise_alpn)
            .map_err(|error| {
                Failure::unimplemented(format!("OpenSSL rejects the ALPN list: {error}"))
            })?;
    }
    if !config.psk.is_empty() {
        // SAFETY: `ssl` is live; the callbacks have OpenSSL's signatures.
        unsafe {
            SSL_set_psk_client_callback(ssl.as_ptr(), Some(psk_client_callback));
            SSL_set_psk_server_callback(ssl.as_ptr(), Some(psk_server_callback));
        }
    }
    if !config.psk_identity.is_empty() {
        let hint = std::ffi::CString::new(config.psk_identity.clone())
            .map_err(|_| Failure::setup("PSK identity with NUL"))?;
        // SAFETY: `ssl` is live and `hint` NUL-terminated.
        if unsafe { SSL_use_psk_identity_hint(ssl.as_ptr(), hint.as_ptr()) } != 1 {
            return Err(errors::failure(&openssl::error::ErrorStack::get()));
        }
    }
    if !config.is_server && config.enable_ocsp_stapling {
        ssl.set_status_type(StatusType::OCSP)
            .map_err(|error| errors::failure(&error))?;
    }
    if let Some(name) = &config.host_name {
        ssl.set_hostname(name)
            .map_err(|error| errors::failure(&error))?;
    }
    Ok(())
}

fn utf8(path: &Path) -> Result<&str, Failure> {
    path.to_str()
        .ok_or_else(|| Failure::setup(format!("{} is not UTF-8", path.display())))
}

fn group_names(curves: &[u16]) -> Result<Vec<&'static str>, Failure> {
    curves
        .iter()
        .map(|id| {
            GROUPS
                .iter()
                .find(|(group, _, _)| group == id)
                .map(|(_, name, _)| *name)
                .ok_or_else(|| Failure::unimplemented(format!("group {id} in OpenSSL 3.0")))
        })
        .collect()
}

/// A BoringSSL `-cipher` string in OpenSSL's syntax: standard suite names
/// become OpenSSL names, keywords and operators pass through. Equal-preference
/// groups (`[a|b]`), numeric ids and suites this OpenSSL lacks cannot be
/// honoured and are unimplemented.
fn openssl_cipher_list(cipher: &str) -> Result<String, Failure> {
    let mut out = Vec::new();
    for token in cipher.split(':').filter(|token| !token.is_empty()) {
        if token.contains(['[', ']', '|']) {
            return Err(Failure::unimplemented(format!(
                "equal-preference cipher groups in {cipher:?}"
            )));
        }
        let (operator, name) = match token.strip_prefix(['!', '-', '+']) {
            Some(rest) => (&token[..1], rest),
            None => ("", token),
        };
        if name.is_empty() || name.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(Failure::unimplemented(format!(
                "cipher string element {token:?}"
            )));
        }
        if name.starts_with("TLS_") || name.starts_with("SSL_") {
            let openssl = openssl::ssl::cipher_name(name);
            if openssl == "(NONE)" {
                return Err(Failure::unimplemented(format!(
                    "cipher {name} is not in this OpenSSL"
                )));
            }
            out.push(format!("{operator}{openssl}"));
        } else {
            out.push(token.to_string());
        }
    }
    Ok(out.join(":"))
}

fn ssl_failure(error: openssl::ssl::Error) -> Failure {
    if let Some(stack) = error.ssl_error() {
        let context = errors::Context {
            last_received_change_cipher_spec: callbacks().last_received
                == CONTENT_CHANGE_CIPHER_SPEC,
        };
        return errors::failure_in(stack, context);
    }
    if error.code() == ErrorCode::SYSCALL && error.io_error().is_none() {
        return Failure::check("the runner closed the connection unexpectedly");
    }
    match error.into_io_error() {
        Ok(io) => Failure::io("talking to the runner", io),
        Err(error) => Failure::tls(":UNKNOWN_ERROR:", error),
    }
}

/// An OpenSSL connection over the runner socket.
pub struct OpenSslStream {
    stream: SslStream<Wire>,
    context: SslContext,
    cached_before: c_long,
    server: bool,
}

impl Connection for OpenSslStream {
    fn read(&mut self, buffer: &mut [u8]) -> Result<ReadOutcome, Failure> {
        match self.stream.ssl_read(buffer) {
            Ok(count) => Ok(ReadOutcome::Data(count)),
            Err(error) if error.code() == ErrorCode::ZERO_RETURN => Ok(ReadOutcome::CloseNotify),
            Err(error) if error.code() == ErrorCode::SYSCALL && error.io_error().is_none() => {
                Ok(ReadOutcome::Eof)
            }
            Err(error) if error.ssl_error().is_some_and(errors::is_unexpected_eof) => {
                Ok(ReadOutcome::Eof)
            }
            Err(error) => Err(ssl_failure(error)),
        }
    }

    fn write_all(&mut self, mut data: &[u8]) -> Result<(), Failure> {
        while !data.is_empty() {
            let written = self.stream.ssl_write(data).map_err(ssl_failure)?;
            data = &data[written..];
        }
        Ok(())
    }

    fn key_update(&mut self) -> Result<(), Failure> {
        let ssl = self.stream.ssl().as_ptr();
        // SAFETY: `ssl` is the live connection.
        if unsafe { SSL_key_update(ssl, KEY_UPDATE_NOT_REQUESTED) } != 1 {
            return Err(errors::failure(&openssl::error::ErrorStack::get()));
        }
        // Sends the KeyUpdate now rather than with the next write.
        self.stream.do_handshake().map_err(ssl_failure)
    }

    fn send_close_notify(&mut self) -> Result<(), Failure> {
        self.stream.shutdown().map(|_| ()).map_err(ssl_failure)
    }

    fn shut_down_quietly(&mut self) -> Result<(), Failure> {
        // SAFETY: `ssl` is the live connection. In quiet mode SSL_shutdown
        // only records the shutdown, which keeps the session resumable.
        unsafe { SSL_set_quiet_shutdown(self.stream.ssl().as_ptr(), 1) };
        self.stream.shutdown().map(|_| ()).map_err(ssl_failure)
    }

    fn export_keying_material(
        &self,
        length: usize,
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<Vec<u8>, Failure> {
        let mut out = vec![0u8; length];
        let (context_pointer, context_length) = context.map_or((ptr::null(), 0), |context| {
            (context.as_ptr(), context.len())
        });
        // SAFETY: `ssl` is live and every pointer comes with its length.
        let exported = unsafe {
            ffi::SSL_export_keying_material(
                self.stream.ssl().as_ptr(),
                out.as_mut_ptr(),
                out.len(),
                label.as_ptr().cast(),
                label.len(),
                context_pointer,
                context_length,
                c_int::from(context.is_some()),
            )
        };
        if exported != 1 {
            return Err(errors::failure(&openssl::error::ErrorStack::get()));
        }
        Ok(out)
    }

    fn facts(&self) -> Facts {
        let ssl = self.stream.ssl();
        // SAFETY: `ssl` is live; SSL_version only reads connection state.
        let version = unsafe { ffi::SSL_version(ssl.as_ptr()) };
        // SSL_get_negotiated_group dereferences the session, which does not
        // exist before the handshake.
        let group = if ssl.session().is_some() {
            // SAFETY: `ssl` is live and has a session.
            unsafe { ffi::SSL_ctrl(ssl.as_ptr(), CTRL_GET_NEGOTIATED_GROUP, 0, ptr::null_mut()) }
        } else {
            0
        };
        let group = c_int::try_from(group).unwrap_or(0);
        let group = if group & NID_UNKNOWN_GROUP != 0 {
            u16::try_from(group & 0xffff).ok()
        } else {
            GROUPS
                .iter()
                .find(|(_, _, nid)| *nid == group)
                .map(|(id, _, _)| *id)
        };
        let mut peer_certificates = Vec::new();
        let leaf = ssl.peer_certificate();
        if self.server
            && let Some(leaf) = &leaf
        {
            peer_certificates.extend(leaf.to_der().ok());
        }
        if let Some(chain) = ssl.peer_cert_chain() {
            peer_certificates.extend(chain.iter().filter_map(|cert| cert.to_der().ok()));
        }
        if peer_certificates.is_empty()
            && let Some(leaf) = &leaf
        {
            peer_certificates.extend(leaf.to_der().ok());
        }
        // One lock for both: the guard must not live on inside the literal.
        let (offered_alpn, session_ocsp) = {
            let state = callbacks();
            (state.offered_alpn.clone(), state.session_ocsp.clone())
        };
        Facts {
            version: u16::try_from(version).ok(),
            cipher_suite: ssl
                .current_cipher()
                .map(|cipher| u16::from_be_bytes(cipher.protocol_id())),
            group,
            alpn: ssl.selected_alpn_protocol().map(<[u8]>::to_vec),
            resumed: ssl.session_reused(),
            peer_certificates,
            verify_ok: ssl.verify_result() == X509VerifyResult::OK,
            server_name: if self.server {
                ssl.servername(NameType::HOST_NAME).map(str::to_string)
            } else {
                None
            },
            offered_alpn,
            peer_signature_algorithm: None,
            ocsp_response: if ssl.session_reused() {
                session_ocsp
            } else {
                ssl.ocsp_status().map(<[u8]>::to_vec)
            },
            // TLS 1.3 always binds the session to the handshake, which
            // BoringSSL reports as extended master secret support.
            extended_master_secret: if u16::try_from(version).ok() == Some(TLS1_3) {
                Some(true)
            } else {
                ssl.extms_support()
            },
        }
    }

    fn sessions(&self) -> SessionFacts {
        if self.server {
            let added = session_count(&self.context) - self.cached_before;
            return SessionFacts {
                new_sessions: Some(usize::try_from(added.max(0)).unwrap_or(0)),
                latest_allows_early_data: false,
            };
        }
        let state = callbacks();
        SessionFacts {
            new_sessions: Some(state.new_sessions),
            latest_allows_early_data: state.latest_allows_early_data,
        }
    }

    fn wire(&self) -> &Wire {
        self.stream.get_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cipher_strings_translate_or_are_unimplemented() {
        assert_eq!(
            openssl_cipher_list("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:!AES256").ok(),
            Some("ECDHE-RSA-AES128-GCM-SHA256:!AES256".to_string())
        );
        assert_eq!(
            openssl_cipher_list("ALL:3DES").ok(),
            Some("ALL:3DES".to_string())
        );
        for cipher in [
            "[TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256|TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]",
            "4865",
            "TLS_NOT_A_SUITE",
        ] {
            assert!(
                matches!(openssl_cipher_list(cipher), Err(Failure::Unimplemented(_))),
                "{cipher}"
            );
        }
    }

    #[test]
    fn groups_map_to_openssl_names() {
        assert_eq!(group_names(&[29, 23]).ok(), Some(vec!["X25519", "P-256"]));
        assert!(matches!(
            group_names(&[4588]),
            Err(Failure::Unimplemented(_))
        ));
    }
}
