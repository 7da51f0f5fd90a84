//! The model of a REST API as API Gateway deploys it: methods on resource paths, each with
//! its integration, integration responses and method responses. Importers (OpenAPI,
//! CloudFormation, Terraform, ...) produce it; simulation, routing and checks read it.
//! Every template and selection pattern keeps where it was written ([`Origin`]).
//!
//! ```
//! use vtl::apigateway::{Api, Integration, IntegrationResponse, IntegrationType, Method};
//!
//! let mut integration = Integration::new(IntegrationType::Mock);
//! integration.request_templates.insert("application/json".into(), r#"{"statusCode": 200}"#.into());
//! integration.responses.push(IntegrationResponse::new(None, 200));
//! let api = Api { methods: vec![Method::new("GET", "/pets/{id}", Some(integration))] };
//!
//! let (method, params) = api.route("GET", "/pets/7").unwrap();
//! assert_eq!(method.path, "/pets/{id}");
//! assert_eq!(params["id"], "7");
//! ```

use std::fmt;
use std::sync::{Arc, OnceLock};

use indexmap::IndexMap;

use super::check_size;
use super::origin::{Anchor, Origin};
use super::selection::SelectionPattern;
use crate::{Error, Template};

/// A REST API: its methods, in definition order.
#[derive(Debug, Default)]
pub struct Api {
    /// Every method of every resource.
    pub methods: Vec<Method>,
}

/// One method of one resource.
#[derive(Debug)]
pub struct Method {
    /// The HTTP method, upper-case; `ANY` for any method.
    pub http_method: String,
    /// The full resource path: `/`, `/items/{id}`, `/{proxy+}`.
    pub path: String,
    /// The integration; `None` when the method has none.
    pub integration: Option<Integration>,
    /// The declared method responses; `None` when they are not known (an integration on
    /// its own). An integration response whose status is not declared ends in a 500.
    pub method_responses: Option<Vec<MethodResponse>>,
    /// Where the method was defined.
    pub origin: Option<Origin>,
}

/// A declared method response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodResponse {
    /// Its status code.
    pub status_code: u16,
    /// The response headers it declares (`Content-Type`, ...).
    pub headers: Vec<String>,
}

/// API Gateway's integration types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntegrationType {
    /// An AWS service, or a Lambda function through a custom (non-proxy) integration.
    Aws,
    /// A Lambda proxy integration: no mapping templates.
    AwsProxy,
    /// An HTTP backend with mapping templates.
    Http,
    /// An HTTP proxy integration: no mapping templates.
    HttpProxy,
    /// No backend: the request template's `statusCode` selects the response.
    Mock,
}

impl IntegrationType {
    /// Reads API Gateway's name of a type, in any case: `AWS`, `AWS_PROXY`, `HTTP`,
    /// `HTTP_PROXY`, `MOCK`.
    pub fn parse(name: &str) -> Option<IntegrationType> {
        Some(match name.to_ascii_uppercase().as_str() {
            "AWS" => IntegrationType::Aws,
            "AWS_PROXY" => IntegrationType::AwsProxy,
            "HTTP" => IntegrationType::Http,
            "HTTP_PROXY" => IntegrationType::HttpProxy,
            "MOCK" => IntegrationType::Mock,
            _ => return None,
        })
    }

    /// API Gateway's name of the type.
    pub fn name(self) -> &'static str {
        match self {
            IntegrationType::Aws => "AWS",
            IntegrationType::AwsProxy => "AWS_PROXY",
            IntegrationType::Http => "HTTP",
            IntegrationType::HttpProxy => "HTTP_PROXY",
            IntegrationType::Mock => "MOCK",
        }
    }

    /// Whether the type passes requests and responses through without mapping templates.
    pub fn is_proxy(self) -> bool {
        matches!(self, IntegrationType::AwsProxy | IntegrationType::HttpProxy)
    }
}

impl fmt::Display for IntegrationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What API Gateway does with a request whose content type has no template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PassthroughBehavior {
    /// Pass it through unless it has a template (the default).
    #[default]
    WhenNoMatch,
    /// Pass it through only when the integration has no templates at all; else 415.
    WhenNoTemplates,
    /// Answer 415.
    Never,
}

impl PassthroughBehavior {
    /// Reads `WHEN_NO_MATCH`, `WHEN_NO_TEMPLATES` or `NEVER`, in any case (exports write
    /// them in lower case).
    pub fn parse(name: &str) -> Option<PassthroughBehavior> {
        Some(match name.to_ascii_uppercase().as_str() {
            "WHEN_NO_MATCH" => PassthroughBehavior::WhenNoMatch,
            "WHEN_NO_TEMPLATES" => PassthroughBehavior::WhenNoTemplates,
            "NEVER" => PassthroughBehavior::Never,
            _ => return None,
        })
    }
}

