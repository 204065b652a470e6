//! BoGo cases: `specs/bogo/<group>.yaml`, one behaviour group per file,
//! every case keyed by its upstream test name.
//!
//! load (YAML → model, every file's syntax and shape errors) → plan (names
//! checked against the upstream test list, flags, peer, misbehaviour and
//! expectations checked) → emit (`CASES`, and one test per shim, variant
//! and case, `#[ignore]`d where the shim config disables the case).

pub mod emit;
pub mod load;
pub mod model;
pub mod plan;
pub mod shims;

use std::path::Path;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::bogo_shims::{self, Layout};
use crate::diagnostic::{Diagnostic, Diagnostics};
pub use emit::{Disabled, ShimTests, VariantTests};
pub use load::UPSTREAM_TESTS_DIR;

/// The generated code for the case directory.
pub struct Generated {
    /// `pub static CASES`.
    pub cases: TokenStream,
    /// `include_bytes!` of every file read.
    pub track: TokenStream,
    pub plan: plan::CasesPlan,
    /// Files read (absolute paths).
    pub inputs: Vec<String>,
}

/// Checks every case file in `directory` (e.g. `specs/bogo`), with the
/// upstream lists in its `upstream-tests/`; every problem in every file is
/// reported together. `display_root` shortens the paths shown.
pub fn compile_directory(directory: &Path, display_root: &Path) -> Result<Generated, Diagnostics> {
    let plan = check_directory(directory, display_root)?;
    Ok(Generated {
        cases: emit::cases(&plan),
        track: emit::track_files(&plan),
        inputs: plan.tracked_files.clone(),
        plan,
    })
}

/// The checked case list of `directory`.
pub fn check_directory(
    directory: &Path,
    display_root: &Path,
) -> Result<plan::CasesPlan, Diagnostics> {
    let (plan, diagnostics) = check(directory, display_root);
    match plan {
        Some(plan) => diagnostics.into_result(plan),
        None => Err(diagnostics),
    }
}

/// The case list as far as it could be read (absent when the directory
/// could not be), and every problem found.
fn check(directory: &Path, display_root: &Path) -> (Option<plan::CasesPlan>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    match load::load(directory, display_root, &mut diagnostics) {
        Ok(loaded) => {
            let plan = plan::plan(&loaded, display_root, &mut diagnostics);
            (Some(plan), diagnostics)
        }
        Err(problem) => {
            diagnostics.push(problem);
            (None, diagnostics)
        }
    }
}

/// `ROOT`, `CASES` and the tests of `shims`, for a module that also holds
/// `SHIMS`: `<shim>::<case>` (or `<shim>::<variant>::<case>`).
pub fn compile_tests(
    directory: &Path,
    display_root: &Path,
    shims: &[ShimTests<'_>],
) -> Result<TokenStream, Diagnostics> {
    let generated = compile_directory(directory, display_root)?;
    let tests = emit::tests(&generated.plan, shims)?;
    let root = emit::root(display_root);
    let Generated { cases, track, .. } = generated;
    Ok(quote! { #track #root #cases #tests })
}

/// The whole BoGo family for `spec!("specs/bogo")`: the cases in
/// `directory` and the shim configs in its sibling `shims/` (whose names
/// are checked against the upstream lists and crosscheck's own cases), as
/// `pub mod <directory name> { ROOT, SHIMS, CASES, <shim>::[<variant>::]<case> }`,
/// tracking every file read. Problems in cases and shims are reported
/// together.
pub fn compile_family(directory: &Path, display_root: &Path) -> Result<TokenStream, Diagnostics> {
    let specs = directory.parent().unwrap_or(Path::new("."));
    let (plan, mut diagnostics) = check(directory, display_root);
    let own_names = plan
        .as_ref()
        .map(plan::CasesPlan::own_names)
        .unwrap_or_default();
    let shims = match bogo_shims::compile_directory(&Layout::under(specs), display_root, &own_names)
    {
        Ok(shims) => Some(shims),
        Err(problems) => {
            diagnostics.extend(problems);
            None
        }
    };
    let (Some(plan), Some(shims)) = (plan, shims) else {
        return Err(diagnostics);
    };
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    let directory_name = directory
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let module = crate::names::snake_case(&directory_name).map_err(|message| {
        Diagnostic::without_position(&directory.display().to_string(), message)
    })?;
    let module = format_ident!("{module}");
    let tests = emit::tests(&plan, &shims::from_shim_plans(&shims.plans))?;
    let track_cases = emit::track_files(&plan);
    let shim_inputs = &shims.inputs;
    let track_shims = quote! { #(const _: &[u8] = include_bytes!(#shim_inputs);)* };
    let root = emit::root(display_root);
    let cases = emit::cases(&plan);
    let shim_configs = &shims.shims;
    Ok(quote! {
        pub mod #module {
            #track_cases
            #track_shims
            #root
            #shim_configs
            #cases
            #tests
        }
    })
}
