//! The method request: what a client sent, read from the HTTP request as API Gateway reads
//! it, and made into the [`Request`] the templates see.

use std::hash::{BuildHasher, RandomState};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use indexmap::IndexMap;
use serde_json::{Value as Json, json};
use vtl::apigateway::{Params, Request, url_decode};
use vtl_tools::request::{Call, RequestFile, extended_request_id, local_call, query_pairs, uuid};

/// One HTTP request as it arrived.
#[derive(Clone, Debug)]
pub struct Incoming {
    /// The HTTP method, upper-case.
    pub method: String,
    /// The URL path as sent, stage included, not decoded.
    pub path: String,
    /// The query part of the URL as sent, without `?`.
    pub raw_query: String,
    /// The query string parameters, decoded, in order, repeated names included.
    pub query: Vec<(String, String)>,
    /// The headers, in order, repeated names included, names in canonical case.
    pub headers: Vec<(String, String)>,
    /// The payload (bytes that are not UTF-8 are replaced with U+FFFD).
    pub body: String,
    /// The caller's address.
    pub peer: IpAddr,
    /// When the request arrived.
    pub time: SystemTime,
}

impl Incoming {
    /// The request as read from its parts; a query string that does not decode is kept
    /// out of the parameters (the raw query still goes to HTTP proxies).
    pub fn new(
        method: &str,
        uri: &hyper::Uri,
        headers: &hyper::HeaderMap,
        body: &[u8],
        peer: IpAddr,
    ) -> Incoming {
        let raw_query = uri.query().unwrap_or("").to_string();
        Incoming {
            method: method.to_ascii_uppercase(),
            path: uri.path().to_string(),
            query: query_pairs(&raw_query).unwrap_or_default(),
            raw_query,
            headers: headers
                .iter()
                .map(|(k, v)| {
                    (
                        canonical_name(k.as_str()),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: String::from_utf8_lossy(body).into_owned(),
            peer,
            time: SystemTime::now(),
        }
    }

    /// The value of header `name` (any case), the last one sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The request a method at `resource_path` receives: path parameters (decoded), the
    /// query string and headers with one value per name (the last), the body, the stage
    /// variables and a `$context` of this call (fresh ids, the time it arrived, the
    /// caller's address, the stage, `Host` as the domain).
    pub fn request(
        &self,
        resource_path: &str,
        url_path: &str,
        params: Params,
        stage: &str,
        stage_variables: &Params,
    ) -> Request {
        let ids = fresh_id();
        let context = json!({
            "requestId": uuid(ids),
            "extendedRequestId": extended_request_id(ids),
            "stage": stage,
            "identity": {"sourceIp": self.peer.to_string()},
        });
        let file = RequestFile {
            method: Some(self.method.clone()),
            path: Some(url_path.to_string()),
            querystring: last_values(&self.query),
            header: last_values(&self.headers),
            stage_variables: stage_variables.clone(),
            body: Some(self.body.clone()),
            context: match context {
                Json::Object(m) => m,
                _ => serde_json::Map::new(),
            },
            ..RequestFile::default()
        };
        let call = Call {
            resource_path: Some(resource_path),
            url_path: Some(url_path.to_string()),
            path_parameters: params
                .into_iter()
                .map(|(k, v)| (k, decode_path(&v)))
                .collect(),
            now: Some(self.time),
        };
        local_call(&file, &call)
    }
}

/// One value per name, the last one given, at the place the name first appeared.
pub fn last_values(pairs: &[(String, String)]) -> Params {
    pairs.iter().cloned().collect()
}

/// Every value of each name, in order.
pub fn all_values(pairs: &[(String, String)]) -> IndexMap<String, Vec<String>> {
    let mut all: IndexMap<String, Vec<String>> = IndexMap::new();
    for (k, v) in pairs {
        all.entry(k.clone()).or_default().push(v.clone());
    }
    all
}

/// A header name in the case HTTP/1.1 clients send it (`content-type` is
/// `Content-Type`): the HTTP stack hands names over lower-cased.
///
/// ```
/// assert_eq!(vtl_serve::canonical_name("x-api-key"), "X-Api-Key");
/// assert_eq!(vtl_serve::canonical_name("host"), "Host");
/// ```
pub fn canonical_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        });
        upper = c == '-';
    }
    out
}

/// A path parameter decoded as API Gateway decodes it: `%XX` escapes, while `+` stays a
/// plus sign; one that does not decode stays as sent.
fn decode_path(value: &str) -> String {
    url_decode(&value.replace('+', "%2B")).unwrap_or_else(|_| value.to_string())
}

/// 128 random bits for the ids of one call.
fn fresh_id() -> u128 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let state = RandomState::new();
    (u128::from(state.hash_one(n)) << 64) | u128::from(state.hash_one(!n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_decode_percent_escapes_only() {
        assert_eq!(decode_path("a%20b+c"), "a b+c");
        assert_eq!(decode_path("100%"), "100%");
    }

    #[test]
    fn ids_are_fresh_uuids() {
        let (a, b) = (uuid(fresh_id()), uuid(fresh_id()));
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
    }
}
