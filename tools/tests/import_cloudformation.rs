//! The CloudFormation, SAM and CDK readers: intrinsic functions, resource chains, the
//! fixture projects simulated end to end, and where their templates were written.

use std::path::Path;

use vtl::apigateway::{Api, IntegrationType, Outcome, simulate};
use vtl_tools::document::Document;
use vtl_tools::import::{Format, Options, Source, cloudformation, load};

fn fixture(path: &str) -> Source {
    load(
        Path::new(&format!("../tests/fixtures/{path}")),
        &Options::default(),
    )
    .unwrap()
}

/// Reads `text` as `template.yaml` (or `.json` when it is JSON).
fn read_with(text: &str, parameters: &[(&str, &str)]) -> Result<Source, vtl::Error> {
    let name = if text.starts_with('{') {
        "template.json"
    } else {
        "template.yaml"
    };
    let doc = Document::parse(name, text)?;
    let mut options = Options::default();
    for (k, v) in parameters {
        options.parameters.insert(k.to_string(), v.to_string());
    }
    cloudformation::read(Path::new(name), &doc, Format::CloudFormation, &options)
}

fn read(text: &str) -> Source {
    read_with(text, &[]).unwrap()
}

fn error(text: &str) -> String {
    read_with(text, &[]).unwrap_err().to_string()
}

/// `GET /fuga` with the Lambda failing as the seed's function does.
fn seed_400(api: &Api) -> (u16, String) {
    let (method, params) = api.route("GET", "/fuga").unwrap();
    let mut request = vtl::Request::new();
    for (k, v) in params.iter() {
        request = request.with_path(k.clone(), v.clone());
    }
    let error = serde_json::json!({"errorMessage": "[400:BadRequest] fuga is not hoge"});
    let answer = simulate(method, &request, |_| {
        Outcome::LambdaError(error.as_object().unwrap().clone())
    });
    (answer.status, answer.body)
}

const SEED_400: &str = "{\n  \"message\" : \"[400:BadRequest] fuga is not hoge\"\n}\n";

#[test]
fn every_fixture_answers_the_seed_400() {
    let cases = [
        (
            "cloudformation/template.yaml",
            Format::CloudFormation,
            "Api",
        ),
        (
            "cloudformation/template.json",
            Format::CloudFormation,
            "Api",
        ),
        ("cloudformation", Format::CloudFormation, "Api"),
        ("sam", Format::Sam, "SeedApi"),
        ("sam-include", Format::Sam, "SeedApi"),
        ("sam-definitionuri", Format::Sam, "SeedApi"),
        ("cdk", Format::Cdk, "SeedStack/SeedApiB1F2E3A4"),
        ("cdk/cdk.out", Format::Cdk, "SeedStack/SeedApiB1F2E3A4"),
        (
            "cdk/cdk.out/manifest.json",
            Format::Cdk,
            "SeedStack/SeedApiB1F2E3A4",
        ),
        (
            "cdk/cdk.out/SeedStack.template.json",
            Format::CloudFormation,
            "SeedApiB1F2E3A4",
        ),
    ];
    for (path, format, name) in cases {
        let source = fixture(path);
        assert_eq!(source.format, format, "{path}");
        assert_eq!(source.apis.len(), 1, "{path}");
        assert_eq!(source.apis[0].name, name, "{path}");
        assert_eq!(
            seed_400(&source.apis[0].api),
            (400, SEED_400.to_string()),
            "{path}"
        );
    }
}

