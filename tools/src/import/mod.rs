//! Reading a REST API from wherever it is defined. Each format has its own module; this
//! one finds out which format a file or folder is in (by its content, not its name) and
//! hands it to that module.
//!
//! ```
//! use vtl_tools::import::{Format, Options, load};
//!
//! let source = load(std::path::Path::new("../examples/seed/api.yaml"), &Options::default())?;
//! assert_eq!(source.format, Format::OpenApi);
//! let api = &source.apis[0].api;
//! assert_eq!(api.methods[0].http_method, "GET");
//! assert_eq!(api.methods[0].path, "/{hoge}");
//! # Ok::<(), vtl::Error>(())
//! ```

pub mod cdk;
pub mod cloudformation;
pub mod intrinsics;
pub mod local;
pub mod openapi;
pub mod sam;
pub mod serverless;
pub mod terraform;

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use indexmap::IndexMap;
use vtl::apigateway::{Api, Integration, Method, Origin};
use vtl::{Error, ErrorKind};

use crate::document::de::from_node;
use crate::document::{Document, Node};
use crate::files;

/// A way of defining an API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// An OpenAPI 3 or Swagger 2 export with `x-amazon-apigateway-integration`.
    OpenApi,
    /// One `x-amazon-apigateway-integration` object.
    Integration,
    /// A CloudFormation template (JSON or YAML).
    CloudFormation,
    /// A SAM template (`Transform: AWS::Serverless-2016-10-31`).
    Sam,
    /// A CDK cloud assembly (`cdk.out/manifest.json`).
    Cdk,
    /// A Serverless Framework `serverless.yml` with `http` events.
    Serverless,
    /// A Terraform module (a folder of `.tf` files, or one) with `aws_api_gateway_*`
    /// resources.
    Terraform,
}

impl Format {
    /// The formats, by the names `--format` takes.
    pub const ALL: &'static [(&'static str, Format)] = &[
        ("openapi", Format::OpenApi),
        ("integration", Format::Integration),
        ("cloudformation", Format::CloudFormation),
        ("sam", Format::Sam),
        ("cdk", Format::Cdk),
        ("serverless", Format::Serverless),
        ("terraform", Format::Terraform),
    ];

    /// The format named `name` (see [`Format::ALL`]).
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, f)| f)
    }

    /// Its name, as `--format` takes it.
    pub fn name(self) -> &'static str {
        Format::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("?", |(n, _)| n)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How to read a source.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The format, instead of finding it out from the content.
    pub format: Option<Format>,
    /// Values for what cannot be known locally: CloudFormation parameters and resource
    /// attributes, Terraform variables, Serverless options (`--parameter Name=Value`).
    pub parameters: IndexMap<String, String>,
}

/// One REST API of a source.
#[derive(Debug)]
pub struct NamedApi {
    /// Its name in the source: a logical id, a Terraform resource address, the file.
    pub name: String,
    /// The API.
    pub api: Api,
}

/// What a source defines.
#[derive(Debug)]
pub struct Source {
    /// The format it was read as.
    pub format: Format,
    /// Its REST APIs, in the order they were defined.
    pub apis: Vec<NamedApi>,
    /// What could not be read exactly (a value only AWS knows), each at its position.
    pub warnings: Vec<Error>,
}

impl Source {
    /// The one API of the source, or the one named `name`; an error lists the choices
    /// and says to choose with `--api`.
    pub fn api(&self, name: Option<&str>) -> Result<&Api, Error> {
        self.api_chosen_by(name, "--api")
    }

