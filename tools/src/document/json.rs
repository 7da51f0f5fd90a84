//! JSON documents, read with `jsonc-parser`, which gives the byte range of every value.

use jsonc_parser::ast;

use super::scalar::{Quote, quoted};
use super::{Lines, MAX_DEPTH, Node, SyntaxError, Text, Value};

pub(super) fn parse(text: &str, lines: &Lines) -> Result<Node, SyntaxError> {
    check_depth(text, lines)?;
    let options = jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        ..Default::default()
    };
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &options).map_err(|e| {
        SyntaxError {
            message: format!("not valid JSON: {}", e.kind()),
            line: e.line_display(),
            column: e.column_display(),
        }
    })?;
    let Some(value) = parsed.value else {
        return Err(SyntaxError {
            message: "not valid JSON: the document is empty".to_string(),
            line: 1,
            column: 1,
        });
    };
    Ok(node(&value, lines))
}

/// Refuses nesting past [`MAX_DEPTH`] before the recursive parser sees it.
fn check_depth(text: &str, lines: &Lines) -> Result<(), SyntaxError> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    let (line, column) = lines.position(i);
                    return Err(SyntaxError {
                        message: format!("the document nests deeper than {MAX_DEPTH} levels"),
                        line: line as usize,
                        column: column as usize,
                    });
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn string(lit: &ast::StringLit, lines: &Lines) -> Node {
    let (line, column) = lines.position(lit.range.start);
    let text = lit.value.to_string();
    let anchors = quoted(lines, lit.range.start, &text, Quote::Double);
    Node::new(Value::String(Text { text, anchors }), line, column)
}

fn node(value: &ast::Value, lines: &Lines) -> Node {
    let at = |start: usize| lines.position(start);
    let ((line, column), v) = match value {
        ast::Value::StringLit(s) => return string(s, lines),
        ast::Value::NumberLit(n) => (at(n.range.start), Value::Number(n.value.to_string())),
        ast::Value::BooleanLit(b) => (at(b.range.start), Value::Bool(b.value)),
        ast::Value::NullKeyword(n) => (at(n.range.start), Value::Null),
        ast::Value::Array(a) => {
            let here = at(a.range.start);
            (
                here,
                Value::Seq(a.elements.iter().map(|e| node(e, lines)).collect()),
            )
        }
        ast::Value::Object(o) => {
            let here = at(o.range.start);
            let entries = o
                .properties
                .iter()
                .map(|p| {
                    let key = match &p.name {
                        ast::ObjectPropName::String(s) => string(s, lines),
                        ast::ObjectPropName::Word(w) => {
                            let (line, column) = lines.position(w.range.start);
                            Node::new(Value::String(Text::plain(w.value)), line, column)
                        }
                    };
                    (key, node(&p.value, lines))
                })
                .collect();
            (here, Value::Map(entries))
        }
    };
    Node::new(v, line, column)
}
