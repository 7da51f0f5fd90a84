//! Checks for mapping templates and selection patterns: what would fail or surprise on API
//! Gateway, found before deploying. Findings are data (severity, code, message, position,
//! hint); presenting them is the caller's business. [`check_api`] checks every template
//! and pattern of an API, each finding placed in the file the template was written in.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use vtl::apigateway::{
    Api, Backend, CONTEXT_VARIABLES, INPUT_MEMBERS, MAX_FOREACH_ITERATIONS, Method, Outcome,
    Request, SelectionPattern, Sourced, UTIL_METHODS, VARIABLES, check_size, select,
};
use vtl::syntax::ast::{Access, Block, Expr, ExprKind, Node, Reference};
use vtl::{ErrorKind, Template, offset_of};

use crate::lines::LineIndex;
use crate::suggest::closest;

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
    /// 1-based line and column of the start of `span` (0 when there is none): in `file`
    /// when it is known, else in the checked text.
    pub line: usize,
    /// See `line`.
    pub column: usize,
    /// What to do about it, when known.
    pub hint: Option<String>,
    /// The file the template or pattern was written in, when known.
    pub file: Option<Arc<str>>,
    /// What was checked: `GET /{hoge} requestTemplates application/json`.
    pub subject: Option<String>,
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
            file: None,
            subject: None,
        }
    }

    /// The finding about `span` of the checked text; [`locate`] gives it its line and column.
    fn at(mut self, span: Range<usize>) -> Finding {
        self.span = Some(span);
        self
    }

    fn hint(mut self, hint: impl Into<String>) -> Finding {
        self.hint = Some(hint.into());
        self
    }

    /// The finding about `subject`, a text written where `sourced` says: its position
    /// moves into that file.
    fn placed<T: vtl::apigateway::Compile>(
        mut self,
        subject: &str,
        sourced: &Sourced<T>,
    ) -> Finding {
        self.subject = Some(subject.to_string());
        if let Some(origin) = sourced.origin() {
            let (line, column) = match &self.span {
                Some(span) => origin.locate(sourced.text(), span.start),
                None => origin.start(),
            };
            self.file = Some(Arc::from(origin.file()));
            self.line = line;
            self.column = column;
        }
        self
    }
}

/// Gives the findings about spans of `text` their 1-based lines and columns (in
/// characters), from one index of `text`: a long text with thousands of findings costs
/// no more per finding than a short one.
fn locate(findings: &mut [Finding], text: &str) {
    let lines = LineIndex::new(text);
    for f in findings {
        if let Some(span) = &f.span {
            let mut offset = span.start.min(text.len());
            while !text.is_char_boundary(offset) {
                offset -= 1;
            }
            let (line, column) = lines.position(text, offset);
            (f.line, f.column) = (line as usize, column as usize);
        }
    }
}

/// What a template's output is expected to be.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expect {
    /// JSON: a Lambda function's request, a MOCK's, a response sent as application/json.
    pub json: bool,
    /// The request of a Lambda function, which answers 400 for one that is not JSON.
    pub lambda: bool,
}

/// A sample for one method: a request and, for its response templates, what the backend
/// answered (the payload they see).
#[derive(Clone, Debug)]
pub struct Sample {
    /// The method, upper-case.
    pub method: String,
    /// Its resource path.
    pub path: String,
    /// The method request.
    pub request: Request,
    /// What the backend answered, when known.
    pub outcome: Option<Outcome>,
}

/// Checks every request and response template and every selection pattern of `api`.
/// Requests of `samples` for a method are its samples; methods without one are rendered
/// against `fallback` (an empty request when it is empty).
///
/// The renders of one API share [`MAX_TOTAL_STEPS`]: each template rendered against each
/// sample gets an equal part of it (API Gateway's own limit when that is smaller), so a
/// check of thousands of methods ends within about a second whatever their templates do.
pub fn check_api(api: &Api, samples: &[Sample], fallback: &[Request]) -> Vec<Finding> {
    let templates: usize = api
        .methods
        .iter()
        .filter_map(|m| m.integration.as_ref())
        .map(|i| {
            i.request_templates.len()
                + i.responses
                    .iter()
                    .map(|r| r.response_templates.len())
                    .sum::<usize>()
        })
        .sum();
    let steps = share(templates * (samples.len() + fallback.len()).max(1));
    let mut findings = Vec::new();
    for method in &api.methods {
        findings.extend(check_method(method, samples, fallback, steps));
    }
    findings
}

