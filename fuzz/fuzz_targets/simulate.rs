//! One simulated API Gateway call: an integration built from the input (templates,
//! selection patterns, response parameters) and a backend outcome. Simulating never
//! panics, gives a real status, positions its syntax errors and is deterministic.
//!
//! Input, two shapes:
//! - starting with `{`: `integration JSON \0 outcome JSON \0 request JSON` (as the CLI
//!   and examples/seed take them);
//! - else two flag bytes, then NUL-separated: request template, selection pattern, its
//!   response template, the default response template, the outcome text (Lambda result,
//!   errorMessage or HTTP body), the request body, a response parameter source.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::json;
use vtl::apigateway::{Integration, Method, Outcome, simulate};
use vtl::{Error, ErrorKind, Request};

fn check_error(e: &Error, what: &str) {
    assert!(
        (e.line() == 0 && e.column() == 0) || (e.line() >= 1 && e.column() >= 1),
        "{what}: half a position: {e:?}"
    );
    if e.kind() == ErrorKind::Syntax {
        assert!(
            e.line() >= 1 && e.column() >= 1,
            "{what}: syntax error without a position: {e:?}"
        );
    }
}

fn from_json(text: &str) -> Option<(Integration, Outcome, Request)> {
    let mut parts = text.split('\0');
    let integration = Integration::from_json(parts.next().unwrap_or(""));
    let outcome = parts.next().map(Outcome::from_json);
    let request = parts.next().map(Request::from_json);
    if let Err(e) = &integration {
        check_error(e, "Integration::from_json");
    }
    if let Some(Err(e)) = &outcome {
        check_error(e, "Outcome::from_json");
    }
    if let Some(Err(e)) = &request {
        check_error(e, "Request::from_json");
    }
    let outcome = outcome.unwrap_or(Ok(Outcome::Mock)).ok()?;
    let request = request.unwrap_or_else(|| Ok(Request::new())).ok()?;
    Some((integration.ok()?, outcome, request))
}

fn structured(flags: [u8; 2], text: &str) -> Option<(Integration, Outcome, Request)> {
    let mut parts = text.split('\0');
    let mut next = || parts.next().unwrap_or("");
    let (request_template, pattern, pattern_template, default_template) =
        (next(), next(), next(), next());
    let (outcome_text, body, parameter) = (next(), next(), next());

    let (kind, uri) = match flags[0] & 3 {
        0 => (
            "AWS",
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/g/invocations",
        ),
        1 => ("HTTP", "https://example.com/"),
        2 => ("MOCK", ""),
        _ => (
            "AWS",
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations",
        ),
    };
    let mut integration = json!({
        "type": kind,
        "uri": uri,
        "requestTemplates": {"application/json": request_template},
    });
    if flags[1] & 16 != 0 {
        integration["requestTemplates"]["text/plain"] = json!(default_template);
    }
    match (flags[0] >> 4) & 3 {
        0 => {}
        1 => integration["passthroughBehavior"] = json!("WHEN_NO_MATCH"),
        2 => integration["passthroughBehavior"] = json!("WHEN_NO_TEMPLATES"),
        _ => integration["passthroughBehavior"] = json!("NEVER"),
    }
    let mut parameters = json!({
        "method.response.header.A": "'literal'",
        "method.response.header.B": "integration.response.header.X-H",
        "method.response.header.C": "integration.response.body",
        "method.response.header.D": "integration.response.body.a.b",
    });
    if !parameter.is_empty() {
        parameters["method.response.header.F"] = json!(parameter);
    }
    let mut responses = serde_json::Map::new();
    let mut default = json!({
        "statusCode": "200",
        "responseTemplates": {"application/json": default_template},
    });
    if flags[1] & 4 != 0 {
        default["responseParameters"] = parameters.clone();
    }
    if flags[1] & 8 != 0 {
        responses.insert("default".into(), default.clone());
    }
    responses.insert(
        pattern.to_string(),
        json!({
            "statusCode": "400",
            "responseTemplates": {"application/json": pattern_template, "text/html": default_template},
            "responseParameters": parameters,
        }),
    );
    if flags[1] & 8 == 0 {
        responses.insert("default".into(), default);
    }
    integration["responses"] = serde_json::Value::Object(responses);

    let integration = match Integration::from_json(&integration.to_string()) {
        Ok(i) => i,
        Err(e) => {
            check_error(&e, "Integration::from_json");
            return None;
        }
    };
    let outcome = match (flags[0] >> 2) & 3 {
        0 => Outcome::LambdaResult(outcome_text.to_string()),
        1 => {
            let mut e = serde_json::Map::new();
            e.insert("errorMessage".into(), json!(outcome_text));
            e.insert("errorType".into(), json!("Error"));
            e.insert("stackTrace".into(), json!(["at f (index.js:1:1)"]));
            Outcome::LambdaError(e)
        }
        2 => Outcome::Http {
            status: [200, 400, 404, 502][usize::from(flags[1] & 3)],
            body: outcome_text.to_string(),
            headers: [("X-H".to_string(), "h'v\"".to_string())]
                .into_iter()
                .collect(),
        },
        _ => Outcome::Mock,
    };
    let mut request = Request::new()
        .with_body(body)
        .with_path("id", "7")
        .with_querystring("q", "x y")
        .with_stage_variable("env", "prod")
        .with_context("requestId", json!("r-1"));
    if flags[0] & 64 != 0 {
        request = request.with_header("Content-Type", "text/plain; charset=utf-8");
    }
    if flags[0] & 128 != 0 {
        request = request.with_header("Accept", "text/html,application/json");
    }
    Some((integration, outcome, request))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let built = if text.starts_with('{') {
        from_json(text)
    } else {
        let bytes = text.as_bytes();
        if bytes.len() < 2 || !text.is_char_boundary(2) {
            return;
        }
        structured([bytes[0], bytes[1]], &text[2..])
    };
    let Some((integration, outcome, request)) = built else {
        return;
    };
    let method = Method::new("ANY", "/", Some(integration));
    let templates = &method.integration.as_ref().expect("an integration").request_templates;
    let run = || {
        simulate(&method, &request, |backend| {
            if let Some(t) = &backend.template {
                assert!(templates.contains_key(t));
            }
            outcome.clone()
        })
    };
    let first = run();
    assert!(
        (100..=599).contains(&first.status),
        "status {}",
        first.status
    );
    if let Some(e) = &first.error {
        check_error(e, "simulate");
        assert_eq!(first.status, 500, "an error but status {}", first.status);
    }
    let second = run();
    assert_eq!(first, second, "simulate is not deterministic");
});
