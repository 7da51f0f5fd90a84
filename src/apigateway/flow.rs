//! One non-proxy integration call, end to end: method request → request template →
//! backend → selection pattern → response template → method response.

use std::sync::Arc;

use indexmap::IndexMap;

use super::selection::{SelectionPattern, select};
use super::{MAX_TEMPLATE_BYTES, Request, json};
use crate::value::Value;
use crate::{Error, ErrorKind, Template};

/// The kind of backend an integration calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntegrationType {
    /// A Lambda function through a custom (non-proxy) integration: responses are selected
    /// by the `errorMessage` of a function error.
    Lambda,
    /// An HTTP backend: responses are selected by its status code.
    Http,
    /// An AWS service: responses are selected by its status code.
    AwsService,
    /// No backend: the request template's `statusCode` selects the response.
    Mock,
}

/// What API Gateway does with a request whose content type has no template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PassthroughBehavior {
    /// Pass it through unless it has a template (the default).
    #[default]
    WhenNoMatch,
    /// Pass it through only when the integration has no templates at all; else 415.
    WhenNoTemplates,
    /// Answer 415.
    Never,
}

/// An integration response: the method response status it maps to, and how.
#[derive(Debug)]
pub struct IntegrationResponse {
    /// The selection pattern; `None` (or empty) marks the default response.
    pub selection_pattern: Option<SelectionPattern>,
    /// The method response status code.
    pub status_code: u16,
    /// Response templates by media type (an empty template passes the payload through).
    pub response_templates: IndexMap<String, Template>,
    /// `method.response.header.NAME` → `'literal'`, `integration.response.header.NAME` or
    /// `integration.response.body[.field...]`.
    pub response_parameters: IndexMap<String, String>,
}

/// A non-proxy integration, in the shape of `x-amazon-apigateway-integration`.
#[derive(Debug)]
pub struct Integration {
    /// What is called.
    pub kind: IntegrationType,
    /// Request templates by content type.
    pub request_templates: IndexMap<String, Template>,
    /// What to do with content types that have no template.
    pub passthrough_behavior: PassthroughBehavior,
    /// The integration responses, in definition order.
    pub responses: Vec<IntegrationResponse>,
    /// The status codes of the method's responses (an API export lists them under the
    /// operation's `responses`): an integration response whose status is not among them
    /// ends in a 500. `None` when they are not known, as for an integration on its own.
    pub method_responses: Option<Vec<u16>>,
}

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

fn template(source: &str, what: &str) -> Result<Template, Error> {
    if source.len() > MAX_TEMPLATE_BYTES {
        return Err(invalid(format!(
            "{what}: {} bytes; API Gateway accepts at most {MAX_TEMPLATE_BYTES}",
            source.len()
        )));
    }
    Template::parse(source).map_err(|e| {
        Error::new(e.kind(), format!("{what}: {}", e.message())).at(e.line(), e.column())
    })
}

fn templates(
    v: Option<&serde_json::Value>,
    what: &str,
) -> Result<IndexMap<String, Template>, Error> {
    let Some(v) = v else {
        return Ok(IndexMap::new());
    };
    let serde_json::Value::Object(map) = v else {
        return Err(invalid(format!(
            "{what} must be an object of templates by media type"
        )));
    };
    map.iter()
        .map(|(media, t)| {
            let source = t
                .as_str()
                .ok_or_else(|| invalid(format!("{what}.{media} must be a string")))?;
            Ok((
                media.to_ascii_lowercase(),
                template(source, &format!("{what} {media}"))?,
            ))
        })
        .collect()
}

impl Integration {
    /// Reads an integration in the shape of API Gateway's `x-amazon-apigateway-integration`:
    ///
    /// ```json
    /// {"type": "AWS", "uri": "arn:aws:apigateway:us-east-1:lambda:path/...",
    ///  "requestTemplates": {"application/json": "..."},
    ///  "passthroughBehavior": "WHEN_NO_MATCH",
    ///  "responses": {"default": {"statusCode": "200"},
    ///                "^\\[400:.*": {"statusCode": "400", "responseTemplates": {"application/json": "..."},
    ///                               "responseParameters": {"method.response.header.X": "'v'"}}}}
    /// ```
    ///
    /// `type` is `AWS` (a Lambda function when `uri` names one, else an AWS service),
    /// `LAMBDA`, `HTTP` or `MOCK`. The keys of `responses` are the selection patterns, in
    /// definition order; `default` marks the default response.
    pub fn from_json(text: &str) -> Result<Integration, Error> {
        Integration::from_value(&super::parse_json(text, "the integration")?)
    }

