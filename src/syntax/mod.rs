//! The syntax layer: template text to a tree whose every node has a span.
//!
//! Velocity's whitespace rules are resolved here, once: a directive that ends its line eats
//! the line break, a `#set` that starts a token eats the indentation before it. Rendering
//! then only copies text spans.

pub mod ast;
mod expr;
mod parser;
mod scan;

use std::collections::HashMap;
use std::sync::Arc;

use crate::Error;
use ast::{Block, MacroDef};

/// A parsed template: the tree and the macros it defines.
#[derive(Debug)]
pub struct Parsed {
    /// The top-level block.
    pub block: Block,
    /// Macros defined anywhere in the template, first definition kept.
    pub macros: HashMap<Arc<str>, Arc<MacroDef>>,
}

/// Parses a template.
pub fn parse(source: &Arc<str>) -> Result<Parsed, Error> {
    parser::Parser::new(source, 0).parse_template()
}

/// Parses `#evaluate`d text; `depth` is the nesting already used by the enclosing template.
pub(crate) fn parse_fragment(source: &Arc<str>, depth: usize) -> Result<Parsed, Error> {
    parser::Parser::new(source, depth).parse_template()
}

/// Parses the inside of a double-quoted string literal.
pub(crate) fn parse_string(source: &Arc<str>, depth: usize) -> Result<Parsed, Error> {
    let mut p = parser::Parser::new(source, depth);
    p.in_string = true;
    p.parse_template()
}
