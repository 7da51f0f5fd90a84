//! What the page shows, written out as a `vtl test` case file (JSON, which case files may
//! be): the request and backend typed, and as expectations what the library answered.

use serde::Deserialize;
use serde_json::{Value as Json, json};
use vtl_tools::document::Document;

use crate::api::{self, TemplateInput, input_error};
use crate::flow::{Playground, SimulateInput, TemplateEdit};

/// What the page sends to have its state written as a case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// The template in the editor.
    pub template: String,
    /// The request file's text.
    #[serde(default)]
    pub request: String,
    /// The route picked, when the playground has an API: the case runs against it.
    pub route: Option<usize>,
    /// The backend outcome's text, with a route.
    #[serde(default)]
    pub backend: String,
    /// The templates as edited, with a route.
    #[serde(default)]
    pub templates: Vec<TemplateEdit>,
}

/// The case file's `text`, or the input error that prevents it.
pub fn answer(playground: &Playground, input: &CaseInput) -> Json {
    match case(playground, input) {
        Ok(case) => {
            let text = serde_json::to_string_pretty(&case).expect("a JSON value prints") + "\n";
            json!({ "text": text })
        }
        Err(e) => e,
    }
}

fn case(playground: &Playground, input: &CaseInput) -> Result<Json, Json> {
    let request = parsed("request", &input.request)?.unwrap_or_else(|| json!({}));
    match input.route {
        Some(route) => {
            let simulate = SimulateInput {
                route,
                request: input.request.clone(),
                backend: input.backend.clone(),
                templates: input.templates.clone(),
            };
            let (answer, name) = playground.run(&simulate)?;
            let mut case = json!({ "name": name, "request": request });
            if let Some(backend) = parsed("backend", &input.backend)? {
                case["backend"] = backend;
            }
            case["expect"] = json!({ "status": answer["status"], "body": answer["body"] });
            let mut file = json!({
                "api": playground.source().map(|p| p.display().to_string()),
            });
            if let Some(name) = playground.api_name() {
                file["apiName"] = json!(name);
            }
            file["cases"] = json!([case]);
            Ok(file)
        }
        None => {
            // A lone request template: the case's integration holds it, and what the
            // backend receives is the rendered output.
            let rendered = api::render(
                playground,
                &TemplateInput {
                    template: input.template.clone(),
                    request: input.request.clone(),
                    content_type: None,
                    route: None,
                },
            );
            if rendered.get("inputError").is_some() {
                return Err(rendered);
            }
            let Some(output) = rendered["output"].as_str() else {
                return Err(json!({ "error": "the template does not render" }));
            };
            Ok(json!({
                "integration": {
                    "type": "HTTP",
                    "uri": "https://backend.example.com/",
                    "httpMethod": "POST",
                    "requestTemplates": { "application/json": input.template },
                    "responses": { "default": { "statusCode": "200" } },
                },
                "cases": [{
                    "name": "the request template's output",
                    "request": request,
                    "backend": { "type": "http", "status": 200, "body": "" },
                    "expect": { "backendBody": output },
                }],
            }))
        }
    }
}

/// The editor's text as the JSON value a case file holds (numbers as written); `None`
/// when it is empty.
fn parsed(input: &str, text: &str) -> Result<Option<Json>, Json> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let doc = Document::parse(input, text).map_err(|e| input_error(input, &e))?;
    Ok(Some(doc.root.to_json()))
}
