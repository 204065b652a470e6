//! Fuzz targets: every parser that reads input from users or peers, each a
//! function of bytes that must not panic, and that checks the invariants
//! its parser promises (a record re-encodes to the bytes it was read from,
//! a failed spec names at least one problem, …).
//!
//! `crosscheck-fuzz-afl` (feature `afl`, built by `cargo afl build`) runs
//! one target under AFL++; `crosscheck-fuzz` writes each target's seed
//! corpus and replays inputs; `scripts/fuzz.sh` does both. The tests
//! replay every seed and every input kept under `regressions/`.

mod peers;
mod seeds;
mod specs;
mod texts;

use std::path::PathBuf;

pub use seeds::Seed;
pub use specs::Workspace;

/// One fuzz target.
pub struct Target {
    pub name: &'static str,
    /// What it reads, for `crosscheck-fuzz list`.
    pub reads: &'static str,
    /// Runs one input; a panic is a finding.
    pub run: fn(&Workspace, &[u8]) -> Input,
    /// The seed corpus, from the project's own specs, fixtures and a real
    /// in-memory TLS exchange.
    pub seeds: fn() -> std::io::Result<Vec<Seed>>,
    /// Whether the target is the canary: a parser with a planted bug that
    /// every fuzz run must find, or the fuzzer is not working.
    pub canary: bool,
}

/// What a target's parser made of an input. Fuzzing looks only for
/// panics; the tests check that the seeds are accepted, so fuzzing starts
/// from input that reaches past the first error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Accepted,
    Rejected,
}

impl Input {
    pub fn from_ok(ok: bool) -> Input {
        if ok { Input::Accepted } else { Input::Rejected }
    }
}

/// Every target, in the order runs take them.
pub const TARGETS: &[Target] = &[
    specs::TLS_CASES,
    specs::TLS_IMPLEMENTATIONS,
    specs::BOGO_CASES,
    specs::BOGO_SHIMS,
    specs::APP_IDENTITY_CASES,
    specs::APP_IDENTITY_MANIFEST,
    texts::SUITE_JSON,
    texts::TAP,
    texts::BOGO_CONFIG,
    texts::BOGO_TEST_LIST,
    peers::BOGO_RECORDS,
    peers::HELLOS,
    peers::WIRE_OBSERVER,
    peers::BOGO_SHIM_FLAGS,
    peers::TLS_SHIM_ARGUMENTS,
    CANARY,
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|target| target.name == name)
}

/// The project's root, where the specs and fixtures the seeds come from are.
pub fn project_root() -> PathBuf {
    crosscheck::paths::in_workspace(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Inputs that once made a target fail, kept so the tests replay them:
/// `crates/fuzz/regressions/TARGET/`.
pub fn regressions_directory(target: &Target) -> PathBuf {
    crosscheck::paths::in_workspace(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(target.name)
}

const CANARY: Target = Target {
    name: "canary",
    reads: "a parser with a planted bug (input starting `BUG!`) that every fuzz run must find",
    run: canary,
    seeds: || Ok(vec![Seed::new("plain", b"A perfectly fine input".to_vec())]),
    canary: true,
};

/// Panics on input starting `BUG!`. Each byte is its own branch, with an
/// opaque call between, so coverage shows the fuzzer each step closer and
/// no compiler pass folds the four into one comparison.
fn canary(_: &Workspace, data: &[u8]) -> Input {
    for (index, wanted) in b"BUG!".iter().enumerate() {
        if data.get(index) != Some(wanted) {
            return Input::Accepted;
        }
        std::hint::black_box(index);
    }
    panic!("the canary's planted bug: the input starts with BUG!");
}
