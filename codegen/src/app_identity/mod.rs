//! The App Identity spec family: `specs/app_identity/`.
//!
//! load (YAML → model) → plan (checks + expansion) → emit (tokens).

pub mod emit;
pub mod load;
pub mod model;
pub mod plan;

use std::path::Path;

use proc_macro2::TokenStream;
use quote::quote;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::family::{SpecFamily, load_and_plan, track_files};
pub use load::MANIFEST_FILE;

/// The App Identity family: `manifest.yaml` and its case files.
pub struct AppIdentity;

impl SpecFamily for AppIdentity {
    const NAME: &'static str = "App Identity";
    const MARKER: &'static str = MANIFEST_FILE;
    const TABLES_FILE: &'static str = "app_identity_family.rs";
    type Plan = plan::FamilyPlan;

    fn marks(directory: &Path) -> bool {
        directory.join(MANIFEST_FILE).is_file()
    }

    fn plan(directory: &Path, display_root: &Path) -> Result<plan::FamilyPlan, Diagnostics> {
        load_and_plan(
            |diagnostics| load::load(directory, display_root, diagnostics),
            plan::plan,
        )
    }

    /// `pub static FAMILY`.
    fn tables(plan: &plan::FamilyPlan, module: &str) -> TokenStream {
        emit::family(plan, module)
    }

    /// One module per case file, one per case, one test per pair.
    fn tests(plan: &plan::FamilyPlan) -> Result<TokenStream, Diagnostics> {
        Ok(emit::tests(plan))
    }

    fn inputs(plan: &plan::FamilyPlan) -> Vec<String> {
        plan.tracked_files.clone()
    }
}

/// Compiles one case file into `pub mod <file stem> { … }` (the `spec!` route).
/// The whole directory is still loaded and checked, so cross-file errors show.
pub fn compile_file(case_file: &Path, display_root: &Path) -> Result<TokenStream, Diagnostics> {
    let directory = case_file.parent().unwrap_or(Path::new("."));
    let mut plan = AppIdentity::plan(directory, display_root)?;
    let wanted = case_file
        .file_name()
        .map(|name| name.to_string_lossy().into_owned());
    let Some(module) = plan
        .modules
        .iter()
        .find(|m| {
            Path::new(&m.file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                == wanted
        })
        .cloned()
    else {
        return Err(Diagnostic::without_position(
            &case_file.display().to_string(),
            format!(
                "not a case file of {} (it must be a *.yaml file other than {MANIFEST_FILE})",
                directory.display()
            ),
        )
        .into());
    };
    plan.modules = vec![renumbered(module)];
    let name = quote::format_ident!("{}", plan.modules[0].name);
    let family = emit::family(&plan, &plan.modules[0].name);
    let track = track_files(&plan.tracked_files);
    let cases = emit::case_modules(&plan.modules[0], &quote! { super::FAMILY });
    Ok(quote! {
        pub mod #name {
            #track
            #family
            #cases
        }
    })
}

/// `module` as the only one of its family: its cases (and their tests'
/// pairs) indexed from 0.
fn renumbered(mut module: plan::ModulePlan) -> plan::ModulePlan {
    for (index, case) in module.cases.iter_mut().enumerate() {
        case.index = index;
        for test in &mut case.tests {
            test.pair.case = index;
        }
    }
    module
}
