//! `java.util.List` (`ArrayList`), `java.util.Map` (`LinkedHashMap`) and `Map.Entry` methods.

use std::rc::Rc;

use super::{Call, exception, int_arg, void, wrong_arity};
use crate::value::key::java_equals;
use crate::value::{Key, ListRef, MapRef, Object, Value};

const IOOBE: &str = "java.lang.IndexOutOfBoundsException";

fn ok(v: impl Into<Value>) -> Call {
    Some(Ok(v.into()))
}

fn out_of_bounds(method: &str, index: i32, len: usize) -> Call {
    Some(Err(exception(
        method,
        IOOBE,
        format!("Index {index} out of bounds for length {len}"),
    )))
}

/// The elements of a collection argument (`addAll`, `containsAll`).
fn elements(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::List(items, _) => Some(items.borrow().clone()),
        _ => None,
    }
}

/// Takes a unit of the render's work per element a method scans or copies; true when
/// there is not that much left: the method then does nothing, as the render fails at its
/// next step.
fn out_of_work(elements: usize) -> bool {
    !crate::limits::burn(elements)
}

/// Like `out_of_work`, for a method that copies the elements into a new collection,
/// which also counts against what the render may build.
fn out_of_room(elements: usize) -> bool {
    !super::copied(elements)
}

/// Java's `OutOfMemoryError` for a collection grown past the render's element limit.
fn too_many(method: &str) -> Call {
    Some(Err(exception(
        method,
        "java.lang.OutOfMemoryError",
        "the collection would be too large",
    )))
}

/// The memory a collection keeps by holding `v`: an element, and a collection's own
/// elements (a literal or range is counted when something keeps it).
pub(crate) fn kept(v: &Value) -> usize {
    1 + match v {
        Value::List(items, _) => items.try_borrow().map_or(0, |l| l.len()),
        Value::Map(map) => map.try_borrow().map_or(0, |m| m.len()),
        Value::Json(json) => json.len(),
        _ => 0,
    }
}

/// Checks that a collection of `len` elements may grow by `more`, counting their memory.
/// `Some` is what the method gives instead: the error, or nothing once the render has
/// built all it may.
fn grow(method: &str, len: usize, more: usize, held: &[Value]) -> Option<Call> {
    if len.saturating_add(more) > crate::limits::max_elements() {
        return Some(too_many(method));
    }
    let nested: usize = held.iter().map(|v| kept(v) - 1).sum();
    (!crate::limits::build_elements(more + nested)).then(void)
}

