//! Reading the TLS family directory: `cases.yaml` and `implementations.yaml`.

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostics;
use crate::tls::model::{CasesDoc, ImplementationsDoc};
pub use crate::yaml::Parsed;
use crate::yaml::read_file;

/// The cases' file name inside the family directory.
pub const CASES_FILE: &str = "cases.yaml";
/// The implementations' file name; its presence marks a TLS family directory.
pub const IMPLEMENTATIONS_FILE: &str = "implementations.yaml";

/// Both spec files, parsed but not yet checked.
pub struct LoadedFamily {
    pub directory: PathBuf,
    /// The project root: where programs run and relative paths resolve.
    pub root: PathBuf,
    pub cases: Parsed<CasesDoc>,
    pub implementations: Parsed<ImplementationsDoc>,
}

/// Reads both files, every problem of both going to `diagnostics`; `None`
/// when either could not be read at all.
pub fn load(
    directory: &Path,
    display_root: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<LoadedFamily> {
    let cases = read_file::<CasesDoc>(&directory.join(CASES_FILE), display_root, diagnostics);
    let implementations = read_file::<ImplementationsDoc>(
        &directory.join(IMPLEMENTATIONS_FILE),
        display_root,
        diagnostics,
    );
    Some(LoadedFamily {
        directory: directory.to_path_buf(),
        root: std::path::absolute(display_root).unwrap_or_else(|_| display_root.to_path_buf()),
        cases: cases?,
        implementations: implementations?,
    })
}
