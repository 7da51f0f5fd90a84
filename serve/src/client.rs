//! The HTTP client through which backends are called: Lambda Invoke APIs and HTTP
//! integrations. Plain HTTP only: local backends do not speak TLS.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use vtl::apigateway::MAX_PAYLOAD_BYTES;

/// A pooled HTTP/1.1 client, shared by every call.
pub type Client = hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>;

/// A new client.
pub fn new() -> Client {
    hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build_http()
}

/// What a backend answered.
#[derive(Clone, Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The headers, in order, names as the client library gives them (lower case).
    pub headers: Vec<(String, String)>,
    /// The body (bytes that are not UTF-8 are replaced with U+FFFD).
    pub body: String,
}

impl Reply {
    /// The value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request; the error says why no answer came, in words for the log and the
/// 502 it becomes.
pub async fn send(
    client: &Client,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: String,
) -> Result<Reply, String> {
    if url.starts_with("https://") {
        return Err(format!(
            "{url} needs TLS, which vtl serve does not speak: point it at a local http:// \
             address (--lambda, --lambda-endpoint, --http-origin)"
        ));
    }
    let mut request = hyper::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        request = request.header(k, v);
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| format!("cannot send to {url}: {e}"))?;
    let response = client
        .request(request)
        .await
        .map_err(|e| format!("{url} cannot be reached: {}", causes(&e)))?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = Limited::new(response.into_body(), MAX_PAYLOAD_BYTES)
        .collect()
        .await
        .map_err(|e| {
            format!(
                "{url} answered {status}, then its body failed: {}",
                causes(e.as_ref())
            )
        })?
        .to_bytes();
    Ok(Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// An error and its causes, joined: `client error (Connect): tcp connect error:
/// Connection refused (os error 111)`.
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}
