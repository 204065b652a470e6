//! serde's `Deserializer` over a [`Node`] tree: how every family's typed
//! model is read from its YAML.
//!
//! Unknown and repeated keys are noted and left out, so reading goes on;
//! a value of the wrong shape is an [`Error`] that names its node, so the
//! caller can report it, cut that node out of the tree and read again.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use serde::de::value::{SeqDeserializer, StrDeserializer};
use serde::de::{
    self, DeserializeSeed, EnumAccess, Expected, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};

use crate::diagnostic::SourceFile;
use crate::located::Position;
use crate::yaml::tree::{Node, Value};

/// The struct name by which [`crate::located::Located`] asks for its node's
/// position; any other deserializer sees an ordinary two-field struct.
pub(crate) const LOCATED: &str = "$crosscheck::Located";
pub(crate) const LOCATED_FIELDS: &[&str] = &["$position", "$value"];

/// The enum name by which [`crate::yaml::shape`] asks for a node's shape
/// (as the variant) and then reads the node itself as that variant.
pub(crate) const SHAPE: &str = "$crosscheck::Shape";

/// A value that does not fit the model: its message, and the node it is
/// about.
#[derive(Debug)]
pub struct Error {
    pub message: String,
    /// The node's id, set by the innermost node the error passes through.
    pub node: Option<usize>,
    pub position: Option<Position>,
    /// The field a mapping lacks, for "missing field" errors.
    pub missing_field: Option<&'static str>,
}

impl Error {
    fn new(message: String) -> Self {
        Error {
            message,
            node: None,
            position: None,
            missing_field: None,
        }
    }

    fn at(mut self, node: &Node) -> Self {
        if self.node.is_none() {
            self.node = Some(node.id);
            self.position = Some(node.position);
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Error::new(message.to_string())
    }

    fn invalid_type(found: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Error::new(format!(
            "expected {}, found {}",
            expected_in_words(expected),
            found_in_words(&found)
        ))
    }

    fn invalid_value(found: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Self::invalid_type(found, expected)
    }

    fn invalid_length(length: usize, expected: &dyn Expected) -> Self {
        Error::new(format!(
            "expected {}, found {length} item{}",
            expected_in_words(expected),
            if length == 1 { "" } else { "s" }
        ))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Error::new(format!(
            "unknown variant `{variant}`, expected {}",
            one_of(expected)
        ))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Error::new(unknown_field(field, expected))
    }

    fn missing_field(field: &'static str) -> Self {
        Error {
            missing_field: Some(field),
            ..Error::new(format!("missing field `{field}`"))
        }
    }

    fn duplicate_field(field: &'static str) -> Self {
        Error::new(format!("duplicate key `{field}`"))
    }
}

fn unknown_field(field: &str, expected: &[&str]) -> String {
    if expected.is_empty() {
        format!("unknown field `{field}`, there are no fields")
    } else {
        format!("unknown field `{field}`, expected {}", one_of(expected))
    }
}

fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.as_slice() {
        [only] => only.clone(),
        _ => format!("one of {}", quoted.join(", ")),
    }
}

/// serde's names for what a type expects, in the words of the spec docs.
fn expected_in_words(expected: &dyn Expected) -> String {
    let text = expected.to_string();
    let words = match text.as_str() {
        "a string" | "a borrowed string" | "a character" => "text",
        "a boolean" => "`true` or `false`",
        "u8" => "a whole number from 0 to 255",
        "u16" => "a whole number from 0 to 65535",
        "u32" => "a whole number from 0 to 4294967295",
        "u64" | "u128" | "usize" => "a whole number (0 or more)",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        "a sequence" => "a list",
        "a map" => "a mapping",
        _ if text.starts_with("struct ") => "a mapping",
        _ => return text,
    };
    words.to_string()
}

fn found_in_words(found: &Unexpected<'_>) -> String {
    match found {
        Unexpected::Bool(value) => format!("`{value}`"),
        Unexpected::Unsigned(value) => format!("`{value}`"),
        Unexpected::Signed(value) => format!("`{value}`"),
        Unexpected::Float(value) => format!("`{value}`"),
        Unexpected::Str(value) => format!("`{value}`"),
        Unexpected::Unit | Unexpected::Option => "nothing".to_string(),
        Unexpected::Seq => "a list".to_string(),
        Unexpected::Map => "a mapping".to_string(),
        other => other.to_string(),
    }
}

