//! API Gateway's mapping template variables on top of the Velocity engine: `$input`,
//! `$util`, `$context` and `$stageVariables`, with API Gateway's null model (anything
//! unresolved is `""`) and its limits.

mod api;
mod context;
mod extension;
mod flow;
mod input;
mod json;
mod jsonpath;
mod origin;
mod request;
mod router;
mod selection;
mod util;

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use crate::context::{Bindings, Context, NullMode, Scope};
use crate::value::key::StrKey;
use crate::value::{Key, MapRef, Value};
use crate::{Error, ErrorKind, Template};

pub use api::{
    Api, Backend, Compile, Integration, IntegrationResponse, IntegrationType, LOCATED,
    MappingTemplate, Method, MethodResponse, PassthroughBehavior, Pattern, Sourced,
};
pub use extension::StatusCode;
pub use flow::{BackendRequest, Outcome, Simulation, simulate};
pub use origin::{Anchor, Origin};
pub use request::{Params, Request};
pub use router::match_path;
pub use selection::{SelectionPattern, select};
pub use util::{base64_decode, base64_encode, escape_javascript, url_decode, url_encode};

/// API Gateway's limit on the size of a mapping template.
pub const MAX_TEMPLATE_BYTES: usize = 300 * 1024;

/// API Gateway's limit on the size of a request or response payload: larger ones are
/// refused (413) before any template sees them.
pub const MAX_PAYLOAD_BYTES: usize = 10 * 1024 * 1024;

/// API Gateway's default integration timeout: a backend that has not answered by then
/// gets the client a 504 `{"message": "Endpoint request timed out"}`.
pub const INTEGRATION_TIMEOUT_MS: u64 = 29_000;

/// API Gateway's limit on the iterations of one `#foreach`.
pub const MAX_FOREACH_ITERATIONS: usize = 1000;

/// What rendering a template for API Gateway produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendering {
    /// The rendered text.
    pub output: String,
    /// `$context.requestOverride` after the render: `header`, `path` and `querystring` maps.
    pub request_override: serde_json::Value,
    /// `$context.responseOverride` after the render: `header` and, if set, `status`.
    pub response_override: serde_json::Value,
}

/// Renders `template` against `request` as API Gateway does.
///
/// ```
/// let request = vtl::Request::new()
///     .with_body(r#"{"user": {"name": "Ada", "tags": ["a", "b"]}}"#)
///     .with_path("id", "7");
/// let out = vtl::render(
///     r#"{"id": "$input.params('id')", "user": $input.json('$.user'), "tags": $input.path('$.user.tags'), "x": "$input.path('$.missing')"}"#,
///     &request,
/// ).unwrap();
/// assert_eq!(out, r#"{"id": "7", "user": {"name":"Ada","tags":["a","b"]}, "tags": ["a","b"], "x": ""}"#);
/// ```
pub fn render(template: &str, request: &Request) -> Result<String, Error> {
    check_size(template)?;
    Template::parse(template)?.render(request)
}

/// Refuses a template larger than API Gateway accepts ([`MAX_TEMPLATE_BYTES`]).
///
/// ```
/// assert!(vtl::apigateway::check_size("{}").is_ok());
/// let big = " ".repeat(vtl::apigateway::MAX_TEMPLATE_BYTES + 1);
/// assert_eq!(vtl::apigateway::check_size(&big).unwrap_err().kind(), vtl::ErrorKind::Limit);
/// ```
pub fn check_size(template: &str) -> Result<(), Error> {
    if template.len() > MAX_TEMPLATE_BYTES {
        return Err(Error::new(
            ErrorKind::Limit,
            format!(
                "the template has {} bytes; API Gateway accepts at most {MAX_TEMPLATE_BYTES}",
                template.len()
            ),
        )
        .at(1, 1));
    }
    Ok(())
}

