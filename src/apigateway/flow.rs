//! One non-proxy integration call, end to end: method request → request template →
//! backend → selection pattern → response template → method response.

use std::sync::Arc;

use indexmap::IndexMap;

use super::api::{Backend, Integration, Method, PassthroughBehavior};
use super::selection::select;
use super::{Request, StatusCode, json};
use crate::value::Value;
use crate::{Error, ErrorKind};

/// What the backend did with the request.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A Lambda function returned a result: its JSON text as the runtime serialized it
    /// (Python's `json.dumps` writes `{"a": 1}`, Node's `JSON.stringify` `{"a":1}`).
    LambdaResult(String),
    /// A Lambda function failed; the error object (`errorMessage`, `errorType`, `stackTrace`).
    LambdaError(serde_json::Map<String, serde_json::Value>),
    /// An HTTP backend or AWS service answered.
    Http {
        /// The status code.
        status: u16,
        /// The body.
        body: String,
        /// The headers.
        headers: IndexMap<String, String>,
    },
    /// A MOCK integration (no backend).
    Mock,
}

/// What the backend receives.
#[derive(Clone, Debug, PartialEq)]
pub struct BackendRequest {
    /// The body: the rendered request template, or the method request's body passed through.
    pub body: String,
    /// The request template used, by content type; `None` when the body passed through.
    pub template: Option<String>,
    /// `$context.requestOverride` as the request template left it.
    pub request_override: serde_json::Value,
}

/// The result of one simulated call.
#[derive(Clone, Debug, PartialEq)]
pub struct Simulation {
    /// What the backend received; `None` when API Gateway answered before calling it.
    pub backend_request: Option<BackendRequest>,
    /// The method response status.
    pub status: u16,
    /// The method response headers.
    pub headers: IndexMap<String, String>,
    /// The method response body.
    pub body: String,
    /// Each step taken, for people.
    pub trace: Vec<String>,
    /// The template error behind a 500, if that is what happened.
    pub error: Option<Error>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Input, message)
}

impl Outcome {
    /// What selection patterns are matched against: a Lambda error's `errorMessage`, an
    /// HTTP backend's status code; `None` for a Lambda result, and for MOCK, whose status
    /// comes from its request template.
    pub fn selection_value(&self) -> Option<String> {
        match self {
            Outcome::LambdaError(e) => Some(
                e.get("errorMessage")
                    .and_then(|m| m.as_str())
                    .unwrap_or("")
                    .to_string(),
            ),
            Outcome::Http { status, .. } => Some(status.to_string()),
            Outcome::LambdaResult(_) | Outcome::Mock => None,
        }
    }

    /// What response templates see as `$input`: a Lambda function's result, its error
    /// object as JSON, an HTTP backend's body; `None` for MOCK, which has no payload.
    pub fn payload(&self) -> Option<String> {
        match self {
            Outcome::LambdaResult(text) => Some(text.clone()),
            Outcome::LambdaError(e) => Some(serde_json::Value::Object(e.clone()).to_string()),
            Outcome::Http { body, .. } => Some(body.clone()),
            Outcome::Mock => None,
        }
    }

    /// Reads a backend outcome:
    /// `{"type": "lambda", "result": ...}` (or `"payload": "<the result's JSON text>"`),
    /// `{"type": "lambda-error", "errorMessage": "...", "errorType": "...", "stackTrace": [...]}`,
    /// `{"type": "http", "status": 404, "body": "...", "headers": {...}}` (also for AWS
    /// services) or `{"type": "mock"}`.
    pub fn from_json(text: &str) -> Result<Outcome, Error> {
        Outcome::from_value(super::parse_json(text, "the backend outcome")?)
    }

    /// A backend outcome from its parsed form (see [`Outcome::from_json`]).
    pub fn from_value(v: serde_json::Value) -> Result<Outcome, Error> {
        let serde_json::Value::Object(mut fields) = v else {
            return Err(invalid("a backend outcome must be a JSON object"));
        };
        let kind = fields.shift_remove("type");
        match kind.as_ref().and_then(|k| k.as_str()) {
            Some("lambda") => match (fields.get("payload"), fields.get("result")) {
                (Some(serde_json::Value::String(p)), _) => Ok(Outcome::LambdaResult(p.clone())),
                (None, Some(r)) => Ok(Outcome::LambdaResult(r.to_string())),
                (None, None) => Ok(Outcome::LambdaResult("null".to_string())),
                _ => Err(invalid(
                    "a lambda outcome's `payload` is the result's JSON text, a string",
                )),
            },
            Some("lambda-error") => Ok(Outcome::LambdaError(fields)),
            Some("http") => {
                let status = fields
                    .get("status")
                    .and_then(serde_json::Value::as_u64)
                    .and_then(|s| u16::try_from(s).ok())
                    .ok_or_else(|| invalid("an http outcome needs a numeric `status`"))?;
                let body = body_text(fields.get("body"));
                let headers = header_map(fields.get("headers"));
                Ok(Outcome::Http {
                    status,
                    body,
                    headers,
                })
            }
            Some("mock") => Ok(Outcome::Mock),
            _ => Err(invalid(
                "the outcome's `type` must be lambda, lambda-error, http or mock",
            )),
        }
    }
}

