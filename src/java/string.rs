//! `java.lang.String` methods. Java strings are UTF-16: lengths and indexes count UTF-16
//! units, so `"a😀".length()` is 3.

use std::sync::Arc;

use super::regex::{Failure, JavaRegex};
use super::{Call, exception, int_arg, void, wrong_arity};
use crate::value::Value;

const SIOOBE: &str = "java.lang.StringIndexOutOfBoundsException";
const NPE: &str = "java.lang.NullPointerException";

fn too_long(method: &str) -> crate::Error {
    exception(
        method,
        "java.lang.OutOfMemoryError",
        "the result would be too large",
    )
}

/// A list of the elements a method makes of its string (`split`, `getBytes`,
/// `toCharArray`), each `cost` units of work; too many (`count` bounds them) fail as Java
/// would run out of memory.
fn element_list(
    method: &str,
    count: usize,
    cost: usize,
    elements: impl Iterator<Item = Value>,
) -> Result<Value, crate::Error> {
    if count > crate::limits::max_elements()
        || !crate::limits::burn(count.saturating_mul(cost))
        || !crate::limits::build_elements(count)
    {
        return Err(too_long(method));
    }
    Ok(Value::new_list(elements.collect()))
}

fn units(s: &str) -> Vec<u16> {
    super::surrogate::units(s).collect()
}

/// A string from UTF-16 units, an unpaired surrogate kept (see `surrogate`).
pub(crate) fn from_units(u: &[u16]) -> String {
    char::decode_utf16(u.iter().copied())
        .map(|c| c.unwrap_or_else(|e| super::surrogate::lone(e.unpaired_surrogate())))
        .collect()
}

fn ok(v: impl Into<Value>) -> Call {
    Some(Ok(v.into()))
}

/// A `String` (or `CharSequence`) parameter: `Some(None)` for null, `None` for a value
/// of another type (no such method).
fn str_arg(v: &Value) -> Option<Option<&str>> {
    match v {
        Value::Str(s) => Some(Some(s)),
        Value::Null => Some(None),
        _ => None,
    }
}

