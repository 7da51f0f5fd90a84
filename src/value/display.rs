//! Java's `toString()` of every value, which is what Velocity prints.

use std::fmt::Write;

use super::{ListStyle, Value};

/// Collections nested deeper than this print as `...`: Java would overflow its stack on a
/// cyclic structure, and a renderer must not.
const MAX_DEPTH: usize = 256;

impl Value {
    /// The value's Java `toString()`.
    pub fn to_java_string(&self) -> String {
        match self {
            Value::Str(s) => s.to_string(),
            other => {
                let mut out = String::new();
                other.write_java(&mut out);
                out
            }
        }
    }

    /// Appends the value's Java `toString()` to `out`.
    pub fn write_java(&self, out: &mut String) {
        write_java(self, out, 0);
    }
}

fn write_java(v: &Value, out: &mut String, depth: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Long(n) => {
            let _ = write!(out, "{n}");
        }
        Value::BigInt(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Double(d) => write_double(*d, out),
        Value::BigDecimal(d) => out.push_str(&d.to_java_string()),
        Value::Str(s) => out.push_str(s),
        Value::Object(o) => out.push_str(&o.to_java_string()),
        // The renderer prints defined blocks itself; outside of a render they are empty.
        Value::Define(_) => {}
        _ if depth >= MAX_DEPTH => out.push_str("..."),
        Value::List(_, ListStyle::Json) => write_json(v, out, depth),
        Value::List(items, ListStyle::Java) => {
            out.push('[');
            for (i, item) in items.borrow().iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if matches!(item, Value::List(inner, _) if std::rc::Rc::ptr_eq(inner, items)) {
                    out.push_str("(this Collection)");
                } else {
                    write_java(item, out, depth + 1);
                }
            }
            out.push(']');
        }
        Value::Map(map) => {
            out.push('{');
            for (i, (k, item)) in map.borrow().iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_java(k.value(), out, depth + 1);
                out.push('=');
                if matches!(item, Value::Map(inner) if std::rc::Rc::ptr_eq(inner, map)) {
                    out.push_str("(this Map)");
                } else {
                    write_java(item, out, depth + 1);
                }
            }
            out.push('}');
        }
    }
}

/// json-smart's compact JSON text of a value (how a `JSONArray` prints).
pub(crate) fn write_json(v: &Value, out: &mut String, depth: usize) {
    if depth >= MAX_DEPTH {
        out.push_str("...");
        return;
    }
    match v {
        Value::Null => out.push_str("null"),
        Value::Str(s) => write_json_string(s, out),
        Value::Double(d) if !d.is_finite() => out.push_str("null"),
        Value::List(items, _) => {
            out.push('[');
            for (i, item) in items.borrow().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out, depth + 1);
            }
            out.push(']');
        }
        Value::Map(map) => {
            out.push('{');
            for (i, (k, item)) in map.borrow().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(&k.value().to_java_string(), out);
                out.push(':');
                write_json(item, out, depth + 1);
            }
            out.push('}');
        }
        Value::Object(o) => write_json_string(&o.to_java_string(), out),
        other => write_java(other, out, depth),
    }
}

/// A JSON string as json-smart writes it: `/` as `\/`, and U+007F..U+009F and
/// U+2000..U+20FF as upper-case `\uXXXX`.
pub(crate) fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || ('\u{2000}'..='\u{20ff}').contains(&c) =>
            {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Java's `Double.toString(d)`: plain notation for magnitudes in [1e-3, 1e7), otherwise
/// computerized scientific notation (`1.0E7`), always with a digit after the point.
pub(crate) fn write_double(d: f64, out: &mut String) {
    if d.is_nan() {
        out.push_str("NaN");
        return;
    }
    if d.is_infinite() {
        out.push_str(if d > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if d == 0.0 {
        out.push_str(if d.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    // Shortest round-trip digits and decimal exponent, e.g. "1.2345e-5".
    let sci = format!("{:e}", d.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if d < 0.0 {
        out.push('-');
    }
    let abs = d.abs();
    if (1e-3..1e7).contains(&abs) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        out.push_str(if digits.len() > 1 { &digits[1..] } else { "0" });
        let _ = write!(out, "E{exp}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(x: f64) -> String {
        let mut s = String::new();
        write_double(x, &mut s);
        s
    }

    #[test]
    fn doubles_print_like_java() {
        assert_eq!(d(3.0), "3.0");
        assert_eq!(d(3.3000000000000003), "3.3000000000000003");
        assert_eq!(d(9999999.0), "9999999.0");
        assert_eq!(d(1e7), "1.0E7");
        assert_eq!(d(0.001), "0.001");
        assert_eq!(d(0.0001), "1.0E-4");
        assert_eq!(d(-1.5e-10), "-1.5E-10");
        assert_eq!(d(123.456), "123.456");
        assert_eq!(d(1e21), "1.0E21");
        assert_eq!(d(-0.0), "-0.0");
    }
}
