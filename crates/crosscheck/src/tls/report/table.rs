//! The terminal rendering: one clients × servers table per case.

use std::fmt::Write as _;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, Table};

use crate::tls::report::model::{CaseReport, CellReport, CellStatus, Report};

/// Every case's table and the totals.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for case in &report.cases {
        out.push_str(&case_table(case));
        out.push('\n');
    }
    out.push_str("implementations:\n");
    for implementation in &report.implementations {
        let _ = writeln!(out, "  {}: {}", implementation.name, implementation.version);
    }
    let totals = report.totals;
    let _ = writeln!(
        out,
        "{} cells: {} passed, {} failed, {} unsupported; {} not as declared; {:.1} s with {} jobs",
        totals.passed + totals.failed + totals.unsupported,
        totals.passed,
        totals.failed,
        totals.unsupported,
        totals.unexpected,
        report.wall_seconds,
        report.jobs
    );
    out
}

fn case_table(case: &CaseReport) -> String {
    let mut heading = format!("{} — {}", case.name, case.description);
    if !case.parameters.is_empty() {
        let _ = write!(heading, " ({})", case.parameters.join(", "));
    }
    let servers = column_names(case);
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(
        std::iter::once(Cell::new("client ↓ server →")).chain(servers.iter().map(Cell::new)),
    );
    for client in row_names(case) {
        let row = servers.iter().map(|server| {
            case.cells
                .iter()
                .find(|cell| cell.client == client && cell.server == *server)
                .map_or_else(
                    || Cell::new(""),
                    |cell| Cell::new(cell_text(cell)).set_alignment(CellAlignment::Center),
                )
        });
        table.add_row(std::iter::once(Cell::new(client)).chain(row));
    }
    format!("{heading}\n{table}\n{}", observed_lines(case))
}

/// What the wire showed, each distinct story once with its cells counted.
fn observed_lines(case: &CaseReport) -> String {
    let mut stories: Vec<(String, usize)> = Vec::new();
    for cell in &case.cells {
        let Some(observed) = &cell.observed else {
            continue;
        };
        let mut story = observed.clone();
        if !cell.unobserved.is_empty() {
            let _ = write!(story, " [not seen: {}]", cell.unobserved.join("; "));
        }
        match stories.iter_mut().find(|(known, _)| *known == story) {
            Some((_, count)) => *count += 1,
            None => stories.push((story, 1)),
        }
    }
    let mut out = String::new();
    for (story, count) in stories {
        let _ = writeln!(
            out,
            "  wire ({count} cell{}): {story}",
            if count == 1 { "" } else { "s" }
        );
    }
    out
}

/// `pass`, `pass 1234 MB/s`, `FAIL`, `fail (known)`, `unsupported`; a `!`
/// marks a cell that is not what the spec declares.
pub fn cell_text(cell: &CellReport) -> String {
    let mut text = match (cell.status, cell.megabytes_per_second) {
        (CellStatus::Pass, Some(rate)) => format!("pass {rate:.0} MB/s"),
        (CellStatus::Pass, None) => "pass".to_string(),
        (CellStatus::Fail, _) if cell.as_declared => "fail (known)".to_string(),
        (CellStatus::Fail, _) => "FAIL".to_string(),
        (CellStatus::Unsupported, _) => "unsupported".to_string(),
    };
    if !cell.as_declared {
        text.push_str(" !");
    }
    text
}

pub fn column_names(case: &CaseReport) -> Vec<&str> {
    unique(case.cells.iter().map(|cell| cell.server.as_str()))
}

pub fn row_names(case: &CaseReport) -> Vec<&str> {
    unique(case.cells.iter().map(|cell| cell.client.as_str()))
}

fn unique<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = Vec::new();
    for name in names {
        if !seen.contains(&name) {
            seen.push(name);
        }
    }
    seen
}
