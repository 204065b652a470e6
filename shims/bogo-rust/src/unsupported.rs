//! Telling a library's own failure from a test that needs a protocol
//! version or cipher suite the library lacks. BoringSSL's shim enables
//! TLS 1.0 to 1.3 and [`BORINGSSL_DEFAULT_TLS12_SUITES`] unless told
//! otherwise; when the hellos show that the peer would have settled on an
//! enabled version or suite the library does not implement, or refused the
//! library's narrower offer outright, the test cannot be run as asked,
//! whatever the library reported.

use crate::config::{self, TLS1_2, TestConfig};
use crate::hellos::ServerHelloWatch;
use crate::library::Capabilities;
use crate::wire::Hellos;

/// The TLS 1.2 suites BoringSSL negotiates by default (its "ALL" without
/// 3DES; the PSK suites need `-psk`).
pub const BORINGSSL_DEFAULT_TLS12_SUITES: &[u16] = &[
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014, 0xc023, 0xc027,
    0x009c, 0x009d, 0x002f, 0x0035,
];

/// The alert a server sends when no version is shared.
const PROTOCOL_VERSION_ALERT: u8 = 70;
/// The alert a server sends when, among other things, no suite is shared.
const HANDSHAKE_FAILURE_ALERT: u8 = 40;

/// What BoringSSL's shim would have used on this connection that the
/// library lacks, described; `None` when the hellos do not show such a need.
/// `resumption`: an earlier connection of the test got past the hellos.
pub fn missing(
    config: &TestConfig,
    library: Capabilities,
    hellos: &Hellos,
    resumption: bool,
) -> Option<String> {
    let enabled = config::enabled_versions(config).ok()?;
    let default_suites = config.cipher.is_none();
    if config.is_server {
        let offer = hellos.client.offer()?;
        let chosen = enabled
            .iter()
            .rev()
            .copied()
            .find(|version| offer.versions.contains(version))?;
        if !library.versions.contains(&chosen) {
            return Some(format!("version {chosen:#06x}"));
        }
        let shares = |suites: &[u16]| offer.cipher_suites.iter().any(|s| suites.contains(s));
        if chosen == TLS1_2
            && default_suites
            && !shares(library.tls12_suites)
            && shares(BORINGSSL_DEFAULT_TLS12_SUITES)
        {
            return Some("a TLS 1.2 cipher suite offered by the client".to_string());
        }
        return None;
    }
    missing_for_client(
        &enabled,
        default_suites,
        library,
        &hellos.server,
        resumption,
    )
}

