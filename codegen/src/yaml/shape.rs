//! Values whose meaning depends on their shape: a reason or a mapping with
//! a reason, a list of errors or a mapping, … Read by the spec loader
//! with every position and check of the chosen form kept.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeSeed, EnumAccess, VariantAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::yaml::de::SHAPE;

/// The shape of a YAML node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// `key:` with nothing after it.
    Nothing,
    /// Text, a number or a boolean.
    Scalar,
    List,
    Mapping,
}

const SHAPES: &[&str] = &["nothing", "scalar", "list", "mapping"];

/// A type read according to the shape of its node.
pub trait ByShape: Sized {
    /// What the node may be, for the message when it is none of them.
    const EXPECTING: &'static str;

    /// Reads `value` (which has `shape`) as this type, e.g. with
    /// `value.newtype_variant::<Entry>()`, or [`unfit`] where the shape
    /// does not fit.
    fn read<'de, V: VariantAccess<'de>>(shape: Shape, value: V) -> Result<Self, V::Error>;
}

/// The body of `Deserialize::deserialize` for a [`ByShape`] type.
pub fn deserialize<'de, D: Deserializer<'de>, T: ByShape>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_enum(SHAPE, SHAPES, ShapeVisitor(PhantomData))
}

/// The error for a value whose shape `T` does not take: "expected
/// `T::EXPECTING`, found …" with what was found.
pub fn unfit<'de, T: ByShape, V: VariantAccess<'de>>(value: V) -> Result<T, V::Error> {
    value.newtype_variant_seed(Unfit(PhantomData))
}

struct ShapeVisitor<T>(PhantomData<T>);

impl<'de, T: ByShape> Visitor<'de> for ShapeVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(T::EXPECTING)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<T, A::Error> {
        let (shape, value) = data.variant::<Shape>()?;
        T::read(shape, value)
    }
}

/// Reads any node and rejects it, naming what it found.
struct Unfit<T>(PhantomData<T>);

impl<'de, T: ByShape> DeserializeSeed<'de> for Unfit<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<T: ByShape> Visitor<'_> for Unfit<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(T::EXPECTING)
    }
}
