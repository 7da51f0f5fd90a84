//! CloudFormation templates (JSON or YAML, short-form tags included): each
//! `AWS::ApiGateway::RestApi` is one API, from its inline `Body` (OpenAPI) and from the
//! `AWS::ApiGateway::Resource` and `AWS::ApiGateway::Method` resources on it, with
//! intrinsic functions evaluated (see [`intrinsics`](super::intrinsics)). A SAM template
//! (`Transform: AWS::Serverless-2016-10-31`) adds its `AWS::Serverless::*` APIs (see
//! [`sam`](super::sam)). A template that defines no REST API is an error.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer};
use vtl::Error;
use vtl::apigateway::{
    Api, Integration, IntegrationResponse, IntegrationType, MappingTemplate, Method,
    MethodResponse, Origin, PassthroughBehavior, Pattern, StatusCode,
};

use super::intrinsics::{Resolver, Target, intrinsic};
use super::{Format, NamedApi, Options, Source, openapi, sam};
use crate::document::de::from_node;
use crate::document::{Document, Node, error_at};
use crate::files;

/// The transform that makes a template a SAM template.
pub const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// How many `ParentId` links a resource path may have.
const MAX_PATH_DEPTH: usize = 128;

/// Whether a document is a CloudFormation template.
pub fn is_template(root: &Node) -> bool {
    root.get("AWSTemplateFormatVersion").is_some()
        || root.get("Resources").is_some_and(|r| r.entries().is_some())
}

/// Whether a template's `Transform` (a name or a list) includes the SAM transform.
pub fn is_sam(root: &Node) -> bool {
    match root.get("Transform") {
        Some(t) => match t.items() {
            Some(items) => items.iter().any(|i| i.as_str() == Some(SAM_TRANSFORM)),
            None => t.as_str() == Some(SAM_TRANSFORM),
        },
        None => false,
    }
}

/// The template in a project folder: `template.yaml`, `template.yml` or `template.json`.
pub fn find(folder: &Path) -> Option<std::path::PathBuf> {
    ["template.yaml", "template.yml", "template.json"]
        .iter()
        .map(|n| folder.join(n))
        .find(|p| p.is_file())
}

/// Reads the template `doc`, which is the file at `path`, as `format` (CloudFormation
/// or SAM).
pub fn read(
    path: &Path,
    doc: &Document,
    format: Format,
    options: &Options,
) -> Result<Source, Error> {
    let (apis, warnings) = read_stack(path, doc, options, None)?;
    if apis.is_empty() {
        return Err(no_api(doc));
    }
    Ok(Source {
        format,
        apis,
        warnings,
    })
}

/// The error for a template without a REST API.
pub fn no_api(doc: &Document) -> Error {
    doc.error(
        &doc.root,
        "the template defines no REST API (no AWS::ApiGateway::RestApi, AWS::Serverless::Api or \
         AWS::Serverless::Function Api event)",
    )
}

