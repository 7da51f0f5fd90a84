//! CDK cloud assemblies (`cdk.out`): `manifest.json` lists the stacks (artifacts of type
//! `aws:cloudformation:stack`, whose `properties.templateFile` is relative to the
//! assembly) and the nested assemblies of stages (`cdk:cloud-assembly`, in
//! `properties.directoryName`). Each stack's template is read as CloudFormation, and its
//! APIs are named `<Stack>/<LogicalId>`, the stack being the artifact's `displayName` or
//! id. A single synthesized `*.template.json` is plain CloudFormation.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use vtl::Error;

use super::{Format, Options, Source, cloudformation};
use crate::document::{Document, Node, error_at};
use crate::files;

/// How deeply stage assemblies may nest.
const MAX_NESTING: usize = 8;

/// Whether a document is a cloud assembly manifest.
pub fn is_manifest(root: &Node) -> bool {
    root.get("version").is_some() && root.get("artifacts").is_some()
}

/// The manifest of a cloud assembly folder, or of a project folder holding `cdk.out/`.
pub fn find(folder: &Path) -> Option<PathBuf> {
    [
        folder.join("manifest.json"),
        folder.join("cdk.out").join("manifest.json"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

/// Reads the stacks of the manifest `doc` (the file `path`), or, when `doc` is a
/// template, that one stack, named after its file (`SeedStack.template.json`).
pub fn read(path: &Path, doc: &Document, options: &Options) -> Result<Source, Error> {
    let mut source = Source {
        format: Format::Cdk,
        apis: Vec::new(),
        warnings: Vec::new(),
    };
    if !is_manifest(&doc.root) {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stack = file_name
            .strip_suffix(".template.json")
            .unwrap_or(&file_name)
            .to_string();
        let (apis, warnings) = cloudformation::read_stack(path, doc, options, Some(&stack))?;
        if apis.is_empty() {
            return Err(cloudformation::no_api(doc));
        }
        source.apis = apis;
        source.warnings = warnings;
        return Ok(source);
    }
    assembly(path, doc, options, &mut source, 0)?;
    if source.apis.is_empty() {
        return Err(doc.error(
            &doc.root,
            "no stack of the cloud assembly defines a REST API",
        ));
    }
    Ok(source)
}

fn assembly(
    path: &Path,
    doc: &Document,
    options: &Options,
    source: &mut Source,
    depth: usize,
) -> Result<(), Error> {
    let at = |node: &Node, m: String| error_at(&doc.file, node.line, node.column, m);
    let Some(artifacts) = doc.root.get("artifacts").and_then(Node::entries) else {
        return Err(at(
            &doc.root,
            "`artifacts` must be a mapping of artifact ids".to_string(),
        ));
    };
    for (key, artifact) in artifacts {
        let id = key.scalar_text();
        let property = |name: &str| artifact.get("properties").and_then(|p| p.get(name));
        match artifact.get("type").and_then(Node::as_str) {
            Some("aws:cloudformation:stack") => {
                let Some(template) = property("templateFile") else {
                    return Err(at(
                        artifact,
                        format!("stack `{id}` has no `properties.templateFile`"),
                    ));
                };
                let Some(template) = template.as_str() else {
                    return Err(at(template, "`templateFile` must be a path".to_string()));
                };
                let stack = artifact
                    .get("displayName")
                    .and_then(Node::as_str)
                    .map_or(id.clone(), str::to_string);
                let file = files::beside(path, template);
                let text = files::read(&file).map_err(|e| at(key, e.message().to_string()))?;
                let name: Arc<str> = Arc::from(file.display().to_string());
                let template = Document::parse(name, &text)?;
                let (apis, warnings) =
                    cloudformation::read_stack(&file, &template, options, Some(&stack))?;
                source.apis.extend(apis);
                source.warnings.extend(warnings);
            }
            Some("cdk:cloud-assembly") => {
                let Some(directory) = property("directoryName").and_then(Node::as_str) else {
                    return Err(at(
                        artifact,
                        format!("nested assembly `{id}` has no `properties.directoryName`"),
                    ));
                };
                if depth >= MAX_NESTING {
                    return Err(at(
                        key,
                        format!("cloud assemblies nest deeper than {MAX_NESTING}"),
                    ));
                }
                let manifest = files::beside(path, directory).join("manifest.json");
                let text = files::read(&manifest).map_err(|e| at(key, e.message().to_string()))?;
                let name: Arc<str> = Arc::from(manifest.display().to_string());
                let nested = Document::parse(name, &text)?;
                assembly(&manifest, &nested, options, source, depth + 1)?;
            }
            _ => {}
        }
    }
    Ok(())
}
