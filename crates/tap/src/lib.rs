//! TAP 14 (Test Anything Protocol) writer and parser.
//!
//! The writer produces spec-conformant output; the parser is lenient where
//! the spec allows it (TAP 13 streams, case-insensitive keywords, missing
//! test numbers, invalid YAML in diagnostics) and strict about structure
//! (plans, version placement), reporting errors with their line number.

use std::fmt;
use std::io::{self, Write};

use thiserror::Error;

/// Whether a test point passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    NotOk,
}

/// A `# SKIP` or `# TODO` directive with its (possibly empty) reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directive {
    Skip(String),
    Todo(String),
}

// ---------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------

/// Writes a TAP 14 document line by line to any [`Write`].
///
/// A writer for a subtest shares the parent's output and indents every line
/// by four more spaces; see [`Writer::subtest`].
pub struct Writer<W: Write> {
    out: W,
    indent: String,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            indent: String::new(),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    /// `TAP version 14`; subtests should not write it.
    pub fn version(&mut self) -> io::Result<()> {
        self.line("TAP version 14")
    }

    /// `1..count`
    pub fn plan(&mut self, count: u64) -> io::Result<()> {
        self.line(&format!("1..{count}"))
    }

    /// `1..0 # SKIP reason`: the whole document was skipped.
    pub fn skip_all(&mut self, reason: &str) -> io::Result<()> {
        self.line(&format!(
            "1..0{}",
            directive_suffix(&Directive::Skip(reason.into()))
        ))
    }

    /// `# text`, one comment line per line of `text`.
    pub fn comment(&mut self, text: &str) -> io::Result<()> {
        for line in text.lines() {
            if line.is_empty() {
                self.line("#")?;
            } else {
                self.line(&format!("# {line}"))?;
            }
        }
        if text.is_empty() {
            self.line("#")?;
        }
        Ok(())
    }

    pub fn ok(&mut self, number: u64, description: &str) -> io::Result<()> {
        self.test_point(Status::Ok, number, description, None)
    }

    pub fn not_ok(&mut self, number: u64, description: &str) -> io::Result<()> {
        self.test_point(Status::NotOk, number, description, None)
    }

    /// `ok N - description # DIRECTIVE reason`, escaping `#` and `\`.
    pub fn test_point(
        &mut self,
        status: Status,
        number: u64,
        description: &str,
        directive: Option<&Directive>,
    ) -> io::Result<()> {
        let mut line = match status {
            Status::Ok => format!("ok {number}"),
            Status::NotOk => format!("not ok {number}"),
        };
        if !description.is_empty() {
            line.push_str(" - ");
            line.push_str(&escape(description));
        }
        if let Some(directive) = directive {
            line.push_str(&directive_suffix(directive));
        }
        self.line(&line)
    }

    /// A YAML diagnostic block for the test point just written. Values are
    /// always written as YAML strings.
    pub fn diagnostics(&mut self, fields: &[(&str, &str)]) -> io::Result<()> {
        self.line("  ---")?;
        for (key, value) in fields {
            let key = yaml_key(key);
            match yaml_block_scalar(value) {
                Some((header, body)) => {
                    self.line(&format!("  {key}: {header}"))?;
                    for body_line in body {
                        if body_line.is_empty() {
                            self.line("")?;
                        } else {
                            self.line(&format!("    {body_line}"))?;
                        }
                    }
                }
                None => self.line(&format!("  {key}: {}", yaml_inline_scalar(value)))?,
            }
        }
        self.line("  ...")
    }

    /// `Bail out! reason`
    pub fn bail_out(&mut self, reason: &str) -> io::Result<()> {
        if reason.is_empty() {
            self.line("Bail out!")
        } else {
            self.line(&format!("Bail out! {}", escape(reason)))
        }
    }

    /// Writes `# Subtest: name` and returns a writer for the child document.
    /// After dropping it, write the correlated test point with the same
    /// description as `name`.
    pub fn subtest(&mut self, name: &str) -> io::Result<Writer<&mut W>> {
        self.subtest_comment(name)?;
        Ok(Writer {
            indent: format!("{}    ", self.indent),
            out: &mut self.out,
        })
    }

    /// Writes `# Subtest: name` followed by an already rendered child
    /// document (for example another program's TAP output), indented.
    pub fn embed_subtest(&mut self, name: &str, child_document: &str) -> io::Result<()> {
        self.subtest_comment(name)?;
        for line in child_document.lines() {
            if line.trim().is_empty() {
                self.line("")?;
            } else {
                self.line(&format!("    {line}"))?;
            }
        }
        Ok(())
    }

    fn subtest_comment(&mut self, name: &str) -> io::Result<()> {
        if name.is_empty() {
            self.line("# Subtest")
        } else {
            self.line(&format!("# Subtest: {}", single_line(name)))
        }
    }

    fn line(&mut self, text: &str) -> io::Result<()> {
        if text.is_empty() {
            writeln!(self.out)
        } else {
            writeln!(self.out, "{}{text}", self.indent)
        }
    }
}

fn directive_suffix(directive: &Directive) -> String {
    let (keyword, reason) = match directive {
        Directive::Skip(reason) => ("SKIP", reason),
        Directive::Todo(reason) => ("TODO", reason),
    };
    if reason.is_empty() {
        format!(" # {keyword}")
    } else {
        format!(" # {keyword} {}", escape(reason))
    }
}

