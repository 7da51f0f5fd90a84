//! `java.lang.Integer`, `Long`, `BigInteger`, `Double` and `Boolean` methods.

use super::{Call, exception, wrong_arity};
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
        ("compareTo", [other]) if !other.is_null() => {
            if !same_class(n, other) {
                return Some(Err(exception(
                    name,
                    "java.lang.ClassCastException",
                    format!(
                        "class {} cannot be cast to class {}",
                        java_class(other),
                        java_class(n)
                    ),
                )));
            }
            ok(Value::Int(compare(n, other) as i32))
        }
        ("signum", []) if matches!(n, Value::BigInt(_) | Value::BigDecimal(_)) => {
            ok(Value::Int(compare(n, &Value::Int(0)) as i32))
        }
        ("shortValue", []) => ok(Value::Int(i32::from(int_value(n)? as i16))),
        ("byteValue", []) => ok(Value::Int(i32::from(int_value(n)? as i8))),
        ("bitLength", []) => match n {
            Value::BigInt(b) => {
                // Java counts the bits of the two's complement form, without the sign bit.
                let magnitude = if b.sign() == num_bigint::Sign::Minus {
                    -(**b).clone() - 1
                } else {
                    (**b).clone()
                };
                ok(Value::Int(magnitude.bits() as i32))
            }
            _ => None,
        },
        ("abs" | "negate", []) if matches!(n, Value::BigInt(_)) => {
            let Value::BigInt(b) = n else { return None };
            let v = if name == "negate" || b.sign() == num_bigint::Sign::Minus {
                -(**b).clone()
            } else {
                (**b).clone()
            };
            ok(Value::BigInt(v.into()))
        }
        _ => statics(n, name, args),
    }
}

fn java_class(v: &Value) -> &'static str {
    match v {
        Value::Int(_) => "java.lang.Integer",
        Value::Long(_) => "java.lang.Long",
        Value::BigInt(_) => "java.math.BigInteger",
        Value::BigDecimal(_) => "java.math.BigDecimal",
        Value::Double(_) => "java.lang.Double",
        Value::Str(_) => "java.lang.String",
        Value::Bool(_) => "java.lang.Boolean",
        _ => "java.lang.Object",
    }
}

/// Static methods of `Integer`, `Long` and `Double`, which Velocity also finds through an
/// instance: `$n.parseInt('42')`, `$n.max(1, 2)`, `$n.toString(5)`.
fn statics(n: &Value, name: &str, args: &[Value]) -> Call {
    let is_double = matches!(n, Value::Double(_));
    let is_long = matches!(n, Value::Long(_));
    let as_long = |v: &Value| match v {
        Value::Int(x) => Some(i64::from(*x)),
        Value::Long(x) if is_long || is_double => Some(*x),
        _ => None,
    };
    match (name, args) {
        ("parseInt" | "valueOf", [Value::Str(s)]) if matches!(n, Value::Int(_)) => Some(
            s.trim_start_matches('+')
                .parse::<i32>()
                .map(Value::Int)
                .map_err(|_| {
                    exception(
                        name,
                        "java.lang.NumberFormatException",
                        format!("For input string: \"{s}\""),
                    )
                }),
        ),
        ("parseLong", [Value::Str(s)]) if is_long => {
            Some(s.parse::<i64>().map(Value::Long).map_err(|_| {
                exception(
                    name,
                    "java.lang.NumberFormatException",
                    format!("For input string: \"{s}\""),
                )
            }))
        }
        ("parseDouble", [Value::Str(s)]) if is_double => {
            Some(s.trim().parse::<f64>().map(Value::Double).map_err(|_| {
                exception(
                    name,
                    "java.lang.NumberFormatException",
                    format!("For input string: \"{s}\""),
                )
            }))
        }
        ("valueOf" | "toString", [v @ Value::Int(_)]) if matches!(n, Value::Int(_)) => {
            ok(if name == "toString" {
                Value::from(v.to_java_string())
            } else {
                v.clone()
            })
        }
        ("max" | "min" | "compare" | "sum", [a, b]) if !matches!(n, Value::BigInt(_)) => {
            if is_double {
                let (x, y) = (
                    a.is_number().then(|| as_f64(a))?,
                    b.is_number().then(|| as_f64(b))?,
                );
                if matches!(a, Value::BigInt(_)) || matches!(b, Value::BigInt(_)) {
                    return None;
                }
                return ok(match name {
                    "max" => Value::Double(x.max(y)),
                    "min" => Value::Double(x.min(y)),
                    "sum" => Value::Double(x + y),
                    _ => Value::Int(x.partial_cmp(&y).map_or(0, |o| o as i32)),
                });
            }
            let (x, y) = (as_long(a)?, as_long(b)?);
            let wrap = |r: i64| {
                if is_long {
                    Value::Long(r)
                } else {
                    Value::Int(r as i32)
                }
            };
            ok(match name {
                "max" => wrap(x.max(y)),
                "min" => wrap(x.min(y)),
                "sum" => wrap(if is_long {
                    x.wrapping_add(y)
                } else {
                    i64::from((x as i32).wrapping_add(y as i32))
                }),
                _ => Value::Int(x.cmp(&y) as i32),
            })
        }
        _ => None,
    }
}

pub(super) fn bool_call(b: bool, name: &str, args: &[Value]) -> Call {
    match (name, args) {
        ("booleanValue", []) => ok(b),
        ("compareTo", [Value::Bool(o)]) => ok(Value::Int(i32::from(b) - i32::from(*o))),
        ("compareTo", [other]) if !other.is_null() => Some(Err(exception(
            name,
            "java.lang.ClassCastException",
            format!(
                "class {} cannot be cast to class java.lang.Boolean",
                java_class(other)
            ),
        ))),
        _ => None,
    }
}
