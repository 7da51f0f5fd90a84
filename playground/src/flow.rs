//! The API the playground was started with: its routes, and one call of a route simulated
//! with the templates as edited in the page.

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{Value as Json, json};
use vtl::apigateway::{Backend, MappingTemplate, Method, Outcome, Params, match_path, simulate};
use vtl_tools::import::{self, Options, Source};
use vtl_tools::request::{self, Call};

use crate::api::{error_json, input_error, request_file};

/// What the playground serves: on its own, templates against requests; with a source, the
/// routes of that API too.
#[derive(Debug, Default)]
pub struct Playground {
    source: Option<PathBuf>,
    api_name: Option<String>,
    options: Options,
}

impl Playground {
    /// A playground for the API read from `source` (any format `vtl` reads; `api_name`
    /// chooses one when it defines several), or for lone templates without one. The
    /// source is read now, so that a mistake in it is told at once; it is read again for
    /// each call, so edits to its files are seen.
    pub fn new(
        source: Option<PathBuf>,
        api_name: Option<String>,
        options: Options,
    ) -> Result<Playground, vtl::Error> {
        let playground = Playground {
            source,
            api_name,
            options,
        };
        if let Some(source) = playground.load()? {
            source.api(playground.api_name.as_deref())?;
        }
        Ok(playground)
    }

    /// The source as given, when there is one.
    pub fn source(&self) -> Option<&PathBuf> {
        self.source.as_ref()
    }

    /// The name of the API chosen among the source's, when one was.
    pub fn api_name(&self) -> Option<&str> {
        self.api_name.as_deref()
    }

    fn load(&self) -> Result<Option<Source>, vtl::Error> {
        self.source
            .as_ref()
            .map(|p| import::load(p, &self.options))
            .transpose()
    }

    /// What the page starts from: the seed's template and request, and the methods of the
    /// API, each with its templates, its integration responses, and a request and backend
    /// answer to start from.
    pub fn start(&self) -> Json {
        let mut answer = self.routes();
        answer["seed"] = json!({
            "template": crate::assets::SEED_TEMPLATE,
            "request": crate::assets::SEED_REQUEST,
        });
        answer
    }

    /// The methods of the API, each with its templates, its integration responses, and a
    /// request and backend answer to start from.
    pub fn routes(&self) -> Json {
        let source = match self.load() {
            Ok(Some(s)) => s,
            Ok(None) => return json!({ "source": null, "routes": [] }),
            Err(e) => return json!({ "error": e.to_string(), "routes": [] }),
        };
        let api = match source.api(self.api_name.as_deref()) {
            Ok(a) => a,
            Err(e) => return json!({ "error": e.to_string(), "routes": [] }),
        };
        let routes: Vec<Json> = vtl_tools::routes::routes(api)
            .iter()
            .zip(&api.methods)
            .map(|(route, method)| {
                json!({
                    "summary": route.to_string(),
                    "method": route.method,
                    "path": route.path,
                    "templates": templates(method),
                    "responses": route.responses,
                    "request": sample_request(method),
                    "backend": sample_backend(method),
                })
            })
            .collect();
        let source_name = self.source.as_ref().map(|p| p.display().to_string());
        // What only AWS knows (an ARN, an imported value), as `vtl check` warns of it.
        let warnings: Vec<String> = source.warnings.iter().map(|w| w.to_string()).collect();
        json!({ "source": source_name, "routes": routes, "warnings": warnings })
    }

    /// One call of a route with the templates as edited: each stage of `simulate`.
    pub fn simulate(&self, input: &SimulateInput) -> Json {
        match self.run(input) {
            Ok((simulation, _)) => simulation,
            Err(e) => e,
        }
    }

    /// [`Playground::simulate`], with the method's route (`GET /{hoge}`) beside it.
    pub(crate) fn run(&self, input: &SimulateInput) -> Result<(Json, String), Json> {
        let mut source = match self.load() {
            Ok(Some(s)) => s,
            Ok(None) => return Err(json!({ "error": "the playground has no API" })),
            Err(e) => return Err(json!({ "error": e.to_string() })),
        };
        let index = {
            let chosen = source
                .api(self.api_name.as_deref())
                .map_err(|e| json!({ "error": e.to_string() }))?;
            source
                .apis
                .iter()
                .position(|named| std::ptr::eq(&named.api, chosen))
                .expect("the chosen API is one of the source's")
        };
        let api = &mut source.apis[index].api;
        let Some(method) = api.methods.get_mut(input.route) else {
            return Err(json!({ "error": format!("the API has no route {}", input.route) }));
        };
        edit(method, &input.templates)?;
        let request = routed(method, &input.request)?;
        let outcome = if input.backend.trim().is_empty() {
            Outcome::Mock
        } else {
            Outcome::from_json(&input.backend).map_err(|e| input_error("backend", &e))?
        };
        let result = simulate(method, &request, |_| outcome);
        let backend_request = result.backend_request.as_ref().map(|b| {
            json!({ "body": b.body, "template": b.template, "json": crate::api::json_validity(&b.body) })
        });
        let answer = json!({
            "trace": result.trace,
            "backendRequest": backend_request,
            "status": result.status,
            "headers": result.headers,
            "body": result.body,
            "error": result.error.as_ref().map(error_json),
        });
        Ok((answer, format!("{} {}", method.http_method, method.path)))
    }

