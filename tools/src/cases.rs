//! Case files: requests, what the backend answers, and the method responses expected,
//! run through [`simulate`] against an API read by [`import::load`] or one integration.
//!
//! # The case file
//!
//! YAML or JSON. At the top level:
//!
//! - `api`: the API, a path relative to the case file of anything [`import::load`] reads
//!   (an OpenAPI export, a CloudFormation or SAM template, a CDK output, a Terraform or
//!   Serverless project folder, ...). Each case's request is routed to a method by its
//!   method and URL path ([`Api::route`]), and the path parameters come from the match.
//!   - `apiName`: which API, when the source defines several (their names are the
//!     source's: a logical id, a Terraform address); the error lists them.
//! - `integration`: instead of `api`, one `x-amazon-apigateway-integration` object, inline
//!   or a path to a file holding one, with
//!   - `resource`: optionally, its resource path (`/pets/{id}`): requests are matched
//!     against it for their path parameters. Without it, a case gives them itself
//!     (`path: {id: "7"}`) and `$context.resourcePath` is not set.
//! - `cases`: the list of cases.
//! - `description`: free text, ignored (a case may have one too).
//!
//! Each case:
//!
//! ```yaml
//! - name: GET /hoge answers hogehoge     # optional; "case N" otherwise
//!   request:                            # a request file (see `crate::request`), and
//!     method: GET                       # every field optional: method (default GET),
//!     path: /hoge?verbose=1             # path (default /), querystring, header,
//!     header: {Accept: application/json} # body, stageVariables, context
//!   backend:                            # what the backend answers (the format of
//!     type: lambda                      # `vtl simulate --backend`):
//!     result: {message: hogehoge}       #   {type: lambda, result: <JSON>} or
//!                                       #   {type: lambda, payload: "<JSON text>"},
//!                                       #   {type: lambda-error, errorMessage: "..."},
//!                                       #   {type: http, status: 404, body, headers},
//!                                       #   {type: mock}. Optional for MOCK
//!                                       # integrations; for others, a case whose
//!                                       # backend gets called without one fails.
//!   expect:                             # every field optional
//!     status: 200
//!     headers: {Content-Type: application/json}  # a subset; names in any case
//!     body: '{"message": "hogehoge"}'   # the exact body, or
//!     bodyJson: {message: hogehoge}     # the body parsed as JSON, compared structurally
//!                                       # (key order and number spelling aside)
//!     backendBody: '...'                # what the backend received, exactly, or
//!     backendBodyJson: {pathParams: {hoge: hoge}}  # structurally
//! ```
//!
//! The request gets the local `$context` of [`request::local_call`]: `httpMethod`,
//! `resourcePath` and `path` come from the call and its route unless the case gives them.
//!
//! The renders of one case file share [`check::MAX_TOTAL_STEPS`] equally (each at most
//! API Gateway's per-render limit), and a file holds at most [`MAX_CASES`] cases, so a
//! run ends within about a second whatever its templates do; a case past its share fails
//! with the render's limit error.
//!
//! A malformed case file is an error at the offending value (`cases.yaml:12:7: ...`);
//! unknown fields are errors, so a misspelt expectation cannot pass. A case fails with one
//! message per unmet expectation; body mismatches come with a line diff (`-` expected,
//! `+` actual; JSON bodies are compared pretty-printed). A request that no method answers
//! fails saying so, unless the case expects status 403: API Gateway answers such a request
//! 403 `{"message":"Missing Authentication Token"}`, and the case is checked against that.
//!
//! ```
//! use std::path::Path;
//! use vtl_tools::{cases::run_str, import::Options};
//!
//! let report = run_str(Path::new("pets.yaml"), r#"
//! integration:
//!   type: MOCK
//!   requestTemplates: {application/json: '{"statusCode": 200}'}
//!   responses:
//!     default:
//!       statusCode: "200"
//!       responseTemplates: {application/json: '{"id": "$input.params(''id'')"}'}
//! resource: /pets/{id}
//! cases:
//!   - name: the id comes back
//!     request: {path: /pets/7}
//!     expect: {status: 200, bodyJson: {id: "7"}}
//!   - name: a wrong expectation
//!     request: {path: /pets/8}
//!     expect: {body: '{"id": "7"}'}
//! "#, &Options::default())?;
//! assert!(report.results[0].passed);
//! assert!(!report.results[1].passed);
//! assert!(report.results[1].failures[0].contains("-{\"id\": \"7\"}\n+{\"id\": \"8\"}"));
//! # Ok::<(), vtl::Error>(())
//! ```

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::IgnoredAny;
use vtl::Error;
use vtl::apigateway::{
    Api, Integration, IntegrationType, Method, Origin, Outcome, Params, Simulation, StatusCode,
    simulate,
};