#[test]
fn the_cloudformation_fixture_builds_paths_from_resource_chains() {
    let source = fixture("cloudformation/template.yaml");
    let methods: Vec<_> = source.apis[0]
        .api
        .methods
        .iter()
        .map(|m| {
            (
                m.http_method.as_str(),
                m.path.as_str(),
                m.integration.as_ref().unwrap().kind,
            )
        })
        .collect();
    assert_eq!(
        methods,
        [
            ("GET", "/{hoge}", IntegrationType::Aws),
            ("OPTIONS", "/{hoge}", IntegrationType::Mock),
            ("ANY", "/app/{proxy+}", IntegrationType::AwsProxy),
            ("POST", "/items", IntegrationType::Aws),
            ("GET", "/items/{id}", IntegrationType::Aws),
        ]
    );
    let get = &source.apis[0].api.methods[0];
    let i = get.integration.as_ref().unwrap();
    assert_eq!(
        i.uri,
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/<Function.Arn>/invocations"
    );
    assert_eq!(i.http_method.as_deref(), Some("POST"));
    assert_eq!(i.content_handling.as_deref(), Some("CONVERT_TO_TEXT"));
    assert_eq!(
        i.passthrough_behavior,
        vtl::apigateway::PassthroughBehavior::WhenNoTemplates
    );
    let statuses: Vec<_> = get
        .method_responses
        .as_ref()
        .unwrap()
        .iter()
        .map(|r| r.status_code)
        .collect();
    assert_eq!(statuses, [200, 400]);
    let options = &source.apis[0].api.methods[1];
    assert_eq!(
        options.method_responses.as_ref().unwrap()[0].headers,
        [
            "Access-Control-Allow-Origin",
            "Access-Control-Allow-Methods",
            "Access-Control-Allow-Headers"
        ]
    );
    let sqs = source.apis[0].api.methods[3].integration.as_ref().unwrap();
    assert_eq!(
        sqs.uri,
        "arn:aws:apigateway:us-east-1:sqs:path/123456789012/<Queue.QueueName>"
    );
    assert_eq!(
        sqs.request_parameters["integration.request.header.Content-Type"],
        "'application/x-www-form-urlencoded'"
    );
    // Every placeholder is a warning where it was written.
    let warnings: Vec<_> = source.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings[0],
        "../tests/fixtures/cloudformation/template.yaml:128:86: `Function.Arn` is known only once \
         the stack is deployed: read as `<Function.Arn>` (give it with --parameter Function.Arn=VALUE)"
    );
    assert_eq!(
        warnings[2],
        "../tests/fixtures/cloudformation/template.yaml:242:22: `lambdemo-shared-ApiGatewaySqsRoleArn` \
         is exported by another stack: read as `<lambdemo-shared-ApiGatewaySqsRoleArn>` (give it with \
         --parameter lambdemo-shared-ApiGatewaySqsRoleArn=VALUE)"
    );
    assert_eq!(warnings.len(), 5);
}

#[test]
fn templates_keep_their_lines_in_yaml_and_json() {
    let yaml = fixture("cloudformation/template.yaml");
    let i = yaml.apis[0].api.methods[0].integration.as_ref().unwrap();
    let t = &i.request_templates["application/json"];
    let file = "../tests/fixtures/cloudformation/template.yaml";
    assert_eq!(t.origin().unwrap().to_string(), format!("{file}:133:13"));
    assert_eq!(
        t.locate(t.text().find("#foreach").unwrap()),
        (Some(file), 135, 13)
    );
    // `!Sub |` with `${!data.errorMessage}`: the `!` is gone, the positions stay.
    let error = &i.responses[1].response_templates["application/json"];
    assert_eq!(
        error.text(),
        "#set($data = $input.path('$'))\n{\n  \"message\" : \"${data.errorMessage}\"\n}\n"
    );
    assert_eq!(
        error.locate(error.text().find("${").unwrap()),
        (Some(file), 150, 32)
    );
    assert_eq!(
        error.locate(error.text().find("data.").unwrap()),
        (Some(file), 150, 35)
    );

    let json = fixture("cloudformation/template.json");
    let i = json.apis[0].api.methods[0].integration.as_ref().unwrap();
    let t = &i.request_templates["application/json"];
    let file = "../tests/fixtures/cloudformation/template.json";
    assert_eq!(t.origin().unwrap().to_string(), format!("{file}:110:34"));
    // `{`, `\n`, two spaces, `\"pathParams\"`, `: {`, `\n` come before it on line 110.
    assert_eq!(
        t.locate(t.text().find("#foreach").unwrap()),
        (Some(file), 110, 58)
    );
}

