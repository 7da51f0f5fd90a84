//! The template parser: text, references, comments and directives.
//!
//! The template is scanned for `$`, `#` and `\`; everything between is text. Expressions
//! inside directives are parsed by `expr`.

use std::collections::HashMap;
use std::sync::Arc;

use super::Parsed;
use super::ast::*;
use super::scan::{self, is_ident_start, newline_len};
use crate::{Error, ErrorKind};

/// Deepest nesting of blocks and expressions accepted; deeper input is an error rather
/// than a stack overflow.
pub(crate) const MAX_NESTING: usize = 100;

const DIRECTIVES: &[&str] = &[
    "set", "if", "elseif", "else", "end", "foreach", "break", "stop", "define", "macro",
    "evaluate", "include", "parse", "literal",
];

/// Why a block ended.
pub(super) enum Stop {
    Eof,
    End(usize),
    Else(usize),
    ElseIf(Expr, usize),
}

pub(crate) struct Parser<'s> {
    pub(super) src: &'s str,
    pub(super) b: &'s [u8],
    pub(super) pos: usize,
    pub(super) depth: usize,
    shared: Arc<str>,
    macros: HashMap<Arc<str>, Arc<MacroDef>>,
    /// Start of the current run of text: where the last non-text token ended. A `#set`
    /// whose indentation is the whole run eats it (Velocity lexes it as part of `#set`).
    run_start: usize,
    /// End of the last reference: a `}` right after one starts a new run.
    reference_end: usize,
    /// Parsing the inside of a string literal, where a trailing `$` or `#` is text.
    pub(super) in_string: bool,
    /// Set after `$a.b(` met a `#`: Velocity's lexer stays in the state of a method's
    /// arguments for the rest of the template, where spaces and brackets in text fail.
    args_state: bool,
    /// While parsing a `#literal` body: the ranges of source that its text prints
    /// differently (a comment, the backslashes of an escape), with what stands instead.
    literal_edits: Option<Vec<(usize, usize, &'static str)>>,
    /// Names seen so far, so that each distinct name is allocated once and numbered.
    pub(super) names: super::Names,
}

impl<'s> Parser<'s> {
    pub(crate) fn new(shared: &'s Arc<str>, depth: usize, names: super::Names) -> Parser<'s> {
        Parser {
            src: shared,
            b: shared.as_bytes(),
            pos: 0,
            depth,
            shared: Arc::clone(shared),
            macros: HashMap::new(),
            run_start: 0,
            reference_end: usize::MAX,
            in_string: false,
            args_state: false,
            literal_edits: None,
            names,
        }
    }

    /// The shared copy of a name of the source.
    fn intern(&mut self, name: &str) -> Arc<str> {
        self.names.var(name).name
    }

    pub(super) fn error(&self, at: usize, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Syntax, message).located(self.src, at)
    }

    pub(crate) fn parse_template(mut self) -> Result<Parsed, Error> {
        let block = self.parse_block()?;
        Ok(Parsed {
            block,
            macros: self.macros,
            names: self.names,
        })
    }

    /// The macros the text defined.
    pub(crate) fn into_macros(self) -> HashMap<Arc<str>, Arc<MacroDef>> {
        self.macros
    }

    /// The whole text as one block.
    pub(crate) fn parse_block(&mut self) -> Result<Block, Error> {
        let mut block = Vec::new();
        match self.block(&mut block)? {
            Stop::Eof => Ok(block),
            Stop::End(at) => Err(self.error(
                at,
                "#end without a matching #if, #foreach, #define or #macro",
            )),
            Stop::Else(at) | Stop::ElseIf(_, at) => {
                Err(self.error(at, "#else or #elseif without a matching #if"))
            }
        }
    }

