//! TLS records and handshake messages as bytes: framing, and the edits
//! misbehaviours make to plaintext hellos. Nothing here panics on
//! malformed input; edits of bytes the runner cannot parse are errors.

use std::fmt;

/// Bytes of a record header: type, version, length.
pub const HEADER_LEN: usize = 5;
/// Largest plaintext fragment of a record.
pub const MAX_FRAGMENT: usize = 16_384;

pub const CHANGE_CIPHER_SPEC: u8 = 20;
pub const ALERT: u8 = 21;
pub const HANDSHAKE: u8 = 22;
pub const APPLICATION_DATA: u8 = 23;

/// Handshake message types the runner looks at itself.
pub const CLIENT_HELLO: u8 = 1;
pub const SERVER_HELLO: u8 = 2;
pub const NEW_SESSION_TICKET: u8 = 4;
pub const KEY_UPDATE: u8 = 24;

/// One record as it is on the wire (its body possibly encrypted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub content_type: u8,
    pub version: u16,
    pub body: Vec<u8>,
}

impl Record {
    /// Header and body. Bodies longer than a record can carry are cut at
    /// 65,535 bytes (the runner never builds such records).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let body = &self.body[..self.body.len().min(usize::from(u16::MAX))];
        out.push(self.content_type);
        out.extend_from_slice(&self.version.to_be_bytes());
        out.extend_from_slice(&(body.len() as u16).to_be_bytes());
        out.extend_from_slice(body);
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.body.len());
        self.encode_into(&mut out);
        out
    }
}

/// A byte stream cut into records: bytes go in as they arrive, complete
/// records come out.
#[derive(Debug, Default)]
pub struct RecordBuffer {
    bytes: Vec<u8>,
}

impl RecordBuffer {
    pub fn extend(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    /// The first complete record, removed from the buffer.
    pub fn next_record(&mut self) -> Option<Record> {
        let header = self.bytes.get(..HEADER_LEN)?;
        let length = usize::from(u16::from_be_bytes([header[3], header[4]]));
        if self.bytes.len() < HEADER_LEN + length {
            return None;
        }
        let record = Record {
            content_type: header[0],
            version: u16::from_be_bytes([header[1], header[2]]),
            body: self.bytes[HEADER_LEN..HEADER_LEN + length].to_vec(),
        };
        self.bytes.drain(..HEADER_LEN + length);
        Some(record)
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Everything still buffered (an incomplete record), removed.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.bytes)
    }
}

/// One handshake message: type and body, without the 4-byte header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeMessage {
    pub message_type: u8,
    pub body: Vec<u8>,
}

impl HandshakeMessage {
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let length = self.body.len().min(0xff_ffff) as u32;
        out.push(self.message_type);
        out.extend_from_slice(&length.to_be_bytes()[1..]);
        out.extend_from_slice(&self.body[..length as usize]);
    }
}

/// The complete handshake messages at the front of `stream`, removed from
/// it; an incomplete last message stays.
pub fn take_handshake_messages(stream: &mut Vec<u8>) -> Vec<HandshakeMessage> {
    let mut messages = Vec::new();
    let mut offset = 0;
    while let Some(header) = stream.get(offset..offset + 4) {
        let length = u32::from_be_bytes([0, header[1], header[2], header[3]]) as usize;
        let Some(body) = stream.get(offset + 4..offset + 4 + length) else {
            break;
        };
        messages.push(HandshakeMessage {
            message_type: header[0],
            body: body.to_vec(),
        });
        offset += 4 + length;
    }
    stream.drain(..offset);
    messages
}

/// Why a hello could not be edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The message is not a ClientHello or ServerHello.
    NotAHello(u8),
    /// The hello ends early or its lengths disagree.
    Malformed { message: u8, at: &'static str },
    /// The hello has no such extension.
    ExtensionMissing { message: u8, extension: u16 },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::NotAHello(message) => write!(
                f,
                "extensions can only be duplicated in a ClientHello (1) or ServerHello (2), not in handshake message {message}"
            ),
            EditError::Malformed { message, at } => write!(
                f,
                "the runner's own {} is malformed at {at}",
                handshake_name(*message)
            ),
            EditError::ExtensionMissing { message, extension } => write!(
                f,
                "the runner's {} has no extension {extension} (0x{extension:04x}) to duplicate",
                handshake_name(*message)
            ),
        }
    }
}

