//! `crosscheck diff OLD NEW`: what changed between two runs' results —
//! regressions, fixes, other verdict changes, tests added and removed,
//! and throughput moved by more than the noise.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::results::{FORMAT, RunResults, TestResult, Verdict};

/// A test whose verdict differs between the runs (`None`: not in that run).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub id: String,
    pub before: Option<Verdict>,
    pub after: Option<Verdict>,
    /// The new run's detail, or the old one's for a removed test.
    pub detail: Option<String>,
}

impl Change {
    /// `before → after`, `absent` for a run without the test.
    pub fn verdicts(&self) -> String {
        let name = |verdict: Option<Verdict>| verdict.map_or("absent", Verdict::as_str);
        format!("{} → {}", name(self.before), name(self.after))
    }

    /// The detail worth showing: the new run's, when it now fails the run.
    pub fn failure_detail(&self) -> Option<&str> {
        self.detail
            .as_deref()
            .filter(|_| self.after.is_some_and(Verdict::fails_the_run))
    }
}

/// A test whose throughput moved by more than the noise.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeedChange {
    pub id: String,
    pub before: f64,
    pub after: f64,
}

impl SpeedChange {
    /// The change as a fraction of the old figure (−0.5: half as fast).
    pub fn relative(&self) -> f64 {
        (self.after - self.before) / self.before
    }

