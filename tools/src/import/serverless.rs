//! Serverless Framework v3/v4 `serverless.yml` (or `.yaml`, `.json`): the REST API that
//! the `http` events of its functions deploy, built as the framework compiles them (see
//! `docs/spec/serverless-framework.md`): integration names, the framework's default
//! request templates for `integration: lambda`, its default status codes and patterns,
//! how response templates and headers merge, and the `cors` preflight.
//!
//! The function's Lambda ARN is a visible placeholder,
//! `arn:aws:lambda:<region>:123456789012:function:<name>`, where the name is the
//! function's `name` or the framework's `<service>-<stage>-<function>`.

pub mod variables;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use vtl::Error;
use vtl::apigateway::{
    Api, Integration, IntegrationResponse, IntegrationType, MappingTemplate, Method,
    MethodResponse, Origin, PassthroughBehavior, Pattern,
};

use crate::document::{Document, Node, Text};
use variables::{Resolver, V, Val};

use super::{NamedApi, Options, Source};

/// The configuration file names the framework looks for in a service folder.
pub const FILE_NAMES: &[&str] = &["serverless.yml", "serverless.yaml", "serverless.json"];

/// The line the framework's templates hold in place of an authorizer's claims.
const CLAIMS_PLACEHOLDER: &str = "extraCognitoPoolClaims";

/// The part the framework's two default request templates share (its
/// `DEFAULT_COMMON_TEMPLATE`), with the claims placeholder still in it.
const DEFAULT_COMMON_TEMPLATE: &str = concat!(
    "\n",
    "  #define( $loop )\n",
    "    {\n",
    "    #foreach($key in $map.keySet())\n",
    "        #set( $k = $util.escapeJavaScript($key) )\n",
    "        #set( $v = $util.escapeJavaScript($map.get($key)).replaceAll(\"\\\\'\", \"'\") )\n",
    "        \"$k\":\n",
    "          \"$v\"\n",
    "          #if( $foreach.hasNext ) , #end\n",
    "    #end\n",
    "    }\n",
    "  #end\n",
    "\n",
    "  {\n",
    "    \"body\": $body,\n",
    "    \"method\": \"$context.httpMethod\",\n",
    "    \"principalId\": \"$context.authorizer.principalId\",\n",
    "    \"stage\": \"$context.stage\",\n",
    "\n",
    "    \"cognitoPoolClaims\" : {\n",
    "       extraCognitoPoolClaims\n",
    "       \"sub\": \"$context.authorizer.claims.sub\"\n",
    "    },\n",
    "\n",
    "    #set( $map = $context.authorizer )\n",
    "    \"enhancedAuthContext\": $loop,\n",
    "\n",
    "    #set( $map = $input.params().header )\n",
    "    \"headers\": $loop,\n",
    "\n",
    "    #set( $map = $input.params().querystring )\n",
    "    \"query\": $loop,\n",
    "\n",
    "    #set( $map = $input.params().path )\n",
    "    \"path\": $loop,\n",
    "\n",
    "    #set( $map = $context.identity )\n",
    "    \"identity\": $loop,\n",
    "\n",
    "    #set( $map = $stageVariables )\n",
    "    \"stageVariables\": $loop,\n",
    "\n",
    "    \"requestPath\": \"$context.resourcePath\"\n",
    "  }\n",
    "\n",
    "  ",
);

/// What the `application/json` default template puts before the common part.
const DEFAULT_JSON_HEAD: &str = "\n    #set( $body = $input.json(\"$\") )\n\n    ";

/// What the `application/x-www-form-urlencoded` default template puts before it.
const DEFAULT_FORM_HEAD: &str = concat!(
    "\n",
    "    #define( $body )\n",
    "      {\n",
    "      #foreach( $token in $input.path('$').split('&') )\n",
    "        #set( $keyVal = $token.split('=') )\n",
    "        #set( $keyValSize = $keyVal.size() )\n",
    "        #if( $keyValSize >= 1 )\n",
    "          #set( $key = $util.escapeJavaScript($util.urlDecode($keyVal[0])) )\n",
    "          #if( $keyValSize >= 2 )\n",
    "            #set($val = $util.escapeJavaScript($util.urlDecode($keyVal[1])).replaceAll(\"\\\\'\",\"'\"))\n",
    "          #else\n",
    "            #set( $val = '' )\n",
    "          #end\n",
    "          \"$key\": \"$val\"#if($foreach.hasNext),#end\n",
    "        #end\n",
    "      #end\n",
    "      }\n",
    "    #end\n",
    "\n",
    "    ",
);

