//! Per-test overhead: wall time of a handshake cell (server start to both
//! exits, as the generated tests run it) per client × server pair, then
//! per implementation (the median over every round of its cells).
//!
//! `cargo bench --bench tls_handshake [-- ROUNDS [IMPLEMENTATION…]]`
//! (default 20 rounds). Each implementation named (default: every one)
//! plays against itself and, in both roles, against the reference peer
//! (openssl); `--all-pairs` after ROUNDS runs every client × server pair
//! of the named implementations instead.

use std::process::ExitCode;
use std::time::Duration;

use crosscheck::tls::cell::{self, Cell, Settings, Verdict};

include!(concat!(env!("OUT_DIR"), "/tls_matrix.rs"));

const CASE: &str = "handshake";
/// The peer every implementation meets in both roles.
const REFERENCE: &str = "openssl";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).filter(|arg| arg != "--bench");
    let rounds = match args.next().map(|text| text.parse::<usize>()) {
        None => 20,
        Some(Ok(rounds)) if rounds > 0 => rounds,
        Some(_) => {
            eprintln!("tls_handshake: error: ROUNDS must be a positive whole number");
            return ExitCode::FAILURE;
        }
    };
    let mut wanted: Vec<String> = args.collect();
    let all_pairs = wanted.iter().any(|arg| arg == "--all-pairs");
    wanted.retain(|arg| arg != "--all-pairs");
    let Some(case) = MATRIX.cases.iter().position(|case| case.name == CASE) else {
        eprintln!("tls_handshake: error: the matrix has no `{CASE}` case");
        return ExitCode::FAILURE;
    };
    let settings = Settings::new(
        crosscheck::paths::work_dir()
            .join("bench")
            .join("tls_handshake"),
    );
    let implementations: Vec<usize> = (0..MATRIX.implementations.len())
        .filter(|&index| {
            wanted.is_empty()
                || wanted
                    .iter()
                    .any(|name| *name == MATRIX.implementations[index].name)
        })
        .collect();
    let reference = MATRIX
        .implementations
        .iter()
        .position(|implementation| implementation.name == REFERENCE);
    let mut pairs = Vec::new();
    for &first in &implementations {
        if all_pairs {
            pairs.extend(implementations.iter().map(|&second| (first, second)));
            continue;
        }
        pairs.push((first, first));
        if let Some(reference) = reference.filter(|&reference| reference != first) {
            pairs.push((first, reference));
            pairs.push((reference, first));
        }
    }

    println!("{CASE} cell wall time (server start to both exits), {rounds} rounds, one at a time:");
    println!(
        "{:<14} {:<14} {:>10} {:>10} {:>10}",
        "client", "server", "median", "p90", "min"
    );
    let mut failed = false;
    let mut per_implementation: Vec<Vec<Duration>> = vec![Vec::new(); MATRIX.implementations.len()];
    for (client, server) in pairs {
        {
            let cell = Cell {
                case,
                client,
                server,
            };
            let mut times = Vec::with_capacity(rounds);
            for _ in 0..rounds {
                let result = cell::run(&MATRIX, cell, &settings);
                if result.verdict != Verdict::Passed {
                    eprintln!(
                        "{}: {:?} (logs: {})",
                        cell.label(&MATRIX),
                        result.verdict,
                        result.client_log.display()
                    );
                    failed = true;
                    break;
                }
                times.push(result.elapsed);
            }
            if times.is_empty() {
                continue;
            }
            times.sort_unstable();
            per_implementation[client].extend(&times);
            if server != client {
                per_implementation[server].extend(&times);
            }
            println!(
                "{:<14} {:<14} {:>10} {:>10} {:>10}",
                MATRIX.implementations[client].name,
                MATRIX.implementations[server].name,
                millis(times[times.len() / 2]),
                millis(times[(times.len() * 9 / 10).min(times.len() - 1)]),
                millis(times[0]),
            );
        }
    }
    println!("\nper implementation (every round of its cells, either role):");
    println!(
        "{:<14} {:>10} {:>10} {:>7}",
        "implementation", "median", "p90", "cells"
    );
    for &index in &implementations {
        let times = &mut per_implementation[index];
        if times.is_empty() {
            continue;
        }
        times.sort_unstable();
        println!(
            "{:<14} {:>10} {:>10} {:>7}",
            MATRIX.implementations[index].name,
            millis(times[times.len() / 2]),
            millis(times[(times.len() * 9 / 10).min(times.len() - 1)]),
            times.len() / rounds,
        );
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}
