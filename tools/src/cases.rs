//! Test cases for integrations: a file of requests, backend answers and expected method
//! responses, run through [`simulate`].
//!
//! # The case file
//!
//! YAML or JSON (JSON is tried first). At the top level:
//!
//! - `api`: an OpenAPI 3 or Swagger 2 export (see [`Api`]), a path relative to the case
//!   file; each case's method and path choose the operation, and the path parameters
//!   come from matching the resource path (`/pets/{id}`, `/{proxy+}`). Or
//! - `integration`: one `x-amazon-apigateway-integration` object, inline (or a path to a
//!   JSON file holding one, relative to the case file); with it, an optional
//!   `resource: /pets/{id}` gives the path parameters.
//! - `cases`: the list of cases.
//! - `description`: free text, ignored (a case may have one too).
//!
//! Each case:
//!
//! ```yaml
//! - name: GET /hoge answers hogehoge     # optional; "case N" otherwise
//!   request:                            # optional; every field optional
//!     method: GET                       # default GET
//!     path: /hoge?verbose=1             # default /; a query string here is decoded
//!                                       # into `query`
//!     query: {limit: "10"}              # query string parameters (numbers, booleans
//!                                       # are written as text)
//!     headers: {Accept: application/json}
//!     body: '{"raw": "text"}'           # a string is the raw payload; any other JSON
//!                                       # value is serialized (compact JSON)
//!     pathParameters: {id: "7"}         # added to (or overriding) the matched ones
//!     stageVariables: {env: test}
//!     context: {requestId: r-1}         # $context; httpMethod and resourcePath are
//!                                       # filled in unless given
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
//! Unknown fields are errors, so a misspelt expectation cannot pass silently. A case
//! fails with one message per unmet expectation; body mismatches come with a line diff
//! (`-` expected, `+` actual; JSON bodies are compared pretty-printed).
//!
//! ```
//! use vtl::apigateway::cases::run_str;
//!
//! let report = run_str(r#"
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
//! "#, std::path::Path::new(".")).unwrap();
//! assert!(report.results[0].passed);
//! assert!(!report.results[1].passed);
//! assert!(report.results[1].failures[0].contains("-{\"id\": \"7\"}\n+{\"id\": \"8\"}"));
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use super::openapi::{Api, match_path, parse_document};
use super::{Integration, IntegrationType, Outcome, Params, Request, simulate};
use crate::{Error, ErrorKind};

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

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Input, message)
}

/// Runs the case file at `path`; `api` and `integration` paths are relative to its folder.
pub fn run_file(path: &Path) -> Result<Report, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
    let base = path.parent().unwrap_or_else(|| Path::new(""));
    run_str(&text, base).map_err(|e| {
        Error::new(e.kind(), format!("{}: {}", path.display(), e.message()))
            .at(e.line(), e.column())
    })
}

/// Runs a case file given as text; `api` and `integration` paths are relative to
/// `base_dir`.
///
/// A case file that does not parse, or whose cases are malformed (an unknown field, a
/// header that is not text, an invalid backend), is an error of kind
/// [`ErrorKind::Input`] naming the case; unmet expectations, and requests no operation
/// of the API answers, are failures in the [`Report`].
pub fn run_str(text: &str, base_dir: &Path) -> Result<Report, Error> {
    let doc = parse_document(text, "the case file")?;
    let serde_json::Value::Object(top) = doc else {
        return Err(invalid(
            "a case file must be an object with `api` or `integration`, and `cases`",
        ));
    };
    for key in top.keys() {
        if !["api", "integration", "resource", "cases", "description"].contains(&key.as_str()) {
            return Err(invalid(format!(
                "unknown top-level field `{key}` (expected api, integration, resource, cases)"
            )));
        }
    }
    let target = match (top.get("api"), top.get("integration")) {
        (Some(_), Some(_)) => {
            return Err(invalid("give either `api` or `integration`, not both"));
        }
        (Some(serde_json::Value::String(p)), None) => {
            if top.contains_key("resource") {
                return Err(invalid(
                    "`resource` goes with an inline `integration`; with `api` the paths come from the API",
                ));
            }
            Target::Api(Api::from_path(&base_dir.join(p))?)
        }
        (Some(_), None) => {
            return Err(invalid(
                "`api` must be the path of an OpenAPI document, relative to the case file",
            ));
        }
        (None, Some(i)) => {
            let resource = match top.get("resource") {
                None => None,
                Some(serde_json::Value::String(r)) => Some(r.clone()),
                Some(_) => return Err(invalid("`resource` must be a path such as /pets/{id}")),
            };
            Target::Integration(load_integration(i, base_dir)?, resource)
        }
        (None, None) => {
            return Err(invalid(
                "a case file needs `api` (an OpenAPI document) or `integration`",
            ));
        }
    };
    let cases = match top.get("cases") {
        Some(serde_json::Value::Array(c)) => c,
        None => return Err(invalid("a case file needs `cases`, a list")),
        Some(_) => return Err(invalid("`cases` must be a list")),
    };
    let mut results = Vec::with_capacity(cases.len());
    for (i, case) in cases.iter().enumerate() {
        let label = case
            .get("name")
            .and_then(|n| n.as_str())
            .map_or_else(|| format!("case {}", i + 1), str::to_string);
        let case = Case::parse(case, &label).map_err(|e| {
            Error::new(
                e.kind(),
                format!("case {} (`{label}`): {}", i + 1, e.message()),
            )
        })?;
        results.push(case.run(&target));
    }
    Ok(Report { results })
}

