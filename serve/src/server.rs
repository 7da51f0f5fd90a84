//! The HTTP/1.1 server: connections accepted on a listener, each request read (its body
//! bounded by API Gateway's payload limit) and answered by the [`Gateway`]: a call that
//! waits on a backend on a blocking thread of its own, so that a slow backend holds up no
//! other request; a panic answers that one request with a 500 (each call is a task of its
//! own, whose panic ends only it); shutdown lets calls under way finish.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming as Body;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use vtl::apigateway::MAX_PAYLOAD_BYTES;

use crate::gateway::{Gateway, Reply};
use crate::method_request::Incoming;

/// How long a client may take to send a request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// What API Gateway answers a payload over its limit.
const TOO_LARGE: &str = r#"{"message":"Request Too Long"}"#;

/// Serves `gateway` on `listener` until `shutdown` completes, then waits for the calls
/// under way (at most the backend timeout and a second).
pub async fn serve(
    listener: TcpListener,
    gateway: Arc<Gateway>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // Out of file descriptors and the like: wait, and go on serving.
                Err(e) => {
                    eprintln!("vtl serve: cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let gateway = Arc::clone(&gateway);
        let service = service_fn(move |request| answer(Arc::clone(&gateway), request, peer));
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away mid-request ends only its own connection.
            let _ = connection.await;
        });
    }
    drop(listener);
    let wait = gateway.config().timeout + Duration::from_secs(1);
    let _ = tokio::time::timeout(wait, graceful.shutdown()).await;
    Ok(())
}

/// Reads one request and answers it; never fails, whatever the request or the call does.
async fn answer(
    gateway: Arc<Gateway>,
    request: hyper::Request<Body>,
    peer: SocketAddr,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_PAYLOAD_BYTES as u64) {
        return Ok(too_large(&parts));
    }
    let body = match Limited::new(body, MAX_PAYLOAD_BYTES).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return Ok(too_large(&parts)),
        Err(e) => {
            let message = serde_json::json!({ "message": format!("the request body could not be read: {e}") });
            return Ok(response(Reply::message(400, message.to_string())));
        }
    };
    let incoming = Incoming::new(
        parts.method.as_str(),
        &parts.uri,
        &parts.headers,
        &body,
        peer.ip(),
    );
    // A call that waits on nothing is rendered here: handing it to another thread would
    // cost more than the render.
    let reply = if !gateway.waits(&incoming) {
        tokio::task::spawn(async move { gateway.call(&incoming) }).await
    } else {
        tokio::task::spawn_blocking(move || gateway.call(&incoming)).await
    };
    let reply = match reply {
        Ok(reply) => reply,
        Err(e) => {
            eprintln!(
                "vtl serve: {} {} failed inside vtl: {e}; answered 500",
                parts.method,
                parts.uri.path()
            );
            Reply::message(500, r#"{"message": "Internal server error"}"#.to_string())
        }
    };
    Ok(response(reply))
}

fn too_large(parts: &hyper::http::request::Parts) -> hyper::Response<Full<Bytes>> {
    eprintln!(
        "(-) {} {} -> 413: the payload is over API Gateway's {MAX_PAYLOAD_BYTES} bytes",
        parts.method,
        parts.uri.path()
    );
    response(Reply::message(413, TOO_LARGE.to_string()))
}

/// The HTTP response of a reply; a header that HTTP cannot carry is left out.
fn response(reply: Reply) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(Bytes::from(reply.body)));
    *response.status_mut() =
        hyper::StatusCode::from_u16(reply.status).unwrap_or(hyper::StatusCode::BAD_GATEWAY);
    let headers = response.headers_mut();
    for (k, v) in reply.headers {
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(k.as_bytes()),
            hyper::header::HeaderValue::from_str(&v),
        ) {
            headers.append(name, value);
        }
    }
    response
}
