//! The evaluator: renders a parsed template against a context into one output buffer.

mod expr;
mod foreach;
mod macros;
mod reference;

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use crate::context::{Context, NullMode};
use crate::syntax::Names;
use crate::syntax::ast::{Block, MacroDef, Node, Span, Var};
use crate::value::{DefinedBlock, Value};
use crate::{Error, ErrorKind};

pub(crate) use foreach::LoopState;

/// How many times one defined block may be rendering within itself.
const MAX_DEFINE_DEPTH: usize = 2;

/// What a render did, for checks: which template text produced which output, and which
/// references resolved to nothing.
#[derive(Default)]
pub(crate) struct Observer {
    /// (offset in the output, offset in the template, whether the node is text) at each
    /// node written to the output: the last node at each output offset, and only the
    /// first [`MAX_TRACE`] of those, so that a long render keeps a bounded trace.
    pub(crate) trace: Vec<(usize, u32, bool)>,
    /// References of the template that resolved to nothing (`$!` ones excluded).
    pub(crate) unresolved: Vec<Span>,
    /// The starts of `unresolved`, to record each once without scanning them.
    pub(crate) unresolved_at: std::collections::HashSet<u32>,
    /// The template's source and the output buffer, to ignore nested ones.
    main: (*const u8, *const String),
}

/// The most trace entries an observed render keeps (16 bytes each).
pub(crate) const MAX_TRACE: usize = 1 << 20;

impl Observer {
    /// Records that the node at `template` starts writing at `output`. A node that wrote
    /// nothing is superseded by the next one at the same offset: only the last one is
    /// ever looked up.
    fn record(&mut self, output: usize, template: u32, text: bool) {
        let full = self.trace.len() >= MAX_TRACE;
        match self.trace.last_mut() {
            Some(last) if last.0 == output => *last = (output, template, text),
            _ if full => {}
            _ => self.trace.push((output, template, text)),
        }
    }

    fn is_main(&self, src: &Arc<str>, out: &String) -> bool {
        self.main == (Arc::as_ptr(src) as *const u8, out as *const String)
    }
}

/// Why rendering stopped before the end of a block.
pub(crate) enum Halt {
    /// A failure.
    Error(Error),
    /// `#break`: leave the innermost loop, macro body or defined block, or with a scope,
    /// the loop at that index of the loop stack.
    Break(Option<usize>),
    /// `#stop`: end the render, keeping the output.
    Stop,
}

impl From<Error> for Halt {
    fn from(e: Error) -> Halt {
        Halt::Error(e)
    }
}

pub(crate) type Step<T = ()> = Result<T, Halt>;

/// A macro call in progress: its parameters (by variable number) bound to the caller's
/// argument expressions.
struct Frame {
    params: Vec<(u32, Option<Arc<crate::syntax::ast::Expr>>)>,
    /// The source the argument expressions point into.
    source: Arc<str>,
}

/// What a variable holds during a render.
#[derive(Clone)]
enum Slot {
    /// Not set, and the context not asked yet.
    Unknown,
    /// Not set, and not in the context either.
    Missing,
    /// Set by the template, or found in the context.
    Set(Value),
}

/// The state of one render.
pub(crate) struct Renderer<'t> {
    ctx: &'t Context,
    mode: NullMode,
    /// The variables, indexed by their number in `names`.
    slots: Vec<Slot>,
    names: &'t Names,
    /// The names once `#evaluate`d text has added its own.
    extra_names: Option<Names>,
    macros: &'t HashMap<Arc<str>, Arc<MacroDef>>,
    /// Macros defined by `#evaluate`d text.
    extra_macros: HashMap<Arc<str>, Arc<MacroDef>>,
    frames: Vec<Frame>,
    /// How many frames are visible: the arguments of a frame are evaluated with only the
    /// frames below it in view.
    visible_frames: usize,
    loops: Vec<Rc<LoopState>>,
    /// Loop states no longer in use, to be used again.
    spare_loops: Vec<Rc<LoopState>>,
    /// The arguments of the method calls being made, innermost last.
    args: Vec<Value>,
    /// Set when a checker wants to know what the render did.
    pub(crate) observer: Option<Observer>,
    limits: crate::Limits,
    /// Units of work done so far.
    steps: u64,
    /// What the thread's fuel was set to at the last step (see `limits::burn`), and what
    /// it was before this render began.
    fuel_given: u64,
    outer_fuel: u64,
    /// What the thread's string and element limits and what it could build were before
    /// this render began.
    outer_volume: (usize, usize),
    outer_buildable: usize,
    /// Bytes of the `#evaluate`d texts rendering now, one within another.
    evaluating: usize,
    /// The defined blocks being rendered, innermost last.
    defining: Vec<*const Block>,
    depth: usize,
}

