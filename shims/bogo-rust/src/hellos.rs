//! A passive look at the plaintext start of each direction of a TLS
//! connection: what the ClientHello offered, what the ServerHello chose,
//! whether a HelloRetryRequest came first, and whether the server answered
//! with an alert instead. The driver uses it to tell a library's own
//! failure from a test that needs something the library lacks, whatever the
//! library reports.

use crate::config::{TLS_VERSIONS, TLS1_3};

/// The ServerHello.random that marks a HelloRetryRequest (RFC 8446, 4.1.3).
pub const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Record content types.
pub const CHANGE_CIPHER_SPEC: u8 = 20;
pub const ALERT: u8 = 21;
pub const HANDSHAKE: u8 = 22;
/// Handshake message types.
pub const CLIENT_HELLO: u8 = 1;
pub const SERVER_HELLO: u8 = 2;
pub const NEW_SESSION_TICKET: u8 = 4;
/// The supported_versions extension (RFC 8446, 4.2.1).
const SUPPORTED_VERSIONS: u16 = 43;

/// Reassembles the plaintext handshake messages at the start of one
/// direction, until the first record that is neither handshake nor
/// ChangeCipherSpec (or until told to stop).
#[derive(Debug, Default)]
struct Flight {
    records: Vec<u8>,
    messages: Vec<u8>,
    done: bool,
    /// The first record that ended the plaintext flight: its content type
    /// and, for an alert, its description.
    stopper: Option<(u8, Option<u8>)>,
    /// Whether any handshake record arrived.
    handshake_seen: bool,
    /// Whether a ChangeCipherSpec arrived: in TLS 1.2, what follows it is
    /// encrypted.
    change_cipher_spec_seen: bool,
}

/// A handshake message (with its 4-byte header) and whether a
/// ChangeCipherSpec came before it.
struct Message {
    bytes: Vec<u8>,
    after_change_cipher_spec: bool,
}

impl Flight {
    /// Feeds bytes in order; returns the handshake messages completed.
    fn observe(&mut self, data: &[u8]) -> Vec<Message> {
        let mut complete = Vec::new();
        if self.done {
            return complete;
        }
        self.records.extend_from_slice(data);
        while !self.done && self.records.len() >= 5 {
            let content_type = self.records[0];
            let length = usize::from(u16::from_be_bytes([self.records[3], self.records[4]]));
            if self.records.len() < 5 + length {
                break;
            }
            let body: Vec<u8> = self.records.drain(..5 + length).skip(5).collect();
            match content_type {
                HANDSHAKE => {
                    self.handshake_seen = true;
                    self.messages.extend_from_slice(&body);
                    let after_change_cipher_spec = self.change_cipher_spec_seen;
                    complete.extend(self.take_messages().into_iter().map(|bytes| Message {
                        bytes,
                        after_change_cipher_spec,
                    }));
                }
                CHANGE_CIPHER_SPEC => self.change_cipher_spec_seen = true,
                other => {
                    let description = (other == ALERT).then(|| body.get(1).copied()).flatten();
                    self.stopper = Some((other, description));
                    self.stop();
                }
            }
        }
        complete
    }

    fn take_messages(&mut self) -> Vec<Vec<u8>> {
        let mut complete = Vec::new();
        while self.messages.len() >= 4 {
            let length = (usize::from(self.messages[1]) << 16)
                | (usize::from(self.messages[2]) << 8)
                | usize::from(self.messages[3]);
            if self.messages.len() < 4 + length {
                break;
            }
            complete.push(self.messages.drain(..4 + length).collect());
        }
        complete
    }

    fn stop(&mut self) {
        self.done = true;
        self.records = Vec::new();
        self.messages = Vec::new();
    }
}

/// A cursor over a handshake message body.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> Option<&'a [u8]> {
        if self.0.len() < count {
            return None;
        }
        let (head, tail) = self.0.split_at(count);
        self.0 = tail;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|bytes| bytes[0])
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2)
            .map(|bytes| u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    fn vector8(&mut self) -> Option<&'a [u8]> {
        let length = self.u8()?;
        self.take(usize::from(length))
    }

    fn vector16(&mut self) -> Option<&'a [u8]> {
        let length = self.u16()?;
        self.take(usize::from(length))
    }
}

