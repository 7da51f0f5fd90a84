//! JSONPath as API Gateway evaluates it (Jayway JsonPath): `$`, `.name`, `['name']`,
//! `[n]`, `[a,b]`, `[*]`, `..name`, slices and filters. A definite path gives the value
//! itself (or nothing); an indefinite one gives a JSON list of every match.

use std::cell::RefCell;
use std::rc::Rc;

use crate::java::regex::JavaRegex;
use crate::value::key::StrKey;
use crate::value::{Key, ListStyle, Value};

/// A parsed path.
#[derive(Debug)]
pub(crate) struct JsonPath {
    segments: Vec<Segment>,
}

#[derive(Debug)]
enum Segment {
    /// `.name`, `['name']`, or several names `['a','b']`.
    Property(Vec<String>),
    /// `.*` or `[*]`.
    Wildcard,
    /// `[0]` or `[0,2]`.
    Index(Vec<i64>),
    /// `[a:b]`
    Slice(Option<i64>, Option<i64>),
    /// `[?(..)]`
    Filter(Filter),
    /// `[(@.length-n)]`: the n-th element from the end of an array, the one script
    /// Jayway evaluates.
    FromEnd(usize),
    /// `..` followed by a segment.
    Deep(Box<Segment>),
}

#[derive(Debug)]
enum Filter {
    Or(Box<Filter>, Box<Filter>),
    And(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Exists(Vec<Segment>),
    Compare(Vec<Segment>, Op, Literal),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Matches,
}

#[derive(Debug)]
enum Literal {
    /// The value and the literal's text.
    Number(f64, String),
    Str(String),
    Bool(bool),
    Null,
    Regex(Rc<JavaRegex>),
    /// Another path: from the root (`$..`) or from the item (`@..`).
    Path(bool, Vec<Segment>),
}

/// Why an indefinite evaluation stopped early.
enum Stop {
    /// Jayway's `PathNotFoundException`: the whole path is missing.
    Missing,
    /// An invalid path.
    Error(String),
}

impl From<String> for Stop {
    fn from(e: String) -> Stop {
        Stop::Error(e)
    }
}

/// What evaluating a path found.
pub(crate) enum Found {
    /// The path does not exist (or a definite path ends in JSON null).
    Missing,
    /// The value at a definite path, or the list of matches of an indefinite one.
    Value(Value),
}

impl Segment {
    /// Whether the segment selects at most one value.
    fn definite(&self) -> bool {
        match self {
            Segment::Property(_) => true,
            Segment::Index(i) => i.len() == 1,
            Segment::FromEnd(_) => true,
            _ => false,
        }
    }
}

/// Whether a value is an object (a map, or a payload's object).
fn is_object(v: &Value) -> bool {
    match v {
        Value::Map(_) => true,
        Value::Json(json) => json.is_object(),
        _ => false,
    }
}

/// Whether a value is an array (a list, or a payload's array).
fn is_array(v: &Value) -> bool {
    match v {
        Value::List(..) => true,
        Value::Json(json) => !json.is_object(),
        _ => false,
    }
}

/// Whether an object has the key.
fn has_key(v: &Value, name: &str) -> bool {
    match v {
        Value::Map(m) => m.borrow().contains_key(&StrKey(name)),
        Value::Json(json) => match json.built() {
            Some(built) => has_key(&built, name),
            None => json.get(name).is_some(),
        },
        _ => false,
    }
}

fn invalid(msg: impl Into<String>) -> String {
    format!("InvalidPathException: {}", msg.into())
}

impl JsonPath {
    /// Parses a path; errors are Jayway's `InvalidPathException`.
    pub(crate) fn parse(path: &str) -> Result<JsonPath, String> {
        // Jayway trims the path as Java's trim() does: every character up to U+0020.
        let path = crate::java::java_trim(path);
        if path.is_empty() {
            return Err("IllegalArgumentException: path can not be null or empty".into());
        }
        let owned;
        let body = if let Some(rest) = path.strip_prefix('$') {
            rest
        } else {
            // Jayway reads `a.b` as `$.a.b`.
            owned = format!(".{path}");
            &owned
        };
        let chars: Vec<char> = body.chars().collect();
        let mut pos = 0;
        let segments = parse_segments(&chars, &mut pos, path, false)?;
        Ok(JsonPath { segments })
    }

