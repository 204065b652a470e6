//! One connection as the relay saw it: the cleartext hellos and alerts, and,
//! where a key log gives the secrets, what TLS 1.3 encrypts (the rest of the
//! handshake, tickets, KeyUpdates, alerts, application data).

use rustls::ContentType;
use rustls::ProtocolVersion;
use rustls::crypto::cipher::{InboundOpaqueMessage, MessageDecrypter};
use serde::Serialize;
use thiserror::Error;

use crate::key_schedule::{TrafficSecret, tls13_suite};
use crate::tls::matrix::Role;
use crate::tls::observe::capture::{CapturedRecord, DirectionCapture};
use crate::tls::observe::hello::{self, ClientHello, HelloRetry, ServerHello, ServerHelloMessage};
use crate::tls::observe::keylog::{self, KeyLog};
use crate::tls::observe::names;

const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;
const APPLICATION_DATA: u8 = 23;

const CLIENT_HELLO: u8 = 1;
const SERVER_HELLO: u8 = 2;
const NEW_SESSION_TICKET: u8 = 4;
const END_OF_EARLY_DATA: u8 = 5;
const ENCRYPTED_EXTENSIONS: u8 = 8;
const CERTIFICATE: u8 = 11;
const CERTIFICATE_REQUEST: u8 = 13;
const FINISHED: u8 = 20;
const KEY_UPDATE: u8 = 24;

const EARLY_DATA_EXTENSION: u16 = 42;

/// Both directions of one connection, as captured.
#[derive(Debug, Clone, Default)]
pub struct ConnectionCapture {
    pub to_server: DirectionCapture,
    pub to_client: DirectionCapture,
}

/// What the wire showed of one connection.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConnectionObservation {
    pub client_hello: Option<ClientHello>,
    pub hello_retry: Option<HelloRetry>,
    /// The ClientHello sent after a HelloRetryRequest.
    pub retried_client_hello: Option<ClientHello>,
    pub server_hello: Option<ServerHello>,
    /// Every alert seen, in the order each direction sent them.
    pub alerts: Vec<SeenAlert>,
    pub to_server: DirectionFigures,
    pub to_client: DirectionFigures,
    /// What decryption showed; `None`: cleartext only.
    pub decrypted: Option<Decrypted>,
    /// Why nothing was decrypted, when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleartext_only: Option<String>,
    /// Things on the wire that are not well-formed TLS.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeenAlert {
    /// `client` or `server`: who sent it.
    pub from: &'static str,
    pub level: &'static str,
    pub description: String,
    pub encrypted: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DirectionFigures {
    pub records: u64,
    pub bytes: u64,
    /// Bytes forwarded after the relay stopped looking (bulk transfer).
    pub unobserved_bytes: u64,
}

/// What the encrypted part of a TLS 1.3 connection showed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Decrypted {
    /// The sides whose key log held this connection's secrets.
    pub keys_from: Vec<&'static str>,
    /// EncryptedExtensions carried `early_data`.
    pub early_data_accepted: bool,
    /// Bytes of 0-RTT application data the client sent.
    pub early_data_bytes: u64,
    pub certificate_requested: bool,
    /// Certificates in the client's Certificate message, if it sent one.
    pub client_certificates: Option<usize>,
    pub server_finished: bool,
    pub client_finished: bool,
    pub tickets: u64,
    pub client_key_updates: u64,
    pub server_key_updates: u64,
    pub client_application_bytes: u64,
    pub server_application_bytes: u64,
    /// Records counted but not kept (large ones past the first 64 KiB).
    pub records_not_kept: u64,
    /// Records no known key opened.
    pub records_not_opened: u64,
}

impl ConnectionObservation {
    /// Whether the ServerHello selected a PSK (a resumed or PSK handshake).
    pub fn psk_selected(&self) -> bool {
        self.server_hello
            .as_ref()
            .is_some_and(|hello| hello.selected_psk.is_some())
    }

    /// The identity the ServerHello selected, as the ClientHello offered it.
    pub fn selected_identity(&self) -> Option<&str> {
        let index = usize::from(self.server_hello.as_ref()?.selected_psk?);
        let hello = self
            .retried_client_hello
            .as_ref()
            .or(self.client_hello.as_ref())?;
        hello.psk_identities.get(index).map(String::as_str)
    }

    /// The alerts `role` sent.
    pub fn alerts_from(&self, role: Role) -> impl Iterator<Item = &SeenAlert> {
        self.alerts
            .iter()
            .filter(move |alert| alert.from == role.as_str())
    }

