//! The runner's own record protection after the handshake, for
//! misbehaviours rustls would never commit (alerts of its choosing, empty
//! records, unknown content types under encryption).
//!
//! rustls finishes the handshake and hands over its traffic keys and
//! sequence numbers (`dangerous_extract_secrets`); from then on the runner
//! seals and opens records itself with the negotiated suite's AEAD, as
//! rustls' ring provider implements it (aws-lc-rs' TLS sealing keys insist
//! that sequence numbers start at zero, which a takeover cannot promise).

use rustls::crypto::cipher::{
    AeadKey, InboundOpaqueMessage, Iv, MessageDecrypter, MessageEncrypter, OutboundPlainMessage,
};
use rustls::{
    ConnectionTrafficSecrets, ContentType, ExtractedSecrets, ProtocolVersion, SupportedCipherSuite,
};

use super::record::{APPLICATION_DATA, Record};

/// Both directions of a connection's record protection.
pub struct Protected {
    tls13: bool,
    encrypter: Box<dyn MessageEncrypter>,
    write_seq: u64,
    decrypter: Box<dyn MessageDecrypter>,
    read_seq: u64,
}

impl std::fmt::Debug for Protected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Protected")
            .field("tls13", &self.tls13)
            .field("write_seq", &self.write_seq)
            .field("read_seq", &self.read_seq)
            .finish_non_exhaustive()
    }
}

impl Protected {
    /// Takes over from rustls with its extracted secrets.
    pub fn new(
        suite: SupportedCipherSuite,
        secrets: ExtractedSecrets,
    ) -> Result<Protected, String> {
        let id = suite.suite();
        let suite = rustls::crypto::ring::ALL_CIPHER_SUITES
            .iter()
            .find(|candidate| candidate.suite() == id)
            .copied()
            .ok_or_else(|| format!("the runner cannot protect records itself with {id:?}"))?;
        let (write_seq, tx) = secrets.tx;
        let (read_seq, rx) = secrets.rx;
        let (tx_key, tx_iv) = key_and_iv(tx)?;
        let (rx_key, rx_iv) = key_and_iv(rx)?;
        let (tls13, encrypter, decrypter) = match suite {
            SupportedCipherSuite::Tls13(suite) => (
                true,
                suite.aead_alg.encrypter(tx_key, Iv::copy(&tx_iv)),
                suite.aead_alg.decrypter(rx_key, Iv::copy(&rx_iv)),
            ),
            SupportedCipherSuite::Tls12(suite) => {
                let shape = suite.aead_alg.key_block_shape();
                let fixed = shape.fixed_iv_len;
                let explicit = shape.explicit_nonce_len;
                if tx_iv.len() < fixed + explicit || rx_iv.len() < fixed {
                    return Err(format!(
                        "extracted IVs of {} bytes do not fit suite {:?}",
                        tx_iv.len(),
                        suite.common.suite
                    ));
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
        })
    }

    /// A protected record carrying `body` as content type `content_type`
    /// (in TLS 1.3 the inner type; the outer one is application data).
    pub fn seal(&mut self, content_type: u8, body: &[u8]) -> Result<Vec<u8>, String> {
        let message = OutboundPlainMessage {
            typ: ContentType::from(content_type),
            version: ProtocolVersion::TLSv1_2,
            payload: body.into(),
        };
        let sealed = self
            .encrypter
            .encrypt(message, self.write_seq)
            .map_err(|error| format!("cannot seal a record: {error}"))?;
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

fn key_and_iv(secrets: ConnectionTrafficSecrets) -> Result<(AeadKey, Vec<u8>), String> {
    match secrets {
        ConnectionTrafficSecrets::Aes128Gcm { key, iv }
        | ConnectionTrafficSecrets::Aes256Gcm { key, iv }
        | ConnectionTrafficSecrets::Chacha20Poly1305 { key, iv } => Ok((key, iv.as_ref().to_vec())),
        _ => Err("the runner cannot protect records itself with this AEAD".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use rustls::pki_types::ServerName;
    use rustls::{ClientConnection, Connection, ServerConnection};

    use std::io::{Read as _, Write as _};

    use super::*;
    use crate::bogo::case::{Case, Expect, KeyType, Messages, Peer, Role, Version};
    use crate::bogo::runner::credentials::Credentials;
    use crate::bogo::runner::peer::PeerConfig;
    use crate::bogo::runner::record::{ALERT, RecordBuffer};

    fn case(shim_role: Role, version: Version, suite: &'static [&'static str]) -> Case {
        Case {
            name: "T",
            group: "g",
            shim_role,
            key_type: KeyType::EcdsaP256,
            flags: &[],
            resume_count: 0,
            shim_writes_first: false,
            shim_shuts_down: false,
            messages: Messages::DEFAULT,
            peer: Peer {
                min_version: Some(version),
                max_version: Some(version),
                cipher_suites: suite,
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
        let mut buffer = RecordBuffer::default();
        buffer.extend(bytes);
        buffer.next_record().unwrap()
    }

    #[test]
    fn sealed_records_open_on_the_other_side_in_every_version_and_aead() {
        let dir = tempfile::tempdir().unwrap();
        let credentials = Credentials::generate(dir.path()).unwrap();
        for (version, suite) in [
            (Version::Tls13, "TLS13_AES_128_GCM_SHA256"),
            (Version::Tls13, "TLS13_AES_256_GCM_SHA384"),
            (Version::Tls13, "TLS13_CHACHA20_POLY1305_SHA256"),
            (Version::Tls12, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
            (
                Version::Tls12,
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            ),
        ] {
            let suites: &'static [&'static str] = Box::leak(Box::new([suite]));
            let PeerConfig::Client(client_config) =
                PeerConfig::new(&case(Role::Server, version, suites), &credentials).unwrap()
            else {
                panic!("the runner should be the client");
            };
            let PeerConfig::Server(server_config) =
                PeerConfig::new(&case(Role::Client, version, suites), &credentials).unwrap()
            else {
                panic!("the runner should be the server");
            };
            let name = ServerName::try_from("test").unwrap();
            let mut client: Connection = ClientConnection::new(client_config, name).unwrap().into();
            let mut server: Connection = ServerConnection::new(server_config).unwrap().into();
            while client.is_handshaking() || server.is_handshaking() || server.wants_write() {
                transfer(&mut client, &mut server);
                transfer(&mut server, &mut client);
            }
            // Some traffic through rustls first, so sequence numbers matter.
            client.writer().write_all(b"via rustls").unwrap();
            transfer(&mut client, &mut server);
            let mut received = [0u8; 10];
            server.reader().read_exact(&mut received).unwrap();

            let client_suite = client.negotiated_cipher_suite().unwrap();
            let server_suite = server.negotiated_cipher_suite().unwrap();
            let mut ours =
                Protected::new(client_suite, client.dangerous_extract_secrets().unwrap()).unwrap();
            let mut theirs =
                Protected::new(server_suite, server.dangerous_extract_secrets().unwrap()).unwrap();
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
        }
    }
}
