//! What changes when a shim moves to a new upstream test list: tests added
//! and removed, and for each shim which added tests its globs disable (and
//! in which variants), which disabled tests went away, which globs stop or
//! start matching anything, and which per-test map entries name tests that
//! no longer exist. A test in both lists is matched by the same globs in
//! both, so only added and removed tests change status.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use crate::bogo::shim_config::ShimConfig;

/// Test names, one a line (blank lines skipped, repeats kept once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestList {
    /// Where the list came from, for the report (e.g. its path).
    pub label: String,
    pub names: Vec<String>,
}

impl TestList {
    pub fn parse(label: &str, text: &str) -> TestList {
        let mut seen = HashSet::new();
        let names = text
            .lines()
            .map(str::trim)
            .filter(|name| !name.is_empty() && seen.insert(*name))
            .map(str::to_string)
            .collect();
        TestList {
            label: label.to_string(),
            names,
        }
    }

    /// Reads the list at `path`; the error names the file.
    pub fn read(path: &Path) -> Result<TestList, Error> {
        crate::input::read_file_to_string(path)
            .map(|text| TestList::parse(&path.display().to_string(), &text))
            .map_err(|source| Error::Read {
                path: path.to_path_buf(),
                source,
            })
    }
}

/// Why two lists cannot be compared through the shims.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read test list {}: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{declared_at}: glob `{glob}` is malformed: {source}")]
    MalformedGlob {
        declared_at: &'static str,
        glob: &'static str,
        source: go_glob::PatternError,
    },
}

/// Everything that differs between two lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestsDiff {
    pub old: Summary,
    pub new: Summary,
    /// In the new list's order.
    pub added: Vec<String>,
    /// In the old list's order.
    pub removed: Vec<String>,
    pub shims: Vec<ShimDiff>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub label: String,
    pub count: usize,
}

/// How the change looks through one shim's config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShimDiff {
    pub shim: &'static str,
    /// The list the shim file is checked against today.
    pub upstream_tests: &'static str,
    /// Added tests that a glob disables, with the globs.
    pub newly_disabled: Vec<(String, Vec<GlobHit>)>,
    /// Added tests that no glob disables in any variant.
    pub newly_run: Vec<String>,
    /// Removed tests that a glob disabled.
    pub no_longer_disabled: Vec<(String, Vec<GlobHit>)>,
    /// Globs that matched tests in the old list and match none in the new
    /// one (a spec error once the shim uses the new list, unless kept).
    pub globs_now_unmatched: Vec<GlobHit>,
    /// Globs that matched nothing in the old list and match tests in the
    /// new one (their `keep_unmatched` becomes stale).
    pub globs_now_matching: Vec<(GlobHit, usize)>,
    /// `TestErrorMap` and `TestLocalErrorMap` entries for removed tests:
    /// (map, test).
    pub stale_test_entries: Vec<(&'static str, String)>,
}

/// A glob of a shim file and the variants it disables tests in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobHit {
    pub glob: &'static str,
    pub declared_at: &'static str,
    /// Empty when it holds in every variant.
    pub variants: Vec<&'static str>,
}

/// One glob entry across a shim's variants.
struct ShimGlob {
    hit: GlobHit,
    pattern: go_glob::Pattern,
}

