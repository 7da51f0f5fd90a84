//! Evaluating HCL expressions as far as they can be known without AWS: literals,
//! templates, `var.*`, `local.*`, `path.module`, `each.*`, arguments of other resources,
//! and the functions real projects use around API Gateway. Anything only AWS knows (an
//! `arn`, an `id`, a data source) becomes a visible placeholder and a warning.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hcl_edit::Span;
use hcl_edit::expr::{
    BinaryOperator, Expression, FuncCall, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl_edit::structure::{Block, BlockLabel, Body};
use hcl_edit::template::{Directive, Element, Template};
use indexmap::IndexMap;
use vtl::Error;

use super::text::{Escapes, Piece, SourceFile, Str, decode, dedent};
use crate::files;

/// How deep evaluation may go (nested expressions and references) before it is refused.
const MAX_DEPTH: usize = 128;
/// The most elements a `for` directive or a value may produce.
const MAX_ITEMS: usize = 100_000;

/// A value and where its expression starts.
#[derive(Clone, Debug)]
pub(crate) struct V {
    pub val: Val,
    pub line: u32,
    pub column: u32,
}

/// An HCL value.
#[derive(Clone, Debug)]
pub(crate) enum Val {
    Null,
    Bool(bool),
    Number(String),
    Str(Str),
    List(Vec<V>),
    /// An object or map, in the order written (jsonencode sorts when it writes).
    Map(Vec<(Str, V)>),
}

impl V {
    fn new(val: Val, (line, column): (u32, u32)) -> V {
        V { val, line, column }
    }

    pub fn kind(&self) -> &'static str {
        match self.val {
            Val::Null => "null",
            Val::Bool(_) => "a bool",
            Val::Number(_) => "a number",
            Val::Str(_) => "a string",
            Val::List(_) => "a list",
            Val::Map(_) => "an object",
        }
    }

    /// The value as a string, as Terraform converts primitives.
    pub fn as_str(&self) -> Option<Str> {
        match &self.val {
            Val::Str(s) => Some(s.clone()),
            Val::Number(n) => Some(Str::plain(n.clone())),
            Val::Bool(b) => Some(Str::plain(b.to_string())),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        match &self.val {
            Val::Map(m) => m.iter().rev().find(|(k, _)| k.text == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A parsed `.tf` file.
pub(crate) struct Parsed {
    pub src: SourceFile,
    pub body: Body,
}

/// A `resource` or `data` block.
pub(crate) struct Resource<'a> {
    pub kind: String,
    pub name: String,
    pub data: bool,
    pub file: usize,
    pub block: &'a Block,
}

impl Resource<'_> {
    pub fn address(&self) -> String {
        let prefix = if self.data { "data." } else { "" };
        format!("{prefix}{}.{}", self.kind, self.name)
    }
}

/// What names mean where an expression is evaluated.
#[derive(Clone)]
pub(crate) struct Scope<'s> {
    pub src: &'s SourceFile,
    /// `each.key` and `each.value` of a `for_each` instance.
    pub each: Option<(V, V)>,
    /// `count.index`.
    pub count: Option<V>,
    /// The variables of a `templatefile` template (and of its `for` directives).
    pub vars: Option<IndexMap<String, V>>,
}

impl<'s> Scope<'s> {
    pub fn new(src: &'s SourceFile) -> Scope<'s> {
        Scope {
            src,
            each: None,
            count: None,
            vars: None,
        }
    }
}

/// The module: its variables, locals and resources, and what evaluating them found.
pub(crate) struct Eval<'a> {
    pub files: &'a [Parsed],
    /// The folder, as `path.module` reads.
    pub dir: PathBuf,
    variables: IndexMap<String, (usize, Option<&'a Expression>)>,
    locals: IndexMap<String, (usize, &'a Expression)>,
    pub resources: Vec<Resource<'a>>,
    parameters: &'a IndexMap<String, String>,
    cache: HashMap<String, V>,
    active: Vec<String>,
    depth: usize,
    pub warnings: Vec<Error>,
}

fn label(l: &BlockLabel) -> String {
    match l {
        BlockLabel::Ident(i) => i.as_str().to_string(),
        BlockLabel::String(s) => s.value().clone(),
    }
}

fn start(span: Option<std::ops::Range<usize>>) -> usize {
    span.map_or(0, |r| r.start)
}

impl<'a> Eval<'a> {
    pub fn new(
        files: &'a [Parsed],
        dir: PathBuf,
        parameters: &'a IndexMap<String, String>,
    ) -> Eval<'a> {
        let mut eval = Eval {
            files,
            dir,
            variables: IndexMap::new(),
            locals: IndexMap::new(),
            resources: Vec::new(),
            parameters,
            cache: HashMap::new(),
            active: Vec::new(),
            depth: 0,
            warnings: Vec::new(),
        };
        for (file, parsed) in files.iter().enumerate() {
            for block in parsed.body.blocks() {
                let labels: Vec<String> = block.labels.iter().map(label).collect();
                match (block.ident.as_str(), labels.as_slice()) {
                    ("variable", [name]) => {
                        let default = block.body.get_attribute("default").map(|a| &a.value);
                        eval.variables.insert(name.clone(), (file, default));
                    }
                    ("locals", []) => {
                        for attr in block.body.attributes() {
                            eval.locals
                                .insert(attr.key.as_str().to_string(), (file, &attr.value));
                        }
                    }
                    (kind @ ("resource" | "data"), [t, name]) => eval.resources.push(Resource {
                        kind: t.clone(),
                        name: name.clone(),
                        data: kind == "data",
                        file,
                        block,
                    }),
                    _ => {}
                }
            }
        }
        eval
    }

    pub fn src(&self, file: usize) -> &'a SourceFile {
        &self.files[file].src
    }

    fn pos(sc: &Scope, e: &Expression) -> (u32, u32) {
        sc.src.pos(start(e.span()))
    }

    fn error(sc: &Scope, e: &Expression, message: impl Into<String>) -> Error {
        sc.src.error(start(e.span()), message)
    }

    /// The expression as written, for messages and `--parameter` names.
    pub fn source_of(sc: &Scope, e: &Expression) -> String {
        e.span()
            .map(|r| sc.src.slice(r).trim().to_string())
            .unwrap_or_default()
    }

    /// A placeholder for a value only AWS knows, and a warning where it was asked for.
    fn unknown(&mut self, sc: &Scope, e: &Expression, placeholder: String, why: &str) -> V {
        let what = Self::source_of(sc, e);
        self.warnings.push(Self::error(
            sc,
            e,
            format!("`{what}` {why}; it reads as `{placeholder}` here (give it with --parameter {what}=VALUE)"),
        ));
        V::new(Val::Str(Str::plain(placeholder)), Self::pos(sc, e))
    }

    /// Evaluates an expression.
    pub fn eval(&mut self, e: &Expression, sc: &Scope) -> Result<V, Error> {
        if self.depth >= MAX_DEPTH {
            return Err(Self::error(
                sc,
                e,
                "the expression nests or refers too deeply to be evaluated",
            ));
        }
        self.depth += 1;
        let v = self.eval_inner(e, sc);
        self.depth -= 1;
        v
    }

    fn eval_inner(&mut self, e: &Expression, sc: &Scope) -> Result<V, Error> {
        let at = Self::pos(sc, e);
        let val = match e {
            Expression::Null(_) => Val::Null,
            Expression::Bool(b) => Val::Bool(*b.value()),
            Expression::Number(n) => Val::Number(n.value().to_string()),
            Expression::String(s) => {
                // The span covers the quotes; decode the inside again to know positions.
                let decoded = s
                    .span()
                    .filter(|r| r.end >= r.start + 2)
                    .map(|r| decode(sc.src, r.start + 1..r.end - 1, Escapes::Quoted))
                    .filter(|d| d.text == *s.value());
                Val::Str(decoded.unwrap_or_else(|| Str::plain(s.value().clone())))
            }
            Expression::StringTemplate(t) => {
                let pieces: Vec<_> = t.iter().collect();
                return self.template(&pieces, None, Escapes::Quoted, sc, at, (false, false));
            }
            Expression::HeredocTemplate(h) => {
                let indented = h
                    .span()
                    .map(|r| sc.src.slice(r.start..(r.start + 3).min(sc.src.text.len())) == "<<-")
                    .unwrap_or(h.indent().is_some());
                let pieces: Vec<_> = h.template.iter().collect();
                let ranges = indented.then(|| heredoc_ranges(sc.src, &pieces));
                return self.template(&pieces, ranges, Escapes::Template, sc, at, (false, false));
            }
            Expression::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items.iter() {
                    out.push(self.eval(item, sc)?);
                }
                Val::List(out)
            }
            Expression::Object(object) => {
                let mut out: Vec<(Str, V)> = Vec::with_capacity(object.len());
                for (key, value) in object.iter() {
                    let key = match key {
                        ObjectKey::Ident(i) => {
                            let mut s = Str::plain(i.as_str());
                            if let Some(r) = i.span() {
                                s = decode(sc.src, r, Escapes::Template);
                            }
                            s
                        }
                        ObjectKey::Expression(k) => {
                            let v = self.eval(k, sc)?;
                            v.as_str().ok_or_else(|| {
                                Self::error(
                                    sc,
                                    k,
                                    format!("an object key must be a string, not {}", v.kind()),
                                )
                            })?
                        }
                    };
                    let value = self.eval(value.expr(), sc)?;
                    out.retain(|(k, _)| k.text != key.text);
                    out.push((key, value));
                }
                Val::Map(out)
            }
            Expression::Parenthesis(p) => return self.eval(p.inner(), sc),
            Expression::Variable(name) => {
                if let Some(v) = sc.vars.as_ref().and_then(|vars| vars.get(name.as_str())) {
                    return Ok(v.clone());
                }
                return Err(Self::error(
                    sc,
                    e,
                    format!("`{}` is not defined here", name.as_str()),
                ));
            }
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr, sc)?;
                let yes = match (&cond.val, cond.as_str()) {
                    (Val::Bool(b), _) => *b,
                    (_, Some(s)) if s.text == "true" || s.text == "false" => s.text == "true",
                    _ => {
                        return Err(Self::error(
                            sc,
                            &c.cond_expr,
                            format!("the condition must be a bool, not {}", cond.kind()),
                        ));
                    }
                };
                return self.eval(if yes { &c.true_expr } else { &c.false_expr }, sc);
            }
            Expression::FuncCall(call) => return self.call(call, e, sc),
            Expression::Traversal(t) => return self.traversal(&t.expr, &t.operators, e, sc),
            Expression::UnaryOp(op) => {
                let v = self.eval(&op.expr, sc)?;
                match (op.operator.value(), &v.val) {
                    (UnaryOperator::Not, Val::Bool(b)) => Val::Bool(!b),
                    (UnaryOperator::Neg, Val::Number(n)) => {
                        Val::Number(format_number(-parse_number(n)))
                    }
                    _ => {
                        return Err(Self::error(
                            sc,
                            e,
                            format!("cannot apply this operator to {}", v.kind()),
                        ));
                    }
                }
            }
            Expression::BinaryOp(op) => {
                let l = self.eval(&op.lhs_expr, sc)?;
                let r = self.eval(&op.rhs_expr, sc)?;
                return binary(*op.operator.value(), &l, &r, at).ok_or_else(|| {
                    Self::error(
                        sc,
                        e,
                        format!(
                            "cannot apply this operator to {} and {}",
                            l.kind(),
                            r.kind()
                        ),
                    )
                });
            }
            Expression::ForExpr(_) => {
                let what = Self::source_of(sc, e);
                return Ok(self.unknown(
                    sc,
                    e,
                    format!("<{what}>"),
                    "is a `for` expression, which is not evaluated",
                ));
            }
        };
        Ok(V::new(val, at))
    }

    /// Renders template elements. `ranges` are the literals' raw ranges once `<<-`
    /// indentation is stripped; `strip` trims the first and last literal (strip markers of
    /// the enclosing directive).
    fn template(
        &mut self,
        elements: &[&Element],
        ranges: Option<Vec<Vec<std::ops::Range<usize>>>>,
        escapes: Escapes,
        sc: &Scope,
        at: (u32, u32),
        strip: (bool, bool),
    ) -> Result<V, Error> {
        // A template of one interpolation is that value, unconverted.
        if let [Element::Interpolation(i)] = elements
            && !strip.0
            && !strip.1
        {
            return self.eval(&i.expr, sc);
        }
        let strip_of = |e: &Element| -> (bool, bool) {
            match e {
                Element::Literal(_) => (false, false),
                Element::Interpolation(i) => (i.strip.strip_start(), i.strip.strip_end()),
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(d) => (
                        d.if_expr.strip.strip_start(),
                        d.endif_expr.strip.strip_end(),
                    ),
                    Directive::For(d) => (
                        d.for_expr.strip.strip_start(),
                        d.endfor_expr.strip.strip_end(),
                    ),
                },
            }
        };
        // The template's own file: pieces interpolated from elsewhere lose their places.
        let mut out = Str {
            file: Some(Arc::clone(&sc.src.name)),
            ..Str::default()
        };
        for (i, element) in elements.iter().enumerate() {
            match element {
                Element::Literal(lit) => {
                    let mut s = Str::default();
                    match (&ranges, lit.span()) {
                        (Some(ranges), _) => {
                            for r in &ranges[i] {
                                s.push(&decode(sc.src, r.clone(), escapes));
                            }
                        }
                        (None, Some(r)) => s = decode(sc.src, r, escapes),
                        (None, None) => s = Str::plain(lit.value().clone()),
                    }
                    let after_strip = if i == 0 {
                        strip.0
                    } else {
                        strip_of(elements[i - 1]).1
                    };
                    let before_strip = match elements.get(i + 1) {
                        Some(next) => strip_of(next).0,
                        None => strip.1,
                    };
                    if after_strip {
                        s.trim_start();
                    }
                    if before_strip {
                        s.trim_end();
                    }
                    out.push(&s);
                }
                Element::Interpolation(interp) => {
                    let v = self.eval(&interp.expr, sc)?;
                    out.push(&self.interpolated(&v, &interp.expr, sc)?);
                }
                Element::Directive(d) => self.directive(d, escapes, sc, at, &mut out)?,
            }
            if out.text.len() > crate::files::MAX_FILE_BYTES as usize {
                return Err(sc
                    .src
                    .error(0, "the template renders to more than the size limit"));
            }
        }
        if out.anchors.first().is_none_or(|a| a.offset != 0) {
            // It starts with an interpolated value: place at least its start.
            let (line, column) = at;
            out.anchors.insert(
                0,
                vtl::apigateway::Anchor {
                    offset: 0,
                    line,
                    column,
                },
            );
        }
        Ok(V::new(Val::Str(out), at))
    }

    fn interpolated(&self, v: &V, e: &Expression, sc: &Scope) -> Result<Str, Error> {
        v.as_str().ok_or_else(|| {
            Self::error(
                sc,
                e,
                format!("cannot interpolate {} into a string", v.kind()),
            )
        })
    }

    fn directive(
        &mut self,
        d: &Directive,
        escapes: Escapes,
        sc: &Scope,
        at: (u32, u32),
        out: &mut Str,
    ) -> Result<(), Error> {
        fn sub(t: &Template) -> Vec<&Element> {
            t.iter().collect()
        }
        match d {
            Directive::If(d) => {
                let cond = self.eval(&d.if_expr.cond_expr, sc)?;
                let yes = match cond.val {
                    Val::Bool(b) => b,
                    _ => {
                        return Err(Self::error(
                            sc,
                            &d.if_expr.cond_expr,
                            format!("the condition must be a bool, not {}", cond.kind()),
                        ));
                    }
                };
                let end_strip = d.endif_expr.strip.strip_start();
                let rendered = if yes {
                    let last = d
                        .else_expr
                        .as_ref()
                        .map_or(end_strip, |e| e.strip.strip_start());
                    self.template(
                        &sub(&d.if_expr.template),
                        None,
                        escapes,
                        sc,
                        at,
                        (d.if_expr.strip.strip_end(), last),
                    )?
                } else if let Some(e) = &d.else_expr {
                    self.template(
                        &sub(&e.template),
                        None,
                        escapes,
                        sc,
                        at,
                        (e.strip.strip_end(), end_strip),
                    )?
                } else {
                    return Ok(());
                };
                out.push(&self.interpolated(&rendered, &d.if_expr.cond_expr, sc)?);
            }
            Directive::For(d) => {
                let f = &d.for_expr;
                let coll = self.eval(&f.collection_expr, sc)?;
                let items: Vec<(V, V)> = match coll.val {
                    Val::List(items) => items
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| (V::new(Val::Number(i.to_string()), at), v))
                        .collect(),
                    Val::Map(mut entries) => {
                        entries.sort_by(|a, b| a.0.text.cmp(&b.0.text));
                        entries
                            .into_iter()
                            .map(|(k, v)| (V::new(Val::Str(k), at), v))
                            .collect()
                    }
                    _ => {
                        return Err(Self::error(
                            sc,
                            &f.collection_expr,
                            format!("`for` needs a list or a map, not {}", coll.kind()),
                        ));
                    }
                };
                if items.len() > MAX_ITEMS {
                    return Err(Self::error(
                        sc,
                        &f.collection_expr,
                        "the collection is too large",
                    ));
                }
                let body = sub(&f.template);
                for (k, v) in items {
                    let mut inner = sc.clone();
                    let vars = inner.vars.get_or_insert_with(IndexMap::new);
                    if let Some(key) = &f.key_var {
                        vars.insert(key.as_str().to_string(), k);
                    }
                    vars.insert(f.value_var.as_str().to_string(), v);
                    let strip = (f.strip.strip_end(), d.endfor_expr.strip.strip_start());
                    let rendered = self.template(&body, None, escapes, &inner, at, strip)?;
                    out.push(&self.interpolated(&rendered, &f.collection_expr, sc)?);
                }
            }
        }
        Ok(())
    }

    /// `var.x` (a `--parameter x=...`, else its default).
    fn variable(&mut self, name: &str, e: &Expression, sc: &Scope) -> Result<V, Error> {
        let at = Self::pos(sc, e);
        if let Some(value) = self
            .parameters
            .get(name)
            .or_else(|| self.parameters.get(&format!("var.{name}")))
        {
            return Ok(V::new(Val::Str(Str::plain(value.clone())), at));
        }
        let Some(&(file, default)) = self.variables.get(name) else {
            return Err(Self::error(
                sc,
                e,
                format!("there is no variable \"{name}\" in this module"),
            ));
        };
        let Some(default) = default else {
            return Err(Self::error(
                sc,
                e,
                format!(
                    "variable \"{name}\" has no default; give it with --parameter {name}=VALUE"
                ),
            ));
        };
        self.cached(format!("var.{name}"), e, sc, |eval| {
            let src = eval.src(file);
            eval.eval(default, &Scope::new(src))
        })
    }

    /// Evaluates `f` once for `key`, refusing a value that depends on itself.
    fn cached(
        &mut self,
        key: String,
        e: &Expression,
        sc: &Scope,
        f: impl FnOnce(&mut Self) -> Result<V, Error>,
    ) -> Result<V, Error> {
        if let Some(v) = self.cache.get(&key) {
            return Ok(v.clone());
        }
        if let Some(i) = self.active.iter().position(|k| *k == key) {
            let chain = self.active[i..]
                .iter()
                .chain([&key])
                .cloned()
                .collect::<Vec<_>>()
                .join(" → ");
            return Err(Self::error(
                sc,
                e,
                format!("`{key}` depends on itself ({chain})"),
            ));
        }
        self.active.push(key.clone());
        let v = f(self);
        self.active.pop();
        let v = v?;
        self.cache.insert(key, v.clone());
        Ok(v)
    }

    fn traversal(
        &mut self,
        root: &Expression,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        whole: &Expression,
        sc: &Scope,
    ) -> Result<V, Error> {
        let attr = |i: usize| match ops.get(i).map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_string()),
            _ => None,
        };
        let raw = Self::source_of(sc, whole);
        let name = match root {
            Expression::Variable(v)
                if sc
                    .vars
                    .as_ref()
                    .is_none_or(|vars| !vars.contains_key(v.as_str())) =>
            {
                v.as_str().to_string()
            }
            _ => {
                let v = self.eval(root, sc)?;
                return self.apply(v, ops, whole, sc);
            }
        };
        if sc.vars.is_some() && !matches!(name.as_str(), "path") {
            // A template file sees only the variables templatefile gave it.
            return Err(Self::error(
                sc,
                whole,
                format!("`{name}` is not among the template's variables"),
            ));
        }
        let (value, rest) = match (name.as_str(), attr(0)) {
            ("var", Some(n)) => (self.variable(&n, whole, sc)?, 1),
            ("local", Some(n)) => {
                let Some(&(file, expr)) = self.locals.get(&n) else {
                    return Err(Self::error(
                        sc,
                        whole,
                        format!("there is no local value \"{n}\" in this module"),
                    ));
                };
                let v = self.cached(format!("local.{n}"), whole, sc, |eval| {
                    let src = eval.src(file);
                    eval.eval(expr, &Scope::new(src))
                })?;
                (v, 1)
            }
            ("path", Some(n)) if matches!(n.as_str(), "module" | "root" | "cwd") => {
                let dir = if n == "cwd" {
                    ".".to_string()
                } else {
                    self.dir.display().to_string()
                };
                (V::new(Val::Str(Str::plain(dir)), Self::pos(sc, whole)), 1)
            }
            ("terraform", Some(n)) if n == "workspace" => (
                V::new(Val::Str(Str::plain("default")), Self::pos(sc, whole)),
                1,
            ),
            ("each", Some(n)) if n == "key" || n == "value" => match &sc.each {
                Some((k, v)) => (if n == "key" { k.clone() } else { v.clone() }, 1),
                None => {
                    return Err(Self::error(
                        sc,
                        whole,
                        "`each` is only defined in a resource with `for_each`",
                    ));
                }
            },
            ("count", Some(n)) if n == "index" => match &sc.count {
                Some(i) => (i.clone(), 1),
                None => {
                    return Err(Self::error(
                        sc,
                        whole,
                        "`count` is only defined in a resource with `count`",
                    ));
                }
            },
            _ => {
                if let Some(value) = self.parameters.get(&raw) {
                    return Ok(V::new(
                        Val::Str(Str::plain(value.clone())),
                        Self::pos(sc, whole),
                    ));
                }
                return self.reference(&name, ops, whole, sc);
            }
        };
        self.apply(value, &ops[rest..], whole, sc)
    }

    /// `TYPE.NAME[KEY].ATTR...` or `data.TYPE.NAME.ATTR...`: an argument written in that
    /// block is its value; an attribute AWS computes is a placeholder.
    fn reference(
        &mut self,
        root: &str,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        whole: &Expression,
        sc: &Scope,
    ) -> Result<V, Error> {
        let raw = Self::source_of(sc, whole);
        let mut names = vec![root.to_string()];
        let mut i = 0;
        while names.len() < if root == "data" { 3 } else { 2 } {
            match ops.get(i).map(|o| o.value()) {
                Some(TraversalOperator::GetAttr(a)) => names.push(a.as_str().to_string()),
                _ => break,
            }
            i += 1;
        }
        let (data, kind, name) = match names.as_slice() {
            [d, k, n] if d == "data" => (true, k.clone(), n.clone()),
            [k, n] => (false, k.clone(), n.clone()),
            _ => {
                return Err(Self::error(
                    sc,
                    whole,
                    format!("`{raw}` refers to nothing this module defines"),
                ));
            }
        };
        let Some(index) = self
            .resources
            .iter()
            .position(|r| r.data == data && r.kind == kind && r.name == name)
        else {
            return Ok(self.unknown(
                sc,
                whole,
                format!("<{raw}>"),
                "refers to nothing this module defines",
            ));
        };
        // An instance key, then the attribute.
        let mut key = None;
        if let Some(op) = ops.get(i) {
            match op.value() {
                TraversalOperator::Index(k) => {
                    key = Some(self.eval(k, sc)?);
                    i += 1;
                }
                TraversalOperator::LegacyIndex(n) => {
                    key = Some(V::new(
                        Val::Number(n.value().to_string()),
                        Self::pos(sc, whole),
                    ));
                    i += 1;
                }
                _ => {}
            }
        }
        let Some(TraversalOperator::GetAttr(attr)) = ops.get(i).map(|o| o.value()) else {
            return Ok(self.unknown(
                sc,
                whole,
                format!("<{raw}>"),
                "is a whole resource, which is not evaluated",
            ));
        };
        let attr = attr.as_str().to_string();
        let resource = &self.resources[index];
        let (file, block) = (resource.file, resource.block);
        if let Some(a) = block.body.get_attribute(&attr) {
            let src = self.src(file);
            let mut scope = Scope::new(src);
            if let Some(key) = &key {
                scope = self.instance_scope(block, src, key)?;
            }
            let cache_key = format!(
                "{}[{}].{attr}",
                self.resources[index].address(),
                key.as_ref()
                    .and_then(V::as_str)
                    .map(|s| s.text)
                    .unwrap_or_default()
            );
            let v = self.cached(cache_key, whole, sc, |eval| eval.eval(&a.value, &scope))?;
            return self.apply(v, &ops[i + 1..], whole, sc);
        }
        let placeholder = self
            .placeholder(index, &attr)
            .unwrap_or_else(|| format!("<{raw}>"));
        Ok(self.unknown(
            sc,
            whole,
            placeholder,
            "is known only once the resource exists",
        ))
    }

    /// The scope of the instance `key` of a block with `for_each` or `count`.
    fn instance_scope<'s>(
        &mut self,
        block: &Block,
        src: &'s SourceFile,
        key: &V,
    ) -> Result<Scope<'s>, Error> {
        let mut scope = Scope::new(src);
        if let Some(fe) = block.body.get_attribute("for_each") {
            let k = key.as_str().map(|s| s.text).unwrap_or_default();
            let value = self.instances(block, src)?.into_iter().find_map(|s| {
                s.each
                    .filter(|(ek, _)| ek.as_str().is_some_and(|e| e.text == k))
            });
            let Some(each) = value else {
                return Err(src.error(
                    start(fe.value.span()),
                    format!("`for_each` has no key \"{k}\""),
                ));
            };
            scope.each = Some(each);
        } else if block.body.get_attribute("count").is_some() {
            scope.count = Some(key.clone());
        }
        Ok(scope)
    }

    /// The instances of a block: one for each `for_each` element or `count` index, or one.
    pub fn instances<'s>(
        &mut self,
        block: &Block,
        src: &'s SourceFile,
    ) -> Result<Vec<Scope<'s>>, Error> {
        let base = Scope::new(src);
        if let Some(fe) = block.body.get_attribute("for_each") {
            let v = self.eval(&fe.value, &base)?;
            let pairs: Vec<(V, V)> = match v.val {
                Val::List(items) => items
                    .into_iter()
                    .map(|item| {
                        let s = item.as_str().ok_or_else(|| {
                            src.error(start(fe.value.span()), "a `for_each` set must hold strings")
                        })?;
                        let k = V::new(Val::Str(s), (item.line, item.column));
                        Ok((k.clone(), k))
                    })
                    .collect::<Result<_, Error>>()?,
                Val::Map(entries) => entries
                    .into_iter()
                    .map(|(k, v)| (V::new(Val::Str(k), (v.line, v.column)), v))
                    .collect(),
                _ => {
                    return Err(src.error(
                        start(fe.value.span()),
                        format!("`for_each` needs a set or a map, not {}", v.kind()),
                    ));
                }
            };
            return Ok(pairs
                .into_iter()
                .map(|each| Scope {
                    each: Some(each),
                    ..base.clone()
                })
                .collect());
        }
        if let Some(c) = block.body.get_attribute("count") {
            let v = self.eval(&c.value, &base)?;
            let n = match &v.val {
                Val::Number(n) => n.parse::<usize>().ok(),
                Val::Str(s) => s.text.parse::<usize>().ok(),
                _ => None,
            }
            .filter(|&n| n <= MAX_ITEMS)
            .ok_or_else(|| src.error(start(c.value.span()), "`count` must be a whole number"))?;
            return Ok((0..n)
                .map(|i| Scope {
                    count: Some(V::new(Val::Number(i.to_string()), (v.line, v.column))),
                    ..base.clone()
                })
                .collect());
        }
        Ok(vec![base])
    }

    /// What API Gateway would see for a Lambda function's `arn` or `invoke_arn`, built from
    /// its `function_name` and the provider's region.
    fn placeholder(&mut self, index: usize, attr: &str) -> Option<String> {
        let r = &self.resources[index];
        if r.kind != "aws_lambda_function"
            || !matches!(attr, "arn" | "invoke_arn" | "qualified_invoke_arn")
        {
            return None;
        }
        let (file, block) = (r.file, r.block);
        let src = self.src(file);
        let function = block
            .body
            .get_attribute("function_name")
            .and_then(|a| self.eval(&a.value, &Scope::new(src)).ok())
            .and_then(|v| v.as_str())
            .map_or_else(|| r_name(&self.resources[index]), |s| s.text);
        let region = self.region();
        let arn = crate::import::local::function_arn(&region, &function);
        Some(if attr == "arn" {
            arn
        } else {
            crate::import::local::lambda_uri("aws", &region, &arn)
        })
    }

    /// The AWS provider's region, when the module says it.
    fn region(&mut self) -> String {
        let provider = self.files.iter().enumerate().find_map(|(file, p)| {
            p.body
                .blocks()
                .find(|b| {
                    b.ident.as_str() == "provider"
                        && b.labels.first().map(label).as_deref() == Some("aws")
                })
                .and_then(|b| b.body.get_attribute("region"))
                .map(|a| (file, &a.value))
        });
        let warnings = self.warnings.len();
        let region = provider
            .and_then(|(file, e)| self.eval(e, &Scope::new(self.src(file))).ok())
            .and_then(|v| v.as_str())
            .map(|s| s.text);
        self.warnings.truncate(warnings);
        region.unwrap_or_else(|| crate::import::local::REGION.to_string())
    }

    /// Attribute and index steps applied to a known value.
    fn apply(
        &mut self,
        mut v: V,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        whole: &Expression,
        sc: &Scope,
    ) -> Result<V, Error> {
        for op in ops {
            let next = match op.value() {
                TraversalOperator::GetAttr(a) => v.get(a.as_str()).cloned(),
                TraversalOperator::Index(k) => {
                    let k = self.eval(k, sc)?;
                    index(&v, &k)
                }
                TraversalOperator::LegacyIndex(n) => index(
                    &v,
                    &V::new(Val::Number(n.value().to_string()), (v.line, v.column)),
                ),
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let raw = Self::source_of(sc, whole);
                    return Ok(self.unknown(
                        sc,
                        whole,
                        format!("<{raw}>"),
                        "uses a splat, which is not evaluated",
                    ));
                }
            };
            v = next.ok_or_else(|| {
                Self::error(
                    sc,
                    whole,
                    format!(
                        "`{}` has no such attribute or element",
                        Self::source_of(sc, whole)
                    ),
                )
            })?;
        }
        Ok(v)
    }

    fn call(&mut self, call: &FuncCall, e: &Expression, sc: &Scope) -> Result<V, Error> {
        let name = call.name.name.as_str().to_string();
        let at = Self::pos(sc, e);
        let args: Vec<&Expression> = call.args.iter().collect();
        let str_of = |v: &V, what: &str| -> Result<Str, Error> {
            v.as_str().ok_or_else(|| {
                Self::error(
                    sc,
                    e,
                    format!("{name}: {what} must be a string, not {}", v.kind()),
                )
            })
        };
        let arity = |n: std::ops::RangeInclusive<usize>| -> Result<(), Error> {
            if n.contains(&args.len()) {
                Ok(())
            } else {
                Err(Self::error(
                    sc,
                    e,
                    format!(
                        "{name}() takes {} argument(s), not {}",
                        n.start(),
                        args.len()
                    ),
                ))
            }
        };
        let plain = |s: String| Ok(V::new(Val::Str(Str::plain(s)), at));
        match name.as_str() {
            "file" | "templatefile" => {
                arity(if name == "file" { 1..=1 } else { 2..=2 })?;
                if sc.vars.is_some() && name == "templatefile" {
                    return Err(Self::error(
                        sc,
                        e,
                        "templatefile cannot be called from a template file",
                    ));
                }
                let path = self.eval(args[0], sc)?;
                let path = str_of(&path, "the path")?.text;
                let full = self.resolve(&path);
                let shown: Arc<str> = Arc::from(full.display().to_string());
                let text = files::read(&full)
                    .map_err(|err| Self::error(sc, args[0], err.message().to_string()))?;
                if name == "file" {
                    let src = SourceFile::new(Arc::clone(&shown), text);
                    let len = src.text.len();
                    let mut s = decode(&src, 0..len, Escapes::Template);
                    // file() interprets nothing: take the bytes as they are.
                    s.text = src.text.clone();
                    s.anchors.truncate(1);
                    return Ok(V::new(Val::Str(s), at));
                }
                let vars = self.eval(args[1], sc)?;
                let Val::Map(entries) = vars.val else {
                    return Err(Self::error(
                        sc,
                        args[1],
                        format!(
                            "templatefile: the variables must be an object, not {}",
                            vars.kind()
                        ),
                    ));
                };
                let src = SourceFile::new(shown, text);
                let template = hcl_edit::parser::parse_template(&src.text).map_err(|err| {
                    let l = err.location();
                    crate::document::error_at(
                        &src.name,
                        l.line() as u32,
                        l.column() as u32,
                        err.message().to_string(),
                    )
                })?;
                let scope = Scope {
                    src: &src,
                    each: None,
                    count: None,
                    vars: Some(entries.into_iter().map(|(k, v)| (k.text, v)).collect()),
                };
                let pieces: Vec<_> = template.iter().collect();
                let v = self.template(
                    &pieces,
                    None,
                    Escapes::Template,
                    &scope,
                    (1, 1),
                    (false, false),
                )?;
                let s = v.as_str().unwrap_or_default();
                Ok(V::new(Val::Str(s), at))
            }
            "jsonencode" => {
                arity(1..=1)?;
                let v = self.eval(args[0], sc)?;
                let mut out = String::new();
                json(&v, &mut out);
                plain(out)
            }
            _ => {
                let mut vals = Vec::with_capacity(args.len());
                for a in &args {
                    vals.push(self.eval(a, sc)?);
                }
                let strs = |i: usize| vals.get(i).and_then(V::as_str).map(|s| s.text);
                let need = |i: usize| {
                    strs(i).ok_or_else(|| {
                        Self::error(
                            sc,
                            e,
                            format!("{name}: argument {} must be a string", i + 1),
                        )
                    })
                };
                match name.as_str() {
                    "tostring" | "tonumber" | "tobool" | "tolist" | "tomap" | "sensitive"
                    | "nonsensitive" => {
                        arity(1..=1)?;
                        Ok(vals.remove(0))
                    }
                    "toset" => {
                        arity(1..=1)?;
                        let Val::List(items) = &vals[0].val else {
                            return Err(Self::error(sc, e, "toset: the argument must be a list"));
                        };
                        let mut items = items.clone();
                        if items.iter().all(|i| matches!(i.val, Val::Str(_))) {
                            items.sort_by(|a, b| {
                                a.as_str().map(|s| s.text).cmp(&b.as_str().map(|s| s.text))
                            });
                            items.dedup_by(|a, b| {
                                a.as_str().map(|s| s.text) == b.as_str().map(|s| s.text)
                            });
                        }
                        Ok(V::new(Val::List(items), at))
                    }
                    "lower" => plain(need(0)?.to_lowercase()),
                    "upper" => plain(need(0)?.to_uppercase()),
                    "trimspace" => plain(need(0)?.trim().to_string()),
                    "chomp" => plain(need(0)?.trim_end_matches(['\n', '\r']).to_string()),
                    "replace" => {
                        arity(3..=3)?;
                        let (s, from, to) = (need(0)?, need(1)?, need(2)?);
                        if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                            let raw = Self::source_of(sc, e);
                            return Ok(self.unknown(
                                sc,
                                e,
                                format!("<{raw}>"),
                                "replaces by a regular expression, which is not evaluated",
                            ));
                        }
                        plain(if from.is_empty() {
                            s
                        } else {
                            s.replace(&from, &to)
                        })
                    }
                    "join" => {
                        arity(2..=2)?;
                        let sep = need(0)?;
                        let Val::List(items) = &vals[1].val else {
                            return Err(Self::error(
                                sc,
                                e,
                                "join: the second argument must be a list",
                            ));
                        };
                        let parts: Option<Vec<String>> =
                            items.iter().map(|i| i.as_str().map(|s| s.text)).collect();
                        plain(
                            parts
                                .ok_or_else(|| {
                                    Self::error(sc, e, "join: the list must hold strings")
                                })?
                                .join(&sep),
                        )
                    }
                    "format" => {
                        let f = need(0)?;
                        format_fn(&f, &vals[1..])
                            .map_or_else(|m| Err(Self::error(sc, e, format!("format: {m}"))), plain)
                    }
                    "merge" => {
                        let mut out: Vec<(Str, V)> = Vec::new();
                        for v in vals {
                            match v.val {
                                Val::Map(m) => {
                                    for (k, v) in m {
                                        out.retain(|(o, _)| o.text != k.text);
                                        out.push((k, v));
                                    }
                                }
                                Val::Null => {}
                                _ => {
                                    return Err(Self::error(
                                        sc,
                                        e,
                                        "merge: every argument must be an object",
                                    ));
                                }
                            }
                        }
                        Ok(V::new(Val::Map(out), at))
                    }
                    "concat" => {
                        let mut out = Vec::new();
                        for v in vals {
                            match v.val {
                                Val::List(l) => out.extend(l),
                                _ => {
                                    return Err(Self::error(
                                        sc,
                                        e,
                                        "concat: every argument must be a list",
                                    ));
                                }
                            }
                        }
                        Ok(V::new(Val::List(out), at))
                    }
                    "lookup" => {
                        arity(2..=3)?;
                        let key = need(1)?;
                        match (vals[0].get(&key), vals.get(2)) {
                            (Some(v), _) => Ok(v.clone()),
                            (None, Some(d)) => Ok(d.clone()),
                            (None, None) => {
                                Err(Self::error(sc, e, format!("lookup: no key \"{key}\"")))
                            }
                        }
                    }
                    "coalesce" => vals
                        .into_iter()
                        .find(|v| {
                            !matches!(&v.val, Val::Null)
                                && v.as_str().is_none_or(|s| !s.text.is_empty())
                        })
                        .ok_or_else(|| {
                            Self::error(sc, e, "coalesce: every argument is null or empty")
                        }),
                    "length" => {
                        arity(1..=1)?;
                        let n = match &vals[0].val {
                            Val::List(l) => l.len(),
                            Val::Map(m) => m.len(),
                            Val::Str(s) => s.text.chars().count(),
                            _ => {
                                return Err(Self::error(
                                    sc,
                                    e,
                                    "length: needs a collection or a string",
                                ));
                            }
                        };
                        Ok(V::new(Val::Number(n.to_string()), at))
                    }
                    "basename" => plain(
                        Path::new(&need(0)?)
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                    ),
                    "dirname" => plain(
                        Path::new(&need(0)?)
                            .parent()
                            .map(|n| n.display().to_string())
                            .unwrap_or_default(),
                    ),
                    "abspath" => plain(need(0)?),
                    _ => {
                        let raw = Self::source_of(sc, e);
                        Ok(self.unknown(
                            sc,
                            e,
                            format!("<{raw}>"),
                            &format!("calls {name}(), which is not evaluated"),
                        ))
                    }
                }
            }
        }
    }

    /// A path as `file()` takes it: relative paths are the module's, and a path that
    /// already starts with `path.module` is kept.
    fn resolve(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        if p.is_absolute() || p.starts_with(&self.dir) {
            p.to_path_buf()
        } else {
            self.dir.join(p)
        }
    }
}

