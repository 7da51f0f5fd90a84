//! Documents that know where each of their values was written: JSON and YAML (with
//! CloudFormation's short-form tags kept), read into one tree of [`Node`]s. Strings carry
//! the file position of each of their characters, so a template found in a YAML block or
//! a JSON string is reported at its own lines of the file. Readers deserialize nodes with
//! serde (see [`de`]).

pub mod de;
mod json;
mod scalar;
mod yaml;

use std::sync::Arc;

use vtl::apigateway::{Anchor, Origin};
use vtl::{Error, ErrorKind};

use crate::lines::LineIndex;

/// How deep a document may nest; deeper ones are refused before they are read.
pub const MAX_DEPTH: usize = 256;

/// A value of a document and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// A YAML tag such as `!Ref` or `!GetAtt` (handle and suffix), if any.
    pub tag: Option<String>,
    /// 1-based line of its first character.
    pub line: u32,
    /// 1-based column of its first character, in characters.
    pub column: u32,
}

/// The value of a node.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty YAML value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string, and where its characters were written.
    String(Text),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in document order.
    Map(Vec<(Node, Node)>),
}

/// A string and the file positions of its characters.
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    /// The decoded text.
    pub text: String,
    /// Where the text lines up with the file (see [`Anchor`]).
    pub anchors: Vec<Anchor>,
}

impl Text {
    /// A text that has no place in a file.
    pub fn plain(text: impl Into<String>) -> Text {
        Text {
            text: text.into(),
            anchors: Vec::new(),
        }
    }

    /// `self` followed by `other`, each keeping its positions.
    pub fn push(&mut self, other: &Text) {
        let base = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        self.anchors.extend(other.anchors.iter().map(|a| Anchor {
            offset: a.offset.saturating_add(base),
            ..*a
        }));
        self.text.push_str(&other.text);
    }

    /// The text's origin in `file`, when it has a place there.
    pub fn origin(&self, file: &Arc<str>) -> Option<Origin> {
        (!self.anchors.is_empty()).then(|| Origin::new(Arc::clone(file), self.anchors.clone()))
    }
}

impl Node {
    /// A node at a position.
    pub fn new(value: Value, line: u32, column: u32) -> Node {
        Node {
            value,
            tag: None,
            line,
            column,
        }
    }

    /// The string, if the node is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(t) => Some(&t.text),
            _ => None,
        }
    }

    /// The value under `key`, if the node is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// The entries, if the node is a mapping.
    pub fn entries(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The items, if the node is a list.
    pub fn items(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// What kind of value the node holds, for messages.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The node as JSON, without positions or tags.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::from_str(n)
                .map(serde_json::Value::Number)
                .unwrap_or_else(|_| serde_json::Value::String(n.clone())),
            Value::String(t) => serde_json::Value::String(t.text.clone()),
            Value::Seq(items) => items.iter().map(Node::to_json).collect(),
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.scalar_text(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// A scalar as text (a key, a number, a boolean); empty for lists and mappings.
    pub fn scalar_text(&self) -> String {
        match &self.value {
            Value::Null => "null".to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.clone(),
            Value::String(t) => t.text.clone(),
            Value::Seq(_) | Value::Map(_) => String::new(),
        }
    }
}

/// A document read from a file.
#[derive(Clone, Debug)]
pub struct Document {
    /// The file, as it was named.
    pub file: Arc<str>,
    /// The top-level value.
    pub root: Node,
}

/// The syntax a document is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// JSON.
    Json,
    /// YAML (which JSON documents also are, but they are read as JSON).
    Yaml,
}

impl Document {
    /// Reads `text`, named `file` in positions and messages: JSON when it starts with `{`
    /// or `[`, YAML otherwise.
    pub fn parse(file: impl Into<Arc<str>>, text: &str) -> Result<Document, Error> {
        let file = file.into();
        let syntax = if text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with(['{', '['])
        {
            Syntax::Json
        } else {
            Syntax::Yaml
        };
        Document::parse_as(file, text, syntax)
    }

    /// Reads `text` in the given syntax.
    pub fn parse_as(file: Arc<str>, text: &str, syntax: Syntax) -> Result<Document, Error> {
        // Java strings hold lone surrogates, which JSON may write: each is read as one
        // character (the positions after one on its line count it so).
        let text = match syntax {
            Syntax::Json => vtl::apigateway::keep_lone_surrogates(text),
            Syntax::Yaml => std::borrow::Cow::Borrowed(text),
        };
        let text = &*text;
        let lines = Lines::new(text);
        let root = match syntax {
            Syntax::Json => json::parse(text, &lines),
            Syntax::Yaml => yaml::parse(text, &lines),
        }
        .map_err(|e| e.place(&file))?;
        Ok(Document { file, root })
    }

    /// An error about `node` of this document.
    pub fn error(&self, node: &Node, message: impl Into<String>) -> Error {
        error_at(&self.file, node.line, node.column, message)
    }

    /// The origin of a string node in this document.
    pub fn origin(&self, text: &Text) -> Option<Origin> {
        text.origin(&self.file)
    }
}

/// An error of kind `Input` at a place in `file`.
pub fn error_at(file: &Arc<str>, line: u32, column: u32, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Input, message).in_file(Arc::clone(file), line as usize, column as usize)
}

/// A failure of the JSON or YAML syntax, before the file is known.
struct SyntaxError {
    message: String,
    line: usize,
    column: usize,
}

impl SyntaxError {
    fn place(self, file: &Arc<str>) -> Error {
        Error::new(ErrorKind::Input, self.message).in_file(
            Arc::clone(file),
            self.line.max(1),
            self.column.max(1),
        )
    }
}

/// A text and where its lines start, to turn offsets into positions.
struct Lines<'a> {
    text: &'a str,
    index: LineIndex,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        Lines {
            text,
            index: LineIndex::new(text),
        }
    }

    /// The 1-based line and column (in characters) of byte `offset`.
    fn position(&self, offset: usize) -> (u32, u32) {
        self.index.position(self.text, offset)
    }

    /// The byte offset of a 1-based line and 0-based column in characters.
    fn offset(&self, line: usize, column: usize) -> usize {
        self.index.offset(self.text, line, column)
    }

    /// The text of 1-based line `n`, without its line break.
    fn line(&self, n: usize) -> &'a str {
        self.index.line(self.text, n)
    }
}
