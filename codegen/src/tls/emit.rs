//! Rust tokens for a checked TLS family: one static `MATRIX` of cases,
//! implementations (with their programs) and every cell's expectation, and thin
//! `#[test]` functions that index into it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::tls::plan::{
    CasePlan, CellPlan, ImplementationPlan, MatrixPlan, ParameterPlan, RefusalPlan, TestPlan,
    WirePlan,
};
use crate::tokens::{ignore_attribute, optional};
use crosscheck_model::expectation::Expectation;

/// `pub static MATRIX: ::crosscheck::tls::Matrix = …;`
pub fn matrix(plan: &MatrixPlan) -> TokenStream {
    let root = &plan.root;
    let certificates = &plan.certificates;
    let cases = plan.cases.iter().map(case);
    let implementations = plan.implementations.iter().map(implementation);
    // Cells left out of the table pass; listing only the others keeps the
    // table (and every edit's rebuild) small.
    let cells = plan
        .cells
        .iter()
        .filter(|cell| cell.expectation != Expectation::Pass)
        .map(cell);
    quote! {
        pub static MATRIX: ::crosscheck::tls::Matrix = ::crosscheck::tls::Matrix {
            root: #root,
            certificates: #certificates,
            cases: &[#(#cases),*],
            implementations: &[#(#implementations),*],
            cells: &[#(#cells),*],
        };
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

fn duration(ms: u64) -> TokenStream {
    quote! { ::std::time::Duration::from_millis(#ms) }
}

fn case(case: &CasePlan) -> TokenStream {
    let CasePlan {
        name,
        description,
        upstream,
        client_duty,
        server_duty,
        client_facts,
        server_facts,
        ..
    } = case;
    let deadline = duration(case.deadline_ms);
    let parameters = case.parameters.iter().map(parameter);
    let wire = wire(&case.wire);
    let refusal = refusal(case.refusal.as_ref());
    let relay = optional(case.relay_segment_bytes.map(|segment_bytes| {
        quote! { ::crosscheck::tls::Relay { segment_bytes: #segment_bytes } }
    }));
    quote! {
        ::crosscheck::tls::Case {
            name: #name,
            description: #description,
            upstream: #upstream,
            client_duty: #client_duty,
            server_duty: #server_duty,
            deadline: #deadline,
            parameters: &[#(#parameters),*],
            relay: #relay,
            client_facts: &[#(#client_facts),*],
            server_facts: &[#(#server_facts),*],
            wire: #wire,
            refusal: #refusal,
        }
    }
}

fn wire(wire: &WirePlan) -> TokenStream {
    let connections = wire.connections.iter().map(|connection| {
        let resumed = optional(connection.resumed);
        let psk_identity = optional(connection.psk_identity.as_ref());
        let hello_retry_request = optional(connection.hello_retry_request.as_ref());
        let early_data_accepted = optional(connection.early_data_accepted);
        let client_certificate = optional(connection.client_certificate);
        quote! {
            ::crosscheck::tls::ConnectionWire {
                resumed: #resumed,
                psk_identity: #psk_identity,
                hello_retry_request: #hello_retry_request,
                early_data_accepted: #early_data_accepted,
                client_certificate: #client_certificate,
            }
        }
    });
    let key_updates = optional(wire.key_updates.as_ref().map(|updates| {
        let sender = updates.sender;
        let (every, of) = (updates.every, updates.of);
        quote! { ::crosscheck::tls::KeyUpdates { sender: #sender, every: #every, of: #of } }
    }));
    quote! {
        ::crosscheck::tls::Wire {
            connections: &[#(#connections),*],
            key_updates: #key_updates,
        }
    }
}

fn refusal(refusal: Option<&RefusalPlan>) -> TokenStream {
    optional(refusal.map(|refusal| {
        let by = refusal.by;
        let alerts = &refusal.alerts;
        quote! { ::crosscheck::tls::Refusal { by: #by, alerts: &[#(#alerts),*] } }
    }))
}

fn parameter(parameter: &ParameterPlan) -> TokenStream {
    let ParameterPlan {
        name,
        env,
        description,
        default,
        ..
    } = parameter;
    let kind = parameter.kind;
    let deadline_per_billion = optional(parameter.deadline_per_billion_ms.map(duration));
    quote! {
        ::crosscheck::tls::Parameter {
            name: #name,
            env: #env,
            description: #description,
            kind: #kind,
            default: #default,
            deadline_per_billion: #deadline_per_billion,
        }
    }
}

fn implementation(implementation: &ImplementationPlan) -> TokenStream {
    let ImplementationPlan {
        name,
        description,
        program,
        client,
        server,
        ..
    } = implementation;
    quote! {
        ::crosscheck::tls::Implementation {
            name: #name,
            description: #description,
            program: #program,
            client: #client,
            server: #server,
        }
    }
}

fn cell(cell: &CellPlan) -> TokenStream {
    let CellPlan {
        case,
        client,
        server,
        expectation,
    } = cell;
    quote! {
        ::crosscheck::tls::PlannedCell {
            case: #case,
            client: #client,
            server: #server,
            expectation: #expectation,
        }
    }
}
