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

/// A run of ASCII bytes: one that `first` accepts, then any that `rest` accepts. Matched
/// on bytes (no UTF-8 decoding); the run is ASCII, so it ends on a character boundary.
fn ascii_run(
    input: &str,
    first: impl Fn(u8) -> bool,
    rest: impl Fn(u8) -> bool,
) -> IResult<&str, &str> {
    let run: IResult<&[u8], &[u8]> =
        recognize(pair(take_while1(first), take_while(rest)))(input.as_bytes());
    match run {
        Ok((_, matched)) => Ok((&input[matched.len()..], &input[..matched.len()])),
        Err(_) => Err(nom::Err::Error(nom::error::Error::new(
            input,
            nom::error::ErrorKind::TakeWhile1,
        ))),
    }
}

/// A reference identifier: `[a-zA-Z_][a-zA-Z0-9_-]*`.
pub fn identifier(input: &str) -> IResult<&str, &str> {
    ascii_run(input, is_ident_start, is_ident_char)
}

/// A directive or macro name: `[a-zA-Z_][a-zA-Z0-9_]*`.
pub fn word(input: &str) -> IResult<&str, &str> {
    ascii_run(input, is_ident_start, is_word_char)
}

/// Spaces, tabs and line breaks inside a directive.
pub fn whitespace(input: &str) -> IResult<&str, &str> {
    let len = input
        .bytes()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count();
    Ok((&input[len..], &input[..len]))
}

/// The length of a line break at the start of `rest` (`\n`, `\r\n` or `\r`), 0 if none.
pub fn newline_len(rest: &[u8]) -> usize {
    match rest {
        [b'\r', b'\n', ..] => 2,
        [b'\n', ..] | [b'\r', ..] => 1,
        _ => 0,
    }
}
