//! A real TLS exchange in memory (rustls to rustls), recorded as the
//! harness's relay would see it: input for the wire observer's tests and
//! the seed of every fuzz target that reads the wire.

use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex, PoisonError};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConnection, RootCertStore, ServerConnection, SupportedProtocolVersion};

/// What went each way, the secrets the client logged, and what the client
/// read.
pub struct Recorded {
    pub to_server: Vec<u8>,
    pub to_client: Vec<u8>,
    /// NSS key log lines.
    pub key_log: String,
    /// The application data the client received.
    pub received: Vec<u8>,
}

/// The kinds of exchange the seeds cover.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// TLS 1.3, data both ways, then a KeyUpdate from the server and 16
    /// bytes more, then close_notify.
    Tls13,
    /// TLS 1.2 with the same traffic.
    Tls12,
    /// TLS 1.3 where the server wants another key share first.
    HelloRetry,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Tls13, Kind::Tls12, Kind::HelloRetry];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Tls13 => "tls13",
            Kind::Tls12 => "tls12",
            Kind::HelloRetry => "hello-retry",
        }
    }
}

#[derive(Debug, Default)]
struct KeyLines(Mutex<String>);

impl rustls::KeyLog for KeyLines {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let line = format!("{label} {} {}\n", hex(client_random), hex(secret));
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_str(&line);
    }
}

fn failed(error: impl std::fmt::Display) -> io::Error {
    io::Error::other(error.to_string())
}

/// Runs one exchange of `kind`: the handshake, `request` from the client,
/// `response` from the server (then, in TLS 1.3, a KeyUpdate and
/// `after the update`), close_notify both ways.
pub fn record(kind: Kind, request: &[u8], response: &[u8]) -> io::Result<Recorded> {
    let provider = rustls::crypto::ring::default_provider();
    let versions: &[&SupportedProtocolVersion] = match kind {
        Kind::Tls12 => &[&rustls::version::TLS12],
        Kind::Tls13 | Kind::HelloRetry => &[&rustls::version::TLS13],
    };
    let mut server_provider = provider.clone();
    if let Kind::HelloRetry = kind {
        // rustls' client sends an X25519 share first; a server without
        // X25519 must ask again.
        server_provider
            .kx_groups
            .retain(|group| group.name() != rustls::NamedGroup::X25519);
    }
    let key = rcgen::KeyPair::generate().map_err(failed)?;
    let certificate = rcgen::CertificateParams::new(vec!["localhost".into()])
        .map_err(failed)?
        .self_signed(&key)
        .map_err(failed)?;
    let mut roots = RootCertStore::empty();
    roots.add(certificate.der().clone()).map_err(failed)?;
    let lines = Arc::new(KeyLines::default());
    let mut client_config = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(versions)
        .map_err(failed)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    client_config.key_log = lines.clone();
    let server_config = rustls::ServerConfig::builder_with_provider(Arc::new(server_provider))
        .with_protocol_versions(versions)
        .map_err(failed)?
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(certificate.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .map_err(failed)?;
    let name = ServerName::try_from("localhost").map_err(failed)?;
    let mut client = ClientConnection::new(Arc::new(client_config), name).map_err(failed)?;
    let mut server = ServerConnection::new(Arc::new(server_config)).map_err(failed)?;
    let mut recorded = Recorded {
        to_server: Vec::new(),
        to_client: Vec::new(),
        key_log: String::new(),
        received: Vec::new(),
    };
    while client.is_handshaking() || server.is_handshaking() {
        pump(&mut client, &mut server, &mut recorded)?;
    }
    client.writer().write_all(request)?;
    pump(&mut client, &mut server, &mut recorded)?;
    server.writer().write_all(response)?;
    if let Kind::Tls13 | Kind::HelloRetry = kind {
        server.refresh_traffic_keys().map_err(failed)?;
        server.writer().write_all(b"after the update")?;
    }
    client.send_close_notify();
    server.send_close_notify();
    pump(&mut client, &mut server, &mut recorded)?;
    pump(&mut client, &mut server, &mut recorded)?;
    recorded.key_log = lines
        .0
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    Ok(recorded)
}

/// Moves every pending byte client → server, then server → client.
fn pump(
    client: &mut ClientConnection,
    server: &mut ServerConnection,
    recorded: &mut Recorded,
) -> io::Result<()> {
    let start = recorded.to_server.len();
    while client.wants_write() {
        client.write_tls(&mut recorded.to_server)?;
    }
    let mut incoming = &recorded.to_server[start..];
    while !incoming.is_empty() {
        server.read_tls(&mut incoming)?;
        server.process_new_packets().map_err(failed)?;
    }
    let start = recorded.to_client.len();
    while server.wants_write() {
        server.write_tls(&mut recorded.to_client)?;
    }
    let mut incoming = &recorded.to_client[start..];
    while !incoming.is_empty() {
        client.read_tls(&mut incoming)?;
        client.process_new_packets().map_err(failed)?;
        match client.reader().read_to_end(&mut recorded.received) {
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}
