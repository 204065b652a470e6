//! The body of every generated BoGo test: run one case against one shim in
//! one variant and hold the outcome to what the case and the shim's config
//! declare.

use std::path::Path;

use crate::bogo::case::Case;
use crate::bogo::declared;
use crate::bogo::program;
use crate::bogo::runner::{self, RunOptions};
use crate::bogo::shim_config::ShimConfig;
use crate::paths;

/// Runs `case` against `shim` in `variant` and panics with the whole story
/// (verdict, shim exit and stderr, local error, log tail) unless the
/// outcome is what the shim's config declares: a pass, or for a test
/// declared unimplemented or expected to fail, exactly that.
pub fn check(shim: &'static ShimConfig, variant: usize, case: &'static Case, root: &str) {
    let _slot = crate::cpu_slots::acquire();
    let outcome = run(shim, variant, case, Path::new(root));
    if let Err(report) = outcome {
        panic!("{report}");
    }
}

fn run(
    shim: &'static ShimConfig,
    variant: usize,
    case: &'static Case,
    root: &Path,
) -> Result<(), String> {
    let config = shim
        .variants
        .get(variant)
        .ok_or_else(|| format!("shim `{}` has no variant #{variant}", shim.name))?;
    let program = program::resolve(shim, root)
        .map_err(|error| error.to_string())?
        .with_env(&config.env);
    let options = RunOptions {
        logs_dir: paths::run_dir("bogo").join(&*config.name),
        ..RunOptions::default()
    }
    .with_shim_options(shim.runner);
    let outcome = runner::run(&program, case, config, &options);
    declared::hold(config.expectation(&case.name), &outcome)
}
