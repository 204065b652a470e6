//! The runner's own record protection after the handshake, for what
//! rustls would never do (alerts of its choosing, empty records, unknown
//! content types under encryption, KeyUpdates that request nothing).
//!
//! rustls finishes the handshake and hands over its traffic keys and
//! sequence numbers (`dangerous_extract_secrets`); from then on the runner
//! seals and opens records itself with the negotiated suite's AEAD, as
//! rustls' ring provider implements it (aws-lc-rs' TLS sealing keys insist
//! that sequence numbers start at zero, which a takeover cannot promise).
//! In TLS 1.3, given the traffic secrets the keys came from, it also moves
//! either direction to the next secret after a KeyUpdate.

use rustls::crypto::cipher::{
    AeadKey, InboundOpaqueMessage, Iv, MessageDecrypter, MessageEncrypter, OutboundPlainMessage,
};
use rustls::{
    CipherSuite, ConnectionTrafficSecrets, ContentType, ExtractedSecrets, ProtocolVersion,
    SupportedCipherSuite,
};
use thiserror::Error;

use super::record::{APPLICATION_DATA, Record};
use super::secret_log::TrafficSecrets;
use crosscheck_key_schedule::{SecretLength, TrafficSecret};

/// Why the runner cannot protect records itself.
#[derive(Debug, Error)]
pub enum Error {
    #[error("the runner cannot protect records itself with {0:?}")]
    Suite(CipherSuite),
    #[error("the runner cannot protect records itself with this AEAD")]
    Aead,
    #[error(transparent)]
    SecretLength(#[from] SecretLength),
    #[error("rustls' record keys do not come from the traffic secrets it logged")]
    KeysNotFromSecrets,
    #[error("extracted IVs of {iv_len} bytes do not fit suite {suite:?}")]
    IvLength { iv_len: usize, suite: CipherSuite },
    #[error("the runner knows no TLS 1.3 traffic secrets to update its keys with")]
    NotUpdatable,
    #[error("cannot seal a record: {0}")]
    Seal(#[source] rustls::Error),
}

/// Both directions of a connection's record protection.
pub struct Protected {
    tls13: bool,
    encrypter: Box<dyn MessageEncrypter>,
    write_seq: u64,
    decrypter: Box<dyn MessageDecrypter>,
    read_seq: u64,
    /// TLS 1.3: the secrets of the current keys, for KeyUpdates.
    secrets: Option<Secrets>,
}

struct Secrets {
    write: TrafficSecret,
    read: TrafficSecret,
}

impl std::fmt::Debug for Protected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Protected")
            .field("tls13", &self.tls13)
            .field("write_seq", &self.write_seq)
            .field("read_seq", &self.read_seq)
            .field("updatable", &self.secrets.is_some())
            .finish_non_exhaustive()
    }
}

