//! The fuzz targets without the fuzzer: lists them, writes their seed
//! corpora, and replays inputs (a crash AFL found, or a whole corpus).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use crosscheck_fuzz::{Input, TARGETS, Target, Workspace, target};

#[derive(Parser)]
#[command(about = "crosscheck's fuzz targets: list them, write their seeds, replay inputs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every target and what it reads.
    List,
    /// Writes each target's seed corpus to DIRECTORY/TARGET/.
    Seeds {
        directory: PathBuf,
        /// Only these targets (default: all).
        targets: Vec<String>,
    },
    /// Runs TARGET on each input (files, or every file of a directory);
    /// exits 1 if any input made it panic.
    Replay {
        target: String,
        inputs: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("crosscheck-fuzz: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::List => {
            for target in TARGETS {
                println!("{:<22} {}", target.name, target.reads);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Seeds { directory, targets } => {
            for target in chosen(&targets)? {
                let seeds = (target.seeds)().map_err(|error| {
                    format!("cannot make the seeds of {}: {error}", target.name)
                })?;
                let into = directory.join(target.name);
                std::fs::create_dir_all(&into)
                    .map_err(|error| format!("cannot create {}: {error}", into.display()))?;
                for seed in &seeds {
                    let path = into.join(&seed.name);
                    std::fs::write(&path, &seed.bytes)
                        .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
                }
                println!(
                    "{}: {} seeds in {}",
                    target.name,
                    seeds.len(),
                    into.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Replay {
            target: name,
            inputs,
        } => {
            let target = chosen(std::slice::from_ref(&name))?[0];
            let files = files(&inputs)?;
            let work =
                tempfile::tempdir().map_err(|error| format!("no temporary directory: {error}"))?;
            let workspace = Workspace::new(work.path().to_path_buf());
            let (mut accepted, mut failed) = (0, 0);
            for file in &files {
                let data = std::fs::read(file)
                    .map_err(|error| format!("cannot read {}: {error}", file.display()))?;
                match catch_unwind(AssertUnwindSafe(|| (target.run)(&workspace, &data))) {
                    Ok(Input::Accepted) => accepted += 1,
                    Ok(Input::Rejected) => {}
                    Err(_) => {
                        eprintln!(
                            "crosscheck-fuzz: {} panicked on {}",
                            target.name,
                            file.display()
                        );
                        failed += 1;
                    }
                }
            }
            println!(
                "{}: {} inputs, {accepted} accepted, {failed} panicked",
                target.name,
                files.len()
            );
            Ok(if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

fn chosen(names: &[String]) -> Result<Vec<&'static Target>, String> {
    if names.is_empty() {
        return Ok(TARGETS.iter().collect());
    }
    names
        .iter()
        .map(|name| {
            target(name).ok_or_else(|| {
                let names: Vec<&str> = TARGETS.iter().map(|target| target.name).collect();
                format!("no target {name:?}; the targets are {}", names.join(", "))
            })
        })
        .collect()
}

/// The files named, a directory standing for the files in it.
fn files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let entries = std::fs::read_dir(input)
                .map_err(|error| format!("cannot read {}: {error}", input.display()))?;
            let mut inside: Vec<PathBuf> = entries
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| path.is_file() && !is_afl_note(path))
                .collect();
            inside.sort();
            files.extend(inside);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

/// AFL's README.txt in a crashes directory is not an input.
fn is_afl_note(path: &Path) -> bool {
    path.file_name().is_some_and(|name| name == "README.txt")
}
