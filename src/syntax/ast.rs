//! The syntax tree. Every node carries the byte span of the source it came from; text is
//! a span into the template's source, so the tree holds no copy of static text.

use std::sync::Arc;

use crate::value::number::MathOp;

/// A byte range of the template source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    pub(crate) fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The span as a range of byte offsets.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A sequence of nodes rendered one after the other.
pub type Block = Vec<Node>;

/// One piece of a template.
#[derive(Debug)]
pub enum Node {
    /// Static text, copied from the source as is.
    Text(Span),
    /// A reference written into the output, possibly escaped.
    Reference(Box<Reference>),
    /// `#set($target = value)`.
    Set(Box<Set>),
    /// `#if(..) .. #elseif(..) .. #else .. #end`.
    If(Box<If>),
    /// `#foreach($var in iterable) .. #end`.
    Foreach(Box<Foreach>),
    /// `#break` or `#break($scope)`: leaves the innermost `#foreach`, macro or defined
    /// block, or the one whose scope object is given.
    Break(Option<Box<Expr>>, Span),
    /// `#stop`: ends the render, keeping the output so far.
    Stop(Span),
    /// `#define($name) .. #end`: binds a block rendered each time `$name` is used.
    Define(Box<Define>),
    /// A call of a macro, `#name(args)`.
    MacroCall(Box<MacroCall>),
    /// `#evaluate(expr)`: renders a string as a template.
    Evaluate(Box<Expr>, Span),
    /// `#include` or `#parse`: a template has no files to read, so rendering one fails.
    Refused(Box<Refused>),
    /// `#literal() body #end`: the body's text, unrendered (comments and escapes resolved
    /// as Velocity prints them), or the text of its first argument; `None` for a
    /// `#literal` with no argument list, which fails when rendered.
    Literal(Option<Arc<str>>, Span),
}

impl Node {
    /// Where the node is in the source.
    pub fn span(&self) -> Span {
        match self {
            Node::Text(span)
            | Node::Break(_, span)
            | Node::Stop(span)
            | Node::Evaluate(_, span)
            | Node::Literal(_, span) => *span,
            Node::Reference(r) => r.span,
            Node::Set(s) => s.span,
            Node::If(i) => i
                .branches
                .first()
                .map_or_else(Span::default, |(cond, _)| cond.span),
            Node::Foreach(f) => f.span,
            Node::Define(d) => d.span,
            Node::MacroCall(c) => c.span,
            Node::Refused(r) => r.span,
        }
    }
}

/// `#include(args)` or `#parse(args)`.
#[derive(Debug)]
pub struct Refused {
    /// `include` or `parse`.
    pub name: Arc<str>,
    /// The arguments; with none that has a value, Velocity renders nothing.
    pub args: Vec<Arc<Expr>>,
    /// The directive's span.
    pub span: Span,
}

/// A variable's name with its number in the template's [`Names`](super::Names): the
/// renderer keeps variables in a table indexed by that number, so a lookup never hashes.
#[derive(Debug, Clone)]
pub struct Var {
    /// The name, without `$`.
    pub name: Arc<str>,
    /// Its number.
    pub id: u32,
}

impl std::ops::Deref for Var {
    type Target = str;
    fn deref(&self) -> &str {
        &self.name
    }
}

