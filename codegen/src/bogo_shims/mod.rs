//! BoGo shim configs: `specs/shims/<name>.yaml`, one file per shim.
//!
//! load (YAML tree → model, every unknown or repeated key and wrong type
//! reported) → plan (variants, globs and test names checked against an
//! upstream test list; one config per variant) → emit (`SHIMS`, with each
//! variant's `-shim-config` JSON pre-rendered).

pub mod emit;
pub mod json;
pub mod known_tests;
pub mod load;
pub mod model;
pub mod plan;

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostics;
pub use known_tests::{KnownTests, TestList, UpstreamLists};
pub use plan::DEFAULT_VARIANT;

/// Where shim files and upstream test lists live.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The shim files (`*.yaml`).
    pub shims: PathBuf,
    /// The upstream test lists (`<id>.txt`).
    pub upstream_tests: PathBuf,
}

impl Layout {
    /// `specs/shims` and `specs/bogo/upstream-tests` under `specs`.
    pub fn under(specs: &Path) -> Layout {
        Layout {
            shims: specs.join("shims"),
            upstream_tests: specs.join("bogo").join("upstream-tests"),
        }
    }
}

/// Every shim file, checked.
pub struct ShimsPlan {
    pub shims: Vec<plan::ShimPlan>,
    /// Files read (absolute paths).
    pub inputs: Vec<String>,
}

/// Checks every shim file under `layout.shims`. Test names in shim files
/// are checked against the upstream list each names plus `extra_tests`
/// (crosscheck's own BoGo case names). `display_root` shortens shown paths.
pub fn plan_directory(
    layout: &Layout,
    display_root: &Path,
    extra_tests: &[String],
) -> Result<ShimsPlan, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let files = load::shim_files(&layout.shims)?;
    let lists = UpstreamLists::find(&layout.upstream_tests)?;
    let loaded: Vec<load::LoadedShim> = files
        .iter()
        .filter_map(|path| load::load_file(path, display_root, &mut diagnostics))
        .collect();
    let plans = plan::plan(&loaded, &lists, display_root, extra_tests, &mut diagnostics);
    diagnostics.sort_by_location();
    let inputs = plans
        .iter()
        .flat_map(|plan| plan.tracked_files.iter().cloned())
        .collect();
    diagnostics.into_result(ShimsPlan {
        shims: plans,
        inputs,
    })
}
