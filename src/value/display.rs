//! Java's `toString()` of every value, which is what Velocity prints.

use std::fmt::Write;

use super::{ListStyle, Value};
use crate::words;

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
    out.push('"');
    match first_escape::<Json>(s) {
        None => out.push_str(s),
        Some(first) => escaped::<Json, _>(s, first, |text| out.push_str(text)),
    }
    out.push('"');
}

/// json-smart's escapes.
struct Json;

impl Escaper for Json {
    const PIECES: Pieces = {
        let mut ascii = ascii_escapes(b"\"\\/");
        ascii[0x7f] = b'u';
        // The lead bytes of U+0080..U+00BF and of U+2000..U+2FFF.
        let mut looked_at = [false; 128];
        looked_at[0xc2 - 0x80] = true;
        looked_at[0xe2 - 0x80] = true;
        Pieces::new(ascii, looked_at)
    };

    fn stops(x: u64) -> u64 {
        words::below(x, 0x20)
            | words::equal(x, b'"')
            | words::equal(x, b'\\')
            | words::equal(x, b'/')
            | words::equal(x, 0x7f)
            | words::equal(x, 0xc2)
            | words::equal(x, 0xe2)
    }

    fn escapes(c: char) -> bool {
        matches!(c, '\u{80}'..='\u{9f}' | '\u{2000}'..='\u{20ff}')
    }
}

/// How an escaper writes a string: which characters it copies as they are, and how it
/// writes the others.
pub(crate) trait Escaper {
    /// What the escaper writes for each byte.
    const PIECES: Pieces;

    /// Flags the bytes of a word (see [`words`]) that are not copied as they are: those
    /// that `PIECES` writes otherwise or looks at.
    fn stops(word: u64) -> u64;

    /// Whether a non-ASCII character is written as `\uXXXX`, one per UTF-16 unit.
    fn escapes(c: char) -> bool;
}

/// What an escaper writes for each byte, as the bytes of a word (the first is the lowest)
/// and their number: the byte itself (1), an escape (2 or 6), or nothing (0) when the
/// byte starts a non-ASCII character the escaper looks at (see `Escaper::escapes`).
pub(crate) struct Pieces {
    pieces: [u64; 256],
    lens: [u8; 256],
}

impl Pieces {
    /// From the ASCII table of an escaper (see `ascii_escapes`) and the non-ASCII lead
    /// bytes it looks at (from 0x80); it copies every other byte.
    pub(crate) const fn new(ascii: [u8; 128], looked_at: [bool; 128]) -> Pieces {
        let mut pieces = [0; 256];
        let mut lens = [1; 256];
        let mut b = 0;
        while b < 256 {
            pieces[b] = b as u64;
            if b < 0x80 {
                match ascii[b] {
                    0 => {}
                    b'u' => {
                        pieces[b] = u64::from_le_bytes(unicode_escape(b as u16));
                        lens[b] = 6;
                    }
                    letter => {
                        pieces[b] = b'\\' as u64 | (letter as u64) << 8;
                        lens[b] = 2;
                    }
                }
            } else if looked_at[b - 0x80] {
                lens[b] = 0;
            }
            b += 1;
        }
        Pieces { pieces, lens }
    }

    /// What is written for `b`.
    fn get(&self, b: u8) -> (u64, usize) {
        (
            self.pieces[usize::from(b)],
            usize::from(self.lens[usize::from(b)]),
        )
    }
}