/// Escapes `\` and `#` (the spec's only escapes) and folds line breaks,
/// which cannot appear inside a TAP line.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in single_line(text).chars() {
        if c == '\\' || c == '#' {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

fn single_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

fn yaml_key(key: &str) -> String {
    if is_plain_safe(key) {
        key.to_string()
    } else {
        yaml_double_quoted(key)
    }
}

fn yaml_inline_scalar(value: &str) -> String {
    if is_plain_safe(value) {
        value.to_string()
    } else {
        yaml_double_quoted(value)
    }
}

/// Multi-line values as a literal block scalar: the header (`|`, `|-`,
/// `|+`, with an indentation indicator when the content starts with spaces)
/// and the content lines, unindented. `None` when a block cannot represent
/// the value exactly.
fn yaml_block_scalar(value: &str) -> Option<(String, Vec<&str>)> {
    if !value.contains('\n') || value.chars().any(|c| needs_yaml_escape(c) && c != '\n') {
        return None;
    }
    let body = value.strip_suffix('\n').unwrap_or(value);
    let lines: Vec<&str> = body.split('\n').collect();
    let first_content = lines
        .iter()
        .position(|l| !l.trim_start_matches(' ').is_empty())?;
    let leading_spaces_line = lines[..first_content].iter().any(|l| !l.is_empty());
    let indicator = if lines[first_content].starts_with(' ') || leading_spaces_line {
        "2"
    } else {
        ""
    };
    let trailing_newlines = value.len() - value.trim_end_matches('\n').len();
    let chomping = match trailing_newlines {
        0 => "-",
        1 => "",
        _ => "+",
    };
    Some((format!("|{indicator}{chomping}"), lines))
}

fn needs_yaml_escape(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// Conservative: only text that any YAML 1.1/1.2 parser reads back as the
/// same string is left unquoted.
fn is_plain_safe(text: &str) -> bool {
    const RESERVED: [&str; 11] = [
        "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", "",
    ];
    let Some(first) = text.chars().next() else {
        return false;
    };
    (first.is_alphabetic() || first == '_' || first == '/')
        && text.trim() == text
        && !text.chars().any(|c| needs_yaml_escape(c) || c == '\t')
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.ends_with(':')
        && !RESERVED.contains(&text.to_ascii_lowercase().as_str())
}

fn yaml_double_quoted(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            c if needs_yaml_escape(c) => quoted.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

// ---------------------------------------------------------------------------
// Parsed document
// ---------------------------------------------------------------------------

/// A parsed TAP document. Every element keeps its 1-based line number in the
/// input, so the original order can be reconstructed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// 13 or 14; `None` when the version line is missing (allowed in subtests).
    pub version: Option<u32>,
    pub plan: Option<Plan>,
    pub test_points: Vec<TestPoint>,
    pub comments: Vec<SourceLine>,
    pub pragmas: Vec<Pragma>,
    pub bail_out: Option<BailOut>,
    /// Lines that are not TAP, and unterminated subtests.
    pub extra: Vec<SourceLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub line: usize,
    pub count: u64,
    /// Text after `#`, unescaped, without a leading `SKIP` keyword. For
    /// `1..0` this is why everything was skipped.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestPoint {
    pub line: usize,
    pub status: Status,
    /// The number given, or the next one counting from the previous point.
    pub number: u64,
    pub description: String,
    pub directive: Option<Directive>,
    pub diagnostics: Option<Diagnostics>,
    pub subtest: Option<Subtest>,
}

impl TestPoint {
    pub fn is_todo(&self) -> bool {
        matches!(self.directive, Some(Directive::Todo(_)))
    }

    pub fn is_skip(&self) -> bool {
        matches!(self.directive, Some(Directive::Skip(_)))
    }

    /// `not ok` that is neither TODO nor SKIP.
    pub fn is_failure(&self) -> bool {
        self.status == Status::NotOk && self.directive.is_none()
    }
}

/// A YAML diagnostic block, kept as text: its content is not required to be
/// valid YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    /// Line of the opening `---`.
    pub line: usize,
    /// Lines between `---` and `...`, without the block's indentation.
    pub lines: Vec<String>,
    /// The top-level `message:` value, if present (see [`Diagnostics::field`]).
    pub message: Option<String>,
}

impl Diagnostics {
    /// Best-effort value of a top-level `key:` as a string: quoted and block
    /// scalars are decoded; anything else is returned as written.
    pub fn field(&self, key: &str) -> Option<String> {
        yaml_field(&self.lines, key)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subtest {
    /// From `# Subtest: name`; `None` for bare subtests.
    pub name: Option<String>,
    pub document: Document,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLine {
    pub line: usize,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pragma {
    pub line: usize,
    pub key: String,
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BailOut {
    pub line: usize,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("TAP line {line}: {kind}")]
pub struct ParseError {
    pub line: usize,
    pub kind: ParseErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseErrorKind {
    #[error("plan `{0}` is not `1..N` with a number N")]
    InvalidPlan(String),
    #[error("second plan; the first is on line {first}")]
    DuplicatePlan { first: usize },
    #[error(
        "test point after the plan on line {plan}, which followed other test points; \
         the plan must come before all test points or after all of them"
    )]
    TestPointAfterPlan { plan: usize },
    #[error("the version line must be the first line of a document")]
    MisplacedVersion,
    #[error("unsupported TAP version `{0}`; expected 13 or 14")]
    UnsupportedVersion(String),
    #[error("test number `{0}` is too large")]
    TestNumberTooLarge(String),
    #[error("YAML diagnostic block opened on line {opened} is not closed with `...`")]
    UnclosedDiagnostics { opened: usize },
    #[error("subtests are nested more than {MAX_SUBTEST_DEPTH} levels deep")]
    NestedTooDeep,
}

/// Counts of a document's test points, and whether it passes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub planned: Option<u64>,
    pub count: usize,
    /// `ok` without a directive.
    pub passed: usize,
    /// Numbers of `not ok` points without TODO or SKIP.
    pub failed: Vec<u64>,
    pub todo: usize,
    pub skipped: usize,
    /// Test numbers outside `1..=planned`.
    pub outside_plan: Vec<u64>,
    /// Test numbers used more than once.
    pub duplicates: Vec<u64>,
    /// Here or in any subtest.
    pub bailed_out: bool,
}

impl Summary {
    pub fn is_passing(&self) -> bool {
        self.planned == Some(self.count as u64)
            && self.failed.is_empty()
            && self.outside_plan.is_empty()
            && self.duplicates.is_empty()
            && !self.bailed_out
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.planned {
            Some(planned) => write!(f, "{planned} planned, ")?,
            None => write!(f, "no plan, ")?,
        }
        write!(
            f,
            "{} run: {} passed, {} failed, {} todo, {} skipped",
            self.count,
            self.passed,
            self.failed.len(),
            self.todo,
            self.skipped
        )?;
        if !self.failed.is_empty() {
            write!(f, " (failed: {})", join_numbers(&self.failed))?;
        }
        if !self.outside_plan.is_empty() {
            write!(
                f,
                "; outside the plan: {}",
                join_numbers(&self.outside_plan)
            )?;
        }
        if !self.duplicates.is_empty() {
            write!(f, "; duplicate numbers: {}", join_numbers(&self.duplicates))?;
        }
        if self.bailed_out {
            write!(f, "; bailed out")?;
        }
        Ok(())
    }
}

fn join_numbers(numbers: &[u64]) -> String {
    numbers
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Document {
    pub fn summary(&self) -> Summary {
        let planned = self.plan.as_ref().map(|plan| plan.count);
        let mut summary = Summary {
            planned,
            count: self.test_points.len(),
            bailed_out: self.bailed_out(),
            ..Summary::default()
        };
        let mut seen = std::collections::HashSet::new();
        for point in &self.test_points {
            match (&point.directive, point.status) {
                (Some(Directive::Todo(_)), _) => summary.todo += 1,
                (Some(Directive::Skip(_)), _) => summary.skipped += 1,
                (None, Status::Ok) => summary.passed += 1,
                (None, Status::NotOk) => summary.failed.push(point.number),
            }
            if planned.is_some_and(|planned| point.number == 0 || point.number > planned) {
                summary.outside_plan.push(point.number);
            }
            if !seen.insert(point.number) && !summary.duplicates.contains(&point.number) {
                summary.duplicates.push(point.number);
            }
        }
        summary
    }

    /// A bail out here or in any subtest aborts the whole run.
    pub fn bailed_out(&self) -> bool {
        self.bail_out.is_some()
            || self
                .test_points
                .iter()
                .filter_map(|point| point.subtest.as_ref())
                .any(|subtest| subtest.document.bailed_out())
    }
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

const MAX_SUBTEST_DEPTH: usize = 32;
const SUBTEST_INDENT: &str = "    ";

/// Parses a whole TAP 13/14 document.
pub fn parse(input: &str) -> Result<Document, ParseError> {
    let lines: Vec<(usize, &str)> = input.lines().enumerate().map(|(i, l)| (i + 1, l)).collect();
    parse_lines(&lines, 0)
}

struct PendingSubtest<'a> {
    name: Option<String>,
    intro: Option<SourceLine>,
    lines: Vec<(usize, &'a str)>,
}

impl PendingSubtest<'_> {
    /// Unterminated subtests are not TAP.
    fn into_extra(self) -> impl Iterator<Item = SourceLine> {
        self.intro
            .into_iter()
            .chain(self.lines.into_iter().map(|(line, text)| SourceLine {
                line,
                text: format!("{SUBTEST_INDENT}{text}"),
            }))
    }
}

fn parse_lines<'a>(lines: &[(usize, &'a str)], depth: usize) -> Result<Document, ParseError> {
    let mut doc = Document::default();
    let mut seen_content = false;
    let mut next_number: u64 = 1;
    // Whether test points came before the plan, so none may follow it.
    let mut plan_after_points = false;
    let mut pending: Option<PendingSubtest<'a>> = None;
    // Index of the test point a YAML block would belong to.
    let mut diagnostics_target: Option<usize> = None;

    let mut index = 0;
    while index < lines.len() {
        let (line, text) = lines[index];
        index += 1;

        if text.trim().is_empty() {
            // Blank lines matter inside a child's YAML block scalars.
            if let Some(pending) = pending.as_mut() {
                pending.lines.push((line, ""));
            }
            continue;
        }
        if let Some(child_text) = text.strip_prefix(SUBTEST_INDENT) {
            pending
                .get_or_insert_with(|| PendingSubtest {
                    name: None,
                    intro: None,
                    lines: Vec::new(),
                })
                .lines
                .push((line, child_text));
            diagnostics_target = None;
            seen_content = true;
            continue;
        }
        if let Some(target) = diagnostics_target
            && text.trim_end() == "  ---"
        {
            let (diagnostics, next) = read_diagnostics(lines, index - 1)?;
            doc.test_points[target].diagnostics = Some(diagnostics);
            index = next;
            diagnostics_target = None;
            continue;
        }
        let first_line = !seen_content;
        seen_content = true;

        let trimmed = text.trim_start();
        if let Some(comment) = trimmed.strip_prefix('#') {
            if let Some(name) = subtest_name(text) {
                if let Some(unterminated) = pending.take() {
                    doc.extra.extend(unterminated.into_extra());
                }
                pending = Some(PendingSubtest {
                    name,
                    intro: Some(SourceLine {
                        line,
                        text: text.to_string(),
                    }),
                    lines: Vec::new(),
                });
                diagnostics_target = None;
            } else {
                let comment = comment.strip_prefix(' ').unwrap_or(comment);
                doc.comments.push(SourceLine {
                    line,
                    text: comment.to_string(),
                });
            }
            continue;
        }
        diagnostics_target = None;

        if let Some(version) = parse_version(text) {
            if !first_line {
                return Err(ParseError {
                    line,
                    kind: ParseErrorKind::MisplacedVersion,
                });
            }
            doc.version = Some(version.map_err(|kind| ParseError { line, kind })?);
        } else if looks_like_plan(text) {
            if let Some(first) = &doc.plan {
                return Err(ParseError {
                    line,
                    kind: ParseErrorKind::DuplicatePlan { first: first.line },
                });
            }
            let (count, reason) = parse_plan(text).map_err(|kind| ParseError { line, kind })?;
            plan_after_points = !doc.test_points.is_empty();
            doc.plan = Some(Plan {
                line,
                count,
                reason,
            });
        } else if let Some(point) = parse_test_point(text) {
            let point = point.map_err(|kind| ParseError { line, kind })?;
            if let Some(plan) = &doc.plan
                && plan_after_points
            {
                return Err(ParseError {
                    line,
                    kind: ParseErrorKind::TestPointAfterPlan { plan: plan.line },
                });
            }
            let number = point.number.unwrap_or(next_number);
            next_number = number.saturating_add(1);
            let subtest = match pending.take() {
                Some(pending) => Some(finish_subtest(pending, depth)?),
                None => None,
            };
            doc.test_points.push(TestPoint {
                line,
                status: point.status,
                number,
                description: point.description,
                directive: point.directive,
                diagnostics: None,
                subtest,
            });
            diagnostics_target = Some(doc.test_points.len() - 1);
        } else if let Some(reason) = parse_bail_out(text) {
            doc.bail_out = Some(BailOut { line, reason });
            doc.extra
                .extend(lines[index..].iter().map(|&(line, text)| SourceLine {
                    line,
                    text: text.to_string(),
                }));
            break;
        } else if let Some(pragma) = parse_pragma(text, line) {
            doc.pragmas.push(pragma);
        } else {
            doc.extra.push(SourceLine {
                line,
                text: text.to_string(),
            });
        }
    }
    if let Some(unterminated) = pending {
        doc.extra.extend(unterminated.into_extra());
    }
    Ok(doc)
}

fn finish_subtest(pending: PendingSubtest<'_>, depth: usize) -> Result<Subtest, ParseError> {
    if depth >= MAX_SUBTEST_DEPTH {
        let line = pending.lines.first().map_or(0, |&(line, _)| line);
        return Err(ParseError {
            line,
            kind: ParseErrorKind::NestedTooDeep,
        });
    }
    Ok(Subtest {
        name: pending.name,
        document: parse_lines(&pending.lines, depth + 1)?,
    })
}

/// `# Subtest` or `# Subtest: name` at this document's indentation.
fn subtest_name(text: &str) -> Option<Option<String>> {
    let rest = text.strip_prefix("# Subtest")?;
    if rest.trim().is_empty() {
        return Some(None);
    }
    let name = rest.strip_prefix(':')?.trim();
    Some((!name.is_empty()).then(|| name.to_string()))
}

/// Reads the block whose `---` is at `start`; returns it and the index of
/// the line after its `...`.
fn read_diagnostics(
    lines: &[(usize, &str)],
    start: usize,
) -> Result<(Diagnostics, usize), ParseError> {
    let opened = lines[start].0;
    let unclosed = |line| ParseError {
        line,
        kind: ParseErrorKind::UnclosedDiagnostics { opened },
    };
    let mut content = Vec::new();
    for (offset, &(line, text)) in lines[start + 1..].iter().enumerate() {
        if text.trim_end() == "  ..." {
            let message = yaml_field(&content, "message");
            let diagnostics = Diagnostics {
                line: opened,
                lines: content,
                message,
            };
            return Ok((diagnostics, start + offset + 2));
        }
        match text.strip_prefix("  ") {
            Some(yaml) => content.push(yaml.to_string()),
            None if text.trim().is_empty() => content.push(String::new()),
            // Some producers print multi-line messages without indenting
            // them; only TAP structure ends a block early.
            None if is_structural(text) => return Err(unclosed(line)),
            None => content.push(text.to_string()),
        }
    }
    Err(unclosed(lines.last().map_or(opened, |&(line, _)| line)))
}

/// Whether a line is TAP structure rather than text: a test point, plan,
/// version line, bail-out or subtest header.
fn is_structural(text: &str) -> bool {
    let word = |prefix: &str| {
        text.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
            && text[prefix.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
    };
    word("ok")
        || word("not ok")
        || word("bail out!")
        || looks_like_plan(text)
        || parse_version(text).is_some()
        || text.starts_with("# Subtest")
}

/// `Some` when the line is a version line; the inner result says whether
/// the version is supported.
fn parse_version(text: &str) -> Option<Result<u32, ParseErrorKind>> {
    let prefix = text.get(..11)?;
    let rest = text.get(11..)?;
    if !prefix.eq_ignore_ascii_case("tap version") || !rest.starts_with([' ', '\t']) {
        return None;
    }
    let version = rest.trim();
    Some(match version {
        "13" => Ok(13),
        "14" => Ok(14),
        other => Err(ParseErrorKind::UnsupportedVersion(other.to_string())),
    })
}

fn looks_like_plan(text: &str) -> bool {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && text[digits..].starts_with("..")
}

fn parse_plan(text: &str) -> Result<(u64, Option<String>), ParseErrorKind> {
    let invalid = || ParseErrorKind::InvalidPlan(text.to_string());
    let range_end = text
        .find(|c: char| c.is_whitespace() || c == '#')
        .unwrap_or(text.len());
    let (range, comment) = text.split_at(range_end);
    let (start, end) = range.split_once("..").ok_or_else(invalid)?;
    if start != "1" {
        return Err(invalid());
    }
    let count = end.parse::<u64>().map_err(|_| invalid())?;
    let comment = comment.trim();
    let reason = if comment.is_empty() {
        None
    } else {
        let reason = comment.strip_prefix('#').ok_or_else(invalid)?;
        Some(
            unescape(strip_skip_keyword(reason.trim()))
                .trim()
                .to_string(),
        )
    };
    Ok((count, reason))
}

fn strip_skip_keyword(reason: &str) -> &str {
    match reason.get(..4) {
        Some(keyword) if keyword.eq_ignore_ascii_case("skip") => {
            let rest = &reason[4..];
            let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            &rest[word_end..]
        }
        _ => reason,
    }
}

struct ParsedPoint {
    status: Status,
    number: Option<u64>,
    description: String,
    directive: Option<Directive>,
}

fn parse_test_point(text: &str) -> Option<Result<ParsedPoint, ParseErrorKind>> {
    let (status, rest) = if let Some(rest) = text.strip_prefix("not ok") {
        (Status::NotOk, rest)
    } else if let Some(rest) = text.strip_prefix("ok") {
        (Status::Ok, rest)
    } else {
        return None;
    };
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    let rest = rest.trim_start();
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let after_digits = &rest[digits..];
    let (number, rest) = if digits > 0
        && (after_digits.is_empty() || after_digits.starts_with(char::is_whitespace))
    {
        match rest[..digits].parse::<u64>() {
            Ok(number) => (Some(number), after_digits.trim_start()),
            Err(_) => {
                return Some(Err(ParseErrorKind::TestNumberTooLarge(
                    rest[..digits].to_string(),
                )));
            }
        }
    } else {
        (None, rest)
    };
    let rest = match rest.strip_prefix('-') {
        Some(after) if after.is_empty() || after.starts_with(char::is_whitespace) => {
            after.trim_start()
        }
        _ => rest,
    };
    let (description, directive) = split_directive(rest);
    Some(Ok(ParsedPoint {
        status,
        number,
        description,
        directive,
    }))
}

/// Splits `description # DIRECTIVE reason` at the first unescaped `#` that
/// starts the text or follows whitespace (or an escaped backslash, as in the
/// spec's examples). If that `#` does not introduce SKIP or TODO, the whole
/// text is the description.
fn split_directive(text: &str) -> (String, Option<Directive>) {
    let mut delimiter_allowed = true;
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&(_, next @ ('\\' | '#'))) => {
                    chars.next();
                    delimiter_allowed = next == '\\';
                }
                _ => delimiter_allowed = false,
            },
            '#' if delimiter_allowed => {
                return match parse_directive(&text[index + 1..]) {
                    Some(directive) => (unescape(text[..index].trim_end()), Some(directive)),
                    None => (unescape(text.trim_end()), None),
                };
            }
            c => delimiter_allowed = c.is_whitespace(),
        }
    }
    (unescape(text.trim_end()), None)
}