/// Compares `old` and `new`, and looks at the change through each of
/// `shims`' disabled globs and per-test maps.
pub fn tests_diff(
    old: &TestList,
    new: &TestList,
    shims: &[&'static ShimConfig],
) -> Result<TestsDiff, Error> {
    let old_names: HashSet<&str> = old.names.iter().map(String::as_str).collect();
    let new_names: HashSet<&str> = new.names.iter().map(String::as_str).collect();
    let added: Vec<String> = new
        .names
        .iter()
        .filter(|name| !old_names.contains(name.as_str()))
        .cloned()
        .collect();
    let removed: Vec<String> = old
        .names
        .iter()
        .filter(|name| !new_names.contains(name.as_str()))
        .cloned()
        .collect();
    let shims = shims
        .iter()
        .map(|shim| shim_diff(shim, old, new, &added, &removed, &new_names))
        .collect::<Result<_, _>>()?;
    Ok(TestsDiff {
        old: Summary {
            label: old.label.clone(),
            count: old.names.len(),
        },
        new: Summary {
            label: new.label.clone(),
            count: new.names.len(),
        },
        added,
        removed,
        shims,
    })
}

fn shim_diff(
    shim: &'static ShimConfig,
    old: &TestList,
    new: &TestList,
    added: &[String],
    removed: &[String],
    new_names: &HashSet<&str>,
) -> Result<ShimDiff, Error> {
    let globs = shim_globs(shim)?;
    let hits = |test: &str| -> Vec<GlobHit> {
        globs
            .iter()
            .filter(|glob| glob.pattern.matches(test))
            .map(|glob| glob.hit.clone())
            .collect()
    };
    let mut newly_disabled = Vec::new();
    let mut newly_run = Vec::new();
    for test in added {
        let found = hits(test);
        if found.is_empty() {
            newly_run.push(test.clone());
        } else {
            newly_disabled.push((test.clone(), found));
        }
    }
    let no_longer_disabled = removed
        .iter()
        .filter_map(|test| {
            let found = hits(test);
            (!found.is_empty()).then(|| (test.clone(), found))
        })
        .collect();
    let mut globs_now_unmatched = Vec::new();
    let mut globs_now_matching = Vec::new();
    for glob in &globs {
        let in_old = old.names.iter().any(|name| glob.pattern.matches(name));
        let in_new = new
            .names
            .iter()
            .filter(|name| glob.pattern.matches(name))
            .count();
        match (in_old, in_new) {
            (true, 0) => globs_now_unmatched.push(glob.hit.clone()),
            (false, count) if count > 0 => globs_now_matching.push((glob.hit.clone(), count)),
            _ => {}
        }
    }
    let mut stale_test_entries = Vec::new();
    let mut seen = HashSet::new();
    for variant in shim.variants.iter() {
        for (map, entries) in [
            ("TestErrorMap", &variant.test_error_map),
            ("TestLocalErrorMap", &variant.test_local_error_map),
        ] {
            for entry in entries.iter() {
                let test = &*entry.test;
                if !new_names.contains(test) && seen.insert((map, test)) {
                    stale_test_entries.push((map, entry.test.to_string()));
                }
            }
        }
    }
    Ok(ShimDiff {
        shim: &shim.name,
        upstream_tests: &shim.upstream_tests,
        newly_disabled,
        newly_run,
        no_longer_disabled,
        globs_now_unmatched,
        globs_now_matching,
        stale_test_entries,
    })
}

/// The shim's globs in file order, each once, with the variants it holds
/// in: `DisabledTests`, then the tests declared unimplemented or expected
/// to fail (which the upstream runner's config also lists as disabled).
fn shim_globs(shim: &'static ShimConfig) -> Result<Vec<ShimGlob>, Error> {
    let mut globs: Vec<ShimGlob> = Vec::new();
    for variant in shim.variants.iter() {
        let declared = variant
            .disabled_tests
            .iter()
            .chain(variant.unimplemented.iter())
            .chain(variant.expected_failures.iter());
        for disabled in declared {
            let existing = globs.iter_mut().find(|glob| {
                glob.hit.glob == disabled.glob && glob.hit.declared_at == disabled.declared_at
            });
            match existing {
                Some(glob) => glob.hit.variants.push(&variant.name),
                None => globs.push(ShimGlob {
                    pattern: go_glob::Pattern::new(&disabled.glob).map_err(|source| {
                        Error::MalformedGlob {
                            declared_at: &disabled.declared_at,
                            glob: &disabled.glob,
                            source,
                        }
                    })?,
                    hit: GlobHit {
                        glob: &disabled.glob,
                        declared_at: &disabled.declared_at,
                        variants: vec![&variant.name],
                    },
                }),
            }
        }
    }
    // Keep globs in file order (the first variant may not hold them all).
    globs.sort_by_key(|glob| position(glob.hit.declared_at));
    for glob in &mut globs {
        if glob.hit.variants.len() == shim.variants.len() {
            glob.hit.variants.clear();
        }
    }
    Ok(globs)
}

/// (line, column) of a `file:line:col` location, for ordering.
fn position(declared_at: &str) -> (u64, u64) {
    let mut parts = declared_at.rsplitn(3, ':');
    let column = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
    let line = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
    (line, column)
}

impl fmt::Display for GlobHit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.glob)?;
        if !self.variants.is_empty() {
            write!(f, " [{}]", self.variants.join(", "))?;
        }
        write!(f, " ({})", self.declared_at)
    }
}

fn section<T>(
    f: &mut fmt::Formatter<'_>,
    indent: &str,
    title: &str,
    items: &[T],
    mut line: impl FnMut(&T) -> String,
) -> fmt::Result {
    if items.is_empty() {
        return Ok(());
    }
    writeln!(f, "{indent}{title} ({}):", items.len())?;
    for item in items {
        writeln!(f, "{indent}  {}", line(item))?;
    }
    Ok(())
}

