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
        let pieces = [
            id.as_bytes(),
            b":",
            nonce.as_bytes(),
            b":",
            secret.as_bytes(),
        ];
        Self::of_pieces(algorithm, &pieces)
    }

    /// The digest of `pieces` joined without separator. Fewer pieces hash
    /// faster: verification passes the `id:nonce:` it decoded in one piece.
    pub(crate) fn of_pieces(algorithm: Algorithm, pieces: &[&[u8]]) -> PadlockDigest {
        match algorithm {
            Algorithm::Sha256 => Self::hash::<Sha256>(pieces),
            Algorithm::Sha384 => Self::hash::<Sha384>(pieces),
            Algorithm::Sha512 => Self::hash::<Sha512>(pieces),
        }
    }

    fn hash<D: sha2::Digest>(pieces: &[&[u8]]) -> PadlockDigest {
        let mut hasher = D::new();
        for piece in pieces {
            hasher.update(piece);
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
        let claimed = padlock.as_bytes();
        let mut expected = [0; 2 * MAX_DIGEST_LEN];
        let expected = &mut expected[..2 * self.len];
        if claimed.len() != expected.len() {
            return false;
        }
        write_hex(self.as_bytes(), HexCase::Upper, expected);
        // Branch-free loops (vector code); one constant-time test at the end
        // rather than subtle's costly per-byte barrier. Non-hex bytes never
        // equal a hex digit, so they simply mismatch.
        let difference =
            claimed
                .iter()
                .zip(expected.iter())
                .fold(0, |difference, (claimed, expected)| {
                    difference | (claimed.to_ascii_uppercase() ^ expected)
                });
        difference.ct_eq(&0).into()
    }
}

/// `bytes` as hex digits in `case`.
pub fn encode_hex(bytes: &[u8], case: HexCase) -> String {
    let mut hex = vec![0; 2 * bytes.len()];
    write_hex(bytes, case, &mut hex);
    hex.into_iter().map(char::from).collect()
}

/// Writes `bytes` as hex digits into `out`, two per byte.
fn write_hex(bytes: &[u8], case: HexCase, out: &mut [u8]) {
    let letter_offset = match case {
        HexCase::Upper => b'A' - 10,
        HexCase::Lower => b'a' - 10,
    };
    // Arithmetic rather than a table lookup, so the loop compiles to vector code.
    let digit = |nibble: u8| nibble + if nibble < 10 { b'0' } else { letter_offset };
    for (byte, pair) in bytes.iter().zip(out.chunks_exact_mut(2)) {
        pair[0] = digit(byte >> 4);
        pair[1] = digit(byte & 0xf);
    }
}

/// Whether `digit` is a hex digit; branch-free, unlike `is_ascii_hexdigit`.
#[inline(always)]
fn is_hex_digit(digit: u8) -> bool {
    let decimal = digit.wrapping_sub(b'0');
    let letter = (digit | 0x20).wrapping_sub(b'a');
    (decimal < 10) | (letter < 6)
}

/// Whether `padlock` is a non-empty string of hex digits.
pub fn is_hex_padlock(padlock: &str) -> bool {
    !padlock.is_empty()
        && padlock
            .bytes()
            .fold(true, |valid, digit| valid & is_hex_digit(digit))
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
