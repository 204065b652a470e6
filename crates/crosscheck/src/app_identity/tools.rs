//! Turning a declared suite tool into a program and leading arguments.

use std::path::{Path, PathBuf};

use crate::app_identity::family::Tool;
use crate::npm::NpmTool;
use crate::paths;

/// A resolved tool: run `program leading_args… <subcommand args>`.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub program: PathBuf,
    pub leading_args: Vec<String>,
}

/// Finds (or installs) the tool's program.
pub fn resolve(tool: &Tool) -> Result<Resolved, String> {
    match tool {
        Tool::CargoBin { name, built_at } => {
            let program = match built_at {
                Some(path) => PathBuf::from(path),
                None => sibling_binary(name)?,
            };
            Ok(Resolved {
                program,
                leading_args: Vec::new(),
            })
        }
        Tool::Npm { package_dir, bin } => {
            let package_dir = Path::new(package_dir);
            let name = package_dir
                .file_name()
                .map_or_else(|| (*bin).to_string(), |n| n.to_string_lossy().into_owned());
            let program = NpmTool::new(&name, package_dir, bin)
                .ensure_installed(&paths::work_dir().join("npm"))
                .map_err(|error| {
                    format!(
                        "cannot install {bin} from {}: {error}",
                        package_dir.display()
                    )
                })?;
            Ok(Resolved {
                program,
                leading_args: Vec::new(),
            })
        }
        Tool::Command(argv) => {
            let (program, rest) = argv.split_first().ok_or("empty tool command")?;
            Ok(Resolved {
                program: PathBuf::from(program),
                leading_args: rest.iter().map(|a| (*a).to_string()).collect(),
            })
        }
    }
}

/// A binary of this package next to the running executable (binaries live
/// in `target/<profile>/`, tests in `target/<profile>/deps/`).
fn sibling_binary(name: &str) -> Result<PathBuf, String> {
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot locate the running program: {e}"))?;
    let mut candidates = Vec::new();
    if let Some(dir) = exe.parent() {
        candidates.push(dir.join(name));
        if let Some(parent) = dir.parent() {
            candidates.push(parent.join(name));
        }
    }
    candidates
        .into_iter()
        .find(|path| path.is_file())
        .ok_or_else(|| format!("binary `{name}` is not built; run `cargo build --bin {name}` (or `cargo build --release --bin {name}` for release runs)"))
}

/// Builds the family's `cargo_bin` tools that are missing next to the
/// running program, when it runs under cargo (`cargo run` builds only the
/// binary it runs).
pub fn build_tools(family: &crate::app_identity::Family) -> Result<(), String> {
    let Some(cargo) = std::env::var_os("CARGO") else {
        return Ok(());
    };
    for implementation in family.implementations {
        let Tool::CargoBin {
            name,
            built_at: None,
        } = implementation.tool
        else {
            continue;
        };
        if sibling_binary(name).is_ok() {
            continue;
        }
        let release = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.ends_with("release")))
            .unwrap_or(false);
        let mut args = vec![
            "build".to_string(),
            "--quiet".to_string(),
            "--bin".to_string(),
            name.to_string(),
        ];
        if release {
            args.push("--release".to_string());
        }
        let status = std::process::Command::new(&cargo)
            .args(&args)
            .status()
            .map_err(|e| format!("cannot run cargo to build {name}: {e}"))?;
        if !status.success() {
            return Err(format!("`cargo {}` failed ({status})", args.join(" ")));
        }
    }
    Ok(())
}
