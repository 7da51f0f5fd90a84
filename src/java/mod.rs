//! The Java methods and properties templates call on values, with the argument matching
//! of Velocity 1.7's introspection: a method exists only for arguments of fitting types,
//! otherwise the reference stays unresolved.

mod class;
pub(crate) mod collections;
mod number;
pub mod regex;
mod string;
pub(crate) mod surrogate;

use crate::value::Value;
use crate::{Error, ErrorKind};

/// The result of looking a method up: `None` when there is no such method.
pub(crate) type Call = Option<Result<Value, Error>>;

pub(crate) use crate::limits::MAX_STRING;
pub(crate) use class::is_class_property;
pub(crate) use string::{from_units, java_trim};

/// A Java exception thrown by a method, failing the render.
pub(crate) fn exception(method: &str, class: &str, message: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Render,
        format!("invocation of method '{method}' threw {class}: {message}"),
    )
}

/// What a `void` method gives: Velocity prints it as nothing in every null mode.
pub(crate) fn void() -> Call {
    Some(Ok(Value::empty_string()))
}

/// `$value.name`: a map's key, else `getName()`, else `isName()`.
pub(crate) fn property(value: &Value, name: &str) -> Option<Value> {
    // The getter `getClass()` comes before a map's key.
    if class::is_class_property(name) && !matches!(value, Value::Object(_)) {
        return class::of(value);
    }
    match value {
        Value::Map(map) => map
            .borrow()
            .get(&crate::value::key::StrKey(name))
            .filter(|v| !v.is_null())
            .cloned(),
        Value::Json(json) => match json.built() {
            Some(built) => property(&built, name),
            None if json.is_object() => json.get(name).filter(|v| !v.is_null()),
            None => property(&json.value(), name),
        },
        Value::Object(o) => o.property(name),
        Value::Define(_) | Value::Null => None,
        _ => {
            let mut cap = String::with_capacity(name.len() + 3);
            let mut chars = name.chars();
            let first = chars.next()?;
            cap.extend(first.to_uppercase());
            cap.push_str(chars.as_str());
            for prefix in ["get", "is"] {
                let method = format!("{prefix}{cap}");
                if let Some(Ok(v)) = call(value, &method, &[]) {
                    return (!v.is_null()).then_some(v);
                }
            }
            None
        }
    }
}

/// `$value.name(args)`.
pub(crate) fn call(value: &Value, name: &str, args: &[Value]) -> Call {
    // A payload's container is its map or list to a method, and so it is when passed to
    // one: a collection then holds the very object, as in Java.
    if args.iter().any(|a| matches!(a, Value::Json(_))) {
        let args: Vec<Value> = args.iter().map(|a| a.resolve().into_owned()).collect();
        return call(value, name, &args);
    }
    let found = match value {
        Value::Json(json) => return json_call(json, name, args),
        Value::Str(s) => string::call(s, name, args),
        // `clone()`: a shallow copy of the same class.
        Value::List(items, _) if name == "clone" && !copied(items.borrow().len()) => {
            return void();
        }
        Value::Map(map) if name == "clone" && !copied(map.borrow().len()) => {
            return void();
        }
        Value::List(items, style) if name == "clone" && args.is_empty() => {
            return Some(Ok(Value::List(
                std::rc::Rc::new(std::cell::RefCell::new(items.borrow().clone())),
                *style,
            )));
        }
        Value::Map(map) if name == "clone" && args.is_empty() => {
            return Some(Ok(Value::new_map(map.borrow().clone())));
        }
        // json-smart's `JSONArray` writes itself as JSON.
        Value::List(_, crate::value::ListStyle::Json)
            if name == "toJSONString" && args.is_empty() =>
        {
            let mut text = String::new();
            crate::value::write_json(value, &mut text);
            Some(Ok(Value::from(text)))
        }
        Value::List(items, _) => collections::list_call(items, name, args),
        Value::Map(map) => collections::map_call(map, name, args),
        Value::Int(_)
        | Value::Long(_)
        | Value::BigInt(_)
        | Value::Double(_)
        | Value::BigDecimal(_) => number::call(value, name, args),
        Value::Bool(b) => number::bool_call(*b, name, args),
        Value::Object(o) => return o.call(name, args),
        Value::Null => return None,
        // Only `Object`'s methods (the evaluator renders the block for `toString()`).
        Value::Define(_) => None,
    };
    found.or_else(|| common(value, name, args))
}

