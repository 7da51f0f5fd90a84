//! The CloudFormation, SAM and CDK readers: intrinsic functions, resource chains, the
//! fixture projects simulated end to end, and where their templates were written.

use std::path::Path;

use vtl::apigateway::{Api, IntegrationType, Outcome, simulate};
use vtl_tools::import::{Format, Options, Source, load};

fn fixture(path: &str) -> Source {
    load(
        Path::new(&format!("../tests/fixtures/{path}")),
        &Options::default(),
    )
    .unwrap()
}

/// `GET /fuga` with the Lambda failing as the seed's function does.
fn seed_400(api: &Api) -> (u16, String) {
    let (method, params) = api.route("GET", "/fuga").unwrap();
    let mut request = vtl::Request::new();
    for (k, v) in params.iter() {
        request = request.with_path(k.clone(), v.clone());
    }
    let error = serde_json::json!({"errorMessage": "[400:BadRequest] fuga is not hoge", "errorType": "NotHogeError"});
    let answer = simulate(method, &request, |_| {
        Outcome::LambdaError(error.as_object().unwrap().clone())
    });
    (answer.status, answer.body)
}

const SEED_400: &str = "{\n  \"message\" : \"[400:BadRequest] fuga is not hoge\"\n}\n";

#[test]
fn probe() {
    for f in [
        "cloudformation/template.yaml",
        "cloudformation/template.json",
        "cloudformation",
        "sam",
        "sam-include",
        "sam-definitionuri",
        "cdk",
        "cdk/cdk.out",
        "cdk/cdk.out/SeedStack.template.json",
    ] {
        let s = fixture(f);
        println!("== {f} {:?}", s.format);
        for w in &s.warnings {
            println!("  warn {w}");
        }
        for a in &s.apis {
            println!(" api {}", a.name);
            for m in &a.api.methods {
                let i = m.integration.as_ref();
                println!(
                    "  {} {} {:?} {:?} {:?}",
                    m.http_method,
                    m.path,
                    i.map(|i| i.kind),
                    i.map(|i| &i.uri),
                    m.origin.as_ref().map(|o| o.to_string())
                );
                if let Some(i) = i {
                    for (n, t) in i.templates() {
                        println!(
                            "    {n} @ {:?}: {:?}",
                            t.origin().map(|o| o.to_string()),
                            t.text()
                        );
                    }
                }
            }
            if a.api.route("GET", "/fuga").is_some() {
                println!("  seed: {:?}", seed_400(&a.api));
            }
        }
    }
}
