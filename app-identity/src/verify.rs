//! Verifying a proof string against an app.

use jiff::Timestamp;

use crate::app::App;
use crate::nonce::{NonceError, check_nonce_time};
use crate::padlock::PadlockDigest;
use crate::parts::{ProofParts, with_proof_parts};
use crate::version::Version;

/// Why a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("proof is not valid base64 (URL-safe or standard)")]
    InvalidBase64,
    #[error("decoded proof is not valid UTF-8")]
    NotUtf8,
    #[error(
        "decoded proof has {0} ':'-separated parts; expected 3 (id:nonce:padlock) \
         or 4 (version:id:nonce:padlock)"
    )]
    WrongPartCount(usize),
    #[error("proof version {0:?} is not 1, 2, 3 or 4")]
    InvalidVersion(String),
    #[error("proof id is empty")]
    EmptyId,
    #[error("proof padlock is empty")]
    EmptyPadlock,
    #[error("proof padlock is not a hex string")]
    PadlockNotHex,
    #[error("proof id {proof_id:?} does not match app id {app_id:?}")]
    IdMismatch { proof_id: String, app_id: String },
    #[error("app version {app} does not accept proofs of lower version {proof}")]
    VersionTooLow { app: Version, proof: Version },
    #[error(transparent)]
    Nonce(#[from] NonceError),
    #[error("padlock does not match the one computed with the app secret")]
    PadlockMismatch,
}

/// Whether `proof` verifies for `app` at `now`.
pub fn verify_proof(proof: &str, app: &App, now: Timestamp) -> bool {
    verify_proof_with_diagnostic(proof, app, now).is_ok()
}

/// Verifies `proof` for `app` at `now`, saying why it fails: the proof must
/// decode and split into valid parts, name the app's id, have the app's
/// version or higher, carry a nonce valid for its version within the app's
/// fuzz, and hold the padlock computed with the app's secret (hex in any
/// case, compared in constant time).
pub fn verify_proof_with_diagnostic(
    proof: &str,
    app: &App,
    now: Timestamp,
) -> Result<(), VerifyError> {
    with_proof_parts(proof, |parts| verify_parts(parts, app, now))
}

