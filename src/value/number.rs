//! Arithmetic with Velocity 1.7's rules (its `MathUtils`): integer operands stay integers and
//! widen `Integer` → `Long` → `BigInteger` on overflow, a `Double` operand makes the result a
//! `Double`, and division or remainder by zero gives `null`.

use std::cmp::Ordering;
use std::rc::Rc;

use num_bigint::BigInt;
use num_traits::Zero;

use super::{BigDecimal, BigInteger, Value};

/// An arithmetic operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
}

impl MathOp {
    /// The operator's symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            MathOp::Add => "+",
            MathOp::Sub => "-",
            MathOp::Mul => "*",
            MathOp::Div => "/",
            MathOp::Rem => "%",
        }
    }
}

/// The width class of an integer operand, as `MathUtils.wrapPrimitive` ranks them.
fn width(v: &Value) -> u8 {
    match v {
        Value::Int(_) => 0,
        Value::Long(_) => 1,
        _ => 2,
    }
}

fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Int(n) => Some(i64::from(*n)),
        Value::Long(n) => Some(*n),
        _ => None,
    }
}

fn as_big(v: &Value) -> BigInt {
    match v {
        Value::Int(n) => BigInt::from(*n),
        Value::Long(n) => BigInt::from(*n),
        Value::BigInt(n) => (**n).clone(),
        Value::Double(d) => BigInt::from(*d as i64),
        _ => BigInt::zero(),
    }
}

/// The value as a Java `double` (`Number.doubleValue()`).
pub(crate) fn as_f64(v: &Value) -> f64 {
    match v {
        Value::Int(n) => f64::from(*n),
        Value::Long(n) => *n as f64,
        Value::BigInt(n) => n.to_f64().unwrap_or(f64::NAN),
        Value::Double(d) => *d,
        Value::BigDecimal(d) => d.to_f64(),
        _ => 0.0,
    }
}

/// Wraps a `long` result in the wider of the operands' types, or `Long` when an
/// `Integer` result does not fit (`MathUtils.wrapPrimitive`).
fn wrap(result: i64, a: &Value, b: &Value) -> Value {
    if width(a).max(width(b)) == 0
        && let Ok(n) = i32::try_from(result)
    {
        return Value::Int(n);
    }
    Value::Long(result)
}

fn big(n: BigInt) -> Value {
    Value::BigInt(n.into())
}

/// Bits of an operand that is a `BigInteger`, counted without converting a long text.
fn big_bits(v: &Value) -> u64 {
    match v {
        Value::BigInt(n) => n.bits(),
        _ => 0,
    }
}

fn is_zero(v: &Value) -> bool {
    match v {
        Value::Int(n) => *n == 0,
        Value::Long(n) => *n == 0,
        Value::BigInt(n) => n.is_zero(),
        Value::Double(d) => *d == 0.0,
        Value::BigDecimal(d) => d.is_zero(),
        _ => false,
    }
}

/// A Java exception raised by arithmetic: its class and message.
pub(crate) type MathError = (&'static str, String);

fn is_integer(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Long(_) | Value::BigInt(_))
}

/// The value as a `BigDecimal`, as `MathUtils.toBigDecimal` makes it: a `Long` goes
/// through its `doubleValue()`, so one beyond 2^53 is rounded.
fn as_decimal(v: &Value) -> Result<BigDecimal, MathError> {
    let double = |d: f64| {
        BigDecimal::from_f64(d).map_err(|m| ("java.lang.NumberFormatException", m.to_string()))
    };
    match v {
        Value::BigDecimal(d) => Ok((**d).clone()),
        Value::Double(d) => double(*d),
        Value::Long(n) => double(*n as f64),
        other => Ok(BigDecimal::from_int(as_big(other))),
    }
}

/// Whether Velocity computes `a op b` in `BigDecimal`: one side is a `BigDecimal`, or a
/// `BigInteger` meets a non-integer.
fn decimal_base(a: &Value, b: &Value) -> bool {
    let big = |v: &Value| matches!(v, Value::BigInt(_));
    matches!(a, Value::BigDecimal(_))
        || matches!(b, Value::BigDecimal(_))
        || ((big(a) || big(b)) && !(is_integer(a) && is_integer(b)))
}

