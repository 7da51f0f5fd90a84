//! The Terraform reader: HCL strings, heredocs, variables, locals, files and templates,
//! resources joined into methods, and the fixture modules simulated.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use vtl::apigateway::{IntegrationType, Method, Outcome, PassthroughBehavior, simulate};
use vtl_tools::import::{Format, Options, Source, load};

const FIXTURE: &str = "../tests/fixtures/terraform";
const BODY: &str = "../tests/fixtures/terraform-body";

fn fixture(path: &str) -> Source {
    load(Path::new(path), &Options::default()).unwrap()
}

fn method<'a>(source: &'a Source, api: usize, verb: &str, path: &str) -> &'a Method {
    source.apis[api]
        .api
        .methods
        .iter()
        .find(|m| m.http_method == verb && m.path == path)
        .unwrap_or_else(|| panic!("no {verb} {path}"))
}

fn lambda_error(method: &Method) -> (u16, String) {
    let request = vtl::Request::new().with_path("hoge", "fuga");
    let error = serde_json::json!({"errorMessage": "[400:BadRequest] fuga is not hoge"});
    let answer = simulate(method, &request, |_| {
        Outcome::LambdaError(error.as_object().cloned().unwrap())
    });
    (answer.status, answer.body)
}

const SEED_400: &str = "{\n  \"message\" : \"[400:BadRequest] fuga is not hoge\"\n}\n";
const SEED_REQUEST: &str = "{\n  \"pathParams\": {\n#foreach ($key in $input.params().path.keySet())\n    \"$key\": \"$util.escapeJavaScript($input.params().path.get($key))\"#if ($foreach.hasNext),#end\n#end\n  }\n}\n";

/// A module of the given files under the build folder, so that messages name it plainly.
fn module(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = PathBuf::from(format!("../target/tf-tests/{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    for (file, text) in files {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn read(dir: &Path) -> Result<Source, vtl::Error> {
    load(dir, &Options::default())
}

/// The API of a module of one `main.tf` with a mock `GET /` whose request template is
/// `template` (an HCL expression).
fn with_template(name: &str, template: &str, extra: &str) -> (PathBuf, Result<Source, vtl::Error>) {
    let main = format!(
        r#"resource "aws_api_gateway_rest_api" "api" {{
  name = "t"
}}

resource "aws_api_gateway_method" "get" {{
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_rest_api.api.root_resource_id
  http_method   = "GET"
  authorization = "NONE"
}}

resource "aws_api_gateway_integration" "get" {{
  rest_api_id = aws_api_gateway_rest_api.api.id
  resource_id = aws_api_gateway_rest_api.api.root_resource_id
  http_method = aws_api_gateway_method.get.http_method
  type        = "MOCK"
  request_templates = {{
    "application/json" = {template}
  }}
}}
{extra}"#
    );
    let dir = module(name, &[("main.tf", &main)]);
    let source = read(&dir);
    (dir, source)
}

fn request_template(source: &Source) -> &vtl::apigateway::MappingTemplate {
    &source.apis[0].api.methods[0]
        .integration
        .as_ref()
        .unwrap()
        .request_templates["application/json"]
}

#[test]
fn the_fixture_module_answers_the_lambda_error_with_the_seed_400() {
    let source = fixture(FIXTURE);
    assert_eq!(source.format, Format::Terraform);
    assert_eq!(source.apis.len(), 1);
    assert_eq!(source.apis[0].name, "aws_api_gateway_rest_api.api");
    let get = method(&source, 0, "GET", "/{hoge}");
    assert_eq!(lambda_error(get), (400, SEED_400.to_string()));
    let integration = get.integration.as_ref().unwrap();
    assert_eq!(integration.kind, IntegrationType::Aws);
    assert_eq!(integration.http_method.as_deref(), Some("POST"));
    assert_eq!(
        integration.passthrough_behavior,
        PassthroughBehavior::WhenNoTemplates
    );
    assert_eq!(
        integration.content_handling.as_deref(),
        Some("CONVERT_TO_TEXT")
    );
    assert_eq!(
        integration.uri,
        "arn:aws:apigateway:ap-northeast-1:lambda:path/2015-03-31/functions/arn:aws:lambda:ap-northeast-1:123456789012:function:lambdemo/invocations"
    );
    assert_eq!(
        get.origin.as_ref().unwrap().to_string(),
        "../tests/fixtures/terraform/main.tf:104:1"
    );
}