/// The media type of a header value, lower-cased, without parameters.
fn media_type(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn find_header<'a>(headers: &'a IndexMap<String, String>, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// API Gateway's answer when a template, a pattern or the configuration fails.
fn internal_error(
    trace: Vec<String>,
    error: Option<Error>,
    backend_request: Option<BackendRequest>,
) -> Simulation {
    message(500, "Internal server error", trace, error, backend_request)
}

fn message(
    status: u16,
    text: &str,
    trace: Vec<String>,
    error: Option<Error>,
    backend_request: Option<BackendRequest>,
) -> Simulation {
    let mut headers = IndexMap::new();
    headers.insert("Content-Type".to_string(), "application/json".to_string());
    Simulation {
        backend_request,
        status,
        headers,
        body: format!("{{\"message\": \"{text}\"}}"),
        trace,
        error,
    }
}

/// Why a rendered Lambda request is not JSON, in the words of the JSON parser Lambda's
/// invoke API uses.
fn lambda_parse_error(body: &str) -> Option<String> {
    // An empty payload is a valid (empty) invocation.
    if body.trim().is_empty() {
        return None;
    }
    let err = serde_json::from_str::<serde_json::Value>(body).err()?;
    let line = body
        .split('\n')
        .nth(err.line().saturating_sub(1))
        .unwrap_or("");
    let col = err.column().saturating_sub(1);
    let before: String = line.chars().take(col).collect();
    let at = line.chars().nth(col);
    let what = match (before.ends_with('\\'), at) {
        (true, Some(c)) => format!("Unrecognized character escape '{c}' (code {})", c as u32),
        (_, Some(c)) if (c as u32) < 0x20 => format!(
            "Illegal unquoted character ((CTRL-CHAR, code {})): has to be escaped using backslash to be included in string value",
            c as u32
        ),
        (_, Some(c)) => format!("Unexpected character ('{c}' (code {}))", c as u32),
        (_, None) => "Unexpected end-of-input".to_string(),
    };
    Some(what)
}

/// Simulates one call of `method`. `backend` answers the backend request (it is not
/// called when API Gateway answers first, with a 415 or a 400). The stages are API
/// Gateway's: the request template, the backend, the integration response its answer
/// selects, the response template, then the method response's status and headers.
///
/// ```
/// use vtl::apigateway::{Integration, Method, Outcome, simulate};
///
/// let integration = Integration::from_json(r#"{
///   "type": "AWS",
///   "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations",
///   "requestTemplates": {"application/json": "{\"name\": \"$input.params('name')\"}"},
///   "responses": {
///     "default": {"statusCode": "200"},
///     "^\\[400:.*": {"statusCode": "400", "responseTemplates": {
///         "application/json": "{\"error\": \"$input.path('$.errorMessage')\"}"}}
///   }
/// }"#).unwrap();
/// let method = Method::new("GET", "/{name}", Some(integration));
/// let request = vtl::Request::new().with_path("name", "fuga");
/// let answer = simulate(&method, &request, |backend| {
///     assert_eq!(backend.body, r#"{"name": "fuga"}"#);
///     Outcome::LambdaError(serde_json::from_str(r#"{"errorMessage": "[400:BadRequest] no"}"#).unwrap())
/// });
/// assert_eq!(answer.status, 400);
/// assert_eq!(answer.body, r#"{"error": "[400:BadRequest] no"}"#);
/// ```
pub fn simulate(
    method: &Method,
    request: &Request,
    backend: impl FnOnce(&BackendRequest) -> Outcome,
) -> Simulation {
    let mut call = Call {
        request,
        context_map: request.context_map(),
        trace: Vec::new(),
    };
    let Some(integration) = &method.integration else {
        call.trace.push(format!(
            "{} {} has no integration: 500",
            method.http_method, method.path
        ));
        return internal_error(call.trace, None, None);
    };
    let backend_request = match call.request_stage(integration) {
        Ok(b) => b,
        Err(answer) => return *answer,
    };
    if integration.kind.is_proxy() {
        let outcome = backend(&backend_request);
        return call.proxy_response(outcome, backend_request);
    }
    if integration.backend() == Backend::Lambda
        && let Some(why) = lambda_parse_error(&backend_request.body)
    {
        call.trace
            .push(format!("Lambda rejects the request body: {why}"));
        return message(
            400,
            &format!(
                "Could not parse request body into json: {}",
                why.replace('"', "\\\"")
            ),
            call.trace,
            None,
            Some(backend_request),
        );
    }
    let outcome = backend(&backend_request);
    let answer = match call.selection_value(&outcome, &backend_request) {
        Ok(a) => a,
        Err(()) => return internal_error(call.trace, None, Some(backend_request)),
    };
    let index = match call.select_response(integration, &answer) {
        Ok(i) => i,
        Err(error) => return internal_error(call.trace, error, Some(backend_request)),
    };
    let response = &integration.responses[index];
    if !method.declares(response.status_code) {
        call.trace.push(format!(
            "the method has no {} response: 500",
            response.status_code
        ));
        return internal_error(call.trace, None, Some(backend_request));
    }
    let body = match call.response_body(response, &answer.payload) {
        Ok(b) => b,
        Err(e) => return internal_error(call.trace, Some(e), Some(backend_request)),
    };
    let (status, headers) = call.status_and_headers(response, &answer);
    call.trace.push(format!("method response {status}"));
    Simulation {
        backend_request: Some(backend_request),
        status,
        headers,
        body,
        trace: call.trace,
        error: None,
    }
}

/// One call under way: the request, its `$context` (shared by the request and response
/// templates, so overrides set in one are seen in the other) and the steps taken.
struct Call<'a> {
    request: &'a Request,
    context_map: crate::value::MapRef,
    trace: Vec<String>,
}