/// `a op b` for two numbers; `Ok(None)` is Java `null` (division by zero).
pub(crate) fn arithmetic(op: MathOp, a: &Value, b: &Value) -> Result<Option<Value>, MathError> {
    // The common case first: two Integers added, subtracted or multiplied, which a long
    // always holds.
    if let (Value::Int(x), Value::Int(y)) = (a, b)
        && matches!(op, MathOp::Add | MathOp::Sub | MathOp::Mul)
    {
        let (x, y) = (i64::from(*x), i64::from(*y));
        let r = match op {
            MathOp::Add => x + y,
            MathOp::Sub => x - y,
            _ => x * y,
        };
        return Ok(Some(i32::try_from(r).map_or(Value::Long(r), Value::Int)));
    }
    if matches!(op, MathOp::Div | MathOp::Rem) && is_zero(b) {
        return Ok(None);
    }
    // Refused before converting: converting such a number is itself slow.
    if big_bits(a) + big_bits(b) > MAX_BITS {
        return Err(too_large());
    }
    if decimal_base(a, b) {
        let (x, y) = (as_decimal(a)?, as_decimal(b)?);
        if !x.fits_with(&y) {
            return Err(too_large());
        }
        let r = match op {
            MathOp::Add => x.add(&y, false),
            MathOp::Sub => x.add(&y, true),
            MathOp::Mul => x.mul(&y),
            MathOp::Div => x.div_half_down(&y),
            MathOp::Rem => {
                return Err((
                    "java.lang.ArithmeticException",
                    "Cannot calculate the modulo of BigDecimals.".to_string(),
                ));
            }
        };
        return Ok(Some(Value::BigDecimal(Rc::new(r))));
    }
    if matches!(a, Value::Double(_)) || matches!(b, Value::Double(_)) {
        let (x, y) = (as_f64(a), as_f64(b));
        return Ok(Some(Value::Double(match op {
            MathOp::Add => x + y,
            MathOp::Sub => x - y,
            MathOp::Mul => x * y,
            MathOp::Div => x / y,
            MathOp::Rem => x % y,
        })));
    }
    if let (Some(x), Some(y)) = (as_i64(a), as_i64(b)) {
        let result = match op {
            MathOp::Add => x.checked_add(y),
            MathOp::Sub => x.checked_sub(y),
            // Java's check, which lets Long.MIN_VALUE * -1 through.
            MathOp::Mul => {
                let r = x.wrapping_mul(y);
                (y == 0 || r.wrapping_div(y) == x).then_some(r)
            }
            // Java's long division wraps on MIN / -1 instead of failing.
            MathOp::Div => Some(x.wrapping_div(y)),
            MathOp::Rem => Some(x.wrapping_rem(y)),
        };
        return Ok(Some(match result {
            Some(r) => wrap(r, a, b),
            None => big_op(op, BigInt::from(x), BigInt::from(y))?,
        }));
    }
    big_op(op, as_big(a), as_big(b)).map(Some)
}

/// Largest integer, in bits, arithmetic may produce: Java would go on, but a renderer must
/// stay bounded.
const MAX_BITS: u64 = 1_000_000;

fn too_large() -> MathError {
    (
        "java.lang.ArithmeticException",
        "the number would be too large".to_string(),
    )
}

fn big_op(op: MathOp, x: BigInt, y: BigInt) -> Result<Value, MathError> {
    if x.bits() + y.bits() > MAX_BITS {
        return Err(too_large());
    }
    Ok(big(match op {
        MathOp::Add => x + y,
        MathOp::Sub => x - y,
        MathOp::Mul => x * y,
        MathOp::Div => x / y,
        // `BigInteger.mod`: never negative, and only for a positive modulus.
        MathOp::Rem => {
            if y.sign() != num_bigint::Sign::Plus {
                return Err((
                    "java.lang.ArithmeticException",
                    "BigInteger: modulus not positive".to_string(),
                ));
            }
            ((x % &y) + &y) % &y
        }
    }))
}

/// Numeric comparison as Velocity's operators do it (`MathUtils.compare`), which fails when
/// a `BigInteger` or `BigDecimal` meets an infinite or NaN double.
pub(crate) fn try_compare(a: &Value, b: &Value) -> Result<Ordering, MathError> {
    if decimal_base(a, b) {
        let (x, y) = (as_decimal(a)?, as_decimal(b)?);
        if !x.fits_with(&y) {
            return Err(too_large());
        }
        return Ok(x.cmp_value(&y));
    }
    Ok(compare(a, b))
}

