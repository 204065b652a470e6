//! `crosscheck bogo import`: a shim file (`specs/shims/<name>.yaml`) from a
//! BoGo runner `-shim-config` JSON.
//!
//! The JSON is read with every key in order, repeats included (serde_json
//! with a visitor that keeps each key and where it is), and interpreted as
//! the upstream runner's Go `encoding/json` reads it: a repeated entry keeps
//! its last value, a repeated map section adds to the same map, field names
//! match case-insensitively, unknown keys are ignored. Each entry of
//! `DisabledTests`, `ErrorMap`, `TestErrorMap`, `TestLocalErrorMap`,
//! `HalfRTTTickets`, `MaxACKBuffer` and `AllCurves` is written with its
//! reason, in file order.
//!
//! What the JSON hid is returned as [`Note`]s and written as YAML comments
//! next to the entry: repeated keys (a JSON reader keeps the last value
//! silently), comment keys (`"#…"`, kept as comments: they are not tests),
//! globs that match no test of the upstream list (written with
//! `keep_unmatched`, so the file compiles), and entries a shim file cannot
//! hold (kept as comments). JSON the runner could not read at all is an
//! [`ImportError`] with its line and column.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

mod ordered_json;
mod yaml_text;

use go_glob::Pattern;

use self::ordered_json::{Member, Node, Position};
use crate::bogo::TestList;

/// An upstream test list the imported globs and test names are checked
/// against.
#[derive(Debug, Clone)]
pub struct UpstreamList {
    /// What the shim file names it by (`upstream_tests`): the file stem.
    pub id: String,
    /// Its test names.
    pub names: Vec<String>,
}

impl UpstreamList {
    /// The list `argument` names: a list id (`b28d2e8`, read from
    /// `root/specs/bogo/upstream-tests/b28d2e8.txt`) or the path of a list
    /// file (anything with a `/` or ending in `.txt`).
    pub fn resolve(argument: &str, root: &Path) -> Result<UpstreamList, ListError> {
        let is_path = argument.contains(std::path::MAIN_SEPARATOR)
            || argument.contains('/')
            || argument.ends_with(".txt");
        let path = if is_path {
            Path::new(argument).to_path_buf()
        } else {
            root.join("specs/bogo/upstream-tests")
                .join(format!("{argument}.txt"))
        };
        let id = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .filter(|stem| !stem.is_empty())
            .ok_or_else(|| ListError::NoList {
                argument: argument.to_string(),
            })?;
        let list = TestList::read(&path)?;
        Ok(UpstreamList {
            id,
            names: list.names,
        })
    }
}

/// Why the upstream list to import against cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("`{argument}` names no test list")]
    NoList { argument: String },
    #[error(transparent)]
    Read(#[from] crate::bogo::tests_diff::Error),
}

/// What to import a config as.
#[derive(Debug, Clone, Copy)]
pub struct ImportOptions<'a> {
    /// The shim's name (the shim file's stem), for its description.
    pub name: &'a str,
    /// The config as messages name it (e.g. the path given).
    pub source_path: &'a str,
    /// The config as the shim file names it (its file name).
    pub source_name: &'a str,
    /// The list written as `upstream_tests`.
    pub list: &'a UpstreamList,
    /// More names a shim file may refer to: crosscheck's own BoGo cases.
    pub extra_tests: &'a [&'a str],
}

/// The shim file, and what the JSON hid.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The YAML text, ending in a newline.
    pub yaml: String,
    /// By their place in the JSON.
    pub notes: Vec<Note>,
    /// Entries written, per section, in the order met.
    pub entries: Vec<(&'static str, usize)>,
}

impl Imported {
    /// How many notes are of `kind`.
    pub fn count(&self, kind: Hidden) -> usize {
        self.notes.iter().filter(|note| note.kind == kind).count()
    }

    /// One line saying what was imported and what the JSON hid.
    pub fn summary(&self, options: &ImportOptions<'_>) -> String {
        let entries: Vec<String> = self
            .entries
            .iter()
            .map(|(section, count)| format!("{section} {count}"))
            .collect();
        let hidden: Vec<String> = Hidden::ALL
            .iter()
            .map(|kind| (kind, self.count(*kind)))
            .filter(|(_, count)| *count > 0)
            .map(|(kind, count)| format!("{}: {count}", kind.describe(options)))
            .collect();
        let hidden = if hidden.is_empty() {
            "nothing to report".to_string()
        } else {
            hidden.join(", ")
        };
        let entries = if entries.is_empty() {
            "no entries".to_string()
        } else {
            entries.join(", ")
        };
        format!("imported {}: {entries}; {hidden}", options.source_path)
    }
}

