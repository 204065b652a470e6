//! Reading the BoGo case directory: every `*.yaml` file directly in it is
//! a group of cases; `upstream-tests/` holds the upstream test lists.

use std::path::{Path, PathBuf};

use crate::bogo_cases::model::CaseFileDoc;
use crate::bogo_shims::UpstreamLists;
use crate::diagnostic::{Diagnostic, Diagnostics};
pub use crate::yaml::Parsed;
use crate::yaml::read_file;

/// The directory of upstream test lists inside the case directory.
pub const UPSTREAM_TESTS_DIR: &str = "upstream-tests";

/// One case file, parsed but not yet checked.
pub struct LoadedGroup {
    /// The file stem: the group's name.
    pub name: String,
    pub file: Parsed<CaseFileDoc>,
}

/// Every case file that parsed, and where the upstream lists are.
pub struct LoadedCases {
    pub directory: PathBuf,
    /// In file-name order.
    pub groups: Vec<LoadedGroup>,
    pub lists: UpstreamLists,
}

/// The case files (`*.yaml`) directly in `directory`, sorted by name.
pub fn case_files(directory: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    crate::discover::yaml_files(directory, "the BoGo case directory")
}

/// Parses every case file in `directory`. A file that does not parse is
/// reported and left out, so the others are still checked; the caller
/// fails when `diagnostics` is not empty at the end.
pub fn load(
    directory: &Path,
    display_root: &Path,
    diagnostics: &mut Diagnostics,
) -> Result<LoadedCases, Diagnostic> {
    let files = case_files(directory)?;
    let lists = UpstreamLists::find(&directory.join(UPSTREAM_TESTS_DIR))?;
    let groups = files
        .iter()
        .filter_map(|path| {
            let file = read_file::<CaseFileDoc>(path, display_root, diagnostics)?;
            let name = path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_default();
            Some(LoadedGroup { name, file })
        })
        .collect();
    Ok(LoadedCases {
        directory: directory.to_path_buf(),
        groups,
        lists,
    })
}