/// The framework's default request templates for `integration: lambda`, by content type,
/// as they are before the claims placeholder is replaced.
pub fn default_request_templates() -> [(&'static str, String); 2] {
    [
        (
            "application/json",
            format!("{DEFAULT_JSON_HEAD}{DEFAULT_COMMON_TEMPLATE}"),
        ),
        (
            "application/x-www-form-urlencoded",
            format!("{DEFAULT_FORM_HEAD}{DEFAULT_COMMON_TEMPLATE}"),
        ),
    ]
}

/// The framework's `DEFAULT_STATUS_CODES`: status and selection pattern.
pub const DEFAULT_STATUS_CODES: &[(u16, &str)] = &[
    (200, ""),
    (400, r"[\s\S]*\[400\][\s\S]*"),
    (401, r"[\s\S]*\[401\][\s\S]*"),
    (403, r"[\s\S]*\[403\][\s\S]*"),
    (404, r"[\s\S]*\[404\][\s\S]*"),
    (422, r"[\s\S]*\[422\][\s\S]*"),
    (
        500,
        r"[\s\S]*(Process\s?exited\s?before\s?completing\s?request|\[500\])[\s\S]*",
    ),
    (502, r"[\s\S]*\[502\][\s\S]*"),
    (
        504,
        r"([\s\S]*\[504\][\s\S]*)|(.*Task timed out after \d+\.\d+ seconds$)",
    ),
];

/// The headers `cors: true` allows.
const CORS_HEADERS: &str = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent,X-Amzn-Trace-Id";

/// Whether a document is a Serverless Framework configuration: `service` and `provider`
/// or `functions`.
pub fn is_serverless(root: &Node) -> bool {
    root.get("service").is_some()
        && (root.get("provider").is_some() || root.get("functions").is_some())
}

/// The configuration file of a service folder, if it has one.
pub fn find(folder: &Path) -> Option<PathBuf> {
    FILE_NAMES
        .iter()
        .map(|n| folder.join(n))
        .find(|p| p.is_file())
}

/// Reads the REST API of the configuration `doc`, read from `path`.
pub fn read(path: &Path, doc: &Document, options: &Options) -> Result<Source, Error> {
    let mut r = Resolver::new(&doc.root, Arc::clone(&doc.file), path, &options.parameters);
    let service = match r.path(&["service"])? {
        Some(v) => match (&v.value, v.get("name")) {
            (V::Str(t), _) => t.text.clone(),
            (_, Some(name)) if name.scalar().is_some() => name.scalar().unwrap_or_default(),
            _ => return Err(v.error(format!("`service` must be a string, not {}", v.kind()))),
        },
        None => return Err(doc.error(&doc.root, "`service` is missing")),
    };
    let stage = r.stage_name()?;
    let region = match options
        .parameters
        .get("opt:region")
        .or_else(|| options.parameters.get("region"))
    {
        Some(region) => region.clone(),
        None => r
            .path(&["provider", "region"])?
            .and_then(|v| v.scalar())
            .unwrap_or_else(|| super::local::REGION.to_string()),
    };
    let context = Context {
        service: service.clone(),
        stage,
        region,
    };

    let mut reader = Reader {
        context,
        methods: Vec::new(),
        cors: IndexMap::new(),
    };
    for (name, function) in functions(&mut r, doc)? {
        reader.function(&name, &function, &mut r)?;
    }
    reader.add_cors(&mut r.warnings);
    Ok(Source {
        format: super::Format::Serverless,
        apis: vec![NamedApi {
            name: service,
            api: Api {
                methods: reader.methods,
            },
        }],
        warnings: r.warnings,
    })
}

/// The functions, each with its `name` and `events` resolved (and nothing else of it, so
/// that variables the API does not use raise no warnings).
fn functions(r: &mut Resolver, doc: &Document) -> Result<Vec<(String, Val)>, Error> {
    let Some(raw) = r.raw(&["functions"]) else {
        return Ok(Vec::new());
    };
    let resolved = match raw.entries() {
        Some(entries) => {
            let mut out = Vec::new();
            for (key, node) in entries {
                let name = key.scalar_text();
                let value = match node.entries() {
                    Some(fields) => {
                        let mut kept = Vec::new();
                        for (k, v) in fields {
                            let k = k.scalar_text();
                            if k == "name" || k == "events" {
                                kept.push((k, r.node(v, &doc.file)?));
                            }
                        }
                        Val {
                            value: V::Map(kept),
                            file: Arc::clone(&doc.file),
                            line: node.line,
                            column: node.column,
                        }
                    }
                    None => r.node(node, &doc.file)?,
                };
                out.push((name, value));
            }
            return Ok(out);
        }
        None => r.node(raw, &doc.file)?,
    };
    match resolved.value {
        V::Map(entries) => Ok(entries),
        V::Null => Ok(Vec::new()),
        _ => Err(resolved.error(format!(
            "`functions` must be a mapping, not {}",
            resolved.kind()
        ))),
    }
}

/// A status code of an event: status, pattern, its own template, its own headers.
type StatusCode<'v> = (u16, Option<Pattern>, Option<&'v Val>, Option<&'v Val>);

struct Context {
    service: String,
    stage: String,
    region: String,
}

/// What the `cors` settings of the events on one path add up to.
struct Cors {
    origin: String,
    headers: Vec<String>,
    methods: Vec<String>,
    allow_credentials: bool,
    max_age: Option<String>,
    cache_control: Option<String>,
    at: Val,
}

struct Reader {
    context: Context,
    methods: Vec<Method>,
    cors: IndexMap<String, Cors>,
}

fn integration_type(v: &Val) -> Result<IntegrationType, Error> {
    let name = v
        .as_str()
        .ok_or_else(|| v.error(format!("`integration` must be a string, not {}", v.kind())))?;
    // The framework upper-cases the name and turns its first `-` into `_`.
    let normal = name.to_ascii_uppercase().replacen('-', "_", 1);
    Ok(match normal.as_str() {
        "LAMBDA" | "AWS" => IntegrationType::Aws,
        "LAMBDA_PROXY" | "AWS_PROXY" => IntegrationType::AwsProxy,
        "HTTP" => IntegrationType::Http,
        "HTTP_PROXY" => IntegrationType::HttpProxy,
        "MOCK" => IntegrationType::Mock,
        _ => {
            return Err(v.error(format!(
                "unknown integration `{name}` (expected lambda, lambda-proxy, aws, aws-proxy, aws_proxy, http, http-proxy or mock)"
            )));
        }
    })
}

fn check_method(v: &Val, method: &str) -> Result<String, Error> {
    let upper = method.to_ascii_uppercase();
    match upper.as_str() {
        "GET" | "POST" | "PUT" | "PATCH" | "OPTIONS" | "HEAD" | "DELETE" | "ANY" => Ok(upper),
        "*" => Ok("ANY".to_string()),
        _ => Err(v.error(format!(
            "unknown method `{method}` (expected GET, POST, PUT, PATCH, OPTIONS, HEAD, DELETE or ANY)"
        ))),
    }
}

/// The resource path the framework makes of `path`: one leading and one trailing `/` go.
fn resource_path(path: &str) -> String {
    let p = path.strip_prefix('/').unwrap_or(path);
    let p = p.strip_suffix('/').unwrap_or(p);
    format!("/{p}")
}

fn string<'v>(v: &'v Val, what: &str) -> Result<&'v str, Error> {
    v.as_str()
        .ok_or_else(|| v.error(format!("`{what}` must be a string, not {}", v.kind())))
}

