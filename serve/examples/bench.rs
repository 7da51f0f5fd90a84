//! The benchmark setup of `scripts/bench-serve`: in one process, a fake Lambda Invoke API
//! answering the seed's function at once, and `vtl serve` on the seed API (stage
//! `snapshot`) and the serve tests' API (stage `local`, with its MOCK routes), each on its
//! own loopback port. Prints the three ports, then serves until ctrl-C.
//!
//! Run with `cargo run --release -p vtl-serve --example bench`.

use std::convert::Infallible;
use std::path::PathBuf;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use vtl_serve::Config;

/// The seed's function: `{"message": "hogehoge"}` for `hoge`, a function error otherwise.
async fn lambdemo(
    request: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let event: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let hoge = event["pathParams"]["hoge"].as_str().unwrap_or("");
    let mut response = if hoge == "hoge" {
        hyper::Response::new(Full::new(Bytes::from_static(br#"{"message": "hogehoge"}"#)))
    } else {
        let error = serde_json::json!({
            "errorMessage": format!("[400:BadRequest] {hoge} is not hoge"),
            "errorType": "NotHogeError",
        });
        let mut r = hyper::Response::new(Full::new(Bytes::from(error.to_string())));
        r.headers_mut()
            .insert("X-Amz-Function-Error", "Unhandled".parse().unwrap());
        r
    };
    response
        .headers_mut()
        .insert("Content-Type", "application/json".parse().unwrap());
    Ok(response)
}

async fn fake_lambda() -> std::io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            tokio::spawn(
                http1::Builder::new().serve_connection(TokioIo::new(stream), service_fn(lambdemo)),
            );
        }
    });
    Ok(port)
}

async fn gateway(config: Config) -> Result<u16, Box<dyn std::error::Error>> {
    let loaded = vtl_serve::load(&config)?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(vtl_serve::serve(config, loaded, listener, async {
        let _ = tokio::signal::ctrl_c().await;
    }));
    Ok(port)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let lambda = fake_lambda().await?;
    let mut seed = Config::new(vec![root.join("../examples/seed/api.yaml")]);
    seed.stage = "snapshot".into();
    seed.lambda_endpoint = Some(format!("http://127.0.0.1:{lambda}"));
    let seed = gateway(seed).await?;
    let mock = gateway(Config::new(vec![root.join("tests/fixtures/api.yaml")])).await?;
    println!("lambda {lambda} seed {seed} mock {mock}");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