/// The extensions block as (type, body) pairs; `None` if it does not parse.
fn extensions(block: &[u8]) -> Option<Vec<(u16, &[u8])>> {
    let mut reader = Reader(block);
    let mut list = Vec::new();
    while !reader.0.is_empty() {
        let kind = reader.u16()?;
        let body = reader.vector16()?;
        list.push((kind, body));
    }
    Some(list)
}

/// What a ClientHello offered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientOffer {
    /// The TLS versions: the supported_versions list when present, else
    /// every version from TLS 1.0 up to legacy_version. Unknown values
    /// (GREASE, DTLS) are left out.
    pub versions: Vec<u16>,
    /// The cipher suites, in the client's order.
    pub cipher_suites: Vec<u16>,
}

/// Parses a ClientHello message (with its 4-byte header).
pub fn client_offer(message: &[u8]) -> Option<ClientOffer> {
    let mut reader = Reader(message.get(4..)?);
    let legacy_version = reader.u16()?;
    reader.take(32)?;
    reader.vector8()?;
    let mut suites = Reader(reader.vector16()?);
    let mut cipher_suites = Vec::new();
    while let Some(suite) = suites.u16() {
        cipher_suites.push(suite);
    }
    reader.vector8()?;
    let listed = if reader.0.is_empty() {
        None
    } else {
        let block = reader.vector16()?;
        extensions(block)?
            .into_iter()
            .find(|(kind, _)| *kind == SUPPORTED_VERSIONS)
            .map(|(_, body)| {
                let mut list = Reader(body);
                let mut versions = Vec::new();
                if let Some(mut inner) = list.vector8().map(Reader) {
                    while let Some(version) = inner.u16() {
                        versions.push(version);
                    }
                }
                versions
            })
    };
    let versions = match listed {
        Some(listed) => listed
            .into_iter()
            .filter(|version| TLS_VERSIONS.contains(version))
            .collect(),
        None => TLS_VERSIONS
            .iter()
            .copied()
            .filter(|version| *version <= legacy_version)
            .collect(),
    };
    Some(ClientOffer {
        versions,
        cipher_suites,
    })
}

/// What a ServerHello chose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServerChoice {
    /// The supported_versions extension when present, else legacy_version.
    pub version: u16,
    pub cipher_suite: u16,
}

/// Parses a ServerHello message (with its 4-byte header).
pub fn server_choice(message: &[u8]) -> Option<ServerChoice> {
    let mut reader = Reader(message.get(4..)?);
    let legacy_version = reader.u16()?;
    reader.take(32)?;
    reader.vector8()?;
    let cipher_suite = reader.u16()?;
    reader.u8()?;
    let mut version = legacy_version;
    if !reader.0.is_empty() {
        let block = reader.vector16()?;
        if let Some(selected) = extensions(block)?
            .into_iter()
            .find(|(kind, _)| *kind == SUPPORTED_VERSIONS)
            .and_then(|(_, body)| Reader(body).u16())
        {
            version = selected;
        }
    }
    Some(ServerChoice {
        version,
        cipher_suite,
    })
}

fn is_hello_retry_request(message: &[u8]) -> bool {
    // type(1) length(3) legacy_version(2) random(32)
    message.len() >= 38 && message[6..38] == HRR_RANDOM
}

/// Watches the client's plaintext records for its first ClientHello.
#[derive(Debug, Default)]
pub struct ClientHelloWatch {
    flight: Flight,
    offer: Option<ClientOffer>,
}

impl ClientHelloWatch {
    /// Feeds bytes the client sent, in order.
    pub fn observe(&mut self, data: &[u8]) {
        for Message { bytes, .. } in self.flight.observe(data) {
            if bytes[0] == CLIENT_HELLO && self.offer.is_none() {
                self.offer = client_offer(&bytes);
                self.flight.stop();
            }
        }
    }

    /// What the first ClientHello offered, if one was seen and parsed.
    pub fn offer(&self) -> Option<&ClientOffer> {
        self.offer.as_ref()
    }
}