/// The literal ranges of a `<<-` heredoc once its indentation is stripped.
fn heredoc_ranges(src: &SourceFile, elements: &[&Element]) -> Vec<Vec<std::ops::Range<usize>>> {
    let pieces: Vec<Piece> = elements
        .iter()
        .map(|e| match (e, e.span()) {
            (Element::Literal(_), Some(r)) => Piece::Literal(r),
            _ => Piece::Other,
        })
        .collect();
    dedent(src, &pieces)
}

fn r_name(r: &Resource) -> String {
    r.name.clone()
}

fn index(v: &V, k: &V) -> Option<V> {
    match (&v.val, &k.val) {
        (Val::List(items), Val::Number(n)) => {
            n.parse::<usize>().ok().and_then(|i| items.get(i).cloned())
        }
        (Val::List(items), Val::Str(s)) => s
            .text
            .parse::<usize>()
            .ok()
            .and_then(|i| items.get(i).cloned()),
        (Val::Map(_), _) => k.as_str().and_then(|s| v.get(&s.text).cloned()),
        _ => None,
    }
}

fn parse_number(n: &str) -> f64 {
    n.parse().unwrap_or(f64::NAN)
}

fn format_number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn binary(op: BinaryOperator, l: &V, r: &V, at: (u32, u32)) -> Option<V> {
    use BinaryOperator as B;
    let num = |v: &V| match &v.val {
        Val::Number(n) => Some(parse_number(n)),
        Val::Str(s) => s.text.parse::<f64>().ok(),
        _ => None,
    };
    let val = match op {
        B::Eq | B::NotEq => {
            let (mut a, mut b) = (String::new(), String::new());
            json(l, &mut a);
            json(r, &mut b);
            Val::Bool((a == b) == (op == B::Eq))
        }
        B::And | B::Or => match (&l.val, &r.val) {
            (Val::Bool(a), Val::Bool(b)) => {
                Val::Bool(if op == B::And { *a && *b } else { *a || *b })
            }
            _ => return None,
        },
        _ => {
            let (a, b) = (num(l)?, num(r)?);
            match op {
                B::Plus => Val::Number(format_number(a + b)),
                B::Minus => Val::Number(format_number(a - b)),
                B::Mul => Val::Number(format_number(a * b)),
                B::Div => Val::Number(format_number(a / b)),
                B::Mod => Val::Number(format_number(a % b)),
                B::Less => Val::Bool(a < b),
                B::LessEq => Val::Bool(a <= b),
                B::Greater => Val::Bool(a > b),
                B::GreaterEq => Val::Bool(a >= b),
                _ => return None,
            }
        }
    };
    Some(V::new(val, at))
}

/// `format()` with `%s`, `%d`, `%v` and `%%`.
fn format_fn(f: &str, args: &[V]) -> Result<String, String> {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = f.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('s' | 'd' | 'v') => {
                let a = args.next().ok_or("too few arguments")?;
                out.push_str(&a.as_str().ok_or("an argument is not a primitive")?.text);
            }
            other => {
                return Err(format!(
                    "the verb %{} is not supported",
                    other.unwrap_or(' ')
                ));
            }
        }
    }
    Ok(out)
}

/// Terraform's `jsonencode`: minified, object keys sorted byte-wise, `<`, `>`, `&`,
/// U+2028 and U+2029 escaped.
pub(crate) fn json(v: &V, out: &mut String) {
    match &v.val {
        Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Number(n) => out.push_str(n),
        Val::Str(s) => json_string(&s.text, out),
        Val::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json(item, out);
            }
            out.push(']');
        }
        Val::Map(entries) => {
            let mut sorted: Vec<&(Str, V)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.text.as_bytes().cmp(b.0.text.as_bytes()));
            out.push('{');
            for (i, (k, v)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(&k.text, out);
                out.push(':');
                json(v, out);
            }
            out.push('}');
        }
    }
}

fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
