//! Errors and findings shown the way a Rust user expects: the file, line and column, the
//! source line with a caret under the spot, and a hint where one is known.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;

use annotate_snippets::{Level, Renderer, Snippet};
use vtl_tools::check::{Finding, Severity};
use vtl_tools::lines::LineIndex;

/// Colour on a terminal, plain text otherwise (and with `NO_COLOR` set).
fn renderer() -> Renderer {
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
}

/// A text findings point into, with where its lines start, so that a spot in it is found
/// in time independent of its length.
pub struct Source {
    text: String,
    lines: LineIndex,
}

impl Source {
    /// `text`, indexed.
    pub fn new(text: String) -> Source {
        let lines = LineIndex::new(&text);
        Source { text, lines }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// The files findings point into, each read and indexed once however many findings it has.
#[derive(Default)]
pub struct Sources(HashMap<String, Source>);

impl Sources {
    fn get(&mut self, file: &str) -> &Source {
        self.0.entry(file.to_owned()).or_insert_with(|| {
            Source::new(vtl_tools::files::read(Path::new(file)).unwrap_or_default())
        })
    }
}

/// Characters shown of a long line on either side of a finding: more than the renderer's
/// 140 columns, so that it cuts the window (marking the cut with `...`) wherever the window
/// cuts the line, and shows what it would of the whole line.
const REACH: usize = 200;

/// A finding, shown in the file it is in: the file it names (a template inside an API
/// definition), else `template`, the text of the lone template `shown` names. Only a window
/// of the lines it points at is given to the renderer, so that a file with thousands of
/// findings, or of one long line, is shown in time proportional to what is printed.
pub fn finding(
    shown: &str,
    template: Option<&Source>,
    f: &Finding,
    sources: &mut Sources,
) -> String {
    let (origin, source, offset) = match (&f.file, template) {
        (Some(file), _) => {
            let source = sources.get(file);
            let text = source.text();
            // A column past the line's end is its end, a line past the last the text's end.
            let line = source.lines.range(text, f.line);
            let offset = source
                .lines
                .offset(text, f.line, f.column.saturating_sub(1))
                .min(line.end);
            (&**file, Some(source), (f.line > 0).then_some(offset))
        }
        (None, Some(source)) => (shown, Some(source), f.span.as_ref().map(|s| s.start)),
        (None, None) => (shown, None, None),
    };
    let level = match f.severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
    };
    let title = match &f.subject {
        Some(s) => format!("{s}: {} [{}]", f.message, f.code),
        None => format!("{} [{}]", f.message, f.code),
    };
    let mut message = level.title(&title);
    // The renderer numbers the columns of the window it is given: the header gets the
    // file's instead (`header` is what the renderer writes, `position` what it should).
    let mut header = None;
    match source.zip(offset).filter(|(s, _)| !s.text().is_empty()) {
        Some((source, start)) => {
            let text = source.text();
            // At least one character, on character boundaries.
            let mut start = start.min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let width = match (&f.span, template, &f.file) {
                (Some(span), Some(_), None) => span.len(),
                _ => 1,
            };
            let next = text[start..].chars().next().map_or(0, char::len_utf8);
            let mut end = (start + width).min(text.len()).max(start + next);
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let label = if f.hint.is_some() { "" } else { "here" };
            let (line, column) = source.lines.position(text, start);
            let first = source.lines.range(text, line as usize).start;
            let (last_line, _) = source.lines.position(text, end);
            let last = source.lines.range(text, last_line as usize).end.max(end);
            // REACH characters either side of the spot, within its lines.
            let from = text[first..start]
                .char_indices()
                .rev()
                .nth(REACH - 1)
                .map_or(first, |(i, _)| first + i);
            let to = text[end..last]
                .char_indices()
                .nth(REACH)
                .map_or(last, |(i, _)| end + i);
            let shown_column = text[from..start].chars().count() + 1;
            if shown_column != column as usize {
                header = Some((
                    format!("{origin}:{line}:{shown_column}\n"),
                    format!("{origin}:{line}:{column}\n"),
                ));
            }
            message = message.snippet(
                Snippet::source(&text[from..to])
                    .line_start(line as usize)
                    .origin(origin)
                    .fold(true)
                    .annotation(level.span(start - from..end - from).label(label)),
            );
        }
        None => message = message.snippet(Snippet::source("").origin(origin)),
    }
    let hint;
    if let Some(h) = &f.hint {
        hint = h.clone();
        message = message.footer(Level::Help.title(&hint));
    }
    let mut shown = renderer().render(message).to_string();
    // The header is the first line to end with the position (the title ends with `]`).
    if let Some((written, position)) = header {
        shown = shown.replacen(&written, &position, 1);
    }
    format!("{shown}\n")
}

/// A template error: `FILE:LINE:COLUMN: message`, then the spot in the source.
pub fn error(origin: &str, source: &str, e: &vtl::Error) -> String {
    let mut text = format!("{origin}:{e}\n");
    if e.line() > 0 {
        let offset = e
            .offset()
            .unwrap_or_else(|| vtl::offset_of(source, e.line(), e.column()));
        let level = Level::Error;
        let title = format!("{} [{}]", e.message(), e.kind_name());
        let message = level.title(&title).snippet(
            Snippet::source(source)
                .origin(origin)
                .fold(true)
                .annotation(level.span(span_at(source, offset)).label("here")),
        );
        text.push_str(&format!("{}\n", renderer().render(message)));
    }
    text
}

/// One character at `offset`, on character boundaries.
fn span_at(source: &str, offset: usize) -> std::ops::Range<usize> {
    let mut start = offset.min(source.len());
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    let next = source[start..].chars().next().map_or(0, char::len_utf8);
    start..start + next
}