/// A method of a payload's container: what reads one value reads the document, the rest
/// is the method of the map or list it stands for.
fn json_call(json: &crate::value::Json, name: &str, args: &[Value]) -> Call {
    if let Some(built) = json.built() {
        return call(&built, name, args);
    }
    match (name, args, json.is_object()) {
        ("get", [Value::Str(key)], true) => Some(Ok(json.get(key).unwrap_or(Value::Null))),
        ("size", [], false) => Some(Ok(Value::Int(json.len() as i32))),
        ("isEmpty", [], false) => Some(Ok(Value::Bool(json.len() == 0))),
        ("get", [Value::Int(i)], false) if usize::try_from(*i).is_ok_and(|i| i < json.len()) => {
            Some(Ok(json.item(*i as usize).unwrap_or(Value::Null)))
        }
        _ => call(&json.value(), name, args),
    }
}

/// Takes the work and memory of copying `elements` into a new collection; false when
/// the render has not that much left.
pub(crate) fn copied(elements: usize) -> bool {
    crate::limits::burn(elements) && crate::limits::build_elements(elements)
}

/// Methods every Java object has.
fn common(value: &Value, name: &str, args: &[Value]) -> Call {
    match (name, args) {
        ("toString", []) => Some(Ok(Value::from(value.to_java_string()))),
        ("equals", [other]) => Some(Ok(Value::Bool(crate::value::key::java_equals(
            value, other,
        )))),
        ("hashCode", []) => Some(Ok(Value::Int(hash_code(value)))),
        ("getClass", []) => class::of(value).map(Ok),
        ("toString" | "hashCode" | "getClass", _) => Some(Err(wrong_arity(name))),
        _ => None,
    }
}

/// Velocity lets a method without parameters be called with arguments, then Java's
/// reflection throws.
pub(crate) fn wrong_arity(method: &str) -> Error {
    exception(
        method,
        "java.lang.IllegalArgumentException",
        "wrong number of arguments",
    )
}

/// Java's `hashCode()` of a value.
pub(crate) fn hash_code(value: &Value) -> i32 {
    crate::limits::with_budget(crate::value::key::MAX_VISITS, |budget| {
        hash_code_at(value, 0, budget)
    })
}

/// Like `hash_code`, giving up (0) past the nesting and visits equality allows, where
/// Java would overflow its stack on a collection that contains itself.
fn hash_code_at(value: &Value, depth: usize, budget: &mut usize) -> i32 {
    if depth > crate::value::key::MAX_DEPTH || *budget == 0 {
        return 0;
    }
    *budget -= 1;
    match value {
        Value::Null => 0,
        Value::Bool(b) => {
            if *b {
                1231
            } else {
                1237
            }
        }
        Value::Int(n) => *n,
        Value::Long(n) => (*n ^ (*n >> 32)) as i32,
        Value::Double(d) => {
            let bits = if d.is_nan() {
                0x7ff8_0000_0000_0000
            } else {
                d.to_bits()
            };
            (bits ^ (bits >> 32)) as i32
        }
        // Measured about four times the cost of reading UTF-16 units alone.
        Value::Str(s) if !crate::limits::burn(s.len() / 4) => 0,
        Value::Str(s) => {
            surrogate::units(s).fold(0i32, |h, u| h.wrapping_mul(31).wrapping_add(i32::from(u)))
        }
        Value::List(items, _) => items.borrow().iter().fold(1i32, |h, v| {
            h.wrapping_mul(31)
                .wrapping_add(hash_code_at(v, depth + 1, budget))
        }),
        Value::Map(map) => map
            .borrow()
            .iter()
            .map(|(k, v)| {
                hash_code_at(k.value(), depth + 1, budget) ^ hash_code_at(v, depth + 1, budget)
            })
            .fold(0i32, i32::wrapping_add),
        Value::Json(json) => hash_code_at(&json.value(), depth + 1, budget),
        Value::BigInt(n) => n.to_string().len() as i32,
        Value::BigDecimal(n) => n.to_java_string().len() as i32,
        Value::Object(o) => hash_code(&Value::from(o.to_java_string())),
        Value::Define(_) => 0,
    }
}

/// An `int` parameter accepts an `Integer` only (Velocity does not narrow a `Long`).
pub(crate) fn int_arg(v: &Value) -> Option<i32> {
    match v {
        Value::Int(n) => Some(*n),
        _ => None,
    }
}
