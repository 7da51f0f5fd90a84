//! The request file: one shape for every request the tools read, whether `vtl render
//! --request FILE`, `vtl simulate --request FILE` or a case file's `request:`, and the
//! `$context` a call run locally gets.
//!
//! # The shape
//!
//! JSON or YAML, every field optional (see `docs/request.md`):
//!
//! - `method`: the HTTP method (any case; `GET` when a call is routed without one).
//! - `path`: **a string** is the request's URL path, `/pets/7?verbose=1`: its query part is
//!   decoded (`+` and `%XX`) into `querystring`. **An object** is the path parameters, as in
//!   the request format of the renderer (`{"id": "7"}`).
//! - `querystring`, `header`, `stageVariables`: objects of strings (numbers and booleans
//!   are taken as they are written). `querystring` wins over the query part of `path`.
//! - `body`: **a string** is the raw payload, byte for byte; **any other value** is
//!   serialized as compact JSON (`{a: 1}` is `{"a":1}`); `null` is no body.
//! - `context`: `$context`, any object, nested; it overrides the local defaults key by key
//!   (`context: {identity: {sourceIp: 10.0.0.1}}` changes that key only).
//!
//! Unknown fields are errors at their position; the spellings of other formats (`headers`,
//! `query`, `pathParameters`, ...) are errors that name the field to write instead.
//!
//! # Local `$context`
//!
//! [`local_call`] fills in what API Gateway would: `requestId`, `extendedRequestId`,
//! `accountId`, `apiId`, `stage`, `requestTime`, `requestTimeEpoch`, `protocol`,
//! `domainName`, `domainPrefix`, `deploymentId`, `identity`, and, when known,
//! `httpMethod`, `resourcePath`, `resourceId` and `path`. The ids are derived from the
//! request, so the same request renders the same way every time; the time is the clock's.
//!
//! ```
//! use vtl_tools::request::{Call, RequestFile, local_call};
//!
//! let file = RequestFile::parse("r.yaml", "method: post\npath: /pets/7?q=a+b\nbody: {n: 1}\n")?;
//! assert_eq!(file.path.as_deref(), Some("/pets/7"));
//! assert_eq!(file.querystring["q"], "a b");
//! let request = local_call(&file, &Call { resource_path: Some("/pets/{id}"), ..Call::default() });
//! assert_eq!(request.body(), r#"{"n":1}"#);
//! assert_eq!(request.context()["httpMethod"], "POST");
//! assert_eq!(request.context()["path"], "/local/pets/7");
//! assert_eq!(request.context()["identity"]["sourceIp"], "127.0.0.1");
//! # Ok::<(), vtl::Error>(())
//! ```

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Map, Value as Json};
use vtl::apigateway::{Api, MAX_PAYLOAD_BYTES, Method, Params, Request};
use vtl::{Error, ErrorKind};

use crate::document::de::from_node;
use crate::document::{Document, Node, Value, error_at};
use crate::files;

/// A request file, read but not yet made into a call.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestFile {
    /// The HTTP method, upper-case, when given.
    pub method: Option<String>,
    /// The URL path without its query, when `path` is a string.
    pub path: Option<String>,
    /// The path parameters, when `path` is an object.
    pub path_parameters: Params,
    /// The query string parameters: those of the URL path, then `querystring`.
    pub querystring: Params,
    /// The headers.
    pub header: Params,
    /// The stage variables.
    pub stage_variables: Params,
    /// The raw payload, when given.
    pub body: Option<String>,
    /// The `$context` given, over the local defaults.
    pub context: Map<String, Json>,
}

/// The fields a request file has; `path`, `body` and `context` are read from their nodes,
/// which keep numbers as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Shape {
    method: Option<String>,
    #[serde(rename = "path")]
    _path: Option<IgnoredAny>,
    #[serde(rename = "body")]
    _body: Option<IgnoredAny>,
    #[serde(default)]
    querystring: Params,
    #[serde(default)]
    header: Params,
    #[serde(default)]
    stage_variables: Params,
    #[serde(rename = "context")]
    _context: Option<IgnoredAny>,
}

