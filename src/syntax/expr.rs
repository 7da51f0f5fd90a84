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

    /// Tries each spelling of an operator after whitespace; consumes it when found.
    fn operator(&mut self, symbols: &[&str], words: &[&str]) -> bool {
        let save = self.pos;
        self.skip_ws();
        let rest = self.rest();
        // Most expressions end at `)`, `,` or `]`: no operator starts with those.
        let starts = symbols
            .iter()
            .chain(words)
            .any(|op| op.as_bytes()[0] == rest.as_bytes().first().copied().unwrap_or(0));
        if !starts {
            self.pos = save;
            return false;
        }
        for s in symbols {
            if let Some(r) = symbol(rest, s) {
                // `!=` must not be read as `!`, `=` must not follow `<`/`>`/`=`.
                if (*s == "<" || *s == ">") && r.starts_with('=') {
                    continue;
                }
                if *s == "-" && r.starts_with(|c: char| c.is_ascii_digit()) {
                    continue;
                }
                self.advance_to(r);
                return true;
            }
        }
        for w in words {
            if let Some(r) = keyword(rest, w) {
                self.advance_to(r);
                return true;
            }
        }
        self.pos = save;
        false
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
        let e = self.or_expr();
        self.depth -= 1;
        e
    }

    fn or_expr(&mut self) -> Result<Expr, Error> {
        let mut left = self.and_expr()?;
        let mut ops = 0;
        while self.operator(&["||"], &["or"]) {
            self.chain(&mut ops)?;
            self.skip_ws();
            let right = self.and_expr()?;
            left = Self::binary(ExprKind::Or(Box::new(left), Box::new(right)), 0, self.pos)
                .with_start_of_left();
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Expr, Error> {
        let mut left = self.equality()?;
        let mut ops = 0;
        while self.operator(&["&&"], &["and"]) {
            self.chain(&mut ops)?;
            self.skip_ws();
            let right = self.equality()?;
            left = Self::binary(ExprKind::And(Box::new(left), Box::new(right)), 0, self.pos)
                .with_start_of_left();
        }
        Ok(left)
    }

    fn equality(&mut self) -> Result<Expr, Error> {
        let mut left = self.relational()?;
        let mut ops = 0;
        loop {
            let op = if self.operator(&["=="], &["eq"]) {
                CompareOp::Eq
            } else if self.operator(&["!="], &["ne"]) {
                CompareOp::Ne
            } else {
                return Ok(left);
            };
            self.chain(&mut ops)?;
            self.skip_ws();
            let right = self.relational()?;
            left = Self::binary(
                ExprKind::Compare(op, Box::new(left), Box::new(right)),
                0,
                self.pos,
            )
            .with_start_of_left();
        }
    }

    fn relational(&mut self) -> Result<Expr, Error> {
        let mut left = self.additive()?;
        let mut ops = 0;
        loop {
            let op = if self.operator(&["<="], &["le"]) {
                CompareOp::Le
            } else if self.operator(&[">="], &["ge"]) {
                CompareOp::Ge
            } else if self.operator(&["<"], &["lt"]) {
                CompareOp::Lt
            } else if self.operator(&[">"], &["gt"]) {
                CompareOp::Gt
            } else {
                return Ok(left);
            };
            self.chain(&mut ops)?;
            self.skip_ws();
            let right = self.additive()?;
            left = Self::binary(
                ExprKind::Compare(op, Box::new(left), Box::new(right)),
                0,
                self.pos,
            )
            .with_start_of_left();
        }
    }

    fn additive(&mut self) -> Result<Expr, Error> {
        let mut left = self.multiplicative()?;
        let mut ops = 0;
        loop {
            let op = if self.operator(&["+"], &[]) {
                MathOp::Add
            } else if self.operator(&["-"], &[]) {
                MathOp::Sub
            } else {
                return Ok(left);
            };
            self.chain(&mut ops)?;
            self.skip_ws();
            let right = self.multiplicative()?;
            left = Self::binary(
                ExprKind::Math(op, Box::new(left), Box::new(right)),
                0,
                self.pos,
            )
            .with_start_of_left();
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, Error> {
        let mut left = self.unary()?;
        let mut ops = 0;
        loop {
            let op = if self.operator(&["*"], &[]) {
                MathOp::Mul
            } else if self.operator(&["/"], &[]) {
                MathOp::Div
            } else if self.operator(&["%"], &[]) {
                MathOp::Rem
            } else {
                return Ok(left);
            };
            self.chain(&mut ops)?;
            self.skip_ws();
            let right = self.unary()?;
            left = Self::binary(
                ExprKind::Math(op, Box::new(left), Box::new(right)),
                0,
                self.pos,
            )
            .with_start_of_left();
        }
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
        let text: Arc<str> = if doubled {
            let q = quote as char;
            Arc::from(raw.replace(&format!("{q}{q}"), &q.to_string()))
        } else {
            Arc::from(raw)
        };
        if quote == b'"' && text.contains(['$', '#']) {
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
            if !matches!(first.kind, ExprKind::Int(_) | ExprKind::Reference(_)) {
                return Err(self.error(
                    first.span.start as usize,
                    "a range bound must be an integer or a reference",
                ));
            }
            self.advance_to(r);
            self.skip_ws();
            let second = self.primary()?;
            if !matches!(second.kind, ExprKind::Int(_) | ExprKind::Reference(_)) {
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
