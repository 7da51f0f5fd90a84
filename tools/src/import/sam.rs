//! SAM's resources (`Transform: AWS::Serverless-2016-10-31`): an `AWS::Serverless::Api`
//! from its `DefinitionBody` (inline, intrinsics evaluated, or an `AWS::Include` of a
//! local file) or its `DefinitionUri` (a local file, read as it is: `sam package` uploads
//! it unchanged), and the `Api` events of `AWS::Serverless::Function`s, which add Lambda
//! proxy methods to the API their `RestApiId` names or to the implicit
//! `ServerlessRestApi`. SAM adds no events to an API given by `DefinitionUri`.

use std::path::Path;
use std::sync::Arc;

use indexmap::IndexMap;
use vtl::Error;
use vtl::apigateway::{Api, Integration, IntegrationType, Method, Origin};

use super::cloudformation::definition;
use super::intrinsics::{Resolver, Target};
use super::openapi;
use crate::document::{Document, Node, error_at};
use crate::files;

/// The logical id SAM gives the API that events without `RestApiId` go to.
pub const IMPLICIT_API: &str = "ServerlessRestApi";

/// An `AWS::Serverless::Api`, and whether SAM manages its definition (adds events to it).
pub(super) fn read_api(
    path: &Path,
    resolver: &mut Resolver,
    id: &str,
    key: &Node,
    properties: Option<&Node>,
) -> Result<(Api, bool), Error> {
    let file = Arc::clone(&resolver.file);
    let at = |node: &Node, m: String| error_at(&file, node.line, node.column, m);
    if let Some(body) = properties.and_then(|p| p.get("DefinitionBody")) {
        return Ok((definition(path, resolver, body)?, true));
    }
    let Some(uri) = properties.and_then(|p| p.get("DefinitionUri")) else {
        // SAM writes the definition from the events alone.
        let _ = key;
        return Ok((Api::default(), true));
    };
    let resolved = resolver.resolve_some(uri)?;
    let s3 = match resolved.as_str() {
        Some(s) => s.starts_with("s3://").then(|| s.to_string()),
        None => Some(String::from("an S3 location")),
    };
    if let Some(location) = s3 {
        return Err(at(
            uri,
            format!(
                "`{id}`: `DefinitionUri` names {location}, which cannot be read here; \
                 point it at a local file"
            ),
        ));
    }
    let location = resolver.text(&resolved, "a file path")?.text;
    let file = files::beside(path, location.trim_start_matches("./"));
    let name: Arc<str> = Arc::from(file.display().to_string());
    let text =
        files::read(&file).map_err(|e| at(uri, format!("DefinitionUri: {}", e.message())))?;
    let doc = Document::parse(Arc::clone(&name), &text)?;
    Ok((openapi::read(&name, &doc.root)?, false))
}

/// The `Api` events of the function `function`, added to their APIs.
pub(super) fn read_events(
    resolver: &mut Resolver,
    function: &str,
    properties: Option<&Node>,
    apis: &mut IndexMap<String, (Api, bool)>,
) -> Result<(), Error> {
    let Some(events) = properties
        .and_then(|p| p.get("Events"))
        .and_then(Node::entries)
    else {
        return Ok(());
    };
    for (key, event) in events {
        if event.get("Type").and_then(Node::as_str) != Some("Api") {
            continue;
        }
        let file = Arc::clone(&resolver.file);
        let at = |node: &Node, m: String| error_at(&file, node.line, node.column, m);
        let name = key.scalar_text();
        let Some(props) = event.get("Properties") else {
            return Err(at(
                event,
                format!("Api event `{name}` needs `Properties` with `Path` and `Method`"),
            ));
        };
        let api_id = match props.get("RestApiId") {
            None => IMPLICIT_API.to_string(),
            Some(node) => match resolver.target(node)? {
                Target::Ref(id) if apis.contains_key(&id) => id,
                _ => {
                    return Err(at(
                        node,
                        format!(
                            "`RestApiId` of event `{name}` must be `Ref` of an AWS::Serverless::Api of this template"
                        ),
                    ));
                }
            },
        };
        let field = |resolver: &mut Resolver, field: &str| -> Result<String, Error> {
            let node = props
                .get(field)
                .ok_or_else(|| at(props, format!("Api event `{name}` needs `{field}`")))?;
            let value = resolver.resolve_some(node)?;
            Ok(resolver.text(&value, "a string")?.text)
        };
        let mut path = field(resolver, "Path")?;
        let method = field(resolver, "Method")?.to_ascii_uppercase();
        if path.len() > 1 && path.ends_with('/') {
            path.pop();
        }
        let (api, managed) = apis
            .entry(api_id.clone())
            .or_insert_with(|| (Api::default(), true));
        if !*managed {
            resolver.warnings.push(at(
                key,
                format!("SAM adds no Api event to `{api_id}`, whose definition is its DefinitionUri: `{method} {path}` is left out"),
            ));
            continue;
        }
        if api
            .methods
            .iter()
            .any(|m| m.path == path && m.http_method == method)
        {
            return Err(at(
                key,
                format!("API method {method} {path} of `{api_id}` is defined more than once"),
            ));
        }
        let arn = resolver.resolve_some(&getatt(function, key))?;
        let arn = resolver.text(&arn, "an ARN")?.text;
        let region = resolver.resolve_some(&reference("AWS::Region", key))?;
        let region = resolver.text(&region, "a region")?.text;
        let partition = resolver.resolve_some(&reference("AWS::Partition", key))?;
        let partition = resolver.text(&partition, "a partition")?.text;
        let mut integration = Integration::new(IntegrationType::AwsProxy);
        integration.uri = super::local::lambda_uri(&partition, &region, &arn);
        integration.http_method = Some("POST".to_string());
        api.methods.push(Method {
            http_method: method,
            path,
            integration: Some(integration),
            method_responses: Some(Vec::new()),
            origin: Some(Origin::at(Arc::clone(&file), key.line, key.column)),
        });
    }
    Ok(())
}

/// `Fn::GetAtt [function, Arn]`, placed at `at`.
fn getatt(function: &str, at: &Node) -> Node {
    let text = |s: &str| {
        Node::new(
            crate::document::Value::String(crate::document::Text::plain(s)),
            at.line,
            at.column,
        )
    };
    let list = Node::new(
        crate::document::Value::Seq(vec![text(function), text("Arn")]),
        at.line,
        at.column,
    );
    Node::new(
        crate::document::Value::Map(vec![(text("Fn::GetAtt"), list)]),
        at.line,
        at.column,
    )
}

/// `Ref name`, placed at `at`.
fn reference(name: &str, at: &Node) -> Node {
    let text = |s: &str| {
        Node::new(
            crate::document::Value::String(crate::document::Text::plain(s)),
            at.line,
            at.column,
        )
    };
    Node::new(
        crate::document::Value::Map(vec![(text("Ref"), text(name))]),
        at.line,
        at.column,
    )
}
