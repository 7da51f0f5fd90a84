//! Expressions: values, truth in `#if`, arithmetic, comparison.

use std::cmp::Ordering;
use std::rc::Rc;
use std::sync::Arc;

use super::{Renderer, Step};
use crate::ErrorKind;
use crate::syntax::ast::{CompareOp, Expr, ExprKind};
use crate::value::number::{self, MathOp};
use crate::value::{Key, Value};

impl Renderer<'_> {
    /// The value of an expression; `None` is Java `null`.
    pub(super) fn value(
        &mut self,
        e: &Expr,
        src: &Arc<str>,
        out: &mut String,
    ) -> Step<Option<Value>> {
        Ok(Some(match &e.kind {
            ExprKind::Reference(r) => {
                return match self.in_place(r, |found| found.cloned()) {
                    Some(Some(v)) => Ok(Some(v)),
                    Some(None) => Ok(self.settle(r, None, src)),
                    None => self.resolve(r, src, out),
                };
            }
            ExprKind::Str(s) => Value::Str(Arc::clone(s)),
            ExprKind::Interpolated(text, block) => {
                let mut s = String::new();
                self.block(block, text, &mut s)?;
                self.built_string(s.len(), e.span, src)?;
                Value::from(s)
            }
            ExprKind::Int(n) => Value::Int(*n),
            ExprKind::Long(n) => Value::Long(*n),
            ExprKind::BigInt(digits) => number::integer_literal(digits),
            ExprKind::Double(d) => Value::Double(*d),
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Word(_) => return Ok(None),
            ExprKind::List(items) => {
                // Steps only: a literal is mostly a temporary; what keeps it (`add`, `put`)
                // counts its memory.
                self.steps += items.len() as u64 * 2;
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    let v = self.value(item, src, out)?;
                    values.push(self.materialize(v)?);
                }
                Value::new_list(values)
            }
            ExprKind::Map(entries) => {
                // Hashing and inserting an entry takes about six steps.
                self.steps += entries.len() as u64 * 6;
                let mut map = crate::value::Map::with_capacity(entries.len());
                for (k, v) in entries {
                    let k = self.value(k, src, out)?;
                    let k = self.materialize(k)?;
                    let v = self.value(v, src, out)?;
                    let v = self.materialize(v)?;
                    map.insert(Key::from(k), v);
                }
                Value::new_map(map)
            }
            ExprKind::Range(from, to) => {
                let (Some(a), Some(b)) = (self.value(from, src, out)?, self.value(to, src, out)?)
                else {
                    return Ok(None);
                };
                let (Some(a), Some(b)) = (
                    number::int_value(&a).filter(|_| a.is_number()),
                    number::int_value(&b).filter(|_| b.is_number()),
                ) else {
                    return Ok(None);
                };
                let (a, b) = (i64::from(a), i64::from(b));
                let max = self.limits.max_range as i64;
                if (a - b).abs() >= max {
                    return Err(self.error(
                        src,
                        e.span,
                        ErrorKind::Limit,
                        format!("range [{a}..{b}] has more than {max} elements"),
                    ));
                }
                let items: Vec<Value> = if a <= b {
                    (a..=b).map(|n| Value::Int(n as i32)).collect()
                } else {
                    (b..=a).rev().map(|n| Value::Int(n as i32)).collect()
                };
                self.steps += items.len() as u64;
                Value::new_list(items)
            }
            ExprKind::Math(op, l, r) => return self.math(*op, l, r, src, out),
            ExprKind::Compare(..) | ExprKind::And(..) | ExprKind::Or(..) | ExprKind::Not(_) => {
                Value::Bool(self.truth(e, src, out)?)
            }
            ExprKind::Group(inner) => return self.value(inner, src, out),
        }))
    }

    /// Velocity's truth of an expression in `#if`: a reference is false only when null
    /// or `false`; a literal other than `true` is false.
    pub(super) fn truth(&mut self, e: &Expr, src: &Arc<str>, out: &mut String) -> Step<bool> {
        Ok(match &e.kind {
            ExprKind::Reference(r) => match self.in_place(r, |found| found.map(Value::is_truthy)) {
                Some(Some(truth)) => truth,
                Some(None) => self.settle(r, None, src).is_some_and(|v| v.is_truthy()),
                None => match self.resolve(r, src, out)? {
                    // Velocity calls `toString()` on what it tests: a defined block renders
                    // (for its effects, `#stop` included).
                    Some(block @ Value::Define(_)) => {
                        self.stringify(&block)?;
                        true
                    }
                    v => v.is_some_and(|v| v.is_truthy()),
                },
            },
            ExprKind::Bool(b) => *b,
            ExprKind::Group(inner) => self.truth(inner, src, out)?,
            ExprKind::Not(inner) => !self.truth(inner, src, out)?,
            ExprKind::And(l, r) => self.truth(l, src, out)? && self.truth(r, src, out)?,
            ExprKind::Or(l, r) => self.truth(l, src, out)? || self.truth(r, src, out)?,
            ExprKind::Compare(op, l, r) => {
                let a = self.value(l, src, out)?;
                let a = self.defined_to_string(a)?;
                let b = self.value(r, src, out)?;
                let b = self.defined_to_string(b)?;
                compare(*op, a.as_ref(), b.as_ref()).map_err(|(class, msg)| {
                    self.error(src, e.span, ErrorKind::Render, format!("{class}: {msg}"))
                })?
            }
            _ => false,
        })
    }

    /// A defined block as the text it renders; any other value as it is.
    #[inline]
    fn defined_to_string(&mut self, v: Option<Value>) -> Step<Option<Value>> {
        match v {
            Some(block @ Value::Define(_)) => Ok(Some(Value::from(self.stringify(&block)?))),
            other => Ok(other),
        }
    }

    fn math(
        &mut self,
        op: MathOp,
        l: &Expr,
        r: &Expr,
        src: &Arc<str>,
        out: &mut String,
    ) -> Step<Option<Value>> {
        let a = self.value(l, src, out)?;
        let a = self.defined_to_string(a)?;
        let b = self.value(r, src, out)?;
        let b = self.defined_to_string(b)?;
        // `+` with a string on either side concatenates; a null side then contributes
        // its own source text.
        if op == MathOp::Add
            && (matches!(a, Some(Value::Str(_))) || matches!(b, Some(Value::Str(_))))
        {
            let left = a.map_or_else(|| src[l.span.range()].to_string(), |v| v.to_java_string());
            let right = b.map_or_else(|| src[r.span.range()].to_string(), |v| v.to_java_string());
            self.built_string(left.len() + right.len(), l.span, src)?;
            return Ok(Some(Value::from(left + &right)));
        }
        match (a, b) {
            (Some(a), Some(b)) if a.is_number() && b.is_number() => number::arithmetic(op, &a, &b)
                .map_err(|(class, msg)| {
                    self.error(src, l.span, ErrorKind::Render, format!("{class}: {msg}"))
                }),
            _ => Ok(None),
        }
    }
}