/// A non-proxy or proxy integration, in the terms of API Gateway's `Integration`.
#[derive(Debug)]
pub struct Integration {
    /// The integration type.
    pub kind: IntegrationType,
    /// The backend's URI: an `arn:aws:apigateway:REGION:SERVICE:...` ARN or a URL.
    pub uri: String,
    /// The method of the backend request (`POST` for Lambda).
    pub http_method: Option<String>,
    /// Request templates by content type, lower-case.
    pub request_templates: IndexMap<String, MappingTemplate>,
    /// What to do with content types that have no template.
    pub passthrough_behavior: PassthroughBehavior,
    /// `CONVERT_TO_TEXT` or `CONVERT_TO_BINARY`, as written.
    pub content_handling: Option<String>,
    /// `integration.request.*` → `method.request.*` or `'literal'`.
    pub request_parameters: IndexMap<String, String>,
    /// The integration responses, in definition order.
    pub responses: Vec<IntegrationResponse>,
}

/// What an integration calls, as far as mapping and selection go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A Lambda function: responses are selected by the `errorMessage` of a function
    /// error, and the request body must be JSON.
    Lambda,
    /// Another AWS service (SQS, DynamoDB, Step Functions, ...): selected by status code.
    AwsService,
    /// An HTTP backend: selected by status code.
    Http,
    /// No backend.
    Mock,
}

impl Integration {
    /// An integration of `kind` with nothing else set.
    pub fn new(kind: IntegrationType) -> Integration {
        Integration {
            kind,
            uri: String::new(),
            http_method: None,
            request_templates: IndexMap::new(),
            passthrough_behavior: PassthroughBehavior::default(),
            content_handling: None,
            request_parameters: IndexMap::new(),
            responses: Vec::new(),
        }
    }

    /// What the integration calls: a Lambda function when an `AWS` integration's URI
    /// names Lambda's invoke path.
    pub fn backend(&self) -> Backend {
        match self.kind {
            IntegrationType::Aws | IntegrationType::AwsProxy if is_lambda_uri(&self.uri) => {
                Backend::Lambda
            }
            IntegrationType::Aws | IntegrationType::AwsProxy => Backend::AwsService,
            IntegrationType::Http | IntegrationType::HttpProxy => Backend::Http,
            IntegrationType::Mock => Backend::Mock,
        }
    }

    /// Every mapping template of the integration with what it is: `requestTemplates
    /// application/json`, `responses 400 responseTemplates application/json`.
    pub fn templates(&self) -> impl Iterator<Item = (String, &MappingTemplate)> {
        let requests = self
            .request_templates
            .iter()
            .map(|(media, t)| (format!("requestTemplates {media}"), t));
        let responses = self.responses.iter().flat_map(|r| {
            r.response_templates.iter().map(move |(media, t)| {
                (
                    format!("response {} responseTemplates {media}", r.status_code),
                    t,
                )
            })
        });
        requests.chain(responses)
    }
}

/// Whether an integration URI invokes a Lambda function
/// (`arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/.../invocations`).
fn is_lambda_uri(uri: &str) -> bool {
    uri.contains(":lambda:path/")
}

/// An integration response: the method response status it maps to, and how.
#[derive(Debug)]
pub struct IntegrationResponse {
    /// The selection pattern; `None` (or an empty pattern) marks the default response.
    pub selection_pattern: Option<Pattern>,
    /// The method response status code.
    pub status_code: u16,
    /// Response templates by media type, lower-case (an empty template passes the payload
    /// through).
    pub response_templates: IndexMap<String, MappingTemplate>,
    /// `method.response.header.NAME` → `'literal'`, `integration.response.header.NAME` or
    /// `integration.response.body[.field...]`.
    pub response_parameters: IndexMap<String, String>,
    /// `CONVERT_TO_TEXT` or `CONVERT_TO_BINARY`, as written.
    pub content_handling: Option<String>,
}

impl IntegrationResponse {
    /// A response to `status_code` selected by `pattern` (`None`: the default), with no
    /// templates or parameters.
    pub fn new(pattern: Option<Pattern>, status_code: u16) -> IntegrationResponse {
        IntegrationResponse {
            selection_pattern: pattern,
            status_code,
            response_templates: IndexMap::new(),
            response_parameters: IndexMap::new(),
            content_handling: None,
        }
    }

    /// Whether this is a default response (no pattern, or an empty one).
    pub fn is_default(&self) -> bool {
        self.selection_pattern
            .as_ref()
            .is_none_or(|p| p.text().is_empty())
    }
}

impl Method {
    /// A method with no declared responses and no origin.
    pub fn new(
        http_method: impl Into<String>,
        path: impl Into<String>,
        integration: Option<Integration>,
    ) -> Method {
        Method {
            http_method: http_method.into().to_ascii_uppercase(),
            path: path.into(),
            integration,
            method_responses: None,
            origin: None,
        }
    }