/// The buffers a render leaves behind, kept for the next render on the thread.
#[derive(Default)]
struct Spare {
    slots: Vec<Slot>,
    loops: Vec<Rc<LoopState>>,
    spare_loops: Vec<Rc<LoopState>>,
    args: Vec<Value>,
}

thread_local! {
    static SPARE: std::cell::RefCell<Spare> = std::cell::RefCell::new(Spare::default());
}

/// Most variable slots and loop states kept between renders.
const SPARE_SLOTS: usize = 1024;
const SPARE_LOOPS: usize = 16;

impl Drop for Renderer<'_> {
    fn drop(&mut self) {
        crate::limits::refuel(self.outer_fuel);
        crate::limits::restore_volume(self.outer_volume);
        crate::limits::set_buildable(self.outer_buildable);
        self.slots.clear();
        self.loops.clear();
        self.args.clear();
        if self.slots.capacity() > SPARE_SLOTS {
            return;
        }
        self.spare_loops.truncate(SPARE_LOOPS);
        let spare = Spare {
            slots: std::mem::take(&mut self.slots),
            loops: std::mem::take(&mut self.loops),
            spare_loops: std::mem::take(&mut self.spare_loops),
            args: std::mem::take(&mut self.args),
        };
        // A render within a render (an object that renders) finds the buffers taken.
        let _ = SPARE.try_with(|s| {
            if let Ok(mut s) = s.try_borrow_mut() {
                *s = spare;
            }
        });
    }
}

impl<'t> Renderer<'t> {
    pub(crate) fn new(ctx: &'t Context, parsed: &'t crate::syntax::Parsed) -> Self {
        let spare = SPARE
            .try_with(|s| s.try_borrow_mut().map(|mut s| std::mem::take(&mut *s)).ok())
            .ok()
            .flatten()
            .unwrap_or_default();
        let mut slots = spare.slots;
        let mut limits = ctx.limits;
        // No string is ever printed past this size, so neither may the output be.
        limits.max_output_bytes = limits.max_output_bytes.min(crate::limits::MAX_STRING);
        slots.resize(parsed.names.len(), Slot::Unknown);
        Renderer {
            ctx,
            mode: ctx.null_mode,
            slots,
            names: &parsed.names,
            extra_names: None,
            macros: &parsed.macros,
            extra_macros: HashMap::new(),
            frames: Vec::new(),
            visible_frames: 0,
            loops: spare.loops,
            spare_loops: spare.spare_loops,
            args: spare.args,
            observer: None,
            limits,
            steps: 0,
            fuel_given: limits.max_steps,
            outer_fuel: crate::limits::refuel(limits.max_steps),
            outer_volume: crate::limits::set_volume(limits.max_output_bytes, limits.max_elements),
            outer_buildable: crate::limits::set_buildable(limits.max_built_bytes),
            evaluating: 0,
            defining: Vec::new(),
            depth: 0,
        }
    }

    /// Renders the template's top-level block.
    pub(crate) fn render(
        &mut self,
        block: &Block,
        src: &Arc<str>,
        out: &mut String,
    ) -> Result<(), Error> {
        if let Some(o) = self.observer.as_mut() {
            o.main = (Arc::as_ptr(src) as *const u8, out as *const String);
        }
        let render = crate::value::document::Render::begin();
        // Each render compiles its own patterns, so that what it may do does not depend
        // on what ran on the thread before.
        if render.outermost() {
            crate::java::regex::forget_compiled();
        }
        let start = out.len();
        let ended = match self.block(block, src, out) {
            Ok(()) | Err(Halt::Break(_)) | Err(Halt::Stop) => Ok(()),
            Err(halt) => Err(halt),
        };
        // The last node's work and output are checked here, as each earlier one's were by
        // the next.
        let last = block.last().map_or(Span::default(), Node::span);
        let checked = ended.and_then(|()| self.check_limits(last, src, out));
        // The output leaves as Java's UTF-8 encoder writes it.
        crate::java::surrogate::encode_output(out, start);
        match checked {
            Ok(()) => Ok(()),
            Err(Halt::Error(e)) => Err(e),
            Err(_) => Ok(()),
        }
    }

