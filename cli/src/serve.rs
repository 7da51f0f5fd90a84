//! `vtl serve`: the flags, read into a `vtl_serve::Config`, and the server started.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use vtl_serve::{Config, Function, name_value};

use crate::SourceArgs;

/// Serve the API over HTTP as API Gateway does, mapping templates and all, in front of
/// real Lambda functions (through the Lambda Invoke API, or a local command) and HTTP
/// backends.
#[derive(Args)]
#[command(after_help = "Examples:
  sam local start-lambda &                       # the functions, on port 3001
  vtl serve template.yaml --lambda-endpoint http://127.0.0.1:3001
  curl http://127.0.0.1:3000/local/hoge

  vtl serve examples/seed/api.yaml --stage snapshot --lambda lambdemo=cmd:'python3 handler.py'

Requests are served under /STAGE/. A function is named by its ARN's function name, or by
the logical id of a CloudFormation reference (HogeFunction for !GetAtt HogeFunction.Arn).
--lambda NAME=cmd:COMMAND runs COMMAND through sh once per call: the event on standard
input, the result on standard output; a non-zero exit with {\"errorMessage\", \"errorType\"}
on standard output is a function error. AWS service integrations answer from --outcomes
FILE: routes as `vtl routes` lists them, each with a case file backend outcome
(GET /items/{id}: {type: http, status: 200, body: '...'}).
Each call is logged on standard error; ctrl-C stops the server.")]
pub struct ServeArgs {
    /// API definitions (files or folders); their methods are served together.
    #[arg(required = true)]
    sources: Vec<PathBuf>,
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The stage: requests are served under /STAGE/.
    #[arg(long, default_value = vtl_tools::request::STAGE)]
    stage: String,
    /// A stage variable (repeatable).
    #[arg(long = "stage-variable", value_name = "NAME=VALUE")]
    stage_variables: Vec<String>,
    /// The Lambda Invoke API every function is invoked through, unless --lambda names it.
    #[arg(long, value_name = "URL")]
    lambda_endpoint: Option<String>,
    /// Where one function runs: NAME=URL (a Lambda Invoke API) or NAME=cmd:COMMAND
    /// (repeatable).
    #[arg(long = "lambda", value_name = "NAME=URL|NAME=cmd:COMMAND")]
    lambdas: Vec<String>,
    /// Send HTTP integrations for ORIGINAL (a URI prefix) to LOCAL instead (repeatable).
    #[arg(long = "http-origin", value_name = "ORIGINAL=LOCAL")]
    http_origins: Vec<String>,
    /// Canned outcomes of AWS service integrations, by route.
    #[arg(long, value_name = "FILE")]
    outcomes: Option<PathBuf>,
    /// How long a backend may take before the client gets a 504 (API Gateway's 29 s).
    #[arg(long, value_name = "MS", default_value_t = vtl::apigateway::INTEGRATION_TIMEOUT_MS)]
    timeout_ms: u64,
    /// Log every call in full: request and response bodies before and after the templates.
    #[arg(long)]
    log_bodies: bool,
    /// Read the API again when its files change.
    #[arg(long)]
    watch: bool,
    /// Which REST API, when a source defines several.
    #[arg(long, value_name = "NAME")]
    api: Option<String>,
    #[command(flatten)]
    source_args: SourceArgs,
}

pub fn serve(a: &ServeArgs) -> Result<ExitCode, String> {
    let mut config = Config::new(a.sources.clone());
    config.options = a.source_args.options()?;
    config.api_name = a.api.clone();
    config.stage = a.stage.trim_matches('/').to_string();
    for v in &a.stage_variables {
        let (name, value) = name_value("--stage-variable", v)?;
        config.stage_variables.insert(name, value);
    }
    config.lambda_endpoint = a
        .lambda_endpoint
        .as_deref()
        .map(|url| match Function::parse(url) {
            Ok(Function::Invoke(url)) => Ok(url),
            _ => Err(format!("--lambda-endpoint `{url}` is not an http:// URL")),
        })
        .transpose()?;
    for l in &a.lambdas {
        let (name, target) = name_value("--lambda", l)?;
        let function = Function::parse(&target).map_err(|e| format!("--lambda {name}: {e}"))?;
        config.lambdas.insert(name, function);
    }
    for o in &a.http_origins {
        config.http_origins.push(name_value("--http-origin", o)?);
    }
    config.outcomes = a.outcomes.clone();
    config.timeout = Duration::from_millis(a.timeout_ms);
    config.log_bodies = a.log_bodies;
    config.watch = a.watch;
    let loaded = vtl_serve::load(&config).map_err(|e| e.to_string())?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let stage = config.stage.clone();
    let methods: Vec<String> = loaded
        .api
        .methods
        .iter()
        .map(|m| format!("{} {}", m.http_method, m.path))
        .collect();
    let address = format!("{}:{}", a.host, a.port);
    vtl_serve::run(config, loaded, &address, |bound| {
        eprintln!("vtl serve: listening on http://{bound}/{stage}/");
        for m in &methods {
            eprintln!("  {m}");
        }
    })
    .map_err(|e| format!("cannot serve on {address}: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
