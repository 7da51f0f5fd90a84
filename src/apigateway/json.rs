//! JSON as API Gateway reads a payload: json-smart's permissive parser (single quotes,
//! unquoted words, trailing commas and trailing garbage are accepted; text that is no JSON
//! at all becomes one string), into insertion-ordered maps and JSON-printing lists.

use std::borrow::Cow;
use std::rc::Rc;
use std::sync::Arc;

use crate::value::{BigDecimal, Key, ListStyle, Value};

/// json-smart's limit on nesting.
const MAX_DEPTH: usize = 400;

/// Parses a payload; `Ok(Value::Null)` is the JSON `null`.
pub(crate) fn parse(text: &str) -> Result<Value, String> {
    let mut p = JsonParser {
        s: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
        keys: Vec::new(),
        object_len: 0,
        strings: std::array::from_fn(|_| None),
    };
    p.skip_ws();
    match p.peek() {
        Some(b'{' | b'[' | b'"' | b'\'') => p.value(Top::Yes),
        // Only whitespace: an empty string.
        None => Ok(Value::empty_string()),
        Some(b':' | b'}' | b']') => Err(p.error("unexpected character")),
        // Anything else is one word running to the end of the text.
        Some(_) => Ok(word_value(text.trim())),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Top {
    Yes,
    No,
}

struct JsonParser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
    /// Object keys seen lately: the objects of an array mostly share their keys.
    keys: Vec<Arc<str>>,
    /// Entries of the last object read: the objects of an array mostly have as many.
    object_len: usize,
    /// Short string values seen lately, by a hash of their bytes: enumerations, tags and
    /// flags repeat, and sharing them saves an allocation each.
    strings: [Option<Arc<str>>; STRING_CACHE],
}

/// Slots of the short-string cache.
const STRING_CACHE: usize = 16;
/// Longest string the cache keeps.
const SHORT_STRING: usize = 16;

impl<'a> JsonParser<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn error(&self, what: &str) -> String {
        match self.text[self.pos.min(self.text.len())..].chars().next() {
            Some(c) => format!(
                "{what}: unexpected character '{c}' at position {}",
                self.pos
            ),
            None => format!("{what}: unexpected end of input at position {}", self.pos),
        }
    }

    fn value(&mut self, top: Top) -> Result<Value, String> {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(q @ (b'"' | b'\'')) => {
                let s = self.string(q)?;
                Ok(Value::Str(self.short_string(&s)))
            }
            Some(b',' | b'}' | b']' | b':') | None if top == Top::No => {
                Err(self.error("a value was expected"))
            }
            _ => {
                let start = self.pos;
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b'}' | b']') {
                        break;
                    }
                    self.pos += 1;
                }
                Ok(word_value(self.text[start..self.pos].trim()))
            }
        }
    }

    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!(
                "nesting deeper than {MAX_DEPTH} levels at position {}",
                self.pos
            ));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<Value, String> {
        self.enter()?;
        self.pos += 1;
        let mut map = crate::value::Map::with_capacity(self.object_len);
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                Some(b',') => {
                    self.pos += 1;
                    continue;
                }
                None => return Err(self.error("unclosed object")),
                _ => {}
            }
            let key = match self.peek() {
                Some(q @ (b'"' | b'\'')) => self.string(q)?,
                _ => {
                    let start = self.pos;
                    while let Some(c) = self.peek() {
                        if matches!(c, b':' | b',' | b'}' | b']') {
                            break;
                        }
                        self.pos += 1;
                    }
                    Cow::Borrowed(self.text[start..self.pos].trim())
                }
            };
            let key = self.intern(&key);
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("`:` was expected after an object key"));
            }
            self.pos += 1;
            let value = self.value(Top::No)?;
            map.insert(Key(Value::Str(key)), value);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                _ => return Err(self.error("`,` or `}` was expected")),
            }
        }
        self.depth -= 1;
        self.object_len = map.len();
        Ok(Value::new_map(map))
    }

    fn array(&mut self) -> Result<Value, String> {
        self.enter()?;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                Some(b',') => {
                    self.pos += 1;
                    continue;
                }
                None => return Err(self.error("unclosed array")),
                _ => {}
            }
            items.push(self.value(Top::No)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {}
                _ => return Err(self.error("`,` or `]` was expected")),
            }
        }
        self.depth -= 1;
        Ok(Value::List(
            Rc::new(std::cell::RefCell::new(items)),
            ListStyle::Json,
        ))
    }

    fn hex(&mut self, digits: usize) -> Result<u32, String> {
        let mut n = 0;
        for i in 0..digits {
            let digit = self
                .s
                .get(self.pos + i)
                .and_then(|&b| char::from(b).to_digit(16));
            n = n * 16 + digit.ok_or_else(|| self.error("invalid escape sequence"))?;
        }
        self.pos += digits;
        Ok(n)
    }

    /// A string value, shared with an earlier equal one when it is short.
    fn short_string(&mut self, s: &str) -> Arc<str> {
        if s.len() > SHORT_STRING {
            return Arc::from(s);
        }
        let slot = s.bytes().fold(s.len(), |h, b| {
            h.wrapping_mul(31).wrapping_add(usize::from(b))
        }) % STRING_CACHE;
        match &self.strings[slot] {
            Some(cached) if **cached == *s => Arc::clone(cached),
            _ => {
                let fresh: Arc<str> = Arc::from(s);
                self.strings[slot] = Some(Arc::clone(&fresh));
                fresh
            }
        }
    }

    /// A key, shared with an earlier equal key when there is one.
    fn intern(&mut self, key: &str) -> Arc<str> {
        if let Some(k) = self.keys.iter().find(|k| ***k == *key) {
            return Arc::clone(k);
        }
        let k: Arc<str> = Arc::from(key);
        if self.keys.len() == 64 {
            self.keys.remove(0);
        }
        self.keys.push(Arc::clone(&k));
        k
    }

    /// A quoted string: borrowed from the text when it has no escapes.
    fn string(&mut self, quote: u8) -> Result<Cow<'a, str>, String> {
        self.pos += 1;
        let start = self.pos;
        match memchr::memchr2(quote, b'\\', &self.s[start..]) {
            Some(n) if self.s[start + n] == quote => {
                self.pos = start + n + 1;
                return Ok(Cow::Borrowed(&self.text[start..start + n]));
            }
            None => {
                self.pos = self.s.len();
                return Err(self.error("unterminated string"));
            }
            Some(_) => {}
        }
        // Bytes: the pieces are short, and a `Vec` takes them without UTF-8 checks.
        let mut out: Vec<u8> = Vec::with_capacity(rest_len_hint(self.s.len() - self.pos));
        // A `\u` high surrogate waiting for its low half; alone it becomes U+FFFD.
        let mut high: Option<u16> = None;
        loop {
            // Escapes come close together here: a plain loop beats a vectorised search.
            let rest = &self.s[self.pos..];
            let n = rest
                .iter()
                .position(|&c| c == quote || c == b'\\')
                .unwrap_or(rest.len());
            if n > 0 {
                lone_surrogate(&mut high, &mut out);
                out.extend_from_slice(&rest[..n]);
                self.pos += n;
            }
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(c) if c == quote => {
                    self.pos += 1;
                    lone_surrogate(&mut high, &mut out);
                    return Ok(Cow::Owned(utf8(out)));
                }
                _ => {}
            }
            self.pos += 1;
            let Some(escaped) = self.text[self.pos..].chars().next() else {
                return Err(self.error("unterminated string"));
            };
            self.pos += escaped.len_utf8();
            let e = if escaped.is_ascii() { escaped as u8 } else { 0 };
            if e == b'u' {
                let unit = self.hex(4)?;
                match (high.take(), unit) {
                    (Some(h), 0xDC00..=0xDFFF) => {
                        let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (unit - 0xDC00);
                        push_char(&mut out, char::from_u32(c).unwrap_or('\u{fffd}'));
                    }
                    (previous, _) => {
                        high = previous;
                        lone_surrogate(&mut high, &mut out);
                        if (0xD800..0xDC00).contains(&unit) {
                            high = Some(unit as u16);
                        } else {
                            push_char(&mut out, char::from_u32(unit).unwrap_or('\u{fffd}'));
                        }
                    }
                }
                continue;
            }
            lone_surrogate(&mut high, &mut out);
            match e {
                b'x' => push_char(&mut out, char::from_u32(self.hex(2)?).unwrap_or('\u{fffd}')),
                _ => push_char(
                    &mut out,
                    match e {
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        _ => escaped,
                    },
                ),
            }
        }
    }
}

