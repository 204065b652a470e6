//! Integration suites: the JSON files generators write and runners read.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::SPEC_VERSION;
use crate::app::{App, AppError, AppId};
use crate::case::Expect;
use crate::secret::Secret;
use crate::version::Version;

/// A suite: the tests one generator made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suite {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The generating implementation.
    pub name: String,
    pub spec_version: u32,
    pub tests: Vec<SuiteTest>,
    /// The generating implementation's version.
    pub version: String,
}

/// One test: an app, a proof, and whether the proof must verify for the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteTest {
    pub description: String,
    pub expect: Expect,
    pub app: SuiteApp,
    pub proof: String,
    pub required: bool,
    pub spec_version: u32,
}

/// A test's app as written in the suite. Other keys (the TypeScript
/// generator writes `"verified": false`) are ignored.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteApp {
    pub id: SuiteAppId,
    pub secret: String,
    pub version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<SuiteAppConfig>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteAppConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuzz: Option<u64>,
}

/// An app id as written: a JSON number or string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SuiteAppId {
    Number(serde_json::Number),
    Text(String),
}

/// Why a suite cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    #[error("invalid suite JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("suite has no tests")]
    NoTests,
    #[error("test {number} ({description:?}): {problem}")]
    InvalidTest {
        /// 1-based position in the suite.
        number: usize,
        description: String,
        problem: AppError,
    },
}

impl Suite {
    /// Reads a suite and checks it: at least one test, and a valid app in
    /// every test of a spec version this crate implements (newer tests are
    /// kept as written, for runners to skip).
    pub fn from_json(text: &str) -> Result<Suite, SuiteError> {
        let suite: Suite = serde_json::from_str(text)?;
        suite.check()?;
        Ok(suite)
    }

    fn check(&self) -> Result<(), SuiteError> {
        if self.tests.is_empty() {
            return Err(SuiteError::NoTests);
        }
        let known_tests = self
            .tests
            .iter()
            .enumerate()
            .filter(|(_, test)| test.spec_version <= SPEC_VERSION);
        for (index, test) in known_tests {
            test.app
                .to_app()
                .map_err(|problem| SuiteError::InvalidTest {
                    number: index + 1,
                    description: test.description.clone(),
                    problem,
                })?;
        }
        Ok(())
    }

    /// The suite as indented JSON.
    pub fn to_json_pretty(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }

    /// Who generated the suite, as runners print it: the description, or
    /// else `{name} {version} (spec {spec_version})`.
    pub fn generator(&self) -> String {
        match &self.description {
            Some(description) => description.clone(),
            None => describe_generator(&self.name, &self.version, self.spec_version),
        }
    }
}

impl FromStr for Suite {
    type Err = SuiteError;

    fn from_str(text: &str) -> Result<Suite, SuiteError> {
        Suite::from_json(text)
    }
}

/// `{name} {version} (spec {spec_version})`, or just `{name} {version}` when
/// the version already names a spec (`1.0 spec 4`).
pub fn describe_generator(name: &str, version: &str, spec_version: u32) -> String {
    if names_a_spec(version) {
        format!("{name} {version}")
    } else {
        format!("{name} {version} (spec {spec_version})")
    }
}

/// Whether `text` holds the word `spec`, a space and a single digit (the
/// references' `\bspec \d\b`).
fn names_a_spec(text: &str) -> bool {
    let is_word = |byte: Option<&u8>| byte.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
    let bytes = text.as_bytes();
    text.match_indices("spec ").any(|(start, _)| {
        let digit = start + "spec ".len();
        !is_word(start.checked_sub(1).and_then(|before| bytes.get(before)))
            && bytes.get(digit).is_some_and(u8::is_ascii_digit)
            && !is_word(bytes.get(digit + 1))
    })
}

