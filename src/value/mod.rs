//! The values a template works with, modelled on the Java objects Velocity 1.7 sees.
//!
//! Strings are shared (`Arc<str>`) so that a literal costs no allocation when it is
//! evaluated; lists and maps are shared and mutable (`Rc<RefCell<..>>`) because Java
//! collections are references: `#set($b = $a)$b.add(1)` changes `$a` too.

pub(crate) mod bigint;
mod convert;
mod decimal;
pub(crate) mod display;
pub(crate) mod document;
mod double;
pub(crate) mod key;
mod map;
pub(crate) mod number;

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

pub use bigint::BigInteger;
pub use decimal::BigDecimal;
pub use document::Json;

/// Appends the value as json-smart writes JSON (how `$input.json` and JSON lists print).
pub(crate) fn write_json(v: &Value, out: &mut String) {
    let start = out.len();
    display::write_json(v, out, 0);
    crate::limits::burn_text(out.len() - start);
}
pub use key::Key;

use crate::Error;

/// A list's elements, shared like a Java `List` reference.
pub type ListRef = Rc<RefCell<Vec<Value>>>;
/// A map's entries in insertion order, shared like a Java `LinkedHashMap` reference.
pub type MapRef = Rc<RefCell<Map>>;
pub use map::Map;

/// A value as a template sees it: one of the Java types Velocity works with.
#[derive(Clone)]
// The payload of every variant starts 8 bytes in: values are moved all the time, and
// aligned copies are cheaper than Rust's packed layout (the tag and a `bool` together).
#[repr(C)]
pub enum Value {
    /// Java `null`: an absent value inside a collection or a method result.
    Null,
    /// `java.lang.Boolean`.
    Bool(bool),
    /// `java.lang.Integer`.
    Int(i32),
    /// `java.lang.Long`.
    Long(i64),
    /// `java.math.BigInteger`.
    BigInt(BigInteger),
    /// `java.lang.Double`.
    Double(f64),
    /// `java.math.BigDecimal`.
    BigDecimal(Rc<BigDecimal>),
    /// `java.lang.String`.
    Str(Arc<str>),
    /// A `java.util.List`; `json` lists print as compact JSON (json-smart's `JSONArray`),
    /// the others as `[a, b]` (`ArrayList`).
    List(ListRef, ListStyle),
    /// A `java.util.LinkedHashMap`, printing as `{k=v, k2=v2}`.
    Map(MapRef),
    /// An object or array of a JSON payload, read in place: it is the `LinkedHashMap` or
    /// JSON list it stands for, made only when a template needs it whole.
    Json(Json),
    /// An object implemented in Rust with its own properties and methods.
    Object(Rc<dyn Object>),
    /// A `#define`d block; it prints by rendering the block with the variables of the moment.
    Define(Rc<DefinedBlock>),
}

/// The block a `#define` bound to a variable.
#[derive(Clone)]
pub struct DefinedBlock {
    pub(crate) body: Arc<crate::syntax::ast::Block>,
    pub(crate) source: Arc<str>,
}

/// How a list prints: the Java class it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListStyle {
    /// `java.util.ArrayList` (and Java arrays, which Velocity wraps as lists): `[a, b]`.
    Java,
    /// json-smart's `JSONArray`: compact JSON, `["a",1]`.
    Json,
}

/// An object implemented in Rust that a template can use like a Java object:
/// `$obj.name` reads a property, `$obj.name(args)` calls a method.
///
/// ```
/// use std::rc::Rc;
/// use vtl::{Context, Object, Template, Value};
///
/// struct Greeter;
/// impl Object for Greeter {
///     fn property(&self, name: &str) -> Option<Value> {
///         (name == "greeting").then(|| Value::from("hello"))
///     }
///     fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, vtl::Error>> {
///         match (name, args) {
///             ("greet", [who]) => Some(Ok(Value::from(format!("hello, {}", who.to_java_string())))),
///             _ => None,
///         }
///     }
///     fn to_java_string(&self) -> String {
///         "Greeter".to_string()
///     }
/// }
///
/// let mut ctx = Context::new();
/// ctx.insert_object("g", Rc::new(Greeter));
/// let t = Template::parse("$g.greeting / $g.greet('you')").unwrap();
/// assert_eq!(t.render(&ctx).unwrap(), "hello / hello, you");
/// ```
pub trait Object {
    /// The value of property `name`, as Velocity's `getName()`/`isName()`/`get("name")`
    /// lookup would find it; `None` when there is no such property (or it is null).
    fn property(&self, name: &str) -> Option<Value> {
        let _ = name;
        None
    }

    /// Calls method `name`. `None` means there is no such method (Velocity then leaves
    /// the reference unresolved); `Some(Err(..))` is an exception that fails the render.
    /// A method returning Java `null` gives `Some(Ok(Value::Null))`.
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, Error>> {
        let _ = (name, args);
        None
    }

    /// `$obj[key]`; `None` when there is nothing at that key.
    fn index(&self, key: &Value) -> Option<Value> {
        let _ = key;
        None
    }

    /// `#set($obj.key = value)` or `#set($obj[key] = value)`. `None` means the object
    /// takes no assignment (the `#set` does nothing, as in Velocity).
    fn assign(&self, key: &Value, value: Value) -> Option<Result<(), Error>> {
        let _ = (key, value);
        None
    }

    /// The object's `toString()`.
    fn to_java_string(&self) -> String;

    /// What `#foreach` iterates over this object, if it is iterable.
    fn iterate(&self) -> Option<Vec<Value>> {
        None
    }
}

impl Value {
    /// A new `ArrayList` of the given items.
    pub fn new_list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(items)), ListStyle::Java)
    }

    /// A new `LinkedHashMap` with the given entries.
    pub fn new_map(entries: Map) -> Value {
        Value::Map(Rc::new(RefCell::new(entries)))
    }

    /// The empty string.
    pub fn empty_string() -> Value {
        Value::Str(Arc::from(""))
    }

    /// Whether this is Java `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether this is one of the number types.
    pub fn is_number(&self) -> bool {
        matches!(
            self,
            Value::Int(_)
                | Value::Long(_)
                | Value::BigInt(_)
                | Value::Double(_)
                | Value::BigDecimal(_)
        )
    }

    /// The string, if this is a `String`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value itself, with a payload's container made into the map or list it stands
    /// for.
    pub fn resolve(&self) -> std::borrow::Cow<'_, Value> {
        match self {
            Value::Json(json) => std::borrow::Cow::Owned(json.value()),
            other => std::borrow::Cow::Borrowed(other),
        }
    }

    /// Velocity's truth value of a reference: false only for `null` and `false`.
    pub fn is_truthy(&self) -> bool {
        !matches!(self, Value::Null | Value::Bool(false))
    }

    /// The Java class name Velocity would report for the value.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "Boolean",
            Value::Int(_) => "Integer",
            Value::Long(_) => "Long",
            Value::BigInt(_) => "BigInteger",
            Value::Double(_) => "Double",
            Value::BigDecimal(_) => "BigDecimal",
            Value::Str(_) => "String",
            Value::List(..) => "ArrayList",
            Value::Map(_) => "LinkedHashMap",
            Value::Json(json) if json.is_object() => "LinkedHashMap",
            Value::Json(_) => "ArrayList",
            Value::Object(_) => "Object",
            Value::Define(_) => "Block",
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "{s:?}"),
            other => write!(f, "{}({})", other.type_name(), other.to_java_string()),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(Arc::from(s))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i32> for Value {
    fn from(n: i32) -> Value {
        Value::Int(n)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Long(n)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Double(n)
    }
}
