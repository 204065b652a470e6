//! Nonces: what each version generates and what it accepts.

use std::fmt;

use jiff::Timestamp;

use crate::timestamp::{TimestampError, format_timestamp_nonce, parse_timestamp_nonce};
use crate::version::Version;

/// Fraction digits of generated timestamp nonces: milliseconds, which every
/// reference implementation reads.
pub const GENERATED_FRACTION_DIGITS: u8 = 3;

/// Why a nonce is not acceptable for a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NonceError {
    #[error("nonce is empty")]
    Empty,
    #[error("nonce contains ':'")]
    ContainsColon,
    #[error(transparent)]
    Timestamp(#[from] TimestampError),
    #[error("{0}")]
    OutsideFuzz(FuzzMiss),
}

/// How far a timestamp nonce is from now, for a nonce outside the fuzz.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FuzzMiss {
    /// Whole seconds from now to the nonce: negative in the past.
    pub offset_seconds: i64,
    pub fuzz: u32,
}

impl FuzzMiss {
    /// Seconds beyond the fuzz.
    pub fn excess_seconds(&self) -> u64 {
        self.offset_seconds
            .unsigned_abs()
            .saturating_sub(u64::from(self.fuzz))
    }
}

impl fmt::Display for FuzzMiss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let direction = if self.offset_seconds < 0 {
            "in the past"
        } else {
            "in the future"
        };
        write!(
            f,
            "nonce timestamp is {} s {direction}, {} s outside the fuzz of {} s",
            self.offset_seconds.unsigned_abs(),
            self.excess_seconds(),
            self.fuzz
        )
    }
}

/// A fresh nonce for `version`: a random UUID for version 1, the current UTC
/// time with milliseconds for versions 2–4.
pub fn generate_nonce(version: Version) -> String {
    if version.uses_timestamp_nonce() {
        format_timestamp_nonce(Timestamp::now(), usize::from(GENERATED_FRACTION_DIGITS))
    } else {
        uuid::Uuid::new_v4().to_string()
    }
}

/// Checks `nonce` for `version`: non-empty and free of `:`, and for versions
/// 2–4 a timestamp whose whole-second distance from `now` is at most `fuzz`.
pub fn validate_nonce(
    nonce: &str,
    version: Version,
    fuzz: u32,
    now: Timestamp,
) -> Result<(), NonceError> {
    if nonce.is_empty() {
        return Err(NonceError::Empty);
    }
    if nonce.contains(':') {
        return Err(NonceError::ContainsColon);
    }
    check_nonce_time(nonce, version, fuzz, now)
}

/// The time part of [`validate_nonce`], for nonces of a split proof (never
/// empty, never holding `:`).
pub(crate) fn check_nonce_time(
    nonce: &str,
    version: Version,
    fuzz: u32,
    now: Timestamp,
) -> Result<(), NonceError> {
    if !version.uses_timestamp_nonce() {
        return Ok(());
    }
    let offset_seconds = seconds_from(now, parse_timestamp_nonce(nonce)?);
    if offset_seconds.unsigned_abs() > u64::from(fuzz) {
        return Err(NonceError::OutsideFuzz(FuzzMiss {
            offset_seconds,
            fuzz,
        }));
    }
    Ok(())
}

/// Whole seconds from `now` to `then`, truncated toward zero, so a nonce
/// 600.9 s away counts as 600 s (as the references count).
fn seconds_from(now: Timestamp, then: Timestamp) -> i64 {
    then.duration_since(now).as_secs()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    const NOW: &str = "2024-06-01T12:00:00Z";

    fn check(nonce: &str, version: Version, fuzz: u32) -> Result<(), NonceError> {
        validate_nonce(nonce, version, fuzz, at(NOW))
    }

    #[test]
    fn version_one_takes_any_plain_string() {
        assert_eq!(check("anything at all", Version::V1, 600), Ok(()));
        assert_eq!(check("20060102T150405Z", Version::V1, 600), Ok(()));
        assert_eq!(check("", Version::V1, 600), Err(NonceError::Empty));
        assert_eq!(
            check("n:once", Version::V1, 600),
            Err(NonceError::ContainsColon)
        );
    }

    #[test]
    fn timestamp_versions_need_the_basic_form() {
        for version in [Version::V2, Version::V3, Version::V4] {
            assert_eq!(
                check("2024-06-01T12:00:00.000Z", version, 600),
                Err(NonceError::ContainsColon)
            );
            assert_eq!(
                check("nonce", version, 600),
                Err(NonceError::Timestamp(TimestampError::Malformed))
            );
            assert_eq!(check("20240601T120000Z", version, 600), Ok(()));
            assert_eq!(check("20240601T120000.000Z", version, 600), Ok(()));
        }
    }

    #[test]
    fn fuzz_edges() {
        assert_eq!(check("20240601T115000Z", Version::V2, 600), Ok(()));
        assert_eq!(check("20240601T121000Z", Version::V2, 600), Ok(()));
        assert_eq!(
            check("20240601T114959Z", Version::V2, 600),
            Err(NonceError::OutsideFuzz(FuzzMiss {
                offset_seconds: -601,
                fuzz: 600
            }))
        );
        assert_eq!(
            check("20240601T121001Z", Version::V3, 600),
            Err(NonceError::OutsideFuzz(FuzzMiss {
                offset_seconds: 601,
                fuzz: 600
            }))
        );
        // Part of a second beyond the fuzz still counts as the fuzz itself.
        assert_eq!(check("20240601T114959.5Z", Version::V2, 600), Ok(()));
        assert_eq!(check("20240601T115500Z", Version::V4, 300), Ok(()));
        assert!(check("20240601T115459Z", Version::V4, 300).is_err());
    }

    #[test]
    fn fuzz_miss_message() {
        let message = check("20240601T114000Z", Version::V2, 600)
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "nonce timestamp is 1200 s in the past, 600 s outside the fuzz of 600 s"
        );
    }

    #[test]
    fn generated_nonces_validate() {
        for version in Version::ALL {
            let nonce = generate_nonce(version);
            assert_eq!(
                validate_nonce(&nonce, version, 600, Timestamp::now()),
                Ok(())
            );
        }
        let timestamp = generate_nonce(Version::V2);
        assert_eq!(timestamp.len(), "YYYYMMDDTHHMMSS.mmmZ".len());
    }
}
