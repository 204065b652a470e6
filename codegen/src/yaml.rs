//! Parsing spec files into their typed model.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, SourceFile};

/// A parsed spec file and its source (for locations).
pub struct Parsed<T> {
    pub source: SourceFile,
    pub doc: T,
}

/// Parses a whole spec file. Unknown keys, duplicate keys and wrong types are
/// errors carrying the parser's position.
pub fn parse<T: DeserializeOwned>(file: &SourceFile) -> Result<T, Diagnostic> {
    serde_saphyr::from_str(&file.text).map_err(|error| Diagnostic::from_yaml(file, &error))
}

/// Reads and parses the spec file at `path`; `display_root` shortens the
/// path shown in messages.
pub fn parse_file<T: DeserializeOwned>(
    path: &Path,
    display_root: &Path,
) -> Result<Parsed<T>, Diagnostic> {
    let source = SourceFile::read(path, display_root)?;
    let doc = parse(&source)?;
    Ok(Parsed { source, doc })
}