fn entries<'v>(v: &'v Val, what: &str) -> Result<&'v [(String, Val)], Error> {
    match &v.value {
        V::Map(m) => Ok(m),
        V::Null => Ok(&[]),
        _ => Err(v.error(format!("`{what}` must be a mapping, not {}", v.kind()))),
    }
}

fn template(v: &Val) -> Option<MappingTemplate> {
    let text = v.scalar()?;
    Some(MappingTemplate::new(text, v.origin()))
}

/// A template's text with the first claims placeholder replaced, as the framework does to
/// every request template; positions after it stay in place.
fn replace_claims(v: &Val, claims: &str) -> Option<MappingTemplate> {
    let Some(t) = (match &v.value {
        V::Str(t) => Some(t),
        _ => None,
    }) else {
        return template(v);
    };
    let Some(at) = t.text.find(CLAIMS_PLACEHOLDER) else {
        return template(v);
    };
    let origin = v.origin();
    let mut text = t.text.clone();
    text.replace_range(at..at + CLAIMS_PLACEHOLDER.len(), claims);
    // Shift the anchors after the placeholder by the change in length.
    let origin = origin.map(|o| {
        let delta = claims.len() as i64 - CLAIMS_PLACEHOLDER.len() as i64;
        let anchors = o
            .anchors()
            .iter()
            .map(|a| {
                let mut a = *a;
                if a.offset as usize > at {
                    a.offset = (a.offset as i64 + delta).max(at as i64) as u32;
                }
                a
            })
            .collect();
        Origin::new(o.file().to_string(), anchors)
    });
    Some(MappingTemplate::new(text, origin))
}