    fn definite(&self) -> bool {
        self.segments.iter().all(Segment::definite)
    }

    /// Evaluates the path on a document.
    pub(crate) fn eval(&self, root: &Value) -> Result<Found, String> {
        if root.is_null() {
            // A document that is JSON `null` has nothing below its root.
            return Ok(if self.segments.is_empty() {
                Found::Value(Value::Null)
            } else {
                Found::Missing
            });
        }
        if self.definite() {
            let mut current = root.clone();
            for seg in &self.segments {
                current = match step_definite(seg, &current)? {
                    Some(v) => v,
                    None => return Ok(Found::Missing),
                };
            }
            return Ok(Found::Value(current));
        }
        let mut nodes = vec![root.clone()];
        // Per node: whether it is an element taken by `[*]` from an array (or found by
        // `..`), or below one. Jayway evaluates the rest of the path for each such element
        // apart and drops the element when a property is missing; elsewhere after an
        // indefinite step (a filter, indexes, a slice, `*` over an object) a missing
        // property ends the whole path.
        let mut sheltered = vec![false];
        let mut after_object_wildcard = false;
        for (n, seg) in self.segments.iter().enumerate() {
            // While everything before is definite, a property of something that is not an
            // object ends the whole path (Jayway's PathNotFoundException); after an
            // indefinite step, such values are skipped.
            if matches!(seg, Segment::Property(_))
                && self.segments[..n].iter().all(Segment::definite)
                && nodes.iter().any(|v| !is_object(v))
            {
                return Ok(Found::Missing);
            }
            let mut next = Vec::new();
            let definite_so_far = self.segments[..n].iter().all(Segment::definite);
            // After `*` over an object, a property of something that is not an object ends
            // the whole path (Jayway 2.0.0); elsewhere such values are skipped.
            if matches!(seg, Segment::Property(_))
                && after_object_wildcard
                && nodes.iter().any(|n| !is_object(n) && !n.is_null())
            {
                return Ok(Found::Missing);
            }
            after_object_wildcard = matches!(seg, Segment::Wildcard) && nodes.iter().all(is_object);
            let mut next_sheltered = Vec::new();
            for (node, &shelter) in nodes.iter().zip(&sheltered) {
                if let Segment::Property(names) = seg
                    && is_object(node)
                    && !shelter
                    && !self.segments[..n].iter().all(Segment::definite)
                    && names.len() == 1
                    && !has_key(node, &names[0])
                {
                    return Ok(Found::Missing);
                }
                match apply(seg, node, root, &mut next, definite_so_far) {
                    Ok(()) => {}
                    Err(Stop::Missing) => return Ok(Found::Missing),
                    Err(Stop::Error(e)) => return Err(e),
                }
                let shelters = shelter
                    || matches!(seg, Segment::Deep(_))
                    || (matches!(seg, Segment::Wildcard) && is_array(node));
                next_sheltered.resize(next.len(), shelters);
            }
            sheltered = next_sheltered;
            crate::limits::burn(next.len());
            if next.is_empty()
                && matches!(seg, Segment::Deep(inner) if matches!(**inner, Segment::Index(_)))
            {
                return Ok(Found::Missing);
            }
            nodes = next;
        }
        Ok(Found::Value(Value::List(
            Rc::new(RefCell::new(nodes)),
            ListStyle::Json,
        )))
    }
}

fn parse_segments(
    chars: &[char],
    pos: &mut usize,
    path: &str,
    in_filter: bool,
) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    while *pos < chars.len() {
        let c = chars[*pos];
        if in_filter && !matches!(c, '.' | '[') {
            break;
        }
        match c {
            '.' => {
                *pos += 1;
                if chars.get(*pos) == Some(&'.') {
                    *pos += 1;
                    let inner = match chars.get(*pos) {
                        Some('[') => bracket(chars, pos, path)?,
                        Some('*') => {
                            *pos += 1;
                            Segment::Wildcard
                        }
                        Some(_) => Segment::Property(vec![name(chars, pos, in_filter)]),
                        None => {
                            return Err(invalid(format!(
                                "Path must not end with a '.' or '..': {path}"
                            )));
                        }
                    };
                    segments.push(Segment::Deep(Box::new(inner)));
                    continue;
                }
                match chars.get(*pos) {
                    None => {
                        return Err(invalid(format!(
                            "Path must not end with a '.' or '..': {path}"
                        )));
                    }
                    Some('*') => {
                        *pos += 1;
                        segments.push(Segment::Wildcard);
                    }
                    Some('[') => segments.push(bracket(chars, pos, path)?),
                    Some(_) => {
                        let n = name(chars, pos, in_filter);
                        if n.is_empty() {
                            return Err(invalid(format!(
                                "Could not parse token starting at position {}: {path}",
                                *pos
                            )));
                        }
                        segments.push(Segment::Property(vec![n]));
                    }
                }
            }
            '[' => segments.push(bracket(chars, pos, path)?),
            _ => {
                return Err(invalid(format!(
                    "Could not parse token starting at position {}: {path}",
                    *pos
                )));
            }
        }
    }
    Ok(segments)
}

