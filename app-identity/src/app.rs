//! Apps: the id, secret, version and fuzz a proof is made for and checked against.

use std::fmt;

use crate::secret::Secret;
use crate::version::{UnsupportedVersion, Version};

/// Seconds a timestamp nonce may differ from now when an app sets no fuzz.
pub const DEFAULT_FUZZ: u32 = 600;

/// Why an app or one of its parts is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    #[error("app id must not be empty")]
    EmptyId,
    #[error("app id must not contain ':'")]
    IdContainsColon,
    #[error("app secret must not be empty")]
    EmptySecret,
    #[error("app {0}")]
    Version(#[from] UnsupportedVersion),
    #[error("app fuzz must be a positive number of seconds")]
    ZeroFuzz,
    #[error("app fuzz {0} exceeds the largest supported fuzz, 4294967295 seconds")]
    FuzzTooLarge(u64),
}

/// An app id: a string, or a number presented as its decimal string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AppId {
    text: String,
    number: Option<u64>,
}

impl AppId {
    /// A string id; it must be non-empty and free of `:`.
    pub fn from_text(text: impl Into<String>) -> Result<AppId, AppError> {
        let text = text.into();
        if text.is_empty() {
            return Err(AppError::EmptyId);
        }
        if text.contains(':') {
            return Err(AppError::IdContainsColon);
        }
        Ok(AppId { text, number: None })
    }

    pub fn from_number(number: u64) -> AppId {
        AppId {
            text: number.to_string(),
            number: Some(number),
        }
    }

    /// The id as it appears in padlocks and proofs.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The number, for ids made from one.
    pub fn as_number(&self) -> Option<u64> {
        self.number
    }
}

impl From<u64> for AppId {
    fn from(number: u64) -> AppId {
        AppId::from_number(number)
    }
}

impl TryFrom<&str> for AppId {
    type Error = AppError;

    fn try_from(text: &str) -> Result<AppId, AppError> {
        AppId::from_text(text)
    }
}

impl TryFrom<String> for AppId {
    type Error = AppError;

    fn try_from(text: String) -> Result<AppId, AppError> {
        AppId::from_text(text)
    }
}

impl fmt::Display for AppId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// An app. `Debug` shows everything but the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    id: AppId,
    secret: Secret,
    version: Version,
    fuzz: Option<u32>,
}

impl App {
    /// An app from validated parts; `fuzz`, when given, must be positive.
    pub fn new(
        id: AppId,
        secret: Secret,
        version: Version,
        fuzz: Option<u32>,
    ) -> Result<App, AppError> {
        if fuzz == Some(0) {
            return Err(AppError::ZeroFuzz);
        }
        Ok(App {
            id,
            secret,
            version,
            fuzz,
        })
    }

    pub fn id(&self) -> &AppId {
        &self.id
    }

    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The minimum algorithm version this app accepts.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The configured fuzz, if any.
    pub fn fuzz(&self) -> Option<u32> {
        self.fuzz
    }

    /// The fuzz timestamp nonces are checked with.
    pub fn effective_fuzz(&self) -> u32 {
        self.fuzz.unwrap_or(DEFAULT_FUZZ)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_rules() {
        assert_eq!(AppId::from_text(""), Err(AppError::EmptyId));
        assert_eq!(AppId::from_text("a:b"), Err(AppError::IdContainsColon));
        assert_eq!(AppId::from_text("app").unwrap().as_str(), "app");
        let numeric = AppId::from_number(42);
        assert_eq!(numeric.as_str(), "42");
        assert_eq!(numeric.as_number(), Some(42));
        assert_eq!(numeric.to_string(), "42");
    }

    #[test]
    fn fuzz_must_be_positive() {
        let secret = Secret::new("s").unwrap();
        let id = AppId::from_number(1);
        assert_eq!(
            App::new(id.clone(), secret.clone(), Version::V2, Some(0)),
            Err(AppError::ZeroFuzz)
        );
        let app = App::new(id, secret, Version::V2, None).unwrap();
        assert_eq!(app.effective_fuzz(), DEFAULT_FUZZ);
    }

    #[test]
    fn debug_hides_secret() {
        let app = App::new(
            AppId::from_text("app").unwrap(),
            Secret::new("top-secret-value").unwrap(),
            Version::V1,
            Some(30),
        )
        .unwrap();
        let printed = format!("{app:?} {app:#?}");
        assert!(!printed.contains("top-secret-value"));
        assert!(printed.contains("Secret(<redacted>)"));
        assert!(printed.contains("app"));
    }
}
