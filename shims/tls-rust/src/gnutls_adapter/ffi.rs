//! The part of GnuTLS 3.7's C API the adapter calls, with the prototypes of
//! `<gnutls/gnutls.h>` and `<gnutls/crypto.h>` (libgnutls28-dev 3.7.9),
//! loaded from `libgnutls.so.30` when the shim starts.

use std::ffi::{c_char, c_int, c_uint, c_void};
use std::sync::OnceLock;

use crate::c_api;
use crate::error::Error;

/// `struct gnutls_session_int`, behind `gnutls_session_t`.
#[repr(C)]
pub struct SessionInt {
    _opaque: [u8; 0],
}
/// `struct gnutls_certificate_credentials_st`, behind `gnutls_certificate_credentials_t`.
#[repr(C)]
pub struct CertificateCredentialsSt {
    _opaque: [u8; 0],
}
/// `struct gnutls_psk_client_credentials_st`, behind `gnutls_psk_client_credentials_t`.
#[repr(C)]
pub struct PskClientCredentialsSt {
    _opaque: [u8; 0],
}
/// `struct gnutls_psk_server_credentials_st`, behind `gnutls_psk_server_credentials_t`.
#[repr(C)]
pub struct PskServerCredentialsSt {
    _opaque: [u8; 0],
}
/// `struct gnutls_anti_replay_st`, behind `gnutls_anti_replay_t`.
#[repr(C)]
pub struct AntiReplaySt {
    _opaque: [u8; 0],
}

pub type Session = *mut SessionInt;
pub type CertificateCredentials = *mut CertificateCredentialsSt;
pub type PskClientCredentials = *mut PskClientCredentialsSt;
pub type PskServerCredentials = *mut PskServerCredentialsSt;
pub type AntiReplay = *mut AntiReplaySt;

/// `gnutls_datum_t`.
#[repr(C)]
pub struct Datum {
    pub data: *mut u8,
    pub size: c_uint,
}

/// `gnutls_keylog_func`.
pub type KeylogFunction =
    unsafe extern "C" fn(session: Session, label: *const c_char, secret: *const Datum) -> c_int;
/// `gnutls_psk_server_credentials_function2` (a pointer to one).
pub type PskServerFunction =
    unsafe extern "C" fn(session: Session, username: *const Datum, key: *mut Datum) -> c_int;
/// `gnutls_db_add_func`.
pub type DbAddFunction = unsafe extern "C" fn(
    pointer: *mut c_void,
    expiry: i64, // time_t
    key: *const Datum,
    data: *const Datum,
) -> c_int;

