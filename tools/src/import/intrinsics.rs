//! CloudFormation's intrinsic functions, evaluated on a document tree into the concrete
//! values a deployment would see. What only AWS knows (a resource's id or attribute, a
//! value another stack exports, a parameter without a default) reads as a visible
//! placeholder `<KEY>`, where `KEY` is what `--parameter KEY=VALUE` sets: `<Function>` for
//! `Ref Function`, `<Function.Arn>` for `Fn::GetAtt [Function, Arn]`, `<export-name>` for
//! `Fn::ImportValue export-name`; each use is a warning at its position.
//!
//! Pseudo parameters read as local defaults unless given with `--parameter`:
//! `AWS::Region` `us-east-1`, `AWS::AccountId` `123456789012`, `AWS::StackName` the stack
//! (CDK) or `stack`, `AWS::Partition` and `AWS::URLSuffix` from the region (`aws`,
//! `amazonaws.com`), `AWS::NotificationARNs` an empty list; `AWS::NoValue` removes the key
//! or item that holds it. `Fn::GetAZs` gives the region's `a`, `b` and `c` zones.

use std::collections::HashMap;
use std::sync::Arc;

use indexmap::IndexMap;
use vtl::Error;
use vtl::apigateway::{Anchor, Origin};

use crate::document::{Node, Text, Value, error_at};

/// How deep intrinsic functions may nest in one another.
const MAX_DEPTH: usize = 64;

/// How much text the functions may produce in all (a parameter substituted into a
/// template many times, a long split), so that a small template cannot fill memory.
const MAX_OUTPUT_BYTES: usize = 32 << 20;

use super::local::{ACCOUNT as DEFAULT_ACCOUNT, REGION as DEFAULT_REGION};

/// A reference to a resource as structural properties (`RestApiId`, `ParentId`) make
/// it, before any placeholder is made of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `Ref Name`.
    Ref(String),
    /// `Fn::GetAtt [Name, Attribute]`.
    GetAtt(String, String),
    /// Anything else, resolved to a string.
    Literal(String),
}

/// The template-wide context the functions read: parameters, mappings, conditions and
/// resources, the values given on the command line, and the warnings made so far.
pub struct Resolver<'t> {
    /// The file being resolved (the template, or a file it includes): positions of
    /// errors and warnings are in it.
    pub file: Arc<str>,
    parameters: Option<&'t Node>,
    mappings: Option<&'t Node>,
    conditions: Option<&'t Node>,
    resources: Option<&'t Node>,
    overrides: &'t IndexMap<String, String>,
    stack_name: String,
    /// Whether names a transform generates (SAM's `ServerlessRestApi`, a function's
    /// `Role`) may be referred to without being in the template: they get placeholders.
    pub lenient: bool,
    /// Placeholders used, each at its position.
    pub warnings: Vec<Error>,
    known_conditions: HashMap<String, bool>,
    evaluating: Vec<String>,
    budget: usize,
}

