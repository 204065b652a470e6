//! The app secret: used exactly as given and kept out of every printout.

use std::fmt;

use subtle::ConstantTimeEq;

use crate::app::AppError;

/// An app secret. Its bytes are hashed as given (never decoded); `Debug` and
/// `Display` print `Secret(<redacted>)`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// A secret from its text; it must not be empty.
    pub fn new(value: impl Into<String>) -> Result<Secret, AppError> {
        let value = value.into();
        if value.is_empty() {
            return Err(AppError::EmptySecret);
        }
        Ok(Secret(value))
    }

    /// The secret text. Call only where the value itself is needed (hashing,
    /// writing a suite file), never for logging.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Secret) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_printed() {
        let secret = Secret::new("hunter2-very-secret").unwrap();
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
        assert_eq!(format!("{secret}"), "Secret(<redacted>)");
        assert!(!format!("{secret:#?}").contains("hunter2"));
    }

    #[test]
    fn used_as_given() {
        let secret = Secret::new(" c0ffee==\n").unwrap();
        assert_eq!(secret.expose(), " c0ffee==\n");
    }

    #[test]
    fn empty_rejected() {
        assert_eq!(Secret::new(""), Err(AppError::EmptySecret));
    }
}
