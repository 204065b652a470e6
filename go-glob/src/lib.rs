//! Glob patterns with the semantics of Go's `path/filepath.Match` on Unix,
//! which BoringSSL's BoGo runner applies to whole test names (`-test`,
//! `-skip` and the shim config's `DisabledTests`).
//!
//! - `*` matches any run of characters other than `/`;
//! - `?` matches one character other than `/`;
//! - `[abc]`, `[a-z]`, `[^a-z]` match one character in (or, with `^`, not
//!   in) the class; `-`, `]` and `\` inside a class must be escaped with `\`;
//! - `\c` matches `c` literally;
//! - every other character matches itself.
//!
//! Patterns are checked when they are built: where Go's `Match` returns
//! `ErrBadPattern`, [`Pattern::new`] returns a [`PatternError`] saying what
//! is wrong. Matching itself follows Go's algorithm: each `*` takes the
//! shortest run after which the rest of its chunk matches.

use std::fmt;

/// What makes a pattern malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// A `\` with nothing after it.
    #[error("it ends with a lone `\\`")]
    TrailingBackslash,
    /// A `[` without its `]`.
    #[error("a `[` class is not closed with `]`")]
    UnclosedClass,
    /// `[]` or `[^]`: a class needs at least one character or range.
    #[error("a `[` class is empty (write `\\]` for a literal `]`)")]
    EmptyClass,
    /// An unescaped `-` or `]` where a class expects a character, as in
    /// `[-a]`, `[a-]` or `[a-b-c]`.
    #[error("a `[` class has a `-` or `]` where a character belongs (escape it with `\\`)")]
    MisplacedRangeCharacter,
}

/// A checked pattern, ready to match many names.
#[derive(Clone, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    /// The pattern split at its stars: each chunk is the (possibly empty)
    /// run of single-character tokens after zero or more `*`.
    chunks: Vec<Chunk>,
    /// Literal text every match starts with, and ends with: a name
    /// without them is rejected before the chunks are tried.
    prefix: String,
    suffix: String,
    /// Every run of literal characters, in pattern order: text each match
    /// contains.
    literals: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Chunk {
    /// Whether one or more `*` come before the tokens.
    star: bool,
    tokens: Vec<Token>,
}

/// Something that matches exactly one character.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    /// `?`: any character but `/`.
    Any,
    Class {
        negated: bool,
        /// Inclusive ranges; a single character `c` is `(c, c)`.
        ranges: Vec<(char, char)>,
    },
}

impl Token {
    fn matches(&self, c: char) -> bool {
        match self {
            Token::Literal(literal) => *literal == c,
            Token::Any => c != SEPARATOR,
            Token::Class { negated, ranges } => {
                ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
            }
        }
    }
}

const SEPARATOR: char = '/';

