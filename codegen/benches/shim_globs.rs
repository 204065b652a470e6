//! How long the spec compiler takes to check a BoGo shim file, by its
//! number of globs: generates shim files of N globs against the project's
//! upstream test list and times reading the file and checking it (every
//! glob against the known test names, sections against each other).
//!
//! `cargo bench -p crosscheck-codegen --bench shim_globs [-- N…]`
//! (default N = 200 2000 20000).
//!
//! The globs take every form shim files use (exact names, leading,
//! trailing and inner `*`, `?`, classes), each matches at least one known
//! test, and the three sections match disjoint tests, so each file checks
//! clean; a tenth of the entries hold for one of the three variants only.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crosscheck_codegen::bogo_shims::{Layout, TestList, UpstreamLists, load, plan};
use crosscheck_codegen::diagnostic::Diagnostics;

const DEFAULT_SIZES: [usize; 3] = [200, 2_000, 20_000];
const SECTIONS: [&str; 3] = ["DisabledTests", "unimplemented", "expected_failures"];
const VARIANTS: [&str; 3] = ["ring", "aws-lc-rs", "fips"];
/// The forms of [`glob_form`] before the leading-star cuts.
const BASE_FORMS: usize = 6;

fn main() -> ExitCode {
    let mut sizes: Vec<usize> = std::env::args()
        .filter_map(|arg| arg.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = DEFAULT_SIZES.to_vec();
    }
    match run(&sizes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("shim_globs: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(sizes: &[usize]) -> Result<(), String> {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let upstream = UpstreamLists::find(&Layout::under(&specs).upstream_tests)
        .map_err(|error| error.to_string())?;
    let id = upstream
        .ids
        .last()
        .ok_or("the project has no upstream test list")?;
    let list = TestList::read(&upstream, id, &specs).map_err(|errors| errors.to_string())?;
    let most = sizes.iter().copied().max().unwrap_or(0);
    let globs = globs(&list.names, most);
    if globs.len() < most {
        return Err(format!(
            "only {} distinct globs can be made from list {id}",
            globs.len()
        ));
    }

    println!(
        "checking a shim file: {} known tests (list {id}), {} variants",
        list.names.len(),
        VARIANTS.len()
    );
    println!(
        "{:>7} {:>10} {:>10} {:>14}",
        "globs", "read (s)", "check (s)", "µs per glob"
    );
    for &size in sizes {
        let dir = tempfile::tempdir().map_err(|e| format!("cannot make a temp dir: {e}"))?;
        let layout = Layout::under(dir.path());
        for directory in [&layout.shims, &layout.upstream_tests] {
            std::fs::create_dir_all(directory)
                .map_err(|e| format!("cannot create {}: {e}", directory.display()))?;
        }
        std::fs::copy(
            upstream.path(id),
            layout.upstream_tests.join(format!("{id}.txt")),
        )
        .map_err(|e| format!("cannot copy list {id}: {e}"))?;
        let shim = layout.shims.join("bench.yaml");
        std::fs::write(&shim, shim_file(id, &globs[..size]))
            .map_err(|e| format!("cannot write {}: {e}", shim.display()))?;

        let (read, check) = time_check(&layout, &shim, dir.path())?;
        let total = read + check;
        println!(
            "{size:>7} {:>10.3} {:>10.3} {:>14.1}",
            read.as_secs_f64(),
            check.as_secs_f64(),
            total.as_secs_f64() * 1e6 / size.max(1) as f64
        );
    }
    Ok(())
}

/// Reads the shim file, then checks it; an error if the file is not clean.
fn time_check(layout: &Layout, shim: &Path, root: &Path) -> Result<(Duration, Duration), String> {
    let mut diagnostics = Diagnostics::default();
    let started = Instant::now();
    let loaded = load::load_file(shim, root, &mut diagnostics);
    let read = started.elapsed();
    let lists = UpstreamLists::find(&layout.upstream_tests).map_err(|e| e.to_string())?;
    let loaded: Vec<load::LoadedShim> = loaded.into_iter().collect();
    let started = Instant::now();
    plan::plan(&loaded, &lists, root, &[], &mut diagnostics);
    let check = started.elapsed();
    if !diagnostics.is_empty() || loaded.is_empty() {
        let first: Vec<String> = diagnostics
            .0
            .iter()
            .take(3)
            .map(|d| d.to_string())
            .collect();
        return Err(format!(
            "the generated shim file has {} problems, e.g.\n{}",
            diagnostics.0.len(),
            first.join("\n")
        ));
    }
    Ok((read, check))
}

/// Up to `count` distinct globs, each with its section (0..3): the
/// tests in an order of their own (not the list's alphabetical one), each
/// round giving each test a glob of another form. A glob ends with its
/// test's last `-` part literally, so every test it matches ends with that
/// part, and the part decides the section.
fn globs(names: &[String], count: usize) -> Vec<(String, usize)> {
    let mut usable: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|name| {
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.+=".contains(c))
        })
        .collect();
    usable.sort_by_key(|name| {
        name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3)
        })
    });
    let mut seen = HashSet::new();
    let mut globs = Vec::new();
    for round in 0.. {
        let before = globs.len();
        for (index, name) in usable.iter().enumerate() {
            if globs.len() == count {
                return globs;
            }
            let form = if round < BASE_FORMS {
                (index + round) % BASE_FORMS
            } else {
                round
            };
            let (glob, last) = match name.rsplit_once('-') {
                Some((head, last)) if !head.is_empty() && !last.is_empty() => {
                    match glob_form(head, form) {
                        Some(head) => (format!("{head}-{last}"), last),
                        None => continue,
                    }
                }
                _ if round == 0 => (name.to_string(), *name),
                _ => continue,
            };
            let section = last.bytes().map(usize::from).sum::<usize>() % SECTIONS.len();
            if seen.insert(glob.clone()) {
                globs.push((glob, section));
            }
        }
        if globs.len() == before && round > BASE_FORMS {
            break;
        }
    }
    globs
}

