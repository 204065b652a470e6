//! The TLS interop spec family: `specs/tls/`.
//!
//! load (YAML → model) → plan (checks + expansion) → emit (tokens).

pub mod emit;
pub mod load;
pub mod model;
pub mod plan;

use std::path::Path;

use proc_macro2::TokenStream;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::family::{SpecFamily, load_and_plan};
pub use load::{CASES_FILE, IMPLEMENTATIONS_FILE};

/// The TLS family: `implementations.yaml` and `cases.yaml`.
pub struct Tls;

impl SpecFamily for Tls {
    const NAME: &'static str = "TLS";
    const MARKER: &'static str = IMPLEMENTATIONS_FILE;
    const TABLES_FILE: &'static str = "tls_matrix.rs";
    type Plan = plan::MatrixPlan;

    fn marks(directory: &Path) -> bool {
        directory.join(IMPLEMENTATIONS_FILE).is_file()
    }

    fn plan(directory: &Path, display_root: &Path) -> Result<plan::MatrixPlan, Diagnostics> {
        load_and_plan(
            |diagnostics| load::load(directory, display_root, diagnostics),
            plan::plan,
        )
    }

    /// `pub static MATRIX`.
    fn tables(plan: &plan::MatrixPlan, _module: &str) -> TokenStream {
        emit::matrix(plan)
    }

    /// One module per case, one test per pair.
    fn tests(plan: &plan::MatrixPlan) -> Result<TokenStream, Diagnostics> {
        Ok(emit::tests(plan))
    }

    fn inputs(plan: &plan::MatrixPlan) -> Vec<String> {
        plan.tracked_files.clone()
    }
}

/// `spec!` takes the family directory or either of its two files.
pub fn check_spec_file(path: &Path) -> Result<(), Diagnostic> {
    let is_spec_file = path
        .file_name()
        .is_some_and(|name| name == CASES_FILE || name == IMPLEMENTATIONS_FILE);
    if path.is_dir() || is_spec_file {
        Ok(())
    } else {
        Err(Diagnostic::without_position(
            &path.display().to_string(),
            format!("not a TLS spec file: the family is {CASES_FILE} and {IMPLEMENTATIONS_FILE}"),
        ))
    }
}
