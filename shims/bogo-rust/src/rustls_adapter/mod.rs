//! rustls 0.23 behind the driver's traits. The crypto provider is aws-lc-rs,
//! or *ring* when `BOGO_RUSTLS_PROVIDER=ring`.

mod credentials;
mod errors;
mod sessions;
mod signing;
mod verify;

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::sync::{Arc, Mutex};

use rustls::client::{Resumption, Tls12Resumption};
use rustls::crypto::{CryptoProvider, SupportedKxGroup};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::ProducesTickets;
use rustls::sign::CertifiedKey;
use rustls::{
    ClientConfig, ClientConnection, Connection as RustlsConnection, HandshakeKind, NamedGroup,
    ServerConfig, ServerConnection, SignatureScheme, SupportedCipherSuite,
    SupportedProtocolVersion,
};

use crate::config::{self, TLS1_2, TLS1_3, TestConfig};
use crate::error::Failure;
use crate::library::{Capabilities, Connection, Facts, Library, ReadOutcome, SessionFacts};
use crate::wire::Wire;

use self::credentials::{OfferedFacts, ServerCredential};
use self::errors::Context;
use self::sessions::{ClientCredential, ClientSessions, ServerSessions};
use self::signing::PreferringKey;
use self::verify::{ClientVerifier, PeerAuth, ServerVerifier};

/// The environment variable choosing the crypto provider.
pub const PROVIDER_VARIABLE: &str = "BOGO_RUSTLS_PROVIDER";

