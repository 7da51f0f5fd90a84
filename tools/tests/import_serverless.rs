//! The Serverless Framework reader: variables, the framework's defaults, and the fixture
//! project simulated end to end.

use std::path::{Path, PathBuf};

use vtl::apigateway::{IntegrationType, Method, Outcome, PassthroughBehavior, simulate};
use vtl_tools::import::{Format, Options, Source, load};

/// A service folder holding `files`, fresh for each test.
fn project(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vtl-serverless-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn read(name: &str, files: &[(&str, &str)], parameters: &[(&str, &str)]) -> Source {
    let dir = project(name, files);
    let mut options = Options::default();
    for (k, v) in parameters {
        options.parameters.insert(k.to_string(), v.to_string());
    }
    load(&dir, &options).unwrap()
}

fn method<'a>(source: &'a Source, http_method: &str, path: &str) -> &'a Method {
    source.apis[0]
        .api
        .methods
        .iter()
        .find(|m| m.http_method == http_method && m.path == path)
        .unwrap_or_else(|| panic!("no {http_method} {path}"))
}

fn default_template(name: &str) -> String {
    std::fs::read_to_string(Path::new("../docs/spec/serverless-default-templates").join(name))
        .unwrap()
}

#[test]
fn the_fixture_answers_the_400_of_the_seed() {
    let source = load(
        Path::new("../tests/fixtures/serverless"),
        &Options::default(),
    )
    .unwrap();
    assert_eq!(source.format, Format::Serverless);
    assert_eq!(source.apis[0].name, "lambdemo");
    let m = method(&source, "GET", "/{hoge}");
    let integration = m.integration.as_ref().unwrap();
    assert_eq!(integration.kind, IntegrationType::Aws);
    assert_eq!(
        integration.uri,
        "arn:aws:apigateway:ap-northeast-1:lambda:path/2015-03-31/functions/arn:aws:lambda:ap-northeast-1:123456789012:function:lambdemo-dev/invocations"
    );
    assert_eq!(
        integration.passthrough_behavior,
        PassthroughBehavior::WhenNoTemplates
    );
    let request = vtl::Request::new().with_path("hoge", "fuga");
    let answer = simulate(m, &request, |_| {
        Outcome::LambdaError(
            serde_json::from_str(r#"{"errorMessage": "[400:BadRequest] fuga is not hoge"}"#)
                .unwrap(),
        )
    });
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.body,
        "{\n  \"message\" : \"[400:BadRequest] fuga is not hoge\"\n}\n"
    );
    assert_eq!(answer.headers["Content-Type"], "application/json");
    assert!(source.warnings.is_empty(), "{:?}", source.warnings);
}

#[test]
fn a_template_from_a_file_keeps_the_file_as_its_origin() {
    let source = load(
        Path::new("../tests/fixtures/serverless"),
        &Options::default(),
    )
    .unwrap();
    let integration = method(&source, "GET", "/{hoge}")
        .integration
        .as_ref()
        .unwrap();
    let t = &integration.request_templates["application/json"];
    assert_eq!(
        t.text(),
        std::fs::read_to_string("../tests/fixtures/serverless/templates/request.vm").unwrap()
    );
    let origin = t.origin().unwrap();
    assert!(
        origin.file().ends_with("templates/request.vm"),
        "{}",
        origin.file()
    );
    let foreach = t.text().find("#foreach").unwrap();
    assert_eq!(t.locate(foreach).1, 3);
    // The framework's form template stays beside the user's JSON one.
    assert_eq!(
        integration.request_templates.keys().collect::<Vec<_>>(),
        ["application/json", "application/x-www-form-urlencoded"]
    );
    // 200 keeps its own empty template over the response-wide one; 400 gets error.vm.
    assert_eq!(
        integration.responses[0].response_templates["application/json"].text(),
        ""
    );
    let error = &integration.responses[1].response_templates["application/json"];
    assert!(
        error
            .origin()
            .unwrap()
            .file()
            .ends_with("templates/error.vm")
    );
    assert_eq!(
        integration.responses[1]
            .selection_pattern
            .as_ref()
            .unwrap()
            .text(),
        r"^\[400:.*"
    );
}