/// A property name after `.`: up to the next `.` or `[` (or, in a filter, an operator).
fn name(chars: &[char], pos: &mut usize, in_filter: bool) -> String {
    let start = *pos;
    while let Some(&c) = chars.get(*pos) {
        if c == '.' || c == '[' || (in_filter && (c.is_whitespace() || "=!<>&|)".contains(c))) {
            break;
        }
        *pos += 1;
    }
    chars[start..*pos].iter().collect()
}

fn bracket(chars: &[char], pos: &mut usize, path: &str) -> Result<Segment, String> {
    let start = *pos;
    *pos += 1;
    if chars.get(*pos) == Some(&'?') {
        *pos += 1;
        if chars.get(*pos) != Some(&'(') {
            return Err(invalid(format!("Could not analyze path component: {path}")));
        }
        *pos += 1;
        let filter = filter_or(chars, pos, path)?;
        skip_spaces(chars, pos);
        if chars.get(*pos) != Some(&')') || chars.get(*pos + 1) != Some(&']') {
            return Err(invalid(format!("Could not parse filter: {path}")));
        }
        *pos += 2;
        return Ok(Segment::Filter(filter));
    }
    // Find the closing bracket, skipping quoted text.
    let mut end = *pos;
    let mut quote = None;
    while let Some(&c) = chars.get(end) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == ']' => break,
            None => {}
        }
        end += 1;
    }
    if end >= chars.len() {
        let text: String = chars[start..].iter().collect();
        return Err(invalid(format!("Could not analyze path component: {text}")));
    }
    let inner: String = chars[*pos..end].iter().collect();
    *pos = end + 1;
    let inner = inner.trim();
    let component = || invalid(format!("Could not analyze path component: [{inner}]"));
    if inner == "*" {
        return Ok(Segment::Wildcard);
    }
    if let Some(script) = inner.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        let n = script
            .trim()
            .strip_prefix("@.length")
            .and_then(|s| s.trim_start().strip_prefix('-'))
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(component)?;
        return Ok(Segment::FromEnd(n));
    }
    if inner.starts_with('\'') {
        let mut names = Vec::new();
        for part in inner.split(',') {
            let part = part.trim();
            let n = part
                .strip_prefix('\'')
                .and_then(|p| p.strip_suffix('\''))
                .ok_or_else(component)?;
            names.push(n.to_string());
        }
        return Ok(Segment::Property(names));
    }
    if let Some((a, b)) = inner.split_once(':') {
        let bound = |t: &str| -> Result<Option<i64>, String> {
            let t = t.trim();
            if t.is_empty() {
                Ok(None)
            } else {
                t.parse().map(Some).map_err(|_| component())
            }
        };
        return Ok(Segment::Slice(bound(a)?, bound(b)?));
    }
    let mut indexes = Vec::new();
    for part in inner.split(',') {
        indexes.push(part.trim().parse::<i64>().map_err(|_| component())?);
    }
    Ok(Segment::Index(indexes))
}

fn skip_spaces(chars: &[char], pos: &mut usize) {
    while chars.get(*pos).is_some_and(|c| c.is_whitespace()) {
        *pos += 1;
    }
}

fn filter_or(chars: &[char], pos: &mut usize, path: &str) -> Result<Filter, String> {
    let mut left = filter_and(chars, pos, path)?;
    loop {
        skip_spaces(chars, pos);
        if chars.get(*pos) == Some(&'|') && chars.get(*pos + 1) == Some(&'|') {
            *pos += 2;
            let right = filter_and(chars, pos, path)?;
            left = Filter::Or(Box::new(left), Box::new(right));
        } else {
            return Ok(left);
        }
    }
}

