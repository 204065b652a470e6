//! A TLS run in the one result model every family shares.

use crate::results::{Family, GridDescription, Place, RunResults, TestResult, Verdict};
use crate::tls::report::model::{CellReport, CellStatus, Report};

/// The implementations, cases and cells of `report`; log paths are
/// prefixed with `log_prefix` (where the TLS report directory sits among
/// the results).
pub fn results(report: &Report, log_prefix: &str) -> RunResults {
    let mut results = RunResults::new(report.started_at_unix);
    results.wall_seconds = report.wall_seconds;
    results.implementations = report
        .implementations
        .iter()
        .map(|implementation| crate::results::Provenance {
            family: Family::Tls,
            name: implementation.name.clone(),
            version: implementation.version.to_string(),
        })
        .collect();
    results.grids = report
        .cases
        .iter()
        .map(|case| {
            let mut description = case.description.clone();
            if !case.parameters.is_empty() {
                description = format!("{description} ({})", case.parameters.join(", "));
            }
            GridDescription {
                family: Family::Tls,
                grid: case.name.clone(),
                description,
            }
        })
        .collect();
    results.tests = report
        .cases
        .iter()
        .flat_map(|case| {
            case.cells
                .iter()
                .map(|cell| test_result(&case.name, cell, log_prefix))
        })
        .collect();
    results
}

fn test_result(case: &str, cell: &CellReport, log_prefix: &str) -> TestResult {
    let verdict = match (cell.status, cell.as_declared) {
        (CellStatus::Pass, true) => Verdict::Pass,
        (CellStatus::Fail, true) => Verdict::DeclaredFailure,
        (CellStatus::Unsupported, true) => Verdict::Unsupported,
        (CellStatus::Fail, false) => Verdict::Fail,
        (CellStatus::Pass | CellStatus::Unsupported, false) => Verdict::NotAsDeclared,
    };
    let name = format!("{}_to_{}", cell.client, cell.server);
    let mut test = TestResult::new(Family::Tls, case, &name, verdict)
        .with_detail(cell.detail.clone())
        .at(Place::new(case, &cell.client, &cell.server));
    test.observed = cell.observed.clone();
    test.elapsed_ms = Some(cell.elapsed_ms);
    test.megabytes_per_second = cell.megabytes_per_second;
    test.logs = [&cell.client_log, &cell.server_log]
        .into_iter()
        .map(|log| format!("{log_prefix}{log}"))
        .collect();
    test
}
