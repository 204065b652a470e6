//! From a declared [`Program`] to what starts it: provisioned first (built
//! or installed, once), then its `run` words expanded.

use std::path::{Path, PathBuf};

use crate::program::{Program, Provision};
use crate::programs::{Error, build, cargo, debian, npm, script};

/// How to start a program: `program leading_args… <the caller's
/// arguments>` in `cwd`, with `env` set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub program: PathBuf,
    pub leading_args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// The project root, where programs run.
    pub cwd: PathBuf,
}

/// What a provision made: a program, or a directory `run` refers to.
#[derive(Default)]
struct Made {
    program: Option<PathBuf>,
    build_dir: Option<PathBuf>,
}

/// Provisions `program` (building or installing it if this machine has no
/// current build) and says how to start it. `root` is the project root.
pub fn resolve(program: &Program, root: &Path) -> Result<Resolved, Error> {
    let root = &crate::paths::in_workspace(root);
    let name = program.name.as_ref();
    debian::ensure(name, &program.debian)?;
    let made = match &program.provision {
        Provision::Installed => Made::default(),
        Provision::Cargo(cargo) => Made {
            program: Some(cargo::program(cargo, root)?),
            build_dir: None,
        },
        Provision::Npm(npm) => Made {
            program: Some(npm::program(
                &root.join(npm.package_dir.as_ref()),
                &npm.bin,
            )?),
            build_dir: None,
        },
        Provision::Script(script) => Made {
            program: Some(script::program(name, script, root)?),
            build_dir: None,
        },
        Provision::Build(build) => Made {
            program: None,
            build_dir: Some(build::ensure_built(name, build, root)?),
        },
    };
    let placeholders = Placeholders {
        root,
        build_dir: made.build_dir.as_deref(),
        program: made.program.as_deref(),
    };
    let mut words = program.run.iter().map(|word| placeholders.expand(word));
    let (program_path, mut leading_args) = match (words.next(), &made.program) {
        (Some(first), _) => (located(&first, root), words.collect()),
        (None, Some(made)) => (made.clone(), Vec::new()),
        (None, None) => {
            return Err(Error::NothingToRun {
                name: name.to_string(),
                kind: program.provision.kind(),
            });
        }
    };
    leading_args.extend(program.args.iter().map(|arg| placeholders.expand(arg)));
    Ok(Resolved {
        program: program_path,
        leading_args,
        env: program
            .env
            .iter()
            .map(|(key, value)| (key.to_string(), placeholders.expand(value)))
            .collect(),
        cwd: root.to_path_buf(),
    })
}

/// A program with a `/` is relative to the root; a bare name stays one
/// for a `PATH` lookup.
fn located(program: &str, root: &Path) -> PathBuf {
    if program.contains('/') {
        root.join(program)
    } else {
        PathBuf::from(program)
    }
}

/// Values for `{root}`, `{build_dir}`, `{program}` and `{cargo}`.
#[derive(Debug, Clone, Copy)]
pub struct Placeholders<'a> {
    pub root: &'a Path,
    pub build_dir: Option<&'a Path>,
    pub program: Option<&'a Path>,
}

impl Placeholders<'_> {
    /// `word` with every placeholder that has a value replaced.
    pub fn expand(&self, word: &str) -> String {
        let mut expanded = word.replace("{root}", &self.root.to_string_lossy());
        for (placeholder, value) in [("{build_dir}", self.build_dir), ("{program}", self.program)] {
            if let Some(value) = value {
                expanded = expanded.replace(placeholder, &value.to_string_lossy());
            }
        }
        if expanded.contains("{cargo}") {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
            expanded = expanded.replace("{cargo}", &cargo);
        }
        expanded
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn installed(run: &'static [Cow<'static, str>]) -> Program {
        Program {
            args: Cow::Borrowed(&[Cow::Borrowed("--in"), Cow::Borrowed("{root}/x")]),
            env: Cow::Borrowed(&[(Cow::Borrowed("KEY"), Cow::Borrowed("{root}"))]),
            ..Program::installed("java", run)
        }
    }

    #[test]
    fn an_installed_program_starts_as_its_run_words_say() {
        let root = Path::new("/project");
        let resolved = resolve(
            &installed(&[Cow::Borrowed("java"), Cow::Borrowed("-cp")]),
            root,
        )
        .unwrap();
        assert_eq!(resolved.program, PathBuf::from("java"), "found on PATH");
        assert_eq!(resolved.leading_args, ["-cp", "--in", "/project/x"]);
        assert_eq!(resolved.env, [("KEY".to_string(), "/project".to_string())]);
        assert_eq!(resolved.cwd, root);
        let resolved = resolve(&installed(&[Cow::Borrowed("bin/shim")]), root).unwrap();
        assert_eq!(
            resolved.program,
            root.join("bin/shim"),
            "relative to the root"
        );
    }

    #[test]
    fn a_build_runs_once_and_run_starts_what_it_made() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("input"), "v1").unwrap();
        let name = format!("resolve-test-{}", std::process::id());
        let program = Program {
            provision: Provision::Build(crate::program::Build {
                command: Cow::Borrowed(&[
                    Cow::Borrowed("sh"),
                    Cow::Borrowed("-c"),
                    Cow::Borrowed("cp input \"$0/made\"; echo built >> \"$0/runs\""),
                    Cow::Borrowed("{build_dir}"),
                ]),
                inputs: Cow::Borrowed(&[Cow::Borrowed("input")]),
            }),
            run: Cow::Borrowed(&[Cow::Borrowed("cat"), Cow::Borrowed("{build_dir}/made")]),
            name: Cow::Owned(name.clone()),
            ..Program::installed("", &[])
        };
        let build_dir = build::build_dir(&name);
        // A directory left by an earlier process with the same id.
        let _ = std::fs::remove_dir_all(&build_dir);
        let first = resolve(&program, root.path()).unwrap();
        let second = resolve(&program, root.path()).unwrap();
        assert_eq!(first, second);
        assert_eq!(first.program, PathBuf::from("cat"));
        assert_eq!(
            first.leading_args,
            [build_dir.join("made").display().to_string()]
        );
        assert_eq!(
            std::fs::read_to_string(build_dir.join("runs")).unwrap(),
            "built\n",
            "built once"
        );
        std::fs::remove_dir_all(&build_dir).unwrap();
    }

    #[test]
    fn nothing_to_run_is_an_error() {
        let error = resolve(&installed(&[]), Path::new("/project")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`java` has nothing to run: its provision (installed) makes no program and it has no `run`"
        );
    }
}