fn filter_and(chars: &[char], pos: &mut usize, path: &str) -> Result<Filter, String> {
    let mut left = filter_unary(chars, pos, path)?;
    loop {
        skip_spaces(chars, pos);
        if chars.get(*pos) == Some(&'&') && chars.get(*pos + 1) == Some(&'&') {
            *pos += 2;
            let right = filter_unary(chars, pos, path)?;
            left = Filter::And(Box::new(left), Box::new(right));
        } else {
            return Ok(left);
        }
    }
}

/// Deepest nesting of a filter (`(`, `!`, nested `[?(..)]`): deeper paths are refused
/// rather than overflowing the stack.
const MAX_FILTER_DEPTH: usize = 64;

thread_local! {
    static FILTER_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn filter_unary(chars: &[char], pos: &mut usize, path: &str) -> Result<Filter, String> {
    let depth = FILTER_DEPTH.with(|d| {
        d.set(d.get() + 1);
        d.get()
    });
    let result = if depth > MAX_FILTER_DEPTH {
        Err(invalid(format!(
            "filter nested deeper than {MAX_FILTER_DEPTH} levels: {path}"
        )))
    } else {
        filter_unary_inner(chars, pos, path)
    };
    FILTER_DEPTH.with(|d| d.set(d.get() - 1));
    result
}

fn filter_unary_inner(chars: &[char], pos: &mut usize, path: &str) -> Result<Filter, String> {
    skip_spaces(chars, pos);
    match chars.get(*pos) {
        Some('!') => {
            *pos += 1;
            Ok(Filter::Not(Box::new(filter_unary(chars, pos, path)?)))
        }
        Some('(') => {
            *pos += 1;
            let inner = filter_or(chars, pos, path)?;
            skip_spaces(chars, pos);
            if chars.get(*pos) != Some(&')') {
                return Err(invalid(format!("Could not parse filter: {path}")));
            }
            *pos += 1;
            Ok(inner)
        }
        Some('@') => {
            *pos += 1;
            let target = parse_segments(chars, pos, path, true)?;
            skip_spaces(chars, pos);
            let op = match (chars.get(*pos), chars.get(*pos + 1)) {
                (Some('='), Some('=')) => Op::Eq,
                (Some('!'), Some('=')) => Op::Ne,
                (Some('<'), Some('=')) => Op::Le,
                (Some('>'), Some('=')) => Op::Ge,
                (Some('='), Some('~')) => Op::Matches,
                (Some('<'), _) => Op::Lt,
                (Some('>'), _) => Op::Gt,
                _ => return Ok(Filter::Exists(target)),
            };
            *pos += if matches!(op, Op::Lt | Op::Gt) { 1 } else { 2 };
            skip_spaces(chars, pos);
            let literal = match chars.get(*pos) {
                Some(&c @ ('@' | '$')) if op != Op::Matches => {
                    *pos += 1;
                    Literal::Path(c == '$', parse_segments(chars, pos, path, true)?)
                }
                _ => literal(chars, pos, path)?,
            };
            Ok(Filter::Compare(target, op, literal))
        }
        _ => Err(invalid(format!("Could not parse filter: {path}"))),
    }
}

fn literal(chars: &[char], pos: &mut usize, path: &str) -> Result<Literal, String> {
    let bad = || invalid(format!("Could not parse filter: {path}"));
    match chars.get(*pos) {
        Some('\'') => {
            let start = *pos + 1;
            let end = chars[start..]
                .iter()
                .position(|&c| c == '\'')
                .ok_or_else(bad)?
                + start;
            *pos = end + 1;
            Ok(Literal::Str(chars[start..end].iter().collect()))
        }
        Some('"') => {
            // Jayway 2.0.0 keeps the quotes of a double-quoted literal: `"a"` equals no
            // string, and a number compared with it fails.
            let start = *pos;
            let end = chars[start + 1..]
                .iter()
                .position(|&c| c == '"')
                .ok_or_else(bad)?
                + start
                + 1;
            *pos = end + 1;
            Ok(Literal::Str(chars[start..=end].iter().collect()))
        }
        Some('/') => {
            let start = *pos + 1;
            let end = chars[start..]
                .iter()
                .position(|&c| c == '/')
                .ok_or_else(bad)?
                + start;
            let mut pattern: String = chars[start..end].iter().collect();
            *pos = end + 1;
            if chars.get(*pos) == Some(&'i') {
                *pos += 1;
                pattern = format!("(?i){pattern}");
            }
            let re =
                JavaRegex::cached(&pattern).map_err(|e| format!("PatternSyntaxException: {e}"))?;
            Ok(Literal::Regex(re))
        }
        _ => {
            let start = *pos;
            while chars
                .get(*pos)
                .is_some_and(|c| !c.is_whitespace() && !"&|)".contains(*c))
            {
                *pos += 1;
            }
            let word: String = chars[start..*pos].iter().collect();
            match word.as_str() {
                "true" => Ok(Literal::Bool(true)),
                "false" => Ok(Literal::Bool(false)),
                "null" => Ok(Literal::Null),
                w => w
                    .parse()
                    .map(|n| Literal::Number(n, w.to_string()))
                    .map_err(|_| bad()),
            }
        }
    }
}

fn not_an_array(index: &str, v: &Value) -> String {
    let mut shown = String::new();
    crate::value::write_json(v, &mut shown);
    invalid(format!(
        "Filter: {index} can only be applied to arrays. Current context is: {shown}"
    ))
}

fn step_definite(seg: &Segment, v: &Value) -> Result<Option<Value>, String> {
    // One step into a payload's container reads the document.
    if let Value::Json(json) = v
        && json.built().is_none()
    {
        match seg {
            Segment::Property(names) if names.len() == 1 && json.is_object() => {
                return Ok(json.get(&names[0]));
            }
            Segment::Index(idx) if !json.is_object() => {
                return Ok(usize::try_from(idx[0]).ok().and_then(|i| json.item(i)));
            }
            _ => {}
        }
    }
    let v = &*v.resolve();
    Ok(match seg {
        Segment::Property(names) => match v {
            Value::Map(m) => {
                if names.len() == 1 {
                    m.borrow().get(&StrKey(names[0].as_str())).cloned()
                } else {
                    let m = m.borrow();
                    let picked: crate::value::Map = names
                        .iter()
                        .filter_map(|n| {
                            m.get(&Key::from(n.as_str()))
                                .map(|v| (Key::from(n.as_str()), v.clone()))
                        })
                        .collect();
                    Some(Value::new_map(picked))
                }
            }
            _ => None,
        },
        Segment::Index(idx) => match v {
            Value::List(items, _) => {
                let items = items.borrow();
                usize::try_from(idx[0])
                    .ok()
                    .and_then(|i| items.get(i).cloned())
            }
            Value::Null => None,
            other => return Err(not_an_array(&format!("[{}]", idx[0]), other)),
        },
        Segment::FromEnd(n) => match v {
            Value::List(items, _) => {
                let items = items.borrow();
                items
                    .len()
                    .checked_sub(*n)
                    .and_then(|i| items.get(i).cloned())
            }
            Value::Null => None,
            other => return Err(not_an_array(&format!("[(@.length-{n})]"), other)),
        },
        _ => None,
    })
}

/// Applies one segment to one value, adding what it selects to `out`. `definite_so_far`:
/// whether every segment before is definite (an index or a slice of null then ends the
/// whole path rather than selecting nothing).
fn apply(
    seg: &Segment,
    v: &Value,
    root: &Value,
    out: &mut Vec<Value>,
    definite_so_far: bool,
) -> Result<(), Stop> {
    if let (Segment::Property(names), Value::Json(json)) = (seg, v)
        && names.len() == 1
        && json.is_object()
        && json.built().is_none()
    {
        out.extend(json.get(&names[0]));
        return Ok(());
    }
    let v = &*v.resolve();
    match seg {
        Segment::Property(names) => {
            if let Value::Map(m) = v {
                let m = m.borrow();
                if names.len() == 1 {
                    if let Some(x) = m.get(&StrKey(names[0].as_str())) {
                        out.push(x.clone());
                    }
                } else {
                    let picked: crate::value::Map = names
                        .iter()
                        .filter_map(|n| {
                            m.get(&Key::from(n.as_str()))
                                .map(|x| (Key::from(n.as_str()), x.clone()))
                        })
                        .collect();
                    out.push(Value::new_map(picked));
                }
            }
        }
        Segment::Wildcard => match v {
            Value::Map(m) => out.extend(m.borrow().values().cloned()),
            Value::List(items, _) => out.extend(items.borrow().iter().cloned()),
            _ => {}
        },
        Segment::Index(idx) => match v {
            Value::List(items, _) => {
                let items = items.borrow();
                for &i in idx {
                    match usize::try_from(i).ok().and_then(|i| items.get(i)) {
                        Some(x) => out.push(x.clone()),
                        // A single index out of range ends the whole path.
                        None if idx.len() == 1 => return Err(Stop::Missing),
                        None => {}
                    }
                }
            }
            Value::Null if definite_so_far => return Err(Stop::Missing),
            Value::Null => {}
            other => {
                let shown: Vec<String> = idx.iter().map(i64::to_string).collect();
                return Err(Stop::Error(not_an_array(
                    &format!("[{}]", shown.join(",")),
                    other,
                )));
            }
        },
        Segment::FromEnd(_) => {
            if let Some(found) = step_definite(seg, v)? {
                out.push(found);
            }
        }
        Segment::Slice(from, to) => {
            let items = match v {
                Value::List(items, _) => items,
                Value::Null if definite_so_far => return Err(Stop::Missing),
                Value::Null => return Ok(()),
                other => {
                    let bound = |b: Option<i64>| b.map_or(String::new(), |b| b.to_string());
                    let shown = format!("[{}:{}]", bound(*from), bound(*to));
                    return Err(Stop::Error(not_an_array(&shown, other)));
                }
            };
            {
                let items = items.borrow();
                let len = items.len() as i64;
                let start = match *from {
                    Some(f) if f < 0 => (len + f).max(0),
                    Some(f) => f.min(len),
                    None => 0,
                };
                let end = match *to {
                    Some(t) if t < 0 => 0,
                    Some(t) => t.min(len),
                    None => len,
                };
                if start < end {
                    out.extend(items[start as usize..end as usize].iter().cloned());
                }
            }
        }
        Segment::Filter(f) => match v {
            Value::List(items, _) => {
                for item in items.borrow().iter() {
                    if test(f, item, root)? {
                        out.push(item.clone());
                    }
                }
            }
            Value::Map(_) => {
                if test(f, v, root)? {
                    out.push(v.clone());
                }
            }
            other => {
                let mut shown = String::new();
                crate::value::write_json(other, &mut shown);
                return Err(Stop::Error(invalid(format!(
                    "Filter: [?] can not be applied to primitives. Current context is: {shown}"
                ))));
            }
        },
        Segment::Deep(inner) => deep(inner, v, root, out, 0)?,
    }
    Ok(())
}

/// `..seg`: the segment applied to the value and to everything below it (a property to
/// every object, an index to every array).
fn deep(
    seg: &Segment,
    v: &Value,
    root: &Value,
    out: &mut Vec<Value>,
    depth: usize,
) -> Result<(), Stop> {
    // Each value visited is a unit of the render's work.
    if depth > 1000 || !crate::limits::burn(1) {
        return Ok(());
    }
    // A payload's container is scanned in the document.
    if let Value::Json(json) = v
        && json.built().is_none()
        && let Some(children) = json.values()
    {
        let applies = match seg {
            Segment::Index(_) | Segment::FromEnd(_) | Segment::Slice(..) => !json.is_object(),
            Segment::Property(_) | Segment::Filter(_) => json.is_object(),
            Segment::Wildcard => true,
            Segment::Deep(_) => false,
        };
        if applies {
            apply(seg, v, root, out, false)?;
        }
        for child in &children {
            deep(seg, child, root, out, depth + 1)?;
        }
        return Ok(());
    }
    let v = &*v.resolve();
    match (seg, v) {
        (Segment::Index(_) | Segment::FromEnd(_) | Segment::Slice(..), Value::List(..))
        | (Segment::Property(_), Value::Map(_))
        // A scan tests a filter on every object it meets (not on array elements).
        | (Segment::Filter(_), Value::Map(_))
        | (Segment::Wildcard, _) => apply(seg, v, root, out, false)?,
        _ => {}
    }
    match v {
        Value::Map(m) => {
            for child in m.borrow().values() {
                deep(seg, child, root, out, depth + 1)?;
            }
        }
        Value::List(items, _) => {
            for child in items.borrow().iter() {
                deep(seg, child, root, out, depth + 1)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The value at a relative path inside a filter, if any.
fn relative(segments: &[Segment], v: &Value) -> Option<Value> {
    let mut current = v.clone();
    for seg in segments {
        current = step_definite(seg, &current).ok().flatten()?;
    }
    Some(current)
}

/// Whether `v` passes the filter. An item without the filtered property passes no
/// comparison (`!=` included), and one whose property is null does not exist.
fn test(f: &Filter, v: &Value, root: &Value) -> Result<bool, String> {
    let v = &*v.resolve();
    Ok(match f {
        Filter::Or(a, b) => test(a, v, root)? || test(b, v, root)?,
        Filter::And(a, b) => test(a, v, root)? && test(b, v, root)?,
        Filter::Not(a) => !test(a, v, root)?,
        Filter::Exists(path) => relative(path, v).is_some_and(|found| !found.is_null()),
        Filter::Compare(path, op, lit) => match relative(path, v) {
            Some(found) => match lit {
                Literal::Path(from_root, path) => {
                    let base = if *from_root { root } else { v };
                    match relative(path, base) {
                        Some(other) => compare_values(&found, *op, &other)?,
                        None => false,
                    }
                }
                lit => compare(&found, *op, lit)?,
            },
            None => false,
        },
    })
}

/// A string literal compared with a number is read as a number, as Jayway 2.0.0 does;
/// one that is none fails the path.
fn as_number(s: &str) -> Result<f64, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("NumberFormatException: For input string: \"{s}\""))
}

/// A value compared with the value of a path: numbers with numbers (or with a string
/// that reads as one, else the path fails), strings with strings, booleans with
/// booleans; anything else passes no comparison.
fn compare_values(v: &Value, op: Op, other: &Value) -> Result<bool, String> {
    let lit = match other {
        Value::Str(s) if v.is_number() => Literal::Number(as_number(s)?, s.to_string()),
        Value::Str(s) if matches!(v, Value::Str(_)) => Literal::Str(s.to_string()),
        n if n.is_number() && v.is_number() => {
            Literal::Number(crate::value::number::as_f64(n), String::new())
        }
        Value::Bool(b) if matches!(v, Value::Bool(_)) => Literal::Bool(*b),
        Value::Null if v.is_null() => Literal::Null,
        _ => return Ok(false),
    };
    compare(v, op, &lit)
}

fn compare(v: &Value, op: Op, lit: &Literal) -> Result<bool, String> {
    use std::cmp::Ordering;
    // An array or an object passes no comparison with a literal (`!=` included), except
    // that it is not null.
    if matches!(v, Value::List(..) | Value::Map(_) | Value::Json(_)) {
        return Ok(op == Op::Ne && matches!(lit, Literal::Null));
    }
    let ord = match (v, lit) {
        (_, Literal::Regex(re)) => {
            return Ok(
                op == Op::Matches && v.as_str().is_some_and(|s| re.matches(s).unwrap_or(false))
            );
        }
        (Value::Str(s), Literal::Str(l)) => Some(s.as_ref().cmp(l.as_str())),
        (n, Literal::Number(l, _)) if n.is_number() => {
            crate::value::number::as_f64(n).partial_cmp(l)
        }
        // A string or a boolean against a number literal: compared as texts.
        (Value::Str(s), Literal::Number(_, text)) => Some(s.as_ref().cmp(text.as_str())),
        (Value::Bool(b), Literal::Number(_, text)) => Some(b.to_string().as_str().cmp(text)),
        (n, Literal::Str(l)) if n.is_number() => {
            crate::value::number::as_f64(n).partial_cmp(&as_number(l)?)
        }
        (Value::Bool(b), Literal::Bool(l)) => Some(b.cmp(l)),
        (Value::Null, Literal::Null) => Some(Ordering::Equal),
        _ => None,
    };
    Ok(match (op, ord) {
        (Op::Eq, Some(o)) => o == Ordering::Equal,
        (Op::Ne, o) => o != Some(Ordering::Equal),
        (Op::Lt, Some(o)) => o == Ordering::Less,
        (Op::Le, Some(o)) => o != Ordering::Greater,
        (Op::Gt, Some(o)) => o == Ordering::Greater,
        (Op::Ge, Some(o)) => o != Ordering::Less,
        _ => false,
    })
}
