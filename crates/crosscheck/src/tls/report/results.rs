//! A TLS run in the one result model every family shares.

use crate::results::{Family, Provenance, TestResult, Verdict};
use crate::tls::report::model::{CellReport, CellStatus, Report};

/// The implementations and cells of `report`; log paths are prefixed with
/// `log_prefix` (where the TLS report directory sits among the results).
pub fn results(report: &Report, log_prefix: &str) -> (Vec<Provenance>, Vec<TestResult>) {
    let implementations = report
        .implementations
        .iter()
        .map(|implementation| Provenance {
            family: Family::Tls,
            name: implementation.name.clone(),
            version: implementation.version.to_string(),
        })
        .collect();
    let tests = report
        .cases
        .iter()
        .flat_map(|case| {
            case.cells
                .iter()
                .map(|cell| test_result(&case.name, cell, log_prefix))
        })
        .collect();
    (implementations, tests)
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
    let mut test =
        TestResult::new(Family::Tls, case, &name, verdict).with_detail(cell.detail.clone());
    test.observed = cell.observed.clone();
    test.elapsed_ms = Some(cell.elapsed_ms);
    test.megabytes_per_second = cell.megabytes_per_second;
    test.logs = [&cell.client_log, &cell.server_log]
        .into_iter()
        .map(|log| format!("{log_prefix}{log}"))
        .collect();
    test
}