/// `SKIP\S*\s+reason` or `TODO\S*\s+reason`, case-insensitively.
fn parse_directive(after_hash: &str) -> Option<Directive> {
    let text = after_hash.trim_start();
    let keyword = text.get(..4)?;
    let rest = &text[4..];
    let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let reason = unescape(rest[word_end..].trim());
    if keyword.eq_ignore_ascii_case("skip") {
        Some(Directive::Skip(reason))
    } else if keyword.eq_ignore_ascii_case("todo") {
        Some(Directive::Todo(reason))
    } else {
        None
    }
}

/// `\\` is `\` and `\#` is `#`; any other backslash is literal.
fn unescape(text: &str) -> String {
    let mut result = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next @ ('\\' | '#')) = chars.peek()
        {
            chars.next();
            result.push(next);
        } else {
            result.push(c);
        }
    }
    result
}

fn parse_bail_out(text: &str) -> Option<String> {
    let keyword = text.get(..9)?;
    if !keyword.eq_ignore_ascii_case("bail out!") {
        return None;
    }
    Some(unescape(text[9..].trim()))
}

fn parse_pragma(text: &str, line: usize) -> Option<Pragma> {
    let rest = text.strip_prefix("pragma ")?.trim_end();
    let enabled = match rest.chars().next()? {
        '+' => true,
        '-' => false,
        _ => return None,
    };
    let key = &rest[1..];
    let valid_key = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    valid_key.then(|| Pragma {
        line,
        key: key.to_string(),
        enabled,
    })
}