impl Protected {
    /// Takes over from rustls with its extracted keys; in TLS 1.3 with
    /// `traffic`, the secrets they came from, KeyUpdates can follow
    /// (`traffic` is ignored in TLS 1.2).
    pub fn new(
        suite: SupportedCipherSuite,
        secrets: ExtractedSecrets,
        traffic: Option<&TrafficSecrets>,
    ) -> Result<Protected, Error> {
        let id = suite.suite();
        let suite = rustls::crypto::ring::ALL_CIPHER_SUITES
            .iter()
            .find(|candidate| candidate.suite() == id)
            .copied()
            .ok_or(Error::Suite(id))?;
        let (write_seq, tx) = secrets.tx;
        let (read_seq, rx) = secrets.rx;
        let (tx_key, tx_iv) = key_and_iv(tx)?;
        let (rx_key, rx_iv) = key_and_iv(rx)?;
        let mut updatable = None;
        let (tls13, encrypter, decrypter) = match suite {
            SupportedCipherSuite::Tls13(suite) => {
                if let Some(traffic) = traffic {
                    let write = TrafficSecret::new(suite, &traffic.write)?;
                    let read = TrafficSecret::new(suite, &traffic.read)?;
                    if !same_keys(&write, &tx_key, &tx_iv) || !same_keys(&read, &rx_key, &rx_iv) {
                        return Err(Error::KeysNotFromSecrets);
                    }
                    updatable = Some(Secrets { write, read });
                }
                (
                    true,
                    suite.aead_alg.encrypter(tx_key, Iv::copy(&tx_iv)),
                    suite.aead_alg.decrypter(rx_key, Iv::copy(&rx_iv)),
                )
            }
            SupportedCipherSuite::Tls12(suite) => {
                let shape = suite.aead_alg.key_block_shape();
                let fixed = shape.fixed_iv_len;
                let explicit = shape.explicit_nonce_len;
                if tx_iv.len() < fixed + explicit || rx_iv.len() < fixed {
                    return Err(Error::IvLength {
                        iv_len: tx_iv.len(),
                        suite: suite.common.suite,
                    });
                }
                (
                    false,
                    suite.aead_alg.encrypter(
                        tx_key,
                        &tx_iv[..fixed],
                        &tx_iv[fixed..fixed + explicit],
                    ),
                    suite.aead_alg.decrypter(rx_key, &rx_iv[..fixed]),
                )
            }
        };
        Ok(Protected {
            tls13,
            encrypter,
            write_seq,
            decrypter,
            read_seq,
            secrets: updatable,
        })
    }

    /// Seals from now on with the next TLS 1.3 traffic secret, as after
    /// sending a KeyUpdate.
    pub fn update_write_keys(&mut self) -> Result<(), Error> {
        let secrets = self.updatable()?;
        secrets.write = secrets.write.next();
        self.encrypter = secrets.write.encrypter();
        self.write_seq = 0;
        Ok(())
    }

    /// Opens from now on with the peer's next TLS 1.3 traffic secret, as
    /// after receiving a KeyUpdate.
    pub fn update_read_keys(&mut self) -> Result<(), Error> {
        let secrets = self.updatable()?;
        secrets.read = secrets.read.next();
        self.decrypter = secrets.read.decrypter();
        self.read_seq = 0;
        Ok(())
    }

    fn updatable(&mut self) -> Result<&mut Secrets, Error> {
        self.secrets.as_mut().ok_or(Error::NotUpdatable)
    }

    /// A protected record carrying `body` as content type `content_type`
    /// (in TLS 1.3 the inner type; the outer one is application data).
    pub fn seal(&mut self, content_type: u8, body: &[u8]) -> Result<Vec<u8>, Error> {
        let message = OutboundPlainMessage {
            typ: ContentType::from(content_type),
            version: ProtocolVersion::TLSv1_2,
            payload: body.into(),
        };
        let sealed = self
            .encrypter
            .encrypt(message, self.write_seq)
            .map_err(Error::Seal)?;
        self.write_seq += 1;
        Ok(sealed.encode())
    }

    /// The content type and plaintext of a record from the peer.
    pub fn open(&mut self, mut record: Record) -> Result<(u8, Vec<u8>), rustls::Error> {
        if !self.tls13 || record.content_type == APPLICATION_DATA {
            let message = InboundOpaqueMessage::new(
                ContentType::from(record.content_type),
                ProtocolVersion::from(record.version),
                &mut record.body,
            );
            let plain = self.decrypter.decrypt(message, self.read_seq)?;
            self.read_seq += 1;
            return Ok((u8::from(plain.typ), plain.payload.to_vec()));
        }
        // TLS 1.3 protects only application data records; anything else
        // (a plaintext alert from a peer that gave up early) is as is.
        Ok((record.content_type, record.body))
    }
}

/// Whether `secret` gives this key and IV.
fn same_keys(secret: &TrafficSecret, key: &AeadKey, iv: &[u8]) -> bool {
    secret.key().as_ref() == key.as_ref() && secret.iv().as_ref() == iv
}

