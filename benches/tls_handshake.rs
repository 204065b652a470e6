//! Per-test overhead: wall time of a handshake cell (server start to both
//! exits, as the generated tests run it) per client × server pair.
//!
//! `cargo bench --bench tls_handshake [-- ROUNDS [IMPLEMENTATION…]]`
//! (default 40 rounds; default: every implementation).

use std::process::ExitCode;
use std::time::Duration;

use crosscheck::tls::cell::{self, Cell, Settings, Verdict};

include!(concat!(env!("OUT_DIR"), "/tls_matrix.rs"));

const CASE: &str = "handshake";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).filter(|arg| arg != "--bench");
    let rounds = match args.next().map(|text| text.parse::<usize>()) {
        None => 40,
        Some(Ok(rounds)) if rounds > 0 => rounds,
        Some(_) => {
            eprintln!("tls_handshake: error: ROUNDS must be a positive whole number");
            return ExitCode::FAILURE;
        }
    };
    let wanted: Vec<String> = args.collect();
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

    println!("{CASE} cell wall time (server start to both exits), {rounds} rounds, one at a time:");
    println!(
        "{:<14} {:<14} {:>10} {:>10} {:>10}",
        "client", "server", "median", "p90", "min"
    );
    let mut failed = false;
    for &client in &implementations {
        for &server in &implementations {
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
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}
