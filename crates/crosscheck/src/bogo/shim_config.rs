//! The compiled form of `specs/shims/*.yaml`: static data built by the spec
//! compiler, never by hand.

use thiserror::Error;

pub use crosscheck_model::bogo::shim::{
    ErrorMapping, PlannedTest, RunnerOptions, ShimConfig, TestError, TestGlob, Variant,
};

/// A shim or variant asked for by name that is not there.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("unknown shim `{name}`: specs/shims/ declares none")]
    NoShims { name: String },
    #[error("unknown shim `{name}`; known shims: {}", known.join(", "))]
    UnknownShim { name: String, known: Vec<String> },
    #[error("shim `{shim}` has several variants; choose one with --variant: {}", known.join(", "))]
    SeveralVariants { shim: String, known: Vec<String> },
    #[error("shim `{shim}` has no variant `{name}`; its variants: {}", known.join(", "))]
    UnknownVariant {
        shim: String,
        name: String,
        known: Vec<String>,
    },
}

/// The shim called `name`, or an error listing the known ones.
pub fn find_shim<'a>(shims: &'a [ShimConfig], name: &str) -> Result<&'a ShimConfig, Error> {
    shims.iter().find(|shim| shim.name == name).ok_or_else(|| {
        let known: Vec<String> = shims.iter().map(|shim| shim.name.to_string()).collect();
        let name = name.to_string();
        if known.is_empty() {
            Error::NoShims { name }
        } else {
            Error::UnknownShim { name, known }
        }
    })
}

/// The variant of `shim` called `name`; without a name, the only variant
/// (an error when there are several).
pub fn find_variant<'a>(shim: &'a ShimConfig, name: Option<&str>) -> Result<&'a Variant, Error> {
    let known = || {
        shim.variants
            .iter()
            .map(|variant| variant.name.to_string())
            .collect()
    };
    match (name, &*shim.variants) {
        (None, [only]) => Ok(only),
        (None, _) => Err(Error::SeveralVariants {
            shim: shim.name.to_string(),
            known: known(),
        }),
        (Some(name), variants) => variants
            .iter()
            .find(|variant| variant.name == name)
            .ok_or_else(|| Error::UnknownVariant {
                shim: shim.name.to_string(),
                name: name.to_string(),
                known: known(),
            }),
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{RunnerOptions, ShimConfig, Variant, find_shim, find_variant};
    use crate::program::{Cargo, Program, Provision};

    const fn variant(name: &'static str) -> Variant {
        Variant {
            name: Cow::Borrowed(name),
            description: Cow::Borrowed(""),
            env: Cow::Borrowed(&[]),
            config_json: Cow::Borrowed("{}\n"),
            disabled_tests: Cow::Borrowed(&[]),
            unimplemented: Cow::Borrowed(&[]),
            expected_failures: Cow::Borrowed(&[]),
            error_map: Cow::Borrowed(&[]),
            test_error_map: Cow::Borrowed(&[]),
            test_local_error_map: Cow::Borrowed(&[]),
            half_rtt_tickets: None,
            max_ack_buffer: None,
            all_curves: None,
            expected: Cow::Borrowed(&[]),
        }
    }

    static SHIMS: &[ShimConfig] = &[ShimConfig {
        name: Cow::Borrowed("demo"),
        description: Cow::Borrowed(""),
        declared_in: Cow::Borrowed("specs/shims/demo.yaml"),
        program: Some(Program::new(
            "demo",
            Provision::Cargo(Cargo::new("demo-shims", "demo-shim")),
        )),
        runner: RunnerOptions {
            loose_errors: false,
            allow_unimplemented: false,
            include_disabled: false,
            protocol: crate::bogo::runner::Protocol::CURRENT,
        },
        upstream_tests: Cow::Borrowed("abc"),
        variants: Cow::Borrowed(&[variant("one"), variant("two")]),
    }];

    #[test]
    fn shims_and_variants_are_found_by_name_or_listed() {
        assert!(find_shim(SHIMS, "demo").is_ok());
        assert_eq!(
            find_shim(SHIMS, "dmeo")
                .map_err(|error| error.to_string())
                .err()
                .as_deref(),
            Some("unknown shim `dmeo`; known shims: demo")
        );
        let demo = &SHIMS[0];
        assert_eq!(
            find_variant(demo, Some("two")).map(|v| v.name.as_ref()),
            Ok("two")
        );
        assert_eq!(
            find_variant(demo, Some("three"))
                .map_err(|error| error.to_string())
                .err()
                .as_deref(),
            Some("shim `demo` has no variant `three`; its variants: one, two")
        );
        assert_eq!(
            find_variant(demo, None)
                .map_err(|error| error.to_string())
                .err()
                .as_deref(),
            Some("shim `demo` has several variants; choose one with --variant: one, two")
        );
    }
}
