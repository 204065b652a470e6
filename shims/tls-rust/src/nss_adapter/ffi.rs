//! The parts of NSPR 4 and NSS 3 (Debian's libnspr4 and libnss3) that the
//! NSS adapter calls, loaded at run time: one table per shared library, the
//! prototypes from `/usr/include/nspr` and `/usr/include/nss`, and NSS's
//! experimental API (`sslexp.h`), which NSS hands out by name through
//! `SSL_GetExperimentalAPI`.

// NSS's own names for its functions, as the c_api! tables bind them.
#![allow(non_camel_case_types, non_snake_case)]

use std::ffi::{CStr, c_char, c_int, c_uint, c_ulong, c_void};
use std::sync::OnceLock;

use crate::c_api;
use crate::error::Error;

/// `PRBool` (`prtypes.h`).
pub type PRBool = c_int;
/// `PRStatus` (`prtypes.h`): `PR_SUCCESS` or `PR_FAILURE`.
pub type PRStatus = c_int;
/// `SECStatus` (`seccomon.h`).
pub type SECStatus = c_int;
/// `PRErrorCode` (`prerror.h`).
pub type PRErrorCode = i32;
/// `PRTime` (`prtime.h`): microseconds since the epoch.
pub type PRTime = i64;
/// `PRDescIdentity` (`prio.h`).
pub type PRDescIdentity = c_int;
/// `SSLNamedGroup` (`sslt.h`).
pub type SSLNamedGroup = c_int;

pub const PR_TRUE: PRBool = 1;
pub const PR_FALSE: PRBool = 0;
/// `PR_SUCCESS` (`prtypes.h`).
pub const PR_SUCCESS: PRStatus = 0;
/// `SECSuccess` and `SECFailure` (`seccomon.h`).
pub const SEC_SUCCESS: SECStatus = 0;
pub const SEC_FAILURE: SECStatus = -1;

/// `PR_TOP_IO_LAYER` (`prio.h`).
pub const PR_TOP_IO_LAYER: PRDescIdentity = -2;
/// `PR_SHUTDOWN_SEND` (`prio.h`).
pub const PR_SHUTDOWN_SEND: c_int = 1;
/// `PR_MSG_PEEK` (`prio.h`).
pub const PR_MSG_PEEK: c_int = 0x2;
/// `PR_LANGUAGE_I_DEFAULT` (`prerror.h`).
pub const PR_LANGUAGE_I_DEFAULT: u32 = 0;

/// Error codes (`prerr.h`, `sslerr.h`).
pub const PR_WOULD_BLOCK_ERROR: PRErrorCode = -5998;
pub const PR_END_OF_FILE_ERROR: PRErrorCode = -5938;
pub const PR_SOCKET_SHUTDOWN_ERROR: PRErrorCode = -5929;
pub const SSL_ERROR_BAD_CERTIFICATE: PRErrorCode = -0x3000 + 4;

/// Socket options (`ssl.h`).
pub const SSL_SECURITY: i32 = 1;
pub const SSL_REQUEST_CERTIFICATE: i32 = 3;
pub const SSL_REQUIRE_CERTIFICATE: i32 = 10;
pub const SSL_ENABLE_SESSION_TICKETS: i32 = 18;
pub const SSL_ENABLE_0RTT_DATA: i32 = 33;
/// `SSL_REQUIRE_NEVER` and `SSL_REQUIRE_ALWAYS` (`ssl.h`), values of
/// `SSL_REQUIRE_CERTIFICATE`.
pub const SSL_REQUIRE_NEVER: c_int = 0;
pub const SSL_REQUIRE_ALWAYS: c_int = 1;

/// `SSL_LIBRARY_VERSION_TLS_1_3` (`sslproto.h`).
pub const SSL_LIBRARY_VERSION_TLS_1_3: u16 = 0x0304;
/// TLS 1.3 cipher suites (`sslproto.h`).
pub const TLS_AES_256_GCM_SHA384: i32 = 0x1302;
pub const TLS_CHACHA20_POLY1305_SHA256: i32 = 0x1303;

