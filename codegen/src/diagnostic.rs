//! Spec errors with their file, line and column, rendered with a source snippet.

use std::fmt;
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

use crate::located::{Located, Position};

/// Problems found in one spec file, each reported at its location. The
/// families add their own value checks in `impl` blocks of their own.
pub struct FileChecks<'a> {
    pub source: &'a SourceFile,
    pub diagnostics: &'a mut Diagnostics,
}

impl<'a> FileChecks<'a> {
    pub fn new(source: &'a SourceFile, diagnostics: &'a mut Diagnostics) -> Self {
        FileChecks {
            source,
            diagnostics,
        }
    }

    pub fn error(&mut self, position: Position, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::at(self.source, position, message));
    }

    /// An error about the file as a whole.
    pub fn file_error(&mut self, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::without_position(
            &self.source.display_path,
            message,
        ));
    }

    pub fn extend(&mut self, diagnostics: Diagnostics) {
        self.diagnostics.extend(diagnostics);
    }

    /// `file:line:col` of `position`.
    pub fn locate(&self, position: Position) -> String {
        self.source.locate(position)
    }

    /// `value` as written; blank text is an error.
    pub fn text(&mut self, value: &Located<String>, what: &str) -> String {
        if value.trim().is_empty() {
            self.error(value.position, format!("{what} must not be empty"));
        }
        value.value.clone()
    }
}

/// A spec file's path as shown to users, and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as it should appear in messages (relative to the project when possible).
    pub display_path: String,
    pub absolute_path: PathBuf,
    pub text: String,
    /// Where each line of `text` starts, so a file with many problems
    /// finds each one's line without reading the text up to it.
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Reads `path`; `display_root` is stripped from the front of the shown path.
    pub fn read(path: &Path, display_root: &Path) -> Result<SourceFile, Diagnostic> {
        let display_path = path
            .strip_prefix(display_root)
            .unwrap_or(path)
            .display()
            .to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(SourceFile::new(display_path, path.to_path_buf(), text)),
            Err(error) => {
                let reason = match std::fs::read_link(path) {
                    Ok(target) if !path.exists() => format!(
                        "it is a symbolic link to {}, which does not exist",
                        target.display()
                    ),
                    _ => error.to_string(),
                };
                Err(Diagnostic::without_position(
                    &display_path,
                    format!("cannot read spec file: {reason}"),
                ))
            }
        }
    }

    /// A file that was never on disk (`display_path` names it in messages).
    pub fn from_text(display_path: &str, text: &str) -> SourceFile {
        SourceFile::new(
            display_path.to_string(),
            display_path.into(),
            text.to_string(),
        )
    }

    fn new(display_path: String, absolute_path: PathBuf, text: String) -> SourceFile {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(newline, _)| newline + 1))
            .collect();
        SourceFile {
            display_path,
            absolute_path,
            text,
            line_starts,
        }
    }

    /// Line `index` (from 0) as `str::lines` gives it.
    pub fn line(&self, index: usize) -> Option<&str> {
        self.text
            .get(*self.line_starts.get(index)?..)?
            .lines()
            .next()
    }

    /// `file:line:col` of a position in this file.
    pub fn locate(&self, position: Position) -> String {
        format!(
            "{}:{}:{}",
            self.display_path, position.line, position.column
        )
    }
}

/// One problem in a spec, already rendered for humans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// `file:line:col` (or just `file` when the position is unknown).
    pub location: String,
    /// Where in the file, when known.
    pub position: Option<Position>,
    pub message: String,
    /// The full report: header line plus snippet.
    pub rendered: String,
}

impl Diagnostic {
    pub fn at(file: &SourceFile, position: Position, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at_with_label(file, position, message, None)
    }

    pub fn at_with_label(
        file: &SourceFile,
        position: Position,
        message: impl Into<String>,
        label: Option<&str>,
    ) -> Diagnostic {
        let message = message.into();
        let location = file.locate(position);
        let snippet = render_snippet(file, position, &message, label);
        Diagnostic {
            rendered: format!("{location}: error: {message}\n{snippet}"),
            location,
            position: Some(position),
            message,
        }
    }

    pub fn without_position(display_path: &str, message: impl Into<String>) -> Diagnostic {
        let message = message.into();
        Diagnostic {
            rendered: format!("{display_path}: error: {message}"),
            location: display_path.to_string(),
            position: None,
            message,
        }
    }

