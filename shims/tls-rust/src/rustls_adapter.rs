//! rustls 0.23 behind the driver's traits, on the aws-lc-rs provider (the
//! default) or ring (`--provider ring`).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::WebPkiClientVerifier;
use rustls::{
    ClientConfig, ClientConnection, ConnectionCommon, HandshakeKind, KeyLogFile, RootCertStore,
    ServerConfig, ServerConnection, SideData, StreamOwned,
};

use crate::build_info::crate_version;
use crate::case::{Case, Role};
use crate::error::{Context, Error};
use crate::library::{self, Library, NamedGroup, TlsStream};
use crate::pki::{Pki, PkiFile};
use crate::protocol::{MAX_EARLY_DATA_BYTES, SERVER_NAME};
use crate::transport::Socket;

/// rustls with one crypto provider.
pub struct Rustls {
    provider: Arc<CryptoProvider>,
    /// The crate behind `provider`, for the version line.
    provider_crate: &'static str,
    defect: Option<Defect>,
}

/// A deliberate defect, for the harness's own tests that show it catches
/// broken implementations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Defect {
    /// The client trusts any server certificate, for any name.
    AcceptAnyCertificate,
    /// The client never offers a session it was given.
    NoResumption,
}

impl Library for Rustls {
    type Client = RustlsClient;
    type Server = RustlsServer;

    const OPTIONS_SYNOPSIS: &'static str =
        "[--provider aws-lc-rs|ring] [--defect accept-any-certificate|no-resumption]";

    fn from_options(options: &[String]) -> Result<Self, String> {
        let mut provider = rustls::crypto::aws_lc_rs::default_provider();
        let mut provider_crate = "aws-lc-rs";
        let mut defect = None;
        let mut options = options.iter();
        while let Some(flag) = options.next() {
            let value = options
                .next()
                .ok_or_else(|| format!("{flag} needs a value"))?;
            match (flag.as_str(), value.as_str()) {
                ("--provider", "aws-lc-rs") => {
                    provider = rustls::crypto::aws_lc_rs::default_provider();
                    provider_crate = "aws-lc-rs";
                }
                ("--provider", "ring") => {
                    provider = rustls::crypto::ring::default_provider();
                    provider_crate = "ring";
                }
                ("--provider", name) => {
                    return Err(format!(
                        "unknown provider {name:?} (expected aws-lc-rs or ring)"
                    ));
                }
                ("--defect", "accept-any-certificate") => {
                    defect = Some(Defect::AcceptAnyCertificate);
                }
                ("--defect", "no-resumption") => defect = Some(Defect::NoResumption),
                ("--defect", name) => {
                    return Err(format!(
                        "unknown defect {name:?} (expected accept-any-certificate or no-resumption)"
                    ));
                }
                _ => return Err(format!("unexpected option {flag:?}")),
            }
        }
        Ok(Rustls {
            provider: Arc::new(provider),
            provider_crate,
            defect,
        })
    }

    fn version(&self) -> String {
        let provider = self.provider_crate;
        format!(
            "rustls {} with {provider} {}",
            crate_version("rustls"),
            crate_version(provider)
        )
    }

