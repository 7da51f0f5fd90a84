//! JSON as API Gateway reads a payload: json-smart's permissive parser (single quotes,
//! unquoted words, trailing commas and trailing garbage are accepted; text that is no JSON
//! at all becomes one string), into a document read in place whose objects are
//! insertion-ordered maps and whose arrays are JSON-printing lists.

use std::rc::Rc;
use std::sync::Arc;

use crate::java::java_trim;
use crate::value::display::{self, write_json_string};
use crate::value::document::{Document, Kind};
use crate::value::{BigDecimal, Value};
use crate::words;

/// json-smart's limit on nesting.
const MAX_DEPTH: usize = 400;

/// Bytes the record of one document's values may take beyond its text (see [`Document`]):
/// a 10 MB payload of numbers needs ten times its size, a larger text parsed by
/// `$util.parseJson` more.
pub(crate) const MAX_DOCUMENT_BYTES: usize = 176 * 1024 * 1024;

/// How a parse error that is a limit of this crate, not invalid JSON, starts.
pub(crate) const LIMIT: &str = "limit: ";

/// Parses a payload; `Ok(Value::Null)` is the JSON `null`.
pub(crate) fn parse(text: &str) -> Result<Value, String> {
    parse_shared(&Arc::from(text))
}

/// Parses a payload held in shared text, which its values then borrow: objects and arrays
/// are read in place (see [`Document`]).
pub(crate) fn parse_shared(text: &Arc<str>) -> Result<Value, String> {
    let mut p = JsonParser::new(text);
    p.skip_ws();
    match p.peek() {
        Some(b'{' | b'[' | b'"' | b'\'') => {
            let mut index = Index {
                base: text.as_ptr() as usize,
                doc: Document::new(Arc::clone(text), |word| {
                    word_value(word).unwrap_or_else(|_| Value::from(word))
                }),
            };
            p.value(&mut index, Top::Yes)?;
            index.check()?;
            Ok(index.doc.root())
        }
        // Only whitespace: an empty string.
        None => Ok(Value::empty_string()),
        Some(b':' | b'}' | b']') => Err(p.error("unexpected character")),
        // Anything else is one word running to the end of the text.
        Some(c) if c < 0x20 => Ok(Value::from(java_trim(text))),
        Some(_) => word_value(java_trim(text)),
    }
}

/// The JSON text `write_json` prints for the parsed payload, written as the payload is
/// read, without building its values. `None` when the payload is no object or array,
/// is invalid, or has what only the values can show (a repeated key, which replaces
/// the earlier value in its place; nesting too deep to print); `parse` then tells.
pub(crate) fn transcode(text: &str) -> Option<String> {
    let mut p = JsonParser::new(text);
    p.skip_ws();
    if !matches!(p.peek(), Some(b'{' | b'[')) {
        return None;
    }
    let mut sink = Text {
        out: String::with_capacity(text.len()),
        keys: Vec::new(),
    };
    p.value(&mut sink, Top::Yes).ok()?;
    // Past this `write_json` stops writing.
    (sink.out.len() <= crate::limits::MAX_STRING).then_some(sink.out)
}

#[derive(Clone, Copy, PartialEq)]
enum Top {
    Yes,
    No,
}

/// What the parser makes of what it reads.
trait Sink {
    type Value;
    type Object;
    type Array;
    fn string(&mut self, s: &str) -> Self::Value;
    /// An unquoted word: a keyword, a number, or else text.
    fn word(&mut self, word: &str) -> Result<Self::Value, String>;
    fn begin_object(&mut self, depth: usize) -> Result<Self::Object, String>;
    /// A key, before its value is read.
    fn key(&mut self, object: &mut Self::Object, key: &str) -> Result<(), String>;
    /// The value of the last key.
    fn entry(&mut self, object: &mut Self::Object, value: Self::Value);
    fn end_object(&mut self, object: Self::Object) -> Self::Value;
    fn begin_array(&mut self, depth: usize) -> Result<Self::Array, String>;
    /// Before an element is read.
    fn next_item(&mut self, array: &mut Self::Array);
    fn item(&mut self, array: &mut Self::Array, value: Self::Value);
    fn end_array(&mut self, array: Self::Array) -> Self::Value;
}

