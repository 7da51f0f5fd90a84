//! Selection patterns: which integration response a backend result gets. A pattern is a
//! Java regular expression matched against the whole Lambda `errorMessage` or the backend's
//! status code.

use crate::java::regex::JavaRegex;
use crate::{Error, ErrorKind};

/// The work one selection pattern may do on one value, in a render's steps.
const SELECTION_STEPS: u64 = 100_000_000;

/// A compiled selection pattern.
///
/// ```
/// use vtl::apigateway::SelectionPattern;
/// let p = SelectionPattern::new(r"^\[400:.*").unwrap();
/// assert!(p.matches("[400:BadRequest] fuga is not hoge").unwrap());
/// // The whole string must match, and `.` does not match a line break.
/// assert!(!SelectionPattern::new("Invalid").unwrap().matches("Invalid request").unwrap());
/// assert!(!SelectionPattern::new(".+").unwrap().matches("line1\nline2").unwrap());
/// assert!(SelectionPattern::new(r"(\n|.)+").unwrap().matches("line1\nline2").unwrap());
/// ```
#[derive(Debug)]
pub struct SelectionPattern {
    text: String,
    regex: JavaRegex,
}

impl SelectionPattern {
    /// Compiles a Java regular expression. A pattern Java rejects, or one whose meaning
    /// this crate cannot reproduce exactly, is an error naming the spot (column = index + 1).
    pub fn new(pattern: &str) -> Result<SelectionPattern, Error> {
        let regex = JavaRegex::new(pattern)
            .and_then(|r| r.prepare().map(|()| r))
            .map_err(|e| {
                let column = e
                    .split("index ")
                    .nth(1)
                    .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
                    .and_then(|n| n.parse::<usize>().ok())
                    .map_or(1, |i| i.min(pattern.chars().count()) + 1);
                Error::new(ErrorKind::Syntax, format!("invalid selection pattern: {e}"))
                    .at(1, column)
            })?;
        Ok(SelectionPattern {
            text: pattern.to_string(),
            regex,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `input` matches as a whole (`Pattern.matches`). Fails, rather than hanging,
    /// when matching would backtrack without bound.
    pub fn matches(&self, input: &str) -> Result<bool, Error> {
        // Outside a render, matching has a budget of its own (about a second at most).
        let outer = crate::limits::refuel(SELECTION_STEPS);
        let matched = self.regex.is_match(input);
        crate::limits::refuel(outer);
        matched.map_err(|e| {
            Error::new(
                ErrorKind::Limit,
                format!(
                    "selection pattern `{}` could not be matched: {e}",
                    self.text
                ),
            )
        })
    }
}

/// The integration response a value selects among `patterns` (in definition order; `None`
/// or an empty pattern marks the default): the first pattern that matches, else the
/// default, else none. `value` is `None` for a successful Lambda invocation, which only a
/// pattern matching the empty string (such as `.*`) selects.
pub fn select<'a>(
    patterns: impl IntoIterator<Item = (usize, Option<&'a SelectionPattern>)>,
    value: Option<&str>,
) -> Result<Option<usize>, Error> {
    let mut default = None;
    for (index, pattern) in patterns {
        match pattern {
            None => {
                default.get_or_insert(index);
            }
            Some(p) if p.as_str().is_empty() => {
                default.get_or_insert(index);
            }
            Some(p) => {
                if p.matches(value.unwrap_or(""))? {
                    return Ok(Some(index));
                }
            }
        }
    }
    Ok(default)
}