/// The claims the framework writes in place of the placeholder.
fn claims_string(http: &Val) -> Result<String, Error> {
    let Some(claims) = http.get("authorizer").and_then(|a| a.get("claims")) else {
        return Ok(String::new());
    };
    let V::Seq(items) = &claims.value else {
        return Err(claims.error(format!(
            "`authorizer.claims` must be a list, not {}",
            claims.kind()
        )));
    };
    let mut out = Vec::new();
    for item in items {
        let claim = string(item, "authorizer.claims")?;
        out.push(match claim.split_once(':') {
            Some((_, rest)) => format!("\"{rest}\": \"$context.authorizer.claims['{claim}']\""),
            None => format!("\"{claim}\": \"$context.authorizer.claims.{claim}\""),
        });
    }
    Ok(if out.is_empty() {
        String::new()
    } else {
        format!("{},", out.join(","))
    })
}

impl Reader {
    fn function(&mut self, name: &str, function: &Val, r: &mut Resolver) -> Result<(), Error> {
        let Some(events) = function.get("events") else {
            return Ok(());
        };
        let items = match &events.value {
            V::Seq(items) => items.as_slice(),
            V::Null => &[],
            _ => {
                return Err(events.error(format!("`events` must be a list, not {}", events.kind())));
            }
        };
        let lambda_name = match function.get("name").and_then(Val::scalar) {
            Some(n) => n,
            None => format!("{}-{}-{name}", self.context.service, self.context.stage),
        };
        for event in items {
            if let Some(http) = event.get("http") {
                let method = self
                    .http_event(&lambda_name, http, r)
                    .map_err(|e| e.context(format!("function `{name}`")))?;
                self.methods.push(method);
            }
        }
        Ok(())
    }