#[test]
fn heredoc_templates_point_at_their_lines_of_main_tf() {
    let source = fixture(FIXTURE);
    let get = method(&source, 0, "GET", "/{hoge}");
    let integration = get.integration.as_ref().unwrap();
    let request = &integration.request_templates["application/json"];
    assert_eq!(request.text(), SEED_REQUEST);
    // `<<EOF` at line 126: the content starts on the next line, column 1.
    assert_eq!(
        request.origin().unwrap().to_string(),
        "../tests/fixtures/terraform/main.tf:127:1"
    );
    let foreach = request.text().find("#foreach").unwrap();
    assert_eq!(
        request.locate(foreach),
        (Some("../tests/fixtures/terraform/main.tf"), 129, 1)
    );
    // The `<<-EOT` 400 template: six spaces stripped, `$${` read as `${`.
    let error = &integration.responses[1];
    assert_eq!(error.status_code, 400);
    assert_eq!(
        error.selection_pattern.as_ref().unwrap().text(),
        "^\\[400:.*"
    );
    let t = &error.response_templates["application/json"];
    assert_eq!(
        t.text(),
        "#set($data = $input.path('$'))\n{\n  \"message\" : \"${data.errorMessage}\"\n}\n"
    );
    assert_eq!(
        t.origin().unwrap().to_string(),
        "../tests/fixtures/terraform/main.tf:182:7"
    );
    let message = t.text().find("\"message\"").unwrap();
    assert_eq!(
        t.locate(message),
        (Some("../tests/fixtures/terraform/main.tf"), 184, 9)
    );
    // Past the `$${` escape the text is one character shorter than the file.
    let data = t.text().find("data.errorMessage").unwrap();
    assert_eq!(
        t.locate(data),
        (Some("../tests/fixtures/terraform/main.tf"), 184, 25)
    );
    // A quoted string maps past its `\\` escape.
    let p = error.selection_pattern.as_ref().unwrap();
    assert_eq!(
        p.origin().unwrap().to_string(),
        "../tests/fixtures/terraform/main.tf:178:24"
    );
    assert_eq!(
        p.locate(3),
        (Some("../tests/fixtures/terraform/main.tf"), 178, 28)
    );
}

#[test]
fn resources_chain_into_paths_and_responses_join_their_methods() {
    let source = fixture(FIXTURE);
    let methods: Vec<String> = source.apis[0]
        .api
        .methods
        .iter()
        .map(|m| format!("{} {}", m.http_method, m.path))
        .collect();
    assert_eq!(
        methods,
        [
            "GET /{hoge}",
            "OPTIONS /{hoge}",
            "ANY /app/{proxy+}",
            "POST /items",
            "GET /items/{id}"
        ]
    );
    let options = method(&source, 0, "OPTIONS", "/{hoge}");
    let responses = options.method_responses.as_ref().unwrap();
    assert_eq!(responses[0].status_code, 200);
    assert_eq!(
        responses[0].headers,
        [
            "Access-Control-Allow-Origin",
            "Access-Control-Allow-Methods"
        ]
    );
    let mock = options.integration.as_ref().unwrap();
    assert_eq!(
        mock.request_templates["application/json"].text(),
        r#"{"statusCode":200}"#
    );
    assert_eq!(
        mock.responses[0].response_parameters["method.response.header.Access-Control-Allow-Methods"],
        "'GET,OPTIONS'"
    );
    // `for_each = toset(["200", "400"])`, referred to as `...item_get["400"].status_code`.
    let item = method(&source, 0, "GET", "/items/{id}");
    let codes: Vec<u16> = item
        .method_responses
        .as_ref()
        .unwrap()
        .iter()
        .map(|r| r.status_code)
        .collect();
    assert_eq!(codes, [200, 400]);
    let statuses: Vec<u16> = item
        .integration
        .as_ref()
        .unwrap()
        .responses
        .iter()
        .map(|r| r.status_code)
        .collect();
    assert_eq!(statuses, [200, 400]);
    assert_eq!(
        method(&source, 0, "ANY", "/app/{proxy+}")
            .integration
            .as_ref()
            .unwrap()
            .kind,
        IntegrationType::AwsProxy
    );
}

