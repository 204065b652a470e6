//! OpenSSL errors as BoringSSL error strings: the one table of this adapter.
//!
//! BoringSSL grew out of OpenSSL and kept most reason names, so a reason is
//! first spelled as BoringSSL spells names (`no shared cipher` becomes
//! `NO_SHARED_CIPHER`); [`RENAMED`] then lists the reasons the two libraries
//! name differently.

use openssl::error::ErrorStack;

use crate::error::Failure;

/// OpenSSL reason → BoringSSL reason, for the names that differ.
const RENAMED: &[(&str, &str)] = &[
    ("LENGTH_MISMATCH", "DECODE_ERROR"),
    ("BAD_LENGTH", "DECODE_ERROR"),
    ("BAD_PACKET_LENGTH", "DECODE_ERROR"),
    ("LENGTH_TOO_SHORT", "DECODE_ERROR"),
    ("BAD_PACKET", "DECODE_ERROR"),
    ("RECORD_LENGTH_MISMATCH", "DECODE_ERROR"),
    ("BAD_HANDSHAKE_LENGTH", "DECODE_ERROR"),
    ("PARSE_TLSEXT", "ERROR_PARSING_EXTENSION"),
    ("PACKET_LENGTH_TOO_LONG", "ENCRYPTED_LENGTH_TOO_LONG"),
    ("UNSOLICITED_EXTENSION", "UNEXPECTED_EXTENSION"),
    ("NO_SHARED_GROUPS", "NO_SHARED_GROUP"),
    ("NO_SUITABLE_KEY_SHARE", "MISSING_KEY_SHARE"),
    (
        "NO_SUITABLE_SIGNATURE_ALGORITHM",
        "NO_COMMON_SIGNATURE_ALGORITHMS",
    ),
    (
        "NO_SHARED_SIGNATURE_ALGORITHMS",
        "NO_COMMON_SIGNATURE_ALGORITHMS",
    ),
    ("NO_PROTOCOLS_AVAILABLE", "NO_SUPPORTED_VERSIONS_ENABLED"),
    ("VERSION_TOO_LOW", "UNSUPPORTED_PROTOCOL"),
    ("VERSION_TOO_HIGH", "UNSUPPORTED_PROTOCOL"),
    ("BAD_KEY_SHARE", "BAD_ECPOINT"),
    ("BAD_ECC_CERT", "WRONG_CERTIFICATE_TYPE"),
    (
        "TLSV13_ALERT_CERTIFICATE_REQUIRED",
        "TLSV1_ALERT_CERTIFICATE_REQUIRED",
    ),
    (
        "TLSV13_ALERT_MISSING_EXTENSION",
        "TLSV1_ALERT_MISSING_EXTENSION",
    ),
    ("UNEXPECTED_CCS_MESSAGE", "UNEXPECTED_RECORD"),
    ("CCS_RECEIVED_EARLY", "UNEXPECTED_RECORD"),
    ("INVALID_ALERT", "BAD_ALERT"),
    ("BAD_KEY_UPDATE", "DECODE_ERROR"),
    ("MISSING_SIGALGS_EXTENSION", "MISSING_EXTENSION"),
    ("MISSING_SUPPORTED_GROUPS_EXTENSION", "MISSING_EXTENSION"),
    ("BAD_PSK_IDENTITY", "PSK_IDENTITY_NOT_FOUND"),
    ("NOT_ON_RECORD_BOUNDARY", "EXCESS_HANDSHAKE_DATA"),
    ("STILL_IN_INIT", "HANDSHAKE_NOT_COMPLETE"),
    ("INVALID_CCS_MESSAGE", "BAD_CHANGE_CIPHER_SPEC"),
    ("WRONG_SSL_VERSION", "WRONG_VERSION_NUMBER"),
    ("BAD_DIGEST_LENGTH", "DIGEST_CHECK_FAILED"),
    ("WRONG_SIGNATURE_LENGTH", "BAD_SIGNATURE"),
    ("UNKNOWN_CIPHER_RETURNED", "WRONG_CIPHER_RETURNED"),
    ("TOO_MANY_WARN_ALERTS", "TOO_MANY_WARNING_ALERTS"),
    ("RECORD_TOO_SMALL", "DECODE_ERROR"),
    ("UNEXPECTED_END_OF_EARLY_DATA", "UNEXPECTED_MESSAGE"),
    ("DATA_BETWEEN_CCS_AND_FINISHED", "UNEXPECTED_RECORD"),
    (
        "SSL_SESSION_VERSION_MISMATCH",
        "OLD_SESSION_VERSION_NOT_RETURNED",
    ),
    ("BINDER_DOES_NOT_VERIFY", "DIGEST_CHECK_FAILED"),
    ("SSL3_SESSION_ID_TOO_LONG", "DECODE_ERROR"),
    ("NO_COMPRESSION_SPECIFIED", "INVALID_COMPRESSION_LIST"),
];

