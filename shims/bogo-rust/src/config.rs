//! The typed test configuration of one connection, as the runner's flags
//! describe it (BoringSSL's `TestConfig`, restricted to the flags this shim
//! understands; see [`crate::flags`] for the table that fills it).

use std::path::PathBuf;

/// Wire values of the protocol versions.
pub const TLS1_0: u16 = 0x0301;
pub const TLS1_1: u16 = 0x0302;
pub const TLS1_2: u16 = 0x0303;
pub const TLS1_3: u16 = 0x0304;

/// The TLS versions in ascending order, as BoringSSL walks them.
pub const TLS_VERSIONS: [u16; 4] = [TLS1_0, TLS1_1, TLS1_2, TLS1_3];

/// What one connection (the initial one, or a resumption) is asked to do.
/// Unprefixed flags set both copies; `-on-initial-`/`-on-resume-` set one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestConfig {
    // Process and transport.
    pub port: u16,
    pub shim_id: u64,
    pub ipv6: bool,
    pub is_server: bool,
    pub resume_count: u32,
    pub is_handshaker_supported: bool,

    // Credentials and trust.
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
    pub trust_cert: Option<PathBuf>,
    /// The shim's own signature algorithm preferences, IANA values.
    pub signing_prefs: Vec<u16>,
    /// The signature algorithms the shim accepts from its peer.
    pub verify_prefs: Vec<u16>,
    pub expect_peer_signature_algorithm: Option<u16>,
    /// The OCSP response the server staples.
    pub ocsp_response: Option<Vec<u8>>,
    pub enable_ocsp_stapling: bool,
    pub expect_ocsp_response: Option<Vec<u8>>,
    /// TLS 1.2 pre-shared key and identity (empty: none).
    pub psk: Vec<u8>,
    pub psk_identity: Vec<u8>,

    // Protocol versions (wire values; `None` is the library default).
    pub min_version: Option<u16>,
    pub max_version: Option<u16>,
    pub no_tls1: bool,
    pub no_tls11: bool,
    pub no_tls12: bool,
    pub no_tls13: bool,
    pub expect_version: Option<u16>,

    // Cipher suites and groups.
    pub cipher: Option<String>,
    pub server_preference: bool,
    pub curves: Vec<u16>,
    pub expect_curve_id: Option<u16>,

    // ALPN. Empty means "none", as in BoringSSL's string flags.
    pub advertise_alpn: Vec<u8>,
    pub select_alpn: Vec<u8>,
    pub expect_alpn: Vec<u8>,
    pub expect_advertised_alpn: Vec<u8>,
    pub decline_alpn: bool,
    pub reject_alpn: bool,

    // Peer authentication.
    pub require_any_client_certificate: bool,
    pub verify_peer: bool,
    pub verify_fail: bool,
    pub expect_verify_result: bool,
    pub expect_peer_cert_file: Option<PathBuf>,
    pub host_name: Option<String>,
    pub expect_server_name: Option<String>,

    // Application data phase.
    pub shim_writes_first: bool,
    pub shim_shuts_down: bool,
    pub check_close_notify: bool,
    pub key_update: bool,
    pub key_update_before_read: bool,
    pub read_size: Option<usize>,
    pub write_different_record_sizes: bool,
    pub export_keying_material: usize,
    pub export_label: Vec<u8>,
    pub export_context: Vec<u8>,
    pub use_export_context: bool,

    // Sessions.
    pub no_ticket: bool,
    pub expect_session_miss: bool,
    pub expect_no_session: bool,
    pub expect_session_id: bool,
    pub expect_no_session_id: bool,
    pub expect_ticket_supports_early_data: bool,
    pub expect_extended_master_secret: bool,

    // Handshake shape.
    pub expect_hrr: bool,
    pub expect_no_hrr: bool,

    // How the BoringSSL shim drives its I/O and which of its callback APIs
    // it uses; no effect on what the library does or what is checked.
    pub async_io: bool,
    pub implicit_handshake: bool,
    pub use_custom_verify_callback: bool,
    pub use_old_client_cert_callback: bool,
    pub use_early_callback: bool,
}

