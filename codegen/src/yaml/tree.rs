//! A YAML document as a tree of located nodes: what every spec file is
//! parsed into first (any well-formed YAML becomes one), before `de` reads
//! it into a family's typed model.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::located::Position;

/// One YAML node and where it was written.
#[derive(Debug, Clone)]
pub struct Node {
    /// Unique within its tree: how a problem names the node it is about.
    pub id: usize,
    pub value: Value,
    pub position: Position,
    /// Byte range of the node in the file, where the parser knows it.
    pub span: Option<(usize, usize)>,
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
    /// The node's shape, as [`crate::yaml::shape::Shape`] names it.
    pub fn shape(&self) -> &'static str {
        match self {
            Value::Null => "nothing",
            Value::List(_) => "list",
            Value::Map(_) => "mapping",
            _ => "scalar",
        }
    }

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

/// The deepest nesting of lists and mappings a spec file may have.
pub const MAX_DEPTH: usize = 24;

/// Parses `file` into a tree; only malformed YAML is an error.
pub fn parse(file: &SourceFile) -> Result<Node, Diagnostic> {
    // Specs nest a few levels; the parser's default (64) can overflow the
    // 2 MiB stack of a test thread or an editor's macro server.
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::PassThrough,
        strict_booleans: true,
        budget: Some(budget),
    };
    let mut root = serde_saphyr::from_str_with_options::<Node>(&file.text, options)
        .map_err(|error| Diagnostic::from_yaml(file, &error))?;
    root.number(&mut 0);
    Ok(root)
}

/// Where a removed node was.
pub enum Removed {
    /// The node was the value (or key) of the entry `key` of the mapping
    /// `parent`.
    Entry {
        parent: usize,
        key: Option<String>,
    },
    /// The node was an item of the list `parent`.
    Item {
        parent: usize,
    },
    /// The node is the root, which cannot be removed.
    Root,
    NotFound,
}

impl Node {
    fn number(&mut self, next: &mut usize) {
        self.id = *next;
        *next += 1;
        match &mut self.value {
            Value::List(items) => items.iter_mut().for_each(|item| item.number(next)),
            Value::Map(entries) => entries.iter_mut().for_each(|(key, value)| {
                key.number(next);
                value.number(next);
            }),
            _ => {}
        }
    }

    /// Removes the node `id` from the tree under `self`: its whole entry
    /// when it is a mapping's key or value, or its list item.
    pub fn remove(&mut self, id: usize) -> Removed {
        if self.id == id {
            return Removed::Root;
        }
        self.remove_below(id)
    }

    fn remove_below(&mut self, id: usize) -> Removed {
        let parent = self.id;
        match &mut self.value {
            Value::List(items) => {
                if let Some(index) = items.iter().position(|item| item.id == id) {
                    items.remove(index);
                    return Removed::Item { parent };
                }
                for item in items {
                    match item.remove_below(id) {
                        Removed::NotFound => {}
                        found => return found,
                    }
                }
            }
            Value::Map(entries) => {
                if let Some(index) = entries
                    .iter()
                    .position(|(key, value)| key.id == id || value.id == id)
                {
                    let (key, _) = entries.remove(index);
                    let key = match key.value {
                        Value::Text(text) => Some(text),
                        _ => None,
                    };
                    return Removed::Entry { parent, key };
                }
                for (_, value) in entries {
                    match value.remove_below(id) {
                        Removed::NotFound => {}
                        found => return found,
                    }
                }
            }
            _ => {}
        }
        Removed::NotFound
    }

    /// The source text of a scalar node, as written.
    pub fn written<'t>(&self, file: &'t SourceFile) -> Option<&'t str> {
        let (offset, len) = self.span?;
        Some(file.text.get(offset..offset.checked_add(len)?)?.trim())
    }
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
            id: 0,
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

#[cfg(test)]
mod tests {
    use super::{Removed, Value, parse};
    use crate::diagnostic::SourceFile;

    fn source(text: &str) -> SourceFile {
        SourceFile::from_text("x.yaml", text)
    }

    #[test]
    fn nodes_keep_positions_and_repeated_keys() {
        let file = source("a: 1\nb: [x, 'y']\na: 2\n");
        let root = parse(&file).unwrap_or_else(|d| panic!("{d}"));
        let Value::Map(pairs) = root.value else {
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
    fn removing_a_value_removes_its_entry_and_names_it() {
        let file = source("a: 1\nb: [x, y]\n");
        let mut root = parse(&file).unwrap_or_else(|d| panic!("{d}"));
        let Value::Map(pairs) = &root.value else {
            panic!("not a mapping");
        };
        let (b, y) = match &pairs[1].1.value {
            Value::List(items) => (pairs[1].1.id, items[1].id),
            _ => panic!("not a list"),
        };
        assert!(matches!(root.remove(y), Removed::Item { parent } if parent == b));
        let removed = root.remove(b);
        assert!(matches!(removed, Removed::Entry { parent: 0, key: Some(ref k) } if k == "b"));
        assert!(matches!(root.remove(b), Removed::NotFound));
        assert!(matches!(root.remove(0), Removed::Root));
    }
}