/// What the backend answered, as selection and response mapping see it.
struct Answer {
    /// The value selection patterns match: a Lambda `errorMessage` or a status code;
    /// `None` for a Lambda result.
    selected_by: Option<String>,
    /// What response templates see as `$input`.
    payload: String,
    /// The backend's response headers.
    headers: IndexMap<String, String>,
}

impl Call<'_> {
    fn override_of(&self, name: &str) -> serde_json::Value {
        self.context_map
            .borrow()
            .get(&crate::value::key::StrKey(name))
            .map_or(serde_json::Value::Null, Value::to_json)
    }

    fn render(
        &mut self,
        what: &str,
        template: &super::api::MappingTemplate,
        payload: Arc<str>,
    ) -> Result<String, Error> {
        let compiled = template.compiled().map_err(|e| {
            self.trace.push(format!("{what} does not compile: {e}"));
            e.clone()
        })?;
        let ctx = self.request.bind_payload(payload, Some(&self.context_map));
        compiled.render(&ctx).map_err(|e| {
            let e = match template.origin() {
                Some(origin) => origin.relocate(template.text(), e),
                None => e,
            };
            self.trace.push(format!("{what} failed: {e}"));
            e
        })
    }

    /// The request template chosen by content type and passthrough behaviour, rendered;
    /// or API Gateway's own answer (415, 500).
    fn request_stage(
        &mut self,
        integration: &Integration,
    ) -> Result<BackendRequest, Box<Simulation>> {
        let content_type = find_header(self.request.header(), "Content-Type")
            .map_or_else(|| "application/json".to_string(), media_type);
        self.trace
            .push(format!("request content type: {content_type}"));
        let chosen = integration.request_templates.get(&content_type);
        let passthrough = match (chosen, integration.passthrough_behavior) {
            (Some(_), _) => false,
            _ if integration.kind.is_proxy() => true,
            (None, PassthroughBehavior::WhenNoMatch) => true,
            (None, PassthroughBehavior::WhenNoTemplates)
                if integration.request_templates.is_empty() =>
            {
                true
            }
            (None, behavior) => {
                self.trace.push(format!(
                    "no request template for {content_type} and passthroughBehavior {behavior:?}: 415"
                ));
                let trace = std::mem::take(&mut self.trace);
                return Err(Box::new(message(
                    415,
                    "Unsupported Media Type",
                    trace,
                    None,
                    None,
                )));
            }
        };
        let used = chosen.filter(|t| !t.text().is_empty());
        let body = match used {
            Some(t) => {
                self.trace.push(format!("request template: {content_type}"));
                self.render("request template", t, self.request.body_arc())
                    .map_err(|e| internal_error(std::mem::take(&mut self.trace), Some(e), None))?
            }
            None => {
                self.trace.push(
                    if passthrough {
                        "request passed through (no template for its content type)"
                    } else {
                        "request passed through (empty template)"
                    }
                    .to_string(),
                );
                self.request.body().to_string()
            }
        };
        Ok(BackendRequest {
            body,
            template: used.map(|_| content_type.clone()),
            request_override: self.override_of("requestOverride"),
        })
    }

    /// What selection patterns see of the backend's answer; `Err` when a MOCK request
    /// template gave no status code.
    fn selection_value(&mut self, outcome: &Outcome, sent: &BackendRequest) -> Result<Answer, ()> {
        let answer = match outcome {
            Outcome::LambdaResult(_) | Outcome::LambdaError(_) => Answer {
                selected_by: outcome.selection_value(),
                payload: outcome.payload().unwrap_or_default(),
                headers: IndexMap::new(),
            },
            Outcome::Http { headers, .. } => Answer {
                selected_by: outcome.selection_value(),
                payload: outcome.payload().unwrap_or_default(),
                headers: headers.clone(),
            },
            Outcome::Mock => {
                let Some(status) = mock_status(&sent.body) else {
                    self.trace
                        .push("MOCK: the request template gave no integer statusCode".to_string());
                    return Err(());
                };
                Answer {
                    selected_by: Some(status),
                    payload: String::new(),
                    headers: IndexMap::new(),
                }
            }
        };
        self.trace.push(match &answer.selected_by {
            None => "backend: Lambda returned a result (the default response applies)".to_string(),
            Some(v) => format!("backend: selection value {v:?}"),
        });
        Ok(answer)
    }

    /// The integration response the answer selects; `Err` with the pattern's error, or
    /// with none when nothing matches and there is no default.
    fn select_response(
        &mut self,
        integration: &Integration,
        answer: &Answer,
    ) -> Result<usize, Option<Error>> {
        let mut patterns = Vec::with_capacity(integration.responses.len());
        for (i, r) in integration.responses.iter().enumerate() {
            let pattern = match &r.selection_pattern {
                Some(p) if !p.text().is_empty() => Some(p.compiled().map_err(|e| {
                    self.trace
                        .push(format!("selection pattern does not compile: {e}"));
                    Some(e.clone())
                })?),
                _ => None,
            };
            patterns.push((i, pattern));
        }
        let index = match select(patterns, answer.selected_by.as_deref()) {
            Ok(Some(i)) => i,
            Ok(None) => {
                self.trace.push(
                    "no selection pattern matched and there is no default response: 500"
                        .to_string(),
                );
                return Err(None);
            }
            Err(e) => {
                self.trace.push(format!("selection failed: {e}"));
                return Err(Some(e));
            }
        };
        let response = &integration.responses[index];
        self.trace.push(format!(
            "integration response {} (pattern {})",
            response.status_code,
            response
                .selection_pattern
                .as_ref()
                .filter(|p| !p.text().is_empty())
                .map_or("default".to_string(), |p| format!("{:?}", p.text()))
        ));
        Ok(index)
    }

    /// The response template chosen by the request's `Accept` header, rendered over the
    /// payload; the payload itself when there is none or it is empty.
    fn response_body(
        &mut self,
        response: &super::api::IntegrationResponse,
        payload: &str,
    ) -> Result<String, Error> {
        let accept = find_header(self.request.header(), "Accept")
            .map(|a| media_type(a.split(',').next().unwrap_or("")))
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| "application/json".to_string());
        let template = response
            .response_templates
            .get(&accept)
            .map(|t| (accept.clone(), t))
            .or_else(|| {
                response
                    .response_templates
                    .first()
                    .map(|(k, t)| (k.clone(), t))
            });
        match template {
            Some((media, t)) if !t.text().is_empty() => {
                self.trace.push(format!("response template: {media}"));
                self.render("response template", t, Arc::from(payload))
            }
            _ => {
                self.trace.push("response passed through".to_string());
                Ok(payload.to_string())
            }
        }
    }

    /// The method response's status and headers: the integration response's, its
    /// response parameters, then the overrides the templates set.
    fn status_and_headers(
        &mut self,
        response: &super::api::IntegrationResponse,
        answer: &Answer,
    ) -> (u16, IndexMap<String, String>) {
        let mut status = response.status_code;
        let mut headers = IndexMap::new();
        for (target, source) in &response.response_parameters {
            let Some(name) = target.strip_prefix("method.response.header.") else {
                continue;
            };
            if let Some(v) = response_parameter(source, answer) {
                headers.insert(name.to_string(), v);
            }
        }
        let response_override = self.override_of("responseOverride");
        if let Some(s) = response_override.get("status") {
            let code = match s {
                serde_json::Value::String(t) => StatusCode::parse(t),
                _ => s.as_u64().and_then(StatusCode::new),
            };
            match code.map(|c| c.0) {
                Some(c) => {
                    self.trace.push(format!("responseOverride.status: {c}"));
                    status = c;
                }
                None => self.trace.push(format!(
                    "responseOverride.status {s} ignored: not a status code"
                )),
            }
        }
        headers.extend(header_map(response_override.get("header")));
        (status, headers)
    }

    /// A proxy integration's answer, passed back as it is: a Lambda proxy result's
    /// `statusCode`, `headers` and `body`, or the HTTP backend's response.
    fn proxy_response(mut self, outcome: Outcome, sent: BackendRequest) -> Simulation {
        let (status, headers, body) = match outcome {
            Outcome::LambdaResult(text) => {
                let Ok(serde_json::Value::Object(result)) = serde_json::from_str(&text) else {
                    self.trace
                        .push("the Lambda proxy result is not a JSON object: 502".to_string());
                    return message(502, "Internal server error", self.trace, None, Some(sent));
                };
                let status = result
                    .get("statusCode")
                    .and_then(|s| s.as_u64().or_else(|| s.as_str()?.parse().ok()))
                    .and_then(|s| u16::try_from(s).ok())
                    .unwrap_or(200);
                let headers = header_map(result.get("headers"));
                let body = body_text(result.get("body"));
                (status, headers, body)
            }
            Outcome::LambdaError(_) => {
                self.trace
                    .push("the Lambda function failed: 502".to_string());
                return message(502, "Internal server error", self.trace, None, Some(sent));
            }
            Outcome::Http {
                status,
                body,
                headers,
            } => (status, headers, body),
            Outcome::Mock => {
                self.trace
                    .push("a proxy integration needs a backend: 500".to_string());
                return internal_error(self.trace, None, Some(sent));
            }
        };
        self.trace.push(format!("proxy response {status}"));
        Simulation {
            backend_request: Some(sent),
            status,
            headers,
            body,
            trace: self.trace,
            error: None,
        }
    }
}