/// Writes the high surrogate left waiting, if any, as U+FFFD (it has no low half).
fn lone_surrogate(high: &mut Option<u16>, out: &mut Vec<u8>) {
    if high.take().is_some() {
        push_char(out, '\u{fffd}');
    }
}

fn push_char(out: &mut Vec<u8>, c: char) {
    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
}

/// Room for a decoded string: escapes only shrink it, and most strings are short.
fn rest_len_hint(rest: usize) -> usize {
    rest.min(64)
}

/// The decoded bytes as a string: pieces of the text and whole characters, so always
/// UTF-8.
fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// An unquoted word: a keyword, a number, or else the text itself.
fn word_value(word: &str) -> Value {
    match word {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        "null" => return Value::Null,
        "NaN" => return Value::Double(f64::NAN),
        _ => {}
    }
    number(word).unwrap_or_else(|| Value::from(word))
}

/// A JSON number as json-smart reads it: integers as `Integer`, `Long` or `BigInteger`;
/// decimals as `Double`, or `BigDecimal` when written with more than 18 characters.
fn number(word: &str) -> Option<Value> {
    let b = word.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let int_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    if i == int_start {
        return None;
    }
    let mut decimal = false;
    if b.get(i) == Some(&b'.') {
        decimal = true;
        i += 1;
        let frac = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == frac {
            return None;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        decimal = true;
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == exp {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    if !decimal {
        return Some(crate::value::number::integer_literal(word));
    }
    if word.len() > 18 {
        return BigDecimal::parse(word).map(|d| Value::BigDecimal(Rc::new(d)));
    }
    word.parse().ok().map(Value::Double)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(text: &str) -> String {
        match parse(text) {
            Ok(v) => format!("{}:{}", v.type_name(), v.to_java_string()),
            Err(e) => format!("error {e}"),
        }
    }

    #[test]
    fn permissive_json() {
        assert_eq!(
            show(r#"{"a": [1, "x", {'b': tru}], c: d e,}"#),
            r#"LinkedHashMap:{a=[1,"x",{"b":"tru"}], c=d e}"#
        );
        assert_eq!(show("not json"), "String:not json");
        assert_eq!(show("123abc"), "String:123abc");
        assert_eq!(show("007"), "Integer:7");
        assert_eq!(show("-0"), "Integer:0");
        assert_eq!(show("1e3"), "Double:1000.0");
        assert_eq!(
            show("3.14159265358979323846"),
            "BigDecimal:3.14159265358979323846"
        );
        assert_eq!(
            show("9223372036854775808"),
            "BigInteger:9223372036854775808"
        );
        assert_eq!(show(r#"{"a": 1} trailing"#), "LinkedHashMap:{a=1}");
        assert!(show("[1,2").starts_with("error"));
        assert!(show(r#"{"a" 1}"#).starts_with("error"));
        assert_eq!(show(r#""\u00e9\ud83d\ude00\x41""#), "String:é😀A");
    }
}
