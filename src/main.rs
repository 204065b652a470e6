//! `crosscheck`: runs the conformance families and prints their reports.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

include!(concat!(env!("OUT_DIR"), "/app_identity_family.rs"));
include!(concat!(env!("OUT_DIR"), "/tls_matrix.rs"));

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
    /// one table per case and writing report.json and report.html
    Tls(TlsArgs),
    /// Every family's full run: App Identity, then the TLS matrix
    All(TlsArgs),
}

#[derive(Debug, Args)]
struct TlsArgs {
    /// Cells to run at once [default: the number of CPUs]
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: Option<u16>,
    /// Directory for report.json, report.html and the cells' logs
    /// [default: <target>/crosscheck/tls/report]
    #[arg(long, short = 'o')]
    out: Option<PathBuf>,
    /// Run only this case (repeatable)
    #[arg(long = "case", value_name = "NAME")]
    cases: Vec<String>,
    /// Run only these implementations, as clients and as servers (repeatable)
    #[arg(long = "implementation", value_name = "NAME")]
    implementations: Vec<String>,
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
        Command::All(args) => {
            let app_identity = app_identity();
            let tls = tls(&args);
            if app_identity == ExitCode::SUCCESS && tls == ExitCode::SUCCESS {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn app_identity() -> ExitCode {
    if let Err(error) = crosscheck::app_identity::build_tools(&FAMILY) {
        eprintln!("crosscheck: error: {error}");
        return ExitCode::FAILURE;
    }
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
    use crosscheck::tls::report;

    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(2, usize::from),
        usize::from,
    );
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| crosscheck::paths::work_dir().join("tls").join("report"));
    let options = report::RunOptions {
        jobs,
        out_dir: out_dir.clone(),
        cases: args.cases.clone(),
        implementations: args.implementations.clone(),
        progress: true,
        overrides: args.overrides.clone(),
    };
    let report = match report::run_matrix(&MATRIX, &options) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("crosscheck: error: {error}");
            return ExitCode::FAILURE;
        }
    };
    print!("{}", report::table::render(&report));
    if let Err(error) = report::write_files(&report, &out_dir) {
        eprintln!("crosscheck: error: {error}");
        return ExitCode::FAILURE;
    }
    println!(
        "report: {} and {}",
        out_dir.join("report.html").display(),
        out_dir.join("report.json").display()
    );
    if report.totals.unexpected == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
