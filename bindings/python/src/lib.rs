//! The native module `vtl._vtl` behind the Python package `vtl`: a thin shell over the
//! `vtl` runtime and the `vtl-tools` readers. Requests arrive as request-file JSON (made by
//! Python's `json.dumps`), so a dict means what a request file means to `vtl render`;
//! errors become the exception classes of `vtl._errors`; a panic becomes an exception too.

#![deny(missing_docs)]

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, TryLockError};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use vtl::apigateway::{Outcome, SelectionPattern, check_size, simulate};
use vtl::{Error, ErrorKind};
use vtl_tools::import::{self, Format, Options, Source};
use vtl_tools::request::{self, Call, RequestFile};

/// The exception class of `vtl._errors` for `error`, built with its position and, when the
/// position is in `source`, the source line.
fn exception(py: Python<'_>, class: &str, error: &Error, source: Option<&str>) -> PyErr {
    let line = match (source, error.file()) {
        (Some(text), None) if error.line() > 0 => text.lines().nth(error.line() - 1),
        _ => None,
    };
    let built = py
        .import("vtl._errors")
        .and_then(|m| m.getattr(class))
        .and_then(|c| {
            c.call1((
                error.message(),
                error.line(),
                error.column(),
                line,
                error.file(),
                error.kind_name(),
            ))
        });
    match built {
        Ok(value) => PyErr::from_value(value),
        Err(e) => e,
    }
}

/// The exception for an error of the engine: a request that cannot be used, a limit, or
/// anything wrong with the template.
fn raise(py: Python<'_>, error: &Error, source: Option<&str>) -> PyErr {
    let class = match error.kind() {
        ErrorKind::Limit => "LimitError",
        ErrorKind::Input => "RequestError",
        _ => "TemplateError",
    };
    exception(py, class, error, source)
}

/// Runs `f`, turning a panic into an error so that the interpreter never sees one.
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

fn json_dumps(value: &Bound<'_, PyAny>) -> PyResult<String> {
    value
        .py()
        .import("json")?
        .call_method1("dumps", (value,))?
        .extract()
}

/// The request file made of a mapping in the request-file shape and keyword fields over
/// it (`stage_variables` is the file's `stageVariables`).
fn request_file(
    py: Python<'_>,
    request: Option<&Bound<'_, PyAny>>,
    fields: Option<&Bound<'_, PyDict>>,
) -> PyResult<RequestFile> {
    let merged = PyDict::new(py);
    if let Some(r) = request.filter(|r| !r.is_none()) {
        merged.call_method1("update", (r,))?;
    }
    if let Some(fields) = fields {
        for (key, value) in fields.iter() {
            let key: String = key.extract()?;
            let key = if key == "stage_variables" {
                "stageVariables".to_string()
            } else {
                key
            };
            merged.set_item(key, value)?;
        }
    }
    let text = json_dumps(merged.as_any())?;
    RequestFile::parse("<request>", &text).map_err(|e| raise(py, &e, None))
}

/// Renders a template against a request, as `vtl render` does.
///
/// The request is a dict in the request-file shape (`body`, `path`, `querystring`,
/// `header`, `stageVariables`, `context`, `method`), keyword arguments of the same names
/// (`stage_variables` for `stageVariables`), or both, the keywords winning. `$context`
/// gets the local defaults (`requestId`, `identity.sourceIp`...) under what the request
/// gives; with `context_defaults=False` it is exactly the request's `context`.
///
/// >>> vtl.render("$input.path('$.name') in $stageVariables.env", body='{"name": "Ada"}', stage_variables={"env": "dev"})
/// 'Ada in dev'
/// >>> vtl.render("$input.json('$.missing')")
/// '""'
///
/// Raises TemplateError (LimitError for a limit) with the position, RequestError for a
/// request that cannot be used.
#[pyfunction]
#[pyo3(signature = (template, request=None, *, context_defaults=true, **fields))]
fn render(
    py: Python<'_>,
    template: &str,
    request: Option<&Bound<'_, PyAny>>,
    context_defaults: bool,
    fields: Option<&Bound<'_, PyDict>>,
) -> PyResult<String> {
    Template::new(py, template)?.render(py, request, context_defaults, fields)
}