fn load_integration(v: &serde_json::Value, base_dir: &Path) -> Result<Integration, Error> {
    let within = |what: String| {
        move |e: Error| {
            Error::new(e.kind(), format!("{what}: {}", e.message())).at(e.line(), e.column())
        }
    };
    match v {
        serde_json::Value::String(p) => {
            let path: PathBuf = base_dir.join(p);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
            let doc = parse_document(&text, "the integration")
                .map_err(within(path.display().to_string()))?;
            Integration::from_value(&doc).map_err(within(path.display().to_string()))
        }
        v => Integration::from_value(v).map_err(within("integration".to_string())),
    }
}

enum Target {
    Api(Api),
    Integration(Integration, Option<String>),
}

struct Case {
    name: String,
    method: String,
    path: String,
    query: Params,
    headers: Params,
    body: Option<String>,
    path_parameters: Params,
    stage_variables: Params,
    context: serde_json::Map<String, serde_json::Value>,
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

fn object<'a>(
    v: &'a serde_json::Value,
    what: &str,
    allowed: &[&str],
) -> Result<&'a serde_json::Map<String, serde_json::Value>, Error> {
    let serde_json::Value::Object(map) = v else {
        return Err(invalid(format!("`{what}` must be an object")));
    };
    for key in map.keys() {
        if !allowed.contains(&key.as_str()) {
            return Err(invalid(format!(
                "unknown field `{what}.{key}` (expected one of: {})",
                allowed.join(", ")
            )));
        }
    }
    Ok(map)
}

/// A map of strings; numbers and booleans are written as text.
fn strings(v: Option<&serde_json::Value>, what: &str) -> Result<Params, Error> {
    let Some(v) = v else {
        return Ok(Params::new());
    };
    let serde_json::Value::Object(map) = v else {
        return Err(invalid(format!("`{what}` must be an object of strings")));
    };
    map.iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => Ok((k.clone(), s.clone())),
            serde_json::Value::Number(n) => Ok((k.clone(), n.to_string())),
            serde_json::Value::Bool(b) => Ok((k.clone(), b.to_string())),
            other => Err(invalid(format!(
                "`{what}.{k}` must be a string, not {other}"
            ))),
        })
        .collect()
}

impl Case {
    fn parse(v: &serde_json::Value, name: &str) -> Result<Case, Error> {
        let fields = object(
            v,
            "case",
            &["name", "description", "request", "backend", "expect"],
        )?;
        if let Some(n) = fields.get("name")
            && !n.is_string()
        {
            return Err(invalid("`name` must be a string"));
        }
        let null = serde_json::Value::Object(serde_json::Map::new());
        let request = object(
            fields.get("request").unwrap_or(&null),
            "request",
            &[
                "method",
                "path",
                "query",
                "headers",
                "body",
                "pathParameters",
                "stageVariables",
                "context",
            ],
        )?;
        let text = |key: &str, default: &str| match request.get(key) {
            None => Ok(default.to_string()),
            Some(serde_json::Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(invalid(format!("`request.{key}` must be a string"))),
        };
        let method = text("method", "GET")?.to_ascii_uppercase();
        let full_path = text("path", "/")?;
        let (path, mut query) = match full_path.split_once('?') {
            None => (full_path.clone(), Params::new()),
            Some((p, q)) => (p.to_string(), parse_query(q)?),
        };
        query.extend(strings(request.get("query"), "request.query")?);
        let body = match request.get("body") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(other) => Some(other.to_string()),
        };
        let context = match request.get("context") {
            None => serde_json::Map::new(),
            Some(serde_json::Value::Object(c)) => c.clone(),
            Some(_) => return Err(invalid("`request.context` must be an object")),
        };
        let backend = match fields.get("backend") {
            None | Some(serde_json::Value::Null) => None,
            Some(b) => Some(
                Outcome::from_json(&b.to_string())
                    .map_err(|e| invalid(format!("backend: {}", e.message())))?,
            ),
        };
        let expect = match fields.get("expect") {
            None | Some(serde_json::Value::Null) => Expect::default(),
            Some(e) => Expect::parse(e)?,
        };
        Ok(Case {
            name: name.to_string(),
            method,
            path,
            query,
            headers: strings(request.get("headers"), "request.headers")?,
            body,
            path_parameters: strings(request.get("pathParameters"), "request.pathParameters")?,
            stage_variables: strings(request.get("stageVariables"), "request.stageVariables")?,
            context,
            backend,
            expect,
        })
    }

