//! Map keys with Java's `equals`/`hashCode` semantics: `1`, `1L` and `"1"` are three keys.

use std::hash::{Hash, Hasher};
use std::rc::Rc;
use std::sync::Arc;

use super::Value;

/// A key of a template map. Strings are by far the most common; other values keep their
/// Java type so that `Integer 1` and `String "1"` stay distinct, as in a `LinkedHashMap`.
#[derive(Clone, Debug)]
pub struct Key(pub(crate) Value);

impl Key {
    /// The key as a value.
    pub fn value(&self) -> &Value {
        &self.0
    }
}

impl From<&str> for Key {
    fn from(s: &str) -> Key {
        Key(Value::Str(Arc::from(s)))
    }
}

impl From<Value> for Key {
    fn from(v: Value) -> Key {
        Key(v)
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        java_equals(&self.0, &other.0)
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match &self.0 {
            Value::Null => 0u8.hash(state),
            Value::Bool(b) => b.hash(state),
            Value::Int(n) => n.hash(state),
            Value::Long(n) => n.hash(state),
            Value::BigInt(n) => n.hash(state),
            Value::Double(d) => d.to_bits().hash(state),
            Value::BigDecimal(d) => d.to_java_string().hash(state),
            Value::Str(s) => s.hash(state),
            // Collections hash by a summary that equal collections share: a list by its
            // length and first elements, a map by its size and, when small, its entries
            // (in any order, as map equality has none). Nested collections count by
            // size alone, so hashing stays cheap however deep a key is.
            Value::List(items, _) => {
                2u8.hash(state);
                if let Ok(items) = items.try_borrow() {
                    items.len().hash(state);
                    for item in items.iter().take(HASHED_ITEMS) {
                        shallow_hash(item).hash(state);
                    }
                }
            }
            Value::Map(map) => {
                3u8.hash(state);
                if let Ok(map) = map.try_borrow() {
                    map.len().hash(state);
                    if map.len() <= HASHED_ITEMS {
                        let entries = map
                            .iter()
                            .map(|(k, v)| shallow_hash(&k.0) ^ shallow_hash(v).rotate_left(1));
                        entries.fold(0u64, u64::wrapping_add).hash(state);
                    }
                }
            }
            // Objects are equal only to themselves, so their address is their hash (their
            // text could need a map that is being written).
            Value::Object(o) => (Rc::as_ptr(o) as *const () as usize).hash(state),
            Value::Json(json) => Key(json.value()).hash(state),
            Value::Define(_) => 1u8.hash(state),
        }
    }
}

/// Elements of a list, or keys of a map, that its hash covers.
const HASHED_ITEMS: usize = 8;

/// A hash of a collection's element: its own hash, or a nested collection's kind and size.
fn shallow_hash(v: &Value) -> u64 {
    use std::hash::BuildHasher;
    let hasher = foldhash::fast::FixedState::default();
    match v {
        Value::List(items, _) => hasher.hash_one((2u8, items.try_borrow().map_or(0, |l| l.len()))),
        Value::Map(map) => hasher.hash_one((3u8, map.try_borrow().map_or(0, |m| m.len()))),
        Value::Json(json) => shallow_hash(&json.value()),
        other => hasher.hash_one(Key(other.clone())),
    }
}

/// Java's `a.equals(b)` for two values: same class and same content.
pub(crate) fn java_equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => {
            return (compared(x, y) && same_str(x, y)) || crate::java::surrogate::same_units(x, y);
        }
        // Values that hold no others compare at once, whatever work the render has left.
        (Value::List(..) | Value::Map(_) | Value::Json(_), _)
        | (_, Value::List(..) | Value::Map(_) | Value::Json(_)) => {}
        _ => return equals_at(a, b, 0, &mut 1),
    }
    // A map's keys may hold collections that hold the map: comparing them starts a new
    // comparison, so nesting is counted across them too.
    let Some(_nested) = Nesting::enter() else {
        return false;
    };
    // Each value visited is a unit of the render's work; with none left, nothing is
    // equal (the render fails at its next step).
    crate::limits::with_budget(MAX_VISITS, |budget| equals_at(a, b, 0, budget))
}

thread_local! {
    /// Collection comparisons under way on this thread, one inside another.
    static NESTING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// One collection comparison under way; `None` past `MAX_DEPTH` of them.
struct Nesting;

impl Nesting {
    fn enter() -> Option<Nesting> {
        NESTING.with(|n| {
            (n.get() < MAX_DEPTH).then(|| {
                n.set(n.get() + 1);
                Nesting
            })
        })
    }
}

impl Drop for Nesting {
    fn drop(&mut self) {
        NESTING.with(|n| n.set(n.get() - 1));
    }
}

/// Values compared at most per comparison: collections made of shared parts can be
/// exponentially large when walked; past this they compare unequal.
pub(crate) const MAX_VISITS: usize = 1_000_000;

/// Collections nested deeper than this compare unequal: Java would overflow its stack on
/// collections that contain themselves, and a renderer must not.
pub(crate) const MAX_DEPTH: usize = 200;

fn equals_at(a: &Value, b: &Value, depth: usize, budget: &mut usize) -> bool {
    if depth > MAX_DEPTH || *budget == 0 {
        return false;
    }
    if matches!(a, Value::Json(_)) || matches!(b, Value::Json(_)) {
        return equals_at(&a.resolve(), &b.resolve(), depth, budget);
    }
    *budget -= 1;
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Long(x), Value::Long(y)) => x == y,
        (Value::BigInt(x), Value::BigInt(y)) => x == y,
        (Value::Double(x), Value::Double(y)) => x.to_bits() == y.to_bits(),
        (Value::BigDecimal(x), Value::BigDecimal(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => {
            (compared(x, y) && x == y) || crate::java::surrogate::same_units(x, y)
        }
        (Value::List(x, _), Value::List(y, _)) => {
            if Rc::ptr_eq(x, y) {
                return true;
            }
            // A collection being changed right now (a map written with itself as the key)
            // equals only itself.
            let (Ok(x), Ok(y)) = (x.try_borrow(), y.try_borrow()) else {
                return false;
            };
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|(a, b)| equals_at(a, b, depth + 1, budget))
        }
        (Value::Map(x), Value::Map(y)) => {
            if Rc::ptr_eq(x, y) {
                return true;
            }
            let (Ok(x), Ok(y)) = (x.try_borrow(), y.try_borrow()) else {
                return false;
            };
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| equals_at(v, w, depth + 1, budget)))
        }
        (Value::Object(x), Value::Object(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

/// Takes the work of comparing two strings' bytes, which only strings of the same length
/// at different places need; false, for unequal, when the render has no work left.
fn compared(a: &str, b: &str) -> bool {
    a.len() != b.len() || std::ptr::eq(a.as_ptr(), b.as_ptr()) || crate::limits::burn_text(a.len())
}

/// String equality for map keys, which are short and mostly differ in their length or
/// first byte: those are compared before calling `memcmp`.
fn same_str(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && (std::ptr::eq(a.as_ptr(), b.as_ptr())
            || (a.as_bytes().first() == b.as_bytes().first() && a == b))
}

/// A string to look a key up by, without building a `Key`; hashes as a string key does.
pub(crate) struct StrKey<'a>(pub(crate) &'a str);

impl Hash for StrKey<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl indexmap::Equivalent<Key> for StrKey<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        matches!(&key.0, Value::Str(s) if same_str(s, self.0))
    }
}