#[test]
fn join_with_newlines_keeps_the_position_of_each_piece() {
    let source = read(
        r#"{"Resources": {
 "Api": {"Type": "AWS::ApiGateway::RestApi"},
 "M": {"Type": "AWS::ApiGateway::Method", "Properties": {
  "RestApiId": {"Ref": "Api"}, "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
  "HttpMethod": "get",
  "Integration": {"Type": "MOCK", "RequestTemplates": {"Application/JSON": {"Fn::Join": ["\n", [
    "{",
      "\"statusCode\": 200",
    "}"]]}}}}}}}"#,
    );
    let method = &source.apis[0].api.methods[0];
    assert_eq!(
        (method.http_method.as_str(), method.path.as_str()),
        ("GET", "/")
    );
    let t = &method.integration.as_ref().unwrap().request_templates["application/json"];
    assert_eq!(t.text(), "{\n\"statusCode\": 200\n}");
    assert_eq!(t.locate(0), (Some("template.json"), 7, 6));
    assert_eq!(t.locate(2), (Some("template.json"), 8, 8));
    assert_eq!(t.locate(t.text().len() - 1), (Some("template.json"), 9, 6));
}

const HEAD: &str = "Parameters:
  Stage: {Type: String, Default: dev}
  Names: {Type: CommaDelimitedList, Default: 'a,b,c'}
  Secret: {Type: String}
Mappings:
  Settings:
    dev: {Level: DEBUG}
Conditions:
  IsDev: !Equals [!Ref Stage, dev]
  NotDev: !Not [!Condition IsDev]
  Both: !And [!Condition IsDev, !Or [!Condition NotDev, !Equals [1, 1]]]
Resources:
  Fn: {Type: AWS::Lambda::Function}
  Api: {Type: AWS::ApiGateway::RestApi}
  M:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: POST
      Integration:
        Type: MOCK
        RequestParameters:
";

/// The request parameters of the one method `HEAD` plus `lines` defines.
fn values(lines: &str, parameters: &[(&str, &str)]) -> (Vec<(String, String)>, Vec<String>) {
    let source = read_with(&format!("{HEAD}{lines}"), parameters).unwrap();
    let i = source.apis[0].api.methods[0].integration.as_ref().unwrap();
    let values = i
        .request_parameters
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    (
        values,
        source.warnings.iter().map(|w| w.to_string()).collect(),
    )
}

