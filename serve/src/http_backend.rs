//! HTTP and HTTP_PROXY integrations: the request API Gateway sends to the integration URI
//! (or to the local origin `--http-origin` rewrites it to), and the answer as an outcome.

use indexmap::IndexMap;
use vtl::apigateway::{Integration, Outcome, Params};

use crate::client::{self, Client};
use crate::method_request::Incoming;

/// The request to send.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// The method.
    pub method: String,
    /// The URL, after rewrites.
    pub url: String,
    /// The headers.
    pub headers: Vec<(String, String)>,
}

/// Headers that belong to one connection and are not forwarded.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "content-length",
    "host",
    "keep-alive",
    "transfer-encoding",
    "upgrade",
    "te",
    "trailer",
];

/// The request an integration sends for `incoming`: the integration URI with its
/// `{name}` parts filled from the request parameter mappings (or the path parameter of
/// the same name), the mapped query string parameters and headers, rewritten by
/// `origins`. An HTTP proxy passes the method, query string and headers through.
pub fn outgoing(
    integration: &Integration,
    incoming: &Incoming,
    params: &Params,
    origins: &[(String, String)],
) -> Outgoing {
    let mapped = |target: &str| -> Option<String> {
        let source = integration.request_parameters.get(target)?;
        mapping_source(source, incoming, params)
    };
    let mut url = String::new();
    let mut rest = integration.uri.as_str();
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        url.push_str(&rest[..open]);
        let bare = name.trim_end_matches('+');
        let value = mapped(&format!("integration.request.path.{bare}"))
            .or_else(|| params.get(bare).cloned())
            .unwrap_or_default();
        url.push_str(&value);
        rest = &rest[open + close + 1..];
    }
    url.push_str(rest);
    let proxy = integration.kind.is_proxy();
    let mut query: Vec<String> = Vec::new();
    if proxy && !incoming.raw_query.is_empty() {
        query.push(incoming.raw_query.clone());
    }
    let mut headers: Vec<(String, String)> = if proxy {
        incoming
            .headers
            .iter()
            .filter(|(k, _)| !HOP_BY_HOP.iter().any(|h| k.eq_ignore_ascii_case(h)))
            .cloned()
            .collect()
    } else {
        vec![("Content-Type".to_string(), "application/json".to_string())]
    };
    for target in integration.request_parameters.keys() {
        if let Some(name) = target.strip_prefix("integration.request.querystring.")
            && let Some(v) = mapped(target)
        {
            query.push(format!(
                "{}={}",
                vtl::apigateway::url_encode(name),
                vtl::apigateway::url_encode(&v)
            ));
        }
        if let Some(name) = target.strip_prefix("integration.request.header.")
            && let Some(v) = mapped(target)
        {
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
            headers.push((name.to_string(), v));
        }
    }
    if !query.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&query.join("&"));
    }
    let method = match integration.http_method.as_deref() {
        Some(m) if !proxy || !m.eq_ignore_ascii_case("ANY") => m.to_ascii_uppercase(),
        _ => incoming.method.clone(),
    };
    Outgoing {
        method,
        url: rewrite(&url, origins),
        headers,
    }
}

/// The value of a request parameter mapping's source: `'literal'`,
/// `method.request.path.NAME`, `method.request.querystring.NAME`,
/// `method.request.header.NAME`.
fn mapping_source(source: &str, incoming: &Incoming, params: &Params) -> Option<String> {
    if let Some(lit) = source.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Some(lit.to_string());
    }
    if let Some(name) = source.strip_prefix("method.request.path.") {
        return params.get(name).cloned();
    }
    if let Some(name) = source.strip_prefix("method.request.querystring.") {
        return incoming
            .query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone());
    }
    let name = source.strip_prefix("method.request.header.")?;
    incoming.header(name).map(str::to_string)
}

/// `url` with the first origin it starts with replaced by its local address.
///
/// ```
/// let origins = [("https://api.example.com".to_string(), "http://127.0.0.1:8080".to_string())];
/// assert_eq!(vtl_serve::rewrite("https://api.example.com/pets/7", &origins), "http://127.0.0.1:8080/pets/7");
/// assert_eq!(vtl_serve::rewrite("https://other.example.com/", &origins), "https://other.example.com/");
/// ```
pub fn rewrite(url: &str, origins: &[(String, String)]) -> String {
    for (original, local) in origins {
        if let Some(rest) = url.strip_prefix(original.as_str()) {
            return format!("{local}{rest}");
        }
    }
    url.to_string()
}

/// Sends the request and reads the answer as an HTTP outcome.
pub async fn call(client: &Client, outgoing: &Outgoing, body: String) -> Result<Outcome, String> {
    let reply = client::send(
        client,
        &outgoing.method,
        &outgoing.url,
        &outgoing.headers,
        body,
    )
    .await?;
    let mut headers = IndexMap::new();
    for (k, v) in reply.headers {
        if !HOP_BY_HOP.contains(&k.as_str()) {
            headers.insert(crate::method_request::canonical_name(&k), v);
        }
    }
    Ok(Outcome::Http {
        status: reply.status,
        body: reply.body,
        headers,
    })
}