/// Spellings of other formats (the old case files, Lambda proxy events) and what a request
/// file writes instead.
const RENAMED: &[(&str, &str)] = &[
    (
        "headers",
        "`headers` is written `header`, as in a request file",
    ),
    (
        "query",
        "`query` is written `querystring`, as in a request file",
    ),
    (
        "queryStringParameters",
        "`queryStringParameters` is written `querystring`, as in a request file",
    ),
    (
        "pathParameters",
        "`pathParameters` is written `path`, as in a request file: an object of path \
         parameters (a string is the URL path)",
    ),
    ("httpMethod", "`httpMethod` is written `method`"),
    (
        "stageVariable",
        "`stageVariable` is written `stageVariables`",
    ),
    (
        "requestContext",
        "`requestContext` is written `context`, as in a request file",
    ),
];

impl RequestFile {
    /// Reads a request from `node` of the document `file`; errors point at the offending
    /// value.
    pub fn from_node(file: &Arc<str>, node: &Node) -> Result<RequestFile, Error> {
        let at = |n: &Node, message: &str| error_at(file, n.line, n.column, message);
        if let Some(entries) = node.entries() {
            for (key, _) in entries {
                if let Some((_, message)) = RENAMED.iter().find(|(k, _)| key.as_str() == Some(k)) {
                    return Err(at(key, message));
                }
            }
        } else if !matches!(node.value, Value::Null) {
            return Err(at(
                node,
                &format!("a request must be a mapping, not {}", node.kind()),
            ));
        }
        if matches!(node.value, Value::Null) {
            return Ok(RequestFile::default());
        }
        let shape: Shape = from_node(file, node)?;
        let mut request = RequestFile {
            method: shape.method.map(|m| m.to_ascii_uppercase()),
            header: shape.header,
            stage_variables: shape.stage_variables,
            ..RequestFile::default()
        };
        match node.get("path") {
            None => {}
            Some(n) if matches!(n.value, Value::Null) => {}
            Some(n) if n.as_str().is_some() => {
                let full = n.as_str().unwrap_or_default();
                let (path, query) = full.split_once('?').unwrap_or((full, ""));
                if !path.starts_with('/') {
                    return Err(at(n, &format!("the URL path `{path}` must start with `/`")));
                }
                request.path = Some(path.to_string());
                request.querystring =
                    parse_query(query).map_err(|e| at(n, &format!("bad query string: {e}")))?;
            }
            Some(n) if n.entries().is_some() => request.path_parameters = from_node(file, n)?,
            Some(n) => {
                return Err(at(
                    n,
                    &format!(
                        "`path` is the URL path (a string such as /pets/7?q=1) or the path \
                         parameters (an object of strings), not {}",
                        n.kind()
                    ),
                ));
            }
        }
        request.querystring.extend(shape.querystring);
        request.body = match node.get("body") {
            None => None,
            Some(n) => match &n.value {
                Value::Null => None,
                Value::String(t) => Some(t.text.clone()),
                _ => Some(n.to_json().to_string()),
            },
        };
        if let Some(body) = &request.body
            && body.len() > MAX_PAYLOAD_BYTES
        {
            let n = node.get("body").unwrap_or(node);
            let message = format!(
                "the body has {} bytes; API Gateway refuses payloads over {MAX_PAYLOAD_BYTES} \
                 (413 Request Entity Too Large)",
                body.len()
            );
            return Err(Error::new(ErrorKind::Limit, message).in_file(
                Arc::clone(file),
                n.line as usize,
                n.column as usize,
            ));
        }
        match node.get("context") {
            None => {}
            Some(n) => match n.to_json() {
                Json::Object(m) => request.context = m,
                Json::Null => {}
                _ => {
                    return Err(at(
                        n,
                        &format!(
                            "`context` must be a mapping ($context, nested), not {}",
                            n.kind()
                        ),
                    ));
                }
            },
        }
        Ok(request)
    }

    /// Reads a request file's text (JSON or YAML), named `file` in errors.
    pub fn parse(file: &str, text: &str) -> Result<RequestFile, Error> {
        let doc = Document::parse(file, text)?;
        RequestFile::from_node(&doc.file, &doc.root)
    }