fn verify_parts(parts: ProofParts<'_>, app: &App, now: Timestamp) -> Result<(), VerifyError> {
    if parts.id != app.id().as_str() {
        return Err(VerifyError::IdMismatch {
            proof_id: parts.id.to_owned(),
            app_id: app.id().as_str().to_owned(),
        });
    }
    if parts.version < app.version() {
        return Err(VerifyError::VersionTooLow {
            app: app.version(),
            proof: parts.version,
        });
    }
    check_nonce_time(parts.nonce, parts.version, app.effective_fuzz(), now)?;
    let expected = PadlockDigest::of_pieces(
        parts.version.algorithm(),
        &[
            parts.id_and_nonce.as_bytes(),
            app.secret().expose().as_bytes(),
        ],
    );
    if expected.matches_hex(parts.padlock) {
        Ok(())
    } else {
        Err(VerifyError::PadlockMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::AppId;
    use crate::case::Alphabet;
    use crate::nonce::FuzzMiss;
    use crate::padlock::HexCase;
    use crate::proof::{encode_proof, generate_proof, proof_text};
    use crate::secret::Secret;

    const NOW: &str = "2024-06-01T12:00:00Z";

    fn now() -> Timestamp {
        NOW.parse().unwrap()
    }

    fn app(version: Version, fuzz: Option<u32>) -> App {
        App::new(
            AppId::from_text("a3f1").unwrap(),
            Secret::new("s3cr3t").unwrap(),
            version,
            fuzz,
        )
        .unwrap()
    }

    /// A proof for the test app with a hand-built padlock.
    fn proof(version: Version, nonce: &str, case: HexCase) -> String {
        let padlock =
            PadlockDigest::compute(version.algorithm(), "a3f1", nonce, "s3cr3t").to_hex(case);
        encode_proof(
            &proof_text(version, "a3f1", nonce, &padlock),
            Alphabet::UrlSafe,
            true,
        )
    }

    fn check(proof: &str, app: &App) -> Result<(), VerifyError> {
        verify_proof_with_diagnostic(proof, app, now())
    }

    #[test]
    fn generated_proofs_verify() {
        for app_version in Version::ALL {
            let app = app(app_version, None);
            for version in Version::ALL.into_iter().filter(|v| *v >= app_version) {
                let proof = generate_proof(&app, Some(version), None).unwrap();
                assert!(verify_proof(&proof, &app, Timestamp::now()), "{version}");
            }
        }
    }

    #[test]
    fn known_version_three_proof_verifies() {
        // Built with sha384sum and base64; see the proof module's tests.
        let proof = "MzphM2YxOjIwMjQwNjAxVDEyMDAwMC4wMDBaOjczQkIzNEMwOUZCRkZCRTQ1MkU0RDdBNjJDOTVDRUND\
                     Q0JFRTdFRDE0QzI1MEU5NTFBQzE2NzNGOUJGMzAzMjQ1QkEzNDQ4NUMyRkM4OTFBRjI2OUE0NUVGNjM1\
                     RDE4Rg";
        assert_eq!(check(proof, &app(Version::V3, None)), Ok(()));
    }

    #[test]
    fn lowercase_and_uppercase_padlocks_verify() {
        let app = app(Version::V1, None);
        assert_eq!(
            check(&proof(Version::V1, "n0nce", HexCase::Lower), &app),
            Ok(())
        );
        assert_eq!(
            check(&proof(Version::V1, "n0nce", HexCase::Upper), &app),
            Ok(())
        );
    }

    #[test]
    fn an_app_rejects_lower_versions() {
        let proof = proof(Version::V1, "n0nce", HexCase::Upper);
        assert_eq!(
            check(&proof, &app(Version::V2, None)),
            Err(VerifyError::VersionTooLow {
                app: Version::V2,
                proof: Version::V1
            })
        );
        let proof = proof_for_v3();
        assert_eq!(check(&proof, &app(Version::V1, None)), Ok(()));
        assert_eq!(check(&proof, &app(Version::V3, None)), Ok(()));
        assert!(check(&proof, &app(Version::V4, None)).is_err());
    }

    fn proof_for_v3() -> String {
        proof(Version::V3, "20240601T120000.000Z", HexCase::Upper)
    }

    #[test]
    fn fuzz_edges() {
        let exactly_default = proof(Version::V2, "20240601T115000Z", HexCase::Upper);
        let one_beyond = proof(Version::V2, "20240601T114959Z", HexCase::Upper);
        assert_eq!(check(&exactly_default, &app(Version::V1, None)), Ok(()));
        assert_eq!(
            check(&one_beyond, &app(Version::V1, None)),
            Err(VerifyError::Nonce(NonceError::OutsideFuzz(FuzzMiss {
                offset_seconds: -601,
                fuzz: 600
            })))
        );
        let exactly_custom = proof(Version::V4, "20240601T120500.000Z", HexCase::Upper);
        let beyond_custom = proof(Version::V4, "20240601T120501.000Z", HexCase::Upper);
        assert_eq!(check(&exactly_custom, &app(Version::V4, Some(300))), Ok(()));
        assert!(check(&beyond_custom, &app(Version::V4, Some(300))).is_err());
        assert_eq!(check(&beyond_custom, &app(Version::V4, None)), Ok(()));
    }

    #[test]
    fn nonce_forms() {
        let app = app(Version::V2, None);
        let dashed = encode_proof(
            &proof_text(Version::V2, "a3f1", "2024-06-01T12:00:00.000Z", "AB"),
            Alphabet::UrlSafe,
            true,
        );
        assert_eq!(check(&dashed, &app), Err(VerifyError::WrongPartCount(6)));
        let no_fraction = proof(Version::V2, "20240601T120000Z", HexCase::Upper);
        assert_eq!(check(&no_fraction, &app), Ok(()));
        let not_a_timestamp = proof(Version::V2, "nonce", HexCase::Upper);
        assert!(matches!(
            check(&not_a_timestamp, &app),
            Err(VerifyError::Nonce(NonceError::Timestamp(_)))
        ));
    }

    #[test]
    fn wrong_id_or_secret() {
        let app_v1 = app(Version::V1, None);
        let other_id = encode_proof(
            &proof_text(Version::V1, "other", "n0nce", "AB"),
            Alphabet::UrlSafe,
            true,
        );
        assert_eq!(
            check(&other_id, &app_v1),
            Err(VerifyError::IdMismatch {
                proof_id: "other".into(),
                app_id: "a3f1".into()
            })
        );
        let other_secret = App::new(
            AppId::from_text("a3f1").unwrap(),
            Secret::new("different").unwrap(),
            Version::V1,
            None,
        )
        .unwrap();
        assert_eq!(
            check(&proof(Version::V1, "n0nce", HexCase::Upper), &other_secret),
            Err(VerifyError::PadlockMismatch)
        );
    }

    #[test]
    fn numeric_ids_match_their_decimal_text() {
        let app = App::new(
            AppId::from_number(1234),
            Secret::new("s3cr3t").unwrap(),
            Version::V1,
            None,
        )
        .unwrap();
        let proof = generate_proof(&app, None, None).unwrap();
        assert!(verify_proof(&proof, &app, now()));
    }

    #[test]
    fn messages_say_why() {
        let message = check("%%%", &app(Version::V1, None))
            .unwrap_err()
            .to_string();
        assert_eq!(message, "proof is not valid base64 (URL-safe or standard)");
        let message = check(
            &proof(Version::V1, "n0nce", HexCase::Upper),
            &app(Version::V2, None),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            message,
            "app version 2 does not accept proofs of lower version 1"
        );
    }
}
