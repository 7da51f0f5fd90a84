//! The variables a template is rendered with, and how it treats null.

use std::borrow::Cow;
use std::rc::Rc;

use crate::limits::Limits;
use crate::value::{Object, Value};

/// How a reference that resolves to nothing behaves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NullMode {
    /// Velocity 1.7 as shipped: an unresolved `$x` prints as its own text `$x`, `$!x`
    /// prints nothing, and only `null` equals `$null`.
    #[default]
    Stock,
    /// Every reference that resolves to nothing (undefined variable, missing property, a
    /// method returning null) evaluates to `""` as a whole, so it prints nothing and
    /// compares equal to `""` and to any other unresolved reference. This is how API
    /// Gateway's mapping templates behave.
    Empty,
}

/// A source of a variable's value.
#[derive(Clone)]
pub(crate) enum Binding {
    /// A JSON value, converted into template values once per render, on first use.
    Json(serde_json::Value),
    /// An object implemented in Rust, shared by every render.
    Object(Rc<dyn Object>),
}

/// Variables known by name rather than listed: each is made when a render first uses it,
/// so a render pays only for the variables its template reads, and binding them all
/// costs the one allocation of the scope.
pub(crate) trait Scope {
    /// The value of `$name`, if the scope has such a variable.
    fn variable(self: Rc<Self>, name: &str) -> Option<Value>;
}

/// The variables a template is rendered with.
///
/// A context is not changed by rendering: `#set` and changes to collections act on the
/// render's own copy, so one context can serve many renders.
///
/// ```
/// use vtl::{Context, NullMode, Template};
///
/// let mut ctx = Context::new();
/// ctx.insert("user", serde_json::json!({"name": "Ada", "langs": ["en", "fr"]}));
/// let t = Template::parse("$user.name speaks $user.langs.size() languages$!missing.").unwrap();
/// assert_eq!(t.render(&ctx).unwrap(), "Ada speaks 2 languages.");
///
/// ctx.set_null_mode(NullMode::Empty);
/// assert_eq!(Template::parse("[$missing]").unwrap().render(&ctx).unwrap(), "[]");
/// ```
#[derive(Clone, Default)]
pub struct Context {
    /// Few variables, each looked up once per render: a list is the fastest map here.
    pub(crate) vars: Vec<(Cow<'static, str>, Binding)>,
    /// Where a name not in `vars` is looked up next.
    pub(crate) scope: Option<Rc<dyn Scope>>,
    pub(crate) null_mode: NullMode,
    pub(crate) limits: Limits,
}

/// What a template can be rendered against: a [`Context`], or anything that makes one
/// (an API Gateway [`Request`](crate::Request) does).
pub trait Bindings {
    /// The context to render with.
    fn context(&self) -> Cow<'_, Context>;
}

impl Bindings for Context {
    fn context(&self) -> Cow<'_, Context> {
        Cow::Borrowed(self)
    }
}

impl Context {
    /// An empty context in the stock null mode.
    pub fn new() -> Context {
        Context::default()
    }

    /// Binds `$name` to a JSON value: objects become maps printing as `{k=v}`, arrays
    /// lists printing as `[a, b]`.
    pub fn insert(&mut self, name: impl Into<String>, value: serde_json::Value) -> &mut Context {
        self.bind(Cow::Owned(name.into()), Binding::Json(value));
        self
    }

    pub(crate) fn bind(&mut self, name: Cow<'static, str>, binding: Binding) {
        match self.vars.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = binding,
            None => self.vars.push((name, binding)),
        }
    }

    /// Binds `$name` to an object implemented in Rust.
    pub fn insert_object(
        &mut self,
        name: impl Into<String>,
        object: Rc<dyn Object>,
    ) -> &mut Context {
        self.bind(Cow::Owned(name.into()), Binding::Object(object));
        self
    }

    /// Sets how unresolved references behave.
    pub fn set_null_mode(&mut self, mode: NullMode) -> &mut Context {
        self.null_mode = mode;
        self
    }

    /// How unresolved references behave.
    pub fn null_mode(&self) -> NullMode {
        self.null_mode
    }

    /// Sets the limits of renders with this context.
    pub fn set_limits(&mut self, limits: Limits) -> &mut Context {
        self.limits = limits;
        self
    }

    /// The limits of renders with this context.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The value of `$name` as a fresh template value, if bound.
    pub(crate) fn lookup(&self, name: &str) -> Option<Value> {
        match self.vars.iter().find(|(n, _)| n == name) {
            Some((_, Binding::Json(json))) => Some(Value::from_json(json)),
            Some((_, Binding::Object(o))) => Some(Value::Object(Rc::clone(o))),
            None => Rc::clone(self.scope.as_ref()?).variable(name),
        }
    }
}