use crate::check::{self, Sample};
use crate::document::de::from_node;
use crate::document::{Document, Node, Value};
use crate::files;
use crate::import::{self, Format, Options};
use crate::request::{self, Call, MISSING_AUTHENTICATION_TOKEN, RequestFile};

/// The result of running a case file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// One result per case, in file order.
    pub results: Vec<CaseResult>,
}

/// The result of one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseResult {
    /// The case's name (`case N` when it has none).
    pub name: String,
    /// Whether every expectation held.
    pub passed: bool,
    /// One human-readable message per unmet expectation.
    pub failures: Vec<String>,
}

impl Report {
    /// Whether every case passed.
    pub fn passed(&self) -> bool {
        self.results.iter().all(|r| r.passed)
    }

    /// How many cases failed.
    pub fn failed(&self) -> usize {
        self.results.iter().filter(|r| !r.passed).count()
    }
}

/// `ok NAME` / `FAILED NAME` with the failures indented, then `N passed, N failed`.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.results {
            if r.passed {
                writeln!(f, "ok     {}", r.name)?;
            } else {
                writeln!(f, "FAILED {}", r.name)?;
                for failure in &r.failures {
                    for line in failure.lines() {
                        writeln!(f, "    {line}")?;
                    }
                }
            }
        }
        let failed = self.failed();
        write!(f, "{} passed, {failed} failed", self.results.len() - failed)
    }
}

/// Runs the case file at `path`; `api` and `integration` paths are relative to its folder,
/// and `options` say how to read the `api` source.
pub fn run_file(path: &Path, options: &Options) -> Result<Report, Error> {
    let text = files::read(path)?;
    run_str(path, &text, options)
}

/// Runs a case file given as text, named `file` in errors; `api` and `integration` paths
/// are relative to the folder of `file`.
///
/// A case file that does not parse, or whose cases are malformed (an unknown field, a
/// header that is not text, an invalid backend), is an error of kind
/// [`vtl::ErrorKind::Input`] at the offending value; unmet expectations, and requests no method
/// answers, are failures in the [`Report`].
pub fn run_str(file: &Path, text: &str, options: &Options) -> Result<Report, Error> {
    with_cases(file, text, options, |target, cases| Report {
        results: cases.iter().map(|c| c.run(target)).collect(),
    })
}

/// The samples a case file gives `vtl check --cases`: each case's request, routed to its
/// method, and what its backend answered, for the response templates.
pub fn samples(path: &Path, options: &Options) -> Result<Vec<Sample>, Error> {
    let text = files::read(path)?;
    with_cases(path, &text, options, |target, cases| {
        cases
            .iter()
            .filter_map(|c| {
                let (method, request) = c.routed(target).ok()?;
                Some(Sample {
                    method: method.http_method.clone(),
                    path: method.path.clone(),
                    request,
                    outcome: c.backend.clone(),
                })
            })
            .collect()
    })
}