/// The REST APIs of one stack's template and the warnings made reading it; `stack`
/// prefixes the names (`Stack/LogicalId`) and is `AWS::StackName`.
pub fn read_stack(
    path: &Path,
    doc: &Document,
    options: &Options,
    stack: Option<&str>,
) -> Result<(Vec<NamedApi>, Vec<Error>), Error> {
    let file = &doc.file;
    let root = &doc.root;
    let Some(resources) = root.get("Resources") else {
        return Err(doc.error(root, "a CloudFormation template needs `Resources`"));
    };
    let Some(entries) = resources.entries() else {
        return Err(doc.error(resources, "`Resources` must be a mapping of logical ids"));
    };
    let mut resolver = Resolver::new(Arc::clone(file), root, &options.parameters, stack);
    resolver.lenient = is_sam(root);

    let mut template = Template::default();
    for (key, resource) in entries {
        let id = key.scalar_text();
        let Some(kind) = resource.get("Type").and_then(Node::as_str) else {
            return Err(doc.error(resource, format!("resource `{id}` needs a `Type`")));
        };
        if let Some(condition) = resource.get("Condition") {
            let name = resolver.text(condition, "the name of a condition")?.text;
            if !resolver.condition(&name, condition)? {
                continue;
            }
        }
        let entry = Resource {
            id: id.clone(),
            key,
            node: resource,
            properties: resource.get("Properties"),
        };
        match kind {
            "AWS::ApiGateway::RestApi" | "AWS::Serverless::Api" => template.apis.push(entry),
            "AWS::ApiGateway::Resource" => {
                template.resources.insert(id, entry);
            }
            "AWS::ApiGateway::Method" => template.methods.push(entry),
            "AWS::Serverless::Function" => template.functions.push(entry),
            _ => {}
        }
    }

    let mut apis: IndexMap<String, (Api, bool)> = IndexMap::new();
    for entry in &template.apis {
        let kind = entry.node.get("Type").and_then(Node::as_str);
        let (api, managed) = if kind == Some("AWS::Serverless::Api") {
            sam::read_api(
                path,
                &mut resolver,
                entry.id.as_str(),
                entry.key,
                entry.properties,
            )?
        } else {
            (read_rest_api(path, &mut resolver, entry)?, true)
        };
        apis.insert(entry.id.clone(), (api, managed));
    }

    let mut paths = HashMap::new();
    for entry in &template.methods {
        let (api_id, method) = read_method(&mut resolver, &template, &apis, &mut paths, entry)?;
        if let Some((api, _)) = apis.get_mut(&api_id) {
            api.methods.push(method);
        }
    }
    for entry in &template.functions {
        sam::read_events(
            &mut resolver,
            entry.id.as_str(),
            entry.properties,
            &mut apis,
        )?;
    }

    let prefix = stack.map_or(String::new(), |s| format!("{s}/"));
    let named = apis
        .into_iter()
        .map(|(id, (api, _))| NamedApi {
            name: format!("{prefix}{id}"),
            api,
        })
        .collect();
    Ok((named, resolver.warnings))
}

/// The resources of a template that make APIs, in definition order.
#[derive(Default)]
struct Template<'a> {
    apis: Vec<Resource<'a>>,
    resources: HashMap<String, Resource<'a>>,
    methods: Vec<Resource<'a>>,
    functions: Vec<Resource<'a>>,
}

/// One resource of a template.
struct Resource<'a> {
    id: String,
    key: &'a Node,
    node: &'a Node,
    properties: Option<&'a Node>,
}

impl Resource<'_> {
    fn property(&self, name: &str) -> Option<&Node> {
        self.properties.and_then(|p| p.get(name))
    }
}

/// An `AWS::ApiGateway::RestApi`: its inline `Body`, if any.
fn read_rest_api(path: &Path, resolver: &mut Resolver, entry: &Resource) -> Result<Api, Error> {
    if let Some((key, _)) = entry
        .properties
        .and_then(Node::entries)
        .and_then(|e| e.iter().find(|(k, _)| k.as_str() == Some("BodyS3Location")))
    {
        return Err(error_at(
            &resolver.file,
            key.line,
            key.column,
            format!(
                "`{}`: a `BodyS3Location` definition is in S3 and cannot be read here; \
                 import the OpenAPI file itself, or put it in `Body`",
                entry.id
            ),
        ));
    }
    match entry.property("Body") {
        Some(body) => definition(path, resolver, body),
        None => Ok(Api::default()),
    }
}