/// What kind of thing a note reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hidden {
    /// A `"#…"` key: a comment, kept as a YAML comment.
    CommentKey,
    /// A key met again at the same level.
    RepeatedKey,
    /// A glob that matches no test of the list (kept with
    /// `keep_unmatched`).
    UnmatchedGlob,
    /// An entry a shim file cannot hold (kept as a comment).
    NotImported,
    /// An entry imported in another form than written.
    Changed,
    /// A key the runner does not read (kept as a comment).
    Ignored,
}

impl Hidden {
    const ALL: [Hidden; 6] = [
        Hidden::CommentKey,
        Hidden::RepeatedKey,
        Hidden::UnmatchedGlob,
        Hidden::NotImported,
        Hidden::Changed,
        Hidden::Ignored,
    ];

    fn describe(self, options: &ImportOptions<'_>) -> String {
        match self {
            Hidden::CommentKey => "comment keys (kept as comments)".to_string(),
            Hidden::RepeatedKey => "repeated keys".to_string(),
            Hidden::UnmatchedGlob => format!(
                "globs matching no test of {} (kept with keep_unmatched)",
                options.list.id
            ),
            Hidden::NotImported => "entries a shim file cannot hold (kept as comments)".to_string(),
            Hidden::Changed => "entries imported in another form".to_string(),
            Hidden::Ignored => "keys the runner ignores (kept as comments)".to_string(),
        }
    }
}

/// Something the JSON hid, at a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub kind: Hidden,
    /// The config, as messages name it.
    pub path: String,
    /// Where the key is: 1-based line and column.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.line, self.column, self.message
        )
    }
}

/// A config that cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Not JSON.
    #[error("{path}:{line}:{column}: malformed JSON: {message}")]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// JSON, but not a config the runner could read.
    #[error("{path}:{line}:{column}: {message}")]
    Shape {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
}

/// Reads and imports the config at `path`.
pub fn import_file(path: &Path, options: &ImportOptions<'_>) -> Result<Imported, ImportError> {
    let bytes = crate::input::read_file(path).map_err(|source| ImportError::Read {
        path: options.source_path.to_string(),
        source,
    })?;
    import(&bytes, options)
}

/// Imports the config `json`.
pub fn import(json: &[u8], options: &ImportOptions<'_>) -> Result<Imported, ImportError> {
    let root = ordered_json::parse(json).map_err(|error| ImportError::Syntax {
        path: options.source_path.to_string(),
        line: error.line,
        column: error.column,
        message: error.message,
    })?;
    let Node::Object(members) = &root else {
        return Err(shape_error(
            options,
            Position { line: 1, column: 1 },
            format!(
                "the config is {}, not an object of the runner's keys",
                root.kind()
            ),
        ));
    };
    let mut importer = Importer::new(options);
    for item in importer.top_level(members) {
        importer.top_item(&item)?;
    }
    Ok(importer.finish())
}

fn shape_error(options: &ImportOptions<'_>, at: Position, message: String) -> ImportError {
    ImportError::Shape {
        path: options.source_path.to_string(),
        line: at.line,
        column: at.column,
        message,
    }
}

/// The runner's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    DisabledTests,
    ErrorMap,
    TestErrorMap,
    TestLocalErrorMap,
    HalfRttTickets,
    MaxAckBuffer,
    AllCurves,
}

impl Section {
    const ALL: [Section; 7] = [
        Section::DisabledTests,
        Section::ErrorMap,
        Section::TestErrorMap,
        Section::TestLocalErrorMap,
        Section::HalfRttTickets,
        Section::MaxAckBuffer,
        Section::AllCurves,
    ];

    fn key(self) -> &'static str {
        match self {
            Section::DisabledTests => "DisabledTests",
            Section::ErrorMap => "ErrorMap",
            Section::TestErrorMap => "TestErrorMap",
            Section::TestLocalErrorMap => "TestLocalErrorMap",
            Section::HalfRttTickets => "HalfRTTTickets",
            Section::MaxAckBuffer => "MaxACKBuffer",
            Section::AllCurves => "AllCurves",
        }
    }

    /// The section Go's `encoding/json` fills from `key`: the exact name,
    /// else one that differs in case only.
    fn find(key: &str) -> Option<Section> {
        Section::ALL
            .into_iter()
            .find(|section| section.key() == key)
            .or_else(|| {
                Section::ALL
                    .into_iter()
                    .find(|section| section.key().eq_ignore_ascii_case(key))
            })
    }

    fn is_map(self) -> bool {
        matches!(
            self,
            Section::DisabledTests
                | Section::ErrorMap
                | Section::TestErrorMap
                | Section::TestLocalErrorMap
        )
    }
}

