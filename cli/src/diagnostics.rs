//! Errors and findings shown the way a Rust user expects: the file, line and column, the
//! source line with a caret under the spot, and a hint where one is known.

use std::io::IsTerminal;

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

/// A finding, shown in the file it is in: the file it names (a template inside an API
/// definition), else `template`, the text of the lone template `shown` names.
pub fn finding(shown: &str, template: Option<&str>, f: &Finding) -> String {
    let file_text;
    let (origin, source, offset) = match (&f.file, template) {
        (Some(file), _) => {
            file_text = vtl_tools::files::read(std::path::Path::new(&**file)).unwrap_or_default();
            let offset = vtl::offset_of(&file_text, f.line, f.column);
            (&**file, file_text.as_str(), (f.line > 0).then_some(offset))
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
            message = message.snippet(
                Snippet::source(source)
                    .origin(origin)
                    .fold(true)
                    .annotation(level.span(start..end).label(label)),
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