const LAMBDA_GET: &str = "service: svc
provider:
  name: aws
functions:
  fn:
    handler: h.h
    events:
      - http:
          path: /things/{id}/
          method: get
          integration: lambda
";

#[test]
fn a_lambda_event_without_templates_gets_the_framework_defaults() {
    let source = read("defaults", &[("serverless.yml", LAMBDA_GET)], &[]);
    let m = method(&source, "GET", "/things/{id}");
    let i = m.integration.as_ref().unwrap();
    assert_eq!(
        i.uri,
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:svc-dev-fn/invocations"
    );
    assert_eq!(i.http_method.as_deref(), Some("POST"));
    assert_eq!(i.passthrough_behavior, PassthroughBehavior::Never);
    assert_eq!(
        i.request_templates["application/json"].text(),
        default_template("application-json.vtl")
    );
    assert_eq!(
        i.request_templates["application/x-www-form-urlencoded"].text(),
        default_template("application-x-www-form-urlencoded.vtl")
    );
    let codes: Vec<(u16, &str)> = i
        .responses
        .iter()
        .map(|r| (r.status_code, r.selection_pattern.as_ref().unwrap().text()))
        .collect();
    assert_eq!(
        codes,
        [
            (200, ""),
            (400, r"[\s\S]*\[400\][\s\S]*"),
            (401, r"[\s\S]*\[401\][\s\S]*"),
            (403, r"[\s\S]*\[403\][\s\S]*"),
            (404, r"[\s\S]*\[404\][\s\S]*"),
            (422, r"[\s\S]*\[422\][\s\S]*"),
            (
                500,
                r"[\s\S]*(Process\s?exited\s?before\s?completing\s?request|\[500\])[\s\S]*"
            ),
            (502, r"[\s\S]*\[502\][\s\S]*"),
            (
                504,
                r"([\s\S]*\[504\][\s\S]*)|(.*Task timed out after \d+\.\d+ seconds$)"
            ),
        ]
    );
    assert!(i.responses.iter().all(|r| r.response_templates.is_empty()));
    assert_eq!(m.method_responses.as_ref().unwrap().len(), 9);
    // Both default templates compile.
    for t in i.request_templates.values() {
        t.compiled().unwrap();
    }
}