    /// `before → after MB/s (±N%)`.
    pub fn figures(&self) -> String {
        format!(
            "{:.1} → {:.1} MB/s ({:+.0}%)",
            self.before,
            self.after,
            self.relative() * 100.0
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diff {
    /// Now failing the run, and not before (new tests included).
    pub regressions: Vec<Change>,
    /// Failing the run before, not now.
    pub fixes: Vec<Change>,
    /// Other verdict changes (e.g. unsupported → pass).
    pub changed: Vec<Change>,
    pub added: Vec<Change>,
    pub removed: Vec<Change>,
    pub slower: Vec<SpeedChange>,
    pub faster: Vec<SpeedChange>,
}

/// Compares two runs; throughput changes within `noise` (a fraction,
/// 0.2 = 20%) are left out.
pub fn diff(old: &RunResults, new: &RunResults, noise: f64) -> Diff {
    let by_id = |results: &RunResults| -> BTreeMap<String, TestResult> {
        results
            .tests
            .iter()
            .map(|test| (test.id.clone(), test.clone()))
            .collect()
    };
    let (old, new) = (by_id(old), by_id(new));
    let mut diff = Diff::default();
    for (id, after) in &new {
        let before = old.get(id);
        let change = Change {
            id: id.clone(),
            before: before.map(|test| test.verdict),
            after: Some(after.verdict),
            detail: after.detail.clone(),
        };
        let failed_before = before.is_some_and(|test| test.verdict.fails_the_run());
        if after.verdict.fails_the_run() && !failed_before {
            diff.regressions.push(change.clone());
        } else if failed_before && !after.verdict.fails_the_run() {
            diff.fixes.push(change.clone());
        } else if before.is_some_and(|test| test.verdict != after.verdict) {
            diff.changed.push(change.clone());
        }
        if before.is_none() {
            diff.added.push(change);
        }
        let speeds = before
            .and_then(|test| test.megabytes_per_second)
            .zip(after.megabytes_per_second);
        if let Some((before, after)) = speeds.filter(|(before, _)| *before > 0.0) {
            let speed = SpeedChange {
                id: id.clone(),
                before,
                after,
            };
            if speed.relative() < -noise {
                diff.slower.push(speed);
            } else if speed.relative() > noise {
                diff.faster.push(speed);
            }
        }
    }
    for (id, before) in old.iter().filter(|(id, _)| !new.contains_key(*id)) {
        diff.removed.push(Change {
            id: id.clone(),
            before: Some(before.verdict),
            after: None,
            detail: before.detail.clone(),
        });
    }
    diff
}

impl Diff {
    /// The verdict changes by kind, most important first, as every report
    /// shows them.
    pub fn verdict_sections(&self) -> [(&'static str, &[Change]); 5] {
        [
            ("regressions", &self.regressions),
            ("fixes", &self.fixes),
            ("other verdict changes", &self.changed),
            ("new tests", &self.added),
            ("removed tests", &self.removed),
        ]
    }

    /// Throughput moved beyond the noise: slower, then faster.
    pub fn speed_sections(&self) -> [(&'static str, &[SpeedChange]); 2] {
        [("slower", &self.slower), ("faster", &self.faster)]
    }

    /// The report, most important first; one line when nothing changed.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (title, changes) in self.verdict_sections() {
            if changes.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{title} ({}):", changes.len());
            for change in changes {
                let _ = write!(out, "  {}  {}", change.id, change.verdicts());
                match change
                    .failure_detail()
                    .and_then(|detail| detail.lines().next())
                {
                    Some(detail) => {
                        let _ = writeln!(out, ": {detail}");
                    }
                    None => out.push('\n'),
                }
            }
        }
        for (title, speeds) in self.speed_sections() {
            if speeds.is_empty() {
                continue;
            }
            let _ = writeln!(out, "throughput {title} ({}):", speeds.len());
            for speed in speeds {
                let _ = writeln!(out, "  {}  {}", speed.id, speed.figures());
            }
        }
        if out.is_empty() {
            out.push_str("no changes\n");
        }
        let _ = writeln!(
            out,
            "{} regressions, {} fixes, {} other changes, {} new, {} removed, {} slower, {} faster",
            self.regressions.len(),
            self.fixes.len(),
            self.changed.len(),
            self.added.len(),
            self.removed.len(),
            self.slower.len(),
            self.faster.len()
        );
        out
    }
}

/// Why a results file cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: not crosscheck results: {message}")]
    Json {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: results format {found}, but this crosscheck reads format {FORMAT}")]
    Format { path: String, found: u32 },
}

/// Reads a `results.json`.
pub fn read(path: &Path) -> Result<RunResults, ReadError> {
    let shown = path.display().to_string();
    let bytes = crate::input::read_file(path).map_err(|source| ReadError::Io {
        path: shown.clone(),
        source,
    })?;
    let results: RunResults = serde_json::from_slice(&bytes).map_err(|error| ReadError::Json {
        path: shown.clone(),
        line: error.line(),
        column: error.column(),
        message: error
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_string(),
    })?;
    if results.format != FORMAT {
        return Err(ReadError::Format {
            path: shown,
            found: results.format,
        });
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Family;

    fn run(tests: &[(&str, Verdict, Option<f64>)]) -> RunResults {
        let mut results = RunResults::new(0);
        results.tests = tests
            .iter()
            .map(|(name, verdict, speed)| {
                let mut test = TestResult::new(Family::Tls, "large_data_download", name, *verdict);
                test.megabytes_per_second = *speed;
                test.detail = verdict
                    .fails_the_run()
                    .then(|| format!("{name} broke\nmore"));
                test
            })
            .collect();
        results
    }

    #[test]
    fn each_kind_of_change_lands_in_its_section() {
        let old = run(&[
            ("a_to_b", Verdict::Pass, Some(100.0)),
            ("b_to_a", Verdict::Fail, None),
            ("c_to_a", Verdict::Unsupported, None),
            ("gone", Verdict::Pass, None),
            ("steady", Verdict::Pass, Some(100.0)),
        ]);
        let new = run(&[
            ("a_to_b", Verdict::Fail, Some(40.0)),
            ("b_to_a", Verdict::Pass, None),
            ("c_to_a", Verdict::Pass, None),
            ("fresh", Verdict::NotAsDeclared, None),
            ("steady", Verdict::Pass, Some(110.0)),
        ]);
        let diff = diff(&old, &new, 0.2);
        let ids = |changes: &[Change]| -> Vec<String> {
            changes.iter().map(|change| change.id.clone()).collect()
        };
        let id = |name: &str| format!("tls::large_data_download::{name}");
        assert_eq!(ids(&diff.regressions), [id("a_to_b"), id("fresh")]);
        assert_eq!(ids(&diff.fixes), [id("b_to_a")]);
        assert_eq!(ids(&diff.changed), [id("c_to_a")]);
        assert_eq!(ids(&diff.added), [id("fresh")]);
        assert_eq!(ids(&diff.removed), [id("gone")]);
        assert_eq!(
            diff.slower.len(),
            1,
            "a 10% change is noise, a 60% one is not"
        );
        assert_eq!(diff.slower[0].id, id("a_to_b"));
        let text = diff.render();
        assert!(
            text.contains(
                "regressions (2):\n  tls::large_data_download::a_to_b  pass → fail: a_to_b broke\n"
            ),
            "{text}"
        );
        assert!(text.contains("100.0 → 40.0 MB/s (-60%)"), "{text}");
        assert!(
            text.ends_with(
                "2 regressions, 1 fixes, 1 other changes, 1 new, 1 removed, 1 slower, 0 faster\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn identical_runs_have_no_changes() {
        let old = run(&[
            ("a_to_b", Verdict::Pass, Some(100.0)),
            ("b_to_a", Verdict::DeclaredFailure, None),
        ]);
        let diff = diff(&old, &old.clone(), 0.2);
        assert_eq!(diff, Diff::default());
        assert!(diff.render().starts_with("no changes\n"));
    }

    #[test]
    fn unreadable_results_name_the_file_and_the_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.json");
        std::fs::write(&path, "{\n  \"format\": 1,\n  \"tests\": [}\n").unwrap();
        let message = read(&path).unwrap_err().to_string();
        assert!(
            message.starts_with(&format!(
                "{}:3:13: not crosscheck results: ",
                path.display()
            )),
            "{message}"
        );
        let mut future = run(&[]);
        future.format = FORMAT + 1;
        std::fs::write(&path, serde_json::to_string(&future).unwrap()).unwrap();
        let message = read(&path).unwrap_err().to_string();
        assert!(
            message.ends_with("results format 2, but this crosscheck reads format 1"),
            "{message}"
        );
        let message = read(&dir.path().join("missing.json"))
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("cannot read "), "{message}");
    }

    #[test]
    fn results_survive_the_trip_through_json() {
        let old = run(&[
            ("a_to_b", Verdict::Pass, Some(12.5)),
            ("b_to_a", Verdict::Fail, None),
        ]);
        let again: RunResults =
            serde_json::from_str(&serde_json::to_string(&old).unwrap()).unwrap();
        assert_eq!(again, old);
    }
}
