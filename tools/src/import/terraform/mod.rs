//! Terraform: the `aws_api_gateway_*` resources of a module (a folder of `.tf` files, or
//! one file), joined into methods by their `rest_api_id`, `resource_id` and `http_method`
//! references, or a rest API's OpenAPI `body`. Values are evaluated as far as they can be
//! known without AWS (see [`eval`](self)); templates keep their place in the `.tf` file
//! or the template file they were read from.

mod eval;
mod text;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::Block;
use hcl_edit::template::Element;
use indexmap::IndexMap;
use vtl::apigateway::{
    Api, Integration, IntegrationResponse, IntegrationType, MappingTemplate, Method,
    MethodResponse, Origin, PassthroughBehavior, Pattern, StatusCode,
};
use vtl::{Error, ErrorKind};

use self::eval::{Eval, Parsed, Scope, V, Val};
use self::text::{SourceFile, Str};
use super::{Format, NamedApi, Options, Source, openapi};
use crate::document::{self, Document, Node, Text, Value};
use crate::files;

/// How deeply brackets may nest in a `.tf` file; deeper files are refused before parsing.
const MAX_NESTING: usize = 256;

/// Whether `path` is a folder holding `.tf` files.
pub fn is_module(path: &Path) -> bool {
    path.is_dir() && tf_files(path).is_ok_and(|f| !f.is_empty())
}

/// Whether a file's text looks like Terraform: a top-level `resource`, `variable`,
/// `provider`, `terraform`, `locals`, `data`, `module` or `output` block.
pub fn looks_like_terraform(text: &str) -> bool {
    text.lines().any(|line| {
        let words: Vec<&str> = line.split_whitespace().take(2).collect();
        match words.as_slice() {
            ["terraform" | "locals", second] => second.starts_with('{'),
            [kind, second] => {
                matches!(
                    *kind,
                    "resource" | "variable" | "provider" | "data" | "module" | "output"
                ) && second.starts_with('"')
            }
            _ => false,
        }
    })
}

fn tf_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "tf"))
        .collect();
    // Terraform reads a module's files in name order.
    out.sort();
    Ok(out)
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Input, message)
}

/// Reads the REST APIs of a Terraform module: a folder of `.tf` files, or one file (its
/// folder is then `path.module`). `--parameter` values set variables (`name=value`) and
/// stand for what only AWS knows (`aws_lambda_function.fn.arn=...`).
pub fn read(path: &Path, options: &Options) -> Result<Source, Error> {
    let (dir, paths) = if path.is_dir() {
        let paths =
            tf_files(path).map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
        (path.to_path_buf(), paths)
    } else {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        (dir.to_path_buf(), vec![path.to_path_buf()])
    };
    if paths.is_empty() {
        return Err(invalid(format!("{}: no .tf files", path.display())));
    }
    let mut parsed = Vec::new();
    for p in &paths {
        parsed.push(parse(p)?);
    }
    let mut eval = Eval::new(&parsed, dir, &options.parameters);
    let apis = build(&mut eval)?;
    if apis.is_empty() {
        return Err(invalid(format!(
            "{}: the Terraform module defines no REST API (no aws_api_gateway_rest_api resource)",
            path.display()
        )));
    }
    Ok(Source {
        format: Format::Terraform,
        apis,
        warnings: std::mem::take(&mut eval.warnings),
    })
}

fn parse(path: &Path) -> Result<Parsed, Error> {
    let name: Arc<str> = Arc::from(path.display().to_string());
    let text = files::read(path)?;
    let src = SourceFile::new(name, text);
    check_nesting(&src)?;
    let body = hcl_edit::parser::parse_body(&src.text).map_err(|e| {
        let l = e.location();
        let message = e
            .message()
            .lines()
            .next()
            .unwrap_or("invalid HCL")
            .to_string();
        document::error_at(
            &src.name,
            l.line() as u32,
            l.column() as u32,
            format!("HCL: {message}"),
        )
    })?;
    Ok(Parsed { src, body })
}

