//! Decoding a proof and splitting it into its parts, on the verification
//! hot path.

use crate::encoding;
use crate::nonce::NonceError;
use crate::padlock::is_hex_padlock;
use crate::verify::VerifyError;
use crate::version::Version;

/// The parts of a proof, borrowed from its decoded text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ProofParts<'a> {
    pub(crate) version: Version,
    pub(crate) id: &'a str,
    pub(crate) nonce: &'a str,
    pub(crate) padlock: &'a str,
    /// `id:nonce:` as decoded, the start of the padlock's hash input.
    pub(crate) id_and_nonce: &'a str,
}

impl<'a> ProofParts<'a> {
    /// Splits `id:nonce:padlock` (version 1) or `version:id:nonce:padlock`
    /// and checks each part's shape.
    pub(crate) fn split(decoded: &'a str) -> Result<ProofParts<'a>, VerifyError> {
        let bytes = decoded.as_bytes();
        let wrong_count = || {
            let colons = bytes.iter().filter(|&&byte| byte == b':').count();
            VerifyError::WrongPartCount(colons + 1)
        };
        // Colons are ASCII, so every slice below starts and ends on a char
        // boundary; `get` merely avoids a panic path.
        let field = |from: usize, to: usize| decoded.get(from..to).unwrap_or_default();
        let first = find_colon(bytes, 0).ok_or_else(wrong_count)?;
        let second = find_colon(bytes, first + 1).ok_or_else(wrong_count)?;

        // Whether a third ':' exists decides between the two forms. A first
        // field of one digit is most likely a version, so search for it; for
        // other proofs a hex remainder (hex holds no ':') settles version 1
        // without searching the padlock.
        let maybe_version = matches!(field(0, first).as_bytes(), [b'0'..=b'9']);
        let third = if maybe_version || !is_hex_padlock(field(second + 1, decoded.len())) {
            find_colon(bytes, second + 1)
        } else {
            None
        };
        let (version, id_start, id_end, nonce_end) = match third {
            None => (Ok(Version::V1), 0, first, second),
            Some(third) => (parse_version(field(0, first)), first + 1, second, third),
        };
        let padlock = field(nonce_end + 1, decoded.len());
        let padlock_is_hex = is_hex_padlock(padlock);
        if !padlock_is_hex && padlock.contains(':') {
            return Err(wrong_count());
        }

        let parts = ProofParts {
            version: version?,
            id: field(id_start, id_end),
            nonce: field(id_end + 1, nonce_end),
            padlock,
            id_and_nonce: field(id_start, nonce_end + 1),
        };
        if parts.id.is_empty() {
            return Err(VerifyError::EmptyId);
        }
        if parts.nonce.is_empty() {
            return Err(VerifyError::Nonce(NonceError::Empty));
        }
        if parts.padlock.is_empty() {
            return Err(VerifyError::EmptyPadlock);
        }
        if !padlock_is_hex {
            return Err(VerifyError::PadlockNotHex);
        }
        Ok(parts)
    }
}

/// Decodes a proof string and hands its parts to `use_parts`, without
/// copying them off the stack for proofs of ordinary size.
pub(crate) fn with_proof_parts<T>(
    proof: &str,
    use_parts: impl FnOnce(ProofParts<'_>) -> Result<T, VerifyError>,
) -> Result<T, VerifyError> {
    let mut inline = [0; encoding::INLINE_CAPACITY];
    let decoded = encoding::decode(proof, &mut inline).ok_or(VerifyError::InvalidBase64)?;
    let text = std::str::from_utf8(&decoded).map_err(|_| VerifyError::NotUtf8)?;
    use_parts(ProofParts::split(text)?)
}

fn parse_version(text: &str) -> Result<Version, VerifyError> {
    let invalid = || VerifyError::InvalidVersion(text.to_owned());
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(invalid());
    }
    let number: u64 = text.parse().map_err(|_| invalid())?;
    Version::from_number(number).map_err(|_| invalid())
}

/// The position of the first `:` in `text` at or after `from`.
///
/// Tests eight bytes at a time; proof fields are short, and this beats
/// `memchr`'s set-up cost.
fn find_colon(text: &[u8], from: usize) -> Option<usize> {
    let searched = text.get(from..)?;
    let (words, tail) = searched.as_chunks::<8>();
    for (index, word) in words.iter().enumerate() {
        let colons = colon_bytes(u64::from_le_bytes(*word));
        if colons != 0 {
            return Some(from + index * 8 + colons.trailing_zeros() as usize / 8);
        }
    }
    let in_tail = tail.iter().position(|&byte| byte == b':')?;
    Some(from + words.len() * 8 + in_tail)
}

/// The high bit of each byte of `word` that is `:`, and no other bit.
fn colon_bytes(word: u64) -> u64 {
    const LOW_SEVEN: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let zero_where_colon = word ^ u64::from_ne_bytes([b':'; 8]);
    // Adding 0x7f to the low seven bits carries into the high bit of every
    // byte but zero bytes; no carry crosses bytes.
    !(((zero_where_colon & LOW_SEVEN) + LOW_SEVEN) | zero_where_colon | LOW_SEVEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_colons_anywhere() {
        let text = b":234567:9abcdef:::\xff:\xba";
        assert_eq!(find_colon(text, 0), Some(0));
        assert_eq!(find_colon(text, 1), Some(7));
        assert_eq!(find_colon(text, 8), Some(15));
        assert_eq!(find_colon(text, 18), Some(19));
        assert_eq!(find_colon(text, 20), None);
        assert_eq!(find_colon(text, 99), None);
        assert_eq!(find_colon(&[0xba; 40], 0), None);
        assert_eq!(find_colon(b"", 0), None);
    }

    #[test]
    fn version_one_parts() {
        let parts = ProofParts::split("app:nonce:C0ffee").unwrap();
        assert_eq!(
            parts,
            ProofParts {
                version: Version::V1,
                id: "app",
                nonce: "nonce",
                padlock: "C0ffee",
                id_and_nonce: "app:nonce:",
            }
        );
    }

    #[test]
    fn versioned_parts() {
        let parts = ProofParts::split("3:app:20240601T120000Z:ABC").unwrap();
        assert_eq!(parts.version, Version::V3);
        assert_eq!(parts.id, "app");
        assert_eq!(parts.nonce, "20240601T120000Z");
        assert_eq!(parts.padlock, "ABC");
        assert_eq!(parts.id_and_nonce, "app:20240601T120000Z:");
    }

    #[test]
    fn counts_parts_when_they_are_wrong() {
        for (text, count) in [
            ("", 1),
            ("abc", 1),
            ("a:b", 2),
            ("1:a:b:c:d", 5),
            ("1:a:b:c:", 5),
            ("2:a:2006-01-02T15:04:05.333Z:ABC", 6),
        ] {
            assert_eq!(
                ProofParts::split(text),
                Err(VerifyError::WrongPartCount(count)),
                "{text}"
            );
        }
    }

    #[test]
    fn hex_looking_nonces_still_split_right() {
        let parts = ProofParts::split("1:abc:def:012").unwrap();
        assert_eq!(
            (parts.id, parts.nonce, parts.padlock),
            ("abc", "def", "012")
        );
        let parts = ProofParts::split("abc:def:012").unwrap();
        assert_eq!(
            (parts.id, parts.nonce, parts.padlock),
            ("abc", "def", "012")
        );
    }

    #[test]
    fn numeric_ids_in_version_one_proofs() {
        let parts = ProofParts::split("7:nonce:ABC").unwrap();
        assert_eq!(
            (parts.version, parts.id, parts.nonce),
            (Version::V1, "7", "nonce")
        );
        let parts = ProofParts::split("7:20240601T120000Z:ABC").unwrap();
        assert_eq!(parts.version, Version::V1);
    }

    #[test]
    fn three_parts_with_a_bad_padlock() {
        assert_eq!(
            ProofParts::split("app:nonce:zoom"),
            Err(VerifyError::PadlockNotHex)
        );
        assert_eq!(
            ProofParts::split("app:nonce:"),
            Err(VerifyError::EmptyPadlock)
        );
    }
}
