//! `$input`: the payload (`body`, `json(path)`, `path(path)`) and the method request
//! parameters (`params()`, `params(name)`).

use std::cell::RefCell;
use std::sync::Arc;

use indexmap::IndexMap;

use super::json;
use super::jsonpath::{Found, JsonPath};
use crate::value::{Key, Object, Value};
use crate::{Error, ErrorKind};

/// What API Gateway gives a template for an empty payload.
pub(crate) const EMPTY_BODY: &str = "{}";

/// The `$input` of one render: the body is parsed on first use and kept for the render,
/// so changes a template makes to what `path` returned are seen by later calls.
pub(crate) struct Input {
    body: Arc<str>,
    /// `params()`, made on first use.
    params: std::cell::OnceCell<Value>,
    path: Arc<IndexMap<String, String>>,
    querystring: Arc<IndexMap<String, String>>,
    header: Arc<IndexMap<String, String>>,
    parsed: RefCell<Option<Result<Value, String>>>,
}

fn string_map(m: &IndexMap<String, String>) -> Value {
    Value::new_map(
        m.iter()
            .map(|(k, v)| (Key::from(k.as_str()), Value::from(v.as_str())))
            .collect(),
    )
}

impl Input {
    pub(crate) fn new(
        body: Arc<str>,
        path: Arc<IndexMap<String, String>>,
        querystring: Arc<IndexMap<String, String>>,
        header: Arc<IndexMap<String, String>>,
    ) -> Input {
        Input {
            body,
            params: std::cell::OnceCell::new(),
            path,
            querystring,
            header,
            parsed: RefCell::new(None),
        }
    }

    fn fail(method: &str, message: String) -> Error {
        Error::new(ErrorKind::Render, format!("$input.{method}: {message}"))
    }

    /// Evaluates a JSONPath on the parsed body.
    fn read(&self, method: &str, path: &str) -> Result<Found, Error> {
        let path = JsonPath::parse(path).map_err(|e| Self::fail(method, e))?;
        if self.parsed.borrow().is_none() {
            let parsed = json::parse(&self.body).map_err(|e| format!("InvalidJsonException: {e}"));
            *self.parsed.borrow_mut() = Some(parsed);
        }
        let parsed = self.parsed.borrow();
        match parsed.as_ref() {
            Some(Ok(root)) => path.eval(root).map_err(|e| Self::fail(method, e)),
            Some(Err(e)) => Err(Self::fail(method, e.clone())),
            None => Ok(Found::Missing),
        }
    }

    fn param(&self, name: &str) -> Value {
        let found = self
            .path
            .get(name)
            .or_else(|| self.querystring.get(name))
            .or_else(|| self.header.get(name));
        Value::from(found.map_or("", String::as_str))
    }
}

impl Object for Input {
    fn property(&self, name: &str) -> Option<Value> {
        match name {
            "body" | "Body" => Some(Value::from(&*self.body)),
            _ => None,
        }
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, Error>> {
        let path_arg = |args: &[Value]| match args {
            [Value::Str(s)] => Some(s.clone()),
            _ => None,
        };
        Some(match name {
            "getBody" if args.is_empty() => Ok(Value::from(&*self.body)),
            "path" => {
                let p = path_arg(args)?;
                self.read(name, &p).map(|found| match found {
                    Found::Missing => Value::Null,
                    Found::Value(v) => v,
                })
            }
            "json" => {
                let p = path_arg(args)?;
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
                [] => Ok(self
                    .params
                    .get_or_init(|| {
                        let mut params = crate::value::Map::default();
                        params.insert(Key::from("path"), string_map(&self.path));
                        params.insert(Key::from("querystring"), string_map(&self.querystring));
                        params.insert(Key::from("header"), string_map(&self.header));
                        Value::new_map(params)
                    })
                    .clone()),
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