/// Refuses brackets nested deeper than [`MAX_NESTING`], which the recursive parser and
/// evaluator could not take.
fn check_nesting(src: &SourceFile) -> Result<(), Error> {
    let mut depth = 0usize;
    for (i, b) in src.text.bytes().enumerate() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(
                        src.error(i, format!("brackets nest deeper than {MAX_NESTING} levels"))
                    );
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// A resource's place: its rest API and its API Gateway resource (`None`: the root).
type Place = (String, Option<String>);

/// What a `rest_api_id`, `resource_id` or `parent_id` refers to: `TYPE.NAME.ATTR`, also
/// written as `"${TYPE.NAME.ATTR}"`.
fn reference(e: &Expression) -> Option<(String, String, String)> {
    let e = match e {
        Expression::StringTemplate(t) => match t.iter().collect::<Vec<_>>().as_slice() {
            [Element::Interpolation(i)] => &i.expr,
            _ => return None,
        },
        e => e,
    };
    let Expression::Traversal(t) = e else {
        return None;
    };
    let Expression::Variable(kind) = &t.expr else {
        return None;
    };
    let names: Vec<String> = t
        .operators
        .iter()
        .filter_map(|o| match o.value() {
            TraversalOperator::GetAttr(a) => Some(a.as_str().to_string()),
            _ => None,
        })
        .collect();
    match names.as_slice() {
        [name, attr] => Some((kind.as_str().to_string(), name.clone(), attr.clone())),
        _ => None,
    }
}

/// One `aws_api_gateway_*` block instance being read.
struct Item<'a, 's> {
    block: &'a Block,
    scope: Scope<'s>,
    address: String,
}

impl Item<'_, '_> {
    fn offset(&self) -> usize {
        hcl_edit::Span::span(self.block).map_or(0, |r| r.start)
    }

    fn error(&self, message: impl Into<String>) -> Error {
        self.scope.src.error(
            self.offset(),
            format!("{}: {}", self.address, message.into()),
        )
    }

    fn origin(&self) -> Origin {
        let (line, column) = self.scope.src.pos(self.offset());
        Origin::at(Arc::clone(&self.scope.src.name), line, column)
    }
}

fn items<'a>(eval: &mut Eval<'a>, kind: &str) -> Result<Vec<Item<'a, 'a>>, Error> {
    let mut out = Vec::new();
    let found: Vec<_> = eval
        .resources
        .iter()
        .filter(|r| !r.data && r.kind == kind)
        .map(|r| (r.block, r.file, r.address()))
        .collect();
    for (block, file, address) in found {
        let src = eval.src(file);
        for scope in eval.instances(block, src)? {
            out.push(Item {
                block,
                scope,
                address: address.clone(),
            });
        }
    }
    Ok(out)
}

fn attr(eval: &mut Eval, item: &Item, name: &str) -> Result<Option<V>, Error> {
    match item.block.body.get_attribute(name) {
        Some(a) => Ok(Some(eval.eval(&a.value, &item.scope)?))
            .map(|v| v.filter(|v| !matches!(v.val, Val::Null))),
        None => Ok(None),
    }
}

fn string(eval: &mut Eval, item: &Item, name: &str) -> Result<Option<Str>, Error> {
    let Some(v) = attr(eval, item, name)? else {
        return Ok(None);
    };
    match v.as_str() {
        Some(s) => Ok(Some(s)),
        None => Err(at_attr(
            item,
            name,
            format!("`{name}` must be a string, not {}", v.kind()),
        )),
    }
}

fn required(eval: &mut Eval, item: &Item, name: &str) -> Result<Str, Error> {
    string(eval, item, name)?.ok_or_else(|| item.error(format!("`{name}` is required")))
}

fn at_attr(item: &Item, name: &str, message: String) -> Error {
    let offset = item
        .block
        .body
        .get_attribute(name)
        .and_then(|a| hcl_edit::Span::span(&a.value))
        .map_or(item.offset(), |r| r.start);
    item.scope.src.error(offset, message)
}