/// Renders a template and also returns the overrides it set in `$context.requestOverride`
/// and `$context.responseOverride`.
///
/// ```
/// let t = vtl::Template::parse("#set($context.responseOverride.status = 400)done").unwrap();
/// let r = vtl::apigateway::render_with_overrides(&t, &vtl::Request::new()).unwrap();
/// assert_eq!(r.output, "done");
/// assert_eq!(r.response_override["status"], 400);
/// ```
pub fn render_with_overrides(template: &Template, request: &Request) -> Result<Rendering, Error> {
    check_size(template.source())?;
    let (context, map) = request.bind();
    let output = template.render_string(&context)?;
    let map = map.borrow();
    let take = |name: &str| {
        map.get(&crate::value::key::StrKey(name))
            .map_or(serde_json::Value::Null, Value::to_json)
    };
    Ok(Rendering {
        output,
        request_override: take("requestOverride"),
        response_override: take("responseOverride"),
    })
}

/// Parses a JSON document given by the user; an error names `what` and the position.
/// JSON text whose escapes of lone surrogates (`"\ud800"`: valid JSON, which Java reads
/// into a string) are replaced by the characters standing for them in this crate's
/// strings, for a JSON parser that reads only Unicode characters. [`Request::from_json`]
/// does it itself; a render writes such a surrogate as `?`, as API Gateway does.
///
/// ```
/// let json = vtl::apigateway::keep_lone_surrogates(r#"{"body": "a\ud800b"}"#);
/// let value: serde_json::Value = serde_json::from_str(&json).unwrap();
/// let request = vtl::Request::from_value(&value).unwrap();
/// assert_eq!(vtl::render("$input.body $input.body.length()", &request).unwrap(), "a?b 3");
/// ```
pub fn keep_lone_surrogates(json: &str) -> Cow<'_, str> {
    crate::java::surrogate::json_escapes(json)
}

pub(crate) fn parse_json(text: &str, what: &str) -> Result<serde_json::Value, Error> {
    serde_json::from_str(&keep_lone_surrogates(text)).map_err(|e| {
        Error::new(ErrorKind::Input, format!("{what} is not valid JSON: {e}"))
            .at(e.line().max(1), e.column().max(1))
    })
}

fn empty_map() -> Value {
    Value::new_map(Default::default())
}

impl Request {
    /// The context of one render: fresh `$input` (its body parsed on demand), `$util`,
    /// `$context` with the override maps API Gateway always provides, `$stageVariables`.
    fn bind(&self) -> (Context, MapRef) {
        let map = self.context_map();
        (self.bind_payload(self.body_arc(), Some(&map)), map)
    }

    /// The `$context` map of one API call, shared by its request and response templates.
    pub(crate) fn context_map(&self) -> MapRef {
        context_map(&self.strings())
    }

    /// A render context whose `$input` payload is `payload` (the request body, or for a
    /// response template the backend's answer) and whose `$context` is `map`, or, without
    /// one, the request's context, read in place.
    pub(crate) fn bind_payload(
        &self,
        payload: std::sync::Arc<str>,
        map: Option<&MapRef>,
    ) -> Context {
        let strings = self.strings();
        let body = if payload.is_empty() {
            Arc::clone(&strings.empty_body)
        } else {
            payload
        };
        // The one allocation of binding a call: its variables are made as a template
        // reads them.
        let call = Rc::new(Call {
            input: input::Input::new(body, Arc::clone(&strings)),
            context: map.map(Rc::clone),
            strings,
        });
        Context {
            vars: Vec::new(),
            scope: Some(call),
            null_mode: NullMode::Empty,
            limits: self.limits(),
        }
    }
}

/// The variables of one API call ([`VARIABLES`]): `$input` is the call itself; `$util`
/// is shared; `$context` and `$stageVariables` are made when a render first uses them.
struct Call {
    input: input::Input,
    /// The `$context` map to use, if given; else the request's context is read.
    context: Option<MapRef>,
    strings: Arc<request::Strings>,
}

