//! The JSON API the page calls. Every answer is computed by the library code the command
//! line runs: `vtl::render` (as `vtl render`), `check_template` (as `vtl check`),
//! `select` (as `vtl select` and the simulator), `routes` and `simulate`.
//!
//! Each call is `POST /api/NAME` with a JSON object:
//!
//! | call | sends | answers |
//! | --- | --- | --- |
//! | `render` | `template`, `request` (a request file's text) | `output`, `json`, `error`, `inputError` |
//! | `check` | `template`, `request`, `contentType` | `findings` |
//! | `select` | `value` (a Lambda `errorMessage`, a status code, or `null` for a Lambda result), `responses` (`pattern`, `status`) | `chosen`, `why`, `responses` |
//! | `routes` | nothing | `source`, `routes` (with templates, a sample request and backend), `error` |
//! | `start` | nothing | what `routes` answers, and the `seed` template and request |
//! | `simulate` | `route`, `request`, `backend`, `templates` (edits) | `status`, `headers`, `body`, `trace`, `backendRequest`, `error`, `inputError` |
//! | `case` | what `render` or `simulate` sends | `text`: a `vtl test` case file |
//!
//! An input the library refuses (a request file with an unknown field, a backend outcome
//! that is not JSON) is answered with `inputError`: which input, the message, its line
//! and column. A call the API cannot read is a 400 with `error`.

use hyper::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value as Json, json};
use vtl::apigateway::MappingTemplate;
use vtl_tools::check::{Expect, Finding, Severity, check_template};
use vtl_tools::request::{self, Call, RequestFile};

use crate::flow::Playground;

/// Answers the call `name` with `body`: the status and the JSON answer.
pub fn call(playground: &Playground, name: &str, body: &[u8]) -> (StatusCode, Json) {
    let answer = match name {
        "render" => parse(body).map(|t| render(playground, &t)),
        "check" => parse(body).map(|t| check(playground, &t)),
        "select" => parse(body).map(|s| crate::selection::answer(&s)),
        "start" => Ok(playground.start()),
        "routes" => Ok(playground.routes()),
        "simulate" => parse(body).map(|s| playground.simulate(&s)),
        "case" => parse(body).map(|c| crate::case::answer(playground, &c)),
        _ => return (StatusCode::NOT_FOUND, problem(&format!("no call `{name}`"))),
    };
    match answer {
        Ok(value) => (StatusCode::OK, value),
        Err(message) => (StatusCode::BAD_REQUEST, problem(&message)),
    }
}

/// The answer to a call that cannot be made.
pub fn problem(message: &str) -> Json {
    json!({ "error": message })
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("the call is not understood: {e}"))
}

/// A template and the request it is rendered against, as typed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TemplateInput {
    /// The template's text.
    pub template: String,
    /// The request file's text (JSON or YAML); empty for an empty request.
    #[serde(default)]
    pub request: String,
    /// The media type the output is sent as (`check`): JSON output is checked when it
    /// is JSON.
    #[serde(default)]
    pub content_type: Option<String>,
    /// The route the request is sent to, when the playground has an API: the request is
    /// made as that method receives it.
    #[serde(default)]
    pub route: Option<usize>,
}

/// A library error as the page shows it: the message and where.
pub fn error_json(e: &vtl::Error) -> Json {
    json!({ "message": e.message(), "line": e.line(), "column": e.column() })
}

/// An input refused, named as the page names its editors (`request`, `backend`).
pub fn input_error(input: &str, e: &vtl::Error) -> Json {
    let mut value = error_json(e);
    value["input"] = json!(input);
    json!({ "inputError": value })
}

/// Reads the request editor's text as a request file.
pub fn request_file(text: &str) -> Result<RequestFile, vtl::Error> {
    if text.trim().is_empty() {
        return Ok(RequestFile::default());
    }
    RequestFile::parse("request", text)
}

/// The request as the template sees it: as `vtl render --request` makes it, or as the
/// route picked receives it.
fn template_request(playground: &Playground, input: &TemplateInput) -> Result<vtl::Request, Json> {
    if let Some(route) = input.route {
        return playground.request_for(route, &input.request);
    }
    let file = request_file(&input.request).map_err(|e| input_error("request", &e))?;
    Ok(request::local_call(&file, &Call::default()))
}

/// `vtl render`: the exact output, and whether it is JSON.
pub fn render(playground: &Playground, input: &TemplateInput) -> Json {
    let request = match template_request(playground, input) {
        Ok(r) => r,
        Err(e) => return e,
    };
    match vtl::render(&input.template, &request) {
        Ok(output) => json!({ "output": output, "json": json_validity(&output) }),
        Err(e) => json!({ "output": null, "error": error_json(&e) }),
    }
}

/// Whether `text` is JSON, in the words of the JSON parser `vtl check` reads output with.
pub fn json_validity(text: &str) -> Json {
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Ok(_) => json!({ "valid": true }),
        Err(e) => json!({
            "valid": false,
            "line": e.line(),
            "column": e.column(),
            "message": e.to_string(),
        }),
    }
}

/// `vtl check` of one template against the request typed.
pub fn check(playground: &Playground, input: &TemplateInput) -> Json {
    let request = match template_request(playground, input) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let content_type = input.content_type.as_deref().unwrap_or("application/json");
    // As `vtl check --content-type`: the media type's name without its parameters.
    let json = content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().to_ascii_lowercase().ends_with("json"));
    let expect = Expect {
        json,
        lambda: false,
    };
    let findings = check_template(&input.template, &[request], expect);
    json!({ "findings": findings_json(&input.template, &findings) })
}

/// Findings in the page's shape, each with the end of its span for the editor's mark.
pub fn findings_json(text: &str, findings: &[Finding]) -> Vec<Json> {
    let located = MappingTemplate::new(text, None);
    findings
        .iter()
        .map(|f| {
            let end = f.span.as_ref().map(|s| {
                let (_, line, column) = located.locate(s.end);
                json!({ "line": line, "column": column })
            });
            json!({
                "severity": if f.severity == Severity::Error { "error" } else { "warning" },
                "code": f.code,
                "message": f.message,
                "hint": f.hint,
                "line": f.line,
                "column": f.column,
                "end": end,
            })
        })
        .collect()
}