fn map(eval: &mut Eval, item: &Item, name: &str) -> Result<Vec<(Str, V)>, Error> {
    match attr(eval, item, name)? {
        None => Ok(Vec::new()),
        Some(V {
            val: Val::Map(m), ..
        }) => Ok(m),
        Some(v) => Err(at_attr(
            item,
            name,
            format!("`{name}` must be a map, not {}", v.kind()),
        )),
    }
}

fn string_map(eval: &mut Eval, item: &Item, name: &str) -> Result<IndexMap<String, String>, Error> {
    let mut out = IndexMap::new();
    for (k, v) in map(eval, item, name)? {
        let s = v.as_str().ok_or_else(|| {
            at_attr(
                item,
                name,
                format!("`{name}` values must be strings, not {}", v.kind()),
            )
        })?;
        out.insert(k.text, s.text);
    }
    Ok(out)
}

fn templates(
    eval: &mut Eval,
    item: &Item,
    name: &str,
) -> Result<IndexMap<String, MappingTemplate>, Error> {
    let mut out = IndexMap::new();
    for (k, v) in map(eval, item, name)? {
        let s = v.as_str().ok_or_else(|| {
            at_attr(
                item,
                name,
                format!("a template must be a string, not {}", v.kind()),
            )
        })?;
        out.insert(
            k.text.to_ascii_lowercase(),
            MappingTemplate::new(s.text.clone(), s.origin()),
        );
    }
    Ok(out)
}

fn status(item: &Item, s: &Str) -> Result<u16, Error> {
    StatusCode::parse(&s.text).map(|c| c.0).ok_or_else(|| {
        at_attr(
            item,
            "status_code",
            format!("status_code `{}` is not an HTTP status", s.text),
        )
    })
}

/// A method: its rest API and resource, and its HTTP method.
type MethodKey = (Place, String);

/// The method a response block is attached to, and its `status_code`.
fn response_key(eval: &mut Eval, item: &Item) -> Result<Option<(MethodKey, u16)>, Error> {
    let Some(key) = method_key(eval, item)? else {
        return Ok(None);
    };
    let code = required(eval, item, "status_code")?;
    Ok(Some((key, status(item, &code)?)))
}

/// The method a block is attached to: its rest API, resource and HTTP method.
fn method_key(eval: &mut Eval, item: &Item) -> Result<Option<MethodKey>, Error> {
    let Some(place) = place(eval, item, "resource_id")? else {
        return Ok(None);
    };
    let method = required(eval, item, "http_method")?
        .text
        .to_ascii_uppercase();
    Ok(Some((place, method)))
}

/// Where `rest_api_id` and `resource_id` (or `parent_id`) point; a warning when they are
/// not references to blocks of the module.
fn place(eval: &mut Eval, item: &Item, name: &str) -> Result<Option<Place>, Error> {
    let refer = |attr: &str| {
        item.block
            .body
            .get_attribute(attr)
            .map(|a| (reference(&a.value), Eval::source_of(&item.scope, &a.value)))
    };
    let api = match refer("rest_api_id") {
        Some((Some((kind, api, id)), _)) if kind == "aws_api_gateway_rest_api" && id == "id" => api,
        Some((_, raw)) => {
            eval.warnings.push(at_attr(item, "rest_api_id", format!(
                "{}: `rest_api_id = {raw}` is not a reference to an aws_api_gateway_rest_api of this module; the block is left out",
                item.address
            )));
            return Ok(None);
        }
        None => return Err(item.error("`rest_api_id` is required")),
    };
    let resource = match refer(name) {
        Some((Some((kind, n, attr)), _))
            if kind == "aws_api_gateway_rest_api" && attr == "root_resource_id" && n == api =>
        {
            None
        }
        Some((Some((kind, n, attr)), _)) if kind == "aws_api_gateway_resource" && attr == "id" => {
            Some(n)
        }
        Some((_, raw)) => {
            eval.warnings.push(at_attr(item, name, format!(
                "{}: `{name} = {raw}` is not a reference to an aws_api_gateway_resource or the root resource of {api}; the block is left out",
                item.address
            )));
            return Ok(None);
        }
        None => return Err(item.error(format!("`{name}` is required"))),
    };
    Ok(Some((api, resource)))
}