/// Records where every value is, in a [`Document`] over the text.
struct Index {
    /// Where the text starts in memory: a string the parser hands over is a slice of the
    /// text unless it had escapes.
    base: usize,
    doc: Document,
}

impl Index {
    /// Counts a new container against the render's work and [`MAX_DOCUMENT_BYTES`].
    fn container(&mut self) -> Result<(), String> {
        if !crate::limits::burn(1) {
            return Err(format!(
                "{LIMIT}the render ran out of steps reading the payload"
            ));
        }
        self.check()
    }

    fn check(&self) -> Result<(), String> {
        if self.doc.bytes() > MAX_DOCUMENT_BYTES {
            return Err(format!(
                "{LIMIT}the payload's values would take more than {} MiB",
                MAX_DOCUMENT_BYTES >> 20
            ));
        }
        Ok(())
    }

    /// The offset of `s` in the text, if it is a slice of it.
    fn offset(&self, s: &str) -> Option<usize> {
        let at = (s.as_ptr() as usize).checked_sub(self.base)?;
        (at + s.len() <= self.doc.text_len()).then_some(at)
    }

    fn string(&mut self, s: &str) {
        match self.offset(s) {
            Some(at) => self.doc.push(Kind::Text, at, s.len(), 0),
            None => self.doc.push_decoded(s),
        };
    }

    /// A word that is no short integer or keyword, read as json-smart does.
    fn other_word(&mut self, word: &str) -> Result<(), String> {
        let kind = match word_value(word)? {
            Value::Int(n) => {
                self.doc.push(Kind::Int, 0, 0, n as u32);
                return Ok(());
            }
            Value::Bool(true) => Kind::True,
            Value::Bool(false) => Kind::False,
            Value::Null => Kind::Null,
            _ => Kind::Word,
        };
        let at = self.offset(word).unwrap_or_default();
        self.doc.push(kind, at, word.len(), 0);
        Ok(())
    }
}

impl Sink for Index {
    type Value = ();
    /// The container's node and its entries so far.
    type Object = (u32, u32);
    type Array = (u32, u32);

    fn string(&mut self, s: &str) {
        Index::string(self, s);
    }

    fn word(&mut self, word: &str) -> Result<(), String> {
        // Most words are short integers and keywords: read at once.
        let kind = match (word, short_integer(word)) {
            (_, Some(n)) => {
                self.doc.push(Kind::Int, 0, 0, n as u32);
                return Ok(());
            }
            ("true", _) => Kind::True,
            ("false", _) => Kind::False,
            ("null", _) => Kind::Null,
            _ => return self.other_word(word),
        };
        self.doc.push(kind, 0, 0, 0);
        Ok(())
    }

    fn begin_object(&mut self, _: usize) -> Result<(u32, u32), String> {
        self.container()?;
        Ok((self.doc.push(Kind::Object, 0, 0, 0), 0))
    }

    fn key(&mut self, _: &mut (u32, u32), key: &str) -> Result<(), String> {
        Index::string(self, key);
        Ok(())
    }

    fn entry(&mut self, (_, count): &mut (u32, u32), (): ()) {
        *count += 1;
    }

    fn end_object(&mut self, (at, count): (u32, u32)) {
        self.doc.close(at, count);
    }

    fn begin_array(&mut self, _: usize) -> Result<(u32, u32), String> {
        self.container()?;
        Ok((self.doc.push(Kind::Array, 0, 0, 0), 0))
    }

    fn next_item(&mut self, _: &mut (u32, u32)) {}

    fn item(&mut self, (_, count): &mut (u32, u32), (): ()) {
        *count += 1;
    }

    fn end_array(&mut self, (at, count): (u32, u32)) {
        self.doc.close(at, count);
    }
}

/// Writes the JSON text of the values instead of building them.
struct Text {
    out: String,
    /// Where each key of the open objects was written, to find a repeated one.
    keys: Vec<(usize, usize)>,
}

/// Keys per object checked for repeats; an object with more goes through the values.
const TEXT_KEYS: usize = 64;