impl<'t> Resolver<'t> {
    /// A resolver over the template `root` of `file`.
    pub fn new(
        file: Arc<str>,
        root: &'t Node,
        overrides: &'t IndexMap<String, String>,
        stack_name: Option<&str>,
    ) -> Resolver<'t> {
        Resolver {
            file,
            parameters: root.get("Parameters"),
            mappings: root.get("Mappings"),
            conditions: root.get("Conditions"),
            resources: root.get("Resources"),
            overrides,
            stack_name: stack_name.unwrap_or("stack").to_string(),
            lenient: false,
            warnings: Vec::new(),
            known_conditions: HashMap::new(),
            evaluating: Vec::new(),
            budget: MAX_OUTPUT_BYTES,
        }
    }

    fn error(&self, node: &Node, message: impl Into<String>) -> Error {
        error_at(&self.file, node.line, node.column, message)
    }

    /// `node` with every intrinsic function evaluated; `None` when it is `AWS::NoValue`.
    pub fn resolve(&mut self, node: &Node) -> Result<Option<Node>, Error> {
        self.value(node, 0)
    }

    /// `node` resolved, where a value is required (`AWS::NoValue` is an error).
    pub fn resolve_some(&mut self, node: &Node) -> Result<Node, Error> {
        let resolved = self.value(node, 0)?;
        resolved.ok_or_else(|| self.error(node, "a value is required here, not AWS::NoValue"))
    }

    /// What a structural property refers to: a direct `Ref` or `Fn::GetAtt` as written,
    /// anything else resolved to a string.
    pub fn target(&mut self, node: &Node) -> Result<Target, Error> {
        if let Some((name, arg)) = intrinsic(node) {
            match name.as_str() {
                "Ref" => {
                    if let Some(r) = arg.as_str()
                        && !r.starts_with("AWS::")
                        && !self.is_parameter(r)
                    {
                        return Ok(Target::Ref(r.to_string()));
                    }
                }
                "Fn::GetAtt" => {
                    let (resource, attribute) = self.getatt_args(&arg, 0)?;
                    return Ok(Target::GetAtt(resource, attribute));
                }
                _ => {}
            }
        }
        let resolved = self.resolve_some(node)?;
        let text = self.text(&resolved, "a string")?;
        Ok(Target::Literal(text.text))
    }

    /// A resolved scalar as text; lists and mappings are errors.
    pub fn text(&self, node: &Node, what: &str) -> Result<Text, Error> {
        match &node.value {
            Value::String(t) => Ok(t.clone()),
            Value::Number(_) | Value::Bool(_) => Ok(Text::plain(node.scalar_text())),
            _ => Err(self.error(node, format!("expected {what}, found {}", node.kind()))),
        }
    }

    fn is_parameter(&self, name: &str) -> bool {
        self.parameters.and_then(|p| p.get(name)).is_some()
    }

    fn is_resource(&self, name: &str) -> bool {
        self.resources.and_then(|r| r.get(name)).is_some()
    }

    fn value(&mut self, node: &Node, depth: usize) -> Result<Option<Node>, Error> {
        if depth > MAX_DEPTH {
            return Err(self.error(
                node,
                format!("intrinsic functions nest deeper than {MAX_DEPTH} levels"),
            ));
        }
        if let Some((name, arg)) = intrinsic(node) {
            return self.function(node, &name, &arg, depth + 1);
        }
        if let Some(tag) = &node.tag
            && tag.starts_with('!')
        {
            return Err(self.error(node, format!("unknown tag `{tag}`")));
        }
        let value = match &node.value {
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.extend(self.value(item, depth + 1)?);
                }
                Value::Seq(out)
            }
            Value::Map(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                for (key, v) in entries {
                    if let Some(v) = self.value(v, depth + 1)? {
                        out.push((key.clone(), v));
                    }
                }
                Value::Map(out)
            }
            other => other.clone(),
        };
        Ok(Some(Node {
            value,
            tag: None,
            line: node.line,
            column: node.column,
        }))
    }

    /// A resolved argument that must be there.
    fn arg(&mut self, node: &Node, depth: usize) -> Result<Node, Error> {
        self.value(node, depth)?
            .ok_or_else(|| self.error(node, "AWS::NoValue cannot be an argument"))
    }

    /// A resolved argument that must be a list of `n` items (`None`: any number).
    fn list(
        &mut self,
        at: &Node,
        name: &str,
        arg: &Node,
        n: Option<usize>,
        depth: usize,
    ) -> Result<Vec<Node>, Error> {
        let resolved = self.arg(arg, depth)?;
        match resolved.value {
            Value::Seq(items) if n.is_none_or(|n| items.len() == n) => Ok(items),
            _ => Err(self.error(
                at,
                match n {
                    Some(n) => format!("`{name}` takes a list of {n} values"),
                    None => format!("`{name}` takes a list"),
                },
            )),
        }
    }

    fn spend(&mut self, at: &Node, bytes: usize) -> Result<(), Error> {
        self.budget = self.budget.checked_sub(bytes).ok_or_else(|| {
            self.error(
                at,
                format!(
                    "intrinsic functions expand to more than {} MiB",
                    MAX_OUTPUT_BYTES >> 20
                ),
            )
        })?;
        Ok(())
    }

    fn string_node(&mut self, at: &Node, text: Text) -> Result<Option<Node>, Error> {
        self.spend(at, text.text.len())?;
        Ok(Some(Node::new(Value::String(text), at.line, at.column)))
    }

    fn function(
        &mut self,
        at: &Node,
        name: &str,
        arg: &Node,
        depth: usize,
    ) -> Result<Option<Node>, Error> {
        match name {
            "Ref" => {
                let target = self.arg(arg, depth)?;
                let target = self.text(&target, "the name of a parameter or resource")?.text;
                self.reference(at, &target, (at.line, at.column))
            }
            "Fn::GetAtt" => {
                let (resource, attribute) = self.getatt_args(arg, depth)?;
                let text = self.attribute(at, &resource, &attribute, (at.line, at.column))?;
                self.string_node(at, text)
            }
            "Fn::Sub" => self.sub(at, arg, depth),
            "Fn::Join" => {
                let items = self.list(at, name, arg, Some(2), depth)?;
                let delimiter = self.text(&items[0], "the delimiter, a string")?;
                let Value::Seq(values) = &items[1].value else {
                    return Err(self.error(&items[1], "`Fn::Join` joins a list of values"));
                };
                let mut out = Text::plain("");
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        out.push(&delimiter);
                    }
                    out.push(&self.text(v, "a string to join")?);
                }
                self.string_node(at, out)
            }
            "Fn::If" => {
                let Value::Seq(items) = &arg.value else {
                    return Err(self.error(at, "`Fn::If` takes [condition, value if true, value if false]"));
                };
                let [condition, yes, no] = items.as_slice() else {
                    return Err(self.error(at, "`Fn::If` takes [condition, value if true, value if false]"));
                };
                let condition_name = self.arg(condition, depth)?;
                let condition_name = self.text(&condition_name, "the name of a condition")?.text;
                let chosen = if self.condition(&condition_name, condition)? { yes } else { no };
                self.value(chosen, depth)
            }
            "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" => {
                let b = self.evaluate(at, depth)?;
                Ok(Some(Node::new(Value::Bool(b), at.line, at.column)))
            }
            "Condition" => {
                let n = self.arg(arg, depth)?;
                let n = self.text(&n, "the name of a condition")?.text;
                let b = self.condition(&n, at)?;
                Ok(Some(Node::new(Value::Bool(b), at.line, at.column)))
            }
            "Fn::Select" => {
                let items = self.list(at, name, arg, Some(2), depth)?;
                let index = self.text(&items[0], "an index")?.text;
                let index: usize = index
                    .trim()
                    .parse()
                    .map_err(|_| self.error(&items[0], format!("`Fn::Select` index `{index}` is not a number")))?;
                let Value::Seq(values) = &items[1].value else {
                    return Err(self.error(&items[1], "`Fn::Select` selects from a list"));
                };
                let Some(v) = values.get(index) else {
                    return Err(self.error(
                        &items[0],
                        format!("`Fn::Select` index {index} is out of range (the list has {})", values.len()),
                    ));
                };
                Ok(Some(v.clone()))
            }
            "Fn::Split" => {
                let items = self.list(at, name, arg, Some(2), depth)?;
                let delimiter = self.text(&items[0], "the delimiter, a string")?.text;
                let source = self.text(&items[1], "a string to split")?;
                if delimiter.is_empty() {
                    return Err(self.error(&items[0], "`Fn::Split` needs a delimiter that is not empty"));
                }
                let mut parts = Vec::new();
                let mut start = 0;
                let mut pieces = source.text.split(delimiter.as_str()).peekable();
                while let Some(piece) = pieces.next() {
                    let end = start + piece.len();
                    self.spend(at, piece.len() + 16)?;
                    parts.push(Node::new(Value::String(slice(&source, start, end)), at.line, at.column));
                    start = end + delimiter.len();
                    if pieces.peek().is_none() {
                        break;
                    }
                }
                Ok(Some(Node::new(Value::Seq(parts), at.line, at.column)))
            }
            "Fn::FindInMap" => {
                let items = self.list(at, name, arg, None, depth)?;
                if !(3..=4).contains(&items.len()) {
                    return Err(self.error(at, "`Fn::FindInMap` takes [MapName, TopLevelKey, SecondLevelKey]"));
                }
                let keys = items[..3]
                    .iter()
                    .map(|k| self.text(k, "a key").map(|t| t.text))
                    .collect::<Result<Vec<_>, _>>()?;
                let found = self
                    .mappings
                    .and_then(|m| m.get(&keys[0]))
                    .and_then(|m| m.get(&keys[1]))
                    .and_then(|m| m.get(&keys[2]));
                match found {
                    Some(v) => self.value(v, depth),
                    None => Err(self.error(
                        at,
                        format!("`Mappings` has no `{}` → `{}` → `{}`", keys[0], keys[1], keys[2]),
                    )),
                }
            }
            "Fn::ImportValue" => {
                let export = self.arg(arg, depth)?;
                let export = self.text(&export, "the name of an export")?.text;
                let text = self.unknown(&export, (at.line, at.column), "is exported by another stack");
                self.string_node(at, text)
            }
            "Fn::Base64" => {
                let v = self.arg(arg, depth)?;
                let v = self.text(&v, "a string")?;
                let encoded = base64(v.text.as_bytes());
                self.string_node(at, Text::plain(encoded))
            }
            "Fn::GetAZs" => {
                let region = self.arg(arg, depth)?;
                let mut region = self.text(&region, "a region")?.text;
                if region.is_empty() {
                    region = self.pseudo("AWS::Region").unwrap_or_default();
                }
                let zones = ["a", "b", "c"]
                    .iter()
                    .map(|z| Node::new(Value::String(Text::plain(format!("{region}{z}"))), at.line, at.column))
                    .collect();
                Ok(Some(Node::new(Value::Seq(zones), at.line, at.column)))
            }
            "Fn::Cidr" => {
                let items = self.list(at, name, arg, Some(3), depth)?;
                let block = self.text(&items[0], "an IPv4 CIDR block")?.text;
                let count = self.text(&items[1], "a count")?.text;
                let bits = self.text(&items[2], "a number of bits")?.text;
                let subnets = cidr(&block, &count, &bits).map_err(|m| self.error(at, m))?;
                let list = subnets
                    .into_iter()
                    .map(|s| Node::new(Value::String(Text::plain(s)), at.line, at.column))
                    .collect();
                Ok(Some(Node::new(Value::Seq(list), at.line, at.column)))
            }
            "Fn::Length" => {
                let v = self.arg(arg, depth)?;
                let Value::Seq(items) = &v.value else {
                    return Err(self.error(at, "`Fn::Length` takes a list"));
                };
                Ok(Some(Node::new(Value::Number(items.len().to_string()), at.line, at.column)))
            }
            "Fn::ToJsonString" => {
                let v = self.arg(arg, depth)?;
                let json = v.to_json().to_string();
                self.string_node(at, Text::plain(json))
            }
            "Fn::Transform" => Err(self.error(
                at,
                "`Fn::Transform` is read only as an `AWS::Include` of a whole `Body` or `DefinitionBody`",
            )),
            other => Err(self.error(at, format!("unknown intrinsic function `{other}`"))),
        }
    }

    /// `[resource, attribute]` of a `Fn::GetAtt`: a list (attributes may have dots, or be
    /// split over more items) or the short form's `resource.attribute`.
    fn getatt_args(&mut self, arg: &Node, depth: usize) -> Result<(String, String), Error> {
        let usage = "`Fn::GetAtt` takes [resource, attribute] or `resource.attribute`";
        match &arg.value {
            Value::String(t) => match t.text.split_once('.') {
                Some((r, a)) if !r.is_empty() && !a.is_empty() => {
                    Ok((r.to_string(), a.to_string()))
                }
                _ => Err(self.error(arg, usage)),
            },
            Value::Seq(items) if items.len() >= 2 => {
                let resource = self.text(&items[0], "the logical id of a resource")?.text;
                let mut parts = Vec::new();
                for item in &items[1..] {
                    let v = self.arg(item, depth)?;
                    parts.push(self.text(&v, "the name of an attribute")?.text);
                }
                Ok((resource, parts.join(".")))
            }
            _ => Err(self.error(arg, usage)),
        }
    }

    /// A pseudo parameter's value, given or the local default.
    fn pseudo(&self, name: &str) -> Option<String> {
        if let Some(v) = self.overrides.get(name) {
            return Some(v.clone());
        }
        let region = self
            .overrides
            .get("AWS::Region")
            .map_or(DEFAULT_REGION, String::as_str);
        let partition = if region.starts_with("cn-") {
            "aws-cn"
        } else if region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        };
        let account = self
            .overrides
            .get("AWS::AccountId")
            .map_or(DEFAULT_ACCOUNT, String::as_str);
        Some(match name {
            "AWS::Region" => region.to_string(),
            "AWS::AccountId" => account.to_string(),
            "AWS::Partition" => partition.to_string(),
            "AWS::URLSuffix" if partition == "aws-cn" => "amazonaws.com.cn".to_string(),
            "AWS::URLSuffix" => "amazonaws.com".to_string(),
            "AWS::StackName" => self.stack_name.clone(),
            "AWS::StackId" => format!(
                "arn:{partition}:cloudformation:{region}:{account}:stack/{}/00000000-0000-0000-0000-000000000000",
                self.stack_name
            ),
            _ => return None,
        })
    }

    /// A placeholder for `key`, with a warning at `at`.
    fn unknown(&mut self, key: &str, at: (u32, u32), why: &str) -> Text {
        if let Some(v) = self.overrides.get(key) {
            return Text::plain(v.clone());
        }
        self.warnings.push(error_at(
            &self.file,
            at.0,
            at.1,
            format!("`{key}` {why}: read as `<{key}>` (give it with --parameter {key}=VALUE)"),
        ));
        Text::plain(format!("<{key}>"))
    }

    /// `Ref name`, at `pos`.
    fn reference(&mut self, at: &Node, name: &str, pos: (u32, u32)) -> Result<Option<Node>, Error> {
        if name == "AWS::NoValue" {
            return Ok(None);
        }
        if name == "AWS::NotificationARNs" {
            return Ok(Some(Node::new(Value::Seq(Vec::new()), at.line, at.column)));
        }
        if let Some(v) = self.pseudo(name) {
            return self.string_node(at, Text::plain(v));
        }
        if name.starts_with("AWS::") {
            return Err(self.error(at, format!("unknown pseudo parameter `{name}`")));
        }
        if let Some(parameter) = self.parameters.and_then(|p| p.get(name)) {
            let list = parameter
                .get("Type")
                .and_then(Node::as_str)
                .is_some_and(|t| t == "CommaDelimitedList" || t.starts_with("List<"));
            let value = match (self.overrides.get(name), parameter.get("Default")) {
                (Some(v), _) => Text::plain(v.clone()),
                (None, Some(d)) => self.text(d, "a parameter value")?,
                (None, None) => self.unknown(name, pos, "is a parameter with no Default"),
            };
            if list {
                let items = value
                    .text
                    .split(',')
                    .map(|s| Node::new(Value::String(Text::plain(s.trim())), at.line, at.column))
                    .collect();
                return Ok(Some(Node::new(Value::Seq(items), at.line, at.column)));
            }
            return self.string_node(at, value);
        }
        if self.is_resource(name) || self.lenient || self.overrides.contains_key(name) {
            let text = self.unknown(name, pos, "is known only once the stack is deployed");
            return self.string_node(at, text);
        }
        Err(error_at(
            &self.file,
            pos.0,
            pos.1,
            format!("`{name}` is neither a parameter nor a resource of the template"),
        ))
    }

    /// `Fn::GetAtt [resource, attribute]`, at `pos`.
    fn attribute(
        &mut self,
        at: &Node,
        resource: &str,
        attribute: &str,
        pos: (u32, u32),
    ) -> Result<Text, Error> {
        let key = format!("{resource}.{attribute}");
        if !(self.is_resource(resource) || self.lenient || self.overrides.contains_key(&key)) {
            let _ = at;
            return Err(error_at(
                &self.file,
                pos.0,
                pos.1,
                format!("`{resource}` is not a resource of the template"),
            ));
        }
        Ok(self.unknown(&key, pos, "is known only once the stack is deployed"))
    }

    /// The position in the file of byte `offset` of `text`, or of `at` if the text has
    /// no place there.
    fn position(&self, text: &Text, offset: usize, at: &Node) -> (u32, u32) {
        if text.anchors.is_empty() {
            return (at.line, at.column);
        }
        let origin = Origin::new(Arc::clone(&self.file), text.anchors.clone());
        let (line, column) = origin.locate(&text.text, offset);
        (clamp(line), clamp(column))
    }

    /// `Fn::Sub: string` or `Fn::Sub: [string, {name: value}]`. The literal pieces keep
    /// their file positions; `${!X}` is the literal `${X}`.
    fn sub(&mut self, at: &Node, arg: &Node, depth: usize) -> Result<Option<Node>, Error> {
        let usage = "`Fn::Sub` takes a string, or [string, {name: value, ...}]";
        let (source, variables) = match &arg.value {
            Value::String(t) => (t.clone(), IndexMap::new()),
            Value::Seq(items) if items.len() == 2 => {
                let Value::String(t) = &items[0].value else {
                    return Err(self.error(&items[0], usage));
                };
                let Some(entries) = items[1].entries() else {
                    return Err(self.error(&items[1], usage));
                };
                let mut variables = IndexMap::new();
                for (k, v) in entries {
                    let value = self.arg(v, depth)?;
                    variables.insert(k.scalar_text(), self.text(&value, "a string value")?);
                }
                (t.clone(), variables)
            }
            _ => return Err(self.error(arg, usage)),
        };
        let text = &source.text;
        let mut out = Text::plain("");
        let mut done = 0;
        let mut cursor = 0;
        while let Some(found) = text[cursor..].find("${") {
            let open = cursor + found;
            if text[open + 2..].starts_with('!') {
                // `${!X}` is written out as `${X}`: drop the `!`.
                out.push(&slice(&source, done, open + 2));
                done = open + 3;
                cursor = open + 3;
                continue;
            }
            let Some(close) = text[open + 2..].find('}').map(|c| open + 2 + c) else {
                break;
            };
            out.push(&slice(&source, done, open));
            let name = text[open + 2..close].trim();
            let pos = self.position(&source, open, at);
            let value = if let Some(v) = variables.get(name) {
                v.clone()
            } else if let Some((resource, attribute)) = name.split_once('.') {
                self.attribute(at, resource, attribute, pos)?
            } else {
                match self.reference(at, name, pos)? {
                    Some(node) => self.text(&node, "a string to substitute")?,
                    None => Text::plain(""),
                }
            };
            self.spend(at, value.text.len())?;
            out.push(&value);
            done = close + 1;
            cursor = close + 1;
        }
        out.push(&slice(&source, done, text.len()));
        self.string_node(at, out)
    }

    /// Whether the condition named `name` holds; `at` is where it is used.
    pub fn condition(&mut self, name: &str, at: &Node) -> Result<bool, Error> {
        if let Some(&b) = self.known_conditions.get(name) {
            return Ok(b);
        }
        let Some(definition) = self.conditions.and_then(|c| c.get(name)) else {
            return Err(self.error(at, format!("`{name}` is not a condition of the template")));
        };
        if self.evaluating.iter().any(|n| n == name) {
            return Err(self.error(
                definition,
                format!(
                    "condition `{name}` depends on itself ({} → {name})",
                    self.evaluating.join(" → ")
                ),
            ));
        }
        if self.evaluating.len() > MAX_DEPTH {
            return Err(self.error(definition, "conditions refer to one another too deeply"));
        }
        self.evaluating.push(name.to_string());
        let result = self.evaluate(definition, 0);
        self.evaluating.pop();
        let b = result?;
        self.known_conditions.insert(name.to_string(), b);
        Ok(b)
    }

    /// A condition expression: `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`.
    fn evaluate(&mut self, node: &Node, depth: usize) -> Result<bool, Error> {
        if depth > MAX_DEPTH {
            return Err(self.error(
                node,
                format!("conditions nest deeper than {MAX_DEPTH} levels"),
            ));
        }
        let call = intrinsic(node).or_else(|| match node.entries() {
            Some([(k, v)]) if k.as_str() == Some("Condition") => {
                Some(("Condition".to_string(), v.clone()))
            }
            _ => None,
        });
        let Some((name, arg)) = call else {
            return match &node.value {
                Value::Bool(b) => Ok(*b),
                Value::String(t) if t.text == "true" || t.text == "false" => Ok(t.text == "true"),
                _ => Err(self.error(
                    node,
                    "expected a condition (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition)",
                )),
            };
        };
        match name.as_str() {
            "Fn::Equals" => {
                let items = self.list(node, &name, &arg, Some(2), depth + 1)?;
                let same = match (&items[0].value, &items[1].value) {
                    (Value::Seq(_) | Value::Map(_), _) | (_, Value::Seq(_) | Value::Map(_)) => {
                        items[0].to_json() == items[1].to_json()
                    }
                    _ => items[0].scalar_text() == items[1].scalar_text(),
                };
                Ok(same)
            }
            "Fn::Not" | "Fn::And" | "Fn::Or" => {
                let Value::Seq(items) = &arg.value else {
                    return Err(self.error(node, format!("`{name}` takes a list of conditions")));
                };
                if name == "Fn::Not" && items.len() != 1 {
                    return Err(self.error(node, "`Fn::Not` takes a list of one condition"));
                }
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.evaluate(item, depth + 1)?);
                }
                Ok(match name.as_str() {
                    "Fn::Not" => !values[0],
                    "Fn::And" => values.iter().all(|&b| b),
                    _ => values.iter().any(|&b| b),
                })
            }
            "Condition" => {
                let n = self.arg(&arg, depth + 1)?;
                let n = self.text(&n, "the name of a condition")?.text;
                self.condition(&n, node)
            }
            "Fn::If" => match self.value(node, depth + 1)? {
                Some(v) => self.evaluate(&v, depth + 1),
                None => Err(self.error(node, "a condition cannot be AWS::NoValue")),
            },
            _ => Err(self.error(node, format!("`{name}` is not a condition function"))),
        }
    }
}