// ---------------------------------------------------------------------------
// Best-effort YAML scalar extraction
// ---------------------------------------------------------------------------

/// The value of a top-level `key:` in YAML lines. Quoted and block scalars
/// are decoded; plain values, and anything that fails to decode, are
/// returned as written (continuation lines folded with spaces).
fn yaml_field(lines: &[String], key: &str) -> Option<String> {
    let position = lines.iter().position(|line| {
        line.strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    })?;
    let value = lines[position][key.len() + 1..].trim();
    let continuation: Vec<&str> = lines[position + 1..]
        .iter()
        .take_while(|line| line.is_empty() || line.starts_with([' ', '\t']))
        .map(String::as_str)
        .collect();

    if let Some(header) = value.strip_prefix(['|', '>']) {
        if let Some(block) = decode_block_scalar(value.starts_with('|'), header, &continuation) {
            return Some(block);
        }
    } else if value.starts_with('"') || value.starts_with('\'') {
        let quoted = fold_lines(value, &continuation);
        let decoded = if value.starts_with('"') {
            decode_double_quoted(&quoted)
        } else {
            decode_single_quoted(&quoted)
        };
        if let Some(decoded) = decoded {
            return Some(decoded);
        }
    }
    Some(fold_lines(value, &continuation))
}

/// Joins a value's first line with its continuation lines the way YAML folds
/// flow scalars: a line break becomes a space, an empty line a newline.
fn fold_lines(first: &str, continuation: &[&str]) -> String {
    let mut folded = first.to_string();
    let mut pending_newlines = 0;
    for line in continuation {
        let line = line.trim();
        if line.is_empty() {
            pending_newlines += 1;
            continue;
        }
        if pending_newlines > 0 {
            folded.push_str(&"\n".repeat(pending_newlines));
        } else if !folded.is_empty() {
            folded.push(' ');
        }
        pending_newlines = 0;
        folded.push_str(line);
    }
    folded
}

