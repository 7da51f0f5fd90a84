//! `$context`: the request's context object, navigable like maps, where a whole nested
//! object prints as `""` as on API Gateway, and the override maps can each be set once.

use std::cell::{OnceCell, RefCell};
use std::rc::{Rc, Weak};
use std::sync::Arc;

use super::request::{Frozen, Strings};
use crate::value::key::StrKey;
use crate::value::{Key, MapRef, Object, Value};
use crate::{Error, ErrorKind};

/// A map of `$context`.
pub(crate) struct ContextMap {
    entries: Entries,
    /// `$context` itself prints as a map; nested objects print as `""`.
    top: bool,
    /// The override maps: setting a key a second time is an error (API Gateway answers 500).
    once: bool,
    /// The objects made so far for the maps inside this one: reading `$context.identity`
    /// again gives the same object, as in Java, and allocates nothing.
    wrapped: RefCell<Vec<Rc<ContextMap>>>,
}

/// Where the entries of a map of `$context` are.
enum Entries {
    Map(MapRef),
    InPlace(InPlace),
}

/// How deep in the request's context objects are read in place; deeper ones are read
/// from the map.
const DEPTH: usize = 4;

/// An object of the request's own context, read in place while a template reads only its
/// strings, numbers and objects. When a template needs a map (to change it, call a
/// method, print `$context`), the whole `$context` map is made, and each object already
/// read takes its own map from it, so that all see the same changes, as Java maps do.
struct InPlace {
    strings: Arc<Strings>,
    /// The object: the indexes of the entries leading to it from `$context`.
    path: [u32; DEPTH],
    depth: usize,
    /// Its map, once made.
    made: OnceCell<MapRef>,
    /// The object it was read from (none for `$context`), and itself.
    parent: Weak<ContextMap>,
    me: Weak<ContextMap>,
}

impl ContextMap {
    /// `$context` over a map that may be shared with other templates of the call.
    pub(crate) fn top(inner: MapRef) -> ContextMap {
        ContextMap::new(Entries::Map(inner), true, false)
    }

    /// `$context` of a request, read in place.
    pub(crate) fn of_request(strings: Arc<Strings>) -> Rc<ContextMap> {
        Rc::new_cyclic(|me| {
            let entries = InPlace {
                strings,
                path: [0; DEPTH],
                depth: 0,
                made: OnceCell::new(),
                parent: Weak::new(),
                me: me.clone(),
            };
            ContextMap::new(Entries::InPlace(entries), true, false)
        })
    }

    fn new(entries: Entries, top: bool, once: bool) -> ContextMap {
        ContextMap {
            entries,
            top,
            once,
            wrapped: RefCell::default(),
        }
    }

    /// The map, made if it is not.
    fn map(&self) -> &MapRef {
        let at = match &self.entries {
            Entries::Map(map) => return map,
            Entries::InPlace(at) => at,
        };
        // Making the parent's map gives this object its own, from within it.
        if at.made.get().is_none()
            && let Some(parent) = at.parent.upgrade()
        {
            parent.map();
        }
        if at.made.get().is_none() {
            self.bind(if self.top {
                super::context_map(&at.strings)
            } else {
                // Its parent is gone: no other object can see this one's map.
                match at.node().map(Frozen::value) {
                    Some(Value::Map(map)) => map,
                    _ => Rc::default(),
                }
            });
        }
        at.made.get_or_init(Rc::default)
    }

    /// The map if made, without making it.
    fn made(&self) -> Option<&MapRef> {
        match &self.entries {
            Entries::Map(map) => Some(map),
            Entries::InPlace(at) => at.made.get(),
        }
    }

    /// Gives this in-place object `map`, and the objects read from it theirs within it.
    fn bind(&self, map: MapRef) {
        let Entries::InPlace(at) = &self.entries else {
            return;
        };
        let map = at.made.get_or_init(|| map).borrow();
        let entries = at.entries();
        for child in self.wrapped.borrow().iter() {
            let Entries::InPlace(inner) = &child.entries else {
                continue;
            };
            let Some(&index) = inner.path[..inner.depth].last() else {
                continue;
            };
            let key = entries.get(index as usize);
            if let Some(Value::Map(m)) = key.and_then(|(k, _)| map.get(&StrKey(k))) {
                child.bind(Rc::clone(m));
            }
        }
    }

    /// Whether a map read at `key` takes an override's rule.
    fn once_at(&self, key: Option<&str>) -> bool {
        self.once || (self.top && matches!(key, Some("requestOverride" | "responseOverride")))
    }

    /// `$context...name` read in place: `Some` when the answer is known without the map
    /// (a string, a scalar, an object, or no such entry).
    fn in_place(&self, name: &str) -> Option<Option<Value>> {
        let Entries::InPlace(at) = &self.entries else {
            return None;
        };
        if at.made.get().is_some() {
            return None;
        }
        let entries = at.entries();
        let Some(index) = entries.iter().position(|(k, _)| **k == *name) else {
            // The override maps are in `$context`'s map whatever the request holds.
            let made_anyway = self.top && at.strings.overrides.iter().any(|o| **o == *name);
            return (!made_anyway).then_some(None);
        };
        match &entries[index].1 {
            found @ (Frozen::Str(_) | Frozen::Scalar(_)) => {
                let v = found.value();
                Some((!v.is_null()).then_some(v))
            }
            Frozen::Map(_) if at.depth < DEPTH => Some(Some(self.child(at, index, name))),
            _ => None,
        }
    }