/// Reads a case file and hands its target and cases to `f`.
fn with_cases<R>(
    file: &Path,
    text: &str,
    options: &Options,
    f: impl FnOnce(&Target, Vec<Case>) -> R,
) -> Result<R, Error> {
    let doc = Document::parse(file.display().to_string(), text)?;
    let at = |node: &Node, message: &str| doc.error(node, message);
    let root = &doc.root;
    if root.entries().is_none() {
        return Err(at(
            root,
            "a case file is a mapping with `api` or `integration`, and `cases`",
        ));
    }
    let top: Top = from_node(&doc.file, root)?;
    let source;
    let inline;
    let target = match (root.get("api"), root.get("integration")) {
        (Some(_), Some(i)) => return Err(at(i, "give either `api` or `integration`, not both")),
        (Some(node), None) => {
            if let Some(r) = root.get("resource") {
                return Err(at(
                    r,
                    "`resource` goes with an inline `integration`; with `api` the paths come \
                     from the API",
                ));
            }
            let path = top.api.as_deref().unwrap_or_default();
            source = import::load(&files::beside(file, path), options)
                .map_err(|e| placed(e, || at(node, "")))?;
            let name = top.api_name.as_deref();
            let api = source
                .api_chosen_by(name, "`apiName`")
                .map_err(|e| placed(e, || at(root.get("apiName").unwrap_or(node), "")))?;
            Target::Api(api)
        }
        (None, Some(node)) => {
            if let Some(n) = root.get("apiName") {
                return Err(at(n, "`apiName` chooses among the APIs of an `api` source"));
            }
            let integration = read_integration(&doc, node, file)?;
            let resource = top.resource.clone();
            let mut method =
                Method::new("ANY", resource.as_deref().unwrap_or("/"), Some(integration));
            method.origin = Some(Origin::at(Arc::clone(&doc.file), node.line, node.column));
            inline = Api {
                methods: vec![method],
            };
            Target::Integration(&inline, resource.is_some())
        }
        (None, None) => {
            return Err(at(
                root,
                "a case file needs `api` (an API definition) or `integration`",
            ));
        }
    };
    let Some(cases) = root.get("cases") else {
        return Err(at(root, "a case file needs `cases`, a list"));
    };
    let Some(cases) = cases.items() else {
        return Err(at(
            cases,
            &format!("`cases` must be a list, not {}", cases.kind()),
        ));
    };
    if let Some(extra) = cases.get(MAX_CASES) {
        return Err(at(
            extra,
            &format!(
                "a case file holds at most {MAX_CASES} cases (this one has {}): split it",
                cases.len()
            ),
        ));
    }
    // Two renders a case (request and response templates) share the file's budget.
    let steps = check::share(2 * cases.len());
    let cases = cases
        .iter()
        .enumerate()
        .map(|(i, node)| Case::read(&doc, node, i, &target, steps))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(f(&target, cases))
}

/// An error placed at the case file's value when it has no place of its own (a file that
/// cannot be read), else as it is (an error inside the API's own files).
fn placed(e: Error, here: impl FnOnce() -> Error) -> Error {
    if e.file().is_some() {
        return e;
    }
    let h = here();
    Error::new(e.kind(), e.message()).in_file(h.file().unwrap_or_default(), h.line(), h.column())
}

fn read_integration(doc: &Document, node: &Node, file: &Path) -> Result<Integration, Error> {
    if node.entries().is_some() {
        return from_node(&doc.file, node);
    }
    let Some(path) = node.as_str() else {
        return Err(doc.error(
            node,
            format!(
                "`integration` is an x-amazon-apigateway-integration object or the path of a \
                 file holding one, not {}",
                node.kind()
            ),
        ));
    };
    let options = Options {
        format: Some(Format::Integration),
        ..Options::default()
    };
    // A file: a folder would be read as a project, which is not what a case names.
    let at = files::beside(file, path);
    files::require_regular(&at).map_err(|e| placed(e, || doc.error(node, "")))?;
    let source = import::load(&at, &options).map_err(|e| placed(e, || doc.error(node, "")))?;
    source
        .apis
        .into_iter()
        .flat_map(|a| a.api.methods)
        .find_map(|m| m.integration)
        .ok_or_else(|| doc.error(node, "the file holds no integration"))
}