    fn unsupported(&self, role: Role, case: Case) -> Option<&'static str> {
        match (role, case) {
            (_, Case::OutOfBandPsk) => {
                Some("rustls 0.23 has no support for external (out-of-band) pre-shared keys")
            }
            _ => None,
        }
    }

    fn client(&self, case: Case, pki: &Pki) -> Result<RustlsClient, Error> {
        let provider = match case {
            // Key share for x25519 only, secp256r1 offered as the fallback.
            Case::HelloRetryRequest => with_groups(
                &self.provider,
                &[rustls::NamedGroup::X25519, rustls::NamedGroup::secp256r1],
            )?,
            Case::NoSharedGroup => with_groups(&self.provider, &[rustls::NamedGroup::X25519])?,
            _ => self.provider.clone(),
        };
        let verifier = WebPkiServerVerifier::builder_with_provider(roots(pki)?, provider.clone())
            .build()
            .context("building the server certificate verifier")?;
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .context("choosing protocol versions")?;
        let builder = if self.defect == Some(Defect::AcceptAnyCertificate) {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
        } else {
            builder.with_webpki_verifier(verifier)
        };
        let mut config = if case == Case::MtlsRequestResponse {
            builder
                .with_client_auth_cert(
                    certificates(pki, PkiFile::ClientChain)?,
                    private_key(pki, PkiFile::ClientKey)?,
                )
                .context("loading the client certificate")?
        } else {
            builder.with_no_client_auth()
        };
        config.enable_early_data = case == Case::EarlyData;
        config.key_log = Arc::new(KeyLogFile::new());
        if self.defect == Some(Defect::NoResumption) {
            config.resumption = rustls::client::Resumption::disabled();
        }
        Ok(RustlsClient {
            config: Arc::new(config),
        })
    }

    fn server(&self, case: Case, pki: &Pki) -> Result<RustlsServer, Error> {
        // Seed the provider's random generator now, before the driver listens:
        // aws-lc's first use (CPU jitter entropy) costs tens of milliseconds,
        // which would otherwise land inside the first handshake.
        self.provider
            .secure_random
            .fill(&mut [0u8; 16])
            .map_err(|error| {
                Error::library("seeding the random generator", format!("{error:?}"))
            })?;
        let provider = match case {
            Case::HelloRetryRequest | Case::NoSharedGroup => {
                with_groups(&self.provider, &[rustls::NamedGroup::secp256r1])?
            }
            _ => self.provider.clone(),
        };
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .context("choosing protocol versions")?;
        let builder = if case.requires_client_certificate() {
            let verifier = WebPkiClientVerifier::builder_with_provider(roots(pki)?, provider)
                .build()
                .context("building the client certificate verifier")?;
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let (chain, key) = case.server_credentials();
        let mut config = builder
            .with_single_cert(certificates(pki, chain)?, private_key(pki, key)?)
            .context("loading the server certificate")?;
        // Early data needs the default stateful session cache (rustls refuses
        // 0-RTT with stateless tickets), which also serves plain resumption.
        if case == Case::EarlyData {
            config.max_early_data_size = MAX_EARLY_DATA_BYTES;
        }
        config.key_log = Arc::new(KeyLogFile::new());
        Ok(RustlsServer {
            config: Arc::new(config),
        })
    }
}

