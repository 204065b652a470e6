//! The HTML page: one clients × servers grid per case, each cell coloured by
//! status and linking to both sides' logs. Self-contained (inline CSS, no
//! scripts), so it can be opened from disk or published as a CI artifact.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::tls::report::model::{CaseReport, CellReport, CellStatus, Report};
use crate::tls::report::table::{cell_text, column_names, row_names};

const STYLE: &str = r#"
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin: 1.6em 0 .2em; }
p.description { margin: 0 0 .6em; color: #555; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: center; }
th.client { text-align: right; }
td.pass { background: #c8f0c8; } td.fail { background: #f6c1c1; }
td.unsupported { background: #e6e6e6; color: #666; }
td.known { background: #f8e3b5; } td.unexpected { outline: 3px solid #c00; outline-offset: -3px; }
td a { font-size: .8em; margin: 0 .2em; }
.totals { margin-top: 2em; }
"#;

/// The whole page.
pub fn render(report: &Report) -> String {
    let totals = report.totals;
    let page: Markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "crosscheck TLS interop matrix" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "crosscheck TLS interop matrix" }
                p {
                    "Rows are clients, columns are servers. "
                    "Each cell links to the client (c) and server (s) logs; hover for details. "
                    "A red outline marks a cell that is not what the spec declares."
                }
                ul {
                    @for implementation in &report.implementations {
                        li {
                            b { (implementation.name) } ": " (implementation.description)
                            " — " code { (implementation.version.to_string()) }
                        }
                    }
                }
                @for case in &report.cases {
                    (case_grid(case))
                }
                p.totals {
                    (totals.passed) " passed, " (totals.failed) " failed, "
                    (totals.unsupported) " unsupported; " (totals.unexpected)
                    " not as declared; " (format!("{:.1}", report.wall_seconds)) " s with "
                    (report.jobs) " jobs."
                }
            }
        }
    };
    page.into_string()
}

fn case_grid(case: &CaseReport) -> Markup {
    let servers = column_names(case);
    html! {
        h2 id=(case.name) { (case.name) @if !case.upstream { " (crosscheck-defined)" } }
        p.description {
            (case.description)
            @if !case.parameters.is_empty() { " — " (case.parameters.join(", ")) }
        }
        table {
            tr {
                th { "client ↓ server →" }
                @for server in &servers { th { (server) } }
            }
            @for client in row_names(case) {
                tr {
                    th.client { (client) }
                    @for server in &servers {
                        @match case.cells.iter().find(|cell| cell.client == client && cell.server == *server) {
                            Some(cell) => (cell_markup(cell)),
                            None => td {},
                        }
                    }
                }
            }
        }
    }
}

fn cell_markup(cell: &CellReport) -> Markup {
    let mut class = cell.status.as_str().to_string();
    if cell.status == CellStatus::Fail && cell.as_declared {
        class = "known".to_string();
    }
    if !cell.as_declared {
        class.push_str(" unexpected");
    }
    let mut title = match &cell.detail {
        Some(detail) => format!("{:.0} ms — {detail}", cell.elapsed_ms),
        None => format!("{:.0} ms", cell.elapsed_ms),
    };
    if let Some(observed) = &cell.observed {
        title.push_str(&format!("\nwire: {observed}"));
    }
    if !cell.unobserved.is_empty() {
        title.push_str(&format!("\nnot seen: {}", cell.unobserved.join("; ")));
    }
    html! {
        td class=(class) title=(title) {
            (cell_text(cell))
            @if let Some(observed) = &cell.observed {
                br;
                small.observed { (observed) }
            }
            br;
            a href=(cell.client_log) { "c" }
            a href=(cell.server_log) { "s" }
        }
    }
}
