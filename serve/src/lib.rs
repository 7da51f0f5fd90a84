//! `vtl serve`: a REST API running locally as API Gateway runs it. Every method of an API
//! (read from any source `vtl-tools` imports) is served over HTTP/1.1 under `/{stage}/`,
//! routed as API Gateway routes, and called through `vtl`'s own simulation: the request
//! template chosen by `Content-Type`, the backend (a Lambda function through the Lambda
//! Invoke API or a local command, an HTTP backend, MOCK, or a canned outcome for other AWS
//! services), selection, the response template chosen by `Accept`, the method response.
//!
//! The runtime crate `vtl` compiles none of this: the HTTP stack lives here only.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use vtl_serve::{Config, Function};
//!
//! let mut config = Config::new(vec!["template.yaml".into()]);
//! config.lambdas.insert("HogeFunction".into(), Function::parse("cmd:python3 handler.py")?);
//! let loaded = vtl_serve::load(&config)?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! vtl_serve::serve(config, loaded, listener, async {
//!     let _ = tokio::signal::ctrl_c().await;
//! }).await?;
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

mod client;
mod command;
mod config;
mod gateway;
mod http_backend;
mod lambda;
mod log;
mod method_request;
mod outcomes;
mod proxy_event;
mod server;
mod watch;

use std::future::Future;
use std::sync::Arc;

pub use config::{Config, Function, name_value};
pub use gateway::{Gateway, Loaded, Reply, load};
pub use http_backend::rewrite;
pub use lambda::{function_name, invocation_url};
pub use method_request::{Incoming, canonical_name};
pub use outcomes::Outcomes;

/// Serves `loaded` as `config` says on `listener` until `shutdown` completes; calls under
/// way then get to finish. With `config.watch`, the API is read again when its files
/// change. Runs on a multi-threaded Tokio runtime.
pub async fn serve(
    config: Config,
    loaded: Loaded,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let watching = config.watch;
    let gateway = Arc::new(Gateway::new(config, loaded));
    let watcher = watching.then(|| tokio::spawn(watch::watch(Arc::clone(&gateway))));
    let served = server::serve(listener, gateway, shutdown).await;
    if let Some(w) = watcher {
        w.abort();
    }
    served
}

/// Serves `loaded` on `address` (`127.0.0.1:3000`; port 0 picks a free one) on a runtime
/// of its own until ctrl-C (or SIGTERM), calling `ready` with the address listened on.
pub fn run(
    config: Config,
    loaded: Loaded,
    address: &str,
    ready: impl FnOnce(std::net::SocketAddr),
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(address).await?;
        ready(listener.local_addr()?);
        serve(config, loaded, listener, stopped()).await
    })
}

/// Completes on ctrl-C or, on Unix, SIGTERM.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
