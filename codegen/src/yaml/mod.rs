//! The one loader every spec family reads its files with: YAML text → a
//! [`tree::Node`] tree → the family's typed model (through `de`), every
//! problem reported at its `file:line:col`.
//!
//! Unknown and repeated keys are reported and left out. A value of the
//! wrong shape is reported and its node cut out of the tree (its whole
//! entry or list item), and the file is read again, so one build shows
//! every problem of a file, and the family's own checks still run on what
//! remains.

mod de;
pub mod shape;
pub mod tree;

use std::collections::HashSet;
use std::path::Path;

use serde::de::DeserializeOwned;

pub(crate) use de::{LOCATED, LOCATED_FIELDS};

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::yaml::de::{Context, NodeDeserializer};
use crate::yaml::tree::{Node, Removed};

/// A parsed spec file and its source (for locations).
pub struct Parsed<T> {
    pub source: SourceFile,
    pub doc: T,
}

/// After this many values of the wrong shape in one file, reading stops
/// (each costs one more reading of the file).
const MOST_PROBLEMS_PER_FILE: usize = 200;

/// Reads the spec file at `path` into `T`; `display_root` shortens the
/// path shown in messages. Problems go to `diagnostics`; `None` when the
/// file could not be read or parsed, or its top level does not fit `T`.
pub fn read_file<T: DeserializeOwned>(
    path: &Path,
    display_root: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<Parsed<T>> {
    let source = SourceFile::read(path, display_root)
        .map_err(|d| diagnostics.push(d))
        .ok()?;
    let doc = read(&source, diagnostics)?;
    Some(Parsed { source, doc })
}

/// Reads `file`'s text into `T`; see [`read_file`].
pub fn read<T: DeserializeOwned>(file: &SourceFile, diagnostics: &mut Diagnostics) -> Option<T> {
    let mut root = tree::parse(file).map_err(|d| diagnostics.push(d)).ok()?;
    let mut reading = Reading::default();
    let mut found = Diagnostics::default();
    let result = loop {
        let context = Context::new(file);
        let result = T::deserialize(NodeDeserializer::new(&root, &context));
        reading.misspelt.extend(context.misspelt.into_inner());
        reading.note(context.notes.into_inner());
        match result {
            Ok(doc) => break Some(doc),
            Err(error) => {
                if !reading.is_consequence(&error) {
                    let message = error.message.clone();
                    found.push(match error.position {
                        Some(position) => Diagnostic::at(file, position, message),
                        None => Diagnostic::without_position(&file.display_path, message),
                    });
                }
                if !reading.cut(&mut root, &error) {
                    break None;
                }
                if reading.cuts >= MOST_PROBLEMS_PER_FILE {
                    found.push(Diagnostic::without_position(
                        &file.display_path,
                        format!(
                            "{MOST_PROBLEMS_PER_FILE} values of the wrong shape; fix these first"
                        ),
                    ));
                    break None;
                }
            }
        }
    };
    for (position, message) in reading.notes {
        found.push(Diagnostic::at(file, position, message));
    }
    found.sort_by_location();
    diagnostics.extend(found);
    result
}

/// What the readings of one file have found so far.
#[derive(Default)]
struct Reading {
    /// Keys noted as unknown or repeated, once each.
    notes: Vec<(crate::located::Position, String)>,
    /// Mappings and lists whose entries or items were cut out.
    damaged: HashSet<usize>,
    /// (mapping, key) of each entry cut out.
    cut_entries: HashSet<(usize, String)>,
    /// Mappings with an unknown key.
    misspelt: HashSet<usize>,
    cuts: usize,
}

impl Reading {
    fn note(&mut self, notes: Vec<(crate::located::Position, String)>) {
        for note in notes {
            if !self.notes.contains(&note) {
                self.notes.push(note);
            }
        }
    }

    /// Whether `error` only follows from a problem already reported: a
    /// mapping missing the entry that was cut out or whose key was
    /// misspelt, or a list or mapping that no longer fits once emptied or
    /// once its misspelt key was left out.
    fn is_consequence(&self, error: &de::Error) -> bool {
        let Some(node) = error.node else {
            return false;
        };
        match error.missing_field {
            Some(field) => {
                self.misspelt.contains(&node)
                    || self.cut_entries.contains(&(node, field.to_string()))
            }
            None => self.damaged.contains(&node) || self.misspelt.contains(&node),
        }
    }

    /// Cuts the node `error` is about out of `root`; false when that
    /// cannot be done (the error is about the whole file).
    fn cut(&mut self, root: &mut Node, error: &de::Error) -> bool {
        let Some(node) = error.node else {
            return false;
        };
        self.cuts += 1;
        match root.remove(node) {
            Removed::Entry { parent, key } => {
                self.damaged.insert(parent);
                if let Some(key) = key {
                    self.cut_entries.insert((parent, key));
                }
                true
            }
            Removed::Item { parent } => {
                self.damaged.insert(parent);
                true
            }
            Removed::Root | Removed::NotFound => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::read;
    use crate::diagnostic::{Diagnostics, SourceFile};
    use crate::located::Located;

    fn source(text: &str) -> SourceFile {
        SourceFile::from_text("x.yaml", text)
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        name: Located<String>,
        #[serde(default)]
        count: Option<u16>,
        #[serde(default)]
        items: Vec<Item>,
        #[serde(default)]
        kind: Option<Kind>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Item {
        id: u32,
        #[serde(default)]
        flag: bool,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Plain,
        Sized(u8),
    }

    fn messages(text: &str) -> (Option<File>, Vec<String>) {
        let mut diagnostics = Diagnostics::default();
        let file = read::<File>(&source(text), &mut diagnostics);
        let messages = diagnostics
            .0
            .iter()
            .map(|d| format!("{}: {}", d.location, d.message))
            .collect();
        (file, messages)
    }

    #[test]
    fn a_file_that_fits_is_read_with_positions() {
        let (file, messages) = messages(
            "name: demo\ncount: 12\nitems:\n  - id: 1\n    flag: true\nkind: {sized: 4}\n",
        );
        assert!(messages.is_empty(), "{messages:?}");
        let file = file.unwrap_or_else(|| panic!("not read"));
        assert_eq!(file.name.value, "demo");
        assert_eq!((file.name.position.line, file.name.position.column), (1, 7));
        assert_eq!(file.count, Some(12));
        assert_eq!(file.items.len(), 1);
        assert_eq!(file.kind, Some(Kind::Sized(4)));
    }

    #[test]
    fn every_problem_of_every_kind_is_reported_in_one_reading() {
        let (file, messages) = messages(concat!(
            "name: demo\n",
            "cuont: 3\n",
            "count: 70000\n",
            "items:\n",
            "  - id: 1\n",
            "  - id: x\n",
            "  - id: 3\n",
            "    flag: yes\n",
            "  - id: 4\n",
            "    id: 5\n",
            "kind: huge\n",
        ));
        assert_eq!(
            messages,
            [
                "x.yaml:2:1: unknown field `cuont`, expected one of `name`, `count`, `items`, `kind`",
                "x.yaml:3:8: expected a whole number from 0 to 65535, found `70000`",
                "x.yaml:6:9: expected a whole number from 0 to 4294967295, found `x`",
                "x.yaml:8:11: expected `true` or `false`, found `yes`",
                "x.yaml:10:5: duplicate key `id` (first at x.yaml:9:5)",
                "x.yaml:11:7: unknown variant `huge`, expected one of `plain`, `sized`",
            ]
        );
        let file = file.unwrap_or_else(|| panic!("what remains is read"));
        let ids: Vec<(u32, bool)> = file.items.iter().map(|item| (item.id, item.flag)).collect();
        assert_eq!(ids, [(1, false), (3, false), (4, false)]);
        assert_eq!(file.count, None);
    }

    #[test]
    fn a_missing_field_is_reported_but_a_cut_one_is_not() {
        let (file, messages) = messages("items:\n  - flag: true\n  - id: -1\n");
        assert!(file.is_none());
        assert_eq!(
            messages,
            [
                "x.yaml:1:1: missing field `name`",
                "x.yaml:2:5: missing field `id`",
                "x.yaml:3:9: expected a whole number from 0 to 4294967295, found `-1`",
            ]
        );
    }

    #[test]
    fn scalars_read_as_text_as_written() {
        let (file, messages) = messages("name: 0x10\n");
        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!(file.map(|f| f.name.value), Some("0x10".to_string()));
    }
}
