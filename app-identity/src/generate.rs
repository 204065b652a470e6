//! The suite generator: one test, with a fresh app and a real proof, per case.

use jiff::{Span, Timestamp};

use crate::SPEC_VERSION;
use crate::app::{App, AppError, AppId};
use crate::case::{AppSpec, CaseSpec, IdSpec, NonceSpec, PadlockCase, PadlockSpec};
use crate::encoding::from_url_safe_padded;
use crate::nonce::generate_nonce;
use crate::padlock::{HexCase, PadlockDigest, encode_hex};
use crate::proof::{GenerateProofError, encode_proof, generate_proof, proof_text};
use crate::secret::Secret;
use crate::suite::{Suite, SuiteApp, SuiteTest, describe_generator};
use crate::timestamp::{TooManyFractionDigits, timestamp_nonce};
use crate::version::{UnsupportedVersion, Version};

/// Bytes of randomness in a generated app secret (written as hex).
const SECRET_BYTES: usize = 32;

/// The implementation named in a generated suite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratorInfo {
    pub name: String,
    pub version: String,
    /// Defaults to `{name} {version} (spec 4)`.
    pub description: Option<String>,
}

impl GeneratorInfo {
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> GeneratorInfo {
        GeneratorInfo {
            name: name.into(),
            version: version.into(),
            description: None,
        }
    }

    /// The suite description this generator writes.
    pub fn description(&self) -> String {
        self.description
            .clone()
            .unwrap_or_else(|| describe_generator(&self.name, &self.version, SPEC_VERSION))
    }
}

/// Why a suite cannot be generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("no cases to generate a suite from")]
    NoCases,
    #[error("case {number} ({description:?}): {problem}")]
    Case {
        /// 1-based position in the case list.
        number: usize,
        description: String,
        problem: CaseError,
    },
}

