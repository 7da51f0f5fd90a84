//! The native addon behind the Node package `vtl`: a thin shell over the `vtl` runtime and
//! the `vtl-tools` readers. Requests arrive as request-file JSON (made by `JSON.stringify`),
//! so an object means what a request file means to `vtl render`. Nothing here throws:
//! errors come back as values, and `index.js` throws the `Error` subclass of their kind,
//! so that the kind, line and column survive the boundary; panics are caught too.

#![deny(missing_docs)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use napi_derive::napi;
use serde_json::{Value as Json, json};
use vtl::apigateway::{Outcome, SelectionPattern, check_size, simulate};
use vtl::{Error, ErrorKind};
use vtl_tools::import::{self, Format, Options, Source};
use vtl_tools::request::{self, Call, RequestFile};

/// An error as `index.js` receives it.
#[napi(object)]
pub struct Failure {
    /// Which class `index.js` throws: `TemplateError`, `LimitError`, `RequestError`, `ApiError`.
    pub class: String,
    /// The engine's kind of failure (`syntax error`, `limit exceeded`...).
    pub kind: String,
    /// The message, without the position.
    pub message: String,
    /// The 1-based line, 0 when unknown.
    pub line: u32,
    /// The 1-based column, 0 when unknown.
    pub column: u32,
    /// The source line the position points into, when it is in the template.
    pub source_line: Option<String>,
    /// The file the position is in, when the text came from one.
    pub file: Option<String>,
}

fn failure(class: &str, error: &Error, source: Option<&str>) -> Failure {
    let source_line = match (source, error.file()) {
        (Some(text), None) if error.line() > 0 => {
            text.lines().nth(error.line() - 1).map(str::to_string)
        }
        _ => None,
    };
    Failure {
        class: class.to_string(),
        kind: error.kind_name().to_string(),
        message: error.message().to_string(),
        line: u32::try_from(error.line()).unwrap_or(u32::MAX),
        column: u32::try_from(error.column()).unwrap_or(u32::MAX),
        source_line,
        file: error.file().map(str::to_string),
    }
}

/// The failure of an engine error: a request that cannot be used, a limit, or anything
/// wrong with the template.
fn engine_failure(error: &Error, source: Option<&str>) -> Failure {
    let class = match error.kind() {
        ErrorKind::Limit => "LimitError",
        ErrorKind::Input => "RequestError",
        _ => "TemplateError",
    };
    failure(class, error, source)
}

fn failure_json(f: &Failure) -> Json {
    json!({
        "class": f.class, "kind": f.kind, "message": f.message, "line": f.line,
        "column": f.column, "sourceLine": f.source_line, "file": f.file,
    })
}

/// Runs `f`, turning a panic into an error so that the process never sees one.
fn guarded<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(Error::new(
            ErrorKind::Render,
            format!("internal error, please report it: {what}"),
        ))
    })
}

/// A render's output, or why there is none.
#[napi(object)]
pub struct Rendered {
    /// The rendered text.
    pub output: Option<String>,
    /// The error, when the render failed.
    pub error: Option<Failure>,
}

/// A selection pattern's answer, or why there is none.
#[napi(object)]
pub struct Selected {
    /// Whether the pattern matched.
    pub matched: Option<bool>,
    /// The error, when the pattern does not compile.
    pub error: Option<Failure>,
}

/// Renders `template` against the request-file JSON `request`, as `vtl render` does;
/// without `context_defaults`, `$context` is exactly the request's `context`.
#[napi]
pub fn render(template: String, request: String, context_defaults: bool) -> Rendered {
    Template::new(template).render(request, context_defaults)
}

/// Whether the selection pattern `pattern` matches all of `text`.
#[napi]
pub fn select(pattern: String, text: String) -> Selected {
    match guarded(|| SelectionPattern::new(&pattern).and_then(|p| p.matches(&text))) {
        Ok(matched) => Selected {
            matched: Some(matched),
            error: None,
        },
        Err(e) => Selected {
            matched: None,
            error: Some(engine_failure(&e, Some(&pattern))),
        },
    }
}

/// A mapping template, parsed once; one that does not parse keeps its error for
/// `index.js` to throw.
#[napi]
pub struct Template {
    parsed: Result<vtl::Template, (Error, String)>,
}

#[napi]
impl Template {
    /// Parses `source`.
    #[napi(constructor)]
    pub fn new(source: String) -> Template {
        let parsed = guarded(|| {
            check_size(&source)?;
            vtl::Template::parse(&source)
        })
        .map_err(|e| (e, source));
        Template { parsed }
    }

    /// Why the template did not parse, if it did not.
    #[napi]
    pub fn error(&self) -> Option<Failure> {
        self.parsed
            .as_ref()
            .err()
            .map(|(e, source)| engine_failure(e, Some(source)))
    }

