//! A YAML document as a tree of located nodes, and a reader that turns it
//! into a typed model while collecting every problem.
//!
//! Deserializing straight into derived types stops at the first unknown
//! key, repeated key or wrong type. Spec files whose every such problem must
//! be reported in one run (with the semantic checks that follow) are parsed
//! into this tree first, which any well-formed YAML becomes, and then read
//! field by field.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::located::{Located, Position};

/// One YAML node and where it was written.
#[derive(Debug, Clone)]
pub struct Node {
    pub value: Value,
    pub position: Position,
    /// Byte range of the node in the file, where the parser knows it.
    span: Option<(usize, usize)>,
}

/// What a node holds. Plain scalars are typed as YAML 1.2's core schema
/// types them (`true`/`false` are the only booleans).
#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Integer(i128),
    Float(f64),
    Text(String),
    List(Vec<Node>),
    /// Keys and values in file order, repeated keys included.
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// How messages name the kind of value found.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Integer(_) => "a number",
            Value::Float(_) => "a number",
            Value::Text(_) => "text",
            Value::List(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// Parses `file` into a tree; only malformed YAML is an error.
pub fn parse(file: &SourceFile) -> Result<Node, Diagnostic> {
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::PassThrough,
        strict_booleans: true,
    };
    serde_saphyr::from_str_with_options::<Node>(&file.text, options)
        .map_err(|error| Diagnostic::from_yaml(file, &error))
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(deserializer)?;
        let span = spanned.referenced.span();
        let span = span
            .byte_offset()
            .zip(span.byte_len())
            .and_then(|(offset, len)| {
                Some((usize::try_from(offset).ok()?, usize::try_from(len).ok()?))
            });
        Ok(Node {
            position: Position::from_saphyr(spanned.referenced),
            span,
            value: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Value::deserialize(deserializer)
    }
    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Integer(value.into()))
    }
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Integer(value.into()))
    }
    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Value, E> {
        Ok(Value::Integer(value))
    }
    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Value, E> {
        i128::try_from(value)
            .map(Value::Integer)
            .map_err(|_| E::custom("number too large"))
    }
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Ok(Value::Float(value))
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        Ok(Value::Text(value.to_string()))
    }
    fn visit_string<E: de::Error>(self, value: String) -> Result<Value, E> {
        Ok(Value::Text(value))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key()? {
            entries.push((key, map.next_value()?));
        }
        Ok(Value::Map(entries))
    }
}

/// Reads a tree into typed values, reporting each problem at its node and
/// going on with the rest.
pub struct Reader<'a> {
    pub source: &'a SourceFile,
    pub diagnostics: &'a mut Diagnostics,
}

impl<'a> Reader<'a> {
    pub fn new(source: &'a SourceFile, diagnostics: &'a mut Diagnostics) -> Self {
        Reader {
            source,
            diagnostics,
        }
    }

    pub fn error(&mut self, position: Position, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::at(self.source, position, message));
    }

    /// `file:line:col` of `position`.
    pub fn locate(&self, position: Position) -> String {
        self.source.locate(position)
    }

    fn wrong_kind(&mut self, node: &Node, expected: &str) {
        self.error(
            node.position,
            format!("expected {expected}, found {}", node.value.kind()),
        );
    }

    /// A scalar as text: strings as they are, numbers and booleans as
    /// written. Anything else is an error naming `expected`.
    pub fn text(&mut self, node: &Node, expected: &str) -> Option<Located<String>> {
        let text = match &node.value {
            Value::Text(text) => Some(text.clone()),
            Value::Bool(_) | Value::Integer(_) | Value::Float(_) => self.written(node),
            _ => None,
        };
        if text.is_none() {
            self.wrong_kind(node, expected);
        }
        text.map(|value| Located {
            value,
            position: node.position,
        })
    }

    /// The source text of a scalar node.
    fn written(&self, node: &Node) -> Option<String> {
        let (offset, len) = node.span?;
        let text = self.source.text.get(offset..offset.checked_add(len)?)?;
        Some(text.trim().to_string())
    }

    /// A whole number in `T`'s range.
    pub fn integer<T: TryFrom<i128>>(&mut self, node: &Node, expected: &str) -> Option<Located<T>> {
        let value = match node.value {
            Value::Integer(value) => T::try_from(value).ok(),
            _ => None,
        };
        if value.is_none() {
            let found = match node.value {
                Value::Integer(value) => format!("`{value}`"),
                ref other => other.kind().to_string(),
            };
            self.error(node.position, format!("expected {expected}, found {found}"));
        }
        value.map(|value| Located {
            value,
            position: node.position,
        })
    }

    pub fn boolean(&mut self, node: &Node) -> Option<bool> {
        match node.value {
            Value::Bool(value) => Some(value),
            _ => {
                self.wrong_kind(node, "`true` or `false`");
                None
            }
        }
    }

    /// A list's items; anything else is an error naming `expected`.
    pub fn list<'n>(&mut self, node: &'n Node, expected: &str) -> Option<&'n [Node]> {
        match &node.value {
            Value::List(items) => Some(items),
            _ => {
                self.wrong_kind(node, expected);
                None
            }
        }
    }

    /// A list of texts (items that are not text are reported and left out).
    pub fn texts(
        &mut self,
        node: &Node,
        expected: &str,
        item: &str,
    ) -> Option<Located<Vec<Located<String>>>> {
        let items = self.list(node, expected)?;
        let value = items
            .iter()
            .filter_map(|entry| self.text(entry, item))
            .collect();
        Some(Located {
            value,
            position: node.position,
        })
    }

    /// A mapping from names to values, in file order. A repeated name is
    /// reported and its later entries left out.
    pub fn entries<'n>(
        &mut self,
        node: &'n Node,
        expected: &str,
    ) -> Option<Vec<(Located<String>, &'n Node)>> {
        let Value::Map(pairs) = &node.value else {
            self.wrong_kind(node, expected);
            return None;
        };
        let mut entries: Vec<(Located<String>, &'n Node)> = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            let Some(name) = self.text(key, "a name") else {
                continue;
            };
            if let Some((first, _)) = entries.iter().find(|(seen, _)| seen.value == name.value) {
                let first = self.locate(first.position);
                self.error(
                    name.position,
                    format!("duplicate key `{}` (first at {first})", name.value),
                );
                continue;
            }
            entries.push((name, value));
        }
        Some(entries)
    }

    /// A mapping with the fields `known`: unknown and repeated keys are
    /// reported; `Fields` hands out the rest.
    pub fn fields<'n>(
        &mut self,
        node: &'n Node,
        expected: &str,
        known: &'static [&'static str],
    ) -> Option<Fields<'n>> {
        let entries = self.entries(node, expected)?;
        let mut fields = Vec::with_capacity(entries.len());
        for (name, value) in entries {
            if known.contains(&name.value.as_str()) {
                fields.push((name.value, value));
            } else {
                let list: Vec<String> = known.iter().map(|field| format!("`{field}`")).collect();
                self.error(
                    name.position,
                    format!(
                        "unknown field `{}`, expected one of {}",
                        name.value,
                        list.join(", ")
                    ),
                );
            }
        }
        Some(Fields {
            position: node.position,
            fields,
        })
    }
}

