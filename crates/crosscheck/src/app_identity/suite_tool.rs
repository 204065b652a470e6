//! `app-identity-suite-rs`: the integration-suite tool with the interface of
//! the reference tools (`generate` a suite, `run` suites as TAP 14).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use app_identity::{EvaluateOptions, GeneratorInfo, Outcome, Suite, evaluate, generate_suite};
use clap::{Parser, Subcommand};

use crate::app_identity::Family;
use crate::tap::{Directive, Status, Writer};

const TOOL_NAME: &str = "app-identity-suite-rs";
const DEFAULT_SUITE_FILE: &str = "app-identity-suite-rs.json";

#[derive(Debug, Parser)]
#[command(name = TOOL_NAME, version, about = "App Identity integration suite generator and runner")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generates an integration test suite
    Generate {
        /// Prints the suite to standard output instead of saving it
        #[arg(long)]
        stdout: bool,
        /// Silences diagnostic messages
        #[arg(short, long)]
        quiet: bool,
        /// Also builds crosscheck's own cases (the default builds the upstream ones)
        #[arg(long)]
        all_cases: bool,
        /// The filename to use for the suite, adding .json if not present
        #[arg(default_value = DEFAULT_SUITE_FILE)]
        suite: PathBuf,
    },
    /// Runs one or more integration suites
    Run {
        /// Runs in strict mode; optional tests will cause failure
        #[arg(short = 'S', long)]
        strict: bool,
        /// Enables output diagnostics
        #[arg(short = 'D', long)]
        diagnostic: bool,
        /// Reads a suite from standard input
        #[arg(long)]
        stdin: bool,
        /// The filenames or directories containing the suites to be run
        paths: Vec<PathBuf>,
    },
}

/// Runs the tool with `args` (including the program name) over `family`'s cases.
pub fn main(family: &Family, args: impl IntoIterator<Item = String>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Generate {
            stdout,
            quiet,
            all_cases,
            suite,
        } => generate(
            family,
            &suite,
            GenerateOptions {
                stdout,
                quiet,
                all_cases,
            },
        ),
        Command::Run {
            strict,
            diagnostic,
            stdin,
            paths,
        } => run(
            &paths,
            RunOptions {
                strict,
                diagnostic,
                stdin,
            },
        ),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{TOOL_NAME}: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// How this tool names itself in suites and TAP comments.
pub fn info() -> GeneratorInfo {
    GeneratorInfo::new("crosscheck app-identity", env!("CARGO_PKG_VERSION"))
}

struct GenerateOptions {
    stdout: bool,
    quiet: bool,
    all_cases: bool,
}

fn generate(family: &Family, target: &Path, options: GenerateOptions) -> Result<ExitCode, String> {
    let cases: Vec<_> = family
        .cases
        .iter()
        .filter(|case| options.all_cases || case.upstream)
        .map(|case| case.spec.clone())
        .collect();
    let suite = generate_suite(&info(), &cases).map_err(|e| e.to_string())?;
    let json = suite
        .to_json_pretty()
        .map_err(|e| format!("cannot serialise the suite: {e}"))?;
    if options.stdout {
        let mut out = io::stdout().lock();
        writeln!(out, "{json}").map_err(|e| format!("cannot write to stdout: {e}"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let path = suite_path(target);
    std::fs::write(&path, &json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    if !options.quiet {
        println!(
            "Generated {} tests for {}.",
            suite.tests.len(),
            info().description()
        );
        println!("Saved as {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `name` → `name.json`; a directory → `dir/app-identity-suite-rs.json`.
fn suite_path(target: &Path) -> PathBuf {
    if target.is_dir() {
        return target.join(DEFAULT_SUITE_FILE);
    }
    if target.extension().is_some_and(|ext| ext == "json") {
        return target.to_path_buf();
    }
    let mut name = target.as_os_str().to_owned();
    name.push(".json");
    PathBuf::from(name)
}

struct RunOptions {
    strict: bool,
    diagnostic: bool,
    stdin: bool,
}

fn run(paths: &[PathBuf], options: RunOptions) -> Result<ExitCode, String> {
    let suites = load_suites(paths, options.stdin)?;
    let evaluation = evaluate(
        &suites,
        &EvaluateOptions {
            strict: options.strict,
            ..EvaluateOptions::default()
        },
    );
    let runner = info().description();
    let mut tap = Writer::new(io::stdout().lock());
    write_tap(&mut tap, &evaluation, &runner, options.diagnostic)
        .map_err(|e| format!("cannot write to stdout: {e}"))?;
    Ok(if evaluation.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn write_tap<W: Write>(
    tap: &mut Writer<W>,
    evaluation: &app_identity::Evaluation,
    runner: &str,
    diagnostic: bool,
) -> io::Result<()> {
    tap.version()?;
    if evaluation.total() == 0 {
        return tap.skip_all("no suites provided");
    }
    tap.plan(evaluation.total() as u64)?;
    for suite in &evaluation.suites {
        tap.comment(&format!("generator: {}", suite.generator))?;
        tap.comment(&format!("runner: {runner}"))?;
        for test in &suite.tests {
            let number = test.number as u64;
            match &test.outcome {
                Outcome::Ok => tap.ok(number, &test.description)?,
                Outcome::Skip { reason } => tap.test_point(
                    Status::Ok,
                    number,
                    &test.description,
                    Some(&Directive::Skip(reason.clone())),
                )?,
                Outcome::NotOk { todo, message } => {
                    let directive =
                        todo.then(|| Directive::Todo("optional failing test".to_string()));
                    tap.test_point(Status::NotOk, number, &test.description, directive.as_ref())?;
                    if diagnostic {
                        tap.diagnostics(&[("message", message)])?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Suites from stdin (with `--stdin`) then from each path in order; a
/// directory contributes every `*.json` file in it, sorted by name.
fn load_suites(paths: &[PathBuf], stdin: bool) -> Result<Vec<Suite>, String> {
    let mut suites = Vec::new();
    if stdin {
        let text = crate::input::read_to_string(io::stdin().lock())
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        if !text.trim().is_empty() {
            suites.push(Suite::from_json(&text).map_err(|e| format!("standard input: {e}"))?);
        }
    }
    for path in paths {
        for file in suite_files(path)? {
            let text = crate::input::read_file_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            suites.push(Suite::from_json(&text).map_err(|e| format!("{}: {e}", file.display()))?);
        }
    }
    Ok(suites)
}

fn suite_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    let metadata =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if metadata.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries =
        std::fs::read_dir(path).map_err(|e| format!("cannot list {}: {e}", path.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    Ok(files)
}
