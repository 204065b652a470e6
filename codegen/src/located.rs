//! A YAML value together with where it was written.

use std::borrow::Cow;
use std::ops::Deref;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

/// Line and column (1-based) of a node in its YAML file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<T>::deserialize(deserializer)?;
        Ok(Located {
            position: Position::from_saphyr(spanned.referenced),
            value: spanned.value,
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