/// What one reading of a tree shares: the file, and the problems noted
/// on the way that do not stop it.
pub struct Context<'a> {
    pub file: &'a SourceFile,
    pub notes: RefCell<Vec<(Position, String)>>,
    /// Mappings with an unknown key: a field they lack is most likely
    /// the one misspelt, which the unknown key's note already names.
    pub misspelt: RefCell<Vec<usize>>,
}

impl<'a> Context<'a> {
    pub fn new(file: &'a SourceFile) -> Self {
        Context {
            file,
            notes: RefCell::new(Vec::new()),
            misspelt: RefCell::new(Vec::new()),
        }
    }

    fn note(&self, position: Position, message: String) {
        self.notes.borrow_mut().push((position, message));
    }
}

/// A node being read.
#[derive(Clone, Copy)]
pub struct NodeDeserializer<'a> {
    node: &'a Node,
    context: &'a Context<'a>,
}

impl<'a> NodeDeserializer<'a> {
    pub fn new(node: &'a Node, context: &'a Context<'a>) -> Self {
        NodeDeserializer { node, context }
    }

    fn of(&self, node: &'a Node) -> Self {
        NodeDeserializer::new(node, self.context)
    }

    /// The node's text: strings as they are, other scalars as written,
    /// and `key:` with nothing after it as empty text (which the checks
    /// of required text then name).
    fn text(&self) -> Option<String> {
        match &self.node.value {
            Value::Null => Some(String::new()),
            Value::Text(text) => Some(text.clone()),
            Value::Bool(_) | Value::Integer(_) | Value::Float(_) => Some(
                self.node
                    .written(self.context.file)
                    .map(str::to_string)
                    .unwrap_or_else(|| scalar_text(&self.node.value)),
            ),
            _ => None,
        }
    }

    /// The mapping's entries, repeated keys noted and left out, and (for
    /// a struct) keys not in `known` noted and left out.
    fn entries(&self, known: Option<&[&str]>) -> Vec<(&'a Node, &'a Node)> {
        let Value::Map(pairs) = &self.node.value else {
            return Vec::new();
        };
        let mut seen: HashMap<String, Position> = HashMap::with_capacity(pairs.len());
        let mut entries = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            let name = self.of(key).text().unwrap_or_default();
            if let Some(first) = seen.get(&name) {
                let first = self.context.file.locate(*first);
                self.context.note(
                    key.position,
                    format!("duplicate key `{name}` (first at {first})"),
                );
                continue;
            }
            seen.insert(name.clone(), key.position);
            if let Some(known) = known
                && !known.contains(&name.as_str())
            {
                self.context.note(key.position, unknown_field(&name, known));
                self.context.misspelt.borrow_mut().push(self.node.id);
                continue;
            }
            entries.push((key, value));
        }
        entries
    }

    fn unexpected(&self) -> Unexpected<'a> {
        match &self.node.value {
            Value::Null => Unexpected::Unit,
            Value::Bool(value) => Unexpected::Bool(*value),
            Value::Integer(value) => match i64::try_from(*value) {
                Ok(value) => Unexpected::Signed(value),
                Err(_) => Unexpected::Other("a number"),
            },
            Value::Float(value) => Unexpected::Float(*value),
            Value::Text(text) => Unexpected::Str(text),
            Value::List(_) => Unexpected::Seq,
            Value::Map(_) => Unexpected::Map,
        }
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Bool(value) => value.to_string(),
        Value::Integer(value) => value.to_string(),
        Value::Float(value) => value.to_string(),
        Value::Text(text) => text.clone(),
        _ => String::new(),
    }
}

