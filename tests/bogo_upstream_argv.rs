//! crosscheck's shim command lines against upstream's. For every BoGo case
//! of `specs/bogo/` (crosscheck's `own` cases aside), the argv
//! `runner::shim_args` builds with the default protocol
//! ([`Protocol::CURRENT`]), default [`RunOptions`] and the runner's shared
//! credentials must be the one BoringSSL's runner at b28d2e8 passes, as
//! recorded in `tests/fixtures/bogo_upstream_argv.tsv` (how it was made and
//! how to remake it: `tests/fixtures/README.md`).
//!
//! Both sides are normalised alike: `-port {port}`, `-shim-id {shim_id}`,
//! and credential files named by what they are rather than by which
//! placeholder a case used: `{rsa_2048_cert}`, `{rsa_2048_key}`,
//! `{ecdsa_p256_cert}`, `{ecdsa_p256_key}`, and `{rsa_2048_root}` or
//! `{ecdsa_p256_root}` for the root that issued the certificate of that key
//! type. crosscheck has one root for every leaf; its `ca_file` counts as the
//! root of the case's `key_type`, the leaf the runner presents (upstream
//! gives each key type a root of its own and passes the root of the
//! runner's credential with `-trust-cert`).
//!
//! The test also fails when a case has no line in the data, when a line
//! names no case (or one of crosscheck's own), and when an entry of
//! [`KNOWN_DIFFERENCES`] is stale: its case now agrees with upstream, or
//! is gone.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::net::TcpListener;
use std::path::Path;

use crosscheck::bogo::case::{Case, KeyType};
use crosscheck::bogo::runner::credentials::{self, Credentials};
use crosscheck::bogo::runner::{self, Protocol, RunOptions, ShimListener};

/// Cases whose argv differs from upstream's, on purpose or until the runner
/// or the case is fixed: `(test, why)`.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    ("ClientAuth-ECDSA-Client-TLS-Sync", ECDSA_CLIENT),
    ("ClientAuth-ECDSA-Client-TLS13-TLS-Sync", ECDSA_CLIENT),
    ("TLS12-Server-ClientAuth-ECDSA", ECDSA_SERVER),
    ("TLS13-Server-ClientAuth-ECDSA", ECDSA_SERVER),
];

const ECDSA_CLIENT: &str = "key_type ecdsa_p256 makes the runner's server certificate ECDSA \
    too (specs/bogo/client_auth.yaml says so), so -trust-cert is the ECDSA root where upstream's \
    runner keeps its RSA-2048 server certificate and root";
const ECDSA_SERVER: &str = "key_type ecdsa_p256 sets both certificates: the shim's server \
    certificate is ECDSA where upstream's is RSA-2048 (only the runner's client certificate is \
    ECDSA)";

include!(concat!(env!("OUT_DIR"), "/bogo.rs"));

/// Upstream's normalised shim argv per test.
const DATA: &str = include_str!("fixtures/bogo_upstream_argv.tsv");
const DATA_PATH: &str = "tests/fixtures/bogo_upstream_argv.tsv";

#[test]
fn shim_args_match_upstream() {
    let upstream = parse_data(DATA).unwrap_or_else(|errors| {
        panic!("{DATA_PATH} does not parse:\n{}", errors.join("\n"));
    });
    let own = own_cases();
    let credentials = credentials::shared().expect("the runner's credentials");
    let options = RunOptions::default();
    let ipv6 = TcpListener::bind("[::1]:0").is_ok();

    let mut problems = Vec::new();
    let cases: BTreeMap<&str, &Case> = CASES
        .iter()
        .map(|case| (case.name.as_ref(), case))
        .collect();

    let mut lines: BTreeMap<&str, &DataLine> = BTreeMap::new();
    for line in &upstream {
        let at = format!("{DATA_PATH}:{}", line.number);
        if let Some(first) = lines.get(line.test.as_str()) {
            problems.push(format!(
                "{at}: {} has a line already (line {})",
                line.test, first.number
            ));
            continue;
        }
        lines.insert(&line.test, line);
        if !cases.contains_key(line.test.as_str()) {
            problems.push(format!("{at}: {} names no case of specs/bogo", line.test));
        } else if own.contains(&line.test) {
            problems.push(format!(
                "{at}: {} is crosscheck's own case (`own: true`), not upstream's",
                line.test
            ));
        }
    }

    let mut known: BTreeMap<&str, &str> = BTreeMap::new();
    for &(test, reason) in KNOWN_DIFFERENCES {
        if known.insert(test, reason).is_some() {
            problems.push(format!("KNOWN_DIFFERENCES lists {test} twice"));
        }
    }

    let mut agree = 0;
    let mut known_differing = Vec::new();
    for case in CASES {
        if own.contains(case.name.as_ref()) {
            continue;
        }
        let Some(line) = lines.get(case.name.as_ref()) else {
            problems.push(format!(
                "{}: no line in {DATA_PATH} (record upstream's argv, see tests/fixtures/README.md)",
                case.name
            ));
            continue;
        };
        let mut expected = line.args.clone();
        if !ipv6 {
            // Upstream's runner, too, falls back to 127.0.0.1 without `-ipv6`.
            expected.retain(|arg| arg != "-ipv6");
        }
        let listener = ShimListener::open(Protocol::CURRENT).expect("a shim listener");
        let args = runner::shim_args(&listener, case, &credentials, &options);
        drop(listener);
        let actual = normalise(&args, case, &credentials);

        match (actual == expected, known.get(case.name.as_ref())) {
            (true, None) => agree += 1,
            (true, Some(reason)) => problems.push(format!(
                "{}: listed in KNOWN_DIFFERENCES ({reason}) but now agrees with upstream; \
                 remove the entry",
                case.name
            )),
            (false, Some(reason)) => {
                known_differing.push(format!("{}: {reason}", case.name));
            }
            (false, None) => problems.push(format!(
                "{}: argv differs from upstream's ({DATA_PATH}:{})\n  \
                 upstream:   {}\n  crosscheck: {}\n  diff:       {}",
                case.name,
                line.number,
                join(&expected),
                join(&actual),
                word_diff(&expected, &actual),
            )),
        }
    }
    for test in known.keys() {
        if !lines.contains_key(test) || !cases.contains_key(test) || own.contains(*test) {
            problems.push(format!(
                "KNOWN_DIFFERENCES lists {test}, which is no upstream case with a line in \
                 {DATA_PATH}; remove the entry"
            ));
        }
    }

    println!(
        "{agree} cases agree with upstream, {} known differences",
        known_differing.len()
    );
    for note in &known_differing {
        println!("  known: {note}");
    }
    if !problems.is_empty() {
        panic!(
            "crosscheck's shim argv against upstream's: {} problem(s) \
             ({agree} cases agree):\n\n{}",
            problems.len(),
            problems.join("\n\n")
        );
    }
}

