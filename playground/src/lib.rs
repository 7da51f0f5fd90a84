//! A page on loopback where a mapping template is edited and what API Gateway makes of it
//! is seen as one types: the exact rendered bytes, every finding of `vtl check`, which
//! integration response a selection picks, and the whole simulated call of a route of an
//! API read from its files.
//!
//! The page computes nothing itself: it sends what is typed to a small JSON API ([`api`])
//! whose every answer comes from `vtl` and `vtl-tools`, the code the command line runs.
//! The page's assets are built into the binary ([`assets`]), so it works with no network.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let playground = vtl_playground::Playground::new(None, None, Default::default())
//!     .map_err(std::io::Error::other)?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3001").await?;
//! vtl_playground::serve(listener, playground).await
//! # }
//! ```

#![deny(missing_docs)]

pub mod api;
pub mod assets;
mod case;
mod flow;
mod selection;
mod server;

pub use flow::Playground;
pub use server::{MAX_REQUEST_BYTES, run, serve};