    fn http_event(&mut self, lambda: &str, http: &Val, r: &mut Resolver) -> Result<Method, Error> {
        let region = &self.context.region;
        let lambda_uri =
            super::local::lambda_uri("aws", region, &super::local::function_arn(region, lambda));
        let origin = Some(Origin::at(Arc::clone(&http.file), http.line, http.column));
        if let Some(short) = http.as_str() {
            // `GET path`: the framework splits on spaces and takes the first two parts.
            let mut parts = short.split(' ');
            let (Some(m), Some(p)) = (parts.next(), parts.next()) else {
                return Err(http.error(format!("`http: {short}` must be `METHOD path`")));
            };
            let mut integration = Integration::new(IntegrationType::AwsProxy);
            integration.uri = lambda_uri;
            integration.http_method = Some("POST".to_string());
            return Ok(Method {
                http_method: check_method(http, m)?,
                path: resource_path(p),
                integration: Some(integration),
                method_responses: None,
                origin,
            });
        }
        if !matches!(http.value, V::Map(_)) {
            return Err(http.error(format!(
                "`http` must be a mapping or `METHOD path`, not {}",
                http.kind()
            )));
        }
        let path_val = http
            .get("path")
            .ok_or_else(|| http.error("`http` has no `path`"))?;
        let method_val = http
            .get("method")
            .ok_or_else(|| http.error("`http` has no `method`"))?;
        let path = resource_path(&path_val.scalar().ok_or_else(|| {
            path_val.error(format!("`path` must be a string, not {}", path_val.kind()))
        })?);
        let http_method = check_method(method_val, string(method_val, "method")?)?;
        let is_async = matches!(http.get("async").map(|v| &v.value), Some(V::Bool(true)));
        let kind = match http.get("integration") {
            Some(v) => integration_type(v)?,
            None if is_async => IntegrationType::Aws,
            None => IntegrationType::AwsProxy,
        };
        let empty = Val {
            value: V::Map(Vec::new()),
            file: Arc::clone(&http.file),
            line: http.line,
            column: http.column,
        };
        let request = http.get("request").unwrap_or(&empty);
        entries(request, "request")?;
        let mut integration = Integration::new(kind);
        match kind {
            IntegrationType::Aws | IntegrationType::AwsProxy => {
                integration.uri = lambda_uri;
                integration.http_method = Some("POST".to_string());
            }
            IntegrationType::Http | IntegrationType::HttpProxy => {
                let uri = request.get("uri").ok_or_else(|| {
                    request.error(format!(
                        "integration `{}` needs `request.uri`",
                        kind.name().to_ascii_lowercase()
                    ))
                })?;
                integration.uri = string(uri, "request.uri")?.to_string();
                integration.http_method = Some(match request.get("method") {
                    Some(m) => string(m, "request.method")?.to_ascii_uppercase(),
                    None => http_method.clone(),
                });
            }
            IntegrationType::Mock => {}
        }

        // Request parameters, for the integrations the framework gives them to.
        if matches!(
            kind,
            IntegrationType::Aws | IntegrationType::Http | IntegrationType::HttpProxy
        ) {
            if let Some(parameters) = request.get("parameters") {
                for (group, location) in [
                    ("querystrings", "querystring"),
                    ("headers", "header"),
                    ("paths", "path"),
                ] {
                    let Some(list) = parameters.get(group) else {
                        continue;
                    };
                    for (name, value) in entries(list, &format!("request.parameters.{group}"))? {
                        let mapped = value.get("mappedValue").and_then(Val::scalar);
                        integration.request_parameters.insert(
                            format!("integration.request.{location}.{name}"),
                            mapped.unwrap_or_else(|| format!("method.request.{location}.{name}")),
                        );
                    }
                }
            }
            if is_async {
                integration.request_parameters.insert(
                    "integration.request.header.X-Amz-Invocation-Type".to_string(),
                    "'Event'".to_string(),
                );
            }
        }

        let cors = self.cors_of(http, &path, &http_method)?;

        if kind.is_proxy() {
            let dropped: Vec<&str> = entries(request, "request")?
                .iter()
                .map(|(k, _)| k.as_str())
                .filter(|k| {
                    !["parameters", "schema", "schemas"].contains(k)
                        && (*k != "uri" || kind != IntegrationType::HttpProxy)
                })
                .collect();
            if !dropped.is_empty() {
                r.warnings.push(request.error(format!(
                    "`request` {} ignored with integration `{}`, as the framework does",
                    dropped.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "),
                    kind.name().to_ascii_lowercase()
                )));
            }
            if let Some(response) = http.get("response") {
                r.warnings.push(response.error(format!(
                    "`response` is ignored with integration `{}`, as the framework does",
                    kind.name().to_ascii_lowercase()
                )));
            }
            return Ok(Method {
                http_method,
                path,
                integration: Some(integration),
                method_responses: None,
                origin,
            });
        }

        // Request templates: the framework's defaults for `lambda`, then the user's.
        let mut templates: IndexMap<String, Val> = IndexMap::new();
        if kind == IntegrationType::Aws {
            for (media, text) in default_request_templates() {
                templates.insert(
                    media.to_string(),
                    Val {
                        value: V::Str(Text::plain(text)),
                        file: Arc::clone(&http.file),
                        line: http.line,
                        column: http.column,
                    },
                );
            }
        }
        if let Some(user) = request.get("template") {
            for (media, value) in entries(user, "request.template")? {
                let media = media.to_ascii_lowercase();
                match &value.value {
                    V::Null => {
                        templates.shift_remove(&media);
                    }
                    V::Str(_) | V::Number(_) | V::Bool(_) => {
                        templates.insert(media, value.clone());
                    }
                    _ => {
                        return Err(value.error(format!(
                            "`request.template.{media}` must be a string, not {}",
                            value.kind()
                        )));
                    }
                }
            }
        }
        let claims = claims_string(http)?;
        for (media, value) in &templates {
            if let Some(t) = replace_claims(value, &claims) {
                integration.request_templates.insert(media.clone(), t);
            }
        }

        if let Some(p) = request.get("passThrough") {
            let name = string(p, "request.passThrough")?;
            integration.passthrough_behavior = match name {
                "NEVER" => PassthroughBehavior::Never,
                "WHEN_NO_MATCH" => PassthroughBehavior::WhenNoMatch,
                "WHEN_NO_TEMPLATES" => PassthroughBehavior::WhenNoTemplates,
                _ => {
                    return Err(p.error(format!(
                        "`passThrough` must be NEVER, WHEN_NO_MATCH or WHEN_NO_TEMPLATES, not `{name}`"
                    )));
                }
            };
        } else if kind == IntegrationType::Aws {
            integration.passthrough_behavior = PassthroughBehavior::Never;
        }
        if let Some(c) = request.get("contentHandling") {
            integration.content_handling = Some(string(c, "request.contentHandling")?.to_string());
        }

        let method_responses = self.responses(http, kind, cors.as_ref(), &mut integration, r)?;
        Ok(Method {
            http_method,
            path,
            integration: Some(integration),
            method_responses: Some(method_responses),
            origin,
        })
    }