impl Sink for Text {
    type Value = ();
    /// Where the object's keys start in `keys`.
    type Object = usize;
    /// Whether no element was written yet.
    type Array = bool;

    fn string(&mut self, s: &str) {
        write_json_string(s, &mut self.out);
    }

    fn word(&mut self, word: &str) -> Result<(), String> {
        // An integer written plainly (no leading zero, no `-0`, within `long`) prints as
        // it is written.
        let digits = word.strip_prefix('-').unwrap_or(word);
        let plain = (1..=18).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (!digits.starts_with('0') || (digits == "0" && digits.len() == word.len()));
        if plain || decimal_prints_as_written(word) {
            self.out.push_str(word);
        } else {
            crate::value::write_json(&word_value(word)?, &mut self.out);
        }
        Ok(())
    }

    fn begin_object(&mut self, depth: usize) -> Result<usize, String> {
        self.deep(depth)?;
        self.out.push('{');
        Ok(self.keys.len())
    }

    fn key(&mut self, &mut first: &mut usize, key: &str) -> Result<(), String> {
        if self.keys.len() > first {
            self.out.push(',');
        }
        let start = self.out.len();
        write_json_string(key, &mut self.out);
        let written = &self.out[start..];
        let seen = &self.keys[first..];
        if seen.len() >= TEXT_KEYS || seen.iter().any(|&(a, b)| self.out[a..b] == *written) {
            return Err(String::new());
        }
        self.keys.push((start, self.out.len()));
        self.out.push(':');
        Ok(())
    }

    fn entry(&mut self, _: &mut usize, (): ()) {}

    fn end_object(&mut self, first: usize) {
        self.keys.truncate(first);
        self.out.push('}');
    }

    fn begin_array(&mut self, depth: usize) -> Result<bool, String> {
        self.deep(depth)?;
        self.out.push('[');
        Ok(true)
    }

    fn next_item(&mut self, first: &mut bool) {
        if !std::mem::take(first) {
            self.out.push(',');
        }
    }

    fn item(&mut self, _: &mut bool, (): ()) {}

    fn end_array(&mut self, _: bool) {
        self.out.push(']');
    }
}

impl Text {
    /// Values nested this deep print differently (see `write_json`): leave them to the
    /// values.
    fn deep(&self, depth: usize) -> Result<(), String> {
        // A container at this depth would print its elements as `...`.
        if depth + 1 >= display::MAX_DEPTH {
            return Err(String::new());
        }
        Ok(())
    }
}

struct JsonParser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
    /// The last string with escapes, decoded: one buffer for all of them, so that reading
    /// one allocates nothing.
    scratch: String,
}

/// Where a string the parser read is: a slice of the text (one without escapes, or an
/// unquoted key), or the decoded string in the parser's `scratch`.
#[derive(Clone, Copy)]
enum Read {
    Text(usize, usize),
    Decoded,
}