fn missing_for_client(
    enabled: &[u16],
    default_suites: bool,
    library: Capabilities,
    server: &ServerHelloWatch,
    resumption: bool,
) -> Option<String> {
    if let Some(choice) = server.choice() {
        let version = choice.version;
        if enabled.contains(&version) && !library.versions.contains(&version) {
            return Some(format!("version {version:#06x}"));
        }
        let suite = choice.cipher_suite;
        if version == TLS1_2
            && default_suites
            && BORINGSSL_DEFAULT_TLS12_SUITES.contains(&suite)
            && !library.tls12_suites.contains(&suite)
        {
            return Some(format!("cipher suite {suite:#06x}"));
        }
        return None;
    }
    // The server refused the library's offer, which is narrower than
    // BoringSSL's: it might have accepted BoringSSL's. A handshake_failure
    // has many causes; it points at the suites only when no earlier
    // connection of the test agreed on one.
    let lacks_versions = enabled
        .iter()
        .any(|version| !library.versions.contains(version));
    let lacks_suites = enabled.contains(&TLS1_2)
        && default_suites
        && BORINGSSL_DEFAULT_TLS12_SUITES
            .iter()
            .any(|suite| !library.tls12_suites.contains(suite));
    match server.alert_before_hello() {
        Some(PROTOCOL_VERSION_ALERT) if lacks_versions => {
            Some("a version it could not offer".to_string())
        }
        Some(HANDSHAKE_FAILURE_ALERT) if lacks_suites && !resumption => {
            Some("a TLS 1.2 cipher suite it could not offer".to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{TLS1_0, TLS1_1, TLS1_3};

    const MODERN: Capabilities = Capabilities {
        versions: &[TLS1_2, TLS1_3],
        tls12_suites: &[0xc02f],
    };

    fn handshake_record(message_type: u8, body: &[u8]) -> Vec<u8> {
        let mut message = vec![message_type, 0, 0, u8::try_from(body.len()).expect("short")];
        message.extend_from_slice(body);
        let mut record = vec![22, 3, 1, 0, u8::try_from(message.len()).expect("short")];
        record.extend_from_slice(&message);
        record
    }

    fn server_hello(version: u16, suite: u16) -> Vec<u8> {
        let mut body = version.to_be_bytes().to_vec();
        body.extend_from_slice(&[5; 32]);
        body.push(0);
        body.extend_from_slice(&suite.to_be_bytes());
        body.push(0);
        handshake_record(2, &body)
    }

    fn client_hello(legacy: u16, suite: u16) -> Vec<u8> {
        let mut body = legacy.to_be_bytes().to_vec();
        body.extend_from_slice(&[5; 32]);
        body.extend_from_slice(&[0, 0, 2]);
        body.extend_from_slice(&suite.to_be_bytes());
        body.extend_from_slice(&[1, 0]);
        handshake_record(1, &body)
    }

    fn server() -> TestConfig {
        TestConfig {
            is_server: true,
            ..TestConfig::default()
        }
    }

    #[test]
    fn a_tls10_server_hello_needs_tls10_when_enabled() {
        let mut hellos = Hellos::default();
        hellos.server.observe(&server_hello(TLS1_0, 0x002f));
        assert!(missing(&TestConfig::default(), MODERN, &hellos, false).is_some());
        let tls12_up = TestConfig {
            min_version: Some(TLS1_2),
            ..TestConfig::default()
        };
        assert_eq!(missing(&tls12_up, MODERN, &hellos, false), None);
    }

    #[test]
    fn a_default_suite_in_the_server_hello_is_needed() {
        let mut hellos = Hellos::default();
        hellos.server.observe(&server_hello(TLS1_2, 0x009c));
        assert!(missing(&TestConfig::default(), MODERN, &hellos, false).is_some());
        let listed = TestConfig {
            cipher: Some("ECDHE-RSA-AES128-GCM-SHA256".to_string()),
            ..TestConfig::default()
        };
        assert_eq!(missing(&listed, MODERN, &hellos, false), None);
        let mut supported = Hellos::default();
        supported.server.observe(&server_hello(TLS1_2, 0xc02f));
        assert_eq!(
            missing(&TestConfig::default(), MODERN, &supported, false),
            None
        );
    }

    #[test]
    fn refusals_before_the_server_hello_need_what_was_not_offered() {
        for alert in [70, 40] {
            let mut hellos = Hellos::default();
            hellos.server.observe(&[21, 3, 3, 0, 2, 2, alert]);
            assert!(missing(&TestConfig::default(), MODERN, &hellos, false).is_some());
            assert_eq!(
                missing(
                    &TestConfig::default(),
                    Capabilities::default(),
                    &hellos,
                    false
                ),
                None
            );
        }
        let mut refused = Hellos::default();
        refused.server.observe(&[21, 3, 3, 0, 2, 2, 40]);
        assert_eq!(
            missing(&TestConfig::default(), MODERN, &refused, true),
            None
        );
        let mut other = Hellos::default();
        other.server.observe(&[21, 3, 3, 0, 2, 2, 50]);
        assert_eq!(missing(&TestConfig::default(), MODERN, &other, false), None);
    }

    #[test]
    fn the_server_takes_the_highest_common_version() {
        let mut hellos = Hellos::default();
        hellos.client.observe(&client_hello(TLS1_1, 0xc02f));
        assert!(missing(&server(), MODERN, &hellos, false).is_some());
        let mut modern = Hellos::default();
        modern.client.observe(&client_hello(TLS1_2, 0xc02f));
        assert_eq!(missing(&server(), MODERN, &modern, false), None);
    }

    #[test]
    fn the_server_needs_a_default_suite_it_lacks() {
        let mut hellos = Hellos::default();
        hellos.client.observe(&client_hello(TLS1_2, 0x009c));
        assert!(missing(&server(), MODERN, &hellos, false).is_some());
        let mut unknown = Hellos::default();
        unknown.client.observe(&client_hello(TLS1_2, 0x000a));
        assert_eq!(missing(&server(), MODERN, &unknown, false), None);
    }
}
