//! `$util`: `escapeJavaScript`, `parseJson`, `urlEncode`, `urlDecode`, `base64Encode` and
//! `base64Decode`, as the Java functions API Gateway uses behave.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::json;
use crate::value::display::{Escaper, Pieces, ascii_escapes, escaped, first_escape};
use crate::value::{Object, Value};
use crate::words;
use crate::{Error, ErrorKind};

/// The `$util` object.
pub(crate) struct Util;

thread_local! {
    static UTIL: std::rc::Rc<Util> = std::rc::Rc::new(Util);
}

impl Util {
    /// The one `$util` of this thread, so that a render does not allocate one.
    pub(crate) fn shared() -> std::rc::Rc<dyn Object> {
        UTIL.with(|u| std::rc::Rc::clone(u) as std::rc::Rc<dyn Object>)
    }
}

fn fail(method: &str, message: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Render, format!("$util.{method}: {message}"))
}

impl Object for Util {
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, Error>> {
        let [arg] = args else {
            return None;
        };
        // A null argument counts as "" (API Gateway renders such calls empty).
        let text = match arg {
            Value::Null => Cow::Borrowed(""),
            Value::Str(s) => Cow::Borrowed(&**s),
            other => Cow::Owned(other.to_java_string()),
        };
        Some(match name {
            // A string with nothing to escape is shared, not copied.
            "escapeJavaScript" => Ok(match (first_escape::<JavaScript>(&text), arg) {
                (Some(first), _) => escaped::<JavaScript, _>(&text, first, |t| Value::from(t)),
                (None, Value::Str(s)) => Value::Str(std::sync::Arc::clone(s)),
                (None, _) => Value::from(&*text),
            }),
            "parseJson" => {
                crate::limits::burn_text(text.len());
                json::parse(&text).map_err(|e| fail(name, format!("ParseException: {e}")))
            }
            "urlEncode" => Ok(Value::from(url_encode(&crate::java::surrogate::encoded(
                &text,
            )))),
            "urlDecode" => url_decode(&text)
                .map(Value::from)
                .map_err(|e| fail(name, e)),
            "base64Encode" => Ok(Value::from(base64_encode(
                crate::java::surrogate::encoded(&text).as_bytes(),
            ))),
            "base64Decode" => base64_decode(&text)
                .map(|bytes| Value::from(String::from_utf8_lossy(&bytes).into_owned()))
                .map_err(|e| fail(name, e)),
            _ => return None,
        })
    }

    fn to_java_string(&self) -> String {
        "$util".to_string()
    }
}

/// commons-lang 2.6 `StringEscapeUtils.escapeJavaScript`.
pub fn escape_javascript(s: &str) -> String {
    match first_escape::<JavaScript>(s) {
        Some(first) => escaped::<JavaScript, _>(s, first, str::to_owned),
        None => s.to_owned(),
    }
}

/// `escapeJavaScript`'s escapes: every non-ASCII character as `\uXXXX`, DEL as it is.
struct JavaScript;

impl Escaper for JavaScript {
    const PIECES: Pieces = Pieces::new(ascii_escapes(b"'\"\\/"), [true; 128]);

    fn stops(x: u64) -> u64 {
        words::below(x, 0x20)
            | words::equal(x, b'\'')
            | words::equal(x, b'"')
            | words::equal(x, b'\\')
            | words::equal(x, b'/')
            | words::non_ascii(x)
    }

    fn escapes(_: char) -> bool {
        true
    }
}

