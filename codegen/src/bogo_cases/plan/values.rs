//! The checks of single values in one case file:
//! texts, raw bytes, and the names the runner knows (cipher suites, groups,
//! alerts, handshake messages).

use crate::bogo_cases::model::{BytesDoc, HandshakeMessageDoc, NameOrNumberDoc};
use crate::diagnostic::FileChecks;
use crate::located::Located;

impl FileChecks<'_> {
    /// The bytes `bytes` stands for; malformed hex and empty bytes are
    /// errors (and give no bytes).
    pub fn bytes(&mut self, bytes: &BytesDoc, what: &str) -> Vec<u8> {
        let (value, parsed) = match bytes {
            BytesDoc::Text(text) => (text, Ok(text.as_bytes().to_vec())),
            BytesDoc::Hex(hex) => (hex, parse_hex(hex)),
        };
        match parsed {
            Ok(bytes) if bytes.is_empty() => {
                self.error(
                    value.position,
                    format!("{what} must hold at least one byte"),
                );
                Vec::new()
            }
            Ok(bytes) => bytes,
            Err(problem) => {
                self.error(value.position, format!("{what}: {problem}"));
                Vec::new()
            }
        }
    }
}

/// Hex digits, two per byte; whitespace may separate bytes.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    let mut high: Option<u8> = None;
    for (index, ch) in text.chars().enumerate() {
        if ch.is_whitespace() {
            if high.is_some() {
                return Err(format!(
                    "a byte is split by a space at character {}; write two hex digits per byte",
                    index + 1
                ));
            }
            continue;
        }
        let Some(digit) = ch.to_digit(16) else {
            return Err(format!(
                "`{ch}` (character {}) is not a hex digit",
                index + 1
            ));
        };
        // `to_digit(16)` is below 16.
        let digit = digit as u8;
        match high.take() {
            None => high = Some(digit),
            Some(high) => bytes.push(high << 4 | digit),
        }
    }
    if high.is_some() {
        return Err("an odd number of hex digits; write two per byte".to_string());
    }
    Ok(bytes)
}

/// Cipher suites of the runner's rustls (aws-lc-rs), and whether each is a
/// TLS 1.3 suite.
pub const CIPHER_SUITES: &[(&str, bool)] = &[
    ("TLS13_AES_128_GCM_SHA256", true),
    ("TLS13_AES_256_GCM_SHA384", true),
    ("TLS13_CHACHA20_POLY1305_SHA256", true),
    ("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", false),
    ("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", false),
    ("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", false),
    ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", false),
    ("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", false),
    ("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", false),
];

/// Key exchange groups of the runner's rustls (aws-lc-rs), as rustls
/// names them.
pub const GROUPS: &[&str] = &[
    "X25519",
    "secp256r1",
    "secp384r1",
    "X25519MLKEM768",
    "secp256r1MLKEM768",
    "MLKEM768",
    "MLKEM1024",
];

/// Alert descriptions by name (RFC 8446 §6 and its predecessors).
pub const ALERTS: &[(&str, u8)] = &[
    ("close_notify", 0),
    ("unexpected_message", 10),
    ("bad_record_mac", 20),
    ("decryption_failed", 21),
    ("record_overflow", 22),
    ("decompression_failure", 30),
    ("handshake_failure", 40),
    ("no_certificate", 41),
    ("bad_certificate", 42),
    ("unsupported_certificate", 43),
    ("certificate_revoked", 44),
    ("certificate_expired", 45),
    ("certificate_unknown", 46),
    ("illegal_parameter", 47),
    ("unknown_ca", 48),
    ("access_denied", 49),
    ("decode_error", 50),
    ("decrypt_error", 51),
    ("protocol_version", 70),
    ("insufficient_security", 71),
    ("internal_error", 80),
    ("inappropriate_fallback", 86),
    ("user_canceled", 90),
    ("no_renegotiation", 100),
    ("missing_extension", 109),
    ("unsupported_extension", 110),
    ("unrecognized_name", 112),
    ("bad_certificate_status_response", 113),
    ("unknown_psk_identity", 115),
    ("certificate_required", 116),
    ("no_application_protocol", 120),
];

/// An alert description by name or number.
pub fn alert_description(value: &Located<NameOrNumberDoc>, checks: &mut FileChecks<'_>) -> u8 {
    match &value.value {
        NameOrNumberDoc::Number(number) => u8::try_from(*number).unwrap_or_else(|_| {
            checks.error(
                value.position,
                format!("alert description {number} does not fit in a byte (0 to 255)"),
            );
            0
        }),
        NameOrNumberDoc::Name(name) => ALERTS
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, code)| *code)
            .unwrap_or_else(|| {
                let known: Vec<&str> = ALERTS.iter().map(|(known, _)| *known).collect();
                checks.error(
                    value.position,
                    format!(
                        "unknown alert `{name}`; use a number or one of {}",
                        known.join(", ")
                    ),
                );
                0
            }),
    }
}

/// Who sends a handshake message, and when it travels in plaintext.
pub struct MessageInfo {
    pub code: u8,
    pub name: &'static str,
    /// Sent by the client.
    pub client: bool,
    /// Sent by the server.
    pub server: bool,
    /// Plaintext in TLS 1.3 (only the hellos); otherwise plaintext only in
    /// TLS 1.2, if at all.
    pub plaintext_in_tls13: bool,
    /// Plaintext in TLS 1.2.
    pub plaintext_in_tls12: bool,
}

pub fn message_info(message: HandshakeMessageDoc) -> MessageInfo {
    use HandshakeMessageDoc as M;
    let (code, name, client, server, tls13, tls12) = match message {
        M::ClientHello => (1, "client_hello", true, false, true, true),
        M::ServerHello => (2, "server_hello", false, true, true, true),
        M::NewSessionTicket => (4, "new_session_ticket", false, true, false, true),
        M::EncryptedExtensions => (8, "encrypted_extensions", false, true, false, false),
        M::Certificate => (11, "certificate", true, true, false, true),
        M::ServerKeyExchange => (12, "server_key_exchange", false, true, false, true),
        M::CertificateRequest => (13, "certificate_request", false, true, false, true),
        M::ServerHelloDone => (14, "server_hello_done", false, true, false, true),
        M::CertificateVerify => (15, "certificate_verify", true, true, false, true),
        M::ClientKeyExchange => (16, "client_key_exchange", true, false, false, true),
        M::Finished => (20, "finished", true, true, false, false),
    };
    MessageInfo {
        code,
        name,
        client,
        server,
        plaintext_in_tls13: tls13,
        plaintext_in_tls12: tls12,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_hex;

    #[test]
    fn hex_takes_two_digits_a_byte_with_optional_spaces() {
        assert_eq!(parse_hex("16 03 01"), Ok(vec![0x16, 0x03, 0x01]));
        assert_eq!(
            parse_hex("deadBEEF\n00"),
            Ok(vec![0xde, 0xad, 0xbe, 0xef, 0])
        );
        assert_eq!(parse_hex(""), Ok(vec![]));
        assert_eq!(
            parse_hex("16 0z"),
            Err("`z` (character 5) is not a hex digit".to_string())
        );
        assert_eq!(
            parse_hex("160"),
            Err("an odd number of hex digits; write two per byte".to_string())
        );
        assert_eq!(
            parse_hex("1 6"),
            Err(
                "a byte is split by a space at character 2; write two hex digits per byte"
                    .to_string()
            )
        );
    }
}
