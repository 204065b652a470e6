//! Running every selected cell on a pool of worker threads.

use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::ProgressBar;

use crate::expectation::Expectation;
use crate::pool::{self, Progress};
use crate::programs;
use crate::tls::cell::{self, Cell, CellResult, Settings, Verdict};
use crate::tls::check::{Judgement, judge};
use crate::tls::matrix::{Matrix, Role};
use crate::tls::observe::Observation;
use crate::tls::parameters;
use crate::tls::provenance::{self, Version};
use crate::tls::report::model::{
    CaseReport, CellReport, CellStatus, ImplementationReport, Report, Totals,
};

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Cells run at once.
    pub jobs: usize,
    /// Where logs (under `logs/`) go; the caller writes the report files there.
    pub out_dir: PathBuf,
    /// Case names to run; empty: all.
    pub cases: Vec<String>,
    /// Run the cells with one of these implementations on either side
    /// (client or server); empty: no such restriction.
    pub implementations: Vec<String>,
    /// Run only the cells whose client and server are both among these;
    /// empty: no such restriction.
    pub only: Vec<String>,
    /// Draw a progress bar on stderr (only drawn on a terminal).
    pub progress: bool,
    /// `(parameter name, value)` pairs that win over the environment and the spec.
    pub overrides: Vec<(String, String)>,
}

/// Builds what the selected implementations need, then runs every selected
/// cell and collects the report.
pub fn run_matrix(matrix: &'static Matrix, options: &RunOptions) -> Result<Report, String> {
    let cases = select(
        "case",
        matrix.cases.iter().map(|case| &*case.name),
        &options.cases,
    )?;
    let names = || {
        matrix
            .implementations
            .iter()
            .map(|implementation| &*implementation.name)
    };
    let either_side = select("implementation", names(), &options.implementations)?;
    let both_sides = select("implementation", names(), &options.only)?;
    let settings = Settings {
        logs_dir: options.out_dir.join("logs"),
        overrides: options.overrides.clone(),
        carriage: cell::Carriage::Observed,
    };
    check_overrides(matrix, &cases, &settings)?;
    check_writable(&options.out_dir)?;

    let either_side = (!options.implementations.is_empty()).then_some(either_side.as_slice());
    let cells: Vec<Cell> = cases
        .iter()
        .flat_map(|&case| {
            pairs(either_side, &both_sides)
                .into_iter()
                .map(move |(client, server)| Cell {
                    case,
                    client,
                    server,
                })
        })
        .collect();
    if cells.is_empty() {
        return Err(
            "no cell has an implementation of --implementation on either side among --only's"
                .to_string(),
        );
    }
    let mut implementations: Vec<usize> = cells
        .iter()
        .flat_map(|cell| [cell.client, cell.server])
        .collect();
    implementations.sort_unstable();
    implementations.dedup();
    let versions = provision_all(matrix, &implementations, options.progress);

    let _ = std::fs::remove_dir_all(&settings.logs_dir);

    let started_at_unix = crate::results::unix_now() as u64;
    let started = Instant::now();
    let results = run_cells(matrix, &cells, &settings, options);

    let mut totals = Totals::default();
    let case_reports = cases
        .iter()
        .map(|&case| {
            let cells: Vec<CellReport> = cells
                .iter()
                .zip(&results)
                .filter(|(cell, _)| cell.case == case)
                .map(|(cell, result)| cell_report(matrix, *cell, result, &options.out_dir))
                .collect();
            cells.iter().for_each(|cell| totals.add(cell));
            case_report(matrix, case, cells, &settings)
        })
        .collect();
    Ok(Report {
        started_at_unix,
        wall_seconds: started.elapsed().as_secs_f64(),
        jobs: options.jobs,
        implementations: implementations
            .iter()
            .zip(versions)
            .map(|(&index, version)| ImplementationReport {
                name: matrix.implementations[index].name.to_string(),
                description: matrix.implementations[index].description.to_string(),
                version,
            })
            .collect(),
        cases: case_reports,
        totals,
    })
}

/// The (client, server) pairs among `both_sides` with, when `either_side`
/// is given, one of those on at least one side.
fn pairs(either_side: Option<&[usize]>, both_sides: &[usize]) -> Vec<(usize, usize)> {
    let wanted = |index: &usize| either_side.is_none_or(|either| either.contains(index));
    both_sides
        .iter()
        .flat_map(|&client| both_sides.iter().map(move |&server| (client, server)))
        .filter(|(client, server)| wanted(client) || wanted(server))
        .collect()
}

