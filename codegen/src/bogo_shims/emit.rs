//! Rust tokens for checked shims: `pub static SHIMS`, one
//! `::crosscheck::bogo::ShimConfig` record per shim file, each variant with
//! its pre-rendered `-shim-config` JSON and the maps crosscheck's runner
//! reads, baked by `databake`.

use std::borrow::Cow;

use databake::{Bake, CrateEnv};
use proc_macro2::TokenStream;
use quote::quote;

use crate::bogo_shims::plan::{ShimPlan, VariantPlan};
use crosscheck_model::bogo::shim::{ShimConfig, Variant};

/// `pub static SHIMS: &[::crosscheck::bogo::ShimConfig] = &[…];`, declaring
/// `alloc` (which `databake`'s paths name) inside its initializer.
pub fn shims(plans: &[ShimPlan]) -> TokenStream {
    let shims = plans
        .iter()
        .map(|plan| record(plan).bake(&CrateEnv::default()));
    quote! {
        pub static SHIMS: &[::crosscheck::bogo::ShimConfig] = {
            extern crate alloc;
            &[#(#shims),*]
        };
    }
}

/// The shim's record: the plan without what only the compiler needs.
fn record(plan: &ShimPlan) -> ShimConfig {
    ShimConfig {
        name: Cow::Owned(plan.name.clone()),
        description: Cow::Owned(plan.description.clone()),
        declared_in: Cow::Owned(plan.declared_in.clone()),
        program: plan.program.clone(),
        runner: plan.runner,
        upstream_tests: Cow::Owned(plan.upstream_tests.clone()),
        variants: plan.variants.iter().map(variant).collect(),
    }
}

/// A variant's record: its maps flattened (a section the file leaves out
/// is empty here; only the JSON tells the two apart).
fn variant(plan: &VariantPlan) -> Variant {
    let config = &plan.config;
    Variant {
        name: Cow::Owned(plan.name.clone()),
        description: Cow::Owned(plan.description.clone()),
        env: plan
            .env
            .iter()
            .map(|(name, value)| (Cow::Owned(name.clone()), Cow::Owned(value.clone())))
            .collect(),
        config_json: Cow::Owned(plan.config_json.clone()),
        disabled_tests: config.disabled_tests.clone().unwrap_or_default().into(),
        unimplemented: config.unimplemented.clone().into(),
        expected_failures: config.expected_failures.clone().into(),
        error_map: config.error_map.clone().unwrap_or_default().into(),
        test_error_map: config.test_error_map.clone().unwrap_or_default().into(),
        test_local_error_map: config
            .test_local_error_map
            .clone()
            .unwrap_or_default()
            .into(),
        half_rtt_tickets: config.half_rtt_tickets,
        max_ack_buffer: config.max_ack_buffer,
        all_curves: config.all_curves.clone().map(Cow::Owned),
        expected: plan.expected.clone().into(),
    }
}