/// The known fields of a mapping, by name.
pub struct Fields<'n> {
    /// Where the mapping starts (where missing fields are reported).
    pub position: Position,
    fields: Vec<(String, &'n Node)>,
}

impl<'n> Fields<'n> {
    /// The field's value, if present.
    pub fn get(&self, name: &str) -> Option<&'n Node> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, node)| *node)
    }

    /// The field's value; a missing field is reported.
    pub fn require(&self, name: &str, reader: &mut Reader<'_>) -> Option<&'n Node> {
        let node = self.get(name);
        if node.is_none() {
            reader.error(self.position, format!("missing field `{name}`"));
        }
        node
    }
}

#[cfg(test)]
mod tests {
    use super::{Node, Reader, Value, parse};
    use crate::diagnostic::{Diagnostics, SourceFile};

    fn source(text: &str) -> SourceFile {
        SourceFile {
            display_path: "x.yaml".to_string(),
            absolute_path: "x.yaml".into(),
            text: text.to_string(),
        }
    }

    fn tree(file: &SourceFile) -> Node {
        parse(file).unwrap_or_else(|d| panic!("{d}"))
    }

    #[test]
    fn nodes_keep_positions_and_repeated_keys() {
        let file = source("a: 1\nb: [x, 'y']\na: 2\n");
        let Value::Map(pairs) = tree(&file).value else {
            panic!("not a mapping");
        };
        let keys: Vec<(u64, u64)> = pairs
            .iter()
            .map(|(key, _)| (key.position.line, key.position.column))
            .collect();
        assert_eq!(keys, [(1, 1), (2, 1), (3, 1)]);
        let Value::List(items) = &pairs[1].1.value else {
            panic!("not a list");
        };
        assert_eq!(items[1].position.column, 8);
    }

    #[test]
    fn only_core_schema_booleans_are_booleans() {
        let file = source("a: yes\nb: true\nc: 12\n");
        let mut diagnostics = Diagnostics::default();
        let mut reader = Reader::new(&file, &mut diagnostics);
        let root = tree(&file);
        let fields = reader
            .fields(&root, "a mapping", &["a", "b", "c"])
            .unwrap_or_else(|| panic!("fields"));
        let texts: Vec<Option<String>> = ["a", "b", "c"]
            .iter()
            .map(|name| {
                let node = fields.get(name)?;
                reader.text(node, "text").map(|text| text.value)
            })
            .collect();
        assert_eq!(
            texts,
            [Some("yes".into()), Some("true".into()), Some("12".into())]
        );
        assert!(diagnostics.is_empty(), "{diagnostics}");
    }

    #[test]
    fn every_unknown_and_repeated_key_is_reported() {
        let file = source("a: 1\nzz: 2\na: 3\nyy: 4\n");
        let mut diagnostics = Diagnostics::default();
        let root = tree(&file);
        let fields = Reader::new(&file, &mut diagnostics).fields(&root, "a mapping", &["a"]);
        assert!(fields.is_some());
        let messages: Vec<String> = diagnostics
            .0
            .iter()
            .map(|d| format!("{}: {}", d.location, d.message))
            .collect();
        assert_eq!(
            messages,
            [
                "x.yaml:3:1: duplicate key `a` (first at x.yaml:1:1)",
                "x.yaml:2:1: unknown field `zz`, expected one of `a`",
                "x.yaml:4:1: unknown field `yy`, expected one of `a`",
            ]
        );
    }

    #[test]
    fn wrong_kinds_say_what_was_expected() {
        let file = source("a: [1]\nb: -1\n");
        let mut diagnostics = Diagnostics::default();
        let root = tree(&file);
        let mut reader = Reader::new(&file, &mut diagnostics);
        let fields = reader
            .fields(&root, "a mapping", &["a", "b"])
            .unwrap_or_else(|| panic!("fields"));
        if let Some(node) = fields.get("a") {
            assert!(reader.text(node, "a reason").is_none());
        }
        if let Some(node) = fields.get("b") {
            assert!(reader.integer::<u32>(node, "a whole number").is_none());
        }
        let messages: Vec<&str> = diagnostics.0.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "expected a reason, found a list",
                "expected a whole number, found `-1`"
            ]
        );
    }
}