fn hits(found: &[GlobHit]) -> String {
    found
        .iter()
        .map(GlobHit::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for TestsDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} tests in {}, {} in {}: {} added, {} removed",
            self.old.count,
            self.old.label,
            self.new.count,
            self.new.label,
            self.added.len(),
            self.removed.len()
        )?;
        section(f, "", "added", &self.added, |test| format!("+ {test}"))?;
        section(f, "", "removed", &self.removed, |test| format!("- {test}"))?;
        for shim in &self.shims {
            writeln!(f)?;
            writeln!(
                f,
                "shim {} (its file is checked against upstream list {}):",
                shim.shim, shim.upstream_tests
            )?;
            section(
                f,
                "  ",
                "added tests it disables",
                &shim.newly_disabled,
                |(test, found)| format!("{test}  by {}", hits(found)),
            )?;
            section(f, "  ", "added tests it runs", &shim.newly_run, |test| {
                test.clone()
            })?;
            section(
                f,
                "  ",
                "removed tests it disabled",
                &shim.no_longer_disabled,
                |(test, found)| format!("{test}  by {}", hits(found)),
            )?;
            section(
                f,
                "  ",
                "globs that match no test in the new list (keep them with keep_unmatched, or remove them)",
                &shim.globs_now_unmatched,
                GlobHit::to_string,
            )?;
            section(
                f,
                "  ",
                "globs that matched nothing and now match (remove their keep_unmatched)",
                &shim.globs_now_matching,
                |(glob, count)| {
                    format!("{glob}: {count} test{}", if *count == 1 { "" } else { "s" })
                },
            )?;
            section(
                f,
                "  ",
                "per-test entries for removed tests",
                &shim.stale_test_entries,
                |(map, test)| format!("{map}: {test}"),
            )?;
            let quiet = shim.newly_disabled.is_empty()
                && shim.newly_run.is_empty()
                && shim.no_longer_disabled.is_empty()
                && shim.globs_now_unmatched.is_empty()
                && shim.globs_now_matching.is_empty()
                && shim.stale_test_entries.is_empty();
            if quiet {
                writeln!(f, "  no change")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{GlobHit, TestList, tests_diff};
    use crate::bogo::shim_config::{RunnerOptions, ShimConfig, TestError, TestGlob, Variant};
    use crate::program::Program;
    use std::borrow::Cow;

    const fn variant(
        name: &'static str,
        disabled_tests: &'static [TestGlob],
        test_error_map: &'static [TestError],
    ) -> Variant {
        Variant {
            name: Cow::Borrowed(name),
            description: Cow::Borrowed(""),
            env: Cow::Borrowed(&[]),
            config_json: Cow::Borrowed("{}\n"),
            disabled_tests: Cow::Borrowed(disabled_tests),
            unimplemented: Cow::Borrowed(&[]),
            expected_failures: Cow::Borrowed(&[]),
            error_map: Cow::Borrowed(&[]),
            test_error_map: Cow::Borrowed(test_error_map),
            test_local_error_map: Cow::Borrowed(&[]),
            half_rtt_tickets: None,
            max_ack_buffer: None,
            all_curves: None,
            expected: Cow::Borrowed(&[]),
        }
    }

    const DTLS: TestGlob = TestGlob {
        glob: Cow::Borrowed("*DTLS*"),
        reason: Cow::Borrowed("not supported"),
        declared_at: Cow::Borrowed("s.yaml:5:3"),
    };
    const ECH_RING: TestGlob = TestGlob {
        glob: Cow::Borrowed("TLS-ECH-*"),
        reason: Cow::Borrowed("no HPKE"),
        declared_at: Cow::Borrowed("s.yaml:7:3"),
    };
    const P224: TestGlob = TestGlob {
        glob: Cow::Borrowed("*-P-224-*"),
        reason: Cow::Borrowed("no p224"),
        declared_at: Cow::Borrowed("s.yaml:6:3"),
    };
    const OLD_ONLY: TestGlob = TestGlob {
        glob: Cow::Borrowed("Gone-*"),
        reason: Cow::Borrowed("gone"),
        declared_at: Cow::Borrowed("s.yaml:8:3"),
    };

    static SHIM: ShimConfig = ShimConfig {
        name: Cow::Borrowed("demo"),
        description: Cow::Borrowed(""),
        declared_in: Cow::Borrowed("s.yaml"),
        program: Some(Program::installed("demo", &[Cow::Borrowed("demo")])),
        runner: RunnerOptions {
            loose_errors: false,
            allow_unimplemented: false,
            include_disabled: false,
            protocol: crate::bogo::runner::Protocol::CURRENT,
        },
        upstream_tests: Cow::Borrowed("old"),
        variants: Cow::Borrowed(&[
            variant(
                "ring",
                &[DTLS, P224, ECH_RING, OLD_ONLY],
                &[TestError {
                    test: Cow::Borrowed("Gone-Test"),
                    error: Cow::Borrowed(":X:"),
                }],
            ),
            variant("aws", &[DTLS, P224, OLD_ONLY], &[]),
        ]),
    };

    fn lists() -> (TestList, TestList) {
        let old = TestList::parse(
            "old.txt",
            "Basic-Client\nGone-Test\nFoo-DTLS-Bar\n\nBasic-Client\n",
        );
        let new = TestList::parse(
            "new.txt",
            "Basic-Client\nFoo-DTLS-Bar\nNew-DTLS-One\nTLS-ECH-New\nCurve-P-224-X\nPlain-New\n",
        );
        (old, new)
    }

    #[test]
    fn lists_skip_blanks_and_repeats() {
        let (old, _) = lists();
        assert_eq!(old.names, ["Basic-Client", "Gone-Test", "Foo-DTLS-Bar"]);
    }

    #[test]
    fn added_and_removed_tests_are_seen_through_the_globs() {
        let (old, new) = lists();
        let diff = tests_diff(&old, &new, &[&SHIM]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            diff.added,
            ["New-DTLS-One", "TLS-ECH-New", "Curve-P-224-X", "Plain-New"]
        );
        assert_eq!(diff.removed, ["Gone-Test"]);
        let shim = &diff.shims[0];
        let hit =
            |glob: &'static str, declared_at: &'static str, variants: &[&'static str]| GlobHit {
                glob,
                declared_at,
                variants: variants.to_vec(),
            };
        assert_eq!(
            shim.newly_disabled,
            [
                (
                    "New-DTLS-One".to_string(),
                    vec![hit("*DTLS*", "s.yaml:5:3", &[])]
                ),
                (
                    "TLS-ECH-New".to_string(),
                    vec![hit("TLS-ECH-*", "s.yaml:7:3", &["ring"])]
                ),
                (
                    "Curve-P-224-X".to_string(),
                    vec![hit("*-P-224-*", "s.yaml:6:3", &[])]
                ),
            ]
        );
        assert_eq!(shim.newly_run, ["Plain-New"]);
        assert_eq!(
            shim.no_longer_disabled,
            [(
                "Gone-Test".to_string(),
                vec![hit("Gone-*", "s.yaml:8:3", &[])]
            )]
        );
        assert_eq!(shim.globs_now_unmatched, [hit("Gone-*", "s.yaml:8:3", &[])]);
        assert_eq!(
            shim.globs_now_matching,
            [
                (hit("*-P-224-*", "s.yaml:6:3", &[]), 1),
                (hit("TLS-ECH-*", "s.yaml:7:3", &["ring"]), 1)
            ]
        );
        assert_eq!(
            shim.stale_test_entries,
            [("TestErrorMap", "Gone-Test".to_string())]
        );
    }

    #[test]
    fn the_report_reads_as_sections() {
        let (old, new) = lists();
        let report = tests_diff(&old, &new, &[&SHIM])
            .unwrap_or_else(|e| panic!("{e}"))
            .to_string();
        for line in [
            "3 tests in old.txt, 6 in new.txt: 4 added, 1 removed",
            "added (4):\n  + New-DTLS-One\n",
            "removed (1):\n  - Gone-Test\n",
            "shim demo (its file is checked against upstream list old):",
            "  added tests it disables (3):\n    New-DTLS-One  by `*DTLS*` (s.yaml:5:3)\n    TLS-ECH-New  by `TLS-ECH-*` [ring] (s.yaml:7:3)\n",
            "  added tests it runs (1):\n    Plain-New\n",
            "  removed tests it disabled (1):\n    Gone-Test  by `Gone-*` (s.yaml:8:3)\n",
            "    `Gone-*` (s.yaml:8:3)\n",
            "    `*-P-224-*` (s.yaml:6:3): 1 test\n",
            "  per-test entries for removed tests (1):\n    TestErrorMap: Gone-Test\n",
        ] {
            assert!(report.contains(line), "missing {line:?} in:\n{report}");
        }
    }

    #[test]
    fn identical_lists_change_nothing() {
        let (old, _) = lists();
        let diff = tests_diff(&old, &old, &[&SHIM]).unwrap_or_else(|e| panic!("{e}"));
        assert!(diff.added.is_empty() && diff.removed.is_empty());
        assert!(diff.to_string().contains("  no change\n"));
    }
}
