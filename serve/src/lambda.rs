//! Lambda functions: which function an integration invokes, and invoking it through the
//! Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`), which
//! `sam local start-lambda`, the Runtime Interface Emulator and serverless-offline speak.

use serde_json::Value as Json;
use vtl::apigateway::Outcome;

use crate::client::{self, Client};

/// The name by which `--lambda NAME=...` addresses the function an integration URI
/// invokes: the function name of its ARN, or the logical id of a CloudFormation reference
/// the importer could not resolve (`<HogeFunction.Arn>`).
///
/// ```
/// use vtl_serve::function_name;
/// let uri = "arn:aws:apigateway:ap-northeast-1:lambda:path/2015-03-31/functions/arn:aws:lambda:ap-northeast-1:123456789012:function:lambdemo/invocations";
/// assert_eq!(function_name(uri).as_deref(), Some("lambdemo"));
/// let sam = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/<HogeFunction.Arn>/invocations";
/// assert_eq!(function_name(sam).as_deref(), Some("HogeFunction"));
/// let alias = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f:live/invocations";
/// assert_eq!(function_name(alias).as_deref(), Some("f"));
/// ```
pub fn function_name(uri: &str) -> Option<String> {
    let (_, rest) = uri.split_once("/functions/")?;
    let function = rest.strip_suffix("/invocations").unwrap_or(rest);
    let reference = function
        .trim_start_matches("${")
        .trim_end_matches('}')
        .trim_start_matches('<')
        .trim_end_matches('>');
    if let Some((_, after)) = reference.split_once(":function:") {
        return after.split(':').next().map(str::to_string);
    }
    let logical = reference.strip_suffix(".Arn").unwrap_or(reference);
    (!logical.is_empty()).then(|| logical.to_string())
}

/// The URL of an invocation of `name` at `endpoint`: the endpoint's base URL with the
/// Invoke API's path, or the endpoint itself when it already names an invocation.
///
/// ```
/// assert_eq!(vtl_serve::invocation_url("http://127.0.0.1:3001", "f"),
///     "http://127.0.0.1:3001/2015-03-31/functions/f/invocations");
/// let rie = "http://127.0.0.1:9000/2015-03-31/functions/function/invocations";
/// assert_eq!(vtl_serve::invocation_url(rie, "f"), rie);
/// ```
pub fn invocation_url(endpoint: &str, name: &str) -> String {
    if endpoint.ends_with("/invocations") {
        return endpoint.to_string();
    }
    format!(
        "{}/2015-03-31/functions/{name}/invocations",
        endpoint.trim_end_matches('/')
    )
}

/// Invokes a function synchronously with `payload`. A function error (the
/// `X-Amz-Function-Error` or `x-amzn-ErrorType` header with an `errorMessage` in the
/// payload) is a Lambda error; an answer that is neither a result nor a function error
/// is an error saying what came back.
pub async fn invoke(client: &Client, url: &str, payload: String) -> Result<Outcome, String> {
    let headers = [
        ("Content-Type".to_string(), "application/json".to_string()),
        (
            "X-Amz-Invocation-Type".to_string(),
            "RequestResponse".to_string(),
        ),
    ];
    let reply = client::send(client, "POST", url, &headers, payload).await?;
    let flagged = reply.header("X-Amz-Function-Error").is_some()
        || reply.header("x-amzn-ErrorType").is_some();
    if flagged && let Some(error) = error_object(&reply.body) {
        return Ok(Outcome::LambdaError(error));
    }
    if (200..300).contains(&reply.status) && !flagged {
        return Ok(Outcome::LambdaResult(reply.body));
    }
    Err(format!(
        "the Lambda Invoke API at {url} answered {}{}: {}",
        reply.status,
        reply
            .header("x-amzn-ErrorType")
            .map_or(String::new(), |t| format!(" ({t})")),
        clip(&reply.body)
    ))
}

/// The error object of a function error: a JSON object with `errorMessage`.
pub fn error_object(payload: &str) -> Option<serde_json::Map<String, Json>> {
    match serde_json::from_str(payload) {
        Ok(Json::Object(m)) if m.contains_key("errorMessage") => Some(m),
        _ => None,
    }
}

/// At most 300 characters of a text, for messages.
fn clip(text: &str) -> String {
    match text.char_indices().nth(300) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_string(),
    }
}
