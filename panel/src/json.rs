//! JSON read through the browser's own parser: a small serde deserializer
//! walks the value `JSON.parse` returned, and its error carries no message.
//! The panel only needs "a valid answer or not"; serde_json's parser and
//! its error messages (which format floats) cost the download about 30 KB.
//! Writing JSON stays with serde_json.

use js_sys::{Array, Object};
use serde::de::DeserializeOwned;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use wasm_bindgen::JsValue;

/// Reads a value `JSON.parse` already returned.
pub fn from_value<T: DeserializeOwned>(value: JsValue) -> Option<T> {
    T::deserialize(Js(value)).ok()
}

pub fn decode<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    T::deserialize(Js(value)).ok()
}

/// "Not a valid value of the expected type", without details.
#[derive(Debug)]
pub struct Invalid;

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid JSON for this type")
    }
}

impl std::error::Error for Invalid {}

impl de::Error for Invalid {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Invalid
    }
}

/// A parsed JSON value (as `JSON.parse` returns it).
struct Js(JsValue);

/// Largest integer a JS number holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

impl<'de> de::Deserializer<'de> for Js {
    type Error = Invalid;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        // Generic per visitor, so kept to a match; the inspection of the JS
        // value is done once, in `classify`.
        match classify(self.0)? {
            Kind::Unit => visitor.visit_unit(),
            Kind::Bool(b) => visitor.visit_bool(b),
            Kind::Unsigned(n) => visitor.visit_u64(n),
            Kind::Signed(n) => visitor.visit_i64(n),
            Kind::Float(n) => visitor.visit_f64(n),
            Kind::Text(s) => visitor.visit_string(s),
            Kind::List(items) => visitor.visit_seq(Items { items, next: 0 }),
            Kind::Object(entries) => visitor.visit_map(Fields {
                entries,
                next: 0,
                value: None,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        visitor.visit_newtype_struct(self)
    }

    /// Enums as serde writes them by default: `"unit"` or `{"variant": …}`.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        if let Some(name) = self.0.as_string() {
            return visitor.visit_enum(Variant { name, value: None });
        }
        if !self.0.is_object() || Array::is_array(&self.0) {
            return Err(Invalid);
        }
        let entries = Object::entries(&Object::from(self.0));
        if entries.length() != 1 {
            return Err(Invalid);
        }
        let pair = Array::from(&entries.get(0));
        let name = pair.get(0).as_string().ok_or(Invalid)?;
        visitor.visit_enum(Variant {
            name,
            value: Some(pair.get(1)),
        })
    }

    // The shapes serde's derives ask for by name get only their own branch:
    // `deserialize_any` is instantiated per visitor with every branch, and
    // those copies were the largest part of the panel's code.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        visitor.visit_map(fields(self.0)?)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_map(fields(self.0)?)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        if !Array::is_array(&self.0) {
            return Err(Invalid);
        }
        visitor.visit_seq(Items {
            items: Array::from(&self.0),
            next: 0,
        })
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_string(self.0.as_string().ok_or(Invalid)?)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_string(self.0.as_string().ok_or(Invalid)?)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_string(self.0.as_string().ok_or(Invalid)?)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_bool(self.0.as_bool().ok_or(Invalid)?)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct tuple tuple_struct
    }
}

/// The entries of a JSON object, for a struct or map visitor.
fn fields(v: JsValue) -> Result<Fields, Invalid> {
    if !v.is_object() || Array::is_array(&v) {
        return Err(Invalid);
    }
    Ok(Fields {
        entries: Object::entries(&Object::from(v)),
        next: 0,
        value: None,
    })
}

/// What a parsed JSON value is.
enum Kind {
    Unit,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Text(String),
    List(Array),
    /// `[key, value]` pairs.
    Object(Array),
}

#[inline(never)]
fn classify(v: JsValue) -> Result<Kind, Invalid> {
    Ok(if v.is_null() || v.is_undefined() {
        Kind::Unit
    } else if let Some(b) = v.as_bool() {
        Kind::Bool(b)
    } else if let Some(n) = v.as_f64() {
        if n.fract() == 0.0 && n.abs() <= MAX_SAFE {
            if n >= 0.0 {
                Kind::Unsigned(n as u64)
            } else {
                Kind::Signed(n as i64)
            }
        } else {
            Kind::Float(n)
        }
    } else if let Some(s) = v.as_string() {
        Kind::Text(s)
    } else if Array::is_array(&v) {
        Kind::List(Array::from(&v))
    } else if v.is_object() {
        Kind::Object(Object::entries(&Object::from(v)))
    } else {
        return Err(Invalid);
    })
}

struct Items {
    items: Array,
    next: u32,
}

impl<'de> de::SeqAccess<'de> for Items {
    type Error = Invalid;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Invalid> {
        if self.next >= self.items.length() {
            return Ok(None);
        }
        self.next += 1;
        seed.deserialize(Js(self.items.get(self.next - 1)))
            .map(Some)
    }
}

struct Fields {
    entries: Array,
    next: u32,
    value: Option<JsValue>,
}

impl<'de> de::MapAccess<'de> for Fields {
    type Error = Invalid;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Invalid> {
        if self.next >= self.entries.length() {
            return Ok(None);
        }
        let pair = Array::from(&self.entries.get(self.next));
        self.next += 1;
        self.value = Some(pair.get(1));
        seed.deserialize(Js(pair.get(0))).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Invalid> {
        seed.deserialize(Js(self.value.take().ok_or(Invalid)?))
    }
}

struct Variant {
    name: String,
    value: Option<JsValue>,
}

impl<'de> de::EnumAccess<'de> for Variant {
    type Error = Invalid;
    type Variant = Payload;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Payload), Invalid> {
        let name: de::value::StringDeserializer<Invalid> = self.name.into_deserializer();
        Ok((seed.deserialize(name)?, Payload(self.value)))
    }
}

struct Payload(Option<JsValue>);

impl<'de> de::VariantAccess<'de> for Payload {
    type Error = Invalid;

    fn unit_variant(self) -> Result<(), Invalid> {
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, Invalid> {
        seed.deserialize(Js(self.0.ok_or(Invalid)?))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, Invalid> {
        de::Deserializer::deserialize_any(Js(self.0.ok_or(Invalid)?), visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        visitor.visit_map(fields(self.0.ok_or(Invalid)?)?)
    }
}