    pub(super) fn enter(&mut self, at: usize) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error(at, format!("nesting deeper than {MAX_NESTING} levels")));
        }
        Ok(())
    }

    fn push_text(&self, block: &mut Block, start: usize, end: usize) {
        if start >= end {
            return;
        }
        if let Some(Node::Text(span)) = block.last_mut()
            && span.end as usize == start
        {
            span.end = end as u32;
            return;
        }
        block.push(Node::Text(Span::new(start, end)));
    }

    /// Parses nodes into `block` until the end of input or a block-ending directive.
    fn block(&mut self, block: &mut Block) -> Result<Stop, Error> {
        loop {
            let start = self.pos;
            let next = memchr::memchr3(b'$', b'#', b'\\', &self.b[start..]);
            let Some(offset) = next else {
                self.args_state_text(start, self.b.len())?;
                self.push_text(block, start, self.b.len());
                self.pos = self.b.len();
                return Ok(Stop::Eof);
            };
            let at = start + offset;
            self.args_state_text(start, at)?;
            self.push_text(block, start, at);
            self.pos = at;
            match self.b[at] {
                b'$' => self.dollar(block)?,
                b'\\' => self.backslash(block)?,
                _ => {
                    if let Some(stop) = self.hash(block, at)? {
                        return Ok(stop);
                    }
                }
            }
        }
    }

    /// Text after `$a.b(#`: fails where Velocity's lexer, still reading method arguments,
    /// meets a space or a bracket.
    fn args_state_text(&self, start: usize, end: usize) -> Result<(), Error> {
        if !self.args_state {
            return Ok(());
        }
        match self.b[start..end]
            .iter()
            .position(|c| b" \t()[]{},:".contains(c))
        {
            Some(i) => Err(self.error(
                start + i,
                format!(
                    "`{}` in text after a method call left open before `#`",
                    self.b[start + i] as char
                ),
            )),
            None => Ok(()),
        }
    }

    /// At a `$`: a reference, or literal text.
    fn dollar(&mut self, block: &mut Block) -> Result<(), Error> {
        let at = self.pos;
        if let Some(r) = self.reference(0)? {
            let formal = self.b[r.span.end as usize - 1] == b'}';
            let kind = |a: &Access| match a {
                Access::Method(..) => 'm',
                Access::Property(..) => 'p',
                Access::Index(..) => 'i',
            };
            let mut last = r.chain.last().map(kind);
            block.push(Node::Reference(Box::new(r)));
            // `$a.b(#`: the `(` is text (see `args_state`).
            if self.args_state && self.b[self.pos..].starts_with(b"(#") {
                self.push_text(block, self.pos, self.pos + 1);
                self.pos += 1;
                self.run_start = self.pos;
                self.reference_end = self.pos;
                return Ok(());
            }
            // Velocity's lexer quirks right after a reference: a word glued to a method
            // call's `)` is text and the accesses after it are dropped; `##` right after a
            // property is text, not a comment.
            while !formal
                && last == Some('m')
                && self.b.get(self.pos).is_some_and(|&c| is_ident_start(c))
            {
                let (rest, _) = scan::identifier(&self.src[self.pos..]).unwrap_or(("", ""));
                let end = self.src.len() - rest.len();
                self.push_text(block, self.pos, end);
                self.pos = end;
                last = self.accesses()?.last().map(kind);
            }
            if !formal && last == Some('p') && self.b[self.pos..].starts_with(b"##") {
                self.push_text(block, self.pos, self.pos + 2);
                self.pos += 2;
            }
            self.run_start = self.pos;
            self.reference_end = self.pos;
            return Ok(());
        }
        let rest = &self.b[at + 1..];
        if rest.first() == Some(&b'!') && self.stray_bang(block, at)? {
            return Ok(());
        }
        // Before a `$`, a backslash and `$`, or a `#` that starts a token, Velocity's lexer
        // takes `$!` as a whole, like `$`; before anything else the `!` is dropped.
        let starts_token = |c: &u8| c.is_ascii_alphanumeric() || b"{*#$_".contains(c);
        let bang = usize::from(
            rest.first() == Some(&b'!')
                && match rest.get(1) {
                    Some(b'$') => true,
                    Some(b'\\') => rest[1..].iter().find(|&&c| c != b'\\') == Some(&b'$'),
                    Some(b'#') => rest.get(2).is_some_and(starts_token),
                    _ => false,
                },
        );
        // A `$` (such a `$!`, or a run of `$`) right before `#if`, `#else`, `#end`,
        // `#set` or a block comment vanishes.
        let dollars = self.b[at..].iter().take_while(|&&c| c == b'$').count();
        let hash = if dollars > 1 {
            at + dollars
        } else {
            at + 1 + bang
        };
        if self.b.get(hash) == Some(&b'#') {
            let drops = self.b.get(hash + 1) == Some(&b'*')
                || self.directive_name(hash).is_some_and(|(name, _, _)| {
                    matches!(name, "if" | "elseif" | "else" | "end" | "set")
                });
            if drops {
                self.pos = hash;
                return Ok(());
            }
        }
        if bang == 1 {
            self.run_start = at;
            self.push_text(block, at, at + 2);
            self.pos = at + 2;
            return Ok(());
        }
        if (rest.is_empty() || rest == b"!") && !self.in_string {
            return Err(self.error(at, "lexical error: template ends in `$`"));
        }
        self.run_start = at;
        self.push_text(block, at, at + 1);
        // `$!` that starts no reference loses its `!` (but `$!{` stays as written).
        self.pos = if rest.first() == Some(&b'!') && rest.get(1) != Some(&b'{') {
            at + 2
        } else {
            at + 1
        };
        Ok(())
    }

    /// `$!` (at `at`) that starts no reference, where Velocity's lexer treats it in ways of
    /// its own: `$![` and `$!}` are text as written; `$!.name` prints `.name` and drops the
    /// accesses after it; before an escape (`\\\\` or `\\#name`) `$!` vanishes. Returns
    /// whether it handled the `$!`.
    fn stray_bang(&mut self, block: &mut Block, at: usize) -> Result<bool, Error> {
        let after = at + 2;
        match self.b.get(after) {
            Some(b'[' | b'}') => {
                self.push_text(block, at, after + 1);
                self.pos = after + 1;
            }
            Some(b'.') if self.b.get(after + 1).is_some_and(|&c| is_ident_start(c)) => {
                let (rest, _) = scan::identifier(&self.src[after + 1..]).unwrap_or(("", ""));
                let end = self.src.len() - rest.len();
                self.push_text(block, after, end);
                self.pos = end;
                match self.b.get(end) {
                    Some(b'(') if self.b.get(end + 1) == Some(&b')') => {
                        return Err(self.error(end + 1, "`$!.name()` calls no method"));
                    }
                    Some(b'(') => {}
                    _ => {
                        self.accesses()?;
                    }
                }
            }
            Some(b'\\') => {
                let n = self.b[after..].iter().take_while(|&&c| c == b'\\').count();
                let escape = match self.b.get(after + n) {
                    Some(b'$') => false,
                    Some(b'#') if n == 1 => self
                        .b
                        .get(after + 2)
                        .is_some_and(|&c| is_ident_start(c) || c == b'{'),
                    _ => n >= 2,
                };
                if !escape {
                    return Ok(false);
                }
                self.pos = after;
                return Ok(true);
            }
            _ => return Ok(false),
        }
        self.run_start = self.pos;
        Ok(true)
    }

    /// At a run of backslashes: an escaped reference or directive, or literal text.
    fn backslash(&mut self, block: &mut Block) -> Result<(), Error> {
        let at = self.pos;
        let n = self.b[at..].iter().take_while(|&&c| c == b'\\').count();
        let after = at + n;
        match self.b.get(after) {
            Some(b'$') => {
                self.pos = after;
                if let Some(mut r) = self.reference(n as u32)? {
                    r.escapes = n as u32;
                    self.literal_edit(at, after, "");
                    block.push(Node::Reference(Box::new(r)));
                    self.run_start = self.pos;
                    return Ok(());
                }
                self.push_text(block, at, after);
            }
            Some(b'#') => match self.directive_name(after) {
                Some((name, end, _))
                    if DIRECTIVES.contains(&name) || self.macros.contains_key(name) =>
                {
                    if n % 2 == 1 {
                        self.literal_edit(at + n / 2, after, "");
                        // `\#if` is the text `#if`; what follows is parsed as usual.
                        self.push_text(block, at, at + n / 2);
                        self.push_text(block, after, end);
                        self.pos = end;
                        self.run_start = end;
                        return Ok(());
                    }
                    // An even run halves before a directive, except before `#set`.
                    let keep = if name == "set" { n } else { n / 2 };
                    self.push_text(block, at, at + keep);
                    self.pos = after;
                    self.run_start = after;
                    return Ok(());
                }
                // `\#name` of no directive or macro is text, and so is its name: what
                // follows (`($x)`) is parsed as usual. An even run leaves `#name` as it is.
                Some((_, end, _)) if n % 2 == 1 => {
                    self.push_text(block, at, end);
                    self.pos = end;
                    self.run_start = end;
                }
                _ => {
                    self.push_text(block, at, after);
                    self.pos = after;
                }
            },
            _ => {
                self.push_text(block, at, after);
                self.pos = after;
                self.run_start = after;
            }
        }
        Ok(())
    }

    /// The directive name at `#` (at `at`): `(name, end of name, braced)`.
    fn directive_name(&self, at: usize) -> Option<(&'s str, usize, bool)> {
        let rest = &self.src[at + 1..];
        if let Some(inner) = rest.strip_prefix('{') {
            let (after, name) = scan::word(inner).ok()?;
            let after = after.strip_prefix('}')?;
            return Some((name, self.src.len() - after.len(), true));
        }
        let (after, name) = scan::word(rest).ok()?;
        Some((name, self.src.len() - after.len(), false))
    }

    /// At a `#`: a comment, an unparsed block, a directive, a macro call or text.
    /// Returns the reason a block ends, if this `#` ends one.
    fn hash(&mut self, block: &mut Block, at: usize) -> Result<Option<Stop>, Error> {
        let rest = &self.b[at + 1..];
        match rest.first() {
            None if self.in_string => {
                self.push_text(block, at, at + 1);
                self.pos = at + 1;
                return Ok(None);
            }
            None => return Err(self.error(at, "lexical error: template ends in `#`")),
            Some(b'#') => {
                let line_end = self.b[at..]
                    .iter()
                    .position(|&c| c == b'\n' || c == b'\r')
                    .map_or(self.b.len(), |i| at + i);
                self.literal_edit(at, line_end, "##");
                self.pos = line_end + newline_len(&self.b[line_end..]);
                self.run_start = self.pos;
                return Ok(None);
            }
            Some(b'*') => {
                if at + 2 == self.b.len() && !self.in_string {
                    return Err(self.error(at, "lexical error: template ends in `#*`"));
                }
                self.pos = find(self.b, at + 2, b"*#").map_or(self.b.len(), |i| i + 2);
                // A `#**` comment leaves its closing `*#` in a literal's text.
                let rest = if rest.get(1) == Some(&b'*') { "*#" } else { "" };
                self.literal_edit(at, self.pos, rest);
                self.run_start = self.pos;
                return Ok(None);
            }
            Some(b'[') if rest.get(1) == Some(&b'[') => {
                let Some(end) = find(self.b, at + 3, b"]]#") else {
                    return Err(self.error(at, "unterminated #[[ block: no ]]#"));
                };
                self.push_text(block, at + 3, end);
                self.pos = end + 3;
                self.run_start = self.pos;
                return Ok(None);
            }
            _ => {}
        }
        if rest.first() == Some(&b'@')
            && let Ok((after, name)) = scan::word(&self.src[at + 2..])
        {
            let end = self.src.len() - after.len();
            // Without an argument list, `#@name` is text.
            if !after.trim_start().starts_with('(') {
                self.push_text(block, at, end);
                self.pos = end;
                self.run_start = end;
                return Ok(None);
            }
            let node = self.block_macro_call(at, end, name)?;
            block.push(node);
            self.run_start = self.pos;
            return Ok(None);
        }
        let Some((name, end, _)) = self.directive_name(at) else {
            self.run_start = at;
            self.push_text(block, at, at + 1);
            self.pos = at + 1;
            return Ok(None);
        };
        match name {
            "set" => self.set(block, at, end)?,
            "if" => {
                let node = self.if_directive(at, end)?;
                block.push(node);
            }
            "elseif" => {
                let cond = self.paren_expr(at, end, "#elseif")?;
                self.eat_line_end();
                return Ok(Some(Stop::ElseIf(cond, at)));
            }
            "else" => {
                self.pos = end;
                self.eat_line_end();
                return Ok(Some(Stop::Else(at)));
            }
            "end" => {
                self.pos = end;
                self.eat_line_end();
                return Ok(Some(Stop::End(at)));
            }
            "foreach" => {
                let node = self.foreach(at, end)?;
                block.push(node);
            }
            "break" | "stop" => {
                self.pos = end;
                let mut scope = None;
                let ws = self.b[end..]
                    .iter()
                    .take_while(|&&c| c == b' ' || c == b'\t')
                    .count();
                if name == "break" && self.b.get(end + ws) == Some(&b'(') {
                    self.pos = end + ws + 1;
                    self.skip_ws();
                    // `#break()` is `#break`.
                    if self.b.get(self.pos) != Some(&b')') {
                        scope = Some(self.primary()?);
                    }
                    self.expect(b')', "`)` to close #break")?;
                }
                self.eat_line_end();
                let span = Span::new(at, end);
                block.push(if name == "break" {
                    Node::Break(scope.map(Box::new), span)
                } else {
                    Node::Stop(span)
                });
            }
            "define" => {
                let node = self.define(at, end)?;
                block.push(node);
            }
            "macro" => self.macro_definition(at, end)?,
            "literal" => {
                let node = self.literal(at, end)?;
                block.push(node);
            }
            "evaluate" => {
                let e = self.paren_expr(at, end, "#evaluate")?;
                if !matches!(
                    e.kind,
                    ExprKind::Str(_) | ExprKind::Interpolated(..) | ExprKind::Reference(_)
                ) {
                    return Err(self.error(
                        e.span.start as usize,
                        "#evaluate takes a string literal or a reference",
                    ));
                }
                self.eat_line_end();
                block.push(Node::Evaluate(Box::new(e), Span::new(at, self.pos)));
            }
            "include" | "parse" => {
                // Without an argument list the directive stands alone: `#include` renders
                // nothing, `#parse` fails for want of a name.
                let args = match self.value_arguments(at, end, name, name)? {
                    Some(args) => args,
                    None => {
                        self.pos = end;
                        Vec::new()
                    }
                };
                block.push(Node::Refused(Box::new(Refused {
                    name: Arc::from(name),
                    args,
                    span: Span::new(at, self.pos),
                })));
            }
            _ => {
                let call = self.macro_call(at, end, name)?;
                block.push(Node::MacroCall(Box::new(call)));
            }
        }
        self.run_start = self.pos;
        Ok(None)
    }

    /// The parenthesized arguments of directive `#name` (ending at `end`; `what` names it
    /// in the message about its parenthesis), each a value: a bare word is refused, as
    /// Velocity refuses it when parsing. `None` when no `(` follows.
    fn value_arguments(
        &mut self,
        at: usize,
        end: usize,
        name: &str,
        what: &str,
    ) -> Result<Option<Vec<Arc<Expr>>>, Error> {
        let ws = self.b[end..]
            .iter()
            .take_while(|&&c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
            .count();
        if self.b.get(end + ws) != Some(&b'(') {
            return Ok(None);
        }
        self.open_paren(at, end, what)?;
        let open = self.pos - 1;
        let args = self.call_arguments()?;
        if let Some(i) = args
            .iter()
            .position(|a| matches!(a.kind, ExprKind::Word(_)))
        {
            return Err(self.error(
                open,
                format!("argument {} of #{name} is a bare word, not a value", i + 1),
            ));
        }
        self.eat_line_end();
        Ok(Some(args))
    }

    /// Notes, inside a `#literal` body, that `start..end` prints as `text` there.
    fn literal_edit(&mut self, start: usize, end: usize, text: &'static str) {
        if let Some(edits) = &mut self.literal_edits {
            edits.push((start, end, text));
        }
    }

    /// `#literal(args) body #end`. The body is parsed (it must be valid and closed) but
    /// not rendered: it prints as written, except that comments and escapes print as
    /// Velocity's tokens do. With arguments, the first one's text is printed instead.
    fn literal(&mut self, at: usize, end: usize) -> Result<Node, Error> {
        let Some(args) = self.value_arguments(at, end, "literal", "#literal")? else {
            self.pos = end;
            return Ok(Node::Literal(None, Span::new(at, end)));
        };
        self.enter(at)?;
        let body_start = self.pos;
        let outer = self.literal_edits.replace(Vec::new());
        let mut body = Vec::new();
        let stop = self.block(&mut body);
        let edits = std::mem::replace(&mut self.literal_edits, outer).unwrap_or_default();
        let body_end = match stop? {
            Stop::End(e) => e,
            Stop::Eof => return Err(self.error(at, "#literal is never closed with #end")),
            Stop::Else(a) | Stop::ElseIf(_, a) => {
                return Err(self.error(a, "#else or #elseif without a matching #if"));
            }
        };
        self.depth -= 1;
        if let Some(outer) = &mut self.literal_edits {
            outer.extend_from_slice(&edits);
        }
        let text = if let Some(first) = args.first() {
            self.src[first.span.range()].to_string()
        } else {
            // Velocity fails on a body with nothing in it.
            if body_start == body_end {
                return Err(self.error(at, "#literal() with an empty body"));
            }
            let mut text = String::with_capacity(body_end - body_start);
            let mut from = body_start;
            for (start, end, instead) in edits {
                text.push_str(&self.src[from..start]);
                text.push_str(instead);
                from = end;
            }
            text.push_str(&self.src[from..body_end]);
            text
        };
        Ok(Node::Literal(
            Some(Arc::from(text)),
            Span::new(at, self.pos),
        ))
    }

    /// Skips spaces and tabs followed by one line break, if that is what comes next.
    fn eat_line_end(&mut self) {
        let ws = self.b[self.pos..]
            .iter()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count();
        let nl = newline_len(&self.b[self.pos + ws..]);
        if nl > 0 {
            self.pos += ws + nl;
        }
        self.run_start = self.pos;
    }

    /// Skips whitespace, then expects `(` at the position after a directive name.
    fn open_paren(&mut self, at: usize, end: usize, what: &str) -> Result<(), Error> {
        self.pos = end;
        self.skip_ws();
        if self.b.get(self.pos) != Some(&b'(') {
            return Err(self.error(
                self.pos.min(self.b.len()),
                format!("expected `(` after {what}"),
            ));
        }
        let _ = at;
        self.pos += 1;
        Ok(())
    }

    pub(super) fn skip_ws(&mut self) {
        while matches!(self.b.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Skips whitespace and the byte `c`; else fails naming `what` was expected (written
    /// out only then: `format_args!` costs nothing until displayed).
    pub(super) fn expect(&mut self, c: u8, what: impl std::fmt::Display) -> Result<(), Error> {
        self.skip_ws();
        if self.b.get(self.pos) == Some(&c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(&what.to_string()))
        }
    }

    /// An error at the current position saying what was expected.
    pub(super) fn unexpected(&self, what: &str) -> Error {
        let found = match self.src[self.pos..].chars().next() {
            None => "end of template".to_string(),
            Some(c) => format!("`{c}`"),
        };
        self.error(self.pos, format!("expected {what}, found {found}"))
    }

    /// `( expr )` after a directive name.
    fn paren_expr(&mut self, at: usize, end: usize, what: &str) -> Result<Expr, Error> {
        self.open_paren(at, end, what)?;
        self.skip_ws();
        let e = self.expr()?;
        self.expect(b')', format_args!("`)` to close {what}"))?;
        Ok(e)
    }

    fn set(&mut self, block: &mut Block, at: usize, end: usize) -> Result<(), Error> {
        // `#set` must be followed by `(`, spaces allowed; otherwise it is text.
        let spaces = self.b[end..].iter().take_while(|&&c| c == b' ').count();
        if self.b.get(end + spaces) != Some(&b'(') {
            let ws = self.b[end..]
                .iter()
                .take_while(|&&c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
                .count();
            if self.b.get(end + ws) == Some(&b'(') {
                return Err(self.error(end + spaces, "only spaces may stand between #set and `(`"));
            }
            self.run_start = at;
            self.push_text(block, at, end);
            self.pos = end;
            return Ok(());
        }
        self.eat_indentation(block, at);
        self.pos = end + spaces + 1;
        self.skip_ws();
        if self.b.get(self.pos) != Some(&b'$') {
            return Err(self.unexpected("a reference to assign to"));
        }
        // Velocity reads `#set($$a = ..)` as `#set($a = ..)`.
        if self.b.get(self.pos + 1) == Some(&b'$') {
            self.pos += 1;
        }
        let target_at = self.pos;
        let Some(target) = self.reference(0)? else {
            return Err(self.error(target_at, "expected a reference to assign to"));
        };

        self.expect(b'=', "`=` in #set")?;
        self.skip_ws();
        let value = self.expr()?;
        self.expect(b')', "`)` to close #set")?;
        self.eat_line_end();
        block.push(Node::Set(Box::new(Set {
            target,
            value,
            span: Span::new(at, self.pos),
        })));
        Ok(())
    }

    /// Velocity lexes the spaces before a `#set` as part of it when they start a token,
    /// so they vanish; after ordinary text they stay. A lone `$`, `$!` or `#` right before
    /// those spaces goes with them.
    fn eat_indentation(&mut self, block: &mut Block, at: usize) {
        if self.run_start == self.reference_end && self.b.get(self.run_start) == Some(&b'}') {
            self.run_start += 1;
        }
        let run = &self.b[self.run_start.min(at)..at];
        let body = run
            .strip_prefix(b"$!")
            .or_else(|| run.strip_prefix(b"$"))
            .or_else(|| run.strip_prefix(b"#"))
            .unwrap_or(run);
        if run.is_empty() || !body.iter().all(|&c| c == b' ' || c == b'\t') {
            return;
        }
        if let Some(Node::Text(span)) = block.last_mut()
            && span.end as usize == at
        {
            if (span.start as usize) < self.run_start {
                span.end = self.run_start as u32;
            } else {
                block.pop();
            }
        }
    }

    fn if_directive(&mut self, at: usize, end: usize) -> Result<Node, Error> {
        let mut cond = self.paren_expr(at, end, "#if")?;
        self.eat_line_end();
        self.enter(at)?;
        let mut branches = Vec::new();
        let mut otherwise = None;
        loop {
            let mut body = Vec::new();
            match self.block(&mut body)? {
                Stop::ElseIf(next, _) => {
                    branches.push((cond, body));
                    cond = next;
                }
                Stop::Else(else_at) => {
                    branches.push((cond, body));
                    let mut other = Vec::new();
                    match self.block(&mut other)? {
                        Stop::End(_) => {}
                        Stop::Eof => return Err(self.error(at, "#if is never closed with #end")),
                        Stop::Else(a) | Stop::ElseIf(_, a) => {
                            let _ = else_at;
                            return Err(self.error(a, "#else or #elseif after #else"));
                        }
                    }
                    otherwise = Some(other);
                    break;
                }
                Stop::End(_) => {
                    branches.push((cond, body));
                    break;
                }
                Stop::Eof => return Err(self.error(at, "#if is never closed with #end")),
            }
        }
        self.depth -= 1;
        Ok(Node::If(Box::new(If {
            branches,
            otherwise,
        })))
    }

    /// Parses a block that must end with `#end` (the body of `#foreach`, `#define`, `#macro`).
    fn body_until_end(&mut self, at: usize, what: &str) -> Result<Block, Error> {
        self.enter(at)?;
        let mut body = Vec::new();
        match self.block(&mut body)? {
            Stop::End(_) => {}
            Stop::Eof => return Err(self.error(at, format!("{what} is never closed with #end"))),
            Stop::Else(a) | Stop::ElseIf(_, a) => {
                return Err(self.error(a, "#else or #elseif without a matching #if"));
            }
        }
        self.depth -= 1;
        Ok(body)
    }

    /// `$name` inside a directive's parentheses.
    /// A variable after `$`, `$!`, `${` or `$!{`; with `keep_bang`, a `$!` name keeps its
    /// `!` (Velocity names a `#define($!d)` block and a `#macro(m $!a)` parameter `!d` and
    /// `!a`, which no reference reads; a loop variable `$!i` is `i`).
    fn variable_name(&mut self, what: &str, keep_bang: bool) -> Result<Var, Error> {
        self.skip_ws();
        if self.b.get(self.pos) != Some(&b'$') {
            return Err(self.unexpected(what));
        }
        let bang = self.b.get(self.pos + 1) == Some(&b'!');
        let braced = self.b.get(self.pos + 1 + usize::from(bang)) == Some(&b'{');
        let start = self.pos + 1 + usize::from(bang) + usize::from(braced);
        let Ok((rest, name)) = scan::identifier(&self.src[start..]) else {
            self.pos = start;
            return Err(self.unexpected(what));
        };
        self.pos = self.src.len() - rest.len();
        if braced {
            self.expect(b'}', "`}`")?;
        }
        if bang && keep_bang {
            return Ok(self.names.var(&format!("!{name}")));
        }
        Ok(self.names.var(name))
    }

    fn foreach(&mut self, at: usize, end: usize) -> Result<Node, Error> {
        self.open_paren(at, end, "#foreach")?;
        self.skip_ws();
        // `#foreach()` parses, and iterates nothing.
        let (var, iterable) = if self.b.get(self.pos) == Some(&b')') {
            (self.names.var(""), None)
        } else {
            let var = self.variable_name("the loop variable, such as `$item`", false)?;
            self.skip_ws();
            // Velocity takes any word, reference or literal where `in` belongs; without
            // anything after it, the loop iterates nothing.
            if let Ok((rest, _)) = scan::word(&self.src[self.pos..]) {
                self.pos = self.src.len() - rest.len();
            } else if self.b.get(self.pos) != Some(&b')') {
                self.primary()?;
            }
            self.skip_ws();
            let iterable = if self.b.get(self.pos) == Some(&b')') {
                None
            } else {
                Some(self.expr()?)
            };
            (var, iterable)
        };
        self.expect(b')', "`)` to close #foreach")?;
        let span = Span::new(at, self.pos);
        self.eat_line_end();
        let body = self.body_until_end(at, "#foreach")?;
        Ok(Node::Foreach(Box::new(Foreach {
            var,
            iterable,
            body,
            span,
        })))
    }

    fn define(&mut self, at: usize, end: usize) -> Result<Node, Error> {
        self.open_paren(at, end, "#define")?;
        let name = self.variable_name("the name to define, such as `$block`", true)?;
        self.expect(b')', "`)` to close #define")?;
        self.eat_line_end();
        let body = self.body_until_end(at, "#define")?;
        Ok(Node::Define(Box::new(Define {
            name,
            body: Arc::new(body),
            source: Arc::clone(&self.shared),
            span: Span::new(at, end),
        })))
    }

    fn macro_definition(&mut self, at: usize, end: usize) -> Result<(), Error> {
        self.open_paren(at, end, "#macro")?;
        self.skip_ws();
        let Ok((rest, name)) = scan::word(&self.src[self.pos..]) else {
            return Err(self.unexpected("the macro's name"));
        };
        self.pos = self.src.len() - rest.len();
        if !matches!(
            self.b.get(self.pos),
            Some(b' ' | b'\t' | b'\n' | b'\r' | b',' | b')' | b'$')
        ) {
            return Err(self.unexpected("a space or `)` after the macro's name"));
        }
        let mut params = Vec::new();
        loop {
            self.skip_ws();
            match self.b.get(self.pos) {
                Some(b')') => {
                    self.pos += 1;
                    break;
                }
                Some(b',') => self.pos += 1,
                // A `$` (or `$!`) that names nothing is skipped, as Velocity does.
                Some(b'$')
                    if !self
                        .b
                        .get(self.pos + 1 + usize::from(self.b.get(self.pos + 1) == Some(&b'!')))
                        .is_some_and(|&c| is_ident_start(c) || c == b'{') =>
                {
                    self.pos += 1
                }
                Some(b'$') => params.push(self.variable_name("a parameter", true)?),
                _ => return Err(self.unexpected("a parameter such as `$arg` or `)`")),
            }
        }
        self.eat_line_end();
        let body = self.body_until_end(at, "#macro")?;
        let name: Arc<str> = Arc::from(name);
        self.macros.entry(Arc::clone(&name)).or_insert_with(|| {
            Arc::new(MacroDef {
                name,
                params,
                body,
                source: Arc::clone(&self.shared),
            })
        });
        Ok(())
    }

    /// `#name(args)` or a bare `#name`: a macro call, printed as written when no macro
    /// of that name exists.
    /// The arguments of a macro call or a directive after its `(`, up to and including
    /// `)`: literals, references and bare words, separated by spaces or commas.
    fn call_arguments(&mut self) -> Result<Vec<Arc<Expr>>, Error> {
        let mut args = Vec::new();
        loop {
            self.skip_ws();
            match self.b.get(self.pos) {
                Some(b')') => {
                    self.pos += 1;
                    return Ok(args);
                }
                Some(b',') => self.pos += 1,
                None => return Err(self.unexpected("`)` to close the argument list")),
                // A bare word parses as an argument; a macro refuses it when called.
                Some(&c)
                    if is_ident_start(c)
                        && !self.src[self.pos..].starts_with("true")
                        && !self.src[self.pos..].starts_with("false") =>
                {
                    let (rest, word) = scan::word(&self.src[self.pos..]).unwrap_or(("", ""));
                    let start = self.pos;
                    self.pos = self.src.len() - rest.len();
                    args.push(Arc::new(Expr {
                        kind: ExprKind::Word(Arc::from(word)),
                        span: Span::new(start, self.pos),
                    }));
                }
                _ => args.push(Arc::new(self.primary()?)),
            }
        }
    }

    fn macro_call(&mut self, at: usize, end: usize, name: &str) -> Result<MacroCall, Error> {
        let ws = self.b[end..]
            .iter()
            .take_while(|&&c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
            .count();
        let called = self.b.get(end + ws) == Some(&b'(');
        let args = if called {
            self.pos = end + ws + 1;
            self.call_arguments()?
        } else {
            self.pos = end;
            Vec::new()
        };
        if called {
            self.eat_line_end();
        }
        let span = Span::new(at, self.pos);
        Ok(MacroCall {
            name: Arc::from(name),
            args,
            body: None,
            span,
        })
    }

    /// `#@name(args) body #end`: a macro call whose body the macro renders as
    /// `$bodyContent`.
    fn block_macro_call(&mut self, at: usize, end: usize, name: &str) -> Result<Node, Error> {
        let mut call = self.macro_call(at, end, name)?;
        let body = self.body_until_end(at, "#@ block macro call")?;
        call.body = Some(Define {
            name: self.names.var("bodyContent"),
            body: Arc::new(body),
            source: Arc::clone(&self.shared),
            span: Span::new(at, end),
        });
        call.span = Span::new(at, self.pos);
        Ok(Node::MacroCall(Box::new(call)))
    }

    /// At `$`: parses a reference, or returns `None` (position unchanged) when the `$`
    /// starts none and is text.
    pub(super) fn reference(&mut self, escapes: u32) -> Result<Option<Reference>, Error> {
        let at = self.pos;
        let mut p = at + 1;
        let quiet = self.b.get(p) == Some(&b'!');
        if quiet {
            p += 1;
        }
        let formal = self.b.get(p) == Some(&b'{');
        if formal {
            p += 1;
        }
        if !self.b.get(p).is_some_and(|&c| is_ident_start(c)) {
            return Ok(None);
        }
        let Ok((rest, name)) = scan::identifier(&self.src[p..]) else {
            return Ok(None);
        };
        if matches!(name, "true" | "false") {
            return Err(self.error(
                at,
                format!("`${name}` is not a reference: `{name}` is a keyword"),
            ));
        }
        self.pos = self.src.len() - rest.len();
        let chain = self.accesses()?;
        if formal {
            if self.b.get(self.pos) != Some(&b'}') {
                return Err(self.unexpected("`}` to close the reference"));
            }
            self.pos += 1;
        }
        Ok(Some(Reference {
            span: Span::new(at, self.pos),
            quiet,
            escapes,
            name: self.names.var(name),
            chain,
        }))
    }

    /// The `.property`, `.method(args)` and `[index]` accesses after a reference's name.
    fn accesses(&mut self) -> Result<Vec<Access>, Error> {
        let mut chain = Vec::new();
        loop {
            match self.b.get(self.pos) {
                Some(b'.') if self.b.get(self.pos + 1).is_some_and(|&c| is_ident_start(c)) => {
                    let start = self.pos;
                    let (rest, member) = scan::identifier(&self.src[start + 1..])
                        .map_err(|_| self.error(start + 1, "expected a property name"))?;
                    self.pos = self.src.len() - rest.len();
                    if matches!(member, "true" | "false") {
                        return Err(self.error(
                            start + 1,
                            format!("`{member}` is a keyword, not a property"),
                        ));
                    }
                    // A `(` that ends the template is text, not a call; so is one right
                    // before a `#`, and the member is a property (see `args_state`).
                    let open = self.b.get(self.pos) == Some(&b'(');
                    if open && self.b.get(self.pos + 1) == Some(&b'#') && !self.in_string {
                        self.args_state = true;
                        chain.push(Access::Property(
                            self.intern(member),
                            Span::new(start, self.pos),
                        ));
                        break;
                    }
                    if open && self.pos + 1 < self.b.len() {
                        self.pos += 1;
                        let args = self.arguments()?;
                        chain.push(Access::Method(
                            self.intern(member),
                            args,
                            Span::new(start, self.pos),
                        ));
                    } else {
                        chain.push(Access::Property(
                            self.intern(member),
                            Span::new(start, self.pos),
                        ));
                    }
                }
                Some(b'[') => {
                    let start = self.pos;
                    self.enter(start)?;
                    self.pos += 1;
                    self.skip_ws();
                    let index = self.index_expr()?;
                    self.expect(b']', "`]` to close the index")?;
                    self.depth -= 1;
                    chain.push(Access::Index(index, Span::new(start, self.pos)));
                }
                _ => break,
            }
        }
        Ok(chain)
    }

    /// A method argument: an expression, or a bare word (not `true` or `false`), which
    /// Velocity 1.7's grammar takes there.
    fn argument(&mut self) -> Result<Expr, Error> {
        let start = self.pos;
        if self.b.get(start).is_some_and(|&c| is_ident_start(c))
            && let Ok((rest, word)) = scan::identifier(&self.src[start..])
            && !matches!(word, "true" | "false")
        {
            self.pos = self.src.len() - rest.len();
            return Ok(Expr {
                kind: ExprKind::Word(Arc::from(word)),
                span: Span::new(start, self.pos),
            });
        }
        self.primary()
    }

    /// Method arguments after `(`, up to and including `)`.
    fn arguments(&mut self) -> Result<Vec<Expr>, Error> {
        let mut args = Vec::new();
        if self.b.get(self.pos) == Some(&b')') {
            self.pos += 1;
            return Ok(args);
        }
        self.enter(self.pos)?;
        loop {
            self.skip_ws();
            args.push(self.argument()?);
            self.skip_ws();
            match self.b.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b')') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.unexpected("`,` or `)` in the argument list")),
            }
        }
        self.depth -= 1;
        Ok(args)
    }
}

/// The first index at or after `from` where `needle` occurs.
fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}
