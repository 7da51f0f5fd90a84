//! Expressions inside directives: literals, references, operators with Velocity's
//! precedence (`||` < `&&` < `==` `!=` < `<` `<=` `>` `>=` < `+` `-` < `*` `/` `%` < `!`).

use std::sync::Arc;

use nom::IResult;
use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::character::complete::{char, digit0, digit1, one_of};
use nom::combinator::{opt, recognize};
use nom::sequence::tuple;

use super::ast::*;
use super::parser::Parser;
use super::scan;
use crate::value::number::MathOp;

/// Longest chain of binary operators in one expression.
const MAX_CHAIN: usize = 1000;

/// A numeric literal token: its text and whether it is floating point. A leading `-`
/// belongs to the literal, as in Velocity's lexer (`5-3` is two literals, not a subtraction).
fn number(input: &str) -> IResult<&str, (&str, bool)> {
    let exponent = || recognize(tuple((one_of("eE"), opt(one_of("+-")), digit1)));
    let with_int = recognize(tuple((
        opt(char('-')),
        digit1,
        opt(alt((
            // `1.` is a double, unless the dot starts a range's `..`.
            recognize(tuple((
                char('.'),
                nom::combinator::not(char('.')),
                digit0,
                opt(exponent()),
            ))),
            exponent(),
        ))),
    )));
    let frac_only = recognize(tuple((opt(char('-')), char('.'), digit1, opt(exponent()))));
    let (rest, text) = alt((with_int, frac_only))(input)?;
    let float = text.contains(['.', 'e', 'E']);
    Ok((rest, (text, float)))
}

/// A binary operator.
#[derive(Clone, Copy)]
enum Op {
    Or,
    And,
    Compare(CompareOp),
    Math(MathOp),
}

impl Op {
    /// How tightly the operator binds: `||` 0, `&&` 1, `==` 2, `<` 3, `+` 4, `*` 5.
    fn precedence(self) -> u8 {
        match self {
            Op::Or => 0,
            Op::And => 1,
            Op::Compare(CompareOp::Eq | CompareOp::Ne) => 2,
            Op::Compare(_) => 3,
            Op::Math(MathOp::Add | MathOp::Sub) => 4,
            Op::Math(_) => 5,
        }
    }

    /// The operator `rest` starts with, and its length. A `-` before a digit starts a
    /// negative literal, as in Velocity's lexer; a word operator ends before a word
    /// character.
    fn scan(rest: &[u8]) -> Option<(Op, usize)> {
        let word = |w: &[u8], op: Op| {
            (rest.starts_with(w) && !rest.get(w.len()).is_some_and(|&c| scan::is_word_char(c)))
                .then_some((op, w.len()))
        };
        let (cmp, math) = (Op::Compare, Op::Math);
        match rest {
            [b'|', b'|', ..] => Some((Op::Or, 2)),
            [b'&', b'&', ..] => Some((Op::And, 2)),
            [b'=', b'=', ..] => Some((cmp(CompareOp::Eq), 2)),
            [b'!', b'=', ..] => Some((cmp(CompareOp::Ne), 2)),
            [b'<', b'=', ..] => Some((cmp(CompareOp::Le), 2)),
            [b'>', b'=', ..] => Some((cmp(CompareOp::Ge), 2)),
            [b'<', ..] => Some((cmp(CompareOp::Lt), 1)),
            [b'>', ..] => Some((cmp(CompareOp::Gt), 1)),
            [b'+', ..] => Some((math(MathOp::Add), 1)),
            [b'-', c, ..] if c.is_ascii_digit() => None,
            [b'-', ..] => Some((math(MathOp::Sub), 1)),
            [b'*', ..] => Some((math(MathOp::Mul), 1)),
            [b'/', ..] => Some((math(MathOp::Div), 1)),
            [b'%', ..] => Some((math(MathOp::Rem), 1)),
            [b'o', ..] => word(b"or", Op::Or),
            [b'a', ..] => word(b"and", Op::And),
            [b'e', ..] => word(b"eq", cmp(CompareOp::Eq)),
            [b'n', ..] => word(b"ne", cmp(CompareOp::Ne)),
            [b'l', ..] => {
                word(b"le", cmp(CompareOp::Le)).or_else(|| word(b"lt", cmp(CompareOp::Lt)))
            }
            [b'g', ..] => {
                word(b"ge", cmp(CompareOp::Ge)).or_else(|| word(b"gt", cmp(CompareOp::Gt)))
            }
            _ => None,
        }
    }
}