/// OpenSSL names of the TLS 1.2 suites rustls implements, as BoringSSL also
/// accepts them in `-cipher`.
const OPENSSL_SUITE_NAMES: &[(&str, &str)] = &[
    (
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    ),
    (
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    ),
    (
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    ),
    (
        "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    ),
    (
        "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    ),
    (
        "ECDHE-RSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    ),
];

/// The TLS 1.2 suites of both providers, IANA values.
const TLS12_SUITES: &[u16] = &[0xc02b, 0xc02c, 0xcca9, 0xc02f, 0xc030, 0xcca8];

/// The rustls adapter: the state that outlives one connection.
pub struct Rustls {
    base: CryptoProvider,
    /// Every group the provider implements, default or not.
    all_groups: &'static [&'static dyn SupportedKxGroup],
    client_sessions: Arc<ClientSessions>,
    server_verifier: Arc<ServerVerifier>,
    client_credential: Arc<ClientCredential>,
    server_sessions: Arc<ServerSessions>,
    ticketer: Arc<dyn ProducesTickets>,
    peer_auth: Arc<PeerAuth>,
    /// The group of the last full handshake, which a TLS 1.2 session keeps.
    session_group: Option<u16>,
}

impl Library for Rustls {
    type Connection = RustlsStream;

    fn new() -> Result<Rustls, Failure> {
        if std::env::var_os("MALLOC_NUMBER_TO_FAIL").is_some() {
            return Err(Failure::unimplemented(
                "allocation failure injection (rustls has no allocation hooks)",
            ));
        }
        let choice = std::env::var(PROVIDER_VARIABLE).unwrap_or_default();
        let (base, all_groups, ticketer) = match choice.as_str() {
            "" | "aws-lc-rs" => (
                rustls::crypto::aws_lc_rs::default_provider(),
                rustls::crypto::aws_lc_rs::ALL_KX_GROUPS,
                rustls::crypto::aws_lc_rs::Ticketer::new(),
            ),
            "ring" => (
                rustls::crypto::ring::default_provider(),
                rustls::crypto::ring::ALL_KX_GROUPS,
                rustls::crypto::ring::Ticketer::new(),
            ),
            other => {
                return Err(Failure::setup(format!(
                    "{PROVIDER_VARIABLE}={other:?}: expected aws-lc-rs or ring"
                )));
            }
        };
        let ticketer =
            ticketer.map_err(|error| Failure::setup(format!("creating a ticketer: {error}")))?;
        let peer_auth = PeerAuth::new();
        let server_verifier = ServerVerifier::new(
            base.signature_verification_algorithms,
            Arc::clone(&peer_auth),
        );
        Ok(Rustls {
            base,
            all_groups,
            client_sessions: ClientSessions::new(),
            server_verifier,
            client_credential: Arc::new(ClientCredential::default()),
            server_sessions: ServerSessions::new(),
            ticketer,
            peer_auth,
            session_group: None,
        })
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            versions: &[TLS1_2, TLS1_3],
            tls12_suites: TLS12_SUITES,
        }
    }

    fn check(&self, config: &TestConfig) -> Result<(), Failure> {
        if !config.psk.is_empty() {
            return Err(Failure::unimplemented(
                "pre-shared keys (rustls 0.23 has no external PSK)",
            ));
        }
        if config.expect_extended_master_secret {
            return Err(Failure::unimplemented(
                "rustls does not report whether the extended master secret was used",
            ));
        }
        if config.reject_alpn {
            return Err(Failure::unimplemented(
                "rustls cannot fail the handshake from ALPN selection",
            ));
        }
        versions(config)?;
        self.provider(config)?;
        let verifiable = self
            .base
            .signature_verification_algorithms
            .supported_schemes();
        if let Some(scheme) = schemes(&config.verify_prefs)
            .into_iter()
            .find(|scheme| !verifiable.contains(scheme))
        {
            return Err(Failure::unimplemented(format!(
                "verifying {scheme:?} in rustls"
            )));
        }
        if config::parse_alpn_list(&config.advertise_alpn).is_none() {
            return Err(Failure::unimplemented(
                "a malformed -advertise-alpn list cannot be given to rustls",
            ));
        }
        Ok(())
    }

    fn handshake(
        &mut self,
        config: &TestConfig,
        wire: Wire,
        _resumption: bool,
    ) -> Result<RustlsStream, Failure> {
        let offered = Arc::new(Mutex::new(OfferedFacts::default()));
        let (connection, server_side) = if config.is_server {
            self.server_sessions.reset();
            let server_config = self.server_config(config, Arc::clone(&offered))?;
            let connection = ServerConnection::new(Arc::new(server_config))
                .map_err(|error| errors::failure(&error, Context::default()))?;
            (RustlsConnection::Server(connection), true)
        } else {
            self.client_sessions.reset();
            let client_config = self.client_config(config)?;
            let name = server_name(config)?;
            let connection = ClientConnection::new(Arc::new(client_config), name)
                .map_err(|error| errors::failure(&error, Context::default()))?;
            (RustlsConnection::Client(connection), false)
        };
        let mut stream = RustlsStream {
            connection,
            wire,
            eof: false,
            client_sessions: (!server_side).then(|| Arc::clone(&self.client_sessions)),
            server_sessions: server_side.then(|| Arc::clone(&self.server_sessions)),
            peer_auth: Arc::clone(&self.peer_auth),
            offered,
            session_group: self.session_group,
        };
        stream.complete_handshake()?;
        if stream.connection.handshake_kind() != Some(HandshakeKind::Resumed) {
            self.session_group = stream.negotiated_group();
        }
        Ok(stream)
    }
}

/// The protocol versions rustls can offer for `config`: BoringSSL's enabled
/// range, intersected with TLS 1.2 and 1.3; unimplemented when that leaves
/// nothing.
fn versions(config: &TestConfig) -> Result<Vec<&'static SupportedProtocolVersion>, Failure> {
    let enabled = config::enabled_versions(config)
        .map_err(|version| Failure::unimplemented(format!("protocol version {version:#06x}")))?;
    let mut versions = Vec::new();
    if enabled.contains(&TLS1_3) {
        versions.push(&rustls::version::TLS13);
    }
    if enabled.contains(&TLS1_2) {
        versions.push(&rustls::version::TLS12);
    }
    if versions.is_empty() {
        return Err(Failure::unimplemented(format!(
            "only versions {enabled:04x?} are enabled; rustls implements TLS 1.2 and 1.3"
        )));
    }
    Ok(versions)
}

fn server_name(config: &TestConfig) -> Result<ServerName<'static>, Failure> {
    match &config.host_name {
        Some(name) => ServerName::try_from(name.clone())
            .map_err(|_| Failure::unimplemented(format!("host name {name:?} for rustls"))),
        // An IP address: rustls then sends no SNI, like BoringSSL without
        // -host-name.
        None => Ok(ServerName::IpAddress(
            IpAddr::V4(Ipv4Addr::LOCALHOST).into(),
        )),
    }
}

impl Rustls {
    /// The provider restricted to `-cipher` (TLS 1.2 suites only, as in
    /// BoringSSL) and `-curves`.
    fn provider(&self, config: &TestConfig) -> Result<CryptoProvider, Failure> {
        let mut provider = self.base.clone();
        if let Some(cipher) = &config.cipher {
            let tls12 = tls12_suites(&self.base.cipher_suites, cipher)?;
            provider
                .cipher_suites
                .retain(|suite| suite.tls13().is_some());
            provider.cipher_suites.extend(tls12);
        }
        if !config.curves.is_empty() {
            let mut groups = Vec::new();
            for &id in &config.curves {
                let named = NamedGroup::from(id);
                let Some(group) = self.all_groups.iter().find(|group| group.name() == named) else {
                    return Err(Failure::unimplemented(format!(
                        "group {id} is not implemented by this provider"
                    )));
                };
                groups.push(*group);
            }
            provider.kx_groups = groups;
        }
        Ok(provider)
    }