fn key_and_iv(secrets: ConnectionTrafficSecrets) -> Result<(AeadKey, Vec<u8>), Error> {
    match secrets {
        ConnectionTrafficSecrets::Aes128Gcm { key, iv }
        | ConnectionTrafficSecrets::Aes256Gcm { key, iv }
        | ConnectionTrafficSecrets::Chacha20Poly1305 { key, iv } => Ok((key, iv.as_ref().to_vec())),
        _ => Err(Error::Aead),
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use std::io::{Read as _, Write as _};
    use std::sync::Arc;

    use rustls::Connection;

    use super::*;
    use crate::credentials::Credentials;
    use crate::key_updates;
    use crate::peer::PeerConfig;
    use crate::record::{ALERT, HANDSHAKE, RecordBuffer};
    use crate::secret_log::SecretLog;
    use crosscheck_model::Role;
    use crosscheck_model::bogo::{
        Case, Expect, KeyType, KeyUpdateRequest, Messages, Peer, Version,
    };

    const TLS13_SUITES: [&str; 3] = [
        "TLS13_AES_128_GCM_SHA256",
        "TLS13_AES_256_GCM_SHA384",
        "TLS13_CHACHA20_POLY1305_SHA256",
    ];

    fn case(shim_role: Role, version: Version, suite: &'static [&'static str]) -> Case {
        Case {
            name: "T".into(),
            group: "g".into(),
            shim_role,
            key_type: KeyType::EcdsaP256,
            flags: Cow::Borrowed(&[]),
            resume_count: 0,
            shim_writes_first: false,
            shim_shuts_down: false,
            messages: Messages::DEFAULT,
            peer: Peer {
                min_version: Some(version),
                max_version: Some(version),
                cipher_suites: suite.iter().map(|name| Cow::Borrowed(*name)).collect(),
                ..Peer::DEFAULT
            },
            expect: Expect::SUCCESS,
        }
    }

    fn transfer(from: &mut Connection, to: &mut Connection) {
        let mut bytes = Vec::new();
        while from.wants_write() {
            from.write_tls(&mut bytes).unwrap();
        }
        let mut unread = bytes.as_slice();
        while !unread.is_empty() {
            to.read_tls(&mut unread).unwrap();
        }
        to.process_new_packets().unwrap();
    }

    fn record(bytes: &[u8]) -> Record {
        records(bytes).remove(0)
    }

    fn records(bytes: &[u8]) -> Vec<Record> {
        let mut buffer = RecordBuffer::default();
        buffer.extend(bytes);
        std::iter::from_fn(|| buffer.next_record()).collect()
    }

    /// One side of a connection, handshake done.
    struct Side {
        connection: Connection,
        log: Arc<SecretLog>,
        role: Role,
    }

    impl Side {
        /// The runner's takeover of this side.
        fn take_over(self) -> Protected {
            let suite = self.connection.negotiated_cipher_suite().unwrap();
            let tls13 = matches!(suite, SupportedCipherSuite::Tls13(_));
            let traffic = tls13.then(|| self.log.secrets(self.role).unwrap());
            let extracted = self.connection.dangerous_extract_secrets().unwrap();
            Protected::new(suite, extracted, traffic.as_ref()).unwrap()
        }
    }

    /// A client and a server of the runner's configs after their handshake
    /// and some application data through rustls, so sequence numbers
    /// matter.
    fn connected(version: Version, suite: &'static str) -> (Side, Side) {
        let dir = tempfile::tempdir().unwrap();
        let credentials = Credentials::generate(dir.path()).unwrap();
        let suites: &'static [&'static str] = Box::leak(Box::new([suite]));
        let side = |shim_role: Role| {
            let config = PeerConfig::new(&case(shim_role, version, suites), &credentials).unwrap();
            let log = Arc::new(SecretLog::default());
            let connection = config.connect(log.clone(), false).unwrap();
            Side {
                connection,
                log,
                role: shim_role.peer(),
            }
        };
        let (mut client, mut server) = (side(Role::Server), side(Role::Client));
        assert_eq!((client.role, server.role), (Role::Client, Role::Server));
        while client.connection.is_handshaking()
            || server.connection.is_handshaking()
            || server.connection.wants_write()
        {
            transfer(&mut client.connection, &mut server.connection);
            transfer(&mut server.connection, &mut client.connection);
        }
        client.connection.writer().write_all(b"via rustls").unwrap();
        transfer(&mut client.connection, &mut server.connection);
        let mut received = [0u8; 10];
        server
            .connection
            .reader()
            .read_exact(&mut received)
            .unwrap();
        (client, server)
    }

    #[test]
    fn sealed_records_open_on_the_other_side_in_every_version_and_aead() {
        for (version, suite) in TLS13_SUITES
            .iter()
            .map(|suite| (Version::Tls13, *suite))
            .chain([
                (Version::Tls12, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
                (
                    Version::Tls12,
                    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
                ),
            ])
        {
            let (client, server) = connected(version, suite);
            let mut ours = client.take_over();
            let mut theirs = server.take_over();
            for (content_type, body) in [
                (APPLICATION_DATA, &b"one"[..]),
                (APPLICATION_DATA, &b""[..]),
                (ALERT, &[1, 0][..]),
                (0x55, &[0][..]),
            ] {
                let sealed = ours.seal(content_type, body).unwrap();
                assert_eq!(
                    theirs.open(record(&sealed)).unwrap(),
                    (content_type, body.to_vec()),
                    "{suite}"
                );
            }
            let reply = theirs.seal(APPLICATION_DATA, b"back").unwrap();
            assert_eq!(
                ours.open(record(&reply)).unwrap(),
                (APPLICATION_DATA, b"back".to_vec()),
                "{suite}"
            );
            let mut tampered = record(&ours.seal(APPLICATION_DATA, b"x").unwrap());
            let last = tampered.body.len() - 1;
            tampered.body[last] ^= 1;
            assert!(theirs.open(tampered).is_err(), "{suite}");
            assert_eq!(
                ours.update_write_keys().is_ok(),
                version == Version::Tls13,
                "{suite}"
            );
        }
    }

    /// The runner's KeyUpdates move rustls to the next keys, and rustls'
    /// KeyUpdates move the runner's, in every TLS 1.3 suite.
    #[test]
    fn key_updates_keep_both_sides_in_step_with_rustls() {
        for suite in TLS13_SUITES {
            let (client, mut server) = connected(Version::Tls13, suite);
            let mut ours = client.take_over();
            let server = &mut server.connection;
            for round in 0..3u8 {
                let mut bytes = ours
                    .seal(
                        HANDSHAKE,
                        &key_updates::message(KeyUpdateRequest::NotRequested),
                    )
                    .unwrap();
                ours.update_write_keys().unwrap();
                bytes.extend(ours.seal(APPLICATION_DATA, &[round]).unwrap());
                let mut unread = bytes.as_slice();
                while !unread.is_empty() {
                    server.read_tls(&mut unread).unwrap();
                }
                server.process_new_packets().unwrap();
                let mut received = [0u8; 1];
                server.reader().read_exact(&mut received).unwrap();
                assert_eq!(received, [round], "{suite}");
                assert!(!server.wants_write(), "{suite}: nothing was requested");

                server.refresh_traffic_keys().unwrap();
                server.writer().write_all(&[round, round]).unwrap();
                let mut bytes = Vec::new();
                while server.wants_write() {
                    server.write_tls(&mut bytes).unwrap();
                }
                let mut opened = Vec::new();
                for record in records(&bytes) {
                    let (content_type, body) = ours.open(record).unwrap();
                    if content_type == HANDSHAKE {
                        assert_eq!(body, [24, 0, 0, 1, 1], "{suite}");
                        ours.update_read_keys().unwrap();
                    } else {
                        opened.push((content_type, body));
                    }
                }
                assert_eq!(opened, [(APPLICATION_DATA, vec![round, round])], "{suite}");
            }
        }
    }
}
