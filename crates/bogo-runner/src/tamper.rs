//! The runner's outgoing byte stream before it reaches the wire: rustls'
//! records in, possibly edited records out. Handles the misbehaviours that
//! change what rustls writes during the handshake; the post-handshake ones
//! live in [`super::protected`] and the raw-bytes one in the connection.

use crosscheck_model::bogo::{Misbehaviour, RecordAt};

use super::record::{
    CHANGE_CIPHER_SPEC, EditError, HANDSHAKE, HandshakeMessage, MAX_FRAGMENT, Record, RecordBuffer,
    duplicate_extension, take_handshake_messages,
};

/// Edits rustls' output for one connection.
#[derive(Debug)]
pub struct Tamper {
    misbehaviour: Option<Misbehaviour>,
    /// rustls' output not yet cut into records.
    pending: RecordBuffer,
    first_record_sent: bool,
    /// Until the runner sends ChangeCipherSpec, handshake records are
    /// plaintext (TLS 1.2); TLS 1.3's encrypted records are application
    /// data records anyway.
    plaintext: bool,
    /// Plaintext handshake bytes not yet forming a whole message.
    handshake: Vec<u8>,
    handshake_version: u16,
    applied: bool,
}

impl Tamper {
    pub fn new(misbehaviour: Option<Misbehaviour>) -> Tamper {
        Tamper {
            misbehaviour,
            pending: RecordBuffer::default(),
            first_record_sent: false,
            plaintext: true,
            handshake: Vec::new(),
            handshake_version: 0x0301,
            applied: false,
        }
    }

    /// Whether this tamperer is responsible for the misbehaviour at all.
    pub fn handles(misbehaviour: &Misbehaviour) -> bool {
        matches!(
            misbehaviour,
            Misbehaviour::FirstRecordVersion(_)
                | Misbehaviour::InvalidRecordType {
                    at: RecordAt::FirstRecord,
                    ..
                }
                | Misbehaviour::TrailingDataInHandshakeMessage { .. }
                | Misbehaviour::DuplicateExtension { .. }
        )
    }

    /// Whether its misbehaviour has been applied (false when it has none
    /// or handles none).
    pub fn applied(&self) -> bool {
        self.applied
    }

    /// The bytes to put on the wire for `output` (rustls' `write_tls`).
    pub fn outgoing(&mut self, output: &[u8]) -> Result<Vec<u8>, EditError> {
        self.pending.extend(output);
        let mut wire = Vec::with_capacity(output.len() + 64);
        while let Some(record) = self.pending.next_record() {
            if self.plaintext && record.content_type == HANDSHAKE && self.edits_messages() {
                self.handshake_version = record.version;
                self.handshake.extend_from_slice(&record.body);
                let messages = take_handshake_messages(&mut self.handshake);
                let mut stream = Vec::new();
                for message in messages {
                    self.edit(message)?.encode_into(&mut stream);
                }
                for chunk in stream.chunks(MAX_FRAGMENT) {
                    self.emit(
                        Record {
                            content_type: HANDSHAKE,
                            version: record.version,
                            body: chunk.to_vec(),
                        },
                        &mut wire,
                    );
                }
                continue;
            }
            if !self.handshake.is_empty() {
                let body = std::mem::take(&mut self.handshake);
                let version = self.handshake_version;
                for chunk in body.chunks(MAX_FRAGMENT) {
                    self.emit(
                        Record {
                            content_type: HANDSHAKE,
                            version,
                            body: chunk.to_vec(),
                        },
                        &mut wire,
                    );
                }
            }
            if record.content_type == CHANGE_CIPHER_SPEC {
                self.plaintext = false;
            }
            self.emit(record, &mut wire);
        }
        Ok(wire)
    }

    fn edits_messages(&self) -> bool {
        matches!(
            self.misbehaviour,
            Some(
                Misbehaviour::TrailingDataInHandshakeMessage { .. }
                    | Misbehaviour::DuplicateExtension { .. }
            )
        )
    }

    fn edit(&mut self, mut message: HandshakeMessage) -> Result<HandshakeMessage, EditError> {
        if self.applied {
            return Ok(message);
        }
        match self.misbehaviour.clone() {
            Some(Misbehaviour::TrailingDataInHandshakeMessage {
                message: target,
                bytes,
            }) if target == message.message_type => {
                message.body.extend_from_slice(&bytes);
                self.applied = true;
            }
            Some(Misbehaviour::DuplicateExtension {
                message: target,
                extension,
            }) if target == message.message_type => {
                message.body = duplicate_extension(target, &message.body, extension)?;
                self.applied = true;
            }
            _ => {}
        }
        Ok(message)
    }

