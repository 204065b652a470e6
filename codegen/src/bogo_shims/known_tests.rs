//! The test names shim files are checked against: one of the upstream
//! runner's test lists (`specs/bogo/upstream-tests/<id>.txt`, one name a
//! line) plus any names the caller adds (crosscheck's own BoGo cases, once
//! that family exists).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use go_glob::Pattern;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::located::Position;

/// The directory of upstream test lists.
#[derive(Debug, Clone)]
pub struct UpstreamLists {
    pub directory: PathBuf,
    /// List ids (file stems), sorted.
    pub ids: Vec<String>,
}

impl UpstreamLists {
    /// Finds the `*.txt` lists in `directory`.
    pub fn find(directory: &Path) -> Result<UpstreamLists, Diagnostic> {
        let entries = std::fs::read_dir(directory).map_err(|error| {
            Diagnostic::without_position(
                &directory.display().to_string(),
                format!("cannot list the upstream test lists: {error}"),
            )
        })?;
        let mut ids: Vec<String> = entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "txt"))
            .filter_map(|path| Some(path.file_stem()?.to_string_lossy().into_owned()))
            .collect();
        ids.sort();
        Ok(UpstreamLists {
            directory: directory.to_path_buf(),
            ids,
        })
    }

    /// The path of list `id`.
    pub fn path(&self, id: &str) -> PathBuf {
        self.directory.join(format!("{id}.txt"))
    }
}

/// One upstream test list.
#[derive(Debug, Clone)]
pub struct TestList {
    pub id: String,
    /// The file, as shown in messages.
    pub display_path: String,
    /// The absolute path, for rebuild tracking.
    pub absolute_path: PathBuf,
    pub names: Vec<String>,
}

impl TestList {
    /// Reads list `id`; a repeated name is an error at its line.
    pub fn read(
        lists: &UpstreamLists,
        id: &str,
        display_root: &Path,
    ) -> Result<TestList, Diagnostics> {
        let source = SourceFile::read(&lists.path(id), display_root)?;
        let mut diagnostics = Diagnostics::default();
        let mut lines: HashMap<&str, usize> = HashMap::new();
        let mut names = Vec::new();
        for (index, line) in source.text.lines().enumerate() {
            let name = line.trim();
            if name.is_empty() {
                continue;
            }
            let position = Position {
                line: index as u64 + 1,
                column: 1,
                offset: None,
            };
            if let Some(first) = lines.insert(name, index + 1) {
                diagnostics.push(Diagnostic::at(
                    &source,
                    position,
                    format!("test `{name}` is listed twice (first on line {first})"),
                ));
            } else if name.contains(char::is_whitespace) {
                diagnostics.push(Diagnostic::at(
                    &source,
                    position,
                    "a test name has no spaces; the file lists one name a line",
                ));
            }
            names.push(name.to_string());
        }
        diagnostics.into_result(TestList {
            id: id.to_string(),
            display_path: source.display_path.clone(),
            absolute_path: source.absolute_path.clone(),
            names,
        })
    }
}

/// Every name a shim file may refer to.
#[derive(Debug, Clone)]
pub struct KnownTests {
    names: Vec<String>,
    /// Indices into `names`, in name order.
    sorted: Vec<usize>,
    /// Indices into `names`, in the order of the names read backwards.
    sorted_backwards: Vec<usize>,
    /// For every three bytes in a row some names hold, those names
    /// (indices into `names`, ascending); built for the first pattern
    /// that the prefix and suffix orders narrow too little.
    trigrams: OnceLock<HashMap<[u8; 3], Vec<usize>>>,
    set: HashSet<String>,
    /// How messages name the set, e.g. `upstream list b28d2e8`.
    description: String,
}