    /// One line: version, suite, group, retry, PSK, what was decrypted.
    pub fn summary(&self) -> String {
        let Some(hello) = &self.server_hello else {
            return match &self.client_hello {
                Some(_) => "ClientHello, no ServerHello".to_string(),
                None => "no ClientHello".to_string(),
            };
        };
        let mut parts = vec![hello.version.clone(), hello.cipher_suite.clone()];
        if let Some(group) = &hello.group {
            parts.push(group.clone());
        }
        if let Some(retry) = &self.hello_retry {
            parts.push(format!(
                "HRR({})",
                retry.group.as_deref().unwrap_or("no group")
            ));
        }
        if let Some(identity) = self.selected_identity() {
            parts.push(format!("PSK {identity}"));
        }
        match &self.decrypted {
            Some(decrypted) => {
                if decrypted.early_data_accepted {
                    parts.push("0-RTT accepted".into());
                }
                let updates = decrypted.client_key_updates + decrypted.server_key_updates;
                if updates > 0 {
                    parts.push(format!("{updates} KeyUpdates"));
                }
            }
            None => parts.push("cleartext only".into()),
        }
        let alerts: Vec<String> = self
            .alerts
            .iter()
            .filter(|alert| alert.description != "close_notify")
            .map(|alert| format!("{} alert {}", alert.from, alert.description))
            .collect();
        parts.extend(alerts);
        parts.join(", ")
    }
}

/// Reads both directions, decrypting where `keys` allow.
pub fn observe(capture: &ConnectionCapture, keys: &KeyLog) -> ConnectionObservation {
    let mut observation = ConnectionObservation {
        to_server: figures(&capture.to_server),
        to_client: figures(&capture.to_client),
        ..Default::default()
    };
    for (role, direction) in [
        (Role::Client, &capture.to_server),
        (Role::Server, &capture.to_client),
    ] {
        if let Some(sample) = &direction.not_tls {
            observation.problems.push(format!(
                "the {} sent bytes that are not TLS records: {sample:02x?}",
                role.as_str()
            ));
        }
        if direction.truncated_bytes > 0 {
            observation.problems.push(format!(
                "the {}'s stream ended inside a record ({} bytes of it)",
                role.as_str(),
                direction.truncated_bytes
            ));
        }
    }
    read_cleartext(&mut observation, capture);
    observation.cleartext_only = match decrypt(&mut observation, capture, keys) {
        Ok(decrypted) => {
            observation.decrypted = Some(decrypted);
            None
        }
        Err(why) => Some(why.to_string()),
    };
    observation
}

fn figures(direction: &DirectionCapture) -> DirectionFigures {
    DirectionFigures {
        records: direction.record_count,
        bytes: direction.bytes,
        unobserved_bytes: direction.unobserved_bytes,
    }
}

/// The handshake messages of a stream of handshake-record bodies.
#[derive(Default)]
struct Messages {
    pending: Vec<u8>,
}

impl Messages {
    fn push(&mut self, fragment: &[u8]) -> Vec<(u8, Vec<u8>)> {
        self.pending.extend_from_slice(fragment);
        let mut messages = Vec::new();
        let mut offset = 0;
        while let Some(header) = self.pending.get(offset..offset + 4) {
            let length = u32::from_be_bytes([0, header[1], header[2], header[3]]) as usize;
            let message_type = header[0];
            let Some(body) = self.pending.get(offset + 4..offset + 4 + length) else {
                break;
            };
            messages.push((message_type, body.to_vec()));
            offset += 4 + length;
        }
        self.pending.drain(..offset);
        messages
    }
}

fn alert(from: Role, body: &[u8], encrypted: bool) -> Option<SeenAlert> {
    let [level, description] = body.get(..2)?.try_into().ok()?;
    Some(SeenAlert {
        from: from.as_str(),
        level: if level == 1 { "warning" } else { "fatal" },
        description: names::alert(description),
        encrypted,
    })
}

fn read_cleartext(observation: &mut ConnectionObservation, capture: &ConnectionCapture) {
    cleartext(
        observation,
        &capture.to_server,
        Role::Client,
        |observation, message_type, body| {
            if message_type != CLIENT_HELLO {
                return;
            }
            match hello::parse_client_hello(body) {
                Ok(hello) if observation.client_hello.is_none() => {
                    observation.client_hello = Some(hello);
                }
                Ok(hello) => observation.retried_client_hello = Some(hello),
                Err(why) => observation.problems.push(why.to_string()),
            }
        },
    );
    cleartext(
        observation,
        &capture.to_client,
        Role::Server,
        |observation, message_type, body| {
            if message_type != SERVER_HELLO {
                return;
            }
            match hello::parse_server_hello(body) {
                Ok(ServerHelloMessage::Retry(retry)) => observation.hello_retry = Some(retry),
                Ok(ServerHelloMessage::Hello(hello)) => observation.server_hello = Some(hello),
                Err(why) => observation.problems.push(why.to_string()),
            }
        },
    );
}

