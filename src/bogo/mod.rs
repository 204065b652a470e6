//! BoGo: BoringSSL's TLS test runner and the shims it drives.
//!
//! Today: the compiled shim configs (`specs/shims/*.yaml`, as static data
//! from `build.rs`), with each variant's `-shim-config` JSON, and the
//! comparison of two upstream test lists through a shim's disabled globs.

pub mod case;
pub mod check;
pub mod program;
pub mod results;
pub mod run;
pub mod runner;
pub mod shim_config;
pub mod tests_diff;

pub use check::check;
pub use shim_config::{
    DisabledGlobs, DisabledTest, ErrorMapping, Program, RunnerOptions, ShimConfig, TestError,
    Variant, find_shim,
};
pub use tests_diff::{TestList, TestsDiff, tests_diff};
