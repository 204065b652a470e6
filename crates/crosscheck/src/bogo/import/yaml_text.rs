//! YAML text: scalars quoted only where a plain scalar would be read as
//! something else, comments, indented lines.

/// Words a YAML 1.1 or 1.2 reader takes for null or a boolean.
const RESERVED: &[&str] = &[
    "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n",
];

/// `text` as a block-context YAML scalar: plain when that reads back as
/// the same string, else double-quoted.
pub fn scalar(text: &str) -> String {
    if is_plain_safe(text) {
        text.to_string()
    } else {
        double_quoted(text)
    }
}

/// `text` as an item of a flow sequence (`[a, b]`), where `,[]{}` also
/// end a plain scalar.
pub fn flow_scalar(text: &str) -> String {
    if is_plain_safe(text) && !text.contains([',', '[', ']', '{', '}']) {
        text.to_string()
    } else {
        double_quoted(text)
    }
}

/// Plain only when it starts with a letter, is no reserved word, has no
/// `: ` or ` #`, does not end in `:`, and every character is printable
/// and not a tab.
fn is_plain_safe(text: &str) -> bool {
    let starts_with_letter = text.starts_with(|c: char| c.is_ascii_alphabetic());
    starts_with_letter
        && !RESERVED.contains(&text.to_ascii_lowercase().as_str())
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.ends_with([':', ' '])
        && text.chars().all(|c| c != '\t' && is_printable(c))
}

/// YAML's printable set, less the characters some readers treat as
/// line breaks or a byte order mark.
fn is_printable(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// `"text"` with YAML's double-quoted escapes.
pub fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_printable(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04x}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// `text` for a comment line: non-printable characters as `\u{…}`.
fn comment_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c != '\t' && !is_printable(c) {
                format!("\\u{{{:x}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Lines of YAML.
#[derive(Debug, Default)]
pub struct Lines {
    lines: Vec<String>,
}

impl Lines {
    pub fn line(&mut self, indent: usize, text: &str) {
        self.lines.push(format!("{:indent$}{text}", ""));
    }

    /// `text` as comment lines (one per line of it).
    pub fn comment(&mut self, indent: usize, text: &str) {
        for line in text.split('\n') {
            let line = comment_text(line.trim_end_matches('\r'));
            if line.is_empty() {
                self.line(indent, "#");
            } else {
                self.line(indent, &format!("# {line}"));
            }
        }
    }

    /// `text` as comment lines of at most 78 columns where its words
    /// allow.
    pub fn wrapped_comment(&mut self, indent: usize, text: &str) {
        let width = 78usize.saturating_sub(indent + 2).max(20);
        let mut lines: Vec<String> = Vec::new();
        for word in text.split(' ') {
            match lines.last_mut() {
                Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                    line.push(' ');
                    line.push_str(word);
                }
                _ => lines.push(word.to_string()),
            }
        }
        self.comment(indent, &lines.join("\n"));
    }

    /// A blank line, unless the last line is one or there is none.
    pub fn blank(&mut self) {
        if self.lines.last().is_some_and(|line| !line.is_empty()) {
            self.lines.push(String::new());
        }
    }

    pub fn extend(&mut self, other: Lines) {
        self.lines.extend(other.lines);
    }

    /// The text, one line each, ending in a newline.
    pub fn into_text(mut self) -> String {
        while self.lines.last().is_some_and(String::is_empty) {
            self.lines.pop();
        }
        let mut text = self.lines.join("\n");
        text.push('\n');
        text
    }
}
