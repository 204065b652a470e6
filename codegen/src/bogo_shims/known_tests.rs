//! The test names shim files are checked against: one of the upstream
//! runner's test lists (`specs/bogo/upstream-tests/<id>.txt`, one name a
//! line) plus any names the caller adds (crosscheck's own BoGo cases, once
//! that family exists).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

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
        let description = if extra.is_empty() {
            format!("upstream list {}", list.id)
        } else {
            format!("upstream list {} and crosscheck's BoGo cases", list.id)
        };
        KnownTests {
            names,
            sorted,
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
    /// Only the names that start with the pattern's literal prefix are
    /// tried (shim files hold hundreds of globs, checked against
    /// thousands of names).
    pub fn matching_indices(&self, pattern: &Pattern) -> Vec<usize> {
        let prefix = pattern.literal_prefix();
        let start = self
            .sorted
            .partition_point(|&index| self.names[index].as_str() < prefix);
        let mut matching: Vec<usize> = self.sorted[start..]
            .iter()
            .copied()
            .take_while(|&index| self.names[index].starts_with(prefix))
            .filter(|&index| pattern.matches(&self.names[index]))
            .collect();
        matching.sort_unstable();
        matching
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