fn decode_block_scalar(literal: bool, header: &str, body: &[&str]) -> Option<String> {
    let header = header.split(" #").next().unwrap_or(header).trim();
    let mut explicit_indent = None;
    let mut chomping = None;
    for c in header.chars() {
        match c {
            '1'..='9' if explicit_indent.is_none() => explicit_indent = c.to_digit(10),
            '-' | '+' if chomping.is_none() => chomping = Some(c),
            _ => return None,
        }
    }
    let indent = match explicit_indent {
        Some(indent) => indent as usize,
        None => body
            .iter()
            .find(|line| !line.trim_start_matches(' ').is_empty())
            .map_or(0, |line| line.len() - line.trim_start_matches(' ').len()),
    };
    let mut content: Vec<&str> = body
        .iter()
        .map(|line| line.get(indent..).unwrap_or(""))
        .collect();
    while content.last().is_some_and(|line| line.is_empty()) {
        content.pop();
    }
    let trailing_empty = body.len() - content.len();
    let mut text = if literal {
        content.join("\n")
    } else {
        fold_block(&content)
    };
    match chomping {
        Some('-') => {}
        Some(_) => text.push_str(&"\n".repeat(trailing_empty + 1)),
        None if !content.is_empty() => text.push('\n'),
        None => {}
    }
    Some(text)
}

/// Folded (`>`) block content: lines joined with spaces, empty lines kept
/// as newlines, more-indented lines kept as they are.
fn fold_block(content: &[&str]) -> String {
    let folds = |line: &str| !line.starts_with([' ', '\t']);
    let mut text = String::new();
    let mut previous: Option<&str> = None;
    let mut empty_lines = 0;
    for line in content {
        if line.is_empty() {
            empty_lines += 1;
            continue;
        }
        match previous {
            None => text.push_str(&"\n".repeat(empty_lines)),
            Some(previous) if folds(previous) && folds(line) && empty_lines == 0 => text.push(' '),
            Some(previous) if folds(previous) && folds(line) => {
                text.push_str(&"\n".repeat(empty_lines))
            }
            Some(_) => text.push_str(&"\n".repeat(empty_lines + 1)),
        }
        text.push_str(line);
        previous = Some(line);
        empty_lines = 0;
    }
    text
}

