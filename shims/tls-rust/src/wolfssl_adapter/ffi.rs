//! The part of wolfSSL's C API the adapter calls, as Debian's libwolfssl35
//! (5.5.4) declares it in `<wolfssl/ssl.h>`, and the constants it needs.
//!
//! Debian's build (`<wolfssl/options.h>`) defines OPENSSL_EXTRA, OPENSSL_ALL,
//! WOLFSSL_TLS13, HAVE_SESSION_TICKET, HAVE_SUPPORTED_CURVES, HAVE_SNI and
//! WOLFSSL_ERROR_CODE_OPENSSL, and leaves out NO_PSK; it does not define
//! WOLFSSL_EARLY_DATA or HAVE_SECRET_CALLBACK, so the early data functions and
//! `wolfSSL_set_tls13_secret_cb` are not in the library at all.

use std::ffi::{c_char, c_int, c_long, c_uchar, c_uint, c_ulong, c_ushort, c_void};

use crate::c_api;

/// `WOLFSSL` (opaque).
#[repr(C)]
pub struct Ssl {
    _opaque: [u8; 0],
}

/// `WOLFSSL_CTX` (opaque).
#[repr(C)]
pub struct SslCtx {
    _opaque: [u8; 0],
}

/// `WOLFSSL_METHOD` (opaque).
#[repr(C)]
pub struct SslMethod {
    _opaque: [u8; 0],
}

/// `WOLFSSL_SESSION` (opaque).
#[repr(C)]
pub struct SslSession {
    _opaque: [u8; 0],
}

/// `WOLFSSL_X509_STORE_CTX` (opaque).
#[repr(C)]
pub struct X509StoreCtx {
    _opaque: [u8; 0],
}

/// `VerifyCallback` from `<wolfssl/ssl.h>`.
pub type VerifyCallback = unsafe extern "C" fn(c_int, *mut X509StoreCtx) -> c_int;

/// `wc_psk_client_tls13_callback` from `<wolfssl/ssl.h>`: hint, identity
/// buffer and its size, key buffer and its size, cipher suite name out.
pub type PskClientTls13Callback = unsafe extern "C" fn(
    *mut Ssl,
    *const c_char,
    *mut c_char,
    c_uint,
    *mut c_uchar,
    c_uint,
    *mut *const c_char,
) -> c_uint;

/// `wc_psk_server_tls13_callback` from `<wolfssl/ssl.h>`: identity, key
/// buffer and its size, cipher suite name out.
pub type PskServerTls13Callback = unsafe extern "C" fn(
    *mut Ssl,
    *const c_char,
    *mut c_uchar,
    c_uint,
    *mut *const c_char,
) -> c_uint;

/// `WOLFSSL_SUCCESS` from `<wolfssl/ssl.h>`.
pub const WOLFSSL_SUCCESS: c_int = 1;
/// `WOLFSSL_FILETYPE_PEM` (`CTC_FILETYPE_PEM`, `<wolfssl/wolfcrypt/asn_public.h>`).
pub const WOLFSSL_FILETYPE_PEM: c_int = 1;
/// `WOLFSSL_VERIFY_NONE` from `<wolfssl/ssl.h>`.
pub const WOLFSSL_VERIFY_NONE: c_int = 0;
/// `WOLFSSL_VERIFY_PEER` from `<wolfssl/ssl.h>`.
pub const WOLFSSL_VERIFY_PEER: c_int = 1;
/// `WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT` from `<wolfssl/ssl.h>`.
pub const WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT: c_int = 2;
/// `WOLFSSL_ERROR_WANT_READ` from `<wolfssl/ssl.h>`.
pub const WOLFSSL_ERROR_WANT_READ: c_int = 2;
/// `WOLFSSL_ERROR_WANT_WRITE` from `<wolfssl/ssl.h>`.
pub const WOLFSSL_ERROR_WANT_WRITE: c_int = 3;
/// `WOLFSSL_ERROR_SYSCALL` from `<wolfssl/ssl.h>` (with OPENSSL_EXTRA, what
/// `wolfSSL_get_error` makes of SOCKET_PEER_CLOSED_E).
pub const WOLFSSL_ERROR_SYSCALL: c_int = 5;
/// `WOLFSSL_ERROR_ZERO_RETURN` from `<wolfssl/ssl.h>`: the peer's close_notify.
pub const WOLFSSL_ERROR_ZERO_RETURN: c_int = 6;
/// `SOCKET_PEER_CLOSED_E` from `<wolfssl/error-ssl.h>`.
pub const SOCKET_PEER_CLOSED_E: c_int = -397;
/// `WOLFSSL_SNI_HOST_NAME` from `<wolfssl/ssl.h>`.
pub const WOLFSSL_SNI_HOST_NAME: c_uchar = 0;
/// `WOLFSSL_ECC_SECP256R1` (named group 23) from `<wolfssl/ssl.h>`.
pub const WOLFSSL_ECC_SECP256R1: c_ushort = 23;
/// `WOLFSSL_ECC_X25519` (named group 29) from `<wolfssl/ssl.h>`.
pub const WOLFSSL_ECC_X25519: c_ushort = 29;
/// `WOLFSSL_MAX_ERROR_SZ` from `<wolfssl/wolfcrypt/types.h>`.
pub const WOLFSSL_MAX_ERROR_SZ: usize = 80;