    /// A YAML syntax or shape error from the parser, which knows its own position.
    pub fn from_yaml(file: &SourceFile, error: &serde_saphyr::Error) -> Diagnostic {
        let plain = error.without_snippet();
        let message = match plain {
            serde_saphyr::Error::Budget { breach, .. } => budget_message(breach),
            serde_saphyr::Error::MultipleDocuments { .. } => {
                "the file holds more than one YAML document (a `---` line after content); a spec file holds one"
                    .to_string()
            }
            _ => clean_parser_message(&plain.render_with_options(serde_saphyr::render_options! {
                snippets: serde_saphyr::SnippetMode::Off,
            })),
        };
        match error.location() {
            Some(location) if location.line() > 0 => {
                let position = Position {
                    line: location.line(),
                    column: location.column(),
                    offset: location.span().byte_offset(),
                };
                Diagnostic::at(file, position, message)
            }
            _ => Diagnostic::without_position(&file.display_path, message),
        }
    }
}

impl Diagnostic {
    /// (file, line, column), with (0, 0) for the file as a whole.
    fn sort_key(&self) -> (&str, u64, u64) {
        match self.position {
            Some(position) => {
                let suffix = format!(":{}:{}", position.line, position.column);
                let file = self
                    .location
                    .strip_suffix(&suffix)
                    .unwrap_or(&self.location);
                (file, position.line, position.column)
            }
            None => (&self.location, 0, 0),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rendered)
    }
}

