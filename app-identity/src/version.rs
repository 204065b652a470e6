//! Algorithm versions and the digest each one uses.

use std::fmt;

/// An App Identity algorithm version.
///
/// Versions are ordered: an app verifies proofs of its own version or higher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// Free-form nonce, SHA-256.
    V1 = 1,
    /// Timestamp nonce, SHA-256.
    V2 = 2,
    /// Timestamp nonce, SHA-384.
    V3 = 3,
    /// Timestamp nonce, SHA-512.
    V4 = 4,
}

/// The digest a version uses for its padlock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Sha256,
    Sha384,
    Sha512,
}

/// A version number outside 1–4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unsupported version {0} (must be 1-4)")]
pub struct UnsupportedVersion(pub u64);

impl Version {
    pub const ALL: [Version; 4] = [Version::V1, Version::V2, Version::V3, Version::V4];

    /// The version with this number.
    pub fn from_number(number: u64) -> Result<Version, UnsupportedVersion> {
        match number {
            1 => Ok(Version::V1),
            2 => Ok(Version::V2),
            3 => Ok(Version::V3),
            4 => Ok(Version::V4),
            other => Err(UnsupportedVersion(other)),
        }
    }

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn algorithm(self) -> Algorithm {
        match self {
            Version::V1 | Version::V2 => Algorithm::Sha256,
            Version::V3 => Algorithm::Sha384,
            Version::V4 => Algorithm::Sha512,
        }
    }

    /// Whether nonces of this version are timestamps checked against the fuzz.
    pub fn uses_timestamp_nonce(self) -> bool {
        self != Version::V1
    }
}

impl TryFrom<u64> for Version {
    type Error = UnsupportedVersion;

    fn try_from(number: u64) -> Result<Self, Self::Error> {
        Version::from_number(number)
    }
}

impl TryFrom<u8> for Version {
    type Error = UnsupportedVersion;

    fn try_from(number: u8) -> Result<Self, Self::Error> {
        Version::from_number(u64::from(number))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

impl Algorithm {
    /// Length of the digest in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 32,
            Algorithm::Sha384 => 48,
            Algorithm::Sha512 => 64,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha384 => "SHA-384",
            Algorithm::Sha512 => "SHA-512",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for version in Version::ALL {
            assert_eq!(
                Version::from_number(u64::from(version.number())),
                Ok(version)
            );
        }
        assert_eq!(Version::from_number(0), Err(UnsupportedVersion(0)));
        assert_eq!(Version::from_number(5), Err(UnsupportedVersion(5)));
    }

    #[test]
    fn digests_per_version() {
        assert_eq!(Version::V1.algorithm(), Algorithm::Sha256);
        assert_eq!(Version::V2.algorithm(), Algorithm::Sha256);
        assert_eq!(Version::V3.algorithm(), Algorithm::Sha384);
        assert_eq!(Version::V4.algorithm(), Algorithm::Sha512);
    }

    #[test]
    fn versions_are_ordered() {
        assert!(Version::V1 < Version::V2 && Version::V3 < Version::V4);
    }
}
