//! `#foreach`: what it iterates, the loop variable, `$foreach` and `$velocityCount`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use super::{Halt, Renderer, Slot, Step};
use crate::ErrorKind;
use crate::syntax::Names;
use crate::syntax::ast::Foreach;
use crate::value::{Object, Value};

/// The `$foreach` object of one running loop.
pub(crate) struct LoopState {
    index: Cell<usize>,
    has_next: Cell<bool>,
    parent: RefCell<Option<Rc<LoopState>>>,
    /// This state itself, for `$foreach.topmost` of an outermost loop.
    this: std::rc::Weak<LoopState>,
}

impl LoopState {
    fn get(&self, name: &str) -> Option<Value> {
        let index = self.index.get();
        Some(match name {
            "index" | "getIndex" => Value::Int(index as i32),
            "count" | "getCount" => Value::Int(index as i32 + 1),
            "hasNext" | "getHasNext" | "isHasNext" => Value::Bool(self.has_next.get()),
            "first" | "isFirst" | "getFirst" => Value::Bool(index == 0),
            "last" | "isLast" | "getLast" => Value::Bool(!self.has_next.get()),
            "parent" | "getParent" => {
                Value::Object(self.parent.borrow().clone()? as Rc<dyn Object>)
            }
            "topmost" | "getTopmost" => {
                let mut top = self.this.upgrade()?;
                loop {
                    let parent = top.parent.borrow().clone();
                    match parent {
                        Some(p) => top = p,
                        None => break,
                    }
                }
                Value::Object(top as Rc<dyn Object>)
            }
            _ => return None,
        })
    }
}

impl Object for LoopState {
    fn property(&self, name: &str) -> Option<Value> {
        self.get(name)
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, crate::Error>> {
        if !args.is_empty() {
            return None;
        }
        self.get(name).map(Ok)
    }

    /// Velocity's scope objects are maps (of values put into the scope): empty here.
    fn to_java_string(&self) -> String {
        "{}".to_string()
    }
}

/// What `#foreach` iterates over a value: a list's elements, a map's values, nothing for
/// anything else (null, strings and numbers included).
fn items(value: &Value) -> Vec<Value> {
    // The copy is a unit of the render's work per element; with no work left, nothing
    // (the render fails at its next step).
    use crate::limits::burn;
    match value {
        Value::List(items, _) if burn(items.borrow().len()) => items.borrow().clone(),
        Value::Map(map) if burn(map.borrow().len()) => map.borrow().values().cloned().collect(),
        Value::Object(o) => o.iterate().unwrap_or_default(),
        _ => Vec::new(),
    }
}

impl Renderer<'_> {
    /// The loop variables Velocity provides: `$foreach`, `$velocityCount`, `$velocityHasNext`.
    pub(super) fn loop_variable(&self, id: u32) -> Option<Value> {
        let state = self.loops.last()?;
        match id {
            Names::VELOCITY_COUNT => state.get("count"),
            Names::VELOCITY_HAS_NEXT => state.get("hasNext"),
            _ => None,
        }
    }

