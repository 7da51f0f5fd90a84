//! One call through the API as API Gateway makes it: the stage, the route (or API
//! Gateway's 403), the method request, then [`simulate`] with the real backend behind it,
//! and the status, headers and body sent back.

use std::cell::RefCell;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use vtl::Error;
use vtl::apigateway::{Api, Backend, BackendRequest, Method, Outcome, Params, Request, simulate};
use vtl_tools::import;
use vtl_tools::request::MISSING_AUTHENTICATION_TOKEN;

use crate::client::{self, Client};
use crate::config::{Config, Function};
use crate::log::{self, CallLog};
use crate::method_request::Incoming;
use crate::outcomes::Outcomes;
use crate::{command, http_backend, lambda, proxy_event};

/// What the server answers one request with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

impl Reply {
    /// API Gateway's own JSON answer `body` with `status`.
    pub fn message(status: u16, body: String) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".to_string(), "application/json".to_string())],
            body,
        }
    }
}

/// The API and the canned outcomes, as read from their files.
#[derive(Debug)]
pub struct Loaded {
    /// Every method of every source.
    pub api: Api,
    /// Outcomes of AWS service integrations.
    pub outcomes: Outcomes,
    /// What could not be read exactly, at its place.
    pub warnings: Vec<Error>,
}

/// Reads the sources and the outcomes file of `config`.
pub fn load(config: &Config) -> Result<Loaded, Error> {
    let mut api = Api::default();
    let mut warnings = Vec::new();
    for path in &config.sources {
        let source = import::load(path, &config.options)?;
        // The error that names the choices, when there are several and none is chosen.
        source.api(config.api_name.as_deref())?;
        warnings.extend(source.warnings);
        for named in source.apis {
            if config.api_name.as_ref().is_none_or(|n| *n == named.name) {
                api.methods.extend(named.api.methods);
            }
        }
    }
    let outcomes = match &config.outcomes {
        Some(path) => Outcomes::read(path)?,
        None => Outcomes::default(),
    };
    Ok(Loaded {
        api,
        outcomes,
        warnings,
    })
}

/// Why a backend gave no outcome.
enum Failure {
    /// It did not answer within the timeout.
    Timeout,
    /// It cannot be called, or did not answer: the reason.
    Unreachable(String),
}

/// The server's state: the configuration and the API (replaced when `--watch` reads it
/// again).
pub struct Gateway {
    config: Config,
    loaded: RwLock<Arc<Loaded>>,
}

thread_local! {
    /// The runtime and client on which a blocking thread awaits its backends: the whole
    /// backend call (connection, request, answer) runs on the thread that waits for it,
    /// with no hand-off to the server's threads and back, and each thread keeps its
    /// connections for its next calls.
    static BACKEND: RefCell<Option<(tokio::runtime::Runtime, Client)>> = const { RefCell::new(None) };
}

