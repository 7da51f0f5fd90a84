//! OpenAPI import: the non-proxy integrations of an API Gateway export (OpenAPI 3 or
//! Swagger 2, JSON or YAML), and the routing of concrete request paths to them.
//!
//! ```
//! use vtl::apigateway::openapi::Api;
//!
//! let api = Api::from_str(r#"
//! openapi: 3.0.1
//! paths:
//!   /pets/{id}:
//!     get:
//!       x-amazon-apigateway-integration:
//!         type: mock
//!         requestTemplates:
//!           application/json: '{"statusCode": 200}'
//!         responses:
//!           default:
//!             statusCode: "200"
//!   /{proxy+}:
//!     x-amazon-apigateway-any-method:
//!       x-amazon-apigateway-integration:
//!         type: aws_proxy
//!         uri: arn:aws:apigateway:us-east-1:lambda:path/functions/f/invocations
//! "#)?;
//! assert_eq!(api.operations.len(), 1);
//! assert_eq!(api.skipped.len(), 1); // the proxy integration: no templates to simulate
//! let (op, params) = api.resolve("get", "/pets/7").unwrap();
//! assert_eq!((op.method.as_str(), op.path.as_str()), ("GET", "/pets/{id}"));
//! assert_eq!(params["id"], "7");
//! # Ok::<(), vtl::Error>(())
//! ```

use std::path::Path;

use super::{Integration, Params};
use crate::{Error, ErrorKind};

/// The HTTP methods of an OpenAPI path item, as written there.
const METHODS: &[&str] = &[
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "trace",
    "x-amazon-apigateway-any-method",
];

/// Fields of `x-amazon-apigateway-integration` that API Gateway exports but that play no
/// part in a simulation (credentials, caching, VPC links, TLS); they are dropped before
/// the integration is read.
const IGNORED_INTEGRATION_FIELDS: &[&str] = &[
    "cacheNamespace",
    "cacheKeyParameters",
    "credentials",
    "connectionType",
    "connectionId",
    "tlsConfig",
    "integrationSubtype",
    "payloadFormatVersion",
];

/// The simulated integrations of an API.
#[derive(Debug)]
pub struct Api {
    /// The operations with a non-proxy `x-amazon-apigateway-integration`, in document order.
    pub operations: Vec<Operation>,
    /// The operations left out, and why: proxy integrations (`AWS_PROXY`, `HTTP_PROXY`)
    /// and operations without an integration.
    pub skipped: Vec<Skipped>,
}

/// One method of one resource.
#[derive(Debug)]
pub struct Operation {
    /// The HTTP method, upper-case; `ANY` for `x-amazon-apigateway-any-method`.
    pub method: String,
    /// The resource path as written in the document, such as `/pets/{id}`.
    pub path: String,
    /// Its integration.
    pub integration: Integration,
}

/// An operation that was not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The HTTP method, upper-case (`ANY` for `x-amazon-apigateway-any-method`).
    pub method: String,
    /// The resource path.
    pub path: String,
    /// Why it was left out.
    pub reason: String,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Input, message)
}

/// Drops the ` at line N column M` of the error's own position from a serde_norway
/// message (the error carries the position itself; other positions, such as where a flow
/// sequence started, stay).
fn strip_position(message: &str, line: usize, column: usize) -> String {
    message.replacen(&format!(" at line {line} column {column}"), "", 1)
}

/// Parses a document that is JSON or YAML: JSON first, else YAML (converted to JSON values;
/// mapping keys that are numbers or booleans become strings, merge keys `<<` are applied).
/// `what` names the document in error messages.
pub(crate) fn parse_document(text: &str, what: &str) -> Result<serde_json::Value, Error> {
    let json_error = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    if text.trim_start().starts_with(['{', '[']) {
        return Err(invalid(format!("{what} is not valid JSON: {json_error}"))
            .at(json_error.line(), json_error.column()));
    }
    let yaml_error = |e: serde_norway::Error| {
        let message = e.to_string();
        match e.location() {
            Some(l) => invalid(format!(
                "{what} is neither JSON nor valid YAML: {}",
                strip_position(&message, l.line(), l.column())
            ))
            .at(l.line(), l.column()),
            None => invalid(format!("{what} is neither JSON nor valid YAML: {message}")),
        }
    };
    let mut yaml: serde_norway::Value = serde_norway::from_str(text).map_err(yaml_error)?;
    yaml.apply_merge().map_err(yaml_error)?;
    yaml_to_json(yaml).map_err(|e| invalid(format!("{what}: {e}")))
}

fn yaml_key(key: serde_norway::Value) -> Result<String, String> {
    match key {
        serde_norway::Value::String(s) => Ok(s),
        serde_norway::Value::Number(n) => Ok(n.to_string()),
        serde_norway::Value::Bool(b) => Ok(b.to_string()),
        serde_norway::Value::Null => Ok("null".to_string()),
        other => Err(format!(
            "a mapping key must be a string, not {}",
            serde_norway::to_string(&other)
                .unwrap_or_default()
                .trim_end()
        )),
    }
}

