//! HCL source text: files with their line index, and strings that keep the file position
//! of each character through escapes, `<<-` indentation stripping and interpolation.

use std::ops::Range;
use std::sync::Arc;

use vtl::Error;
use vtl::apigateway::{Anchor, Origin};

use crate::document::error_at;
use crate::lines::{LineIndex, clamp};

/// A file of HCL (a `.tf` file or a `templatefile` template) and where its lines start.
pub(crate) struct SourceFile {
    pub name: Arc<str>,
    pub text: String,
    lines: LineIndex,
}

impl SourceFile {
    pub fn new(name: Arc<str>, text: String) -> SourceFile {
        let lines = LineIndex::new(&text);
        SourceFile { name, text, lines }
    }

    /// 1-based line and column (in characters) of byte `offset`.
    pub fn pos(&self, offset: usize) -> (u32, u32) {
        self.lines.position(&self.text, offset)
    }

    /// An error at byte `offset`.
    pub fn error(&self, offset: usize, message: impl Into<String>) -> Error {
        let (line, column) = self.pos(offset);
        error_at(&self.name, line, column, message)
    }

    /// The text between two byte offsets, or nothing when they do not fall on characters.
    pub fn slice(&self, range: Range<usize>) -> &str {
        self.text.get(range).unwrap_or("")
    }
}

/// A string value and, when it was written in a file, where each of its bytes is there.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Str {
    pub text: String,
    /// The file the anchors point into; `None` for a computed string.
    pub file: Option<Arc<str>>,
    pub anchors: Vec<Anchor>,
}

impl Str {
    pub fn plain(text: impl Into<String>) -> Str {
        Str {
            text: text.into(),
            file: None,
            anchors: Vec::new(),
        }
    }

    /// `other` appended; its positions are kept when it comes from the same file (or
    /// when `self` is still empty and placeless).
    pub fn push(&mut self, other: &Str) {
        if self.file.is_none() && self.text.is_empty() {
            self.file.clone_from(&other.file);
        }
        let base = clamp(self.text.len());
        if other.file.is_some() && other.file == self.file {
            self.anchors.extend(other.anchors.iter().map(|a| Anchor {
                offset: a.offset.saturating_add(base),
                ..*a
            }));
        }
        self.text.push_str(&other.text);
    }

    /// Where the string was written, if it was.
    pub fn origin(&self) -> Option<Origin> {
        let file = self.file.as_ref()?;
        (!self.anchors.is_empty() && self.anchors[0].offset == 0)
            .then(|| Origin::new(Arc::clone(file), self.anchors.clone()))
    }

    /// Without its leading whitespace (a `~` strip marker before it).
    pub fn trim_start(&mut self) {
        let n = self.text.len() - self.text.trim_start().len();
        if n == 0 {
            return;
        }
        let first = self.origin().map(|o| o.locate(&self.text, n));
        self.text.drain(..n);
        let cut = clamp(n);
        let rest = self
            .anchors
            .iter()
            .filter(|a| a.offset > cut)
            .map(|a| Anchor {
                offset: a.offset - cut,
                ..*a
            });
        let mut anchors = Vec::new();
        if let Some((line, column)) = first {
            anchors.push(Anchor {
                offset: 0,
                line: clamp(line),
                column: clamp(column),
            });
        }
        anchors.extend(rest);
        self.anchors = anchors;
    }

    /// Without its trailing whitespace (a `~` strip marker after it).
    pub fn trim_end(&mut self) {
        let len = self.text.trim_end().len();
        self.text.truncate(len);
        let len = clamp(len);
        self.anchors.retain(|a| a.offset <= len);
    }
}

/// Which escapes a literal has: a quoted string's backslash escapes and `$${`/`%%{`, or
/// only `$${`/`%%{` (heredocs and template files, where backslashes are literal).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Escapes {
    Quoted,
    Template,
}

