//! Single-thread verification throughput per version, next to the raw SHA-2
//! rate for an input of the same length.
//!
//! Run with `cargo bench -p app-identity --bench verify`.

use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

use app_identity::padlock::{HexCase, encode_hex};
use app_identity::proof::Proof;
use app_identity::{App, AppId, Secret, Timestamp, Version, generate_proof, verify_proof};
use sha2::{Digest, Sha256, Sha384, Sha512};

const ROUNDS: u32 = 20;
const ROUND: Duration = Duration::from_millis(50);
const BATCH: u32 = 1_000;

/// Per-version targets: ten times the TypeScript reference.
const TARGET: &str =
    "target: >= 10x TypeScript (166k V1 .. 62k V4 proofs/s) and within 2x of raw hash rate";

struct Row {
    version: Version,
    input_len: usize,
    proofs_per_second: f64,
    hashes_per_second: f64,
}

fn main() -> Result<(), Box<dyn Error>> {
    let rows = Version::ALL
        .into_iter()
        .map(measure)
        .collect::<Result<Vec<_>, _>>()?;
    print_table(&rows);
    Ok(())
}

/// A realistic app: UUID id, 64 hex digit secret, app version = proof version.
fn realistic_app(version: Version) -> Result<App, Box<dyn Error>> {
    let id = AppId::from_text(uuid::Uuid::new_v4().to_string())?;
    let mut secret = [0; 32];
    getrandom::fill(&mut secret)?;
    let secret = Secret::new(encode_hex(&secret, HexCase::Lower))?;
    Ok(App::new(id, secret, version, None)?)
}

fn measure(version: Version) -> Result<Row, Box<dyn Error>> {
    let app = realistic_app(version)?;
    let proof = generate_proof(&app, Some(version), None)?;
    let now = Timestamp::now();
    if !verify_proof(&proof, &app, now) {
        return Err(format!("the version {version} benchmark proof does not verify").into());
    }
    let parsed = Proof::parse(&proof)?;
    let input = format!("{}:{}:{}", app.id(), parsed.nonce, app.secret().expose());

    let [proofs_per_second, hashes_per_second] = best_rates([
        &mut || {
            black_box(verify_proof(black_box(&proof), black_box(&app), now));
        },
        &mut || hash(version, black_box(input.as_bytes())),
    ]);
    Ok(Row {
        version,
        input_len: input.len(),
        proofs_per_second,
        hashes_per_second,
    })
}

fn hash(version: Version, input: &[u8]) {
    match version {
        Version::V1 | Version::V2 => {
            black_box(Sha256::digest(input));
        }
        Version::V3 => {
            black_box(Sha384::digest(input));
        }
        Version::V4 => {
            black_box(Sha512::digest(input));
        }
    }
}

/// Calls per second of each operation: the best of several short rounds,
/// alternating between the operations so that both meet the same machine
/// load, which disturbs the figures as little as possible.
fn best_rates<const N: usize>(mut operations: [&mut dyn FnMut(); N]) -> [f64; N] {
    let mut best = [0.0_f64; N];
    for _ in 0..ROUNDS {
        for (operation, best) in operations.iter_mut().zip(&mut best) {
            *best = best.max(calls_per_second(operation));
        }
    }
    best
}

fn calls_per_second(operation: &mut dyn FnMut()) -> f64 {
    let start = Instant::now();
    let mut calls = 0_u64;
    while start.elapsed() < ROUND {
        for _ in 0..BATCH {
            operation();
        }
        calls += u64::from(BATCH);
    }
    calls as f64 / start.elapsed().as_secs_f64()
}

fn print_table(rows: &[Row]) {
    println!("App Identity verification, one thread");
    println!(
        "{:<8} {:>6} {:>14} {:>14} {:>12}",
        "version", "input", "proofs/s", "hashes/s", "hash/verify"
    );
    for row in rows {
        println!(
            "{:<8} {:>5}B {:>14.0} {:>14.0} {:>11.2}x",
            format!("V{}", row.version),
            row.input_len,
            row.proofs_per_second,
            row.hashes_per_second,
            row.hashes_per_second / row.proofs_per_second
        );
    }
    println!("{TARGET}");
}
