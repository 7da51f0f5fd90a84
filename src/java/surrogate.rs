//! Lone UTF-16 surrogates. A Java string is a sequence of UTF-16 units and may hold a
//! surrogate without its other half (JSON's `"\ud800"`, Velocity's `"\uD800"`, a
//! `substring` that cuts a pair); a Rust string cannot. Inside a render such a unit is
//! the character U+10F800 + (unit - U+D800), at the end of the last private-use plane,
//! and counts as the one unit it stands for. What leaves a render as bytes is encoded as
//! Java's UTF-8 encoder does it: a high and a low surrogate next to each other are the
//! character they make, any other is `?`. (The price: those 2,048 private-use characters
//! in an input are read as the surrogates they stand for here, once the process has met a
//! lone surrogate: until then no string can hold one, and none is looked for.)

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

/// The character standing for surrogate U+D800.
const FIRST: u32 = 0x10F800;

/// Whether a lone surrogate was ever made into a character in this process.
static MET: AtomicBool = AtomicBool::new(false);

/// The character standing for a lone surrogate `unit` (U+D800..=U+DFFF).
pub(crate) fn lone(unit: u16) -> char {
    MET.store(true, Ordering::Relaxed);
    char::from_u32(FIRST + u32::from(unit.wrapping_sub(0xD800) & 0x7FF)).unwrap_or('?')
}

/// The surrogate a character stands for, if it stands for one.
pub(crate) fn unit(c: char) -> Option<u16> {
    let c = u32::from(c);
    (c >= FIRST && MET.load(Ordering::Relaxed)).then(|| (0xD800 + (c - FIRST)) as u16)
}

/// The UTF-16 units of a character, as Java holds it.
pub(crate) fn encode_utf16(c: char, buf: &mut [u16; 2]) -> &[u16] {
    match unit(c) {
        Some(u) => {
            buf[0] = u;
            &buf[..1]
        }
        None => c.encode_utf16(buf),
    }
}

/// The UTF-16 units of a string, as Java holds it.
pub(crate) fn units(s: &str) -> impl Iterator<Item = u16> + '_ {
    let mut pending: Option<u16> = None;
    let mut chars = s.chars();
    std::iter::from_fn(move || {
        if let Some(low) = pending.take() {
            return Some(low);
        }
        let c = chars.next()?;
        if let Some(u) = unit(c) {
            return Some(u);
        }
        let mut buf = [0u16; 2];
        let encoded = c.encode_utf16(&mut buf);
        if encoded.len() == 2 {
            pending = Some(encoded[1]);
        }
        Some(encoded[0])
    })
}

/// The characters standing for lone surrogates in `s`, which UTF-16 counts once each
/// (UTF-8 writes them in four bytes, `F4 8F A0..BF ..`).
pub(crate) fn count(s: &str) -> usize {
    if !MET.load(Ordering::Relaxed) {
        return 0;
    }
    let b = s.as_bytes();
    memchr::memchr_iter(0xF4, b)
        .filter(|&i| b.get(i + 1) == Some(&0x8F) && b.get(i + 2).is_some_and(|&x| x >= 0xA0))
        .count()
}

/// Whether two strings that differ as text are the same UTF-16 units: a surrogate pair
/// held as its two halves is the character it makes.
pub(crate) fn same_units(a: &str, b: &str) -> bool {
    (any(a) || any(b)) && units(a).eq(units(b))
}

/// Whether `s` holds a lone surrogate.
pub(crate) fn any(s: &str) -> bool {
    count(s) > 0
}

/// `s` as Java's UTF-8 encoder writes it: a high and a low surrogate next to each other
/// become the character they make, any other surrogate `?`.
pub(crate) fn encoded(s: &str) -> Cow<'_, str> {
    if !any(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match unit(c) {
            None => out.push(c),
            Some(high @ 0xD800..=0xDBFF) => match chars.peek().copied().and_then(unit) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    chars.next();
                    let code =
                        0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(code).unwrap_or('?'));
                }
                _ => out.push('?'),
            },
            Some(_) => out.push('?'),
        }
    }
    Cow::Owned(out)
}

/// JSON text with every `\uXXXX` escape of a lone surrogate in its strings replaced by
/// the character standing for it, for a JSON parser that holds only Unicode characters.
pub(crate) fn json_escapes(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let hex = |at: usize| -> Option<u16> {
        let digits = std::str::from_utf8(b.get(at..at + 4)?).ok()?;
        u16::from_str_radix(digits, 16).ok()
    };
    // An escape `\u` at `at` and the unit it writes.
    let escape = |at: usize| -> Option<u16> {
        (b.get(at) == Some(&b'\\') && b.get(at + 1) == Some(&b'u'))
            .then(|| hex(at + 2))
            .flatten()
    };
    let mut out = String::new();
    // What of `text` is copied to `out` already.
    let mut copied = 0;
    let mut in_string = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => in_string = !in_string,
            b'\\' if in_string => match escape(i) {
                Some(0xD800..=0xDBFF)
                    if escape(i + 6).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low)) =>
                {
                    i += 12;
                    continue;
                }
                Some(unit_ @ 0xD800..=0xDFFF) => {
                    out.push_str(&text[copied..i]);
                    out.push(lone(unit_));
                    i += 6;
                    copied = i;
                    continue;
                }
                _ => i += 1,
            },
            _ => {}
        }
        i += 1;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Encodes, in place, what a render wrote to `out` from `start` (see [`encoded`]).
pub(crate) fn encode_output(out: &mut String, start: usize) {
    if let Cow::Owned(text) = encoded(&out[start..]) {
        out.truncate(start);
        out.push_str(&text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrogates_round_trip() {
        for unit_ in [0xD800u16, 0xDBFF, 0xDC00, 0xDFFF] {
            assert_eq!(unit(lone(unit_)), Some(unit_));
        }
        assert_eq!(unit('a'), None);
        assert_eq!(unit('\u{10F7FF}'), None);
        let s: String = ['x', lone(0xD83D), lone(0xDE00), lone(0xD800), 'y', '😀']
            .into_iter()
            .collect();
        assert_eq!(
            units(&s).collect::<Vec<_>>(),
            [0x78, 0xD83D, 0xDE00, 0xD800, 0x79, 0xD83D, 0xDE00]
        );
        assert_eq!(count(&s), 3);
        assert_eq!(encoded(&s), "x😀?y😀");
        let lone_low: String = [lone(0xDE00), lone(0xD83D)].into_iter().collect();
        assert_eq!(encoded(&lone_low), "??");
    }

    #[test]
    fn json_keeps_lone_surrogates() {
        let text = r#"{"a": "x\ud800y", "b": "\ud83d\ude00", "c": "\\ud800", "d": "\uDE00\ud800"}"#;
        let read: serde_json::Value = serde_json::from_str(&json_escapes(text)).unwrap();
        assert_eq!(read["a"].as_str().unwrap(), format!("x{}y", lone(0xD800)));
        assert_eq!(read["b"], "😀");
        assert_eq!(read["c"], "\\ud800");
        assert_eq!(
            read["d"].as_str().unwrap(),
            format!("{}{}", lone(0xDE00), lone(0xD800))
        );
        assert!(matches!(
            json_escapes(r#"{"a": "\u00e9"}"#),
            Cow::Borrowed(_)
        ));
    }
}
