//! `program:`, the one way every spec family declares a program: how to get
//! it onto the machine (one provisioning key) and how to start it (`run`,
//! `args`, `env`). Checked here into the record the runtime resolves,
//! [`crosscheck_model::program::Program`].
//!
//! A new way to provision is a key of [`ProgramFields`], a variant of
//! [`Provision`] and an arm in [`plan`] (and in the runtime's dispatch).

use std::borrow::Cow;
use std::ops::Deref;
use std::path::Path;

use crosscheck_model::program::{Build, Cargo, Npm, Program, Provision, Script, Text, Texts};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, VariantAccess};
use serde::{Deserialize, Deserializer};

use crate::diagnostic::FileChecks;
use crate::entries::Entries;
use crate::located::Located;
use crate::placeholders;
use crate::yaml::shape::{self, ByShape, Shape};

/// `program:` as read: its [`ProgramFields`], which name something to
/// start (a provisioning key, or `run`).
#[derive(Debug, Clone)]
pub struct ProgramDoc(pub ProgramFields);

impl Deref for ProgramDoc {
    type Target = ProgramFields;
    fn deref(&self) -> &ProgramFields {
        &self.0
    }
}

impl<'de> Deserialize<'de> for ProgramDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        shape::deserialize(deserializer)
    }
}

/// Checked while reading, so that a program left with nothing to start
/// because a key was cut out (a problem already reported) says nothing more.
impl ByShape for ProgramDoc {
    const EXPECTING: &'static str =
        "a mapping with `cargo`, `npm`, `script` or `build`, and/or `run`";
    fn read<'de, V: VariantAccess<'de>>(shape: Shape, value: V) -> Result<Self, V::Error> {
        match shape {
            Shape::Mapping => {
                let fields: ProgramFields = value.newtype_variant()?;
                let provisioned = fields.cargo.is_some()
                    || fields.npm.is_some()
                    || fields.script.is_some()
                    || fields.build.is_some();
                if provisioned || fields.run.is_some() {
                    Ok(ProgramDoc(fields))
                } else {
                    Err(de::Error::custom(
                        "`program` needs a way to get it (`cargo`, `npm`, `script` or `build`) or a `run` naming a program already installed",
                    ))
                }
            }
            Shape::Nothing | Shape::Scalar | Shape::List => shape::unfit(value),
        }
    }
}

impl JsonSchema for ProgramDoc {
    fn schema_name() -> Cow<'static, str> {
        ProgramFields::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        ProgramFields::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        ProgramFields::json_schema(generator)
    }
}

/// How to get a program and start it. At most one of `cargo`, `npm`,
/// `script` and `build` says how it gets onto the machine; with none, `run`
/// names a program already there. Paths are relative to the project root.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Program")]
#[schemars(extend("anyOf" = [
    { "required": ["cargo"] },
    { "required": ["npm"] },
    { "required": ["script"] },
    { "required": ["build"] },
    { "required": ["run"] },
]))]
pub struct ProgramFields {
    /// A binary of a package of this workspace, built with `cargo build
    /// --release` (once per package, into one target directory every
    /// family shares), e.g. `{package: crosscheck-tls-shims, bin:
    /// tls-shim-rustls}`.
    #[serde(default)]
    pub cargo: Option<Located<CargoDoc>>,
    /// An executable of an npm package pinned by a committed lockfile,
    /// installed with `npm ci` under the work directory.
    #[serde(default)]
    pub npm: Option<Located<NpmDoc>>,
    /// A program a script of the project builds on first use (a heavy
    /// third-party build), kept in the machine's cache
    /// (`$CROSSCHECK_CACHE_DIR`, default `~/.cache/crosscheck`) under a
    /// hash of every file in the script's directory.
    #[serde(default)]
    pub script: Option<Located<ScriptDoc>>,
    /// A command that builds into a directory of the work dir; start the
    /// result with `run`, where `{build_dir}` is that directory.
    #[serde(default)]
    pub build: Option<Located<BuildDoc>>,
    /// The program to start and its first arguments, when it is not simply
    /// the program `cargo`, `npm` or `script` makes (`{program}` names that
    /// program). Needed with `build` or with no provisioning key. A program
    /// with a `/` is relative to the project root, a bare name is looked up
    /// on `PATH`. Placeholders: `{root}` (the project root), `{build_dir}`
    /// (with `build`), `{program}`.
    #[serde(default)]
    #[schemars(length(min = 1))]
    pub run: Option<Located<Vec<Located<String>>>>,
    /// Arguments after the program (and `run`'s arguments), before the
    /// ones the family adds; same placeholders as `run`.
    #[serde(default)]
    pub args: Vec<Located<String>>,
    /// Environment variables the program gets.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" }))]
    pub env: Option<Entries<Located<String>>>,
    /// Debian packages the program needs (a system library, a language
    /// runtime), e.g. `[libwolfssl35]`. Installed with `apt-get install`
    /// on first use, under a lock every process shares, when the process
    /// may (root); otherwise its runs fail naming the command to run.
    #[serde(default)]
    pub debian: Vec<Located<String>>,
}

