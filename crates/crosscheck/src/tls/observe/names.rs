//! Code points as RFC 8446 and the IANA registries name them, so that specs
//! and reports speak the reader's language (`secp256r1`, `unknown_ca`).

pub fn list(codes: Vec<u16>, name: fn(u16) -> String) -> Vec<String> {
    codes.into_iter().map(name).collect()
}

pub fn version(code: u16) -> String {
    match code {
        0x0304 => "TLS 1.3".into(),
        0x0303 => "TLS 1.2".into(),
        0x0302 => "TLS 1.1".into(),
        0x0301 => "TLS 1.0".into(),
        0x0300 => "SSL 3.0".into(),
        other => format!("0x{other:04x}"),
    }
}

pub fn cipher_suite(code: u16) -> String {
    match code {
        0x1301 => "TLS_AES_128_GCM_SHA256".into(),
        0x1302 => "TLS_AES_256_GCM_SHA384".into(),
        0x1303 => "TLS_CHACHA20_POLY1305_SHA256".into(),
        0x1304 => "TLS_AES_128_CCM_SHA256".into(),
        0x1305 => "TLS_AES_128_CCM_8_SHA256".into(),
        0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256".into(),
        0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384".into(),
        0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".into(),
        0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384".into(),
        0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256".into(),
        0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256".into(),
        0x00ff => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV".into(),
        other => format!("0x{other:04x}"),
    }
}

pub fn group(code: u16) -> String {
    match code {
        23 => "secp256r1".into(),
        24 => "secp384r1".into(),
        25 => "secp521r1".into(),
        29 => "x25519".into(),
        30 => "x448".into(),
        256 => "ffdhe2048".into(),
        257 => "ffdhe3072".into(),
        0x11ec => "X25519MLKEM768".into(),
        0x11eb => "SecP256r1MLKEM768".into(),
        0x11ed => "SecP384r1MLKEM1024".into(),
        other => format!("0x{other:04x}"),
    }
}

/// A PSK identity: as text when it is printable ASCII (external PSKs),
/// else its length (tickets).
pub fn identity(bytes: &[u8]) -> String {
    if !bytes.is_empty() && bytes.iter().all(|byte| byte.is_ascii_graphic()) {
        String::from_utf8_lossy(bytes).into_owned()
    } else {
        format!("<ticket of {} bytes>", bytes.len())
    }
}

/// Alert descriptions (RFC 8446 §6 and the IANA registry).
pub fn alert(code: u8) -> String {
    let name = match code {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        22 => "record_overflow",
        40 => "handshake_failure",
        42 => "bad_certificate",
        43 => "unsupported_certificate",
        44 => "certificate_revoked",
        45 => "certificate_expired",
        46 => "certificate_unknown",
        47 => "illegal_parameter",
        48 => "unknown_ca",
        49 => "access_denied",
        50 => "decode_error",
        51 => "decrypt_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        100 => "no_renegotiation",
        109 => "missing_extension",
        110 => "unsupported_extension",
        112 => "unrecognized_name",
        113 => "bad_certificate_status_response",
        115 => "unknown_psk_identity",
        116 => "certificate_required",
        120 => "no_application_protocol",
        other => return format!("alert_{other}"),
    };
    name.to_string()
}
