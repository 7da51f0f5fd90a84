//! OpenAPI import (OpenAPI 3 and Swagger 2, JSON and YAML), routing of request paths,
//! skipped proxy integrations, error positions, and the case runner on the seed example.

use std::path::{Path, PathBuf};

use vtl::ErrorKind;
use vtl::apigateway::cases::{Report, run_file, run_str};
use vtl::apigateway::openapi::{Api, match_path};
use vtl::apigateway::{Integration, IntegrationType, PassthroughBehavior};

fn seed(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/seed")
        .join(file)
}

fn seed_integration() -> Integration {
    let text = std::fs::read_to_string(seed("integration.json")).unwrap();
    Integration::from_json(&text).unwrap()
}

/// The imported integration is the one of examples/seed/integration.json.
fn assert_seed_api(api: &Api) {
    assert_eq!(api.operations.len(), 1, "{api:?}");
    assert!(api.skipped.is_empty(), "{:?}", api.skipped);
    let op = &api.operations[0];
    assert_eq!((op.method.as_str(), op.path.as_str()), ("GET", "/{hoge}"));
    let expected = seed_integration();
    let got = &op.integration;
    assert_eq!(got.kind, IntegrationType::Lambda);
    assert_eq!(
        got.passthrough_behavior,
        PassthroughBehavior::WhenNoTemplates
    );
    assert_eq!(
        got.request_templates["application/json"].source(),
        expected.request_templates["application/json"].source()
    );
    assert_eq!(got.responses.len(), expected.responses.len());
    for (g, e) in got.responses.iter().zip(&expected.responses) {
        assert_eq!(g.status_code, e.status_code);
        assert_eq!(
            g.selection_pattern.as_ref().map(|p| p.as_str()),
            e.selection_pattern.as_ref().map(|p| p.as_str())
        );
        assert_eq!(
            g.response_templates["application/json"].source(),
            e.response_templates["application/json"].source()
        );
    }
}

#[test]
fn openapi3_yaml_export_of_the_seed() {
    assert_seed_api(&Api::from_path(&seed("api.yaml")).unwrap());
}

#[test]
fn swagger2_json_export_of_the_seed() {
    assert_seed_api(&Api::from_path(&seed("api.json")).unwrap());
}

const MOCK: &str = r#"{"type": "MOCK", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}, "responses": {"default": {"statusCode": "200"}}}"#;

#[test]
fn openapi3_json() {
    let text = format!(
        r#"{{"openapi": "3.0.1", "info": {{"title": "t", "version": "1"}},
            "paths": {{"/pets": {{"get": {{"x-amazon-apigateway-integration": {MOCK}}},
                                  "post": {{"x-amazon-apigateway-integration": {MOCK}}},
                                  "parameters": []}}}}}}"#
    );
    let api = Api::from_str(&text).unwrap();
    let ops: Vec<_> = api
        .operations
        .iter()
        .map(|o| format!("{} {}", o.method, o.path))
        .collect();
    assert_eq!(ops, ["GET /pets", "POST /pets"]);
    assert_eq!(api.operations[0].integration.kind, IntegrationType::Mock);
    // The FromStr trait works too.
    let parsed: Api = text.parse().unwrap();
    assert_eq!(parsed.operations.len(), 2);
}

#[test]
fn swagger2_yaml_with_any_method() {
    let api = Api::from_str(
        r#"
swagger: 2.0
basePath: /prod
paths:
  /items/{id}:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: http
        uri: https://example.com/items/{id}
        httpMethod: ANY
        passthroughBehavior: when_no_match
        credentials: arn:aws:iam::123456789012:role/r
        cacheKeyParameters: [method.request.path.id]
        cacheNamespace: abc
        connectionType: INTERNET
        responses:
          default: {statusCode: 200}
          4\d{2}:
            statusCode: 400
            responseTemplates:
              application/json: |
                {"error": $input.json('$')}
"#,
    )
    .unwrap();
    assert_eq!(api.operations.len(), 1);
    let op = &api.operations[0];
    assert_eq!(
        (op.method.as_str(), op.path.as_str()),
        ("ANY", "/items/{id}")
    );
    assert_eq!(op.integration.kind, IntegrationType::Http);
    assert_eq!(op.integration.responses[0].status_code, 200);
    assert_eq!(
        op.integration.responses[1]
            .selection_pattern
            .as_ref()
            .unwrap()
            .as_str(),
        r"4\d{2}"
    );
    assert_eq!(
        op.integration.responses[1].response_templates["application/json"].source(),
        "{\"error\": $input.json('$')}\n"
    );
    assert!(api.find("DELETE", "/items/9").is_some());
}

