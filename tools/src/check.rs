//! Checks for mapping templates and selection patterns: what would fail or surprise on API
//! Gateway, found before deploying. Findings are data (severity, code, message, position,
//! hint); presenting them is the caller's business.

use std::ops::Range;

use super::{MAX_FOREACH_ITERATIONS, MAX_TEMPLATE_BYTES, Request, SelectionPattern};
use crate::context::Bindings;
use crate::error::{line_column, offset_of};
use crate::syntax::ast::{Block, Expr, ExprKind, Node};
use crate::{ErrorKind, Template};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The template or pattern fails, or API Gateway rejects it.
    Error,
    /// Probably not what was meant.
    Warning,
}

/// One problem found.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// How serious it is.
    pub severity: Severity,
    /// A stable name of the check, such as `invalid-json`.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// Where, as a byte range of the checked text (the template or the pattern); `None`
    /// when the finding is about the whole of it.
    pub span: Option<Range<usize>>,
    /// 1-based line and column of the start of `span` (0 when there is none).
    pub line: usize,
    /// See `line`.
    pub column: usize,
    /// What to do about it, when known.
    pub hint: Option<String>,
}

impl Finding {
    fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Finding {
        Finding {
            severity,
            code,
            message: message.into(),
            span: None,
            line: 0,
            column: 0,
            hint: None,
        }
    }

    fn at(mut self, source: &str, span: Range<usize>) -> Finding {
        let (line, column) = line_column(source, span.start);
        self.line = line;
        self.column = column;
        self.span = Some(span);
        self
    }

    fn hint(mut self, hint: impl Into<String>) -> Finding {
        self.hint = Some(hint.into());
        self
    }
}

/// Checks a mapping template: it parses, uses nothing API Gateway refuses, stays within
/// API Gateway's limits, and, rendered against each sample request (an empty one if there
/// are none), produces valid JSON when `json` is set and resolves every reference.
///
/// ```
/// use vtl::apigateway::check::check_template;
/// let sample = vtl::Request::new().with_body(r#"{"name": "Ada"}"#);
/// let findings = check_template(r#"{"name": "$input.path('$.nmae')"}"#, &[sample], true);
/// assert_eq!(findings[0].code, "unresolved-reference");
/// assert_eq!((findings[0].line, findings[0].column), (1, 11));
/// ```
pub fn check_template(source: &str, requests: &[Request], json: bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    if source.len() > MAX_TEMPLATE_BYTES {
        findings.push(Finding::new(
            Severity::Error,
            "template-size",
            format!(
                "the template has {} bytes; API Gateway accepts at most {MAX_TEMPLATE_BYTES}",
                source.len()
            ),
        ));
    }
    let template = match Template::parse(source) {
        Ok(t) => t,
        Err(e) => {
            let at = offset_of(source, e.line(), e.column());
            findings
                .push(Finding::new(Severity::Error, "parse", e.message()).at(source, at..at + 1));
            return findings;
        }
    };
    lint_block(template.block(), source, &mut findings);
    let empty = [Request::new()];
    let samples = if requests.is_empty() {
        &empty[..]
    } else {
        requests
    };
    for (n, request) in samples.iter().enumerate() {
        let which = if requests.len() > 1 {
            format!(" (sample request {})", n + 1)
        } else {
            String::new()
        };
        let context = Bindings::context(request);
        let (result, observed) = template.render_observed(&context);
        // Without sample requests, everything taken from the payload is missing: only
        // samples tell a typo from an absent field.
        let samples_given = !requests.is_empty();
        for span in observed.unresolved.iter().filter(|_| samples_given) {
            let text = &source[span.range()];
            // Reported once, and not again where `#if` already tests it.
            if findings.iter().any(|f| f.span == Some(span.range())) {
                continue;
            }
            findings.push(
                Finding::new(
                    Severity::Warning,
                    "unresolved-reference",
                    format!("`{text}` resolves to nothing{which}, so it renders as \"\""),
                )
                .at(source, span.range())
                .hint("check the spelling; write `$!name` where an absent value is expected"),
            );
        }
        let output = match result {
            Ok(out) => out,
            Err(e) => {
                let at = offset_of(source, e.line(), e.column());
                let (code, severity) = match e.kind() {
                    ErrorKind::Limit => ("limit", Severity::Error),
                    ErrorKind::Unsupported => ("unsupported-directive", Severity::Error),
                    _ => ("render", Severity::Error),
                };
                let mut f = Finding::new(severity, code, format!("{}{which}", e.message()))
                    .at(source, at..at + 1);
                if e.message().contains("iterations") {
                    f = f.hint(format!(
                        "API Gateway runs at most {MAX_FOREACH_ITERATIONS} iterations of a #foreach"
                    ));
                }
                findings.push(f);
                continue;
            }
        };
        if json && let Err(e) = serde_json::from_str::<serde_json::Value>(&output) {
            findings.push(json_finding(source, &output, &observed.trace, &e, &which));
        }
    }
    findings.sort_by_key(|f| (f.line, f.column));
    findings
}

