//! The entries of a template map: a `LinkedHashMap` with Java's key equality.
//!
//! Most maps a template sees are small (a JSON object, a `{..}` literal, a parameter
//! group), so entries sit in one vector in insertion order and a lookup compares keys
//! in turn: no hashing, one allocation. A map that grows past [`SCAN_LIMIT`] entries is
//! moved into a hashed, still insertion-ordered table.

use std::hash::Hash;

use indexmap::{Equivalent, IndexMap};

use super::Value;
use super::key::Key;

/// Entries up to which a linear scan beats hashing.
const SCAN_LIMIT: usize = 12;

type Hashed = IndexMap<Key, Value, foldhash::fast::RandomState>;

/// A map's entries, in insertion order; the hasher of large maps is seeded per process,
/// so untrusted keys cannot force collisions.
#[derive(Clone, Default)]
pub struct Map(Repr);

#[derive(Clone)]
enum Repr {
    Small(Vec<(Key, Value)>),
    Hashed(Box<Hashed>),
}

impl Default for Repr {
    fn default() -> Repr {
        Repr::Small(Vec::new())
    }
}

impl Map {
    /// An empty map with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Map {
        if capacity > SCAN_LIMIT {
            Map(Repr::Hashed(Box::new(Hashed::with_capacity_and_hasher(
                capacity,
                Default::default(),
            ))))
        } else {
            Map(Repr::Small(Vec::with_capacity(capacity)))
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Small(v) => v.len(),
            Repr::Hashed(m) => m.len(),
        }
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `key`.
    pub fn get<Q: Hash + Equivalent<Key> + ?Sized>(&self, key: &Q) -> Option<&Value> {
        match &self.0 {
            Repr::Small(v) => v.iter().find(|(k, _)| key.equivalent(k)).map(|(_, v)| v),
            Repr::Hashed(m) => m.get(key),
        }
    }

    /// The value at `key`, to change it.
    pub fn get_mut<Q: Hash + Equivalent<Key> + ?Sized>(&mut self, key: &Q) -> Option<&mut Value> {
        match &mut self.0 {
            Repr::Small(v) => v
                .iter_mut()
                .find(|(k, _)| key.equivalent(k))
                .map(|(_, v)| v),
            Repr::Hashed(m) => m.get_mut(key),
        }
    }

    /// Whether there is an entry at `key`.
    pub fn contains_key<Q: Hash + Equivalent<Key> + ?Sized>(&self, key: &Q) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`, keeping the key's place if it was there; returns the value
    /// it replaces.
    pub fn insert(&mut self, key: Key, value: Value) -> Option<Value> {
        match &mut self.0 {
            Repr::Small(v) => {
                if let Some((_, old)) = v.iter_mut().find(|(k, _)| *k == key) {
                    return Some(std::mem::replace(old, value));
                }
                if v.len() < SCAN_LIMIT {
                    v.push((key, value));
                    return None;
                }
                let mut hashed = Hashed::with_capacity_and_hasher(v.len() * 2, Default::default());
                hashed.extend(v.drain(..));
                hashed.insert(key, value);
                self.0 = Repr::Hashed(Box::new(hashed));
                None
            }
            Repr::Hashed(m) => m.insert(key, value),
        }
    }

    /// Removes the entry at `key`, keeping the others in order; returns its value.
    pub fn shift_remove<Q: Hash + Equivalent<Key> + ?Sized>(&mut self, key: &Q) -> Option<Value> {
        match &mut self.0 {
            Repr::Small(v) => {
                let at = v.iter().position(|(k, _)| key.equivalent(k))?;
                Some(v.remove(at).1)
            }
            Repr::Hashed(m) => m.shift_remove(key),
        }
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.0 = Repr::default();
    }

    /// The entries in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Key, &Value)> + ExactSizeIterator {
        let (small, hashed) = match &self.0 {
            Repr::Small(v) => (Some(v.iter().map(|(k, v)| (k, v))), None),
            Repr::Hashed(m) => (None, Some(m.iter())),
        };
        Either(small, hashed)
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Key> + ExactSizeIterator {
        self.iter().map(|(k, _)| k)
    }

    /// The values in order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.iter().map(|(_, v)| v)
    }
}

impl Map {
    /// A map of entries whose keys are known to differ (from another map): no key is
    /// compared.
    pub(crate) fn from_distinct(entries: Vec<(Key, Value)>) -> Map {
        if entries.len() > SCAN_LIMIT {
            let mut hashed = Hashed::with_capacity_and_hasher(entries.len(), Default::default());
            hashed.extend(entries);
            Map(Repr::Hashed(Box::new(hashed)))
        } else {
            Map(Repr::Small(entries))
        }
    }
}

impl FromIterator<(Key, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (Key, Value)>>(iter: I) -> Map {
        let mut map = Map::default();
        map.extend(iter);
        map
    }
}

impl Extend<(Key, Value)> for Map {
    fn extend<I: IntoIterator<Item = (Key, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

/// One of two iterators, for the two representations.
struct Either<A, B>(Option<A>, Option<B>);

impl<T, A: Iterator<Item = T>, B: Iterator<Item = T>> Iterator for Either<A, B> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        match self {
            Either(Some(a), _) => a.next(),
            Either(_, Some(b)) => b.next(),
            _ => None,
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Either(Some(a), _) => a.size_hint(),
            Either(_, Some(b)) => b.size_hint(),
            _ => (0, Some(0)),
        }
    }
}

impl<T, A, B> DoubleEndedIterator for Either<A, B>
where
    A: DoubleEndedIterator<Item = T>,
    B: DoubleEndedIterator<Item = T>,
{
    fn next_back(&mut self) -> Option<T> {
        match self {
            Either(Some(a), _) => a.next_back(),
            Either(_, Some(b)) => b.next_back(),
            _ => None,
        }
    }
}

impl<T, A: ExactSizeIterator<Item = T>, B: ExactSizeIterator<Item = T>> ExactSizeIterator
    for Either<A, B>
{
}