    #[cold]
    fn error(&self, src: &str, span: Span, kind: ErrorKind, message: impl Into<String>) -> Halt {
        Halt::Error(Error::new(kind, message).located(src, span.start as usize))
    }

    /// Renders a block: the body of a directive, a macro, a defined block or `#evaluate`d
    /// text. Blocks inside blocks are counted against `max_depth`, which bounds the stack
    /// a render needs whatever the mix of nesting and recursion.
    pub(crate) fn block(&mut self, block: &Block, src: &Arc<str>, out: &mut String) -> Step {
        if self.depth >= self.limits.max_depth {
            return Err(self.too_deep(block, src));
        }
        self.depth += 1;
        for node in block {
            if let Err(halt) = self.node(node, src, out) {
                self.depth -= 1;
                return Err(halt);
            }
        }
        self.depth -= 1;
        Ok(())
    }

    #[cold]
    fn too_deep(&self, block: &Block, src: &str) -> Halt {
        let span = block.first().map_or(Span::default(), Node::span);
        self.error(
            src,
            span,
            ErrorKind::Recursion,
            format!(
                "rendering nested deeper than {} levels (recursive macro, #define or #evaluate?)",
                self.limits.max_depth
            ),
        )
    }

    /// Counts one unit of work, then checks the limits (see `check_limits`).
    #[inline]
    fn step(&mut self, span: Span, src: &str, out: &str) -> Step {
        self.steps += 1;
        self.check_limits(span, src, out)
    }

    /// Counts the work done inside values since the last check, and checks the work and
    /// the output so far against the limits.
    #[inline]
    fn check_limits(&mut self, span: Span, src: &str, out: &str) -> Step {
        let left = crate::limits::fuel();
        if left != self.fuel_given {
            self.count_burnt(left);
        }
        if self.steps > self.limits.max_steps || out.len() > self.limits.max_output_bytes {
            return Err(self.over_limit(span, src));
        }
        Ok(())
    }

    /// Adds what the values burnt since the last step to the steps, and gives them what
    /// is left. (Only when they burnt some: the steps counted meanwhile can take a render
    /// at most twice past its limit.)
    fn count_burnt(&mut self, left: u64) {
        self.steps += self.fuel_given.saturating_sub(left);
        self.fuel_given = self.limits.max_steps.saturating_sub(self.steps);
        crate::limits::refuel(self.fuel_given);
    }

    #[cold]
    fn over_limit(&self, span: Span, src: &str) -> Halt {
        if crate::limits::built_out() {
            return self.error(
                src,
                span,
                ErrorKind::Limit,
                format!(
                    "the render built more than {} bytes",
                    self.limits.max_built_bytes
                ),
            );
        }
        if self.steps > self.limits.max_steps {
            return self.error(
                src,
                span,
                ErrorKind::Limit,
                format!("the render took more than {} steps", self.limits.max_steps),
            );
        }
        self.string_too_long(span, src)
    }

    /// Counts the work and memory of a string a template built (a unit per 64 bytes),
    /// and fails when it is over the size limit or the render has built all it may.
    pub(crate) fn built_string(&mut self, len: usize, span: Span, src: &str) -> Step {
        if len > self.limits.max_output_bytes {
            return Err(self.string_too_long(span, src));
        }
        self.steps += len as u64 / crate::limits::TEXT_PER_STEP;
        if !crate::limits::build(len) {
            return Err(self.over_limit(span, src));
        }
        Ok(())
    }

    #[cold]
    fn string_too_long(&self, span: Span, src: &str) -> Halt {
        self.error(
            src,
            span,
            ErrorKind::Limit,
            format!("a string grew past {} bytes", self.limits.max_output_bytes),
        )
    }