impl<'a> JsonParser<'a> {
    fn new(text: &'a str) -> JsonParser<'a> {
        JsonParser {
            s: text.as_bytes(),
            text,
            pos: 0,
            depth: 0,
            scratch: String::new(),
        }
    }

    /// The text of a string read by `string` or as a key, until the next `string`.
    fn read(&self, read: Read) -> &str {
        match read {
            Read::Text(start, end) => &self.text[start..end],
            Read::Decoded => &self.scratch,
        }
    }

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

    fn value<S: Sink>(&mut self, sink: &mut S, top: Top) -> Result<S::Value, String> {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => self.object(sink),
            Some(b'[') => self.array(sink),
            Some(q @ (b'"' | b'\'')) => {
                let s = self.string(q)?;
                Ok(sink.string(self.read(s)))
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
                bare_word(self.s[start], java_trim(&self.text[start..self.pos]), sink)
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

    fn object<S: Sink>(&mut self, sink: &mut S) -> Result<S::Value, String> {
        self.enter()?;
        self.pos += 1;
        let mut object = sink.begin_object(self.depth - 1)?;
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
                    let raw = &self.text[start..self.pos];
                    let from = start + raw.len() - raw.trim_start_matches(|c: char| c <= ' ').len();
                    Read::Text(from, from + java_trim(raw).len())
                }
            };
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("`:` was expected after an object key"));
            }
            sink.key(&mut object, self.read(key))?;
            self.pos += 1;
            let value = self.value(sink, Top::No)?;
            sink.entry(&mut object, value);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                _ => return Err(self.error("`,` or `}` was expected")),
            }
        }
        self.depth -= 1;
        Ok(sink.end_object(object))
    }

    fn array<S: Sink>(&mut self, sink: &mut S) -> Result<S::Value, String> {
        self.enter()?;
        self.pos += 1;
        let mut array = sink.begin_array(self.depth - 1)?;
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
            sink.next_item(&mut array);
            let value = self.value(sink, Top::No)?;
            sink.item(&mut array, value);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {}
                _ => return Err(self.error("`,` or `]` was expected")),
            }
        }
        self.depth -= 1;
        Ok(sink.end_array(array))
    }

    /// A quoted string: borrowed from the text when it has no escapes.
    fn string(&mut self, quote: u8) -> Result<Read, String> {
        self.pos += 1;
        let start = self.pos;
        match memchr::memchr2(quote, b'\\', &self.s[start..]) {
            Some(n) if self.s[start + n] == quote => {
                self.pos = start + n + 1;
                return Ok(Read::Text(start, start + n));
            }
            None => {
                self.pos = self.s.len();
                return Err(self.error("unterminated string"));
            }
            Some(_) => {}
        }
        // Built from whole pieces of the text and whole characters, a word at a time:
        // valid UTF-8, checked once at the end.
        let mut decoded = std::mem::take(&mut self.scratch).into_bytes();
        decoded.clear();
        let mut block = [0; words::BLOCK];
        let mut out = words::Block::new(&mut block, &mut decoded);
        // A `\u` high surrogate waiting for its low half; alone it stays one (see
        // `surrogate`).
        let mut high: Option<u16> = None;
        // Where a run of plain text ends: at the quote, a backslash or a raw control
        // character (U+0000..U+001F, U+007F); a byte at a time, and a word at a time.
        let stop = |b: u8| b == quote || b == b'\\' || b < 0x20 || b == 0x7f;
        let stops = |x| {
            words::equal(x, quote)
                | words::equal(x, b'\\')
                | words::below(x, 0x20)
                | words::equal(x, 0x7f)
        };
        let s = self.s;
        let mut i = self.pos;
        let result = loop {
            let Some(&next) = s.get(i) else {
                break Err("unterminated string");
            };
            let mut c = next;
            if !stop(c) {
                lone_surrogate(&mut high, &mut out);
                // The plain bytes of the next word, written with the word (what follows
                // them overwrites the rest).
                let Some(word) = s.get(i..).and_then(<[u8]>::first_chunk::<8>) else {
                    out.put(u64::from(c), 1);
                    i += 1;
                    continue;
                };
                let word = u64::from_le_bytes(*word);
                let mask = stops(word);
                let n = if mask == 0 { 8 } else { words::first(mask) };
                out.put(word, n);
                i += n;
                if mask == 0 {
                    continue;
                }
                // The byte stopped at, taken from the word rather than read again.
                c = (word >> (8 * n)) as u8;
            }
            i += 1;
            if c == quote {
                lone_surrogate(&mut high, &mut out);
                break Ok(());
            }
            // A string with escapes loses its raw control characters (json-smart's slow
            // path ignores them); they do not part a surrogate pair either.
            if c != b'\\' {
                continue;
            }
            let Some(&e) = s.get(i) else {
                break Err("unterminated string");
            };
            // The escaped character: an ASCII byte, or a whole character (dropped).
            i += match e {
                0..0x80 => 1,
                0xC0..0xE0 => 2,
                0xE0..0xF0 => 3,
                _ => 4,
            };
            if e == b'u' {
                let Some(unit) = hex(s, i, 4) else {
                    break Err("invalid escape sequence");
                };
                i += 4;
                match (high.take(), unit) {
                    (Some(h), 0xDC00..=0xDFFF) => {
                        let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (unit - 0xDC00);
                        out.put_char(char::from_u32(c).unwrap_or('\u{fffd}'));
                    }
                    (previous, _) => {
                        if let Some(h) = previous {
                            out.put_char(crate::java::surrogate::lone(h));
                        }
                        if (0xD800..0xDC00).contains(&unit) {
                            high = Some(unit as u16);
                        } else {
                            out.put_char(
                                char::from_u32(unit)
                                    .unwrap_or_else(|| crate::java::surrogate::lone(unit as u16)),
                            );
                        }
                    }
                }
                continue;
            }
            lone_surrogate(&mut high, &mut out);
            match ESCAPES.get(usize::from(e)) {
                Some(&b'x') => {
                    let Some(unit) = hex(s, i, 2) else {
                        break Err("invalid escape sequence");
                    };
                    i += 2;
                    out.put_char(char::from_u32(unit).unwrap_or('\u{fffd}'));
                }
                // json-smart drops any other escaped character along with its backslash.
                Some(0) | None => {}
                Some(&decoded) => out.put(u64::from(decoded), 1),
            }
        };
        out.flush();
        self.pos = i;
        self.scratch = String::from_utf8(decoded)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        match result {
            Ok(()) => Ok(Read::Decoded),
            Err(what) => Err(self.error(what)),
        }
    }
}