/// A workspace package's binary.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CargoDoc {
    /// The package, e.g. `crosscheck-tls-shims`.
    pub package: Located<String>,
    /// The binary, e.g. `tls-shim-rustls`.
    pub bin: Located<String>,
}

/// An npm package's executable.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NpmDoc {
    /// The directory holding package.json and package-lock.json.
    pub package_dir: Located<String>,
    /// The executable the package installs.
    pub bin: Located<String>,
}

/// A build script: it runs in the project root with an empty output
/// directory as its argument.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScriptDoc {
    /// The script, e.g. `shims/bogo-nss/build.sh`.
    pub path: Located<String>,
    /// The program, relative to the output directory.
    pub output: Located<String>,
    /// More files or directories the build is made from, outside the
    /// script's directory (e.g. a crate the program depends on); their
    /// contents join the cache key.
    #[serde(default)]
    pub inputs: Vec<Located<String>>,
}

/// A build command, run in the project root once per process (and skipped
/// while its inputs are unchanged).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildDoc {
    /// Program and arguments. `{build_dir}` is the build's output
    /// directory, `{root}` the project root, `{cargo}` the cargo running
    /// the tests.
    #[schemars(length(min = 1))]
    pub command: Located<Vec<Located<String>>>,
    /// Files whose contents decide whether an earlier build still holds:
    /// relative to the project root, absolute (outside the project, e.g.
    /// `/usr/share/java/bctls.jar`), or a bare program name looked up on
    /// `PATH` when the project has no such file (e.g. `java`, so a new JDK
    /// makes a new build). Empty: run the
    /// command every time (for tools such as cargo that track their own
    /// inputs).
    #[serde(default)]
    pub inputs: Vec<Located<String>>,
}

/// Checks `doc`, the program of `name`, and builds its record; `root` is
/// the project root (declared files must exist there).
pub fn plan(
    name: &str,
    doc: &Located<ProgramDoc>,
    root: &Path,
    checks: &mut FileChecks<'_>,
) -> Program {
    let provision = provision(doc, root, checks);
    let mut allowed = vec!["root"];
    match &provision {
        Provision::Build(_) => allowed.push("build_dir"),
        Provision::Cargo(_) | Provision::Npm(_) | Provision::Script(_) => allowed.push("program"),
        Provision::Installed => {}
    }
    let run = match &doc.run {
        Some(run) => command(run, &allowed, "`run`", checks),
        None => {
            if let Provision::Build(_) = provision {
                checks.error(
                    doc.position,
                    "`program` needs `run` to say what to start: a `build` makes a directory, not a program",
                );
            }
            Vec::new()
        }
    };
    let args = doc
        .args
        .iter()
        .map(|arg| {
            check_placeholders(arg, &allowed, "`args`", checks);
            Cow::Owned(arg.value.clone())
        })
        .collect::<Vec<Text>>();
    let env = doc
        .env
        .as_ref()
        .map(|env| environment(env, checks))
        .unwrap_or_default()
        .into_iter()
        .map(|(key, value)| (Cow::Owned(key), Cow::Owned(value)))
        .collect::<Vec<_>>();
    let debian = doc
        .debian
        .iter()
        .map(|package| {
            debian_package(package, checks);
            package.value.clone()
        })
        .collect();
    Program {
        name: Cow::Owned(name.to_string()),
        provision,
        run: texts(run),
        args: Cow::Owned(args),
        env: Cow::Owned(env),
        debian: texts(debian),
    }
}