/// Watches the server's plaintext records until its real ServerHello, and
/// in TLS 1.2 on to its ChangeCipherSpec (for a NewSessionTicket).
#[derive(Debug, Default)]
pub struct ServerHelloWatch {
    flight: Flight,
    hello_retry_request: bool,
    choice: Option<ServerChoice>,
    new_session_ticket: bool,
}

impl ServerHelloWatch {
    /// Feeds bytes the server sent, in order.
    pub fn observe(&mut self, data: &[u8]) {
        for message in self.flight.observe(data) {
            let bytes = &message.bytes;
            match self.choice {
                None if bytes[0] == SERVER_HELLO && is_hello_retry_request(bytes) => {
                    self.hello_retry_request = true;
                }
                None if bytes[0] == SERVER_HELLO => {
                    self.choice = server_choice(bytes);
                    let tls12 = self.choice.is_some_and(|choice| choice.version < TLS1_3);
                    if !tls12 {
                        // Everything after a TLS 1.3 ServerHello is encrypted.
                        self.flight.stop();
                    }
                }
                Some(_) if message.after_change_cipher_spec => self.flight.stop(),
                Some(_) if bytes[0] == NEW_SESSION_TICKET => self.new_session_ticket = true,
                _ => {}
            }
        }
    }

    /// Whether a TLS 1.2 server sent a NewSessionTicket in this handshake.
    pub fn saw_new_session_ticket(&self) -> bool {
        self.new_session_ticket
    }

    /// Whether the server sent a HelloRetryRequest.
    pub fn saw_hello_retry_request(&self) -> bool {
        self.hello_retry_request
    }

    /// What the ServerHello chose, once it arrived.
    pub fn choice(&self) -> Option<ServerChoice> {
        self.choice
    }