/// What each ASCII character after a backslash stands for (`x` starts `\xXX`): every
/// escape json-smart knows is an ASCII letter or sign; 0 for the others, which are dropped.
const ESCAPES: [u8; 128] = {
    let mut table = [0; 128];
    table[b'b' as usize] = 0x08;
    table[b'f' as usize] = 0x0c;
    table[b'n' as usize] = b'\n';
    table[b'r' as usize] = b'\r';
    table[b't' as usize] = b'\t';
    table[b'x' as usize] = b'x';
    let mut i = 0;
    while i < 4 {
        let c = b"\"'/\\"[i];
        table[c as usize] = c;
        i += 1;
    }
    table
};

/// Writes the high surrogate left waiting, if any, alone (it has no low half).
fn lone_surrogate(high: &mut Option<u16>, out: &mut words::Block) {
    if let Some(unit) = high.take() {
        out.put_char(crate::java::surrogate::lone(unit));
    }
}

/// The value of the `digits` hexadecimal digits at `at`, if they are.
fn hex(s: &[u8], at: usize, digits: usize) -> Option<u32> {
    const VALUES: [u8; 256] = {
        let mut table = [16; 256];
        let mut d = 0;
        while d < 16 {
            table[b"0123456789abcdef"[d] as usize] = d as u8;
            table[b"0123456789ABCDEF"[d] as usize] = d as u8;
            d += 1;
        }
        table
    };
    // Every digit read, then one test of them all.
    let (n, invalid) = s
        .get(at..at + digits)?
        .iter()
        .fold((0, 0), |(n, invalid), &b| {
            let d = VALUES[usize::from(b)];
            (n << 4 | u32::from(d), invalid | d)
        });
    (invalid < 16).then_some(n)
}

/// A word of at most nine digits after an optional `-`: an `Integer`, as `number` reads
/// it (leading zeros and `-0` included).
fn short_integer(word: &str) -> Option<i32> {
    let digits = word.strip_prefix('-').unwrap_or(word);
    if !(1..=9).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = digits
        .bytes()
        .fold(0i32, |n, b| n * 10 + i32::from(b - b'0'));
    Some(if digits.len() < word.len() { -n } else { n })
}

/// An unquoted word: a keyword, a number, or else the text itself.
/// An unquoted word, trimmed as Java's `trim()` does (every character up to U+0020, where
/// JSON's whitespace is only four of them). Its first character `first`, before trimming,
/// decides what it is, as in json-smart: a word starting with another control character
/// is text even if a number follows.
fn bare_word<S: Sink>(first: u8, word: &str, sink: &mut S) -> Result<S::Value, String> {
    if first < 0x20 {
        return Ok(sink.string(word));
    }
    sink.word(word)
}