    fn run(&self, target: &Target) -> CaseResult {
        let mut failures = Vec::new();
        let (integration, resource, mut params) = match target {
            Target::Api(api) => match api.resolve(&self.method, &self.path) {
                Some((op, params)) => (&op.integration, Some(op.path.clone()), params),
                None => {
                    let known: Vec<String> = api
                        .operations
                        .iter()
                        .map(|op| format!("{} {}", op.method, op.path))
                        .collect();
                    return self.result(vec![format!(
                        "no operation of the API answers {} {} (operations: {})",
                        self.method,
                        self.path,
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    )]);
                }
            },
            Target::Integration(integration, None) => (integration, None, Params::new()),
            Target::Integration(integration, Some(resource)) => {
                match match_path(resource, &self.path) {
                    Some(params) => (integration, Some(resource.clone()), params),
                    None => {
                        return self.result(vec![format!(
                            "the path {} does not match the resource {resource}",
                            self.path
                        )]);
                    }
                }
            }
        };
        params.extend(self.path_parameters.clone());

        let mut request = Request::new();
        for (k, v) in &params {
            request = request.with_path(k, v);
        }
        for (k, v) in &self.query {
            request = request.with_querystring(k, v);
        }
        for (k, v) in &self.headers {
            request = request.with_header(k, v);
        }
        for (k, v) in &self.stage_variables {
            request = request.with_stage_variable(k, v);
        }
        if let Some(b) = &self.body {
            request = request.with_body(b);
        }
        if !self.context.contains_key("httpMethod") {
            request = request.with_context("httpMethod", self.method.clone().into());
        }
        if let Some(r) = &resource
            && !self.context.contains_key("resourcePath")
        {
            request = request.with_context("resourcePath", r.clone().into());
        }
        for (k, v) in &self.context {
            request = request.with_context(k, v.clone());
        }

        let mut unanswered = false;
        let simulation = simulate(integration, &request, |_| match &self.backend {
            Some(outcome) => outcome.clone(),
            None => {
                if integration.kind != IntegrationType::Mock {
                    unanswered = true;
                }
                Outcome::Mock
            }
        });
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

fn parse_query(q: &str) -> Result<Params, Error> {
    let decode = |s: &str| {
        super::url_decode(&s.replace('+', " "))
            .map_err(|e| invalid(format!("`request.path` has a bad query string: {e}")))
    };
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

impl Expect {
    fn parse(v: &serde_json::Value) -> Result<Expect, Error> {
        let fields = object(
            v,
            "expect",
            &[
                "status",
                "headers",
                "body",
                "bodyJson",
                "backendBody",
                "backendBodyJson",
            ],
        )?;
        let status = match fields.get("status") {
            None => None,
            Some(s) => Some(
                s.as_u64()
                    .or_else(|| s.as_str().and_then(|t| t.parse().ok()))
                    .and_then(|c| u16::try_from(c).ok())
                    .ok_or_else(|| {
                        invalid(format!("`expect.status` must be a status code, not {s}"))
                    })?,
            ),
        };
        let body = |text: &str, json: &str| -> Result<Option<Body>, Error> {
            match (fields.get(text), fields.get(json)) {
                (Some(_), Some(_)) => Err(invalid(format!(
                    "give `expect.{text}` or `expect.{json}`, not both"
                ))),
                (Some(serde_json::Value::String(s)), None) => Ok(Some(Body::Text(s.clone()))),
                (Some(_), None) => Err(invalid(format!(
                    "`expect.{text}` is the exact text, a string; use `{json}` for a JSON value"
                ))),
                (None, Some(v)) => Ok(Some(Body::Json(v.clone()))),
                (None, None) => Ok(None),
            }
        };
        Ok(Expect {
            status,
            headers: strings(fields.get("headers"), "expect.headers")?,
            body: body("body", "bodyJson")?,
            backend_body: body("backendBody", "backendBodyJson")?,
        })
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
/// let d = vtl::apigateway::cases::line_diff("{\n  \"a\": 1\n}", "{\n  \"a\": 2\n}");
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