/// The top-level fields, for their types and to refuse unknown ones; `integration` and
/// `cases` are read from their nodes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Top {
    #[serde(rename = "description")]
    _description: Option<IgnoredAny>,
    api: Option<String>,
    api_name: Option<String>,
    #[serde(rename = "integration")]
    _integration: Option<IgnoredAny>,
    resource: Option<String>,
    #[serde(rename = "cases")]
    _cases: Option<IgnoredAny>,
}

/// What the cases run against.
enum Target<'a> {
    /// An API: requests are routed.
    Api(&'a Api),
    /// One integration, as the one method of an API; with a resource path (`true`),
    /// requests are matched against it.
    Integration(&'a Api, bool),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseShape {
    name: Option<String>,
    #[serde(rename = "description")]
    _description: Option<IgnoredAny>,
    #[serde(rename = "request")]
    _request: Option<IgnoredAny>,
    #[serde(rename = "backend")]
    _backend: Option<IgnoredAny>,
    expect: Option<ExpectShape>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ExpectShape {
    status: Option<StatusCode>,
    #[serde(default)]
    headers: Params,
    #[serde(rename = "body")]
    _body: Option<IgnoredAny>,
    #[serde(rename = "bodyJson")]
    _body_json: Option<IgnoredAny>,
    #[serde(rename = "backendBody")]
    _backend_body: Option<IgnoredAny>,
    #[serde(rename = "backendBodyJson")]
    _backend_body_json: Option<IgnoredAny>,
}

/// The most cases a case file holds: with [`check::MAX_TOTAL_STEPS`] shared among
/// them, each of a case's two renders still gets 5,000 steps, as many as a template
/// looping over a hundred items takes.
pub const MAX_CASES: usize = 10_000;

struct Case {
    name: String,
    /// The steps each of its renders may take.
    steps: u64,
    request: RequestFile,
    backend: Option<Outcome>,
    expect: Expect,
}

#[derive(Default)]
struct Expect {
    status: Option<u16>,
    headers: Params,
    body: Option<Body>,
    backend_body: Option<Body>,
}

enum Body {
    Text(String),
    Json(serde_json::Value),
}

impl Case {
    /// Reads case `index` (0-based) from `node`.
    fn read(
        doc: &Document,
        node: &Node,
        index: usize,
        target: &Target,
        steps: u64,
    ) -> Result<Case, Error> {
        if node.entries().is_none() {
            return Err(doc.error(
                node,
                format!(
                    "a case is a mapping (name, request, backend, expect), not {}",
                    node.kind()
                ),
            ));
        }
        let shape: CaseShape = from_node(&doc.file, node)?;
        let request = match node.get("request") {
            Some(r) => RequestFile::from_node(&doc.file, r)?,
            None => RequestFile::default(),
        };
        if let Target::Api(_) = target
            && request.url_path().is_none()
        {
            let at = node
                .get("request")
                .and_then(|r| r.get("path"))
                .unwrap_or(node);
            return Err(doc.error(
                at,
                "with `api`, a request is routed by its URL path: write `path` as a string \
                 (`/pets/7`); an object of path parameters needs `context.resourcePath` too",
            ));
        }
        let backend = match node.get("backend") {
            None => None,
            Some(b) if matches!(b.value, Value::Null) => None,
            Some(b) => Some(
                Outcome::from_value(b.to_json())
                    .map_err(|e| doc.error(b, format!("backend: {}", e.message())))?,
            ),
        };
        let expect = match (shape.expect, node.get("expect")) {
            (Some(e), Some(n)) => Expect {
                status: e.status.map(|s| s.0),
                headers: e.headers,
                body: body(doc, n, "body", "bodyJson")?,
                backend_body: body(doc, n, "backendBody", "backendBodyJson")?,
            },
            _ => Expect::default(),
        };
        Ok(Case {
            name: shape.name.unwrap_or_else(|| format!("case {}", index + 1)),
            steps,
            request,
            backend,
            expect,
        })
    }

    /// The method the case's request reaches, and the request as that method sees it; or
    /// why none does.
    fn routed<'a>(&self, target: &Target<'a>) -> Result<(&'a Method, vtl::Request), String> {
        let (method, request) = self.route(target)?;
        Ok((method, check::within(&request, self.steps)))
    }

    fn route<'a>(&self, target: &Target<'a>) -> Result<(&'a Method, vtl::Request), String> {
        match target {
            // Path parameters given for the integration's resource: nothing to route.
            Target::Integration(api, true)
                if self.request.path.is_none() && !self.request.path_parameters.is_empty() =>
            {
                let call = Call {
                    resource_path: Some(&api.methods[0].path),
                    ..Call::default()
                };
                Ok((&api.methods[0], request::local_call(&self.request, &call)))
            }
            Target::Api(api) | Target::Integration(api, true) => self
                .request
                .route(api, None)
                .map_err(|e| e.message().to_string()),
            Target::Integration(api, false) => {
                let call = Call::default();
                Ok((&api.methods[0], request::local_call(&self.request, &call)))
            }
        }
    }

    fn run(&self, target: &Target) -> CaseResult {
        let mut failures = Vec::new();
        let routed = self.routed(target);
        let mut unanswered = false;
        let simulation = match routed {
            Ok((method, request)) => simulate(method, &request, |_| match &self.backend {
                Some(outcome) => outcome.clone(),
                None => {
                    let mock = method
                        .integration
                        .as_ref()
                        .is_some_and(|i| i.kind == IntegrationType::Mock);
                    unanswered = !mock;
                    Outcome::Mock
                }
            }),
            Err(why) if self.expect.status == Some(403) => missing_authentication_token(why),
            Err(why) => {
                let why = match target {
                    Target::Integration(api, _) => format!(
                        "the path {} does not match the resource {}: API Gateway answers 403 \
                         {MISSING_AUTHENTICATION_TOKEN}",
                        self.request.url_path().unwrap_or_default(),
                        api.methods[0].path
                    ),
                    Target::Api(_) => why,
                };
                return self.result(vec![why]);
            }
        };
        if unanswered {
            failures.push(
                "the backend was called but the case has no `backend` to answer it".to_string(),
            );
        }
        let expect = &self.expect;
        if let Some(status) = expect.status
            && status != simulation.status
        {
            let mut message = format!(
                "status: expected {status}, got {}\n  body: {}",
                simulation.status,
                abbreviate(&simulation.body)
            );
            if let Some(e) = &simulation.error {
                message.push_str(&format!("\n  template error: {e}"));
            }
            message.push_str("\n  trace:");
            for step in &simulation.trace {
                message.push_str(&format!("\n    {step}"));
            }
            failures.push(message);
        }
        for (name, value) in &expect.headers {
            match simulation
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
            {
                Some((_, actual)) if actual == value => {}
                Some((_, actual)) => failures.push(format!(
                    "header {name}: expected {value:?}, got {actual:?}"
                )),
                None => failures.push(format!(
                    "header {name}: expected {value:?}, but the response has no such header (it has: {})",
                    header_names(&simulation.headers)
                )),
            }
        }
        if let Some(expected) = &expect.body {
            failures.extend(compare_body("body", expected, &simulation.body));
        }
        if let Some(expected) = &expect.backend_body {
            match &simulation.backend_request {
                Some(b) => failures.extend(compare_body("backend body", expected, &b.body)),
                None => failures.push(format!(
                    "backend body: the backend was not called (status {}: {})",
                    simulation.status,
                    abbreviate(&simulation.body)
                )),
            }
        }
        self.result(failures)
    }

    fn result(&self, failures: Vec<String>) -> CaseResult {
        CaseResult {
            name: self.name.clone(),
            passed: failures.is_empty(),
            failures,
        }
    }
}

