//! The event a Lambda proxy integration (`AWS_PROXY`) sends, in the format of payload
//! version 1.0: the request's method, paths, headers and query string with their
//! multi-value forms, path parameters, stage variables, `requestContext` and body.

use serde_json::{Map, Value as Json, json};
use vtl::apigateway::{Params, Request};

use crate::method_request::{Incoming, all_values, last_values};

/// The event for `incoming`, routed to `resource_path` with `params`, whose `$context`
/// `request` holds. Empty maps are `null`, as API Gateway sends them.
pub fn event(incoming: &Incoming, request: &Request, resource_path: &str, path: &str) -> String {
    let single = |pairs: &[(String, String)]| -> Json {
        if pairs.is_empty() {
            return Json::Null;
        }
        strings(&last_values(pairs))
    };
    let multi = |pairs: &[(String, String)]| -> Json {
        if pairs.is_empty() {
            return Json::Null;
        }
        Json::Object(
            all_values(pairs)
                .into_iter()
                .map(|(k, v)| (k, json!(v)))
                .collect(),
        )
    };
    let optional = |params: &Params| {
        if params.is_empty() {
            Json::Null
        } else {
            strings(params)
        }
    };
    let body = if incoming.body.is_empty() {
        Json::Null
    } else {
        Json::String(incoming.body.clone())
    };
    let mut context = request.context().clone();
    context.remove("requestOverride");
    context.remove("responseOverride");
    json!({
        "resource": resource_path,
        "path": path,
        "httpMethod": incoming.method,
        "headers": single(&incoming.headers),
        "multiValueHeaders": multi(&incoming.headers),
        "queryStringParameters": single(&incoming.query),
        "multiValueQueryStringParameters": multi(&incoming.query),
        "pathParameters": optional(request.path()),
        "stageVariables": optional(request.stage_variables()),
        "requestContext": Json::Object(context),
        "body": body,
        "isBase64Encoded": false,
    })
    .to_string()
}

fn strings(params: &Params) -> Json {
    Json::Object(
        params
            .iter()
            .map(|(k, v)| (k.clone(), Json::String(v.clone())))
            .collect::<Map<_, _>>(),
    )
}