fn decode_double_quoted(text: &str) -> Option<String> {
    let inner = text.strip_prefix('"')?;
    let mut decoded = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return chars.as_str().trim().is_empty().then_some(decoded),
            '\\' => {
                let escaped = match chars.next()? {
                    '0' => '\0',
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    't' | '\t' => '\t',
                    'n' => '\n',
                    'v' => '\u{b}',
                    'f' => '\u{c}',
                    'r' => '\r',
                    'e' => '\u{1b}',
                    ' ' => ' ',
                    '"' => '"',
                    '/' => '/',
                    '\\' => '\\',
                    'N' => '\u{85}',
                    '_' => '\u{a0}',
                    'L' => '\u{2028}',
                    'P' => '\u{2029}',
                    'x' => hex_char(&mut chars, 2)?,
                    'u' => hex_char(&mut chars, 4)?,
                    'U' => hex_char(&mut chars, 8)?,
                    _ => return None,
                };
                decoded.push(escaped);
            }
            c => decoded.push(c),
        }
    }
    None
}

fn hex_char(chars: &mut std::str::Chars<'_>, digits: usize) -> Option<char> {
    let hex: String = chars.by_ref().take(digits).collect();
    if hex.len() != digits {
        return None;
    }
    char::from_u32(u32::from_str_radix(&hex, 16).ok()?)
}

