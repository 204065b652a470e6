//! `crosscheck`: runs the conformance families and prints their reports.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use crosscheck::results::RunResults;
use crosscheck::results::export::{self, Format};

include!(concat!(env!("OUT_DIR"), "/app_identity_family.rs"));
include!(concat!(env!("OUT_DIR"), "/tls_matrix.rs"));
include!(concat!(env!("OUT_DIR"), "/bogo.rs"));

#[derive(Debug, Parser)]
#[command(
    name = "crosscheck",
    version,
    about = "Cross-implementation conformance runs compiled from YAML specs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Cross-verifies every App Identity case between every generator and
    /// verifier, printing TAP 14 (one subtest per pair)
    AppIdentity,
    /// Runs every TLS case between every client and every server, printing
    /// one table per case and writing report.json, results.json (what
    /// `crosscheck diff` compares) and results.html
    Tls(TlsArgs),
    /// Every family's full run (App Identity, the TLS matrix, BoGo), with
    /// one set of results for all of them under --out: results.json,
    /// results.html, results.xml (JUnit), results.tap and
    /// interop-matrix.json
    All(AllArgs),
    /// Writes the results of earlier runs (several: merged, e.g. the
    /// partitions of one run) in every format, the page with what changed
    /// since --previous
    Report(ReportArgs),
    /// Compares two runs' results.json: regressions, fixes, other verdict
    /// changes, new and removed tests, throughput beyond noise. Exit status
    /// 1 when anything regressed, 2 when a file cannot be read
    Diff(DiffArgs),
    /// BoGo shim configs (specs/shims/*.yaml) and upstream test lists
    Bogo {
        #[command(subcommand)]
        command: BogoCommand,
    },
}

#[derive(Debug, Subcommand)]
enum BogoCommand {
    /// Prints a shim's `-shim-config` JSON for the BoGo runner
    Config(BogoConfigArgs),
    /// Compares two upstream test lists: tests added and removed, and what
    /// that means for each shim's disabled globs and per-test maps
    TestsDiff(TestsDiffArgs),
    /// Runs the BoGo cases (specs/bogo/) against the shims, printing
    /// PASSED/FAILED/UNIMPLEMENTED/DISABLED per test and a summary
    Run(BogoRunArgs),
    /// Writes a shim file (specs/shims/*.yaml) from a `-shim-config` JSON,
    /// reporting on stderr what the JSON hid (repeated keys, comment keys,
    /// globs that match no upstream test)
    Import(BogoImportArgs),
}