/// One direction's cleartext records: alerts are recorded as `sender`'s,
/// handshake messages go to `each`.
fn cleartext(
    observation: &mut ConnectionObservation,
    direction: &DirectionCapture,
    sender: Role,
    mut each: impl FnMut(&mut ConnectionObservation, u8, &[u8]),
) {
    let mut messages = Messages::default();
    for record in kept(direction) {
        let body = record.body.as_deref().unwrap_or(&[]);
        match record.content_type {
            HANDSHAKE => {
                for (message_type, message) in messages.push(body) {
                    each(observation, message_type, &message);
                }
            }
            ALERT => observation.alerts.extend(alert(sender, body, false)),
            _ => {}
        }
    }
}

fn kept(direction: &DirectionCapture) -> impl Iterator<Item = &CapturedRecord> {
    direction
        .records
        .iter()
        .filter(|record| record.body.is_some())
}

/// The encrypted records of one direction, opened with a chain of secrets.
struct Opener {
    suite: &'static rustls::Tls13CipherSuite,
    /// The secrets still to come, in order (early, handshake, application).
    upcoming: Vec<Vec<u8>>,
    current: Option<(TrafficSecret, Box<dyn MessageDecrypter>)>,
    sequence: u64,
}

impl Opener {
    fn new(suite: &'static rustls::Tls13CipherSuite, secrets: Vec<Vec<u8>>) -> Self {
        let mut opener = Opener {
            suite,
            upcoming: secrets.into_iter().rev().collect(),
            current: None,
            sequence: 0,
        };
        opener.advance();
        opener
    }

    /// Moves to the next secret of the chain.
    fn advance(&mut self) -> bool {
        let Some(next) = self.upcoming.pop() else {
            return false;
        };
        self.install(TrafficSecret::new(self.suite, &next).ok());
        true
    }

    /// Moves to the secret after a KeyUpdate.
    fn update(&mut self) {
        let next = self.current.as_ref().map(|(secret, _)| secret.next());
        self.install(next);
    }

    fn install(&mut self, secret: Option<TrafficSecret>) {
        self.current = secret.map(|secret| {
            let decrypter = secret.decrypter();
            (secret, decrypter)
        });
        self.sequence = 0;
    }

    fn open(&mut self, body: &[u8]) -> Option<(u8, Vec<u8>)> {
        let (_, decrypter) = self.current.as_mut()?;
        let mut body = body.to_vec();
        let message = InboundOpaqueMessage::new(
            ContentType::ApplicationData,
            ProtocolVersion::TLSv1_2,
            &mut body,
        );
        let plain = decrypter.decrypt(message, self.sequence).ok()?;
        self.sequence += 1;
        Some((u8::from(plain.typ), plain.payload.to_vec()))
    }
}

/// Why a connection's encrypted records were not decrypted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
enum NotDecrypted {
    #[error("no handshake to decrypt")]
    NoHandshake,
    #[error("{version} records are not decrypted")]
    Version { version: String },
    #[error("neither side wrote a key log for this connection")]
    NoKeyLog,
    #[error("{cipher_suite} cannot be decrypted")]
    CipherSuite { cipher_suite: String },
    #[error("the key log lacks this connection's handshake secrets")]
    NoHandshakeSecrets,
}

