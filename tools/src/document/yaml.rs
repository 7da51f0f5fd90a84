//! YAML documents, read from `saphyr-parser`'s events, which carry the span of every
//! value and its tag. Plain scalars resolve as YAML 1.2's core schema does; tags other
//! than the core schema's (CloudFormation's `!Ref`, `!Sub`, ...) are kept on the node.
//! Anchors and aliases are expanded, and `<<` merge keys applied.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::scalar::{Quote, by_lines, quoted};
use super::{Lines, MAX_DEPTH, Node, SyntaxError, Text, Value};
use crate::lines::clamp;

/// How many nodes a document may expand into through aliases: a few aliases of aliases
/// must not grow a small file into gigabytes.
const MAX_NODES: usize = 2_000_000;

/// A list or mapping being read.
struct Open {
    node: Node,
    anchor: usize,
    /// A mapping's key, read and waiting for its value.
    key: Option<Node>,
}

pub(super) fn parse(text: &str, lines: &Lines) -> Result<Node, SyntaxError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut nodes = 0usize;
    let mut root = None;
    let fail = |span: &Span, message: String| SyntaxError {
        message,
        line: span.start.line(),
        column: span.start.col() + 1,
    };
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| SyntaxError {
            message: format!("not valid YAML: {}", e.info()),
            line: e.marker().line(),
            column: e.marker().col() + 1,
        })?;
        let (line, column) = (clamp(span.start.line()), clamp(span.start.col() + 1));
        let done = match event {
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => continue,
            Event::DocumentEnd | Event::StreamEnd => break,
            Event::Alias(id) => {
                let node = anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| fail(&span, "an alias to an unknown anchor".to_string()))?;
                nodes += count(&node);
                node
            }
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let mut node = scalar(&value, style, tag, &span, lines);
                node.line = line;
                node.column = column;
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(fail(
                        &span,
                        format!("the document nests deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let tag = tag.as_ref().map(|t| format!("{}{}", t.handle, t.suffix));
                let value = if matches!(event, Event::SequenceStart(..)) {
                    Value::Seq(Vec::new())
                } else {
                    Value::Map(Vec::new())
                };
                let mut node = Node::new(value, line, column);
                node.tag = tag.filter(|t| !is_core(t));
                stack.push(Open {
                    node,
                    anchor,
                    key: None,
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let open = stack.pop().expect("the parser balances starts and ends");
                if open.anchor > 0 {
                    anchors.insert(open.anchor, open.node.clone());
                }
                open.node
            }
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(fail(
                &span,
                format!("the document expands into more than {MAX_NODES} values"),
            ));
        }
        match stack.last_mut() {
            None => {
                root = Some(done);
                break;
            }
            Some(open) => match &mut open.node.value {
                Value::Seq(items) => items.push(done),
                Value::Map(entries) => match open.key.take() {
                    None => open.key = Some(done),
                    Some(key) => insert(entries, key, done),
                },
                _ => unreachable!("only lists and mappings are open"),
            },
        }
    }
    Ok(root.unwrap_or_else(|| Node::new(Value::Null, 1, 1)))
}

/// Adds an entry to a mapping; a `<<` key merges the mapping (or list of mappings) it
/// names, keeping the keys already there.
fn insert(entries: &mut Vec<(Node, Node)>, key: Node, value: Node) {
    if key.as_str() == Some("<<") && key.tag.is_none() {
        let sources: Vec<&Node> = match &value.value {
            Value::Map(_) => vec![&value],
            Value::Seq(items) => items.iter().collect(),
            _ => Vec::new(),
        };
        if !sources.is_empty() {
            for source in sources {
                for (k, v) in source.entries().unwrap_or(&[]) {
                    if !entries.iter().any(|(e, _)| e.value == k.value) {
                        entries.push((k.clone(), v.clone()));
                    }
                }
            }
            return;
        }
    }
    entries.push((key, value));
}

fn count(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(count).sum::<usize>(),
        Value::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| count(k) + count(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

/// The core schema's tags (`!!str`, `!!int`, ...), which resolve the value rather than
/// naming a function.
fn is_core(tag: &str) -> bool {
    tag.starts_with("tag:yaml.org,2002:") || tag.starts_with("!!")
}

fn scalar(
    value: &str,
    style: ScalarStyle,
    tag: Option<String>,
    span: &Span,
    lines: &Lines,
) -> Node {
    let core = tag.as_deref().filter(|t| is_core(t)).map(|t| {
        t.trim_start_matches("tag:yaml.org,2002:")
            .trim_start_matches("!!")
            .to_string()
    });
    let tag = tag.filter(|t| !is_core(t));
    let tagged = tag.is_some() || core.is_some();
    let resolved = match (style, core.as_deref(), &tag) {
        (_, Some("str"), _) => None,
        (ScalarStyle::Plain, Some(_) | None, None) => resolve_plain(value),
        _ => None,
    };
    let value = resolved.unwrap_or_else(|| {
        Value::String(Text {
            text: value.to_string(),
            anchors: anchors(value, style, tagged, span, lines),
        })
    });
    let mut node = Node::new(value, 0, 0);
    node.tag = tag;
    node
}

/// Where the characters of a string scalar were written. The span starts at the
/// scalar's tag when it has one, and at a block scalar's indicator or content.
fn anchors(
    text: &str,
    style: ScalarStyle,
    tagged: bool,
    span: &Span,
    lines: &Lines,
) -> Vec<vtl::apigateway::Anchor> {
    let mut start = lines.offset(span.start.line(), span.start.col());
    let source = lines.text;
    if tagged && source[start..].starts_with('!') {
        let rest = &source[start..];
        let tag_end = rest.find([' ', '\t', '\n', '\r']).unwrap_or(rest.len());
        start += tag_end;
        start += source[start..].len() - source[start..].trim_start_matches([' ', '\t']).len();
    }
    let (line, column) = lines.position(start);
    let last = span.end.line().max(span.start.line());
    match style {
        ScalarStyle::DoubleQuoted | ScalarStyle::SingleQuoted => {
            let (quote, mark) = if style == ScalarStyle::DoubleQuoted {
                (Quote::Double, '"')
            } else {
                (Quote::Single, '\'')
            };
            let open = source[start..].find(mark).map_or(start, |i| start + i);
            quoted(lines, open, text, quote)
        }
        ScalarStyle::Literal | ScalarStyle::Folded => {
            // Content starts on the line after the indicator, and ends before the line
            // the span ends on (the next key's).
            let first = if source[start..].starts_with(['|', '>']) {
                line as usize + 1
            } else {
                line as usize
            };
            by_lines(lines, first, last.saturating_sub(1).max(first), None, text)
        }
        ScalarStyle::Plain => by_lines(lines, line as usize, last, Some((line, column)), text),
    }
}

/// A plain scalar as YAML 1.2's core schema reads it: null, a boolean, a number, or
/// `None` for a string.
fn resolve_plain(value: &str) -> Option<Value> {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Value::Number(value.trim_start_matches('+').to_string()));
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8)] {
        if let Some(n) = value
            .strip_prefix(prefix)
            .and_then(|h| u64::from_str_radix(h, radix).ok())
        {
            return Some(Value::Number(n.to_string()));
        }
    }
    is_float(digits).then(|| Value::Number(value.trim_start_matches('+').to_string()))
}

/// `[0-9]+(.[0-9]*)?([eE][-+]?[0-9]+)?` or `.[0-9]+...`, as the core schema's floats.
fn is_float(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = (!int.is_empty() || !frac.is_empty()) && digits(int) && digits(frac);
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    // A float has a point or an exponent; digits alone are an integer.
    mantissa_ok && exponent_ok && (mantissa.contains('.') || exponent.is_some())
}
