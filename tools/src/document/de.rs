//! serde over [`Node`]s: readers are `#[derive(Deserialize)]` structs, and every error
//! points at the value it is about. A [`Sourced`](vtl::apigateway::Sourced) template or
//! pattern receives its text with the file position of each character.

use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::{Node, Value, error_at};
use vtl::Error;

/// Reads a `T` from `node` of `file`.
///
/// ```
/// use vtl_tools::document::{Document, de::from_node};
///
/// #[derive(Debug, serde::Deserialize)]
/// struct Greeting { name: String, times: u8 }
///
/// let doc = Document::parse("g.yaml", "name: Ada\ntimes: many\n").unwrap();
/// let err = from_node::<Greeting>(&doc.file, &doc.root).unwrap_err();
/// assert_eq!(err.to_string(), "g.yaml:2:8: invalid type: string \"many\", expected u8");
/// ```
pub fn from_node<'de, T: de::Deserialize<'de>>(
    file: &'de Arc<str>,
    node: &'de Node,
) -> Result<T, Error> {
    T::deserialize(NodeDeserializer { node, file }).map_err(|e| {
        let (line, column) = e.at.unwrap_or((node.line, node.column));
        error_at(file, line, column, e.message)
    })
}

/// An error and the position of the innermost value it is about.
#[derive(Debug)]
pub struct DeError {
    message: String,
    at: Option<(u32, u32)>,
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> DeError {
        DeError {
            message: msg.to_string(),
            at: None,
        }
    }

    // Serde quotes the unknown key; one that is no field name at all (a line of some other
    // file) is not repeated, as it may be a secret.
    fn unknown_field(field: &str, expected: &'static [&'static str]) -> DeError {
        let name_like = field.len() <= 64
            && field
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.$/{}".contains(c));
        if name_like {
            return DeError::custom(format_args!(
                "unknown field `{field}`, expected {}",
                OneOf(expected)
            ));
        }
        DeError::custom(format_args!(
            "unknown field (not a field name), expected {}",
            OneOf(expected)
        ))
    }
}

/// `one of `a`, `b``, as serde lists expected fields.
struct OneOf(&'static [&'static str]);

impl fmt::Display for OneOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [] => f.write_str("no fields"),
            [only] => write!(f, "`{only}`"),
            all => {
                f.write_str("one of ")?;
                for (i, name) in all.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "`{name}`")?;
                }
                Ok(())
            }
        }
    }
}

/// A deserializer of one node.
#[derive(Clone, Copy)]
pub struct NodeDeserializer<'a> {
    node: &'a Node,
    file: &'a Arc<str>,
}

impl<'a> NodeDeserializer<'a> {
    fn placed<T>(&self, r: Result<T, DeError>) -> Result<T, DeError> {
        r.map_err(|mut e| {
            e.at.get_or_insert((self.node.line, self.node.column));
            e
        })
    }

    fn unexpected(&self) -> de::Unexpected<'a> {
        match &self.node.value {
            Value::Null => de::Unexpected::Unit,
            Value::Bool(b) => de::Unexpected::Bool(*b),
            Value::Number(n) => de::Unexpected::Other(n),
            Value::String(t) => de::Unexpected::Str(&t.text),
            Value::Seq(_) => de::Unexpected::Seq,
            Value::Map(_) => de::Unexpected::Map,
        }
    }
}

macro_rules! forward_to_any {
    ($($name:ident)*) => {$(
        fn $name<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            self.deserialize_any(visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for NodeDeserializer<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Ok(u) = n.parse::<u64>() {
                    visitor.visit_u64(u)
                } else if let Ok(i) = n.parse::<i64>() {
                    visitor.visit_i64(i)
                } else if let Ok(f) = n.parse::<f64>() {
                    visitor.visit_f64(f)
                } else {
                    visitor.visit_str(n)
                }
            }
            Value::String(t) => visitor.visit_str(&t.text),
            Value::Seq(items) => visitor.visit_seq(Items {
                items: items.iter(),
                file: self.file,
            }),
            Value::Map(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                value: None,
                file: self.file,
            }),
        };
        self.placed(r)
    }

    /// Scalars read as text where text is wanted: `StatusCode: 200` is `"200"`.
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            Value::Bool(b) => visitor.visit_str(if *b { "true" } else { "false" }),
            Value::Number(n) => visitor.visit_str(n),
            _ => return self.deserialize_any(visitor),
        };
        self.placed(r)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.node.value {
            Value::Null => self.placed(visitor.visit_none()),
            _ => self.placed(visitor.visit_some(self)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name == vtl::apigateway::LOCATED
            && let Value::String(t) = &self.node.value
        {
            let anchors: Vec<[u32; 3]> = t
                .anchors
                .iter()
                .map(|a| [a.offset, a.line, a.column])
                .collect();
            let map = serde_json::json!({"text": t.text, "file": &**self.file, "anchors": anchors});
            let r = visitor.visit_map(JsonMap(
                map.as_object().cloned().unwrap_or_default().into_iter(),
                None,
            ));
            return self.placed(r);
        }
        self.placed(visitor.visit_newtype_struct(self))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            Value::String(t) => visitor.visit_enum(t.text.as_str().into_deserializer()),
            Value::Map(entries) if entries.len() == 1 => visitor.visit_enum(Variant {
                key: &entries[0].0,
                value: &entries[0].1,
                file: self.file,
            }),
            _ => Err(de::Error::invalid_type(
                self.unexpected(),
                &"a variant name",
            )),
        };
        self.placed(r)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    forward_to_any! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_f32
        deserialize_f64 deserialize_char deserialize_bytes deserialize_byte_buf
        deserialize_seq deserialize_map deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }
}

struct Items<'a> {
    items: std::slice::Iter<'a, Node>,
    file: &'a Arc<str>,
}

impl<'de> de::SeqAccess<'de> for Items<'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            None => Ok(None),
            Some(node) => seed
                .deserialize(NodeDeserializer {
                    node,
                    file: self.file,
                })
                .map(Some),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Entries<'a> {
    entries: std::slice::Iter<'a, (Node, Node)>,
    value: Option<&'a Node>,
    file: &'a Arc<str>,
}

impl<'de> de::MapAccess<'de> for Entries<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        let d = NodeDeserializer {
            node: key,
            file: self.file,
        };
        d.placed(seed.deserialize(d)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let node = self.value.take().expect("a value follows its key");
        seed.deserialize(NodeDeserializer {
            node,
            file: self.file,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct Variant<'a> {
    key: &'a Node,
    value: &'a Node,
    file: &'a Arc<str>,
}

impl<'de> de::EnumAccess<'de> for Variant<'de> {
    type Error = DeError;
    type Variant = NodeDeserializer<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), DeError> {
        let key = NodeDeserializer {
            node: self.key,
            file: self.file,
        };
        let v = key.placed(seed.deserialize(key))?;
        Ok((
            v,
            NodeDeserializer {
                node: self.value,
                file: self.file,
            },
        ))
    }
}

impl<'de> de::VariantAccess<'de> for NodeDeserializer<'de> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}

/// The entries of a located text, handed to [`Sourced`](vtl::apigateway::Sourced).
struct JsonMap(serde_json::map::IntoIter, Option<serde_json::Value>);

impl<'de> de::MapAccess<'de> for JsonMap {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((k, v)) = self.0.next() else {
            return Ok(None);
        };
        self.1 = Some(v);
        seed.deserialize(k.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let v = self.1.take().unwrap_or_default();
        seed.deserialize(v)
            .map_err(|e| de::Error::custom(e.to_string()))
    }
}
