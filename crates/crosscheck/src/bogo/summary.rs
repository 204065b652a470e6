//! The terminal rendering of a `bogo run`: one line per test as upstream's
//! `-pipe` prints them, or for the main job a table per shim and variant;
//! then the totals.

use std::fmt::Write as _;
use std::path::Path;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, Table};

use crate::bogo::run::{Line, RunReport, Status};

/// `STATUS (shim/variant/test)` per test, each followed by its declared
/// reason or, when it did not end as declared, the whole story.
pub fn lines(report: &RunReport) -> String {
    let mut out = String::new();
    for line in &report.lines {
        let detail = line.problem.clone().or_else(|| line.declared_reason());
        write_line(&mut out, line, detail.as_deref());
    }
    out
}

fn write_line(out: &mut String, line: &Line, detail: Option<&str>) {
    let _ = writeln!(
        out,
        "{} ({}/{}/{})",
        line.status.as_str(),
        line.shim,
        line.variant,
        line.test
    );
    for detail_line in detail.iter().flat_map(|detail| detail.lines()) {
        let _ = writeln!(out, "    {detail_line}");
    }
}

/// One row per shim and variant (in run order) with its counts, then the
/// story of every test that did not end as declared.
pub fn table(report: &RunReport) -> String {
    let mut groups: Vec<(&str, &str, Vec<&Line>)> = Vec::new();
    for line in &report.lines {
        match groups.last_mut() {
            Some((shim, variant, lines)) if (*shim, *variant) == (line.shim, line.variant) => {
                lines.push(line);
            }
            _ => groups.push((line.shim, line.variant, vec![line])),
        }
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header([
        "shim",
        "variant",
        "passed",
        "failed (declared)",
        "unimplemented (declared)",
        "disabled",
        "not as expected",
    ]);
    for (shim, variant, lines) in &groups {
        let count = |status: Status| lines.iter().filter(|line| line.status == status).count();
        let declared = |status: Status| {
            lines
                .iter()
                .filter(|line| line.status == status && line.is_declared_outcome())
                .count()
        };
        let unexpected = lines.iter().filter(|line| line.problem.is_some()).count();
        let numbers = [
            count(Status::Passed).to_string(),
            format!("{} ({})", count(Status::Failed), declared(Status::Failed)),
            format!(
                "{} ({})",
                count(Status::Unimplemented),
                declared(Status::Unimplemented)
            ),
            count(Status::Disabled).to_string(),
            unexpected.to_string(),
        ];
        table.add_row(
            [Cell::new(shim), Cell::new(variant)].into_iter().chain(
                numbers
                    .into_iter()
                    .map(|number| Cell::new(number).set_alignment(CellAlignment::Right)),
            ),
        );
    }
    let mut out = format!(
        "BoGo: {} tests (case × shim × variant)\n{table}\n",
        report.lines.len()
    );
    for line in &report.lines {
        if let Some(problem) = &line.problem {
            write_line(&mut out, line, Some(problem));
        }
    }
    out
}

/// `N passed, N failed (N as declared), …; N not as expected; logs under …`
pub fn totals(report: &RunReport, logs_dir: &Path) -> String {
    format!(
        "{} passed, {} failed ({} as declared), {} unimplemented ({} as declared), {} disabled; {} not as expected; logs under {}\n",
        report.count(Status::Passed),
        report.count(Status::Failed),
        report.count_declared(Status::Failed),
        report.count(Status::Unimplemented),
        report.count_declared(Status::Unimplemented),
        report.count(Status::Disabled),
        report.unexpected(),
        logs_dir.display()
    )
}
