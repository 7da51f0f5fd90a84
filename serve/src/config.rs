//! What `vtl serve` is told: where the API is defined, where each backend runs, and how to
//! answer and log.

use std::path::PathBuf;
use std::time::Duration;

use indexmap::IndexMap;
use vtl::apigateway::{INTEGRATION_TIMEOUT_MS, Params};
use vtl_tools::import::Options;

/// Everything a server needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    /// The API definitions: files or folders of any format the importers read. Their
    /// methods are served together.
    pub sources: Vec<PathBuf>,
    /// How to read them (`--api-format`, `--parameter`).
    pub options: Options,
    /// Which REST API, when a source defines several.
    pub api_name: Option<String>,
    /// The stage: requests are served under `/{stage}/...`.
    pub stage: String,
    /// `$stageVariables`.
    pub stage_variables: Params,
    /// Where every Lambda function without one of its own is invoked: the base URL of a
    /// Lambda Invoke API (`sam local start-lambda`'s `http://127.0.0.1:3001`).
    pub lambda_endpoint: Option<String>,
    /// Where each function runs, by name (the function name of its ARN, or the logical id
    /// of a CloudFormation reference).
    pub lambdas: IndexMap<String, Function>,
    /// Rewrites of HTTP integration URIs: a URI starting with the first is sent to the
    /// second instead.
    pub http_origins: Vec<(String, String)>,
    /// Canned outcomes of AWS service integrations, by route.
    pub outcomes: Option<PathBuf>,
    /// How long a backend may take before the client gets a 504.
    pub timeout: Duration,
    /// Log every call in full: each request and response body, before and after the
    /// templates.
    pub log_bodies: bool,
    /// Read the API again when its files change.
    pub watch: bool,
}

impl Config {
    /// A configuration serving `sources` with the defaults: stage `local`, API Gateway's
    /// 29 s timeout, one log line per call, no backends.
    pub fn new(sources: Vec<PathBuf>) -> Config {
        Config {
            sources,
            options: Options::default(),
            api_name: None,
            stage: vtl_tools::request::STAGE.to_string(),
            stage_variables: Params::new(),
            lambda_endpoint: None,
            lambdas: IndexMap::new(),
            http_origins: Vec::new(),
            outcomes: None,
            timeout: Duration::from_millis(INTEGRATION_TIMEOUT_MS),
            log_bodies: false,
            watch: false,
        }
    }
}

/// Where a Lambda function runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Function {
    /// A Lambda Invoke API: its base URL, or the full URL of an invocation
    /// (`.../2015-03-31/functions/function/invocations`, as the Runtime Interface Emulator
    /// serves it).
    Invoke(String),
    /// A command run once per call through `sh -c`: the event on its standard input, the
    /// result on its standard output.
    Command(String),
}

impl Function {
    /// Reads `URL` or `cmd:COMMAND`.
    ///
    /// ```
    /// use vtl_serve::Function;
    /// assert_eq!(Function::parse("cmd:python3 handler.py"), Ok(Function::Command("python3 handler.py".into())));
    /// assert_eq!(Function::parse("http://127.0.0.1:3001"), Ok(Function::Invoke("http://127.0.0.1:3001".into())));
    /// assert!(Function::parse("127.0.0.1:3001").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Function, String> {
        if let Some(command) = text.strip_prefix("cmd:") {
            if command.trim().is_empty() {
                return Err("`cmd:` needs a command, as in cmd:python3 handler.py".to_string());
            }
            return Ok(Function::Command(command.to_string()));
        }
        if text.starts_with("http://") || text.starts_with("https://") {
            return Ok(Function::Invoke(text.trim_end_matches('/').to_string()));
        }
        Err(format!(
            "`{text}` is neither a URL (http://127.0.0.1:3001) nor a command (cmd:COMMAND)"
        ))
    }
}

/// Splits `NAME=VALUE` at its first `=`; the error names `flag`.
///
/// ```
/// assert_eq!(vtl_serve::name_value("--lambda", "f=cmd:a=b"), Ok(("f".into(), "cmd:a=b".into())));
/// assert!(vtl_serve::name_value("--lambda", "f").is_err());
/// ```
pub fn name_value(flag: &str, text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err(format!("{flag} `{text}` is not NAME=VALUE")),
    }
}
