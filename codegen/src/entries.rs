//! A YAML mapping from names to values that keeps file order.
//!
//! Spec files use mappings where the order means something (case indices,
//! test order), and where later checks must point at a name. Duplicate names
//! are reported at the repeat and left out.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::located::Located;

/// `name: value` pairs in the order they were written.
#[derive(Debug, Clone)]
pub struct Entries<V>(pub Vec<Entry<V>>);

/// One `name: value` pair of an [`Entries`] mapping.
#[derive(Debug, Clone)]
pub struct Entry<V> {
    pub name: Located<String>,
    pub value: V,
}

impl<V> Default for Entries<V> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<V> Entries<V> {
    pub fn iter(&self) -> std::slice::Iter<'_, Entry<V>> {
        self.0.iter()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Index of the entry called `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|entry| entry.name.value == name)
    }
}

impl<'a, V> IntoIterator for &'a Entries<V> {
    type Item = &'a Entry<V>;
    type IntoIter = std::slice::Iter<'a, Entry<V>>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EntriesVisitor(PhantomData))
    }
}

struct EntriesVisitor<V>(PhantomData<V>);

impl<'de, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<V> {
    type Value = Entries<V>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a mapping from names to entries")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(name) = map.next_key::<Located<String>>()? {
            let value = map.next_value()?;
            entries.push(Entry { name, value });
        }
        Ok(Entries(entries))
    }
}

/// Editors see an object whose every property is a `V`.
impl<V: JsonSchema> JsonSchema for Entries<V> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        BTreeMap::<String, V>::schema_name()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        BTreeMap::<String, V>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::Entries;
    use crate::diagnostic::{Diagnostics, SourceFile};

    fn read(text: &str) -> (Option<Entries<u32>>, Diagnostics) {
        let file = SourceFile::from_text("x.yaml", text);
        let mut diagnostics = Diagnostics::default();
        (crate::yaml::read(&file, &mut diagnostics), diagnostics)
    }

    #[test]
    fn file_order_and_key_positions_are_kept() {
        let (parsed, diagnostics) = read("zed: 1\nalpha: 2\n");
        assert!(diagnostics.is_empty(), "{diagnostics}");
        let parsed = parsed.unwrap_or_else(|| panic!("not read"));
        let names: Vec<(&str, u64)> = parsed
            .iter()
            .map(|entry| (entry.name.value.as_str(), entry.name.position.line))
            .collect();
        assert_eq!(names, [("zed", 1), ("alpha", 2)]);
    }

    #[test]
    fn repeated_names_are_reported_and_left_out() {
        let (parsed, diagnostics) = read("a: 1\na: 2\n");
        assert_eq!(parsed.map(|p| p.len()), Some(1));
        assert_eq!(
            diagnostics
                .0
                .iter()
                .map(|d| d.message.as_str())
                .collect::<Vec<_>>(),
            ["duplicate key `a` (first at x.yaml:1:1)"]
        );
    }
}
