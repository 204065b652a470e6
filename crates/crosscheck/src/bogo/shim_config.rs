//! The compiled form of `specs/shims/*.yaml`: static data built by the spec
//! compiler, never by hand.

use thiserror::Error;

use crate::expectation::Expectation;
use crate::program::Program;

/// One shim and its config in every variant.
#[derive(Debug)]
pub struct ShimConfig {
    /// The shim file's stem, e.g. `rustls-upstream`.
    pub name: &'static str,
    pub description: &'static str,
    /// The shim file, relative to the project root.
    pub declared_in: &'static str,
    /// How to get and start it (the runner appends its own flags);
    /// `None`: a config-only file (no tests).
    pub program: Option<Program>,
    pub runner: RunnerOptions,
    /// The upstream test list its names were checked against
    /// (`specs/bogo/upstream-tests/<id>.txt`).
    pub upstream_tests: &'static str,
    /// In file order; a file without `variants` has one, `default`.
    pub variants: &'static [Variant],
}

/// Options of crosscheck's runner for a shim.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunnerOptions {
    /// Accept any error text where a failure is expected.
    pub loose_errors: bool,
    /// Count "unimplemented" (exit 89) as a pass.
    pub allow_unimplemented: bool,
    /// Run disabled tests too.
    pub include_disabled: bool,
    /// How the runner and the shim find each other.
    pub protocol: crate::bogo::runner::Protocol,
}

/// A shim's config in one variant.
#[derive(Debug)]
pub struct Variant {
    pub name: &'static str,
    pub description: &'static str,
    /// Environment variables the shim gets in this variant.
    pub env: &'static [(&'static str, &'static str)],
    /// The `-shim-config` JSON for the BoGo runner.
    pub config_json: &'static str,
    /// `DisabledTests`, in file order.
    pub disabled_tests: &'static [TestGlob],
    /// Tests declared unimplemented (the shim exits 89 in them).
    pub unimplemented: &'static [TestGlob],
    /// Tests declared to fail.
    pub expected_failures: &'static [TestGlob],
    /// `ErrorMap`, in file order.
    pub error_map: &'static [ErrorMapping],
    /// `TestErrorMap`.
    pub test_error_map: &'static [TestError],
    /// `TestLocalErrorMap`.
    pub test_local_error_map: &'static [TestError],
    pub half_rtt_tickets: Option<u32>,
    pub max_ack_buffer: Option<u32>,
    pub all_curves: Option<&'static [u16]>,
    /// What each case that must not simply pass expects in this variant
    /// (disabled, unimplemented or expected to fail), as the spec compiler
    /// decided from the globs above.
    pub expected: &'static [PlannedTest],
}

/// A case of this project's and what it must show in one variant.
#[derive(Debug)]
pub struct PlannedTest {
    pub case: &'static str,
    pub expectation: Expectation,
}

/// Tests (by Go `filepath.Match` glob) disabled, declared unimplemented
/// or declared to fail, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestGlob {
    pub glob: &'static str,
    pub reason: &'static str,
    /// `file:line:col` of the glob in the shim file.
    pub declared_at: &'static str,
}

/// An expected error and the shim's errors that stand for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorMapping {
    pub expected: &'static str,
    pub errors: &'static [&'static str],
}

/// A test's expected error for this shim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestError {
    pub test: &'static str,
    pub error: &'static str,
}

/// A shim or variant asked for by name that is not there.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("unknown shim `{name}`: specs/shims/ declares none")]
    NoShims { name: String },
    #[error("unknown shim `{name}`; known shims: {}", known.join(", "))]
    UnknownShim {
        name: String,
        known: Vec<&'static str>,
    },
    #[error("shim `{shim}` has several variants; choose one with --variant: {}", known.join(", "))]
    SeveralVariants {
        shim: &'static str,
        known: Vec<&'static str>,
    },
    #[error("shim `{shim}` has no variant `{name}`; its variants: {}", known.join(", "))]
    UnknownVariant {
        shim: &'static str,
        name: String,
        known: Vec<&'static str>,
    },
}

/// The shim called `name`, or an error listing the known ones.
pub fn find_shim<'a>(shims: &'a [ShimConfig], name: &str) -> Result<&'a ShimConfig, Error> {
    shims.iter().find(|shim| shim.name == name).ok_or_else(|| {
        let known: Vec<&'static str> = shims.iter().map(|shim| shim.name).collect();
        let name = name.to_string();
        if known.is_empty() {
            Error::NoShims { name }
        } else {
            Error::UnknownShim { name, known }
        }
    })
}

impl ShimConfig {
    /// The variant called `name`; without a name, the only variant (an
    /// error when there are several).
    pub fn variant(&self, name: Option<&str>) -> Result<&Variant, Error> {
        let known = || self.variants.iter().map(|variant| variant.name).collect();
        match (name, self.variants) {
            (None, [only]) => Ok(only),
            (None, _) => Err(Error::SeveralVariants {
                shim: self.name,
                known: known(),
            }),
            (Some(name), variants) => variants
                .iter()
                .find(|variant| variant.name == name)
                .ok_or_else(|| Error::UnknownVariant {
                    shim: self.name,
                    name: name.to_string(),
                    known: known(),
                }),
        }
    }
}

impl Variant {
    /// What the case called `case` must show; one the table does not list
    /// must pass.
    pub fn expectation(&self, case: &str) -> &Expectation {
        const PASS: &Expectation = &Expectation::Pass;
        self.expected
            .iter()
            .find(|test| test.case == case)
            .map_or(PASS, |test| &test.expectation)
    }
}

#[cfg(test)]
mod tests {
    use super::{RunnerOptions, ShimConfig, TestGlob, Variant, find_shim};
    use crate::program::{Cargo, Program, Provision};

    const fn glob(glob: &'static str, reason: &'static str) -> TestGlob {
        TestGlob {
            glob,
            reason,
            declared_at: "d.yaml:1:1",
        }
    }

    const fn variant(
        name: &'static str,
        disabled_tests: &'static [TestGlob],
        unimplemented: &'static [TestGlob],
        expected_failures: &'static [TestGlob],
    ) -> Variant {
        Variant {
            name,
            description: "",
            env: &[],
            config_json: "{}\n",
            disabled_tests,
            unimplemented,
            expected_failures,
            error_map: &[],
            test_error_map: &[],
            test_local_error_map: &[],
            half_rtt_tickets: None,
            max_ack_buffer: None,
            all_curves: None,
            expected: &[],
        }
    }

    static SHIMS: &[ShimConfig] = &[ShimConfig {
        name: "demo",
        description: "",
        declared_in: "specs/shims/demo.yaml",
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
        upstream_tests: "abc",
        variants: &[
            variant(
                "one",
                &[glob("*-TLS1", "old"), glob("Basic-*", "basic")],
                &[glob("ALPN-*", "no ALPN flags")],
                &[glob("*-Sync", "known bug")],
            ),
            variant("two", &[], &[], &[]),
        ],
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
        assert_eq!(demo.variant(Some("two")).map(|v| v.name), Ok("two"));
        assert_eq!(
            demo.variant(Some("three"))
                .map_err(|error| error.to_string())
                .err()
                .as_deref(),
            Some("shim `demo` has no variant `three`; its variants: one, two")
        );
        assert_eq!(
            demo.variant(None)
                .map_err(|error| error.to_string())
                .err()
                .as_deref(),
            Some("shim `demo` has several variants; choose one with --variant: one, two")
        );
    }
}