c_api! {
    /// wolfSSL 5.5 (Debian's libwolfssl35), the functions the adapter calls.
    pub struct WolfSslApi in ["libwolfssl.so.35"], package "libwolfssl35" {
        fn wolfSSL_Init() -> c_int;
        fn wolfSSL_lib_version() -> *const c_char;
        fn wolfTLSv1_3_client_method() -> *mut SslMethod;
        fn wolfTLSv1_3_server_method() -> *mut SslMethod;
        fn wolfSSL_CTX_new(method: *mut SslMethod) -> *mut SslCtx;
        fn wolfSSL_CTX_free(ctx: *mut SslCtx);
        fn wolfSSL_CTX_load_verify_locations(
            ctx: *mut SslCtx,
            file: *const c_char,
            path: *const c_char,
        ) -> c_int;
        fn wolfSSL_CTX_use_certificate_chain_file(ctx: *mut SslCtx, file: *const c_char) -> c_int;
        fn wolfSSL_CTX_use_PrivateKey_file(
            ctx: *mut SslCtx,
            file: *const c_char,
            format: c_int,
        ) -> c_int;
        fn wolfSSL_CTX_check_private_key(ctx: *const SslCtx) -> c_int;
        fn wolfSSL_CTX_set_verify(ctx: *mut SslCtx, mode: c_int, callback: Option<VerifyCallback>);
        fn wolfSSL_CTX_set_cipher_list(ctx: *mut SslCtx, list: *const c_char) -> c_int;
        fn wolfSSL_CTX_set_groups(ctx: *mut SslCtx, groups: *mut c_int, count: c_int) -> c_int;
        fn wolfSSL_CTX_set_psk_client_tls13_callback(
            ctx: *mut SslCtx,
            callback: Option<PskClientTls13Callback>,
        );
        fn wolfSSL_CTX_set_psk_server_tls13_callback(
            ctx: *mut SslCtx,
            callback: Option<PskServerTls13Callback>,
        );
        fn wolfSSL_new(ctx: *mut SslCtx) -> *mut Ssl;
        fn wolfSSL_free(ssl: *mut Ssl);
        fn wolfSSL_set_fd(ssl: *mut Ssl, fd: c_int) -> c_int;
        fn wolfSSL_UseSNI(ssl: *mut Ssl, kind: c_uchar, data: *const c_void, size: c_ushort) -> c_int;
        fn wolfSSL_check_domain_name(ssl: *mut Ssl, name: *const c_char) -> c_int;
        fn wolfSSL_set_groups(ssl: *mut Ssl, groups: *mut c_int, count: c_int) -> c_int;
        fn wolfSSL_UseKeyShare(ssl: *mut Ssl, group: c_ushort) -> c_int;
        fn wolfSSL_set_session(ssl: *mut Ssl, session: *mut SslSession) -> c_int;
        fn wolfSSL_get1_session(ssl: *mut Ssl) -> *mut SslSession;
        fn wolfSSL_SESSION_free(session: *mut SslSession);
        fn wolfSSL_session_reused(ssl: *mut Ssl) -> c_int;
        fn wolfSSL_connect(ssl: *mut Ssl) -> c_int;
        fn wolfSSL_accept(ssl: *mut Ssl) -> c_int;
        fn wolfSSL_read(ssl: *mut Ssl, data: *mut c_void, size: c_int) -> c_int;
        fn wolfSSL_write(ssl: *mut Ssl, data: *const c_void, size: c_int) -> c_int;
        fn wolfSSL_shutdown(ssl: *mut Ssl) -> c_int;
        fn wolfSSL_update_keys(ssl: *mut Ssl) -> c_int;
        fn wolfSSL_get_error(ssl: *mut Ssl, ret: c_int) -> c_int;
        fn wolfSSL_ERR_get_error() -> c_ulong;
        fn wolfSSL_ERR_error_string_n(error: c_ulong, buffer: *mut c_char, size: c_ulong);
        fn wolfSSL_get_verify_result(ssl: *const Ssl) -> c_long;
        fn wolfSSL_get_curve_name(ssl: *mut Ssl) -> *const c_char;
    }
}