fn build(eval: &mut Eval) -> Result<Vec<NamedApi>, Error> {
    let rest_apis = items(eval, "aws_api_gateway_rest_api")?;
    let mut apis: IndexMap<String, Api> = IndexMap::new();
    for item in &rest_apis {
        let name = item
            .address
            .trim_start_matches("aws_api_gateway_rest_api.")
            .to_string();
        let mut api = Api::default();
        if let Some(body) = item.block.body.get_attribute("body") {
            api = body_api(eval, &body.value, &item.scope)
                .map_err(|e| e.context(format!("{} body", item.address)))?;
        }
        apis.insert(name, api);
    }

    // Resource paths, from parent_id chains up to a root_resource_id.
    let mut parents: IndexMap<String, (Option<String>, String, String)> = IndexMap::new();
    for item in items(eval, "aws_api_gateway_resource")? {
        let Some((api, parent)) = place(eval, &item, "parent_id")? else {
            continue;
        };
        let part = required(eval, &item, "path_part")?.text;
        let name = item
            .address
            .trim_start_matches("aws_api_gateway_resource.")
            .to_string();
        parents.insert(name, (parent, part, api));
    }
    let path_of = |resource: &Option<String>| -> Result<String, String> {
        let mut parts = Vec::new();
        let mut at = resource.clone();
        while let Some(name) = at {
            let Some((parent, part, _)) = parents.get(&name) else {
                return Err(format!("aws_api_gateway_resource.{name} is not defined"));
            };
            if parts.len() > parents.len() {
                return Err(format!(
                    "aws_api_gateway_resource.{name} is its own ancestor"
                ));
            }
            parts.push(part.clone());
            at = parent.clone();
        }
        parts.reverse();
        Ok(format!("/{}", parts.join("/")))
    };

    let mut methods: IndexMap<(Place, String), (String, Method)> = IndexMap::new();
    for item in items(eval, "aws_api_gateway_method")? {
        let Some(key) = method_key(eval, &item)? else {
            continue;
        };
        if !apis.contains_key(&key.0.0) {
            continue;
        }
        let path = path_of(&key.0.1).map_err(|m| item.error(m))?;
        let mut method = Method::new(key.1.clone(), path, None);
        method.method_responses = Some(Vec::new());
        method.origin = Some(item.origin());
        methods.insert(key, (item.address.clone(), method));
    }
    let unknown_method = |eval: &mut Eval, item: &Item, key: &(Place, String)| {
        eval.warnings.push(item.error(format!(
            "no aws_api_gateway_method {} on this resource; the block is left out",
            key.1
        )));
    };

    for item in items(eval, "aws_api_gateway_integration")? {
        let Some(key) = method_key(eval, &item)? else {
            continue;
        };
        let kind_text = required(eval, &item, "type")?;
        let kind = IntegrationType::parse(&kind_text.text).ok_or_else(|| {
            at_attr(
                &item,
                "type",
                format!(
                    "`type` `{}` is not AWS, AWS_PROXY, HTTP, HTTP_PROXY or MOCK",
                    kind_text.text
                ),
            )
        })?;
        let mut integration = Integration::new(kind);
        integration.uri = string(eval, &item, "uri")?
            .map(|s| s.text)
            .unwrap_or_default();
        integration.http_method = string(eval, &item, "integration_http_method")?.map(|s| s.text);
        integration.request_templates = templates(eval, &item, "request_templates")?;
        if let Some(p) = string(eval, &item, "passthrough_behavior")? {
            integration.passthrough_behavior = PassthroughBehavior::parse(&p.text).ok_or_else(|| {
                at_attr(&item, "passthrough_behavior", format!(
                    "`passthrough_behavior` `{}` is not WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER",
                    p.text
                ))
            })?;
        }
        integration.content_handling = string(eval, &item, "content_handling")?.map(|s| s.text);
        integration.request_parameters = string_map(eval, &item, "request_parameters")?;
        match methods.get_mut(&key) {
            Some((_, method)) => method.integration = Some(integration),
            None => unknown_method(eval, &item, &key),
        }
    }

    for item in items(eval, "aws_api_gateway_integration_response")? {
        let Some((key, code)) = response_key(eval, &item)? else {
            continue;
        };
        let pattern = string(eval, &item, "selection_pattern")?
            .map(|s| Pattern::new(s.text.clone(), s.origin()));
        let mut response = IntegrationResponse::new(pattern, code);
        response.response_templates = templates(eval, &item, "response_templates")?;
        response.response_parameters = string_map(eval, &item, "response_parameters")?;
        response.content_handling = string(eval, &item, "content_handling")?.map(|s| s.text);
        match methods.get_mut(&key).map(|(_, m)| &mut m.integration) {
            Some(Some(integration)) => integration.responses.push(response),
            Some(None) => eval.warnings.push(
                item.error("the method has no aws_api_gateway_integration; the block is left out"),
            ),
            None => unknown_method(eval, &item, &key),
        }
    }

    for item in items(eval, "aws_api_gateway_method_response")? {
        let Some((key, code)) = response_key(eval, &item)? else {
            continue;
        };
        let headers = map(eval, &item, "response_parameters")?
            .into_iter()
            .filter_map(|(k, _)| {
                k.text
                    .strip_prefix("method.response.header.")
                    .map(str::to_string)
            })
            .collect();
        match methods.get_mut(&key) {
            Some((_, method)) => {
                method
                    .method_responses
                    .get_or_insert_with(Vec::new)
                    .push(MethodResponse {
                        status_code: code,
                        headers,
                    })
            }
            None => unknown_method(eval, &item, &key),
        }
    }

    for (((api, _), _), (_, method)) in methods {
        if let Some(a) = apis.get_mut(&api) {
            a.methods.push(method);
        }
    }
    Ok(apis
        .into_iter()
        .map(|(name, api)| NamedApi {
            name: format!("aws_api_gateway_rest_api.{name}"),
            api,
        })
        .collect())
}