/// Numeric comparison across number types.
pub(crate) fn compare(a: &Value, b: &Value) -> Ordering {
    if decimal_base(a, b)
        && let (Ok(x), Ok(y)) = (as_decimal(a), as_decimal(b))
        && x.fits_with(&y)
    {
        return x.cmp_value(&y);
    }
    if matches!(a, Value::Double(_)) || matches!(b, Value::Double(_)) {
        let (x, y) = (as_f64(a), as_f64(b));
        return x.partial_cmp(&y).unwrap_or(Ordering::Equal);
    }
    match (as_i64(a), as_i64(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        // Integers compared by their texts, which needs no conversion.
        _ => {
            fn text(v: &Value) -> std::borrow::Cow<'_, str> {
                match v {
                    Value::BigInt(n) => std::borrow::Cow::Borrowed(n.text()),
                    other => std::borrow::Cow::Owned(as_big(other).to_string()),
                }
            }
            super::bigint::cmp_texts(&text(a), &text(b))
        }
    }
}

/// An integer's value from its digits: `Integer` when it fits, else `Long`, else
/// `BigInteger` (kept as text until an operation needs its value).
pub(crate) fn integer_text(digits: &str) -> Value {
    if let Ok(n) = digits.parse::<i32>() {
        Value::Int(n)
    } else if let Ok(n) = digits.parse::<i64>() {
        Value::Long(n)
    } else {
        BigInteger::from_digits(digits).map_or(Value::Int(0), Value::BigInt)
    }
}

/// Literals kept per thread: a template evaluates the same literal again and again, and
/// a `BigInteger` is immutable, so one converted value serves every evaluation.
const KEPT_LITERALS: usize = 8;

thread_local! {
    static LITERALS: std::cell::RefCell<Vec<BigInteger>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An integer literal of a template's value (see [`integer_text`]).
pub(crate) fn integer_literal(digits: &str) -> Value {
    let Value::BigInt(fresh) = integer_text(digits) else {
        return integer_text(digits);
    };
    LITERALS.with(|kept| {
        let mut kept = kept.borrow_mut();
        if let Some(n) = kept.iter().find(|n| **n == fresh) {
            return Value::BigInt(n.clone());
        }
        if kept.len() == KEPT_LITERALS {
            kept.remove(0);
        }
        kept.push(fresh.clone());
        Value::BigInt(fresh)
    })
}

/// The value as a Java `int` (`Number.intValue()`), if it is a number.
pub(crate) fn int_value(v: &Value) -> Option<i32> {
    match v {
        Value::Int(n) => Some(*n),
        Value::Long(n) => Some(*n as i32),
        Value::BigInt(n) => Some(n.low_u64() as i32),
        Value::Double(d) => Some(*d as i32),
        Value::BigDecimal(d) => int_value(&big(d.truncated_low_bits())),
        _ => None,
    }
}

/// The value as a Java `long` (`Number.longValue()`), if it is a number.
pub(crate) fn long_value(v: &Value) -> Option<i64> {
    match v {
        Value::Int(n) => Some(i64::from(*n)),
        Value::Long(n) => Some(*n),
        Value::BigInt(n) => Some(n.low_u64() as i64),
        Value::Double(d) => Some(*d as i64),
        Value::BigDecimal(d) => long_value(&big(d.truncated_low_bits())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: Result<Option<Value>, MathError>) -> String {
        v.expect("no arithmetic exception")
            .map_or("null".into(), |v| {
                format!("{}:{}", v.type_name(), v.to_java_string())
            })
    }

    #[test]
    fn widening_and_division() {
        assert_eq!(
            s(arithmetic(
                MathOp::Add,
                &Value::Int(i32::MAX),
                &Value::Int(1)
            )),
            "Long:2147483648"
        );
        assert_eq!(
            s(arithmetic(
                MathOp::Mul,
                &Value::Long(i64::MAX),
                &Value::Int(2)
            )),
            "BigInteger:18446744073709551614"
        );
        assert_eq!(
            s(arithmetic(MathOp::Div, &Value::Int(-7), &Value::Int(2))),
            "Integer:-3"
        );
        assert_eq!(
            s(arithmetic(MathOp::Rem, &Value::Int(-7), &Value::Int(3))),
            "Integer:-1"
        );
        assert_eq!(
            s(arithmetic(MathOp::Div, &Value::Int(1), &Value::Int(0))),
            "null"
        );
        assert_eq!(
            s(arithmetic(MathOp::Mul, &Value::Int(3), &Value::Double(1.1))),
            "Double:3.3000000000000003"
        );
    }
}
