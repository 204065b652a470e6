//! BoGo cases: `specs/bogo/<group>.yaml`, one behaviour group per file,
//! every case keyed by its upstream test name.
//!
//! load (YAML → model, every file's syntax and shape errors) → plan (names
//! checked against the upstream test list, flags, peer, misbehaviour and
//! expectations checked) → emit (`CASES`, and one test per shim, variant
//! and case, `#[ignore]`d where the shim config disables the case).

pub mod emit;
pub mod expand;
pub mod load;
pub mod model;
pub mod plan;

use std::path::Path;

use proc_macro2::TokenStream;
use quote::quote;

use crate::bogo_shims::{self, Layout};
use crate::diagnostic::Diagnostics;
use crate::family::SpecFamily;
pub use emit::{ShimTests, VariantTests};
pub use load::UPSTREAM_TESTS_DIR;

/// The BoGo family: the cases in a directory holding `upstream-tests/`,
/// run against the shims in its sibling `shims/`.
pub struct Bogo;

/// The BoGo family checked: its cases, and the shims they run against.
pub struct BogoPlan {
    pub cases: plan::CasesPlan,
    pub shims: bogo_shims::ShimsPlan,
    /// The project root, where the tests' shims are built and run from.
    pub root: std::path::PathBuf,
}

impl SpecFamily for Bogo {
    const NAME: &'static str = "BoGo";
    const MARKER: &'static str = "upstream-tests/";
    const TABLES_FILE: &'static str = "bogo.rs";
    type Plan = BogoPlan;

    fn marks(directory: &Path) -> bool {
        directory.join(UPSTREAM_TESTS_DIR).is_dir()
    }

    /// The cases, and the shim configs of the sibling `shims/`, whose test
    /// names are checked against the upstream lists plus crosscheck's own
    /// case names. Problems in cases and shims are reported together.
    fn plan(directory: &Path, display_root: &Path) -> Result<BogoPlan, Diagnostics> {
        let specs = directory.parent().unwrap_or(Path::new("."));
        let (cases, mut diagnostics) = check(directory, display_root);
        let own_names = cases
            .as_ref()
            .map(plan::CasesPlan::own_names)
            .unwrap_or_default();
        let shims = bogo_shims::plan_directory(&Layout::under(specs), display_root, &own_names)
            .map_err(|problems| diagnostics.extend(problems))
            .ok();
        match (cases, shims) {
            (Some(cases), Some(mut shims)) if diagnostics.is_empty() => {
                expand::expand(&cases, &mut shims.shims);
                Ok(BogoPlan {
                    cases,
                    shims,
                    root: std::path::absolute(display_root)
                        .unwrap_or_else(|_| display_root.to_path_buf()),
                })
            }
            _ => {
                diagnostics.sort_by_location();
                Err(diagnostics)
            }
        }
    }

    /// `ROOT`, `SHIMS` and `CASES`.
    fn tables(plan: &BogoPlan, _module: &str) -> TokenStream {
        let root = emit::root(&plan.root);
        let shims = bogo_shims::emit::shims(&plan.shims.shims);
        let cases = emit::cases(&plan.cases);
        quote! { #root #shims #cases }
    }

    /// `<shim>::[<variant>::]<case>`.
    fn tests(plan: &BogoPlan) -> Result<TokenStream, Diagnostics> {
        emit::tests(&plan.cases, &emit::shim_tests(&plan.shims.shims))
    }

    fn inputs(plan: &BogoPlan) -> Vec<String> {
        let mut inputs = plan.cases.tracked_files.clone();
        inputs.extend(plan.shims.inputs.iter().cloned());
        inputs
    }
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