/// What API Gateway answers a request no method answers.
fn missing_authentication_token(why: String) -> Simulation {
    Simulation {
        backend_request: None,
        status: 403,
        headers: [("Content-Type".to_string(), "application/json".to_string())]
            .into_iter()
            .collect(),
        body: MISSING_AUTHENTICATION_TOKEN.to_string(),
        trace: vec![why],
        error: None,
    }
}

/// The expected body under `text` (exact) or `json` (structural) of `expect`.
fn body(doc: &Document, expect: &Node, text: &str, json: &str) -> Result<Option<Body>, Error> {
    match (expect.get(text), expect.get(json)) {
        (Some(_), Some(j)) => Err(doc.error(j, format!("give `{text}` or `{json}`, not both"))),
        (Some(t), None) => match &t.value {
            Value::String(s) => Ok(Some(Body::Text(s.text.clone()))),
            Value::Number(_) | Value::Bool(_) => Ok(Some(Body::Text(t.scalar_text()))),
            _ => Err(doc.error(
                t,
                format!(
                    "`{text}` is the exact text, a string, not {}; use `{json}` for a JSON value",
                    t.kind()
                ),
            )),
        },
        (None, Some(j)) => Ok(Some(Body::Json(j.to_json()))),
        (None, None) => Ok(None),
    }
}