#[test]
fn every_intrinsic_function_reads_as_its_value() {
    let (v, warnings) = values(
        "          ref: !Ref Stage
          region: !Ref AWS::Region
          account: !Ref AWS::AccountId
          partition: !Ref AWS::Partition
          suffix: !Ref AWS::URLSuffix
          stack: !Ref AWS::StackName
          none: !Ref AWS::NoValue
          sub: !Sub '${Stage}-${AWS::Region}-${!Literal}-${X}'
          sublist: !Sub ['${A}/${Stage}', {A: !Ref Stage}]
          getatt: !GetAtt Fn.Arn
          join: !Join [',', [a, !Ref Stage]]
          if: !If [IsDev, yes-dev, no-dev]
          ifnot: !If [NotDev, x, !Ref AWS::NoValue]
          both: !If [Both, both, neither]
          select: !Select [1, !Ref Names]
          split: !Select ['2', !Split ['-', x-y-z]]
          map: !FindInMap [Settings, !Ref Stage, Level]
          import: !ImportValue shared-export
          base64: !Base64 hello!
          azs: !Join ['|', !GetAZs '']
          cidr: !Join [' ', !Cidr [10.0.0.0/16, 3, 8]]
          long:
            Fn::Join: ['', [{Ref: Stage}, {'Fn::Sub': '-${Stage}'}]]
          getatt3:
            Fn::GetAtt: [Fn, Outputs, Arn]
",
        &[("X", "given")],
    );
    let v: Vec<(&str, &str)> = v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        v,
        [
            ("ref", "dev"),
            ("region", "us-east-1"),
            ("account", "123456789012"),
            ("partition", "aws"),
            ("suffix", "amazonaws.com"),
            ("stack", "stack"),
            ("sub", "dev-us-east-1-${Literal}-given"),
            ("sublist", "dev/dev"),
            ("getatt", "<Fn.Arn>"),
            ("join", "a,dev"),
            ("if", "yes-dev"),
            ("both", "both"),
            ("select", "b"),
            ("split", "z"),
            ("map", "DEBUG"),
            ("import", "<shared-export>"),
            ("base64", "aGVsbG8h"),
            ("azs", "us-east-1a|us-east-1b|us-east-1c"),
            ("cidr", "10.0.0.0/24 10.0.1.0/24 10.0.2.0/24"),
            ("long", "dev-dev"),
            ("getatt3", "<Fn.Outputs.Arn>"),
        ]
    );
    assert_eq!(
        warnings,
        [
            "template.yaml:33:19: `Fn.Arn` is known only once the stack is deployed: read as \
             `<Fn.Arn>` (give it with --parameter Fn.Arn=VALUE)",
            "template.yaml:41:19: `shared-export` is exported by another stack: read as \
             `<shared-export>` (give it with --parameter shared-export=VALUE)",
            "template.yaml:48:13: `Fn.Outputs.Arn` is known only once the stack is deployed: read \
             as `<Fn.Outputs.Arn>` (give it with --parameter Fn.Outputs.Arn=VALUE)",
        ]
    );
}

#[test]
fn parameters_and_attributes_can_be_given() {
    let (v, warnings) = values(
        "          a: !Sub '${Fn.Arn} ${Secret} ${AWS::Region} ${Stage}'\n",
        &[
            ("Fn.Arn", "arn:fn"),
            ("Secret", "s"),
            ("AWS::Region", "cn-north-1"),
            ("Stage", "prod"),
        ],
    );
    assert_eq!(
        v,
        [("a".to_string(), "arn:fn s cn-north-1 prod".to_string())]
    );
    assert!(warnings.is_empty());
    let (v, _) = values(
        "          a: !Ref AWS::URLSuffix\n",
        &[("AWS::Region", "cn-north-1")],
    );
    assert_eq!(v[0].1, "amazonaws.com.cn");
}

#[test]
fn a_parameter_without_default_is_a_placeholder_at_its_position() {
    let (v, warnings) = values("          a: !Sub 'key=${Secret}'\n", &[]);
    assert_eq!(v[0].1, "key=<Secret>");
    assert_eq!(
        warnings,
        [
            "template.yaml:24:24: `Secret` is a parameter with no Default: read as `<Secret>` (give it \
          with --parameter Secret=VALUE)"
        ]
    );
}

