//! The log of each call on standard error, in the words of API Gateway's execution log
//! and of `TestInvokeMethod`, so that what it says reads as it does on AWS: one line a
//! call, or every step with `--log-bodies`.

use std::fmt::Write;

use vtl::apigateway::Params;

/// The lines of one call, written at once when it ends so calls do not interleave.
pub struct CallLog {
    id: String,
    full: bool,
    lines: String,
}

impl CallLog {
    /// A log for the call `id`; `full` keeps every step, else only what is always logged.
    pub fn new(id: &str, full: bool) -> CallLog {
        CallLog {
            id: id.to_string(),
            full,
            lines: String::new(),
        }
    }

    /// Records a line that is always written.
    pub fn always(&mut self, line: impl AsRef<str>) {
        let _ = writeln!(self.lines, "({}) {}", self.id, line.as_ref());
    }

    /// Records a step, kept with `--log-bodies` only: the line is made only then.
    pub fn step<S: AsRef<str>>(&mut self, line: impl FnOnce() -> S) {
        if self.full {
            self.always(line());
        }
    }

    /// Writes the call's lines.
    pub fn finish(self) {
        eprint!("{}", self.lines);
    }
}

/// Parameters as the execution log prints them, a Java map: `{id=7, q=a}`.
pub fn java_map<'a>(pairs: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    let inner: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", inner.join(", "))
}

/// [`java_map`] of parameters.
pub fn params(p: &Params) -> String {
    java_map(p.iter())
}
