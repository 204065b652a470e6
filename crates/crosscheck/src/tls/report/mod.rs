//! `crosscheck tls`: the whole matrix in parallel, then one clients ×
//! servers table per case on the terminal and as JSON; the shared results
//! (`results`) give the HTML page.

pub mod model;
pub mod results;
pub mod run;
pub mod table;

pub use model::{CaseReport, CellReport, CellStatus, Report, Totals};
pub use run::{RunOptions, run_matrix};

use std::path::Path;

/// Writes `report.json` into `out_dir`.
pub fn write_files(report: &Report, out_dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(out_dir)
        .map_err(|error| format!("cannot create {}: {error}", out_dir.display()))?;
    let json = serde_json::to_string_pretty(report)
        .map_err(|error| format!("cannot encode the report: {error}"))?;
    let path = out_dir.join("report.json");
    std::fs::write(&path, json).map_err(|error| format!("cannot write {}: {error}", path.display()))
}