fn yaml_to_json(v: serde_norway::Value) -> Result<serde_json::Value, String> {
    Ok(match v {
        serde_norway::Value::Null => serde_json::Value::Null,
        serde_norway::Value::Bool(b) => serde_json::Value::Bool(b),
        serde_norway::Value::Number(n) => {
            let text = n.to_string();
            match serde_json::from_str::<serde_json::Number>(&text) {
                Ok(n) => serde_json::Value::Number(n),
                // .inf, .nan: not JSON numbers.
                Err(_) => serde_json::Value::String(text),
            }
        }
        serde_norway::Value::String(s) => serde_json::Value::String(s),
        serde_norway::Value::Sequence(items) => serde_json::Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        serde_norway::Value::Mapping(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                out.insert(yaml_key(k)?, yaml_to_json(v)?);
            }
            serde_json::Value::Object(out)
        }
        serde_norway::Value::Tagged(t) => yaml_to_json(t.value)?,
    })
}

/// The HTTP method of a path item key, upper-case, or `None` for the other keys
/// (`parameters`, `summary`, extensions...).
fn method_of(key: &str) -> Option<String> {
    if !METHODS.contains(&key.to_ascii_lowercase().as_str()) {
        return None;
    }
    if key.eq_ignore_ascii_case("x-amazon-apigateway-any-method") {
        Some("ANY".to_string())
    } else {
        Some(key.to_ascii_uppercase())
    }
}

impl Api {
    /// Reads an OpenAPI 3 or Swagger 2 document, JSON or YAML (JSON is tried first), and
    /// imports the `x-amazon-apigateway-integration` of every operation under `paths`
    /// (`x-amazon-apigateway-any-method` becomes method `ANY`).
    ///
    /// Operations without an integration, and proxy integrations (`AWS_PROXY`,
    /// `HTTP_PROXY`, which have no mapping templates), go to [`Api::skipped`].
    ///
    /// Errors are of kind [`ErrorKind::Input`] and name the method and path
    /// (`GET /pets/{id}: ...`); a document that does not parse points at the line and column
    /// of the document. An invalid mapping template or selection pattern keeps its own
    /// kind (`Syntax`) and its line and column *within that template*, and the message names
    /// the method, path and template: `GET /pets/{id}: requestTemplates application/json: ...`.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str) -> Result<Api, Error> {
        let doc = parse_document(text, "the API document")?;
        Api::from_value(&doc)
    }

    /// Reads an API document from a file (see [`Api::from_str`]); errors are prefixed with
    /// the file name.
    pub fn from_path(path: &Path) -> Result<Api, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
        Api::from_str(&text).map_err(|e| {
            Error::new(e.kind(), format!("{}: {}", path.display(), e.message()))
                .at(e.line(), e.column())
        })
    }

    /// Imports an already parsed OpenAPI 3 or Swagger 2 document (see [`Api::from_str`]).
    pub fn from_value(doc: &serde_json::Value) -> Result<Api, Error> {
        let serde_json::Value::Object(doc) = doc else {
            return Err(invalid("an OpenAPI document must be an object"));
        };
        let version = |key: &str| {
            doc.get(key).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        };
        match (version("openapi"), version("swagger")) {
            (Some(v), _) if v.starts_with('3') => {}
            (None, Some(v)) if v.starts_with('2') => {}
            (Some(v), _) => {
                return Err(invalid(format!(
                    "OpenAPI version `{v}` is not supported (expected 3.x, or Swagger 2.0)"
                )));
            }
            (None, Some(v)) => {
                return Err(invalid(format!(
                    "Swagger version `{v}` is not supported (expected 2.0, or OpenAPI 3.x)"
                )));
            }
            (None, None) => {
                return Err(invalid(
                    "not an OpenAPI document: it has neither `openapi` (3.x) nor `swagger` (2.0)",
                ));
            }
        }
        let mut api = Api {
            operations: Vec::new(),
            skipped: Vec::new(),
        };
        let paths = match doc.get("paths") {
            None | Some(serde_json::Value::Null) => return Ok(api),
            Some(serde_json::Value::Object(p)) => p,
            Some(_) => return Err(invalid("`paths` must be an object keyed by path")),
        };
        for (path, item) in paths {
            if !path.starts_with('/') {
                return Err(invalid(format!(
                    "path `{path}` must start with `/` (under `paths`)"
                )));
            }
            let serde_json::Value::Object(item) = item else {
                return Err(invalid(format!(
                    "path `{path}` must be an object of methods"
                )));
            };
            if item.contains_key("$ref") {
                api.skipped.push(Skipped {
                    method: "*".to_string(),
                    path: path.clone(),
                    reason: "path items given by `$ref` are not resolved".to_string(),
                });
            }
            for (key, operation) in item {
                let Some(method) = method_of(key) else {
                    continue;
                };
                let at = format!("{method} {path}");
                let serde_json::Value::Object(operation) = operation else {
                    return Err(invalid(format!("{at}: the operation must be an object")));
                };
                let Some(integration) = operation.get("x-amazon-apigateway-integration") else {
                    api.skipped.push(Skipped {
                        method,
                        path: path.clone(),
                        reason: "no x-amazon-apigateway-integration".to_string(),
                    });
                    continue;
                };
                let serde_json::Value::Object(fields) = integration else {
                    return Err(invalid(format!(
                        "{at}: x-amazon-apigateway-integration must be an object"
                    )));
                };
                let kind = fields
                    .get("type")
                    .and_then(|t| t.as_str())
                    .map(str::to_ascii_uppercase);
                if let Some(kind @ ("AWS_PROXY" | "HTTP_PROXY")) = kind.as_deref() {
                    api.skipped.push(Skipped {
                        method,
                        path: path.clone(),
                        reason: format!(
                            "{kind} integration: a proxy integration has no mapping templates"
                        ),
                    });
                    continue;
                }
                let mut fields = fields.clone();
                fields.retain(|k, _| !IGNORED_INTEGRATION_FIELDS.contains(&k.as_str()));
                let mut integration = Integration::from_value(&serde_json::Value::Object(fields))
                    .map_err(|e| {
                    Error::new(e.kind(), format!("{at}: {}", e.message())).at(e.line(), e.column())
                })?;
                // The method responses, by status code.
                if let Some(serde_json::Value::Object(responses)) = operation.get("responses") {
                    integration.method_responses =
                        Some(responses.keys().filter_map(|k| k.parse().ok()).collect());
                }
                api.operations.push(Operation {
                    method,
                    path: path.clone(),
                    integration,
                });
            }
        }
        Ok(api)
    }

    /// The operation a request for `method` (any case) and the concrete `path` reaches, as
    /// API Gateway routes it: the most specific resource wins (a literal segment over
    /// `{param}` over `{proxy+}`), and on one resource the method itself over `ANY`. A query
    /// string (`?...`) on `path` is ignored.
    pub fn find(&self, method: &str, path: &str) -> Option<&Operation> {
        self.resolve(method, path).map(|(op, _)| op)
    }

    /// Like [`Api::find`], also returning the path parameters of the match.
    pub fn resolve(&self, method: &str, path: &str) -> Option<(&Operation, Params)> {
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        let mut best: Option<(Vec<u8>, bool, &Operation, Params)> = None;
        for op in &self.operations {
            let exact = op.method.eq_ignore_ascii_case(method);
            if !exact && op.method != "ANY" {
                continue;
            }
            let Some((rank, params)) = match_ranked(&op.path, path) else {
                continue;
            };
            let better = match &best {
                None => true,
                Some((best_rank, best_exact, _, _)) => (&rank, exact) > (best_rank, *best_exact),
            };
            if better {
                best = Some((rank, exact, op, params));
            }
        }
        best.map(|(_, _, op, params)| (op, params))
    }
}