#[derive(Debug, Args)]
struct BogoImportArgs {
    /// The BoGo runner's `-shim-config` JSON
    config: PathBuf,
    /// The shim's name (its file stem under specs/shims/) [default: the
    /// output's stem, else the config's]
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// The upstream test list globs are checked against: an id under
    /// specs/bogo/upstream-tests/ or a path
    #[arg(long, value_name = "LIST", default_value = "b28d2e8")]
    upstream_tests: String,
    /// Write the YAML to FILE instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct BogoRunArgs {
    /// Run only this shim (repeatable) [default: every shim with a program]
    #[arg(long = "shim", value_name = "NAME")]
    shims: Vec<String>,
    /// Run only this variant (repeatable) [default: every variant]
    #[arg(long = "variant", value_name = "NAME")]
    variants: Vec<String>,
    /// `;`-separated globs on the test name, as the upstream runner's -test
    #[arg(value_name = "FILTER")]
    filter: Option<String>,
    /// Run tests the shim config disables
    #[arg(long)]
    include_disabled: bool,
    /// Count exit 89 (unimplemented) as a pass
    #[arg(long)]
    allow_unimplemented: bool,
    /// Accept any error text where a failure is expected
    #[arg(long)]
    loose_errors: bool,
    /// Tests to run at once, at most the number of CPUs [default: the number
    /// of CPUs]
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: Option<u16>,
    /// Write the upstream runner's JSON results (Chromium test results v3)
    #[arg(long, value_name = "FILE")]
    json_output: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct BogoConfigArgs {
    /// The shim: its file name under specs/shims/ without `.yaml`
    name: String,
    /// The variant (required when the shim declares several)
    #[arg(long)]
    variant: Option<String>,
    /// Write the JSON to FILE instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct TestsDiffArgs {
    /// The list in use (one test name a line)
    old: PathBuf,
    /// The list to move to
    new: PathBuf,
    /// Report only this shim [default: every shim]
    #[arg(long, value_name = "NAME")]
    shim: Option<String>,
}

#[derive(Debug, Args)]
struct TlsArgs {
    #[command(flatten)]
    selection: TlsSelection,
    /// Directory for report.json, results.json, results.html and the
    /// cells' logs [default: <target>/crosscheck/tls/report]
    #[arg(long, short = 'o')]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct AllArgs {
    #[command(flatten)]
    selection: TlsSelection,
    /// Directory for every family's results, reports and logs [default:
    /// <target>/crosscheck/all]
    #[arg(long, short = 'o', value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    output: OutputArgs,
    /// Print App Identity's whole TAP stream instead of a mark per case
    #[arg(long)]
    full_tap: bool,
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// results.json files; several are merged (a test in two is an error)
    #[arg(required = true, value_name = "RESULTS")]
    inputs: Vec<PathBuf>,
    /// Directory to write into [default: the first input's directory]
    #[arg(long, short = 'o', value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    output: OutputArgs,
}

/// Which formats to write, and what to compare with.
#[derive(Debug, Args)]
struct OutputArgs {
    /// Write only these formats (repeatable) [default: every one]
    #[arg(long = "format", value_enum, value_name = "FORMAT")]
    formats: Vec<Format>,
    /// An earlier run's results.json: the page gets a section on what
    /// changed since (as `crosscheck diff` reports it)
    #[arg(long, value_name = "RESULTS")]
    previous: Option<PathBuf>,
    /// With --previous: throughput changes within this many percent are
    /// noise
    #[arg(long, value_name = "PERCENT", default_value_t = 20.0)]
    noise: f64,
}

impl OutputArgs {
    fn formats(&self) -> Vec<Format> {
        if self.formats.is_empty() {
            Format::ALL.to_vec()
        } else {
            self.formats.clone()
        }
    }

    /// The earlier run to compare with, read before any work is done.
    fn previous(&self) -> Result<Option<RunResults>, String> {
        if !(self.noise.is_finite() && self.noise >= 0.0) {
            return Err(format!("--noise {} is not a percentage", self.noise));
        }
        self.previous
            .as_deref()
            .map(crosscheck::results::diff::read)
            .transpose()
            .map_err(|error| error.to_string())
    }
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// The earlier run's results.json
    old: PathBuf,
    /// The later run's results.json
    new: PathBuf,
    /// Throughput changes within this many percent are noise
    #[arg(long, value_name = "PERCENT", default_value_t = 20.0)]
    noise: f64,
}

/// Which TLS cells a run takes, and how many at once.
#[derive(Debug, Args)]
struct TlsSelection {
    /// Cells to run at once, at most the number of CPUs [default: the
    /// number of CPUs]
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: Option<u16>,
    /// Run only this case (repeatable)
    #[arg(long = "case", value_name = "NAME")]
    cases: Vec<String>,
    /// Run the cells with this implementation on either side, as client or
    /// as server (repeatable)
    #[arg(long = "implementation", value_name = "NAME")]
    implementations: Vec<String>,
    /// Run only the cells whose client and server are both among these
    /// (repeatable; combines with --implementation)
    #[arg(long = "only", value_name = "NAME")]
    only: Vec<String>,
    /// Set a case parameter, e.g. `--set download_bytes=1GB` (repeatable;
    /// wins over CROSSCHECK_TLS_* variables and the spec)
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_assignment)]
    overrides: Vec<(String, String)>,
}

fn parse_assignment(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, got `{text}`")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::AppIdentity => app_identity(),
        Command::Tls(args) => tls(&args),
        Command::Diff(args) => diff(&args),
        Command::Report(args) => report(&args),
        Command::Bogo { command } => match bogo(&command) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("crosscheck: error: {message}");
                ExitCode::FAILURE
            }
        },
        Command::All(args) => all(&args),
    }
}

fn app_identity() -> ExitCode {
    match crosscheck::app_identity::report::write_report(&FAMILY, std::io::stdout().lock()) {
        Ok(totals) if totals.passed() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("crosscheck: error: cannot write the report: {error}");
            ExitCode::FAILURE
        }
    }
}

