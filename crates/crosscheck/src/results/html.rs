//! One self-contained HTML page for a run of every family: what changed
//! since a previous run (when given), every test that fails the run, then
//! per family its implementations and grids (TLS: a clients × servers grid
//! per case; App Identity: generators × verifiers; BoGo: shims ×
//! variants). A cell holding one test links to its logs; a cell holding
//! many counts them and links to the ones that did not pass. Inline CSS,
//! no scripts: it opens from disk and publishes as a CI artifact.

use std::collections::BTreeMap;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::results::diff::Diff;
use crate::results::{Family, Place, RunResults, TestResult, Verdict};

const STYLE: &str = r#"
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; max-width: 1240px; }
h1 { font-size: 1.4em; } h2 { font-size: 1.2em; margin-top: 1.8em; } h3 { font-size: 1.05em; margin: 1.4em 0 .2em; }
p.description { margin: 0 0 .5em; color: #555; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: .2em .4em; text-align: center; font-size: .9em; }
th.row { text-align: right; }
a.log { font-size: .85em; margin: 0 .2em; }
.pass { background: #c8f0c8; } .fail, .not-as-declared { background: #f6c1c1; font-weight: bold; }
.declared-failure { background: #f8e3b5; } .unsupported, .unimplemented, .disabled { background: #e6e6e6; color: #555; }
ul.failures li, table.tests td { overflow-wrap: anywhere; }
table.tests td { text-align: left; }
.detail { white-space: pre-wrap; color: #444; font-size: .9em; }
small { color: #333; }
"#;

/// The page for `results`, with a section on what changed since the run
/// `previous` is the diff from.
pub fn render(results: &RunResults, previous: Option<&Diff>) -> String {
    let page: Markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width";
                title { "crosscheck results" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "crosscheck results" }
                p.summary { (summary(results)) }
                @if let Some(diff) = previous { (changes(diff)) }
                (failures(results))
                @for family in families(results) { (family_section(results, family)) }
            }
        }
    };
    page.into_string()
}

fn summary(results: &RunResults) -> String {
    format!("{}; {:.1} s.", results.summary(), results.wall_seconds)
}

/// The families in the order their first test appears.
fn families(results: &RunResults) -> Vec<Family> {
    let mut families = Vec::new();
    for test in &results.tests {
        if !families.contains(&test.family) {
            families.push(test.family);
        }
    }
    families
}

fn family_title(family: Family) -> &'static str {
    match family {
        Family::Tls => "TLS interop",
        Family::Bogo => "BoGo",
        Family::AppIdentity => "App Identity",
    }
}

/// The CSS class of a verdict.
fn class(verdict: Verdict) -> String {
    verdict.as_str().replace(' ', "-")
}

/// What a cell of one test shows.
fn mark(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "pass",
        Verdict::Fail => "FAIL",
        Verdict::DeclaredFailure => "known",
        Verdict::Unsupported => "n/a",
        Verdict::Unimplemented => "unimpl.",
        Verdict::Disabled => "off",
        Verdict::NotAsDeclared => "NOT AS DECLARED",
    }
}

/// The verdict a cell of many tests is coloured by: the one that needs
/// the most attention.
fn worst(tests: &[&TestResult]) -> Verdict {
    let rank = |verdict: Verdict| match verdict {
        Verdict::Fail | Verdict::NotAsDeclared => 0,
        Verdict::DeclaredFailure => 1,
        Verdict::Unimplemented | Verdict::Unsupported => 2,
        Verdict::Disabled => 3,
        Verdict::Pass => 4,
    };
    tests
        .iter()
        .map(|test| test.verdict)
        .min_by_key(|verdict| rank(*verdict))
        .unwrap_or(Verdict::Pass)
}