/// A word operator or keyword, not followed by a word character.
fn keyword<'a>(input: &'a str, word: &str) -> Option<&'a str> {
    let rest: IResult<&str, &str> = tag(word)(input);
    let (rest, _) = rest.ok()?;
    match rest.bytes().next() {
        Some(c) if scan::is_word_char(c) => None,
        _ => Some(rest),
    }
}

fn symbol<'a>(input: &'a str, sym: &str) -> Option<&'a str> {
    let rest: IResult<&str, &str> = tag(sym)(input);
    rest.ok().map(|(r, _)| r)
}

impl<'s> Parser<'s> {
    fn rest(&self) -> &'s str {
        &self.src[self.pos..]
    }

    fn advance_to(&mut self, rest: &str) {
        self.pos = self.src.len() - rest.len();
    }

    /// The binary operator after the whitespace here, consumed if it binds at least as
    /// tightly as `min`.
    fn binary_op(&mut self, min: u8) -> Option<Op> {
        let save = self.pos;
        self.skip_ws();
        if let Some((op, len)) = Op::scan(&self.b[self.pos..])
            && op.precedence() >= min
        {
            self.pos += len;
            return Some(op);
        }
        self.pos = save;
        None
    }

    fn binary(kind: ExprKind, start: u32, end: usize) -> Expr {
        Expr {
            kind,
            span: Span {
                start,
                end: end as u32,
            },
        }
    }

    /// Counts one more operator of a chain such as `a + b + c`, which builds a tree as deep
    /// as it is long: a very long chain is refused rather than overflowing the stack.
    fn chain(&self, ops: &mut usize) -> Result<(), Error> {
        *ops += 1;
        if *ops > MAX_CHAIN {
            return Err(self.error(
                self.pos,
                format!("more than {MAX_CHAIN} operators in a row"),
            ));
        }
        Ok(())
    }

    /// A full expression.
    pub(super) fn expr(&mut self) -> Result<Expr, Error> {
        self.enter(self.pos)?;
        let e = self.operands(0);
        self.depth -= 1;
        e
    }

    /// Operands joined by binary operators binding at least as tightly as `min`, grouped
    /// by precedence and from the left (precedence climbing: one call per operand, not
    /// one per precedence level).
    fn operands(&mut self, min: u8) -> Result<Expr, Error> {
        let mut left = self.unary()?;
        let mut ops = 0;
        while let Some(op) = self.binary_op(min) {
            self.chain(&mut ops)?;
            self.skip_ws();
            let right = Box::new(self.operands(op.precedence() + 1)?);
            let left_box = Box::new(left);
            let kind = match op {
                Op::Or => ExprKind::Or(left_box, right),
                Op::And => ExprKind::And(left_box, right),
                Op::Compare(c) => ExprKind::Compare(c, left_box, right),
                Op::Math(m) => ExprKind::Math(m, left_box, right),
            };
            left = Self::binary(kind, 0, self.pos).with_start_of_left();
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, Error> {
        let start = self.pos;
        let rest = self.rest();
        let after = match symbol(rest, "!") {
            Some(r) if !r.starts_with('=') => Some(r),
            _ => keyword(rest, "not"),
        };
        if let Some(r) = after {
            self.advance_to(r);
            self.enter(start)?;
            self.skip_ws();
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Self::binary(
                ExprKind::Not(Box::new(inner)),
                start as u32,
                self.pos,
            ));
        }
        self.primary()
    }

    /// A literal, a reference or a parenthesized expression.
    pub(super) fn primary(&mut self) -> Result<Expr, Error> {
        let start = self.pos;
        let kind = match self.b.get(start) {
            Some(b'$') => match self.reference(0)? {
                Some(r) => ExprKind::Reference(Box::new(r)),
                None => return Err(self.unexpected("an expression")),
            },
            Some(b'"') | Some(b'\'') => self.string_literal()?,
            Some(b'[') => self.list_or_range()?,
            Some(b'{') => self.map_literal()?,
            Some(b'(') => {
                self.enter(start)?;
                self.pos += 1;
                self.skip_ws();
                let inner = self.expr()?;
                self.expect(b')', "`)`")?;
                self.depth -= 1;
                ExprKind::Group(Box::new(inner))
            }
            Some(c) if c.is_ascii_digit() || *c == b'-' || *c == b'.' => self.number_literal()?,
            _ => {
                let rest = self.rest();
                if let Some(r) = keyword(rest, "true") {
                    self.advance_to(r);
                    ExprKind::Bool(true)
                } else if let Some(r) = keyword(rest, "false") {
                    self.advance_to(r);
                    ExprKind::Bool(false)
                } else {
                    return Err(self.unexpected("an expression"));
                }
            }
        };
        Ok(Expr {
            kind,
            span: Span::new(start, self.pos),
        })
    }

    fn number_literal(&mut self) -> Result<ExprKind, Error> {
        let Ok((rest, (text, float))) = number(self.rest()) else {
            return Err(self.unexpected("an expression"));
        };
        let at = self.pos;
        self.advance_to(rest);
        if float {
            let d: f64 = text
                .parse()
                .map_err(|_| self.error(at, format!("invalid number `{text}`")))?;
            return Ok(ExprKind::Double(d));
        }
        Ok(if let Ok(n) = text.parse::<i32>() {
            ExprKind::Int(n)
        } else if let Ok(n) = text.parse::<i64>() {
            ExprKind::Long(n)
        } else {
            ExprKind::BigInt(Arc::from(text))
        })
    }

    /// An index inside `[ ]`: a literal or a reference.
    pub(super) fn index_expr(&mut self) -> Result<Expr, Error> {
        let at = self.pos;
        let e = self.primary()?;
        // Velocity's grammar takes an integer, a string, a boolean or a reference here.
        match e.kind {
            ExprKind::Int(_)
            | ExprKind::Long(_)
            | ExprKind::BigInt(_)
            | ExprKind::Str(_)
            | ExprKind::Interpolated(..)
            | ExprKind::Bool(_)
            | ExprKind::Reference(_) => Ok(e),
            _ => Err(self.error(
                at,
                format!(
                    "expected an integer, a string or a reference as the index, found `{}`",
                    &self.src[at..self.pos]
                ),
            )),
        }
    }

    fn string_literal(&mut self) -> Result<ExprKind, Error> {
        let at = self.pos;
        let quote = self.b[at];
        let mut p = at + 1;
        let mut doubled = false;
        loop {
            match self.b.get(p) {
                None => return Err(self.error(at, "unterminated string literal")),
                Some(&c) if c == quote => {
                    if self.b.get(p + 1) == Some(&quote) {
                        doubled = true;
                        p += 2;
                    } else {
                        break;
                    }
                }
                Some(_) => p += 1,
            }
        }
        self.pos = p + 1;
        let raw = &self.src[at + 1..p];
        // A double-quoted literal decodes `\uXXXX` first, then halves doubled quotes
        // (so `"\u0022\u0022"` is one quote); whether it interpolates depends on the
        // text as written, so `"\u0024x"` is the plain text `$x`.
        let decoded = if quote == b'"' && raw.contains("\\u") {
            Some(unicode_escapes(raw).map_err(|m| self.error(at, m))?)
        } else {
            None
        };
        let unescaped = decoded.as_deref().unwrap_or(raw);
        let text: Arc<str> = if doubled || decoded.is_some() {
            let q = quote as char;
            Arc::from(unescaped.replace(&format!("{q}{q}"), &q.to_string()))
        } else {
            Arc::from(raw)
        };
        if quote == b'"' && raw.contains(['$', '#']) {
            let block = super::parse_string(&text, self.depth + 1, &mut self.names)
                .map_err(|e| self.error(at, format!("in string literal: {}", e.message())))?;
            return Ok(ExprKind::Interpolated(text, block));
        }
        Ok(ExprKind::Str(text))
    }

    fn list_or_range(&mut self) -> Result<ExprKind, Error> {
        let at = self.pos;
        self.enter(at)?;
        self.pos += 1;
        if self.b.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
            let save = self.pos;
            self.skip_ws();
            // Velocity rejects `[ ]`: a list with only whitespace in it.
            if self.b.get(self.pos) == Some(&b']') {
                return Err(self.error(self.pos, "expected a list element or `]` right after `[`"));
            }
            self.pos = save;
        }
        self.skip_ws();
        let mut items = Vec::new();
        if self.b.get(self.pos) == Some(&b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(ExprKind::List(items));
        }
        let first = self.primary()?;
        self.skip_ws();
        if let Some(r) = symbol(self.rest(), "..") {
            // Any integer literal: Velocity takes its `intValue()`.
            let bound = |e: &Expr| {
                matches!(
                    e.kind,
                    ExprKind::Int(_)
                        | ExprKind::Long(_)
                        | ExprKind::BigInt(_)
                        | ExprKind::Reference(_)
                )
            };
            if !bound(&first) {
                return Err(self.error(
                    first.span.start as usize,
                    "a range bound must be an integer or a reference",
                ));
            }
            self.advance_to(r);
            self.skip_ws();
            let second = self.primary()?;
            if !bound(&second) {
                return Err(self.error(
                    second.span.start as usize,
                    "a range bound must be an integer or a reference",
                ));
            }
            self.expect(b']', "`]` to close the range")?;
            self.depth -= 1;
            return Ok(ExprKind::Range(Box::new(first), Box::new(second)));
        }
        items.push(first);
        loop {
            self.skip_ws();
            match self.b.get(self.pos) {
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                    items.push(self.primary()?);
                }
                _ => return Err(self.unexpected("`,` or `]` in the list")),
            }
        }
        self.depth -= 1;
        Ok(ExprKind::List(items))
    }

    fn map_literal(&mut self) -> Result<ExprKind, Error> {
        let at = self.pos;
        self.enter(at)?;
        self.pos += 1;
        self.skip_ws();
        let mut entries = Vec::new();
        if self.b.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(ExprKind::Map(entries));
        }
        loop {
            self.skip_ws();
            let key = self.primary()?;
            self.expect(b':', "`:` after the map key")?;
            self.skip_ws();
            let value = self.primary()?;
            entries.push((key, value));
            self.skip_ws();
            match self.b.get(self.pos) {
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                Some(b',') => self.pos += 1,
                _ => return Err(self.unexpected("`,` or `}` in the map")),
            }
        }
        self.depth -= 1;
        Ok(ExprKind::Map(entries))
    }
}