fn tls(args: &TlsArgs) -> ExitCode {
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| crosscheck::paths::work_dir().join("tls").join("report"));
    match run_tls(&args.selection, &out_dir) {
        Ok(report) if report.totals.unexpected == 0 => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("crosscheck: error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the selected TLS cells, prints the tables and writes report.json,
/// results.json, results.html and the logs into `out_dir`.
fn run_tls(
    selection: &TlsSelection,
    out_dir: &std::path::Path,
) -> Result<crosscheck::tls::report::Report, String> {
    use crosscheck::tls::report;

    let options = report::RunOptions {
        jobs: worker_count(selection.jobs),
        out_dir: out_dir.to_path_buf(),
        cases: selection.cases.clone(),
        implementations: selection.implementations.clone(),
        only: selection.only.clone(),
        progress: true,
        overrides: selection.overrides.clone(),
    };
    let report = report::run_matrix(&MATRIX, &options)?;
    print!("{}", report::table::render(&report));
    report::write_files(&report, out_dir)?;
    let results = report::results::results(&report, "");
    let written = [Format::Json, Format::Html]
        .into_iter()
        .map(|format| export::write(&results, format, out_dir, None))
        .collect::<Result<Vec<_>, _>>()?;
    println!(
        "report: {}, {} and {}",
        written[1].display(),
        out_dir.join("report.json").display(),
        written[0].display()
    );
    Ok(report)
}

/// Every family, then one set of results for all of them.
fn all(args: &AllArgs) -> ExitCode {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| crosscheck::paths::work_dir().join("all"));
    let formats = args.output.formats();
    let checked = formats
        .iter()
        .try_for_each(|format| check_writable(&out.join(format.file_name())))
        .and_then(|()| args.output.previous());
    let previous = match checked {
        Ok(previous) => previous,
        Err(error) => {
            eprintln!("crosscheck: error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let started = std::time::Instant::now();
    let mut results = RunResults::new(crosscheck::results::unix_now() as u64);
    let mut complete = true;
    let mut parts = Vec::new();

    let judged = crosscheck::app_identity::report::judge_all(&FAMILY);
    let printed = if args.full_tap {
        crosscheck::app_identity::report::write_tap(&judged, std::io::stdout().lock())
    } else {
        crosscheck::app_identity::report::write_condensed(&judged, std::io::stdout().lock())
    };
    if let Err(error) = printed {
        eprintln!("crosscheck: error: cannot print App Identity's report: {error}");
        complete = false;
    }
    parts.push(crosscheck::app_identity::report::test_results(&judged));

    match run_tls(&args.selection, &out.join("tls")) {
        Ok(report) => parts.push(crosscheck::tls::report::results::results(&report, "tls/")),
        Err(error) => {
            eprintln!("crosscheck: error: {error}");
            complete = false;
        }
    }

    match run_bogo(args.selection.jobs, &out.join("bogo")) {
        Ok(report) => parts.push(report.test_results(&out)),
        Err(error) => {
            eprintln!("crosscheck: error: {error}");
            complete = false;
        }
    }

    for part in parts {
        if let Err(error) = results.merge(part) {
            eprintln!("crosscheck: error: {error}");
            complete = false;
        }
    }
    results.wall_seconds = started.elapsed().as_secs_f64();
    println!("all: {}", results.summary());
    complete &= write_all(
        &results,
        &formats,
        &out,
        previous.as_ref(),
        args.output.noise,
    );
    if complete && results.failures().next().is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Writes `results` in every one of `formats` into `out`, printing what it
/// wrote and what changed since `previous`; false if anything failed.
fn write_all(
    results: &RunResults,
    formats: &[Format],
    out: &std::path::Path,
    previous: Option<&RunResults>,
    noise: f64,
) -> bool {
    let changes =
        previous.map(|previous| crosscheck::results::diff::diff(previous, results, noise / 100.0));
    if let Some(changes) = &changes {
        print!("since the previous run: {}", changes.render());
    }
    let mut written = Vec::new();
    let mut complete = true;
    for format in formats {
        match export::write(results, *format, out, changes.as_ref()) {
            Ok(file) => written.push(file.display().to_string()),
            Err(error) => {
                eprintln!("crosscheck: error: {error}");
                complete = false;
            }
        }
    }
    println!("results: {}", written.join(", "));
    complete
}

/// `crosscheck report`: earlier runs' results, merged and written again.
fn report(args: &ReportArgs) -> ExitCode {
    match merged_results(args) {
        Ok(Merged {
            results,
            out,
            previous,
        }) => {
            let formats = args.output.formats();
            let written = write_all(
                &results,
                &formats,
                &out,
                previous.as_ref(),
                args.output.noise,
            );
            if written && results.failures().next().is_none() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("crosscheck: error: {error}");
            ExitCode::from(2)
        }
    }
}

/// What `crosscheck report` writes from.
struct Merged {
    /// The inputs merged, their log paths made relative to `out`.
    results: RunResults,
    /// Where the reports go.
    out: PathBuf,
    /// The earlier run to compare with.
    previous: Option<RunResults>,
}

fn merged_results(args: &ReportArgs) -> Result<Merged, String> {
    let previous = args.output.previous()?;
    let directory = |input: &PathBuf| match input.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let out = match &args.out {
        Some(out) => out.clone(),
        None => args.inputs.first().map(directory).unwrap_or_default(),
    };
    let mut merged: Option<RunResults> = None;
    for input in &args.inputs {
        let mut results =
            crosscheck::results::diff::read(input).map_err(|error| error.to_string())?;
        export::rebase_logs(&mut results, &directory(input), &out)?;
        match &mut merged {
            None => merged = Some(results),
            Some(merged) => merged
                .merge(results)
                .map_err(|error| format!("cannot merge {}: {error}", input.display()))?,
        }
    }
    Ok(Merged {
        results: merged.ok_or("no results to report")?,
        out,
        previous,
    })
}

fn diff(args: &DiffArgs) -> ExitCode {
    use crosscheck::results::diff;

    let read =
        |path: &PathBuf| diff::read(path).map_err(|error| eprintln!("crosscheck: error: {error}"));
    let (Ok(old), Ok(new)) = (read(&args.old), read(&args.new)) else {
        return ExitCode::from(2);
    };
    if !(args.noise.is_finite() && args.noise >= 0.0) {
        eprintln!(
            "crosscheck: error: --noise {} is not a percentage",
            args.noise
        );
        return ExitCode::from(2);
    }
    let changes = diff::diff(&old, &new, args.noise / 100.0);
    print!("{}", changes.render());
    if changes.regressions.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs every BoGo case against every shim, prints the tables and
/// writes the upstream runner's results.json and the logs into `out_dir`.
fn run_bogo(
    jobs: Option<u16>,
    out_dir: &std::path::Path,
) -> Result<crosscheck::bogo::run::RunReport, String> {
    use crosscheck::bogo::run::{self, Selection};
    use crosscheck::bogo::summary;

    let selection = Selection {
        shims: Vec::new(),
        variants: Vec::new(),
        filter: None,
        include_disabled: false,
        allow_unimplemented: false,
        loose_errors: false,
        jobs: worker_count(jobs),
        logs_dir: out_dir.join("logs"),
        progress: true,
    };
    let report =
        run::run(SHIMS, CASES, &selection, &project_root()).map_err(|error| error.to_string())?;
    print!("{}", summary::table(&report));
    print!("{}", summary::totals(&report, &selection.logs_dir));
    let results = out_dir.join("results.json");
    write_results(&report, &results)?;
    println!("BoGo results (Chromium JSON v3): {}", results.display());
    Ok(report)
}

/// The requested number of worker threads, at most one per core (the
/// default). More would let the machine's load decide verdicts: shims
/// starved of CPU miss their deadlines and fail cells that pass alone.
/// The project root: where it was compiled, or where nextest put it when
/// the tests run from an archive.
fn project_root() -> std::path::PathBuf {
    crosscheck::paths::in_workspace(env!("CARGO_MANIFEST_DIR"))
}

fn worker_count(requested: Option<u16>) -> usize {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    match requested.map(usize::from) {
        Some(jobs) if jobs > cores => {
            eprintln!(
                "crosscheck: note: running {cores} at once, not {jobs}: this machine has {cores} CPUs, and more at once would let load fail cells"
            );
            cores
        }
        Some(jobs) => jobs,
        None => cores,
    }
}

/// That `path` can be written, checked before a run rather than after it;
/// a file that did not exist is not left behind.
fn check_writable(path: &std::path::Path) -> Result<(), String> {
    let existed = path.exists();
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// The upstream runner's JSON results of `report`, at `path`.
fn write_results(
    report: &crosscheck::bogo::run::RunReport,
    path: &std::path::Path,
) -> Result<(), String> {
    let json = serde_json::to_string_pretty(&report.results())
        .map_err(|error| format!("cannot encode the results: {error}"))?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
    }
    std::fs::write(path, json).map_err(|error| format!("cannot write {}: {error}", path.display()))
}

fn bogo(command: &BogoCommand) -> Result<(), String> {
    use crosscheck::bogo::{TestList, find_shim, find_variant, tests_diff};

    match command {
        BogoCommand::Config(args) => {
            let shim = find_shim(SHIMS, &args.name).map_err(|error| error.to_string())?;
            let variant =
                find_variant(shim, args.variant.as_deref()).map_err(|error| error.to_string())?;
            match &args.output {
                Some(path) => std::fs::write(path, &*variant.config_json)
                    .map_err(|error| format!("cannot write {}: {error}", path.display())),
                None => {
                    print!("{}", variant.config_json);
                    Ok(())
                }
            }
        }
        BogoCommand::Run(args) => bogo_run(args),
        BogoCommand::Import(args) => bogo_import(args),
        BogoCommand::TestsDiff(args) => {
            let shims = match &args.shim {
                Some(name) => vec![find_shim(SHIMS, name).map_err(|error| error.to_string())?],
                None => SHIMS.iter().collect(),
            };
            let old = TestList::read(&args.old).map_err(|error| error.to_string())?;
            let new = TestList::read(&args.new).map_err(|error| error.to_string())?;
            print!(
                "{}",
                tests_diff(&old, &new, &shims).map_err(|error| error.to_string())?
            );
            Ok(())
        }
    }
}

/// `bogo import`: the shim file on stdout or in `--output`, each note and
/// a summary on stderr.
fn bogo_import(args: &BogoImportArgs) -> Result<(), String> {
    use crosscheck::bogo::import::{ImportOptions, UpstreamList, import_file};

    let list = UpstreamList::resolve(&args.upstream_tests, &project_root())
        .map_err(|error| error.to_string())?;
    let stem = |path: &std::path::Path| {
        path.file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
    };
    let name = args
        .name
        .clone()
        .or_else(|| args.output.as_deref().and_then(stem))
        .or_else(|| stem(&args.config))
        .unwrap_or_else(|| "imported".to_string());
    let source_path = args.config.display().to_string();
    let source_name = args.config.file_name().map_or_else(
        || source_path.clone(),
        |name| name.to_string_lossy().into_owned(),
    );
    let extra_tests: Vec<&str> = CASES.iter().map(|case| case.name.as_ref()).collect();
    let options = ImportOptions {
        name: &name,
        source_path: &source_path,
        source_name: &source_name,
        list: &list,
        extra_tests: &extra_tests,
    };
    let imported = import_file(&args.config, &options).map_err(|error| error.to_string())?;
    for note in &imported.notes {
        eprintln!("{note}");
    }
    eprintln!("crosscheck: {}", imported.summary(&options));
    match &args.output {
        Some(path) => std::fs::write(path, &imported.yaml)
            .map_err(|error| format!("cannot write {}: {error}", path.display())),
        None => {
            print!("{}", imported.yaml);
            Ok(())
        }
    }
}

fn bogo_run(args: &BogoRunArgs) -> Result<(), String> {
    use crosscheck::bogo::run::{self, Selection};
    use crosscheck::bogo::summary;

    if let Some(path) = &args.json_output {
        check_writable(path)?;
    }
    let selection = Selection {
        shims: args.shims.clone(),
        variants: args.variants.clone(),
        filter: args.filter.clone(),
        include_disabled: args.include_disabled,
        allow_unimplemented: args.allow_unimplemented,
        loose_errors: args.loose_errors,
        jobs: worker_count(args.jobs),
        logs_dir: crosscheck::paths::work_dir().join("bogo").join("run-logs"),
        progress: true,
    };
    let report =
        run::run(SHIMS, CASES, &selection, &project_root()).map_err(|error| error.to_string())?;
    print!("{}", summary::lines(&report));
    print!("{}", summary::totals(&report, &selection.logs_dir));
    if let Some(path) = &args.json_output {
        write_results(&report, path)?;
    }
    match report.unexpected() {
        0 => Ok(()),
        unexpected => Err(format!(
            "{unexpected} tests did not end as the shims' configs expect"
        )),
    }
}