/// The data must stay in its one spelling: what [`format_line`] writes.
#[test]
fn data_lines_are_canonical() {
    let lines = parse_data(DATA).unwrap_or_else(|errors| {
        panic!("{DATA_PATH} does not parse:\n{}", errors.join("\n"));
    });
    let text_lines: Vec<&str> = DATA.lines().collect();
    let mut problems = Vec::new();
    for line in &lines {
        let text = text_lines[line.number - 1];
        let canonical = format_line(&line.test, &line.args);
        if text != canonical {
            problems.push(format!(
                "{DATA_PATH}:{}:\n  is:        {text}\n  should be: {canonical}",
                line.number
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn args_round_trip_through_the_data_format() {
    let args: Vec<String> = [
        "-flag",
        "",
        "two words",
        "\x03foo\x03bar",
        "\"quoted\"",
        "back\\slash",
        "tab\there",
        "é",
        "{cert_file}",
    ]
    .iter()
    .map(|arg| arg.to_string())
    .collect();
    let line = format_line("Test", &args);
    assert_eq!(
        line,
        "Test\t-flag \"\" \"two words\" \"\\u0003foo\\u0003bar\" \"\\\"quoted\\\"\" back\\slash \
         \"tab\\there\" \"\\u00e9\" {cert_file}"
    );
    let parsed = parse_data(&line).unwrap();
    assert_eq!(parsed.len(), 1);
    assert_eq!(parsed[0].test, "Test");
    assert_eq!(parsed[0].args, args);
    assert!(parse_data("Test\t-a  -b").is_err());
    assert!(parse_data("Test\t\"open").is_err());
    assert!(parse_data("Test -a").is_err());
}

/// One test's line of the data file.
#[derive(Debug)]
struct DataLine {
    /// 1-based line number.
    number: usize,
    test: String,
    args: Vec<String>,
}

/// `# comment` and blank lines, then `Test<TAB>arg arg …`, args separated
/// by one space, an arg spelled as a JSON string when it starts with `"`.
fn parse_data(text: &str) -> Result<Vec<DataLine>, Vec<String>> {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((test, args)) = line.split_once('\t') else {
            errors.push(format!("line {number}: no tab after the test name"));
            continue;
        };
        if test.is_empty() || test.contains(char::is_whitespace) {
            errors.push(format!("line {number}: bad test name {test:?}"));
            continue;
        }
        match split_args(args) {
            Ok(args) => lines.push(DataLine {
                number,
                test: test.to_string(),
                args,
            }),
            Err(error) => errors.push(format!("line {number}: {error}")),
        }
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}

fn split_args(mut rest: &str) -> Result<Vec<String>, String> {
    let mut args = Vec::new();
    if rest.is_empty() {
        return Ok(args);
    }
    loop {
        let end = if rest.starts_with('"') {
            let mut escaped = false;
            let close = rest
                .char_indices()
                .skip(1)
                .find(|&(_, c)| {
                    let close = c == '"' && !escaped;
                    escaped = c == '\\' && !escaped;
                    close
                })
                .map(|(at, _)| at)
                .ok_or_else(|| format!("unterminated quoted argument: {rest}"))?;
            let quoted = &rest[..=close];
            let arg: String = serde_json::from_str(quoted)
                .map_err(|error| format!("bad quoted argument {quoted}: {error}"))?;
            args.push(arg);
            close + 1
        } else {
            let end = rest.find(' ').unwrap_or(rest.len());
            args.push(rest[..end].to_string());
            end
        };
        rest = &rest[end..];
        if rest.is_empty() {
            return Ok(args);
        }
        rest = rest
            .strip_prefix(' ')
            .filter(|next| !next.is_empty() && !next.starts_with(' '))
            .ok_or_else(|| format!("arguments must be separated by one space: {rest:?}"))?;
    }
}

fn format_line(test: &str, args: &[String]) -> String {
    format!("{test}\t{}", join(args))
}

fn join(args: &[String]) -> String {
    args.iter()
        .map(|arg| quote(arg))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `arg` as it is, or as an ASCII JSON string when it is empty, starts
/// with `"`, or has anything but printable ASCII (a space, a control
/// character, non-ASCII).
fn quote(arg: &str) -> String {
    let plain =
        !arg.is_empty() && !arg.starts_with('"') && arg.chars().all(|c| c.is_ascii_graphic());
    if plain {
        return arg.to_string();
    }
    let mut quoted = String::from("\"");
    for c in arg.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            '\u{8}' => quoted.push_str("\\b"),
            '\u{c}' => quoted.push_str("\\f"),
            ' '..='~' => quoted.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(quoted, "\\u{unit:04x}");
                }
            }
        }
    }
    quoted.push('"');
    quoted
}

/// crosscheck's argv with upstream's spellings: `-port {port}`,
/// `-shim-id {shim_id}`, credential files by what they are.
fn normalise(args: &[String], case: &Case, credentials: &Credentials) -> Vec<String> {
    let path = |path: &Path| path.to_string_lossy().into_owned();
    let mut files: Vec<(String, String)> = [KeyType::Rsa2048, KeyType::EcdsaP256]
        .into_iter()
        .flat_map(|key_type| {
            let leaf = credentials.leaf(key_type);
            let name = key_name(key_type);
            [
                (path(&leaf.cert_file), format!("{{{name}_cert}}")),
                (path(&leaf.key_file), format!("{{{name}_key}}")),
            ]
        })
        .collect();
    files.push((
        path(&credentials.ca_file),
        format!("{{{}_root}}", key_name(case.key_type)),
    ));
    // Longest first, so no path's replacement can eat part of another.
    files.sort_by_key(|(path, _)| std::cmp::Reverse(path.len()));

    let mut normalised = Vec::with_capacity(args.len());
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "-port" => Some("{port}"),
            "-shim-id" => Some("{shim_id}"),
            _ => None,
        };
        normalised.push(arg.clone());
        if let Some(value) = value {
            if args.next().is_some() {
                normalised.push(value.to_string());
            }
            continue;
        }
        let last = normalised.last_mut().expect("just pushed");
        for (path, name) in &files {
            if last.contains(path.as_str()) {
                *last = last.replace(path.as_str(), name);
            }
        }
    }
    normalised
}

