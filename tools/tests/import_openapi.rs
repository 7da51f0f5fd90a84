//! The OpenAPI reader: OpenAPI 3 and Swagger 2 in JSON and YAML, every method kept (proxies
//! and methods without an integration too), and errors and templates placed at their
//! positions in the document.

use std::path::Path;

use vtl::ErrorKind;
use vtl::apigateway::{Api, IntegrationType, PassthroughBehavior};
use vtl_tools::document::Document;
use vtl_tools::import::{Format, Options, load, openapi};

#[test]
fn the_seed_export_keeps_where_its_templates_are() {
    let source = load(Path::new("../examples/seed/api.yaml"), &Options::default()).unwrap();
    let method = &source.apis[0].api.methods[0];
    let integration = method.integration.as_ref().unwrap();
    let t = &integration.request_templates["application/json"];
    assert!(t.text().starts_with("{\n  \"pathParams\": {\n#foreach"));
    assert_eq!(
        t.origin().unwrap().to_string(),
        "../examples/seed/api.yaml:53:13"
    );
    let foreach = t.text().find("#foreach").unwrap();
    assert_eq!(
        t.locate(foreach),
        (Some("../examples/seed/api.yaml"), 55, 13)
    );
    let error = &integration.responses[1];
    assert_eq!(
        error.selection_pattern.as_ref().unwrap().text(),
        "^\\[400:.*"
    );
    assert_eq!(error.status_code, 400);
    assert_eq!(
        error
            .selection_pattern
            .as_ref()
            .unwrap()
            .origin()
            .unwrap()
            .start(),
        (43, 12)
    );
}

/// Reads an OpenAPI document given as text, named `api.yaml` in positions.
fn read(text: &str) -> Result<Api, vtl::Error> {
    let doc = Document::parse("api.yaml", text)?;
    openapi::read(&doc.file, &doc.root)
}

fn methods(api: &Api) -> Vec<String> {
    api.methods
        .iter()
        .map(|m| format!("{} {}", m.http_method, m.path))
        .collect()
}

/// The seed's one method, `GET /{hoge}`, as examples/seed/integration.json defines it.
fn assert_seed_api(api: &Api) {
    assert_eq!(methods(api), ["GET /{hoge}"]);
    let expected: vtl::apigateway::Integration = serde_json::from_str(
        &std::fs::read_to_string("../examples/seed/integration.json").unwrap(),
    )
    .unwrap();
    let got = api.methods[0].integration.as_ref().unwrap();
    assert_eq!(got.kind, IntegrationType::Aws);
    assert_eq!(
        got.passthrough_behavior,
        PassthroughBehavior::WhenNoTemplates
    );
    assert_eq!(
        got.request_templates["application/json"].text(),
        expected.request_templates["application/json"].text()
    );
    assert_eq!(got.responses.len(), expected.responses.len());
    for (g, e) in got.responses.iter().zip(&expected.responses) {
        assert_eq!(g.status_code, e.status_code);
        assert_eq!(
            g.selection_pattern.as_ref().map(|p| p.text()),
            e.selection_pattern.as_ref().map(|p| p.text())
        );
        assert_eq!(
            g.response_templates
                .get("application/json")
                .map(|t| t.text()),
            e.response_templates
                .get("application/json")
                .map(|t| t.text())
        );
    }
    let declared: Vec<u16> = api.methods[0]
        .method_responses
        .as_ref()
        .unwrap()
        .iter()
        .map(|r| r.status_code)
        .collect();
    assert_eq!(declared, [200, 400]);
}

#[test]
fn openapi3_yaml_export_of_the_seed() {
    let source = load(Path::new("../examples/seed/api.yaml"), &Options::default()).unwrap();
    assert_eq!(source.format, Format::OpenApi);
    assert_seed_api(source.api(None).unwrap());
}

#[test]
fn swagger2_json_export_of_the_seed() {
    let source = load(Path::new("../examples/seed/api.json"), &Options::default()).unwrap();
    assert_eq!(source.format, Format::OpenApi);
    assert_seed_api(source.api(None).unwrap());
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
    let api = read(&text).unwrap();
    assert_eq!(methods(&api), ["GET /pets", "POST /pets"]);
    let integration = api.methods[0].integration.as_ref().unwrap();
    assert_eq!(integration.kind, IntegrationType::Mock);
    // Each method is placed at its operation: the value of `"get"`, line 2.
    assert_eq!(
        api.methods[0].origin.as_ref().unwrap().to_string(),
        "api.yaml:2:40"
    );
}

