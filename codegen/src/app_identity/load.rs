//! Reading the App Identity family directory: the manifest and every case file.

use std::path::{Path, PathBuf};

use crate::app_identity::model::{CaseFile, ManifestDoc};
use crate::diagnostic::{Diagnostic, Diagnostics};
pub use crate::yaml::Parsed;
use crate::yaml::read_file;

/// The manifest's file name inside a family directory.
pub const MANIFEST_FILE: &str = "manifest.yaml";

/// Everything in one family directory, parsed but not yet checked.
pub struct LoadedFamily {
    pub directory: PathBuf,
    /// The project root: programs' paths are relative to it.
    pub root: PathBuf,
    pub manifest: Parsed<ManifestDoc>,
    /// Case files sorted by file name.
    pub case_files: Vec<Parsed<CaseFile>>,
}

/// Every `*.yaml` file in `directory` except the manifest, sorted by name.
pub fn case_file_paths(directory: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let entries = std::fs::read_dir(directory).map_err(|error| {
        Diagnostic::without_position(
            &directory.display().to_string(),
            format!("cannot list spec directory: {error}"),
        )
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension().is_some_and(|ext| ext == "yaml")
                && path.file_name().is_some_and(|name| name != MANIFEST_FILE)
        })
        .collect();
    paths.sort();
    Ok(paths)
}

/// Reads the manifest and every case file, every problem going to
/// `diagnostics`; `None` when the manifest could not be read at all.
pub fn load(
    directory: &Path,
    display_root: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<LoadedFamily> {
    let manifest =
        read_file::<ManifestDoc>(&directory.join(MANIFEST_FILE), display_root, diagnostics);
    let mut case_files = Vec::new();
    match case_file_paths(directory) {
        Ok(paths) => {
            for path in paths {
                case_files.extend(read_file::<CaseFile>(&path, display_root, diagnostics));
            }
        }
        Err(diagnostic) => diagnostics.push(diagnostic),
    }
    Some(LoadedFamily {
        directory: directory.to_path_buf(),
        root: display_root.to_path_buf(),
        manifest: manifest?,
        case_files,
    })
}
