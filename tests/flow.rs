//! The integration flow: selection vectors S1-S10 of the specification, passthrough
//! behaviour, template choice, overrides, and the seed scenario.

use serde_json::json;
use vtl::Request;
use vtl::apigateway::{Integration, Method, Outcome, Simulation, simulate};

/// The URI of a Lambda function's custom integration.
const LAMBDA: &str = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations";

/// A method whose integration is `v`, an `x-amazon-apigateway-integration` object.
fn integration(v: serde_json::Value) -> Method {
    Method::new(
        "ANY",
        "/",
        Some(Integration::from_value(&v).expect("valid integration")),
    )
}

fn lambda_error(message: &str) -> Outcome {
    Outcome::LambdaError(
        json!({"errorMessage": message, "errorType": "Error"})
            .as_object()
            .cloned()
            .unwrap(),
    )
}

fn http(status: u16) -> Outcome {
    Outcome::Http {
        status,
        body: "{}".into(),
        headers: Default::default(),
    }
}

fn run(i: &Method, outcome: Outcome) -> Simulation {
    simulate(i, &Request::new(), |_| outcome)
}

/// The responses of S1-S3: 200 default, 405 `.*four hundred.*`, 502 `.+`, 504 `200`.
fn lambda_s1() -> Method {
    integration(json!({"type": "AWS", "uri": LAMBDA, "responses": {
        "default": {"statusCode": "200"},
        ".*four hundred.*": {"statusCode": "405"},
        ".+": {"statusCode": "502"},
        "200": {"statusCode": "504"},
    }}))
}

#[test]
fn selection_vectors() {
    // S1, S2: the first matching pattern in definition order wins.
    assert_eq!(
        run(
            &lambda_s1(),
            lambda_error("Error: Raising four hundred from within the Lambda function")
        )
        .status,
        405
    );
    assert_eq!(
        run(
            &lambda_s1(),
            lambda_error("Error: Raising five hundred from within the Lambda function")
        )
        .status,
        502
    );
    // S3: a successful invocation takes the default, even if a pattern matches its result.
    assert_eq!(
        run(&lambda_s1(), Outcome::LambdaResult("\"Pass\"".into())).status,
        200
    );
    // S4, S5: HTTP integrations match the status code.
    let http_int = integration(json!({"type": "HTTP", "responses": {
        "default": {"statusCode": "200"}, "4\\d{2}": {"statusCode": "400"}}}));
    assert_eq!(run(&http_int, http(404)).status, 400);
    assert_eq!(run(&http_int, http(201)).status, 200);
    // S6: the seed's pattern.
    let seed = integration(json!({"type": "AWS", "uri": LAMBDA, "responses": {
        "": {"statusCode": "200"}, "^\\[400:.*": {"statusCode": "400"}}}));
    assert_eq!(
        run(&seed, lambda_error("[400:BadRequest] fuga is not hoge")).status,
        400
    );
    // S7, S8: `.` does not match a line break; `(\n|.)+` does. No match, no default: 500.
    let dot = integration(
        json!({"type": "AWS", "uri": LAMBDA, "responses": {".+": {"statusCode": "400"}}}),
    );
    let answer = run(&dot, lambda_error("line1\nline2"));
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (500, r#"{"message": "Internal server error"}"#)
    );
    let any = integration(
        json!({"type": "AWS", "uri": LAMBDA, "responses": {"(\\n|.)+": {"statusCode": "400"}}}),
    );
    assert_eq!(run(&any, lambda_error("line1\nline2")).status, 400);
    // S9: the whole message must match.
    let invalid = integration(
        json!({"type": "AWS", "uri": LAMBDA, "responses": {"Invalid": {"statusCode": "400"}}}),
    );
    assert_eq!(run(&invalid, lambda_error("Invalid request")).status, 500);
    // S10: `.*` matches a successful invocation too.
    let star = integration(json!({"type": "AWS", "uri": LAMBDA, "responses": {
        "default": {"statusCode": "200"}, ".*": {"statusCode": "500"}}}));
    assert_eq!(
        run(&star, Outcome::LambdaResult("{\"a\":1}".into())).status,
        500
    );
}