/// An OpenSSL reason string spelled the way BoringSSL spells names.
fn reason_name_unrenamed(reason: &str) -> String {
    reason
        .trim()
        .chars()
        .map(|character| match character {
            ' ' | '-' | '/' => '_',
            other => other.to_ascii_uppercase(),
        })
        .collect()
}

/// Spells an OpenSSL reason string the way BoringSSL names reasons.
pub fn reason_name(reason: &str) -> String {
    let name = reason_name_unrenamed(reason);
    RENAMED
        .iter()
        .find(|(openssl, _)| *openssl == name)
        .map_or(name, |(_, boringssl)| (*boringssl).to_string())
}

/// Reasons OpenSSL uses for more than one condition, told apart by the
/// function that raised them. The first name is OpenSSL's, spelled as
/// BoringSSL spells names, or its BoringSSL rename.
const BY_FUNCTION: &[(&str, &str, &str)] = &[
    // A record of the wrong content type, not a wrong handshake message.
    ("UNEXPECTED_MESSAGE", "ssl3_read_bytes", "UNEXPECTED_RECORD"),
    // The TLS 1.3 downgrade sentinel, not a fallback SCSV.
    (
        "INAPPROPRIATE_FALLBACK",
        "ssl_choose_client_version",
        "TLS13_DOWNGRADE",
    ),
    // The server's key share is for a group the client did not ask for
    // (BAD_ECPOINT there is a share that does not decode).
    ("BAD_KEY_SHARE", "tls_parse_stoc_key_share", "WRONG_CURVE"),
    // The ClientHello does not parse as a structure.
    (
        "DECODE_ERROR",
        "tls_process_client_hello",
        "CLIENTHELLO_PARSE_FAILED",
    ),
];

/// The state machine functions that reject a message the state does not
/// expect.
const READ_TRANSITIONS: [&str; 2] = [
    "ossl_statem_client_read_transition",
    "ossl_statem_server_read_transition",
];

/// What the connection received last, for a reason OpenSSL uses where
/// BoringSSL tells conditions apart by it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// The last record received was a ChangeCipherSpec: OpenSSL's state
    /// machine treats it as a message, BoringSSL's record layer as a record
    /// of the wrong type.
    pub last_received_change_cipher_spec: bool,
}

/// The BoringSSL name for a reason raised by `function`.
pub fn boringssl_name(reason: &str, function: Option<&str>, context: Context) -> String {
    let spelled = reason_name_unrenamed(reason);
    let name = reason_name(reason);
    if let Some((_, _, boringssl)) = BY_FUNCTION.iter().find(|(openssl, raiser, _)| {
        (*openssl == spelled || *openssl == name) && Some(*raiser) == function
    }) {
        return (*boringssl).to_string();
    }
    if name == "UNEXPECTED_MESSAGE"
        && context.last_received_change_cipher_spec
        && function.is_some_and(|function| READ_TRANSITIONS.contains(&function))
    {
        return "UNEXPECTED_RECORD".to_string();
    }
    name
}

/// OpenSSL reasons that stand for two entries of BoringSSL's error queue:
/// BoringSSL reports a failed extension parser, then the failed extension
/// block.
const EXPANDED: &[(&str, &[&str])] = &[(
    "BAD_EXTENSION",
    &["ERROR_PARSING_EXTENSION", "PARSE_TLSEXT"],
)];

/// The BoringSSL error strings for one OpenSSL queue entry.
pub fn entry_codes(reason: &str, function: Option<&str>, context: Context) -> Vec<String> {
    let name = boringssl_name(reason, function, context);
    match EXPANDED.iter().find(|(openssl, _)| *openssl == name) {
        Some((_, names)) => names.iter().map(|name| format!(":{name}:")).collect(),
        None => vec![format!(":{name}:")],
    }
}

/// The BoringSSL-style lines for an OpenSSL error queue, as BoringSSL's shim
/// prints its queue.
pub fn boringssl_codes(stack: &ErrorStack, context: Context) -> String {
    let mut lines = Vec::new();
    for error in stack.errors() {
        match error.reason() {
            Some(reason) => lines.extend(entry_codes(reason, error.function(), context)),
            None => lines.push(format!(":reason({}):", error.code() & 0x7f_ffff)),
        }
    }
    if lines.is_empty() {
        ":UNKNOWN_ERROR:".to_string()
    } else {
        lines.join("\n")
    }
}

/// Whether the queue says the peer closed the transport without
/// close_notify (OpenSSL 3 reports that as an error).
pub fn is_unexpected_eof(stack: &ErrorStack) -> bool {
    stack
        .errors()
        .iter()
        .any(|error| error.reason() == Some("unexpected eof while reading"))
}