    fn client_config(&self, config: &TestConfig) -> Result<ClientConfig, Failure> {
        let provider = self.provider(config)?;
        self.server_verifier.configure(
            config.verify_fail,
            config.use_custom_verify_callback,
            !config.verify_peer,
            schemes(&config.verify_prefs),
        );
        let credential = match (&config.cert_file, &config.key_file) {
            (Some(cert), Some(key)) => Some(Arc::new(certified_key(config, cert, key, &provider)?)),
            _ => None,
        };
        self.client_credential.set(credential);
        let mut client = ClientConfig::builder_with_provider(Arc::new(provider))
            .with_protocol_versions(&versions(config)?)
            .map_err(|error| errors::failure(&error, Context::default()))?
            .dangerous()
            .with_custom_certificate_verifier(self.server_verifier.clone())
            .with_client_cert_resolver(self.client_credential.clone());
        client.alpn_protocols = config::parse_alpn_list(&config.advertise_alpn).unwrap_or_default();
        client.resumption = Resumption::store(self.client_sessions.clone());
        if config.no_ticket {
            client.resumption = client
                .resumption
                .tls12_resumption(Tls12Resumption::SessionIdOnly);
        }
        Ok(client)
    }

    fn server_config(
        &self,
        config: &TestConfig,
        offered: Arc<Mutex<OfferedFacts>>,
    ) -> Result<ServerConfig, Failure> {
        let provider = Arc::new(self.provider(config)?);
        let (Some(cert), Some(key)) = (&config.cert_file, &config.key_file) else {
            return Err(Failure::unimplemented(
                "a server without -cert-file/-key-file",
            ));
        };
        let certified = certified_key(config, cert, key, &provider)?;
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&versions(config)?)
            .map_err(|error| errors::failure(&error, Context::default()))?;
        let builder = if config.verify_peer || config.require_any_client_certificate {
            builder.with_client_cert_verifier(Arc::new(ClientVerifier::new(
                provider.signature_verification_algorithms,
                Arc::clone(&self.peer_auth),
                &schemes(&config.verify_prefs),
                config.require_any_client_certificate,
                config.verify_fail,
                config.use_custom_verify_callback,
            )))
        } else {
            builder.with_no_client_auth()
        };
        let mut server = builder.with_cert_resolver(Arc::new(ServerCredential::new(
            Arc::new(certified),
            offered,
        )));
        server.alpn_protocols = if config.decline_alpn || config.select_alpn.is_empty() {
            Vec::new()
        } else {
            vec![config.select_alpn.clone()]
        };
        server.ignore_client_order = config.server_preference;
        if config.no_ticket {
            server.send_tls13_tickets = 0;
        } else {
            server.ticketer = self.ticketer.clone();
        }
        server.session_storage = self.server_sessions.clone();
        Ok(server)
    }
}

fn key_der(path: &Path) -> Result<PrivateKeyDer<'static>, Failure> {
    PrivateKeyDer::from_pem_file(path)
        .map_err(|error| Failure::setup(format!("reading {}: {error}", path.display())))
}

fn schemes(values: &[u16]) -> Vec<SignatureScheme> {
    values.iter().copied().map(SignatureScheme::from).collect()
}

/// The configured credential: its chain, its key restricted to
/// `-signing-prefs`, and its OCSP response.
fn certified_key(
    config: &TestConfig,
    cert: &Path,
    key: &Path,
    provider: &CryptoProvider,
) -> Result<CertifiedKey, Failure> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|error| Failure::setup(format!("reading {}: {error}", cert.display())))?;
    // A key the provider cannot load is a credential this library cannot use.
    let loaded = CertifiedKey::from_der(chain, key_der(key)?, provider).map_err(|error| {
        Failure::unimplemented(format!("loading {} in rustls: {error}", key.display()))
    })?;
    let key = PreferringKey::wrap(loaded.key, &config.signing_prefs).map_err(|scheme| {
        Failure::unimplemented(format!("signing with scheme {scheme:#06x} in rustls"))
    })?;
    let mut certified = CertifiedKey::new(loaded.cert, key);
    certified.ocsp.clone_from(&config.ocsp_response);
    Ok(certified)
}