    /// Reads an integration written in JSON or YAML (see [`Integration::from_json`]).
    pub fn from_text(text: &str) -> Result<Integration, Error> {
        Integration::from_value(&super::openapi::parse_document(text, "the integration")?)
    }

    /// Builds an integration from its parsed JSON (see [`Integration::from_json`]).
    pub fn from_value(v: &serde_json::Value) -> Result<Integration, Error> {
        let serde_json::Value::Object(fields) = v else {
            return Err(invalid("an integration must be a JSON object"));
        };
        for key in fields.keys() {
            if ![
                "type",
                "uri",
                "httpMethod",
                "requestTemplates",
                "passthroughBehavior",
                "responses",
                "contentHandling",
                "timeoutInMillis",
                "requestParameters",
            ]
            .contains(&key.as_str())
            {
                return Err(invalid(format!("unknown integration field `{key}`")));
            }
        }
        let uri = fields.get("uri").and_then(|u| u.as_str()).unwrap_or("");
        let kind = match fields
            .get("type")
            .and_then(|t| t.as_str())
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("AWS") if uri.contains(":lambda:") => IntegrationType::Lambda,
            Some("AWS") => IntegrationType::AwsService,
            Some("LAMBDA") => IntegrationType::Lambda,
            Some("HTTP") => IntegrationType::Http,
            Some("MOCK") => IntegrationType::Mock,
            Some(other) => {
                return Err(invalid(format!(
                    "integration type `{other}` is not simulated (proxy integrations have no templates)"
                )));
            }
            None => return Err(invalid("the integration needs a `type`")),
        };
        // Exports write `when_no_templates`, the API `WHEN_NO_TEMPLATES`: either is read.
        let passthrough_behavior = match fields
            .get("passthroughBehavior")
            .and_then(|p| p.as_str())
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            None | Some("WHEN_NO_MATCH") => PassthroughBehavior::WhenNoMatch,
            Some("WHEN_NO_TEMPLATES") => PassthroughBehavior::WhenNoTemplates,
            Some("NEVER") => PassthroughBehavior::Never,
            Some(other) => return Err(invalid(format!("unknown passthroughBehavior `{other}`"))),
        };
        let mut responses = Vec::new();
        if let Some(r) = fields.get("responses") {
            let serde_json::Value::Object(r) = r else {
                return Err(invalid(
                    "`responses` must be an object keyed by selection pattern",
                ));
            };
            for (pattern, resp) in r {
                let what = format!("response `{pattern}`");
                let status_code = match resp.get("statusCode") {
                    Some(serde_json::Value::String(s)) => s.parse().ok(),
                    Some(serde_json::Value::Number(n)) => {
                        n.as_u64().and_then(|n| u16::try_from(n).ok())
                    }
                    _ => None,
                }
                .filter(|s| (100..=599).contains(s))
                .ok_or_else(|| invalid(format!("{what} needs a statusCode between 100 and 599")))?;
                let selection_pattern = if pattern == "default" || pattern.is_empty() {
                    None
                } else {
                    Some(SelectionPattern::new(pattern).map_err(|e| {
                        Error::new(e.kind(), format!("{what}: {}", e.message()))
                            .at(e.line(), e.column())
                    })?)
                };
                let response_parameters = match resp.get("responseParameters") {
                    Some(serde_json::Value::Object(p)) => p
                        .iter()
                        .map(|(k, v)| {
                            v.as_str()
                                .map(|s| (k.clone(), s.to_string()))
                                .ok_or_else(|| {
                                    invalid(format!(
                                        "{what}: responseParameters.{k} must be a string"
                                    ))
                                })
                        })
                        .collect::<Result<_, _>>()?,
                    _ => IndexMap::new(),
                };
                responses.push(IntegrationResponse {
                    selection_pattern,
                    status_code,
                    response_templates: templates(
                        resp.get("responseTemplates"),
                        &format!("{what} responseTemplates"),
                    )?,
                    response_parameters,
                });
            }
        }
        Ok(Integration {
            kind,
            request_templates: templates(fields.get("requestTemplates"), "requestTemplates")?,
            passthrough_behavior,
            responses,
            method_responses: None,
        })
    }
}

impl Outcome {
    /// Reads a backend outcome:
    /// `{"type": "lambda", "result": ...}` (or `"payload": "<the result's JSON text>"`),
    /// `{"type": "lambda-error", "errorMessage": "...", "errorType": "...", "stackTrace": [...]}`,
    /// `{"type": "http", "status": 404, "body": "...", "headers": {...}}` (also for AWS
    /// services) or `{"type": "mock"}`.
    pub fn from_json(text: &str) -> Result<Outcome, Error> {
        Outcome::from_value(super::parse_json(text, "the backend outcome")?)
    }