impl KnownTests {
    /// The names of `list` and `extra` (crosscheck's own BoGo case names).
    pub fn new(list: &TestList, extra: &[String]) -> KnownTests {
        let mut names = list.names.clone();
        names.extend(extra.iter().cloned());
        let set = names.iter().cloned().collect();
        let mut sorted: Vec<usize> = (0..names.len()).collect();
        sorted.sort_unstable_by(|&a, &b| names[a].cmp(&names[b]));
        let mut sorted_backwards = sorted.clone();
        sorted_backwards
            .sort_unstable_by(|&a, &b| names[a].bytes().rev().cmp(names[b].bytes().rev()));
        let description = if extra.is_empty() {
            format!("upstream list {}", list.id)
        } else {
            format!("upstream list {} and crosscheck's BoGo cases", list.id)
        };
        KnownTests {
            names,
            sorted,
            sorted_backwards,
            trigrams: OnceLock::new(),
            set,
            description,
        }
    }

    pub fn describe(&self) -> &str {
        &self.description
    }

    pub fn contains(&self, name: &str) -> bool {
        self.set.contains(name)
    }

    /// The known names `pattern` matches, in list order.
    pub fn matching<'a>(&'a self, pattern: &Pattern) -> impl Iterator<Item = &'a str> + 'a {
        self.matching_indices(pattern)
            .into_iter()
            .map(|index| self.names[index].as_str())
    }

    /// Where in the list the names `pattern` matches are, in list order.
    /// Only the names that can match are tried (shim files hold hundreds
    /// of globs or more, checked against thousands of names).
    pub fn matching_indices(&self, pattern: &Pattern) -> Vec<usize> {
        let mut matching: Vec<usize> = self
            .candidates(pattern)
            .iter()
            .copied()
            .filter(|&index| pattern.matches(&self.names[index]))
            .collect();
        matching.sort_unstable();
        matching
    }

    /// The fewest names the indexes narrow `pattern`'s matches to: those
    /// starting with its literal prefix, those ending with its literal
    /// suffix, or (when those are many) those holding the rarest three
    /// bytes of its literal text.
    fn candidates(&self, pattern: &Pattern) -> &[usize] {
        let (prefix, suffix) = (pattern.literal_prefix(), pattern.literal_suffix());
        let mut fewest = &self.sorted[..];
        if !prefix.is_empty() {
            fewest = self.run_of(
                &self.sorted,
                |name| name < prefix,
                |name| name.starts_with(prefix),
            );
        }
        if !suffix.is_empty() {
            let ending = self.run_of(
                &self.sorted_backwards,
                |name| name.bytes().rev().lt(suffix.bytes().rev()),
                |name| name.ends_with(suffix),
            );
            if ending.len() < fewest.len() {
                fewest = ending;
            }
        }
        if fewest.len() <= NARROW_ENOUGH {
            return fewest;
        }
        let trigrams = self.trigrams.get_or_init(|| index_trigrams(&self.names));
        for run in pattern.literals() {
            for window in run.as_bytes().windows(3) {
                let holders = trigrams
                    .get(&[window[0], window[1], window[2]])
                    .map_or(&[][..], Vec::as_slice);
                if holders.len() < fewest.len() {
                    fewest = holders;
                }
            }
        }
        fewest
    }

    /// The names of `order` that are `within`, where those `before` them
    /// come first and the rest after them.
    fn run_of<'a>(
        &self,
        order: &'a [usize],
        before: impl Fn(&str) -> bool,
        within: impl Fn(&str) -> bool,
    ) -> &'a [usize] {
        let rest = &order[order.partition_point(|&index| before(&self.names[index]))..];
        &rest[..rest.partition_point(|&index| within(&self.names[index]))]
    }

    /// The name at `index` of the list.
    pub fn name(&self, index: usize) -> &str {
        &self.names[index]
    }

    /// The known name closest to `name`, when one is close enough to be
    /// the one meant.
    pub fn closest(&self, name: &str) -> Option<&str> {
        let limit = (name.chars().count() / 8).clamp(1, 3);
        self.names
            .iter()
            .map(|known| (edit_distance(name, known, limit), known))
            .filter(|(distance, _)| *distance <= limit)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, known)| known.as_str())
    }
}

/// Few enough names to try one by one rather than look further.
const NARROW_ENOUGH: usize = 64;