#[test]
fn file_and_templatefile_templates_point_at_their_files() {
    let source = fixture(FIXTURE);
    let item = method(&source, 0, "GET", "/items/{id}");
    let integration = item.integration.as_ref().unwrap();
    let request = &integration.request_templates["application/json"];
    assert_eq!(request.text(), SEED_REQUEST);
    assert_eq!(
        request.origin().unwrap().to_string(),
        "../tests/fixtures/terraform/templates/request.vm:1:1"
    );
    let error = &integration.responses[1].response_templates["application/json"];
    // `"$${data.${field}}"` with field = "errorMessage".
    assert_eq!(
        error.text(),
        "#set($data = $input.path('$'))\n{\n  \"message\" : \"${data.errorMessage}\"\n}\n"
    );
    assert_eq!(
        error.origin().unwrap().to_string(),
        "../tests/fixtures/terraform/templates/error.vm.tftpl:1:1"
    );
    assert_eq!(lambda_error(item), (400, SEED_400.to_string()));
}

#[test]
fn variables_take_their_defaults_unless_a_parameter_overrides_them() {
    let request = |source: &Source| {
        method(source, 0, "POST", "/items")
            .integration
            .as_ref()
            .unwrap()
            .request_templates["application/json"]
            .text()
            .to_string()
    };
    let default = request(&fixture(FIXTURE));
    assert!(
        default.starts_with("{\n  \"TableName\": \"lambdemo-items\",\n"),
        "{default}"
    );
    assert!(default.contains("\"stage\": {\"S\": \"snapshot\"}"));
    assert!(default.contains("{\"S\": \"$context.requestId\"}"));
    let mut parameters = IndexMap::new();
    parameters.insert("table_name".to_string(), "other".to_string());
    let options = Options {
        format: None,
        parameters,
    };
    let overridden = request(&load(Path::new(FIXTURE), &options).unwrap());
    assert!(
        overridden.starts_with("{\n  \"TableName\": \"other\",\n"),
        "{overridden}"
    );
}

#[test]
fn values_only_aws_knows_are_placeholders_with_a_warning_where_they_are_used() {
    let source = fixture(FIXTURE);
    let warnings: Vec<String> = source.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(warnings.len(), 3);
    assert_eq!(
        warnings[0],
        "../tests/fixtures/terraform/main.tf:121:29: `aws_lambda_function.fn.invoke_arn` is known only once the resource exists; it reads as `arn:aws:apigateway:ap-northeast-1:lambda:path/2015-03-31/functions/arn:aws:lambda:ap-northeast-1:123456789012:function:lambdemo/invocations` here (give it with --parameter aws_lambda_function.fn.invoke_arn=VALUE)"
    );
    assert!(
        warnings[2].starts_with(
            "../tests/fixtures/terraform/main.tf:388:98: `aws_lambda_function.fn.arn`"
        )
    );
    let (_, source) = with_template(
        "unknown",
        r#""${aws_s3_bucket.b.arn}""#,
        "resource \"aws_s3_bucket\" \"b\" {}\n",
    );
    let source = source.unwrap();
    assert_eq!(request_template(&source).text(), "<aws_s3_bucket.b.arn>");
    assert_eq!(
        source.warnings[0].to_string(),
        "../target/tf-tests/unknown/main.tf:18:29: `aws_s3_bucket.b.arn` is known only once the resource exists; it reads as `<aws_s3_bucket.b.arn>` here (give it with --parameter aws_s3_bucket.b.arn=VALUE)"
    );
    let (_, source) = with_template("data", "sha256(data.x.y.z)", "");
    let source = source.unwrap();
    assert_eq!(request_template(&source).text(), "<sha256(data.x.y.z)>");
    assert_eq!(source.warnings.len(), 2, "{:?}", source.warnings);
    assert!(
        source.warnings[1].to_string().starts_with(
            "../target/tf-tests/data/main.tf:18:26: `sha256(data.x.y.z)` calls sha256()"
        )
    );
}