#[test]
fn yaml_numeric_keys_and_anchors() {
    let api = Api::from_str(
        r#"
openapi: 3.0.0
x-mock: &mock
  type: mock
  requestTemplates: {application/json: '{"statusCode": 200}'}
  responses: {default: {statusCode: "200"}}
paths:
  /a:
    get:
      responses:
        200: {description: ok}
      x-amazon-apigateway-integration: *mock
  /b:
    get:
      x-amazon-apigateway-integration:
        <<: *mock
        passthroughBehavior: never
"#,
    )
    .unwrap();
    assert_eq!(api.operations.len(), 2);
    assert_eq!(
        api.operations[1].integration.passthrough_behavior,
        PassthroughBehavior::Never
    );
}

fn routing_api() -> Api {
    let op = |m: &str| format!(r#""{m}": {{"x-amazon-apigateway-integration": {MOCK}}}"#);
    let text = format!(
        r#"{{"openapi": "3.0.1", "paths": {{
            "/": {{{}}},
            "/pets": {{{}}},
            "/pets/{{id}}": {{{}, {}}},
            "/pets/mine": {{{}}},
            "/pets/{{id}}/toys/{{toy}}": {{{}}},
            "/files/{{path+}}": {{{}}},
            "/{{proxy+}}": {{{}}}
        }}}}"#,
        op("get"),
        op("get"),
        op("get"),
        op("x-amazon-apigateway-any-method"),
        op("get"),
        op("get"),
        op("get"),
        op("x-amazon-apigateway-any-method"),
    );
    Api::from_str(&text).unwrap()
}

fn route(api: &Api, method: &str, path: &str) -> Option<String> {
    api.resolve(method, path).map(|(op, params)| {
        let params: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{} {} {}", op.method, op.path, params.join(","))
            .trim_end()
            .to_string()
    })
}

#[test]
fn path_matching() {
    let api = routing_api();
    let r = |m, p| route(&api, m, p);
    assert_eq!(r("GET", "/").as_deref(), Some("GET /"));
    assert_eq!(r("GET", "/pets").as_deref(), Some("GET /pets"));
    assert_eq!(r("GET", "/pets/").as_deref(), Some("GET /pets"));
    assert_eq!(r("get", "/pets/7").as_deref(), Some("GET /pets/{id} id=7"));
    assert_eq!(
        r("GET", "/pets/7?x=1").as_deref(),
        Some("GET /pets/{id} id=7")
    );
    // A literal segment beats a parameter.
    assert_eq!(r("GET", "/pets/mine").as_deref(), Some("GET /pets/mine"));
    // The method beats ANY on the same resource; ANY answers the other methods.
    assert_eq!(r("POST", "/pets/7").as_deref(), Some("ANY /pets/{id} id=7"));
    assert_eq!(
        r("GET", "/pets/7/toys/ball").as_deref(),
        Some("GET /pets/{id}/toys/{toy} id=7,toy=ball")
    );
    // Greedy parameters take one or more segments.
    assert_eq!(
        r("GET", "/files/a/b/c.txt").as_deref(),
        Some("GET /files/{path+} path=a/b/c.txt")
    );
    assert_eq!(
        r("GET", "/files").as_deref(),
        Some("ANY /{proxy+} proxy=files")
    );
    assert_eq!(
        r("PUT", "/pets/7/toys").as_deref(),
        Some("ANY /{proxy+} proxy=pets/7/toys")
    );
    // No resource for POST /, nor a greedy match of the root.
    assert_eq!(r("POST", "/"), None);
    assert_eq!(api.find("GET", "/pets/7").unwrap().path, "/pets/{id}");

    assert_eq!(match_path("/pets/{id}", "/pets/7").unwrap()["id"], "7");
    assert!(match_path("/pets/{id}", "/pets").is_none());
    assert!(match_path("/pets/{id}", "/pets/7/8").is_none());
    assert!(match_path("/Pets", "/pets").is_none());
    assert!(match_path("/{proxy+}", "/").is_none());
    let op = api.find("GET", "/pets/7").unwrap();
    assert_eq!(op.path_parameters("/pets/9").unwrap()["id"], "9");
}