/// `SSLNamedGroup` values (`sslt.h`).
pub const SSL_GRP_EC_SECP256R1: SSLNamedGroup = 23;
pub const SSL_GRP_EC_CURVE25519: SSLNamedGroup = 29;

/// `ssl_hash_sha256` (`SSLHashType`, `sslt.h`).
pub const SSL_HASH_SHA256: c_int = 4;
/// `ssl_psk_external` (`SSLPskType`, `sslt.h`).
pub const SSL_PSK_EXTERNAL: c_int = 2;
/// `ssl_auth_null` (`SSLAuthType`, `sslt.h`).
pub const SSL_AUTH_NULL: c_int = 0;

/// `SSLSecretDirection` (`sslt.h`).
pub const SSL_SECRET_READ: c_int = 1;
pub const SSL_SECRET_WRITE: c_int = 2;

/// `KU_ALL` (`certt.h`).
pub const KU_ALL: c_uint = 0xff;

/// `CKM_HKDF_KEY_GEN` and `CKA_DERIVE` (`pkcs11t.h`).
pub const CKM_HKDF_KEY_GEN: c_ulong = 0x0000_402c;
pub const CKA_DERIVE: c_ulong = 0x0000_010c;
/// `PK11_OriginUnwrap` (`PK11Origin`, `secmodt.h`).
pub const PK11_ORIGIN_UNWRAP: c_int = 4;
/// `siBuffer` (`SECItemType`, `seccomon.h`).
pub const SI_BUFFER: c_int = 0;

/// Opaque NSS and NSPR types.
#[repr(C)]
pub struct CERTCertificate {
    _opaque: [u8; 0],
}
#[repr(C)]
pub struct CERTCertDBHandle {
    _opaque: [u8; 0],
}
#[repr(C)]
pub struct CERTDistNames {
    _opaque: [u8; 0],
}
#[repr(C)]
pub struct SECKEYPrivateKey {
    _opaque: [u8; 0],
}
#[repr(C)]
pub struct PK11SlotInfo {
    _opaque: [u8; 0],
}
#[repr(C)]
pub struct PK11SymKey {
    _opaque: [u8; 0],
}
#[repr(C)]
pub struct SSLAntiReplayContext {
    _opaque: [u8; 0],
}

/// `SECItem` (`seccomon.h`).
#[repr(C)]
pub struct SECItem {
    pub kind: c_int,
    pub data: *mut u8,
    pub len: c_uint,
}

impl SECItem {
    /// An item pointing at `bytes`, which must outlive every use of it.
    pub fn borrowing(bytes: &[u8]) -> SECItem {
        SECItem {
            kind: SI_BUFFER,
            data: bytes.as_ptr().cast_mut(),
            len: c_uint::try_from(bytes.len()).unwrap_or(c_uint::MAX),
        }
    }
}

/// `CERTCertificateList` (`certt.h`).
#[repr(C)]
pub struct CERTCertificateList {
    pub certs: *mut SECItem,
    pub len: c_int,
    pub arena: *mut c_void,
}

/// `SSLExtraServerCertData` (`sslt.h`).
#[repr(C)]
pub struct SSLExtraServerCertData {
    pub auth_type: c_int,
    pub cert_chain: *const CERTCertificateList,
    pub stapled_ocsp_responses: *const c_void,
    pub signed_cert_timestamps: *const SECItem,
    pub deleg_cred: *const SECItem,
    pub deleg_cred_priv_key: *const SECKEYPrivateKey,
}

/// `SSLVersionRange` (`sslt.h`).
#[repr(C)]
pub struct SSLVersionRange {
    pub min: u16,
    pub max: u16,
}