/// Decodes the literal at `range` of `src`, anchoring the start and each point where an
/// escape makes the text and the file drift apart.
pub(crate) fn decode(src: &SourceFile, range: Range<usize>, escapes: Escapes) -> Str {
    let raw = src.slice(range.clone());
    let mut out = Str {
        text: String::with_capacity(raw.len()),
        file: Some(Arc::clone(&src.name)),
        anchors: Vec::new(),
    };
    let anchor = |out: &mut Str, at: usize| {
        let (line, column) = src.pos(range.start + at);
        out.anchors.push(Anchor {
            offset: clamp(out.text.len()),
            line,
            column,
        });
    };
    anchor(&mut out, 0);
    let mut i = 0;
    while i < raw.len() {
        let rest = &raw[i..];
        if rest.starts_with("$${") || rest.starts_with("%%{") {
            out.text.push_str(&rest[1..3]);
            i += 3;
            anchor(&mut out, i);
            continue;
        }
        let c = rest.chars().next().unwrap_or('\0');
        if escapes == Escapes::Quoted && c == '\\' {
            let (decoded, len) = unescape(&rest[1..]);
            out.text.push_str(&decoded);
            i += 1 + len;
            anchor(&mut out, i);
            continue;
        }
        out.text.push(c);
        i += c.len_utf8();
    }
    out
}

/// The character a backslash escape stands for and the length of what follows the
/// backslash; an unknown escape (the parser refuses them) is kept as written.
fn unescape(rest: &str) -> (String, usize) {
    let hex = |n: usize| {
        rest.get(1..=n)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32)
            .map(|c| (c.to_string(), 1 + n))
    };
    match rest.chars().next() {
        Some('n') => ("\n".into(), 1),
        Some('r') => ("\r".into(), 1),
        Some('t') => ("\t".into(), 1),
        Some('"') => ("\"".into(), 1),
        Some('\\') => ("\\".into(), 1),
        Some('u') => hex(4).unwrap_or_else(|| ("\\".into(), 0)),
        Some('U') => hex(8).unwrap_or_else(|| ("\\".into(), 0)),
        _ => ("\\".into(), 0),
    }
}

/// One top-level piece of a heredoc, for the `<<-` rule: a literal's raw range, or an
/// interpolation or directive.
pub(crate) enum Piece {
    Literal(Range<usize>),
    Other,
}

/// The raw ranges of each literal once `<<-` indentation is stripped, following
/// Terraform's rule: the smallest whitespace prefix of the lines that start with a literal
/// (lines that are only whitespace do not count and are kept), zero when a line starts
/// with `${` or `%{`; that many characters go from each counted line.
pub(crate) fn dedent(src: &SourceFile, pieces: &[Piece]) -> Vec<Vec<Range<usize>>> {
    // Line starts: (piece index, byte offset, counted) and the minimum prefix.
    let mut marked: Vec<(usize, usize)> = Vec::new();
    let mut min = usize::MAX;
    let mut at_line_start = true;
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Other => {
                if at_line_start {
                    min = 0;
                }
                at_line_start = false;
            }
            Piece::Literal(range) => {
                let raw = src.slice(range.clone());
                let mut starts = Vec::new();
                if at_line_start {
                    starts.push(0);
                }
                starts.extend(
                    raw.char_indices()
                        .filter(|&(j, c)| c == '\n' && j + 1 < raw.len())
                        .map(|(j, _)| j + 1),
                );
                for s in starts {
                    let line = raw[s..].split_inclusive('\n').next().unwrap_or("");
                    let blank = line.ends_with('\n') && line.trim().is_empty();
                    if blank {
                        continue;
                    }
                    let prefix = line
                        .chars()
                        .take_while(|c| c.is_whitespace() && *c != '\n')
                        .count();
                    min = min.min(prefix);
                    marked.push((i, range.start + s));
                }
                at_line_start = raw.ends_with('\n');
            }
        }
    }
    if min == usize::MAX {
        min = 0;
    }
    pieces
        .iter()
        .enumerate()
        .map(|(i, piece)| match piece {
            Piece::Other => Vec::new(),
            Piece::Literal(range) => {
                let mut out = Vec::new();
                let mut from = range.start;
                for &(_, at) in marked.iter().filter(|(p, _)| *p == i) {
                    let cut = src
                        .slice(at..range.end)
                        .chars()
                        .take(min)
                        .map(char::len_utf8)
                        .sum::<usize>();
                    if at > from {
                        out.push(from..at);
                    }
                    from = at + cut;
                }
                if range.end > from || out.is_empty() {
                    out.push(from.min(range.end)..range.end);
                }
                out
            }
        })
        .collect()
}
