//! Proofs: reading a proof string, and making proofs for apps.

use jiff::Timestamp;

use crate::app::App;
use crate::case::Alphabet;
use crate::encoding;
use crate::nonce::{NonceError, generate_nonce, validate_nonce};
use crate::padlock::{HexCase, PadlockDigest};
use crate::parts::with_proof_parts;
use crate::verify::VerifyError;
use crate::version::Version;

/// A proof string read into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    pub version: Version,
    pub id: String,
    pub nonce: String,
    pub padlock: String,
}

impl Proof {
    /// Reads a proof in URL-safe or standard base64, padded or not. Checks
    /// the shape of each part, not the nonce's time nor the padlock.
    pub fn parse(proof: &str) -> Result<Proof, VerifyError> {
        with_proof_parts(proof, |parts| {
            Ok(Proof {
                version: parts.version,
                id: parts.id.to_owned(),
                nonce: parts.nonce.to_owned(),
                padlock: parts.padlock.to_owned(),
            })
        })
    }
}

/// Why a proof cannot be made for an app.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateProofError {
    #[error("app version {app} cannot make a proof of lower version {proof}")]
    VersionBelowApp { app: Version, proof: Version },
    #[error(transparent)]
    Nonce(#[from] NonceError),
}

/// A proof for `app`, URL-safe base64 with padding.
///
/// `version` defaults to the app's version and may not be lower. `nonce`
/// defaults to a fresh one for that version; a given nonce must be valid for
/// it now (for versions 2–4, a timestamp within the app's fuzz).
pub fn generate_proof(
    app: &App,
    version: Option<Version>,
    nonce: Option<&str>,
) -> Result<String, GenerateProofError> {
    generate_proof_at(app, version, nonce, Timestamp::now())
}

pub(crate) fn generate_proof_at(
    app: &App,
    version: Option<Version>,
    nonce: Option<&str>,
    now: Timestamp,
) -> Result<String, GenerateProofError> {
    let version = version.unwrap_or(app.version());
    if version < app.version() {
        return Err(GenerateProofError::VersionBelowApp {
            app: app.version(),
            proof: version,
        });
    }
    let nonce = match nonce {
        Some(nonce) => {
            validate_nonce(nonce, version, app.effective_fuzz(), now)?;
            nonce.to_owned()
        }
        None => generate_nonce(version),
    };
    let id = app.id().as_str();
    let padlock = PadlockDigest::compute(version.algorithm(), id, &nonce, app.secret().expose())
        .to_hex(HexCase::Upper);
    let text = proof_text(version, id, &nonce, &padlock);
    Ok(encoding::encode(&text, Alphabet::UrlSafe, true))
}

/// The unencoded proof: `id:nonce:padlock` for version 1,
/// `version:id:nonce:padlock` otherwise. Nothing is checked, so test
/// generators can build deliberately broken proofs.
pub fn proof_text(version: Version, id: &str, nonce: &str, padlock: &str) -> String {
    if version == Version::V1 {
        format!("{id}:{nonce}:{padlock}")
    } else {
        format!("{version}:{id}:{nonce}:{padlock}")
    }
}