#[test]
fn proxies_and_operations_without_integration_are_skipped() {
    let api = Api::from_str(&format!(
        r#"
openapi: 3.0.1
paths:
  /lambda/{{proxy+}}:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations
  /http:
    get:
      x-amazon-apigateway-integration:
        type: HTTP_PROXY
        uri: https://example.com
    post:
      summary: documented only
  /mock:
    get:
      x-amazon-apigateway-integration: {MOCK}
"#
    ))
    .unwrap();
    assert_eq!(api.operations.len(), 1);
    assert_eq!(api.operations[0].path, "/mock");
    let skipped: Vec<_> = api
        .skipped
        .iter()
        .map(|s| format!("{} {}: {}", s.method, s.path, s.reason))
        .collect();
    assert_eq!(
        skipped,
        [
            "ANY /lambda/{proxy+}: AWS_PROXY integration: a proxy integration has no mapping templates",
            "GET /http: HTTP_PROXY integration: a proxy integration has no mapping templates",
            "POST /http: no x-amazon-apigateway-integration",
        ]
    );
    assert!(api.find("GET", "/lambda/x").is_none());
}

#[test]
fn an_invalid_template_keeps_its_position_and_names_the_operation() {
    let err = Api::from_str(
        r#"
openapi: 3.0.1
paths:
  /pets/{id}:
    post:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: |
            {"statusCode": 200}
            #set($x = )
            #end
        responses: {default: {statusCode: "200"}}
"#,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Syntax, "{err}");
    assert!(
        err.message()
            .starts_with("POST /pets/{id}: requestTemplates application/json: "),
        "{err}"
    );
    // Line 2 of the template, not of the document.
    assert_eq!(err.line(), 2, "{err}");
    assert!(err.column() > 1, "{err}");

    let err = Api::from_str(
        r#"{"swagger": "2.0", "paths": {"/x": {"get": {"x-amazon-apigateway-integration": {
            "type": "MOCK", "responses": {"default": {"statusCode": "200",
            "responseTemplates": {"application/json": "ok\n  #end"}}}}}}}}"#,
    )
    .unwrap_err();
    assert!(
        err.message()
            .starts_with("GET /x: response `default` responseTemplates application/json: "),
        "{err}"
    );
    assert_eq!((err.line(), err.column()), (2, 3), "{err}");
}

#[test]
fn an_invalid_selection_pattern_keeps_its_column() {
    let err = Api::from_str(
        r#"
openapi: 3.0.1
paths:
  /x:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: lambda
        responses:
          'abc(': {statusCode: "400"}
"#,
    )
    .unwrap_err();
    assert!(
        err.message()
            .starts_with("ANY /x: response `abc(`: invalid selection pattern"),
        "{err}"
    );
    assert_eq!(err.line(), 1, "{err}");
}

#[test]
fn structural_errors_name_the_operation() {
    let err = Api::from_str(
        "openapi: 3.0.1\npaths:\n  /x:\n    put:\n      x-amazon-apigateway-integration:\n        uri: nothing\n",
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Input);
    assert_eq!(err.message(), "PUT /x: the integration needs a `type`");

    let err = Api::from_str(
        "openapi: 3.0.1\npaths:\n  /x:\n    get:\n      x-amazon-apigateway-integration:\n        type: mock\n        bogus: 1\n",
    )
    .unwrap_err();
    assert_eq!(err.message(), "GET /x: unknown integration field `bogus`");

    let err = Api::from_str(
        "openapi: 3.0.1\npaths:\n  /x:\n    get:\n      x-amazon-apigateway-integration: 7\n",
    )
    .unwrap_err();
    assert_eq!(
        err.message(),
        "GET /x: x-amazon-apigateway-integration must be an object"
    );

    let err = Api::from_str("title: nope\npaths: {}\n").unwrap_err();
    assert!(err.message().contains("not an OpenAPI document"), "{err}");
    let err = Api::from_str("openapi: 2.5\npaths: {}\n").unwrap_err();
    assert!(err.message().contains("`2.5` is not supported"), "{err}");
}

