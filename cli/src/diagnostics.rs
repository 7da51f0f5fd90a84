//! Errors and findings shown the way a Rust user expects: the file, line and column, the
//! source line with a caret under the spot, and a hint where one is known.

use std::io::IsTerminal;

use annotate_snippets::{Level, Renderer, Snippet};
use vtl::apigateway::check::{Finding, Severity};

/// Colour on a terminal, plain text otherwise (and with `NO_COLOR` set).
fn renderer() -> Renderer {
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
}

/// A finding about `source` (a template or a pattern) from `origin`.
pub fn finding(origin: &str, source: &str, f: &Finding) -> String {
    let level = match f.severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
    };
    let title = format!("{} [{}]", f.message, f.code);
    let mut message = level.title(&title);
    let label;
    if let Some(span) = &f.span {
        // At least one character, on character boundaries.
        let mut start = span.start.min(source.len());
        while !source.is_char_boundary(start) {
            start -= 1;
        }
        let next = source[start..].chars().next().map_or(0, char::len_utf8);
        let mut end = span.end.min(source.len()).max(start + next);
        while !source.is_char_boundary(end) {
            end += 1;
        }
        label = if f.hint.is_some() { "" } else { "here" };
        message = message.snippet(
            Snippet::source(source)
                .origin(origin)
                .fold(true)
                .annotation(level.span(start..end.max(start)).label(label)),
        );
    } else {
        message = message.snippet(Snippet::source("").origin(origin));
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
        let offset = vtl::offset_of(source, e.line(), e.column());
        let f = Finding {
            severity: Severity::Error,
            code: e.kind_name(),
            message: e.message().to_string(),
            span: Some(offset..offset + 1),
            line: e.line(),
            column: e.column(),
            hint: None,
        };
        text.push_str(&finding(origin, source, &f));
    }
    text
}