    pub(super) fn foreach(&mut self, node: &Foreach, src: &Arc<str>, out: &mut String) -> Step {
        if node.var.is_empty() {
            return Ok(());
        }
        if &*node.var == "foreach" {
            return Err(self.error(
                src,
                node.span,
                ErrorKind::Render,
                "the loop variable cannot be named $foreach",
            ));
        }
        let Some(iterable) = &node.iterable else {
            return Ok(());
        };
        let Some(collection) = self.value(iterable, src, out)? else {
            return Ok(());
        };
        // A payload's array is read from the document until the loop makes it into its list
        // (by changing it); then the list is read.
        let json = match &collection {
            Value::Json(json) if !json.is_object() && json.built().is_none() => Some(json.clone()),
            _ => None,
        };
        let collection = match json {
            Some(_) => collection,
            None => collection.resolve().into_owned(),
        };
        // A list is read element by element so that a change to it during the loop is
        // noticed, as Java's iterator does.
        let mut list = match &collection {
            Value::List(items, _) => Some(Rc::clone(items)),
            _ => None,
        };
        let snapshot = match &json {
            Some(json) if crate::limits::burn(json.len()) => json.items(),
            Some(_) => Vec::new(),
            None if list.is_some() => Vec::new(),
            None => items(&collection),
        };
        let len = list.as_ref().map_or(snapshot.len(), |l| l.borrow().len());
        if len == 0 {
            return Ok(());
        }
        // A loop variable named like a macro parameter takes the parameter's value first, as
        // Velocity's loop saves it, sets it in every macro context and puts it back.
        let id = node.var.id;
        if self
            .frames
            .iter()
            .any(|f| f.params.iter().any(|(p, _)| *p == id))
        {
            match self.lookup(&node.var, out)? {
                Some(value) => self.assign(&node.var, value),
                None => self.unbind_params(id),
            }
        }
        let saved = self.replace_slot(id, Slot::Unknown);
        let parent = self.loops.last().cloned();
        // A state nobody kept from an earlier loop is used again.
        let state = match self.spare_loops.pop() {
            Some(state) => {
                state.index.set(0);
                state.has_next.set(true);
                *state.parent.borrow_mut() = parent;
                state
            }
            None => Rc::new_cyclic(|this| LoopState {
                index: Cell::new(0),
                has_next: Cell::new(true),
                parent: RefCell::new(parent),
                this: this.clone(),
            }),
        };
        let depth = self.loops.len();
        self.loops.push(Rc::clone(&state));
        // `$foreach` is set once per loop, so a `#set($foreach = ..)` in the body sticks.
        let saved_scope = self.replace_slot(
            Names::FOREACH,
            Slot::Set(Value::Object(Rc::clone(&state) as Rc<dyn Object>)),
        );
        let mut result = Ok(());
        // Java's iterator: it goes on while its cursor differs from the list's current size,
        // and fails if the size changed since the loop began.
        let mut i = 0;
        loop {
            if list.is_none()
                && let Some(Value::List(made, _)) = json.as_ref().and_then(|j| j.built())
            {
                list = Some(made);
            }
            if i == list.as_ref().map_or(len, |l| l.borrow().len()) {
                break;
            }
            if self.limits.max_iterations.is_some_and(|max| i >= max) {
                result = Err(self.error(
                    src,
                    node.span,
                    ErrorKind::Limit,
                    format!("#foreach ran more than {} iterations", i),
                ));
                break;
            }
            let item = match &list {
                Some(l) => {
                    let l = l.borrow();
                    if l.len() != len {
                        result = Err(self.error(
                            src,
                            node.span,
                            ErrorKind::Render,
                            "java.util.ConcurrentModificationException: the list changed while #foreach iterated it",
                        ));
                        break;
                    }
                    l[i].clone()
                }
                None => snapshot[i].clone(),
            };
            if let Err(h) = self.step(node.span, src, out) {
                result = Err(h);
                break;
            }
            state.index.set(i);
            state.has_next.set(i + 1 != len);
            i += 1;
            let slot = if item.is_null() {
                Slot::Unknown
            } else {
                Slot::Set(item)
            };
            self.replace_slot(node.var.id, slot);
            match self.block(&node.body, src, out) {
                Ok(()) => {}
                Err(Halt::Break(None)) => break,
                Err(Halt::Break(Some(target))) if target == depth => break,
                Err(other) => {
                    result = Err(other);
                    break;
                }
            }
        }
        self.loops.pop();
        // As Velocity: `$foreach` is put back only if the body left this loop's in place.
        let still_ours = matches!(
            self.slots.get(Names::FOREACH as usize),
            Some(Slot::Set(Value::Object(o))) if std::ptr::addr_eq(Rc::as_ptr(o), Rc::as_ptr(&state))
        );
        if still_ours {
            self.replace_slot(Names::FOREACH, saved_scope);
        }
        self.replace_slot(node.var.id, saved);
        if Rc::strong_count(&state) == 1 {
            *state.parent.borrow_mut() = None;
            self.spare_loops.push(state);
        }
        result
    }
}
