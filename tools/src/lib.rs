//! The tooling around the `vtl` engine: readers of every common way of defining an API
//! Gateway REST API (OpenAPI exports, CloudFormation, SAM, CDK, Terraform, the Serverless
//! Framework) into one model, checks of its templates, and case files.

#![deny(missing_docs)]

pub mod cases;
pub mod check;
pub mod document;
pub mod files;
pub mod import;
pub mod init;
pub mod lines;
pub mod request;
pub mod routes;
pub mod suggest;