c_api! {
    /// GnuTLS 3.7, the functions the adapter calls.
    pub struct GnuTlsApi in ["libgnutls.so.30"], package "libgnutls30" {
        fn gnutls_check_version(required: *const c_char) -> *const c_char;
        fn gnutls_strerror(error: c_int) -> *const c_char;
        fn gnutls_strerror_name(error: c_int) -> *const c_char;
        fn gnutls_error_is_fatal(error: c_int) -> c_int;
        fn gnutls_rnd(level: c_int, data: *mut c_void, length: usize) -> c_int;

        fn gnutls_init(session: *mut Session, flags: c_uint) -> c_int;
        fn gnutls_deinit(session: Session);
        fn gnutls_priority_set_direct(
            session: Session,
            priorities: *const c_char,
            error_position: *mut *const c_char,
        ) -> c_int;
        fn gnutls_credentials_set(session: Session, kind: c_int, credentials: *mut c_void) -> c_int;
        fn gnutls_transport_set_int2(session: Session, receive: c_int, send: c_int);
        fn gnutls_server_name_set(
            session: Session,
            kind: c_int,
            name: *const c_void,
            length: usize,
        ) -> c_int;
        fn gnutls_session_set_verify_cert(session: Session, hostname: *const c_char, flags: c_uint);
        fn gnutls_session_get_verify_cert_status(session: Session) -> c_uint;
        fn gnutls_certificate_verification_status_print(
            status: c_uint,
            kind: c_int,
            out: *mut Datum,
            flags: c_uint,
        ) -> c_int;
        fn gnutls_certificate_server_set_request(session: Session, request: c_int);
        fn gnutls_session_set_keylog_function(session: Session, function: Option<KeylogFunction>);
        fn gnutls_session_get_random(session: Session, client: *mut Datum, server: *mut Datum);

        fn gnutls_handshake(session: Session) -> c_int;
        fn gnutls_record_recv(session: Session, data: *mut c_void, size: usize) -> isize;
        fn gnutls_record_send(session: Session, data: *const c_void, size: usize) -> isize;
        fn gnutls_bye(session: Session, how: c_int) -> c_int;
        fn gnutls_session_key_update(session: Session, flags: c_uint) -> c_int;
        fn gnutls_alert_send_appropriate(session: Session, error: c_int) -> c_int;
        fn gnutls_alert_get(session: Session) -> c_int;
        fn gnutls_alert_get_name(alert: c_int) -> *const c_char;

        fn gnutls_session_is_resumed(session: Session) -> c_int;
        fn gnutls_session_get_flags(session: Session) -> c_uint;
        fn gnutls_group_get(session: Session) -> c_int;
        fn gnutls_group_get_name(group: c_int) -> *const c_char;

        fn gnutls_session_ticket_enable_server(session: Session, key: *const Datum) -> c_int;
        fn gnutls_session_get_data(session: Session, data: *mut c_void, size: *mut usize) -> c_int;
        fn gnutls_session_set_data(session: Session, data: *const c_void, size: usize) -> c_int;

        fn gnutls_record_send_early_data(session: Session, data: *const c_void, size: usize) -> isize;
        fn gnutls_record_recv_early_data(session: Session, data: *mut c_void, size: usize) -> isize;
        fn gnutls_record_set_max_early_data_size(session: Session, size: usize) -> c_int;
        fn gnutls_anti_replay_init(anti_replay: *mut AntiReplay) -> c_int;
        fn gnutls_anti_replay_deinit(anti_replay: AntiReplay);
        fn gnutls_anti_replay_enable(session: Session, anti_replay: AntiReplay);
        fn gnutls_anti_replay_set_add_function(anti_replay: AntiReplay, function: Option<DbAddFunction>);
        fn gnutls_anti_replay_set_ptr(anti_replay: AntiReplay, pointer: *mut c_void);

        fn gnutls_certificate_allocate_credentials(credentials: *mut CertificateCredentials) -> c_int;
        fn gnutls_certificate_free_credentials(credentials: CertificateCredentials);
        fn gnutls_certificate_set_x509_trust_file(
            credentials: CertificateCredentials,
            file: *const c_char,
            format: c_int,
        ) -> c_int;
        fn gnutls_certificate_set_x509_key_file2(
            credentials: CertificateCredentials,
            certificate_file: *const c_char,
            key_file: *const c_char,
            format: c_int,
            password: *const c_char,
            flags: c_uint,
        ) -> c_int;

        fn gnutls_psk_allocate_client_credentials(credentials: *mut PskClientCredentials) -> c_int;
        fn gnutls_psk_free_client_credentials(credentials: PskClientCredentials);
        fn gnutls_psk_set_client_credentials2(
            credentials: PskClientCredentials,
            username: *const Datum,
            key: *const Datum,
            flags: c_int,
        ) -> c_int;
        fn gnutls_psk_allocate_server_credentials(credentials: *mut PskServerCredentials) -> c_int;
        fn gnutls_psk_free_server_credentials(credentials: PskServerCredentials);
        fn gnutls_psk_set_server_credentials_function2(
            credentials: PskServerCredentials,
            function: Option<PskServerFunction>,
        );
    }
}

/// GnuTLS's allocator: `gnutls_malloc` and `gnutls_free` are variables
/// holding function pointers (`extern gnutls_alloc_function gnutls_malloc;`
/// in `<gnutls/gnutls.h>`), not functions, so `c_api!` cannot declare them.
/// Memory the library frees (a PSK handed to it) or hands over (a printed
/// verification status) goes through these.
pub struct Allocator {
    pub malloc: unsafe extern "C" fn(size: usize) -> *mut c_void,
    pub free: unsafe extern "C" fn(pointer: *mut c_void),
    _library: libloading::Library,
}

impl Allocator {
    /// The allocator, read once; later calls return the same or the same error.
    pub fn get() -> Result<&'static Allocator, Error> {
        static ALLOCATOR: OnceLock<Result<Allocator, String>> = OnceLock::new();
        ALLOCATOR
            .get_or_init(|| Allocator::load().map_err(|error| error.to_string()))
            .as_ref()
            .map_err(|message| Error::library("loading GnuTLS's allocator", message))
    }

    fn load() -> Result<Allocator, Error> {
        let library = crate::c_library::open(&["libgnutls.so.30"], "libgnutls30")?;
        let malloc =
            variable::<unsafe extern "C" fn(usize) -> *mut c_void>(&library, "gnutls_malloc")?;
        let free = variable::<unsafe extern "C" fn(*mut c_void)>(&library, "gnutls_free")?;
        Ok(Allocator {
            malloc,
            free,
            _library: library,
        })
    }
}