pub(super) fn list_call(items: &ListRef, name: &str, args: &[Value]) -> Call {
    let len = items.borrow().len();
    match (name, args) {
        ("size", []) => ok(Value::Int(len as i32)),
        ("isEmpty", []) => ok(len == 0),
        ("clear", []) => {
            items.borrow_mut().clear();
            void()
        }
        ("size" | "isEmpty" | "clear", _) => Some(Err(wrong_arity(name))),
        ("get", [i]) => {
            let i = int_arg(i)?;
            let items = items.borrow();
            match usize::try_from(i).ok().and_then(|i| items.get(i)) {
                Some(v) => ok(v.clone()),
                None => out_of_bounds(name, i, len),
            }
        }
        ("add", [v]) => {
            if let Some(refused) = grow(name, len, 1, &args[args.len() - 1..]) {
                return refused;
            }
            items.borrow_mut().push(v.clone());
            ok(true)
        }
        ("add", [i, v]) => {
            let i = int_arg(i)?;
            if out_of_work(len) {
                return void();
            }
            if i < 0 || i as usize > len {
                return out_of_bounds(name, i, len);
            }
            if let Some(refused) = grow(name, len, 1, &args[args.len() - 1..]) {
                return refused;
            }
            items.borrow_mut().insert(i as usize, v.clone());
            void()
        }
        ("set", [i, v]) => {
            let i = int_arg(i)?;
            if i < 0 || i as usize >= len {
                return out_of_bounds(name, i, len);
            }
            if !crate::limits::build_elements(kept(v)) {
                return void();
            }
            ok(std::mem::replace(
                &mut items.borrow_mut()[i as usize],
                v.clone(),
            ))
        }
        ("toArray" | "iterator" | "listIterator", _) if out_of_room(len) => void(),
        ("contains" | "indexOf" | "lastIndexOf", _) if out_of_work(len) => void(),
        ("contains", [v]) => ok(items.borrow().iter().any(|x| java_equals(x, v))),
        ("indexOf", [v]) => ok(Value::Int(
            items
                .borrow()
                .iter()
                .position(|x| java_equals(x, v))
                .map_or(-1, |i| i as i32),
        )),
        ("lastIndexOf", [v]) => ok(Value::Int(
            items
                .borrow()
                .iter()
                .rposition(|x| java_equals(x, v))
                .map_or(-1, |i| i as i32),
        )),
        ("remove", _) if out_of_work(len) => void(),
        ("remove", [Value::Int(i)]) => {
            let i = *i;
            if i < 0 || i as usize >= len {
                return out_of_bounds(name, i, len);
            }
            ok(items.borrow_mut().remove(i as usize))
        }
        ("remove", [v]) => {
            let pos = items.borrow().iter().position(|x| java_equals(x, v));
            if let Some(p) = pos {
                items.borrow_mut().remove(p);
            }
            ok(pos.is_some())
        }
        // `addAll(c)` appends; `addAll(index, c)` inserts at the index.
        ("addAll", [other]) | ("addAll", [_, other]) => {
            // Only a collection finds the method.
            let more = elements(other)?;
            if out_of_work(len + more.len()) {
                return void();
            }
            let at = match args {
                [i, _] => {
                    let i = int_arg(i)?;
                    if i < 0 || i as usize > len {
                        return out_of_bounds(name, i, len);
                    }
                    i as usize
                }
                _ => len,
            };
            if let Some(refused) = grow(name, len, more.len(), &[]) {
                return refused;
            }
            let changed = !more.is_empty();
            items.borrow_mut().splice(at..at, more);
            ok(changed)
        }
        ("removeAll" | "retainAll", [other]) => {
            let other = elements(other)?;
            if out_of_work(len.saturating_mul(other.len())) {
                return void();
            }
            let keep = name == "retainAll";
            let mut items = items.borrow_mut();
            items.retain(|x| other.iter().any(|v| java_equals(x, v)) == keep);
            ok(items.len() != len)
        }
        ("containsAll", [other]) => {
            let more = elements(other)?;
            if out_of_work(len.saturating_mul(more.len())) {
                return void();
            }
            let items = items.borrow();
            ok(more.iter().all(|v| items.iter().any(|x| java_equals(x, v))))
        }
        ("toArray", []) => ok(Value::new_list(items.borrow().clone())),
        ("iterator" | "listIterator", []) => {
            ok(Value::Object(Rc::new(Iter::new(items.borrow().clone()))))
        }
        ("subList", [a, b]) => {
            let (a, b) = (int_arg(a)?, int_arg(b)?);
            if out_of_room(len) {
                return void();
            }
            if a < 0 || b as usize > len || a > b {
                return Some(Err(exception(
                    name,
                    IOOBE,
                    format!("fromIndex: {a}, toIndex: {b}, size: {len}"),
                )));
            }
            ok(Value::new_list(
                items.borrow()[a as usize..b as usize].to_vec(),
            ))
        }
        _ => None,
    }
}

/// The value at key `k`; a string key is looked up without copying it.
fn lookup<'m>(map: &'m crate::value::Map, k: &Value) -> Option<&'m Value> {
    match k {
        Value::Str(s) => map.get(&crate::value::key::StrKey(s)),
        other => map.get(&Key::from(other.clone())),
    }
}