    /// The in-place object at entry `index`, the same one each time.
    fn child(&self, at: &InPlace, index: usize, name: &str) -> Value {
        let once = self.once_at(Some(name));
        let mut wrapped = self.wrapped.borrow_mut();
        let found = wrapped.iter().find(|w| match &w.entries {
            Entries::InPlace(inner) => inner.path[at.depth] as usize == index && w.once == once,
            Entries::Map(_) => false,
        });
        if let Some(w) = found {
            return Value::Object(Rc::clone(w) as Rc<dyn Object>);
        }
        let mut path = at.path;
        path[at.depth] = index as u32;
        let w = Rc::new_cyclic(|me| {
            let entries = InPlace {
                strings: Arc::clone(&at.strings),
                path,
                depth: at.depth + 1,
                made: OnceCell::new(),
                parent: at.me.clone(),
                me: me.clone(),
            };
            ContextMap::new(Entries::InPlace(entries), false, once)
        });
        wrapped.push(Rc::clone(&w));
        Value::Object(w)
    }

    /// Wraps a value found in this map.
    fn wrap(&self, key: Option<&str>, v: Value) -> Value {
        let Value::Map(m) = v else {
            return v;
        };
        let once = self.once_at(key);
        let mut wrapped = self.wrapped.borrow_mut();
        let found = wrapped
            .iter()
            .find(|w| w.made().is_some_and(|made| Rc::ptr_eq(made, &m)) && w.once == once);
        let object = match found {
            Some(w) => Rc::clone(w),
            None => {
                let w = Rc::new(ContextMap::new(Entries::Map(m), false, once));
                wrapped.push(Rc::clone(&w));
                w
            }
        };
        Value::Object(object)
    }

    fn set(&self, key: &Value, value: Value) -> Result<Value, Error> {
        let key = Key::from(key.clone());
        let mut map = self.map().borrow_mut();
        if self.once && map.contains_key(&key) {
            return Err(Error::new(
                ErrorKind::Render,
                format!(
                    "the override {} is set twice; API Gateway applies an override only once",
                    key.value().to_java_string()
                ),
            ));
        }
        Ok(map.insert(key, value).unwrap_or(Value::Null))
    }
}

impl Object for ContextMap {
    fn property(&self, name: &str) -> Option<Value> {
        if crate::java::is_class_property(name) {
            return crate::java::property(&Value::Map(Rc::clone(self.map())), name);
        }
        if let Some(found) = self.in_place(name) {
            return found;
        }
        let v = self.map().borrow().get(&StrKey(name)).cloned()?;
        (!v.is_null()).then(|| self.wrap(Some(name), v))
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, Error>> {
        if let ("put", [k, v]) = (name, args) {
            return Some(self.set(k, v.clone()));
        }
        let result = crate::java::call(&Value::Map(Rc::clone(self.map())), name, args)?;
        let key = match (name, args) {
            ("get", [Value::Str(k)]) => Some(k.to_string()),
            _ => None,
        };
        Some(result.map(|v| self.wrap(key.as_deref(), v)))
    }

    fn assign(&self, key: &Value, value: Value) -> Option<Result<(), Error>> {
        Some(self.set(key, value).map(|_| ()))
    }

    fn index(&self, key: &Value) -> Option<Value> {
        let name = key.as_str().map(str::to_string);
        let v = self.map().borrow().get(&Key::from(key.clone())).cloned()?;
        (!v.is_null()).then(|| self.wrap(name.as_deref(), v))
    }

    fn to_java_string(&self) -> String {
        if self.top {
            Value::Map(Rc::clone(self.map())).to_java_string()
        } else {
            String::new()
        }
    }

    fn iterate(&self) -> Option<Vec<Value>> {
        Some(
            self.map()
                .borrow()
                .values()
                .map(|v| self.wrap(None, v.clone()))
                .collect(),
        )
    }
}

impl InPlace {
    /// The object's node in the request's context (none for `$context` itself).
    fn node(&self) -> Option<&Frozen> {
        let (&first, rest) = self.path[..self.depth].split_first()?;
        let mut node = &self.strings.context.get(first as usize)?.1;
        for &i in rest {
            let Frozen::Map(entries) = node else {
                return None;
            };
            node = &entries.get(i as usize)?.1;
        }
        Some(node)
    }

    /// The object's entries.
    fn entries(&self) -> &[(Arc<str>, Frozen)] {
        if self.depth == 0 {
            return &self.strings.context;
        }
        match self.node() {
            Some(Frozen::Map(entries)) => entries,
            _ => &[],
        }
    }
}