/// An inline OpenAPI definition (`Body`, `DefinitionBody`), intrinsics evaluated: written
/// in the template, or an `AWS::Include` of a local file.
pub(super) fn definition(path: &Path, resolver: &mut Resolver, body: &Node) -> Result<Api, Error> {
    if let Some((name, arg)) = intrinsic(body)
        && name == "Fn::Transform"
    {
        let location = include_location(resolver, &arg)?;
        let included = files::beside(path, location.trim_start_matches("./"));
        let display: Arc<str> = Arc::from(included.display().to_string());
        let text = files::read(&included).map_err(|e| {
            error_at(
                &resolver.file,
                body.line,
                body.column,
                format!("AWS::Include: {}", e.message()),
            )
        })?;
        let doc = Document::parse(Arc::clone(&display), &text)?;
        let outer = std::mem::replace(&mut resolver.file, Arc::clone(&display));
        let resolved = resolver.resolve_some(&doc.root);
        resolver.file = outer;
        return openapi::read(&display, &resolved?);
    }
    let resolved = resolver.resolve_some(body)?;
    openapi::read(&resolver.file, &resolved)
}

/// The local `Location` of `Fn::Transform: {Name: AWS::Include, Parameters: {Location}}`.
fn include_location(resolver: &mut Resolver, arg: &Node) -> Result<String, Error> {
    let file = Arc::clone(&resolver.file);
    let at = |node: &Node, m: String| error_at(&file, node.line, node.column, m);
    let name = arg.get("Name").and_then(Node::as_str);
    if name != Some("AWS::Include") {
        return Err(at(
            arg,
            format!(
                "only the `AWS::Include` transform can be read here, not `{}`",
                name.unwrap_or("?")
            ),
        ));
    }
    let Some(location) = arg.get("Parameters").and_then(|p| p.get("Location")) else {
        return Err(at(
            arg,
            "`AWS::Include` needs `Parameters: {Location: ...}`".to_string(),
        ));
    };
    let resolved = resolver.resolve_some(location)?;
    let text = resolver.text(&resolved, "a file path")?.text;
    if text.starts_with("s3://") || text.starts_with("https://") {
        return Err(at(
            location,
            format!(
                "`AWS::Include` of `{text}`: a file in S3 cannot be read here; give a local path"
            ),
        ));
    }
    Ok(text)
}

/// An `AWS::ApiGateway::Method`: the API it belongs to and the method.
fn read_method(
    resolver: &mut Resolver,
    template: &Template,
    apis: &IndexMap<String, (Api, bool)>,
    paths: &mut HashMap<String, String>,
    entry: &Resource,
) -> Result<(String, Method), Error> {
    let file = Arc::clone(&resolver.file);
    let at = |node: &Node, m: String| error_at(&file, node.line, node.column, m);
    let Some(properties) = entry.properties else {
        return Err(at(
            entry.node,
            format!("method `{}` needs `Properties`", entry.id),
        ));
    };
    let api_node = entry.property("RestApiId").ok_or_else(|| {
        at(
            properties,
            format!("method `{}` needs `RestApiId`", entry.id),
        )
    })?;
    let api_id = match resolver.target(api_node)? {
        Target::Ref(id) if apis.contains_key(&id) => id,
        other => {
            return Err(at(
                api_node,
                format!(
                    "`RestApiId` of `{}` must be `Ref` of a REST API of this template, not {}",
                    entry.id,
                    show(&other)
                ),
            ));
        }
    };
    let resource_node = entry.property("ResourceId").ok_or_else(|| {
        at(
            properties,
            format!("method `{}` needs `ResourceId`", entry.id),
        )
    })?;
    let path = resource_path(resolver, template, &api_id, paths, resource_node, 0)?;

    // The other properties, evaluated, read as the method's settings.
    let Some(fields) = properties.entries() else {
        return Err(at(properties, "`Properties` must be a mapping".to_string()));
    };
    let rest: Vec<(Node, Node)> = fields
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), Some("RestApiId" | "ResourceId")))
        .cloned()
        .collect();
    let rest = Node {
        value: crate::document::Value::Map(rest),
        ..properties.clone()
    };
    let resolved = resolver.resolve_some(&rest)?;
    let props: MethodProperties =
        from_node(&file, &resolved).map_err(|e| e.context(format!("method `{}`", entry.id)))?;
    let integration = props.integration.map(CfnIntegration::into_integration);
    let method_responses = props
        .method_responses
        .into_iter()
        .map(|r| MethodResponse {
            status_code: r.status_code,
            headers: r
                .response_parameters
                .keys()
                .filter_map(|k| k.strip_prefix("method.response.header."))
                .map(str::to_string)
                .collect(),
        })
        .collect();
    Ok((
        api_id,
        Method {
            http_method: props.http_method.to_ascii_uppercase(),
            path,
            integration,
            method_responses: Some(method_responses),
            origin: Some(Origin::at(file.clone(), entry.key.line, entry.key.column)),
        },
    ))
}

