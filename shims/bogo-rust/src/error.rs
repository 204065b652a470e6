//! The shims' one error type and the exit codes the runner understands.

use std::fmt;
use std::io;

/// Exit code: the test ran and every check held.
pub const EXIT_OK: u8 = 0;
/// Exit code: a connection or check failed.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code: an allocation was made to fail (malloc tests); try the next one.
pub const EXIT_MORE_MALLOCS: u8 = 88;
/// Exit code: the test needs something this shim does not implement.
pub const EXIT_UNIMPLEMENTED: u8 = crosscheck_model::bogo::UNIMPLEMENTED_EXIT;

/// Why a test did not pass.
#[derive(Debug)]
pub enum Failure {
    /// The test asks for a flag, value or mode the library cannot honour.
    Unimplemented(String),
    /// The TLS library failed. `code` is the BoringSSL-style error string
    /// (`:NO_SHARED_CIPHER:`); `detail` is the library's own description.
    Tls { code: String, detail: String },
    /// An expectation of the test did not hold, worded as BoringSSL's shim
    /// words it where the runner looks for the words.
    Check(String),
    /// The socket failed outside the TLS library.
    Io {
        what: &'static str,
        source: io::Error,
    },
    /// Local setup failed (credential files, malformed values).
    Setup(String),
}

impl Failure {
    pub fn tls(code: impl Into<String>, detail: impl fmt::Display) -> Failure {
        Failure::Tls {
            code: code.into(),
            detail: detail.to_string(),
        }
    }

    pub fn check(message: impl Into<String>) -> Failure {
        Failure::Check(message.into())
    }

    pub fn unimplemented(message: impl Into<String>) -> Failure {
        Failure::Unimplemented(message.into())
    }

    pub fn io(what: &'static str, source: io::Error) -> Failure {
        Failure::Io { what, source }
    }

    pub fn setup(message: impl Into<String>) -> Failure {
        Failure::Setup(message.into())
    }

    /// The process exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Unimplemented(_) => EXIT_UNIMPLEMENTED,
            _ => EXIT_FAILURE,
        }
    }

    /// What goes to stderr: the runner searches it for the expected error.
    pub fn stderr_text(&self) -> String {
        match self {
            Failure::Unimplemented(message) => format!("unimplemented: {message}"),
            Failure::Tls { code, .. } => code.clone(),
            Failure::Check(message) => message.clone(),
            Failure::Io { what, source } => format!("I/O error while {what}: {source}"),
            Failure::Setup(message) => format!("setup failed: {message}"),
        }
    }

    /// Extra detail for stdout (never searched by the runner).
    pub fn detail(&self) -> Option<&str> {
        match self {
            Failure::Tls { detail, .. } => Some(detail),
            _ => None,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.stderr_text())?;
        if let Some(detail) = self.detail() {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

/// BoringSSL's error string for a received alert (`SSL_R_*_ALERT_*`).
pub fn alert_error(description: u8) -> String {
    let name = match description {
        0 => "SSLV3_ALERT_CLOSE_NOTIFY",
        10 => "SSLV3_ALERT_UNEXPECTED_MESSAGE",
        20 => "SSLV3_ALERT_BAD_RECORD_MAC",
        21 => "TLSV1_ALERT_DECRYPTION_FAILED",
        22 => "TLSV1_ALERT_RECORD_OVERFLOW",
        30 => "SSLV3_ALERT_DECOMPRESSION_FAILURE",
        40 => "SSLV3_ALERT_HANDSHAKE_FAILURE",
        41 => "SSLV3_ALERT_NO_CERTIFICATE",
        42 => "SSLV3_ALERT_BAD_CERTIFICATE",
        43 => "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
        44 => "SSLV3_ALERT_CERTIFICATE_REVOKED",
        45 => "SSLV3_ALERT_CERTIFICATE_EXPIRED",
        46 => "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
        47 => "SSLV3_ALERT_ILLEGAL_PARAMETER",
        48 => "TLSV1_ALERT_UNKNOWN_CA",
        49 => "TLSV1_ALERT_ACCESS_DENIED",
        50 => "TLSV1_ALERT_DECODE_ERROR",
        51 => "TLSV1_ALERT_DECRYPT_ERROR",
        60 => "TLSV1_ALERT_EXPORT_RESTRICTION",
        70 => "TLSV1_ALERT_PROTOCOL_VERSION",
        71 => "TLSV1_ALERT_INSUFFICIENT_SECURITY",
        80 => "TLSV1_ALERT_INTERNAL_ERROR",
        86 => "TLSV1_ALERT_INAPPROPRIATE_FALLBACK",
        90 => "TLSV1_ALERT_USER_CANCELLED",
        100 => "TLSV1_ALERT_NO_RENEGOTIATION",
        110 => "TLSV1_ALERT_UNSUPPORTED_EXTENSION",
        111 => "TLSV1_ALERT_CERTIFICATE_UNOBTAINABLE",
        112 => "TLSV1_ALERT_UNRECOGNIZED_NAME",
        113 => "TLSV1_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE",
        114 => "TLSV1_ALERT_BAD_CERTIFICATE_HASH_VALUE",
        115 => "TLSV1_ALERT_UNKNOWN_PSK_IDENTITY",
        116 => "TLSV1_ALERT_CERTIFICATE_REQUIRED",
        120 => "TLSV1_ALERT_NO_APPLICATION_PROTOCOL",
        121 => "TLSV1_ALERT_ECH_REQUIRED",
        other => return format!(":reason({}):", 1000 + u32::from(other)),
    };
    format!(":{name}:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_use_boringssl_names() {
        assert_eq!(alert_error(40), ":SSLV3_ALERT_HANDSHAKE_FAILURE:");
        assert_eq!(alert_error(70), ":TLSV1_ALERT_PROTOCOL_VERSION:");
        assert_eq!(alert_error(22), ":TLSV1_ALERT_RECORD_OVERFLOW:");
        assert_eq!(alert_error(109), ":reason(1109):");
    }

    #[test]
    fn exit_codes_follow_the_protocol() {
        assert_eq!(Failure::unimplemented("x").exit_code(), 89);
        assert_eq!(Failure::tls(":DECODE_ERROR:", "x").exit_code(), 1);
        assert_eq!(Failure::check("x").exit_code(), 1);
    }

    #[test]
    fn stderr_carries_only_the_code_for_tls_errors() {
        let failure = Failure::tls(
            ":NO_SHARED_CIPHER:",
            "PeerIncompatible(NoCipherSuitesInCommon)",
        );
        assert_eq!(failure.stderr_text(), ":NO_SHARED_CIPHER:");
        assert_eq!(
            failure.detail(),
            Some("PeerIncompatible(NoCipherSuitesInCommon)")
        );
    }
}
