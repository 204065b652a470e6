//! Rust tokens for checked shims: `pub static SHIMS`, one
//! `::crosscheck::bogo::ShimConfig` per shim file, each variant with its
//! pre-rendered `-shim-config` JSON and the maps crosscheck's runner reads.

use proc_macro2::TokenStream;
use quote::quote;

use crate::bogo_shims::plan::{
    ConfigPlan, ErrorMappingPlan, ShimPlan, TestErrorPlan, TestGlobPlan, VariantPlan,
};
use crate::tokens::optional;

/// `pub static SHIMS: &[::crosscheck::bogo::ShimConfig] = &[…];`
pub fn shims(plans: &[ShimPlan]) -> TokenStream {
    let shims = plans.iter().map(shim);
    quote! {
        pub static SHIMS: &[::crosscheck::bogo::ShimConfig] = &[#(#shims),*];
    }
}

fn shim(plan: &ShimPlan) -> TokenStream {
    let ShimPlan {
        name,
        description,
        declared_in,
        upstream_tests,
        ..
    } = plan;
    let program = match &plan.program {
        Some(program) => quote! { Some(#program) },
        None => quote! { None },
    };
    let loose_errors = plan.runner.loose_errors;
    let allow_unimplemented = plan.runner.allow_unimplemented;
    let include_disabled = plan.runner.include_disabled;
    let shim_id = plan.runner.shim_id;
    let trust_cert = plan.runner.trust_cert;
    let address = if plan.runner.ipv4 {
        quote! { ::crosscheck::bogo::runner::Address::Ipv4 }
    } else {
        quote! { ::crosscheck::bogo::runner::Address::Ipv6 }
    };
    let variants = plan.variants.iter().map(variant);
    quote! {
        ::crosscheck::bogo::ShimConfig {
            name: #name,
            description: #description,
            declared_in: #declared_in,
            program: #program,
            runner: ::crosscheck::bogo::RunnerOptions {
                loose_errors: #loose_errors,
                allow_unimplemented: #allow_unimplemented,
                include_disabled: #include_disabled,
                protocol: ::crosscheck::bogo::runner::Protocol {
                    shim_id: #shim_id,
                    trust_cert: #trust_cert,
                    address: #address,
                },
            },
            upstream_tests: #upstream_tests,
            variants: &[#(#variants),*],
        }
    }
}

fn variant(variant: &VariantPlan) -> TokenStream {
    let VariantPlan {
        name,
        description,
        env,
        config_json,
        config,
        expected,
    } = variant;
    let expected = expected.iter().map(|(case, expectation)| {
        quote! { ::crosscheck::bogo::PlannedTest { case: #case, expectation: #expectation } }
    });
    let env = env.iter().map(|(name, value)| quote! { (#name, #value) });
    let ConfigPlan {
        disabled_tests,
        unimplemented,
        expected_failures,
        error_map,
        test_error_map,
        test_local_error_map,
        ..
    } = config;
    let disabled_tests = disabled_tests.iter().flatten().map(test_glob);
    let unimplemented = unimplemented.iter().map(test_glob);
    let expected_failures = expected_failures.iter().map(test_glob);
    let error_map = error_map.iter().flatten().map(error_mapping);
    let test_error_map = test_error_map.iter().flatten().map(test_error);
    let test_local_error_map = test_local_error_map.iter().flatten().map(test_error);
    let half_rtt_tickets = optional(config.half_rtt_tickets.map(|n| quote! { #n }));
    let max_ack_buffer = optional(config.max_ack_buffer.map(|n| quote! { #n }));
    let all_curves = optional(
        config
            .all_curves
            .as_ref()
            .map(|curves| quote! { &[#(#curves),*] }),
    );
    quote! {
        ::crosscheck::bogo::Variant {
            name: #name,
            description: #description,
            env: &[#(#env),*],
            config_json: #config_json,
            disabled_tests: &[#(#disabled_tests),*],
            unimplemented: &[#(#unimplemented),*],
            expected_failures: &[#(#expected_failures),*],
            error_map: &[#(#error_map),*],
            test_error_map: &[#(#test_error_map),*],
            test_local_error_map: &[#(#test_local_error_map),*],
            half_rtt_tickets: #half_rtt_tickets,
            max_ack_buffer: #max_ack_buffer,
            all_curves: #all_curves,
            expected: &[#(#expected),*],
        }
    }
}

fn test_glob(glob: &TestGlobPlan) -> TokenStream {
    let TestGlobPlan {
        glob,
        reason,
        declared_at,
    } = glob;
    quote! {
        ::crosscheck::bogo::TestGlob { glob: #glob, reason: #reason, declared_at: #declared_at }
    }
}

fn error_mapping(mapping: &ErrorMappingPlan) -> TokenStream {
    let ErrorMappingPlan { expected, errors } = mapping;
    quote! {
        ::crosscheck::bogo::ErrorMapping { expected: #expected, errors: &[#(#errors),*] }
    }
}

fn test_error(error: &TestErrorPlan) -> TokenStream {
    let TestErrorPlan { test, error } = error;
    quote! {
        ::crosscheck::bogo::TestError { test: #test, error: #error }
    }
}
