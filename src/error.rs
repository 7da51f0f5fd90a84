//! The one error type of the crate: what went wrong and where.

use std::fmt;
use std::sync::Arc;

/// What kind of failure an [`Error`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The template text is not valid Velocity.
    Syntax,
    /// A directive the engine refuses by design (`#include`, `#parse`).
    Unsupported,
    /// Evaluation failed: a method threw, an index was out of range, a regex was invalid.
    Render,
    /// A macro, `#evaluate` or `#define` recursion went deeper than allowed.
    Recursion,
    /// The value given to the engine (a context, a request) is not usable.
    Input,
    /// A limit was exceeded: template size, loop iterations.
    Limit,
}

impl ErrorKind {
    fn describe(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax error",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Render => "render error",
            ErrorKind::Recursion => "recursion limit",
            ErrorKind::Input => "invalid input",
            ErrorKind::Limit => "limit exceeded",
        }
    }
}

/// An error with its kind, a message and the 1-based line and column it points at.
///
/// `Display` gives `line:column: message`; an error with no position (for example one
/// raised by a host object outside of any template) prints only its message.
///
/// ```
/// let err = vtl::Template::parse("a\n  #if(").unwrap_err();
/// assert_eq!(err.kind(), vtl::ErrorKind::Syntax);
/// assert_eq!((err.line(), err.column()), (2, 7));
/// assert!(err.to_string().starts_with("2:7: "));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    line: usize,
    column: usize,
    /// The byte offset in the template text that `line` and `column` point at.
    offset: Option<usize>,
    /// The file the position is in, when it is known.
    file: Option<Arc<str>>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}:")?;
        }
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.line, self.column, self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl Error {
    /// An error of `kind` with no position yet; see [`Error::at`].
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            line: 0,
            column: 0,
            offset: None,
            file: None,
        }
    }

    /// Places the error at byte `offset` of `source`, unless it already has a position.
    pub(crate) fn located(mut self, source: &str, offset: usize) -> Error {
        if self.line == 0 {
            let (line, column) = line_column(source, offset);
            self.line = line;
            self.column = column;
            self.offset = Some(offset.min(source.len()));
        }
        self
    }

    /// Sets the position of the error (1-based line and column).
    pub fn at(mut self, line: usize, column: usize) -> Error {
        self.line = line;
        self.column = column;
        self
    }

    /// Places the error in `file` at a 1-based line and column of that file: where a
    /// template that came from a larger file (a YAML block, a JSON string) went wrong.
    /// The byte offset in the template is kept.
    ///
    /// ```
    /// let err = vtl::Template::parse("#if(").unwrap_err().in_file("template.yaml", 12, 9);
    /// assert_eq!(err.offset(), Some(4));
    /// assert!(err.to_string().starts_with("template.yaml:12:9: "));
    /// ```
    pub fn in_file(mut self, file: impl Into<Arc<str>>, line: usize, column: usize) -> Error {
        self.file = Some(file.into());
        self.line = line;
        self.column = column;
        self
    }

    /// Prefixes the message with `context` (`GET /pets: requestTemplates application/json`),
    /// keeping the position.
    pub fn context(mut self, context: impl fmt::Display) -> Error {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// The byte offset in the template (or pattern) text the error points at, when known.
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }

    /// The file the error's line and column are in, when known.
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// 1-based line, or 0 when the error has no position.
    pub fn line(&self) -> usize {
        self.line
    }

    /// 1-based column in characters, or 0 when the error has no position.
    pub fn column(&self) -> usize {
        self.column
    }

    /// A short name of the kind, such as `syntax error`.
    pub fn kind_name(&self) -> &'static str {
        self.kind.describe()
    }
}

/// The byte offset of a 1-based line and column (in characters) in `text`; the end of the
/// text when the position is past it.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.chars()
                    .take(column.saturating_sub(1))
                    .map(char::len_utf8)
                    .sum::<usize>();
        }
        offset += l.len() + 1;
    }
    text.len()
}

/// The 1-based line and column (in characters) of byte `offset` in `source`.
pub(crate) fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}