/// The work all the renders of one `vtl check` of an API, or of one case file, may do
/// together: within about a second (four times one render's default budget). Each render
/// gets an equal share, at most API Gateway's per-render limit.
pub const MAX_TOTAL_STEPS: u64 = 100_000_000;

/// The steps each of `renders` renders may take within [`MAX_TOTAL_STEPS`].
pub fn share(renders: usize) -> u64 {
    let per_render = Request::new().limits().max_steps;
    (MAX_TOTAL_STEPS / renders.max(1) as u64).min(per_render)
}

/// `request` allowed at most `steps` steps per render.
pub fn within(request: &Request, steps: u64) -> Request {
    let limits = request.limits();
    request.clone().with_limits(vtl::Limits {
        max_steps: limits.max_steps.min(steps),
        ..limits
    })
}

fn check_method(
    method: &Method,
    samples: &[Sample],
    fallback: &[Request],
    steps: u64,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Some(integration) = &method.integration else {
        return findings;
    };
    let name = format!("{} {}", method.http_method, method.path);
    let mine: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.method.eq_ignore_ascii_case(&method.http_method) && s.path == method.path)
        .collect();
    let requests: Vec<Request> = if mine.is_empty() {
        fallback.to_vec()
    } else {
        mine.iter().map(|s| s.request.clone()).collect()
    };
    let backend = integration.backend();
    // An empty template passes the payload through: there is nothing to check.
    for (media, t) in integration
        .request_templates
        .iter()
        .filter(|(_, t)| !t.text().is_empty())
    {
        // Only Lambda insists on JSON; a MOCK reads its `statusCode` leniently (CDK writes
        // `{ statusCode: 200 }`), an AWS service or HTTP backend takes what it takes.
        let lambda = backend == Backend::Lambda;
        let expect = Expect {
            json: lambda,
            lambda,
        };
        let subject = format!("{name} requestTemplates {media}");
        findings.extend(
            check_limited(t.text(), &requests, expect, steps)
                .into_iter()
                .map(|f| f.placed(&subject, t)),
        );
    }
    // Each response template sees the answers that select its response.
    let compiled: Vec<Option<&SelectionPattern>> = integration
        .responses
        .iter()
        .map(|r| {
            r.selection_pattern
                .as_ref()
                .filter(|p| !p.text().is_empty())
                .and_then(|p| p.compiled().ok())
        })
        .collect();
    let selects = |s: &Sample| {
        let outcome = s.outcome.as_ref()?;
        let value = outcome.selection_value();
        let index = select(compiled.iter().copied().enumerate(), value.as_deref()).ok()??;
        Some((index, s.request.clone().with_body(outcome.payload()?)))
    };
    let answers: Vec<(usize, Request)> = mine.iter().filter_map(|s| selects(s)).collect();
    for (index, r) in integration.responses.iter().enumerate() {
        let payloads: Vec<Request> = answers
            .iter()
            .filter(|(i, _)| *i == index)
            .map(|(_, r)| r.clone())
            .collect();
        for (media, t) in r
            .response_templates
            .iter()
            .filter(|(_, t)| !t.text().is_empty())
        {
            let expect = Expect {
                json: media == "application/json" || media.ends_with("+json"),
                lambda: false,
            };
            let subject = format!(
                "{name} response {} responseTemplates {media}",
                r.status_code
            );
            findings.extend(
                check_limited(t.text(), &payloads, expect, steps)
                    .into_iter()
                    .map(|f| f.placed(&subject, t)),
            );
        }
    }
    let patterns: Vec<Option<&str>> = integration
        .responses
        .iter()
        .map(|r| r.selection_pattern.as_ref().map(|p| p.text()))
        .collect();
    for (i, f) in check_patterns(&patterns) {
        let r = &integration.responses[i];
        let subject = format!("{name} response {} selectionPattern", r.status_code);
        findings.push(match &r.selection_pattern {
            Some(p) => f.placed(&subject, p),
            None => f,
        });
    }
    // A proxy integration passes the backend's status through: its responses play no part.
    if let Some(declared) = method
        .method_responses
        .as_ref()
        .filter(|_| !integration.kind.is_proxy())
    {
        let declared: Vec<u16> = declared.iter().map(|m| m.status_code).collect();
        let statuses: Vec<u16> = integration
            .responses
            .iter()
            .map(|r| r.status_code)
            .collect();
        for (i, mut f) in check_method_responses(&statuses, &declared) {
            let r = &integration.responses[i];
            f.subject = Some(format!("{name} response {}", r.status_code));
            if let Some(o) = r
                .selection_pattern
                .as_ref()
                .and_then(|p| p.origin())
                .or(method.origin.as_ref())
            {
                let (line, column) = o.start();
                f.file = Some(Arc::from(o.file()));
                f.line = line;
                f.column = column;
            }
            findings.push(f);
        }
    }
    findings
}

