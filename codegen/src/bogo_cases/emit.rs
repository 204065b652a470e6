//! Rust tokens for checked cases: one static `CASES` of
//! `::crosscheck::bogo::case::Case`, and thin `#[test]` functions, one per
//! shim, variant and case, that index into it and into `SHIMS`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use databake::{Bake, CrateEnv};

use crate::bogo_cases::plan::{CasePlan, CasesPlan};
use crate::bogo_shims::plan::{PlannedTest, ShimPlan};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::names::snake_case;
use crate::tokens::ignore_attribute;
use crosscheck_model::expectation::Expectation;

/// `pub static CASES: &[::crosscheck::bogo::case::Case] = &[…];`, each
/// record baked by `databake`, whose paths name `alloc` (declared inside
/// the initializer, so tables of several families can share a module).
pub fn cases(plan: &CasesPlan) -> TokenStream {
    let cases = plan.cases.iter().map(case);
    quote! {
        pub static CASES: &[::crosscheck::bogo::case::Case] = {
            extern crate alloc;
            &[#(#cases),*]
        };
    }
}

/// `pub const ROOT: &str = "<project root>";`: where the tests' shims are
/// built and run from, as an absolute path.
pub fn root(display_root: &std::path::Path) -> TokenStream {
    let root = std::path::absolute(display_root)
        .unwrap_or_else(|_| display_root.to_path_buf())
        .display()
        .to_string();
    quote! { pub const ROOT: &str = #root; }
}

/// One shim's tests: where it is in `SHIMS`, its name, and its variants.
pub struct ShimTests<'a> {
    /// Its index in `SHIMS`.
    pub index: usize,
    /// As written (`rustls-upstream`); its snake_case form names the module.
    pub name: &'a str,
    /// In the order of the shim's variants (the index is the variant's).
    pub variants: Vec<VariantTests<'a>>,
}

/// One variant of a shim.
pub struct VariantTests<'a> {
    /// As written (`aws-lc-rs`); with several variants its snake_case form
    /// names a module.
    pub name: &'a str,
    /// The cases that must not simply pass, and what each expects; a
    /// disabled case's test is `#[ignore]`d with its reason.
    pub expected: &'a [PlannedTest],
}

/// One [`ShimTests`] per shim with a program, in `SHIMS` order.
pub fn shim_tests(plans: &[ShimPlan]) -> Vec<ShimTests<'_>> {
    plans
        .iter()
        .enumerate()
        .filter(|(_, shim)| shim.program.is_some())
        .map(|(index, shim)| ShimTests {
            index,
            name: &shim.name,
            variants: shim
                .variants
                .iter()
                .map(|variant| VariantTests {
                    name: &variant.name,
                    expected: &variant.expected,
                })
                .collect(),
        })
        .collect()
}

/// One module per shim holding one test per case, or, when the shim has
/// several variants, one module per variant:
/// `<shim>::<case>` or `<shim>::<variant>::<case>`. The modules must sit
/// next to `CASES`, `SHIMS` and `ROOT` (see [`root`]); each test is
/// `::crosscheck::bogo::check(&SHIMS[shim], variant, &CASES[case], ROOT)`.
///
/// Shim and variant names that give no module name, or the same one, are
/// errors.
pub fn tests(plan: &CasesPlan, shims: &[ShimTests<'_>]) -> Result<TokenStream, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let shim_modules = module_names(shims.iter().map(|shim| shim.name), "shim", &mut diagnostics);
    let mut modules = Vec::new();
    for (shim, module) in shims.iter().zip(shim_modules) {
        let module = format_ident!("{module}");
        let body = match shim.variants.as_slice() {
            [] => {
                diagnostics.push(Diagnostic::without_position(
                    shim.name,
                    format!("shim `{}` has no variants to test", shim.name),
                ));
                continue;
            }
            [only] => variant_tests(plan, shim.index, 0, only, &quote! { super:: }),
            variants => {
                let names = module_names(
                    variants.iter().map(|variant| variant.name),
                    &format!("variant of shim `{}`", shim.name),
                    &mut diagnostics,
                );
                let variant_modules =
                    variants
                        .iter()
                        .zip(names)
                        .enumerate()
                        .map(|(index, (variant, name))| {
                            let name = format_ident!("{name}");
                            let tests = variant_tests(
                                plan,
                                shim.index,
                                index,
                                variant,
                                &quote! { super::super:: },
                            );
                            quote! { pub mod #name { #tests } }
                        });
                quote! { #(#variant_modules)* }
            }
        };
        modules.push(quote! { pub mod #module { #body } });
    }
    diagnostics.into_result(quote! { #(#modules)* })
}

/// The snake_case module name of each name; problems are reported and give
/// a placeholder name.
fn module_names<'a>(
    names: impl Iterator<Item = &'a str>,
    what: &str,
    diagnostics: &mut Diagnostics,
) -> Vec<String> {
    let mut seen: Vec<(String, &str)> = Vec::new();
    names
        .enumerate()
        .map(|(index, name)| match snake_case(name) {
            Ok(module) => {
                if let Some((_, first)) = seen.iter().find(|(taken, _)| *taken == module) {
                    diagnostics.push(Diagnostic::without_position(
                        name,
                        format!(
                            "{what} names `{name}` and `{first}` both become the module `{module}`; rename one"
                        ),
                    ));
                }
                seen.push((module.clone(), name));
                module
            }
            Err(message) => {
                diagnostics.push(Diagnostic::without_position(name, format!("{what}: {message}")));
                format!("unnamed_{index}")
            }
        })
        .collect()
}

fn variant_tests(
    plan: &CasesPlan,
    shim: usize,
    variant: usize,
    tests: &VariantTests<'_>,
    prefix: &TokenStream,
) -> TokenStream {
    let functions = plan.cases.iter().enumerate().map(|(index, case)| {
        let name = format_ident!("{}", case.test_name);
        let disabled = tests
            .expected
            .iter()
            .find(|test| test.case == case.name())
            .and_then(|test| match test.expectation {
                Expectation::Disabled(_) => test.expectation.ignore_reason(),
                _ => None,
            });
        let ignore = ignore_attribute(disabled.as_deref());
        quote! {
            #[test]
            #ignore
            fn #name() {
                ::crosscheck::bogo::check(
                    &#prefix SHIMS[#shim],
                    #variant,
                    &#prefix CASES[#index],
                    #prefix ROOT,
                )
            }
        }
    });
    quote! { #(#functions)* }
}

/// `CASES[i]`: the record, baked as the expression that builds it.
fn case(case: &CasePlan) -> TokenStream {
    case.record.bake(&CrateEnv::default())
}