    /// [`Source::api`], for a reader where `chooser` (a flag, a field) names the API.
    pub fn api_chosen_by(&self, name: Option<&str>, chooser: &str) -> Result<&Api, Error> {
        let names = || {
            self.apis
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match name {
            Some(n) => self
                .apis
                .iter()
                .find(|a| a.name == n)
                .map(|a| &a.api)
                .ok_or_else(|| {
                    invalid(format!("no REST API named `{n}` (there are: {})", names()))
                }),
            None => match self.apis.as_slice() {
                [one] => Ok(&one.api),
                [] => Err(invalid("the source defines no REST API")),
                _ => Err(invalid(format!(
                    "the source defines several REST APIs; choose one with {chooser} ({})",
                    names()
                ))),
            },
        }
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Input, message)
}

/// What a file's content is, as far as reading goes.
pub enum Content {
    /// An API definition in a format.
    Api(Format),
    /// JSON or YAML that defines something else (a case file, a request, a template's
    /// JSON); the string says what it looks like.
    Other(&'static str),
    /// Not JSON or YAML: a mapping template, for instance.
    Text,
}

/// Finds out what a document is from its top-level keys.
pub fn classify(root: &Node) -> Content {
    if openapi::is_openapi(root) {
        return Content::Api(Format::OpenApi);
    }
    if cdk::is_manifest(root) {
        return Content::Api(Format::Cdk);
    }
    if cloudformation::is_template(root) {
        return Content::Api(if cloudformation::is_sam(root) {
            Format::Sam
        } else {
            Format::CloudFormation
        });
    }
    if serverless::is_serverless(root) {
        return Content::Api(Format::Serverless);
    }
    if root.get("cases").is_some() {
        return Content::Other("a case file");
    }
    if root.get("type").is_some()
        && [
            "requestTemplates",
            "responses",
            "uri",
            "passthroughBehavior",
        ]
        .iter()
        .any(|k| root.get(k).is_some())
    {
        return Content::Api(Format::Integration);
    }
    Content::Other("neither an OpenAPI export nor an infrastructure definition")
}

/// Reads the API a file or folder defines.
pub fn load(path: &Path, options: &Options) -> Result<Source, Error> {
    if path.is_dir() {
        if let Some(file) = serverless::find(path) {
            return load(&file, options);
        }
        if let Some(manifest) = cdk::find(path) {
            return load(&manifest, options);
        }
        if let Some(template) = cloudformation::find(path) {
            return load(&template, options);
        }
        if !terraform::is_module(path) {
            return Err(invalid(format!(
                "{}: no API definition in this folder (looked for serverless.yml, \
                 cdk.out/manifest.json, template.yaml or .json, and .tf files)",
                path.display()
            )));
        }
    }
    let name: Arc<str> = Arc::from(path.display().to_string());
    if options.format == Some(Format::Terraform)
        || (options.format.is_none() && terraform::is_module(path))
    {
        return terraform::read(path, options);
    }
    let text = files::read(path)?;
    if options.format.is_none()
        && (path.extension().is_some_and(|e| e == "tf") || terraform::looks_like_terraform(&text))
    {
        return terraform::read(path, options);
    }
    let doc = match Document::parse(Arc::clone(&name), &text) {
        Ok(doc) => doc,
        // Named as an integration (by a case file): say so, and where, not what it holds.
        Err(e) if options.format == Some(Format::Integration) => {
            return Err(invalid(format!(
                "{name} is not an integration: it does not parse as JSON or YAML at {}:{}",
                e.line(),
                e.column()
            )));
        }
        Err(e) => return Err(e),
    };
    let format = match options.format {
        Some(f) => f,
        None => match classify(&doc.root) {
            Content::Api(f) => f,
            Content::Other(what) => {
                return Err(invalid(format!(
                    "{name}: not an API definition: it is {what}"
                )));
            }
            Content::Text => return Err(invalid(format!("{name}: not an API definition"))),
        },
    };
    let api = match format {
        Format::CloudFormation | Format::Sam => {
            return cloudformation::read(path, &doc, format, options);
        }
        Format::Cdk => return cdk::read(path, &doc, options),
        Format::Serverless => return serverless::read(path, &doc, options),
        Format::OpenApi => openapi::read(&doc.file, &doc.root)?,
        Format::Integration => Api {
            methods: vec![integration_method(&doc, &doc.root)?],
        },
        Format::Terraform => return terraform::read(path, options),
    };
    Ok(Source {
        format,
        apis: vec![NamedApi {
            name: name.to_string(),
            api,
        }],
        warnings: Vec::new(),
    })
}

/// An integration file as a method: `ANY /`, or the resource a case file names.
fn integration_method(doc: &Document, node: &Node) -> Result<Method, Error> {
    // A file named as an integration that holds something else (any file a case file
    // names) is refused without quoting it: its keys and text may be secrets.
    let fields = node.entries().unwrap_or_default();
    if !fields
        .iter()
        .any(|(k, _)| k.as_str().is_some_and(|k| INTEGRATION_FIELDS.contains(&k)))
    {
        return Err(invalid(format!(
            "{} is not an integration: it is {} without any x-amazon-apigateway-integration \
             field, at {}:{}",
            doc.file,
            node.kind(),
            node.line,
            node.column
        )));
    }
    let integration: Integration = from_node(&doc.file, node)?;
    let mut method = Method::new("ANY", "/", Some(integration));
    method.origin = Some(Origin::at(Arc::clone(&doc.file), node.line, node.column));
    Ok(method)
}

/// The fields of an x-amazon-apigateway-integration object.
const INTEGRATION_FIELDS: &[&str] = &[
    "type",
    "uri",
    "httpMethod",
    "requestTemplates",
    "passthroughBehavior",
    "contentHandling",
    "requestParameters",
    "responses",
    "timeoutInMillis",
    "cacheNamespace",
    "cacheKeyParameters",
    "credentials",
    "connectionType",
    "connectionId",
    "tlsConfig",
    "integrationSubtype",
    "payloadFormatVersion",
];

/// What a path given to `vtl check` holds.
#[derive(Debug)]
pub enum Opened {
    /// An API definition.
    Api(Source),
    /// A mapping template's text.
    Template(String),
}

/// Opens a path that may be an API definition (a folder, or a file of any format) or a
/// mapping template: `.vm` and `.vtl` files are templates; a JSON document that is no API
/// definition is a template written in JSON; a YAML mapping that is none, or a `.yaml`
/// file that does not parse, is an error, never a template.
pub fn open(path: &Path, options: &Options) -> Result<Opened, Error> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let is_template_file = extension
        .as_deref()
        .is_some_and(|e| ["vm", "vtl"].contains(&e));
    // A `.yaml` file is never a template: its syntax error is what to report.
    let is_yaml_file = extension
        .as_deref()
        .is_some_and(|e| ["yaml", "yml"].contains(&e));
    if is_template_file && options.format.is_none() {
        return files::read_template(path).map(Opened::Template);
    }
    if path.is_dir() || options.format.is_some() {
        return load(path, options).map(Opened::Api);
    }
    let text = files::read(path)?;
    let json = text.trim_start().starts_with(['{', '[']);
    match Document::parse(path.display().to_string(), &text) {
        Ok(doc) if doc.root.entries().is_some() => match classify(&doc.root) {
            Content::Api(_) => load(path, options).map(Opened::Api),
            _ if json => Ok(Opened::Template(text)),
            Content::Other(what) => Err(invalid(format!(
                "{}: not an API definition: it is {what}",
                path.display()
            ))),
            Content::Text => Ok(Opened::Template(text)),
        },
        _ => match load(path, options) {
            Ok(source) => Ok(Opened::Api(source)),
            Err(e) if is_yaml_file => Err(e),
            Err(_) => Ok(Opened::Template(text)),
        },
    }
}