#[test]
fn the_body_fixture_reads_both_openapi_bodies() {
    let source = fixture(BODY);
    let names: Vec<&str> = source.apis.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "aws_api_gateway_rest_api.api",
            "aws_api_gateway_rest_api.from_file"
        ]
    );
    for i in 0..2 {
        let get = method(&source, i, "GET", "/{hoge}");
        assert_eq!(lambda_error(get), (400, SEED_400.to_string()), "api {i}");
        let integration = get.integration.as_ref().unwrap();
        assert_eq!(
            integration.request_templates["application/json"].text(),
            SEED_REQUEST
        );
        assert_eq!(
            integration.uri,
            "arn:aws:apigateway:ap-northeast-1:lambda:path/2015-03-31/functions/arn:aws:lambda:ap-northeast-1:123456789012:function:lambdemo/invocations"
        );
        let mock = method(&source, i, "OPTIONS", "/{hoge}")
            .integration
            .as_ref()
            .unwrap();
        assert_eq!(mock.kind, IntegrationType::Mock);
        assert_eq!(
            method(&source, i, "ANY", "/app/{proxy+}")
                .integration
                .as_ref()
                .unwrap()
                .kind,
            IntegrationType::AwsProxy
        );
    }
    // jsonencode's nested mock template, minified.
    let mock = method(&source, 0, "OPTIONS", "/{hoge}")
        .integration
        .as_ref()
        .unwrap();
    assert_eq!(
        mock.request_templates["application/json"].text(),
        r#"{"statusCode":200}"#
    );
    // The heredoc inside jsonencode keeps its lines of main.tf (`<<-EOT` at line 70).
    let get = method(&source, 0, "GET", "/{hoge}");
    let t = &get.integration.as_ref().unwrap().request_templates["application/json"];
    assert_eq!(
        t.origin().unwrap().to_string(),
        "../tests/fixtures/terraform-body/main.tf:71:17"
    );
    let foreach = t.text().find("#foreach").unwrap();
    assert_eq!(
        t.locate(foreach),
        (Some("../tests/fixtures/terraform-body/main.tf"), 73, 17)
    );
    // The templatefile body is read from the rendered template.
    let from_file = method(&source, 1, "GET", "/{hoge}");
    assert_eq!(
        from_file.origin.as_ref().unwrap().file(),
        "../tests/fixtures/terraform-body/openapi.json.tftpl"
    );
    assert_eq!(source.warnings.len(), 1);
}

#[test]
fn heredocs_keep_or_strip_indentation_as_terraform_does() {
    let (_, source) = with_template("heredoc", "<<EOF\n  a\n    b\nEOF", "");
    let t = request_template(source.as_ref().unwrap());
    assert_eq!(t.text(), "  a\n    b\n");
    assert_eq!(
        t.origin().unwrap().to_string(),
        "../target/tf-tests/heredoc/main.tf:19:1"
    );
    // Blank lines do not count and are kept; tabs are whitespace too.
    let (_, source) = with_template(
        "indented",
        "<<-EOF\n      a\n\n        b\n\t   c\n    EOF",
        "",
    );
    let t = request_template(source.as_ref().unwrap());
    assert_eq!(t.text(), "  a\n\n    b\nc\n");
    assert_eq!(
        t.origin().unwrap().to_string(),
        "../target/tf-tests/indented/main.tf:19:5"
    );
    let b = t.text().find('b').unwrap();
    assert_eq!(
        t.locate(b),
        (Some("../target/tf-tests/indented/main.tf"), 21, 9)
    );
    // A line that starts with an interpolation strips nothing.
    let (_, source) = with_template("interpolated", "<<-EOF\n    a\n${\"x\"}\nEOF", "");
    assert_eq!(
        request_template(source.as_ref().unwrap()).text(),
        "    a\nx\n"
    );
}

