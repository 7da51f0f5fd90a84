//! Character classes and small nom parsers shared by the template and expression parsers.

use nom::IResult;
use nom::bytes::complete::{take_while, take_while1};
use nom::combinator::recognize;
use nom::sequence::pair;

/// A letter as Velocity's lexer defines it (ASCII only).
pub fn is_letter(b: u8) -> bool {
    b.is_ascii_alphabetic()
}

/// A character that can start an identifier.
pub fn is_ident_start(b: u8) -> bool {
    is_letter(b) || b == b'_'
}

/// A character that can continue a reference identifier (hyphens included: `$a-b`).
pub fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// A character that can continue a directive or macro name.
pub fn is_word_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A reference identifier: `[a-zA-Z_][a-zA-Z0-9_-]*`.
pub fn identifier(input: &str) -> IResult<&str, &str> {
    recognize(pair(
        take_while1(|c: char| c.is_ascii() && is_ident_start(c as u8)),
        take_while(|c: char| c.is_ascii() && is_ident_char(c as u8)),
    ))(input)
}

/// A directive or macro name: `[a-zA-Z_][a-zA-Z0-9_]*`.
pub fn word(input: &str) -> IResult<&str, &str> {
    recognize(pair(
        take_while1(|c: char| c.is_ascii() && is_ident_start(c as u8)),
        take_while(|c: char| c.is_ascii() && is_word_char(c as u8)),
    ))(input)
}

/// Spaces, tabs and line breaks inside a directive.
pub fn whitespace(input: &str) -> IResult<&str, &str> {
    take_while(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r'))(input)
}

/// The length of a line break at the start of `rest` (`\n`, `\r\n` or `\r`), 0 if none.
pub fn newline_len(rest: &[u8]) -> usize {
    match rest {
        [b'\r', b'\n', ..] => 2,
        [b'\n', ..] | [b'\r', ..] => 1,
        _ => 0,
    }
}