/// The placeholder stem of a key type's credential files.
fn key_name(key_type: KeyType) -> &'static str {
    match key_type {
        KeyType::Rsa2048 => "rsa_2048",
        KeyType::EcdsaP256 => "ecdsa_p256",
    }
}

/// `expected` turned into `actual` word by word, as `git diff --word-diff`
/// shows it: common words as they are, `[-word-]` only upstream's,
/// `{+word+}` only crosscheck's.
fn word_diff(expected: &[String], actual: &[String]) -> String {
    let (n, m) = (expected.len(), actual.len());
    // lcs[i][j]: longest common subsequence of expected[i..] and actual[j..].
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if expected[i] == actual[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut words = Vec::new();
    while i < n || j < m {
        if i < n && j < m && expected[i] == actual[j] {
            words.push(quote(&expected[i]));
            i += 1;
            j += 1;
        } else if j == m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1]) {
            words.push(format!("[-{}-]", quote(&expected[i])));
            i += 1;
        } else {
            words.push(format!("{{+{}+}}", quote(&actual[j])));
            j += 1;
        }
    }
    words.join(" ")
}

/// Names of the cases marked `own: true` in `specs/bogo/*.yaml`.
fn own_cases() -> BTreeSet<String> {
    let dir = crosscheck::paths::in_workspace(env!("CARGO_MANIFEST_DIR")).join("specs/bogo");
    let mut own = BTreeSet::new();
    let mut entries: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    entries.sort();
    for path in entries {
        let text = fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        let doc: serde_json::Value = serde_saphyr::from_str(&text)
            .unwrap_or_else(|error| panic!("cannot parse {}: {error}", path.display()));
        let Some(cases) = doc.get("cases").and_then(|cases| cases.as_object()) else {
            continue;
        };
        for (name, case) in cases {
            if case.get("own").and_then(serde_json::Value::as_bool) == Some(true) {
                own.insert(name.clone());
            }
        }
    }
    own
}