/// The body as a quoted string, shortened past 200 characters.
fn abbreviate(body: &str) -> String {
    if body.chars().count() > 200 {
        format!("{:?}...", body.chars().take(200).collect::<String>())
    } else {
        format!("{body:?}")
    }
}

fn header_names(headers: &IndexMap<String, String>) -> String {
    if headers.is_empty() {
        "none".to_string()
    } else {
        headers.keys().cloned().collect::<Vec<_>>().join(", ")
    }
}

fn compare_body(what: &str, expected: &Body, actual: &str) -> Option<String> {
    match expected {
        Body::Text(expected) if expected == actual => None,
        Body::Text(expected) => {
            let mut message = format!(
                "{what} differs (-expected +actual):\n{}",
                line_diff(expected, actual)
            );
            if expected.trim_end() == actual.trim_end() {
                message.push_str("\n(only the whitespace at the end differs)");
            }
            Some(message)
        }
        Body::Json(expected) => {
            let parsed = match serde_json::from_str::<serde_json::Value>(actual) {
                Ok(v) => v,
                Err(e) => {
                    return Some(format!(
                        "{what} is not JSON ({e}):\n{}",
                        line_diff(&pretty(expected), actual)
                    ));
                }
            };
            let at = json_difference(expected, &parsed, "$")?;
            Some(format!(
                "{what} JSON differs at {at} (-expected +actual):\n{}",
                line_diff(&pretty(expected), &pretty(&parsed))
            ))
        }
    }
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    if a.to_string() == b.to_string() {
        return true;
    }
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x == y;
    }
    matches!((a.as_f64(), b.as_f64()), (Some(x), Some(y)) if x == y)
}

fn child(at: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && !key.starts_with(|c: char| c.is_ascii_digit())
        && key.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        format!("{at}.{key}")
    } else {
        format!("{at}[{}]", serde_json::Value::String(key.to_string()))
    }
}

/// Where `actual` first differs from `expected` (a JSONPath with what each has), or `None`
/// when they are equal: objects regardless of key order, numbers by value.
fn json_difference(
    expected: &serde_json::Value,
    actual: &serde_json::Value,
    at: &str,
) -> Option<String> {
    use serde_json::Value as J;
    let short = |v: &J| {
        let s = v.to_string();
        if s.chars().count() > 60 {
            format!("{}…", s.chars().take(60).collect::<String>())
        } else {
            s
        }
    };
    let differ = || {
        Some(format!(
            "{at}: expected {}, got {}",
            short(expected),
            short(actual)
        ))
    };
    match (expected, actual) {
        (J::Number(a), J::Number(b)) => (!numbers_equal(a, b)).then(differ).flatten(),
        (J::Array(a), J::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                if let Some(d) = json_difference(x, y, &format!("{at}[{i}]")) {
                    return Some(d);
                }
            }
            (a.len() != b.len())
                .then(|| format!("{at}: expected {} elements, got {}", a.len(), b.len()))
        }
        (J::Object(a), J::Object(b)) => {
            for (k, x) in a {
                match b.get(k) {
                    Some(y) => {
                        if let Some(d) = json_difference(x, y, &child(at, k)) {
                            return Some(d);
                        }
                    }
                    None => return Some(format!("{}: missing", child(at, k))),
                }
            }
            b.keys()
                .find(|k| !a.contains_key(*k))
                .map(|k| format!("{}: not expected", child(at, k)))
        }
        (a, b) if a == b => None,
        _ => differ(),
    }
}