    /// The integration responses and the method responses of a non-proxy event.
    fn responses(
        &mut self,
        http: &Val,
        kind: IntegrationType,
        cors: Option<&(String, bool)>,
        integration: &mut Integration,
        r: &mut Resolver,
    ) -> Result<Vec<MethodResponse>, Error> {
        let response = http.get("response");
        let given = response.is_some_and(|v| !entries(v, "response").is_ok_and(<[_]>::is_empty));
        if !given && kind != IntegrationType::Aws {
            r.warnings.push(response.unwrap_or(http).error(format!(
                "integration `{}` without `response.statusCodes` has no integration responses (the framework fails on it)",
                kind.name().to_ascii_lowercase()
            )));
            return Ok(Vec::new());
        }
        let mut codes: Vec<StatusCode> = Vec::new();
        match response.and_then(|v| v.get("statusCodes")) {
            None => {
                for (status, pattern) in DEFAULT_STATUS_CODES {
                    codes.push((*status, Some(Pattern::new(*pattern, None)), None, None));
                }
            }
            Some(status_codes) => {
                let mut has_default = false;
                for (key, code) in entries(status_codes, "response.statusCodes")? {
                    let status = key
                        .parse::<u16>()
                        .ok()
                        .filter(|_| key.len() == 3 && key.bytes().all(|b| b.is_ascii_digit()))
                        .ok_or_else(|| {
                            code.error(format!("status code `{key}` must be three digits"))
                        })?;
                    entries(code, &format!("response.statusCodes.{key}"))?;
                    let pattern = match code.get("pattern") {
                        Some(p) => {
                            let text = p.scalar().unwrap_or_default();
                            has_default |= text.is_empty() && matches!(p.value, V::Str(_));
                            Pattern::new(text, p.origin())
                        }
                        // `config.pattern || ''`: no pattern is the empty one, but it does
                        // not count as the default the framework looks for.
                        None => Pattern::new("", None),
                    };
                    codes.retain(|c| c.0 != status);
                    codes.push((
                        status,
                        Some(pattern),
                        code.get("template"),
                        code.get("headers"),
                    ));
                }
                if !has_default {
                    codes.retain(|c| c.0 != 200);
                    codes.push((200, Some(Pattern::new("", None)), None, None));
                }
            }
        }
        // JavaScript orders integer keys ascending.
        codes.sort_by_key(|c| c.0);

        let response_template = response.and_then(|v| v.get("template"));
        let response_headers = match response.and_then(|v| v.get("headers")) {
            Some(h) => entries(h, "response.headers")?.to_vec(),
            None => Vec::new(),
        };
        let content_handling = match response.and_then(|v| v.get("contentHandling")) {
            Some(c) => Some(string(c, "response.contentHandling")?.to_string()),
            None => None,
        };
        let mut method_responses = Vec::new();
        for (status, pattern, own_template, own_headers) in codes {
            let mut ir = IntegrationResponse::new(pattern, status);
            let mut parameters: IndexMap<String, String> = IndexMap::new();
            if let Some((origin, credentials)) = cors {
                parameters.insert(
                    "method.response.header.Access-Control-Allow-Origin".into(),
                    format!("'{origin}'"),
                );
                if *credentials {
                    parameters.insert(
                        "method.response.header.Access-Control-Allow-Credentials".into(),
                        "'true'".into(),
                    );
                }
            }
            let mut add_headers = |list: &[(String, Val)]| -> Result<(), Error> {
                for (name, value) in list {
                    let v = value.scalar().ok_or_else(|| {
                        value.error(format!(
                            "header `{name}` must be a string, not {}",
                            value.kind()
                        ))
                    })?;
                    parameters.insert(format!("method.response.header.{name}"), v);
                }
                Ok(())
            };
            add_headers(&response_headers)?;
            if let Some(h) = own_headers {
                add_headers(entries(h, "headers")?)?;
            }
            if let Some(t) = response_template {
                let t = template(t).ok_or_else(|| {
                    t.error(format!(
                        "`response.template` must be a string, not {}",
                        t.kind()
                    ))
                })?;
                ir.response_templates.insert("application/json".into(), t);
            }
            match own_template {
                None => {}
                Some(t) if t.scalar().is_some() => {
                    ir.response_templates.insert(
                        "application/json".into(),
                        template(t).unwrap_or_else(|| "".into()),
                    );
                }
                Some(t) => {
                    for (media, value) in entries(t, "template")? {
                        let tpl = template(value).ok_or_else(|| {
                            value.error(format!(
                                "template `{media}` must be a string, not {}",
                                value.kind()
                            ))
                        })?;
                        ir.response_templates
                            .insert(media.to_ascii_lowercase(), tpl);
                    }
                }
            }
            if status.to_string().starts_with('2') {
                ir.content_handling = content_handling.clone();
            }
            method_responses.push(MethodResponse {
                status_code: status,
                headers: parameters
                    .keys()
                    .map(|k| k.trim_start_matches("method.response.header.").to_string())
                    .collect(),
            });
            ir.response_parameters = parameters;
            integration.responses.push(ir);
        }
        Ok(method_responses)
    }

