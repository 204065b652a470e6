//! Parsing spec files into their typed model.

use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, SourceFile};

/// Parses a whole spec file. Unknown keys, duplicate keys and wrong types are
/// errors carrying the parser's position.
pub fn parse<T: DeserializeOwned>(file: &SourceFile) -> Result<T, Diagnostic> {
    serde_saphyr::from_str(&file.text).map_err(|error| Diagnostic::from_yaml(file, &error))
}