impl std::fmt::Display for Var {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// A reference such as `$a`, `$!{a.b(1)}` or `$a[0].c`.
#[derive(Debug)]
pub struct Reference {
    /// The whole reference as written, `$`/`$!`/`${` included (not the escapes).
    pub span: Span,
    /// `$!a`: a null value prints as nothing instead of the reference's text.
    pub quiet: bool,
    /// Number of backslashes written before the `$`.
    pub escapes: u32,
    /// The variable.
    pub name: Var,
    /// Property, method and index accesses, in order.
    pub chain: Vec<Access>,
}

/// One step of a reference chain.
#[derive(Debug)]
pub enum Access {
    /// `.name`
    Property(Arc<str>, Span),
    /// `.name(args)`
    Method(Arc<str>, Vec<Expr>, Span),
    /// `[expr]`
    Index(Expr, Span),
}

/// `#set(target = value)`.
#[derive(Debug)]
pub struct Set {
    /// The reference assigned to; its chain, when not empty, ends in a property or index.
    pub target: Reference,
    /// The right side.
    pub value: Expr,
    /// The directive's span.
    pub span: Span,
}

/// An `#if` with its `#elseif` branches and optional `#else`.
#[derive(Debug)]
pub struct If {
    /// Conditions and their blocks, the `#if` first.
    pub branches: Vec<(Expr, Block)>,
    /// The `#else` block.
    pub otherwise: Option<Block>,
}

/// `#foreach($var in iterable) body #end`.
#[derive(Debug)]
pub struct Foreach {
    /// The loop variable.
    pub var: Var,
    /// What is iterated; `#foreach($x in)` has nothing to iterate.
    pub iterable: Option<Expr>,
    /// The loop body.
    pub body: Block,
    /// The directive's span.
    pub span: Span,
}

/// `#define($name) body #end`.
#[derive(Debug)]
pub struct Define {
    /// The variable bound to the block.
    pub name: Var,
    /// The block, shared with the values that refer to it.
    pub body: Arc<Block>,
    /// The source the body's spans point into.
    pub source: Arc<str>,
    /// The directive's span.
    pub span: Span,
}

/// `#macro(name $p1 $p2) body #end`, collected at parse time.
#[derive(Debug)]
pub struct MacroDef {
    /// The macro's name.
    pub name: Arc<str>,
    /// The parameters.
    pub params: Vec<Var>,
    /// The body.
    pub body: Block,
    /// The source the body's spans point into.
    pub source: Arc<str>,
}

/// `#name(args)` where `name` is not a built-in directive.
#[derive(Debug)]
pub struct MacroCall {
    /// The macro's name.
    pub name: Arc<str>,
    /// The arguments, shared with the macro frames that evaluate them by name.
    pub args: Vec<Arc<Expr>>,
    /// The body of a block macro call `#@name() body #end`, seen as `$bodyContent`.
    pub body: Option<Define>,
    /// The call as written, printed as is when no such macro exists.
    pub span: Span,
}

/// An expression with its span.
#[derive(Debug)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Debug)]
pub enum ExprKind {
    /// A reference's value.
    Reference(Box<Reference>),
    /// A string with nothing to interpolate, or single-quoted.
    Str(Arc<str>),
    /// A double-quoted string with references or directives, rendered at each evaluation;
    /// its text spans point into its own (unquoted) source.
    Interpolated(Arc<str>, Block),
    /// An integer literal that fits in an `Integer`.
    Int(i32),
    /// An integer literal that needs a `Long`.
    Long(i64),
    /// An integer literal beyond `Long`, as its digits.
    BigInt(Arc<str>),
    /// A floating point literal.
    Double(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `{k: v}`
    Map(Vec<(Expr, Expr)>),
    /// `[a..b]`
    Range(Box<Expr>, Box<Expr>),
    /// An arithmetic operation.
    Math(MathOp, Box<Expr>, Box<Expr>),
    /// A comparison.
    Compare(CompareOp, Box<Expr>, Box<Expr>),
    /// `a && b`
    And(Box<Expr>, Box<Expr>),
    /// `a || b`
    Or(Box<Expr>, Box<Expr>),
    /// `!a`
    Not(Box<Expr>),
    /// `( a )`
    Group(Box<Expr>),
    /// A bare word as a method argument (`$m.put(k, 1)`): Velocity 1.7 accepts it there
    /// and passes null.
    Word(Arc<str>),
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`, `eq`
    Eq,
    /// `!=`, `ne`
    Ne,
    /// `<`, `lt`
    Lt,
    /// `<=`, `le`
    Le,
    /// `>`, `gt`
    Gt,
    /// `>=`, `ge`
    Ge,
}