impl SuiteApp {
    /// The suite entry for `app`; numeric ids stay numbers.
    pub fn from_app(app: &App) -> SuiteApp {
        let id = match app.id().as_number() {
            Some(number) => SuiteAppId::Number(number.into()),
            None => SuiteAppId::Text(app.id().as_str().to_owned()),
        };
        SuiteApp {
            id,
            secret: app.secret().expose().to_owned(),
            version: u64::from(app.version().number()),
            config: app.fuzz().map(|fuzz| SuiteAppConfig {
                fuzz: Some(u64::from(fuzz)),
            }),
        }
    }

    /// The app this entry describes.
    pub fn to_app(&self) -> Result<App, AppError> {
        let id = self.id.to_app_id()?;
        let secret = Secret::new(self.secret.as_str())?;
        let version = Version::from_number(self.version)?;
        let fuzz = match self.config.as_ref().and_then(|config| config.fuzz) {
            Some(fuzz) => Some(u32::try_from(fuzz).map_err(|_| AppError::FuzzTooLarge(fuzz))?),
            None => None,
        };
        App::new(id, secret, version, fuzz)
    }
}

impl fmt::Debug for SuiteApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SuiteApp")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .field("version", &self.version)
            .field("config", &self.config)
            .finish()
    }
}

impl SuiteAppId {
    /// The id as implementations present it: numbers as their decimal text.
    pub fn to_app_id(&self) -> Result<AppId, AppError> {
        match self {
            SuiteAppId::Text(text) => AppId::from_text(text.as_str()),
            SuiteAppId::Number(number) => match (number.as_u64(), number.as_i64()) {
                (Some(unsigned), _) => Ok(AppId::from_number(unsigned)),
                (None, Some(signed)) => AppId::from_text(signed.to_string()),
                // Fractional numbers: Rust's shortest form, which is also
                // JavaScript's for ordinary magnitudes (`1.5`, `2` for 2.0).
                (None, None) => AppId::from_text(
                    number
                        .as_f64()
                        .map_or_else(|| number.to_string(), |float| float.to_string()),
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TS_STYLE: &str = r#"{
  "description": "@kineticcafe/app-identity 2.0.1 (@kineticcafe/app-identity-node, spec 4)",
  "name": "@kineticcafe/app-identity",
  "spec_version": 4,
  "tests": [
    {
      "description": "App V1, Proof V1",
      "expect": "pass",
      "app": {
        "id": "4004088c-bdb5-4f39-be59-645b782bb2dd",
        "secret": "838f0f4dd44499f5400e6bf98a87337eba20b91ba2c0414f5f017434829afb87",
        "version": 1,
        "config": null,
        "verified": false
      },
      "proof": "NDAw",
      "required": true,
      "spec_version": 4
    },
    {
      "description": "numeric id, custom fuzz",
      "expect": "fail",
      "app": { "id": 42, "secret": "s", "version": 2, "config": { "fuzz": 300 } },
      "proof": "x",
      "required": false,
      "spec_version": 4
    }
  ],
  "version": "2.0.1"
}"#;

    #[test]
    fn reads_typescript_suites() {
        let suite = Suite::from_json(TS_STYLE).unwrap();
        assert_eq!(suite.tests.len(), 2);
        let first = &suite.tests[0];
        assert_eq!(first.expect, Expect::Pass);
        assert_eq!(first.app.config, None);
        let app = suite.tests[1].app.to_app().unwrap();
        assert_eq!(app.id().as_number(), Some(42));
        assert_eq!(app.fuzz(), Some(300));
        assert_eq!(app.version(), Version::V2);
    }

    #[test]
    fn round_trips_through_json() {
        let suite = Suite::from_json(TS_STYLE).unwrap();
        let json = suite.to_json_pretty().unwrap();
        assert_eq!(Suite::from_json(&json).unwrap(), suite);
        assert!(json.contains(r#""id": 42"#));
        assert!(!json.contains("verified"));
    }

    #[test]
    fn serializes_keys_in_reference_order() {
        let suite = Suite::from_json(TS_STYLE).unwrap();
        let json = serde_json::to_string(&suite).unwrap();
        assert!(json.starts_with(
            r#"{"description":"@kineticcafe/app-identity 2.0.1 (@kineticcafe/app-identity-node, spec 4)","name":"@kineticcafe/app-identity","spec_version":4,"tests":[{"description":"App V1, Proof V1","expect":"pass","app":{"id":"4004088c"#
        ), "{json}");
        assert!(json.ends_with(r#"],"version":"2.0.1"}"#), "{json}");
    }

    #[test]
    fn unknown_suite_and_test_keys_are_errors() {
        let extra_suite_key = TS_STYLE.replacen("\"name\"", "\"extra\": 1, \"name\"", 1);
        let message = Suite::from_json(&extra_suite_key).unwrap_err().to_string();
        assert!(message.contains("unknown field `extra`"), "{message}");
        assert!(message.contains("line 3"), "{message}");
        let extra_test_key = TS_STYLE.replacen("\"proof\": \"x\"", "\"proof\": \"x\", \"x\": 1", 1);
        assert!(Suite::from_json(&extra_test_key).is_err());
    }

    #[test]
    fn semantic_problems_name_the_test() {
        let empty_id = TS_STYLE.replace("\"id\": 42", "\"id\": \"\"");
        assert_eq!(
            Suite::from_json(&empty_id).unwrap_err().to_string(),
            "test 2 (\"numeric id, custom fuzz\"): app id must not be empty"
        );
        let bad_version = TS_STYLE.replace("\"version\": 2", "\"version\": 7");
        let message = Suite::from_json(&bad_version).unwrap_err().to_string();
        assert!(message.starts_with("test 2 "), "{message}");
        let no_tests = r#"{"name": "x", "version": "1", "spec_version": 4, "tests": []}"#;
        assert!(matches!(
            Suite::from_json(no_tests),
            Err(SuiteError::NoTests)
        ));
    }

    #[test]
    fn newer_spec_tests_are_not_checked() {
        let future = TS_STYLE
            .replace("\"version\": 2", "\"version\": 9")
            .replacen(
                "\"spec_version\": 4\n    }\n  ]",
                "\"spec_version\": 5\n    }\n  ]",
                1,
            );
        assert!(Suite::from_json(&future).is_ok());
    }

    #[test]
    fn bad_json_reports_position() {
        let message = Suite::from_json("{\"name\": }").unwrap_err().to_string();
        assert!(message.starts_with("invalid suite JSON: "), "{message}");
        assert!(message.contains("line 1 column"), "{message}");
    }

    #[test]
    fn numeric_ids_present_as_decimal_text() {
        let id = |json: &str| {
            serde_json::from_str::<SuiteAppId>(json)
                .unwrap()
                .to_app_id()
                .unwrap()
                .as_str()
                .to_owned()
        };
        assert_eq!(id("7"), "7");
        assert_eq!(id("-7"), "-7");
        assert_eq!(id("2.0"), "2");
        assert_eq!(id("1.5"), "1.5");
        assert_eq!(id("\"007\""), "007");
    }

    #[test]
    fn debug_hides_secrets() {
        let suite = Suite::from_json(TS_STYLE).unwrap();
        assert!(!format!("{suite:?}").contains("838f0f4dd"));
    }

    #[test]
    fn generator_strings() {
        assert_eq!(describe_generator("x", "1.0", 4), "x 1.0 (spec 4)");
        assert_eq!(describe_generator("x", "1.0 spec 4", 4), "x 1.0 spec 4");
        assert_eq!(describe_generator("x", "1.0 (spec 3)", 4), "x 1.0 (spec 3)");
        assert_eq!(
            describe_generator("x", "respec 4", 4),
            "x respec 4 (spec 4)"
        );
        assert_eq!(describe_generator("x", "spec 42", 4), "x spec 42 (spec 4)");
        let mut suite = Suite::from_json(TS_STYLE).unwrap();
        assert_eq!(
            suite.generator(),
            "@kineticcafe/app-identity 2.0.1 (@kineticcafe/app-identity-node, spec 4)"
        );
        suite.description = None;
        assert_eq!(
            suite.generator(),
            "@kineticcafe/app-identity 2.0.1 (spec 4)"
        );
    }
}
