//! JSON read with every object member kept, in order, with where its key
//! is: serde_json drives a visitor, over a reader that counts the bytes
//! serde_json has taken (it reads one byte at a time).

use std::cell::Cell;
use std::fmt;
use std::io::{self, Read};
use std::rc::Rc;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

/// A place in the JSON text: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A JSON value whose objects keep every member.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

/// One `"key": value` of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    /// Where the key's opening quote is.
    pub at: Position,
    /// Whether a blank line comes before it.
    pub blank_line_before: bool,
    pub value: Node,
}

impl Node {
    /// What kind of value, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Number(_) => "a number",
            Node::String(_) => "a string",
            Node::Array(_) => "a list",
            Node::Object(_) => "an object",
        }
    }

    /// Compact JSON text (every member, repeats included).
    pub fn to_json(&self) -> String {
        match self {
            Node::Null => "null".to_string(),
            Node::Bool(value) => value.to_string(),
            Node::Number(number) => number.to_string(),
            Node::String(text) => quote(text),
            Node::Array(items) => {
                let items: Vec<String> = items.iter().map(Node::to_json).collect();
                format!("[{}]", items.join(", "))
            }
            Node::Object(members) => {
                let members: Vec<String> = members
                    .iter()
                    .map(|m| format!("{}: {}", quote(&m.key), m.value.to_json()))
                    .collect();
                format!("{{{}}}", members.join(", "))
            }
        }
    }
}

/// `text` as a JSON string.
pub fn quote(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// `text` cut to a length that fits a message.
pub fn shorten(text: &str) -> String {
    const LIMIT: usize = 120;
    if text.chars().count() <= LIMIT {
        return text.to_string();
    }
    let cut: String = text.chars().take(LIMIT).collect();
    format!("{cut}…")
}

/// Malformed JSON, where serde_json found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses `text`: one JSON value and nothing after it.
pub fn parse(text: &[u8]) -> Result<Node, SyntaxError> {
    let consumed = Rc::new(Cell::new(0));
    let reader = Counting {
        rest: text,
        consumed: Rc::clone(&consumed),
    };
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let seed = NodeSeed {
        text,
        consumed: &consumed,
    };
    let node = seed.deserialize(&mut deserializer).map_err(syntax_error)?;
    deserializer.end().map_err(syntax_error)?;
    Ok(node)
}

fn syntax_error(error: serde_json::Error) -> SyntaxError {
    let full = error.to_string();
    let message = match full.rsplit_once(" at line ") {
        Some((message, _)) => message.to_string(),
        None => full,
    };
    SyntaxError {
        line: error.line(),
        column: error.column(),
        message,
    }
}

/// Hands out `rest`, counting what was taken.
struct Counting<'t> {
    rest: &'t [u8],
    consumed: Rc<Cell<usize>>,
}

impl Read for Counting<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.rest.read(buffer)?;
        self.consumed.set(self.consumed.get() + read);
        Ok(read)
    }
}

#[derive(Clone, Copy)]
struct NodeSeed<'t> {
    text: &'t [u8],
    consumed: &'t Rc<Cell<usize>>,
}

impl NodeSeed<'_> {
    /// Where the key that ends just before `end` (its closing quote
    /// at `end - 1`) starts: the opening quote is the nearest `"`
    /// before it not escaped by an odd run of backslashes.
    fn key_start(&self, end: usize) -> usize {
        let close = end.saturating_sub(1);
        let mut index = close;
        while index > 0 {
            index -= 1;
            if self.text.get(index) != Some(&b'"') {
                continue;
            }
            let backslashes = self.text[..index]
                .iter()
                .rev()
                .take_while(|byte| **byte == b'\\')
                .count();
            if backslashes % 2 == 0 {
                return index;
            }
        }
        close
    }

    fn position(&self, offset: usize) -> Position {
        let before = &self.text[..offset.min(self.text.len())];
        let line_start = before
            .iter()
            .rposition(|byte| *byte == b'\n')
            .map_or(0, |newline| newline + 1);
        let line = 1 + before.iter().filter(|byte| **byte == b'\n').count();
        let column = 1 + String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count();
        Position { line, column }
    }

    /// Whether the whitespace (and the one `,`) before `offset` holds a
    /// blank line.
    fn blank_line_before(&self, offset: usize) -> bool {
        let before = &self.text[..offset.min(self.text.len())];
        before
            .iter()
            .rev()
            .take_while(|byte| matches!(byte, b' ' | b'\t' | b'\r' | b'\n' | b','))
            .filter(|byte| **byte == b'\n')
            .count()
            >= 2
    }
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = Node;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_> {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Node, E> {
        Ok(Node::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Node, E> {
        Ok(Node::Number(value.into()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Node, E> {
        Ok(Node::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Node, E> {
        serde_json::Number::from_f64(value)
            .map(Node::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Node, E> {
        Ok(Node::String(value.to_string()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Node, E> {
        Ok(Node::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut members = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let start = self.key_start(self.consumed.get());
            let at = self.position(start);
            let blank_line_before = self.blank_line_before(start);
            let value = map.next_value_seed(self)?;
            members.push(Member {
                key,
                at,
                blank_line_before,
                value,
            });
        }
        Ok(Node::Object(members))
    }
}