#[test]
fn escapes_give_literal_markers_and_positions_skip_them() {
    // `$${` and `%%{` in a heredoc; backslashes are literal there.
    let (_, source) = with_template("heredoc-escapes", "<<EOF\n$${a} %%{b} \\n $x\nEOF", "");
    assert_eq!(
        request_template(source.as_ref().unwrap()).text(),
        "${a} %{b} \\n $x\n"
    );
    // In a quoted string, backslash escapes too.
    let (_, source) = with_template("quoted", r#""{\n  \"a\": \"$${b}%%{c}\"\n}""#, "");
    let t = request_template(source.as_ref().unwrap());
    assert_eq!(t.text(), "{\n  \"a\": \"${b}%{c}\"\n}");
    assert_eq!(
        t.origin().unwrap().to_string(),
        "../target/tf-tests/quoted/main.tf:18:27"
    );
    // `\"a\"`: the `a` is after `"{\n  \"` on the same line of main.tf.
    let a = t.text().find('a').unwrap();
    assert_eq!(
        t.locate(a),
        (Some("../target/tf-tests/quoted/main.tf"), 18, 34)
    );
    let c = t.text().find('c').unwrap();
    assert_eq!(
        t.locate(c),
        (Some("../target/tf-tests/quoted/main.tf"), 18, 49)
    );
}

#[test]
fn locals_and_variables_interpolate_and_parameters_override() {
    let extra = r#"
variable "stage" {
  default = "dev"
}

locals {
  greeting = "hello ${local.name}"
  name     = upper(var.stage)
}
"#;
    let (dir, source) = with_template(
        "locals",
        r#""${local.greeting} from ${path.module}""#,
        extra,
    );
    assert_eq!(
        request_template(source.as_ref().unwrap()).text(),
        "hello DEV from ../target/tf-tests/locals"
    );
    let mut parameters = IndexMap::new();
    parameters.insert("stage".to_string(), "prod".to_string());
    let source = load(
        &dir,
        &Options {
            format: None,
            parameters,
        },
    )
    .unwrap();
    assert_eq!(
        request_template(&source).text(),
        "hello PROD from ../target/tf-tests/locals"
    );
}

#[test]
fn locals_that_refer_to_themselves_are_refused() {
    let extra = "locals {\n  a = local.b\n  b = \"${local.a}!\"\n}\n";
    let (_, source) = with_template("cycle", "local.a", extra);
    assert_eq!(
        source.unwrap_err().to_string(),
        "../target/tf-tests/cycle/main.tf:23:10: `local.a` depends on itself (local.a → local.b → local.a)"
    );
}

#[test]
fn jsonencode_writes_keys_sorted_and_minified() {
    let (_, source) = with_template(
        "jsonencode",
        r#"jsonencode({ b = 1, B = [true, null], a10 = "<&>", a9 = { y = 1.5, x = "q\"" } })"#,
        "",
    );
    assert_eq!(
        request_template(source.as_ref().unwrap()).text(),
        r#"{"B":[true,null],"a10":"\u003c\u0026\u003e","a9":{"x":"q\"","y":1.5},"b":1}"#
    );
}

#[test]
fn file_and_templatefile_read_beside_the_module() {
    let main = r#"resource "aws_api_gateway_rest_api" "api" {
  name = "t"
}

resource "aws_api_gateway_method" "get" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  resource_id = aws_api_gateway_rest_api.api.root_resource_id
  http_method = "GET"
}

