//! A YAML value together with where it was written.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::yaml::{LOCATED, LOCATED_FIELDS};

/// Line and column (1-based) of a node in its YAML file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Position {
    pub line: u64,
    pub column: u64,
    /// Byte offset in the file, where the parser knows it.
    pub offset: Option<u64>,
}

impl Position {
    pub(crate) fn from_saphyr(location: serde_saphyr::Location) -> Self {
        Position {
            line: location.line(),
            column: location.column(),
            offset: location.span().byte_offset(),
        }
    }
}

/// `T` plus the position of its YAML node, so checks after parsing can still
/// point at the offending text.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub position: Position,
}

impl<T> Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// Read through the spec loader (`crate::yaml`), which answers this
/// struct name with the node's position and then the node.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct(LOCATED, LOCATED_FIELDS, LocatedVisitor(PhantomData))
    }
}

struct LocatedVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for LocatedVisitor<T> {
    type Value = Located<T>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a value read from a spec file")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Located<T>, A::Error> {
        let not_from_a_spec =
            || de::Error::custom("located values are read by the spec loader only");
        let (_, (line, column, offset)) = map
            .next_entry::<String, (u64, u64, u64)>()?
            .ok_or_else(not_from_a_spec)?;
        let (_, value) = map.next_entry::<String, T>()?.ok_or_else(not_from_a_spec)?;
        Ok(Located {
            value,
            position: Position {
                line,
                column,
                offset: (offset != u64::MAX).then_some(offset),
            },
        })
    }
}

impl<T: JsonSchema> JsonSchema for Located<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}
