//! TLS 1.3 traffic secrets (RFC 8446 §7.1–7.3): a secret's record key and
//! IV, and the secret that follows a KeyUpdate, all with the negotiated
//! suite's own HKDF. The BoGo runner protects records with them; the TLS
//! observer decrypts what it saw on the wire.

use rustls::crypto::cipher::{AeadKey, Iv, MessageDecrypter, MessageEncrypter};
use rustls::crypto::tls13::{HkdfExpander, OkmBlock};
use rustls::{CipherSuite, SupportedCipherSuite, Tls13CipherSuite};
use thiserror::Error;

/// `HkdfLabel.label`'s prefix.
const LABEL_PREFIX: &[u8] = b"tls13 ";
/// The label of the next application traffic secret.
const TRAFFIC_UPDATE: &[u8] = b"traffic upd";

/// The TLS 1.3 suite with this IANA code point, if rustls knows it.
pub fn tls13_suite(code: u16) -> Option<&'static Tls13CipherSuite> {
    rustls::crypto::ring::ALL_CIPHER_SUITES
        .iter()
        .find_map(|suite| match suite {
            SupportedCipherSuite::Tls13(suite) if u16::from(suite.common.suite) == code => {
                Some(*suite)
            }
            _ => None,
        })
}

/// A secret whose length is not the suite's hash length.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("a traffic secret of {suite:?} has {expected} bytes, not {found}")]
pub struct SecretLength {
    pub suite: CipherSuite,
    pub expected: usize,
    pub found: usize,
}

/// One direction's current traffic secret.
pub struct TrafficSecret {
    suite: &'static Tls13CipherSuite,
    /// HKDF keyed with the secret.
    expander: Box<dyn HkdfExpander>,
}

impl std::fmt::Debug for TrafficSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrafficSecret")
            .field("suite", &self.suite.common.suite)
            .finish_non_exhaustive()
    }
}

impl TrafficSecret {
    /// `secret` of `suite`, which must be as long as the suite's hash.
    pub fn new(
        suite: &'static Tls13CipherSuite,
        secret: &[u8],
    ) -> Result<TrafficSecret, SecretLength> {
        let hash_len = suite.common.hash_provider.output_len();
        if secret.len() != hash_len {
            return Err(SecretLength {
                suite: suite.common.suite,
                expected: hash_len,
                found: secret.len(),
            });
        }
        Ok(TrafficSecret {
            suite,
            expander: suite.hkdf_provider.expander_for_okm(&OkmBlock::new(secret)),
        })
    }

    /// `application_traffic_secret_N+1`: HKDF-Expand-Label(secret,
    /// "traffic upd", "", Hash.length).
    pub fn next(&self) -> TrafficSecret {
        let hash_len = self.expander.hash_len();
        let length = u16::try_from(hash_len).unwrap_or(u16::MAX).to_be_bytes();
        let label_len = [(LABEL_PREFIX.len() + TRAFFIC_UPDATE.len()) as u8];
        let context_len = [0u8];
        let next = self.expander.expand_block(&[
            &length,
            &label_len,
            LABEL_PREFIX,
            TRAFFIC_UPDATE,
            &context_len,
        ]);
        TrafficSecret {
            suite: self.suite,
            expander: self.suite.hkdf_provider.expander_for_okm(&next),
        }
    }

    /// The record key: HKDF-Expand-Label(secret, "key", "", key_length),
    /// as rustls derives it (its own derivation is the only way to an
    /// [`AeadKey`] shorter than 32 bytes).
    pub fn key(&self) -> AeadKey {
        rustls::internal::derive_traffic_key(self.expander.as_ref(), self.suite.aead_alg)
    }

    /// The record IV: HKDF-Expand-Label(secret, "iv", "", iv_length).
    pub fn iv(&self) -> Iv {
        rustls::internal::derive_traffic_iv(self.expander.as_ref())
    }

    pub fn encrypter(&self) -> Box<dyn MessageEncrypter> {
        self.suite.aead_alg.encrypter(self.key(), self.iv())
    }

    pub fn decrypter(&self) -> Box<dyn MessageDecrypter> {
        self.suite.aead_alg.decrypter(self.key(), self.iv())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suite(id: rustls::CipherSuite) -> &'static Tls13CipherSuite {
        tls13_suite(u16::from(id)).unwrap()
    }

    fn hex(text: &str) -> Vec<u8> {
        text.split_whitespace()
            .map(|byte| u8::from_str_radix(byte, 16).unwrap())
            .collect()
    }

    /// RFC 8448 §3 (Simple 1-RTT Handshake): the server's
    /// application_traffic_secret_0 and its key and IV; the secret after it
    /// as Botan's TLS 1.3 tests have it (RFC 8448 has no KeyUpdate).
    #[test]
    fn keys_and_updates_follow_published_vectors() {
        let aes128 = suite(rustls::CipherSuite::TLS13_AES_128_GCM_SHA256);
        let secret = TrafficSecret::new(
            aes128,
            &hex("a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32
                  82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63 16 43"),
        )
        .unwrap();
        assert_eq!(
            secret.key().as_ref(),
            hex("9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56")
        );
        assert_eq!(
            secret.iv().as_ref(),
            hex("cf 78 2b 88 dd 83 54 9a ad f1 e9 84")
        );
        let next = TrafficSecret::new(
            aes128,
            &hex("51 92 1b 8a a3 00 19 76 eb 40 1d 0a 43 19 a8 51
                  64 16 a6 c5 60 01 a3 57 e5 d1 62 03 1e 84 f9 16"),
        )
        .unwrap();
        assert_eq!(secret.next().key().as_ref(), next.key().as_ref());
        assert_eq!(secret.next().iv().as_ref(), next.iv().as_ref());
    }

    #[test]
    fn secrets_must_be_as_long_as_the_hash() {
        let sha384 = suite(rustls::CipherSuite::TLS13_AES_256_GCM_SHA384);
        assert!(TrafficSecret::new(sha384, &[0; 32]).is_err());
        let next = TrafficSecret::new(sha384, &[0; 48]).unwrap().next();
        assert_eq!(next.key().as_ref().len(), 32);
        assert_ne!(
            next.key().as_ref(),
            TrafficSecret::new(sha384, &[0; 48]).unwrap().key().as_ref()
        );
    }
}
