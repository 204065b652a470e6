//! Which spec family a path belongs to, and compiling it through that
//! family: the one entry point `spec!` uses.

use std::path::Path;

use proc_macro2::TokenStream;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::{app_identity, bogo_cases, tls};

/// A spec family, known by the file that marks its directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `manifest.yaml`: App Identity.
    AppIdentity,
    /// `implementations.yaml`: TLS interop.
    Tls,
    /// `upstream-tests/`: BoGo cases, run against the shims in the sibling
    /// `shims/` directory.
    Bogo,
}

impl Family {
    /// The family of `path`: a family directory, or a file inside one.
    pub fn of(path: &Path) -> Result<Family, Diagnostic> {
        let directory = if path.is_dir() {
            path
        } else {
            path.parent().unwrap_or(Path::new("."))
        };
        if !path.exists() {
            return Err(Diagnostic::without_position(
                &path.display().to_string(),
                "no such spec file or directory",
            ));
        }
        if directory.join(app_identity::MANIFEST_FILE).is_file() {
            Ok(Family::AppIdentity)
        } else if directory.join(tls::IMPLEMENTATIONS_FILE).is_file() {
            Ok(Family::Tls)
        } else if directory.join(bogo_cases::UPSTREAM_TESTS_DIR).is_dir() {
            Ok(Family::Bogo)
        } else {
            Err(Diagnostic::without_position(
                &path.display().to_string(),
                format!(
                    "not in a spec family directory: {} holds neither {} (App Identity), {} (TLS) nor {}/ (BoGo)",
                    directory.display(),
                    app_identity::MANIFEST_FILE,
                    tls::IMPLEMENTATIONS_FILE,
                    bogo_cases::UPSTREAM_TESTS_DIR
                ),
            ))
        }
    }
}

/// Compiles `path` (a family directory or one of its files) into the
/// tokens `spec!` expands to, choosing the family from the directory.
pub fn compile_path(path: &Path, display_root: &Path) -> Result<TokenStream, Diagnostics> {
    match Family::of(path)? {
        Family::AppIdentity => app_identity::compile_path(path, display_root),
        Family::Tls => tls::compile_path(path, display_root),
        Family::Bogo => {
            let directory = if path.is_dir() {
                path
            } else {
                path.parent().unwrap_or(Path::new("."))
            };
            bogo_cases::compile_family(directory, display_root)
        }
    }
}