    /// The method: the one given, or `GET`.
    pub fn method(&self) -> &str {
        self.method.as_deref().unwrap_or("GET")
    }

    /// The URL path the request is routed by: the one given; or, when `path` gives the
    /// parameters and `context.resourcePath` the resource, the resource path with the
    /// parameters put in; or `/` when neither is given.
    pub fn url_path(&self) -> Option<String> {
        if let Some(p) = &self.path {
            return Some(p.clone());
        }
        match self.context.get("resourcePath").and_then(Json::as_str) {
            Some(resource) => fill_resource(resource, &self.path_parameters),
            None => self.path_parameters.is_empty().then(|| "/".to_string()),
        }
    }

    /// Routes the request in `api`: the method it reaches and the request as that method
    /// receives it (path parameters of the match, then the file's; the local `$context`).
    /// No method answering is an error that says so; API Gateway answers 403
    /// `{"message":"Missing Authentication Token"}` then.
    pub fn route<'a>(
        &self,
        api: &'a Api,
        now: Option<SystemTime>,
    ) -> Result<(&'a Method, Request), Error> {
        let invalid = |m: String| Error::new(ErrorKind::Input, m);
        let Some(url) = self.url_path() else {
            return Err(invalid(
                "the request gives path parameters but no URL path to route by: write `path` \
                 as the URL path (`/pets/7`), or give `context.resourcePath`"
                    .to_string(),
            ));
        };
        let method = self.method();
        let Some((found, params)) = api.route(method, &url) else {
            return Err(invalid(unrouted(api, method, &url)));
        };
        let call = Call {
            resource_path: Some(&found.path),
            url_path: Some(url.clone()),
            path_parameters: params,
            now,
        };
        Ok((found, local_call(self, &call)))
    }
}

/// Why a request reaches no method of `api`, and what API Gateway answers.
pub fn unrouted(api: &Api, method: &str, path: &str) -> String {
    let mut methods: Vec<String> = api
        .methods
        .iter()
        .map(|m| format!("{} {}", m.http_method, m.path))
        .collect();
    if methods.len() > 20 {
        let more = methods.len() - 20;
        methods.truncate(20);
        methods.push(format!("{more} more"));
    }
    format!(
        "no method of the API answers {method} {path}: API Gateway answers 403 \
         {MISSING_AUTHENTICATION_TOKEN} (methods: {})",
        if methods.is_empty() {
            "none".to_string()
        } else {
            methods.join(", ")
        }
    )
}

/// The body API Gateway answers a request for a resource or method that does not exist.
pub const MISSING_AUTHENTICATION_TOKEN: &str = r#"{"message":"Missing Authentication Token"}"#;

/// Reads the request file at `path` (JSON or YAML, at most [`MAX_REQUEST_FILE_BYTES`]).
pub fn read(path: &Path) -> Result<RequestFile, Error> {
    let text = files::read_capped(
        path,
        MAX_REQUEST_FILE_BYTES,
        "twice API Gateway's 10 MiB payload limit",
    )?;
    RequestFile::parse(&path.display().to_string(), &text)
}

/// The largest request file read: its payload may be at most [`MAX_PAYLOAD_BYTES`] once
/// decoded, and twice that leaves room for one written as an escaped string.
pub const MAX_REQUEST_FILE_BYTES: u64 = 2 * MAX_PAYLOAD_BYTES as u64;

/// What a local call knows beyond its request file.
#[derive(Clone, Debug, Default)]
pub struct Call<'a> {
    /// The resource path of the method the request reached (`/pets/{id}`), when known.
    pub resource_path: Option<&'a str>,
    /// The URL path the request was routed by, when it differs from the file's.
    pub url_path: Option<String>,
    /// The path parameters of the route; the file's own `path` parameters win over them.
    pub path_parameters: Params,
    /// The time of the call; `None` reads the system clock.
    pub now: Option<SystemTime>,
}

