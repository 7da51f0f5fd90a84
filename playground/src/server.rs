//! The loopback HTTP server: the page's assets on `GET`, the JSON API on `POST /api/...`.
//! Each API call runs on a blocking thread of its own, so that a long render does not hold
//! up the others and a panic ends that one call with a 500, never the server.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use crate::api;
use crate::assets;
use crate::flow::Playground;

/// The largest request body the API reads: a 10 MiB payload written as an escaped JSON
/// string, and a template beside it.
pub const MAX_REQUEST_BYTES: usize = 24 * 1024 * 1024;

/// How many calls are computed at once; more wait their turn.
const WORKERS: usize = 4;

/// Serves `playground` on 127.0.0.1 at `port` (0: a free one) until the process ends;
/// `ready` is told the address once it listens.
pub fn run(
    port: u16,
    playground: Playground,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(WORKERS)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        ready(listener.local_addr()?);
        serve(listener, playground).await
    })
}

/// Serves the playground on `listener` until the process ends. A failed connection, or a
/// failed accept (too many open files), ends only itself.
pub async fn serve(listener: TcpListener, playground: Playground) -> std::io::Result<()> {
    let playground = Arc::new(playground);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                eprintln!("vtl playground: cannot accept a connection: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let playground = playground.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(playground.clone(), request));
            // A client that goes away mid-request is no concern of the server's; one that
            // never finishes its headers is let go.
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(30))
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

type Answer = Response<Full<Bytes>>;

async fn handle(
    playground: Arc<Playground>,
    request: Request<Incoming>,
) -> Result<Answer, Infallible> {
    let path = request.uri().path().to_string();
    if let Some(name) = path.strip_prefix("/api/") {
        if request.method() != Method::POST {
            return Ok(json(
                StatusCode::METHOD_NOT_ALLOWED,
                &api::problem("use POST"),
            ));
        }
        let name = name.to_string();
        let body = match Limited::new(request.into_body(), MAX_REQUEST_BYTES)
            .collect()
            .await
        {
            Ok(b) => b.to_bytes(),
            Err(e) => {
                let message = format!("the request body cannot be read: {e}");
                return Ok(json(StatusCode::PAYLOAD_TOO_LARGE, &api::problem(&message)));
            }
        };
        let call = tokio::task::spawn_blocking(move || api::call(&playground, &name, &body));
        return Ok(match call.await {
            Ok((status, value)) => json(status, &value),
            Err(e) => json(
                StatusCode::INTERNAL_SERVER_ERROR,
                &api::problem(&format!("the call failed inside the playground: {e}")),
            ),
        });
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return Ok(json(
            StatusCode::METHOD_NOT_ALLOWED,
            &api::problem("use GET"),
        ));
    }
    Ok(match assets::get(&path) {
        Some(asset) => {
            let mut response = Response::new(Full::new(Bytes::from_static(asset.bytes)));
            let headers = response.headers_mut();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
            headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
        None => json(StatusCode::NOT_FOUND, &api::problem("no such page")),
    })
}

fn json(status: StatusCode, value: &serde_json::Value) -> Answer {
    let mut response = Response::new(Full::new(Bytes::from(value.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}