#[test]
fn bad_intrinsics_are_positioned_errors() {
    let bad = |line: &str| error(&format!("{HEAD}          a: {line}\n"));
    assert_eq!(
        bad("!Ref Nope"),
        "template.yaml:24:14: `Nope` is neither a parameter nor a resource of the template"
    );
    assert_eq!(
        bad("!Sub '${Nope.Arn}'"),
        "template.yaml:24:20: `Nope` is not a resource of the template"
    );
    assert_eq!(
        bad("!Select [5, [a]]"),
        "template.yaml:24:23: `Fn::Select` index 5 is out of range (the list has 1)"
    );
    assert_eq!(
        bad("!FindInMap [Settings, prod, Level]"),
        "template.yaml:24:14: `Mappings` has no `Settings` → `prod` → `Level`"
    );
    assert_eq!(
        bad("!If [Unknown, a, b]"),
        "template.yaml:24:19: `Unknown` is not a condition of the template"
    );
    assert_eq!(
        bad("!Frobnicate x"),
        "template.yaml:24:14: unknown intrinsic function `Fn::Frobnicate`"
    );
    let cyclic = format!("{HEAD}          a: !If [Loop, a, b]\n").replace(
        "Conditions:\n",
        "Conditions:\n  Loop: !Not [!Condition Loop2]\n  Loop2: !Condition Loop\n",
    );
    assert_eq!(
        error(&cyclic),
        "template.yaml:9:9: condition `Loop` depends on itself (Loop → Loop2 → Loop)"
    );
    // Deeply nested functions stop at a depth limit instead of overflowing the stack.
    let deep = format!(
        "{HEAD}          a: {}x{}\n",
        "{'Fn::Base64': ".repeat(100),
        "}".repeat(100)
    );
    assert!(
        error(&deep).ends_with("intrinsic functions nest deeper than 64 levels"),
        "{}",
        error(&deep)
    );
}

const CHAIN: &str = "Resources:
  Api: {Type: AWS::ApiGateway::RestApi}
  A:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: a}
  B:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !Ref A, PathPart: '{b}'}
  C:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !Ref B, PathPart: !Sub '${AWS::Region}'}
  M:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref C, HttpMethod: any}
";

#[test]
fn resource_chains_make_full_paths() {
    let source = read(CHAIN);
    let m = &source.apis[0].api.methods[0];
    assert_eq!(
        (m.http_method.as_str(), m.path.as_str()),
        ("ANY", "/a/{b}/us-east-1")
    );
    assert!(m.integration.is_none());
    assert_eq!(m.origin.as_ref().unwrap().to_string(), "template.yaml:12:3");
}

#[test]
fn loops_and_dangling_parents_are_positioned_errors() {
    let looped = CHAIN.replace("ParentId: !GetAtt Api.RootResourceId", "ParentId: !Ref C");
    assert_eq!(
        error(&looped),
        "template.yaml:11:49: the ParentId chain of `C` loops back to `C`"
    );
    let dangling = CHAIN.replace("ParentId: !Ref A", "ParentId: !Ref Gone");
    assert_eq!(
        error(&dangling),
        "template.yaml:8:49: `Gone` is not an AWS::ApiGateway::Resource of this template"
    );
    let literal = CHAIN.replace("ResourceId: !Ref C", "ResourceId: abc123");
    assert_eq!(
        error(&literal),
        "template.yaml:14:51: a resource id must be `Ref` of an AWS::ApiGateway::Resource or \
         `Fn::GetAtt [Api, RootResourceId]`, not `abc123`"
    );
}

#[test]
fn method_properties_are_checked_where_they_are() {
    let bad = CHAIN.replace(
        "HttpMethod: any}",
        "HttpMethod: any,\n      Integration: {Type: LAMBDA}}",
    );
    assert_eq!(
        error(&bad),
        "template.yaml:15:27: method `M`: unknown integration type `LAMBDA` (expected AWS, AWS_PROXY, \
         HTTP, HTTP_PROXY or MOCK)"
    );
    let bad = CHAIN.replace(
        "HttpMethod: any}",
        "HttpMethod: any,\n      Integration: {Type: MOCK, IntegrationResponses: [{StatusCode: ok}]}}",
    );
    assert_eq!(
        error(&bad),
        "template.yaml:15:69: method `M`: `ok` is not an HTTP status code"
    );
}