fn show(target: &Target) -> String {
    match target {
        Target::Ref(r) => format!("`Ref {r}`"),
        Target::GetAtt(r, a) => format!("`Fn::GetAtt {r}.{a}`"),
        Target::Literal(l) => format!("`{l}`"),
    }
}

/// The full path of the resource `node` names (`ResourceId`, `ParentId`), following
/// `ParentId`s up to the API's `RootResourceId`.
fn resource_path(
    resolver: &mut Resolver,
    template: &Template,
    api_id: &str,
    paths: &mut HashMap<String, String>,
    node: &Node,
    depth: usize,
) -> Result<String, Error> {
    let file = Arc::clone(&resolver.file);
    let at = |node: &Node, m: String| error_at(&file, node.line, node.column, m);
    match resolver.target(node)? {
        Target::GetAtt(api, attribute) if attribute == "RootResourceId" => {
            if api != api_id {
                return Err(at(
                    node,
                    format!("`{api}.RootResourceId` is the root of another API than `{api_id}`"),
                ));
            }
            Ok("/".to_string())
        }
        Target::Ref(id) => {
            if let Some(path) = paths.get(&id) {
                return Ok(path.clone());
            }
            let Some(resource) = template.resources.get(&id) else {
                return Err(at(
                    node,
                    format!("`{id}` is not an AWS::ApiGateway::Resource of this template"),
                ));
            };
            if depth > MAX_PATH_DEPTH {
                return Err(at(
                    node,
                    format!(
                        "the ParentId chain through `{id}` loops or is longer than {MAX_PATH_DEPTH}"
                    ),
                ));
            }
            let parent = resource
                .property("ParentId")
                .ok_or_else(|| at(resource.node, format!("resource `{id}` needs `ParentId`")))?;
            if let Target::Ref(p) = resolver.target(parent)?
                && chain_reaches(resolver, template, &p, &id)?
            {
                return Err(at(
                    parent,
                    format!("the ParentId chain of `{id}` loops back to `{id}`"),
                ));
            }
            let part_node = resource
                .property("PathPart")
                .ok_or_else(|| at(resource.node, format!("resource `{id}` needs `PathPart`")))?;
            let part = resolver.resolve_some(part_node)?;
            let part = resolver.text(&part, "a path segment")?.text;
            if part.is_empty() || part.contains('/') {
                return Err(at(
                    part_node,
                    format!("`PathPart` must be one path segment, not `{part}`"),
                ));
            }
            let parent_path = resource_path(resolver, template, api_id, paths, parent, depth + 1)?;
            let path = if parent_path == "/" {
                format!("/{part}")
            } else {
                format!("{parent_path}/{part}")
            };
            paths.insert(id, path.clone());
            Ok(path)
        }
        other => Err(at(
            node,
            format!(
                "a resource id must be `Ref` of an AWS::ApiGateway::Resource or `Fn::GetAtt [{api_id}, RootResourceId]`, not {}",
                show(&other)
            ),
        )),
    }
}

/// Whether following `ParentId` from `from` comes to `to` (a loop), within bounds.
fn chain_reaches(
    resolver: &mut Resolver,
    template: &Template,
    from: &str,
    to: &str,
) -> Result<bool, Error> {
    let mut current = from.to_string();
    for _ in 0..=MAX_PATH_DEPTH {
        if current == to {
            return Ok(true);
        }
        let Some(parent) = template
            .resources
            .get(&current)
            .and_then(|r| r.property("ParentId"))
        else {
            return Ok(false);
        };
        match resolver.target(parent)? {
            Target::Ref(p) => current = p,
            _ => return Ok(false),
        }
    }
    Ok(true)
}