impl Pattern {
    /// Checks and compiles `text`.
    pub fn new(text: &str) -> Result<Pattern, PatternError> {
        let mut chunks = Vec::new();
        let mut chunk = Chunk {
            star: false,
            tokens: Vec::new(),
        };
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            let token = match c {
                '*' => {
                    if !chunk.tokens.is_empty() {
                        chunks.push(std::mem::replace(
                            &mut chunk,
                            Chunk {
                                star: true,
                                tokens: Vec::new(),
                            },
                        ));
                    }
                    chunk.star = true;
                    continue;
                }
                '?' => Token::Any,
                '\\' => Token::Literal(chars.next().ok_or(PatternError::TrailingBackslash)?),
                '[' => class(&mut chars)?,
                other => Token::Literal(other),
            };
            chunk.tokens.push(token);
        }
        if chunk.star || !chunk.tokens.is_empty() || chunks.is_empty() {
            chunks.push(chunk);
        }
        let prefix = match chunks.first() {
            Some(chunk) if !chunk.star => literal_run(chunk.tokens.iter()),
            _ => String::new(),
        };
        // The last chunk matches the very end of a name (a lone trailing
        // star has no tokens, so no suffix).
        let suffix = match chunks.last() {
            Some(chunk) => {
                let mut suffix: Vec<char> =
                    literal_run(chunk.tokens.iter().rev()).chars().collect();
                suffix.reverse();
                suffix.into_iter().collect()
            }
            None => String::new(),
        };
        let literals = chunks
            .iter()
            .flat_map(|chunk| {
                chunk
                    .tokens
                    .split(|token| !matches!(token, Token::Literal(_)))
                    .filter(|run| !run.is_empty())
                    .map(|run| literal_run(run.iter()))
            })
            .collect();
        Ok(Pattern {
            text: text.to_string(),
            chunks,
            prefix,
            suffix,
            literals,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The literal text every matching name starts with (empty when the
    /// pattern starts with a wildcard), for narrowing a sorted list of
    /// names before matching.
    pub fn literal_prefix(&self) -> &str {
        &self.prefix
    }

    /// The literal text every matching name ends with (empty when the
    /// pattern ends with a wildcard).
    pub fn literal_suffix(&self) -> &str {
        &self.suffix
    }

    /// The runs of literal text every matching name contains, in pattern
    /// order (the literal prefix and suffix among them), for narrowing
    /// names by their substrings before matching.
    pub fn literals(&self) -> &[String] {
        &self.literals
    }

    /// Whether the whole of `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        // Empty ends are not compared: an empty `String` hands memcmp its
        // dangling pointer, which glibc's AVX-512 memcmp reads with a
        // masked load that faults and is replayed (~150 ns, twenty times
        // the rest of a rejection), and most patterns have an empty end.
        if (!self.prefix.is_empty() && !name.starts_with(&self.prefix))
            || (!self.suffix.is_empty() && !name.ends_with(&self.suffix))
        {
            return false;
        }
        let mut rest = name;
        let count = self.chunks.len();
        'chunks: for (index, chunk) in self.chunks.iter().enumerate() {
            let last = index + 1 == count;
            if chunk.star && chunk.tokens.is_empty() {
                // A trailing star takes whatever is left, up to a separator.
                return !rest.contains(SEPARATOR);
            }
            if let Some(after) = match_tokens(&chunk.tokens, rest)
                && (after.is_empty() || !last)
            {
                rest = after;
                continue;
            }
            if chunk.star {
                for (offset, c) in rest.char_indices() {
                    if c == SEPARATOR {
                        break;
                    }
                    let Some(after) = match_tokens(&chunk.tokens, &rest[offset + c.len_utf8()..])
                    else {
                        continue;
                    };
                    if last && !after.is_empty() {
                        continue;
                    }
                    rest = after;
                    continue 'chunks;
                }
            }
            return false;
        }
        rest.is_empty()
    }
}

/// The characters of the leading literal tokens.
fn literal_run<'a>(tokens: impl Iterator<Item = &'a Token>) -> String {
    tokens
        .map_while(|token| match token {
            Token::Literal(c) => Some(*c),
            Token::Any | Token::Class { .. } => None,
        })
        .collect()
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.text).finish()
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Go's `filepath.Match(pattern, name)`.
pub fn matches(pattern: &str, name: &str) -> Result<bool, PatternError> {
    Pattern::new(pattern).map(|pattern| pattern.matches(name))
}

/// Whether `text` uses any glob syntax (else it matches only itself).
pub fn has_wildcards(text: &str) -> bool {
    text.contains(['*', '?', '[', '\\'])
}

/// The rest of `name` after `tokens` matched its start, one character each.
fn match_tokens<'a>(tokens: &[Token], name: &'a str) -> Option<&'a str> {
    let mut chars = name.char_indices();
    for token in tokens {
        let (_, c) = chars.next()?;
        if !token.matches(c) {
            return None;
        }
    }
    Some(chars.as_str())
}