/// Base64 of a proof text in `alphabet`, with or without `=` padding.
pub fn encode_proof(text: &str, alphabet: Alphabet, padded: bool) -> String {
    encoding::encode(text, alphabet, padded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::AppId;
    use crate::secret::Secret;

    const NOW: &str = "2024-06-01T12:00:00Z";

    fn app(version: Version) -> App {
        App::new(
            AppId::from_text("a3f1").unwrap(),
            Secret::new("s3cr3t").unwrap(),
            version,
            None,
        )
        .unwrap()
    }

    #[test]
    fn version_one_proof_vector() {
        // printf 'a3f1:n0nce:s3cr3t' | sha256sum gives the padlock, then
        // printf 'a3f1:n0nce:<PADLOCK>' | base64 -w0 gives the proof.
        let proof = generate_proof_at(&app(Version::V1), None, Some("n0nce"), NOW.parse().unwrap())
            .unwrap();
        assert_eq!(
            proof,
            "YTNmMTpuMG5jZTpCQTA0MTBBMUMzODEyQzhEMTE2MDUzRUJBQjJFQzU2MkM0NEI4Mjg0MTA4QzI4MDUy\
             MkI3NzM4NjMwNEUxOTU0"
        );
    }

    #[test]
    fn version_three_proof_vector() {
        // printf 'a3f1:20240601T120000.000Z:s3cr3t' | sha384sum, then
        // printf '3:a3f1:20240601T120000.000Z:<PADLOCK>' | base64 -w0
        let proof = generate_proof_at(
            &app(Version::V1),
            Some(Version::V3),
            Some("20240601T120000.000Z"),
            NOW.parse().unwrap(),
        )
        .unwrap();
        assert_eq!(proof, VERSION_THREE_PROOF);
    }

    const VERSION_THREE_PROOF: &str = "MzphM2YxOjIwMjQwNjAxVDEyMDAwMC4wMDBaOjczQkIzNEMwOUZCRkZCRTQ1\
        MkU0RDdBNjJDOTVDRUNDQ0JFRTdFRDE0QzI1MEU5NTFBQzE2NzNGOUJGMzAzMjQ1QkEzNDQ4NUMyRkM4OTFB\
        RjI2OUE0NUVGNjM1RDE4Rg==";

    #[test]
    fn parses_each_encoding() {
        let text = "2:app:20240601T120000Z:c0ffee";
        for alphabet in [Alphabet::UrlSafe, Alphabet::Standard] {
            for padded in [true, false] {
                let proof = Proof::parse(&encode_proof(text, alphabet, padded)).unwrap();
                assert_eq!(
                    proof,
                    Proof {
                        version: Version::V2,
                        id: "app".into(),
                        nonce: "20240601T120000Z".into(),
                        padlock: "c0ffee".into(),
                    }
                );
            }
        }
    }

    fn parse_text(text: &str) -> Result<Proof, VerifyError> {
        Proof::parse(&encode_proof(text, Alphabet::UrlSafe, true))
    }

    #[test]
    fn three_parts_are_version_one_four_parts_carry_a_version() {
        assert_eq!(parse_text("app:nonce:ABC").unwrap().version, Version::V1);
        assert_eq!(parse_text("1:app:nonce:ABC").unwrap().version, Version::V1);
        assert_eq!(parse_text("4:app:nonce:ABC").unwrap().version, Version::V4);
    }

    #[test]
    fn rejects_bad_shapes() {
        assert_eq!(parse_text("app:ABC"), Err(VerifyError::WrongPartCount(2)));
        assert_eq!(
            parse_text("2:app:2006-01-02T15:04:05.333Z:ABC"),
            Err(VerifyError::WrongPartCount(6))
        );
        for version in ["0", "5", "x", "", "+2", "99999999999999999999999"] {
            assert_eq!(
                parse_text(&format!("{version}:app:nonce:ABC")),
                Err(VerifyError::InvalidVersion(version.into()))
            );
        }
        assert_eq!(parse_text(":nonce:ABC"), Err(VerifyError::EmptyId));
        assert_eq!(
            parse_text("app::ABC"),
            Err(VerifyError::Nonce(NonceError::Empty))
        );
        assert_eq!(parse_text("app:nonce:"), Err(VerifyError::EmptyPadlock));
        assert_eq!(
            parse_text("app:nonce:zoom"),
            Err(VerifyError::PadlockNotHex)
        );
        assert_eq!(Proof::parse("@@@@"), Err(VerifyError::InvalidBase64));
        // printf '\xff\xfe' | base64 gives //4=
        assert_eq!(Proof::parse("//4="), Err(VerifyError::NotUtf8));
    }

    #[test]
    fn refuses_versions_below_the_app() {
        assert_eq!(
            generate_proof(&app(Version::V2), Some(Version::V1), None),
            Err(GenerateProofError::VersionBelowApp {
                app: Version::V2,
                proof: Version::V1
            })
        );
    }

    #[test]
    fn refuses_invalid_nonces() {
        let now = NOW.parse().unwrap();
        let app = app(Version::V1);
        assert_eq!(
            generate_proof_at(&app, None, Some(""), now),
            Err(GenerateProofError::Nonce(NonceError::Empty))
        );
        assert!(
            generate_proof_at(&app, Some(Version::V2), Some("20060102T150405.333Z"), now).is_err()
        );
    }

    #[test]
    fn default_nonces_per_version() {
        for version in Version::ALL {
            let proof =
                Proof::parse(&generate_proof(&app(Version::V1), Some(version), None).unwrap())
                    .unwrap();
            assert_eq!(proof.version, version);
            assert_eq!(proof.padlock.len(), version.algorithm().output_len() * 2);
            assert_eq!(proof.padlock, proof.padlock.to_uppercase());
        }
    }
}
