//! The Serverless Framework's variables, resolved as far as a local reading can:
//! `${self:a.b}`, `${opt:x}`, `${env:X}`, `${sls:stage}`, `${file(path):address}`, literal
//! fallbacks (`${opt:stage, 'dev'}`) and variables nested in parameters and addresses.
//! A resolved string is scanned again, as the framework does (so a file read as text is
//! too). What only AWS or the deploying machine knows (`ssm:`, `cf:`, a missing option)
//! becomes a warning at the variable and the variable's own text as a visible placeholder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use vtl::Error;
use vtl::apigateway::{Anchor, Origin};

use crate::document::{Document, Node, Text, Value, error_at};
use crate::files;

/// How deep variables may nest and refer to each other before the reading gives up.
const MAX_DEPTH: usize = 64;

/// How many bytes of text resolution may produce in all, so that references that double
/// at every level cannot exhaust memory.
const MAX_EXPANSION: usize = 64 * 1024 * 1024;

/// A value with every variable resolved, and the file it (or its first character) is in.
#[derive(Clone, Debug)]
pub struct Val {
    /// The value.
    pub value: V,
    /// The file its positions are in.
    pub file: Arc<str>,
    /// 1-based line where it starts.
    pub line: u32,
    /// 1-based column where it starts.
    pub column: u32,
}

/// The value of a [`Val`].
#[derive(Clone, Debug)]
pub enum V {
    /// `null`, or nothing.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string and where its characters are in [`Val::file`].
    Str(Text),
    /// A list.
    Seq(Vec<Val>),
    /// A mapping, in document order.
    Map(Vec<(String, Val)>),
}

impl Val {
    /// The value under `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Val> {
        match &self.value {
            V::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            V::Str(t) => Some(&t.text),
            _ => None,
        }
    }

    /// A scalar as the framework turns it into text; `None` for lists, mappings and null.
    pub fn scalar(&self) -> Option<String> {
        match &self.value {
            V::Str(t) => Some(t.text.clone()),
            V::Number(n) => Some(n.clone()),
            V::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// What kind of value it is, for messages.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            V::Null => "null",
            V::Bool(_) => "a boolean",
            V::Number(_) => "a number",
            V::Str(_) => "a string",
            V::Seq(_) => "a list",
            V::Map(_) => "a mapping",
        }
    }

    /// An error about this value.
    pub fn error(&self, message: impl Into<String>) -> Error {
        error_at(&self.file, self.line, self.column, message)
    }

    /// The origin of its text, when it is a string written in a file.
    pub fn origin(&self) -> Option<Origin> {
        match &self.value {
            V::Str(t) => t.origin(&self.file),
            _ => None,
        }
    }
}

/// Where a variable was written, for messages.
#[derive(Clone)]
struct At {
    file: Arc<str>,
    line: u32,
    column: u32,
}

impl At {
    fn error(&self, message: impl Into<String>) -> Error {
        error_at(&self.file, self.line, self.column, message)
    }
}

/// One source of a variable: `self:a.b`, `file(x.yml):a`, or a literal fallback.
enum Source {
    Typed {
        kind: String,
        params: Vec<Piece>,
        address: Option<Piece>,
    },
    Literal(Literal),
}

/// A parameter or an address: quoted (taken as it is) or raw (may hold variables).
enum Piece {
    Quoted(String),
    Raw(std::ops::Range<usize>),
}

enum Literal {
    Str(String),
    Bool(bool),
    Null,
    Number(String),
}

/// A variable in a string: its byte range and its sources, tried in order.
struct Variable {
    start: usize,
    end: usize,
    sources: Vec<Source>,
}

/// What `${` starts.
enum Found {
    Variable(Variable),
    /// Not a variable of the framework (`${AWS::Region}`, `${data.x}`): kept as written.
    Foreign,
}

/// The resolver of one configuration.
pub struct Resolver<'a> {
    root: &'a Node,
    root_file: Arc<str>,
    config_path: PathBuf,
    parameters: &'a IndexMap<String, String>,
    /// What could not be resolved, each at its variable.
    pub warnings: Vec<Error>,
    in_progress: Vec<String>,
    depth: usize,
    produced: usize,
    files: HashMap<PathBuf, Option<Arc<FileContent>>>,
}

enum FileContent {
    Document(Document),
    Text(Arc<str>, String),
}