/// A rest API's `body`: `jsonencode({...})` is read as the object it encodes (with the
/// keys in the order Terraform writes them), anything else as the JSON or YAML text it
/// evaluates to.
fn body_api(eval: &mut Eval, e: &Expression, scope: &Scope) -> Result<Api, Error> {
    if let Expression::FuncCall(call) = e
        && call.name.name.as_str() == "jsonencode"
        && call.args.len() == 1
        && let Some(arg) = call.args.iter().next()
    {
        let v = eval.eval(arg, scope)?;
        let node = to_node(&v, &scope.src.name);
        return openapi::read(&scope.src.name, &node);
    }
    let v = eval.eval(e, scope)?;
    let Some(s) = v.as_str() else {
        return Err(scope
            .src
            .error(0, format!("`body` must be a string, not {}", v.kind())));
    };
    let file = s
        .file
        .clone()
        .unwrap_or_else(|| Arc::clone(&scope.src.name));
    let doc = Document::parse(file, &s.text)?;
    openapi::read(&doc.file, &doc.root)
}

/// A value as a document node; strings keep their positions when they are in `file`.
fn to_node(v: &V, file: &Arc<str>) -> Node {
    let text = |s: &Str| Text {
        text: s.text.clone(),
        anchors: if s.file.as_ref() == Some(file) {
            s.anchors.clone()
        } else {
            Vec::new()
        },
    };
    let value = match &v.val {
        Val::Null => Value::Null,
        Val::Bool(b) => Value::Bool(*b),
        Val::Number(n) => Value::Number(n.clone()),
        Val::Str(s) => Value::String(text(s)),
        Val::List(items) => Value::Seq(items.iter().map(|i| to_node(i, file)).collect()),
        Val::Map(entries) => {
            let mut sorted: Vec<&(Str, V)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.text.as_bytes().cmp(b.0.text.as_bytes()));
            Value::Map(
                sorted
                    .into_iter()
                    .map(|(k, v)| {
                        let (line, column) = k
                            .anchors
                            .first()
                            .map_or((v.line, v.column), |a| (a.line, a.column));
                        (
                            Node::new(Value::String(text(k)), line, column),
                            to_node(v, file),
                        )
                    })
                    .collect(),
            )
        }
    };
    Node::new(value, v.line, v.column)
}
