//! A shim config's program as the runner starts it.

use std::path::Path;

use thiserror::Error;

use crate::bogo::runner::Shim;
use crate::bogo::shim_config::ShimConfig;
use crate::programs;

#[derive(Debug, Error)]
pub enum Error {
    #[error("shim `{shim}` is a config only ({declared_in} has no `program`)")]
    ConfigOnly { shim: String, declared_in: String },
    #[error(transparent)]
    Program(#[from] programs::Error),
}

/// The runner's view of `config`'s program, provisioning it if needed.
/// `root` is the project root.
pub fn resolve(config: &ShimConfig, root: &Path) -> Result<Shim, Error> {
    let program = config.program.as_ref().ok_or(Error::ConfigOnly {
        shim: config.name.to_string(),
        declared_in: config.declared_in.to_string(),
    })?;
    let resolved = programs::resolve(program, root)?;
    let mut shim = Shim::new(&*config.name, resolved.program);
    shim.leading_args = resolved.leading_args.into_iter().map(Into::into).collect();
    shim.env = resolved
        .env
        .into_iter()
        .map(|(name, value)| (name.into(), value.into()))
        .collect();
    shim.current_dir = Some(resolved.cwd);
    Ok(shim)
}