/// A line diff of `expected` against `actual`: removed lines prefixed `-`, added lines
/// `+`, and up to two unchanged lines of context around each change prefixed ` `; longer
/// unchanged stretches are elided as `...`. Line breaks are `\n`; a `\r` shows as `\r`.
///
/// ```
/// let d = vtl_tools::cases::line_diff("{\n  \"a\": 1\n}", "{\n  \"a\": 2\n}");
/// assert_eq!(d, " {\n-  \"a\": 1\n+  \"a\": 2\n }");
/// ```
pub fn line_diff(expected: &str, actual: &str) -> String {
    let a: Vec<String> = expected
        .split('\n')
        .map(|l| l.replace('\r', "\\r"))
        .collect();
    let b: Vec<String> = actual.split('\n').map(|l| l.replace('\r', "\\r")).collect();
    let ops = diff_ops(&a, &b);
    const CONTEXT: usize = 2;
    let changed: Vec<bool> = ops.iter().map(|(c, _)| *c != ' ').collect();
    let near_change = |i: usize| {
        let lo = i.saturating_sub(CONTEXT);
        let hi = (i + CONTEXT + 1).min(ops.len());
        changed[lo..hi].iter().any(|c| *c)
    };
    let mut out: Vec<String> = Vec::new();
    let mut elided = false;
    for (i, (c, line)) in ops.iter().enumerate() {
        if *c == ' ' && !near_change(i) {
            if !elided {
                out.push("...".to_string());
                elided = true;
            }
            continue;
        }
        elided = false;
        out.push(format!("{c}{line}"));
    }
    out.join("\n")
}

/// The edit script turning `a` into `b`: a longest common subsequence of lines (or, for
/// very long texts, the common prefix and suffix around one changed block).
fn diff_ops<'a>(a: &'a [String], b: &'a [String]) -> Vec<(char, &'a str)> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<(char, &str)> = a[..prefix].iter().map(|l| (' ', l.as_str())).collect();
    if ma.len().saturating_mul(mb.len()) > 4_000_000 {
        ops.extend(ma.iter().map(|l| ('-', l.as_str())));
        ops.extend(mb.iter().map(|l| ('+', l.as_str())));
    } else {
        // lcs[i][j]: the LCS length of ma[i..] and mb[j..].
        let w = mb.len() + 1;
        let mut lcs = vec![0u32; (ma.len() + 1) * w];
        for i in (0..ma.len()).rev() {
            for j in (0..mb.len()).rev() {
                lcs[i * w + j] = if ma[i] == mb[j] {
                    lcs[(i + 1) * w + j + 1] + 1
                } else {
                    lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < ma.len() || j < mb.len() {
            if i < ma.len() && j < mb.len() && ma[i] == mb[j] {
                ops.push((' ', &ma[i]));
                i += 1;
                j += 1;
            } else if j < mb.len() && (i == ma.len() || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j])
            {
                // Prefer removals before additions when both are as good.
                if i < ma.len() && lcs[(i + 1) * w + j] == lcs[i * w + j + 1] {
                    ops.push(('-', &ma[i]));
                    i += 1;
                } else {
                    ops.push(('+', &mb[j]));
                    j += 1;
                }
            } else {
                ops.push(('-', &ma[i]));
                i += 1;
            }
        }
    }
    ops.extend(a[a.len() - suffix..].iter().map(|l| (' ', l.as_str())));
    ops
}
