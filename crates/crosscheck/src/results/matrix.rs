//! The TLS cells as the QUIC Interop Runner's `result.json`, which its
//! web viewer and tools read: `clients`, `servers`, the cases as `tests`,
//! and per (client, server) pair in client-major order a list of results
//! (`succeeded`, `failed`, `unsupported`, or null where the pair did not
//! run the case). Cases that measure throughput are `measurements`, with
//! the figure in `details`. A cell that is not as its spec declares is
//! `failed`: the matrix shows what needs attention, and `detail` in
//! `results.json` says why.

use serde_json::{Value, json};

use crate::results::{Family, RunResults, TestResult, Verdict};

/// The matrix of the run's TLS cells; `log_dir` is the directory that
/// holds all their logs.
pub fn render(results: &RunResults) -> Value {
    let cells: Vec<&TestResult> = results
        .tests
        .iter()
        .filter(|test| test.family == Family::Tls && test.place.is_some())
        .collect();
    let mut clients: Vec<&str> = Vec::new();
    let mut servers: Vec<&str> = Vec::new();
    let mut cases: Vec<&str> = Vec::new();
    let mut measured: Vec<&str> = Vec::new();
    for place in cells.iter().filter_map(|test| test.place.as_ref()) {
        for (names, name) in [
            (&mut clients, &place.row),
            (&mut servers, &place.column),
            (&mut cases, &place.grid),
        ] {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
    }
    for test in &cells {
        if let Some(place) = test
            .place
            .as_ref()
            .filter(|_| test.megabytes_per_second.is_some())
            && !measured.contains(&place.grid.as_str())
        {
            measured.push(&place.grid);
        }
    }
    let find = |client: &str, server: &str, case: &str| {
        cells.iter().copied().find(|test| {
            test.place.as_ref().is_some_and(|place| {
                place.row == client && place.column == server && place.grid == case
            })
        })
    };
    let tests: serde_json::Map<String, Value> = cases
        .iter()
        .map(|&case| {
            let description = results
                .grids
                .iter()
                .find(|grid| grid.family == Family::Tls && grid.grid == case)
                .map_or("", |grid| grid.description.as_str());
            (case.to_string(), json!({"name": case, "desc": description}))
        })
        .collect();
    let mut matrix_results = Vec::new();
    let mut measurements = Vec::new();
    for &client in &clients {
        for &server in &servers {
            let mut pair_results = Vec::new();
            let mut pair_measurements = Vec::new();
            for &case in &cases {
                let test = find(client, server, case);
                if measured.contains(&case) {
                    if let Some(test) = test {
                        let details = test
                            .megabytes_per_second
                            .map_or(String::new(), |speed| format!("{speed:.1} MB/s"));
                        pair_measurements.push(json!({
                            "abbr": case, "name": case,
                            "result": result(test.verdict), "details": details,
                        }));
                    }
                } else {
                    pair_results.push(json!({
                        "abbr": case, "name": case,
                        "result": test.map(|test| result(test.verdict)),
                    }));
                }
            }
            matrix_results.push(Value::Array(pair_results));
            measurements.push(Value::Array(pair_measurements));
        }
    }
    let log_dir = common_directory(cells.iter().flat_map(|test| &test.logs));
    let start = results.started_at_unix as f64;
    json!({
        "start_time": start,
        "end_time": start + results.wall_seconds,
        "log_dir": log_dir,
        "servers": servers,
        "clients": clients,
        "urls": {},
        "tests": tests,
        "results": matrix_results,
        "measurements": measurements,
    })
}

/// The deepest directory that holds every one of `logs` (`.` for none).
fn common_directory<'a>(logs: impl Iterator<Item = &'a String>) -> String {
    let mut common: Option<Vec<&str>> = None;
    for log in logs {
        let mut directories: Vec<&str> = log.split('/').collect();
        directories.pop();
        common = Some(match common {
            None => directories,
            Some(common) => common
                .into_iter()
                .zip(directories)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect(),
        });
    }
    match common {
        Some(common) if !common.is_empty() => common.join("/"),
        _ => ".".to_string(),
    }
}

fn result(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "succeeded",
        Verdict::Unsupported | Verdict::Unimplemented | Verdict::Disabled => "unsupported",
        Verdict::Fail | Verdict::DeclaredFailure | Verdict::NotAsDeclared => "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{GridDescription, Place};

    #[test]
    fn pairs_are_client_major_with_null_where_a_pair_did_not_run_a_case() {
        let mut results = RunResults::new(100);
        results.wall_seconds = 5.0;
        results.grids.push(GridDescription {
            family: Family::Tls,
            grid: "handshake".into(),
            description: "a full handshake".into(),
        });
        let cell = |case: &str, client: &str, server: &str, verdict: Verdict| {
            TestResult::new(Family::Tls, case, &format!("{client}_to_{server}"), verdict)
                .at(Place::new(case, client, server))
        };
        let mut download = cell("download", "a", "b", Verdict::Pass);
        download.logs = vec!["tls/logs/download/a_to_b/client.log".into()];
        download.megabytes_per_second = Some(812.34);
        results.tests = vec![
            TestResult {
                logs: vec!["tls/logs/handshake/a_to_a/server.log".into()],
                ..cell("handshake", "a", "a", Verdict::Pass)
            },
            cell("handshake", "a", "b", Verdict::Fail),
            cell("handshake", "b", "a", Verdict::Unsupported),
            download,
        ];
        let matrix = render(&results);
        assert_eq!(matrix["log_dir"], "tls/logs");
        assert_eq!(matrix["clients"], json!(["a", "b"]));
        assert_eq!(matrix["servers"], json!(["a", "b"]));
        assert_eq!(matrix["end_time"], json!(105.0));
        assert_eq!(matrix["tests"]["handshake"]["desc"], "a full handshake");
        let result = |pair: usize| matrix["results"][pair][0]["result"].clone();
        assert_eq!(
            [result(0), result(1), result(2), result(3)],
            [
                json!("succeeded"),
                json!("failed"),
                json!("unsupported"),
                Value::Null
            ]
        );
        assert_eq!(matrix["measurements"][1][0]["details"], "812.3 MB/s");
        assert_eq!(matrix["measurements"][0], json!([]));
    }
}
