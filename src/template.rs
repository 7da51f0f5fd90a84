//! A parsed template, rendered any number of times.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Error;
use crate::context::{Bindings, Context};
use crate::eval::{Observer, Renderer};
use crate::syntax::{self, Parsed};

/// A parsed Velocity template. Parse once, render many times; a `Template` is `Send` and
/// `Sync`, so one can serve many threads.
///
/// ```
/// use vtl::{Context, Template};
///
/// let t = Template::parse("#foreach($n in [1..3])$n#if($foreach.hasNext), #end#end").unwrap();
/// assert_eq!(t.render(&Context::new()).unwrap(), "1, 2, 3");
/// ```
pub struct Template {
    source: Arc<str>,
    parsed: Parsed,
    /// The length of the last output: the next render starts with that much room, so
    /// its buffer does not grow (and copy itself) several times.
    last_len: AtomicUsize,
}

/// What one observed render did (see [`Template::observe`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// The output, or the error that ended the render.
    pub output: Result<String, Error>,
    /// The byte ranges of the template's references that resolved to nothing (quiet
    /// `$!` references excepted).
    pub unresolved: Vec<std::ops::Range<usize>>,
    /// The nodes written to the output, in order: of the nodes starting at the same
    /// output offset, the last; and at most the first 1,048,576 of those, so that
    /// observing a long render takes bounded memory.
    pub trace: Vec<Written>,
}

/// A node of the template written to the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    /// Where its output starts, as a byte offset in the output.
    pub output: usize,
    /// Where the node starts, as a byte offset in the template.
    pub template: usize,
    /// Whether the node is plain text (not a reference or directive).
    pub text: bool,
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Template")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Template {
    /// Parses a template. A syntax error carries the line and column it points at.
    pub fn parse(source: &str) -> Result<Template, Error> {
        let source: Arc<str> = Arc::from(source);
        let parsed = syntax::parse(&source)?;
        Ok(Template {
            source,
            parsed,
            last_len: AtomicUsize::new(0),
        })
    }

    /// The template's text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renders the template into a new string, against a [`Context`] or an API Gateway
    /// [`Request`](crate::Request).
    pub fn render<B: Bindings + ?Sized>(&self, bindings: &B) -> Result<String, Error> {
        self.render_string(&bindings.context())
    }

    /// Renders into a new string allocated once, with room for what the last render
    /// wrote (or, the first time, half again the template's size).
    pub(crate) fn render_string(&self, context: &Context) -> Result<String, Error> {
        let guess = self.source.len() + self.source.len() / 2;
        let mut out = String::with_capacity(guess.max(self.last_len.load(Ordering::Relaxed)));
        self.render_context(context, &mut out)?;
        self.last_len.store(out.len(), Ordering::Relaxed);
        Ok(out)
    }

    /// Renders the template, appending to `out`. On error, `out` holds what was rendered
    /// before the failure.
    pub fn render_into<B: Bindings + ?Sized>(
        &self,
        bindings: &B,
        out: &mut String,
    ) -> Result<(), Error> {
        let context = bindings.context();
        self.render_context(&context, out)
    }

    /// Renders while recording what the render did, for checks: which template text
    /// wrote which part of the output, and which references resolved to nothing.
    ///
    /// ```
    /// let t = vtl::Template::parse("a $x b").unwrap();
    /// let seen = t.observe(&vtl::Context::new());
    /// assert_eq!(seen.output.unwrap(), "a $x b");
    /// assert_eq!(seen.unresolved, vec![2..4]);
    /// ```
    pub fn observe<B: Bindings + ?Sized>(&self, bindings: &B) -> Observation {
        let context = bindings.context();
        let mut renderer = Renderer::new(&context, &self.parsed);
        renderer.observer = Some(Observer::default());
        let mut out = String::new();
        let result = renderer.render(&self.parsed.block, &self.source, &mut out);
        let observer = renderer.observer.take().unwrap_or_default();
        Observation {
            output: result.map(|()| out),
            unresolved: observer.unresolved.iter().map(|s| s.range()).collect(),
            trace: observer
                .trace
                .iter()
                .map(|&(output, template, text)| Written {
                    output,
                    template: template as usize,
                    text,
                })
                .collect(),
        }
    }

    /// The parsed tree, with spans into [`Template::source`].
    pub fn tree(&self) -> &crate::syntax::ast::Block {
        &self.parsed.block
    }

    pub(crate) fn render_context(&self, context: &Context, out: &mut String) -> Result<(), Error> {
        Renderer::new(context, &self.parsed).render(&self.parsed.block, &self.source, out)
    }

    /// Renders the template into any `fmt::Write`; nothing is written if rendering fails.
    ///
    /// ```
    /// use std::fmt::Write;
    /// let t = vtl::Template::parse("#set($x = 6 * 7)$x").unwrap();
    /// let mut buf = String::from("answer: ");
    /// t.render_to(&vtl::Context::new(), &mut buf).unwrap();
    /// assert_eq!(buf, "answer: 42");
    /// ```
    pub fn render_to<B: Bindings + ?Sized, W: fmt::Write>(
        &self,
        bindings: &B,
        writer: &mut W,
    ) -> Result<(), Error> {
        let text = self.render(bindings)?;
        writer
            .write_str(&text)
            .map_err(|_| Error::new(crate::ErrorKind::Input, "the writer failed"))
    }
}