impl Gateway {
    /// A gateway serving `loaded` as `config` says.
    pub fn new(config: Config, loaded: Loaded) -> Gateway {
        Gateway {
            config,
            loaded: RwLock::new(Arc::new(loaded)),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The API being served.
    pub fn loaded(&self) -> Arc<Loaded> {
        Arc::clone(&self.loaded.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Serves `loaded` from the next call on.
    pub fn replace(&self, loaded: Loaded) {
        *self.loaded.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(loaded);
    }

    /// Whether answering `incoming` waits on a backend (a Lambda function, an HTTP
    /// origin): such calls block and belong on a blocking thread; the others (MOCK,
    /// canned outcomes, API Gateway's own answers) only render.
    pub fn waits(&self, incoming: &Incoming) -> bool {
        let loaded = self.loaded();
        let routed = resource_path(&incoming.path, &self.config.stage)
            .and_then(|rest| loaded.api.route(&incoming.method, rest));
        routed
            .and_then(|(method, _)| method.integration.as_ref())
            .is_some_and(|i| matches!(i.backend(), Backend::Lambda | Backend::Http))
    }

    /// Answers one request. It blocks while the backend works (see [`Gateway::waits`]):
    /// run such calls where blocking is allowed (`tokio::task::spawn_blocking`), never on
    /// the runtime's own threads.
    pub fn call(&self, incoming: &Incoming) -> Reply {
        let started = Instant::now();
        let loaded = self.loaded();
        let stage = &self.config.stage;
        let routed = resource_path(&incoming.path, stage)
            .and_then(|rest| Some((rest, loaded.api.route(&incoming.method, rest)?)));
        let Some((rest, (method, params))) = routed else {
            let mut log = CallLog::new("-", self.config.log_bodies);
            log.always(format!(
                "{} {} -> 403 Missing Authentication Token: no method of stage `{stage}` answers \
                 it ({:.1} ms)",
                incoming.method,
                incoming.path,
                elapsed_ms(started)
            ));
            log.finish();
            let mut reply = Reply::message(403, MISSING_AUTHENTICATION_TOKEN.to_string());
            reply.headers.push((
                "x-amzn-ErrorType".to_string(),
                "MissingAuthenticationTokenException".to_string(),
            ));
            return reply;
        };
        let request = incoming.request(
            &method.path,
            rest,
            params.clone(),
            stage,
            &self.config.stage_variables,
        );
        let context = request.context();
        let text = |key: &str| context.get(key).and_then(|v| v.as_str()).unwrap_or("");
        let (id, extended_id) = (text("requestId").to_string(), text("extendedRequestId"));
        let mut log = CallLog::new(&id, self.config.log_bodies);
        log.step(|| format!("Extended Request Id: {extended_id}"));
        log.step(|| {
            format!(
                "Starting execution for request: {} {}",
                incoming.method, incoming.path
            )
        });
        log.step(|| format!("Method request path: {}", log::params(&params)));
        log.step(|| {
            format!(
                "Method request query string: {}",
                log::params(request.querystring())
            )
        });
        log.step(|| format!("Method request headers: {}", log::params(request.header())));
        log.step(|| {
            format!(
                "Method request body before transformations: {}",
                request.body()
            )
        });

        let mut failure = None;
        let simulation = simulate(method, &request, |sent| {
            match self.backend(method, incoming, &request, rest, &params, sent, &mut log) {
                Ok(outcome) => outcome,
                Err(f) => {
                    failure = Some(f);
                    // Never selected from: the failure answers instead.
                    Outcome::Mock
                }
            }
        });
        let mut reply = match failure {
            Some(Failure::Timeout) => {
                log.always(format!(
                    "Execution failed due to a timeout error: the backend did not answer within {} ms",
                    self.config.timeout.as_millis()
                ));
                Reply::message(
                    504,
                    r#"{"message": "Endpoint request timed out"}"#.to_string(),
                )
            }
            Some(Failure::Unreachable(reason)) => {
                log.always(format!("Execution failed: {reason}"));
                Reply::message(502, serde_json::json!({ "message": reason }).to_string())
            }
            None => {
                if let Some(e) = &simulation.error {
                    log.always(format!("Execution failed due to configuration error: {e}"));
                } else if simulation.status >= 500
                    && let Some(why) = simulation.trace.last()
                {
                    log.always(format!("Execution failed: {why}"));
                }
                for line in &simulation.trace {
                    log.step(|| format!("Trace: {line}"));
                }
                log.step(|| {
                    format!(
                        "Method response body after transformations: {}",
                        simulation.body
                    )
                });
                let mut headers: Vec<(String, String)> = simulation.headers.into_iter().collect();
                if !headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("Content-Type"))
                {
                    headers.push(("Content-Type".to_string(), "application/json".to_string()));
                }
                Reply {
                    status: simulation.status,
                    headers,
                    body: simulation.body,
                }
            }
        };
        log.step(|| {
            format!(
                "Method response headers: {}",
                log::java_map(reply.headers.iter().map(|(k, v)| (k, v)))
            )
        });
        log.step(|| format!("Method completed with status: {}", reply.status));
        reply
            .headers
            .push(("x-amzn-RequestId".to_string(), id.clone()));
        reply
            .headers
            .push(("x-amz-apigw-id".to_string(), extended_id.to_string()));
        log.always(format!(
            "{} {} -> {} ({} {}, {:.1} ms)",
            incoming.method,
            incoming.path,
            reply.status,
            method.http_method,
            method.path,
            elapsed_ms(started)
        ));
        log.finish();
        reply
    }

    /// Calls the backend of `method` with what the request template made of the request.
    #[allow(clippy::too_many_arguments)]
    fn backend(
        &self,
        method: &Method,
        incoming: &Incoming,
        request: &Request,
        path: &str,
        params: &Params,
        sent: &BackendRequest,
        log: &mut CallLog,
    ) -> Result<Outcome, Failure> {
        let Some(integration) = &method.integration else {
            return Ok(Outcome::Mock);
        };
        let proxy = integration.kind.is_proxy();
        let outcome = match integration.backend() {
            Backend::Mock => {
                log.step(|| format!("Endpoint request body after transformations: {}", sent.body));
                return Ok(Outcome::Mock);
            }
            Backend::AwsService => {
                // Always logged: the rendered request is all there is to see of this call.
                log.always(format!("Endpoint request URI: {}", integration.uri));
                log.always(format!(
                    "Endpoint request body after transformations: {}",
                    sent.body
                ));
                let loaded = self.loaded();
                let outcome = loaded.outcomes.get(&method.http_method, &method.path);
                outcome.cloned().ok_or_else(|| {
                    Failure::Unreachable(format!(
                        "{} {} integrates an AWS service ({}), which cannot be called locally: \
                         give its outcome with --outcomes FILE",
                        method.http_method, method.path, integration.uri
                    ))
                })?
            }
            Backend::Lambda => {
                let name = lambda::function_name(&integration.uri).ok_or_else(|| {
                    Failure::Unreachable(format!(
                        "the integration URI {} names no Lambda function",
                        integration.uri
                    ))
                })?;
                let target = self
                    .config
                    .lambdas
                    .get(&name)
                    .cloned()
                    .or_else(|| self.config.lambda_endpoint.clone().map(Function::Invoke))
                    .ok_or_else(|| {
                        Failure::Unreachable(format!(
                            "no endpoint for the Lambda function `{name}`: give --lambda \
                             {name}=URL, --lambda {name}=cmd:COMMAND or --lambda-endpoint URL"
                        ))
                    })?;
                let payload = if proxy {
                    proxy_event::event(incoming, request, &method.path, path)
                } else {
                    sent.body.clone()
                };
                match target {
                    Function::Invoke(endpoint) => {
                        let url = lambda::invocation_url(&endpoint, &name);
                        log.step(|| format!("Endpoint request URI: {url}"));
                        log.step(|| {
                            format!("Endpoint request body after transformations: {payload}")
                        });
                        self.wait(
                            |client| async move { lambda::invoke(&client, &url, payload).await },
                        )?
                    }
                    Function::Command(command) => {
                        log.step(|| format!("Endpoint request command: {command}"));
                        log.step(|| {
                            format!("Endpoint request body after transformations: {payload}")
                        });
                        self.wait(|_| command::run(&command, payload))?
                    }
                }
            }
            Backend::Http => {
                let outgoing = http_backend::outgoing(
                    integration,
                    incoming,
                    params,
                    &self.config.http_origins,
                );
                let body = if proxy {
                    incoming.body.clone()
                } else {
                    sent.body.clone()
                };
                log.step(|| format!("Endpoint request URI: {} {}", outgoing.method, outgoing.url));
                log.step(|| format!("Endpoint request body after transformations: {body}"));
                self.wait(
                    |client| async move { http_backend::call(&client, &outgoing, body).await },
                )?
            }
        };
        match &outcome {
            Outcome::LambdaError(_) => log.step(|| "Lambda execution failed with a function error"),
            Outcome::Http { status, .. } => {
                log.step(|| format!("Received response. Status: {status}"))
            }
            _ => {}
        }
        log.step(|| {
            format!(
                "Endpoint response body before transformations: {}",
                outcome.payload().unwrap_or_default()
            )
        });
        Ok(outcome)
    }

    /// Waits for a backend on this thread's own runtime, at most the configured timeout.
    fn wait<F: Future<Output = Result<Outcome, String>>>(
        &self,
        call: impl FnOnce(Client) -> F,
    ) -> Result<Outcome, Failure> {
        BACKEND.with(|cell| {
            let mut cell = cell.borrow_mut();
            if cell.is_none() {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| Failure::Unreachable(format!("cannot start a runtime: {e}")))?;
                let client = {
                    let _entered = runtime.enter();
                    client::new()
                };
                *cell = Some((runtime, client));
            }
            let Some((runtime, client)) = cell.as_ref() else {
                return Err(Failure::Unreachable("no runtime".to_string()));
            };
            match runtime.block_on(tokio::time::timeout(
                self.config.timeout,
                call(client.clone()),
            )) {
                Ok(Ok(outcome)) => Ok(outcome),
                Ok(Err(reason)) => Err(Failure::Unreachable(reason)),
                Err(_) => Err(Failure::Timeout),
            }
        })
    }
}

/// The resource path of a request path under `/{stage}`: `/snapshot/hoge` is `/hoge` in
/// stage `snapshot`; `None` for another stage.
fn resource_path<'a>(path: &'a str, stage: &str) -> Option<&'a str> {
    let rest = path.strip_prefix('/')?.strip_prefix(stage)?;
    match rest {
        "" => Some("/"),
        r if r.starts_with('/') => Some(r),
        _ => None,
    }
}

fn elapsed_ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::resource_path;

    #[test]
    fn the_stage_is_the_first_segment() {
        assert_eq!(resource_path("/snapshot/hoge", "snapshot"), Some("/hoge"));
        assert_eq!(resource_path("/snapshot", "snapshot"), Some("/"));
        assert_eq!(resource_path("/snapshotx/hoge", "snapshot"), None);
        assert_eq!(resource_path("/hoge", "snapshot"), None);
    }
}
