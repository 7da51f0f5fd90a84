//! The conformance suites: every case of `tests/conformance/*.jsonl` (the Velocity
//! language) and `tests/apigateway/*.jsonl` (API Gateway's variables) rendered and compared
//! byte for byte with what Apache Velocity 1.7 with API Gateway's variables produced for it
//! (recorded by `scripts/regen-conformance`), or, where a case gives `aws_output`, with
//! what real API Gateway is known to produce.

use std::fs;
use std::path::Path;

use serde_json::Value as Json;
use vtl::{Context, NullMode, Template};

struct Case {
    file: String,
    id: String,
    template: String,
    stock: bool,
    context: Option<Json>,
    request: Option<Json>,
    output: Option<String>,
    error: Option<String>,
    known_difference: Option<String>,
}

fn cases(suite: &str) -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(suite);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("tests/conformance exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = fs::read_to_string(&path).expect("readable case file");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let case: Json = serde_json::from_str(line).expect("valid JSON case");
            let s = |k: &str| case.get(k).and_then(Json::as_str).map(str::to_string);
            out.push(Case {
                file: path.file_name().unwrap().to_string_lossy().into_owned(),
                id: s("id").expect("case id"),
                template: s("template").expect("case template"),
                stock: s("model").as_deref() == Some("stock"),
                context: case.get("context").cloned(),
                request: case.get("request").cloned(),
                // What AWS is known to give wins over the reference renderer.
                output: if case.get("aws_error").is_some() {
                    None
                } else {
                    s("aws_output").or_else(|| s("output"))
                },
                error: s("aws_error").or_else(|| s("error")),
                known_difference: s("known_difference"),
            });
        }
    }
    out
}

fn run(case: &Case) -> Result<String, vtl::Error> {
    if let Some(request) = &case.request {
        let request = vtl::Request::from_value(request)?;
        return vtl::render(&case.template, &request);
    }
    let template = Template::parse(&case.template)?;
    let mut ctx = Context::new();
    ctx.set_null_mode(if case.stock {
        NullMode::Stock
    } else {
        NullMode::Empty
    });
    if let Some(c) = &case.context {
        ctx.insert("context", c.clone());
    }
    template.render(&ctx)
}

#[test]
fn velocity_language() {
    check(cases("conformance"));
}

#[test]
fn api_gateway_variables() {
    check(cases("apigateway"));
}

fn check(cases: Vec<Case>) {
    assert!(cases.len() >= 300, "the suite has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let got = std::panic::catch_unwind(|| run(case))
            .unwrap_or_else(|_| Err(vtl::Error::new(vtl::ErrorKind::Render, "PANIC")));
        let ok = match (&case.output, &case.error, &got) {
            (Some(want), _, Ok(out)) => want == out,
            (None, Some(_), Err(e)) => e.message() != "PANIC",
            _ => false,
        };
        if case.known_difference.is_some() {
            if ok {
                failures.push(format!(
                    "{}: {} now passes: remove its known_difference mark",
                    case.file, case.id
                ));
            }
            continue;
        }
        if !ok {
            failures.push(format!(
                "{}: {}\n  template: {:?}\n  expected: {}\n  got:      {}",
                case.file,
                case.id,
                case.template,
                match (&case.output, &case.error) {
                    (Some(o), _) => format!("{o:?}"),
                    (_, Some(e)) => format!("error {e}"),
                    _ => "?".into(),
                },
                match &got {
                    Ok(o) => format!("{o:?}"),
                    Err(e) => format!("error {e}"),
                }
            ));
        }
    }
    if !failures.is_empty() {
        let shown: Vec<_> = failures.iter().take(400).cloned().collect();
        panic!(
            "{} of {} conformance cases failed:\n{}",
            failures.len(),
            cases.len(),
            shown.join("\n")
        );
    }
}