    /// The alert description, when the server's first record was an alert.
    pub fn alert_before_hello(&self) -> Option<u8> {
        match self.flight.stopper {
            Some((ALERT, description)) if !self.flight.handshake_seen => description,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{TLS1_0, TLS1_1, TLS1_2, TLS1_3};

    fn record(content_type: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![content_type, 3, 3];
        out.extend_from_slice(&u16::try_from(body.len()).expect("short").to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    fn message(kind: u8, body: &[u8]) -> Vec<u8> {
        let length = u32::try_from(body.len()).expect("short").to_be_bytes();
        let mut out = vec![kind, length[1], length[2], length[3]];
        out.extend_from_slice(body);
        out
    }

    fn with_extensions(mut body: Vec<u8>, extensions: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let mut block = Vec::new();
        for (kind, data) in extensions {
            block.extend_from_slice(&kind.to_be_bytes());
            block.extend_from_slice(&u16::try_from(data.len()).expect("short").to_be_bytes());
            block.extend_from_slice(data);
        }
        body.extend_from_slice(&u16::try_from(block.len()).expect("short").to_be_bytes());
        body.extend_from_slice(&block);
        body
    }

    fn server_hello(random: &[u8; 32], extensions: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let mut body = vec![3, 3];
        body.extend_from_slice(random);
        body.extend_from_slice(&[0, 0x13, 0x01, 0]);
        message(SERVER_HELLO, &with_extensions(body, extensions))
    }

    fn client_hello(legacy: u16, extensions: Option<&[(u16, Vec<u8>)]>) -> Vec<u8> {
        let mut body = legacy.to_be_bytes().to_vec();
        body.extend_from_slice(&[9; 32]);
        body.extend_from_slice(&[0, 0, 2, 0x13, 0x01, 1, 0]);
        let body = match extensions {
            Some(extensions) => with_extensions(body, extensions),
            None => body,
        };
        message(CLIENT_HELLO, &body)
    }

    #[test]
    fn sees_a_fragmented_hello_retry_request() {
        let hrr = server_hello(&HRR_RANDOM, &[]);
        let mut wire = record(HANDSHAKE, &hrr[..10]);
        wire.extend(record(HANDSHAKE, &hrr[10..]));
        wire.extend(record(CHANGE_CIPHER_SPEC, &[1]));
        let tls13 = (SUPPORTED_VERSIONS, TLS1_3.to_be_bytes().to_vec());
        wire.extend(record(HANDSHAKE, &server_hello(&[7; 32], &[tls13])));
        let mut watch = ServerHelloWatch::default();
        for chunk in wire.chunks(3) {
            watch.observe(chunk);
        }
        assert!(watch.saw_hello_retry_request());
        assert!(watch.flight.done);
        assert_eq!(watch.choice().map(|choice| choice.version), Some(TLS1_3));
    }

    #[test]
    fn a_tls12_server_is_watched_to_its_change_cipher_spec_for_a_ticket() {
        let mut wire = record(HANDSHAKE, &server_hello(&[7; 32], &[]));
        wire.extend(record(HANDSHAKE, &message(NEW_SESSION_TICKET, &[0; 6])));
        wire.extend(record(CHANGE_CIPHER_SPEC, &[1]));
        // The encrypted Finished, which may look like anything.
        wire.extend(record(HANDSHAKE, &message(NEW_SESSION_TICKET, &[1; 6])));
        let mut watch = ServerHelloWatch::default();
        watch.observe(&wire);
        assert_eq!(watch.choice().map(|choice| choice.version), Some(TLS1_2));
        assert!(watch.saw_new_session_ticket());
        assert!(watch.flight.done);

        let mut resumed = record(HANDSHAKE, &server_hello(&[7; 32], &[]));
        resumed.extend(record(CHANGE_CIPHER_SPEC, &[1]));
        resumed.extend(record(HANDSHAKE, &message(NEW_SESSION_TICKET, &[1; 6])));
        let mut watch = ServerHelloWatch::default();
        watch.observe(&resumed);
        assert!(!watch.saw_new_session_ticket());
    }

    #[test]
    fn the_retry_random_is_sha256_of_hello_retry_request() {
        // RFC 8446, 4.1.3.
        assert_eq!(HRR_RANDOM, openssl::sha::sha256(b"HelloRetryRequest"));
    }

    #[test]
    fn a_plain_server_hello_is_no_retry() {
        let mut watch = ServerHelloWatch::default();
        let versions = (SUPPORTED_VERSIONS, TLS1_3.to_be_bytes().to_vec());
        watch.observe(&record(HANDSHAKE, &server_hello(&[1; 32], &[versions])));
        // Encrypted records follow; they are not parsed.
        watch.observe(&record(23, &[2; 40]));
        assert!(!watch.saw_hello_retry_request());
        assert_eq!(
            watch.choice(),
            Some(ServerChoice {
                version: TLS1_3,
                cipher_suite: 0x1301
            })
        );
        assert_eq!(watch.alert_before_hello(), None);
    }

    #[test]
    fn stops_at_the_first_non_handshake_record() {
        let mut watch = ServerHelloWatch::default();
        watch.observe(&record(ALERT, &[2, 70]));
        watch.observe(&record(HANDSHAKE, &server_hello(&HRR_RANDOM, &[])));
        assert!(!watch.saw_hello_retry_request());
        assert_eq!(watch.alert_before_hello(), Some(70));
    }

    #[test]
    fn client_hello_versions_come_from_supported_versions() {
        let list = vec![4, 0x0a, 0x0a, 0x03, 0x04];
        let hello = client_hello(TLS1_2, Some(&[(SUPPORTED_VERSIONS, list)]));
        let mut watch = ClientHelloWatch::default();
        for chunk in record(HANDSHAKE, &hello).chunks(7) {
            watch.observe(chunk);
        }
        let offer = watch.offer().expect("parsed");
        assert_eq!(offer.versions, [TLS1_3]);
        assert_eq!(offer.cipher_suites, [0x1301]);
    }

    #[test]
    fn client_hello_versions_default_to_the_legacy_range() {
        let versions = |hello: &[u8]| client_offer(hello).map(|offer| offer.versions);
        assert_eq!(
            versions(&client_hello(TLS1_1, None)),
            Some(vec![TLS1_0, TLS1_1])
        );
        assert_eq!(
            versions(&client_hello(TLS1_0, Some(&[(0, vec![])]))),
            Some(vec![TLS1_0])
        );
        assert_eq!(versions(&[1, 0, 0, 1, 3]), None);
    }
}