/// `SSLChannelInfo` (`sslt.h`) up to `echAccepted` (NSS 3.60); NSS fills
/// as much as the length passed says.
#[repr(C)]
#[derive(Default)]
pub struct SSLChannelInfo {
    pub length: u32,
    pub protocol_version: u16,
    pub cipher_suite: u16,
    pub auth_key_bits: u32,
    pub kea_key_bits: u32,
    pub creation_time: u32,
    pub last_access_time: u32,
    pub expiration_time: u32,
    pub session_id_length: u32,
    pub session_id: [u8; 32],
    pub compression_method_name: usize,
    pub compression_method: c_int,
    pub extended_master_secret_used: PRBool,
    pub early_data_accepted: PRBool,
    pub kea_type: c_int,
    pub kea_group: SSLNamedGroup,
    pub sym_cipher: c_int,
    pub mac_algorithm: c_int,
    pub auth_type: c_int,
    pub signature_scheme: c_int,
    pub original_kea_group: SSLNamedGroup,
    pub resumed: PRBool,
    pub peer_deleg_cred: PRBool,
    pub psk_type: c_int,
    pub ech_accepted: PRBool,
}

/// `SSLPreliminaryChannelInfo` (`sslt.h`) up to `zeroRttCipherSuite` (NSS 3.43).
#[repr(C)]
#[derive(Default)]
pub struct SSLPreliminaryChannelInfo {
    pub length: u32,
    pub values_set: u32,
    pub protocol_version: u16,
    pub cipher_suite: u16,
    pub can_send_early_data: PRBool,
    pub max_early_data_size: u32,
    pub zero_rtt_cipher_suite: u16,
}

/// `CERTCertTrust` (`certt.h`).
#[repr(C)]
#[derive(Default)]
pub struct CERTCertTrust {
    pub ssl_flags: c_uint,
    pub email_flags: c_uint,
    pub object_signing_flags: c_uint,
}

/// `PRFileDesc` (`prio.h`): one layer of an NSPR I/O stack.
#[repr(C)]
pub struct PRFileDesc {
    pub methods: *const PRIOMethods,
    pub secret: *mut c_void,
    pub lower: *mut PRFileDesc,
    pub higher: *mut PRFileDesc,
    pub dtor: Option<unsafe extern "C" fn(*mut PRFileDesc)>,
    pub identity: PRDescIdentity,
}

pub type PRCloseFN = unsafe extern "C" fn(*mut PRFileDesc) -> PRStatus;
pub type PRReadFN = unsafe extern "C" fn(*mut PRFileDesc, *mut c_void, i32) -> i32;
pub type PRWriteFN = unsafe extern "C" fn(*mut PRFileDesc, *const c_void, i32) -> i32;
pub type PRRecvFN = unsafe extern "C" fn(*mut PRFileDesc, *mut c_void, i32, c_int, u32) -> i32;
pub type PRSendFN = unsafe extern "C" fn(*mut PRFileDesc, *const c_void, i32, c_int, u32) -> i32;

/// `PRIOMethods` (`prio.h`): the methods of a layer; the ones the adapter
/// does not override are carried as opaque pointers.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct PRIOMethods {
    pub file_type: c_int,
    pub close: Option<PRCloseFN>,
    pub read: Option<PRReadFN>,
    pub write: Option<PRWriteFN>,
    /// `available` .. `shutdown`.
    pub between_write_and_recv: [*const c_void; 13],
    pub recv: Option<PRRecvFN>,
    pub send: Option<PRSendFN>,
    /// `recvfrom` .. `reserved_fn_0`.
    pub after_send: [*const c_void; 17],
}

/// `SSLAuthCertificate` (`ssl.h`).
pub type SSLAuthCertificate =
    unsafe extern "C" fn(*mut c_void, *mut PRFileDesc, PRBool, PRBool) -> SECStatus;
/// `SSLGetClientAuthData` (`ssl.h`).
pub type SSLGetClientAuthData = unsafe extern "C" fn(
    *mut c_void,
    *mut PRFileDesc,
    *mut CERTDistNames,
    *mut *mut CERTCertificate,
    *mut *mut SECKEYPrivateKey,
) -> SECStatus;
/// `SSLSecretCallback` (`sslexp.h`).
pub type SSLSecretCallback =
    unsafe extern "C" fn(*mut PRFileDesc, u16, c_int, *mut PK11SymKey, *mut c_void);