/// The passthrough table of spec 5.6: (templates, content type) → outcome per behaviour.
#[test]
fn passthrough_behaviour() {
    let cases: &[(&[&str], Option<&str>, [&str; 3])] = &[
        (&["application/json"], None, ["transformed"; 3]),
        (
            &["application/json"],
            Some("application/json; charset=UTF-8"),
            ["transformed"; 3],
        ),
        (
            &["application/json"],
            Some("application/xml"),
            ["passthrough", "415", "415"],
        ),
        (&["application/xml"], None, ["passthrough", "415", "415"]),
        (
            &["application/xml"],
            Some("application/xml"),
            ["transformed"; 3],
        ),
        (
            &[],
            Some("text/plain"),
            ["passthrough", "passthrough", "415"],
        ),
    ];
    for (templates, content_type, expected) in cases {
        // Exports write the behaviours in lower case, the API in upper case.
        for (behavior, want) in ["WHEN_NO_MATCH", "when_no_templates", "Never"]
            .iter()
            .zip(expected)
        {
            let request_templates: serde_json::Map<_, _> = templates
                .iter()
                .map(|t| (t.to_string(), json!("transformed")))
                .collect();
            let i = integration(json!({"type": "HTTP", "passthroughBehavior": behavior,
                "requestTemplates": request_templates, "responses": {"default": {"statusCode": "200"}}}));
            let mut request = Request::new().with_body("raw");
            if let Some(ct) = content_type {
                request = request.with_header("Content-Type", *ct);
            }
            let answer = simulate(&i, &request, |_| http(200));
            let got = match &answer.backend_request {
                None => answer.status.to_string(),
                Some(b) if b.body == "raw" => "passthrough".to_string(),
                Some(b) => b.body.clone(),
            };
            assert_eq!(&got, want, "{templates:?} {content_type:?} {behavior}");
            if got == "415" {
                assert_eq!(answer.body, r#"{"message": "Unsupported Media Type"}"#);
            }
        }
    }
}

#[test]
fn response_template_choice() {
    let i = integration(
        json!({"type": "HTTP", "responses": {"default": {"statusCode": "200",
        "responseTemplates": {"application/xml": "<x/>", "text/plain": "plain"}}}}),
    );
    let with_accept = |accept: Option<&str>| {
        let mut r = Request::new();
        if let Some(a) = accept {
            r = r.with_header("Accept", a);
        }
        simulate(&i, &r, |_| http(200)).body
    };
    assert_eq!(with_accept(Some("text/plain")), "plain");
    // Only the first media type of Accept counts.
    assert_eq!(with_accept(Some("text/plain, application/xml")), "plain");
    // No template for it (or no Accept, meaning application/json): the first template.
    assert_eq!(with_accept(None), "<x/>");
    assert_eq!(with_accept(Some("image/png")), "<x/>");
    // An empty template passes the payload through; so does having none.
    let empty = integration(
        json!({"type": "HTTP", "responses": {"default": {"statusCode": "200",
        "responseTemplates": {"application/json": ""}}}}),
    );
    let answer = simulate(&empty, &Request::new(), |_| Outcome::Http {
        status: 200,
        body: "as is".into(),
        headers: Default::default(),
    });
    assert_eq!(answer.body, "as is");
}

#[test]
fn overrides_and_headers() {
    let i = integration(json!({"type": "MOCK",
        "requestTemplates": {"application/json": "#set($context.requestOverride.path.kept = 'from request'){\"statusCode\": 200}"},
        "responses": {"default": {"statusCode": "200",
            "responseParameters": {"method.response.header.X-Fixed": "'yes'"},
            "responseTemplates": {"application/json":
                "#set($context.responseOverride.status = 418)#set($context.responseOverride.header.X-Extra = 'x')$context.requestOverride.path.kept"}}}}));
    let answer = simulate(&i, &Request::new(), |_| Outcome::Mock);
    assert_eq!(answer.status, 418);
    assert_eq!(answer.body, "from request");
    assert_eq!(
        answer.headers.get("X-Fixed").map(String::as_str),
        Some("yes")
    );
    assert_eq!(answer.headers.get("X-Extra").map(String::as_str), Some("x"));
    assert_eq!(
        answer.backend_request.unwrap().request_override["path"]["kept"],
        "from request"
    );

    // A status override that is no status code is ignored.
    let bad = integration(
        json!({"type": "MOCK", "requestTemplates": {"application/json": "{statusCode: 200}"},
        "responses": {"default": {"statusCode": "200", "responseTemplates": {"application/json":
            "#set($context.responseOverride.status = 'teapot')ok"}}}}),
    );
    assert_eq!(
        simulate(&bad, &Request::new(), |_| Outcome::Mock).status,
        200
    );

    // An override set twice fails the call.
    let twice = integration(
        json!({"type": "MOCK", "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
        "responses": {"default": {"statusCode": "200", "responseTemplates": {"application/json":
            "#set($context.responseOverride.status = 400)#set($context.responseOverride.status = 401)"}}}}),
    );
    let answer = simulate(&twice, &Request::new(), |_| Outcome::Mock);
    assert_eq!(answer.status, 500);
    assert!(answer.error.is_some());
}

#[test]
fn mock_status_and_lambda_json_errors() {
    let mock = integration(
        json!({"type": "MOCK", "requestTemplates": {"application/json": "{\"statusCode\": $input.params('code')}"},
        "responses": {"default": {"statusCode": "200"}, "4\\d\\d": {"statusCode": "404"}}}),
    );
    assert_eq!(
        simulate(&mock, &Request::new().with_path("code", "404"), |_| {
            Outcome::Mock
        })
        .status,
        404
    );
    assert_eq!(
        simulate(&mock, &Request::new().with_path("code", "oops"), |_| {
            Outcome::Mock
        })
        .status,
        500
    );

    // `\'` from escapeJavaScript is not JSON: Lambda's invoke API answers 400.
    let lambda = integration(json!({"type": "AWS", "uri": LAMBDA,
        "requestTemplates": {"application/json": "{\"q\": \"$util.escapeJavaScript($input.params('q'))\"}"},
        "responses": {"default": {"statusCode": "200"}}}));
    let mut called = false;
    let answer = simulate(
        &lambda,
        &Request::new().with_querystring("q", "it's"),
        |_| {
            called = true;
            Outcome::LambdaResult("1".into())
        },
    );
    assert!(!called);
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.body,
        r#"{"message": "Could not parse request body into json: Unrecognized character escape ''' (code 39)"}"#
    );
}

