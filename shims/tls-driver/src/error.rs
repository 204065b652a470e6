//! The one error type of the shims: what went wrong, in words a person can act on.

use std::fmt;

/// A failed step of a scenario, or a setup problem.
#[derive(Debug)]
pub enum Error {
    /// The command line or the environment is malformed (exit status 2).
    Invocation(String),
    /// I/O on the TCP connection or through the TLS stream failed.
    Io {
        what: String,
        source: std::io::Error,
    },
    /// The TLS library reported an error (configuration or handshake).
    Library { what: String, detail: String },
    /// A scenario check did not hold (wrong bytes, not resumed, ...).
    Check(String),
}

impl Error {
    /// An I/O error while doing `what`.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            what: what.into(),
            source,
        }
    }

    /// A library error while doing `what`; `detail` is the library's own message.
    pub fn library(what: impl Into<String>, detail: impl fmt::Display) -> Self {
        Error::Library {
            what: what.into(),
            detail: detail.to_string(),
        }
    }

    /// A failed scenario check.
    pub fn check(message: impl Into<String>) -> Self {
        Error::Check(message.into())
    }

    /// The same error, its message prefixed with the step it happened in.
    pub fn during(self, step: &str) -> Self {
        match self {
            Error::Invocation(message) => Error::Invocation(format!("{step}: {message}")),
            Error::Check(message) => Error::Check(format!("{step}: {message}")),
            Error::Io { what, source } => Error::Io {
                what: format!("{step}: {what}"),
                source,
            },
            Error::Library { what, detail } => Error::Library {
                what: format!("{step}: {what}"),
                detail,
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invocation(message) | Error::Check(message) => f.write_str(message),
            Error::Io { what, source } => write!(f, "{what}: {source}"),
            Error::Library { what, detail } => write!(f, "{what}: {detail}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Attaches a description of the step to a library's error.
pub trait Context<T> {
    /// Maps the error to [`Error::Library`] with `what` as the step.
    fn context(self, what: &str) -> Result<T, Error>;
}

impl<T, E: fmt::Display> Context<T> for Result<T, E> {
    fn context(self, what: &str) -> Result<T, Error> {
        self.map_err(|error| Error::library(what, error))
    }
}