use crate::Error;

/// Decodes every `\\u` and the four UTF-16 units after it as Java's `Integer.parseInt(_,
/// 16)` reads them (a sign allowed, the value cut to 16 bits); the decoded text is not
/// scanned again. A lone surrogate stays one (see `java::surrogate`).
fn unicode_escapes(raw: &str) -> Result<String, String> {
    let units: Vec<u16> = raw.encode_utf16().collect();
    let mut out: Vec<u16> = Vec::with_capacity(units.len());
    let mut i = 0;
    while i < units.len() {
        if units[i] != u16::from(b'\\') || units.get(i + 1) != Some(&u16::from(b'u')) {
            out.push(units[i]);
            i += 1;
            continue;
        }
        let Some(digits) = units.get(i + 2..i + 6) else {
            return Err(format!(
                "`{}` in a string literal: `\\u` needs four hexadecimal digits",
                crate::java::from_units(&units[i..])
            ));
        };
        let text = crate::java::from_units(digits);
        let (negative, magnitude) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, &text[..]),
        };
        let value = (!magnitude.is_empty() && magnitude.chars().all(|c| hex_digit(c).is_some()))
            .then(|| {
                magnitude
                    .chars()
                    .fold(0i32, |v, c| v * 16 + hex_digit(c).unwrap_or(0) as i32)
            })
            .ok_or_else(|| {
                format!("`\\u{text}` in a string literal: `{text}` is not a hexadecimal number")
            })?;
        out.push((if negative { -value } else { value }) as u16);
        i += 6;
    }
    Ok(crate::java::from_units(&out))
}

/// A hexadecimal digit's value as Java's `Character.digit(c, 16)` gives it for ASCII and
/// fullwidth letters and digits.
fn hex_digit(c: char) -> Option<u32> {
    match c {
        '\u{FF10}'..='\u{FF19}' => Some(c as u32 - 0xFF10),
        '\u{FF21}'..='\u{FF26}' => Some(c as u32 - 0xFF21 + 10),
        '\u{FF41}'..='\u{FF46}' => Some(c as u32 - 0xFF41 + 10),
        _ => c.to_digit(16),
    }
}

impl Expr {
    /// Sets the span's start to that of the left operand.
    fn with_start_of_left(mut self) -> Expr {
        let start = match &self.kind {
            ExprKind::Or(l, _)
            | ExprKind::And(l, _)
            | ExprKind::Compare(_, l, _)
            | ExprKind::Math(_, l, _) => l.span.start,
            _ => self.span.start,
        };
        self.span.start = start;
        self
    }
}