/// `SSLResumptionTokenCallback` (`sslexp.h`).
pub type SSLResumptionTokenCallback =
    unsafe extern "C" fn(*mut PRFileDesc, *const u8, c_uint, *mut c_void) -> SECStatus;

c_api! {
    /// NSPR (`libnspr4.so`): sockets, I/O layers, errors.
    pub struct Nspr4 in ["libnspr4.so"], package "libnspr4" {
        fn PR_GetVersion() -> *const c_char;
        fn PR_ImportTCPSocket(osfd: i32) -> *mut PRFileDesc;
        fn PR_Close(fd: *mut PRFileDesc) -> PRStatus;
        fn PR_Read(fd: *mut PRFileDesc, buf: *mut c_void, amount: i32) -> i32;
        fn PR_Write(fd: *mut PRFileDesc, buf: *const c_void, amount: i32) -> i32;
        fn PR_Shutdown(fd: *mut PRFileDesc, how: c_int) -> PRStatus;
        fn PR_GetError() -> PRErrorCode;
        fn PR_SetError(code: PRErrorCode, os_error: i32);
        fn PR_ErrorToName(code: PRErrorCode) -> *const c_char;
        fn PR_ErrorToString(code: PRErrorCode, language: u32) -> *const c_char;
        fn PR_GetUniqueIdentity(name: *const c_char) -> PRDescIdentity;
        fn PR_GetDefaultIOMethods() -> *const PRIOMethods;
        fn PR_CreateIOLayerStub(identity: PRDescIdentity, methods: *const PRIOMethods) -> *mut PRFileDesc;
        fn PR_PushIOLayer(stack: *mut PRFileDesc, id: PRDescIdentity, layer: *mut PRFileDesc) -> PRStatus;
        fn PR_Now() -> PRTime;
    }
}

c_api! {
    /// NSS (`libnss3.so`): initialisation, certificates, keys, base64.
    pub struct Nss3 in ["libnss3.so"], package "libnss3" {
        fn NSS_NoDB_Init(config_directory: *const c_char) -> SECStatus;
        fn NSS_GetVersion() -> *const c_char;
        fn ATOB_AsciiToData(string: *const c_char, length: *mut c_uint) -> *mut u8;
        fn PORT_Free(pointer: *mut c_void);
        fn CERT_GetDefaultCertDB() -> *mut CERTCertDBHandle;
        fn CERT_NewTempCertificate(
            handle: *mut CERTCertDBHandle,
            der: *mut SECItem,
            nickname: *mut c_char,
            is_perm: PRBool,
            copy_der: PRBool,
        ) -> *mut CERTCertificate;
        fn CERT_DupCertificate(certificate: *mut CERTCertificate) -> *mut CERTCertificate;
        fn CERT_DestroyCertificate(certificate: *mut CERTCertificate);
        fn CERT_DecodeTrustString(trust: *mut CERTCertTrust, trusts: *const c_char) -> SECStatus;
        fn CERT_ChangeCertTrust(
            handle: *mut CERTCertDBHandle,
            certificate: *mut CERTCertificate,
            trust: *mut CERTCertTrust,
        ) -> SECStatus;
        fn PK11_GetInternalKeySlot() -> *mut PK11SlotInfo;
        fn PK11_GetInternalSlot() -> *mut PK11SlotInfo;
        fn PK11_FreeSlot(slot: *mut PK11SlotInfo);
        fn PK11_ImportDERPrivateKeyInfoAndReturnKey(
            slot: *mut PK11SlotInfo,
            der: *mut SECItem,
            nickname: *mut SECItem,
            public_value: *mut SECItem,
            is_perm: PRBool,
            is_private: PRBool,
            usage: c_uint,
            key: *mut *mut SECKEYPrivateKey,
            window_context: *mut c_void,
        ) -> SECStatus;
        fn SECKEY_CopyPrivateKey(key: *const SECKEYPrivateKey) -> *mut SECKEYPrivateKey;
        fn SECKEY_DestroyPrivateKey(key: *mut SECKEYPrivateKey);
        fn PK11_ImportSymKey(
            slot: *mut PK11SlotInfo,
            mechanism: c_ulong,
            origin: c_int,
            operation: c_ulong,
            key: *mut SECItem,
            window_context: *mut c_void,
        ) -> *mut PK11SymKey;
        fn PK11_FreeSymKey(key: *mut PK11SymKey);
        fn PK11_ExtractKeyValue(key: *mut PK11SymKey) -> SECStatus;
        fn PK11_GetKeyData(key: *mut PK11SymKey) -> *mut SECItem;
    }
}