resource "aws_api_gateway_integration" "get" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  resource_id = aws_api_gateway_rest_api.api.root_resource_id
  http_method = "GET"
  type        = "MOCK"
  request_templates = {
    "application/json" = file("t/plain.vm")
    "text/plain"       = templatefile("${path.module}/t/list.tftpl", { items = { b = 2, a = 1 }, name = "n" })
  }
}
"#;
    let dir = module(
        "files",
        &[
            ("main.tf", main),
            ("t/plain.vm", "$${not} ${interpolated}\n"),
            (
                "t/list.tftpl",
                "${name}:\n%{ for k, v in items ~}\n${k}=${v}\n%{ endfor ~}\n$${done}",
            ),
        ],
    );
    let source = read(&dir).unwrap();
    let integration = source.apis[0].api.methods[0].integration.as_ref().unwrap();
    let plain = &integration.request_templates["application/json"];
    assert_eq!(plain.text(), "$${not} ${interpolated}\n");
    assert_eq!(
        plain.origin().unwrap().to_string(),
        "../target/tf-tests/files/t/plain.vm:1:1"
    );
    let list = &integration.request_templates["text/plain"];
    assert_eq!(list.text(), "n:\na=1\nb=2\n${done}");
    assert_eq!(
        list.origin().unwrap().file(),
        "../target/tf-tests/files/t/list.tftpl"
    );
}

#[test]
fn a_body_from_jsonencode_is_an_openapi_document() {
    let main = r#"resource "aws_api_gateway_rest_api" "api" {
  name = "t"
  body = jsonencode({
    paths = {
      "/b" = { get = { x-amazon-apigateway-integration = { type = "mock" } } }
      "/a" = { post = { x-amazon-apigateway-integration = { type = "mock" } } }
    }
    openapi = "3.0.1"
  })
}
"#;
    let source = read(&module("body", &[("main.tf", main)])).unwrap();
    // jsonencode sorts keys: /a comes first, as in the body Terraform sends.
    let methods: Vec<String> = source.apis[0]
        .api
        .methods
        .iter()
        .map(|m| {
            format!(
                "{} {} {}",
                m.http_method,
                m.path,
                m.origin.as_ref().unwrap()
            )
        })
        .collect();
    assert_eq!(
        methods,
        [
            "POST /a ../target/tf-tests/body/main.tf:6:23",
            "GET /b ../target/tf-tests/body/main.tf:5:22"
        ]
    );
}

#[test]
fn a_module_without_a_rest_api_or_with_bad_hcl_is_an_error() {
    let dir = module(
        "empty",
        &[("main.tf", "variable \"x\" {\n  default = 1\n}\n")],
    );
    assert_eq!(
        read(&dir).unwrap_err().to_string(),
        "../target/tf-tests/empty: the Terraform module defines no REST API (no aws_api_gateway_rest_api resource)"
    );
    let dir = module(
        "syntax",
        &[("main.tf", "resource \"a\" \"b\" {\n  x = \n}\n")],
    );
    assert_eq!(
        read(&dir).unwrap_err().to_string(),
        "../target/tf-tests/syntax/main.tf:2:7: HCL: invalid expression; expected `\"`, `[`, `{`, `-`, `!`, `(`, `_`, `<`, letter or digit"
    );
    let deep = format!(
        "locals {{\n  x = {}{}\n}}\n",
        "[".repeat(300),
        "]".repeat(300)
    );
    let dir = module("deep", &[("main.tf", &deep)]);
    assert_eq!(
        read(&dir).unwrap_err().to_string(),
        "../target/tf-tests/deep/main.tf:2:262: brackets nest deeper than 256 levels"
    );
}

#[test]
fn a_single_tf_file_is_found_by_its_content() {
    let dir = module(
        "single",
        &[(
            "api.hcl",
            "resource \"aws_api_gateway_rest_api\" \"x\" {\n  name = \"x\"\n}\n",
        )],
    );
    let source = read(&dir.join("api.hcl")).unwrap();
    assert_eq!(source.format, Format::Terraform);
    assert_eq!(source.apis[0].name, "aws_api_gateway_rest_api.x");
    assert!(source.apis[0].api.methods.is_empty());
}