/// Checks a mapping template: it parses, uses nothing API Gateway refuses and no member
/// `$input`, `$util` or `$context` lacks, stays within API Gateway's limits, and,
/// rendered against each sample request (an empty one if there are none), produces valid
/// JSON when that is expected and resolves every reference.
///
/// ```
/// use vtl_tools::check::{Expect, check_template};
/// let sample = vtl::Request::new().with_body(r#"{"name": "Ada"}"#);
/// let json = Expect { json: true, lambda: true };
/// let findings = check_template(r#"{"name": "$input.path('$.nmae')"}"#, &[sample], json);
/// assert_eq!(findings[0].code, "unresolved-reference");
/// assert_eq!((findings[0].line, findings[0].column), (1, 11));
/// let findings = check_template("$util.escapeJavascript($x)", &[], Expect::default());
/// assert_eq!(findings[0].message, "$util has no method `escapeJavascript`");
/// assert_eq!(findings[0].hint.as_deref(), Some("did you mean `escapeJavaScript`?"));
/// ```
pub fn check_template(source: &str, requests: &[Request], expect: Expect) -> Vec<Finding> {
    check_limited(source, requests, expect, u64::MAX)
}

/// [`check_template`] with each render allowed at most `steps` steps.
fn check_limited(source: &str, requests: &[Request], expect: Expect, steps: u64) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Err(e) = check_size(source) {
        findings.push(Finding::new(Severity::Error, "template-size", e.message()));
    }
    // A misspelt directive is often what breaks the parse: it is found in the text.
    lint_directives(source, &mut findings);
    let template = match Template::parse(source) {
        Ok(t) => t,
        Err(e) => {
            let at = e
                .offset()
                .unwrap_or_else(|| offset_of(source, e.line(), e.column()));
            findings.push(Finding::new(Severity::Error, "parse", e.message()).at(at..at + 1));
            locate(&mut findings, source);
            findings.sort_by_key(|f| (f.line, f.column));
            return findings;
        }
    };
    lint_block(template.tree(), source, &mut findings);
    lint_names(template.tree(), source, &mut findings);
    let empty = [Request::new()];
    let samples = if requests.is_empty() {
        &empty[..]
    } else {
        requests
    };
    // Where findings start: an unresolved reference is reported once, and not again where
    // `#if` or a name check already did (the findings up to `known` are in).
    let mut spotted = HashSet::new();
    let mut known = 0;
    for (n, request) in samples.iter().enumerate() {
        let which = if requests.len() > 1 {
            format!(" (sample request {})", n + 1)
        } else {
            String::new()
        };
        let observed = template.observe(&within(request, steps));
        // Without sample requests, everything taken from the payload is missing: only
        // samples tell a typo from an absent field.
        let samples_given = !requests.is_empty();
        spotted.extend(
            findings[known..]
                .iter()
                .filter_map(|f| Some(f.span.as_ref()?.start)),
        );
        for span in observed.unresolved.iter().filter(|_| samples_given) {
            let text = &source[span.clone()];
            if !spotted.insert(span.start) {
                continue;
            }
            findings.push(
                Finding::new(
                    Severity::Warning,
                    "unresolved-reference",
                    format!("`{text}` resolves to nothing{which}, so it renders as \"\""),
                )
                .at(span.clone())
                .hint("check the spelling; write `$!name` where an absent value is expected"),
            );
        }
        known = findings.len();
        let output = match observed.output {
            Ok(out) => out,
            Err(e) => {
                let at = offset_of(source, e.line(), e.column());
                let (code, severity) = match e.kind() {
                    ErrorKind::Limit => ("limit", Severity::Error),
                    ErrorKind::Unsupported => ("unsupported-directive", Severity::Error),
                    _ => ("render", Severity::Error),
                };
                let mut f =
                    Finding::new(severity, code, format!("{}{which}", e.message())).at(at..at + 1);
                if e.message().contains("iterations") {
                    f = f.hint(format!(
                        "API Gateway runs at most {MAX_FOREACH_ITERATIONS} iterations of a #foreach"
                    ));
                }
                findings.push(f);
                continue;
            }
        };
        if expect.json
            && let Err(e) = serde_json::from_str::<serde_json::Value>(&output)
        {
            findings.push(json_finding(
                source,
                &output,
                &observed.trace,
                &e,
                &which,
                expect.lambda,
            ));
        }
    }
    locate(&mut findings, source);
    findings.sort_by_key(|f| (f.line, f.column));
    findings
}

