//! Padlocks: the hex digest of `id:nonce:secret`, written and compared.

use sha2::{Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq;

use crate::version::Algorithm;

const MAX_DIGEST_LEN: usize = 64;

/// Letter case of a written padlock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HexCase {
    Upper,
    Lower,
}

/// The raw digest behind a padlock, kept on the stack.
#[derive(Clone, Copy)]
pub struct PadlockDigest {
    bytes: [u8; MAX_DIGEST_LEN],
    len: usize,
}

impl PadlockDigest {
    /// The digest of `id:nonce:secret` with `algorithm`.
    pub fn compute(algorithm: Algorithm, id: &str, nonce: &str, secret: &str) -> PadlockDigest {
        let parts = [id, nonce, secret];
        match algorithm {
            Algorithm::Sha256 => Self::hash::<Sha256>(parts),
            Algorithm::Sha384 => Self::hash::<Sha384>(parts),
            Algorithm::Sha512 => Self::hash::<Sha512>(parts),
        }
    }

    fn hash<D: sha2::Digest>(parts: [&str; 3]) -> PadlockDigest {
        let mut hasher = D::new();
        hasher.update(parts[0]);
        for part in &parts[1..] {
            hasher.update(b":");
            hasher.update(part);
        }
        let output = hasher.finalize();
        let mut bytes = [0; MAX_DIGEST_LEN];
        bytes[..output.len()].copy_from_slice(&output);
        PadlockDigest {
            bytes,
            len: output.len(),
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// The padlock text in `case`.
    pub fn to_hex(&self, case: HexCase) -> String {
        encode_hex(self.as_bytes(), case)
    }

    /// Whether `padlock` (hex in either case) is this digest, compared in
    /// constant time.
    pub fn matches_hex(&self, padlock: &str) -> bool {
        let mut claimed = [0; MAX_DIGEST_LEN];
        let claimed = &mut claimed[..self.len];
        if !decode_hex(padlock.as_bytes(), claimed) {
            return false;
        }
        // Fold the differences word by word so that a single constant-time
        // comparison remains; subtle's per-byte barrier is costly here.
        let difference = claimed
            .chunks_exact(8)
            .zip(self.as_bytes().chunks_exact(8))
            .fold(0, |difference, (claimed, expected)| {
                difference | (word(claimed) ^ word(expected))
            });
        difference.ct_eq(&0).into()
    }
}

/// Eight bytes as a word; digest lengths are multiples of eight.
fn word(bytes: &[u8]) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(bytes);
    u64::from_ne_bytes(word)
}

/// `bytes` as hex digits in `case`.
pub fn encode_hex(bytes: &[u8], case: HexCase) -> String {
    let digits: &[u8; 16] = match case {
        HexCase::Upper => b"0123456789ABCDEF",
        HexCase::Lower => b"0123456789abcdef",
    };
    bytes
        .iter()
        .flat_map(|byte| {
            [
                char::from(digits[usize::from(byte >> 4)]),
                char::from(digits[usize::from(byte & 0xf)]),
            ]
        })
        .collect()
}

/// Decodes `hex` into `out`; false unless `hex` is exactly `out`'s length in
/// hex digits.
fn decode_hex(hex: &[u8], out: &mut [u8]) -> bool {
    if hex.len() != out.len() * 2 {
        return false;
    }
    // No early exit, so the loop compiles to vector code.
    let mut valid = true;
    for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let (high, high_valid) = hex_digit(pair[0]);
        let (low, low_valid) = hex_digit(pair[1]);
        valid &= high_valid & low_valid;
        *byte = high << 4 | low;
    }
    valid
}

/// The value of a hex digit, and whether it is one.
#[inline(always)]
fn hex_digit(digit: u8) -> (u8, bool) {
    let decimal = digit.wrapping_sub(b'0');
    let letter = (digit | 0x20).wrapping_sub(b'a');
    if decimal < 10 {
        (decimal, true)
    } else {
        (letter.wrapping_add(10) & 0xf, letter < 6)
    }
}

/// Whether `padlock` is a non-empty string of hex digits.
pub fn is_hex_padlock(padlock: &str) -> bool {
    !padlock.is_empty()
        && padlock
            .bytes()
            .fold(true, |valid, digit| valid & hex_digit(digit).1)
}

#[cfg(test)]
mod tests {
    use super::*;

    // From `printf 'app:nonce:secret' | sha256sum` (and sha384sum, sha512sum).
    const SHA256: &str = "1C71C5FBD53075A72DA1988757CB774B48328FE67BA835F27825DDC21324379C";
    const SHA384: &str = "B4441CCA8F80A5BDD880FC6E82BF6A4C6E086EC9FB371DABDD95FE15ED091A11\
                          22B6E68977C002F9BFAB01843E969F78";
    const SHA512: &str = "31E42B5C97EEAFC0073355EC0200FC52B9EE9ECA67DB0501E8F491703F104DF2\
                          0D918724ADCA90DC6C04DA25D6B8D25F60D4935076EC1F6F38C9844D4C56E378";

    fn padlock(algorithm: Algorithm) -> PadlockDigest {
        PadlockDigest::compute(algorithm, "app", "nonce", "secret")
    }

    #[test]
    fn known_answers() {
        for (algorithm, expected) in [
            (Algorithm::Sha256, SHA256),
            (Algorithm::Sha384, SHA384),
            (Algorithm::Sha512, SHA512),
        ] {
            let digest = padlock(algorithm);
            assert_eq!(digest.as_bytes().len(), algorithm.output_len());
            assert_eq!(digest.to_hex(HexCase::Upper), expected);
            assert_eq!(digest.to_hex(HexCase::Lower), expected.to_lowercase());
        }
    }

    #[test]
    fn matches_either_case_only() {
        let digest = padlock(Algorithm::Sha384);
        assert!(digest.matches_hex(SHA384));
        assert!(digest.matches_hex(&SHA384.to_lowercase()));
        let mixed: String = SHA384
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i % 2 == 0 {
                    c.to_ascii_lowercase()
                } else {
                    c
                }
            })
            .collect();
        assert!(digest.matches_hex(&mixed));
        assert!(!digest.matches_hex(&SHA384[..94]));
        assert!(!digest.matches_hex(&format!("{SHA384}00")));
        assert!(!digest.matches_hex(&SHA384.replace('B', "C")));
        assert!(!digest.matches_hex(SHA256));
        assert!(!digest.matches_hex(&SHA384.replace('B', "G")));
    }

    #[test]
    fn hex_padlock_shape() {
        assert!(is_hex_padlock("c0FFee"));
        assert!(is_hex_padlock("abc"));
        assert!(!is_hex_padlock(""));
        assert!(!is_hex_padlock("zoom"));
        assert!(!is_hex_padlock("C0 FF"));
    }
}
