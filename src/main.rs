//! `crosscheck`: runs the conformance families and prints their reports.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

include!(concat!(env!("OUT_DIR"), "/app_identity_family.rs"));

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
    /// Every family's full run (today: App Identity)
    All,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::AppIdentity | Command::All => app_identity(),
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
