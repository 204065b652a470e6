//! Reading the App Identity family directory: the manifest and every case file.

use std::path::{Path, PathBuf};

use crate::app_identity::model::{CaseFile, ManifestDoc};
use crate::diagnostic::{Diagnostic, Diagnostics};
pub use crate::yaml::Parsed;
use crate::yaml::parse_file;

/// The manifest's file name inside a family directory.
pub const MANIFEST_FILE: &str = "manifest.yaml";

/// Everything in one family directory, parsed but not yet checked.
pub struct LoadedFamily {
    pub directory: PathBuf,
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

/// Parses the manifest and all case files; reports every file's errors together.
pub fn load(directory: &Path, display_root: &Path) -> Result<LoadedFamily, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let manifest = parse_file::<ManifestDoc>(&directory.join(MANIFEST_FILE), display_root)
        .map_err(|d| diagnostics.push(d))
        .ok();
    let mut case_files = Vec::new();
    match case_file_paths(directory) {
        Ok(paths) => {
            for path in paths {
                match parse_file::<CaseFile>(&path, display_root) {
                    Ok(parsed) => case_files.push(parsed),
                    Err(diagnostic) => diagnostics.push(diagnostic),
                }
            }
        }
        Err(diagnostic) => diagnostics.push(diagnostic),
    }
    match manifest {
        Some(manifest) if diagnostics.is_empty() => Ok(LoadedFamily {
            directory: directory.to_path_buf(),
            manifest,
            case_files,
        }),
        _ => Err(diagnostics),
    }
}