/// The status code a MOCK request template asks for: its output's integer `statusCode`.
fn mock_status(body: &str) -> Option<String> {
    json::parse(body)
        .ok()
        .and_then(|v| crate::java::property(&v, "statusCode"))
        .and_then(|s| match s {
            Value::Int(n) => Some(n.to_string()),
            Value::Long(n) => Some(n.to_string()),
            Value::Str(s) if s.parse::<i64>().is_ok() => Some(s.to_string()),
            _ => None,
        })
}

/// The value of a response parameter: `'literal'`, `integration.response.header.NAME`,
/// `integration.response.body` or `integration.response.body.a.b`.
fn response_parameter(source: &str, answer: &Answer) -> Option<String> {
    if let Some(lit) = source.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Some(lit.to_string());
    }
    if let Some(h) = source.strip_prefix("integration.response.header.") {
        return find_header(&answer.headers, h).map(str::to_string);
    }
    if source == "integration.response.body" {
        return Some(answer.payload.clone());
    }
    let path = source.strip_prefix("integration.response.body.")?;
    let mut v = json::parse(&answer.payload).ok()?;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        v = crate::java::property(&v, part)?;
        // A string on the way is read as JSON: a Lambda error's `errorMessage` holding a
        // JSON object (`errorMessage.errorType`).
        if parts.peek().is_some()
            && let Value::Str(s) = &v
        {
            v = json::parse(s).ok()?;
        }
    }
    Some(v.to_java_string())
}

/// Headers given as a JSON object: a string value as it is, any other as its JSON text;
/// anything but an object is no headers.
fn header_map(value: Option<&serde_json::Value>) -> IndexMap<String, String> {
    match value {
        Some(serde_json::Value::Object(h)) => h
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_string),
                )
            })
            .collect(),
        _ => IndexMap::new(),
    }
}

/// A body given in JSON: a string as it is, nothing or null as empty, any other value as
/// its JSON text.
fn body_text(value: Option<&serde_json::Value>) -> String {
    match value {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}