/// Why one case cannot be turned into a test.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("proof {0}")]
    ProofVersion(UnsupportedVersion),
    #[error(transparent)]
    Proof(#[from] GenerateProofError),
    #[error(transparent)]
    FractionDigits(#[from] TooManyFractionDigits),
    #[error("nonce offset of {0} minutes leaves the supported time range")]
    NonceOffset(i64),
    #[error("random number source failed: {0}")]
    Random(getrandom::Error),
}

/// A suite with one test per case, in order.
pub fn generate_suite(info: &GeneratorInfo, cases: &[CaseSpec]) -> Result<Suite, GenerateError> {
    if cases.is_empty() {
        return Err(GenerateError::NoCases);
    }
    let tests = cases
        .iter()
        .enumerate()
        .map(|(index, case)| {
            generate_test(case).map_err(|problem| GenerateError::Case {
                number: index + 1,
                description: case.description.to_string(),
                problem,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Suite {
        description: Some(info.description()),
        name: info.name.clone(),
        spec_version: SPEC_VERSION,
        tests,
        version: info.version.clone(),
    })
}

/// The test for one case: a new app with a random secret and the proof the
/// case describes.
pub fn generate_test(case: &CaseSpec) -> Result<SuiteTest, CaseError> {
    let app = generate_app(&case.app)?;
    let proof = generate_case_proof(case, &app, Timestamp::now())?;
    Ok(SuiteTest {
        description: case.description.to_string(),
        expect: case.expect,
        app: SuiteApp::from_app(&app),
        proof,
        required: case.required,
        spec_version: case.spec_version,
    })
}

fn generate_app(spec: &AppSpec) -> Result<App, CaseError> {
    let id = match &spec.id {
        IdSpec::Random => AppId::from_text(uuid::Uuid::new_v4().to_string())?,
        IdSpec::Text(text) => AppId::from_text(&**text)?,
        IdSpec::Number(number) => AppId::from_number(*number),
    };
    let mut secret = [0; SECRET_BYTES];
    getrandom::fill(&mut secret).map_err(CaseError::Random)?;
    let secret = Secret::new(encode_hex(&secret, HexCase::Lower))?;
    let version = Version::try_from(spec.version).map_err(AppError::from)?;
    Ok(App::new(id, secret, version, spec.fuzz)?)
}

/// Follows the reference generator: the public API when the case asks for
/// nothing unusual, otherwise a padlock and proof put together by hand.
fn generate_case_proof(case: &CaseSpec, app: &App, now: Timestamp) -> Result<String, CaseError> {
    let proof = &case.proof;
    let version = Version::try_from(proof.version).map_err(CaseError::ProofVersion)?;
    let customised =
        proof.id.is_some() || proof.secret.is_some() || case.nonce != NonceSpec::Default;
    if case.padlock == PadlockSpec::Default && !customised {
        let encoded = generate_proof(app, Some(version), None)?;
        return Ok(from_url_safe_padded(&encoded, proof.alphabet, proof.padded));
    }

    let nonce = case_nonce(&case.nonce, version, now)?;
    let id = proof.id.as_deref().unwrap_or(app.id().as_str());
    let secret = proof.secret.as_deref().unwrap_or(app.secret().expose());
    let digest = |padlock_nonce: &str| {
        PadlockDigest::compute(version.algorithm(), id, padlock_nonce, secret)
    };
    let padlock = match &case.padlock {
        PadlockSpec::Value(value) => value.to_string(),
        PadlockSpec::Build {
            nonce: padlock_nonce,
            case: letter_case,
        } => digest(padlock_nonce.as_deref().unwrap_or(&nonce)).to_hex(hex_case(*letter_case)?),
        PadlockSpec::Default => digest(&nonce).to_hex(HexCase::Upper),
    };
    Ok(encode_proof(
        &proof_text(version, id, &nonce, &padlock),
        proof.alphabet,
        proof.padded,
    ))
}

fn case_nonce(spec: &NonceSpec, version: Version, now: Timestamp) -> Result<String, CaseError> {
    Ok(match *spec {
        NonceSpec::Default => generate_nonce(version),
        NonceSpec::Value(ref value) => value.to_string(),
        NonceSpec::Empty => String::new(),
        NonceSpec::Timestamp {
            offset_minutes,
            fraction_digits,
        } => {
            let out_of_range = |_| CaseError::NonceOffset(offset_minutes);
            let offset = Span::new()
                .try_minutes(offset_minutes)
                .map_err(out_of_range)?;
            let at = now.checked_add(offset).map_err(out_of_range)?;
            timestamp_nonce(at, fraction_digits)?
        }
    })
}

fn hex_case(letter_case: PadlockCase) -> Result<HexCase, CaseError> {
    Ok(match letter_case {
        PadlockCase::Upper => HexCase::Upper,
        PadlockCase::Lower => HexCase::Lower,
        PadlockCase::Random => {
            if getrandom::u32().map_err(CaseError::Random)? & 1 == 0 {
                HexCase::Upper
            } else {
                HexCase::Lower
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::case::{Alphabet, Expect, ProofSpec};
    use crate::proof::Proof;
    use crate::verify::verify_proof_with_diagnostic;

    const APP_V1: AppSpec = AppSpec {
        version: 1,
        fuzz: None,
        id: IdSpec::Random,
    };

    const PROOF_V1: ProofSpec = ProofSpec {
        version: 1,
        id: None,
        secret: None,
        alphabet: Alphabet::UrlSafe,
        padded: true,
    };

    const fn case(description: &'static str, expect: Expect) -> CaseSpec {
        CaseSpec {
            description: Cow::Borrowed(description),
            spec_version: 4,
            expect,
            required: true,
            app: APP_V1,
            proof: PROOF_V1,
            nonce: NonceSpec::Default,
            padlock: PadlockSpec::Default,
        }
    }

    const fn app(version: u8, fuzz: Option<u32>) -> AppSpec {
        AppSpec {
            version,
            fuzz,
            id: IdSpec::Random,
        }
    }

    const fn proof(version: u8) -> ProofSpec {
        ProofSpec {
            version,
            ..PROOF_V1
        }
    }

    /// A selection of the upstream required and optional descriptions.
    fn upstream() -> Vec<CaseSpec> {
        vec![
            CaseSpec {
                app: app(2, None),
                proof: proof(4),
                ..case("App V2, Proof V4", Expect::Pass)
            },
            CaseSpec {
                app: app(3, Some(300)),
                proof: proof(3),
                ..case("App V3, Proof V3 (custom fuzz)", Expect::Pass)
            },
            CaseSpec {
                app: app(1, Some(300)),
                proof: proof(2),
                nonce: NonceSpec::Value(Cow::Borrowed("20060102T150405.333Z")),
                ..case("App V1, Proof V2 old timestamp", Expect::Fail)
            },
            CaseSpec {
                padlock: PadlockSpec::Build {
                    nonce: None,
                    case: PadlockCase::Lower,
                },
                ..case("App V1, Proof V1, lowercase padlock", Expect::Pass)
            },
            CaseSpec {
                padlock: PadlockSpec::Value(Cow::Borrowed("zoom")),
                ..case("App V1, Proof V1, non-hex padlock value", Expect::Fail)
            },
            CaseSpec {
                app: app(4, None),
                proof: proof(4),
                nonce: NonceSpec::Timestamp {
                    offset_minutes: -12,
                    fraction_digits: 3,
                },
                ..case("App V4, Proof V4 offset timestamp", Expect::Fail)
            },
            CaseSpec {
                app: app(2, Some(300)),
                proof: proof(3),
                nonce: NonceSpec::Timestamp {
                    offset_minutes: -7,
                    fraction_digits: 3,
                },
                ..case(
                    "App V2, Proof V3 offset timestamp (custom fuzz)",
                    Expect::Fail,
                )
            },
            CaseSpec {
                nonce: NonceSpec::Empty,
                ..case("App V1, Proof V1, Empty Nonce", Expect::Fail)
            },
            CaseSpec {
                nonce: NonceSpec::Value(Cow::Borrowed("n:once")),
                ..case("App V1, Proof V1, bad padlock", Expect::Fail)
            },
            CaseSpec {
                proof: proof(3),
                nonce: NonceSpec::Value(Cow::Borrowed("2006-01-02T15:04:05.333Z")),
                ..case("Proof V3, bad padlock", Expect::Fail)
            },
            CaseSpec {
                proof: proof(4),
                nonce: NonceSpec::Value(Cow::Borrowed("nonce")),
                ..case("Proof V4, Non-Timestamp Nonce", Expect::Fail)
            },
            CaseSpec {
                proof: ProofSpec {
                    id: Some(Cow::Borrowed("00000000-0000-0000-0000-000000000000")),
                    ..proof(2)
                },
                ..case("Proof V2, Incorrect Proof ID", Expect::Fail)
            },
            CaseSpec {
                proof: ProofSpec {
                    secret: Some(Cow::Borrowed("myvoiceismypassword")),
                    ..proof(1)
                },
                ..case("Proof V1, Incorrect Proof Secret", Expect::Fail)
            },
            CaseSpec {
                proof: proof(4),
                padlock: PadlockSpec::Build {
                    nonce: Some(Cow::Borrowed("bad padlock")),
                    case: PadlockCase::Random,
                },
                ..case("Proof V4, Mismatched Padlock", Expect::Fail)
            },
        ]
    }

    fn info() -> GeneratorInfo {
        GeneratorInfo::new("crosscheck app-identity", "0.1.0")
    }

    #[test]
    fn each_case_meets_its_expectation() {
        for _ in 0..8 {
            let suite = generate_suite(&info(), &upstream()).unwrap();
            for test in &suite.tests {
                let app = test.app.to_app().unwrap();
                let outcome = verify_proof_with_diagnostic(&test.proof, &app, Timestamp::now());
                let verified = outcome.is_ok();
                assert_eq!(
                    verified,
                    test.expect == Expect::Pass,
                    "{}: {outcome:?}",
                    test.description
                );
            }
        }
    }

    #[test]
    fn cases_fail_for_the_intended_reason() {
        use crate::nonce::NonceError;
        use crate::verify::VerifyError;
        let suite = generate_suite(&info(), &upstream()).unwrap();
        let reason = |description: &str| {
            let test = suite
                .tests
                .iter()
                .find(|test| test.description == description)
                .unwrap();
            verify_proof_with_diagnostic(&test.proof, &test.app.to_app().unwrap(), Timestamp::now())
                .unwrap_err()
        };
        assert!(matches!(
            reason("App V1, Proof V2 old timestamp"),
            VerifyError::Nonce(NonceError::OutsideFuzz(_))
        ));
        assert_eq!(
            reason("App V1, Proof V1, non-hex padlock value"),
            VerifyError::PadlockNotHex
        );
        assert_eq!(
            reason("App V1, Proof V1, Empty Nonce"),
            VerifyError::Nonce(NonceError::Empty)
        );
        // `id:n:once:padlock` reads as four parts with the id as version.
        assert!(matches!(
            reason("App V1, Proof V1, bad padlock"),
            VerifyError::InvalidVersion(_)
        ));
        assert!(matches!(
            reason("Proof V2, Incorrect Proof ID"),
            VerifyError::IdMismatch { .. }
        ));
        assert_eq!(
            reason("Proof V1, Incorrect Proof Secret"),
            VerifyError::PadlockMismatch
        );
        assert_eq!(
            reason("Proof V4, Mismatched Padlock"),
            VerifyError::PadlockMismatch
        );
    }

    #[test]
    fn suite_fields() {
        let suite = generate_suite(&info(), &upstream()).unwrap();
        assert_eq!(
            suite.description.as_deref(),
            Some("crosscheck app-identity 0.1.0 (spec 4)")
        );
        assert_eq!(suite.spec_version, 4);
        assert_eq!(suite.tests.len(), upstream().len());
        let first = &suite.tests[0];
        assert_eq!(first.app.version, 2);
        assert_eq!(first.app.secret.len(), 64);
        assert!(
            first
                .app
                .secret
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert!(uuid::Uuid::parse_str(&first.app.id.to_app_id().unwrap().to_string()).is_ok());
        assert_eq!(
            suite.tests[1].app.config.as_ref().and_then(|c| c.fuzz),
            Some(300)
        );
        let json = suite.to_json_pretty().unwrap();
        assert_eq!(Suite::from_json(&json).unwrap(), suite);
    }

    #[test]
    fn conservative_encoding_and_nonces() {
        let suite = generate_suite(&info(), &upstream()).unwrap();
        for test in &suite.tests {
            assert_eq!(test.proof.len() % 4, 0, "padded: {}", test.description);
            assert!(
                !test.proof.contains(['+', '/']),
                "URL-safe: {}",
                test.description
            );
        }
        let offset = Proof::parse(&suite.tests[5].proof).unwrap();
        assert_eq!(offset.nonce.len(), "YYYYMMDDTHHMMSS.mmmZ".len());
    }

    #[test]
    fn honours_alphabet_padding_and_ids() {
        let cases = [
            CaseSpec {
                app: AppSpec {
                    id: IdSpec::Number(12345),
                    ..APP_V1
                },
                proof: ProofSpec {
                    alphabet: Alphabet::Standard,
                    padded: false,
                    ..proof(2)
                },
                ..case("numeric id, standard unpadded", Expect::Pass)
            },
            CaseSpec {
                app: AppSpec {
                    id: IdSpec::Text(Cow::Borrowed("my-app")),
                    ..APP_V1
                },
                proof: ProofSpec {
                    alphabet: Alphabet::Standard,
                    padded: false,
                    ..proof(3)
                },
                nonce: NonceSpec::Timestamp {
                    offset_minutes: 0,
                    fraction_digits: 0,
                },
                ..case("no fraction", Expect::Pass)
            },
        ];
        let suite = generate_suite(&info(), &cases).unwrap();
        let json = serde_json::to_string(&suite).unwrap();
        assert!(json.contains(r#""id":12345"#), "{json}");
        for test in &suite.tests {
            assert!(!test.proof.ends_with('='));
            let app = test.app.to_app().unwrap();
            assert_eq!(
                verify_proof_with_diagnostic(&test.proof, &app, Timestamp::now()),
                Ok(())
            );
        }
        let no_fraction = Proof::parse(&suite.tests[1].proof).unwrap();
        assert_eq!(no_fraction.nonce.len(), "YYYYMMDDTHHMMSSZ".len());
        assert_eq!(no_fraction.id, "my-app");
    }

    #[test]
    fn reports_bad_cases() {
        assert!(matches!(
            generate_suite(&info(), &[]),
            Err(GenerateError::NoCases)
        ));
        let bad = [
            case("fine", Expect::Pass),
            CaseSpec {
                app: app(2, None),
                ..case("proof below app", Expect::Pass)
            },
        ];
        let message = generate_suite(&info(), &bad).unwrap_err().to_string();
        assert_eq!(
            message,
            "case 2 (\"proof below app\"): app version 2 cannot make a proof of lower version 1"
        );
        let bad_version = [CaseSpec {
            proof: proof(9),
            ..case("v9", Expect::Pass)
        }];
        let message = generate_suite(&info(), &bad_version)
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "case 1 (\"v9\"): proof unsupported version 9 (must be 1-4)"
        );
    }
}
