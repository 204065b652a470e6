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
pub use load::MANIFEST_FILE;

/// The generated code for one family directory.
pub struct Generated {
    /// `pub static FAMILY` only: for binaries that need the case table.
    pub family: TokenStream,
    /// `FAMILY` plus one test module per case file.
    pub tests: TokenStream,
    /// Spec files read (absolute paths).
    pub inputs: Vec<String>,
}

/// Compiles a whole family directory: every case file becomes a module.
pub fn compile_directory(directory: &Path, display_root: &Path) -> Result<Generated, Diagnostics> {
    let loaded = load::load(directory, display_root)?;
    let plan = plan::plan(&loaded)?;
    let family = emit::family(&plan, "app_identity");
    let tests = emit::tests(&plan);
    Ok(Generated {
        tests: quote! { #family #tests },
        family,
        inputs: plan.tracked_files.clone(),
    })
}

/// `spec!("dir")`: the whole family as `pub mod <dir name> { … }`, tracking
/// every file it read. `spec!("dir/file.yaml")`: that case file alone.
pub fn compile_path(path: &Path, display_root: &Path) -> Result<TokenStream, Diagnostics> {
    if !path.is_dir() {
        return compile_file(path, display_root);
    }
    let loaded = load::load(path, display_root)?;
    let plan = plan::plan(&loaded)?;
    let module_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = crate::names::snake_case(&module_name)
        .map_err(|message| Diagnostic::without_position(&path.display().to_string(), message))?;
    let ident = quote::format_ident!("{name}");
    let track = emit::track_files(&plan);
    let family = emit::family(&plan, &name);
    let tests = emit::tests(&plan);
    Ok(quote! {
        pub mod #ident {
            #track
            #family
            #tests
        }
    })
}

/// Compiles one case file into `pub mod <file stem> { … }` (the `spec!` route).
/// The whole directory is still loaded and checked, so cross-file errors show.
pub fn compile_file(case_file: &Path, display_root: &Path) -> Result<TokenStream, Diagnostics> {
    let directory = case_file.parent().unwrap_or(Path::new("."));
    let loaded = load::load(directory, display_root)?;
    let mut plan = plan::plan(&loaded)?;
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
    let kept: Vec<usize> = module.cases.iter().map(|case| case.index).collect();
    plan.known_failures
        .retain_mut(|known| match kept.iter().position(|&i| i == known.case) {
            Some(position) => {
                known.case = position;
                true
            }
            None => false,
        });
    plan.modules = vec![renumbered(module)];
    let name = quote::format_ident!("{}", plan.modules[0].name);
    let family = emit::family(&plan, &plan.modules[0].name);
    let track = emit::track_files(&plan);
    let cases = emit::case_modules(&plan.modules[0], &quote! { super::FAMILY });
    Ok(quote! {
        pub mod #name {
            #track
            #family
            #cases
        }
    })
}

fn renumbered(mut module: plan::ModulePlan) -> plan::ModulePlan {
    for (index, case) in module.cases.iter_mut().enumerate() {
        case.index = index;
    }
    module
}