/// The `form`th glob of a name's `head` (the name up to its last `-`),
/// matching that head.
fn glob_form(head: &str, form: usize) -> Option<String> {
    let len = head.len();
    let first = head.chars().next().filter(char::is_ascii_alphanumeric)?;
    Some(match form {
        0 => head.to_string(),
        1 => format!("*{}", &head[len / 2..]),
        2 => format!("{}*", &head[..len / 2]),
        3 => format!("*{}*", &head[len / 4..len * 3 / 4]),
        4 => format!("{}?", &head[..len - 1]),
        5 => format!("[{first}]{}", &head[1..]),
        // A leading star at every other cut.
        cut => {
            let cut = cut - BASE_FORMS + 1;
            if cut >= len {
                return None;
            }
            format!("*{}", &head[cut..])
        }
    })
}

fn shim_file(id: &str, globs: &[(String, usize)]) -> String {
    let mut text = format!(
        "description: {} generated globs\nupstream_tests: {id}\nvariants:\n",
        globs.len()
    );
    for variant in VARIANTS {
        let _ = writeln!(text, "  {variant}: the {variant} build");
    }
    for (index, section) in SECTIONS.iter().enumerate() {
        let _ = writeln!(text, "{section}:");
        for (number, (glob, _)) in globs.iter().enumerate().filter(|(_, (_, of))| *of == index) {
            if number % 10 == 9 {
                let variant = VARIANTS[number / 10 % VARIANTS.len()];
                let _ = writeln!(
                    text,
                    "  \"{glob}\":\n    reason: glob {number}\n    variants: [{variant}]"
                );
            } else {
                let _ = writeln!(text, "  \"{glob}\": glob {number}");
            }
        }
    }
    text
}