#[test]
fn a_body_in_s3_is_refused_and_an_inline_body_is_read() {
    let s3 = "Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      BodyS3Location: {Bucket: b, Key: api.yaml}
";
    assert_eq!(
        error(s3),
        "template.yaml:5:7: `Api`: a `BodyS3Location` definition is in S3 and cannot be read here; \
         import the OpenAPI file itself, or put it in `Body`"
    );
    let inline = "Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        openapi: 3.0.1
        paths:
          /x:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                uri: !Sub 'https://${AWS::Region}.example.com/x'
  Other: {Type: AWS::ApiGateway::RestApi}
";
    let source = read(inline);
    assert_eq!(
        source
            .apis
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        ["Api", "Other"]
    );
    let i = source.apis[0].api.methods[0].integration.as_ref().unwrap();
    assert_eq!(
        (i.kind, i.uri.as_str()),
        (
            IntegrationType::HttpProxy,
            "https://us-east-1.example.com/x"
        )
    );
}

#[test]
fn a_resource_condition_leaves_it_out() {
    let conditional = CHAIN
        .replace(
            "Resources:\n",
            "Conditions:\n  No: !Equals [a, b]\nResources:\n",
        )
        .replace(
            "  M:\n    Type: AWS::ApiGateway::Method\n",
            "  M:\n    Type: AWS::ApiGateway::Method\n    Condition: No\n",
        );
    assert!(read(&conditional).apis[0].api.methods.is_empty());
}

#[test]
fn a_template_without_a_rest_api_says_so() {
    assert_eq!(
        error("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Q: {Type: AWS::SQS::Queue}\n"),
        "template.yaml:1:1: the template defines no REST API (no AWS::ApiGateway::RestApi, \
         AWS::Serverless::Api or AWS::Serverless::Function Api event)"
    );
}

#[test]
fn sam_events_add_proxy_methods_and_s3_definitions_are_refused() {
    let sam = fixture("sam");
    let health = sam.apis[0].api.methods.last().unwrap();
    assert_eq!(
        (health.http_method.as_str(), health.path.as_str()),
        ("GET", "/health")
    );
    let i = health.integration.as_ref().unwrap();
    assert_eq!(i.kind, IntegrationType::AwsProxy);
    assert_eq!(
        i.uri,
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/<HealthFunction.Arn>/invocations"
    );
    // A real substitution next to Velocity in a `!Sub` request template.
    let items = sam.apis[0].api.methods[2].integration.as_ref().unwrap();
    assert!(
        items.request_templates["application/json"]
            .text()
            .contains("\"TableName\": \"<ItemsTable>\"")
    );

    let implicit = "Transform: AWS::Serverless-2016-10-31
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        E: {Type: Api, Properties: {Path: /x/, Method: post}}
";
    let doc = Document::parse("template.yaml", implicit).unwrap();
    let source = cloudformation::read(
        Path::new("template.yaml"),
        &doc,
        Format::Sam,
        &Options::default(),
    )
    .unwrap();
    assert_eq!(source.apis[0].name, "ServerlessRestApi");
    let m = &source.apis[0].api.methods[0];
    assert_eq!((m.http_method.as_str(), m.path.as_str()), ("POST", "/x"));

    let s3 = "Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      DefinitionUri: s3://bucket/api.yaml
";
    let doc = Document::parse("template.yaml", s3).unwrap();
    let err = cloudformation::read(
        Path::new("template.yaml"),
        &doc,
        Format::Sam,
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "template.yaml:6:22: `Api`: `DefinitionUri` names s3://bucket/api.yaml, which cannot be read \
         here; point it at a local file"
    );
}

#[test]
fn an_included_definition_is_placed_in_its_own_file() {
    let source = fixture("sam-include");
    let m = &source.apis[0].api.methods[0];
    let t = &m.integration.as_ref().unwrap().request_templates["application/json"];
    assert_eq!(
        t.origin().unwrap().to_string(),
        "../tests/fixtures/sam-include/openapi.yaml:30:13"
    );
    let proxy = source.apis[0].api.methods.last().unwrap();
    assert_eq!(
        (proxy.http_method.as_str(), proxy.path.as_str()),
        ("ANY", "/app/{proxy+}")
    );
}