/// A top-level member, grouped.
enum TopItem<'n> {
    Comment(&'n Member),
    /// A section and every member that sets it, in order.
    Section(Section, Vec<&'n Member>),
    Unknown(&'n Member),
}

/// A map entry after repeats are folded: written where first met, with
/// the last value.
struct Folded<'n> {
    first: &'n Member,
    last: &'n Member,
    /// What each repeat of the key hid.
    repeats: Vec<String>,
}

enum MapItem<'n> {
    Comment(&'n Member),
    Entry(Folded<'n>),
}

/// What a repeat of `earlier`'s key in `member` hid.
fn repeated_entry(section: Section, earlier: &Member, member: &Member) -> String {
    let values = if earlier.value == member.value {
        "the same value".to_string()
    } else {
        format!(
            "line {} had {}",
            earlier.at.line,
            ordered_json::shorten(&earlier.value.to_json())
        )
    };
    format!(
        "`{}` in {} is set at lines {} and {} ({values}): the runner, like any JSON reader, keeps only the last value; imported with it",
        member.key,
        section.key(),
        earlier.at.line,
        member.at.line
    )
}

/// Keys starting with `#` hold comments, by convention.
fn is_comment_key(key: &str) -> bool {
    key.starts_with('#')
}

/// Walks the JSON, writing the YAML body and collecting notes.
struct Importer<'a> {
    options: &'a ImportOptions<'a>,
    known: HashSet<&'a str>,
    body: yaml_text::Lines,
    notes: Vec<Note>,
    entries: Vec<(&'static str, usize)>,
}

impl<'a> Importer<'a> {
    fn new(options: &'a ImportOptions<'a>) -> Importer<'a> {
        let known = options
            .list
            .names
            .iter()
            .map(String::as_str)
            .chain(options.extra_tests.iter().copied())
            .collect();
        Importer {
            options,
            known,
            body: yaml_text::Lines::default(),
            notes: Vec::new(),
            entries: Vec::new(),
        }
    }

    /// Records a note; `comment_indent` also writes it as a YAML comment.
    fn note(&mut self, kind: Hidden, at: Position, message: String, comment_indent: Option<usize>) {
        if let Some(indent) = comment_indent {
            self.body.wrapped_comment(indent, &message);
        }
        self.notes.push(Note {
            kind,
            path: self.options.source_path.to_string(),
            line: at.line,
            column: at.column,
            message,
        });
    }

    fn error(&self, at: Position, message: String) -> ImportError {
        shape_error(self.options, at, message)
    }

    /// Groups the top level: comments, each section once (with every
    /// member that sets it), unknown keys. Notes repeats and spellings.
    fn top_level<'n>(&mut self, members: &'n [Member]) -> Vec<TopItem<'n>> {
        let mut items: Vec<TopItem<'n>> = Vec::new();
        let mut comments = HashMap::new();
        for member in members {
            if is_comment_key(&member.key) {
                self.comment_key(member, &mut comments, "the top level");
                items.push(TopItem::Comment(member));
                continue;
            }
            let Some(section) = Section::find(&member.key) else {
                let message = format!(
                    "`{}` is not a key the runner reads (it ignores unknown keys); kept as a comment",
                    member.key
                );
                self.note(Hidden::Ignored, member.at, message, None);
                items.push(TopItem::Unknown(member));
                continue;
            };
            if member.key != section.key() {
                let message = format!(
                    "the runner reads `{}` as {} (Go's encoding/json matches field names case-insensitively); imported as {}",
                    member.key,
                    section.key(),
                    section.key()
                );
                self.note(Hidden::Changed, member.at, message, None);
            }
            let earlier = items.iter_mut().find_map(|item| match item {
                TopItem::Section(known, members) if *known == section => Some(members),
                _ => None,
            });
            match earlier {
                Some(members) => {
                    let first = members.first().map_or(member.at, |first| first.at);
                    members.push(member);
                    self.repeated_section(section, member.at, first);
                }
                None => items.push(TopItem::Section(section, vec![member])),
            }
        }
        items
    }

    fn repeated_section(&mut self, section: Section, at: Position, first: Position) {
        let how = if section.is_map() {
            "the runner adds its entries to the same map (Go's encoding/json), where other JSON readers keep only the last; imported merged, later values winning"
        } else {
            "the runner, like any JSON reader, keeps the last value; imported with it"
        };
        let message = format!(
            "{} is set again (first at line {}): {how}",
            section.key(),
            first.line
        );
        self.note(Hidden::RepeatedKey, at, message, None);
    }

    /// Notes a comment key, and its repeat of an earlier one at the same
    /// level (which JSON readers drop silently).
    fn comment_key(&mut self, member: &Member, seen: &mut HashMap<String, Position>, level: &str) {
        let message = format!(
            "comment key `{}` ({level}): not a test; kept as a YAML comment",
            member.key
        );
        self.note(Hidden::CommentKey, member.at, message, None);
        if let Some(first) = seen.get(&member.key) {
            let message = format!(
                "comment key `{}` repeats the one at line {} ({level}): a JSON reader keeps only the last; both are kept as YAML comments",
                member.key, first.line
            );
            self.note(Hidden::RepeatedKey, member.at, message, None);
        } else {
            seen.insert(member.key.clone(), member.at);
        }
    }

    fn top_item(&mut self, item: &TopItem<'_>) -> Result<(), ImportError> {
        match item {
            TopItem::Comment(member) => {
                self.comment_member(0, member);
                Ok(())
            }
            TopItem::Unknown(member) => {
                self.body.blank();
                self.commented_out(
                    0,
                    member,
                    "not a key the runner reads (it ignores unknown keys)",
                );
                Ok(())
            }
            TopItem::Section(section, members) => self.section(*section, members),
        }
    }

    /// A comment key's value as YAML comment lines.
    fn comment_member(&mut self, indent: usize, member: &Member) {
        if member.blank_line_before {
            self.body.blank();
        }
        let rule = member.key.chars().all(|c| c == '#');
        let text = match &member.value {
            Node::String(text) if text.is_empty() || (rule && text.chars().all(|c| c == '#')) => {
                member.key.clone()
            }
            Node::String(text) if rule => text.clone(),
            Node::String(text) => format!("{}: {text}", member.key),
            Node::Array(items) if items.iter().all(|item| matches!(item, Node::String(_))) => {
                let lines: Vec<&str> = items
                    .iter()
                    .filter_map(|item| match item {
                        Node::String(text) => Some(text.as_str()),
                        _ => None,
                    })
                    .collect();
                format!("{}:\n{}", member.key, lines.join("\n"))
            }
            other => format!("{}: {}", member.key, other.to_json()),
        };
        self.body.comment(indent, &text);
    }

    /// A member kept as a comment, as its JSON, after why.
    fn commented_out(&mut self, indent: usize, member: &Member, why: &str) {
        if member.blank_line_before {
            self.body.blank();
        }
        self.body
            .wrapped_comment(indent, &format!("not imported: {why}:"));
        let key = ordered_json::quote(&member.key);
        self.body
            .comment(indent, &format!("{key}: {}", member.value.to_json()));
    }

    fn section(&mut self, section: Section, members: &[&Member]) -> Result<(), ImportError> {
        let Some(first) = members.first() else {
            return Ok(());
        };
        self.body.blank();
        let live = self.live_members(section, members);
        if live.is_empty() {
            self.commented_out(0, first, "null: the runner reads it as absent");
            return Ok(());
        }
        if section.is_map() {
            if members.len() > 1 {
                let lines: Vec<String> = members.iter().map(|m| m.at.line.to_string()).collect();
                self.body.wrapped_comment(
                    0,
                    &format!(
                        "{} is set {} times in {} (lines {}); the runner merges them into one map, as here",
                        section.key(),
                        members.len(),
                        self.options.source_name,
                        lines.join(", ")
                    ),
                );
            }
            self.map_section(section, &live)
        } else {
            self.scalar_section(section, &live)
        }
    }

    /// The members whose values count: Go's `encoding/json` sets a map or
    /// slice to nil on `null` (dropping what came before) and leaves an
    /// int as it was.
    fn live_members<'n>(&mut self, section: Section, members: &[&'n Member]) -> Vec<&'n Member> {
        let mut live = Vec::new();
        for member in members {
            if !matches!(member.value, Node::Null) {
                live.push(*member);
                continue;
            }
            let effect = if matches!(section, Section::HalfRttTickets | Section::MaxAckBuffer) {
                "the runner ignores it"
            } else {
                live.clear();
                "the runner reads no entries before it"
            };
            let message = format!("{} is null: {effect}", section.key());
            self.note(Hidden::Ignored, member.at, message, None);
        }
        live
    }

    fn scalar_section(&mut self, section: Section, members: &[&Member]) -> Result<(), ImportError> {
        let Some((member, earlier)) = members.split_last() else {
            return Ok(());
        };
        if !earlier.is_empty() {
            let earlier: Vec<String> = earlier
                .iter()
                .map(|m| format!("line {}: {}", m.at.line, m.value.to_json()))
                .collect();
            self.body.wrapped_comment(
                0,
                &format!(
                    "{} is set {} times in {}; the runner keeps the last ({})",
                    section.key(),
                    members.len(),
                    self.options.source_name,
                    earlier.join("; ")
                ),
            );
        }
        match section {
            Section::AllCurves => self.all_curves(member),
            _ => self.count_value(section, member),
        }
    }

    /// `HalfRTTTickets` or `MaxACKBuffer`: an int to the runner, a `u32` in
    /// a shim file.
    fn count_value(&mut self, section: Section, member: &Member) -> Result<(), ImportError> {
        let value = self.integer(section.key(), member.at, &member.value)?;
        match u32::try_from(value) {
            Ok(value) => {
                self.body.line(0, &format!("{}: {value}", section.key()));
                self.entries.push((section.key(), 1));
            }
            Err(_) => {
                let message = format!(
                    "{} {value} does not fit a shim file (0 to {}); not imported",
                    section.key(),
                    u32::MAX
                );
                self.note(Hidden::NotImported, member.at, message, None);
                self.commented_out(0, member, "out of range");
            }
        }
        Ok(())
    }

    /// An integer as Go's `int` takes it; anything else stops the runner.
    fn integer(&self, what: &str, at: Position, node: &Node) -> Result<i128, ImportError> {
        match node {
            Node::Number(number) => number
                .as_i64()
                .map(i128::from)
                .or_else(|| number.as_u64().map(i128::from))
                .ok_or_else(|| {
                    self.error(
                        at,
                        format!("{what}: {number} is not an integer; the runner cannot read it"),
                    )
                }),
            other => Err(self.error(
                at,
                format!(
                    "{what}: expected an integer, found {}; the runner cannot read it",
                    other.kind()
                ),
            )),
        }
    }

    fn all_curves(&mut self, member: &Member) -> Result<(), ImportError> {
        let Node::Array(items) = &member.value else {
            return Err(self.error(
                member.at,
                format!(
                    "AllCurves: expected a list of curve code points, found {}",
                    member.value.kind()
                ),
            ));
        };
        let mut curves: Vec<u16> = Vec::new();
        for item in items {
            let value = self.integer("AllCurves", member.at, item)?;
            match u16::try_from(value) {
                Ok(curve) if curves.contains(&curve) => {
                    let message =
                        format!("curve {curve} is listed twice in AllCurves; imported once");
                    self.note(Hidden::Changed, member.at, message, Some(0));
                }
                Ok(curve) => curves.push(curve),
                Err(_) => {
                    let message = format!(
                        "AllCurves: {value} is not a curve code point (0 to 65535); left out"
                    );
                    self.note(Hidden::NotImported, member.at, message, Some(0));
                }
            }
        }
        let list: Vec<String> = curves.iter().map(u16::to_string).collect();
        self.body
            .line(0, &format!("AllCurves: [{}]", list.join(", ")));
        self.entries.push(("AllCurves", 1));
        Ok(())
    }

    fn map_section(&mut self, section: Section, members: &[&Member]) -> Result<(), ImportError> {
        let mut entries: Vec<&Member> = Vec::new();
        for member in members {
            let Node::Object(object) = &member.value else {
                return Err(self.error(
                    member.at,
                    format!(
                        "{}: expected an object, found {}; the runner cannot read it",
                        section.key(),
                        member.value.kind()
                    ),
                ));
            };
            entries.extend(object.iter());
        }
        let items = self.fold(section, &entries);
        let outer = std::mem::take(&mut self.body);
        let imported = self.map_items(section, &items);
        let inner = std::mem::replace(&mut self.body, outer);
        let imported = imported?;
        let header = if imported == 0 { " {}" } else { "" };
        self.body.line(0, &format!("{}:{header}", section.key()));
        self.body.extend(inner);
        self.entries.push((section.key(), imported));
        Ok(())
    }

    /// Writes a map section's items; how many entries were imported.
    fn map_items(&mut self, section: Section, items: &[MapItem<'_>]) -> Result<usize, ImportError> {
        let mut imported = 0;
        for item in items {
            match item {
                MapItem::Comment(member) => self.comment_member(2, member),
                MapItem::Entry(entry) => {
                    if entry.first.blank_line_before {
                        self.body.blank();
                    }
                    for repeat in &entry.repeats {
                        self.body.wrapped_comment(2, repeat);
                    }
                    if self.entry(section, entry.last)? {
                        imported += 1;
                    }
                }
            }
        }
        Ok(imported)
    }

    /// Folds repeated keys into their first place, noting each repeat.
    fn fold<'n>(&mut self, section: Section, members: &[&'n Member]) -> Vec<MapItem<'n>> {
        let mut items: Vec<MapItem<'n>> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut comments = HashMap::new();
        for member in members {
            if is_comment_key(&member.key) {
                self.comment_key(member, &mut comments, section.key());
                items.push(MapItem::Comment(member));
                continue;
            }
            let Some(&at) = index.get(member.key.as_str()) else {
                index.insert(&member.key, items.len());
                items.push(MapItem::Entry(Folded {
                    first: member,
                    last: member,
                    repeats: Vec::new(),
                }));
                continue;
            };
            if let Some(MapItem::Entry(entry)) = items.get_mut(at) {
                let message = repeated_entry(section, entry.last, member);
                entry.last = member;
                entry.repeats.push(message.clone());
                self.note(Hidden::RepeatedKey, member.at, message, None);
            }
        }
        items
    }

    /// Writes one entry; false when it is kept as a comment instead.
    fn entry(&mut self, section: Section, member: &Member) -> Result<bool, ImportError> {
        match section {
            Section::DisabledTests => self.disabled_test(member),
            Section::ErrorMap => self.error_mapping(member),
            Section::TestErrorMap => self.test_error(member, false),
            _ => self.test_error(member, true),
        }
    }

    fn string<'n>(
        &self,
        section: Section,
        member: &'n Member,
        what: &str,
    ) -> Result<&'n str, ImportError> {
        match &member.value {
            Node::String(text) => Ok(text),
            Node::Null => Ok(""),
            other => Err(self.error(
                member.at,
                format!(
                    "{} `{}`: expected a string ({what}), found {}; the runner cannot read it",
                    section.key(),
                    member.key,
                    other.kind()
                ),
            )),
        }
    }

    fn disabled_test(&mut self, member: &Member) -> Result<bool, ImportError> {
        let glob = member.key.as_str();
        let mut reason = self
            .string(Section::DisabledTests, member, "the reason")?
            .to_string();
        let pattern = match Pattern::new(glob) {
            Ok(pattern) => pattern,
            Err(error) => {
                let message = format!(
                    "glob `{glob}` is malformed ({error}), and the upstream runner stops on it; not imported"
                );
                self.note(Hidden::NotImported, member.at, message, None);
                self.commented_out(2, member, &format!("malformed glob ({error})"));
                return Ok(false);
            }
        };
        if reason.trim().is_empty() {
            let substitute = format!("no reason given in {}", self.options.source_name);
            let message = format!(
                "`{glob}` in DisabledTests has no reason, which a shim file needs; imported with reason \"{substitute}\""
            );
            self.note(Hidden::Changed, member.at, message, Some(2));
            reason = substitute;
        }
        let key = yaml_text::scalar(glob);
        if self.matches_a_test(&pattern) {
            self.body
                .line(2, &format!("{key}: {}", yaml_text::scalar(&reason)));
            return Ok(true);
        }
        let message = format!(
            "glob `{glob}` matches no test of upstream list {}; imported with keep_unmatched",
            self.options.list.id
        );
        self.note(Hidden::UnmatchedGlob, member.at, message, None);
        let why = format!(
            "no test of {} matches it; kept as in {}",
            self.options.list.id, self.options.source_name
        );
        self.body.line(2, &format!("{key}:"));
        self.body
            .line(4, &format!("reason: {}", yaml_text::scalar(&reason)));
        self.body
            .line(4, &format!("keep_unmatched: {}", yaml_text::scalar(&why)));
        Ok(true)
    }

    fn matches_a_test(&self, pattern: &Pattern) -> bool {
        self.known.iter().any(|name| pattern.matches(name))
    }

    fn error_mapping(&mut self, member: &Member) -> Result<bool, ImportError> {
        let expected = member.key.as_str();
        let errors: Vec<&str> = match &member.value {
            Node::String(error) => {
                let message = format!(
                    "`{expected}` in ErrorMap maps to a string (the 2024 runner's form); imported as a one-error list, as the upstream runner reads ErrorMap now"
                );
                self.note(Hidden::Changed, member.at, message, Some(2));
                vec![error.as_str()]
            }
            Node::Array(items) => self.error_list(member, items)?,
            Node::Null => Vec::new(),
            other => {
                return Err(self.error(
                    member.at,
                    format!(
                        "ErrorMap `{expected}`: expected a list of the shim's errors, found {}; the runner cannot read it",
                        other.kind()
                    ),
                ));
            }
        };
        let problem = if expected.trim().is_empty() {
            Some("an empty expected error")
        } else if errors.is_empty() {
            Some("no error (so no error text would do), where a shim file needs at least one")
        } else if errors.iter().any(|error| error.trim().is_empty()) {
            Some("an empty error (which any error text contains), which a shim file cannot hold")
        } else {
            None
        };
        if let Some(problem) = problem {
            let message = format!("`{expected}` in ErrorMap has {problem}; not imported");
            self.note(Hidden::NotImported, member.at, message, None);
            self.commented_out(2, member, problem);
            return Ok(false);
        }
        let list: Vec<String> = errors.iter().map(|e| yaml_text::flow_scalar(e)).collect();
        self.body.line(
            2,
            &format!("{}: [{}]", yaml_text::scalar(expected), list.join(", ")),
        );
        Ok(true)
    }

    fn error_list<'n>(
        &self,
        member: &Member,
        items: &'n [Node],
    ) -> Result<Vec<&'n str>, ImportError> {
        items
            .iter()
            .map(|item| match item {
                Node::String(text) => Ok(text.as_str()),
                other => Err(self.error(
                    member.at,
                    format!(
                        "ErrorMap `{}`: expected the shim's errors as strings, found {}; the runner cannot read it",
                        member.key,
                        other.kind()
                    ),
                )),
            })
            .collect()
    }

    /// A `TestErrorMap` (`empty_allowed` false) or `TestLocalErrorMap`
    /// entry: keyed by a test name, which a shim file checks.
    fn test_error(&mut self, member: &Member, empty_allowed: bool) -> Result<bool, ImportError> {
        let section = if empty_allowed {
            Section::TestLocalErrorMap
        } else {
            Section::TestErrorMap
        };
        let test = member.key.as_str();
        let error = self.string(section, member, "the error")?;
        let problem = if !self.known.contains(test) {
            Some(format!(
                "is not a test of upstream list {}, and a shim file takes test names only",
                self.options.list.id
            ))
        } else if !empty_allowed && error.trim().is_empty() {
            Some("has an empty error, which a shim file cannot hold".to_string())
        } else {
            None
        };
        if let Some(problem) = problem {
            let message = format!("`{test}` in {} {problem}; not imported", section.key());
            self.note(Hidden::NotImported, member.at, message, None);
            self.commented_out(2, member, &format!("the key {problem}"));
            return Ok(false);
        }
        self.body.line(
            2,
            &format!("{}: {}", yaml_text::scalar(test), yaml_text::scalar(error)),
        );
        Ok(true)
    }

    /// The YAML file: header, description and list, then the body.
    fn finish(mut self) -> Imported {
        let options = self.options;
        self.notes.sort_by_key(|note| (note.line, note.column));
        let mut out = yaml_text::Lines::default();
        out.line(
            0,
            "# yaml-language-server: $schema=../schema/bogo_shim.json",
        );
        out.comment(0, "");
        out.wrapped_comment(
            0,
            &format!(
                "Imported from {} (a BoGo runner -shim-config JSON) by `crosscheck bogo import`. Its comment keys are comments here; what the JSON hid (repeated keys, entries a shim file cannot hold) is noted where it was, and globs that match no test of the list below carry `keep_unmatched`.",
                options.source_name
            ),
        );
        out.blank();
        let description = format!(
            "The BoGo shim config of {}, imported from {}",
            options.name, options.source_name
        );
        out.line(
            0,
            &format!("description: {}", yaml_text::scalar(&description)),
        );
        out.line(
            0,
            &format!("upstream_tests: {}", yaml_text::scalar(&options.list.id)),
        );
        out.blank();
        out.extend(self.body);
        Imported {
            yaml: out.into_text(),
            notes: self.notes,
            entries: self.entries,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::ordered_json::{self, Node};
    use super::yaml_text::{flow_scalar, scalar};
    use super::{Hidden, ImportError, ImportOptions, UpstreamList, import};

    fn list() -> UpstreamList {
        UpstreamList {
            id: "test-list".to_string(),
            names: [
                "Basic-Client-TLS-Sync",
                "Basic-Server-TLS-Sync",
                "ALPN-Client",
            ]
            .map(str::to_string)
            .to_vec(),
        }
    }

    fn run(json: &str) -> Result<super::Imported, ImportError> {
        let list = list();
        let options = ImportOptions {
            name: "test",
            source_path: "dir/config.json",
            source_name: "config.json",
            list: &list,
            extra_tests: &["Own-Case"],
        };
        import(json.as_bytes(), &options)
    }

    #[test]
    fn scalars_read_back_as_the_same_strings() {
        let texts = [
            "*-TLS13",
            ":DECODE_ERROR:",
            "plain text, with commas [and] {braces}",
            "no: colon space",
            "ends with colon:",
            "trailing space ",
            " leading space",
            "has # hash",
            "true",
            "No",
            "null",
            "~",
            "0x1F",
            "1.5",
            "-5",
            ".inf",
            "<<",
            "&anchor",
            "!tag",
            "%directive",
            "@at",
            "`tick",
            "'single'",
            "\"double\"",
            "back\\slash",
            "tab\there",
            "line\nbreak",
            "cr\rlf",
            "nel\u{85}",
            "ls\u{2028}ps\u{2029}",
            "bom\u{feff}",
            "del\u{7f}",
            "bell\u{7}",
            "",
            "é and — and 🦀",
            "https://example.com/a#b",
            "We don't support SHA-1 in TLS 1.2 (without tlssha1=1)",
        ];
        for text in texts {
            let yaml = format!("key: {}\nlist: [{}]\n", scalar(text), flow_scalar(text));
            let parsed: BTreeMap<String, serde_json::Value> = serde_saphyr::from_str(&yaml)
                .unwrap_or_else(|error| panic!("{yaml:?} does not parse: {error}"));
            assert_eq!(parsed["key"], serde_json::json!(text), "{yaml}");
            assert_eq!(parsed["list"], serde_json::json!([text]), "{yaml}");
            let key_yaml = format!("{}: x\n", scalar(text));
            let parsed: BTreeMap<String, String> = serde_saphyr::from_str(&key_yaml)
                .unwrap_or_else(|error| panic!("{key_yaml:?} does not parse: {error}"));
            assert!(parsed.contains_key(text), "{key_yaml}");
        }
        assert_eq!(scalar("ALPN*SelectEmpty-*"), "ALPN*SelectEmpty-*");
        assert_eq!(scalar("*-TLS13"), "\"*-TLS13\"");
        assert_eq!(scalar(":DECODE_ERROR:"), "\":DECODE_ERROR:\"");
    }

    #[test]
    fn keys_are_located_and_repeats_kept() {
        let json = "{\n  \"a\": 1,\n\n  \"a\\\"\\\\\": [true, null],\n  \"a\": {}\n}";
        let Ok(Node::Object(members)) = ordered_json::parse(json.as_bytes()) else {
            panic!("parses");
        };
        let keys: Vec<(&str, String, bool)> = members
            .iter()
            .map(|m| (m.key.as_str(), m.at.to_string(), m.blank_line_before))
            .collect();
        assert_eq!(
            keys,
            [
                ("a", "2:3".to_string(), false),
                ("a\"\\", "4:3".to_string(), true),
                ("a", "5:3".to_string(), false),
            ]
        );
    }

    #[test]
    fn malformed_json_is_an_error_with_its_place() {
        for (json, place) in [
            ("{\"DisabledTests\": {\"a\": \"b\",}}", "1:29"),
            ("{\n  \"a\": 1\n  \"b\": 2\n}", "3:3"),
            ("{} extra", "1:4"),
            ("", "1:0"),
            (
                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
                "1:128",
            ),
        ] {
            let error = run(json).map(|_| ()).unwrap_err();
            assert!(
                matches!(error, ImportError::Syntax { .. }),
                "{json}: {error}"
            );
            let text = error.to_string();
            assert!(
                text.starts_with(&format!("dir/config.json:{place}: malformed JSON: ")),
                "{json}: {text}"
            );
        }
    }

    #[test]
    fn what_the_runner_cannot_read_is_an_error() {
        for (json, message) in [
            (
                "[]",
                "dir/config.json:1:1: the config is a list, not an object of the runner's keys",
            ),
            (
                "{\"DisabledTests\": []}",
                "dir/config.json:1:2: DisabledTests: expected an object, found a list; the runner cannot read it",
            ),
            (
                "{\"DisabledTests\": {\"x\": 1}}",
                "dir/config.json:1:20: DisabledTests `x`: expected a string (the reason), found a number; the runner cannot read it",
            ),
            (
                "{\"HalfRTTTickets\": 1.5}",
                "dir/config.json:1:2: HalfRTTTickets: 1.5 is not an integer; the runner cannot read it",
            ),
            (
                "{\"AllCurves\": [\"x\"]}",
                "dir/config.json:1:2: AllCurves: expected an integer, found a string; the runner cannot read it",
            ),
        ] {
            let error = run(json).map(|_| ()).unwrap_err();
            assert_eq!(error.to_string(), message);
        }
    }

    #[test]
    fn go_semantics_are_followed_and_noted() {
        let json = r#"{
  "disabledtests": {"Basic-*": "one"},
  "DisabledTests": {"ALPN-*": "two", "Basic-*": "three"},
  "HalfRTTTickets": 1,
  "HalfRTTTickets": null,
  "MaxACKBuffer": 4294967296,
  "AllCurves": [29, 29, 70000],
  "ErrorMap": {":A:": ":B:", ":C:": [], ":D:": [""]},
  "TestErrorMap": {"Nope": ":X:", "Basic-Client-TLS-Sync": ""},
  "TestLocalErrorMap": {"Own-Case": ""},
  "Other": 1
}"#;
        let imported = run(json).unwrap_or_else(|error| panic!("{error}"));
        let yaml = &imported.yaml;
        assert!(
            yaml.contains(
                "\n# DisabledTests is set 2 times in config.json (lines 2, 3); the runner merges\n\
                 # them into one map, as here\nDisabledTests:\n"
            ) && yaml.contains("\n  Basic-*: three\n  ALPN-*: two\n"),
            "{yaml}"
        );
        assert!(yaml.contains("\nHalfRTTTickets: 1\n"), "{yaml}");
        assert!(yaml.contains("\nAllCurves: [29]\n"), "{yaml}");
        assert!(yaml.contains("\n  \":A:\": [\":B:\"]\n"), "{yaml}");
        assert!(yaml.contains("\nTestErrorMap: {}\n"), "{yaml}");
        assert!(
            yaml.contains("\nTestLocalErrorMap:\n  Own-Case: \"\"\n"),
            "{yaml}"
        );
        assert!(
            yaml.ends_with("\n\n# not imported: not a key the runner reads (it ignores unknown keys):\n# \"Other\": 1\n"),
            "{yaml}"
        );
        assert_eq!(imported.count(Hidden::RepeatedKey), 3);
        assert_eq!(imported.count(Hidden::Changed), 3);
        assert_eq!(imported.count(Hidden::NotImported), 6);
        assert_eq!(imported.count(Hidden::Ignored), 2);
    }
}
