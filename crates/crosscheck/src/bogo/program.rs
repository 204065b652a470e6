//! Turning a shim config's program into something the runner can start.
//!
//! A `cargo_bin` shim is built once per process, in release mode, under an
//! exclusive lock shared by every process, into the same target directory
//! as the TLS shims, so the TLS libraries they share compile once.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use thiserror::Error;

use crate::bogo::runner::Shim;
use crate::bogo::shim_config::{Program, ShimConfig};
use crate::paths;
use crate::process::Job;
use crate::programs::{self, BuildOnce, once_per_process};

const BUILD_DEADLINE: Duration = Duration::from_secs(30 * 60);

#[derive(Debug, Error)]
pub enum Error {
    #[error("shim `{shim}` is a config only ({declared_in} has no `program`)")]
    ConfigOnly {
        shim: &'static str,
        declared_in: &'static str,
    },
    #[error("shim `{shim}` has an empty command")]
    EmptyCommand { shim: &'static str },
    #[error(transparent)]
    Build(#[from] programs::Error),
}

/// The cargo target directory shim binaries are built into.
pub fn target_dir() -> PathBuf {
    paths::work_dir()
        .join("tls")
        .join("builds")
        .join("rust-shims")
}

/// The runner's view of `config`'s program, building it if needed.
/// `root` is the workspace root (where `cargo build` runs).
pub fn resolve(config: &ShimConfig, root: &Path) -> Result<Shim, Error> {
    match config.program {
        None => Err(Error::ConfigOnly {
            shim: config.name,
            declared_in: config.declared_in,
        }),
        Some(Program::CargoBin(bin)) => Ok(Shim::new(config.name, cargo_bin(bin, root)?)),
        Some(Program::Command(argv)) => {
            let (program, leading) = argv
                .split_first()
                .ok_or(Error::EmptyCommand { shim: config.name })?;
            let mut shim = Shim::new(config.name, root.join(program));
            shim.leading_args = leading.iter().map(Into::into).collect();
            Ok(shim)
        }
        Some(Program::Build { script, program }) => Ok(Shim::new(
            config.name,
            programs::script::program(config.name, script, program, root)?,
        )),
    }
}

/// The workspace binary `bin`, built in release mode once per process.
pub fn cargo_bin(bin: &'static str, root: &Path) -> Result<PathBuf, programs::Error> {
    once_per_process(&format!("cargo bin {bin}"), || build(bin, root))
}

fn build(bin: &str, root: &Path) -> Result<PathBuf, programs::Error> {
    let target = target_dir();
    let step = BuildOnce {
        name: &format!("building `{bin}`"),
        lock: target.join(format!("{bin}.lock")),
        log: target.join(format!("{bin}.build.log")),
        // cargo knows what to rebuild.
        marker: None,
        deadline: BUILD_DEADLINE,
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let job = Job::new(
        cargo,
        [
            "build",
            "--release",
            "--locked",
            "--quiet",
            "--workspace",
            "--bin",
            bin,
            "--target-dir",
        ],
    )
    .arg(&target)
    .current_dir(root);
    let create = || {
        fs::create_dir_all(&target).map_err(|source| programs::Error::Create {
            path: target.clone(),
            source,
        })
    };
    step.run(create, job)?;
    Ok(target.join("release").join(bin))
}