fn decrypt(
    observation: &mut ConnectionObservation,
    capture: &ConnectionCapture,
    keys: &KeyLog,
) -> Result<Decrypted, NotDecrypted> {
    let (Some(client_hello), Some(server_hello)) =
        (&observation.client_hello, &observation.server_hello)
    else {
        return Err(NotDecrypted::NoHandshake);
    };
    if server_hello.version != "TLS 1.3" {
        return Err(NotDecrypted::Version {
            version: server_hello.version.clone(),
        });
    }
    let random = client_hello.random;
    let logged_by = keys.logged_by(&random);
    if logged_by.is_empty() {
        return Err(NotDecrypted::NoKeyLog);
    }
    let suite =
        tls13_suite(server_hello.cipher_suite_code).ok_or_else(|| NotDecrypted::CipherSuite {
            cipher_suite: server_hello.cipher_suite.clone(),
        })?;
    let secret = |label: &str| keys.secret(label, &random).map(<[u8]>::to_vec);
    let (Some(server_handshake), Some(client_handshake)) = (
        secret(keylog::SERVER_HANDSHAKE),
        secret(keylog::CLIENT_HANDSHAKE),
    ) else {
        return Err(NotDecrypted::NoHandshakeSecrets);
    };
    let mut decrypted = Decrypted {
        keys_from: logged_by.iter().map(|role| role.as_str()).collect(),
        ..Default::default()
    };

    let server_secrets = [Some(server_handshake), secret(keylog::SERVER_APPLICATION)];
    let mut server = Opener::new(suite, server_secrets.into_iter().flatten().collect());
    let mut messages = Messages::default();
    walk(
        &capture.to_client,
        &mut server,
        &mut decrypted,
        |decrypted, opener, content_type, plain| match content_type {
            HANDSHAKE => {
                for (message_type, body) in messages.push(&plain) {
                    match message_type {
                        ENCRYPTED_EXTENSIONS => {
                            decrypted.early_data_accepted =
                                has_extension(&body, EARLY_DATA_EXTENSION);
                        }
                        CERTIFICATE_REQUEST => decrypted.certificate_requested = true,
                        FINISHED => {
                            decrypted.server_finished = true;
                            opener.advance();
                        }
                        NEW_SESSION_TICKET => decrypted.tickets += 1,
                        KEY_UPDATE => {
                            decrypted.server_key_updates += 1;
                            opener.update();
                        }
                        _ => {}
                    }
                }
                None
            }
            ALERT => alert(Role::Server, &plain, true),
            APPLICATION_DATA => {
                decrypted.server_application_bytes += plain.len() as u64;
                None
            }
            _ => None,
        },
        &mut observation.alerts,
    );

    let early = (client_hello.early_data && decrypted.early_data_accepted)
        .then(|| secret(keylog::CLIENT_EARLY))
        .flatten();
    let in_early_data = early.is_some();
    let client_secrets = [
        early,
        Some(client_handshake),
        secret(keylog::CLIENT_APPLICATION),
    ];
    let mut client = Opener::new(suite, client_secrets.into_iter().flatten().collect());
    let mut messages = Messages::default();
    let mut early_phase = in_early_data;
    walk(
        &capture.to_server,
        &mut client,
        &mut decrypted,
        |decrypted, opener, content_type, plain| match content_type {
            HANDSHAKE => {
                for (message_type, body) in messages.push(&plain) {
                    match message_type {
                        END_OF_EARLY_DATA => {
                            early_phase = false;
                            opener.advance();
                        }
                        CERTIFICATE => {
                            decrypted.client_certificates = Some(certificate_count(&body));
                        }
                        FINISHED => {
                            decrypted.client_finished = true;
                            opener.advance();
                        }
                        KEY_UPDATE => {
                            decrypted.client_key_updates += 1;
                            opener.update();
                        }
                        _ => {}
                    }
                }
                None
            }
            ALERT => alert(Role::Client, &plain, true),
            APPLICATION_DATA if early_phase => {
                decrypted.early_data_bytes += plain.len() as u64;
                None
            }
            APPLICATION_DATA => {
                decrypted.client_application_bytes += plain.len() as u64;
                None
            }
            _ => None,
        },
        &mut observation.alerts,
    );
    Ok(decrypted)
}

/// Opens every encrypted record of a direction in order, handing each
/// plaintext to `each`; an alert it returns is recorded.
fn walk(
    direction: &DirectionCapture,
    opener: &mut Opener,
    decrypted: &mut Decrypted,
    mut each: impl FnMut(&mut Decrypted, &mut Opener, u8, Vec<u8>) -> Option<SeenAlert>,
    alerts: &mut Vec<SeenAlert>,
) {
    let mut next_index = 0;
    for record in &direction.records {
        // Records between the kept ones were large application data: they
        // used up sequence numbers under the current key.
        let skipped = record.index.saturating_sub(next_index);
        decrypted.records_not_kept += skipped;
        opener.sequence += skipped;
        next_index = record.index + 1;
        if record.content_type != APPLICATION_DATA {
            continue;
        }
        let Some(body) = &record.body else { continue };
        match opener.open(body) {
            Some((content_type, plain)) => {
                alerts.extend(each(decrypted, opener, content_type, plain));
            }
            None => decrypted.records_not_opened += 1,
        }
    }
    decrypted.records_not_kept += direction.record_count.saturating_sub(next_index);
}

/// Whether an EncryptedExtensions body lists `extension`.
fn has_extension(body: &[u8], extension: u16) -> bool {
    let Some(list) = body.get(2..) else {
        return false;
    };
    let mut offset = 0;
    while let Some(header) = list.get(offset..offset + 4) {
        if u16::from_be_bytes([header[0], header[1]]) == extension {
            return true;
        }
        offset += 4 + usize::from(u16::from_be_bytes([header[2], header[3]]));
    }
    false
}