/// The function pointer held by the variable `name` (`T` is its type).
fn variable<T: Copy>(library: &libloading::Library, name: &str) -> Result<T, Error> {
    let symbol = format!("{name}\0");
    // SAFETY: `name` is a variable of type `T` (a function pointer) in the
    // library, so its address is a `*const Option<T>`.
    let address = unsafe { library.get::<*const Option<T>>(symbol.as_bytes()) }
        .map_err(|error| Error::library(format!("finding {name}"), error))?;
    // SAFETY: the variable lives as long as the library, which `Allocator`
    // keeps loaded; it is initialised when the library loads.
    unsafe { (**address).ok_or_else(|| Error::library(format!("reading {name}"), "null")) }
}

// Flags of gnutls_init(), `gnutls_init_flags_t` in <gnutls/gnutls.h>.
pub const GNUTLS_SERVER: c_uint = 1;
pub const GNUTLS_CLIENT: c_uint = 1 << 1;
pub const GNUTLS_NO_SIGNAL: c_uint = 1 << 6;
pub const GNUTLS_KEY_SHARE_TOP: c_uint = 1 << 11;
pub const GNUTLS_ENABLE_EARLY_DATA: c_uint = 1 << 20;

/// `GNUTLS_CRD_CERTIFICATE` (`gnutls_credentials_type_t`).
pub const GNUTLS_CRD_CERTIFICATE: c_int = 1;
/// `GNUTLS_CRD_PSK` (`gnutls_credentials_type_t`).
pub const GNUTLS_CRD_PSK: c_int = 4;
/// `GNUTLS_X509_FMT_PEM` (`gnutls_x509_crt_fmt_t`).
pub const GNUTLS_X509_FMT_PEM: c_int = 1;
/// `GNUTLS_CRT_X509` (`gnutls_certificate_type_t`).
pub const GNUTLS_CRT_X509: c_int = 1;
/// `GNUTLS_NAME_DNS` (`gnutls_server_name_type_t`).
pub const GNUTLS_NAME_DNS: c_int = 1;
/// `GNUTLS_CERT_REQUIRE` (`gnutls_certificate_request_t`).
pub const GNUTLS_CERT_REQUIRE: c_int = 2;
/// `GNUTLS_SHUT_WR` (`gnutls_close_request_t`).
pub const GNUTLS_SHUT_WR: c_int = 1;
/// `GNUTLS_PSK_KEY_RAW` (`gnutls_psk_key_flags`).
pub const GNUTLS_PSK_KEY_RAW: c_int = 0;
/// `GNUTLS_RND_KEY` (`gnutls_rnd_level_t`, <gnutls/crypto.h>).
pub const GNUTLS_RND_KEY: c_int = 2;
/// `GNUTLS_GROUP_SECP256R1` (`gnutls_group_t`).
pub const GNUTLS_GROUP_SECP256R1: c_int = 2;
/// `GNUTLS_GROUP_X25519` (`gnutls_group_t`).
pub const GNUTLS_GROUP_X25519: c_int = 6;
/// `GNUTLS_SFLAGS_EARLY_DATA` (`gnutls_session_flags_t`).
pub const GNUTLS_SFLAGS_EARLY_DATA: c_uint = 1 << 10;
/// `GNUTLS_SFLAGS_SESSION_TICKET` (`gnutls_session_flags_t`).
pub const GNUTLS_SFLAGS_SESSION_TICKET: c_uint = 1 << 7;

// Error codes, `GNUTLS_E_*` in <gnutls/gnutls.h>.
pub const GNUTLS_E_FATAL_ALERT_RECEIVED: c_int = -12;
pub const GNUTLS_E_AGAIN: c_int = -28;
pub const GNUTLS_E_RECORD_LIMIT_REACHED: c_int = -39;
pub const GNUTLS_E_INTERRUPTED: c_int = -52;
pub const GNUTLS_E_PUSH_ERROR: c_int = -53;
pub const GNUTLS_E_PULL_ERROR: c_int = -54;
pub const GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE: c_int = -56;
pub const GNUTLS_E_PREMATURE_TERMINATION: c_int = -110;
pub const GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR: c_int = -348;
pub const GNUTLS_E_DB_ENTRY_EXISTS: c_int = -428;