    /// Reads a backend outcome written in JSON or YAML.
    pub fn from_text(text: &str) -> Result<Outcome, Error> {
        Outcome::from_value(super::openapi::parse_document(text, "the backend outcome")?)
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
                let body = match fields.get("body") {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                };
                let headers = match fields.get("headers") {
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
                };
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

/// Simulates one call. `backend` answers the backend request (it is not called when API
/// Gateway answers first, with a 415 or a 400).
///
/// ```
/// use vtl::apigateway::{Integration, Outcome, simulate};
///
/// let integration = Integration::from_json(r#"{
///   "type": "LAMBDA",
///   "requestTemplates": {"application/json": "{\"name\": \"$input.params('name')\"}"},
///   "responses": {
///     "default": {"statusCode": "200"},
///     "^\\[400:.*": {"statusCode": "400", "responseTemplates": {
///         "application/json": "{\"error\": \"$input.path('$.errorMessage')\"}"}}
///   }
/// }"#).unwrap();
/// let request = vtl::Request::new().with_path("name", "fuga");
/// let answer = simulate(&integration, &request, |backend| {
///     assert_eq!(backend.body, r#"{"name": "fuga"}"#);
///     Outcome::LambdaError(serde_json::from_str(r#"{"errorMessage": "[400:BadRequest] no"}"#).unwrap())
/// });
/// assert_eq!(answer.status, 400);
/// assert_eq!(answer.body, r#"{"error": "[400:BadRequest] no"}"#);
/// ```
pub fn simulate(
    integration: &Integration,
    request: &Request,
    backend: impl FnOnce(&BackendRequest) -> Outcome,
) -> Simulation {
    let mut trace = Vec::new();
    let context_map = request.context_map();
    let content_type = find_header(request.header(), "Content-Type")
        .map_or_else(|| "application/json".to_string(), media_type);
    trace.push(format!("request content type: {content_type}"));

    // The request template, by content type and passthrough behaviour.
    let chosen = integration.request_templates.get(&content_type);
    let passthrough = match (chosen, integration.passthrough_behavior) {
        (Some(_), _) => false,
        (None, PassthroughBehavior::WhenNoMatch) => true,
        (None, PassthroughBehavior::WhenNoTemplates)
            if integration.request_templates.is_empty() =>
        {
            true
        }
        (None, behavior) => {
            trace.push(format!(
                "no request template for {content_type} and passthroughBehavior {behavior:?}: 415"
            ));
            return message(415, "Unsupported Media Type", trace, None, None);
        }
    };
    let body = match chosen {
        Some(t) if !t.source().is_empty() => {
            trace.push(format!("request template: {content_type}"));
            let ctx = request.bind_payload(request.body_arc(), Some(&context_map));
            match t.render(&ctx) {
                Ok(out) => out,
                Err(e) => {
                    trace.push(format!("request template failed: {e}"));
                    return internal_error(trace, Some(e), None);
                }
            }
        }
        _ => {
            trace.push(
                if passthrough {
                    "request passed through (no template for its content type)"
                } else {
                    "request passed through (empty template)"
                }
                .to_string(),
            );
            request.body().to_string()
        }
    };
    let override_of = |name: &str| {
        context_map
            .borrow()
            .get(&crate::value::key::StrKey(name))
            .map_or(serde_json::Value::Null, Value::to_json)
    };
    let backend_request = BackendRequest {
        body: body.clone(),
        template: chosen
            .filter(|t| !t.source().is_empty())
            .map(|_| content_type.clone()),
        request_override: override_of("requestOverride"),
    };
    if integration.kind == IntegrationType::Lambda
        && let Some(why) = lambda_parse_error(&body)
    {
        trace.push(format!("Lambda rejects the request body: {why}"));
        return message(
            400,
            &format!(
                "Could not parse request body into json: {}",
                why.replace('"', "\\\"")
            ),
            trace,
            None,
            Some(backend_request),
        );
    }

    // The backend, and the value the selection patterns see.
    let outcome = backend(&backend_request);
    let (selected_by, payload, backend_headers): (
        Option<String>,
        String,
        IndexMap<String, String>,
    ) = match &outcome {
        Outcome::LambdaResult(text) => (None, text.clone(), IndexMap::new()),
        Outcome::LambdaError(e) => (
            Some(
                e.get("errorMessage")
                    .and_then(|m| m.as_str())
                    .unwrap_or("")
                    .to_string(),
            ),
            serde_json::Value::Object(e.clone()).to_string(),
            IndexMap::new(),
        ),
        Outcome::Http {
            status,
            body,
            headers,
        } => (Some(status.to_string()), body.clone(), headers.clone()),
        Outcome::Mock => {
            let status = json::parse(&body)
                .ok()
                .and_then(|v| crate::java::property(&v, "statusCode"))
                .and_then(|s| match s {
                    Value::Int(n) => Some(n.to_string()),
                    Value::Long(n) => Some(n.to_string()),
                    Value::Str(s) if s.parse::<i64>().is_ok() => Some(s.to_string()),
                    _ => None,
                });
            let Some(status) = status else {
                trace.push("MOCK: the request template gave no integer statusCode".to_string());
                return internal_error(trace, None, Some(backend_request));
            };
            (Some(status), String::new(), IndexMap::new())
        }
    };
    trace.push(match &selected_by {
        None => "backend: Lambda returned a result (the default response applies)".to_string(),
        Some(v) => format!("backend: selection value {v:?}"),
    });
    let patterns = integration
        .responses
        .iter()
        .enumerate()
        .map(|(i, r)| (i, r.selection_pattern.as_ref()));
    let index = match select(patterns, selected_by.as_deref()) {
        Ok(Some(i)) => i,
        Ok(None) => {
            trace.push(
                "no selection pattern matched and there is no default response: 500".to_string(),
            );
            return internal_error(trace, None, Some(backend_request));
        }
        Err(e) => {
            trace.push(format!("selection failed: {e}"));
            return internal_error(trace, Some(e), Some(backend_request));
        }
    };
    let response = &integration.responses[index];
    trace.push(format!(
        "integration response {} (pattern {})",
        response.status_code,
        response
            .selection_pattern
            .as_ref()
            .map_or("default".to_string(), |p| format!("{:?}", p.as_str()))
    ));
    if let Some(declared) = &integration.method_responses
        && !declared.contains(&response.status_code)
    {
        trace.push(format!(
            "the method has no {} response: 500",
            response.status_code
        ));
        return internal_error(trace, None, Some(backend_request));
    }

    // The response template, by the request's Accept header.
    let accept = find_header(request.header(), "Accept")
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
    let body = match template {
        Some((media, t)) if !t.source().is_empty() => {
            trace.push(format!("response template: {media}"));
            let ctx = request.bind_payload(Arc::from(payload.as_str()), Some(&context_map));
            match t.render(&ctx) {
                Ok(out) => out,
                Err(e) => {
                    trace.push(format!("response template failed: {e}"));
                    return internal_error(trace, Some(e), Some(backend_request));
                }
            }
        }
        _ => {
            trace.push("response passed through".to_string());
            payload.clone()
        }
    };

    // Status and headers: the integration response, then the overrides.
    let mut status = response.status_code;
    let mut headers = IndexMap::new();
    for (target, source) in &response.response_parameters {
        let Some(name) = target.strip_prefix("method.response.header.") else {
            continue;
        };
        let value = if let Some(lit) = source.strip_prefix('\'').and_then(|s| s.strip_suffix('\''))
        {
            Some(lit.to_string())
        } else if let Some(h) = source.strip_prefix("integration.response.header.") {
            find_header(&backend_headers, h).map(str::to_string)
        } else if source == "integration.response.body" {
            Some(payload.clone())
        } else if let Some(path) = source.strip_prefix("integration.response.body.") {
            json::parse(&payload).ok().and_then(|mut v| {
                let mut parts = path.split('.').peekable();
                while let Some(part) = parts.next() {
                    v = crate::java::property(&v, part)?;
                    // A string on the way is read as JSON: a Lambda error's `errorMessage`
                    // holding a JSON object (`errorMessage.errorType`).
                    if parts.peek().is_some()
                        && let Value::Str(s) = &v
                    {
                        v = json::parse(s).ok()?;
                    }
                }
                Some(v.to_java_string())
            })
        } else {
            None
        };
        if let Some(v) = value {
            headers.insert(name.to_string(), v);
        }
    }
    let response_override = override_of("responseOverride");
    if let Some(s) = response_override.get("status") {
        let code = s
            .as_u64()
            .or_else(|| s.as_str().and_then(|t| t.parse().ok()));
        match code
            .and_then(|c| u16::try_from(c).ok())
            .filter(|c| (100..=599).contains(c))
        {
            Some(c) => {
                trace.push(format!("responseOverride.status: {c}"));
                status = c;
            }
            None => trace.push(format!(
                "responseOverride.status {s} ignored: not a status code"
            )),
        }
    }
    if let Some(serde_json::Value::Object(h)) = response_override.get("header") {
        for (k, v) in h {
            headers.insert(
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_string),
            );
        }
    }
    trace.push(format!("method response {status}"));
    Simulation {
        backend_request: Some(backend_request),
        status,
        headers,
        body,
        trace,
        error: None,
    }
}
