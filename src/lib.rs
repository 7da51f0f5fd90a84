//! `vtl` parses and renders Apache Velocity 1.7 templates byte for byte as Velocity does,
//! including its whitespace rules, its Java value semantics and, optionally, the null
//! handling of AWS API Gateway mapping templates.
//!
//! ```
//! use vtl::{Context, NullMode, Template};
//!
//! let template = Template::parse(concat!(
//!     "#set($names = [])\n",
//!     "#foreach($u in $users)\n",
//!     "#set($ok = $names.add($u.name.toUpperCase()))\n",
//!     "#end\n",
//!     "$names $missing",
//! ))?;
//!
//! let mut context = Context::new();
//! context.insert("users", serde_json::json!([{"name": "ada"}, {"name": "alan"}]));
//! assert_eq!(template.render(&context)?, "[ADA, ALAN] $missing");
//!
//! context.set_null_mode(NullMode::Empty);
//! assert_eq!(template.render(&context)?, "[ADA, ALAN] ");
//! # Ok::<(), vtl::Error>(())
//! ```
//!
//! The crate is layered: [`syntax`] turns text into a tree with spans, the evaluator
//! renders the tree against a [`Context`] of [`Value`]s, and objects implemented in Rust
//! plug in through the [`Object`] trait.

#![deny(missing_docs)]

pub mod apigateway;
mod context;
mod error;
mod eval;
mod java;
mod limits;
pub mod syntax;
mod template;
mod value;
mod words;

pub use apigateway::{Request, render};
pub use context::{Bindings, Context, NullMode};
pub use error::{Error, ErrorKind, offset_of};
pub use java::regex::JavaRegex;
pub use limits::Limits;
pub use template::{Observation, Template, Written};
pub use value::{
    BigDecimal, DefinedBlock, Json, Key, ListRef, ListStyle, Map, MapRef, Object, Value,
};

/// The examples of README.md, compiled and run as tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
