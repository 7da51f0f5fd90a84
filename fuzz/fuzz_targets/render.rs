//! A template rendered against a request (API Gateway) and against a plain context (both
//! null modes) renders or fails cleanly, and renders the same way twice.
//!
//! Input: the first line is the request body (JSON or anything), the rest the template.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vtl::{Context, Error, ErrorKind, NullMode, Request, Template};

fn check_error(e: &Error, what: &str) {
    // Positioned errors are positioned in full; syntax errors always are.
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

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (body, src) = text.split_once('\n').unwrap_or(("", text));

    let parsed = Template::parse(src);
    if let Err(e) = &parsed {
        assert!(
            e.line() >= 1 && e.column() >= 1,
            "parse error without a position: {e:?}"
        );
    }

    // API Gateway: $input, $util, $context, $stageVariables.
    let request = Request::new()
        .with_body(body)
        .with_path("id", "7")
        .with_path("name", "fuga")
        .with_querystring("q", "a b&c")
        .with_querystring("empty", "")
        .with_header("Content-Type", "application/json")
        .with_header("X-Quote", "it's \"quoted\"")
        .with_stage_variable("env", "prod")
        .with_context("requestId", serde_json::json!("r-1"))
        .with_context(
            "identity",
            serde_json::json!({"sourceIp": "203.0.113.7", "caller": null}),
        )
        .with_context("requestTimeEpoch", serde_json::json!(1428582896000u64));
    let first = vtl::render(src, &request);
    if let Err(e) = &first {
        check_error(e, "vtl::render");
    }
    let second = vtl::render(src, &request);
    assert_eq!(first, second, "vtl::render is not deterministic");
    match &parsed {
        Err(pe) if src.len() <= vtl::apigateway::MAX_TEMPLATE_BYTES => {
            assert_eq!(first.as_ref().err(), Some(pe), "render and parse disagree")
        }
        Err(_) => {}
        Ok(t) => {
            let direct = t.render(&request);
            assert_eq!(first, direct, "vtl::render and Template::render disagree");
        }
    }

    // A plain context: the body's top-level fields (when it is a JSON object) as variables.
    let Ok(template) = parsed else {
        return;
    };
    let json: Option<serde_json::Value> = serde_json::from_str(body).ok();
    for mode in [NullMode::Stock, NullMode::Empty] {
        let mut ctx = Context::new();
        ctx.set_null_mode(mode);
        ctx.insert("a", serde_json::json!([1, "two", {"b": 3.5}]));
        ctx.insert("m", serde_json::json!({"k": "v", "n": null}));
        match &json {
            Some(serde_json::Value::Object(fields)) => {
                for (k, v) in fields {
                    ctx.insert(k.clone(), v.clone());
                }
            }
            Some(v) => {
                ctx.insert("body", v.clone());
            }
            None => {
                ctx.insert("body", serde_json::Value::String(body.to_string()));
            }
        }
        let a = template.render(&ctx);
        if let Err(e) = &a {
            check_error(e, "Template::render");
        }
        let b = template.render(&ctx);
        assert_eq!(a, b, "Template::render is not deterministic ({mode:?})");
    }
});