#[test]
fn documents_that_do_not_parse_point_into_the_document() {
    let err = Api::from_str("{\n  \"openapi\": \"3.0.1\",\n  \"paths\": {,}\n}").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Input);
    assert!(err.message().contains("not valid JSON"), "{err}");
    assert_eq!((err.line(), err.column()), (3, 13), "{err}");

    let err = Api::from_str("openapi: 3.0.1\npaths:\n  /x: [\n  y: 1\n").unwrap_err();
    assert!(err.message().contains("nor valid YAML"), "{err}");
    assert!(err.line() >= 3, "{err}");
    assert!(!err.message().contains(" at line 5 column 1"), "{err}");
}

fn summary(report: &Report) -> String {
    report.to_string()
}

#[test]
fn the_seed_cases_pass() {
    let report = run_file(&seed("cases.yaml")).unwrap();
    assert!(report.passed(), "{}", summary(&report));
    assert!(report.results.len() >= 4);
    assert!(
        summary(&report).ends_with(&format!("{} passed, 0 failed", report.results.len())),
        "{}",
        summary(&report)
    );
}

#[test]
fn the_seed_cases_pass_against_the_swagger2_export_too() {
    let text = std::fs::read_to_string(seed("cases.yaml"))
        .unwrap()
        .replace("api: api.yaml", "api: api.json");
    let report = run_str(&text, &seed("")).unwrap();
    assert!(report.passed(), "{}", summary(&report));
}

#[test]
fn a_wrong_expectation_fails_with_a_diff() {
    let report = run_str(
        r#"
api: api.yaml
cases:
  - name: wrong body
    request: {path: /fuga}
    backend: {type: lambda-error, errorMessage: "[400:BadRequest] fuga is not hoge"}
    expect:
      status: 400
      body: |
        {
          "message" : "[400:BadRequest] hoge is not fuga"
        }
  - name: wrong status and header
    request: {path: /hoge}
    backend: {type: lambda, payload: '{"message": "hogehoge"}'}
    expect:
      status: 201
      headers: {X-Missing: yes}
  - name: wrong JSON
    request: {path: /hoge}
    backend: {type: lambda, result: {message: hogehoge, n: 1}}
    expect:
      bodyJson: {message: hogehoge, n: 2}
  - name: right JSON, other key order and number spelling
    request: {path: /hoge}
    backend: {type: lambda, payload: '{"n": 1.0, "message": "hogehoge"}'}
    expect:
      bodyJson: {message: hogehoge, n: 1}
"#,
        &seed(""),
    )
    .unwrap();
    let r = &report.results;
    assert_eq!(report.failed(), 3, "{}", summary(&report));

    assert!(!r[0].passed);
    assert_eq!(
        r[0].failures,
        [concat!(
            "body differs (-expected +actual):\n",
            " {\n",
            "-  \"message\" : \"[400:BadRequest] hoge is not fuga\"\n",
            "+  \"message\" : \"[400:BadRequest] fuga is not hoge\"\n",
            " }\n",
            " "
        )]
    );

    assert_eq!(r[1].failures.len(), 2, "{:?}", r[1].failures);
    assert!(
        r[1].failures[0].starts_with("status: expected 201, got 200\n"),
        "{}",
        r[1].failures[0]
    );
    assert!(r[1].failures[0].contains("trace:"), "{}", r[1].failures[0]);
    assert!(
        r[1].failures[1].starts_with("header X-Missing: expected \"yes\""),
        "{}",
        r[1].failures[1]
    );

    assert!(
        r[2].failures[0].starts_with("body JSON differs at $.n: expected 2, got 1"),
        "{}",
        r[2].failures[0]
    );
    assert!(
        r[2].failures[0].contains("\n-  \"n\": 2\n+  \"n\": 1"),
        "{}",
        r[2].failures[0]
    );

    assert!(r[3].passed, "{:?}", r[3].failures);
    let text = summary(&report);
    assert!(text.contains("FAILED wrong body\n"), "{text}");
    assert!(text.ends_with("1 passed, 3 failed"), "{text}");
}

