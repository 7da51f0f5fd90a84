//! `$context`: the request's context object, navigable like maps, where a whole nested
//! object prints as `""` as on API Gateway, and the override maps can each be set once.

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use super::request::{Frozen, Strings};
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
    /// The request's own context, read in place until a template needs more than one of
    /// its strings or numbers: then the map is made, and used from there on.
    Request(Arc<Strings>, OnceCell<MapRef>),
}

impl ContextMap {
    /// `$context` over a map that may be shared with other templates of the call.
    pub(crate) fn top(inner: MapRef) -> ContextMap {
        ContextMap::new(Entries::Map(inner), true, false)
    }

    /// `$context` of a request, its map made only if a template needs it.
    pub(crate) fn of_request(strings: Arc<Strings>) -> ContextMap {
        ContextMap::new(Entries::Request(strings, OnceCell::new()), true, false)
    }

    fn new(entries: Entries, top: bool, once: bool) -> ContextMap {
        ContextMap {
            entries,
            top,
            once,
            wrapped: RefCell::default(),
        }
    }

    fn map(&self) -> &MapRef {
        match &self.entries {
            Entries::Map(map) => map,
            Entries::Request(strings, made) => made.get_or_init(|| super::context_map(strings)),
        }
    }

    /// `$context.name` read from the request itself while the map is not made: `Some`
    /// when the answer is known without the map (a string, a scalar, or no such entry).
    fn in_place(&self, name: &str) -> Option<Option<Value>> {
        let Entries::Request(strings, made) = &self.entries else {
            return None;
        };
        if made.get().is_some() {
            return None;
        }
        match strings.context.iter().find(|(k, _)| **k == *name) {
            Some((_, found @ (Frozen::Str(_) | Frozen::Scalar(_)))) => {
                let v = found.value();
                Some((!v.is_null()).then_some(v))
            }
            // The override maps are in the map whatever the request holds.
            None if !strings.overrides.iter().any(|o| **o == *name) => Some(None),
            _ => None,
        }
    }

    /// Wraps a value found in this map.
    fn wrap(&self, key: Option<&str>, v: Value) -> Value {
        let Value::Map(m) = v else {
            return v;
        };
        let once =
            self.once || (self.top && matches!(key, Some("requestOverride" | "responseOverride")));
        let mut wrapped = self.wrapped.borrow_mut();
        let found = wrapped
            .iter()
            .find(|w| Rc::ptr_eq(w.map(), &m) && w.once == once);
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
        let v = self
            .map()
            .borrow()
            .get(&crate::value::key::StrKey(name))
            .cloned()?;
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
