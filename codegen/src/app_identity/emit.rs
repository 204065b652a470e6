//! Rust tokens for a checked App Identity family: one static table of cases
//! and implementations, and thin `#[test]` functions that index into it.

use crosscheck_model::expectation::Expectation;
use databake::{Bake, CrateEnv};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::app_identity::plan::{CasePlan, FamilyPlan, ImplementationPlan, ModulePlan, TestPlan};
use crate::tokens::ignore_attribute;

/// `pub static FAMILY: Family = …;`, its case records baked by `databake`,
/// whose paths name `alloc` and `app_identity::case` (declared in the
/// initializer, so they resolve wherever the tables are included, next to
/// other families' tables).
pub fn family(plan: &FamilyPlan, name: &str) -> TokenStream {
    let root = &plan.root;
    let implementations = plan.implementations.iter().map(implementation);
    let cases = plan.modules.iter().flat_map(|module| {
        module
            .cases
            .iter()
            .map(move |case| family_case(module, case))
    });
    let pairs = plan.modules.iter().flat_map(|module| {
        module.cases.iter().flat_map(|case| {
            // Pairs left out of the table conform; listing only the others
            // keeps the table (and every edit's rebuild) small.
            case.tests
                .iter()
                .filter(|test| test.expectation != Expectation::Pass)
                .map(move |test| {
                    let (case, generator, verifier, expectation) =
                        (case.index, test.generator, test.verifier, &test.expectation);
                    quote! {
                        ::crosscheck::app_identity::PlannedPair {
                            case: #case,
                            generator: #generator,
                            verifier: #verifier,
                            expectation: #expectation,
                        }
                    }
                })
        })
    });
    quote! {
        pub static FAMILY: ::crosscheck::app_identity::Family = {
            extern crate alloc;
            #[allow(unused_imports)]
            use ::crosscheck::app_identity;
            ::crosscheck::app_identity::Family {
                name: #name,
                root: #root,
                implementations: &[#(#implementations),*],
                cases: &[#(#cases),*],
                pairs: &[#(#pairs),*],
            }
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
    let index = case.index;
    let tests = case
        .tests
        .iter()
        .map(|test| test_fn(family_path, index, test));
    quote! {
        mod #name {
            #(#tests)*
        }
    }
}

fn test_fn(family_path: &TokenStream, case: usize, test: &TestPlan) -> TokenStream {
    let name = format_ident!("{}", test.name);
    let generator = test.generator;
    let verifier = test.verifier;
    let ignore = ignore_attribute(test.ignored.as_deref());
    quote! {
        #[test]
        #ignore
        fn #name() {
            ::crosscheck::app_identity::check(&#family_path, #case, #generator, #verifier)
        }
    }
}

fn implementation(implementation: &ImplementationPlan) -> TokenStream {
    let name = &implementation.name;
    let description = &implementation.description;
    let generate_args = &implementation.generate_args;
    let generates_all_cases = implementation.generates_all_cases;
    let program = &implementation.program;
    quote! {
        ::crosscheck::app_identity::Implementation {
            name: #name,
            description: #description,
            program: #program,
            generate_args: &[#(#generate_args),*],
            generates_all_cases: #generates_all_cases,
        }
    }
}

fn family_case(module: &ModulePlan, case: &CasePlan) -> TokenStream {
    let file = &module.file;
    let upstream = module.upstream;
    let spec = case.spec.bake(&CrateEnv::default());
    quote! {
        ::crosscheck::app_identity::FamilyCase { file: #file, upstream: #upstream, spec: #spec }
    }
}
