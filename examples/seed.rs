//! The seed scenario end to end: a Lambda custom integration whose request template passes
//! the `{hoge}` path parameter, a handler that answers `hoge` and rejects anything else with
//! `[400:BadRequest] ... is not hoge`, and a 400 integration response selected by `^\[400:.*`.
//!
//! Run with `cargo run --example seed`.

use vtl::Request;
use vtl::apigateway::{BackendRequest, Integration, Method, Outcome, simulate};

/// The Lambda function: `{"message": "hogehoge"}` for `hoge`, an error otherwise.
fn handler(request: &BackendRequest) -> Outcome {
    let event: serde_json::Value =
        serde_json::from_str(&request.body).expect("the request template renders JSON");
    let hoge = event["pathParams"]["hoge"].as_str().unwrap_or_default();
    if hoge == "hoge" {
        // Python's json.dumps, as the Lambda runtime serializes a returned dict.
        Outcome::LambdaResult(r#"{"message": "hogehoge"}"#.to_string())
    } else {
        let error = serde_json::json!({
            "errorMessage": format!("[400:BadRequest] {hoge} is not hoge"),
            "errorType": "NotHogeError",
            "stackTrace": [],
        });
        Outcome::LambdaError(error.as_object().cloned().unwrap_or_default())
    }
}

fn main() -> Result<(), vtl::Error> {
    let integration = Integration::from_json(include_str!("seed/integration.json"))?;
    let method = Method::new("GET", "/{hoge}", Some(integration));
    for hoge in ["hoge", "fuga"] {
        let request = Request::new().with_path("hoge", hoge);
        let answer = simulate(&method, &request, handler);
        println!("GET /{hoge} -> {}\n{}\n", answer.status, answer.body);
    }
    Ok(())
}
