//! The runner's rustls configuration, built from a case's [`Peer`]. One
//! config serves every connection of a test, so its session storage carries
//! resumption from one connection to the next.
//!
//! The runner checks no certificate chain (upstream's runner does not
//! either): a shim's chain is accepted as sent, but handshake signatures
//! are verified.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms, aws_lc_rs};
use rustls::pki_types::{CertificateDer, InvalidDnsNameError, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    ClientConfig, ClientConnection, Connection, DigitallySignedStruct, DistinguishedName,
    ServerConfig, ServerConnection, SignatureScheme, SupportedProtocolVersion,
};
use thiserror::Error;

use crosscheck_model::bogo::{Case, Peer, Version};

use super::credentials::Credentials;
use super::secret_log::SecretLog;

/// The server name the runner as client asks for.
pub const SERVER_NAME: &str = "test";

#[derive(Debug, Error)]
pub enum Error {
    #[error("cannot configure the runner: {0}")]
    Configure(#[source] rustls::Error),
    #[error("cannot start rustls: {0}")]
    Start(#[source] rustls::Error),
    #[error(transparent)]
    ServerName(#[from] InvalidDnsNameError),
    #[error("the runner's rustls has no cipher suite `{name}`; it has {}", known.join(", "))]
    NoCipherSuite {
        name: String,
        known: Vec<&'static str>,
    },
    #[error("the runner's rustls has no key exchange group `{name}`; it has {}", known.join(", "))]
    NoGroup {
        name: String,
        known: Vec<&'static str>,
    },
    #[error("the peer's min_version {min:?} is above its max_version {max:?}")]
    Versions { min: Version, max: Version },
}

/// A config for the runner's side of a case.
#[derive(Debug, Clone)]
pub enum PeerConfig {
    /// The shim is the server.
    Client(Arc<ClientConfig>),
    /// The shim is the client.
    Server {
        config: Arc<ServerConfig>,
        /// TLS 1.3 is not enabled.
        tls12_only: bool,
    },
}

impl PeerConfig {
    /// The runner's config for `case`: the shim's opposite role.
    pub fn new(case: &Case, credentials: &Credentials) -> Result<PeerConfig, Error> {
        let provider = Arc::new(provider(&case.peer)?);
        let versions = versions(&case.peer)?;
        let alpn: Vec<Vec<u8>> = case
            .peer
            .alpn
            .iter()
            .map(|protocol| protocol.as_bytes().to_vec())
            .collect();
        let leaf = credentials.leaf(case.key_type);
        let rustls_error = Error::Configure;
        match case.shim_role.peer() {
            crosscheck_model::Role::Client => {
                let builder = ClientConfig::builder_with_provider(provider.clone())
                    .with_protocol_versions(&versions)
                    .map_err(rustls_error)?
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(AnyServerCertificate {
                        algorithms: provider.signature_verification_algorithms,
                    }));
                let mut config = if case.peer.client_certificate {
                    builder
                        .with_client_auth_cert(leaf.chain(), leaf.private_key())
                        .map_err(rustls_error)?
                } else {
                    builder.with_no_client_auth()
                };
                config.alpn_protocols = alpn;
                config.enable_secret_extraction = true;
                Ok(PeerConfig::Client(Arc::new(config)))
            }
            crosscheck_model::Role::Server => {
                let builder = ServerConfig::builder_with_provider(provider.clone())
                    .with_protocol_versions(&versions)
                    .map_err(rustls_error)?;
                let builder = if case.peer.request_client_certificate {
                    builder.with_client_cert_verifier(Arc::new(AnyClientCertificate {
                        algorithms: provider.signature_verification_algorithms,
                    }))
                } else {
                    builder.with_no_client_auth()
                };
                let mut config = builder
                    .with_single_cert(leaf.chain(), leaf.private_key())
                    .map_err(rustls_error)?;
                config.alpn_protocols = alpn;
                config.enable_secret_extraction = true;
                // Tickets in both versions, as upstream's runner.
                config.ticketer = aws_lc_rs::Ticketer::new().map_err(rustls_error)?;
                let tls12_only = !versions
                    .iter()
                    .any(|version| version.version == rustls::ProtocolVersion::TLSv1_3);
                Ok(PeerConfig::Server {
                    config: Arc::new(config),
                    tls12_only,
                })
            }
        }
    }

    /// A rustls connection for one connection of the test, its TLS 1.3
    /// traffic secrets logged to `log`. It runs on a copy of the config
    /// that shares the session storage, so resumption carries over.
    /// `resumption`: a connection after the first.
    pub fn connect(&self, log: Arc<SecretLog>, resumption: bool) -> Result<Connection, Error> {
        let rustls_error = Error::Start;
        match self {
            PeerConfig::Client(config) => {
                let mut config = ClientConfig::clone(config);
                config.key_log = log;
                let name = ServerName::try_from(SERVER_NAME)?;
                Ok(ClientConnection::new(Arc::new(config), name)
                    .map_err(rustls_error)?
                    .into())
            }
            PeerConfig::Server { config, tls12_only } => {
                let mut config = ServerConfig::clone(config);
                config.key_log = log;
                if resumption && *tls12_only {
                    // Upstream's TLS 1.2 server renews a ticket on
                    // resumption only when a test asks (RenewTicketOnResume);
                    // rustls renews whenever its ticketer is enabled.
                    config.ticketer = Arc::new(NoRenewal(config.ticketer.clone()));
                }
                Ok(ServerConnection::new(Arc::new(config))
                    .map_err(rustls_error)?
                    .into())
            }
        }
    }
}

/// aws-lc-rs with the peer's suites and groups, in its order.
fn provider(peer: &Peer) -> Result<CryptoProvider, Error> {
    let mut provider = aws_lc_rs::default_provider();
    if !peer.cipher_suites.is_empty() {
        provider.cipher_suites = peer
            .cipher_suites
            .iter()
            .map(|name| {
                aws_lc_rs::ALL_CIPHER_SUITES
                    .iter()
                    .find(|suite| suite.suite().as_str() == Some(name))
                    .copied()
                    .ok_or_else(|| Error::NoCipherSuite {
                        name: name.to_string(),
                        known: aws_lc_rs::ALL_CIPHER_SUITES
                            .iter()
                            .filter_map(|suite| suite.suite().as_str())
                            .collect(),
                    })
            })
            .collect::<Result<_, _>>()?;
    }
    if !peer.groups.is_empty() {
        provider.kx_groups = peer
            .groups
            .iter()
            .map(|name| {
                aws_lc_rs::ALL_KX_GROUPS
                    .iter()
                    .find(|group| group.name().as_str() == Some(name))
                    .copied()
                    .ok_or_else(|| Error::NoGroup {
                        name: name.to_string(),
                        known: aws_lc_rs::ALL_KX_GROUPS
                            .iter()
                            .filter_map(|group| group.name().as_str())
                            .collect(),
                    })
            })
            .collect::<Result<_, _>>()?;
    }
    Ok(provider)
}

fn versions(peer: &Peer) -> Result<Vec<&'static SupportedProtocolVersion>, Error> {
    let min = peer.min_version.unwrap_or(Version::Tls12);
    let max = peer.max_version.unwrap_or(Version::Tls13);
    if min > max {
        return Err(Error::Versions { min, max });
    }
    Ok([Version::Tls13, Version::Tls12]
        .into_iter()
        .filter(|version| (min..=max).contains(version))
        .map(|version| match version {
            Version::Tls12 => &rustls::version::TLS12,
            Version::Tls13 => &rustls::version::TLS13,
        })
        .collect())
}

/// Accepts any server certificate; checks handshake signatures.
#[derive(Debug)]
struct AnyServerCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AnyServerCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Asks for a client certificate without requiring one; accepts any;
/// checks handshake signatures.
#[derive(Debug)]
struct AnyClientCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for AnyClientCertificate {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A ticketer that opens the tickets of `0` but issues none: rustls' TLS 1.2
/// server then resumes without a NewSessionTicket. (Its TLS 1.3 server reads
/// `enabled` for decryption too, hence TLS 1.2 only.)
#[derive(Debug)]
struct NoRenewal(Arc<dyn rustls::server::ProducesTickets>);

impl rustls::server::ProducesTickets for NoRenewal {
    fn enabled(&self) -> bool {
        false
    }

    fn lifetime(&self) -> u32 {
        self.0.lifetime()
    }

    fn encrypt(&self, _plain: &[u8]) -> Option<Vec<u8>> {
        None
    }

    fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
        self.0.decrypt(cipher)
    }
}