/// Whether Java prints the `Double` a decimal word reads as exactly as the word is
/// written: `-?(0|[1-9][0-9]*).[0-9]+` read as a `Double` (at most 18 characters), with
/// at most 15 significant digits (so no shorter decimal reads as the same double), no
/// trailing zero after the point unless it is the only digit there, and a value from
/// 10^-3 to below 10^7 (where `Double.toString` writes no exponent).
fn decimal_prints_as_written(word: &str) -> bool {
    let digits = word.strip_prefix('-').unwrap_or(word);
    let Some((int, frac)) = digits.split_once('.') else {
        return false;
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if word.len() > 18
        || !all_digits(int)
        || !all_digits(frac)
        || int.len() > 7
        || (int.len() > 1 && int.starts_with('0'))
        || (frac.len() > 1 && frac.ends_with('0'))
    {
        return false;
    }
    let fraction_zeros = frac.len() - frac.trim_start_matches('0').len();
    let (significant, below_one_thousandth) = if int == "0" {
        (frac.len() - fraction_zeros, fraction_zeros > 2)
    } else {
        (int.len() + frac.len(), false)
    };
    (1..=15).contains(&significant) && !below_one_thousandth
}

fn word_value(word: &str) -> Result<Value, String> {
    Ok(match word {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "null" => Value::Null,
        "NaN" => Value::Double(f64::NAN),
        _ => number(word)?.unwrap_or_else(|| Value::from(word)),
    })
}

/// A JSON number as json-smart reads it: integers as `Integer`, `Long` or `BigInteger`;
/// decimals as `Double`, or `BigDecimal` when written with more than 18 characters.
/// A word that starts like a number (`-` or a digit), read as json-smart reads it: a
/// point needs no digits around it (`1.`, `-.5`), a lone `-` is 0, an exponent without
/// digits makes the word text (`1e`) unless it has a sign (`1e+`, an error, like a number
/// with no digits at all, `-e5` or `-.`). `Ok(None)`: the word is text.
fn number(word: &str) -> Result<Option<Value>, String> {
    let b = word.as_bytes();
    let negative = b.first() == Some(&b'-');
    if !negative && !b.first().is_some_and(u8::is_ascii_digit) {
        return Ok(None);
    }
    let mut i = usize::from(negative);
    let int_start = i;
    // The integer part's value, while it fits.
    let mut magnitude: Option<u64> = Some(0);
    while let Some(&digit) = b.get(i).filter(|d| d.is_ascii_digit()) {
        magnitude = magnitude
            .and_then(|m| m.checked_mul(10))
            .and_then(|m| m.checked_add(u64::from(digit - b'0')));
        i += 1;
    }
    let int_digits = i - int_start;
    if i == b.len()
        && let Some(m) = magnitude
    {
        let n = if negative {
            -i128::from(m)
        } else {
            i128::from(m)
        };
        if let Ok(n) = i32::try_from(n) {
            return Ok(Some(Value::Int(n)));
        }
        if let Ok(n) = i64::try_from(n) {
            return Ok(Some(Value::Long(n)));
        }
    }
    let mut decimal = false;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        decimal = true;
        i += 1;
        let frac = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        frac_digits = i - frac;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if i == b.len() {
            return Ok(None);
        }
        let signed = matches!(b[i], b'+' | b'-');
        i += usize::from(signed);
        let exp = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == exp {
            return if signed && i == b.len() {
                Err(invalid_number(word))
            } else {
                Ok(None)
            };
        }
        decimal = true;
    }
    if i != b.len() {
        return Ok(None);
    }
    if !decimal {
        return Ok(Some(crate::value::number::integer_text(word)));
    }
    if int_digits + frac_digits == 0 {
        return Err(invalid_number(word));
    }
    if word.len() > 18 {
        return Ok(BigDecimal::parse(word).map(|d| Value::BigDecimal(Rc::new(d))));
    }
    word.parse()
        .map(|d| Some(Value::Double(d)))
        .map_err(|_| invalid_number(word))
}

