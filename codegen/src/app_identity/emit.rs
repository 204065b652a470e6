//! Rust tokens for a checked App Identity family: one static table of cases
//! and implementations, and thin `#[test]` functions that index into it.

use databake::{Bake, CrateEnv};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::app_identity::plan::{CasePlan, FamilyPlan, ModulePlan, TestPlan};
use crate::tokens::ignore_attribute;

/// `pub static FAMILY: ::crosscheck::app_identity::Family = …;`, the record
/// baked by `databake`, whose paths name `alloc` and `app_identity::case`
/// (declared in the initializer, so they resolve wherever the tables are
/// included, next to other families' tables).
pub fn family(plan: &FamilyPlan, name: &str) -> TokenStream {
    let family = plan.family(name).bake(&CrateEnv::default());
    quote! {
        pub static FAMILY: ::crosscheck::app_identity::Family = {
            extern crate alloc;
            #[allow(unused_imports)]
            use ::crosscheck::app_identity;
            #family
        };
    }
}

/// One module per case file, one module per case, one test per pair, next
/// to `FAMILY`.
pub fn tests(plan: &FamilyPlan) -> TokenStream {
    let family_path = quote! { super::super::FAMILY };
    let modules = plan.modules.iter().map(|module| {
        let name = format_ident!("{}", module.name);
        let cases = case_modules(module, &family_path);
        quote! {
            pub mod #name {
                #cases
            }
        }
    });
    quote! { #(#modules)* }
}

/// One module per case of `module`; `family_path` is how a test function
/// reaches `FAMILY`.
pub fn case_modules(module: &ModulePlan, family_path: &TokenStream) -> TokenStream {
    let cases = module
        .cases
        .iter()
        .map(|case| case_module(case, family_path));
    quote! { #(#cases)* }
}

fn case_module(case: &CasePlan, family_path: &TokenStream) -> TokenStream {
    let name = format_ident!("{}", case.name);
    let tests = case.tests.iter().map(|test| test_fn(family_path, test));
    quote! {
        mod #name {
            #(#tests)*
        }
    }
}

fn test_fn(family_path: &TokenStream, test: &TestPlan) -> TokenStream {
    let name = format_ident!("{}", test.name);
    let (case, generator, verifier) = (test.pair.case, test.pair.generator, test.pair.verifier);
    let ignore = ignore_attribute(test.ignored.as_deref());
    quote! {
        #[test]
        #ignore
        fn #name() {
            ::crosscheck::app_identity::check(&#family_path, #case, #generator, #verifier)
        }
    }
}
