//! The compiled form of `specs/shims/*.yaml`: one record per shim file,
//! built by the spec compiler (with the `tokens` feature, baked by
//! `databake` as tokens naming `crosscheck::bogo`) and read by the runner
//! and the CLI from the static `SHIMS`.

use std::borrow::Cow;

use crate::expectation::Expectation;
use crate::program::Program;

type Text = Cow<'static, str>;
type List<T> = Cow<'static, [T]>;

/// One shim and its config in every variant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo))]
pub struct ShimConfig {
    /// The shim file's stem, e.g. `rustls-upstream`.
    pub name: Text,
    pub description: Text,
    /// The shim file, relative to the project root.
    pub declared_in: Text,
    /// How to get and start it (the runner appends its own flags);
    /// `None`: a config-only file (no tests).
    pub program: Option<Program>,
    pub runner: RunnerOptions,
    /// The upstream test list its names were checked against
    /// (`specs/bogo/upstream-tests/<id>.txt`).
    pub upstream_tests: Text,
    /// In file order; a file without `variants` has one, `default`.
    pub variants: List<Variant>,
}

/// Options of crosscheck's runner for a shim.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo))]
pub struct RunnerOptions {
    /// Accept any error text where a failure is expected.
    pub loose_errors: bool,
    /// Count "unimplemented" (exit 89) as a pass.
    pub allow_unimplemented: bool,
    /// Run disabled tests too.
    pub include_disabled: bool,
    /// How the runner and the shim find each other.
    pub protocol: Protocol,
}

/// How the runner and a shim find each other, and which of the runner's
/// later flags the shim knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo))]
pub struct Protocol {
    /// The shim gets `-shim-id` (and `-ipv6` on an IPv6 listener) and sends
    /// the id first on every connection; one listener serves every test.
    /// Off: a listener per test and neither flag.
    pub shim_id: bool,
    /// The shim gets `-trust-cert` with the runner's root whenever the
    /// runner holds a credential, as upstream's runner does since 2024.
    pub trust_cert: bool,
    /// The loopback address the runner listens on.
    pub address: Address,
}

impl Protocol {
    /// Upstream's protocol at the pinned commit.
    pub const CURRENT: Protocol = Protocol {
        shim_id: true,
        trust_cert: true,
        address: Address::Ipv6,
    };
}

impl Default for Protocol {
    fn default() -> Self {
        Protocol::CURRENT
    }
}

/// A loopback address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo))]
pub enum Address {
    /// `[::1]`, or `127.0.0.1` where the machine has no IPv6 loopback (as
    /// upstream's runner falls back).
    Ipv6,
    /// `127.0.0.1`, for shims that dial `localhost` or IPv4 only.
    Ipv4,
}

/// A shim's config in one variant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo))]
pub struct Variant {
    pub name: Text,
    pub description: Text,
    /// Environment variables the shim gets in this variant.
    pub env: List<(Text, Text)>,
    /// The `-shim-config` JSON for the BoGo runner.
    pub config_json: Text,
    /// `DisabledTests`, in file order.
    pub disabled_tests: List<TestGlob>,
    /// Tests declared unimplemented (the shim exits 89 in them).
    pub unimplemented: List<TestGlob>,
    /// Tests declared to fail.
    pub expected_failures: List<TestGlob>,
    /// `ErrorMap`, in file order.
    pub error_map: List<ErrorMapping>,
    /// `TestErrorMap`.
    pub test_error_map: List<TestError>,
    /// `TestLocalErrorMap`.
    pub test_local_error_map: List<TestError>,
    pub half_rtt_tickets: Option<u32>,
    pub max_ack_buffer: Option<u32>,
    pub all_curves: Option<List<u16>>,
    /// What each case that must not simply pass expects in this variant
    /// (disabled, unimplemented or expected to fail), as the spec compiler
    /// decided from the globs above.
    pub expected: List<PlannedTest>,
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

/// A case of this project's and what it must show in one variant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo))]
pub struct PlannedTest {
    pub case: Text,
    pub expectation: Expectation,
}

/// Tests (by Go `filepath.Match` glob) disabled, declared unimplemented
/// or declared to fail, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo))]
pub struct TestGlob {
    pub glob: Text,
    pub reason: Text,
    /// `file:line:col` of the glob in the shim file.
    pub declared_at: Text,
}

/// An expected error and the shim's errors that stand for it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo))]
pub struct ErrorMapping {
    pub expected: Text,
    pub errors: List<Text>,
}

/// A test's expected error for this shim.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo))]
pub struct TestError {
    pub test: Text,
    pub error: Text,
}
