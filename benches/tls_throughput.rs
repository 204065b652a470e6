//! large_data_download throughput per client × server pair, next to the
//! machine's AES-128-GCM ceiling (`openssl speed`), and what the harness
//! itself costs on rustls ↔ rustls: observing the wire against relaying it
//! without looking (the observer), relaying against connecting directly
//! (the relay's extra TCP hop), and the harness's direct cell against the
//! same shims started bare (process groups, log files, port reservations).
//!
//! `cargo bench --bench tls_throughput [-- SIZE [IMPLEMENTATION…]]`
//! (SIZE like `1 GB`, default 1 GB; default: every implementation).

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use crosscheck::programs;
use crosscheck::tls::cell::{self, Carriage, Cell, Settings, Verdict};
use crosscheck::tls::listening::is_listening;
use crosscheck::tls::ports;

include!(concat!(env!("OUT_DIR"), "/tls_matrix.rs"));

const CASE: &str = "large_data_download";
const DIRECT_BASELINE: &str = "rustls";
const ROUNDS: usize = 3;
const COST_ROUNDS: usize = 9;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).filter(|arg| arg != "--bench");
    let size = args.next().unwrap_or_else(|| "1 GB".to_string());
    let wanted: Vec<String> = args.collect();
    match run(&size, &wanted) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tls_throughput: error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(size: &str, wanted: &[String]) -> Result<(), String> {
    let bytes: u64 = size
        .parse::<bytesize::ByteSize>()
        .map_err(|_| format!("`{size}` is not a size such as `1 GB`"))?
        .as_u64();
    let case = MATRIX
        .cases
        .iter()
        .position(|case| case.name == CASE)
        .ok_or(format!("the matrix has no `{CASE}` case"))?;
    let implementations: Vec<usize> = (0..MATRIX.implementations.len())
        .filter(|&index| {
            wanted.is_empty()
                || wanted
                    .iter()
                    .any(|name| *name == MATRIX.implementations[index].name)
        })
        .collect();
    let settings = Settings {
        logs_dir: crosscheck::paths::work_dir()
            .join("bench")
            .join("tls_throughput"),
        overrides: vec![("download_bytes".to_string(), bytes.to_string())],
        carriage: Carriage::Observed,
    };

    let ceiling = match openssl_speed_ceiling() {
        Ok(rate) => {
            println!("ceiling: openssl speed -evp aes-128-gcm, 16 KB blocks: {rate:.0} MB/s");
            Some(rate)
        }
        Err(error) => {
            println!("ceiling: unavailable ({error})");
            None
        }
    };
    println!(
        "{CASE}, {} MB per cell, best of {ROUNDS} rounds, MB/s over the client's lifetime:",
        bytes / 1_000_000
    );
    println!("{:<14} {:<14} {:>10}", "client", "server", "MB/s");
    for &client in &implementations {
        for &server in &implementations {
            let cell = Cell {
                case,
                client,
                server,
            };
            let rate = match best_rate(cell, &settings) {
                Ok(rate) => rate,
                // A pair that fails (a known failure among them) has no
                // rate; the others still get theirs.
                Err(why) => {
                    println!(
                        "{:<14} {:<14} {:>10}  {why}",
                        MATRIX.implementations[client].name,
                        MATRIX.implementations[server].name,
                        "failed"
                    );
                    continue;
                }
            };
            let share = ceiling.as_ref().map_or(String::new(), |ceiling| {
                format!("  ({:.0}% of the ceiling)", 100.0 * rate / ceiling)
            });
            println!(
                "{:<14} {:<14} {:>10.0}{share}",
                MATRIX.implementations[client].name, MATRIX.implementations[server].name, rate
            );
        }
    }
    harness_cost(case, bytes, &settings)
}

fn best_rate(cell: Cell, settings: &Settings) -> Result<f64, String> {
    let mut best: f64 = 0.0;
    for _ in 0..ROUNDS {
        let result = cell::run(&MATRIX, cell, settings);
        match (&result.verdict, result.megabytes_per_second()) {
            (Verdict::Passed, Some(rate)) => best = best.max(rate),
            (Verdict::Unsupported { .. }, _) => return Ok(f64::NAN),
            (verdict, _) => {
                return Err(format!(
                    "{} did not pass: {verdict:?} (logs: {})",
                    cell.label(&MATRIX),
                    result.client_log.display()
                ));
            }
        }
    }
    Ok(best)
}

