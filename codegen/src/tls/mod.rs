//! The TLS interop spec family: `specs/tls/`.
//!
//! load (YAML → model) → plan (checks + expansion) → emit (tokens).

pub mod emit;
pub mod load;
pub mod model;
pub mod plan;

use std::path::Path;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::diagnostic::{Diagnostic, Diagnostics};
pub use load::{CASES_FILE, IMPLEMENTATIONS_FILE};

/// The generated code for the family directory.
pub struct Generated {
    /// `pub static MATRIX` only: for binaries that need the matrix.
    pub matrix: TokenStream,
    /// `MATRIX` plus one test module per case.
    pub tests: TokenStream,
    /// Spec files read (absolute paths).
    pub inputs: Vec<String>,
}

/// Compiles the family directory holding `cases.yaml` and
/// `implementations.yaml`; `display_root` is the project root (shown paths
/// are relative to it, and `MATRIX.root` is its absolute form).
pub fn compile_directory(directory: &Path, display_root: &Path) -> Result<Generated, Diagnostics> {
    let loaded = load::load(directory, display_root)?;
    let plan = plan::plan(&loaded)?;
    let matrix = emit::matrix(&plan);
    let tests = emit::tests(&plan);
    Ok(Generated {
        tests: quote! { #matrix #tests },
        matrix,
        inputs: plan.tracked_files.clone(),
    })
}

/// `spec!("specs/tls")`, or either of its files: the whole family as
/// `pub mod <directory name> { MATRIX, one module per case }`, tracking both
/// files.
pub fn compile_path(path: &Path, display_root: &Path) -> Result<TokenStream, Diagnostics> {
    let directory = family_directory(path)?;
    let loaded = load::load(directory, display_root)?;
    let plan = plan::plan(&loaded)?;
    let directory_name = directory
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = crate::names::snake_case(&directory_name).map_err(|message| {
        Diagnostic::without_position(&directory.display().to_string(), message)
    })?;
    let ident = format_ident!("{name}");
    let track = emit::track_files(&plan);
    let matrix = emit::matrix(&plan);
    let tests = emit::tests(&plan);
    Ok(quote! {
        pub mod #ident {
            #track
            #matrix
            #tests
        }
    })
}

/// The directory itself, or the directory of one of its two spec files.
fn family_directory(path: &Path) -> Result<&Path, Diagnostic> {
    if path.is_dir() {
        return Ok(path);
    }
    let is_spec_file = path
        .file_name()
        .is_some_and(|name| name == CASES_FILE || name == IMPLEMENTATIONS_FILE);
    match path.parent() {
        Some(directory) if is_spec_file => Ok(directory),
        _ => Err(Diagnostic::without_position(
            &path.display().to_string(),
            format!("not a TLS spec file: the family is {CASES_FILE} and {IMPLEMENTATIONS_FILE}"),
        )),
    }
}
