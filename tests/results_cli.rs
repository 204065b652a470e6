//! The shared results and `crosscheck diff`, as users run them: a real TLS
//! run, the same run with the Erlang implementation deliberately broken
//! (its `escript` replaced by one that fails), and the diff between them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

mod cli;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use cli::{assert_success, crosscheck, crosscheck_with, text};

/// `crosscheck tls` of the handshake cells with Erlang on a side and
/// rustls or Erlang on the other, into `out`.
fn handshake_with_erlang(out: &Path, env: &[(&str, &str)]) -> std::process::Output {
    let args = [
        "tls",
        "--case",
        "handshake",
        "--implementation",
        "erlang",
        "--only",
        "erlang",
        "--only",
        "rustls",
        "--jobs",
        "2",
        "-o",
        out.to_str().unwrap(),
    ];
    crosscheck_with(&args, env)
}

/// The handshake cells run into `dir`, twice: `before`, then `after` with
/// Erlang broken on purpose (its `escript` replaced by one that fails).
fn runs_before_and_after_breaking_erlang(dir: &Path) -> (PathBuf, PathBuf) {
    let (before, after) = (dir.join("before"), dir.join("after"));
    assert_success(&handshake_with_erlang(&before, &[]));

    let broken = dir.join("broken-bin");
    std::fs::create_dir(&broken).unwrap();
    let escript = broken.join("escript");
    std::fs::write(
        &escript,
        "#!/bin/sh\necho 'broken on purpose' >&2\nexit 3\n",
    )
    .unwrap();
    std::fs::set_permissions(&escript, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", broken.display(), std::env::var("PATH").unwrap());
    let broken_run = handshake_with_erlang(&after, &[("PATH", &path)]);
    assert!(!broken_run.status.success(), "{}", text(&broken_run.stdout));
    (before, after)
}

#[test]
fn a_deliberately_broken_implementation_shows_as_regressions_and_fails_the_diff() {
    let dir = tempfile::tempdir().unwrap();
    let (before, after) = runs_before_and_after_breaking_erlang(dir.path());
    let old = before.join("results.json");
    let new = after.join("results.json");
    let output = crosscheck(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    let report = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{report}\n{}",
        text(&output.stderr)
    );
    assert!(report.starts_with("regressions (3):\n"), "{report}");
    for cell in ["rustls_to_erlang", "erlang_to_rustls", "erlang_to_erlang"] {
        assert!(
            report.contains(&format!("  tls::handshake::{cell}  pass → ")),
            "{cell} missing:\n{report}"
        );
    }
    assert!(
        report.ends_with(
            "3 regressions, 0 fixes, 0 other changes, 0 new, 0 removed, 0 slower, 0 faster\n"
        ),
        "{report}"
    );

    let same = crosscheck(&["diff", old.to_str().unwrap(), old.to_str().unwrap()]);
    assert_success(&same);
    assert!(text(&same.stdout).starts_with("no changes\n"));
    let back = crosscheck(&["diff", new.to_str().unwrap(), old.to_str().unwrap()]);
    assert_success(&back);
    assert!(
        text(&back.stdout).starts_with("fixes (3):\n"),
        "{}",
        text(&back.stdout)
    );
}

#[test]
fn diff_of_files_that_are_not_results_is_one_error_each_and_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{\"format\": 1, \"tests\": 7}").unwrap();
    let missing = dir.path().join("missing.json");
    let output = crosscheck(&["diff", garbage.to_str().unwrap(), missing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let errors = text(&output.stderr);
    let lines: Vec<&str> = errors.lines().collect();
    assert_eq!(lines.len(), 2, "{errors}");
    assert!(
        lines[0].starts_with(&format!("crosscheck: error: {}:1:", garbage.display())),
        "{errors}"
    );
    assert!(
        lines[1].starts_with(&format!(
            "crosscheck: error: cannot read {}",
            missing.display()
        )),
        "{errors}"
    );
}

/// What the probe script measured in the browser.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Probe {
    grids: usize,
    scroll_width: f64,
    /// Right edges of the grid cells that fail the run.
    failed_cells: Vec<f64>,
    /// Every link that is not to an anchor of the page.
    files: Vec<String>,
    /// Links to anchors the page does not have.
    missing_anchors: Vec<String>,
}

/// Measures `page` in headless Chromium at 1280 px: a copy with a probe
/// script beside it (so relative links resolve alike) has its DOM dumped
/// once laid out.
fn probe(page: &Path) -> Probe {
    const SCRIPT: &str = r#"<script>
const links = [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'));
const probe = {
  grids: document.querySelectorAll('table.grid').length,
  scrollWidth: document.documentElement.scrollWidth,
  failedCells: [...document.querySelectorAll('table.grid td.fail, table.grid td.not-as-declared')]
    .map(td => td.getBoundingClientRect().right),
  files: links.filter(href => !href.startsWith('#')),
  missingAnchors: links.filter(href => href.startsWith('#') && !document.getElementById(href.slice(1))),
};
const out = document.createElement('pre');
out.id = 'probe';
out.textContent = JSON.stringify(probe);
document.body.appendChild(out);
</script>"#;
    let html = std::fs::read_to_string(page).unwrap();
    let probed = page.with_file_name("probe.html");
    std::fs::write(
        &probed,
        html.replace("</body>", &format!("{SCRIPT}</body>")),
    )
    .unwrap();
    let finished = crosscheck::process::Job::new(
        chromium(),
        [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1280,900",
            "--dump-dom",
            &format!("file://{}", probed.display()),
        ],
    )
    .capture_stdout()
    .deadline(std::time::Duration::from_secs(120))
    .run()
    .unwrap();
    assert!(finished.status.success(), "chromium: {}", finished.status);
    let dom = text(&finished.stdout);
    let json = dom
        .split_once("<pre id=\"probe\">")
        .and_then(|(_, rest)| rest.split_once("</pre>"))
        .map(|(json, _)| {
            json.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .unwrap_or_else(|| panic!("no probe in the page Chromium rendered:\n{dom}"));
    serde_json::from_str(&json).unwrap()
}

/// Debian's chromium, installed when missing (or one line naming the
/// command to run, where this user may not install).
fn chromium() -> PathBuf {
    crosscheck::programs::debian::ensure("the results page test", &["chromium".into()])
        .unwrap_or_else(|error| panic!("{error}"));
    PathBuf::from("/usr/bin/chromium")
}

#[test]
fn the_results_page_renders_in_a_browser_with_every_failed_cell_in_view_and_every_log_link_live() {
    let dir = tempfile::tempdir().unwrap();
    let (before, after) = runs_before_and_after_breaking_erlang(dir.path());
    let pages = dir.path().join("pages");
    let output = crosscheck(&[
        "report",
        after.join("results.json").to_str().unwrap(),
        "--previous",
        before.join("results.json").to_str().unwrap(),
        "--out",
        pages.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    for file in [
        "results.json",
        "results.html",
        "results.xml",
        "results.tap",
        "interop-matrix.json",
    ] {
        assert!(pages.join(file).is_file(), "{file} not written");
    }
    let page = pages.join("results.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("<summary>Regressions (3)</summary>"),
        "{html}"
    );

    let probe = probe(&page);
    assert_eq!(probe.grids, 1, "{probe:?}");
    assert_eq!(probe.failed_cells.len(), 3, "{probe:?}");
    assert!(
        probe.failed_cells.iter().all(|right| *right <= 1280.0),
        "{probe:?}"
    );
    assert!(probe.scroll_width <= 1280.0, "{probe:?}");
    assert!(probe.missing_anchors.is_empty(), "{probe:?}");
    assert!(
        probe.files.len() >= 2 * 3,
        "a client and a server log per cell: {probe:?}"
    );
    for link in &probe.files {
        assert!(pages.join(link).is_file(), "{link} does not resolve");
    }
}

#[test]
fn the_page_probe_sees_a_wide_page_a_dead_link_and_a_missing_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("broken.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><table class=\"grid\"><tr>\
         <td style=\"min-width:1400px\">wide</td><td class=\"fail\">FAIL</td></tr></table>\
         <a href=\"logs/none.log\">c</a><a href=\"#nowhere\">why</a></body></html>",
    )
    .unwrap();
    let probe = probe(&page);
    assert!(probe.scroll_width > 1280.0, "{probe:?}");
    assert!(probe.failed_cells[0] > 1280.0, "{probe:?}");
    assert_eq!(probe.files, ["logs/none.log"]);
    assert!(!dir.path().join(&probe.files[0]).exists());
    assert_eq!(probe.missing_anchors, ["#nowhere"]);
}

#[test]
fn report_merges_parts_and_refuses_a_test_twice_or_a_file_that_is_not_results() {
    let dir = tempfile::tempdir().unwrap();
    let part = |name: &str, test: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                r#"{{"format": 1, "started_at_unix": 1, "wall_seconds": 1.0, "implementations": [],
                    "tests": [{{"family": "tls", "id": "tls::handshake::{test}", "group": "handshake",
                               "name": "{test}", "verdict": "pass"}}]}}"#
            ),
        )
        .unwrap();
        path.to_str().unwrap().to_string()
    };
    let (one, two) = (part("one.json", "a_to_b"), part("two.json", "b_to_a"));
    let out = dir.path().join("merged");
    let merged = crosscheck(&["report", &one, &two, "--out", out.to_str().unwrap()]);
    assert_success(&merged);
    let results = std::fs::read_to_string(out.join("results.json")).unwrap();
    assert!(
        results.contains("tls::handshake::a_to_b") && results.contains("tls::handshake::b_to_a")
    );

    let twice = crosscheck(&["report", &one, &one, "--out", out.to_str().unwrap()]);
    assert_eq!(twice.status.code(), Some(2));
    assert_eq!(
        text(&twice.stderr),
        format!(
            "crosscheck: error: cannot merge {one}: test tls::handshake::a_to_b is in more than one of the results\n"
        )
    );

    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "[1, 2").unwrap();
    let bad = crosscheck(&["report", garbage.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).starts_with(&format!("crosscheck: error: {}:1:", garbage.display())),
        "{}",
        text(&bad.stderr)
    );
}