#[test]
fn swagger2_yaml_with_any_method() {
    let api = read(
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
    assert_eq!(methods(&api), ["ANY /items/{id}"]);
    let integration = api.methods[0].integration.as_ref().unwrap();
    assert_eq!(integration.kind, IntegrationType::Http);
    assert_eq!(integration.responses[0].status_code, 200);
    assert!(integration.responses[0].is_default());
    let error = &integration.responses[1];
    assert_eq!(error.selection_pattern.as_ref().unwrap().text(), r"4\d{2}");
    assert_eq!(
        error.response_templates["application/json"].text(),
        "{\"error\": $input.json('$')}\n"
    );
    // ANY answers every method.
    assert_eq!(api.route("DELETE", "/items/9").unwrap().1["id"], "9");
}

#[test]
fn yaml_numeric_keys_and_anchors() {
    let api = read(
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
    assert_eq!(methods(&api), ["GET /a", "GET /b"]);
    assert_eq!(
        api.methods[0].method_responses.as_ref().unwrap()[0].status_code,
        200
    );
    assert_eq!(
        api.methods[1]
            .integration
            .as_ref()
            .unwrap()
            .passthrough_behavior,
        PassthroughBehavior::Never
    );
}

#[test]
fn proxies_and_methods_without_integration_are_kept() {
    let api = read(&format!(
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
    assert_eq!(
        methods(&api),
        [
            "ANY /lambda/{proxy+}",
            "GET /http",
            "POST /http",
            "GET /mock"
        ]
    );
    let kinds: Vec<Option<IntegrationType>> = api
        .methods
        .iter()
        .map(|m| m.integration.as_ref().map(|i| i.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            Some(IntegrationType::AwsProxy),
            Some(IntegrationType::HttpProxy),
            None,
            Some(IntegrationType::Mock)
        ]
    );
    assert_eq!(
        api.route("GET", "/lambda/x").unwrap().0.path,
        "/lambda/{proxy+}"
    );
}

#[test]
fn an_invalid_template_keeps_its_position_in_the_document() {
    let api = read(
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
    .unwrap();
    // Templates compile when first used; the error is at line 11 of the document, where
    // the template's second line is.
    let integration = api.methods[0].integration.as_ref().unwrap();
    let err = integration.request_templates["application/json"]
        .compiled()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Syntax, "{err}");
    assert_eq!((err.file(), err.line()), (Some("api.yaml"), 11), "{err}");
    assert!(err.column() > 13, "{err}");

    let api = read(
        r#"{"swagger": "2.0", "paths": {"/x": {"get": {"x-amazon-apigateway-integration": {
            "type": "MOCK", "responses": {"default": {"statusCode": "200",
            "responseTemplates": {"application/json": "ok\n  #end"}}}}}}}}"#,
    )
    .unwrap();
    let integration = api.methods[0].integration.as_ref().unwrap();
    let err = integration.responses[0].response_templates["application/json"]
        .compiled()
        .unwrap_err();
    // `#end` after the `\n` escape and two spaces: line 3 of the document, column 62.
    assert_eq!(
        (err.file(), err.line(), err.column()),
        (Some("api.yaml"), 3, 62),
        "{err}"
    );
}

#[test]
fn an_invalid_selection_pattern_keeps_its_column() {
    let api = read(
        r#"
openapi: 3.0.1
paths:
  /x:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: aws
        responses:
          'abc(': {statusCode: "400"}
"#,
    )
    .unwrap();
    let integration = api.methods[0].integration.as_ref().unwrap();
    let pattern = integration.responses[0].selection_pattern.as_ref().unwrap();
    let err = pattern.compiled().unwrap_err();
    assert_eq!((err.file(), err.line()), (Some("api.yaml"), 9), "{err}");
    assert!(err.column() >= 12, "{err}");
}

#[test]
fn structural_errors_point_at_the_value_and_name_the_method() {
    let err = read(
        "openapi: 3.0.1\npaths:\n  /x:\n    put:\n      x-amazon-apigateway-integration:\n        uri: nothing\n",
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Input);
    assert_eq!(
        err.to_string(),
        "api.yaml:6:9: PUT /x: missing field `type`"
    );

    let err = read(
        "openapi: 3.0.1\npaths:\n  /x:\n    get:\n      x-amazon-apigateway-integration:\n        type: mock\n        bogus: 1\n",
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("api.yaml:7:9: GET /x: unknown field `bogus`"),
        "{err}"
    );

    let err =
        read("openapi: 3.0.1\npaths:\n  /x:\n    get:\n      x-amazon-apigateway-integration: 7\n")
            .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("api.yaml:5:40: GET /x: invalid type"),
        "{err}"
    );

    let err = read("title: nope\npaths: {}\n").unwrap_err();
    assert!(err.message().contains("not an OpenAPI document"), "{err}");
    let err = read("openapi: 2.5\npaths: {}\n").unwrap_err();
    assert!(err.message().contains("`2.5` is not supported"), "{err}");
    assert_eq!((err.line(), err.column()), (1, 10), "{err}");
}

#[test]
fn documents_that_do_not_parse_point_into_the_document() {
    let err = read("{\n  \"openapi\": \"3.0.1\",\n  \"paths\": {,}\n}").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Input);
    assert_eq!(
        (err.file(), err.line(), err.column()),
        (Some("api.yaml"), 3, 13),
        "{err}"
    );

    let err = read("openapi: 3.0.1\npaths:\n  /x: [\n  y: 1\n").unwrap_err();
    assert_eq!(err.file(), Some("api.yaml"), "{err}");
    assert!(err.line() >= 3, "{err}");
}

#[test]
fn a_status_without_a_method_response_ends_in_a_500() {
    // The chosen status must also be declared as a method response.
    let text = std::fs::read_to_string("../examples/seed/api.json").unwrap();
    let error = vtl::apigateway::Outcome::LambdaError(
        serde_json::json!({"errorMessage": "[400:BadRequest] fuga is not hoge"})
            .as_object()
            .cloned()
            .unwrap(),
    );
    let status = |text: &str| {
        let api = read(text).unwrap();
        let (method, _) = api.route("GET", "/fuga").unwrap();
        vtl::apigateway::simulate(method, &vtl::Request::new(), |_| error.clone()).status
    };
    assert_eq!(status(&text), 400);
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["paths"]["/{hoge}"]["get"]["responses"]
        .as_object_mut()
        .unwrap()
        .shift_remove("400");
    assert_eq!(status(&doc.to_string()), 500);
}
