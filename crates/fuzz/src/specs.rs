//! The spec families' loaders, run as the build script runs them: the
//! input replaces one file of a copy of `specs/`, and the whole family is
//! read, checked, expanded and compiled to tokens.

use std::cell::OnceCell;
use std::io;
use std::path::{Path, PathBuf};

use crosscheck_codegen::SpecFamily;
use crosscheck_codegen::app_identity::AppIdentity;
use crosscheck_codegen::bogo_cases::Bogo;
use crosscheck_codegen::tls::Tls;

use crate::seeds::Seed;
use crate::{Input, Target, project_root};

/// Where the spec targets keep their copy of `specs/`, made on first use.
pub struct Workspace {
    directory: PathBuf,
    specs: OnceCell<PathBuf>,
}

impl Workspace {
    /// A workspace in `directory` (created when missing). Only one process
    /// at a time may use a directory.
    pub fn new(directory: PathBuf) -> Workspace {
        Workspace {
            directory,
            specs: OnceCell::new(),
        }
    }

    /// The copy of the project's `specs/`.
    fn specs(&self) -> io::Result<&Path> {
        if let Some(specs) = self.specs.get() {
            return Ok(specs);
        }
        let copy = self.directory.join("specs");
        copy_tree(&project_root().join("specs"), &copy)?;
        Ok(self.specs.get_or_init(|| copy))
    }
}

fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

pub const TLS_CASES: Target = Target {
    name: "tls_cases",
    reads: "specs/tls/cases.yaml, through the TLS family's load, check, expansion and code generation",
    run: |workspace, data| run_family::<Tls>(workspace, "tls", "cases.yaml", data),
    seeds: || seeds_of("tls", &["cases.yaml"]),
    canary: false,
};

pub const TLS_IMPLEMENTATIONS: Target = Target {
    name: "tls_implementations",
    reads: "specs/tls/implementations.yaml, through the whole TLS family",
    run: |workspace, data| run_family::<Tls>(workspace, "tls", "implementations.yaml", data),
    seeds: || seeds_of("tls", &["implementations.yaml"]),
    canary: false,
};

pub const BOGO_CASES: Target = Target {
    name: "bogo_cases",
    reads: "a BoGo case file (specs/bogo/*.yaml), through the whole BoGo family",
    run: |workspace, data| run_family::<Bogo>(workspace, "bogo", "basic.yaml", data),
    seeds: || seeds_of_directory("bogo"),
    canary: false,
};

pub const BOGO_SHIMS: Target = Target {
    name: "bogo_shims",
    reads: "a BoGo shim file (specs/shims/*.yaml), through the whole BoGo family",
    run: |workspace, data| run_family::<Bogo>(workspace, "shims", "rustls.yaml", data),
    seeds: || seeds_of_directory("shims"),
    canary: false,
};

pub const APP_IDENTITY_CASES: Target = Target {
    name: "app_identity_cases",
    reads: "an App Identity case file (specs/app_identity/*.yaml), through the whole family",
    run: |workspace, data| run_family::<AppIdentity>(workspace, "app_identity", "extra.yaml", data),
    seeds: || {
        seeds_of(
            "app_identity",
            &["required.yaml", "optional.yaml", "extra.yaml"],
        )
    },
    canary: false,
};

pub const APP_IDENTITY_MANIFEST: Target = Target {
    name: "app_identity_manifest",
    reads: "specs/app_identity/manifest.yaml, through the whole App Identity family",
    run: |workspace, data| {
        run_family::<AppIdentity>(workspace, "app_identity", "manifest.yaml", data)
    },
    seeds: || seeds_of("app_identity", &["manifest.yaml"]),
    canary: false,
};

/// Writes `data` over `file` of the family in `specs/FAMILY_DIRECTORY` and
/// compiles the family. The BoGo family reads `specs/bogo` and its sibling
/// `specs/shims`, so a shim file is fuzzed through `specs/bogo` too.
fn run_family<F: SpecFamily>(
    workspace: &Workspace,
    directory: &str,
    file: &str,
    data: &[u8],
) -> Input {
    let specs = match workspace.specs() {
        Ok(specs) => specs,
        Err(error) => panic!("cannot copy specs/ into the fuzz workspace: {error}"),
    };
    if let Err(error) = std::fs::write(specs.join(directory).join(file), data) {
        panic!("cannot write the fuzz input into the workspace: {error}");
    }
    let family = match directory {
        "shims" => specs.join("bogo"),
        _ => specs.join(directory),
    };
    // Programs' paths resolve against the real project, as in a build.
    match F::plan(&family, &project_root()) {
        Ok(plan) => {
            let _ = F::tables(&plan, "fuzzed");
            Input::from_ok(F::tests(&plan).is_ok())
        }
        Err(diagnostics) => {
            assert!(
                !diagnostics.is_empty(),
                "a spec that does not compile must say why"
            );
            let _ = diagnostics.to_string();
            Input::Rejected
        }
    }
}

fn seeds_of(directory: &str, files: &[&str]) -> io::Result<Vec<Seed>> {
    let directory = project_root().join("specs").join(directory);
    files
        .iter()
        .map(|file| Ok(Seed::new(file, std::fs::read(directory.join(file))?)))
        .collect()
}

fn seeds_of_directory(directory: &str) -> io::Result<Vec<Seed>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(project_root().join("specs").join(directory))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".yaml") {
            files.push(name);
        }
    }
    files.sort();
    let names: Vec<&str> = files.iter().map(String::as_str).collect();
    seeds_of(directory, &names)
}