    /// Records the event's `cors` for the preflight of its path; returns the origin and
    /// whether credentials are allowed, for its own responses.
    fn cors_of(
        &mut self,
        http: &Val,
        path: &str,
        method: &str,
    ) -> Result<Option<(String, bool)>, Error> {
        let Some(cors) = http.get("cors") else {
            return Ok(None);
        };
        let (mut origin, mut headers, mut credentials, mut max_age, mut cache_control) =
            ("*".to_string(), None, false, None, None);
        match &cors.value {
            V::Bool(false) | V::Null => return Ok(None),
            V::Bool(true) => {}
            V::Map(_) => {
                if cors.get("origins").is_some() {
                    return Err(cors.error(
                        "`cors.origins` (several origins) is not supported: its preflight template is not documented in the facts; give one `origin`",
                    ));
                }
                if let Some(o) = cors.get("origin") {
                    origin = string(o, "cors.origin")?.to_string();
                }
                if let Some(h) = cors.get("headers") {
                    let V::Seq(items) = &h.value else {
                        return Err(
                            h.error(format!("`cors.headers` must be a list, not {}", h.kind()))
                        );
                    };
                    headers = Some(
                        items
                            .iter()
                            .map(|i| {
                                i.scalar()
                                    .ok_or_else(|| i.error("a header must be a string"))
                            })
                            .collect::<Result<Vec<_>, _>>()?,
                    );
                }
                credentials = matches!(
                    cors.get("allowCredentials").map(|v| &v.value),
                    Some(V::Bool(true))
                );
                max_age = cors.get("maxAge").and_then(Val::scalar);
                cache_control = cors.get("cacheControl").and_then(Val::scalar);
            }
            _ => {
                return Err(cors.error(format!(
                    "`cors` must be true or a mapping, not {}",
                    cors.kind()
                )));
            }
        }
        let headers =
            headers.unwrap_or_else(|| CORS_HEADERS.split(',').map(String::from).collect());
        let methods: Vec<String> = if method == "ANY" {
            ["DELETE", "GET", "HEAD", "PATCH", "POST", "PUT"]
                .map(String::from)
                .to_vec()
        } else {
            vec![method.to_string()]
        };
        let entry = self.cors.entry(path.to_string()).or_insert_with(|| Cors {
            origin: origin.clone(),
            headers: Vec::new(),
            methods: vec!["OPTIONS".to_string()],
            allow_credentials: false,
            max_age: None,
            cache_control: None,
            at: cors.clone(),
        });
        for h in headers {
            if !entry.headers.contains(&h) {
                entry.headers.push(h);
            }
        }
        for m in methods {
            if !entry.methods.contains(&m) {
                entry.methods.push(m);
            }
        }
        entry.allow_credentials |= credentials;
        if max_age.is_some() {
            entry.max_age = max_age;
        }
        if cache_control.is_some() {
            entry.cache_control = cache_control;
        }
        Ok(Some((origin, credentials)))
    }