#[test]
fn user_templates_merge_over_the_defaults() {
    let yml = "service: svc
functions:
  fn:
    events:
      - http:
          path: a
          method: post
          integration: aws
          request:
            template:
              text/plain: 'plain $input.body'
              application/x-www-form-urlencoded: null
              application/json: |
                {\"a\": \"$input.path('$.a')\"}
";
    let source = read("merge", &[("serverless.yml", yml)], &[]);
    let i = method(&source, "POST", "/a").integration.as_ref().unwrap();
    assert_eq!(
        i.request_templates.keys().collect::<Vec<_>>(),
        ["application/json", "text/plain"]
    );
    let t = &i.request_templates["application/json"];
    assert_eq!(t.text(), "{\"a\": \"$input.path('$.a')\"}\n");
    let origin = t.origin().unwrap();
    assert!(origin.file().ends_with("serverless.yml"));
    assert_eq!(origin.start(), (14, 17));
    assert_eq!(t.locate(t.text().find("$input").unwrap()).2, 24);
    assert_eq!(
        i.request_templates["text/plain"].origin().unwrap().start(),
        (11, 28)
    );
}

#[test]
fn status_codes_come_in_ascending_order_with_an_added_default() {
    let yml = "service: svc
functions:
  fn:
    events:
      - http:
          path: a
          method: get
          integration: lambda
          response:
            headers:
              Content-Type: \"'text/plain'\"
            template: $input.path('$')
            statusCodes:
              404:
                pattern: '.*not found.*'
                headers:
                  X-Why: integration.response.header.Why
              201:
                template:
                  text/plain: done
              400:
                pattern: '.*bad.*'
                template: 'bad: $input.path(''$.errorMessage'')'
";
    let source = read("codes", &[("serverless.yml", yml)], &[]);
    let m = method(&source, "GET", "/a");
    let i = m.integration.as_ref().unwrap();
    let codes: Vec<(u16, &str)> = i
        .responses
        .iter()
        .map(|r| (r.status_code, r.selection_pattern.as_ref().unwrap().text()))
        .collect();
    assert_eq!(
        codes,
        [
            (200, ""),
            (201, ""),
            (400, ".*bad.*"),
            (404, ".*not found.*")
        ]
    );
    // 201's pattern is not `''`, so the framework still adds 200.
    assert_eq!(
        i.responses[0].response_templates["application/json"].text(),
        "$input.path('$')"
    );
    assert_eq!(
        i.responses[1].response_templates["text/plain"].text(),
        "done"
    );
    assert_eq!(
        i.responses[2].response_templates["application/json"].text(),
        "bad: $input.path('$.errorMessage')"
    );
    assert_eq!(
        i.responses[3]
            .response_parameters
            .iter()
            .collect::<Vec<_>>(),
        [
            (
                &"method.response.header.Content-Type".to_string(),
                &"'text/plain'".to_string()
            ),
            (
                &"method.response.header.X-Why".to_string(),
                &"integration.response.header.Why".to_string()
            ),
        ]
    );
    let pattern = i.responses[3].selection_pattern.as_ref().unwrap();
    assert_eq!(pattern.origin().unwrap().start(), (15, 27));
    assert_eq!(
        m.method_responses.as_ref().unwrap()[3].headers,
        ["Content-Type", "X-Why"]
    );
}

#[test]
fn short_form_and_missing_integration_are_lambda_proxies() {
    let yml = "service: svc
provider:
  name: aws
  stage: prod
  region: eu-west-1
functions:
  app:
    events:
      - http: GET health
      - http: ANY /app/{proxy+}
      - http:
          path: /
          method: any
      - http:
          path: p
          method: post
          integration: Aws-Proxy
";
    let source = read("proxy", &[("serverless.yml", yml)], &[]);
    let health = method(&source, "GET", "/health");
    let i = health.integration.as_ref().unwrap();
    assert_eq!(i.kind, IntegrationType::AwsProxy);
    assert!(i.uri.ends_with(":function:svc-prod-app/invocations"));
    assert!(
        i.uri
            .starts_with("arn:aws:apigateway:eu-west-1:lambda:path/")
    );
    assert!(i.request_templates.is_empty() && i.responses.is_empty());
    assert_eq!(
        method(&source, "ANY", "/app/{proxy+}")
            .integration
            .as_ref()
            .unwrap()
            .kind,
        IntegrationType::AwsProxy
    );
    assert_eq!(
        method(&source, "ANY", "/")
            .integration
            .as_ref()
            .unwrap()
            .kind,
        IntegrationType::AwsProxy
    );
    assert_eq!(
        method(&source, "POST", "/p")
            .integration
            .as_ref()
            .unwrap()
            .kind,
        IntegrationType::AwsProxy
    );
}

#[test]
fn variables_resolve_from_every_local_source() {
    let yml = "service: ${self:custom.name}
provider:
  name: aws
  stage: ${opt:stage, 'dev'}
custom:
  name: shop
  pass: ${file(./config.yml):passThrough}
  table: ${env:TABLE, \"fallback-table\"}
  deep: ${self:custom.${opt:which, 'name'}}
  pattern: ${file(config.json):patterns.bad}
functions:
  fn:
    name: ${self:service}-${sls:stage}-fn
    events:
      - http:
          path: ${opt:root, 'items'}
          method: get
          integration: lambda
          request:
            passThrough: ${self:custom.pass}
            template:
              application/json: '{\"table\": \"${self:custom.table}\", \"stage\": \"${sls:stage}\", \"deep\": \"${self:custom.deep}\", \"lit\": \"\\${opt:x}\"}'
              text/plain: ${file(req.vtl)}
          response:
            statusCodes:
              200:
                pattern: ''
              400:
                pattern: ${self:custom.pattern}
";
    let files = [
        ("serverless.yml", yml),
        ("config.yml", "passThrough: WHEN_NO_MATCH\n"),
        (
            "config.json",
            "{\"patterns\": {\"bad\": \".*\\\\[400\\\\].*\"}}",
        ),
        ("req.vtl", "stage ${sls:stage} of ${self:service}\n"),
    ];
    let source = read("vars", &files, &[("stage", "qa"), ("env:TABLE", "orders")]);
    assert!(source.warnings.is_empty(), "{:?}", source.warnings);
    assert_eq!(source.apis[0].name, "shop");
    let i = method(&source, "GET", "/items")
        .integration
        .as_ref()
        .unwrap();
    assert!(
        i.uri.ends_with(":function:shop-qa-fn/invocations"),
        "{}",
        i.uri
    );
    assert_eq!(i.passthrough_behavior, PassthroughBehavior::WhenNoMatch);
    assert_eq!(
        i.request_templates["application/json"].text(),
        r#"{"table": "orders", "stage": "qa", "deep": "shop", "lit": "${opt:x}"}"#
    );
    // A file's text is scanned again for variables, as the framework does.
    let plain = &i.request_templates["text/plain"];
    assert_eq!(plain.text(), "stage qa of shop\n");
    assert!(plain.origin().unwrap().file().ends_with("req.vtl"));
    assert_eq!(
        i.responses[1].selection_pattern.as_ref().unwrap().text(),
        r".*\[400\].*"
    );

    // Without the parameters: the fallbacks.
    let source = read("vars-fallback", &files, &[]);
    let i = method(&source, "GET", "/items")
        .integration
        .as_ref()
        .unwrap();
    assert!(i.uri.ends_with(":function:shop-dev-fn/invocations"));
    assert_eq!(
        i.request_templates["application/json"].text(),
        r#"{"table": "fallback-table", "stage": "dev", "deep": "shop", "lit": "${opt:x}"}"#
    );
}

#[test]
fn unresolvable_variables_are_warnings_with_placeholders() {
    let yml = "service: svc
functions:
  fn:
    events:
      - http:
          path: a
          method: get
          integration: mock
          request:
            template:
              application/json: 'key ${ssm:/my/key} opt ${opt:missing}'
          response:
            template: '{\"v\": \"${input.json(''$'')}\"}'
            statusCodes:
              200:
                pattern: ''
";
    let source = read("unresolved", &[("serverless.yml", yml)], &[]);
    let i = method(&source, "GET", "/a").integration.as_ref().unwrap();
    assert_eq!(
        i.request_templates["application/json"].text(),
        "key ${ssm:/my/key} opt ${opt:missing}"
    );
    let messages: Vec<String> = source.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages[0].ends_with("serverless.yml:11:38: `${ssm:/my/key}` cannot be resolved locally (`ssm` is known only when deploying); it is kept as written (give a value with --parameter or a fallback)"), "{}", messages[0]);
    assert!(messages[1].ends_with("serverless.yml:11:57: `${opt:missing}` cannot be resolved locally (no source gives a value); it is kept as written (give a value with --parameter or a fallback)"), "{}", messages[1]);
    assert!(messages[2].contains("serverless.yml:13:31: `${input.json('$')}`: unknown variable source `input.json`, kept as written; `${input.json('$')}` looks like a Velocity reference"), "{}", messages[2]);
    assert_eq!(
        i.responses[0].response_templates["application/json"].text(),
        "{\"v\": \"${input.json('$')}\"}"
    );
}

#[test]
fn cycles_and_bad_syntax_are_positioned_errors() {
    let yml = "service: svc
custom:
  a: ${self:custom.b}
  b: x ${self:custom.a}
functions:
  fn:
    name: ${self:custom.a}
";
    let dir = project("cycle", &[("serverless.yml", yml)]);
    let err = load(&dir, &Options::default()).unwrap_err();
    assert!(err.to_string().ends_with("serverless.yml:4:8: `${self:custom.a}` refers to itself (through `custom.a` → `custom.b`)"), "{err}");

    let yml = "service: svc\nfunctions:\n  fn:\n    name: ${opt:x, 'y'\n";
    let dir = project("unterminated", &[("serverless.yml", yml)]);
    let err = load(&dir, &Options::default()).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("serverless.yml:4:11: `${opt:x, 'y'`: the variable has no closing `}`"),
        "{err}"
    );

    let yml = "service: svc\nfunctions:\n  fn:\n    events:\n      - http:\n          path: a\n          method: get\n          integration: grpc\n";
    let dir = project("badintegration", &[("serverless.yml", yml)]);
    let err = load(&dir, &Options::default()).unwrap_err();
    assert!(err.to_string().ends_with("serverless.yml:8:24: function `fn`: unknown integration `grpc` (expected lambda, lambda-proxy, aws, aws-proxy, aws_proxy, http, http-proxy or mock)"), "{err}");
}