/// Whether an integration response's selection pattern matches all of `text` (a Lambda
/// error message, an HTTP status code), as Java's `Pattern.matches`.
///
/// >>> vtl.select(r"^\[400:.*", "[400:BadRequest] fuga is not hoge")
/// True
/// >>> vtl.select("4\\d{2}", "404 Not Found")
/// False
#[pyfunction]
fn select(py: Python<'_>, pattern: &str, text: &str) -> PyResult<bool> {
    guarded(|| SelectionPattern::new(pattern).and_then(|p| p.matches(text)))
        .map_err(|e| raise(py, &e, Some(pattern)))
}

/// A mapping template, parsed once and rendered any number of times, from any thread.
///
/// >>> t = vtl.Template('{"hoge": "$input.params(\'hoge\')"}')
/// >>> t.render({"path": {"hoge": "fuga"}})
/// '{"hoge": "fuga"}'
/// >>> t.render(path={"hoge": "hoge"})
/// '{"hoge": "hoge"}'
#[pyclass(frozen, module = "vtl")]
struct Template {
    inner: vtl::Template,
}

#[pymethods]
impl Template {
    #[new]
    fn new(py: Python<'_>, source: &str) -> PyResult<Template> {
        guarded(|| {
            check_size(source)?;
            vtl::Template::parse(source)
        })
        .map(|inner| Template { inner })
        .map_err(|e| raise(py, &e, Some(source)))
    }

    /// The template's text.
    #[getter]
    fn source(&self) -> &str {
        self.inner.source()
    }

    /// Renders the template against a request (see `vtl.render`); other Python threads
    /// run while it renders.
    #[pyo3(signature = (request=None, *, context_defaults=true, **fields))]
    fn render(
        &self,
        py: Python<'_>,
        request: Option<&Bound<'_, PyAny>>,
        context_defaults: bool,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<String> {
        let file = request_file(py, request, fields)?;
        let inner = &self.inner;
        py.detach(|| {
            guarded(|| {
                inner.render(&if context_defaults {
                    request::local_call(&file, &Call::default())
                } else {
                    request::exact_call(&file)
                })
            })
        })
        .map_err(|e| raise(py, &e, Some(inner.source())))
    }

    fn __repr__(&self) -> String {
        let source = self.inner.source();
        let head: String = source.chars().take(40).collect();
        let more = if head.len() < source.len() { "..." } else { "" };
        format!("Template({head:?}{more})")
    }
}

/// An API read from its files: `Api.load(path)`; `routes()` lists its methods and
/// `simulate(method, path, request, backend)` sends a request through it.
///
/// >>> api = vtl.Api.load("examples/seed/api.yaml")
/// >>> api.simulate("GET", "/hoge", backend={"type": "lambda", "result": {"message": "hogehoge"}}).body
/// '{"message":"hogehoge"}'
//
// The model caches compiled patterns in cells that are not
// `Sync`, hence the lock; it is taken with the interpreter released, so that a thread
// waiting for it never holds the interpreter that a handler running under it needs.
#[pyclass(frozen, module = "vtl")]
struct Api {
    source: Mutex<Source>,
    name: String,
    warnings: Vec<String>,
    index: usize,
}

/// What one simulated call answered: the method response's `status`, `headers` and
/// `body`; `backend_body`, what the backend received (None when API Gateway answered
/// before calling it); `trace`, the steps taken; `error`, the TemplateError behind a 500.
#[pyclass(frozen, module = "vtl")]
struct Simulation {
    #[pyo3(get)]
    status: u16,
    headers: Vec<(String, String)>,
    #[pyo3(get)]
    body: String,
    #[pyo3(get)]
    backend_body: Option<String>,
    #[pyo3(get)]
    trace: Vec<String>,
    #[pyo3(get)]
    error: Option<Py<PyAny>>,
}

#[pymethods]
impl Simulation {
    /// The method response headers, in order.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (k, v) in &self.headers {
            dict.set_item(k, v)?;
        }
        Ok(dict)
    }

    /// The body parsed as JSON.
    fn json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?.call_method1("loads", (&self.body,))
    }

    fn __repr__(&self) -> String {
        format!("Simulation(status={}, body={:?})", self.status, self.body)
    }
}

