//! Java's `toString()` of every value, which is what Velocity prints.

use std::fmt::Write;

use super::{ListStyle, Value};

/// Collections nested deeper than this print as `...`: Java would overflow its stack on a
/// cyclic structure, and a renderer must not.
pub(crate) const MAX_DEPTH: usize = 256;

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
        let start = out.len();
        write_java(self, out, 0);
        crate::limits::burn_text(out.len() - start);
    }
}

pub(crate) fn write_java(v: &Value, out: &mut String, depth: usize) {
    if out.len() > crate::limits::max_string() {
        return;
    }
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => push_integer(out, i64::from(*n)),
        Value::Long(n) => push_integer(out, *n),
        Value::BigInt(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Double(d) => super::double::write_double(*d, out),
        Value::BigDecimal(d) => out.push_str(&d.to_java_string()),
        Value::Str(s) => out.push_str(s),
        Value::Object(o) => out.push_str(&o.to_java_string()),
        // The renderer prints defined blocks itself; outside of a render they are empty.
        Value::Define(_) => {}
        _ if depth >= MAX_DEPTH => out.push_str("..."),
        Value::Json(json) => match json.built() {
            Some(built) => write_java(&built, out, depth),
            None => json.write(out, depth, false),
        },
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
                if matches!(k.value(), Value::Map(inner) if std::rc::Rc::ptr_eq(inner, map)) {
                    out.push_str("(this Map)");
                } else {
                    write_java(k.value(), out, depth + 1);
                }
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

/// Appends an integer in decimal, without going through `core::fmt`.
fn push_integer(out: &mut String, n: i64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        out.push('-');
    }
    for &digit in &digits[start..] {
        out.push(char::from(digit));
    }
}

/// json-smart's compact JSON text of a value (how a `JSONArray` prints).
pub(crate) fn write_json(v: &Value, out: &mut String, depth: usize) {
    if out.len() > crate::limits::max_string() {
        return;
    }
    if depth >= MAX_DEPTH {
        out.push_str("...");
        return;
    }
    match v {
        Value::Null => out.push_str("null"),
        Value::Json(json) => match json.built() {
            Some(built) => write_json(&built, out, depth),
            None => json.write(out, depth, true),
        },
        Value::Str(s) => write_json_string(s, out),
        Value::Double(d) if d.is_infinite() => out.push_str("null"),
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
                match k.value() {
                    Value::Str(s) => write_json_string(s, out),
                    other => write_json_string(&other.to_java_string(), out),
                }
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
    const PLAIN: [bool; 256] = plain_ascii(b"\"\\/");
    out.push('"');
    match first_escape(s, &PLAIN) {
        None => out.push_str(s),
        Some(first) => escape_into(
            s,
            first,
            &PLAIN,
            |c, out| match c {
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
                    push_unicode_escape(out, c as u16);
                }
                c => out.push(c),
            },
            out,
        ),
    }
    out.push('"');
}

/// Which bytes an escaper copies as they are: the printable ASCII ones except `special`
/// (a table of every byte value, so that a lookup needs no range check).
pub(crate) const fn plain_ascii(special: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = b' ';
    while b < 0x7f {
        table[b as usize] = true;
        b += 1;
    }
    let mut i = 0;
    while i < special.len() {
        table[special[i] as usize] = false;
        i += 1;
    }
    table
}

/// Where the first byte of `s` that `plain` does not mark is, if any.
pub(crate) fn first_escape(s: &str, plain: &[bool; 256]) -> Option<usize> {
    s.bytes().position(|b| !plain[usize::from(b)])
}

/// Appends `s` escaped to `out`, from `first` on (what `first_escape` found; the bytes
/// before it are copied): runs of the ASCII bytes that `plain` marks are copied at once,
/// every other character goes through `escape`.
pub(crate) fn escape_into(
    s: &str,
    first: usize,
    plain: &[bool; 256],
    escape: impl Fn(char, &mut String),
    out: &mut String,
) {
    let bytes = s.as_bytes();
    let (mut i, mut run) = (first, 0);
    while i < bytes.len() {
        let b = bytes[i];
        if plain[usize::from(b)] {
            i += 1;
            continue;
        }
        // `i` only ever moves over whole characters: it is on a boundary.
        if run < i {
            out.push_str(&s[run..i]);
        }
        let c = if b.is_ascii() {
            i += 1;
            char::from(b)
        } else {
            let Some(c) = s[i..].chars().next() else {
                break;
            };
            i += c.len_utf8();
            c
        };
        escape(c, out);
        run = i;
    }
    out.push_str(&s[run..]);
}

/// `\\uXXXX` with upper-case hex digits.
pub(crate) fn push_unicode_escape(out: &mut String, unit: u16) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let digit = |shift: u16| char::from(HEX[usize::from((unit >> shift) & 0xf)]);
    out.reserve(6);
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        out.push(digit(shift));
    }
}