/// Every problem found in one compilation, reported together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    /// Orders the problems by file, then line and column (problems about a
    /// whole file first), keeping the order of problems at one place.
    pub fn sort_by_location(&mut self) {
        self.0.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    /// `Ok(value)` when nothing was reported.
    pub fn into_result<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics(vec![diagnostic])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            writeln!(f, "{diagnostic}")?;
        }
        let count = self.0.len();
        write!(f, "{count} spec error{}", if count == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Diagnostics {}

/// A parser error's message as spec authors should read it. The parser
/// prefixes messages with "error: line L column C: " and ends some with
/// " at line L, column C", which the diagnostic header already says; its
/// advice on duplicate-key policies is for programs, not authors.
/// A breach of the parser's limits (which stop alias bombs and runaway
/// nesting) in words.
fn budget_message(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as Breach;
    match breach {
        Breach::Depth { .. } => format!(
            "the YAML nests lists and mappings more than {} levels deep, deeper than any spec needs",
            crate::yaml::tree::MAX_DEPTH
        ),
        Breach::Aliases { aliases } => format!("too many aliases (`*name`): {aliases}"),
        Breach::Anchors { anchors } => format!("too many anchors (`&name`): {anchors}"),
        Breach::AliasAnchorRatio { aliases, anchors } => format!(
            "{aliases} aliases (`*name`) for {anchors} anchors: aliases that expand this much look like an alias bomb"
        ),
        Breach::Nodes { nodes } => format!("too many values: {nodes}"),
        Breach::Events { events } => format!("the YAML is too large ({events} parser events)"),
        Breach::ScalarBytes { total_scalar_bytes } => {
            format!("too much text in values ({total_scalar_bytes} bytes)")
        }
        Breach::Documents { documents } => format!("too many YAML documents: {documents}"),
        Breach::MergeKeys { merge_keys } => format!("too many merge keys (`<<`): {merge_keys}"),
        Breach::InputBytes { input_bytes } => {
            format!("the file is too large ({input_bytes} bytes)")
        }
        other => format!("the YAML exceeds a limit of the parser: {other:?}"),
    }
}

fn clean_parser_message(message: &str) -> String {
    let message = message.trim();
    let message = message.strip_prefix("error: ").unwrap_or(message);
    let message = match message.strip_prefix("line ") {
        Some(rest) if rest.contains(" column ") => {
            rest.split_once(": ").map_or(message, |(_, tail)| tail)
        }
        _ => message,
    };
    let message = strip_position_suffix(message);
    // Advice meant for programs embedding the parser, not for spec authors.
    let message = message
        .strip_suffix(", set DuplicateKeyPolicy in Options if acceptable")
        .unwrap_or(message);
    message.to_string()
}

/// `message` without a trailing " at line L, column C".
fn strip_position_suffix(message: &str) -> &str {
    let Some((head, tail)) = message.rsplit_once(" at line ") else {
        return message;
    };
    let is_position = tail.split_once(", column ").is_some_and(|(line, column)| {
        [line, column]
            .iter()
            .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    });
    if is_position { head } else { message }
}

/// Length of the YAML token at the start of `rest`: a quoted scalar up to
/// its closing quote, else up to a comment, a key's `: `, a flow separator
/// or the line end.
fn token_len(rest: &str) -> usize {
    let len = match rest.chars().next() {
        Some(quote @ ('\'' | '"')) => rest[1..].find(quote).map_or(rest.len(), |close| close + 2),
        _ => [rest.find(" #"), rest.find(": "), rest.find([',', ']', '}'])]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(rest.len()),
    };
    rest[..len].trim_end().len().max(1)
}

fn render_snippet(
    file: &SourceFile,
    position: Position,
    message: &str,
    label: Option<&str>,
) -> String {
    let Some(line_index) = usize::try_from(position.line)
        .ok()
        .and_then(|l| l.checked_sub(1))
    else {
        return String::new();
    };
    let Some(line_text) = file.line(line_index) else {
        return String::new();
    };
    let column = usize::try_from(position.column.saturating_sub(1)).unwrap_or(0);
    let start = line_text
        .char_indices()
        .nth(column)
        .map_or(line_text.len(), |(byte, _)| byte);
    let end = (start + token_len(&line_text[start..])).min(line_text.len());
    let label = label.unwrap_or(message);
    let report = [Level::ERROR.primary_title(message).element(
        Snippet::source(line_text)
            .line_start(line_index + 1)
            .path(file.display_path.as_str())
            .annotation(AnnotationKind::Primary.span(start..end).label(label)),
    )];
    let rendered = Renderer::plain().render(&report).to_string();
    // The renderer repeats the title; keep only the source part.
    rendered.lines().skip(1).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::{Diagnostic, Diagnostics, SourceFile, clean_parser_message};
    use crate::located::Position;

    #[test]
    fn problems_sort_by_file_then_position() {
        let file = |name: &str| SourceFile::from_text(name, "a: 1\nb: 2\n");
        let at = |line, column| Position {
            line,
            column,
            offset: None,
        };
        let (a, b) = (file("a.yaml"), file("b.yaml"));
        let mut diagnostics = Diagnostics(vec![
            Diagnostic::at(&b, at(1, 1), "b1"),
            Diagnostic::at(&a, at(2, 4), "a2"),
            Diagnostic::without_position("a.yaml", "a"),
            Diagnostic::at(&a, at(1, 4), "a1"),
        ]);
        diagnostics.sort_by_location();
        let order: Vec<&str> = diagnostics.0.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(order, ["a", "a1", "a2", "b1"]);
    }

    #[test]
    fn lines_are_found_as_str_lines_finds_them() {
        for text in ["", "a", "a\n", "a\n\n", "a\r\nb\r", "\nb\r\n\r\nc", "é\nü"] {
            let file = SourceFile::from_text("x.yaml", text);
            let found: Vec<Option<&str>> = (0..5).map(|index| file.line(index)).collect();
            let lines: Vec<Option<&str>> = (0..5).map(|index| text.lines().nth(index)).collect();
            assert_eq!(found, lines, "{text:?}");
        }
    }

    #[test]
    fn snippets_underline_one_token() {
        assert_eq!(super::token_len("VersionToLow: \":INCOMPATIBLE:\""), 12);
        assert_eq!(super::token_len("\"*-TLS1\": old"), 8);
        assert_eq!(super::token_len("ring, aws]"), 4);
        assert_eq!(super::token_len("value # note"), 5);
    }

    /// The message `crate::yaml::tree::parse` gives for `text`.
    fn parse_error(text: &str) -> String {
        let file = SourceFile::from_text("spec.yaml", text);
        crate::yaml::tree::parse(&file)
            .err()
            .map(|diagnostic| diagnostic.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn parser_limits_and_several_documents_are_said_in_words() {
        let deep: String = (0..100)
            .map(|level| format!("{}a:\n", "  ".repeat(level)))
            .collect();
        let message = parse_error(&deep);
        assert!(
            message.starts_with("spec.yaml:25:")
                && message.contains(": the YAML nests lists and mappings more than 24 levels deep"),
            "{message}"
        );
        let message = parse_error("a: 1\n---\nb: 2\n");
        assert!(
            message.contains(
                "the file holds more than one YAML document (a `---` line after content); a spec file holds one"
            ),
            "{message}"
        );
        for message in [parse_error(&deep), parse_error("a: 1\n---\nb: 2\n")] {
            assert!(!message.contains("from_str_multiple"), "{message}");
            assert!(!message.contains("Depth {"), "{message}");
        }
    }

    #[test]
    fn parser_positions_are_stripped_from_messages() {
        assert_eq!(
            clean_parser_message("error: line 2 column 17: invalid u32 at line 2, column 17"),
            "invalid u32"
        );
        assert_eq!(
            clean_parser_message("unknown field `x` at line one"),
            "unknown field `x` at line one"
        );
    }
}
