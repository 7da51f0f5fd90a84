//! References: looking variables up, following `.property`, `.method()` and `[index]`
//! chains, printing them (escapes and null handling included) and `#set`.

use std::sync::Arc;

use super::{Halt, Renderer, Slot, Step};
use crate::ErrorKind;
use crate::context::NullMode;
use crate::java;
use crate::syntax::ast::{Access, Reference, Set, Span, Var};
use crate::value::Value;

impl Renderer<'_> {
    /// The value of variable `var`, if it has one.
    pub(super) fn lookup(&mut self, var: &Var, out: &mut String) -> Step<Option<Value>> {
        if let Some(value) = self.loop_variable(var.id) {
            return Ok(Some(value));
        }
        // A macro sees its parameters, then those of the macro that called it, and so on
        // out (Velocity's chain of macro contexts). A later parameter of the same name
        // wins; a missing argument leaves the name to the callers.
        for index in (0..self.visible_frames).rev() {
            let bound = self.frames[index]
                .params
                .iter()
                .rev()
                .find(|(p, _)| *p == var.id);
            if let Some((_, Some(arg))) = bound {
                let arg = Arc::clone(arg);
                let arg_src = Arc::clone(&self.frames[index].source);
                // The argument is evaluated by name, with only the caller's frames in view.
                let saved = self.visible_frames;
                self.visible_frames = index;
                let value = self.value(&arg, &arg_src, out);
                self.visible_frames = saved;
                return value;
            }
        }
        match self.slots.get(var.id as usize) {
            Some(Slot::Set(v)) => return Ok(Some(v.clone())),
            Some(Slot::Missing) => return Ok(None),
            _ => {}
        }
        // Asked once per render: the context does not change while it runs.
        let found = self.ctx.lookup(&var.name);
        let slot = match &found {
            Some(v) => Slot::Set(v.clone()),
            None => Slot::Missing,
        };
        self.replace_slot(var.id, slot);
        Ok(found)
    }

    /// The value of a variable the render has set (or already found in the context),
    /// when nothing else (a loop variable, a macro argument) stands for it.
    fn set_value(&self, var: &Var) -> Option<&Value> {
        if self.visible_frames > 0 || self.loop_variable(var.id).is_some() {
            return None;
        }
        match self.slots.get(var.id as usize) {
            Some(Slot::Set(v)) => Some(v),
            _ => None,
        }
    }

    /// Follows a reference to its value: `None` when any step finds nothing. In the
    /// `Empty` null mode the whole reference is then `""`.
    pub(super) fn resolve(
        &mut self,
        r: &Reference,
        src: &Arc<str>,
        out: &mut String,
    ) -> Step<Option<Value>> {
        let value = self.follow(r, r.chain.len(), src, out)?;
        Ok(self.settle(r, value, src))
    }

    /// What a reference that came to `value` stands for: in the `Empty` null mode, one
    /// that came to nothing is `""`. A checker hears of it.
    pub(super) fn settle(
        &mut self,
        r: &Reference,
        value: Option<Value>,
        src: &Arc<str>,
    ) -> Option<Value> {
        if value.is_none()
            && !r.quiet
            && let Some(o) = self.observer.as_mut()
            && o.main.0 == Arc::as_ptr(src) as *const u8
            && o.unresolved_at.insert(r.span.start)
        {
            o.unresolved.push(r.span);
        }
        match value {
            None if self.mode == NullMode::Empty => Some(Value::empty_string()),
            other => other,
        }
    }

    /// Reads a reference made of a set variable and properties in place, without copying
    /// any value out, and hands what it finds to `use_it`; `None` when the reference
    /// needs the general way (methods, indexes, loop variables, macro arguments, a
    /// defined block at the end).
    pub(super) fn in_place<T>(
        &self,
        r: &Reference,
        use_it: impl FnOnce(Option<&Value>) -> T,
    ) -> Option<T> {
        if !r.chain.iter().all(|a| matches!(a, Access::Property(..))) {
            return None;
        }
        walk(self.set_value(&r.name)?, &r.chain, use_it)
    }

    /// The value after the first `steps` accesses of the chain.
    fn follow(
        &mut self,
        r: &Reference,
        steps: usize,
        src: &Arc<str>,
        out: &mut String,
    ) -> Step<Option<Value>> {
        let mut chain = &r.chain[..steps];
        // `$var.name` on a set variable reads the property in place, without taking a
        // copy of the variable first.
        let in_place = match chain.first() {
            Some(Access::Property(name, _)) => self
                .set_value(&r.name)
                .map(|base| java::property(base, name)),
            _ => None,
        };
        if in_place.is_some() {
            chain = &chain[1..];
        }
        let current = match in_place {
            Some(found) => found,
            None => self.lookup(&r.name, out)?,
        };
        let Some(mut current) = current else {
            return Ok(None);
        };
        for access in chain {
            let next = match access {
                Access::Property(name, _) => java::property(&current, name),
                // A defined block's `toString()` renders it.
                Access::Method(name, args, _)
                    if args.is_empty()
                        && &**name == "toString"
                        && matches!(current, Value::Define(_)) =>
                {
                    Some(Value::from(self.stringify(&current)?))
                }
                Access::Method(name, args, span) => {
                    self.steps += crate::limits::CALL_STEPS - 1;
                    // Arguments go on the renderer's stack (the arguments of calls made
                    // while evaluating them go above and are gone by then): no
                    // allocation per call.
                    let base = self.args.len();
                    let pushed = self.push_args(args, src, out);
                    // The step after the call counts the work the method did (a method
                    // stops early once the render has no work left).
                    let result = pushed.map(|()| java::call(&current, name, &self.args[base..]));
                    self.args.truncate(base);
                    let result = result?;
                    self.step(*span, src, "")?;
                    match result {
                        None => None,
                        Some(Ok(Value::Null)) => None,
                        Some(Ok(Value::Str(s))) => {
                            self.built_string(s.len(), *span, src)?;
                            Some(Value::Str(s))
                        }
                        Some(Ok(v)) => Some(v),
                        Some(Err(e)) => {
                            return Err(Halt::Error(
                                crate::Error::new(e.kind(), e.message().to_string())
                                    .located(src, span.start as usize),
                            ));
                        }
                    }
                }
                Access::Index(expr, span) => {
                    let index = self.value(expr, src, out)?;
                    match index {
                        None => None,
                        Some(index) => self.index(&current, &index, *span, src)?,
                    }
                }
            };
            match next {
                Some(v) => current = v,
                None => return Ok(None),
            }
        }
        Ok(Some(current))
    }

    /// Evaluates method arguments onto the argument stack.
    fn push_args(
        &mut self,
        args: &[crate::syntax::ast::Expr],
        src: &Arc<str>,
        out: &mut String,
    ) -> Step {
        for arg in args {
            let v = self.value(arg, src, out)?;
            let v = self.materialize(v)?;
            self.args.push(v);
        }
        Ok(())
    }

    /// `value[index]` as Velocity 1.7 does it: lists by integer (negative counts from the
    /// end, out of range fails), maps by key.
    fn index(&self, value: &Value, index: &Value, span: Span, src: &str) -> Step<Option<Value>> {
        match &*value.resolve() {
            Value::List(items, _) => {
                // Only an `Integer` finds `get(int)`: Velocity does not narrow a `Long`.
                let Value::Int(i) = *index else {
                    return Ok(None);
                };
                let items = items.borrow();
                let len = items.len() as i64;
                let pos = if i < 0 {
                    len + i64::from(i)
                } else {
                    i64::from(i)
                };
                if pos < 0 || pos >= len {
                    return Err(self.error(
                        src,
                        span,
                        ErrorKind::Render,
                        format!("index {i} is out of bounds for a list of size {len}"),
                    ));
                }
                Ok(match &items[pos as usize] {
                    Value::Null => None,
                    v => Some(v.clone()),
                })
            }
            Value::Map(map) => Ok(map
                .borrow()
                .get(&crate::value::Key::from(index.clone()))
                .filter(|v| !v.is_null())
                .cloned()),
            Value::Object(o) => Ok(o.index(index)),
            // A negative index needs a `size()`, which other values lack.
            other
                if crate::value::number::long_value(index).is_some_and(|i| i < 0)
                    && index.is_number() =>
            {
                Err(self.error(
                    src,
                    span,
                    ErrorKind::Render,
                    format!(
                        "a negative index needs a size(), which {} does not have",
                        other.type_name()
                    ),
                ))
            }
            _ => Ok(None),
        }
    }

    /// A value to hand to a method: defined blocks are rendered to strings, a missing
    /// value is Java `null`.
    pub(super) fn materialize(&mut self, v: Option<Value>) -> Step<Value> {
        Ok(match v {
            None => Value::Null,
            Some(Value::Define(block)) => Value::from(self.stringify(&Value::Define(block))?),
            Some(v) => v,
        })
    }

    /// Writes a reference into the output.
    pub(super) fn print_reference(
        &mut self,
        r: &Reference,
        src: &Arc<str>,
        out: &mut String,
    ) -> Step {
        if r.escapes == 0 {
            let printed = self.in_place(r, |found| {
                match found {
                    Some(Value::Str(s)) => out.push_str(s),
                    Some(v) => v.write_java(out),
                    None => return false,
                }
                true
            });
            match printed {
                Some(true) => return Ok(()),
                Some(false) => {
                    let value = self.settle(r, None, src);
                    return self.print_value(r, value, src, out);
                }
                None => {}
            }
        }
        let value = self.resolve(r, src, out)?;
        self.print_value(r, value, src, out)
    }

    /// Writes what a reference came to, escapes included.
    fn print_value(
        &mut self,
        r: &Reference,
        value: Option<Value>,
        src: &Arc<str>,
        out: &mut String,
    ) -> Step {
        let escapes = r.escapes as usize;
        let literal = &src[r.span.range()];
        match value {
            Some(v) => {
                push_backslashes(out, escapes / 2);
                if escapes % 2 == 1 {
                    out.push_str(literal);
                } else {
                    self.write_value(&v, r.span, src, out)?;
                }
            }
            // Only in the stock mode: an unresolved reference prints as written.
            None => {
                if escapes > 0 {
                    push_backslashes(out, escapes);
                    out.push_str(literal);
                } else if !r.quiet {
                    out.push_str(literal);
                }
            }
        }
        Ok(())
    }

    /// `#set(target = value)`: a null value leaves the target unchanged.
    pub(super) fn set(&mut self, set: &Set, src: &Arc<str>, out: &mut String) -> Step {
        let Some(value) = self.value(&set.value, src, out)? else {
            return Ok(());
        };
        // A defined block stays a block: `#set($e = $d)` makes `$e` render it each time.
        let target = &set.target;
        // Velocity names the target of `#set($!a = ..)` `!a`, which no reference reads.
        if target.quiet {
            return Ok(());
        }
        let Some(last) = target.chain.last() else {
            self.assign(&target.name, value);
            return Ok(());
        };
        let Some(container) = self.follow(target, target.chain.len() - 1, src, out)? else {
            return Ok(());
        };
        // A payload's container changes as the map or list it stands for, and one stored
        // in a collection is that very object.
        let container = container.resolve().into_owned();
        let value = value.resolve().into_owned();
        // A collection keeping the value keeps its memory (a variable is replaced instead).
        if matches!(container, Value::Map(_) | Value::List(..))
            && !crate::limits::build_elements(java::collections::kept(&value))
        {
            return self.check_limits(set.span, src, out);
        }
        match last {
            // Velocity treats `#set($m.key() = v)` like `#set($m.key = v)`.
            Access::Property(name, span) | Access::Method(name, _, span) => match &container {
                Value::Map(map) => {
                    map.borrow_mut()
                        .insert(crate::value::Key::from(&**name), value);
                }
                Value::Object(o) => {
                    self.assign_object(o.as_ref(), &Value::from(&**name), value, *span, src)?
                }
                _ => {}
            },
            Access::Index(expr, span) => {
                let Some(index) = self.value(expr, src, out)? else {
                    return Ok(());
                };
                match &container {
                    Value::Map(map) => {
                        map.borrow_mut()
                            .insert(crate::value::Key::from(index), value);
                    }
                    Value::Object(o) => {
                        self.assign_object(o.as_ref(), &index, value, *span, src)?
                    }
                    // Only an `Integer` finds `set(int, value)`; with anything else the
                    // `#set` does nothing, as in Velocity.
                    Value::List(items, _) => {
                        let Value::Int(i) = index else {
                            return Ok(());
                        };
                        let mut items = items.borrow_mut();
                        let len = items.len() as i64;
                        let i = i64::from(i);
                        let pos = if i < 0 { len + i } else { i };
                        if pos < 0 || pos >= len {
                            return Err(self.error(
                                src,
                                *span,
                                ErrorKind::Render,
                                format!("index {i} is out of bounds for a list of size {len}"),
                            ));
                        }
                        items[pos as usize] = value;
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

impl Renderer<'_> {
    fn assign_object(
        &self,
        o: &dyn crate::value::Object,
        key: &Value,
        value: Value,
        span: Span,
        src: &str,
    ) -> Step {
        match o.assign(key, value) {
            Some(Err(e)) => Err(self.error(src, span, e.kind(), e.message().to_string())),
            _ => Ok(()),
        }
    }
}

/// Follows `chain`, all properties, from `value` by reference.
fn walk<T>(value: &Value, chain: &[Access], use_it: impl FnOnce(Option<&Value>) -> T) -> Option<T> {
    let Some((Access::Property(name, _), rest)) = chain.split_first() else {
        return match value {
            Value::Define(_) => None,
            v => Some(use_it(Some(v))),
        };
    };
    match value {
        Value::Map(map) if !java::is_class_property(name) => {
            let map = map.borrow();
            match map.get(&crate::value::key::StrKey(name)) {
                Some(v) if !v.is_null() => walk(v, rest, use_it),
                _ => Some(use_it(None)),
            }
        }
        other => match java::property(other, name) {
            Some(v) => walk(&v, rest, use_it),
            None => Some(use_it(None)),
        },
    }
}

fn push_backslashes(out: &mut String, n: usize) {
    if n > 0 {
        out.extend(std::iter::repeat_n('\\', n));
    }
}
