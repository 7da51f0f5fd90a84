//! `$context`: the request's context object, navigable like maps, where a whole nested
//! object prints as `""` as on API Gateway, and the override maps can each be set once.

use std::cell::RefCell;
use std::rc::Rc;

use crate::value::{Key, MapRef, Object, Value};
use crate::{Error, ErrorKind};

/// A map of `$context`.
pub(crate) struct ContextMap {
    inner: MapRef,
    /// `$context` itself prints as a map; nested objects print as `""`.
    top: bool,
    /// The override maps: setting a key a second time is an error (API Gateway answers 500).
    once: bool,
    /// The objects made so far for the maps inside this one: reading `$context.identity`
    /// again gives the same object, as in Java, and allocates nothing.
    wrapped: RefCell<Vec<Rc<ContextMap>>>,
}

impl ContextMap {
    pub(crate) fn top(inner: MapRef) -> ContextMap {
        ContextMap {
            inner,
            top: true,
            once: false,
            wrapped: RefCell::default(),
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
            .find(|w| Rc::ptr_eq(&w.inner, &m) && w.once == once);
        let object = match found {
            Some(w) => Rc::clone(w),
            None => {
                let w = Rc::new(ContextMap {
                    inner: m,
                    top: false,
                    once,
                    wrapped: RefCell::default(),
                });
                wrapped.push(Rc::clone(&w));
                w
            }
        };
        Value::Object(object)
    }

    fn set(&self, key: &Value, value: Value) -> Result<Value, Error> {
        let key = Key::from(key.clone());
        let mut map = self.inner.borrow_mut();
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
            return crate::java::property(&Value::Map(Rc::clone(&self.inner)), name);
        }
        let v = self
            .inner
            .borrow()
            .get(&crate::value::key::StrKey(name))
            .cloned()?;
        (!v.is_null()).then(|| self.wrap(Some(name), v))
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, Error>> {
        if let ("put", [k, v]) = (name, args) {
            return Some(self.set(k, v.clone()));
        }
        let result = crate::java::call(&Value::Map(Rc::clone(&self.inner)), name, args)?;
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
        let v = self.inner.borrow().get(&Key::from(key.clone())).cloned()?;
        (!v.is_null()).then(|| self.wrap(name.as_deref(), v))
    }

    fn to_java_string(&self) -> String {
        if self.top {
            Value::Map(Rc::clone(&self.inner)).to_java_string()
        } else {
            String::new()
        }
    }

    fn iterate(&self) -> Option<Vec<Value>> {
        Some(
            self.inner
                .borrow()
                .values()
                .map(|v| self.wrap(None, v.clone()))
                .collect(),
        )
    }
}
