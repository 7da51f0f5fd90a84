//! The request a mapping template is rendered against, in the project's request file
//! format: `body`, `path`, `querystring`, `header`, `stageVariables`, `context`.

use std::sync::{Arc, OnceLock};

use indexmap::IndexMap;

use crate::value::{Key, Value};
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
    /// The limits of a render against the request; API Gateway's when `None`.
    limits: Option<crate::Limits>,
    /// The same text as shared strings, made on first render.
    strings: OnceLock<Arc<Strings>>,
}

/// Name and value pairs of shared strings.
pub(crate) type Pairs = Vec<(Arc<str>, Arc<str>)>;

/// A request's parameters, stage variables and context as shared strings, made once per
/// request: every render builds its maps from them without copying any text.
#[derive(Debug)]
pub(crate) struct Strings {
    pub(crate) path: Pairs,
    pub(crate) querystring: Pairs,
    pub(crate) header: Pairs,
    pub(crate) stage_variables: Pairs,
    pub(crate) context: Vec<(Arc<str>, Frozen)>,
    /// `path`, `querystring`, `header`: the keys of `$input.params()`, and of
    /// `$context.requestOverride`.
    pub(crate) groups: [Arc<str>; 3],
    /// `requestOverride`, `responseOverride`.
    pub(crate) overrides: [Arc<str>; 2],
    /// What templates see as the body when there is none.
    pub(crate) empty_body: Arc<str>,
}

/// A JSON value of the context with its strings shared.
#[derive(Debug)]
pub(crate) enum Frozen {
    /// A number, boolean or null.
    Scalar(serde_json::Value),
    Str(Arc<str>),
    List(Vec<Frozen>),
    Map(Vec<(Arc<str>, Frozen)>),
}

impl Frozen {
    fn new(json: &serde_json::Value) -> Frozen {
        match json {
            serde_json::Value::String(s) => Frozen::Str(Arc::from(s.as_str())),
            serde_json::Value::Array(items) => {
                Frozen::List(items.iter().map(Frozen::new).collect())
            }
            serde_json::Value::Object(map) => Frozen::Map(
                map.iter()
                    .map(|(k, v)| (Arc::from(k.as_str()), Frozen::new(v)))
                    .collect(),
            ),
            scalar => Frozen::Scalar(scalar.clone()),
        }
    }

    /// The value a render sees: fresh collections (a template may change them), shared
    /// strings; arrays print as Java lists, as `Value::from_json` makes them.
    pub(crate) fn value(&self) -> Value {
        match self {
            Frozen::Scalar(json) => Value::from_json(json),
            Frozen::Str(s) => Value::Str(Arc::clone(s)),
            Frozen::List(items) => Value::new_list(items.iter().map(Frozen::value).collect()),
            Frozen::Map(entries) => Value::new_map(crate::value::Map::from_distinct(
                entries
                    .iter()
                    .map(|(k, v)| (Key(Value::Str(Arc::clone(k))), v.value()))
                    .collect(),
            )),
        }
    }
}

/// A fresh map of shared strings.
pub(crate) fn pairs_map(pairs: &Pairs) -> crate::value::MapRef {
    std::rc::Rc::new(std::cell::RefCell::new(crate::value::Map::from_distinct(
        pairs
            .iter()
            .map(|(k, v)| (Key(Value::Str(Arc::clone(k))), Value::Str(Arc::clone(v))))
            .collect(),
    )))
}

fn pairs(params: &Params) -> Pairs {
    params
        .iter()
        .map(|(k, v)| (Arc::from(k.as_str()), Arc::from(v.as_str())))
        .collect()
}

impl Strings {
    fn new(request: &Request) -> Strings {
        Strings {
            path: pairs(&request.path),
            querystring: pairs(&request.querystring),
            header: pairs(&request.header),
            stage_variables: pairs(&request.stage_variables),
            context: request
                .context
                .iter()
                .map(|(k, v)| (Arc::from(k.as_str()), Frozen::new(v)))
                .collect(),
            groups: ["path", "querystring", "header"].map(Arc::from),
            overrides: ["requestOverride", "responseOverride"].map(Arc::from),
            empty_body: Arc::from(super::input::EMPTY_BODY),
        }
    }
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

    /// Renders against the request run within `limits` instead of API Gateway's (which
    /// are [`Limits::default`](crate::Limits::default) with at most
    /// [`MAX_FOREACH_ITERATIONS`](super::MAX_FOREACH_ITERATIONS) iterations of a loop and
    /// [`MAX_TEMPLATE_BYTES`](super::MAX_TEMPLATE_BYTES) of `#evaluate`d text).
    ///
    /// ```
    /// let tight = vtl::Limits { max_iterations: Some(2), ..vtl::Limits::default() };
    /// let request = vtl::Request::new().with_limits(tight);
    /// let err = vtl::render("#foreach($i in [1..3])$i#end", &request).unwrap_err();
    /// assert_eq!(err.kind(), vtl::ErrorKind::Limit);
    /// ```
    pub fn with_limits(mut self, limits: crate::Limits) -> Request {
        self.limits = Some(limits);
        self
    }

    /// The limits renders against the request run within.
    pub fn limits(&self) -> crate::Limits {
        self.limits.unwrap_or(crate::Limits {
            max_iterations: Some(super::MAX_FOREACH_ITERATIONS),
            max_template_bytes: super::MAX_TEMPLATE_BYTES,
            ..crate::Limits::default()
        })
    }

    /// Sets the raw payload.
    pub fn with_body(mut self, body: impl AsRef<str>) -> Request {
        self.body = Arc::from(body.as_ref());
        self
    }

    /// Adds a path parameter.
    pub fn with_path(self, name: impl Into<String>, value: impl Into<String>) -> Request {
        self.with_param(|r| &mut r.path, name.into(), value.into())
    }

    /// Adds a query string parameter.
    pub fn with_querystring(self, name: impl Into<String>, value: impl Into<String>) -> Request {
        self.with_param(|r| &mut r.querystring, name.into(), value.into())
    }

    /// Adds a header.
    pub fn with_header(self, name: impl Into<String>, value: impl Into<String>) -> Request {
        self.with_param(|r| &mut r.header, name.into(), value.into())
    }

    /// Adds a stage variable.
    pub fn with_stage_variable(self, name: impl Into<String>, value: impl Into<String>) -> Request {
        self.with_param(|r| &mut r.stage_variables, name.into(), value.into())
    }

    /// Adds `name = value` to a group of parameters; the shared strings are made again.
    fn with_param(
        mut self,
        group: fn(&mut Request) -> &mut Arc<Params>,
        name: String,
        value: String,
    ) -> Request {
        Arc::make_mut(group(&mut self)).insert(name, value);
        self.strings = OnceLock::new();
        self
    }

    /// Sets a `$context` variable (any JSON value, objects nested).
    pub fn with_context(mut self, name: impl Into<String>, value: serde_json::Value) -> Request {
        Arc::make_mut(&mut self.context).insert(name.into(), value);
        self.strings = OnceLock::new();
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

    /// The request's text as shared strings.
    pub(crate) fn strings(&self) -> Arc<Strings> {
        Arc::clone(self.strings.get_or_init(|| Arc::new(Strings::new(self))))
    }

    pub(crate) fn body_arc(&self) -> Arc<str> {
        Arc::clone(&self.body)
    }
}
