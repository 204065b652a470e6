//! The one shape every spec family has: a directory recognised by its
//! marker file, read and checked into a plan (load → check → expand, every
//! problem of every file at once), and emitted as static tables plus thin
//! `#[test]` functions over them. `build.rs` and `spec!` know families only
//! through [`SpecFamily`].

use std::path::Path;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::app_identity::AppIdentity;
use crate::bogo_cases::Bogo;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::tls::Tls;

/// A spec family.
pub trait SpecFamily {
    /// How messages name the family.
    const NAME: &'static str;
    /// What marks a directory as this family's, in messages.
    const MARKER: &'static str;
    /// The file under `OUT_DIR` that `build.rs` writes the tables to, for
    /// the binaries, benches and tests that include them.
    const TABLES_FILE: &'static str;

    /// The family's checked and expanded specs: every test it compiles to.
    type Plan;

    /// Whether `directory` holds this family.
    fn marks(directory: &Path) -> bool;

    /// Reads and checks the family in `directory`; paths in messages are
    /// shown relative to `display_root`, the project root.
    fn plan(directory: &Path, display_root: &Path) -> Result<Self::Plan, Diagnostics>;

    /// The static tables (`FAMILY`, `MATRIX`, `CASES` and `SHIMS`) that the
    /// tests index into; `module` names the family's module.
    fn tables(plan: &Self::Plan, module: &str) -> TokenStream;

    /// The test modules, which sit next to the tables.
    fn tests(plan: &Self::Plan) -> Result<TokenStream, Diagnostics>;

    /// Every file the plan was read from (absolute paths).
    fn inputs(plan: &Self::Plan) -> Vec<String>;
}

/// The tables of the family in `directory`, for `build.rs`.
pub fn compile_tables<F: SpecFamily>(
    directory: &Path,
    display_root: &Path,
) -> Result<TokenStream, Diagnostics> {
    let plan = F::plan(directory, display_root)?;
    Ok(F::tables(&plan, &module_name(directory)?))
}

/// The family in `directory` as `pub mod <directory name> { tables, tests }`,
/// tracking every file read, for `spec!`.
pub fn compile_module<F: SpecFamily>(
    directory: &Path,
    display_root: &Path,
) -> Result<TokenStream, Diagnostics> {
    compile_module_as::<F>(directory, display_root, None)
}

/// As [`compile_module`], the module named `module` when given.
fn compile_module_as<F: SpecFamily>(
    directory: &Path,
    display_root: &Path,
    module: Option<&str>,
) -> Result<TokenStream, Diagnostics> {
    let plan = F::plan(directory, display_root)?;
    let module = match module {
        Some(module) => module.to_string(),
        None => module_name(directory)?,
    };
    let ident = format_ident!("{module}");
    let track = track_files(&F::inputs(&plan));
    let tables = F::tables(&plan, &module);
    let tests = F::tests(&plan)?;
    Ok(quote! {
        pub mod #ident {
            #track
            #tables
            #tests
        }
    })
}

/// The plan of a family whose files `load` reads (reporting to the
/// diagnostics it is given) and `plan` checks and expands: every problem
/// of both steps, sorted by location, or the plan.
pub fn load_and_plan<Loaded, Plan>(
    load: impl FnOnce(&mut Diagnostics) -> Option<Loaded>,
    plan: impl FnOnce(&Loaded) -> Result<Plan, Diagnostics>,
) -> Result<Plan, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let planned = load(&mut diagnostics)
        .and_then(|loaded| plan(&loaded).map_err(|d| diagnostics.extend(d)).ok());
    match planned {
        Some(planned) if diagnostics.is_empty() => Ok(planned),
        _ => {
            diagnostics.sort_by_location();
            Err(diagnostics)
        }
    }
}

/// `include_bytes!` of every spec file, so rustc rebuilds when one changes.
pub fn track_files(files: &[String]) -> TokenStream {
    quote! { #(const _: &[u8] = include_bytes!(#files);)* }
}

/// The snake_case name of `directory`, which names the family's module.
fn module_name(directory: &Path) -> Result<String, Diagnostic> {
    let name = directory
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    crate::names::snake_case(&name)
        .map_err(|message| Diagnostic::without_position(&directory.display().to_string(), message))
}

/// Compiles `path` (a family directory or one of its files) into the
/// tokens `spec!` expands to, choosing the family by the directory's
/// marker. An App Identity case file compiles alone (the whole directory
/// is still checked); any other family's file compiles its whole family.
pub fn compile_path(path: &Path, display_root: &Path) -> Result<TokenStream, Diagnostics> {
    compile_path_as(path, display_root, None)
}

/// As [`compile_path`], the family's module named `module` when given
/// (`spec!("specs/tls", module = tls_interop)`) instead of after its
/// directory.
pub fn compile_path_as(
    path: &Path,
    display_root: &Path,
    module: Option<&str>,
) -> Result<TokenStream, Diagnostics> {
    let directory = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(Path::new("."))
    };
    if AppIdentity::marks(directory) {
        if path.is_dir() {
            compile_module_as::<AppIdentity>(directory, display_root, module)
        } else {
            crate::app_identity::compile_file(path, display_root)
        }
    } else if Tls::marks(directory) {
        crate::tls::check_spec_file(path)?;
        compile_module_as::<Tls>(directory, display_root, module)
    } else if Bogo::marks(directory) {
        compile_module_as::<Bogo>(directory, display_root, module)
    } else if !path.exists() {
        Err(Diagnostic::without_position(
            &path.display().to_string(),
            "no such spec file or directory",
        )
        .into())
    } else {
        Err(Diagnostic::without_position(
            &path.display().to_string(),
            format!(
                "not in a spec family directory: {} holds neither {} ({}), {} ({}) nor {} ({})",
                directory.display(),
                AppIdentity::MARKER,
                AppIdentity::NAME,
                Tls::MARKER,
                Tls::NAME,
                Bogo::MARKER,
                Bogo::NAME,
            ),
        )
        .into())
    }
}