fn invalid_number(word: &str) -> String {
    format!("NumberFormatException: For input string: \"{word}\"")
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

    /// What `$input.json('$')` gives through the values.
    fn through_values(text: &str) -> Option<String> {
        let mut out = String::new();
        crate::value::write_json(&parse(text).ok()?, &mut out);
        Some(out)
    }

    #[test]
    fn transcoding_writes_what_the_values_print() {
        for text in [
            r#"{"a": [1, "x", {'b': tru}], c: d e,}"#,
            r#"[1.0, 1e3, -0, 007, 3.14159265358979323846, 9223372036854775808, NaN, null]"#,
            r#"{"s": "\u00e9\ud83d\ude00\x41 \/ \u2028 \u0080", "t": true} trailing"#,
            r#"{"a": {"b": [[], {}, [{}]]}, "": ""}"#,
            "[,1,,2,]",
        ] {
            assert_eq!(transcode(text), through_values(text), "{text}");
        }
        // A repeated key keeps its first place with the last value: left to the values.
        assert_eq!(transcode(r#"{"a": 1, "b": 2, "a": 3}"#), None);
        assert_eq!(
            through_values(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap(),
            r#"{"a":3,"b":2}"#
        );
        // Not an object or array, or invalid: left to the values.
        for text in ["\"s\"", "12", "", "{\"a\" 1}", "[1,2"] {
            assert_eq!(transcode(text), None, "{text}");
        }
        // Nesting that prints as `...` is left to the values.
        let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
        assert_eq!(transcode(&deep), None);
    }

    /// JSON text in json-smart's permissive dialect: quoted and unquoted keys, single
    /// quotes, escapes, numbers of every kind, words, trailing commas, repeated keys.
    fn payload() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            "\"[a-c\\\\/\"é\u{2028}\u{80}]{0,4}\"",
            "'[a-c ]{0,3}'",
            "\"\\\\u(00e9|d83d|de00|2000|0001|007f)[a-z]?\"",
            "-?[0-9]{1,20}(\\.[0-9]{1,3})?([eE][-+]?[0-9]{1,2})?",
            "(true|false|null|NaN|word|two words)",
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            let key = "(\"[a-c]\"|'[a-c]'|[a-c]|\"\\\\u0061\")";
            prop_oneof![
                (
                    proptest::collection::vec(inner.clone(), 0..6),
                    any::<bool>()
                )
                    .prop_map(|(items, trailing)| {
                        format!("[{}{}]", items.join(", "), if trailing { "," } else { "" })
                    }),
                proptest::collection::vec((key, inner), 0..6).prop_map(|entries| {
                    let entries: Vec<String> =
                        entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                    format!("{{{}}}", entries.join(" ,"))
                }),
            ]
        })
    }

    /// The value with every payload container in it made into its map or list.
    fn made(v: &Value) -> Value {
        match &*v.resolve() {
            Value::Map(m) => Value::new_map(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), made(v)))
                    .collect(),
            ),
            Value::List(items, style) => Value::List(
                Rc::new(std::cell::RefCell::new(
                    items.borrow().iter().map(made).collect(),
                )),
                *style,
            ),
            other => other.clone(),
        }
    }

    /// json-smart's reading of a quoted string, a character at a time: `body` follows the
    /// opening `quote`; `None` when it is invalid.
    fn string_one_by_one(body: &str, quote: char) -> Option<String> {
        let end = body.find([quote, '\\'])?;
        if body[end..].starts_with(quote) {
            return Some(body[..end].to_string());
        }
        let mut chars = body.chars();
        let hex = |n: usize, chars: &mut std::str::Chars| {
            (0..n).try_fold(0, |v, _| Some(v * 16 + chars.next()?.to_digit(16)?))
        };
        let (mut out, mut high) = (String::new(), None::<u32>);
        loop {
            let c = chars.next()?;
            let lone = |high: &mut Option<u32>, out: &mut String| {
                if let Some(h) = high.take() {
                    out.push(crate::java::surrogate::lone(h as u16));
                }
            };
            if c == quote {
                lone(&mut high, &mut out);
                return Some(out);
            }
            if c < ' ' || c == '\u{7f}' {
                continue;
            }
            if c != '\\' {
                lone(&mut high, &mut out);
                out.push(c);
                continue;
            }
            let e = chars.next()?;
            if e == 'u' {
                let unit = hex(4, &mut chars)?;
                match high.take() {
                    Some(h) if (0xDC00..0xE000).contains(&unit) => {
                        out.push(char::from_u32(
                            0x10000 + ((h - 0xD800) << 10) + unit - 0xDC00,
                        )?);
                        continue;
                    }
                    Some(h) => out.push(crate::java::surrogate::lone(h as u16)),
                    None => {}
                }
                if (0xD800..0xDC00).contains(&unit) {
                    high = Some(unit);
                } else {
                    out.push(
                        char::from_u32(unit)
                            .unwrap_or_else(|| crate::java::surrogate::lone(unit as u16)),
                    );
                }
                continue;
            }
            lone(&mut high, &mut out);
            match e {
                'x' => out.push(char::from_u32(hex(2, &mut chars)?)?),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '"' | '\'' | '/' | '\\' => out.push(e),
                _ => {}
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn reading_in_place_is_reading_the_values(text in payload()) {
            // Each read from a document of its own, so that nothing is made before.
            let fresh = || parse(&text);
            if let (Ok(read), Ok(other)) = (fresh(), fresh()) {
                let values = made(&other);
                let (mut a, mut b) = (String::new(), String::new());
                crate::value::write_json(&fresh().unwrap(), &mut a);
                crate::value::write_json(&values, &mut b);
                proptest::prop_assert_eq!(a, b);
                for key in ["a", "b", "c"] {
                    let lazy = crate::java::property(&fresh().unwrap(), key).map(|v| v.to_java_string());
                    let eager = crate::java::property(&values, key).map(|v| v.to_java_string());
                    proptest::prop_assert_eq!(lazy, eager);
                }
                proptest::prop_assert_eq!(read.to_java_string(), values.to_java_string());
                proptest::prop_assert!(crate::value::key::java_equals(&fresh().unwrap(), &values));
            }
        }

        #[test]
        fn strings_read_as_one_character_at_a_time(
            body in "(plain text|[a-c é😀\u{1}\u{1f}\u{7f}\"']|\\\\u(d83d|dbff|de00|dc00|00e9|0041|0000|12g4)|\\\\x(41|e9|4)|\\\\[nrtbf\"'/\\\\aqé])*",
            single in proptest::prelude::any::<bool>(),
        ) {
            let quote = if single { '\'' } else { '"' };
            let expected = string_one_by_one(&body, quote);
            let read = parse(&format!("{quote}{body}"));
            match (read, expected) {
                (Ok(Value::Str(read)), Some(expected)) => proptest::prop_assert_eq!(&*read, expected),
                (Err(_), None) => {}
                (read, expected) => proptest::prop_assert!(false, "{:?}: {:?} vs {:?}", body, read.map(|v| v.to_java_string()), expected),
            }
        }

        #[test]
        fn a_short_integer_is_what_number_reads(word in "-?[0-9]{0,11}") {
            if let Some(n) = short_integer(&word) {
                proptest::prop_assert!(matches!(word_value(&word), Ok(Value::Int(m)) if m == n), "{}", word);
            } else {
                proptest::prop_assert!(word.trim_start_matches('-').len() > 9 || word.trim_start_matches('-').is_empty());
            }
        }

        #[test]
        fn a_decimal_kept_as_written_is_what_java_prints(word in "-?(0|[1-9][0-9]{0,7})\\.[0-9]{1,14}") {
            if decimal_prints_as_written(&word) {
                let mut printed = String::new();
                crate::value::write_json(&word_value(&word).unwrap(), &mut printed);
                proptest::prop_assert_eq!(printed, word);
            }
        }

        #[test]
        fn transcoding_agrees_with_the_values(text in payload()) {
            if let Some(written) = transcode(&text) {
                proptest::prop_assert_eq!(Some(written), through_values(&text), "{}", text);
            } else if text.starts_with(['{', '[']) && through_values(&text).is_some() {
                // Only a repeated key sends a valid object or array to the values.
                proptest::prop_assert!(text.contains(':'), "{}", text);
            }
        }
    }
}