/// The class after its `[`, up to and including the `]`.
fn class(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<Token, PatternError> {
    let negated = chars.next_if_eq(&'^').is_some();
    let mut ranges = Vec::new();
    loop {
        match chars.peek() {
            None => return Err(PatternError::UnclosedClass),
            Some(']') if !ranges.is_empty() => {
                chars.next();
                return Ok(Token::Class { negated, ranges });
            }
            Some(']') => {
                // `[]` is an empty class unless the class goes on, as in `[]a]`,
                // which Go rejects too (a leading `]` must be escaped).
                chars.next();
                return Err(if chars.any(|c| c == ']') {
                    PatternError::MisplacedRangeCharacter
                } else {
                    PatternError::EmptyClass
                });
            }
            Some(_) => {}
        }
        let lo = class_char(chars)?;
        let hi = if chars.next_if_eq(&'-').is_some() {
            class_char(chars)?
        } else {
            lo
        };
        ranges.push((lo, hi));
    }
}

/// One (possibly escaped) character of a class; like Go, the class must go
/// on after it.
fn class_char(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<char, PatternError> {
    let c = match chars.next() {
        None => return Err(PatternError::UnclosedClass),
        Some('-' | ']') => return Err(PatternError::MisplacedRangeCharacter),
        Some('\\') => chars.next().ok_or(PatternError::UnclosedClass)?,
        Some(c) => c,
    };
    if chars.peek().is_none() {
        return Err(PatternError::UnclosedClass);
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::{Pattern, PatternError, has_wildcards, matches};

    /// (pattern, name, whether it matches).
    const CASES: &[(&str, &str, bool)] = &[
        // Literals and the empty pattern.
        ("Basic-Client-TLS-Sync", "Basic-Client-TLS-Sync", true),
        ("Basic-Client-TLS-Sync", "Basic-Client-TLS-Sync-", false),
        ("Basic-Client", "Basic-Client-TLS-Sync", false),
        ("", "", true),
        ("", "a", false),
        // Stars.
        ("*", "", true),
        ("*", "anything-at-all", true),
        ("**", "ab", true),
        ("*-TLS1", "Renegotiate-Client-TLS1", true),
        ("*-TLS1", "Renegotiate-Client-TLS11", false),
        ("*TLS1-*", "Foo-TLS1-Bar", true),
        ("*TLS1-*", "Foo-TLS12-Bar", false),
        ("TLS-ECH-*", "TLS-ECH-", true),
        ("TLS-ECH-*", "TLS-ECH", false),
        ("*Kyber*", "Kyber", true),
        ("*Kyber*", "CurveTest-Client-Kyber-TLS13", true),
        ("a*b*c*d*e*f", "axbxcxdxexf", true),
        ("a*b*c*d*e*f", "axbxcxdxexfx", false),
        ("a*b?c*x", "abxbbxdbxebxczzx", true),
        ("a*b?c*x", "abxbbxdbxebxczzy", false),
        ("*x", "xxx", true),
        ("*xx", "xxx", true),
        ("a*a", "a", false),
        ("a*a", "aa", true),
        // Neither `*` nor `?` crosses a separator.
        ("a*", "a/b", false),
        ("a*/b", "abc/b", true),
        ("a*/b", "a/c/b", false),
        ("a?b", "a/b", false),
        ("a*b", "a/b", false),
        // Question marks take one character, not one byte.
        ("a?b", "a☺b", true),
        ("a???b", "a☺b", false),
        ("?", "", false),
        // Classes.
        ("ab[c]", "abc", true),
        ("ab[b-d]", "abc", true),
        ("ab[e-g]", "abc", false),
        ("ab[^c]", "abc", false),
        ("ab[^b-d]", "abc", false),
        ("ab[^e-g]", "abc", true),
        ("a[^a]b", "a☺b", true),
        ("[a-ζ]*", "α", true),
        ("*[a-ζ]", "A", false),
        ("TLS1[123]", "TLS12", true),
        ("TLS1[123]", "TLS1", false),
        ("[!a]", "!", true),
        ("[!a]", "b", false),
        ("[a/]", "/", true),
        // Escapes.
        ("a\\*b", "a*b", true),
        ("a\\*b", "axb", false),
        ("\\[x]", "[x]", true),
        ("[\\]a]", "]", true),
        ("[\\-]", "-", true),
        ("[x\\-]", "-", true),
        ("[x\\-]", "z", false),
        ("[\\-x]", "x", true),
        // Characters special elsewhere are literal outside classes.
        ("a]b", "a]b", true),
        ("^-x", "^-x", true),
    ];

    #[test]
    fn the_literal_text_is_what_every_match_holds() {
        let prefix = |text| Pattern::new(text).map(|p| p.literal_prefix().to_string());
        assert_eq!(prefix("Basic-*-TLS"), Ok("Basic-".to_string()));
        assert_eq!(prefix("Basic-Client"), Ok("Basic-Client".to_string()));
        assert_eq!(prefix(r"A\*b?c"), Ok("A*b".to_string()));
        assert_eq!(prefix("Re[a-z]*"), Ok("Re".to_string()));
        assert_eq!(prefix("*-TLS1"), Ok(String::new()));
        // The suffix, and the runs joined with `|`.
        let rest = |text| {
            Pattern::new(text).map(|p| {
                let runs: Vec<&str> = p.literals().iter().map(String::as_str).collect();
                (p.literal_suffix().to_string(), runs.join("|"))
            })
        };
        let expect = |suffix: &str, runs: &str| Ok((suffix.to_string(), runs.to_string()));
        assert_eq!(rest("*-ECDSA_SHA1-*"), expect("", "-ECDSA_SHA1-"));
        assert_eq!(rest("Basic-*-TLS?3"), expect("3", "Basic-|-TLS|3"));
        assert_eq!(rest(r"a\*b[cd]e*"), expect("", "a*b|e"));
        assert_eq!(rest("Re[a-z]*-TLS1"), expect("-TLS1", "Re|-TLS1"));
        assert_eq!(rest("*"), expect("", ""));
        for (pattern, name, _) in CASES.iter().filter(|(_, _, matched)| *matched) {
            let Ok(compiled) = Pattern::new(pattern) else {
                continue;
            };
            assert!(
                name.starts_with(compiled.literal_prefix()),
                "{pattern} {name}"
            );
            assert!(
                name.ends_with(compiled.literal_suffix()),
                "{pattern} {name}"
            );
            for run in compiled.literals() {
                assert!(name.contains(run.as_str()), "{pattern} {name} {run}");
            }
        }
    }

    #[test]
    fn names_match_as_go_filepath_match_says() {
        for &(pattern, name, expected) in CASES {
            assert_eq!(
                matches(pattern, name),
                Ok(expected),
                "pattern {pattern:?} against {name:?}"
            );
        }
    }

    #[test]
    fn malformed_patterns_are_errors() {
        for (pattern, error) in [
            ("\\", PatternError::TrailingBackslash),
            ("ab\\", PatternError::TrailingBackslash),
            ("[", PatternError::UnclosedClass),
            ("[^", PatternError::UnclosedClass),
            ("[^bc", PatternError::UnclosedClass),
            ("a[", PatternError::UnclosedClass),
            ("[a-b", PatternError::UnclosedClass),
            ("[a\\", PatternError::UnclosedClass),
            ("[]", PatternError::EmptyClass),
            ("[^]", PatternError::EmptyClass),
            ("[]a]", PatternError::MisplacedRangeCharacter),
            ("[-]", PatternError::MisplacedRangeCharacter),
            ("[x-]", PatternError::MisplacedRangeCharacter),
            ("[-x]", PatternError::MisplacedRangeCharacter),
            ("[a-b-c]", PatternError::MisplacedRangeCharacter),
            // A bad class is an error even where an earlier part cannot match.
            ("x*[", PatternError::UnclosedClass),
        ] {
            assert_eq!(Pattern::new(pattern), Err(error), "{pattern:?}");
        }
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let message = Pattern::new("a[b").err().map(|e| e.to_string());
        assert_eq!(
            message.as_deref(),
            Some("a `[` class is not closed with `]`")
        );
    }

    #[test]
    fn a_pattern_remembers_its_text() {
        let pattern = Pattern::new("*-TLS1[23]").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pattern.as_str(), "*-TLS1[23]");
        assert_eq!(pattern.to_string(), "*-TLS1[23]");
        assert_eq!(format!("{pattern:?}"), "Pattern(\"*-TLS1[23]\")");
    }

    #[test]
    fn wildcards_are_recognised() {
        assert!(has_wildcards("TLS-ECH-*"));
        assert!(has_wildcards("TLS1?"));
        assert!(has_wildcards("TLS1[23]"));
        assert!(!has_wildcards("Basic-Client-TLS-Sync"));
    }
}