/// A readable name for a handshake message type.
pub fn handshake_name(message: u8) -> String {
    let name = match message {
        0 => "HelloRequest",
        1 => "ClientHello",
        2 => "ServerHello",
        4 => "NewSessionTicket",
        5 => "EndOfEarlyData",
        8 => "EncryptedExtensions",
        11 => "Certificate",
        12 => "ServerKeyExchange",
        13 => "CertificateRequest",
        14 => "ServerHelloDone",
        15 => "CertificateVerify",
        16 => "ClientKeyExchange",
        20 => "Finished",
        24 => "KeyUpdate",
        _ => return format!("handshake message {message}"),
    };
    name.to_string()
}

/// `body` (of a ClientHello or ServerHello) with the first extension of
/// type `extension` repeated right after itself.
pub fn duplicate_extension(message: u8, body: &[u8], extension: u16) -> Result<Vec<u8>, EditError> {
    let start = extensions_offset(message, body)?;
    let malformed = |at| EditError::Malformed { message, at };
    let declared = body
        .get(start..start + 2)
        .map(|bytes| usize::from(u16::from_be_bytes([bytes[0], bytes[1]])))
        .ok_or(malformed("the extensions length"))?;
    let list_start = start + 2;
    if body.len() != list_start + declared {
        return Err(malformed("the extensions length"));
    }
    let mut offset = list_start;
    while offset < body.len() {
        let header = body
            .get(offset..offset + 4)
            .ok_or(malformed("an extension header"))?;
        let kind = u16::from_be_bytes([header[0], header[1]]);
        let length = usize::from(u16::from_be_bytes([header[2], header[3]]));
        let end = offset + 4 + length;
        if end > body.len() {
            return Err(malformed("an extension body"));
        }
        if kind == extension {
            let new_length = u16::try_from(declared + 4 + length)
                .map_err(|_| malformed("the extensions length (too long to duplicate)"))?;
            let mut edited = Vec::with_capacity(body.len() + 4 + length);
            edited.extend_from_slice(&body[..start]);
            edited.extend_from_slice(&new_length.to_be_bytes());
            edited.extend_from_slice(&body[list_start..end]);
            edited.extend_from_slice(&body[offset..end]);
            edited.extend_from_slice(&body[end..]);
            return Ok(edited);
        }
        offset = end;
    }
    Err(EditError::ExtensionMissing { message, extension })
}