impl std::str::FromStr for Api {
    type Err = Error;

    fn from_str(text: &str) -> Result<Api, Error> {
        Api::from_str(text)
    }
}

impl Operation {
    /// The path parameters of `path` if it matches this operation's resource path.
    pub fn path_parameters(&self, path: &str) -> Option<Params> {
        match_path(&self.path, path)
    }
}

/// Matches a concrete request path (`/pets/7`) against a resource path template
/// (`/pets/{id}`) and returns the path parameters. A `{name}` segment matches one
/// non-empty segment; a final `{name+}` matches one or more segments (`a/b/c`). Literal
/// segments compare exactly (case-sensitive); empty segments (a trailing `/`) are ignored.
/// Values are taken as written, not URL-decoded.
///
/// ```
/// use vtl::apigateway::openapi::match_path;
/// assert_eq!(match_path("/pets/{id}", "/pets/7").unwrap()["id"], "7");
/// assert_eq!(match_path("/files/{proxy+}", "/files/a/b.txt").unwrap()["proxy"], "a/b.txt");
/// assert!(match_path("/pets/{id}", "/pets/7/toys").is_none());
/// assert!(match_path("/{proxy+}", "/").is_none());
/// ```
pub fn match_path(template: &str, path: &str) -> Option<Params> {
    match_ranked(template, path).map(|(_, params)| params)
}

/// A match and its specificity: per template segment 2 for a literal, 1 for `{param}`,
/// 0 for `{proxy+}`, compared lexicographically.
fn match_ranked(template: &str, path: &str) -> Option<(Vec<u8>, Params)> {
    let wanted: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    let given: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut params = Params::new();
    let mut rank = Vec::with_capacity(wanted.len());
    for (i, segment) in wanted.iter().enumerate() {
        let name = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
        match name {
            Some(name) if name.ends_with('+') && i + 1 == wanted.len() => {
                if given.len() <= i {
                    return None;
                }
                params.insert(name.trim_end_matches('+').to_string(), given[i..].join("/"));
                rank.push(0);
                return Some((rank, params));
            }
            Some(name) => {
                params.insert(name.to_string(), (*given.get(i)?).to_string());
                rank.push(1);
            }
            None => {
                if given.get(i) != Some(segment) {
                    return None;
                }
                rank.push(2);
            }
        }
    }
    (given.len() == wanted.len()).then_some((rank, params))
}