/// Every override names a parameter, and every selected case accepts the
/// values (and those from the environment), before anything runs.
fn check_overrides(
    matrix: &'static Matrix,
    cases: &[usize],
    settings: &Settings,
) -> Result<(), String> {
    let mut known: Vec<&str> = matrix
        .cases
        .iter()
        .flat_map(|case| case.parameters.iter().map(|parameter| &*parameter.name))
        .collect();
    known.sort_unstable();
    known.dedup();
    if let Some((name, _)) = settings
        .overrides
        .iter()
        .find(|(name, _)| !known.contains(&name.as_str()))
    {
        return Err(format!(
            "unknown parameter `{name}`; known: {}",
            known.join(", ")
        ));
    }
    for &case in cases {
        let spec = &matrix.cases[case];
        parameters::resolve(spec, |parameter| settings.lookup(parameter))
            .map_err(|error| error.to_string())?;
    }
    Ok(())
}

/// `out_dir` exists (made if need be) and takes new files, checked before
/// anything runs rather than after every cell.
fn check_writable(out_dir: &Path) -> Result<(), String> {
    let cannot = |error: std::io::Error| {
        format!(
            "cannot write the report and logs into {}: {error}",
            out_dir.display()
        )
    };
    std::fs::create_dir_all(out_dir).map_err(cannot)?;
    let probe = out_dir.join(".crosscheck-write-check");
    std::fs::write(&probe, b"").map_err(cannot)?;
    std::fs::remove_file(&probe).map_err(cannot)
}