#[test]
fn the_seed_scenario() {
    let integration = Integration::from_json(include_str!("../examples/seed/integration.json"))
        .expect("seed integration");
    let i = Method::new("GET", "/{hoge}", Some(integration));
    let handler = |b: &vtl::apigateway::BackendRequest| {
        let event: serde_json::Value = serde_json::from_str(&b.body).expect("JSON request");
        if event["pathParams"]["hoge"] == "hoge" {
            Outcome::LambdaResult(r#"{"message": "hogehoge"}"#.into())
        } else {
            lambda_error("[400:BadRequest] fuga is not hoge")
        }
    };
    let ok = simulate(&i, &Request::new().with_path("hoge", "hoge"), handler);
    assert_eq!(
        (ok.status, ok.body.as_str()),
        (200, r#"{"message": "hogehoge"}"#)
    );
    let bad = simulate(&i, &Request::new().with_path("hoge", "fuga"), handler);
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.body,
        "{\n  \"message\" : \"[400:BadRequest] fuga is not hoge\"\n}\n"
    );
}

#[test]
fn header_from_a_field_of_a_json_error_message() {
    // A Lambda custom error whose errorMessage is a JSON object: a body-to-header mapping
    // reads inside it (the specification, 5.4).
    let i = integration(json!({"type": "AWS", "uri": LAMBDA, "responses": {
        ".*httpStatus.*": {"statusCode": "500", "responseParameters": {
            "method.response.header.X-Type": "integration.response.body.errorMessage.errorType",
            "method.response.header.X-Missing": "integration.response.body.errorMessage.nope"}}}}));
    let answer = run(
        &i,
        lambda_error(r#"{"errorType":"InternalServerError","httpStatus":500}"#),
    );
    assert_eq!(answer.status, 500);
    assert_eq!(
        answer.headers.get("X-Type").map(String::as_str),
        Some("InternalServerError")
    );
    assert!(!answer.headers.contains_key("X-Missing"));
}