    fn node(&mut self, node: &Node, src: &Arc<str>, out: &mut String) -> Step {
        // The span is looked up only for the error: it sits behind a pointer.
        if self.steps >= self.limits.max_steps || out.len() > self.limits.max_output_bytes {
            self.step(node.span(), src, out)?;
        }
        self.steps += 1;
        if let Some(o) = self.observer.as_mut()
            && o.is_main(src, out)
        {
            o.record(out.len(), node.span().start, matches!(node, Node::Text(_)));
        }
        match node {
            Node::Text(span) => out.push_str(&src[span.range()]),
            Node::Reference(r) => self.print_reference(r, src, out)?,
            Node::Set(set) => self.set(set, src, out)?,
            Node::If(node) => {
                for (cond, body) in &node.branches {
                    if self.truth(cond, src, out)? {
                        return self.block(body, src, out);
                    }
                }
                if let Some(body) = &node.otherwise {
                    self.block(body, src, out)?;
                }
            }
            Node::Foreach(node) => self.foreach(node, src, out)?,
            Node::Break(scope, span) => {
                return Err(self.break_target(scope.as_deref(), *span, src, out));
            }
            Node::Refused(node) => {
                if node.args.is_empty() && &*node.name == "parse" {
                    return Err(self.error(
                        src,
                        node.span,
                        ErrorKind::Render,
                        "#parse needs the name of a template to read",
                    ));
                }
                for arg in &node.args {
                    if self.value(arg, src, out)?.is_some() {
                        return Err(self.error(
                            src,
                            node.span,
                            ErrorKind::Unsupported,
                            format!(
                                "#{} is not supported: a template cannot read other files",
                                node.name
                            ),
                        ));
                    }
                }
            }
            Node::Literal(Some(text), _) => out.push_str(text),
            Node::Literal(None, span) => {
                return Err(self.error(
                    src,
                    *span,
                    ErrorKind::Render,
                    "#literal needs an argument list and a body: `#literal() .. #end`",
                ));
            }
            Node::Stop(_) => return Err(Halt::Stop),
            Node::Define(def) => {
                self.assign(
                    &def.name,
                    Value::Define(Rc::new(DefinedBlock {
                        body: Arc::clone(&def.body),
                        source: Arc::clone(&def.source),
                    })),
                );
            }
            Node::MacroCall(call) => self.call_macro(call, src, out)?,
            Node::Evaluate(expr, span) => self.evaluate(expr, *span, src, out)?,
        }
        Ok(())
    }

    /// `#evaluate(expr)`: parses the value as a template and renders it here.
    fn evaluate(
        &mut self,
        expr: &crate::syntax::ast::Expr,
        span: Span,
        src: &Arc<str>,
        out: &mut String,
    ) -> Step {
        let Some(value) = self.value(expr, src, out)? else {
            return Ok(());
        };
        let text: Arc<str> = Arc::from(self.stringify(&value)?);
        // The texts rendering within each other are all in memory, parsed, at once.
        let max = self.limits.max_template_bytes;
        if text.len() > max.saturating_sub(self.evaluating) {
            return Err(self.error(
                src,
                span,
                ErrorKind::Limit,
                format!(
                    "#evaluate of {} bytes, with {} being evaluated around it: at most {max} may be",
                    text.len(),
                    self.evaluating
                ),
            ));
        }
        // Parsing takes about four units of work per byte, and setting it up sixty-four.
        self.steps += 64 + text.len() as u64 * 4;
        self.step(span, src, out)?;
        // The text's names are numbered after every name seen so far.
        let names = self.extra_names.get_or_insert_with(|| self.names.clone());
        let names_before = names.len();
        let parsed = crate::syntax::parse_fragment(&text, names);
        let names_len = names.len();
        let (block, macros) = parsed
            .map_err(|e| self.error(src, span, ErrorKind::Syntax, format!("in #evaluate: {e}")))?;
        self.slots
            .resize(names_len.max(self.slots.len()), Slot::Unknown);
        // What stays for the rest of the render: the new names, and the macros with the
        // text they were parsed from.
        // (Measured: about 256 bytes a name, with its slot, and 1 KiB a macro.)
        let mut kept = (names_len - names_before) * 256;
        if !macros.is_empty() {
            kept += text.len() + macros.len() * 1024;
        }
        if !crate::limits::build(kept) {
            return Err(self.over_limit(span, src));
        }
        for (name, def) in macros {
            if !self.macros.contains_key(&name) {
                self.extra_macros.entry(name).or_insert(def);
            }
        }
        self.evaluating += text.len();
        let result = self.block(&block, &text, out);
        self.evaluating -= text.len();
        match result {
            // `#stop` and `#break` end only the evaluated text.
            Ok(()) | Err(Halt::Break(None)) | Err(Halt::Stop) => Ok(()),
            Err(Halt::Break(target)) => Err(Halt::Break(target)),
            Err(Halt::Error(e)) => Err(Halt::Error(
                Error::new(e.kind(), format!("in #evaluate: {e}"))
                    .located(src, span.start as usize),
            )),
        }
    }

