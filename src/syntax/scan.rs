//! Character classes and the small scanners shared by the template and expression parsers.

use nom::IResult;

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
    CLASSES[usize::from(b)] & IDENT != 0
}

/// A character that can continue a directive or macro name.
pub fn is_word_char(b: u8) -> bool {
    CLASSES[usize::from(b)] & WORD != 0
}

/// Bits of `CLASSES`.
const IDENT: u8 = 1;
const WORD: u8 = 2;

/// The classes of every byte value, looked up rather than computed: names are scanned a
/// byte at a time.
const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'_' {
            t[b] = IDENT | WORD;
        }
        b += 1;
    }
    t[b'-' as usize] = IDENT;
    t
};

/// A run of ASCII bytes: one that `first` accepts, then any that `rest` accepts. Matched
/// on bytes (no UTF-8 decoding); the run is ASCII, so it ends on a character boundary.
fn ascii_run(
    input: &str,
    first: impl Fn(u8) -> bool,
    rest: impl Fn(u8) -> bool,
) -> IResult<&str, &str> {
    let b = input.as_bytes();
    if !b.first().is_some_and(|&c| first(c)) {
        return Err(nom::Err::Error(nom::error::Error::new(
            input,
            nom::error::ErrorKind::TakeWhile1,
        )));
    }
    let len = 1 + b[1..].iter().take_while(|&&c| rest(c)).count();
    Ok((&input[len..], &input[..len]))
}

/// A reference identifier: `[a-zA-Z_][a-zA-Z0-9_-]*`.
pub fn identifier(input: &str) -> IResult<&str, &str> {
    ascii_run(input, is_ident_start, is_ident_char)
}

/// A directive or macro name: `[a-zA-Z_][a-zA-Z0-9_]*`.
pub fn word(input: &str) -> IResult<&str, &str> {
    ascii_run(input, is_ident_start, is_word_char)
}

/// The length of a line break at the start of `rest` (`\n`, `\r\n` or `\r`), 0 if none.
pub fn newline_len(rest: &[u8]) -> usize {
    match rest {
        [b'\r', b'\n', ..] => 2,
        [b'\n', ..] | [b'\r', ..] => 1,
        _ => 0,
    }
}
