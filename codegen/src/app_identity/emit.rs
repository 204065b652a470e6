//! Rust tokens for a checked App Identity family: one static table of cases
//! and implementations, and thin `#[test]` functions that index into it.

use crosscheck_model::expectation::Expectation;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::app_identity::plan::{
    AppIdData, CaseData, CasePlan, FamilyPlan, ImplementationPlan, ModulePlan, NonceData,
    PadlockCaseData, PadlockData, TestPlan,
};
use crate::tokens::{ignore_attribute, optional};

/// `pub static FAMILY: Family = …;`
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
        #[allow(unused_imports)]
        use ::crosscheck::app_identity::case::{
            Alphabet, AppSpec, CaseSpec, Expect, IdSpec, NonceSpec, PadlockCase, PadlockSpec, ProofSpec,
        };
        pub static FAMILY: ::crosscheck::app_identity::Family = ::crosscheck::app_identity::Family {
            name: #name,
            root: #root,
            implementations: &[#(#implementations),*],
            cases: &[#(#cases),*],
            pairs: &[#(#pairs),*],
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
    let spec = case_spec(&case.data);
    quote! {
        ::crosscheck::app_identity::FamilyCase { file: #file, upstream: #upstream, spec: #spec }
    }
}

fn case_spec(data: &CaseData) -> TokenStream {
    let description = &data.description;
    let spec_version = data.spec_version;
    let expect = if data.expect_pass {
        quote! { Pass }
    } else {
        quote! { Fail }
    };
    let required = data.required;
    let app_version = data.app_version;
    let fuzz = match data.fuzz {
        Some(fuzz) => quote! { Some(#fuzz) },
        None => quote! { None },
    };
    let id = match &data.app_id {
        AppIdData::Random => quote! { IdSpec::Random },
        AppIdData::Text(text) => quote! { IdSpec::Text(#text) },
        AppIdData::Number(number) => {
            let number = Literal::u64_unsuffixed(*number);
            quote! { IdSpec::Number(#number) }
        }
    };
    let proof_version = data.proof_version;
    let proof_id = optional(data.proof_id.as_deref());
    let proof_secret = optional(data.proof_secret.as_deref());
    let alphabet = if data.standard_alphabet {
        quote! { Standard }
    } else {
        quote! { UrlSafe }
    };
    let padded = data.padded;
    let nonce = match &data.nonce {
        NonceData::Default => quote! { NonceSpec::Default },
        NonceData::Value(value) => quote! { NonceSpec::Value(#value) },
        NonceData::Empty => quote! { NonceSpec::Empty },
        NonceData::Timestamp {
            offset_minutes,
            fraction_digits,
        } => {
            quote! { NonceSpec::Timestamp { offset_minutes: #offset_minutes, fraction_digits: #fraction_digits } }
        }
    };
    let padlock = match &data.padlock {
        PadlockData::Default => quote! { PadlockSpec::Default },
        PadlockData::Value(value) => quote! { PadlockSpec::Value(#value) },
        PadlockData::Build { nonce, case } => {
            let nonce = optional(nonce.as_deref());
            let case = match case {
                PadlockCaseData::Upper => quote! { Upper },
                PadlockCaseData::Lower => quote! { Lower },
                PadlockCaseData::Random => quote! { Random },
            };
            quote! { PadlockSpec::Build { nonce: #nonce, case: PadlockCase::#case } }
        }
    };
    quote! {
        CaseSpec {
                description: #description,
                spec_version: #spec_version,
                expect: Expect::#expect,
                required: #required,
                app: AppSpec { version: #app_version, fuzz: #fuzz, id: #id },
                proof: ProofSpec {
                    version: #proof_version,
                    id: #proof_id,
                    secret: #proof_secret,
                    alphabet: Alphabet::#alphabet,
                    padded: #padded,
                },
                nonce: #nonce,
                padlock: #padlock,
        }
    }
}