/// Velocity 1.7's comparison operators. `==` compares numbers by value, values of the same
/// kind with `equals`, anything else by `toString()`; null equals only null. The ordering
/// operators need two numbers and are false otherwise.
pub(crate) fn compare(
    op: CompareOp,
    a: Option<&Value>,
    b: Option<&Value>,
) -> Result<bool, number::MathError> {
    Ok(match op {
        CompareOp::Eq => equals(a, b)?,
        CompareOp::Ne => match (a, b) {
            (None, None) => false,
            _ => !equals(a, b)?,
        },
        _ => {
            let (Some(a), Some(b)) = (a, b) else {
                return Ok(false);
            };
            if !a.is_number() || !b.is_number() {
                return Ok(false);
            }
            let ord = number::try_compare(a, b)?;
            match op {
                CompareOp::Lt => ord == Ordering::Less,
                CompareOp::Le => ord != Ordering::Greater,
                CompareOp::Gt => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            }
        }
    })
}

fn equals(a: Option<&Value>, b: Option<&Value>) -> Result<bool, number::MathError> {
    let (Some(a), Some(b)) = (a, b) else {
        return Ok(a.is_none() && b.is_none());
    };
    let (a, b) = (&*a.resolve(), &*b.resolve());
    if a.is_number() && b.is_number() {
        return Ok(number::try_compare(a, b)? == Ordering::Equal);
    }
    let same_kind = matches!(
        (a, b),
        (Value::Str(_), Value::Str(_))
            | (Value::Bool(_), Value::Bool(_))
            | (Value::List(..), Value::List(..))
            | (Value::Map(_), Value::Map(_))
            | (Value::Null, Value::Null)
    );
    if same_kind {
        return Ok(crate::value::key::java_equals(a, b));
    }
    if let (Value::Object(x), Value::Object(y)) = (a, b)
        && Rc::ptr_eq(x, y)
    {
        return Ok(true);
    }
    Ok(a.to_java_string() == b.to_java_string())
}
