//! One result model for every family's run. Each family turns its own
//! report into [`TestResult`]s; the exporters (JSON, HTML, JUnit XML,
//! TAP 14, the interop matrix) and `crosscheck diff` read only this model.

pub mod diff;
pub mod export;
pub mod html;
pub mod junit;
pub mod matrix;
pub mod tap;

use serde::{Deserialize, Serialize};

/// Seconds since the Unix epoch, now (0 on a clock set before 1970).
pub fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64())
}

/// The format version written into `results.json`; `diff` refuses others.
pub const FORMAT: u32 = 1;

/// One run of one or more families.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResults {
    pub format: u32,
    /// Seconds since the Unix epoch when the run started.
    pub started_at_unix: u64,
    pub wall_seconds: f64,
    /// Every implementation that took part, with what it said of its version.
    pub implementations: Vec<Provenance>,
    /// What each grid of the run shows (a TLS case's description).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grids: Vec<GridDescription>,
    pub tests: Vec<TestResult>,
}

impl RunResults {
    pub fn new(started_at_unix: u64) -> RunResults {
        RunResults {
            format: FORMAT,
            started_at_unix,
            wall_seconds: 0.0,
            implementations: Vec::new(),
            grids: Vec::new(),
            tests: Vec::new(),
        }
    }

    /// Adds another part of the run (a family, or a partition run on
    /// another machine); a test id both hold is an error naming it.
    pub fn merge(&mut self, other: RunResults) -> Result<(), String> {
        let known: std::collections::HashSet<&str> =
            self.tests.iter().map(|test| test.id.as_str()).collect();
        if let Some(twice) = other
            .tests
            .iter()
            .find(|test| known.contains(test.id.as_str()))
        {
            return Err(format!(
                "test {} is in more than one of the results",
                twice.id
            ));
        }
        for implementation in other.implementations {
            if !self.implementations.contains(&implementation) {
                self.implementations.push(implementation);
            }
        }
        for grid in other.grids {
            if !self.grids.contains(&grid) {
                self.grids.push(grid);
            }
        }
        self.tests.extend(other.tests);
        // 0: a part that does not know when it started.
        if other.started_at_unix != 0
            && (self.started_at_unix == 0 || other.started_at_unix < self.started_at_unix)
        {
            self.started_at_unix = other.started_at_unix;
        }
        self.wall_seconds = self.wall_seconds.max(other.wall_seconds);
        Ok(())
    }

    /// Tests whose verdict fails the run.
    pub fn failures(&self) -> impl Iterator<Item = &TestResult> {
        self.tests
            .iter()
            .filter(|test| test.verdict.fails_the_run())
    }

    /// `N tests: 3 pass, 1 fail`: the verdicts that occur, counted.
    pub fn summary(&self) -> String {
        let counts: Vec<String> = self
            .counts()
            .into_iter()
            .filter(|(_, count)| *count > 0)
            .map(|(verdict, count)| format!("{count} {}", verdict.as_str()))
            .collect();
        format!("{} tests: {}", self.tests.len(), counts.join(", "))
    }

    /// How many tests have each verdict, in [`Verdict::ALL`] order.
    pub fn counts(&self) -> Vec<(Verdict, usize)> {
        Verdict::ALL
            .iter()
            .map(|&verdict| {
                let count = self
                    .tests
                    .iter()
                    .filter(|test| test.verdict == verdict)
                    .count();
                (verdict, count)
            })
            .collect()
    }
}

/// Which spec family a test belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    AppIdentity,
    Tls,
    Bogo,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::AppIdentity => "app_identity",
            Family::Tls => "tls",
            Family::Bogo => "bogo",
        }
    }
}

/// What one grid of a family shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridDescription {
    pub family: Family,
    pub grid: String,
    pub description: String,
}

/// Where a test sits in its family's grids: TLS cells in a grid per case
/// (client row, server column), App Identity cases in one generator ×
/// verifier grid, BoGo tests in one shim × variant grid. Tests that share
/// a place are counted together in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Place {
    pub grid: String,
    pub row: String,
    pub column: String,
}

impl Place {
    pub fn new(grid: &str, row: &str, column: &str) -> Place {
        Place {
            grid: grid.to_string(),
            row: row.to_string(),
            column: column.to_string(),
        }
    }
}

/// An implementation and the version it reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub family: Family,
    pub name: String,
    pub version: String,
}

/// One test of one family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    pub family: Family,
    /// `family::group::name`: the same in every run of the same specs.
    pub id: String,
    /// What groups it in reports: a TLS case, a BoGo shim and variant, an
    /// App Identity generator → verifier pair.
    pub group: String,
    /// Its name within the group: a TLS client → server cell, a BoGo test,
    /// an App Identity case.
    pub name: String,
    pub verdict: Verdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
    /// Why it failed, is unsupported, or is not as declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// What the harness saw (the TLS wire), in one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub megabytes_per_second: Option<f64>,
    /// Logs, relative to the results' directory where they are under it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<String>,
}

impl TestResult {
    /// A test of `family` in `group` named `name`, its id made from the three.
    pub fn new(family: Family, group: &str, name: &str, verdict: Verdict) -> TestResult {
        TestResult {
            family,
            id: format!("{}::{group}::{name}", family.as_str()),
            group: group.to_string(),
            name: name.to_string(),
            verdict,
            place: None,
            detail: None,
            observed: None,
            elapsed_ms: None,
            megabytes_per_second: None,
            logs: Vec::new(),
        }
    }

    pub fn with_detail(mut self, detail: Option<String>) -> TestResult {
        self.detail = detail;
        self
    }

    pub fn at(mut self, place: Place) -> TestResult {
        self.place = Some(place);
        self
    }
}

/// What a test showed, measured against what its spec declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Passed, as the spec expects.
    Pass,
    /// Failed where the spec expects a pass.
    Fail,
    /// Failed, as the spec declares (a known failure, a negative case).
    DeclaredFailure,
    /// The implementation does not support it, as the spec declares.
    Unsupported,
    /// The shim does not implement it, as its config declares.
    Unimplemented,
    /// Not run: its config disables it.
    Disabled,
    /// Passed, or ended otherwise, where the spec declares a failure or no
    /// support: the declaration is out of date or the test is wrong.
    NotAsDeclared,
}

impl Verdict {
    pub const ALL: [Verdict; 7] = [
        Verdict::Pass,
        Verdict::Fail,
        Verdict::DeclaredFailure,
        Verdict::Unsupported,
        Verdict::Unimplemented,
        Verdict::Disabled,
        Verdict::NotAsDeclared,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::DeclaredFailure => "declared failure",
            Verdict::Unsupported => "unsupported",
            Verdict::Unimplemented => "unimplemented",
            Verdict::Disabled => "disabled",
            Verdict::NotAsDeclared => "not as declared",
        }
    }

    /// Whether a run with this verdict fails.
    pub fn fails_the_run(self) -> bool {
        matches!(self, Verdict::Fail | Verdict::NotAsDeclared)
    }

    /// Whether the test did not run its scenario to a pass or a failure.
    pub fn is_skip(self) -> bool {
        matches!(
            self,
            Verdict::Unsupported | Verdict::Unimplemented | Verdict::Disabled
        )
    }
}