c_api! {
    /// NSS's TLS library (`libssl3.so`).
    pub struct Ssl3 in ["libssl3.so"], package "libnss3" {
        fn NSS_SetDomesticPolicy() -> SECStatus;
        fn SSL_ImportFD(model: *mut PRFileDesc, fd: *mut PRFileDesc) -> *mut PRFileDesc;
        fn SSL_OptionSet(fd: *mut PRFileDesc, option: i32, value: c_int) -> SECStatus;
        fn SSL_VersionRangeSet(fd: *mut PRFileDesc, range: *const SSLVersionRange) -> SECStatus;
        fn SSL_CipherPrefSet(fd: *mut PRFileDesc, cipher: i32, enabled: PRBool) -> SECStatus;
        fn SSL_NamedGroupConfig(fd: *mut PRFileDesc, groups: *const SSLNamedGroup, count: c_uint) -> SECStatus;
        fn SSL_SendAdditionalKeyShares(fd: *mut PRFileDesc, count: c_uint) -> SECStatus;
        fn SSL_SetURL(fd: *mut PRFileDesc, url: *const c_char) -> SECStatus;
        fn SSL_ResetHandshake(fd: *mut PRFileDesc, as_server: PRBool) -> SECStatus;
        fn SSL_ForceHandshake(fd: *mut PRFileDesc) -> SECStatus;
        fn SSL_ConfigServerCert(
            fd: *mut PRFileDesc,
            certificate: *mut CERTCertificate,
            key: *mut SECKEYPrivateKey,
            data: *const SSLExtraServerCertData,
            data_length: c_uint,
        ) -> SECStatus;
        fn SSL_ConfigServerSessionIDCache(
            max_entries: c_int,
            timeout: u32,
            ssl3_timeout: u32,
            directory: *const c_char,
        ) -> SECStatus;
        fn SSL_AuthCertificateHook(fd: *mut PRFileDesc, hook: SSLAuthCertificate, argument: *mut c_void) -> SECStatus;
        fn SSL_GetClientAuthDataHook(fd: *mut PRFileDesc, hook: SSLGetClientAuthData, argument: *mut c_void) -> SECStatus;
        fn SSL_GetChannelInfo(fd: *mut PRFileDesc, info: *mut SSLChannelInfo, length: c_uint) -> SECStatus;
        fn SSL_GetPreliminaryChannelInfo(
            fd: *mut PRFileDesc,
            info: *mut SSLPreliminaryChannelInfo,
            length: c_uint,
        ) -> SECStatus;
        fn SSL_GetExperimentalAPI(name: *const c_char) -> *mut c_void;
    }
}

/// NSS's experimental API (`sslexp.h`), the functions the adapter calls,
/// each looked up by name as the header's macros do.
#[allow(non_snake_case)]
pub struct Experimental {
    pub SSL_KeyUpdate: unsafe extern "C" fn(*mut PRFileDesc, PRBool) -> SECStatus,
    pub SSL_SecretCallback:
        unsafe extern "C" fn(*mut PRFileDesc, SSLSecretCallback, *mut c_void) -> SECStatus,
    pub SSL_AddExternalPsk: unsafe extern "C" fn(
        *mut PRFileDesc,
        *mut PK11SymKey,
        *const u8,
        c_uint,
        c_int,
    ) -> SECStatus,
    pub SSL_SetResumptionTokenCallback:
        unsafe extern "C" fn(*mut PRFileDesc, SSLResumptionTokenCallback, *mut c_void) -> SECStatus,
    pub SSL_SetResumptionToken:
        unsafe extern "C" fn(*mut PRFileDesc, *const u8, c_uint) -> SECStatus,
    pub SSL_SetMaxEarlyDataSize: unsafe extern "C" fn(*mut PRFileDesc, u32) -> SECStatus,
    pub SSL_CreateAntiReplayContext: unsafe extern "C" fn(
        PRTime,
        PRTime,
        c_uint,
        c_uint,
        *mut *mut SSLAntiReplayContext,
    ) -> SECStatus,
    pub SSL_SetAntiReplayContext:
        unsafe extern "C" fn(*mut PRFileDesc, *mut SSLAntiReplayContext) -> SECStatus,
    pub SSL_ReleaseAntiReplayContext: unsafe extern "C" fn(*mut SSLAntiReplayContext) -> SECStatus,
}

