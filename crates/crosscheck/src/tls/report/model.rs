//! The report of a matrix run, as written to JSON and rendered as tables.

use serde::Serialize;

use crate::tls::observe::Observation;
use crate::tls::provenance::Version;

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Seconds since the Unix epoch when the run started.
    pub started_at_unix: u64,
    pub wall_seconds: f64,
    pub jobs: usize,
    /// Every implementation of a selected cell, in spec order, with the
    /// version the run saw.
    pub implementations: Vec<ImplementationReport>,
    pub cases: Vec<CaseReport>,
    pub totals: Totals,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImplementationReport {
    pub name: String,
    pub description: String,
    /// What its program said of itself when the run began.
    pub version: Version,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseReport {
    pub name: String,
    pub description: String,
    pub upstream: bool,
    /// `name=value` of every parameter used.
    pub parameters: Vec<String>,
    pub cells: Vec<CellReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CellReport {
    pub client: String,
    pub server: String,
    pub status: CellStatus,
    /// Whether the status is what the spec declares (supported cells pass,
    /// known failures fail, declared-unsupported cells exit 127).
    pub as_declared: bool,
    /// Why it failed, was unsupported, or is unexpected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub elapsed_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub megabytes_per_second: Option<f64>,
    /// Relative to the report's directory.
    pub client_log: String,
    pub server_log: String,
    /// What the harness saw on the wire, one line per connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed: Option<String>,
    /// What the case asks that the wire could not show (encrypted, no key log).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unobserved: Vec<String>,
    /// Everything the harness saw: hellos, alerts, records, decryption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observation: Option<Observation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellStatus {
    Pass,
    Fail,
    Unsupported,
}

impl CellStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CellStatus::Pass => "pass",
            CellStatus::Fail => "fail",
            CellStatus::Unsupported => "unsupported",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub unsupported: usize,
    /// Cells whose status is not what the spec declares.
    pub unexpected: usize,
}

impl Totals {
    pub fn add(&mut self, cell: &CellReport) {
        match cell.status {
            CellStatus::Pass => self.passed += 1,
            CellStatus::Fail => self.failed += 1,
            CellStatus::Unsupported => self.unsupported += 1,
        }
        if !cell.as_declared {
            self.unexpected += 1;
        }
    }
}