/// Where the JSON output breaks, traced back to the template text that wrote it.
fn json_finding(
    source: &str,
    output: &str,
    trace: &[vtl::Written],
    e: &serde_json::Error,
    which: &str,
    lambda: bool,
) -> Finding {
    let out_at = offset_of(output, e.line(), e.column()).min(output.len());
    // The node that wrote the offending character; inside text, the very character.
    let src_at = trace
        .iter()
        .rev()
        .find(|w| w.output <= out_at.saturating_sub(1) || w.output == 0)
        .map_or(0, |w| {
            let (o, s) = (w.output, w.template);
            if w.text {
                (s + out_at.saturating_sub(o)).min(source.len().saturating_sub(1))
            } else {
                s
            }
        });
    let before = &output[..out_at.min(output.len())];
    let escaped_quote =
        before.ends_with("\\'") || output[out_at.saturating_sub(1)..].starts_with("\\'");
    let f = Finding::new(
        Severity::Error,
        "invalid-json",
        format!(
            "the output is not valid JSON{which}: {} at output line {}, column {}",
            e.to_string().split(" at line ").next().unwrap_or_default(),
            e.line(),
            e.column()
        ),
    )
    .at(src_at..src_at + 1);
    if escaped_quote {
        f.hint("$util.escapeJavaScript turns ' into \\', which JSON rejects; append .replaceAll(\"\\\\'\", \"'\")")
    } else if lambda {
        f.hint(
            "a Lambda integration answers 400 \"Could not parse request body into json\" for this",
        )
    } else {
        f
    }
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
                .at(r.span.range()),
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
        Some(Access::Method(name, ..))
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
        .at(reference.span.range())
        .hint(format!("to test for a value, write #if(\"$!{name}\" != \"\")")),
    );
}

/// Checks that each integration response, by its status (in definition order), maps to a
/// method response the method declares: API Gateway answers 500 for one that does not.
///
/// ```
/// use vtl_tools::check::check_method_responses;
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
/// use vtl_tools::check::check_patterns;
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
                    Finding::new(Severity::Error, "invalid-pattern", e.message()).at(at..at + 1),
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
    // A finding about a whole pattern points at all of it; each is placed in its pattern.
    for (i, f) in &mut findings {
        let p = patterns[*i].unwrap_or_default();
        if f.span.is_none() {
            f.span = Some(0..p.len());
        }
        locate(std::slice::from_mut(f), p);
    }
    findings
}

/// Every reference of a block, its expressions and nested blocks included.
fn each_reference<'a>(block: &'a Block, f: &mut impl FnMut(&'a Reference)) {
    for node in block {
        match node {
            Node::Reference(r) => reference(r, f),
            Node::Set(s) => {
                reference(&s.target, f);
                expr(&s.value, f);
            }
            Node::If(i) => {
                for (cond, body) in &i.branches {
                    expr(cond, f);
                    each_reference(body, f);
                }
                if let Some(b) = &i.otherwise {
                    each_reference(b, f);
                }
            }
            Node::Foreach(l) => {
                if let Some(e) = &l.iterable {
                    expr(e, f);
                }
                each_reference(&l.body, f);
            }
            Node::Break(Some(e), _) | Node::Evaluate(e, _) => expr(e, f),
            Node::Define(d) => each_reference(&d.body, f),
            Node::MacroCall(m) => {
                for a in &m.args {
                    expr(a, f);
                }
                if let Some(d) = &m.body {
                    each_reference(&d.body, f);
                }
            }
            Node::Refused(r) => {
                for a in &r.args {
                    expr(a, f);
                }
            }
            _ => {}
        }
    }
}

fn reference<'a>(r: &'a Reference, f: &mut impl FnMut(&'a Reference)) {
    f(r);
    for access in &r.chain {
        match access {
            Access::Method(_, args, _) => args.iter().for_each(|a| expr(a, f)),
            Access::Index(e, _) => expr(e, f),
            Access::Property(..) => {}
        }
    }
}

