//! BoGo: BoringSSL's TLS test runner and the shims it drives.
//!
//! The compiled cases (`specs/bogo/`) and shim configs (`specs/shims/`),
//! both static data from `build.rs`; the runner that plays the peer; the
//! check every generated test calls, holding each outcome to what the
//! shim's config declares; `crosscheck bogo run`, its results file, and the
//! comparison of two upstream test lists through a shim's globs.

pub mod case;
pub mod check;
pub mod declared;
pub mod import;
pub mod program;
pub mod results;
pub mod run;
pub use crosscheck_bogo_runner as runner;
pub mod shim_config;
pub mod summary;
pub mod tests_diff;

pub use check::check;
pub use runner::{Address, Protocol};
pub use shim_config::{
    ErrorMapping, PlannedTest, RunnerOptions, ShimConfig, TestError, TestGlob, Variant, find_shim,
    find_variant,
};
pub use tests_diff::{TestList, TestsDiff, tests_diff};