    /// Whether the method declares a response with `status`; `true` when the method
    /// responses are not known.
    pub fn declares(&self, status: u16) -> bool {
        self.method_responses
            .as_ref()
            .is_none_or(|r| r.iter().any(|m| m.status_code == status))
    }
}

/// What a text compiles into: a [`Template`] or a [`SelectionPattern`].
pub trait Compile: Sized {
    /// Compiles `text`; errors point into `text`.
    fn compile(text: &str) -> Result<Self, Error>;
}

impl Compile for Template {
    fn compile(text: &str) -> Result<Template, Error> {
        check_size(text)?;
        Template::parse(text)
    }
}

impl Compile for SelectionPattern {
    fn compile(text: &str) -> Result<SelectionPattern, Error> {
        SelectionPattern::new(text)
    }
}

/// A text as written in an API definition, where it was written, and what it compiles
/// into, compiled on first use. Errors of the compiled form point into the file.
pub struct Sourced<T> {
    text: Arc<str>,
    origin: Option<Origin>,
    compiled: OnceLock<Result<T, Error>>,
}

/// A mapping template of an API definition.
///
/// ```
/// use vtl::apigateway::{MappingTemplate, Origin};
///
/// let t = MappingTemplate::new("{\n  #if(\n}", Some(Origin::at("template.yaml", 20, 11)));
/// let err = t.compiled().unwrap_err();
/// assert_eq!((err.file(), err.line(), err.column()), (Some("template.yaml"), 22, 1));
/// ```
pub type MappingTemplate = Sourced<Template>;

/// A selection pattern of an API definition.
pub type Pattern = Sourced<SelectionPattern>;

impl<T: Compile> Sourced<T> {
    /// A text and where it was written, if known.
    pub fn new(text: impl Into<Arc<str>>, origin: Option<Origin>) -> Sourced<T> {
        Sourced {
            text: text.into(),
            origin,
            compiled: OnceLock::new(),
        }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where it was written.
    pub fn origin(&self) -> Option<&Origin> {
        self.origin.as_ref()
    }

    /// The compiled form; an error points at the file and line where the text was
    /// written when its origin is known.
    pub fn compiled(&self) -> Result<&T, &Error> {
        self.compiled
            .get_or_init(|| {
                T::compile(&self.text).map_err(|e| match &self.origin {
                    Some(origin) => origin.relocate(&self.text, e),
                    None => e,
                })
            })
            .as_ref()
    }

    /// The file position of byte `offset` of the text: `(file, line, column)`, or the
    /// line and column in the text itself when the origin is not known.
    pub fn locate(&self, offset: usize) -> (Option<&str>, usize, usize) {
        match &self.origin {
            Some(o) => {
                let (line, column) = o.locate(&self.text, offset);
                (Some(o.file()), line, column)
            }
            None => {
                let (line, column) = crate::error::line_column(&self.text, offset);
                (None, line, column)
            }
        }
    }
}

impl<T> fmt::Debug for Sourced<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sourced")
            .field("text", &self.text)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl<T: Compile> From<&str> for Sourced<T> {
    fn from(text: &str) -> Sourced<T> {
        Sourced::new(text, None)
    }
}

impl<T: Compile> From<String> for Sourced<T> {
    fn from(text: String) -> Sourced<T> {
        Sourced::new(text, None)
    }
}

/// The name of the newtype struct through which a reader that knows positions hands a
/// [`Sourced`] text with its origin: a map of `text`, `file` and `anchors` (a list of
/// `[offset, line, column]`). Other readers (`serde_json`) hand a plain string.
#[doc(hidden)]
pub const LOCATED: &str = "$vtl::Located";

impl<'de, T: Compile> serde::Deserialize<'de> for Sourced<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(LOCATED, SourcedVisitor(std::marker::PhantomData))
    }
}

struct SourcedVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Compile> serde::de::Visitor<'de> for SourcedVisitor<T> {
    type Value = Sourced<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_newtype_struct<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> Result<Sourced<T>, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        Ok(Sourced::new(text, None))
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Sourced<T>, E> {
        Ok(Sourced::new(text, None))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Sourced<T>, A::Error> {
        let (mut text, mut file, mut anchors) = (None, None, Vec::new());
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "text" => text = Some(map.next_value::<String>()?),
                "file" => file = Some(map.next_value::<String>()?),
                "anchors" => {
                    anchors = map
                        .next_value::<Vec<[u32; 3]>>()?
                        .into_iter()
                        .map(|[offset, line, column]| Anchor {
                            offset,
                            line,
                            column,
                        })
                        .collect()
                }
                _ => {
                    return Err(serde::de::Error::unknown_field(
                        &key,
                        &["text", "file", "anchors"],
                    ));
                }
            }
        }
        let text = text.ok_or_else(|| serde::de::Error::missing_field("text"))?;
        Ok(Sourced::new(text, file.map(|f| Origin::new(f, anchors))))
    }
}

/// An API is shared by the threads of a server: it and its compiled texts are `Send + Sync`.
const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<Api>()
};