impl<'de> de::Deserializer<'de> for NodeDeserializer<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match &self.node.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(value) => visitor.visit_bool(*value),
            Value::Integer(value) => match (u64::try_from(*value), i64::try_from(*value)) {
                (Ok(value), _) => visitor.visit_u64(value),
                (_, Ok(value)) => visitor.visit_i64(value),
                _ => visitor.visit_i128(*value),
            },
            Value::Float(value) => visitor.visit_f64(*value),
            Value::Text(text) => visitor.visit_str(text),
            Value::List(items) => visitor.visit_seq(Items {
                items: items.iter(),
                context: self.context,
            }),
            Value::Map(_) => visitor.visit_map(Entries::new(self.entries(None), self.context)),
        };
        result.map_err(|error| error.at(self.node))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.text() {
            Some(text) => visitor
                .visit_str::<Error>(&text)
                .map_err(|error| error.at(self.node)),
            None => self.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
        .map_err(|error| error.at(self.node))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor
            .visit_newtype_struct(self)
            .map_err(|error| error.at(self.node))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let result = if name == LOCATED {
            visitor.visit_map(LocatedParts {
                deserializer: self,
                step: 0,
            })
        } else if matches!(self.node.value, Value::Map(_)) {
            visitor.visit_map(Entries::new(self.entries(Some(fields)), self.context))
        } else {
            return self.deserialize_any(visitor);
        };
        result.map_err(|error| error.at(self.node))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let result = match &self.node.value {
            _ if name == SHAPE => visitor.visit_enum(Variant {
                name: Shaped::Name(self.node.value.shape()),
                value: self,
            }),
            Value::Text(text) => {
                visitor.visit_enum(IntoDeserializer::<Error>::into_deserializer(text.as_str()))
            }
            Value::Map(_) => match self.entries(None).as_slice() {
                [(variant, value)] => visitor.visit_enum(Variant {
                    name: Shaped::Node(self.of(variant)),
                    value: self.of(value),
                }),
                entries => Err(Error::new(format!(
                    "expected exactly one of {}, found {}",
                    variants
                        .iter()
                        .map(|name| format!("`{name}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    match entries.len() {
                        0 => "none".to_string(),
                        count => format!("{count}"),
                    }
                ))),
            },
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        };
        result.map_err(|error| error.at(self.node))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf
        unit unit_struct seq tuple tuple_struct
    }
}

struct Items<'a> {
    items: std::slice::Iter<'a, Node>,
    context: &'a Context<'a>,
}

impl<'de> SeqAccess<'de> for Items<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            Some(item) => seed
                .deserialize(NodeDeserializer::new(item, self.context))
                .map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Entries<'a> {
    entries: std::vec::IntoIter<(&'a Node, &'a Node)>,
    value: Option<&'a Node>,
    context: &'a Context<'a>,
}

impl<'a> Entries<'a> {
    fn new(entries: Vec<(&'a Node, &'a Node)>, context: &'a Context<'a>) -> Self {
        Entries {
            entries: entries.into_iter(),
            value: None,
            context,
        }
    }
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(NodeDeserializer::new(key, self.context))
                    .map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(NodeDeserializer::new(value, self.context)),
            None => Err(de::Error::custom("a value was asked for before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A `Located` value's two parts: the node's position, then the node.
struct LocatedParts<'a> {
    deserializer: NodeDeserializer<'a>,
    step: u8,
}

impl<'de> MapAccess<'de> for LocatedParts<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(name) = LOCATED_FIELDS.get(usize::from(self.step)) else {
            return Ok(None);
        };
        seed.deserialize(StrDeserializer::<Error>::new(name))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        self.step += 1;
        if self.step == 1 {
            let position = self.deserializer.node.position;
            let parts = [
                position.line,
                position.column,
                position.offset.unwrap_or(u64::MAX),
            ];
            seed.deserialize(SeqDeserializer::new(parts.into_iter()))
        } else {
            seed.deserialize(self.deserializer)
        }
    }
}

/// An enum written as a one-entry mapping (`variant: value`), or a node
/// read by its shape.
struct Variant<'a> {
    name: Shaped<'a>,
    value: NodeDeserializer<'a>,
}

enum Shaped<'a> {
    /// The variant is the key node.
    Node(NodeDeserializer<'a>),
    /// The variant is the value's shape.
    Name(&'static str),
}

impl<'de, 'a> EnumAccess<'de> for Variant<'a> {
    type Error = Error;
    type Variant = NodeDeserializer<'a>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), Error> {
        let name = match self.name {
            Shaped::Node(name) => seed.deserialize(name)?,
            Shaped::Name(name) => seed.deserialize(StrDeserializer::<Error>::new(name))?,
        };
        Ok((name, self.value))
    }
}

impl<'de> VariantAccess<'de> for NodeDeserializer<'_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.node.value {
            Value::Null => Ok(()),
            _ => Err(Error::new(format!(
                "expected nothing after this name, found {}",
                found_in_words(&self.unexpected())
            ))
            .at(self.node)),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}
