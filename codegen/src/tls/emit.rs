//! Rust tokens for a checked TLS family: one static `MATRIX` of cases,
//! implementations (with their programs) and every cell's expectation, and thin
//! `#[test]` functions that index into it.

use std::borrow::Cow;

use databake::{Bake, CrateEnv};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::tls::plan::{Matrix, MatrixPlan, TestPlan};
use crate::tokens::ignore_attribute;
use crosscheck_model::expectation::Expectation;

/// `pub static MATRIX: ::crosscheck::tls::Matrix = …;`, the record baked by
/// `databake`, whose paths name `alloc` (declared inside the initializer,
/// so tables of several families can share a module).
pub fn matrix(plan: &MatrixPlan) -> TokenStream {
    let matrix = record(plan).bake(&CrateEnv::default());
    quote! {
        pub static MATRIX: ::crosscheck::tls::Matrix = {
            extern crate alloc;
            #matrix
        };
    }
}

/// The family's one record. Cells left out of it pass; listing only the
/// others keeps the table (and every edit's rebuild) small.
fn record(plan: &MatrixPlan) -> Matrix {
    Matrix {
        root: Cow::Owned(plan.root.clone()),
        certificates: Cow::Owned(plan.certificates.clone()),
        cases: plan.cases.iter().map(|case| case.record.clone()).collect(),
        implementations: plan
            .implementations
            .iter()
            .map(|implementation| implementation.record.clone())
            .collect(),
        cells: plan
            .cells
            .iter()
            .filter(|cell| cell.expectation != Expectation::Pass)
            .cloned()
            .collect(),
    }
}

/// One module per case, one test per (client, server) pair; the modules sit
/// next to `MATRIX`.
pub fn tests(plan: &MatrixPlan) -> TokenStream {
    let modules = plan.cases.iter().enumerate().map(|(index, case)| {
        let name = format_ident!("{}", case.module);
        let tests = case.tests.iter().map(|test| test_fn(index, test));
        quote! {
            pub mod #name {
                #(#tests)*
            }
        }
    });
    quote! { #(#modules)* }
}

fn test_fn(case: usize, test: &TestPlan) -> TokenStream {
    let name = format_ident!("{}", test.name);
    let client = test.client;
    let server = test.server;
    let ignore = ignore_attribute(test.ignored.as_deref());
    quote! {
        #[test]
        #ignore
        fn #name() {
            ::crosscheck::tls::check(&super::MATRIX, #case, #client, #server)
        }
    }
}