pub(super) fn map_call(map: &MapRef, name: &str, args: &[Value]) -> Call {
    let key = |v: &Value| Key::from(v.clone());
    // A string key is read to be hashed or compared.
    if let Some(Value::Str(k)) = args.first()
        && !crate::limits::burn_text(k.len())
    {
        return void();
    }
    match (name, args) {
        ("size", []) => ok(Value::Int(map.borrow().len() as i32)),
        ("isEmpty", []) => ok(map.borrow().is_empty()),
        ("clear", []) => {
            map.borrow_mut().clear();
            void()
        }
        ("keySet" | "values" | "entrySet", _) if out_of_room(map.borrow().len()) => void(),
        ("containsValue" | "remove", _) if out_of_work(map.borrow().len()) => void(),
        ("keySet", []) => ok(Value::new_list(
            map.borrow().keys().map(|k| k.value().clone()).collect(),
        )),
        ("values", []) => ok(Value::new_list(map.borrow().values().cloned().collect())),
        ("entrySet", []) => ok(Value::new_list(
            map.borrow()
                .iter()
                .map(|(k, v)| {
                    Value::Object(Rc::new(Entry {
                        key: k.value().clone(),
                        value: v.clone(),
                    }))
                })
                .collect(),
        )),
        ("size" | "isEmpty" | "clear" | "keySet" | "values" | "entrySet", _) => {
            Some(Err(wrong_arity(name)))
        }
        ("get", [k]) => ok(lookup(&map.borrow(), k).cloned().unwrap_or(Value::Null)),
        ("getOrDefault", [k, d]) => ok(lookup(&map.borrow(), k)
            .cloned()
            .unwrap_or_else(|| d.clone())),
        ("containsKey", [k]) => ok(lookup(&map.borrow(), k).is_some()),
        ("containsValue", [v]) => ok(map.borrow().values().any(|x| java_equals(x, v))),
        // Growing the map is counted whether or not the key is new (a small overcount).
        ("put" | "putIfAbsent", [_, _])
            if let Some(refused) = grow(name, map.borrow().len(), 1, &args[1..]) =>
        {
            refused
        }
        ("put", [k, v]) => ok(map
            .borrow_mut()
            .insert(key(k), v.clone())
            .unwrap_or(Value::Null)),
        ("putIfAbsent", [k, v]) => {
            let mut m = map.borrow_mut();
            match m.get(&key(k)) {
                Some(old) if !old.is_null() => ok(old.clone()),
                _ => {
                    m.insert(key(k), v.clone());
                    ok(Value::Null)
                }
            }
        }
        ("remove", [k]) => ok(map
            .borrow_mut()
            .shift_remove(&key(k))
            .unwrap_or(Value::Null)),
        ("replace", [k, v]) => {
            let mut m = map.borrow_mut();
            match m.get_mut(&key(k)) {
                Some(slot) => ok(std::mem::replace(slot, v.clone())),
                None => ok(Value::Null),
            }
        }
        ("remove", [k, v]) => {
            let mut m = map.borrow_mut();
            let matches = m.get(&key(k)).is_some_and(|x| java_equals(x, v));
            if matches {
                m.shift_remove(&key(k));
            }
            ok(matches)
        }
        ("putAll", [Value::Map(other)]) if out_of_room(other.borrow().len()) => void(),
        ("putAll", [Value::Map(other)]) => {
            let entries: Vec<(Key, Value)> = other
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            map.borrow_mut().extend(entries);
            void()
        }
        _ => None,
    }
}

/// A `java.util.Iterator` over a snapshot of a collection.
pub(crate) struct Iter {
    items: Vec<Value>,
    next: std::cell::Cell<usize>,
}

impl Iter {
    fn new(items: Vec<Value>) -> Iter {
        Iter {
            items,
            next: std::cell::Cell::new(0),
        }
    }
}

impl Object for Iter {
    fn call(&self, name: &str, args: &[Value]) -> Call {
        let i = self.next.get();
        match (name, args) {
            ("hasNext", []) => ok(i < self.items.len()),
            ("next", []) => match self.items.get(i) {
                Some(v) => {
                    self.next.set(i + 1);
                    ok(v.clone())
                }
                None => Some(Err(exception(
                    name,
                    "java.util.NoSuchElementException",
                    "no more elements",
                ))),
            },
            _ => None,
        }
    }

    fn to_java_string(&self) -> String {
        "java.util.Iterator".to_string()
    }

    fn iterate(&self) -> Option<Vec<Value>> {
        let i = self.next.replace(self.items.len());
        Some(self.items[i.min(self.items.len())..].to_vec())
    }
}

/// A `Map.Entry` from `entrySet()`: `$e.key`, `$e.value`, printing as `key=value`.
pub(crate) struct Entry {
    key: Value,
    value: Value,
}

impl Object for Entry {
    fn property(&self, name: &str) -> Option<Value> {
        let v = match name {
            "key" => &self.key,
            "value" => &self.value,
            _ => return None,
        };
        (!v.is_null()).then(|| v.clone())
    }

    fn call(&self, name: &str, args: &[Value]) -> Call {
        match (name, args) {
            ("getKey", []) => ok(self.key.clone()),
            ("getValue", []) => ok(self.value.clone()),
            ("toString", []) => ok(self.to_java_string()),
            _ => None,
        }
    }

    fn to_java_string(&self) -> String {
        format!(
            "{}={}",
            self.key.to_java_string(),
            self.value.to_java_string()
        )
    }
}