/// `java.net.URLEncoder.encode(s, "UTF-8")`: form encoding.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// `java.net.URLDecoder.decode(s, "UTF-8")`.
pub fn url_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                if i + 2 >= bytes.len() {
                    return Err("IllegalArgumentException: URLDecoder: Incomplete trailing escape (%) pattern".into());
                }
                let hex = &bytes[i + 1..i + 3];
                let digit = |b: u8| (b as char).to_digit(16).map(|d| d as i32);
                // Java reads the two characters with Integer.parseInt, which takes a sign.
                let value = match (hex[0], digit(hex[1])) {
                    (b'+', Some(lo)) => Some(lo),
                    (b'-', Some(lo)) => Some(-lo),
                    (hi, Some(lo)) => digit(hi).map(|hi| hi * 16 + lo),
                    _ => None,
                };
                let Some(value) = value else {
                    return Err(format!(
                        "IllegalArgumentException: URLDecoder: Illegal hex characters in escape (%) pattern - Error at index 0 in: \"{}\"",
                        String::from_utf8_lossy(hex)
                    ));
                };
                if value < 0 {
                    return Err("IllegalArgumentException: URLDecoder: Illegal hex characters in escape (%) pattern - negative value".into());
                }
                out.push(value as u8);
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `java.util.Base64.getEncoder()`: standard alphabet, padded.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `java.util.Base64.getDecoder()`: the standard alphabet; padding may be left out, but
/// what padding there is must be right.
pub fn base64_decode(s: &str) -> Result<Vec<u8>, String> {
    let bytes = s.as_bytes();
    let data_len = bytes.iter().position(|&b| b == b'=').unwrap_or(bytes.len());
    let mut out = Vec::with_capacity(data_len * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for &b in &bytes[..data_len] {
        let v = BASE64
            .iter()
            .position(|&c| c == b)
            .ok_or_else(|| format!("IllegalArgumentException: Illegal base64 character {:x}", b))?;
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    let rem = data_len % 4;
    if rem == 1 {
        return Err(if data_len == 1 {
            "IllegalArgumentException: Input byte[] should at least have 2 bytes for base64 bytes"
                .into()
        } else {
            "IllegalArgumentException: Last unit does not have enough valid bits".into()
        });
    }
    let padding = &bytes[data_len..];
    if !padding.is_empty() {
        let expected = if rem == 0 { 0 } else { 4 - rem };
        if padding.len() != expected || padding.iter().any(|&b| b != b'=') {
            return Err(if rem == 0 || padding.len() > expected {
                format!(
                    "IllegalArgumentException: Input byte array has incorrect ending byte at {data_len}"
                )
            } else {
                "IllegalArgumentException: Input byte array has wrong 4-byte ending unit".into()
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codecs() {
        assert_eq!(
            escape_javascript("it's \"a\"/\\ é😀\u{1}\u{7f}"),
            "it\\'s \\\"a\\\"\\/\\\\ \\u00E9\\uD83D\\uDE00\\u0001\u{7f}"
        );
        assert_eq!(url_encode("a b~*é"), "a+b%7E*%C3%A9");
        assert_eq!(url_decode("a+b%7e%C3%A9").unwrap(), "a b~é");
        assert!(url_decode("100%").is_err());
        assert_eq!(
            base64_encode(b"{\"kinesis\": \"snapshot\"}"),
            "eyJraW5lc2lzIjogInNuYXBzaG90In0="
        );
        assert_eq!(base64_decode("aGVsbG8").unwrap(), b"hello");
        assert!(base64_decode("YQ=").is_err());
        assert!(base64_decode("aGVsbG8==").is_err());
    }

    /// commons-lang's `escapeJavaScript`, a character at a time.
    fn escape_one_by_one(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '\'' | '"' | '\\' | '/' => {
                    out.push('\\');
                    out.push(c);
                }
                '\u{8}' => out.push_str("\\b"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\u{c}' => out.push_str("\\f"),
                '\r' => out.push_str("\\r"),
                c if !(' '..='\u{7f}').contains(&c) => {
                    for unit in crate::java::surrogate::encode_utf16(c, &mut [0; 2]) {
                        out.push_str(&format!("\\u{:04X}", unit));
                    }
                }
                c => out.push(c),
            }
        }
        out
    }

    #[test]
    fn the_word_scan_stops_where_the_table_does() {
        crate::value::display::assert_stops_agree::<JavaScript>();
    }

    proptest::proptest! {
        #[test]
        fn escaping_javascript_is_escaping_each_character(s in "([a-z ]{0,12}|['\"\\\\/\u{0}-\u{1f}\u{7f}\u{80}é\u{2028}😀])*") {
            proptest::prop_assert_eq!(escape_javascript(&s), escape_one_by_one(&s));
        }
    }
}