/// Debian package names: lowercase letters, digits, `+`, `-`, `.`, at
/// least two characters, starting with a letter or digit (Debian Policy
/// 5.6.1); an architecture qualifier (`:amd64`) is allowed.
fn debian_package(package: &Located<String>, checks: &mut FileChecks<'_>) {
    let name = package
        .split_once(':')
        .map_or(package.as_str(), |(name, _)| name);
    let valid = name.len() >= 2
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '-' | '.'));
    if !valid {
        checks.error(
            package.position,
            format!(
                "`{}` is not a Debian package name (lowercase letters, digits, `+`, `-`, `.`)",
                package.value
            ),
        );
    }
}

/// The one provisioning key `doc` has (none: [`Provision::Installed`]).
fn provision(doc: &Located<ProgramDoc>, root: &Path, checks: &mut FileChecks<'_>) -> Provision {
    let mut provisions = Vec::new();
    if let Some(cargo) = &doc.cargo {
        provisions.push(("cargo", cargo.position, cargo_provision(cargo, checks)));
    }
    if let Some(npm) = &doc.npm {
        provisions.push(("npm", npm.position, npm_provision(npm, root, checks)));
    }
    if let Some(script) = &doc.script {
        provisions.push((
            "script",
            script.position,
            script_provision(script, root, checks),
        ));
    }
    if let Some(build) = &doc.build {
        provisions.push(("build", build.position, build_provision(build, checks)));
    }
    // The first in the file stands; each later one is reported.
    provisions.sort_by_key(|(_, position, _)| (position.line, position.column));
    let mut provisions = provisions.into_iter();
    let Some((first, _, provision)) = provisions.next() else {
        return Provision::Installed;
    };
    for (other, position, _) in provisions {
        checks.error(
            position,
            format!(
                "`program` takes one way to get it, and already has `{first}`; keep `{first}` or `{other}`"
            ),
        );
    }
    provision
}

fn cargo_provision(cargo: &CargoDoc, checks: &mut FileChecks<'_>) -> Provision {
    for (name, what) in [(&cargo.package, "package"), (&cargo.bin, "binary")] {
        plain_name(name, what, checks);
    }
    Provision::Cargo(Cargo {
        package: Cow::Owned(cargo.package.value.clone()),
        bin: Cow::Owned(cargo.bin.value.clone()),
        built_at: None,
        compiled_in: None,
    })
}

fn npm_provision(npm: &NpmDoc, root: &Path, checks: &mut FileChecks<'_>) -> Provision {
    plain_name(&npm.bin, "executable", checks);
    if relative_inside(&npm.package_dir, "package directory", checks) {
        let directory = root.join(&npm.package_dir.value);
        for required in ["package.json", "package-lock.json"] {
            if !directory.join(required).is_file() {
                checks.error(
                    npm.package_dir.position,
                    format!(
                        "`{}` has no {required}; the npm package must be pinned by a committed lockfile",
                        npm.package_dir.value
                    ),
                );
            }
        }
    }
    Provision::Npm(Npm {
        package_dir: Cow::Owned(npm.package_dir.value.clone()),
        bin: Cow::Owned(npm.bin.value.clone()),
    })
}

fn script_provision(script: &ScriptDoc, root: &Path, checks: &mut FileChecks<'_>) -> Provision {
    if relative_inside(&script.path, "script", checks) && !root.join(&script.path.value).is_file() {
        checks.error(
            script.path.position,
            format!("no build script at `{}`", script.path.value),
        );
    }
    relative_inside(&script.output, "script's output", checks);
    let inputs = script
        .inputs
        .iter()
        .map(|input| {
            if relative_inside(input, "script input", checks) && !root.join(&input.value).exists() {
                checks.error(
                    input.position,
                    format!("no file or directory `{}`", input.value),
                );
            }
            input.value.clone()
        })
        .collect();
    Provision::Script(Script {
        path: Cow::Owned(script.path.value.clone()),
        output: Cow::Owned(script.output.value.clone()),
        inputs: texts(inputs),
    })
}

fn build_provision(build: &BuildDoc, checks: &mut FileChecks<'_>) -> Provision {
    let command = command(
        &build.command,
        &["build_dir", "root", "cargo"],
        "a build command",
        checks,
    );
    let inputs = build
        .inputs
        .iter()
        .map(|input| {
            build_input(input, checks);
            check_placeholders(input, &[], "build inputs", checks);
            input.value.clone()
        })
        .collect();
    Provision::Build(Build {
        command: texts(command),
        inputs: texts(inputs),
    })
}