fn expr<'a>(e: &'a Expr, f: &mut impl FnMut(&'a Reference)) {
    match &e.kind {
        ExprKind::Reference(r) => reference(r, f),
        ExprKind::Interpolated(_, block) => each_reference(block, f),
        ExprKind::List(items) => items.iter().for_each(|i| expr(i, f)),
        ExprKind::Map(entries) => entries.iter().for_each(|(k, v)| {
            expr(k, f);
            expr(v, f);
        }),
        ExprKind::Range(a, b)
        | ExprKind::Math(_, a, b)
        | ExprKind::Compare(_, a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b) => {
            expr(a, f);
            expr(b, f);
        }
        ExprKind::Not(a) | ExprKind::Group(a) => expr(a, f),
        _ => {}
    }
}

/// The names a template gives values to itself: `#set` targets and loop variables.
fn assigned(block: &Block, names: &mut Vec<String>) {
    for node in block {
        match node {
            Node::Set(s) => names.push(s.target.name.name.to_string()),
            Node::Foreach(l) => {
                names.push(l.var.name.to_string());
                assigned(&l.body, names);
            }
            Node::If(i) => {
                i.branches.iter().for_each(|(_, b)| assigned(b, names));
                if let Some(b) = &i.otherwise {
                    assigned(b, names);
                }
            }
            Node::Define(d) => names.push(d.name.name.to_string()),
            _ => {}
        }
    }
}

/// Members `$input`, `$util` and `$context` do not have, and variables that are a
/// misspelling of theirs: each renders as `""` on API Gateway, silently.
fn lint_names(block: &Block, source: &str, findings: &mut Vec<Finding>) {
    let mut mine = Vec::new();
    assigned(block, &mut mine);
    each_reference(block, &mut |r| {
        let name = &*r.name.name;
        let first = r.chain.first();
        let (what, member, known, span) = match (name, first) {
            ("input", Some(Access::Property(m, s) | Access::Method(m, _, s))) => {
                ("$input has no member", m, INPUT_MEMBERS, s)
            }
            ("util", Some(Access::Method(m, _, s))) => ("$util has no method", m, UTIL_METHODS, s),
            ("context", Some(Access::Property(m, s))) => {
                ("$context has no variable", m, CONTEXT_VARIABLES, s)
            }
            (_, _) if !VARIABLES.contains(&name) && !mine.iter().any(|m| m == name) => {
                if let Some(close) = closest(name, VARIABLES) {
                    findings.push(
                        Finding::new(
                            Severity::Warning,
                            "unknown-variable",
                            format!("`${name}` is not a variable API Gateway provides, and the template does not set it"),
                        )
                        .at(r.span.range())
                        .hint(format!("did you mean `${close}`?")),
                    );
                }
                return;
            }
            _ => return,
        };
        if known.contains(&&**member) {
            return;
        }
        // The access's span starts at its `.`: point at the name.
        let mut range = span.range();
        if source[range.clone()].starts_with('.') {
            range.start += 1;
        }
        let mut f = Finding::new(
            Severity::Warning,
            "unknown-member",
            format!("{what} `{member}`"),
        )
        .at(range);
        if let Some(close) = closest(member, known) {
            f = f.hint(format!("did you mean `{close}`?"));
        }
        findings.push(f);
    });
}

/// `#elsif`, `#foreach` misspelt: Velocity prints an unknown directive as text, so the
/// mistake shows only in the output.
fn lint_directives(source: &str, findings: &mut Vec<Finding>) {
    const DIRECTIVES: &[&str] = &[
        "set", "if", "elseif", "else", "end", "foreach", "break", "stop", "define", "macro",
        "evaluate", "include", "parse",
    ];
    let bytes = source.as_bytes();
    let mut i = 0;
    while let Some(p) = source[i..].find('#') {
        let at = i + p;
        i = at + 1;
        let braced = bytes.get(at + 1) == Some(&b'{');
        let start = at + 1 + usize::from(braced);
        let len = source[start..]
            .bytes()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        let word = &source[start..start + len];
        let next = bytes.get(start + len);
        let directive_like = if braced {
            next == Some(&b'}')
        } else {
            matches!(next, Some(b'(') | Some(b' ') | Some(b'\n') | None)
        };
        if len < 2
            || !directive_like
            || DIRECTIVES.contains(&word)
            || (at > 0 && bytes[at - 1] == b'\\')
        {
            continue;
        }
        if let Some(close) = closest(word, DIRECTIVES) {
            findings.push(
                Finding::new(
                    Severity::Warning,
                    "unknown-directive",
                    format!("#{word} is not a Velocity directive: it is printed as text"),
                )
                .at(at..start + len)
                .hint(format!("did you mean #{close}?")),
            );
        }
    }
}