/// Where the JSON output breaks, traced back to the template text that wrote it.
fn json_finding(
    source: &str,
    output: &str,
    trace: &[(usize, u32, bool)],
    e: &serde_json::Error,
    which: &str,
) -> Finding {
    let out_at = offset_of(output, e.line(), e.column()).min(output.len());
    // The node that wrote the offending character; inside text, the very character.
    let src_at = trace
        .iter()
        .rev()
        .find(|(o, _, _)| *o <= out_at.saturating_sub(1) || *o == 0)
        .map_or(0, |&(o, s, text)| {
            let s = s as usize;
            if text {
                (s + out_at.saturating_sub(o)).min(source.len().saturating_sub(1))
            } else {
                s
            }
        });
    let before = &output[..out_at.min(output.len())];
    let escaped_quote =
        before.ends_with("\\'") || output[out_at.saturating_sub(1)..].starts_with("\\'");
    let mut f = Finding::new(
        Severity::Error,
        "invalid-json",
        format!(
            "the output is not valid JSON{which}: {} at output line {}, column {}",
            e.to_string().split(" at line ").next().unwrap_or_default(),
            e.line(),
            e.column()
        ),
    )
    .at(source, src_at..src_at + 1);
    f = if escaped_quote {
        f.hint("$util.escapeJavaScript turns ' into \\', which JSON rejects; append .replaceAll(\"\\\\'\", \"'\")")
    } else {
        f.hint(
            "a Lambda integration answers 400 \"Could not parse request body into json\" for this",
        )
    };
    f
}

/// Checks that need only the tree.
fn lint_block(block: &Block, source: &str, findings: &mut Vec<Finding>) {
    for node in block {
        match node {
            Node::Refused(r) => findings.push(
                Finding::new(
                    Severity::Error,
                    "unsupported-directive",
                    format!("#{} is not available on API Gateway: a mapping template has no files to read", r.name),
                )
                .at(source, r.span.range()),
            ),
            Node::If(i) => {
                for (cond, body) in &i.branches {
                    lint_condition(cond, source, findings);
                    lint_block(body, source, findings);
                }
                if let Some(b) = &i.otherwise {
                    lint_block(b, source, findings);
                }
            }
            Node::Foreach(f) => lint_block(&f.body, source, findings),
            Node::Define(d) => lint_block(&d.body, source, findings),
            _ => {}
        }
    }
}

/// `#if($x)` as a test of presence: on API Gateway a missing `$x` is `""`, which is true.
fn lint_condition(cond: &Expr, source: &str, findings: &mut Vec<Finding>) {
    let reference = match &cond.kind {
        ExprKind::Reference(r) => r,
        ExprKind::Not(inner) => match &inner.kind {
            ExprKind::Reference(r) => r,
            _ => return,
        },
        _ => return,
    };
    let loop_state = matches!(&*reference.name, "foreach" | "velocityHasNext");
    // A method answering a question (`isEmpty()`, `contains(..)`) gives a real boolean.
    let boolean_call = matches!(
        reference.chain.last(),
        Some(crate::syntax::ast::Access::Method(name, ..))
            if ["is", "has", "contains", "equals", "matches", "startsWith", "endsWith"]
                .iter()
                .any(|p| name.starts_with(p))
    );
    if loop_state || boolean_call {
        return;
    }
    let text = &source[reference.span.range()];
    let name = text
        .trim_start_matches(['$', '!', '{'])
        .trim_end_matches('}');
    findings.push(
        Finding::new(
            Severity::Warning,
            "if-existence",
            format!("`#if({text})` is true even when `{text}` is missing: API Gateway makes it \"\", which is not false"),
        )
        .at(source, reference.span.range())
        .hint(format!("to test for a value, write #if(\"$!{name}\" != \"\")")),
    );
}