    /// Renders a `#define`d block where it is used. Returns false, rendering nothing, when
    /// the block is already being rendered twice (Velocity's `define.max.depth`).
    fn render_defined(&mut self, block: &DefinedBlock, out: &mut String) -> Step<bool> {
        let id = Arc::as_ptr(&block.body);
        if self.defining.iter().filter(|&&b| b == id).count() >= MAX_DEFINE_DEPTH {
            return Ok(false);
        }
        self.defining.push(id);
        let result = self.block(&block.body, &block.source, out);
        self.defining.pop();
        match result {
            Ok(()) | Err(Halt::Break(None)) => Ok(true),
            Err(other) => Err(other),
        }
    }

    /// What a `#break` leaves: the innermost scope, or the loop whose `$foreach` is given.
    fn break_target(
        &mut self,
        scope: Option<&crate::syntax::ast::Expr>,
        span: Span,
        src: &Arc<str>,
        out: &mut String,
    ) -> Halt {
        let Some(scope) = scope else {
            return Halt::Break(None);
        };
        let value = match self.value(scope, src, out) {
            Ok(v) => v,
            Err(h) => return h,
        };
        if let Some(Value::Object(o)) = &value {
            let ptr = Rc::as_ptr(o) as *const ();
            if let Some(i) = self
                .loops
                .iter()
                .position(|l| Rc::as_ptr(l) as *const () == ptr)
            {
                return Halt::Break(Some(i));
            }
        }
        let shown = value.map_or_else(
            || src[scope.span.range()].to_string(),
            |v| v.to_java_string(),
        );
        self.error(
            src,
            span,
            ErrorKind::Render,
            format!("{shown} is not a valid scope to #break"),
        )
    }

    /// The string a value stands for in text: its `toString()`, or for a defined block,
    /// its rendering.
    fn stringify(&mut self, value: &Value) -> Step<String> {
        match value {
            Value::Define(block) => {
                let mut text = String::new();
                self.render_defined(block, &mut text)?;
                Ok(text)
            }
            other => Ok(other.to_java_string()),
        }
    }

    /// Writes a value into the output.
    fn write_value(&mut self, value: &Value, span: Span, src: &str, out: &mut String) -> Step {
        match value {
            Value::Str(s) => out.push_str(s),
            Value::Define(block) => {
                if !self.render_defined(block, out)? {
                    out.push_str(&src[span.range()]);
                }
            }
            other => other.write_java(out),
        }
        Ok(())
    }

    /// Binds a variable for the rest of the render.
    fn assign(&mut self, var: &Var, value: Value) {
        // Velocity sets the variable in every macro context of the chain.
        self.unbind_params(var.id);
        self.replace_slot(var.id, Slot::Set(value));
    }

    /// Frees variable `id` from the macro parameters of that name, in every frame.
    fn unbind_params(&mut self, id: u32) {
        for frame in &mut self.frames {
            frame.params.retain(|(p, _)| *p != id);
        }
    }

    /// Puts `slot` in variable `id`'s place and returns what was there.
    fn replace_slot(&mut self, id: u32, slot: Slot) -> Slot {
        let id = id as usize;
        if id >= self.slots.len() {
            self.slots.resize(id + 1, Slot::Unknown);
        }
        std::mem::replace(&mut self.slots[id], slot)
    }
}