/// The backend outcome: none is MOCK's, a mapping is read as `vtl simulate --backend`
/// reads its file, a callable is a Lambda handler run by `vtl._lambda.invoke`.
fn outcome(py: Python<'_>, backend: Option<&Bound<'_, PyAny>>, body: &str) -> PyResult<Outcome> {
    let Some(backend) = backend.filter(|b| !b.is_none()) else {
        return Ok(Outcome::Mock);
    };
    let described = if backend.is_callable() {
        py.import("vtl._lambda")?
            .call_method1("invoke", (backend, body))?
    } else {
        backend.clone()
    };
    Outcome::from_json(&json_dumps(&described)?).map_err(|e| raise(py, &e, None))
}

#[pymethods]
impl Api {
    /// Reads an API from any source `vtl check` reads: an OpenAPI or Swagger export, a
    /// CloudFormation or SAM template, a CDK `cdk.out` folder, a Terraform module, a
    /// Serverless Framework service. `name` chooses among several APIs, `parameters` give
    /// values only AWS knows (`{"Fn.Arn": "arn:aws:lambda:..."}`), `format` forces a reader.
    /// Raises ApiError pointing into the file.
    #[staticmethod]
    #[pyo3(signature = (path, name=None, parameters=None, format=None))]
    fn load(
        py: Python<'_>,
        path: PathBuf,
        name: Option<&str>,
        parameters: Option<HashMap<String, String>>,
        format: Option<&str>,
    ) -> PyResult<Api> {
        let format = match format {
            None => None,
            Some(f) => Some(Format::from_name(f).ok_or_else(|| {
                let e = Error::new(ErrorKind::Input, format!("unknown format `{f}`"));
                exception(py, "ApiError", &e, None)
            })?),
        };
        let options = Options {
            format,
            parameters: parameters.unwrap_or_default().into_iter().collect(),
        };
        let loaded = py.detach(|| {
            guarded(|| {
                let source = import::load(&path, &options)?;
                let chosen = source.api(name)?;
                let index = source
                    .apis
                    .iter()
                    .position(|n| std::ptr::eq(&n.api, chosen))
                    .unwrap_or(0);
                Ok(Api {
                    name: source.apis[index].name.clone(),
                    warnings: source.warnings.iter().map(|w| w.to_string()).collect(),
                    source: Mutex::new(source),
                    index,
                })
            })
        });
        loaded.map_err(|e| exception(py, "ApiError", &e, None))
    }