/// The ways of carrying the cell, each against the next, interleaved so
/// that machine noise hits them alike; medians compared.
fn harness_cost(case: usize, bytes: u64, settings: &Settings) -> Result<(), String> {
    let Some(rustls) = MATRIX
        .implementations
        .iter()
        .position(|i| i.name == DIRECT_BASELINE)
    else {
        return Ok(());
    };
    let cell = Cell {
        case,
        client: rustls,
        server: rustls,
    };
    let carriages = [
        Carriage::Observed,
        Carriage::RelayedUnobserved,
        Carriage::Direct,
    ];
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); carriages.len() + 1];
    for _ in 0..COST_ROUNDS {
        for (carriage, rates) in carriages.iter().zip(rates.iter_mut()) {
            let settings = Settings {
                carriage: *carriage,
                ..settings.clone()
            };
            let result = cell::run(&MATRIX, cell, &settings);
            rates.push(result.megabytes_per_second().ok_or(format!(
                "{} ({carriage:?}) did not pass: {:?}",
                cell.label(&MATRIX),
                result.verdict
            ))?);
        }
        rates[carriages.len()].push(direct_rate(rustls, bytes)?);
    }
    let medians: Vec<f64> = rates.iter_mut().map(|rates| median(rates)).collect();
    let [observed, unobserved, direct, bare] = medians[..] else {
        return Err("one median per carriage".into());
    };
    let cost = |slower: f64, faster: f64| 100.0 * (faster - slower) / faster;
    println!(
        "harness cost ({DIRECT_BASELINE} ↔ {DIRECT_BASELINE}, median MB/s of {COST_ROUNDS} interleaved rounds):"
    );
    println!(
        "  observed through the relay  {observed:>6.0}  observer cost {:+.1}% (against relaying without looking)",
        cost(observed, unobserved)
    );
    println!(
        "  relayed without looking     {unobserved:>6.0}  relay hop cost {:+.1}% (against the direct cell)",
        cost(unobserved, direct)
    );
    println!(
        "  harness cell, direct        {direct:>6.0}  harness cost {:+.1}% (against the shims started bare)",
        cost(direct, bare)
    );
    println!("  shims started bare          {bare:>6.0}");
    println!("  observed against direct: {:+.1}%", cost(observed, direct));
    Ok(())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn direct_rate(implementation: usize, bytes: u64) -> Result<f64, String> {
    let spec = &MATRIX.implementations[implementation];
    let resolved = programs::resolve(&spec.program, Path::new(&*MATRIX.root))
        .map_err(|error| error.to_string())?;
    let (program, leading) = (&resolved.program, &resolved.leading_args);
    let port = ports::reserve().map_err(|error| error.to_string())?;
    let command = |role: &str| {
        let mut command = Command::new(program);
        command
            .args(leading)
            .args([role, CASE, &port.port().to_string()])
            .current_dir(&resolved.cwd)
            .envs(resolved.env.iter().map(|(key, value)| (key, value)))
            .env("CROSSCHECK_TLS_CERTIFICATES", &*MATRIX.certificates)
            .env("CROSSCHECK_TLS_DOWNLOAD_BYTES", bytes.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    };
    let mut server = command("server")
        .spawn()
        .map_err(|error| error.to_string())?;
    let give_up = Instant::now() + Duration::from_secs(10);
    while !is_listening(port.port()).unwrap_or(false) {
        if Instant::now() > give_up {
            let _ = server.kill();
            let _ = server.wait();
            return Err("the bare server did not listen".into());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let started = Instant::now();
    let client = command("client")
        .status()
        .map_err(|error| error.to_string())?;
    let elapsed = started.elapsed();
    let server = server.wait().map_err(|error| error.to_string())?;
    if !client.success() || !server.success() {
        return Err(format!("bare run failed: client {client}, server {server}"));
    }
    Ok(bytes as f64 / 1e6 / elapsed.as_secs_f64())
}

/// MB/s of `openssl speed -evp aes-128-gcm` on 16 KB blocks.
fn openssl_speed_ceiling() -> Result<f64, String> {
    let output = Command::new("openssl")
        .args([
            "speed",
            "-evp",
            "aes-128-gcm",
            "-bytes",
            "16384",
            "-seconds",
            "2",
        ])
        .stderr(Stdio::null())
        .output()
        .map_err(|error| format!("cannot run openssl: {error}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    // The result row ends with the rate in thousands of bytes per second, e.g. `4412345.67k`.
    text.lines()
        .filter(|line| line.to_ascii_lowercase().starts_with("aes-128-gcm"))
        .filter_map(|line| line.split_whitespace().last())
        .filter_map(|rate| rate.strip_suffix('k'))
        .filter_map(|rate| rate.parse::<f64>().ok())
        .next_back()
        .map(|thousands| thousands / 1000.0)
        .ok_or_else(|| format!("no aes-128-gcm row in openssl speed's output:\n{text}"))
}