/// An anchor made of `parts`, safe as an HTML id.
fn anchor(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|part| {
            part.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("--")
}

fn logs(test: &TestResult) -> Markup {
    html! {
        @for log in &test.logs {
            a.log href=(log) { (log_label(log)) }
        }
    }
}

/// A log's file stem (`client`, `server`), or `log`.
fn log_label(log: &str) -> &str {
    std::path::Path::new(log)
        .file_stem()
        .and_then(|stem| stem.to_str())
        .filter(|stem| stem.len() <= 12)
        .unwrap_or("log")
}

fn failures(results: &RunResults) -> Markup {
    let failures: Vec<&TestResult> = results.failures().collect();
    html! {
        h2 id="failures" { "Failures (" (failures.len()) ")" }
        @if failures.is_empty() {
            p { "None: every test is as its spec declares." }
        } @else {
            ul.failures {
                @for test in failures {
                    li {
                        b { (test.id) } " — " (test.verdict.as_str()) " " (logs(test))
                        @if let Some(detail) = &test.detail { div.detail { (detail) } }
                    }
                }
            }
        }
    }
}

fn family_section(results: &RunResults, family: Family) -> Markup {
    let tests: Vec<&TestResult> = results
        .tests
        .iter()
        .filter(|test| test.family == family)
        .collect();
    let mut grids: Vec<&str> = Vec::new();
    for test in &tests {
        if let Some(place) = &test.place
            && !grids.contains(&place.grid.as_str())
        {
            grids.push(&place.grid);
        }
    }
    let unplaced: Vec<&TestResult> = tests
        .iter()
        .copied()
        .filter(|test| test.place.is_none())
        .collect();
    html! {
        h2 id=(family.as_str()) { (family_title(family)) " (" (tests.len()) " tests)" }
        ul {
            @for implementation in results.implementations.iter().filter(|implementation| implementation.family == family) {
                li { b { (implementation.name) } ": " (implementation.version) }
            }
        }
        @for grid in grids {
            (grid_section(results, family, grid, &tests))
        }
        @if !unplaced.is_empty() {
            (test_table(&unplaced))
        }
    }
}

fn grid_section(results: &RunResults, family: Family, grid: &str, tests: &[&TestResult]) -> Markup {
    let mut rows: Vec<&str> = Vec::new();
    let mut columns: Vec<&str> = Vec::new();
    let mut cells: BTreeMap<(&str, &str), Vec<&TestResult>> = BTreeMap::new();
    for test in tests {
        let Some(place) = test.place.as_ref().filter(|place| place.grid == grid) else {
            continue;
        };
        if !rows.contains(&place.row.as_str()) {
            rows.push(&place.row);
        }
        if !columns.contains(&place.column.as_str()) {
            columns.push(&place.column);
        }
        cells
            .entry((&place.row, &place.column))
            .or_default()
            .push(test);
    }
    let description = results
        .grids
        .iter()
        .find(|description| description.family == family && description.grid == grid)
        .map(|description| description.description.as_str());
    let (row_axis, column_axis) = axes(family);
    html! {
        h3 id=(anchor(&[family.as_str(), grid])) { (grid) }
        @if let Some(description) = description { p.description { (description) } }
        table.grid {
            tr {
                th { (row_axis) " ↓ " (column_axis) " →" }
                @for column in &columns { th { (column) } }
            }
            @for row in &rows {
                tr {
                    th.row { (row) }
                    @for column in &columns {
                        @match cells.get(&(*row, *column)) {
                            Some(tests) => (cell(family, grid, tests)),
                            None => td {},
                        }
                    }
                }
            }
        }
        @for ((row, column), tests) in &cells {
            @if tests.len() > 1 && tests.iter().any(|test| test.verdict != Verdict::Pass) {
                details id=(anchor(&[family.as_str(), grid, row, column])) {
                    summary { (row) " × " (column) ": the tests that did not pass" }
                    (test_table(&tests.iter().copied().filter(|test| test.verdict != Verdict::Pass).collect::<Vec<_>>()))
                }
            }
        }
    }
}

/// What a family's grid rows and columns are.
fn axes(family: Family) -> (&'static str, &'static str) {
    match family {
        Family::Tls => ("client", "server"),
        Family::AppIdentity => ("generator", "verifier"),
        Family::Bogo => ("shim", "variant"),
    }
}

fn cell(family: Family, grid: &str, tests: &[&TestResult]) -> Markup {
    if let [test] = tests {
        let mut title = test
            .elapsed_ms
            .map(|ms| format!("{ms:.0} ms"))
            .unwrap_or_default();
        for line in [&test.detail, &test.observed].into_iter().flatten() {
            title.push('\n');
            title.push_str(line);
        }
        return html! {
            td class=(class(test.verdict)) title=(title.trim()) {
                (mark(test.verdict))
                @if let Some(speed) = test.megabytes_per_second {
                    br; small { (format!("{speed:.0} MB/s")) }
                }
                br;
                (logs(test))
            }
        };
    }
    let passed = tests
        .iter()
        .filter(|test| test.verdict == Verdict::Pass)
        .count();
    let breakdown: Vec<String> = Verdict::ALL
        .iter()
        .map(|&verdict| {
            let count = tests.iter().filter(|test| test.verdict == verdict).count();
            (verdict, count)
        })
        .filter(|(_, count)| *count > 0)
        .map(|(verdict, count)| format!("{count} {}", verdict.as_str()))
        .collect();
    let place = tests.first().and_then(|test| test.place.as_ref());
    let details =
        place.map(|Place { row, column, .. }| anchor(&[family.as_str(), grid, row, column]));
    html! {
        td class=(class(worst(tests))) title=(breakdown.join(", ")) {
            (passed) "/" (tests.len())
            @if let Some(details) = details.filter(|_| passed < tests.len()) {
                br; a href=(format!("#{details}")) { "why" }
            }
        }
    }
}

fn test_table(tests: &[&TestResult]) -> Markup {
    html! {
        table.tests {
            tr { th { "test" } th { "verdict" } th { "detail" } th { "logs" } }
            @for test in tests {
                tr {
                    td { (test.name) }
                    td class=(class(test.verdict)) { (test.verdict.as_str()) }
                    td.detail { (test.detail.as_deref().unwrap_or("")) }
                    td { (logs(test)) }
                }
            }
        }
    }
}

fn changes(diff: &Diff) -> Markup {
    html! {
        h2 id="changes" { "Changes since the previous run" }
        p {
            (diff.regressions.len()) " regressions, " (diff.fixes.len()) " fixes, "
            (diff.changed.len()) " other changes, " (diff.added.len()) " new, "
            (diff.removed.len()) " removed, " (diff.slower.len()) " slower, "
            (diff.faster.len()) " faster."
        }
        @for (title, changes) in diff.verdict_sections() {
            @if !changes.is_empty() {
                details open[title == "regressions"] {
                    summary { (capitalized(title)) " (" (changes.len()) ")" }
                    ul.failures {
                        @for change in changes {
                            li {
                                b { (change.id) } " — " (change.verdicts())
                                @if let Some(detail) = change.failure_detail() {
                                    div.detail { (detail) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @for (title, speeds) in diff.speed_sections() {
            @if !speeds.is_empty() {
                details {
                    summary { "Throughput " (title) " (" (speeds.len()) ")" }
                    ul {
                        @for speed in speeds {
                            li { b { (speed.id) } " — " (speed.figures()) }
                        }
                    }
                }
            }
        }
    }
}

/// `title` with its first letter in upper case.
fn capitalized(title: &str) -> String {
    let mut letters = title.chars();
    letters
        .next()
        .map(|first| first.to_uppercase().chain(letters).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::diff::diff;

    fn results() -> RunResults {
        let mut results = RunResults::new(0);
        let cell = |client: &str, server: &str, verdict: Verdict| {
            let mut test = TestResult::new(
                Family::Tls,
                "handshake",
                &format!("{client}_to_{server}"),
                verdict,
            )
            .at(Place::new("handshake", client, server));
            test.logs = vec![format!("logs/{client}_to_{server}/client.log")];
            test
        };
        results.tests = vec![
            cell("rustls", "rustls", Verdict::Pass),
            cell("rustls", "go", Verdict::Fail).with_detail(Some("alert <bad>".to_string())),
        ];
        for (index, verdict) in [Verdict::Pass, Verdict::Pass, Verdict::DeclaredFailure]
            .into_iter()
            .enumerate()
        {
            results.tests.push(
                TestResult::new(Family::Bogo, "nss/default", &format!("T{index}"), verdict)
                    .at(Place::new("shim × variant", "nss", "default")),
            );
        }
        results
    }

    #[test]
    fn a_failed_cell_is_listed_first_escaped_and_its_grid_cell_links_its_logs() {
        let page = render(&results(), None);
        let failures = page.find("id=\"failures\"").unwrap();
        let grid = page.find("<table class=\"grid\"").unwrap();
        assert!(failures < grid);
        assert!(page.contains("tls::handshake::rustls_to_go"));
        assert!(page.contains("alert &lt;bad&gt;"), "detail is escaped");
        assert!(page.contains("<td class=\"fail\" title=\"alert &lt;bad&gt;\">FAIL"));
        assert!(page.contains("<a class=\"log\" href=\"logs/rustls_to_go/client.log\">client</a>"));
    }

    #[test]
    fn a_cell_of_many_tests_counts_them_and_links_to_the_ones_that_did_not_pass() {
        let page = render(&results(), None);
        assert!(page.contains(
            "<td class=\"declared-failure\" title=\"2 pass, 1 declared failure\">2/3<br><a href=\"#bogo--shim---variant--nss--default\">why</a>"
        ), "{page}");
        assert!(page.contains("<details id=\"bogo--shim---variant--nss--default\">"));
    }

    #[test]
    fn the_changes_section_lists_regressions_when_given_a_previous_run() {
        let old = results();
        let mut new = results();
        new.tests[0].verdict = Verdict::Fail;
        let page = render(&new, Some(&diff(&old, &new, 0.2)));
        assert!(page.contains("Changes since the previous run"));
        assert!(page.contains("<summary>Regressions (1)</summary>"));
        assert!(page.contains("tls::handshake::rustls_to_rustls</b> — pass → fail"));
        assert!(!render(&new, None).contains("Changes since"));
    }
}