/// The function a node calls and its argument: a one-key mapping `Ref` / `Fn::*`, or a
/// short-form tag (`!Ref`, `!GetAtt`, `!Sub`, ..., `!Condition`).
pub fn intrinsic(node: &Node) -> Option<(String, Node)> {
    if let Some(tag) = &node.tag {
        let short = tag.strip_prefix('!')?;
        if short.is_empty() || short.starts_with('!') {
            return None;
        }
        let name = match short {
            "Ref" | "Condition" => short.to_string(),
            _ => format!("Fn::{short}"),
        };
        let mut arg = node.clone();
        arg.tag = None;
        return Some((name, arg));
    }
    match node.entries()? {
        [(k, v)] => {
            let key = k.as_str()?;
            (key == "Ref" || key.starts_with("Fn::")).then(|| (key.to_string(), v.clone()))
        }
        _ => None,
    }
}

/// Bytes `from..to` of `text`, keeping where they were written.
pub fn slice(text: &Text, from: usize, to: usize) -> Text {
    let (from, to) = (
        from.min(text.text.len()),
        to.min(text.text.len()).max(from.min(text.text.len())),
    );
    let mut anchors = Vec::new();
    if let Some(i) = text.anchors.iter().rposition(|a| a.offset as usize <= from) {
        let a = text.anchors[i];
        let (mut line, mut column) = (a.line, a.column);
        for c in text.text.get(a.offset as usize..from).unwrap_or("").chars() {
            if c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        anchors.push(Anchor {
            offset: 0,
            line,
            column,
        });
    }
    anchors.extend(
        text.anchors
            .iter()
            .filter(|a| (a.offset as usize) > from && (a.offset as usize) < to)
            .map(|a| Anchor {
                offset: a.offset - from as u32,
                ..*a
            }),
    );
    Text {
        text: text.text.get(from..to).unwrap_or("").to_string(),
        anchors,
    }
}

fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Standard base64 with padding, as `Fn::Base64` writes it.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `Fn::Cidr` over an IPv4 block: `count` subnets with `bits` host bits each.
fn cidr(block: &str, count: &str, bits: &str) -> Result<Vec<String>, String> {
    let bad = || format!("`Fn::Cidr` needs an IPv4 block such as 10.0.0.0/16, not `{block}`");
    let (address, prefix) = block.split_once('/').ok_or_else(bad)?;
    let prefix: u32 = prefix.parse().map_err(|_| bad())?;
    let octets: Vec<u32> = address
        .split('.')
        .map(|o| o.parse::<u8>().map(u32::from))
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    if octets.len() != 4 || prefix > 32 {
        return Err(bad());
    }
    let count: u32 = count
        .parse()
        .ok()
        .filter(|c| (1..=256).contains(c))
        .ok_or_else(|| format!("`Fn::Cidr` count must be 1 to 256, not `{count}`"))?;
    let bits: u32 = bits
        .parse()
        .ok()
        .filter(|&b| b <= 32 - prefix && b > 0)
        .ok_or_else(|| format!("`Fn::Cidr` bits must be 1 to {}, not `{bits}`", 32 - prefix))?;
    let base = octets.iter().fold(0u32, |n, o| n << 8 | o);
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    let network = u64::from(base & mask);
    let size = 1u64 << bits;
    let end = network + (1u64 << (32 - prefix));
    let mut out = Vec::new();
    for i in 0..u64::from(count) {
        let start = network + i * size;
        if start + size > end {
            return Err(format!(
                "`Fn::Cidr`: {block} holds fewer than {count} subnets of /{}",
                32 - bits
            ));
        }
        let s = start as u32;
        out.push(format!(
            "{}.{}.{}.{}/{}",
            s >> 24,
            s >> 16 & 255,
            s >> 8 & 255,
            s & 255,
            32 - bits
        ));
    }
    Ok(out)
}