/// The ASCII table of an escaper: 0 for a character copied, `u` for one written as
/// `\u00XX`, else the letter written after a backslash. The control characters are
/// written as `\b`, `\t`, `\n`, `\f`, `\r` or else `\u00XX`, and `signs` as a
/// backslash and the sign.
pub(crate) const fn ascii_escapes(signs: &[u8]) -> [u8; 128] {
    let mut table = [b'u'; 128];
    let mut b = b' ';
    while b < 0x80 {
        table[b as usize] = 0;
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    let mut i = 0;
    while i < signs.len() {
        table[signs[i] as usize] = signs[i];
        i += 1;
    }
    table
}

/// Where the first character of `s` that `E` escapes starts, if any.
pub(crate) fn first_escape<E: Escaper>(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    loop {
        i += words::find(bytes.get(i..)?, |b| E::PIECES.get(b).1 != 1, E::stops);
        match E::PIECES.get(*bytes.get(i)?) {
            (_, 1) => i += 1,
            (_, 0) => {
                let c = s.get(i..)?.chars().next()?;
                if E::escapes(c) {
                    return Some(i);
                }
                i += c.len_utf8();
            }
            _ => return Some(i),
        }
    }
}

thread_local! {
    /// Where strings are escaped before their text is used.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `s` escaped by `E`, from `first` on (what `first_escape` found), given to `f`: written
/// into this thread's buffer, as bytes, so that writing an escape is a few stores.
pub(crate) fn escaped<E: Escaper, R>(s: &str, first: usize, f: impl FnOnce(&str) -> R) -> R {
    SCRATCH.with(|buf| {
        let mut buf = buf.borrow_mut();
        buf.clear();
        escape_into::<E>(s, first, &mut buf);
        // Whole characters of `s` and ASCII escapes: valid UTF-8, checked once.
        match std::str::from_utf8(&buf) {
            Ok(text) => f(text),
            Err(_) => f(&String::from_utf8_lossy(&buf)),
        }
    })
}

/// Appends `s` escaped by `E` to `out`, from `first` on (the bytes before it are copied).
fn escape_into<E: Escaper>(s: &str, first: usize, out: &mut Vec<u8>) {
    let bytes = s.as_bytes();
    out.extend_from_slice(bytes.get(..first).unwrap_or_default());
    let mut block_bytes = [0; words::BLOCK];
    let mut block = words::Block::new(&mut block_bytes, out);
    let mut i = first;
    while let Some(&next) = bytes.get(i) {
        let mut b = next;
        // The plain bytes of the next word, written with the word (what follows them
        // overwrites the rest); escapes often come in a row, so a stop is seen first.
        if E::PIECES.get(b).1 == 1 {
            let Some(word) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) else {
                block.put(u64::from(b), 1);
                i += 1;
                continue;
            };
            let word = u64::from_le_bytes(*word);
            let mask = E::stops(word);
            let n = if mask == 0 { 8 } else { words::first(mask) };
            block.put(word, n);
            i += n;
            if mask == 0 {
                continue;
            }
            // The byte stopped at, taken from the word rather than read again.
            b = (word >> (8 * n)) as u8;
        }
        match E::PIECES.get(b) {
            (_, 0) => {
                // `i` only ever moves over whole characters: it is on a boundary.
                let Some(c) = s.get(i..).and_then(|rest| rest.chars().next()) else {
                    break;
                };
                if E::escapes(c) {
                    for unit in crate::java::surrogate::encode_utf16(c, &mut [0; 2]) {
                        block.put(u64::from_le_bytes(unicode_escape(*unit)), 6);
                    }
                } else {
                    block.put_char(c);
                }
                i += c.len_utf8();
            }
            (piece, len) => {
                block.put(piece, len);
                i += 1;
            }
        }
    }
    block.flush();
}

/// `\uXXXX` with upper-case hex digits, and two bytes more to make a word.
const fn unicode_escape(unit: u16) -> [u8; 8] {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let u = unit as usize;
    let (a, b, c, d) = (
        HEX[u >> 12],
        HEX[(u >> 8) & 0xf],
        HEX[(u >> 4) & 0xf],
        HEX[u & 0xf],
    );
    [b'\\', b'u', a, b, c, d, 0, 0]
}

/// Panics unless `E::stops` flags a byte, in any place of a word, exactly when its piece is
/// not the byte itself.
#[cfg(test)]
pub(crate) fn assert_stops_agree<E: Escaper>() {
    for b in 0..=255u8 {
        for lane in 0..8 {
            let mut word = [b' '; 8];
            word[lane] = b;
            let mask = E::stops(u64::from_le_bytes(word));
            let copied = E::PIECES.get(b).1 == 1;
            assert_eq!(mask == 0, copied, "{b:#x} at {lane}");
            if !copied {
                assert_eq!(words::first(mask), lane, "{b:#x} at {lane}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// json-smart's JSON string, a character at a time.
    fn json_one_by_one(s: &str) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' | '\\' | '/' => {
                    out.push('\\');
                    out.push(c);
                }
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c < ' '
                    || ('\u{7f}'..='\u{9f}').contains(&c)
                    || ('\u{2000}'..='\u{20ff}').contains(&c) =>
                {
                    out.push_str(&format!("\\u{:04X}", c as u32));
                }
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    #[test]
    fn the_word_scan_stops_where_the_table_does() {
        assert_stops_agree::<Json>();
    }

    proptest::proptest! {
        #[test]
        fn a_json_string_is_each_character_escaped(s in "([a-z ]{0,12}|[\"\\\\/'\u{0}-\u{1f}\u{7f}-\u{a0}é\u{1fff}-\u{2100}\u{2fff}😀])*") {
            let mut out = String::new();
            write_json_string(&s, &mut out);
            proptest::prop_assert_eq!(out, json_one_by_one(&s));
        }
    }
}
