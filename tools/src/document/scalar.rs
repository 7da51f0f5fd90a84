//! Where the characters of a decoded string were written: anchors from the raw text of a
//! quoted string (JSON or YAML, escapes and folded line breaks included) or of a block or
//! multi-line plain scalar.

use vtl::apigateway::Anchor;

use super::Lines;
use crate::lines::clamp;

fn anchor(offset: usize, line: u32, column: u32) -> Anchor {
    Anchor {
        offset: u32::try_from(offset).unwrap_or(u32::MAX),
        line,
        column,
    }
}

/// The quote that ends a quoted string, and how it escapes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Quote {
    /// `"..."` with backslash escapes (JSON and YAML).
    Double,
    /// YAML's `'...'`, where `''` is one quote.
    Single,
}

/// Anchors of `text`, the decoded value of a quoted string whose opening quote is at byte
/// `open` of the source. Each escape moves the file ahead of the text, so an anchor
/// follows each; a line break inside the string folds, and the text is found again at
/// the next character written.
pub(super) fn quoted(lines: &Lines, open: usize, text: &str, quote: Quote) -> Vec<Anchor> {
    let (mut line, mut column) = lines.position(open + 1);
    let mut anchors = vec![anchor(0, line, column)];
    let raw = lines.text.get(open + 1..).unwrap_or("");
    let mut chars = raw.chars().peekable();
    let mut t = 0usize;
    while let Some(c) = chars.next() {
        match (c, quote) {
            ('"', Quote::Double) => break,
            ('\'', Quote::Single) => {
                if chars.peek() != Some(&'\'') {
                    break;
                }
                chars.next();
                column += 2;
                t += 1;
                anchors.push(anchor(t, line, column));
            }
            ('\\', Quote::Double) => {
                let Some(e) = chars.next() else { break };
                column += 2;
                let produced = match e {
                    'u' | 'x' | 'U' => {
                        let digits = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let hex: String = chars.by_ref().take(digits).collect();
                        column += hex.chars().count() as u32;
                        let code = u32::from_str_radix(&hex, 16).unwrap_or(0xFFFD);
                        let code = if (0xD800..0xDC00).contains(&code)
                            && low_surrogate_follows(&chars)
                        {
                            chars.next();
                            chars.next();
                            let low: String = chars.by_ref().take(4).collect();
                            column += 6;
                            let low = u32::from_str_radix(&low, 16).unwrap_or(0xDC00);
                            0x10000 + ((code - 0xD800) << 10) + (low.saturating_sub(0xDC00) & 0x3FF)
                        } else {
                            code
                        };
                        char::from_u32(code).map_or(3, char::len_utf8)
                    }
                    '\n' | '\r' => {
                        // An escaped line break: nothing, and the next line's indentation
                        // is not content either.
                        if e == '\r' && chars.peek() == Some(&'\n') {
                            chars.next();
                        }
                        line += 1;
                        column = 1;
                        while let Some(' ' | '\t') = chars.peek() {
                            chars.next();
                            column += 1;
                        }
                        0
                    }
                    'N' | '_' => 2,
                    'L' | 'P' => 3,
                    _ => 1,
                };
                t += produced;
                anchors.push(anchor(t, line, column));
            }
            ('\n', _) => {
                line += 1;
                column = 1;
                while let Some(' ' | '\t' | '\n' | '\r') = chars.peek() {
                    if chars.next() == Some('\n') {
                        line += 1;
                        column = 1;
                    } else {
                        column += 1;
                    }
                }
                // The fold turned the break and the spaces around it into one space or
                // line breaks: find the next written character in the text.
                if let Some(&next) = chars.peek() {
                    let from = t.min(text.len());
                    if let Some(p) = text.get(from..).and_then(|rest| rest.find(next)) {
                        t = from + p;
                    }
                }
                anchors.push(anchor(t, line, column));
            }
            _ => {
                t += c.len_utf8();
                column += 1;
            }
        }
    }
    anchors
}

fn low_surrogate_follows(chars: &std::iter::Peekable<std::str::Chars<'_>>) -> bool {
    let ahead: String = chars.clone().take(6).collect();
    ahead.len() == 6
        && ahead.starts_with("\\u")
        && u32::from_str_radix(&ahead[2..], 16).is_ok_and(|c| (0xDC00..0xE000).contains(&c))
}

/// Anchors of `text`, a block scalar (`|`, `>`) or a multi-line plain scalar, from the
/// file lines `first..=last` (1-based) it was written on. `start` anchors the first
/// character when it is on line `first` (a plain scalar); a block scalar's content starts
/// on the line after its indicator. Each written line is found in the text in order.
pub(super) fn by_lines(
    lines: &Lines,
    first: usize,
    last: usize,
    start: Option<(u32, u32)>,
    text: &str,
) -> Vec<Anchor> {
    let mut anchors = Vec::new();
    let mut cursor = 0usize;
    let mut from_line = first;
    if let Some((line, column)) = start {
        anchors.push(anchor(0, line, column));
        let raw = lines.line(first);
        let from = raw
            .char_indices()
            .nth(column.saturating_sub(1) as usize)
            .map_or(raw.len(), |(i, _)| i);
        let written = raw[from..].trim_end();
        if text.starts_with(written) {
            cursor = written.len();
        }
        from_line = first + 1;
    }
    for n in from_line..=last {
        let raw = lines.line(n);
        let content = raw.trim_start_matches([' ', '\t']).trim_end();
        if content.is_empty() {
            continue;
        }
        let indent = raw.len() - raw.trim_start_matches([' ', '\t']).len();
        let Some(p) = text.get(cursor..).and_then(|rest| rest.find(content)) else {
            continue;
        };
        let at = cursor + p;
        anchors.push(anchor(
            at,
            clamp(n),
            clamp(raw[..indent].chars().count() + 1),
        ));
        cursor = at + content.len();
    }
    if anchors.first().is_none_or(|a| a.offset != 0) {
        let (line, column) = anchors
            .first()
            .map_or((clamp(first), 1), |a| (a.line, a.column));
        anchors.insert(0, anchor(0, line, column));
    }
    anchors
}