/// The failure for an OpenSSL error queue.
pub fn failure(stack: &ErrorStack) -> Failure {
    failure_in(stack, Context::default())
}

/// The failure for an OpenSSL error queue raised on a connection.
pub fn failure_in(stack: &ErrorStack, context: Context) -> Failure {
    Failure::tls(boringssl_codes(stack, context), stack)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_spell_like_boringssl() {
        assert_eq!(reason_name("no shared cipher"), "NO_SHARED_CIPHER");
        assert_eq!(reason_name("wrong version number"), "WRONG_VERSION_NUMBER");
        assert_eq!(
            reason_name("sslv3 alert handshake failure"),
            "SSLV3_ALERT_HANDSHAKE_FAILURE"
        );
        assert_eq!(
            reason_name("tlsv1 alert protocol version"),
            "TLSV1_ALERT_PROTOCOL_VERSION"
        );
        assert_eq!(
            reason_name("decryption failed or bad record mac"),
            "DECRYPTION_FAILED_OR_BAD_RECORD_MAC"
        );
    }

    #[test]
    fn renamed_reasons_use_the_boringssl_name() {
        assert_eq!(reason_name("length mismatch"), "DECODE_ERROR");
        assert_eq!(reason_name("unsolicited extension"), "UNEXPECTED_EXTENSION");
        assert_eq!(
            reason_name("tlsv13 alert certificate required"),
            "TLSV1_ALERT_CERTIFICATE_REQUIRED"
        );
        assert_eq!(reason_name("no shared groups"), "NO_SHARED_GROUP");
    }

    #[test]
    fn functions_tell_shared_reasons_apart() {
        assert_eq!(
            boringssl_name(
                "unexpected message",
                Some("ssl3_read_bytes"),
                Context::default()
            ),
            "UNEXPECTED_RECORD"
        );
        assert_eq!(
            boringssl_name(
                "unexpected message",
                Some("ossl_statem_client_read_transition"),
                Context::default(),
            ),
            "UNEXPECTED_MESSAGE"
        );
        assert_eq!(
            boringssl_name(
                "inappropriate fallback",
                Some("ssl_choose_client_version"),
                Context::default()
            ),
            "TLS13_DOWNGRADE"
        );
        assert_eq!(
            boringssl_name("inappropriate fallback", None, Context::default()),
            "INAPPROPRIATE_FALLBACK"
        );
    }

    #[test]
    fn functions_match_spelled_or_renamed_reasons() {
        assert_eq!(
            boringssl_name(
                "bad key share",
                Some("tls_parse_stoc_key_share"),
                Context::default()
            ),
            "WRONG_CURVE"
        );
        assert_eq!(
            boringssl_name(
                "bad key share",
                Some("tls_parse_ctos_key_share"),
                Context::default()
            ),
            "BAD_ECPOINT"
        );
        assert_eq!(
            boringssl_name(
                "length mismatch",
                Some("tls_process_client_hello"),
                Context::default()
            ),
            "CLIENTHELLO_PARSE_FAILED"
        );
        assert_eq!(
            boringssl_name(
                "length mismatch",
                Some("tls_process_server_hello"),
                Context::default()
            ),
            "DECODE_ERROR"
        );
    }

    #[test]
    fn a_change_cipher_spec_out_of_place_is_an_unexpected_record() {
        let after_ccs = Context {
            last_received_change_cipher_spec: true,
        };
        let function = Some("ossl_statem_client_read_transition");
        assert_eq!(
            boringssl_name("unexpected message", function, after_ccs),
            "UNEXPECTED_RECORD"
        );
        assert_eq!(
            boringssl_name("unexpected message", function, Context::default()),
            "UNEXPECTED_MESSAGE"
        );
    }

    #[test]
    fn extension_failures_expand_like_boringssl_queues() {
        assert_eq!(
            entry_codes(
                "bad extension",
                Some("tls_parse_stoc_alpn"),
                Context::default()
            ),
            [":ERROR_PARSING_EXTENSION:", ":PARSE_TLSEXT:"]
        );
        assert_eq!(
            entry_codes("no shared cipher", None, Context::default()),
            [":NO_SHARED_CIPHER:"]
        );
    }

    #[test]
    fn renames_change_the_name() {
        for (openssl, boringssl) in RENAMED {
            assert_ne!(openssl, boringssl);
        }
    }

    #[test]
    fn an_empty_queue_still_names_an_error() {
        let stack = ErrorStack::get();
        assert_eq!(
            boringssl_codes(&stack, Context::default()),
            ":UNKNOWN_ERROR:"
        );
    }
}