/// Checks that each integration response, by its status (in definition order), maps to a
/// method response the method declares: API Gateway answers 500 for one that does not.
///
/// ```
/// use vtl::apigateway::check::check_method_responses;
/// let findings = check_method_responses(&[200, 400], &[200]);
/// assert_eq!(findings.len(), 1);
/// assert_eq!((findings[0].0, findings[0].1.code), (1, "missing-method-response"));
/// ```
pub fn check_method_responses(statuses: &[u16], declared: &[u16]) -> Vec<(usize, Finding)> {
    statuses
        .iter()
        .enumerate()
        .filter(|(_, s)| !declared.contains(s))
        .map(|(i, s)| {
            let f = Finding::new(
                Severity::Error,
                "missing-method-response",
                format!("the method declares no {s} response: API Gateway answers 500 instead"),
            )
            .hint(format!(
                "add a {s} response to the method (the operation's `responses`)"
            ));
            (i, f)
        })
        .collect()
}

/// Checks the selection patterns of one integration, in definition order (`None` or an
/// empty string for the default response).
///
/// ```
/// use vtl::apigateway::check::check_patterns;
/// let findings = check_patterns(&[Some(".*"), Some("4\\d{2}")]);
/// assert!(findings.iter().any(|(i, f)| *i == 1 && f.code == "unreachable-pattern"));
/// ```
pub fn check_patterns(patterns: &[Option<&str>]) -> Vec<(usize, Finding)> {
    // What a catch-all covers, judged on three kinds of value: no message (a Lambda
    // success), a one-line message, a multi-line one. A pattern that takes the one-line
    // sample takes every one-line message and status code.
    const ONE_LINE: &str = "any message at all: 0123 [x] {\"y\": 1}";
    const MULTI_LINE: &[&str] = &["a\nb", "line1\nline2", "[400:BadRequest] x\ny"];
    let mut findings = Vec::new();
    let mut catch_alls: Vec<(usize, bool, bool)> = Vec::new();
    for (i, pattern) in patterns.iter().enumerate() {
        let Some(p) = pattern.filter(|p| !p.is_empty()) else {
            continue;
        };
        if let Some(j) = patterns[..i].iter().position(|q| *q == Some(p)) {
            findings.push((
                i,
                Finding::new(
                    Severity::Warning,
                    "unreachable-pattern",
                    format!("`{p}` repeats pattern {} and is never chosen", j + 1),
                ),
            ));
            continue;
        }
        let compiled = match SelectionPattern::new(p) {
            Ok(c) => c,
            Err(e) => {
                let at = e.column().saturating_sub(1);
                let at = p.char_indices().nth(at).map_or(p.len(), |(b, _)| b);
                findings.push((
                    i,
                    Finding::new(Severity::Error, "invalid-pattern", e.message()).at(p, at..at + 1),
                ));
                continue;
            }
        };
        let all = |s: &str| compiled.matches(s).unwrap_or(false);
        let (empty, multi) = (all(""), MULTI_LINE.iter().any(|m| all(m)));
        if let Some((first, _, _)) = catch_alls
            .iter()
            .find(|(_, e, m)| (*e || !empty) && (*m || !multi))
        {
            findings.push((
                i,
                Finding::new(
                    Severity::Warning,
                    "unreachable-pattern",
                    format!("`{p}` is never chosen: the earlier pattern `{}` matches everything it matches", patterns[*first].unwrap_or_default()),
                ),
            ));
            continue;
        }
        if all(ONE_LINE) {
            catch_alls.push((i, empty, multi));
        }
        let line_breaks_handled = ["\\n", "\\s", "\\R", "(?s"].iter().any(|t| p.contains(t));
        if (p.contains(".*") || p.contains(".+")) && !multi && !line_breaks_handled {
            findings.push((
                i,
                Finding::new(
                    Severity::Warning,
                    "multiline-message",
                    format!(
                        "`{p}` does not match a message with a line break: `.` stops at line breaks"
                    ),
                )
                .hint("to match any message, use (\\n|.)+ or (?s).+"),
            ));
        }
    }
    // A finding about a whole pattern points at all of it.
    for (i, f) in &mut findings {
        if f.span.is_none() {
            let p = patterns[*i].unwrap_or_default();
            *f = f.clone().at(p, 0..p.len());
        }
    }
    findings
}
