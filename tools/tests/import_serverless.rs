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