    /// Renders the template against the request-file JSON `request` (see [`render`]).
    #[napi]
    pub fn render(&self, request: String, context_defaults: bool) -> Rendered {
        let template = match &self.parsed {
            Ok(t) => t,
            Err(_) => {
                return Rendered {
                    output: None,
                    error: self.error(),
                };
            }
        };
        let rendered = guarded(|| {
            let file = RequestFile::parse("<request>", &request)?;
            template.render(&if context_defaults {
                request::local_call(&file, &Call::default())
            } else {
                request::exact_call(&file)
            })
        });
        match rendered {
            Ok(output) => Rendered {
                output: Some(output),
                error: None,
            },
            Err(e) => Rendered {
                output: None,
                error: Some(engine_failure(&e, Some(template.source()))),
            },
        }
    }
}

/// An API read from its files; one that cannot be read keeps its error.
#[napi]
pub struct Api {
    loaded: Result<(Source, usize), Error>,
}

#[napi]
impl Api {
    /// Reads the API at `path` (any source the importers read); `name` chooses among
    /// several, `parameters` is a JSON object of values only AWS knows, `format` forces a
    /// reader.
    #[napi(constructor)]
    pub fn new(
        path: String,
        name: Option<String>,
        parameters: Option<String>,
        format: Option<String>,
    ) -> Api {
        let loaded = guarded(|| {
            let format = match format.as_deref() {
                None => None,
                Some(f) => Some(Format::from_name(f).ok_or_else(|| {
                    Error::new(ErrorKind::Input, format!("unknown format `{f}`"))
                })?),
            };
            let parameters = match parameters.as_deref() {
                None => Default::default(),
                Some(text) => serde_json::from_str(text).map_err(|e| {
                    Error::new(
                        ErrorKind::Input,
                        format!("parameters must map names to strings: {e}"),
                    )
                })?,
            };
            let options = Options { format, parameters };
            let source = import::load(Path::new(&path), &options)?;
            let chosen = source.api(name.as_deref())?;
            let index = source
                .apis
                .iter()
                .position(|n| std::ptr::eq(&n.api, chosen))
                .unwrap_or(0);
            Ok((source, index))
        });
        Api { loaded }
    }

    /// Why the API could not be read, if it could not.
    #[napi]
    pub fn error(&self) -> Option<Failure> {
        self.loaded
            .as_ref()
            .err()
            .map(|e| failure("ApiError", e, None))
    }

    /// `{"name", "warnings", "routes"}` as JSON: the routes as `vtl routes --format json`
    /// lists them.
    #[napi]
    pub fn describe(&self) -> String {
        let Ok((source, index)) = &self.loaded else {
            return "null".to_string();
        };
        let named = &source.apis[*index];
        json!({
            "name": named.name,
            "warnings": source.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
            "routes": vtl_tools::routes::routes(&named.api),
        })
        .to_string()
    }

    /// Sends one request through the API: `method` and `path` (with its query string)
    /// route it, `request` is request-file JSON, `outcome` the backend outcome's JSON (as
    /// `vtl simulate --backend` reads it), `now` the time of the call in milliseconds.
    /// Returns JSON: `{"status", "headers", "body", "backendBody", "called", "trace",
    /// "error"}`, or `{"failure": ...}` for a request that cannot be sent. `called` says
    /// whether the backend was called, so that `index.js` can run a JavaScript handler on
    /// `backendBody` and send the call again with its outcome: the call is a function of
    /// the request and the time.
    #[napi]
    pub fn simulate(
        &self,
        method: String,
        path: String,
        request: String,
        outcome: String,
        now: f64,
    ) -> String {
        let Ok((source, index)) = &self.loaded else {
            return "null".to_string();
        };
        let api = &source.apis[*index].api;
        let answer = guarded(|| {
            let mut file = RequestFile::parse("<request>", &request)?;
            let url = RequestFile::parse("<path>", &json!({ "path": path }).to_string())?;
            file.path = url.path;
            file.querystring.extend(url.querystring);
            file.method = Some(method.to_ascii_uppercase());
            let outcome = Outcome::from_json(&outcome)?;
            let now = UNIX_EPOCH + Duration::from_millis(now.max(0.0) as u64);
            let (method, request) = file.route(api, Some::<SystemTime>(now))?;
            let mut called = false;
            let result = simulate(method, &request, |_| {
                called = true;
                outcome
            });
            Ok(json!({
                "status": result.status,
                "headers": result.headers,
                "body": result.body,
                "backendBody": result.backend_request.map(|b| b.body),
                "called": called,
                "trace": result.trace,
                "error": result.error.as_ref().map(|e| failure_json(&engine_failure(e, None))),
            }))
        });
        match answer {
            Ok(value) => value.to_string(),
            Err(e) => json!({ "failure": failure_json(&engine_failure(&e, None)) }).to_string(),
        }
    }
}