/// The TLS 1.2 suites a BoringSSL `-cipher` string names, in order. Only
/// plain lists of suite names are understood; anything else (keywords,
/// exclusions, equal-preference groups, suites rustls lacks) cannot be
/// honoured exactly and is unimplemented.
fn tls12_suites(
    available: &[SupportedCipherSuite],
    cipher: &str,
) -> Result<Vec<SupportedCipherSuite>, Failure> {
    let mut suites = Vec::new();
    for token in cipher.split(':').filter(|token| !token.is_empty()) {
        let standard = OPENSSL_SUITE_NAMES
            .iter()
            .find(|(openssl, _)| *openssl == token)
            .map_or(token, |(_, standard)| standard);
        let Some(suite) = available
            .iter()
            .find(|suite| suite.tls13().is_none() && suite.suite().as_str() == Some(standard))
        else {
            return Err(Failure::unimplemented(format!(
                "cipher string element {token:?} in {cipher:?}"
            )));
        };
        if !suites.contains(suite) {
            suites.push(*suite);
        }
    }
    Ok(suites)
}

/// A rustls connection over the runner socket, driven by hand so that every
/// alert rustls queues is written before an error is returned.
pub struct RustlsStream {
    connection: RustlsConnection,
    wire: Wire,
    eof: bool,
    client_sessions: Option<Arc<ClientSessions>>,
    server_sessions: Option<Arc<ServerSessions>>,
    peer_auth: Arc<PeerAuth>,
    offered: Arc<Mutex<OfferedFacts>>,
    /// The group of the session a resumption resumes.
    session_group: Option<u16>,
}

impl RustlsStream {
    fn negotiated_group(&self) -> Option<u16> {
        self.connection
            .negotiated_key_exchange_group()
            .map(|group| u16::from(group.name()))
    }

    /// The group BoringSSL reports: a TLS 1.2 resumption has no key
    /// exchange and reports its session's.
    fn group(&self) -> Option<u16> {
        let resumed = self.connection.handshake_kind() == Some(HandshakeKind::Resumed);
        let tls12 = self.connection.protocol_version().map(u16::from) == Some(TLS1_2);
        match self.negotiated_group() {
            None if resumed && tls12 => self.session_group,
            group => group,
        }
    }

    fn context(&self) -> Context {
        Context {
            client: matches!(self.connection, RustlsConnection::Client(_)),
            version: self.connection.protocol_version().map(u16::from),
        }
    }

    /// Writes everything rustls has queued.
    fn flush_tls(&mut self) -> Result<(), Failure> {
        while self.connection.wants_write() {
            self.connection
                .write_tls(&mut self.wire)
                .map_err(|error| Failure::io("writing to the runner", error))?;
        }
        Ok(())
    }

    /// Reads from the socket into rustls and processes the records; on a
    /// library error sends the alert and returns the mapped failure.
    fn receive(&mut self) -> Result<(), Failure> {
        let count = match self.connection.read_tls(&mut self.wire) {
            Ok(count) => count,
            Err(error) if error.kind() == io::ErrorKind::ConnectionReset => 0,
            Err(error) => return Err(Failure::io("reading from the runner", error)),
        };
        if count == 0 {
            self.eof = true;
        }
        self.process()
    }

    fn process(&mut self) -> Result<(), Failure> {
        match self.connection.process_new_packets() {
            Ok(_) => self.flush_tls(),
            Err(error) => {
                let _ = self.flush_tls();
                Err(errors::failure(&error, self.context()))
            }
        }
    }

    fn complete_handshake(&mut self) -> Result<(), Failure> {
        loop {
            self.flush_tls()?;
            if !self.connection.is_handshaking() {
                return Ok(());
            }
            if self.eof {
                return Err(Failure::check(
                    "the runner closed the connection during the handshake",
                ));
            }
            self.receive()?;
        }
    }
}

impl Connection for RustlsStream {
    fn read(&mut self, buffer: &mut [u8]) -> Result<ReadOutcome, Failure> {
        loop {
            match self.connection.reader().read(buffer) {
                Ok(0) => return Ok(ReadOutcome::CloseNotify),
                Ok(count) => return Ok(ReadOutcome::Data(count)),
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => {
                    return Ok(ReadOutcome::Eof);
                }
                Err(error) => return Err(Failure::io("reading application data", error)),
            }
            if self.eof {
                return Ok(ReadOutcome::Eof);
            }
            self.receive()?;
        }
    }

    fn write_all(&mut self, data: &[u8]) -> Result<(), Failure> {
        self.connection
            .writer()
            .write_all(data)
            .map_err(|error| Failure::io("queueing application data", error))?;
        self.flush_tls()
    }