impl Scope for Call {
    fn variable(self: Rc<Self>, name: &str) -> Option<Value> {
        Some(match name {
            "input" => Value::Object(self),
            "util" => Value::Object(util::Util::shared()),
            "context" => Value::Object(match &self.context {
                Some(map) => Rc::new(context::ContextMap::top(Rc::clone(map))),
                None => context::ContextMap::of_request(Arc::clone(&self.strings)),
            }),
            "stageVariables" => Value::Map(request::pairs_map(&self.strings.stage_variables)),
            _ => return None,
        })
    }
}

/// `$input`.
impl crate::value::Object for Call {
    fn property(&self, name: &str) -> Option<Value> {
        self.input.property(name)
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, Error>> {
        self.input.call(name, args)
    }

    fn to_java_string(&self) -> String {
        self.input.to_java_string()
    }
}

/// The `$context` map of one API call: the request's context and the override maps API
/// Gateway always provides.
fn context_map(strings: &request::Strings) -> MapRef {
    let key = |name: &Arc<str>| Key(Value::Str(Arc::clone(name)));
    let mut m = crate::value::Map::from_distinct(
        strings
            .context
            .iter()
            .map(|(k, v)| (key(k), v.value()))
            .collect(),
    );
    let [path, querystring, header] = &strings.groups;
    let [request_override, response_override] = &strings.overrides;
    if !m.contains_key(&StrKey("requestOverride")) {
        let o = [path, header, querystring]
            .into_iter()
            .map(|k| (key(k), empty_map()))
            .collect();
        m.insert(key(request_override), Value::new_map(o));
    }
    if !m.contains_key(&StrKey("responseOverride")) {
        let o = [(key(header), empty_map())].into_iter().collect();
        m.insert(key(response_override), Value::new_map(o));
    }
    Rc::new(RefCell::new(m))
}

impl Bindings for Request {
    fn context(&self) -> Cow<'_, Context> {
        Cow::Owned(self.bind_payload(self.body_arc(), None))
    }
}

/// The variables API Gateway gives a mapping template.
pub const VARIABLES: &[&str] = &["input", "util", "context", "stageVariables"];

/// The members of `$input`.
pub const INPUT_MEMBERS: &[&str] = &["body", "json", "path", "params"];

/// The methods of `$util`.
pub const UTIL_METHODS: &[&str] = &[
    "escapeJavaScript",
    "parseJson",
    "urlEncode",
    "urlDecode",
    "base64Encode",
    "base64Decode",
];

/// The top-level names of `$context` that mapping templates can read (the specification's
/// 4.1, from AWS's reference of `$context` variables); the access-logging-only ones are
/// left out.
pub const CONTEXT_VARIABLES: &[&str] = &[
    "accountId",
    "apiId",
    "authorizer",
    "awsEndpointRequestId",
    "deploymentId",
    "domainName",
    "domainPrefix",
    "error",
    "extendedRequestId",
    "httpMethod",
    "identity",
    "isCanaryRequest",
    "path",
    "protocol",
    "requestId",
    "requestOverride",
    "responseOverride",
    "requestTime",
    "requestTimeEpoch",
    "resourceId",
    "resourcePath",
    "stage",
    "wafResponseCode",
    "webaclArn",
];

#[cfg(test)]
mod names_tests {
    use super::*;

    /// The lists name what the objects answer, so they cannot drift apart.
    #[test]
    fn every_listed_member_answers() {
        let request = Request::new().with_body("{}");
        for m in UTIL_METHODS {
            let out = render(&format!("$util.{m}('e30=')"), &request).unwrap();
            assert!(!out.starts_with("$util"), "{m}: {out}");
        }
        for (m, call) in INPUT_MEMBERS
            .iter()
            .zip(["body", "json('$')", "path('$')", "params()"])
        {
            assert!(call.starts_with(m));
            let out = render(&format!("$input.{call}"), &request).unwrap();
            assert!(out.starts_with('{'), "{m}: {out}");
        }
    }
}
