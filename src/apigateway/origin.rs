//! Where a template or a selection pattern was written: a file, and for each byte of the
//! text the line and column in that file. A template inside `template.yaml` (a block
//! scalar, a JSON string with `\n` escapes, a heredoc) is reported at the lines of
//! `template.yaml`, not at line 1 of the template.

use std::fmt;
use std::sync::Arc;

use crate::Error;

/// A point where the text and the file line up: byte `offset` of the text is at `line` and
/// `column` (1-based, in characters) of the file. From one anchor to the next, each
/// character of the text is the next character of the file, and a line break in the text
/// starts the next line of the file at column 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchor {
    /// Byte offset in the text.
    pub offset: u32,
    /// 1-based line in the file.
    pub line: u32,
    /// 1-based column in the file, in characters.
    pub column: u32,
}

/// The file a text came from and where each of its bytes is in that file.
///
/// ```
/// use vtl::apigateway::{Anchor, Origin};
///
/// // A YAML block scalar at line 7 of api.yaml, indented by 4.
/// let text = "{\n  \"a\": $x\n}";
/// let origin = Origin::new("api.yaml", vec![
///     Anchor { offset: 0, line: 7, column: 5 },
///     Anchor { offset: 2, line: 8, column: 5 },
///     Anchor { offset: 12, line: 9, column: 5 },
/// ]);
/// assert_eq!(origin.locate(text, 9), (8, 12)); // the `$`
/// assert_eq!(origin.to_string(), "api.yaml:7:5");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    file: Arc<str>,
    anchors: Arc<[Anchor]>,
}

impl Origin {
    /// An origin from anchors in increasing order of offset; the first should be at
    /// offset 0.
    pub fn new(file: impl Into<Arc<str>>, anchors: Vec<Anchor>) -> Origin {
        let mut anchors = anchors;
        if anchors.is_empty() {
            anchors.push(Anchor {
                offset: 0,
                line: 1,
                column: 1,
            });
        }
        Origin {
            file: file.into(),
            anchors: anchors.into(),
        }
    }

    /// A text that is the whole of `file`, or that starts at `line` and `column` and
    /// continues as the file does.
    pub fn at(file: impl Into<Arc<str>>, line: u32, column: u32) -> Origin {
        Origin::new(
            file,
            vec![Anchor {
                offset: 0,
                line,
                column,
            }],
        )
    }

    /// The file, as it was named to the reader.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The line and column of the text's first character.
    pub fn start(&self) -> (usize, usize) {
        let a = self.anchors[0];
        (a.line as usize, a.column as usize)
    }

    /// The anchors, in order of offset.
    pub fn anchors(&self) -> &[Anchor] {
        &self.anchors
    }

    /// The line and column in the file of byte `offset` of `text`.
    pub fn locate(&self, text: &str, offset: usize) -> (usize, usize) {
        let i = self
            .anchors
            .partition_point(|a| a.offset as usize <= offset)
            .saturating_sub(1);
        let anchor = self.anchors[i];
        let (mut line, mut column) = (anchor.line as usize, anchor.column as usize);
        let from = (anchor.offset as usize).min(text.len());
        let to = offset.clamp(from, text.len());
        for c in text.get(from..to).unwrap_or("").chars() {
            if c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        (line, column)
    }

    /// `error`, which points into `text`, placed in the file instead.
    pub fn relocate(&self, text: &str, error: Error) -> Error {
        let (line, column) = match error.offset() {
            Some(offset) => self.locate(text, offset),
            None if error.line() > 0 => {
                self.locate(text, crate::offset_of(text, error.line(), error.column()))
            }
            None => self.start(),
        };
        let file = Arc::clone(&self.file);
        error.in_file(file, line, column)
    }
}

/// `FILE:LINE:COLUMN` of the text's start.
impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line, column) = self.start();
        write!(f, "{}:{line}:{column}", self.file)
    }
}