/// The versions the configuration enables, as BoringSSL's shim computes
/// them: the `[min, max]` range (default TLS 1.0 to TLS 1.3: the shim enables
/// TLS 1.0 and 1.1, which the library leaves off by default), narrowed by the
/// `-no-tls*` flags to the lowest contiguous run of enabled versions.
///
/// `Err` carries a version value that is not a TLS version (DTLS values, say).
pub fn enabled_versions(config: &TestConfig) -> Result<Vec<u16>, u16> {
    let min = config.min_version.unwrap_or(TLS1_0);
    let max = config.max_version.unwrap_or(TLS1_3);
    for version in [min, max] {
        if !TLS_VERSIONS.contains(&version) {
            return Err(version);
        }
    }
    if let Some(version) = config.expect_version
        && !TLS_VERSIONS.contains(&version)
    {
        return Err(version);
    }
    let disabled = |version: u16| match version {
        TLS1_0 => config.no_tls1,
        TLS1_1 => config.no_tls11,
        TLS1_2 => config.no_tls12,
        _ => config.no_tls13,
    };
    let mut enabled = Vec::new();
    for version in TLS_VERSIONS {
        if version < min || version > max {
            continue;
        }
        if disabled(version) {
            if !enabled.is_empty() {
                break;
            }
            continue;
        }
        enabled.push(version);
    }
    Ok(enabled)
}

/// Splits an ALPN protocol list in wire format (each name preceded by its
/// one-byte length) into the names; `None` if the lengths do not add up.
pub fn parse_alpn_list(wire: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut names = Vec::new();
    let mut rest = wire;
    while let Some((&length, tail)) = rest.split_first() {
        let length = usize::from(length);
        if tail.len() < length {
            return None;
        }
        let (name, tail) = tail.split_at(length);
        names.push(name.to_vec());
        rest = tail;
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_versions_are_tls10_to_tls13() {
        let config = TestConfig::default();
        assert_eq!(enabled_versions(&config), Ok(TLS_VERSIONS.to_vec()));
    }

    #[test]
    fn disabled_versions_narrow_to_the_lowest_contiguous_run() {
        let config = TestConfig {
            min_version: Some(TLS1_0),
            no_tls11: true,
            ..TestConfig::default()
        };
        assert_eq!(enabled_versions(&config), Ok(vec![TLS1_0]));
        let config = TestConfig {
            min_version: Some(TLS1_2),
            no_tls12: true,
            ..TestConfig::default()
        };
        assert_eq!(enabled_versions(&config), Ok(vec![TLS1_3]));
        let config = TestConfig {
            no_tls1: true,
            no_tls12: true,
            ..TestConfig::default()
        };
        assert_eq!(enabled_versions(&config), Ok(vec![TLS1_1]));
        let config = TestConfig {
            max_version: Some(TLS1_2),
            no_tls12: true,
            ..TestConfig::default()
        };
        assert_eq!(enabled_versions(&config), Ok(vec![TLS1_0, TLS1_1]));
        let config = TestConfig {
            min_version: Some(TLS1_2),
            max_version: Some(TLS1_2),
            no_tls12: true,
            ..TestConfig::default()
        };
        assert_eq!(enabled_versions(&config), Ok(vec![]));
    }

    #[test]
    fn dtls_versions_are_rejected() {
        let config = TestConfig {
            max_version: Some(0xfefd),
            ..TestConfig::default()
        };
        assert_eq!(enabled_versions(&config), Err(0xfefd));
    }

    #[test]
    fn alpn_lists_split_and_reject_bad_lengths() {
        assert_eq!(
            parse_alpn_list(b"\x03foo\x00\x02hi"),
            Some(vec![b"foo".to_vec(), vec![], b"hi".to_vec()])
        );
        assert_eq!(parse_alpn_list(b""), Some(vec![]));
        assert_eq!(parse_alpn_list(b"\x04foo"), None);
    }
}