impl Experimental {
    /// The experimental functions, looked up once.
    pub fn get() -> Result<&'static Experimental, Error> {
        static TABLE: OnceLock<Result<Experimental, String>> = OnceLock::new();
        TABLE
            .get_or_init(|| Experimental::load().map_err(|error| error.to_string()))
            .as_ref()
            .map_err(|message| Error::library("NSS experimental API", message))
    }

    fn load() -> Result<Experimental, Error> {
        let ssl = Ssl3::get()?;
        let find = |name: &CStr| -> Result<*mut c_void, Error> {
            // SAFETY: a NUL-terminated name; the result is a function pointer or null.
            let pointer = unsafe { (ssl.SSL_GetExperimentalAPI)(name.as_ptr()) };
            if pointer.is_null() {
                Err(Error::library(
                    "SSL_GetExperimentalAPI",
                    format!("libssl3 has no experimental function {name:?}"),
                ))
            } else {
                Ok(pointer)
            }
        };
        // SAFETY (every transmute below): NSS returns the address of the
        // function of that name, whose prototype is the one `sslexp.h`
        // casts it to and the field's type repeats.
        unsafe {
            Ok(Experimental {
                SSL_KeyUpdate: std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(*mut PRFileDesc, PRBool) -> SECStatus,
                >(find(c"SSL_KeyUpdate")?),
                SSL_SecretCallback: std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(
                        *mut PRFileDesc,
                        SSLSecretCallback,
                        *mut c_void,
                    ) -> SECStatus,
                >(find(c"SSL_SecretCallback")?),
                SSL_AddExternalPsk: std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(
                        *mut PRFileDesc,
                        *mut PK11SymKey,
                        *const u8,
                        c_uint,
                        c_int,
                    ) -> SECStatus,
                >(find(c"SSL_AddExternalPsk")?),
                SSL_SetResumptionTokenCallback: std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(
                        *mut PRFileDesc,
                        SSLResumptionTokenCallback,
                        *mut c_void,
                    ) -> SECStatus,
                >(find(
                    c"SSL_SetResumptionTokenCallback",
                )?),
                SSL_SetResumptionToken: std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(*mut PRFileDesc, *const u8, c_uint) -> SECStatus,
                >(find(c"SSL_SetResumptionToken")?),
                SSL_SetMaxEarlyDataSize: std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(*mut PRFileDesc, u32) -> SECStatus,
                >(find(c"SSL_SetMaxEarlyDataSize")?),
                SSL_CreateAntiReplayContext: std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(
                        PRTime,
                        PRTime,
                        c_uint,
                        c_uint,
                        *mut *mut SSLAntiReplayContext,
                    ) -> SECStatus,
                >(find(
                    c"SSL_CreateAntiReplayContext",
                )?),
                SSL_SetAntiReplayContext: std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(*mut PRFileDesc, *mut SSLAntiReplayContext) -> SECStatus,
                >(find(c"SSL_SetAntiReplayContext")?),
                SSL_ReleaseAntiReplayContext: std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(*mut SSLAntiReplayContext) -> SECStatus,
                >(find(
                    c"SSL_ReleaseAntiReplayContext",
                )?),
            })
        }
    }
}