/// The defaults of the local `$context`: the account and region every importer assumes,
/// an API id of the shape API Gateway gives, the stage `local`.
pub use crate::import::local::{ACCOUNT as ACCOUNT_ID, REGION};
/// The API id of local calls.
pub const API_ID: &str = "abcdef1234";
/// The stage of local calls.
pub const STAGE: &str = "local";
/// The deployment id of local calls.
pub const DEPLOYMENT_ID: &str = "d3ploy";
/// The caller's address of local calls.
pub const SOURCE_IP: &str = "127.0.0.1";

/// The request `file` as a method receives it when run locally: its parameters, headers,
/// stage variables and body, and a `$context` of realistic defaults under the file's own.
pub fn local_call(file: &RequestFile, call: &Call) -> Request {
    let mut params = call.path_parameters.clone();
    params.extend(
        file.path_parameters
            .iter()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    let mut context = defaults(file, call, &params);
    merge(&mut context, &file.context);
    with_fields(file, &params, context)
}

/// The request `file` exactly as written, without the local `$context` defaults: the
/// template sees only the context the file gives, as the conformance data was recorded.
///
/// ```
/// let file = vtl_tools::request::RequestFile::parse("r.json", r#"{"context": {"stage": "prod"}}"#)?;
/// let request = vtl_tools::request::exact_call(&file);
/// assert_eq!(vtl::render("$context.stage|$context.requestId|", &request)?, "prod||");
/// # Ok::<(), vtl::Error>(())
/// ```
pub fn exact_call(file: &RequestFile) -> Request {
    with_fields(file, &file.path_parameters, file.context.clone())
}

fn with_fields(file: &RequestFile, params: &Params, context: Map<String, Json>) -> Request {
    let mut request = Request::new();
    for (k, v) in params {
        request = request.with_path(k, v);
    }
    for (k, v) in &file.querystring {
        request = request.with_querystring(k, v);
    }
    for (k, v) in &file.header {
        request = request.with_header(k, v);
    }
    for (k, v) in &file.stage_variables {
        request = request.with_stage_variable(k, v);
    }
    if let Some(b) = &file.body {
        request = request.with_body(b);
    }
    for (k, v) in context {
        request = request.with_context(k, v);
    }
    request
}

/// The local `$context`, in the order API Gateway lists its keys, each computed from what
/// the file overrides (`stage` in `path`, `domainName` in `domainPrefix`, ...).
fn defaults(file: &RequestFile, call: &Call, params: &Params) -> Map<String, Json> {
    let given = |key: &str| file.context.get(key).and_then(Json::as_str);
    let header = |name: &str| {
        file.header
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let method = file
        .method
        .clone()
        .or_else(|| call.resource_path.map(|_| "GET".to_string()));
    let resource = given("resourcePath").or(call.resource_path);
    let url = call
        .url_path
        .clone()
        .or_else(|| file.path.clone())
        .or_else(|| resource.and_then(|r| fill_resource(r, params)));
    let stage = given("stage").unwrap_or(STAGE);
    let api_id = given("apiId").unwrap_or(API_ID);
    let domain = given("domainName")
        .map(str::to_string)
        .or_else(|| header("Host").map(str::to_string))
        .unwrap_or_else(|| format!("{api_id}.execute-api.{REGION}.amazonaws.com"));
    let (epoch_ms, time) = clock(file, call.now);
    let id = fingerprint(file, method.as_deref(), url.as_deref());

    // Sized for every key below: a case file builds one per case.
    let mut c = Map::with_capacity(16);
    if let Some(r) = resource {
        c.insert("resourceId".into(), resource_id(r).into());
        c.insert("resourcePath".into(), r.into());
    }
    if let Some(m) = method {
        c.insert("httpMethod".into(), m.into());
    }
    c.insert("extendedRequestId".into(), extended_request_id(id).into());
    c.insert("requestTime".into(), time.into());
    if let Some(u) = &url {
        c.insert("path".into(), format!("/{stage}{u}").into());
    }
    c.insert("accountId".into(), ACCOUNT_ID.into());
    c.insert("protocol".into(), "HTTP/1.1".into());
    c.insert("stage".into(), stage.into());
    let prefix = domain.split('.').next().unwrap_or_default().to_string();
    c.insert("domainPrefix".into(), prefix.into());
    c.insert("requestTimeEpoch".into(), epoch_ms.into());
    c.insert("requestId".into(), uuid(id).into());
    let mut identity = Map::with_capacity(12);
    for key in [
        "cognitoIdentityPoolId",
        "accountId",
        "cognitoIdentityId",
        "caller",
        "sourceIp",
        "principalOrgId",
        "accessKey",
        "cognitoAuthenticationType",
        "cognitoAuthenticationProvider",
        "userArn",
        "userAgent",
        "user",
    ] {
        identity.insert(key.into(), Json::Null);
    }
    identity.insert("sourceIp".into(), SOURCE_IP.into());
    if let Some(agent) = header("User-Agent") {
        identity.insert("userAgent".into(), agent.into());
    }
    c.insert("identity".into(), Json::Object(identity));
    c.insert("domainName".into(), domain.into());
    c.insert("deploymentId".into(), DEPLOYMENT_ID.into());
    c.insert("apiId".into(), api_id.into());
    c
}

/// Puts `over` into `base`: objects key by key, anything else replaces.
fn merge(base: &mut Map<String, Json>, over: &Map<String, Json>) {
    for (k, v) in over {
        match (base.get_mut(k), v) {
            (Some(Json::Object(b)), Json::Object(o)) => merge(b, o),
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

/// `/pets/{id}` with `id` = 7 is `/pets/7`; `None` when a parameter is missing.
fn fill_resource(resource: &str, params: &Params) -> Option<String> {
    let mut out = String::new();
    for segment in resource.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => out.push_str(params.get(name.trim_end_matches('+'))?),
            None => out.push_str(segment),
        }
    }
    Some(if out.is_empty() { "/".to_string() } else { out })
}

/// `a=1&b=x+y` decoded, in order; a key without `=` has the empty value. A name given
/// more than once keeps its last value, as API Gateway's single-value parameters do
/// (docs/spec/serve.md, "Repeated names").
fn parse_query(query: &str) -> Result<Params, String> {
    query_pairs(query).map(|pairs| pairs.into_iter().collect())
}

/// The parameters of a URL's query part (`a=1&b=x+y&a=2`), decoded (`+` and `%XX`), every
/// one in order, repeated names included; a key without `=` has the empty value.
///
/// ```
/// let pairs = vtl_tools::request::query_pairs("a=1&b=x+y&a=%32&flag").unwrap();
/// assert_eq!(pairs, [("a", "1"), ("b", "x y"), ("a", "2"), ("flag", "")]
///     .map(|(k, v)| (k.to_string(), v.to_string())));
/// ```
pub fn query_pairs(query: &str) -> Result<Vec<(String, String)>, String> {
    let decode = |s: &str| vtl::apigateway::url_decode(&s.replace('+', " "));
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

/// The time of the call in epoch milliseconds and as `requestTime`: from the file's
/// `requestTimeEpoch` or `requestTime` when it gives one (so that the two agree), else
/// `now`, else the system clock.
fn clock(file: &RequestFile, now: Option<SystemTime>) -> (u64, String) {
    let given_epoch = file.context.get("requestTimeEpoch").and_then(Json::as_u64);
    let given_time = file
        .context
        .get("requestTime")
        .and_then(Json::as_str)
        .and_then(parse_clf);
    let ms = given_epoch.or(given_time).unwrap_or_else(|| {
        now.unwrap_or_else(SystemTime::now)
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_millis()
            .try_into()
            .unwrap_or(u64::MAX)
    });
    (ms, format_clf(ms))
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Epoch milliseconds as API Gateway's `requestTime`: `09/Apr/2015:12:34:56 +0000`.
pub fn format_clf(epoch_ms: u64) -> String {
    let secs = epoch_ms / 1000;
    let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2);
    let rest = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{d:02}/{}/{y:04}:{:02}:{:02}:{:02} +0000",
        MONTHS[(m - 1) as usize],
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// `dd/MMM/yyyy:HH:mm:ss +hhmm` as epoch milliseconds.
fn parse_clf(text: &str) -> Option<u64> {
    let (stamp, zone) = text.split_once(' ')?;
    let (date, time) = stamp.split_once(':')?;
    let mut date = date.split('/');
    let day: u32 = date.next()?.parse().ok()?;
    let month = date.next()?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? as u32 + 1;
    let year: i64 = date.next()?.parse().ok()?;
    let hms: Vec<i64> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let [h, mi, s] = hms[..] else { return None };
    let (sign, hhmm) = match zone.split_at_checked(1)? {
        ("+", z) => (1, z),
        ("-", z) => (-1, z),
        _ => return None,
    };
    let offset: i64 = hhmm.parse().ok()?;
    let plausible = (1970..=9999).contains(&year) && (1..=31).contains(&day);
    if !plausible
        || hhmm.len() != 4
        || !(0..24).contains(&h)
        || !(0..60).contains(&mi)
        || !(0..=60).contains(&s)
    {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + h * 3600 + mi * 60 + s
        - sign * (offset / 100 * 3600 + offset % 100 * 60);
    u64::try_from(secs).ok()?.checked_mul(1000)
}

/// The civil date of a day count from 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The day count from 1970-01-01 of a civil date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// 128 bits of FNV-1a over what makes the request itself, for its ids: a request gets the
/// same ids every run (renders and case results stay stable), different requests
/// different ones.
fn fingerprint(file: &RequestFile, method: Option<&str>, url: Option<&str>) -> u128 {
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x6c62_272e_07bb_0142;
    let mut feed = |bytes: &[u8]| {
        for &byte in bytes.iter().chain([0xff].iter()) {
            a = (a ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
            b = (b ^ u64::from(byte))
                .wrapping_mul(0x0000_0100_0000_01b3)
                .rotate_left(5);
        }
    };
    feed(method.unwrap_or("").as_bytes());
    feed(url.unwrap_or("").as_bytes());
    for group in [&file.path_parameters, &file.querystring, &file.header] {
        for (k, v) in group {
            feed(k.as_bytes());
            feed(v.as_bytes());
        }
    }
    feed(file.body.as_deref().unwrap_or("").as_bytes());
    (u128::from(a) << 64) | u128::from(b)
}

/// A UUID of version 4's shape, as API Gateway's request ids are.
pub fn uuid(bits: u128) -> String {
    let bits = (bits & !(0xf << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let hex = format!("{bits:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Sixteen characters of base64 ending in `=`, the shape of API Gateway's extended ids.
pub fn extended_request_id(bits: u128) -> String {
    vtl::apigateway::base64_encode(&bits.to_be_bytes()[..11])
}

/// Six lower-case letters and digits derived from the resource path: each resource keeps
/// its id, as on API Gateway.
fn resource_id(resource: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in resource.as_bytes() {
        h = (h ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    const DIGITS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..6)
        .map(|i| char::from(DIGITS[((h >> (i * 8)) % 36) as usize]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clf_times_round_trip() {
        assert_eq!(format_clf(0), "01/Jan/1970:00:00:00 +0000");
        assert_eq!(format_clf(1_428_582_896_000), "09/Apr/2015:12:34:56 +0000");
        assert_eq!(
            parse_clf("09/Apr/2015:12:34:56 +0000"),
            Some(1_428_582_896_000)
        );
        assert_eq!(
            parse_clf("09/Apr/2015:14:34:56 +0200"),
            Some(1_428_582_896_000)
        );
        assert_eq!(format_clf(951_782_400_000), "29/Feb/2000:00:00:00 +0000");
        assert_eq!(parse_clf("yesterday"), None);
        assert_eq!(parse_clf("01/Jan/99999999999999:00:00:00 +0000"), None);
        assert_eq!(parse_clf("01/Jan/2020:-1:00:00 +0000"), None);
        assert!(format_clf(u64::MAX).ends_with(" +0000"));
    }

    #[test]
    fn ids_have_their_shapes() {
        let id = uuid(u128::MAX);
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!("89ab".contains(&id[19..20]), "{id}");
        assert_eq!(extended_request_id(7).len(), 16);
        assert!(extended_request_id(7).ends_with('='));
        assert_eq!(resource_id("/{hoge}").len(), 6);
    }
}
