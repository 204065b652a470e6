//! Alert descriptions as the runner's error messages spell them. They follow
//! upstream's Go runner (`remote error: handshake failure`), so expected
//! local errors read the same in both.

/// The text of alert `description`.
pub fn alert_text(description: u8) -> String {
    let text = match description {
        0 => "close notify",
        10 => "unexpected message",
        20 => "bad record MAC",
        21 => "decryption failed",
        22 => "record overflow",
        30 => "decompression failure",
        40 => "handshake failure",
        42 => "bad certificate",
        43 => "unsupported certificate",
        44 => "revoked certificate",
        45 => "expired certificate",
        46 => "unknown certificate",
        47 => "illegal parameter",
        48 => "unknown certificate authority",
        49 => "access denied",
        50 => "error decoding message",
        51 => "error decrypting message",
        60 => "export restriction",
        70 => "protocol version not supported",
        71 => "insufficient security level",
        80 => "internal error",
        86 => "inappropriate fallback",
        90 => "user canceled",
        100 => "no renegotiation",
        109 => "missing extension",
        110 => "unsupported extension",
        111 => "certificate unobtainable",
        112 => "unrecognized name",
        113 => "bad certificate status response",
        114 => "bad certificate hash value",
        115 => "unknown PSK identity",
        116 => "certificate required",
        120 => "no application protocol",
        121 => "ECH required",
        other => return format!("alert({other})"),
    };
    text.to_string()
}

/// The runner's error for an alert the shim sent.
pub fn remote_error(description: u8) -> String {
    format!("remote error: {}", alert_text(description))
}

/// The runner's error for an error of its rustls.
pub fn rustls_error(error: &rustls::Error) -> String {
    match error {
        rustls::Error::AlertReceived(description) => remote_error(u8::from(*description)),
        other => format!("local error: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_read_like_upstream() {
        assert_eq!(remote_error(47), "remote error: illegal parameter");
        assert_eq!(remote_error(200), "remote error: alert(200)");
        assert_eq!(
            rustls_error(&rustls::Error::AlertReceived(
                rustls::AlertDescription::HandshakeFailure
            )),
            "remote error: handshake failure"
        );
        assert!(
            rustls_error(&rustls::Error::DecryptError).starts_with("local error: "),
            "{}",
            rustls_error(&rustls::Error::DecryptError)
        );
    }
}