impl<'a> Resolver<'a> {
    /// A resolver of `root`, read from `config_path` (named `root_file` in positions).
    pub fn new(
        root: &'a Node,
        root_file: Arc<str>,
        config_path: &Path,
        parameters: &'a IndexMap<String, String>,
    ) -> Resolver<'a> {
        Resolver {
            root,
            root_file,
            config_path: config_path.to_path_buf(),
            parameters,
            warnings: Vec::new(),
            in_progress: Vec::new(),
            depth: 0,
            produced: 0,
            files: HashMap::new(),
        }
    }

    /// The raw (unresolved) node at a path of the configuration, if it is there as
    /// written; for reading keys without resolving every value under them.
    pub fn raw(&self, path: &[&str]) -> Option<&'a Node> {
        let mut node = self.root;
        for key in path {
            node = node.get(key)?;
        }
        Some(node)
    }

    /// The value at a dotted path of the configuration (`self:` addresses), resolved;
    /// `None` when nothing is there.
    pub fn path(&mut self, path: &[&str]) -> Result<Option<Val>, Error> {
        let at = At {
            file: Arc::clone(&self.root_file),
            line: self.root.line,
            column: self.root.column,
        };
        self.self_path(path, &at)
    }

    fn self_path(&mut self, path: &[&str], at: &At) -> Result<Option<Val>, Error> {
        let key = path.join(".");
        if self.in_progress.contains(&key) {
            return Err(at.error(format!(
                "`${{self:{key}}}` refers to itself (through {})",
                self.in_progress
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(" → ")
            )));
        }
        self.in_progress.push(key);
        let file = Arc::clone(&self.root_file);
        let result = self.walk(self.root, &file, path);
        self.in_progress.pop();
        result
    }

    /// Resolves `path` under a raw node, resolving a variable met on the way.
    fn walk(&mut self, node: &Node, file: &Arc<str>, path: &[&str]) -> Result<Option<Val>, Error> {
        let mut node = node;
        for (i, key) in path.iter().enumerate() {
            if matches!(&node.value, Value::String(t) if t.text.contains("${")) {
                let val = self.node(node, file)?;
                return Ok(val_path(&val, &path[i..]));
            }
            let next = match &node.value {
                Value::Map(_) => node.get(key),
                Value::Seq(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => return Ok(None),
            }
        }
        self.node(node, file).map(Some)
    }

    /// A raw node of `file` with every variable under it resolved.
    pub fn node(&mut self, node: &Node, file: &Arc<str>) -> Result<Val, Error> {
        let val = |value| Val {
            value,
            file: Arc::clone(file),
            line: node.line,
            column: node.column,
        };
        // Nesting of the document itself is bounded by its reader; only variables count.
        match &node.value {
            Value::Null => Ok(val(V::Null)),
            Value::Bool(b) => Ok(val(V::Bool(*b))),
            Value::Number(n) => Ok(val(V::Number(n.clone()))),
            Value::String(t) => self.text(t, file, node.line, node.column),
            Value::Seq(items) => items
                .iter()
                .map(|n| self.node(n, file))
                .collect::<Result<Vec<_>, _>>()
                .map(|v| val(V::Seq(v))),
            Value::Map(entries) => entries
                .iter()
                .map(|(k, v)| Ok((k.scalar_text(), self.node(v, file)?)))
                .collect::<Result<Vec<_>, Error>>()
                .map(|v| val(V::Map(v))),
        }
    }

    fn enter(&mut self, at: &At) -> Result<(), Error> {
        if self.depth >= MAX_DEPTH {
            return Err(at.error(format!(
                "variables nest or refer to each other more than {MAX_DEPTH} levels deep"
            )));
        }
        self.depth += 1;
        Ok(())
    }

    /// A string with its variables resolved. A string that is one variable takes the
    /// variable's value, whatever its type; otherwise each value is put in as text.
    fn text(&mut self, text: &Text, file: &Arc<str>, line: u32, column: u32) -> Result<Val, Error> {
        let here = |offset: usize| locate(text, file, line, column, offset);
        let s = text.text.as_str();
        let mut out = Text::plain(String::new());
        let mut literal_from = 0;
        let mut i = 0;
        let mut whole = None;
        while let Some(found) = s[i..].find("${").map(|k| i + k) {
            // `\${` is a literal `${`: the backslash goes.
            if found > 0 && s.as_bytes()[found - 1] == b'\\' {
                out.push(&slice(text, file, literal_from..found - 1));
                literal_from = found;
                i = found + 2;
                continue;
            }
            let at = here(found);
            let variable = match parse(s, found, &at)? {
                Found::Foreign => {
                    i = found + 2;
                    continue;
                }
                Found::Variable(v) => v,
            };
            let value = self.variable(s, &variable, &at, text, file, line, column)?;
            if variable.start == 0 && variable.end == s.len() {
                whole = Some(value);
                break;
            }
            out.push(&slice(text, file, literal_from..found));
            let piece = match value {
                Some(v) => match (&v.value, v.scalar()) {
                    (V::Str(t), _) if Arc::ptr_eq(&v.file, file) || *v.file == **file => t.clone(),
                    (_, Some(text)) => placed(text, &at),
                    (_, None) => {
                        self.warn(
                            &at,
                            format!(
                                "`{}` is {} and cannot be part of a string; it is kept as written",
                                &s[variable.start..variable.end],
                                v.kind()
                            ),
                        );
                        placed(s[variable.start..variable.end].to_string(), &at)
                    }
                },
                None => placed(s[variable.start..variable.end].to_string(), &at),
            };
            self.count(piece.text.len(), &at)?;
            out.push(&piece);
            literal_from = variable.end;
            i = variable.end;
        }
        if let Some(value) = whole {
            return Ok(value.unwrap_or_else(|| Val {
                value: V::Str(text.clone()),
                file: Arc::clone(file),
                line,
                column,
            }));
        }
        out.push(&slice(text, file, literal_from..s.len()));
        Ok(Val {
            value: V::Str(out),
            file: Arc::clone(file),
            line,
            column,
        })
    }

    fn count(&mut self, bytes: usize, at: &At) -> Result<(), Error> {
        self.produced = self.produced.saturating_add(bytes);
        if self.produced > MAX_EXPANSION {
            return Err(at.error(format!(
                "variables expand to more than {} MiB of text",
                MAX_EXPANSION >> 20
            )));
        }
        Ok(())
    }

    fn warn(&mut self, at: &At, message: String) {
        self.warnings.push(at.error(message));
    }

    /// The value of a variable; `None` (after a warning) when no source gives one.
    #[allow(clippy::too_many_arguments)]
    fn variable(
        &mut self,
        s: &str,
        variable: &Variable,
        at: &At,
        text: &Text,
        file: &Arc<str>,
        line: u32,
        column: u32,
    ) -> Result<Option<Val>, Error> {
        let written = &s[variable.start..variable.end];
        self.enter(at)?;
        let mut remote = None;
        let mut result = None;
        for source in &variable.sources {
            let piece = |r: &mut Self, p: &Piece| -> Result<Option<String>, Error> {
                match p {
                    Piece::Quoted(q) => Ok(Some(q.clone())),
                    Piece::Raw(range) => {
                        let sub = slice(text, file, range.clone());
                        Ok(r.text(&sub, file, line, column)?.scalar())
                    }
                }
            };
            let value = match source {
                Source::Literal(l) => Some(literal(l, at)),
                Source::Typed {
                    kind,
                    params,
                    address,
                } => {
                    let address = match address {
                        Some(a) => piece(self, a)?,
                        None => None,
                    };
                    match kind.as_str() {
                        "self" => {
                            let address = address.unwrap_or_default();
                            let path: Vec<&str> =
                                address.split('.').filter(|k| !k.is_empty()).collect();
                            self.self_path(&path, at)?
                        }
                        "opt" => self.parameter("opt", address.as_deref().unwrap_or(""), at),
                        "env" => self.parameter("env", address.as_deref().unwrap_or(""), at),
                        "sls" => match address.as_deref() {
                            Some("stage") => Some(self.stage(at)?),
                            _ => {
                                remote.get_or_insert_with(|| {
                                    format!("sls:{}", address.unwrap_or_default())
                                });
                                None
                            }
                        },
                        "file" => {
                            let Some(Some(name)) =
                                params.first().map(|p| piece(self, p)).transpose()?
                            else {
                                return Err(
                                    at.error(format!("`{written}`: `file(...)` needs a path"))
                                );
                            };
                            self.file(&name, address.as_deref(), at)?
                        }
                        "param" | "ssm" | "s3" | "cf" | "aws" | "strToBool" => {
                            remote.get_or_insert_with(|| kind.clone());
                            None
                        }
                        other => {
                            let hint = if other.contains('.') || other.contains('-') {
                                format!(
                                    "; `{written}` looks like a Velocity reference written in serverless.yml, which the Serverless Framework reads as a variable and fails on: write it as `\\${{...}}` or without braces (`$input.json('$')`)"
                                )
                            } else {
                                String::new()
                            };
                            self.warn(at, format!(
                                "`{written}`: unknown variable source `{other}`, kept as written{hint}"
                            ));
                            self.depth -= 1;
                            return Ok(None);
                        }
                    }
                }
            };
            if let Some(v) = value
                && !matches!(v.value, V::Null)
            {
                result = Some(v);
                break;
            }
        }
        self.depth -= 1;
        if result.is_none() {
            let why = match remote {
                Some(kind) => format!("`{kind}` is known only when deploying"),
                None => "no source gives a value".to_string(),
            };
            self.warn(
                at,
                format!(
                    "`{written}` cannot be resolved locally ({why}); it is kept as written (give a value with --parameter or a fallback)"
                ),
            );
        }
        Ok(result)
    }

    /// `${opt:x}` or `${env:X}`: `--parameter opt:x=...` or `--parameter x=...`.
    fn parameter(&mut self, kind: &str, name: &str, at: &At) -> Option<Val> {
        let value = self
            .parameters
            .get(&format!("{kind}:{name}"))
            .or_else(|| self.parameters.get(name))?;
        Some(Val {
            value: V::Str(placed(value.clone(), at)),
            file: Arc::clone(&at.file),
            line: at.line,
            column: at.column,
        })
    }

    /// The stage: the `stage` option, else `provider.stage`, else `dev`.
    pub fn stage_name(&mut self) -> Result<String, Error> {
        let at = At {
            file: Arc::clone(&self.root_file),
            line: self.root.line,
            column: self.root.column,
        };
        Ok(self
            .stage(&at)?
            .scalar()
            .unwrap_or_else(|| "dev".to_string()))
    }

    fn stage(&mut self, at: &At) -> Result<Val, Error> {
        if let Some(v) = self.parameter("opt", "stage", at) {
            return Ok(v);
        }
        if let Some(v) = self.self_path(&["provider", "stage"], at)?
            && v.scalar().is_some()
        {
            return Ok(v);
        }
        Ok(Val {
            value: V::Str(placed("dev".to_string(), at)),
            file: Arc::clone(&at.file),
            line: at.line,
            column: at.column,
        })
    }

    /// `${file(name):address}`: YAML or JSON for `.yml`, `.yaml` and `.json`, text else;
    /// `None` when the file is not there.
    fn file(&mut self, name: &str, address: Option<&str>, at: &At) -> Result<Option<Val>, Error> {
        let path = files::beside(&self.config_path, name);
        let content = match self.files.get(&path) {
            Some(c) => c.clone(),
            None => {
                let content = if path.is_file() {
                    let text = files::read(&path).map_err(|e| at.error(e.to_string()))?;
                    self.count(text.len(), at)?;
                    let shown: Arc<str> = Arc::from(path.display().to_string());
                    let ext = path
                        .extension()
                        .and_then(|e| e.to_str())
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    Some(Arc::new(match ext.as_str() {
                        "yml" | "yaml" => FileContent::Document(Document::parse_as(
                            shown,
                            &text,
                            crate::document::Syntax::Yaml,
                        )?),
                        "json" | "tfstate" => FileContent::Document(Document::parse_as(
                            shown,
                            &text,
                            crate::document::Syntax::Json,
                        )?),
                        _ => FileContent::Text(shown, text),
                    }))
                } else {
                    None
                };
                self.files.insert(path.clone(), content.clone());
                content
            }
        };
        let Some(content) = content else {
            return Ok(None);
        };
        let keys: Vec<&str> = address
            .unwrap_or("")
            .split('.')
            .filter(|k| !k.is_empty())
            .collect();
        match &*content {
            FileContent::Document(doc) => self.walk(&doc.root, &doc.file, &keys),
            FileContent::Text(shown, text) => {
                let t = Text {
                    text: text.clone(),
                    anchors: vec![Anchor {
                        offset: 0,
                        line: 1,
                        column: 1,
                    }],
                };
                let v = self.text(&t, shown, 1, 1)?;
                Ok(if keys.is_empty() {
                    Some(v)
                } else {
                    val_path(&v, &keys)
                })
            }
        }
    }
}

