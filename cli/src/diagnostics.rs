//! Errors and findings shown the way a Rust user expects: the file, line and column, the
//! source line with a caret under the spot, and a hint where one is known.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;

use annotate_snippets::{Level, Renderer, Snippet};
use vtl_tools::check::{Finding, Severity};

/// Colour on a terminal, plain text otherwise (and with `NO_COLOR` set).
fn renderer() -> Renderer {
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
}

/// The text of the files findings point into, each read once however many findings it has.
#[derive(Default)]
pub struct Sources(HashMap<String, String>);

impl Sources {
    fn get(&mut self, file: &str) -> &str {
        self.0
            .entry(file.to_owned())
            .or_insert_with(|| vtl_tools::files::read(Path::new(file)).unwrap_or_default())
    }
}

/// A finding, shown in the file it is in: the file it names (a template inside an API
/// definition), else `template`, the text of the lone template `shown` names. Only the
/// line it points at is given to the renderer, so that a file with thousands of findings,
/// or of one long line, is shown in time proportional to what is printed.
pub fn finding(shown: &str, template: Option<&str>, f: &Finding, sources: &mut Sources) -> String {
    let (origin, source, offset) = match (&f.file, template) {
        (Some(file), _) => {
            let text = sources.get(file);
            let offset = vtl::offset_of(text, f.line, f.column);
            (&**file, text, (f.line > 0).then_some(offset))
        }
        (None, Some(text)) => (shown, text, f.span.as_ref().map(|s| s.start)),
        (None, None) => (shown, "", None),
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
    match offset.filter(|_| !source.is_empty()) {
        Some(start) => {
            // At least one character, on character boundaries.
            let mut start = start.min(source.len());
            while !source.is_char_boundary(start) {
                start -= 1;
            }
            let width = match (&f.span, template, &f.file) {
                (Some(span), Some(_), None) => span.len(),
                _ => 1,
            };
            let next = source[start..].chars().next().map_or(0, char::len_utf8);
            let mut end = (start + width).min(source.len()).max(start + next);
            while !source.is_char_boundary(end) {
                end += 1;
            }
            let label = if f.hint.is_some() { "" } else { "here" };
            let first = source[..start].rfind('\n').map_or(0, |i| i + 1);
            let last = source[end.max(first)..]
                .find('\n')
                .map_or(source.len(), |i| end.max(first) + i);
            let line = 1 + source[..first].bytes().filter(|&b| b == b'\n').count();
            message = message.snippet(
                Snippet::source(&source[first..last])
                    .line_start(line)
                    .origin(origin)
                    .fold(true)
                    .annotation(level.span(start - first..end - first).label(label)),
            );
        }
        None => message = message.snippet(Snippet::source("").origin(origin)),
    }
    let hint;
    if let Some(h) = &f.hint {
        hint = h.clone();
        message = message.footer(Level::Help.title(&hint));
    }
    format!("{}\n", renderer().render(message))
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
