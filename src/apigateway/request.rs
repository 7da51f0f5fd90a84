//! The request a mapping template is rendered against, in the project's request file
//! format: `body`, `path`, `querystring`, `header`, `stageVariables`, `context`.

use std::sync::Arc;

use indexmap::IndexMap;

use crate::{Error, ErrorKind};

/// Parameters by name, in the order they were given.
pub type Params = IndexMap<String, String>;

/// A method request (or, for a response template, the backend's payload) as a template
/// sees it.
///
/// ```
/// let request = vtl::Request::from_json(r#"{
///     "body": "{\"name\": \"fuga\"}",
///     "path": {"id": "7"},
///     "context": {"requestId": "r-1"}
/// }"#).unwrap();
/// assert_eq!(request.body(), "{\"name\": \"fuga\"}");
/// assert_eq!(request.path()["id"], "7");
///
/// let built = vtl::Request::new().with_body("{}").with_header("Accept", "*/*");
/// assert_eq!(built.header()["Accept"], "*/*");
/// ```
#[derive(Clone, Debug, Default)]
pub struct Request {
    body: Arc<str>,
    path: Arc<Params>,
    querystring: Arc<Params>,
    header: Arc<Params>,
    stage_variables: Arc<Params>,
    context: Arc<serde_json::Map<String, serde_json::Value>>,
}

const FIELDS: &[&str] = &[
    "body",
    "path",
    "querystring",
    "header",
    "stageVariables",
    "context",
];

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::Input, message)
}

fn params(field: &str, v: &serde_json::Value) -> Result<Params, Error> {
    let serde_json::Value::Object(map) = v else {
        return Err(invalid(format!(
            "request field `{field}` must be an object of strings"
        )));
    };
    map.iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => Ok((k.clone(), s.clone())),
            other => Err(invalid(format!(
                "request field `{field}.{k}` must be a string, not {other}"
            ))),
        })
        .collect()
}

impl Request {
    /// An empty request: no body, no parameters, an empty context.
    pub fn new() -> Request {
        Request::default()
    }

    /// Reads a request file. Unknown fields and parameters that are not strings are errors.
    pub fn from_json(text: &str) -> Result<Request, Error> {
        Request::from_value(&super::parse_json(text, "the request")?)
    }

    /// Builds a request from a parsed request file.
    pub fn from_value(value: &serde_json::Value) -> Result<Request, Error> {
        let serde_json::Value::Object(fields) = value else {
            return Err(invalid("a request must be a JSON object".into()));
        };
        let mut request = Request::new();
        for (name, v) in fields {
            match name.as_str() {
                "body" => match v {
                    serde_json::Value::String(s) => request.body = Arc::from(s.as_str()),
                    serde_json::Value::Null => {}
                    other => {
                        return Err(invalid(format!(
                            "request field `body` must be a string (the raw payload), not {other}"
                        )));
                    }
                },
                "path" => request.path = Arc::new(params(name, v)?),
                "querystring" => request.querystring = Arc::new(params(name, v)?),
                "header" => request.header = Arc::new(params(name, v)?),
                "stageVariables" => request.stage_variables = Arc::new(params(name, v)?),
                "context" => match v {
                    serde_json::Value::Object(m) => request.context = Arc::new(m.clone()),
                    _ => return Err(invalid("request field `context` must be an object".into())),
                },
                other => {
                    return Err(invalid(format!(
                        "unknown request field `{other}` (expected one of: {})",
                        FIELDS.join(", ")
                    )));
                }
            }
        }
        Ok(request)
    }

    /// Sets the raw payload.
    pub fn with_body(mut self, body: impl AsRef<str>) -> Request {
        self.body = Arc::from(body.as_ref());
        self
    }

    /// Adds a path parameter.
    pub fn with_path(mut self, name: impl Into<String>, value: impl Into<String>) -> Request {
        Arc::make_mut(&mut self.path).insert(name.into(), value.into());
        self
    }

    /// Adds a query string parameter.
    pub fn with_querystring(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Request {
        Arc::make_mut(&mut self.querystring).insert(name.into(), value.into());
        self
    }

    /// Adds a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Request {
        Arc::make_mut(&mut self.header).insert(name.into(), value.into());
        self
    }

    /// Adds a stage variable.
    pub fn with_stage_variable(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Request {
        Arc::make_mut(&mut self.stage_variables).insert(name.into(), value.into());
        self
    }

    /// Sets a `$context` variable (any JSON value, objects nested).
    pub fn with_context(mut self, name: impl Into<String>, value: serde_json::Value) -> Request {
        Arc::make_mut(&mut self.context).insert(name.into(), value);
        self
    }

    /// The raw payload as given (empty when there is none; templates see `{}` then).
    pub fn body(&self) -> &str {
        &self.body
    }

    /// Path parameters.
    pub fn path(&self) -> &Params {
        &self.path
    }

    /// Query string parameters.
    pub fn querystring(&self) -> &Params {
        &self.querystring
    }

    /// Headers.
    pub fn header(&self) -> &Params {
        &self.header
    }

    /// Stage variables.
    pub fn stage_variables(&self) -> &Params {
        &self.stage_variables
    }

    /// The `$context` object.
    pub fn context(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.context
    }

    pub(crate) fn stage_variables_arc(&self) -> Arc<Params> {
        Arc::clone(&self.stage_variables)
    }

    pub(crate) fn body_arc(&self) -> Arc<str> {
        Arc::clone(&self.body)
    }

    pub(crate) fn param_arcs(&self) -> (Arc<Params>, Arc<Params>, Arc<Params>) {
        (
            Arc::clone(&self.path),
            Arc::clone(&self.querystring),
            Arc::clone(&self.header),
        )
    }
}
