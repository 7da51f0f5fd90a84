//! `getClass()`: the Java class of a value. Templates test types with it
//! (`#if($x.class.simpleName == "String")`), and Velocity finds the getter before a
//! map's own `class` key.

use std::rc::Rc;

use super::Call;
use crate::value::{ListStyle, Object, Value};

/// The classes of the values a template works with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Type {
    String,
    Boolean,
    Integer,
    Long,
    Double,
    BigInteger,
    BigDecimal,
    ArrayList,
    JsonArray,
    LinkedHashMap,
    DefinedBlock,
    Class,
}

const TYPES: usize = 12;

impl Type {
    fn of(value: &Value) -> Option<Type> {
        Some(match value {
            Value::Str(_) => Type::String,
            Value::Bool(_) => Type::Boolean,
            Value::Int(_) => Type::Integer,
            Value::Long(_) => Type::Long,
            Value::Double(_) => Type::Double,
            Value::BigInt(_) => Type::BigInteger,
            Value::BigDecimal(_) => Type::BigDecimal,
            Value::List(_, ListStyle::Java) => Type::ArrayList,
            Value::List(_, ListStyle::Json) => Type::JsonArray,
            Value::Map(_) => Type::LinkedHashMap,
            Value::Json(json) if json.is_object() => Type::LinkedHashMap,
            Value::Json(_) => Type::JsonArray,
            Value::Define(_) => Type::DefinedBlock,
            Value::Object(o) if ClassObject::is(o) => Type::Class,
            Value::Object(_) | Value::Null => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Type::String => "java.lang.String",
            Type::Boolean => "java.lang.Boolean",
            Type::Integer => "java.lang.Integer",
            Type::Long => "java.lang.Long",
            Type::Double => "java.lang.Double",
            Type::BigInteger => "java.math.BigInteger",
            Type::BigDecimal => "java.math.BigDecimal",
            Type::ArrayList => "java.util.ArrayList",
            Type::JsonArray => "net.minidev.json.JSONArray",
            Type::LinkedHashMap => "java.util.LinkedHashMap",
            Type::DefinedBlock => "org.apache.velocity.runtime.directive.Block$Reference",
            Type::Class => "java.lang.Class",
        }
    }
}

/// A `java.lang.Class`. There is one object per class and thread, so that `==` (Java's
/// identity of classes) holds between two `getClass()` of the same class.
struct ClassObject(Type);

thread_local! {
    static OBJECTS: [Rc<ClassObject>; TYPES] = [
        Type::String,
        Type::Boolean,
        Type::Integer,
        Type::Long,
        Type::Double,
        Type::BigInteger,
        Type::BigDecimal,
        Type::ArrayList,
        Type::JsonArray,
        Type::LinkedHashMap,
        Type::DefinedBlock,
        Type::Class,
    ]
    .map(|c| Rc::new(ClassObject(c)));
}

/// `value.getClass()`, for the values whose class is known.
pub(crate) fn of(value: &Value) -> Option<Value> {
    class_object(Type::of(value)?)
}

fn class_object(class: Type) -> Option<Value> {
    OBJECTS
        .try_with(|all| {
            let object = all.iter().find(|o| o.0 == class)?;
            Some(Value::Object(Rc::clone(object) as Rc<dyn Object>))
        })
        .ok()
        .flatten()
}

/// Whether `$value.name` is `getClass()`: Velocity tries `getname` and `getName`.
pub(crate) fn is_class_property(name: &str) -> bool {
    name == "class" || name == "Class"
}

impl ClassObject {
    /// Whether `object` is one of the class objects.
    fn is(object: &Rc<dyn Object>) -> bool {
        let address = Rc::as_ptr(object) as *const ();
        OBJECTS
            .try_with(|all| all.iter().any(|o| Rc::as_ptr(o) as *const () == address))
            .unwrap_or(false)
    }

    fn simple_name(&self) -> &'static str {
        let name = self.0.name();
        let tail = name.rsplit('.').next().unwrap_or(name);
        tail.rsplit('$').next().unwrap_or(tail)
    }
}

impl Object for ClassObject {
    fn property(&self, name: &str) -> Option<Value> {
        let method = match name {
            "name" | "Name" => "getName",
            "simpleName" | "SimpleName" => "getSimpleName",
            "typeName" | "TypeName" => "getTypeName",
            "canonicalName" | "CanonicalName" => "getCanonicalName",
            "interface" | "Interface" => "isInterface",
            "array" | "Array" => "isArray",
            "class" | "Class" => "getClass",
            _ => return None,
        };
        self.call(method, &[])?.ok()
    }

    fn call(&self, name: &str, args: &[Value]) -> Call {
        let name_of = self.0.name();
        let found = match name {
            "getName" | "getTypeName" => Value::from(name_of),
            "getSimpleName" => Value::from(self.simple_name()),
            "getCanonicalName" => Value::from(name_of.replace('$', ".")),
            "isInterface" | "isArray" => Value::Bool(false),
            "getClass" => class_object(Type::Class)?,
            "toString" => Value::from(self.to_java_string()),
            // One object per class: equality is identity, as in Java.
            "equals" => {
                let [other] = args else {
                    return None;
                };
                let same = matches!(other, Value::Object(o)
                    if Rc::as_ptr(o) as *const () == self as *const ClassObject as *const ());
                return Some(Ok(Value::Bool(same)));
            }
            _ => return None,
        };
        if !args.is_empty() {
            return Some(Err(super::wrong_arity(name)));
        }
        Some(Ok(found))
    }

    fn to_java_string(&self) -> String {
        format!("class {}", self.0.name())
    }
}
