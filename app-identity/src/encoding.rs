//! Base64 of proof strings: written in a chosen form, read in any common one.

use std::borrow::Cow;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::case::Alphabet;

const fn engine(alphabet: &alphabet::Alphabet, padded: bool) -> GeneralPurpose {
    GeneralPurpose::new(
        alphabet,
        GeneralPurposeConfig::new()
            .with_encode_padding(padded)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    )
}

const URL_SAFE_PADDED: GeneralPurpose = engine(&alphabet::URL_SAFE, true);
const URL_SAFE_UNPADDED: GeneralPurpose = engine(&alphabet::URL_SAFE, false);
const STANDARD_PADDED: GeneralPurpose = engine(&alphabet::STANDARD, true);
const STANDARD_UNPADDED: GeneralPurpose = engine(&alphabet::STANDARD, false);

/// Base64 of `text` in `alphabet`, with or without `=` padding.
pub fn encode(text: &str, alphabet: Alphabet, padded: bool) -> String {
    let engine = match (alphabet, padded) {
        (Alphabet::UrlSafe, true) => &URL_SAFE_PADDED,
        (Alphabet::UrlSafe, false) => &URL_SAFE_UNPADDED,
        (Alphabet::Standard, true) => &STANDARD_PADDED,
        (Alphabet::Standard, false) => &STANDARD_UNPADDED,
    };
    engine.encode(text)
}

/// Rewrites URL-safe padded base64 into `alphabet`, with or without padding;
/// the two alphabets differ only in the symbols for 62 and 63.
pub(crate) fn from_url_safe_padded(encoded: &str, alphabet: Alphabet, padded: bool) -> String {
    let body = if padded {
        encoded
    } else {
        encoded.trim_end_matches('=')
    };
    match alphabet {
        Alphabet::UrlSafe => body.to_owned(),
        Alphabet::Standard => body
            .chars()
            .map(|symbol| match symbol {
                '-' => '+',
                '_' => '/',
                other => other,
            })
            .collect(),
    }
}

/// Room for decoding proofs on the stack: every version 4 proof whose id and
/// nonce take less than 120 bytes together fits.
pub(crate) const INLINE_CAPACITY: usize = 256;

/// Decodes URL-safe or standard base64 (one alphabet per string), padded
/// or not, into `inline` when it fits there; `None` if `text` is neither.
pub(crate) fn decode<'a>(
    text: &str,
    inline: &'a mut [u8; INLINE_CAPACITY],
) -> Option<Cow<'a, [u8]>> {
    // Three bytes per four symbols, rounded up: never less than the output.
    if text.len().div_ceil(4) * 3 > INLINE_CAPACITY {
        return decode_general(text).map(Cow::Owned);
    }
    let len = decode_canonical(text, inline).or_else(|| decode_general_into(text, inline))?;
    Some(Cow::Borrowed(&inline[..len]))
}

/// The vectorised decoder, for canonical base64: complete padding or none,
/// zero trailing bits. Decoding is a good part of verifying a proof.
fn decode_canonical(text: &str, out: &mut [u8]) -> Option<usize> {
    // The decoder panics rather than fail when `out` is too short.
    if out.len() < text.len().div_ceil(4) * 3 {
        return None;
    }
    let decoders = if text.ends_with('=') {
        [&base64_simd::URL_SAFE, &base64_simd::STANDARD]
    } else {
        [&base64_simd::URL_SAFE_NO_PAD, &base64_simd::STANDARD_NO_PAD]
    };
    decoders.into_iter().find_map(|decoder| {
        let decoded = decoder.decode(text.as_bytes(), base64_simd::Out::from_slice(out));
        decoded.ok().map(|decoded| decoded.len())
    })
}

/// The lenient decoder: partial padding and non-zero trailing bits too.
fn decode_general_into(text: &str, out: &mut [u8]) -> Option<usize> {
    URL_SAFE_PADDED
        .decode_slice(text, out)
        .or_else(|_| STANDARD_PADDED.decode_slice(text, out))
        .ok()
}

fn decode_general(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_PADDED
        .decode(text)
        .or_else(|_| STANDARD_PADDED.decode(text))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str) -> Option<Vec<u8>> {
        decode(text, &mut [0; INLINE_CAPACITY]).map(Cow::into_owned)
    }

    #[test]
    fn encodes_each_form() {
        // `printf 'a>b?c' | base64` gives YT5iP2M= (standard, padded).
        assert_eq!(encode("a>b?c", Alphabet::Standard, true), "YT5iP2M=");
        assert_eq!(encode("a>b?c", Alphabet::Standard, false), "YT5iP2M");
        assert_eq!(encode("a>b?c", Alphabet::UrlSafe, true), "YT5iP2M=");
        // `printf '>>>???' | base64` gives Pj4+Pz8/.
        assert_eq!(encode(">>>???", Alphabet::Standard, true), "Pj4+Pz8/");
        assert_eq!(encode(">>>???", Alphabet::UrlSafe, true), "Pj4-Pz8_");
    }

    #[test]
    fn converts_from_url_safe_padded() {
        let url_safe = encode(">>>???a", Alphabet::UrlSafe, true);
        for alphabet in [Alphabet::UrlSafe, Alphabet::Standard] {
            for padded in [true, false] {
                assert_eq!(
                    from_url_safe_padded(&url_safe, alphabet, padded),
                    encode(">>>???a", alphabet, padded)
                );
            }
        }
    }

    #[test]
    fn decodes_both_alphabets_padded_or_not() {
        for text in ["Pj4+Pz8/", "Pj4-Pz8_"] {
            assert_eq!(decoded(text).as_deref(), Some(&b">>>???"[..]));
        }
        for text in ["YT5iP2M=", "YT5iP2M"] {
            assert_eq!(decoded(text).as_deref(), Some(&b"a>b?c"[..]));
        }
    }

    #[test]
    fn accepts_partial_padding_and_trailing_bits() {
        // `YQ==` is "a"; `YR==` sets trailing bits that canonical base64 keeps zero.
        for text in ["YQ=", "YQ", "YR==", "YR"] {
            assert_eq!(decoded(text).as_deref(), Some(&b"a"[..]), "{text}");
        }
    }

    #[test]
    fn rejects_mixed_alphabets_and_junk() {
        assert_eq!(decoded("Pj4-Pz8/"), None);
        assert_eq!(decoded("not base64!"), None);
        assert_eq!(decoded("YT5iP2M=="), None);
    }

    #[test]
    fn long_input_goes_to_the_heap() {
        let text = "x".repeat(1000);
        let encoded = encode(&text, Alphabet::UrlSafe, false);
        let mut inline = [0; INLINE_CAPACITY];
        let bytes = decode(&encoded, &mut inline).unwrap();
        assert!(matches!(bytes, Cow::Owned(_)));
        assert_eq!(&*bytes, text.as_bytes());
    }
}
