//! The methods of an API as a table: what `vtl routes` prints.

use vtl::apigateway::{Api, Backend, Method};

/// One method: its route, integration, templates and responses, and where it was defined.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Route {
    /// The HTTP method (`ANY` included).
    pub method: String,
    /// The resource path.
    pub path: String,
    /// The integration type (`AWS`, `AWS_PROXY`, `HTTP`, `HTTP_PROXY`, `MOCK`), or `NONE`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What an `AWS` integration calls: `Lambda`, or the service (`sqs`, `dynamodb`).
    pub backend: Option<String>,
    /// The request templates' content types.
    #[serde(rename = "requestTemplates")]
    pub request_templates: Vec<String>,
    /// The integration responses, in order.
    pub responses: Vec<RouteResponse>,
    /// The file the method was defined in.
    pub file: Option<String>,
    /// The line it was defined at.
    pub line: Option<usize>,
}

/// One integration response of a route.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RouteResponse {
    /// The selection pattern; `None` for the default response.
    #[serde(rename = "selectionPattern")]
    pub selection_pattern: Option<String>,
    /// The method response status.
    #[serde(rename = "statusCode")]
    pub status_code: u16,
    /// The response templates' content types.
    #[serde(rename = "responseTemplates")]
    pub response_templates: Vec<String>,
}

/// The routes of `api`, in definition order.
///
/// ```
/// use vtl::apigateway::{Api, Method};
/// let api = Api { methods: vec![Method::new("GET", "/pets", None)] };
/// let routes = vtl_tools::routes::routes(&api);
/// assert_eq!(routes[0].to_string(), "GET /pets NONE");
/// ```
pub fn routes(api: &Api) -> Vec<Route> {
    api.methods.iter().map(route).collect()
}

fn route(m: &Method) -> Route {
    let (kind, backend, request_templates, responses) = match &m.integration {
        None => ("NONE".to_string(), None, Vec::new(), Vec::new()),
        Some(i) => {
            let backend = match i.backend() {
                Backend::Lambda => Some("Lambda".to_string()),
                Backend::AwsService => aws_service(&i.uri).map(str::to_string),
                _ => None,
            };
            let responses = i
                .responses
                .iter()
                .map(|r| RouteResponse {
                    selection_pattern: (!r.is_default())
                        .then(|| r.selection_pattern.as_ref().map(|p| p.text().to_string()))
                        .flatten(),
                    status_code: r.status_code,
                    response_templates: r.response_templates.keys().cloned().collect(),
                })
                .collect();
            (
                i.kind.to_string(),
                backend,
                i.request_templates.keys().cloned().collect(),
                responses,
            )
        }
    };
    Route {
        method: m.http_method.clone(),
        path: m.path.clone(),
        kind,
        backend,
        request_templates,
        responses,
        file: m.origin.as_ref().map(|o| o.file().to_string()),
        line: m.origin.as_ref().map(|o| o.start().0),
    }
}

/// The service an `arn:aws:apigateway:REGION:SERVICE:action/...` URI calls.
fn aws_service(uri: &str) -> Option<&str> {
    let rest = uri.strip_prefix("arn:aws:apigateway:")?;
    rest.split(':').nth(1).filter(|s| !s.is_empty())
}

/// `GET /{hoge} AWS Lambda request application/json; default → 200 application/json;
/// ^\[400:.* → 400 application/json (template.yaml:120)`.
impl std::fmt::Display for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.method, self.path, self.kind)?;
        if let Some(b) = &self.backend {
            write!(f, " {b}")?;
        }
        if !self.request_templates.is_empty() {
            write!(f, " request {}", self.request_templates.join(", "))?;
        }
        for r in &self.responses {
            let pattern = r.selection_pattern.as_deref().unwrap_or("default");
            write!(f, "; {pattern} → {}", r.status_code)?;
            if !r.response_templates.is_empty() {
                write!(f, " {}", r.response_templates.join(", "))?;
            }
        }
        if let (Some(file), Some(line)) = (&self.file, self.line) {
            write!(f, " ({file}:{line})")?;
        }
        Ok(())
    }
}