/// A build input: a path inside the project, an absolute path, or a
/// program name (no `/`) looked up on `PATH` when the build runs.
fn build_input(input: &Located<String>, checks: &mut FileChecks<'_>) {
    let path = Path::new(&input.value);
    let parent_free = path
        .components()
        .all(|component| !matches!(component, std::path::Component::ParentDir));
    if input.is_empty() || !parent_free {
        checks.error(
            input.position,
            format!(
                "the build input `{}` must be a path inside the project, an absolute path or a program name, without `..`",
                input.value
            ),
        );
    }
}

fn texts(words: Vec<String>) -> Texts {
    Cow::Owned(words.into_iter().map(Cow::Owned).collect())
}

/// Program and arguments: at least a program, placeholders from `allowed`.
fn command(
    command: &Located<Vec<Located<String>>>,
    allowed: &[&str],
    context: &str,
    checks: &mut FileChecks<'_>,
) -> Vec<String> {
    match command.first() {
        None => checks.error(command.position, "a command needs at least a program"),
        Some(program) if program.trim().is_empty() => {
            checks.error(program.position, "a command's program must not be empty");
        }
        Some(_) => {}
    }
    for argument in command.iter() {
        check_placeholders(argument, allowed, context, checks);
    }
    command
        .iter()
        .map(|argument| argument.value.clone())
        .collect()
}

/// Every placeholder some part of a program may use.
const PLACEHOLDERS: &[&str] = &["build_dir", "root", "cargo", "program"];

/// Reports `{name}` placeholders in `argument` that `allowed` does not
/// list; `context` says where the argument is, e.g. `a build command`.
fn check_placeholders(
    argument: &Located<String>,
    allowed: &[&str],
    context: &str,
    checks: &mut FileChecks<'_>,
) {
    for name in placeholder_names(&argument.value) {
        if allowed.contains(&name) {
            continue;
        }
        let usable = if allowed.is_empty() {
            "it takes no placeholders".to_string()
        } else {
            let list: Vec<String> = allowed.iter().map(|a| format!("{{{a}}}")).collect();
            format!("it may use only {}", list.join(", "))
        };
        let message = if PLACEHOLDERS.contains(&name) {
            format!("`{{{name}}}` is not available in {context}; {usable}")
        } else {
            format!("unknown placeholder `{{{name}}}` in {context}; {usable}")
        };
        checks.error(argument.position, message);
    }
}

/// Names of the `{name}` placeholders in `text`, in order.
fn placeholder_names(text: &str) -> Vec<&str> {
    placeholders::names(text, |c| c.is_ascii_alphanumeric() || c == '_')
}

/// Names usable on the command line: letters, digits, `.`, `_`, `-`.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn plain_name(name: &Located<String>, what: &str, checks: &mut FileChecks<'_>) {
    if !is_plain_name(name) {
        checks.error(
            name.position,
            format!(
                "`{}` is not a {what} name (letters, digits, `.`, `_`, `-`)",
                name.value
            ),
        );
    }
}

/// Whether `path` is a non-empty relative path that stays below its base;
/// reports it when not.
fn relative_inside(path: &Located<String>, what: &str, checks: &mut FileChecks<'_>) -> bool {
    let inside = !path.is_empty()
        && Path::new(&path.value)
            .components()
            .all(|component| matches!(component, std::path::Component::Normal(_)));
    if !inside {
        checks.error(
            path.position,
            format!(
                "the {what} `{}` must be a relative path without `..`",
                path.value
            ),
        );
    }
    inside
}

/// Environment variables; names must be portable variable names and values
/// must not hold NUL.
pub fn environment(
    env: &Entries<Located<String>>,
    checks: &mut FileChecks<'_>,
) -> Vec<(String, String)> {
    env.iter()
        .map(|entry| {
            let name = &entry.name;
            let portable = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !portable {
                checks.error(
                    name.position,
                    format!(
                        "`{}` is not an environment variable name (letters, digits and `_`, not starting with a digit)",
                        name.value
                    ),
                );
            }
            if entry.value.contains('\0') {
                checks.error(
                    entry.value.position,
                    format!("the value of `{}` must not contain NUL", name.value),
                );
            }
            (name.value.clone(), entry.value.value.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::placeholder_names;

    #[test]
    fn placeholders_are_braced_words() {
        assert_eq!(
            placeholder_names("{build_dir}/x/{root}{"),
            ["build_dir", "root"]
        );
        assert!(placeholder_names("{\"json\": 1}").is_empty());
    }
}
