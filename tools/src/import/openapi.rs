//! OpenAPI 3 and Swagger 2 documents with API Gateway's extensions, as API Gateway exports
//! them and as SAM's `DefinitionBody` and Terraform's `body` hold them: each operation's
//! `x-amazon-apigateway-integration` (`x-amazon-apigateway-any-method` is `ANY`) and its
//! declared responses.

use std::sync::Arc;

use indexmap::IndexMap;
use serde::Deserialize;
use vtl::Error;
use vtl::apigateway::{Api, Integration, Method, MethodResponse, Origin};

use crate::document::de::from_node;
use crate::document::{Node, error_at};

/// The keys of a path item that are operations, and their methods.
const METHODS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("put", "PUT"),
    ("post", "POST"),
    ("delete", "DELETE"),
    ("options", "OPTIONS"),
    ("head", "HEAD"),
    ("patch", "PATCH"),
    ("trace", "TRACE"),
    ("x-amazon-apigateway-any-method", "ANY"),
];

/// An operation, as far as API Gateway's deployment goes.
#[derive(Deserialize)]
struct Operation {
    #[serde(rename = "x-amazon-apigateway-integration")]
    integration: Option<Integration>,
    responses: Option<IndexMap<String, Response>>,
}

/// A declared response: its headers.
#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    headers: IndexMap<String, serde::de::IgnoredAny>,
}

/// Whether a document is an OpenAPI 3 or Swagger 2 document.
pub fn is_openapi(root: &Node) -> bool {
    root.get("openapi").is_some() || root.get("swagger").is_some()
}

/// Reads the REST API an OpenAPI 3 or Swagger 2 document describes; `file` names the
/// document in positions.
pub fn read(file: &Arc<str>, root: &Node) -> Result<Api, Error> {
    let at = |node: &Node, message: String| error_at(file, node.line, node.column, message);
    let version = |key: &str| root.get(key).map(|v| (v, v.scalar_text()));
    match (version("openapi"), version("swagger")) {
        (Some((_, v)), _) if v.starts_with('3') => {}
        (None, Some((_, v))) if v.starts_with('2') => {}
        (Some((node, v)), _) | (None, Some((node, v))) => {
            return Err(at(
                node,
                format!("OpenAPI version `{v}` is not supported (expected 3.x, or Swagger 2.0)"),
            ));
        }
        (None, None) => {
            return Err(at(
                root,
                "not an OpenAPI document: it has neither `openapi` (3.x) nor `swagger` (2.0)"
                    .to_string(),
            ));
        }
    }
    let mut api = Api::default();
    let Some(paths) = root.get("paths") else {
        return Ok(api);
    };
    let Some(entries) = paths.entries() else {
        return Err(at(
            paths,
            "`paths` must be a mapping keyed by path".to_string(),
        ));
    };
    for (key, item) in entries {
        let path = key.scalar_text();
        if !path.starts_with('/') {
            return Err(at(key, format!("path `{path}` must start with `/`")));
        }
        let Some(operations) = item.entries() else {
            return Err(at(
                item,
                format!("path `{path}` must be a mapping of methods"),
            ));
        };
        for (name, node) in operations {
            let name = name.scalar_text();
            let Some((_, method)) = METHODS.iter().find(|(k, _)| k.eq_ignore_ascii_case(&name))
            else {
                continue;
            };
            let operation: Operation =
                from_node(file, node).map_err(|e| e.context(format!("{method} {path}")))?;
            let method_responses = operation.responses.map(|responses| {
                responses
                    .iter()
                    .filter_map(|(status, r)| {
                        Some(MethodResponse {
                            status_code: status.parse().ok()?,
                            headers: r.headers.keys().cloned().collect(),
                        })
                    })
                    .collect()
            });
            api.methods.push(Method {
                http_method: method.to_string(),
                path: path.clone(),
                integration: operation.integration,
                method_responses,
                origin: Some(Origin::at(Arc::clone(file), node.line, node.column)),
            });
        }
    }
    Ok(api)
}
