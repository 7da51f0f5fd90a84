//! Values from JSON: objects become `LinkedHashMap`s, arrays lists, numbers the narrowest
//! Java number type that holds them.

use std::cell::RefCell;
use std::rc::Rc;

use super::{Key, ListStyle, Value};

impl Value {
    /// The value as JSON: maps become objects (keys by `toString()`), lists arrays,
    /// other objects their `toString()`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(n) => J::from(*n),
            Value::Long(n) => J::from(*n),
            Value::Double(d) => serde_json::Number::from_f64(*d).map_or(J::Null, J::Number),
            Value::BigInt(_) | Value::BigDecimal(_) => self
                .to_java_string()
                .parse::<serde_json::Number>()
                .map_or_else(|_| J::String(self.to_java_string()), J::Number),
            Value::Str(s) => J::String(s.to_string()),
            Value::List(items, _) => J::Array(items.borrow().iter().map(Value::to_json).collect()),
            Value::Map(map) => J::Object(
                map.borrow()
                    .iter()
                    .map(|(k, v)| (k.value().to_java_string(), v.to_json()))
                    .collect(),
            ),
            Value::Json(json) => json.value().to_json(),
            Value::Object(o) => J::String(o.to_java_string()),
            Value::Define(_) => J::Null,
        }
    }

    /// Converts JSON to a value; arrays become `ArrayList`s (printing as `[a, b]`).
    ///
    /// ```
    /// let v = vtl::Value::from_json(&serde_json::json!({"a": [1, "x"], "b": null}));
    /// assert_eq!(v.to_java_string(), "{a=[1, x], b=null}");
    /// ```
    pub fn from_json(json: &serde_json::Value) -> Value {
        Value::from_json_styled(json, ListStyle::Java)
    }

    /// Converts JSON to a value whose arrays print in the given style.
    pub fn from_json_styled(json: &serde_json::Value, style: ListStyle) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    i32::try_from(i).map_or(Value::Long(i), Value::Int)
                } else {
                    // Integers beyond `Long` stay exact (the number keeps its text).
                    match super::BigInteger::from_digits(&n.to_string()) {
                        Some(b) => Value::BigInt(b),
                        None => Value::Double(n.as_f64().unwrap_or(f64::NAN)),
                    }
                }
            }
            serde_json::Value::String(s) => Value::from(s.as_str()),
            serde_json::Value::Array(items) => Value::List(
                Rc::new(RefCell::new(
                    items
                        .iter()
                        .map(|v| Value::from_json_styled(v, style))
                        .collect(),
                )),
                style,
            ),
            serde_json::Value::Object(map) => {
                let entries: super::Map = map
                    .iter()
                    .map(|(k, v)| (Key::from(k.as_str()), Value::from_json_styled(v, style)))
                    .collect();
                Value::new_map(entries)
            }
        }
    }
}