/// Entries in a TLS 1.3 Certificate message.
fn certificate_count(body: &[u8]) -> usize {
    let Some(&context_len) = body.first() else {
        return 0;
    };
    let mut offset = 1 + usize::from(context_len) + 3;
    let mut count = 0;
    while let Some(header) = body.get(offset..offset + 3) {
        let length = u32::from_be_bytes([0, header[0], header[1], header[2]]) as usize;
        offset += 3 + length;
        let Some(extensions) = body.get(offset..offset + 2) else {
            break;
        };
        offset += 2 + usize::from(u16::from_be_bytes([extensions[0], extensions[1]]));
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use crosscheck_tls_exchange::Kind;

    use super::*;
    use crate::tls::observe::capture::{Depth, DirectionTap};

    /// A real rustls exchange in memory: handshake, `request` bytes from
    /// the client, `response` bytes and a KeyUpdate from the server, then
    /// close_notify both ways. Returns what a relay would have captured and
    /// the key log.
    fn exchange(request: usize, response: usize) -> (ConnectionCapture, String) {
        let recorded =
            crosscheck_tls_exchange::record(Kind::Tls13, &vec![1; request], &vec![2; response])
                .unwrap();
        assert_eq!(recorded.received.len(), response + "after the update".len());
        let capture = |bytes: &[u8]| {
            let mut tap = DirectionTap::new(Depth::Everything);
            tap.feed(bytes);
            tap.finish()
        };
        (
            ConnectionCapture {
                to_server: capture(&recorded.to_server),
                to_client: capture(&recorded.to_client),
            },
            recorded.key_log,
        )
    }

    #[test]
    fn a_key_log_opens_the_handshake_tickets_key_updates_and_alerts() {
        let (capture, lines) = exchange(100, 40_000);
        let mut keys = KeyLog::default();
        keys.add(Role::Client, "client.keys", &lines);
        let observation = observe(&capture, &keys);
        assert!(
            observation.problems.is_empty(),
            "{:?}",
            observation.problems
        );
        let hello = observation.server_hello.as_ref().unwrap();
        assert_eq!(hello.version, "TLS 1.3");
        assert!(
            observation
                .client_hello
                .as_ref()
                .unwrap()
                .server_name
                .is_some()
        );
        let decrypted = observation.decrypted.as_ref().unwrap();
        assert!(decrypted.server_finished && decrypted.client_finished);
        assert!(decrypted.tickets > 0, "rustls sends tickets");
        assert_eq!(decrypted.server_key_updates, 1);
        assert_eq!(decrypted.client_application_bytes, 100);
        assert_eq!(decrypted.server_application_bytes, 40_016);
        assert_eq!(decrypted.records_not_opened, 0);
        let alerts: Vec<(&str, &str, bool)> = observation
            .alerts
            .iter()
            .map(|alert| (alert.from, alert.description.as_str(), alert.encrypted))
            .collect();
        assert!(
            alerts.contains(&("client", "close_notify", true)),
            "{alerts:?}"
        );
        assert!(
            alerts.contains(&("server", "close_notify", true)),
            "{alerts:?}"
        );
    }

    #[test]
    fn without_a_key_log_it_says_cleartext_only() {
        let (capture, _) = exchange(10, 10);
        let observation = observe(&capture, &KeyLog::default());
        assert!(observation.decrypted.is_none());
        assert_eq!(
            observation.cleartext_only.as_deref(),
            Some("neither side wrote a key log for this connection")
        );
        assert!(observation.summary().ends_with("cleartext only"));
    }

    #[test]
    fn a_wrong_key_log_opens_nothing_and_says_so() {
        let (capture, lines) = exchange(10, 10);
        // The same connection's log with every secret's first byte changed.
        let wrong: String = lines
            .lines()
            .map(|line| {
                let mut words: Vec<String> = line.split(' ').map(String::from).collect();
                let secret = words.last_mut().unwrap();
                let first = if secret.starts_with('0') { "1" } else { "0" };
                secret.replace_range(..1, first);
                words.join(" ") + "\n"
            })
            .collect();
        let mut keys = KeyLog::default();
        keys.add(Role::Server, "server.keys", &wrong);
        let decrypted = observe(&capture, &keys).decrypted.unwrap();
        assert!(!decrypted.server_finished && !decrypted.client_finished);
        assert!(decrypted.records_not_opened > 0, "{decrypted:?}");
    }
}