    /// The name of the API in its source (a logical id, a resource address).
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// What the importer warned about, as `file:line:column: message`.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    /// The methods, as `vtl routes --format json` lists them.
    fn routes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let routes = vtl_tools::routes::routes(&self.lock(py).apis[self.index].api);
        let text = serde_json::to_string(&routes)
            .map_err(|e| PyErr::new::<pyo3::exceptions::PyRuntimeError, _>(e.to_string()))?;
        py.import("json")?.call_method1("loads", (text,))
    }

    /// Sends one request through the API: routed by `method` and `path` (which may carry a
    /// query string), the request template, the backend, the selection patterns, the
    /// response template, the method response.
    ///
    /// `backend` is a Lambda handler, called as `handler(event, context)` on the rendered
    /// request as AWS's Python runtime calls it (what it returns is the result, what it
    /// raises the error: `errorMessage` is `str(exc)`, `errorType` the class name); or a
    /// dict in the shape of `vtl simulate --backend` (`{"type": "http", "status": 404,
    /// "body": "..."}`); None for a MOCK. The request is a dict or keywords as for
    /// `vtl.render`. A path no method answers raises RequestError.
    #[pyo3(signature = (method, path, request=None, backend=None, **fields))]
    fn simulate(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        request: Option<&Bound<'_, PyAny>>,
        backend: Option<&Bound<'_, PyAny>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Simulation> {
        let mut file = request_file(py, request, fields)?;
        let url = serde_json::json!({ "path": path }).to_string();
        let url = RequestFile::parse("<path>", &url).map_err(|e| raise(py, &e, None))?;
        file.path = url.path;
        file.querystring.extend(url.querystring);
        file.method = Some(method.to_ascii_uppercase());
        let source = self.lock(py);
        let api = &source.apis[self.index].api;
        let (method, request) = file.route(api, None).map_err(|e| raise(py, &e, None))?;
        // The handler's exception is kept to re-raise: it is not an outcome.
        let mut failure = None;
        let result = guarded(|| {
            Ok(simulate(method, &request, |sent| {
                outcome(py, backend, &sent.body).unwrap_or_else(|e| {
                    failure = Some(e);
                    Outcome::Mock
                })
            }))
        })
        .map_err(|e| raise(py, &e, None))?;
        if let Some(e) = failure {
            return Err(e);
        }
        let error = (result.error.as_ref()).map(|e| raise(py, e, None).into_value(py).into_any());
        Ok(Simulation {
            status: result.status,
            headers: result.headers.into_iter().collect(),
            body: result.body,
            backend_body: result.backend_request.map(|b| b.body),
            trace: result.trace,
            error,
        })
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let methods = self.lock(py).apis[self.index].api.methods.len();
        format!("Api({:?}, {methods} methods)", self.name)
    }
}

impl Api {
    fn lock(&self, py: Python<'_>) -> MutexGuard<'_, Source> {
        // A guard cannot leave a released section, so wait there until the lock is free
        // and take it holding the interpreter. A panic under the lock was turned into an
        // exception; the model is still whole.
        loop {
            match self.source.try_lock() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(p)) => return p.into_inner(),
                Err(TryLockError::WouldBlock) => py.detach(|| drop(self.source.lock())),
            }
        }
    }
}

/// The result of one case of a case file: its `name`, whether it `passed`, and the
/// `failures`, each as `vtl test` prints it (with the diff of a body).
#[pyclass(frozen, get_all, module = "vtl")]
struct CaseResult {
    name: String,
    passed: bool,
    failures: Vec<String>,
}

/// Runs the case file at `path` as `vtl test` does: one CaseResult per case. A file that
/// cannot be run raises ApiError at the offending value.
#[pyfunction]
fn run_cases(py: Python<'_>, path: PathBuf) -> PyResult<Bound<'_, PyList>> {
    let report = py
        .detach(|| guarded(|| vtl_tools::cases::run_file(&path, &Options::default())))
        .map_err(|e| exception(py, "ApiError", &e, None))?;
    let results = report.results.into_iter().map(|r| CaseResult {
        name: r.name,
        passed: r.passed,
        failures: r.failures,
    });
    PyList::new(
        py,
        results
            .map(|r| Py::new(py, r))
            .collect::<PyResult<Vec<_>>>()?,
    )
}

#[pymodule]
fn _vtl(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(render, m)?)?;
    m.add_function(wrap_pyfunction!(select, m)?)?;
    m.add_function(wrap_pyfunction!(run_cases, m)?)?;
    m.add_class::<Template>()?;
    m.add_class::<Api>()?;
    m.add_class::<Simulation>()?;
    m.add_class::<CaseResult>()?;
    Ok(())
}