#[test]
fn doubling_references_stop_at_a_limit() {
    let mut yml = String::from(
        "service: svc\ncustom:\n  v0: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
    );
    for k in 1..30 {
        yml.push_str(&format!(
            "  v{k}: ${{self:custom.v{}}}${{self:custom.v{}}}\n",
            k - 1,
            k - 1
        ));
    }
    yml.push_str("functions:\n  fn:\n    name: ${self:custom.v29}\n");
    let dir = project("doubling", &[("serverless.yml", &yml)]);
    let err = load(&dir, &Options::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("variables expand to more than 64 MiB of text"),
        "{err}"
    );
}

#[test]
fn cors_true_adds_the_preflight_mock() {
    let yml = "service: svc
functions:
  fn:
    events:
      - http:
          path: c
          method: get
          integration: lambda
          cors: true
";
    let source = read("cors", &[("serverless.yml", yml)], &[]);
    let get = method(&source, "GET", "/c").integration.as_ref().unwrap();
    assert_eq!(
        get.responses[0].response_parameters["method.response.header.Access-Control-Allow-Origin"],
        "'*'"
    );
    let options = method(&source, "OPTIONS", "/c");
    let i = options.integration.as_ref().unwrap();
    assert_eq!(i.kind, IntegrationType::Mock);
    assert_eq!(
        i.request_templates["application/json"].text(),
        "{statusCode:200}"
    );
    let answer = simulate(options, &vtl::Request::new(), |_| Outcome::Mock);
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.headers["Access-Control-Allow-Methods"],
        "OPTIONS,GET"
    );
    assert_eq!(
        answer.headers["Access-Control-Allow-Headers"],
        "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent,X-Amzn-Trace-Id"
    );
}

#[test]
fn a_json_configuration_and_a_file_path_are_read_too() {
    let json = r#"{"service": "j", "provider": {"name": "aws"}, "functions": {"f": {"events": [{"http": "POST /x"}]}}}"#;
    let dir = project("json", &[("serverless.json", json)]);
    let source = load(&dir, &Options::default()).unwrap();
    assert_eq!(source.apis[0].name, "j");
    method(&source, "POST", "/x");
    let source = load(&dir.join("serverless.json"), &Options::default()).unwrap();
    assert_eq!(source.format, Format::Serverless);
}