    /// The OPTIONS mock of each path with `cors`.
    fn add_cors(&mut self, warnings: &mut Vec<Error>) {
        for (path, cors) in std::mem::take(&mut self.cors) {
            if self
                .methods
                .iter()
                .any(|m| m.path == path && m.http_method == "OPTIONS")
            {
                warnings.push(cors.at.error(format!(
                    "`cors` on {path} adds an OPTIONS method, but one is already defined there; the defined one is kept"
                )));
                continue;
            }
            let mut integration = Integration::new(IntegrationType::Mock);
            integration
                .request_templates
                .insert("application/json".into(), "{statusCode:200}".into());
            integration.content_handling = Some("CONVERT_TO_TEXT".into());
            let mut ir = IntegrationResponse::new(Some(Pattern::new("", None)), 200);
            let mut headers = vec![
                ("Access-Control-Allow-Origin", cors.origin.clone()),
                ("Access-Control-Allow-Headers", cors.headers.join(",")),
                ("Access-Control-Allow-Methods", cors.methods.join(",")),
            ];
            if cors.allow_credentials {
                headers.push(("Access-Control-Allow-Credentials", "true".into()));
            }
            if let Some(m) = &cors.max_age {
                headers.push(("Access-Control-Max-Age", m.clone()));
            }
            if let Some(c) = &cors.cache_control {
                headers.push(("Cache-Control", c.clone()));
            }
            for (name, value) in &headers {
                ir.response_parameters.insert(
                    format!("method.response.header.{name}"),
                    format!("'{value}'"),
                );
            }
            ir.response_templates
                .insert("application/json".into(), "".into());
            integration.responses.push(ir);
            let mut method = Method::new("OPTIONS", path, Some(integration));
            method.method_responses = Some(vec![MethodResponse {
                status_code: 200,
                headers: headers.iter().map(|(n, _)| n.to_string()).collect(),
            }]);
            method.origin = Some(Origin::at(
                Arc::clone(&cors.at.file),
                cors.at.line,
                cors.at.column,
            ));
            self.methods.push(method);
        }
    }
}