/// The value at `path` under an already resolved value.
fn val_path(val: &Val, path: &[&str]) -> Option<Val> {
    let mut val = val;
    for key in path {
        val = match &val.value {
            V::Map(_) => val.get(key)?,
            V::Seq(items) => items.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(val.clone())
}

fn literal(l: &Literal, at: &At) -> Val {
    let value = match l {
        Literal::Str(s) => V::Str(placed(s.clone(), at)),
        Literal::Bool(b) => V::Bool(*b),
        Literal::Null => V::Null,
        Literal::Number(n) => V::Number(n.clone()),
    };
    Val {
        value,
        file: Arc::clone(&at.file),
        line: at.line,
        column: at.column,
    }
}

/// A text put in where a variable was written: its characters are placed at the variable.
fn placed(text: String, at: &At) -> Text {
    Text {
        text,
        anchors: vec![Anchor {
            offset: 0,
            line: at.line,
            column: at.column,
        }],
    }
}

/// Where byte `offset` of a string value is.
fn locate(text: &Text, file: &Arc<str>, line: u32, column: u32, offset: usize) -> At {
    let (line, column) = match text.origin(file) {
        Some(origin) => {
            let (l, c) = origin.locate(&text.text, offset);
            (clamp(l), clamp(c))
        }
        None => (line, column),
    };
    At {
        file: Arc::clone(file),
        line,
        column,
    }
}

fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Bytes `range` of a located text, keeping positions.
fn slice(text: &Text, file: &Arc<str>, range: std::ops::Range<usize>) -> Text {
    let part = text.text[range.clone()].to_string();
    if text.anchors.is_empty() || part.is_empty() {
        return Text::plain(part);
    }
    let (line, column) =
        Origin::new(Arc::clone(file), text.anchors.clone()).locate(&text.text, range.start);
    let mut anchors = vec![Anchor {
        offset: 0,
        line: clamp(line),
        column: clamp(column),
    }];
    anchors.extend(
        text.anchors
            .iter()
            .filter(|a| (a.offset as usize) > range.start && (a.offset as usize) < range.end)
            .map(|a| Anchor {
                offset: a.offset - range.start as u32,
                ..*a
            }),
    );
    Text {
        text: part,
        anchors,
    }
}

fn is_type_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'.' || c == b'-'
}

fn is_type(kind: &str) -> bool {
    let b = kind.as_bytes();
    !b.is_empty() && b[0].is_ascii_lowercase() && b.iter().all(u8::is_ascii_alphanumeric)
}

/// Reads the variable whose `${` is at `start` of `s`.
fn parse(s: &str, start: usize, at: &At) -> Result<Found, Error> {
    let b = s.as_bytes();
    let mut i = start + 2;
    if !b.get(i).is_some_and(u8::is_ascii_lowercase) {
        return Ok(Found::Foreign);
    }
    let type_start = i;
    while b.get(i).copied().is_some_and(is_type_char) {
        i += 1;
    }
    if !matches!(b.get(i), Some(b':' | b'(')) {
        return Ok(Found::Foreign);
    }
    let unterminated = || {
        at.error(format!(
            "`{}`: the variable has no closing `}}`",
            excerpt(&s[start..])
        ))
    };
    let invalid = |what: &str, k: usize| {
        at.error(format!(
            "`{}`: invalid variable {what} at character {}",
            excerpt(&s[start..]),
            k - start + 1
        ))
    };
    let skip_spaces = |i: &mut usize| {
        while b.get(*i) == Some(&b' ') {
            *i += 1;
        }
    };
    let mut sources = Vec::new();
    let mut kind = s[type_start..i].to_string();
    loop {
        // `i` is at the `:` or `(` after a type.
        let mut params = Vec::new();
        let mut address = None;
        // After the parameters, if any, a `:` starts the address.
        let addressed = if b[i] == b'(' {
            i += 1;
            loop {
                skip_spaces(&mut i);
                match b.get(i) {
                    None => return Err(unterminated()),
                    Some(b')') => {
                        i += 1;
                        break;
                    }
                    Some(b',') => i += 1,
                    Some(b'}') => return Err(invalid("parameter", i)),
                    Some(_) => {
                        let (p, next) = piece(s, i, b"),", at)?;
                        params.push(p);
                        i = next;
                    }
                }
            }
            skip_spaces(&mut i);
            b.get(i) == Some(&b':')
        } else {
            true
        };
        if addressed {
            i += 1;
            skip_spaces(&mut i);
            if !matches!(b.get(i), Some(b'}' | b',')) {
                let (p, next) = piece(s, i, b"},", at)?;
                address = Some(p);
                i = next;
            }
        }
        skip_spaces(&mut i);
        sources.push(Source::Typed {
            kind: std::mem::take(&mut kind),
            params,
            address,
        });
        match b.get(i) {
            Some(b'}') => {
                return Ok(Found::Variable(Variable {
                    start,
                    end: i + 1,
                    sources,
                }));
            }
            Some(b',') => i += 1,
            None => return Err(unterminated()),
            Some(_) => return Err(invalid("address", i)),
        }
        // The next source: a type, or a literal that ends the variable.
        skip_spaces(&mut i);
        match b.get(i) {
            None => return Err(unterminated()),
            Some(q @ (b'\'' | b'"')) => {
                let (text, next) = quoted(s, i, *q).ok_or_else(unterminated)?;
                let text = if *q == b'"' {
                    serde_json::from_str::<String>(&s[i..next])
                        .map_err(|e| invalid(&format!("string ({e})"), i))?
                } else {
                    text
                };
                i = next;
                skip_spaces(&mut i);
                match b.get(i) {
                    Some(b'}') => {}
                    None => return Err(unterminated()),
                    Some(_) => return Err(invalid("source", i)),
                }
                sources.push(Source::Literal(Literal::Str(text)));
                return Ok(Found::Variable(Variable {
                    start,
                    end: i + 1,
                    sources,
                }));
            }
            Some(_) => {
                let from = i;
                while b
                    .get(i)
                    .copied()
                    .is_some_and(|c| is_type_char(c) || c == b' ')
                {
                    i += 1;
                }
                let word = s[from..i].trim();
                match b.get(i) {
                    Some(b':' | b'(') if is_type(word) => kind = word.to_string(),
                    Some(b'}') => {
                        let literal = match word {
                            "true" => Literal::Bool(true),
                            "false" => Literal::Bool(false),
                            "null" => Literal::Null,
                            n if !n.is_empty() && n.parse::<f64>().is_ok() => {
                                Literal::Number(n.to_string())
                            }
                            _ => return Err(invalid("literal", from)),
                        };
                        sources.push(Source::Literal(literal));
                        return Ok(Found::Variable(Variable {
                            start,
                            end: i + 1,
                            sources,
                        }));
                    }
                    None => return Err(unterminated()),
                    _ => return Err(invalid("source", from)),
                }
            }
        }
    }
}

/// A quoted string starting at `i`: its text and the index after its closing quote.
fn quoted(s: &str, i: usize, quote: u8) -> Option<(String, usize)> {
    let b = s.as_bytes();
    let mut k = i + 1;
    while k < b.len() {
        match b[k] {
            b'\\' if quote == b'"' => k += 2,
            c if c == quote => return Some((s[i + 1..k].to_string(), k + 1)),
            _ => k += 1,
        }
    }
    None
}

/// A parameter or address from `i` up to one of `stops` (outside nested variables).
fn piece(s: &str, i: usize, stops: &[u8], at: &At) -> Result<(Piece, usize), Error> {
    let b = s.as_bytes();
    if let Some(&q @ (b'\'' | b'"')) = b.get(i) {
        let (text, next) = quoted(s, i, q)
            .ok_or_else(|| at.error(format!("`{}`: unterminated string", excerpt(&s[i..]))))?;
        let text = if q == b'"' {
            serde_json::from_str::<String>(&s[i..next])
                .map_err(|e| at.error(format!("invalid string: {e}")))?
        } else {
            text
        };
        return Ok((Piece::Quoted(text), next));
    }
    let mut k = i;
    let mut depth = 0usize;
    while k < b.len() {
        match b[k] {
            b'$' if b.get(k + 1) == Some(&b'{') => {
                depth += 1;
                k += 2;
                continue;
            }
            b'}' if depth > 0 => depth -= 1,
            c if depth == 0 && stops.contains(&c) => {
                let end = s[i..k].trim_end().len() + i;
                return Ok((Piece::Raw(i..end), k));
            }
            _ => {}
        }
        k += 1;
    }
    Err(at.error(format!(
        "`{}`: the variable has no closing `}}`",
        excerpt(&s[i..])
    )))
}

/// The start of a text, for messages.
fn excerpt(s: &str) -> String {
    let end = s.char_indices().nth(60).map_or(s.len(), |(i, _)| i);
    let line_end = s[..end].find('\n').unwrap_or(end);
    s[..line_end].to_string()
}
