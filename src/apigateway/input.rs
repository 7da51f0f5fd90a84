//! `$input`: the payload (`body`, `json(path)`, `path(path)`) and the method request
//! parameters (`params()`, `params(name)`).

use std::cell::RefCell;
use std::sync::Arc;

use super::json;
use super::jsonpath::{Found, JsonPath};
use super::request::{Strings, pairs_map};
use crate::value::MapRef;
use crate::value::{Key, Object, Value};
use crate::{Error, ErrorKind};
use std::rc::Rc;

/// What API Gateway gives a template for an empty payload.
pub(crate) const EMPTY_BODY: &str = "{}";

/// The `$input` of one render: the body is parsed on first use and kept for the render,
/// so changes a template makes to what `path` returned are seen by later calls.
pub(crate) struct Input {
    body: Arc<str>,
    /// `params()`, made on first use, with its three groups: `params(name)` reads the
    /// groups themselves, so it sees what a template changed in them.
    params: std::cell::OnceCell<(Value, [MapRef; 3])>,
    /// `json('$')` while the body is not parsed: the text, written straight from the body.
    root_json: std::cell::OnceCell<Option<Arc<str>>>,
    strings: Arc<Strings>,
    parsed: RefCell<Option<Result<Value, String>>>,
}

impl Input {
    pub(crate) fn new(body: Arc<str>, strings: Arc<Strings>) -> Input {
        Input {
            body,
            params: std::cell::OnceCell::new(),
            root_json: std::cell::OnceCell::new(),
            strings,
            parsed: RefCell::new(None),
        }
    }

    fn fail(method: &str, message: String) -> Error {
        Error::new(ErrorKind::Render, format!("$input.{method}: {message}"))
    }

    /// Evaluates a JSONPath on the parsed body. The body is read first: an invalid body
    /// fails whatever the path, and a body that is JSON `null` has nothing below its root
    /// whatever the path, valid or not.
    fn read(&self, method: &str, path: &str) -> Result<Found, Error> {
        self.check_size(method)?;
        if self.parsed.borrow().is_none() {
            let parsed = json::parse_shared(&self.body).map_err(|e| {
                if e.starts_with(json::LIMIT) {
                    e
                } else {
                    format!("InvalidJsonException: {e}")
                }
            });
            *self.parsed.borrow_mut() = Some(parsed);
        }
        let parsed = self.parsed.borrow();
        let path = JsonPath::parse(path);
        match (parsed.as_ref(), path) {
            (Some(Err(e)), _) if e.starts_with(json::LIMIT) => Err(Error::new(
                ErrorKind::Limit,
                format!("$input.{method}: {}", &e[json::LIMIT.len()..]),
            )),
            (Some(Err(e)), _) => Err(Self::fail(method, e.clone())),
            (Some(Ok(Value::Null)), Err(_)) => Ok(Found::Missing),
            (_, Err(e)) => Err(Self::fail(method, e)),
            (Some(Ok(root)), Ok(path)) => path.eval(root).map_err(|e| Self::fail(method, e)),
            (None, Ok(_)) => Ok(Found::Missing),
        }
    }

    /// Refuses a payload larger than API Gateway accepts, before reading it.
    fn check_size(&self, method: &str) -> Result<(), Error> {
        if self.body.len() > super::MAX_PAYLOAD_BYTES {
            return Err(Error::new(
                ErrorKind::Limit,
                format!(
                    "$input.{method}: the payload has {} bytes; API Gateway accepts at most {}",
                    self.body.len(),
                    super::MAX_PAYLOAD_BYTES
                ),
            ));
        }
        Ok(())
    }

    /// `params()` and its groups.
    fn params(&self) -> &(Value, [MapRef; 3]) {
        self.params.get_or_init(|| {
            let s = &self.strings;
            let groups = [&s.path, &s.querystring, &s.header].map(pairs_map);
            // The three group names differ.
            let all = Value::new_map(crate::value::Map::from_distinct(
                s.groups
                    .iter()
                    .zip(&groups)
                    .map(|(name, map)| {
                        (
                            Key(Value::Str(Arc::clone(name))),
                            Value::Map(Rc::clone(map)),
                        )
                    })
                    .collect(),
            ));
            (all, groups)
        })
    }

    fn param(&self, name: &str) -> Value {
        if let Some((_, groups)) = self.params.get() {
            let key = crate::value::key::StrKey(name);
            return groups
                .iter()
                .find_map(|g| g.borrow().get(&key).cloned())
                .unwrap_or_else(Value::empty_string);
        }
        let s = &self.strings;
        [&s.path, &s.querystring, &s.header]
            .into_iter()
            .find_map(|pairs| pairs.iter().find(|(k, _)| **k == *name))
            .map_or_else(Value::empty_string, |(_, v)| Value::Str(Arc::clone(v)))
    }
}

impl Object for Input {
    fn property(&self, name: &str) -> Option<Value> {
        match name {
            "body" | "Body" if self.body.len() <= super::MAX_PAYLOAD_BYTES => {
                Some(Value::Str(Arc::clone(&self.body)))
            }
            _ => None,
        }
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, Error>> {
        let path_arg = |args: &[Value]| match args {
            [Value::Str(s)] => Some(s.clone()),
            _ => None,
        };
        Some(match name {
            "getBody" if args.is_empty() => Ok(Value::Str(Arc::clone(&self.body))),
            "path" => {
                let p = path_arg(args)?;
                self.read(name, &p).map(|found| match found {
                    Found::Missing => Value::Null,
                    Found::Value(v) => v,
                })
            }
            "json" => {
                let p = path_arg(args)?;
                // The whole body as JSON, while no `path` has handed out (changeable)
                // values: no values to build.
                if let Err(e) = self.check_size(name) {
                    return Some(Err(e));
                }
                if &*p == "$"
                    && self.parsed.borrow().is_none()
                    && let Some(text) = self
                        .root_json
                        .get_or_init(|| json::transcode(&self.body).map(Arc::from))
                {
                    return Some(Ok(Value::Str(Arc::clone(text))));
                }
                self.read(name, &p).map(|found| {
                    let mut out = String::new();
                    match found {
                        Found::Missing => out.push_str("\"\""),
                        Found::Value(v) => crate::value::write_json(&v, &mut out),
                    }
                    Value::from(out)
                })
            }
            "params" => match args {
                [] => Ok(self.params().0.clone()),
                [Value::Str(s)] => Ok(self.param(s)),
                _ => Err(crate::java::wrong_arity(name)),
            },
            _ => return None,
        })
    }

    fn to_java_string(&self) -> String {
        "$input".to_string()
    }
}