    /// The request typed as route `route` receives it (the `$context` of that method,
    /// path parameters from its resource path).
    pub(crate) fn request_for(&self, route: usize, text: &str) -> Result<vtl::Request, Json> {
        let source = match self.load() {
            Ok(Some(s)) => s,
            Ok(None) => return Err(json!({ "error": "the playground has no API" })),
            Err(e) => return Err(json!({ "error": e.to_string() })),
        };
        let api = source
            .api(self.api_name.as_deref())
            .map_err(|e| json!({ "error": e.to_string() }))?;
        match api.methods.get(route) {
            Some(method) => routed(method, text),
            None => Err(json!({ "error": format!("the API has no route {route}") })),
        }
    }
}

/// The request typed, as `method` receives it: the route is the one picked, so the
/// request's URL path only gives the path parameters.
fn routed(method: &Method, text: &str) -> Result<vtl::Request, Json> {
    let mut file = request_file(text).map_err(|e| input_error("request", &e))?;
    if file.method.is_none() && method.http_method != "ANY" {
        file.method = Some(method.http_method.clone());
    }
    let mut parameters = Params::new();
    if let Some(url) = &file.path {
        parameters = match_path(&method.path, url).ok_or_else(|| {
            json!({ "inputError": {
                "input": "request",
                "message": format!("the path `{url}` is not one of {} {}", method.http_method, method.path),
                "line": 0, "column": 0,
            }})
        })?;
    }
    let call = Call {
        resource_path: Some(&method.path),
        url_path: file.path.clone(),
        path_parameters: parameters,
        now: None,
    };
    Ok(request::local_call(&file, &call))
}

/// A simulated call of a route.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulateInput {
    /// The route, by its place in the list of routes.
    pub route: usize,
    /// The request file's text.
    #[serde(default)]
    pub request: String,
    /// The backend outcome's text (`{"type": "lambda", "result": ...}`); empty for MOCK.
    #[serde(default)]
    pub backend: String,
    /// The templates as edited in the page, over the source's.
    #[serde(default)]
    pub templates: Vec<TemplateEdit>,
}

/// One template as edited.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct TemplateEdit {
    /// The integration response it belongs to, by its place; `None` for a request template.
    pub response: Option<usize>,
    /// Its media type.
    pub media: String,
    /// Its text.
    pub text: String,
}

/// Every mapping template of `method`, in the shape of a [`TemplateEdit`] with a label.
fn templates(method: &Method) -> Vec<Json> {
    let Some(integration) = &method.integration else {
        return Vec::new();
    };
    let requests = integration
        .request_templates
        .iter()
        .map(|(media, t)| template_json(None, media, t));
    let responses = integration.responses.iter().enumerate().flat_map(|(i, r)| {
        r.response_templates
            .iter()
            .map(move |(media, t)| template_json(Some((i, r.status_code)), media, t))
    });
    requests.chain(responses).collect()
}

fn template_json(response: Option<(usize, u16)>, media: &str, t: &MappingTemplate) -> Json {
    let label = match response {
        None => format!("request {media}"),
        Some((_, status)) => format!("response {status} {media}"),
    };
    json!({
        "label": label,
        "response": response.map(|(i, _)| i),
        "media": media,
        "text": t.text(),
    })
}

/// Puts the page's edits in place of the source's templates; an edit of a template the
/// method does not have is refused.
fn edit(method: &mut Method, edits: &[TemplateEdit]) -> Result<(), Json> {
    let Some(integration) = method.integration.as_mut() else {
        return Ok(());
    };
    for e in edits {
        let templates = match e.response {
            None => &mut integration.request_templates,
            Some(i) => match integration.responses.get_mut(i) {
                Some(r) => &mut r.response_templates,
                None => return Err(json!({ "error": format!("no integration response {i}") })),
            },
        };
        match templates.get_mut(&e.media) {
            Some(t) => *t = MappingTemplate::new(e.text.as_str(), None),
            None => return Err(json!({ "error": format!("no template for `{}`", e.media) })),
        }
    }
    Ok(())
}

/// A request the route answers, as `vtl init` writes one.
fn sample_request(method: &Method) -> String {
    let verb = if method.http_method == "ANY" {
        "GET"
    } else {
        &method.http_method
    };
    let path = vtl_tools::init::example_path(&method.path);
    serde_json::to_string_pretty(&json!({ "method": verb, "path": path }))
        .expect("a JSON value prints")
}

/// A backend answer of the integration's kind, as `vtl init` writes one.
fn sample_backend(method: &Method) -> String {
    let outcome = match method.integration.as_ref().map(|i| i.backend()) {
        Some(Backend::Lambda) => json!({ "type": "lambda", "result": {} }),
        Some(Backend::Http | Backend::AwsService) => {
            json!({ "type": "http", "status": 200, "body": "{}" })
        }
        Some(Backend::Mock) | None => json!({ "type": "mock" }),
    };
    serde_json::to_string_pretty(&outcome).expect("a JSON value prints")
}