#[test]
fn inline_integrations_and_routing_failures() {
    let report = run_str(
        r#"{
  "integration": {
    "type": "MOCK",
    "requestTemplates": {"application/json": "{\"statusCode\": $input.params('code'), \"b\": $input.json('$.a')}"},
    "responses": {
      "default": {"statusCode": "200", "responseTemplates": {"application/json":
        "{\"id\": \"$input.params('id')\", \"q\": \"$input.params('q')\", \"h\": \"$input.params('X-H')\", \"s\": \"$stageVariables.env\", \"m\": \"$context.httpMethod\", \"r\": \"$context.resourcePath\"}"}},
      "404": {"statusCode": "404"}
    }
  },
  "resource": "/pets/{id}",
  "cases": [
    {"name": "params of every kind",
     "request": {"method": "post", "path": "/pets/7?q=a%20b&code=200", "headers": {"X-H": "h"},
                 "body": {"a": [1, 2]}, "stageVariables": {"env": "test"}},
     "expect": {"status": 200, "bodyJson": {"id": "7", "q": "a b", "h": "h", "s": "test",
                                            "m": "POST", "r": "/pets/{id}"},
                "backendBodyJson": {"statusCode": 200, "b": [1, 2]}}},
    {"name": "selected by status", "request": {"path": "/pets/1", "query": {"code": 404}},
     "expect": {"status": 404}},
    {"name": "wrong path", "request": {"path": "/cats/1"}, "expect": {"status": 200}}
  ]
}"#,
        Path::new("."),
    )
    .unwrap();
    let r = &report.results;
    assert!(r[0].passed, "{:?}", r[0].failures);
    assert!(r[1].passed, "{:?}", r[1].failures);
    assert_eq!(
        r[2].failures,
        ["the path /cats/1 does not match the resource /pets/{id}"]
    );

    let report = run_str(
        "api: api.yaml\ncases:\n  - request: {method: POST, path: /hoge}\n  - request: {path: /hoge}\n",
        &seed(""),
    )
    .unwrap();
    assert_eq!(report.results[0].name, "case 1");
    assert_eq!(
        report.results[0].failures,
        ["no operation of the API answers POST /hoge (operations: GET /{hoge})"]
    );
    assert_eq!(
        report.results[1].failures,
        ["the backend was called but the case has no `backend` to answer it"]
    );
}

#[test]
fn malformed_case_files_are_errors() {
    let err = |text: &str| run_str(text, &seed("")).unwrap_err();
    let e = err("api: api.yaml\ncases:\n  - name: typo\n    expect: {bodyjson: {}}\n");
    assert_eq!(e.kind(), ErrorKind::Input);
    assert!(
        e.message()
            .starts_with("case 1 (`typo`): unknown field `expect.bodyjson`"),
        "{e}"
    );
    let e = err("api: api.yaml\ncases:\n  - expect: {body: '', bodyJson: {}}\n");
    assert!(e.message().contains("not both"), "{e}");
    let e = err("api: api.yaml\ncases:\n  - backend: {type: lambda-err}\n");
    assert!(
        e.message().starts_with("case 1 (`case 1`): backend: "),
        "{e}"
    );
    let e = err("api: missing.yaml\ncases: []\n");
    assert!(e.message().contains("cannot read"), "{e}");
    let e = err("cases: []\n");
    assert!(e.message().contains("needs `api`"), "{e}");
    let e = err("api: api.yaml\ncases:\n  - request: {headers: {A: [1]}}\n");
    assert!(
        e.message().contains("`request.headers.A` must be a string"),
        "{e}"
    );
    let e = err("api: api.yaml\ncases: [\n");
    assert!(e.line() > 0, "{e}");
}

#[test]
fn a_status_without_a_method_response_ends_in_a_500() {
    // The specification, 5.1: the chosen status must also exist as a method response.
    let text = std::fs::read_to_string(seed("api.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let error = vtl::apigateway::Outcome::LambdaError(
        serde_json::json!({"errorMessage": "[400:BadRequest] fuga is not hoge"})
            .as_object()
            .cloned()
            .unwrap(),
    );
    let status = |doc: &serde_json::Value| {
        let api = Api::from_value(doc).unwrap();
        let (op, _) = api.resolve("GET", "/fuga").unwrap();
        vtl::apigateway::simulate(&op.integration, &vtl::Request::new(), |_| error.clone()).status
    };
    assert_eq!(status(&doc), 400);
    doc["paths"]["/{hoge}"]["get"]["responses"]
        .as_object_mut()
        .unwrap()
        .remove("400");
    assert_eq!(status(&doc), 500);
}