/// The defect `accept-any-certificate`: every chain and name is accepted;
/// only the handshake signature is still checked, as the protocol needs.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A copy of `provider` that offers only `groups`, in that order.
fn with_groups(
    provider: &CryptoProvider,
    groups: &[rustls::NamedGroup],
) -> Result<Arc<CryptoProvider>, Error> {
    let kx_groups = groups
        .iter()
        .map(|name| {
            provider
                .kx_groups
                .iter()
                .find(|group| group.name() == *name)
                .copied()
                .ok_or_else(|| {
                    Error::library(
                        "choosing key exchange groups",
                        format!("{name:?} is not available"),
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Arc::new(CryptoProvider {
        kx_groups,
        ..provider.clone()
    }))
}

fn roots(pki: &Pki) -> Result<Arc<RootCertStore>, Error> {
    let mut roots = RootCertStore::empty();
    for certificate in certificates(pki, PkiFile::Ca)? {
        roots
            .add(certificate)
            .context("adding ca-certificate.pem to the trust store")?;
    }
    Ok(Arc::new(roots))
}

fn certificates(pki: &Pki, file: PkiFile) -> Result<Vec<CertificateDer<'static>>, Error> {
    let pem = pki.read(file)?;
    let certificates = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .context(&format!("parsing {}", file.file_name()))?;
    if certificates.is_empty() {
        return Err(Error::library(
            format!("parsing {}", file.file_name()),
            "no certificate in the file",
        ));
    }
    Ok(certificates)
}

fn private_key(pki: &Pki, file: PkiFile) -> Result<PrivateKeyDer<'static>, Error> {
    PrivateKeyDer::from_pem_slice(&pki.read(file)?)
        .context(&format!("parsing {}", file.file_name()))
}

/// The client side; its config's session cache carries resumption over connections.
pub struct RustlsClient {
    config: Arc<ClientConfig>,
}

impl library::Client for RustlsClient {
    type Stream = RustlsStream<ClientConnection>;

    fn connect(
        &mut self,
        tcp: TcpStream,
        early_data: Option<&[u8]>,
    ) -> Result<Self::Stream, Error> {
        let name = ServerName::try_from(SERVER_NAME).context("naming the server")?;
        let mut connection =
            ClientConnection::new(self.config.clone(), name).context("starting the client")?;
        let mut sent_early_data = false;
        if let Some(data) = early_data {
            // `None` when the session does not allow 0-RTT; then nothing is sent
            // early and `early_data_accepted` reports false.
            if let Some(mut writer) = connection.early_data() {
                writer
                    .write_all(data)
                    .map_err(|source| Error::io("writing early data", source))?;
                sent_early_data = true;
            }
        }
        let mut tls = StreamOwned::new(connection, Socket::new(tcp));
        handshake(&mut tls)?;
        let early_data_accepted = sent_early_data && tls.conn.is_early_data_accepted();
        Ok(RustlsStream {
            tls,
            early_data_accepted,
        })
    }
}

/// The server side; its config's session cache carries resumption over connections.
pub struct RustlsServer {
    config: Arc<ServerConfig>,
}

impl library::Server for RustlsServer {
    type Stream = RustlsStream<ServerConnection>;

    fn accept(
        &mut self,
        tcp: TcpStream,
        early_data: Option<&mut Vec<u8>>,
    ) -> Result<Self::Stream, Error> {
        let connection =
            ServerConnection::new(self.config.clone()).context("starting the server")?;
        let mut tls = StreamOwned::new(connection, Socket::new(tcp));
        handshake(&mut tls)?;
        let mut early_data_accepted = false;
        if let Some(buffer) = early_data {
            // Accepted early data stays readable after the handshake.
            if let Some(mut reader) = tls.conn.early_data() {
                reader
                    .read_to_end(buffer)
                    .map_err(|source| Error::io("reading early data", source))?;
                early_data_accepted = true;
            }
        }
        Ok(RustlsStream {
            tls,
            early_data_accepted,
        })
    }
}

fn handshake<C, S>(tls: &mut StreamOwned<C, Socket>) -> Result<(), Error>
where
    C: DerefMut + Deref<Target = ConnectionCommon<S>>,
    S: SideData,
{
    while tls.conn.is_handshaking() {
        tls.conn
            .complete_io(&mut tls.sock)
            .map_err(|source| Error::io("TLS handshake", source))?;
    }
    tls.flush()
        .map_err(|source| Error::io("flushing the end of the handshake", source))
}

/// An established rustls connection over a [`Socket`].
pub struct RustlsStream<C> {
    tls: StreamOwned<C, Socket>,
    early_data_accepted: bool,
}

impl<C, S> Read for RustlsStream<C>
where
    C: DerefMut + Deref<Target = ConnectionCommon<S>>,
    S: SideData,
{
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.tls.read(buffer)
    }
}

impl<C, S> Write for RustlsStream<C>
where
    C: DerefMut + Deref<Target = ConnectionCommon<S>>,
    S: SideData,
{
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.tls.write(data)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tls.flush()
    }
}

impl<C, S> TlsStream for RustlsStream<C>
where
    C: DerefMut + Deref<Target = ConnectionCommon<S>>,
    S: SideData,
{
    fn send_close_notify(&mut self) -> Result<(), Error> {
        self.tls.conn.send_close_notify();
        self.tls
            .flush()
            .map_err(|source| Error::io("sending close_notify", source))
    }

    fn request_key_update(&mut self) -> Result<(), Error> {
        // rustls offers only update_requested, which the contract allows
        // for libraries without a choice.
        self.tls
            .conn
            .refresh_traffic_keys()
            .map_err(|error| Error::library("requesting a KeyUpdate", error))
    }

    fn resumed(&self) -> bool {
        self.tls.conn.handshake_kind() == Some(HandshakeKind::Resumed)
    }

    fn early_data_accepted(&self) -> bool {
        self.early_data_accepted
    }

    fn negotiated_group(&self) -> Option<NamedGroup> {
        let group = self.tls.conn.negotiated_key_exchange_group()?;
        Some(match group.name() {
            rustls::NamedGroup::secp256r1 => NamedGroup::Secp256r1,
            rustls::NamedGroup::X25519 => NamedGroup::X25519,
            other => NamedGroup::Other(format!("{other:?}")),
        })
    }
}