fn decode_single_quoted(text: &str) -> Option<String> {
    let inner = text.strip_prefix('\'')?;
    let mut decoded = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            if chars.peek() == Some(&'\'') {
                chars.next();
                decoded.push('\'');
            } else {
                return chars
                    .collect::<String>()
                    .trim()
                    .is_empty()
                    .then_some(decoded);
            }
        } else {
            decoded.push(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(build: impl FnOnce(&mut Writer<&mut Vec<u8>>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        let mut writer = Writer::new(&mut out);
        build(&mut writer).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn keeps_unindented_message_lines_inside_the_block() {
        let input = "TAP Version 14\n1..2\nnot ok 1 - x # TODO optional failing test\n  ---\n  message: Cannot verify proof:\n - nonce does not look like a timestamp\n  ...\nok 2 - y\n";
        let doc = parse(input).unwrap();
        let diagnostics = doc.test_points[0].diagnostics.as_ref().unwrap();
        assert_eq!(
            diagnostics.lines,
            [
                "message: Cannot verify proof:",
                " - nonce does not look like a timestamp"
            ]
        );
        assert_eq!(doc.test_points[1].description, "y");
    }

    #[test]
    fn parses_reference_tool_output() {
        let input = "TAP Version 14
1..3
# generator: @kineticcafe/app-identity 2.0.1 (@kineticcafe/app-identity-node, spec 4)
# runner: @kineticcafe/app-identity 2.0.1 (@kineticcafe/app-identity-node, spec 4)
ok 1 - App V1, Proof V1
not ok 2 - App V1, Proof V2 # TODO optional failing test
  ---
  message: nonce does not look like a timestamp: 20060102T150405Z
  ...
ok 3 - Proof V4 # SKIP unsupported spec version 4 < 5)
";
        let doc = parse(input).unwrap();
        assert_eq!(doc.version, Some(14));
        assert_eq!(doc.plan.as_ref().map(|p| p.count), Some(3));
        assert_eq!(doc.comments.len(), 2);
        assert_eq!(
            doc.comments[0].text,
            "generator: @kineticcafe/app-identity 2.0.1 (@kineticcafe/app-identity-node, spec 4)"
        );
        let points = &doc.test_points;
        assert_eq!(points.len(), 3);
        assert_eq!(points[0].status, Status::Ok);
        assert_eq!(points[0].description, "App V1, Proof V1");
        assert_eq!(points[0].directive, None);
        assert_eq!(points[1].status, Status::NotOk);
        assert_eq!(points[1].number, 2);
        assert_eq!(points[1].description, "App V1, Proof V2");
        assert_eq!(
            points[1].directive,
            Some(Directive::Todo("optional failing test".into()))
        );
        let diagnostics = points[1].diagnostics.as_ref().unwrap();
        assert_eq!(
            diagnostics.lines,
            ["message: nonce does not look like a timestamp: 20060102T150405Z"]
        );
        assert_eq!(
            diagnostics.message.as_deref(),
            Some("nonce does not look like a timestamp: 20060102T150405Z")
        );
        assert_eq!(points[2].description, "Proof V4");
        assert_eq!(
            points[2].directive,
            Some(Directive::Skip("unsupported spec version 4 < 5)".into()))
        );
        assert!(doc.extra.is_empty());

        let summary = doc.summary();
        assert_eq!(summary.planned, Some(3));
        assert_eq!(summary.count, 3);
        assert_eq!(summary.passed, 1);
        assert_eq!(summary.todo, 1);
        assert_eq!(summary.skipped, 1);
        assert!(summary.failed.is_empty());
        assert!(summary.is_passing(), "{summary}");
    }

    #[test]
    fn round_trips_writer_output() {
        let tricky = "hash # and back\\slash \\# mixed";
        let message = "line one\n  indented: with colon\n\nlast # not a comment";
        let text = write(|w| {
            w.version()?;
            w.plan(4)?;
            w.comment("hello\nworld")?;
            w.ok(1, tricky)?;
            w.test_point(
                Status::NotOk,
                2,
                "fails",
                Some(&Directive::Todo("later # maybe".into())),
            )?;
            w.diagnostics(&[("message", message), ("severity", "fail"), ("code", "42")])?;
            w.test_point(Status::Ok, 3, "", Some(&Directive::Skip(String::new())))?;
            w.not_ok(4, "broken")?;
            w.diagnostics(&[("message", "a: b")])
        });
        let doc = parse(&text).unwrap();
        assert_eq!(doc.version, Some(14));
        assert_eq!(doc.plan.as_ref().map(|p| p.count), Some(4));
        let comments: Vec<_> = doc.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(comments, ["hello", "world"]);
        let points = &doc.test_points;
        assert_eq!(points[0].description, tricky);
        assert_eq!(points[0].directive, None);
        assert_eq!(
            points[1].directive,
            Some(Directive::Todo("later # maybe".into()))
        );
        let diagnostics = points[1].diagnostics.as_ref().unwrap();
        assert_eq!(diagnostics.message.as_deref(), Some(message));
        assert_eq!(diagnostics.field("code").as_deref(), Some("42"));
        assert_eq!(points[2].description, "");
        assert_eq!(points[2].directive, Some(Directive::Skip(String::new())));
        assert_eq!(
            points[3].diagnostics.as_ref().unwrap().message.as_deref(),
            Some("a: b")
        );
        let summary = doc.summary();
        assert_eq!(summary.failed, [4]);
        assert!(!summary.is_passing());
    }

    #[test]
    fn diagnostics_are_valid_yaml_for_awkward_values() {
        let values = [
            "plain words",
            "",
            " leading space",
            "trailing space ",
            "true",
            "123",
            "-dash",
            "key: value",
            "ends with colon:",
            "quote \" and backslash \\",
            "tab\there",
            "control \u{1} \u{7f} \u{85}",
            "two\nlines",
            "trailing newline\n",
            "two trailing\n\n",
            "  indented first\nsecond",
            "\nleading blank",
            "   \nspaces-only first line",
            "carriage\r\nreturn",
            "...",
            "---",
            "unicode é ✓",
        ];
        for value in values {
            let text = write(|w| {
                w.ok(1, "x")?;
                w.diagnostics(&[("value", value), ("odd key: #", "v")])
            });
            let doc = parse(&text).unwrap();
            let diagnostics = doc.test_points[0].diagnostics.as_ref().unwrap();
            let yaml = diagnostics.lines.join("\n");
            let parsed: std::collections::BTreeMap<String, String> =
                serde_saphyr::from_str(&yaml).unwrap_or_else(|e| panic!("{value:?}: {e}\n{yaml}"));
            assert_eq!(parsed["value"], value, "{yaml}");
            assert_eq!(parsed["odd key: #"], "v", "{yaml}");
            assert_eq!(diagnostics.field("value").as_deref(), Some(value), "{yaml}");
        }
    }

    #[test]
    fn writes_exact_lines() {
        let text = write(|w| {
            w.version()?;
            w.skip_all("no # network")?;
            w.bail_out("stop \\ now")
        });
        assert_eq!(
            text,
            "TAP version 14\n1..0 # SKIP no \\# network\nBail out! stop \\\\ now\n"
        );
        let doc = parse(&text).unwrap();
        assert_eq!(doc.plan.unwrap().reason.as_deref(), Some("no # network"));
        assert_eq!(doc.bail_out.unwrap().reason, "stop \\ now");
    }

    #[test]
    fn writes_and_parses_subtests() {
        let text = write(|w| {
            w.version()?;
            w.plan(2)?;
            {
                let mut child = w.subtest("child")?;
                child.plan(2)?;
                child.not_ok(1, "inner")?;
                child.diagnostics(&[("message", "deep")])?;
                {
                    let mut grandchild = child.subtest("")?;
                    grandchild.ok(1, "deepest")?;
                    grandchild.plan(1)?;
                }
                child.ok(2, "")?;
            }
            w.not_ok(1, "child")?;
            w.embed_subtest("embedded", "TAP version 14\n1..1\nok 1 - fine\n")?;
            w.ok(2, "embedded")
        });
        assert!(text.contains("# Subtest: child\n    1..2\n    not ok 1 - inner\n      ---\n"));
        let doc = parse(&text).unwrap();
        assert_eq!(doc.test_points.len(), 2);
        let child = doc.test_points[0].subtest.as_ref().unwrap();
        assert_eq!(child.name.as_deref(), Some("child"));
        let inner = &child.document.test_points[0];
        assert_eq!(inner.description, "inner");
        assert_eq!(
            inner.diagnostics.as_ref().unwrap().message.as_deref(),
            Some("deep")
        );
        assert_eq!(child.document.extra, []);
        let embedded = doc.test_points[1].subtest.as_ref().unwrap();
        assert_eq!(embedded.document.version, Some(14));
        assert!(embedded.document.summary().is_passing());
        assert!(!child.document.summary().is_passing());
        let grandchild = child.document.test_points[1].subtest.as_ref().unwrap();
        assert_eq!(grandchild.name, None);
        assert_eq!(grandchild.document.test_points[0].description, "deepest");
        assert!(grandchild.document.summary().is_passing());
    }

    #[test]
    fn parses_spec_escaping_examples() {
        let cases = [
            (
                "ok 1 - hello # todo",
                "hello",
                Some(Directive::Todo("".into())),
            ),
            ("ok 2 - hello \\# todo", "hello # todo", None),
            (
                "ok 3 - hello # todo hash \\# character",
                "hello",
                Some(Directive::Todo("hash # character".into())),
            ),
            (
                "ok 4 - hello # todo hash # character",
                "hello",
                Some(Directive::Todo("hash # character".into())),
            ),
            (
                "ok 5 - hello \\\\# todo hash \\# character",
                "hello \\",
                Some(Directive::Todo("hash # character".into())),
            ),
            (
                "ok 7 - hello # description # todo",
                "hello # description # todo",
                None,
            ),
            (
                "ok 8 - hello \\\\\\\\\\\\\\# todo",
                "hello \\\\\\# todo",
                None,
            ),
            (
                "ok 9 # skip this test is skipped",
                "",
                Some(Directive::Skip("this test is skipped".into())),
            ),
            (
                "ok 10 not skipped: https://example.com/page.html#skip is a url",
                "not skipped: https://example.com/page.html#skip is a url",
                None,
            ),
            (
                "ok 11 - #SkIp case insensitive",
                "",
                Some(Directive::Skip("case insensitive".into())),
            ),
            (
                "ok 12 - works # Skipped: only on windows",
                "works",
                Some(Directive::Skip("only on windows".into())),
            ),
            ("ok 13 this is fine", "this is fine", None),
        ];
        for (line, description, directive) in cases {
            let doc = parse(line).unwrap();
            let point = &doc.test_points[0];
            assert_eq!(point.description, description, "{line}");
            assert_eq!(point.directive, directive, "{line}");
        }
    }

    #[test]
    fn assigns_missing_numbers_and_checks_plan_range() {
        let doc = parse("1..5\nnot ok\nok\nok 7\nok\nok 3\n").unwrap();
        let numbers: Vec<_> = doc.test_points.iter().map(|p| p.number).collect();
        assert_eq!(numbers, [1, 2, 7, 8, 3]);
        let summary = doc.summary();
        assert_eq!(summary.failed, [1]);
        assert_eq!(summary.outside_plan, [7, 8]);
        assert!(!summary.is_passing());

        let summary = parse("TAP version 13\nok 2\nok 3\nok 1\n1..3\n")
            .unwrap()
            .summary();
        assert!(summary.is_passing(), "{summary}");
        let summary = parse("1..2\nok 1\nok 1\n").unwrap().summary();
        assert_eq!(summary.duplicates, [1]);
        assert!(!summary.is_passing());
        assert!(!parse("ok 1\n").unwrap().summary().is_passing(), "no plan");
        assert!(!parse("1..2\nok 1\n").unwrap().summary().is_passing());
        assert!(
            !parse("1..1\nok 1\nBail out! db down\n")
                .unwrap()
                .summary()
                .is_passing()
        );
    }

    #[test]
    fn keeps_unknown_lines_pragmas_and_bail_out() {
        let doc = parse("TAP version 14\npragma +strict\nhello\n  ---\nBAIL OUT! \\# gone\nok 1\n")
            .unwrap();
        assert_eq!(doc.pragmas[0].key, "strict");
        assert!(doc.pragmas[0].enabled);
        let extra: Vec<_> = doc
            .extra
            .iter()
            .map(|l| (l.line, l.text.as_str()))
            .collect();
        assert_eq!(extra, [(3, "hello"), (4, "  ---"), (6, "ok 1")]);
        assert_eq!(doc.bail_out.unwrap().reason, "# gone");
        assert!(doc.test_points.is_empty());
    }

    #[test]
    fn bare_subtests_attach_to_the_next_test_point() {
        let doc = parse("TAP version 14\n        ok 1 - nested twice\n        1..1\n    ok 1 - nested parent\n    1..1\nok 1 - double nest passing\n1..1\n").unwrap();
        let child = &doc.test_points[0].subtest.as_ref().unwrap().document;
        let grandchild = &child.test_points[0].subtest.as_ref().unwrap().document;
        assert_eq!(grandchild.test_points[0].description, "nested twice");
        assert_eq!(grandchild.test_points[0].line, 2);
        assert!(doc.summary().is_passing());
    }

    #[test]
    fn reports_errors_with_line_numbers() {
        let cases = [
            (
                "TAP version 14\n1..abc\n",
                2,
                "plan `1..abc` is not `1..N` with a number N",
            ),
            (
                "1..2\nok 1\n1..2\n",
                3,
                "second plan; the first is on line 1",
            ),
            (
                "ok 1\n1..2\nok 2\n",
                3,
                "test point after the plan on line 2",
            ),
            (
                "ok 1\nTAP version 14\n",
                2,
                "version line must be the first line",
            ),
            ("TAP version 12\n", 1, "unsupported TAP version `12`"),
            ("ok 99999999999999999999999\n", 1, "too large"),
            (
                "1..1\nnot ok 1\n  ---\n  message: x\n",
                4,
                "block opened on line 3 is not closed",
            ),
            ("1..1\nnot ok 1\n  ---\nok 2\n", 4, "not closed"),
            (
                "1..1\nnot ok 1\n  ---\n  message: a\n - b\n",
                5,
                "not closed",
            ),
            ("5..8\n", 1, "plan `5..8`"),
            ("1..3 trailing\n", 1, "plan `1..3 trailing`"),
        ];
        for (input, line, message) in cases {
            let error = parse(input).unwrap_err();
            assert_eq!(error.line, line, "{input:?}: {error}");
            let text = error.to_string();
            assert!(text.starts_with(&format!("TAP line {line}: ")), "{text}");
            assert!(text.contains(message), "{input:?}: {text}");
        }
    }

    #[test]
    fn nasty_inputs_do_not_panic() {
        let deep = format!("{}ok 1\nok 1\n", " ".repeat(4 * 200));
        let mut inputs: Vec<String> = vec![
            String::new(),
            "\n\n\n".into(),
            "\r\n\r".into(),
            "ok".into(),
            "not ok".into(),
            "ok -".into(),
            "ok 1 -".into(),
            "ok 1 - #".into(),
            "ok 1 \\".into(),
            "ok 1 # ski".into(),
            "ok 1 # é".into(),
            "ok é\u{301}#\u{0}".into(),
            "1..".into(),
            "1..-1".into(),
            "1..18446744073709551616".into(),
            "Bail out!".into(),
            "bail out".into(),
            "TAP version".into(),
            "TAP versioné".into(),
            "pragma +".into(),
            "pragma ".into(),
            "# Subtest".into(),
            "# Subtest:".into(),
            "# Subtest: x\n    ok\n".into(),
            "ok 1\n  ---\n  message: \"unterminated\n  ...\n".into(),
            "ok 1\n  ---\n  message: |9\n  ...\n".into(),
            "ok 1\n  ---\n  message: \"\\u12\"\n  ...\n".into(),
            "ok 1\n  ---\n  message: '\n  ...\n".into(),
            "ok 1\n  ---\n  message: >-+\n  ...\n".into(),
            "    \n        \n".into(),
            "\u{feff}TAP version 14".into(),
            deep,
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200 {
            let bytes: Vec<u8> = (0..64)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    b"ok not#\\\n -.1  TAP version14|'\"\xff"[(seed % 32) as usize]
                })
                .collect();
            inputs.push(String::from_utf8_lossy(&bytes).into_owned());
        }
        for input in &inputs {
            if let Ok(doc) = parse(input) {
                let _ = doc.summary().to_string();
                for point in &doc.test_points {
                    if let Some(diagnostics) = &point.diagnostics {
                        let _ = diagnostics.field("message");
                    }
                }
            }
        }
        let nested: String = (0..=200)
            .rev()
            .map(|level| format!("{}ok 1\n", " ".repeat(4 * level)))
            .collect();
        let error = parse(&nested).unwrap_err();
        assert_eq!(error.kind, ParseErrorKind::NestedTooDeep);
    }

    #[test]
    fn decodes_quoted_and_block_messages() {
        let lines = |yaml: &str| yaml.lines().map(String::from).collect::<Vec<_>>();
        let cases = [
            ("message: 'it''s'", "it's"),
            ("message: \"tab\\there \\u00e9\"", "tab\there é"),
            ("message: |\n  one\n  two\n", "one\ntwo\n"),
            ("message: |-\n  one\n\n  two\nnext: x", "one\n\ntwo"),
            (
                "message: >\n  folded\n  text\n\n  para\n",
                "folded text\npara\n",
            ),
            ("message: plain\n  continued\nother: 1", "plain continued"),
            ("message: \"broken", "\"broken"),
        ];
        for (yaml, expected) in cases {
            assert_eq!(
                yaml_field(&lines(yaml), "message").as_deref(),
                Some(expected),
                "{yaml}"
            );
        }
        assert_eq!(yaml_field(&lines("messages: x"), "message"), None);
    }
}