    fn key_update(&mut self) -> Result<(), Failure> {
        self.connection
            .refresh_traffic_keys()
            .map_err(|error| Failure::tls(":SSL_KEY_UPDATE_FAILED:", format!("{error:?}")))?;
        self.flush_tls()
    }

    fn send_close_notify(&mut self) -> Result<(), Failure> {
        self.connection.send_close_notify();
        self.flush_tls()
    }

    fn export_keying_material(
        &self,
        length: usize,
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<Vec<u8>, Failure> {
        self.connection
            .export_keying_material(vec![0u8; length], label, context)
            .map_err(|error| errors::failure(&error, self.context()))
    }

    fn facts(&self) -> Facts {
        let connection = &self.connection;
        let server_name = match connection {
            RustlsConnection::Server(server) => server.server_name().map(str::to_string),
            RustlsConnection::Client(_) => None,
        };
        Facts {
            version: connection.protocol_version().map(u16::from),
            cipher_suite: connection
                .negotiated_cipher_suite()
                .map(|suite| u16::from(suite.suite())),
            group: self.group(),
            alpn: connection.alpn_protocol().map(<[u8]>::to_vec),
            resumed: connection.handshake_kind() == Some(HandshakeKind::Resumed),
            peer_certificates: connection
                .peer_certificates()
                .unwrap_or_default()
                .iter()
                .map(|certificate| certificate.as_ref().to_vec())
                .collect(),
            verify_ok: self.peer_auth.ok(),
            server_name,
            offered_alpn: credentials::offered(&self.offered).alpn,
            peer_signature_algorithm: self.peer_auth.scheme(),
            ocsp_response: self.peer_auth.ocsp(),
            extended_master_secret: None,
        }
    }

    fn sessions(&self) -> SessionFacts {
        if let Some(server) = &self.server_sessions {
            return SessionFacts {
                new_sessions: Some(server.puts()),
                latest_allows_early_data: false,
            };
        }
        let Some(client) = &self.client_sessions else {
            return SessionFacts::default();
        };
        let counts = client.counts();
        let facts = self.facts();
        if facts.version == Some(TLS1_3) {
            SessionFacts {
                new_sessions: Some(counts.tls13_tickets),
                latest_allows_early_data: counts.latest_allows_early_data,
            }
        } else if facts.resumed {
            // rustls stores the resumed TLS 1.2 session again whether or not
            // the server renewed its ticket; the wire tells whether it did.
            let renewed = self.wire.saw_new_session_ticket();
            SessionFacts {
                new_sessions: Some(usize::from(renewed)),
                latest_allows_early_data: false,
            }
        } else {
            SessionFacts {
                new_sessions: Some(counts.tls12_sessions),
                latest_allows_early_data: false,
            }
        }
    }

    fn wire(&self) -> &Wire {
        &self.wire
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suites() -> Vec<SupportedCipherSuite> {
        rustls::crypto::aws_lc_rs::default_provider().cipher_suites
    }

    #[test]
    fn cipher_lists_of_known_names_are_honoured() {
        let chosen = tls12_suites(
            &suites(),
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:ECDHE-ECDSA-AES128-GCM-SHA256",
        )
        .expect("known suites");
        let names: Vec<_> = chosen
            .iter()
            .map(|suite| suite.suite().as_str().unwrap_or_default())
            .collect();
        assert_eq!(
            names,
            [
                "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
            ]
        );
    }

    #[test]
    fn cipher_keywords_and_missing_suites_are_unimplemented() {
        for cipher in [
            "3DES",
            "ALL:3DES",
            "DEFAULT:!AES",
            "TLS_RSA_WITH_AES_128_GCM_SHA256",
            "[TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256|TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]",
        ] {
            assert!(
                matches!(
                    tls12_suites(&suites(), cipher),
                    Err(Failure::Unimplemented(_))
                ),
                "{cipher}"
            );
        }
    }

    #[test]
    fn versions_intersect_with_what_rustls_has() {
        let tls10_only = TestConfig {
            min_version: Some(config::TLS1_0),
            max_version: Some(config::TLS1_1),
            ..TestConfig::default()
        };
        assert!(matches!(
            versions(&tls10_only),
            Err(Failure::Unimplemented(_))
        ));
        let from_tls10 = TestConfig {
            min_version: Some(config::TLS1_0),
            ..TestConfig::default()
        };
        assert_eq!(versions(&from_tls10).map(|list| list.len()).ok(), Some(2));
    }
}