/// The names holding each three bytes in a row, as [`KnownTests`] keeps
/// them.
fn index_trigrams(names: &[String]) -> HashMap<[u8; 3], Vec<usize>> {
    let mut trigrams: HashMap<[u8; 3], Vec<usize>> = HashMap::new();
    for (index, name) in names.iter().enumerate() {
        for window in name.as_bytes().windows(3) {
            let holders = trigrams
                .entry([window[0], window[1], window[2]])
                .or_default();
            if holders.last() != Some(&index) {
                holders.push(index);
            }
        }
    }
    trigrams
}

/// Levenshtein distance between `a` and `b`, or `limit + 1` once it is
/// certainly larger than `limit`.
fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        if current.iter().all(|&d| d > limit) {
            return limit + 1;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::{KnownTests, TestList, edit_distance};

    fn known(names: &[&str], extra: &[&str]) -> KnownTests {
        let list = TestList {
            id: "abc".to_string(),
            display_path: "abc.txt".to_string(),
            absolute_path: "abc.txt".into(),
            names: names.iter().map(|n| n.to_string()).collect(),
        };
        let extra: Vec<String> = extra.iter().map(|n| n.to_string()).collect();
        KnownTests::new(&list, &extra)
    }

    #[test]
    fn extra_names_join_the_upstream_list() {
        let known = known(&["Basic-Client-TLS-Sync"], &["Crosscheck-Own"]);
        assert!(known.contains("Crosscheck-Own"));
        assert!(known.contains("Basic-Client-TLS-Sync"));
        assert_eq!(
            known.describe(),
            "upstream list abc and crosscheck's BoGo cases"
        );
        let pattern = go_glob::Pattern::new("*-Own").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            known.matching(&pattern).collect::<Vec<_>>(),
            ["Crosscheck-Own"]
        );
    }

    #[test]
    fn indexed_matches_are_the_matches_of_every_name() {
        // Enough names that some patterns are narrowed by their trigrams.
        let fillers: Vec<String> = (0..100)
            .map(|n| format!("Filler-{n}-Client-TLS{}", n % 4))
            .collect();
        let mut names = vec![
            "Basic-Client-TLS-Sync",
            "Basic-Server-TLS-Async",
            "Renegotiate-Client-TLS1",
            "Renegotiate-Client-TLS11",
            "CurveTest-Client-Kyber-TLS13",
            "ALPNClient-DTLS-TLS12",
            "Résumé-α-TLS13",
            "ab",
            "",
        ];
        names.extend(fillers.iter().map(String::as_str));
        let known = known(&names, &["Crosscheck-Own-TLS13"]);
        let every = || names.iter().copied().chain(["Crosscheck-Own-TLS13"]);
        for glob in [
            "*",
            "",
            "ab",
            "a?",
            "Basic-*",
            "*-TLS1",
            "*-TLS1?",
            "*TLS1*",
            "*Kyber*",
            "*-Client-*",
            "Re*-TLS1[0-9]",
            "*[Kk]yber*",
            "*ümé-*",
            "*α*",
            "Basic-*-TLS-*Sync",
            "*-Nothing-*",
            "Nothing*",
            "*Nothing",
            r"Basic\-*",
            "*-Own-*",
            "*-Client-TLS?",
            "*-7-*",
            "*ler-1?-*",
        ] {
            let pattern = go_glob::Pattern::new(glob).unwrap_or_else(|e| panic!("{glob}: {e}"));
            let expected: Vec<&str> = every().filter(|name| pattern.matches(name)).collect();
            assert_eq!(
                known.matching(&pattern).collect::<Vec<_>>(),
                expected,
                "{glob}"
            );
        }
    }

    #[test]
    fn near_misses_are_suggested() {
        let known = known(&["NoSharedCipher-TLS13", "NoSharedCipher"], &[]);
        assert_eq!(
            known.closest("NoSharedCiper-TLS13"),
            Some("NoSharedCipher-TLS13")
        );
        assert_eq!(known.closest("Something-Else-Entirely"), None);
        assert_eq!(edit_distance("kitten", "sitting", 5), 3);
        assert_eq!(edit_distance("kitten", "sitting", 1), 2);
    }
}