/// Indices of the names asked for (all when none are), or an error naming
/// the unknown ones and the known ones.
fn select<'a>(
    what: &str,
    names: impl Iterator<Item = &'a str> + Clone,
    wanted: &[String],
) -> Result<Vec<usize>, String> {
    if wanted.is_empty() {
        return Ok((0..names.count()).collect());
    }
    let unknown: Vec<&str> = wanted
        .iter()
        .filter(|name| !names.clone().any(|known| known == name.as_str()))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(format!(
            "unknown {what} {}; known: {}",
            unknown.join(", "),
            names.collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(names
        .enumerate()
        .filter(|(_, name)| wanted.iter().any(|w| w == name))
        .map(|(index, _)| index)
        .collect())
}

/// Provisions (builds, installs) the programs of `implementations` before
/// the first cell needs them, so their time shows apart from the cells',
/// and asks each for its version (`PROGRAM version`). One that cannot be
/// provisioned is reported here and its cells fail with the same error.
fn provision_all(
    matrix: &'static Matrix,
    implementations: &[usize],
    progress: bool,
) -> Vec<Version> {
    implementations
        .iter()
        .map(|&index| {
            let implementation = &matrix.implementations[index];
            let spinner = if progress {
                ProgressBar::new_spinner()
                    .with_message(format!("provisioning {}", implementation.name))
            } else {
                ProgressBar::hidden()
            };
            spinner.enable_steady_tick(std::time::Duration::from_millis(120));
            let resolved = programs::resolve(&implementation.program, Path::new(&*matrix.root));
            spinner.finish_and_clear();
            match resolved {
                Ok(resolved) => provenance::version(&resolved),
                Err(error) => {
                    let error = error.first().to_string();
                    eprintln!("crosscheck: {}: {error}", implementation.name);
                    Version::Unavailable(error)
                }
            }
        })
        .collect()
}

fn run_cells(
    matrix: &'static Matrix,
    cells: &[Cell],
    settings: &Settings,
    options: &RunOptions,
) -> Vec<CellResult> {
    let progress = Progress::new(cells.len(), "cells", options.progress);
    let results = pool::run_all(cells, options.jobs, &progress, |cell, progress| {
        let result = cell::run(matrix, *cell, settings);
        progress.step(&cell.label(matrix));
        result
    });
    cells
        .iter()
        .zip(results)
        .map(|(cell, result)| {
            result.unwrap_or_else(|| lost_result(matrix, *cell, &settings.logs_dir))
        })
        .collect()
}

/// Stands in for a cell whose worker died (a bug in the harness, reported
/// as a failure rather than lost).
fn lost_result(matrix: &Matrix, cell: Cell, logs_dir: &Path) -> CellResult {
    CellResult {
        verdict: Verdict::Failed {
            reason: format!("the harness lost the result of {}", cell.label(matrix)),
        },
        elapsed: std::time::Duration::ZERO,
        client_elapsed: None,
        transfer_bytes: None,
        client_log: logs_dir.join("missing"),
        server_log: logs_dir.join("missing"),
        relay: None,
        observation: None,
        unobserved: Vec::new(),
    }
}

fn cell_report(matrix: &Matrix, cell: Cell, result: &CellResult, out_dir: &Path) -> CellReport {
    let judgement = judge(matrix, cell, result);
    let (status, verdict_detail) = match &result.verdict {
        Verdict::Passed => (CellStatus::Pass, None),
        Verdict::Failed { reason } => (CellStatus::Fail, Some(reason.clone())),
        Verdict::Unsupported { roles } => (
            CellStatus::Unsupported,
            Some(
                roles
                    .iter()
                    .map(|role| unsupported_detail(matrix, cell, *role))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        ),
    };
    let expected = matrix.expectation(cell.case, cell.client, cell.server);
    let detail = match (&judgement, expected, verdict_detail) {
        (Judgement::Unexpected(reason), _, _) => Some(format!("unexpected: {reason}")),
        (Judgement::AsExpected, Expectation::Fail(known), Some(detail))
            if status == CellStatus::Fail =>
        {
            Some(format!("known failure ({}): {detail}", known.reason))
        }
        (_, _, detail) => detail,
    };
    let relative = |path: &Path| {
        path.strip_prefix(out_dir)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned()
    };
    CellReport {
        client: matrix.implementations[cell.client].name.to_string(),
        server: matrix.implementations[cell.server].name.to_string(),
        status,
        as_declared: judgement == Judgement::AsExpected,
        detail,
        elapsed_ms: result.elapsed.as_secs_f64() * 1000.0,
        megabytes_per_second: result.megabytes_per_second(),
        client_log: relative(&result.client_log),
        server_log: relative(&result.server_log),
        observed: result.observation.as_ref().map(Observation::summary),
        unobserved: result.unobserved.clone(),
        observation: result.observation.clone(),
    }
}

fn case_report(
    matrix: &'static Matrix,
    case: usize,
    cells: Vec<CellReport>,
    settings: &Settings,
) -> CaseReport {
    let spec = &matrix.cases[case];
    let parameters = parameters::resolve(spec, |parameter| settings.lookup(parameter))
        .map(|values| {
            values
                .iter()
                .map(|value| format!("{}={}", value.parameter.name, value.value))
                .collect()
        })
        .unwrap_or_default();
    CaseReport {
        name: spec.name.to_string(),
        description: spec.description.to_string(),
        upstream: spec.upstream,
        parameters,
        cells,
    }
}

/// `java as server: why` for a side that exited unsupported, from the
/// cell's declaration where there is one.
fn unsupported_detail(matrix: &Matrix, cell: Cell, role: Role) -> String {
    let implementation = match role {
        Role::Client => cell.client,
        Role::Server => cell.server,
    };
    let name = &*matrix.implementations[implementation].name;
    let declared = match matrix.expectation(cell.case, cell.client, cell.server) {
        Expectation::Unsupported(declared) => {
            declared.iter().find(|entry| entry.who == role.as_str())
        }
        Expectation::Pass | Expectation::Fail(_) | Expectation::Disabled(_) => None,
    };
    match declared {
        Some(entry) => format!("{}: {}", entry.name, entry.reason),
        None => format!(
            "{name} as {} exited {}",
            role.as_str(),
            cell::UNSUPPORTED_EXIT
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::pairs;

    #[test]
    fn an_implementation_selects_its_cells_on_either_side() {
        let all = [0, 1, 2];
        assert_eq!(pairs(None, &all).len(), 9, "no selection: every pair");
        assert_eq!(
            pairs(Some(&[1]), &all),
            [(0, 1), (1, 0), (1, 1), (1, 2), (2, 1)],
            "1 against every peer, in both roles"
        );
    }

    #[test]
    fn only_keeps_both_sides_among_the_named() {
        assert_eq!(pairs(None, &[0, 2]), [(0, 0), (0, 2), (2, 0), (2, 2)]);
        assert_eq!(
            pairs(Some(&[2]), &[0, 2]),
            [(0, 2), (2, 0), (2, 2)],
            "with --implementation, the cells with it among --only's"
        );
    }
}