/// Where the extensions block of a hello starts.
fn extensions_offset(message: u8, body: &[u8]) -> Result<usize, EditError> {
    let malformed = |at| EditError::Malformed { message, at };
    // legacy_version and random
    let mut offset = 2 + 32;
    let session_id = *body.get(offset).ok_or(malformed("the session id"))?;
    offset += 1 + usize::from(session_id);
    match message {
        CLIENT_HELLO => {
            let suites = body
                .get(offset..offset + 2)
                .ok_or(malformed("the cipher suites"))?;
            offset += 2 + usize::from(u16::from_be_bytes([suites[0], suites[1]]));
            let compression = *body
                .get(offset)
                .ok_or(malformed("the compression methods"))?;
            offset += 1 + usize::from(compression);
        }
        SERVER_HELLO => {
            // cipher_suite and compression_method
            offset += 3;
        }
        other => return Err(EditError::NotAHello(other)),
    }
    if offset > body.len() {
        return Err(malformed("the fields before the extensions"));
    }
    Ok(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extension(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut bytes = kind.to_be_bytes().to_vec();
        bytes.extend_from_slice(&(data.len() as u16).to_be_bytes());
        bytes.extend_from_slice(data);
        bytes
    }

    fn client_hello(extensions: &[Vec<u8>]) -> Vec<u8> {
        let mut body = vec![3, 3];
        body.extend_from_slice(&[7; 32]);
        body.extend_from_slice(&[2, 0xaa, 0xbb]); // session id
        body.extend_from_slice(&[0, 4, 0x13, 0x01, 0x13, 0x02]); // suites
        body.extend_from_slice(&[1, 0]); // compression
        let list: Vec<u8> = extensions.concat();
        body.extend_from_slice(&(list.len() as u16).to_be_bytes());
        body.extend_from_slice(&list);
        body
    }

    fn server_hello(extensions: &[Vec<u8>]) -> Vec<u8> {
        let mut body = vec![3, 3];
        body.extend_from_slice(&[9; 32]);
        body.push(0); // session id
        body.extend_from_slice(&[0x13, 0x01, 0]);
        let list: Vec<u8> = extensions.concat();
        body.extend_from_slice(&(list.len() as u16).to_be_bytes());
        body.extend_from_slice(&list);
        body
    }

    #[test]
    fn records_come_out_whole_in_order() {
        let first = Record {
            content_type: HANDSHAKE,
            version: 0x0301,
            body: vec![1, 2, 3],
        };
        let second = Record {
            content_type: APPLICATION_DATA,
            version: 0x0303,
            body: vec![],
        };
        let mut wire = first.encode();
        wire.extend(second.encode());
        let mut buffer = RecordBuffer::default();
        buffer.extend(&wire[..4]);
        assert_eq!(buffer.next_record(), None);
        buffer.extend(&wire[4..7]);
        assert_eq!(buffer.next_record(), None);
        buffer.extend(&wire[7..]);
        assert_eq!(buffer.next_record(), Some(first));
        assert_eq!(buffer.next_record(), Some(second));
        assert_eq!(buffer.next_record(), None);
        assert!(buffer.is_empty());
    }

    #[test]
    fn handshake_messages_are_split_and_partial_ones_kept() {
        let mut stream = Vec::new();
        HandshakeMessage {
            message_type: 2,
            body: vec![5; 3],
        }
        .encode_into(&mut stream);
        HandshakeMessage {
            message_type: 14,
            body: vec![],
        }
        .encode_into(&mut stream);
        stream.extend_from_slice(&[11, 0, 0, 9, 1]);
        let messages = take_handshake_messages(&mut stream);
        assert_eq!(
            messages,
            [
                HandshakeMessage {
                    message_type: 2,
                    body: vec![5; 3]
                },
                HandshakeMessage {
                    message_type: 14,
                    body: vec![]
                }
            ]
        );
        assert_eq!(stream, [11, 0, 0, 9, 1]);
    }

    #[test]
    fn an_extension_is_duplicated_in_place() {
        let sni = extension(0, b"test");
        let alpn = extension(16, b"\x00\x03\x02h2");
        let body = client_hello(&[sni.clone(), alpn.clone()]);
        let edited = duplicate_extension(CLIENT_HELLO, &body, 0).unwrap();
        assert_eq!(edited, client_hello(&[sni.clone(), sni, alpn.clone()]));

        let body = server_hello(&[extension(43, &[3, 4]), alpn.clone()]);
        let edited = duplicate_extension(SERVER_HELLO, &body, 16).unwrap();
        assert_eq!(
            edited,
            server_hello(&[extension(43, &[3, 4]), alpn.clone(), alpn])
        );
    }

    #[test]
    fn hello_edits_fail_with_reasons() {
        let body = client_hello(&[extension(0, b"x")]);
        assert_eq!(
            duplicate_extension(CLIENT_HELLO, &body, 43),
            Err(EditError::ExtensionMissing {
                message: CLIENT_HELLO,
                extension: 43
            })
        );
        assert!(matches!(
            duplicate_extension(CLIENT_HELLO, &body[..50], 0),
            Err(EditError::Malformed { .. })
        ));
        assert!(matches!(
            duplicate_extension(CLIENT_HELLO, &[], 0),
            Err(EditError::Malformed { .. })
        ));
        assert_eq!(
            duplicate_extension(11, &body, 0),
            Err(EditError::NotAHello(11))
        );
        let message = duplicate_extension(SERVER_HELLO, &server_hello(&[]), 16)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("ServerHello has no extension 16"),
            "{message}"
        );
    }
}