    fn emit(&mut self, mut record: Record, wire: &mut Vec<u8>) {
        if !self.first_record_sent {
            self.first_record_sent = true;
            match self.misbehaviour.clone() {
                Some(Misbehaviour::FirstRecordVersion(version)) => {
                    record.version = version;
                    self.applied = true;
                }
                Some(Misbehaviour::InvalidRecordType {
                    content_type,
                    at: RecordAt::FirstRecord,
                }) => {
                    record.content_type = content_type;
                    self.applied = true;
                }
                _ => {}
            }
        }
        record.encode_into(wire);
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::super::record::{APPLICATION_DATA, CLIENT_HELLO, SERVER_HELLO};
    use super::*;

    fn record(content_type: u8, version: u16, body: &[u8]) -> Vec<u8> {
        Record {
            content_type,
            version,
            body: body.to_vec(),
        }
        .encode()
    }

    fn message(message_type: u8, body: &[u8]) -> Vec<u8> {
        let mut bytes = Vec::new();
        HandshakeMessage {
            message_type,
            body: body.to_vec(),
        }
        .encode_into(&mut bytes);
        bytes
    }

    fn hello(message_type: u8) -> Vec<u8> {
        let mut body = vec![3, 3];
        body.extend_from_slice(&[0; 32]);
        body.push(0);
        if message_type == CLIENT_HELLO {
            body.extend_from_slice(&[0, 2, 0x13, 0x01, 1, 0]);
        } else {
            body.extend_from_slice(&[0x13, 0x01, 0]);
        }
        body.extend_from_slice(&[0, 6, 0, 43, 0, 2, 3, 4]);
        body
    }

    #[test]
    fn without_a_misbehaviour_bytes_pass_unchanged() {
        let mut tamper = Tamper::new(None);
        let mut wire = record(HANDSHAKE, 0x0301, &message(CLIENT_HELLO, &hello(1)));
        wire.extend(record(APPLICATION_DATA, 0x0303, b"sealed"));
        assert_eq!(tamper.outgoing(&wire[..7]).unwrap(), b"");
        assert_eq!(tamper.outgoing(&wire[7..]).unwrap(), wire);
        assert!(!tamper.applied());
    }

    #[test]
    fn only_the_first_record_gets_a_new_version_or_type() {
        let first = record(HANDSHAKE, 0x0301, &message(CLIENT_HELLO, &hello(1)));
        let second = record(HANDSHAKE, 0x0303, &message(16, b"kx"));
        let mut tamper = Tamper::new(Some(Misbehaviour::FirstRecordVersion(0x0a0b)));
        let out = tamper
            .outgoing(&[first.clone(), second.clone()].concat())
            .unwrap();
        let mut expected = first.clone();
        expected[1..3].copy_from_slice(&[0x0a, 0x0b]);
        expected.extend_from_slice(&second);
        assert_eq!(out, expected);
        assert!(tamper.applied());

        let mut tamper = Tamper::new(Some(Misbehaviour::InvalidRecordType {
            content_type: 0x55,
            at: RecordAt::FirstRecord,
        }));
        let out = tamper.outgoing(&first).unwrap();
        assert_eq!(out[0], 0x55);
        assert_eq!(out[1..], first[1..]);
    }

    #[test]
    fn trailing_data_lands_in_the_first_message_of_its_type_even_when_coalesced() {
        let mut tamper = Tamper::new(Some(Misbehaviour::TrailingDataInHandshakeMessage {
            message: 14,
            bytes: Cow::Borrowed(b"\x01\x02"),
        }));
        // ServerHello and a split ServerHelloDone in one flight.
        let flight = [message(SERVER_HELLO, &hello(2)), message(14, b"")].concat();
        let (head, tail) = flight.split_at(flight.len() - 2);
        let mut input = record(HANDSHAKE, 0x0303, head);
        input.extend(record(HANDSHAKE, 0x0303, tail));
        input.extend(record(CHANGE_CIPHER_SPEC, 0x0303, &[1]));
        input.extend(record(HANDSHAKE, 0x0303, &message(14, b"")));
        let out = tamper.outgoing(&input).unwrap();

        let mut expected = record(HANDSHAKE, 0x0303, &message(SERVER_HELLO, &hello(2)));
        expected.extend(record(HANDSHAKE, 0x0303, &message(14, b"\x01\x02")));
        expected.extend(record(CHANGE_CIPHER_SPEC, 0x0303, &[1]));
        // After ChangeCipherSpec, records are left alone.
        expected.extend(record(HANDSHAKE, 0x0303, &message(14, b"")));
        assert_eq!(out, expected);
        assert!(tamper.applied());
    }

    #[test]
    fn duplicate_extension_edits_the_hello_or_reports_why_not() {
        let mut tamper = Tamper::new(Some(Misbehaviour::DuplicateExtension {
            message: SERVER_HELLO,
            extension: 43,
        }));
        let out = tamper
            .outgoing(&record(
                HANDSHAKE,
                0x0303,
                &message(SERVER_HELLO, &hello(2)),
            ))
            .unwrap();
        let mut buffer = RecordBuffer::default();
        buffer.extend(&out);
        let edited = buffer.next_record().unwrap();
        assert!(
            edited
                .body
                .ends_with(&[0, 12, 0, 43, 0, 2, 3, 4, 0, 43, 0, 2, 3, 4])
        );
        assert!(tamper.applied());

        let mut tamper = Tamper::new(Some(Misbehaviour::DuplicateExtension {
            message: CLIENT_HELLO,
            extension: 16,
        }));
        let error = tamper
            .outgoing(&record(
                HANDSHAKE,
                0x0301,
                &message(CLIENT_HELLO, &hello(1)),
            ))
            .unwrap_err();
        assert!(
            matches!(error, EditError::ExtensionMissing { .. }),
            "{error}"
        );
    }
}
