//! Writing a run's results in each format, into one directory.

use std::path::{Path, PathBuf};

use crate::results::diff::Diff;
use crate::results::{RunResults, html, junit, matrix, tap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// results.json: the result model `crosscheck diff` and `crosscheck
    /// report` read
    Json,
    /// results.html: one self-contained page for every family
    Html,
    /// results.xml: JUnit XML, as CI systems read it
    Junit,
    /// results.tap: TAP 14, a subtest per family and group
    Tap,
    /// interop-matrix.json: the TLS cells as the QUIC Interop Runner's
    /// result.json
    Matrix,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Json,
        Format::Html,
        Format::Junit,
        Format::Tap,
        Format::Matrix,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            Format::Json => "results.json",
            Format::Html => "results.html",
            Format::Junit => "results.xml",
            Format::Tap => "results.tap",
            Format::Matrix => "interop-matrix.json",
        }
    }
}

/// Writes `results` as `format` into `dir`, the page with a section on
/// `changes` when given; returns the file written.
pub fn write(
    results: &RunResults,
    format: Format,
    dir: &Path,
    changes: Option<&Diff>,
) -> Result<PathBuf, String> {
    let path = dir.join(format.file_name());
    let text = match format {
        Format::Json => serde_json::to_string_pretty(results).map_err(|error| error.to_string()),
        Format::Html => Ok(html::render(results, changes)),
        Format::Junit => junit::render(results).map_err(|error| error.to_string()),
        Format::Tap => {
            let mut out = Vec::new();
            tap::write(results, &mut out)
                .map_err(|error| error.to_string())
                .map(|()| String::from_utf8_lossy(&out).into_owned())
        }
        Format::Matrix => serde_json::to_string_pretty(&matrix::render(results))
            .map_err(|error| error.to_string()),
    }
    .map_err(|error| format!("cannot encode {}: {error}", path.display()))?;
    std::fs::create_dir_all(dir)
        .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
    std::fs::write(&path, text)
        .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    Ok(path)
}

/// Makes `results`' log paths, relative to `from` (the directory its
/// results.json was read from), relative to `to` instead, so pages written
/// elsewhere still link to them.
pub fn rebase_logs(results: &mut RunResults, from: &Path, to: &Path) -> Result<(), String> {
    let absolute = |path: &Path| {
        std::path::absolute(path)
            .map_err(|error| format!("cannot resolve {}: {error}", path.display()))
    };
    let (from, to) = (absolute(from)?, absolute(to)?);
    for test in &mut results.tests {
        for log in &mut test.logs {
            let path = from.join(&*log);
            *log = pathdiff::diff_paths(&path, &to)
                .unwrap_or(path)
                .display()
                .to_string();
        }
    }
    Ok(())
}
