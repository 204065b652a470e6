//! Reading shim files into [`ShimDoc`] with the spec loader.

use std::path::{Path, PathBuf};

use crate::bogo_shims::model::ShimDoc;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::yaml::read_file;

/// A shim file, read.
#[derive(Debug, Clone)]
pub struct LoadedShim {
    /// The file stem: how the CLI and tests name the shim.
    pub name: String,
    pub source: SourceFile,
    pub doc: ShimDoc,
}

/// The shim files (`*.yaml`) directly in `directory`, sorted by name.
pub fn shim_files(directory: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    crate::discover::yaml_files(directory, "the shim directory")
}

/// Reads one shim file. Problems go to `diagnostics`; `None` when the file
/// could not be read or lacks what every later check needs.
pub fn load_file(
    path: &Path,
    display_root: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<LoadedShim> {
    let file = read_file::<ShimDoc>(path, display_root, diagnostics)?;
    let name = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    Some(LoadedShim {
        name,
        source: file.source,
        doc: file.doc,
    })
}
