//! `java.lang.Integer`, `Long`, `BigInteger`, `Double` and `Boolean` methods.

use super::{Call, wrong_arity};
use crate::value::Value;
use crate::value::number::{as_f64, compare, int_value, long_value};

fn ok(v: impl Into<Value>) -> Call {
    Some(Ok(v.into()))
}

fn same_class(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

pub(super) fn call(n: &Value, name: &str, args: &[Value]) -> Call {
    match (name, args) {
        ("intValue", []) => ok(Value::Int(int_value(n)?)),
        ("longValue", []) => ok(Value::Long(long_value(n)?)),
        ("doubleValue", []) => ok(Value::Double(as_f64(n))),
        ("isNaN", []) if matches!(n, Value::Double(_)) => ok(as_f64(n).is_nan()),
        ("isInfinite", []) if matches!(n, Value::Double(_)) => ok(as_f64(n).is_infinite()),
        ("intValue" | "longValue" | "doubleValue", _) => Some(Err(wrong_arity(name))),
        ("equals", [other]) => ok(same_class(n, other)
            && compare(n, other).is_eq()
            && !(matches!(n, Value::Double(a) if a.to_bits() != as_f64(other).to_bits()))),
        ("compareTo", [other]) if same_class(n, other) => ok(Value::Int(compare(n, other) as i32)),
        _ => None,
    }
}

pub(super) fn bool_call(b: bool, name: &str, args: &[Value]) -> Call {
    match (name, args) {
        ("booleanValue", []) => ok(b),
        ("compareTo", [Value::Bool(o)]) => ok(Value::Int(i32::from(b) - i32::from(*o))),
        _ => None,
    }
}