/// Java's `indexOf(target, from)` over UTF-16 units.
fn index_of(hay: &[u16], needle: &[u16], from: i32) -> i32 {
    let from = from.max(0) as usize;
    if from > hay.len() {
        return if needle.is_empty() {
            hay.len() as i32
        } else {
            -1
        };
    }
    if needle.is_empty() {
        return from as i32;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map_or(-1, |i| (from + i) as i32)
}

fn last_index_of(hay: &[u16], needle: &[u16], from: i32) -> i32 {
    if from < 0 {
        return -1;
    }
    let max_start = hay.len().saturating_sub(needle.len()).min(from as usize);
    if needle.len() > hay.len() {
        return -1;
    }
    (0..=max_start)
        .rev()
        .find(|&i| hay[i..i + needle.len()] == *needle)
        .map_or(-1, |i| i as i32)
}

fn char_units(ch: i32) -> Vec<u16> {
    char::from_u32(ch as u32).map_or_else(
        || vec![ch as u16],
        |c| {
            let mut buf = [0u16; 2];
            c.encode_utf16(&mut buf).to_vec()
        },
    )
}

fn substring(s: &str, method: &str, begin: i32, end: Option<i32>) -> Call {
    let u = units(s);
    let len = u.len() as i32;
    let end_v = end.unwrap_or(len);
    if begin < 0 || end_v > len || begin > end_v {
        let msg = if end.is_none() {
            format!(
                "String index out of range: {}",
                i64::from(len) - i64::from(begin)
            )
        } else {
            format!("begin {begin}, end {end_v}, length {len}")
        };
        return Some(Err(exception(method, SIOOBE, msg)));
    }
    ok(from_units(&u[begin as usize..end_v as usize]))
}

fn compare_to(a: &[u16], b: &[u16]) -> i32 {
    for (x, y) in a.iter().zip(b.iter()) {
        if x != y {
            return i32::from(*x) - i32::from(*y);
        }
    }
    a.len() as i32 - b.len() as i32
}

/// Java's `compareToIgnoreCase`: UTF-16 unit by unit, each pair compared as is, then
/// upper-cased, then lower-cased, with Java's one-character case mappings (`ß` stays
/// `ß`, `İ` lower-cases to `i`; a surrogate maps to itself); then the lengths.
fn compare_ignoring_case(a: &str, b: &str) -> i32 {
    fn single(mut mapped: impl Iterator<Item = char>, c: char) -> char {
        match (mapped.next(), mapped.next()) {
            (Some(m), None) => m,
            _ => c,
        }
    }
    let map = |u: u32, f: fn(char) -> char| char::from_u32(u).map_or(u, |c| f(c) as u32);
    let upper = |c: char| single(c.to_uppercase(), c);
    let lower = |c: char| {
        if c == '\u{130}' {
            'i'
        } else {
            single(c.to_lowercase(), c)
        }
    };
    // Java's comparison of two characters (or code points) ignoring case: upper case
    // first, then lower case, 0 when they agree.
    let fold = |c1: u32, c2: u32| -> i32 {
        let (c1, c2) = (map(c1, upper), map(c2, upper));
        if c1 == c2 {
            return 0;
        }
        map(c1, lower) as i32 - map(c2, lower) as i32
    };
    let (x, y) = (units(a), units(b));
    // Java 17 keeps a string of characters up to U+00FF as Latin-1; two strings that are
    // both not Latin-1 compare by code point where they differ, any other two by unit.
    let wide = |s: &str| s.chars().any(|c| c > '\u{ff}');
    let by_code_point = wide(a) && wide(b);
    let (mut i, mut j) = (0, 0);
    while i < x.len() && j < y.len() {
        let (u1, u2) = (u32::from(x[i]), u32::from(y[j]));
        if u1 != u2 && fold(u1, u2) != 0 {
            if !by_code_point {
                return fold(u1, u2);
            }
            let (cp1, more1) = code_point_including(&x, i);
            let (cp2, more2) = code_point_including(&y, j);
            i += more1;
            j += more2;
            let diff = fold(cp1, cp2);
            if diff != 0 {
                return diff;
            }
        }
        i += 1;
        j += 1;
    }
    x.len() as i32 - y.len() as i32
}

/// The code point a UTF-16 unit is part of: a surrogate with its other half when that is
/// there, and how many units past `at` it takes (1 for a high surrogate and its low one).
fn code_point_including(units: &[u16], at: usize) -> (u32, usize) {
    let u = units[at];
    let pair = |high: u16, low: u16| {
        0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
    };
    match u {
        0xDC00..=0xDFFF if at > 0 && (0xD800..0xDC00).contains(&units[at - 1]) => {
            (pair(units[at - 1], u), 0)
        }
        0xD800..=0xDBFF
            if units
                .get(at + 1)
                .is_some_and(|l| (0xDC00..0xE000).contains(l)) =>
        {
            (pair(u, units[at + 1]), 1)
        }
        _ => (u32::from(u), 0),
    }
}

/// Java's `Character.isWhitespace`: the Unicode separators except the no-break ones, and
/// the ASCII controls from tab to carriage return and from U+001C to U+001F.
fn java_whitespace(c: char) -> bool {
    matches!(c, '\t'..='\r' | '\u{1c}'..='\u{1f}')
        || (c.is_whitespace() && !matches!(c, '\u{85}' | '\u{a0}' | '\u{2007}' | '\u{202f}'))
}

fn fold_case(u: &[u16]) -> Vec<u16> {
    units(&from_units(u).to_uppercase().to_lowercase())
}

/// Runs `work` with the compiled `pattern`; fails with the call's answer when it throws.
/// Run out of work, the call does nothing, and the render fails at its next step.
fn with_regex<T>(
    method: &str,
    pattern: &str,
    work: impl FnOnce(&JavaRegex) -> Result<T, Failure>,
) -> Result<T, Call> {
    let failure = match JavaRegex::cached(pattern).and_then(|re| work(&re)) {
        Ok(v) => return Ok(v),
        Err(failure) => failure,
    };
    Err(Some(Err(match failure {
        Failure::Exhausted => return Err(void()),
        Failure::Invalid(e) => exception(method, "java.util.regex.PatternSyntaxException", e),
        Failure::Overflow(e) => exception(method, "java.lang.StackOverflowError", e),
        Failure::Exception(class, e) => exception(method, class, e),
    })))
}

/// Java's `trim()`: strips every character up to U+0020 from both ends.
pub(crate) fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Bytes a method reads per unit of work, as measured: those that only copy or compare
/// bytes 64, those that case-fold both strings 1, searches and comparisons by UTF-16 unit
/// 2, every other (reading characters once) 8.
fn bytes_per_step(name: &str) -> usize {
    match name {
        "equalsIgnoreCase" | "regionMatches" | "compareToIgnoreCase" => return 1,
        "indexOf" | "lastIndexOf" | "compareTo" | "startsWith" | "split" | "replace"
        | "replaceAll" | "replaceFirst" => return 2,
        _ => {}
    }
    if copies_bytes(name) {
        crate::limits::TEXT_PER_STEP as usize
    } else {
        crate::limits::CHARS_PER_STEP as usize
    }
}

/// Methods that only copy or compare their strings' bytes.
fn copies_bytes(name: &str) -> bool {
    matches!(
        name,
        "isEmpty"
            | "trim"
            | "toString"
            | "intern"
            | "contains"
            | "endsWith"
            | "equals"
            | "contentEquals"
            | "concat"
            | "strip"
            | "stripLeading"
            | "stripTrailing"
            | "isBlank"
            | "valueOf"
            | "repeat"
    )
}

pub(super) fn call(s: &Arc<str>, name: &str, args: &[Value]) -> Call {
    // A method reads its string and its string arguments. With no work left it does
    // nothing, and the render fails at its next step.
    let read = args.iter().fold(s.len(), |n, a| match a {
        Value::Str(t) => n.saturating_add(t.len()),
        _ => n,
    });
    if !crate::limits::burn(read / bytes_per_step(name)) {
        return void();
    }
    let nullary = |v: Value| -> Call {
        if args.is_empty() {
            Some(Ok(v))
        } else {
            Some(Err(wrong_arity(name)))
        }
    };
    match name {
        "length" => return nullary(Value::Int(utf16_len(s) as i32)),
        "isEmpty" => return nullary(Value::Bool(s.is_empty())),
        "trim" => {
            let trimmed = java_trim(s);
            return nullary(if trimmed.len() == s.len() {
                Value::Str(Arc::clone(s))
            } else {
                Value::from(trimmed)
            });
        }
        "toLowerCase" if args.is_empty() => return ok(s.to_lowercase()),
        "toUpperCase" if args.is_empty() => return ok(s.to_uppercase()),
        "toString" | "intern" => return nullary(Value::Str(Arc::clone(s))),
        "toLowerCase" | "toUpperCase" => return Some(Err(wrong_arity(name))),
        _ => {}
    }
    match (name, args) {
        ("substring", [b]) => substring(s, name, int_arg(b)?, None),
        ("substring" | "subSequence", [b, e]) => substring(s, name, int_arg(b)?, Some(int_arg(e)?)),
        ("charAt", [i]) => {
            let i = int_arg(i)?;
            let u = units(s);
            if i < 0 || i as usize >= u.len() {
                return Some(Err(exception(
                    name,
                    SIOOBE,
                    format!("String index out of range: {i}"),
                )));
            }
            ok(from_units(&u[i as usize..=i as usize]))
        }
        ("indexOf" | "lastIndexOf", [target, rest @ ..]) if rest.len() <= 1 => {
            let needle = match target {
                Value::Int(ch) => char_units(*ch),
                other => match str_arg(other)? {
                    Some(t) => units(t),
                    None => return Some(Err(exception(name, NPE, "null"))),
                },
            };
            let hay = units(s);
            let from = match rest {
                [f] => Some(int_arg(f)?),
                _ => None,
            };
            let r = if name == "indexOf" {
                index_of(&hay, &needle, from.unwrap_or(0))
            } else {
                last_index_of(&hay, &needle, from.unwrap_or(i32::MAX))
            };
            ok(Value::Int(r))
        }
        ("startsWith", [p, rest @ ..]) if rest.len() <= 1 => {
            let Some(p) = str_arg(p)? else {
                return Some(Err(exception(name, NPE, "null")));
            };
            let offset = match rest {
                [o] => int_arg(o)?,
                _ => 0,
            };
            let (hay, needle) = (units(s), units(p));
            let r = offset >= 0
                && (offset as usize) + needle.len() <= hay.len()
                && hay[offset as usize..offset as usize + needle.len()] == *needle;
            ok(r)
        }
        ("endsWith", [p]) => match str_arg(p)? {
            Some(p) => ok(s.ends_with(p)),
            None => Some(Err(exception(name, NPE, "null"))),
        },
        ("contains", [p]) => match str_arg(p)? {
            Some(p) => ok(s.contains(p)),
            None => Some(Err(exception(name, NPE, "null"))),
        },
        ("concat", [p]) => match str_arg(p)? {
            Some(p) => ok(format!("{s}{p}")),
            None => Some(Err(exception(name, NPE, "null"))),
        },
        ("equalsIgnoreCase", [p]) => match p {
            Value::Str(p) => ok(fold_case(&units(s)) == fold_case(&units(p))),
            _ => ok(false),
        },
        ("compareTo", [p]) => match p {
            Value::Str(p) => ok(Value::Int(compare_to(&units(s), &units(p)))),
            Value::Null => Some(Err(exception(name, NPE, "null"))),
            // Velocity finds the bridge method `compareTo(Object)`, whose cast fails.
            other => Some(Err(exception(
                name,
                "java.lang.ClassCastException",
                format!("{} cannot be cast to java.lang.String", other.type_name()),
            ))),
        },
        ("compareToIgnoreCase", [p]) => match str_arg(p)? {
            Some(p) => ok(Value::Int(compare_ignoring_case(s, p))),
            None => Some(Err(exception(name, NPE, "null"))),
        },
        ("replace", [a, b]) => {
            let (Some(a), Some(b)) = (str_arg(a)?, str_arg(b)?) else {
                return Some(Err(exception(name, NPE, "null")));
            };
            // Refuse a result too large to build (the render's own limit is lower).
            let count = if a.is_empty() {
                s.len() + 1
            } else {
                s.matches(a).count()
            };
            if s.len().saturating_add(count.saturating_mul(b.len())) > crate::limits::max_string() {
                return Some(Err(too_long(name)));
            }
            if a.is_empty() {
                // Java inserts the replacement around every UTF-16 unit.
                let u = units(s);
                let mut out = String::from(b);
                for i in 0..u.len() {
                    out.push_str(&from_units(&u[i..=i]));
                    out.push_str(b);
                }
                return ok(out);
            }
            if !s.contains(a) {
                // Nothing replaced: the same string.
                return Some(Ok(Value::Str(Arc::clone(s))));
            }
            ok(s.replace(a, b))
        }
        ("matches", [p]) => {
            let Some(p) = str_arg(p)? else {
                return Some(Err(exception(name, NPE, "null")));
            };
            match with_regex(name, p, |re| re.is_match(s)) {
                Ok(b) => ok(Value::Bool(b)),
                Err(call) => call,
            }
        }
        ("replaceAll" | "replaceFirst", [p, r]) => {
            let (Some(p), Some(r)) = (str_arg(p)?, str_arg(r)?) else {
                return Some(Err(exception(name, NPE, "null")));
            };
            let all = name == "replaceAll";
            match with_regex(name, p, |re| re.replace(s, r, all)) {
                // Nothing replaced: the same string.
                Ok(std::borrow::Cow::Borrowed(_)) => Some(Ok(Value::Str(Arc::clone(s)))),
                Ok(std::borrow::Cow::Owned(text)) => ok(Value::from(text)),
                Err(call) => call,
            }
        }
        ("split", [p, rest @ ..]) if rest.len() <= 1 => {
            let Some(p) = str_arg(p)? else {
                return Some(Err(exception(name, NPE, "null")));
            };
            let limit = match rest {
                [l] => int_arg(l)?,
                _ => 0,
            };
            match with_regex(name, p, |re| re.split(s, limit)) {
                Ok(parts) => Some(element_list(
                    name,
                    parts.len(),
                    8,
                    parts.into_iter().map(Value::from),
                )),
                Err(call) => call,
            }
        }
        ("hashCode", [_, ..]) => Some(Err(wrong_arity(name))),
        ("codePointAt", [i]) => {
            let i = int_arg(i)?;
            let u = units(s);
            if i < 0 || i as usize >= u.len() {
                return Some(Err(exception(
                    name,
                    SIOOBE,
                    format!("index {i}, length {}", u.len()),
                )));
            }
            let c = char::decode_utf16(u[i as usize..].iter().copied())
                .next()
                .map_or(u32::from(u[i as usize]), |r| {
                    r.map_or(u32::from(u[i as usize]), u32::from)
                });
            ok(Value::Int(c as i32))
        }
        ("codePointBefore", [i]) => {
            let i = int_arg(i)?;
            let u = units(s);
            if i < 1 || i as usize > u.len() {
                return Some(Err(exception(
                    name,
                    SIOOBE,
                    format!("index {i}, length {}", u.len()),
                )));
            }
            let at = i as usize;
            let low = u[at - 1];
            // A low surrogate after a high one: the pair's code point.
            let c = match (at.checked_sub(2).map(|h| u[h]), low) {
                (Some(high @ 0xD800..=0xDBFF), 0xDC00..=0xDFFF) => {
                    0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
                }
                _ => u32::from(low),
            };
            ok(Value::Int(c as i32))
        }
        ("codePointCount", [a, b]) => {
            let (a, b) = (int_arg(a)?, int_arg(b)?);
            let u = units(s);
            if a < 0 || b as usize > u.len() || a > b {
                return Some(Err(exception(
                    name,
                    "java.lang.IndexOutOfBoundsException",
                    format!("begin {a}, end {b}, length {}", u.len()),
                )));
            }
            ok(Value::Int(
                char::decode_utf16(u[a as usize..b as usize].iter().copied()).count() as i32,
            ))
        }
        ("getBytes", []) | ("getBytes", [Value::Str(_)]) => {
            let bytes = super::surrogate::encoded(s);
            Some(element_list(
                name,
                bytes.len(),
                1,
                bytes.bytes().map(|b| Value::Int(i32::from(b as i8))),
            ))
        }
        ("toCharArray", []) => Some(element_list(
            name,
            s.len(),
            8,
            super::surrogate::units(s).map(|u| Value::from(from_units(&[u]))),
        )),
        ("contentEquals", [Value::Str(o)]) => ok(**s == **o),
        ("regionMatches", rest) if rest.len() == 4 || rest.len() == 5 => {
            let (ignore_case, rest) = match rest {
                [Value::Bool(b), tail @ ..] if rest.len() == 5 => (*b, tail),
                _ => (false, rest),
            };
            let [t, Value::Str(other), o, len] = rest else {
                return None;
            };
            let (t, o, len) = (int_arg(t)?, int_arg(o)?, int_arg(len)?);
            let (a, b) = (units(s), units(other));
            if t < 0
                || o < 0
                || i64::from(t) + i64::from(len) > a.len() as i64
                || i64::from(o) + i64::from(len) > b.len() as i64
            {
                return ok(false);
            }
            let len = len.max(0) as usize;
            let (x, y) = (
                &a[t as usize..t as usize + len],
                &b[o as usize..o as usize + len],
            );
            ok(if ignore_case {
                fold_case(x) == fold_case(y)
            } else {
                x == y
            })
        }
        ("offsetByCodePoints", [i, n]) => {
            let (i, n) = (int_arg(i)?, int_arg(n)?);
            let u = units(s);
            if i < 0 || i as usize > u.len() || n < 0 {
                return Some(Err(exception(
                    name,
                    "java.lang.IndexOutOfBoundsException",
                    format!("index {i}"),
                )));
            }
            let mut pos = i as usize;
            for _ in 0..n {
                if pos >= u.len() {
                    return Some(Err(exception(
                        name,
                        "java.lang.IndexOutOfBoundsException",
                        format!("index {i}"),
                    )));
                }
                pos += if (0xD800..0xDC00).contains(&u[pos])
                    && u.get(pos + 1).is_some_and(|l| (0xDC00..0xE000).contains(l))
                {
                    2
                } else {
                    1
                };
            }
            ok(Value::Int(pos as i32))
        }
        // Java 11's additions, which the JVMs running Velocity today have.
        ("strip", []) => ok(s.trim_matches(java_whitespace)),
        ("stripLeading", []) => ok(s.trim_start_matches(java_whitespace)),
        ("stripTrailing", []) => ok(s.trim_end_matches(java_whitespace)),
        ("isBlank", []) => ok(s.chars().all(java_whitespace)),
        ("repeat", [n]) => {
            let n = int_arg(n)?;
            if n < 0 {
                return Some(Err(exception(
                    name,
                    "java.lang.IllegalArgumentException",
                    format!("count is negative: {n}"),
                )));
            }
            // The result is checked against the render's string limit by the caller; refuse
            // outright what could not be allocated.
            if s.len().saturating_mul(n as usize) > crate::limits::max_string() {
                return Some(Err(too_long(name)));
            }
            ok(s.repeat(n as usize))
        }
        // Static methods of String, which Velocity also finds through an instance.
        ("valueOf", [v]) => ok(v.to_java_string()),
        ("join", [Value::Str(sep), Value::List(items, _)]) => {
            if !crate::limits::burn(items.borrow().len()) {
                return void();
            }
            let parts: Vec<String> = items.borrow().iter().map(Value::to_java_string).collect();
            let len = parts
                .iter()
                .map(|p| p.len() + sep.len())
                .fold(0usize, usize::saturating_add);
            if len > crate::limits::max_string() {
                return Some(Err(too_long(name)));
            }
            ok(parts.join(sep))
        }
        _ => None,
    }
}

/// Java's `length()`: UTF-16 code units, counted from the UTF-8 bytes (each character
/// starts with one non-continuation byte; those above U+FFFF take two units). Counted
/// in byte-wide sums over chunks short enough not to overflow them, which vectorise.
pub(crate) fn utf16_len(s: &str) -> usize {
    let units: usize = s
        .as_bytes()
        .chunks(128)
        .map(|chunk| {
            let (continuations, four_byte_leads) = chunk.iter().fold((0u8, 0u8), |(c, f), &b| {
                (c + u8::from(b & 0xC0 == 0x80), f + u8::from(b >= 0xF0))
            });
            chunk.len() - usize::from(continuations) + usize::from(four_byte_leads)
        })
        .sum();
    // A lone surrogate is one unit.
    units - super::surrogate::count(s)
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn length_counts_utf16_units(s in "[a-zé日😀\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}]{0,300}") {
            proptest::prop_assert_eq!(super::utf16_len(&s), s.encode_utf16().count());
        }
    }
}