/// The properties of an `AWS::ApiGateway::Method` that the model holds.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MethodProperties {
    http_method: String,
    integration: Option<CfnIntegration>,
    #[serde(default)]
    method_responses: Vec<CfnMethodResponse>,
}

/// A method's `Integration`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CfnIntegration {
    #[serde(rename = "Type", deserialize_with = "integration_type")]
    kind: IntegrationType,
    #[serde(default)]
    uri: String,
    integration_http_method: Option<String>,
    #[serde(default)]
    request_templates: IndexMap<String, MappingTemplate>,
    #[serde(default, deserialize_with = "passthrough")]
    passthrough_behavior: PassthroughBehavior,
    content_handling: Option<String>,
    #[serde(default)]
    request_parameters: IndexMap<String, String>,
    #[serde(default)]
    integration_responses: Vec<CfnIntegrationResponse>,
}

/// One of `IntegrationResponses`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CfnIntegrationResponse {
    selection_pattern: Option<Pattern>,
    #[serde(deserialize_with = "status")]
    status_code: u16,
    #[serde(default)]
    response_templates: IndexMap<String, MappingTemplate>,
    #[serde(default)]
    response_parameters: IndexMap<String, String>,
    content_handling: Option<String>,
}

/// One of `MethodResponses`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CfnMethodResponse {
    #[serde(deserialize_with = "status")]
    status_code: u16,
    #[serde(default)]
    response_parameters: IndexMap<String, serde::de::IgnoredAny>,
}

impl CfnIntegration {
    fn into_integration(self) -> Integration {
        let lower = |m: IndexMap<String, MappingTemplate>| {
            m.into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect::<IndexMap<_, _>>()
        };
        let mut integration = Integration::new(self.kind);
        integration.uri = self.uri;
        integration.http_method = self.integration_http_method.map(|m| m.to_ascii_uppercase());
        integration.request_templates = lower(self.request_templates);
        integration.passthrough_behavior = self.passthrough_behavior;
        integration.content_handling = self.content_handling;
        integration.request_parameters = self.request_parameters;
        integration.responses = self
            .integration_responses
            .into_iter()
            .map(|r| {
                let mut response = IntegrationResponse::new(r.selection_pattern, r.status_code);
                response.response_templates = lower(r.response_templates);
                response.response_parameters = r.response_parameters;
                response.content_handling = r.content_handling;
                response
            })
            .collect();
        integration
    }
}

/// Reads a string through `parse` inside the deserializer, so that an error is placed
/// at the value itself.
fn checked<'de, D: Deserializer<'de>, T>(
    d: D,
    parse: fn(&str) -> Result<T, String>,
) -> Result<T, D::Error> {
    struct Checked<T>(fn(&str) -> Result<T, String>);
    impl<T> serde::de::Visitor<'_> for Checked<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
            (self.0)(v).map_err(E::custom)
        }
    }
    d.deserialize_str(Checked(parse))
}

fn status<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    checked(d, |text| {
        StatusCode::parse(text)
            .map(|s| s.0)
            .ok_or_else(|| format!("`{text}` is not an HTTP status code"))
    })
}

fn integration_type<'de, D: Deserializer<'de>>(d: D) -> Result<IntegrationType, D::Error> {
    checked(d, |text| {
        IntegrationType::parse(text).ok_or_else(|| {
            format!("unknown integration type `{text}` (expected AWS, AWS_PROXY, HTTP, HTTP_PROXY or MOCK)")
        })
    })
}

fn passthrough<'de, D: Deserializer<'de>>(d: D) -> Result<PassthroughBehavior, D::Error> {
    checked(d, |text| {
        PassthroughBehavior::parse(text).ok_or_else(|| {
            format!("unknown passthrough behavior `{text}` (expected WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER)")
        })
    })
}
