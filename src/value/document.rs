//! A JSON document read in place: one pass over its text records where every value is
//! (a node per value, each container followed by its contents), and values are made only
//! when a template reads them. A container a template changes, or uses as a whole
//! collection, is made once into a list or map and kept, so every reference to it sees
//! the same Java object; making it is invisible but for its cost.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use super::{Key, ListStyle, Map, Value};

/// Entries of a container up to which reading one scans the document; a larger one is
/// made into its map or list, where a key or an index is found at once.
const SCANNED: usize = 16;

/// What a node holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Object,
    Array,
    /// A string that is a slice of the text.
    Text,
    /// A string with escapes, decoded into the document's `decoded`.
    Decoded,
    /// An `Integer`, held in the node's `count`.
    Int,
    /// A word that is no `Integer`: read again by the document's `word` when used.
    Word,
    True,
    False,
    Null,
}

/// One value of the document: for a container, its entries follow it (an object's as
/// key and value), up to `next`.
#[derive(Clone, Copy, Debug)]
struct Node {
    kind: Kind,
    /// Where the value's text (or decoded text) starts, and its length.
    start: u32,
    len: u32,
    /// The node after this one's contents.
    next: u32,
    /// A container's entries, or an `Integer`'s bits.
    count: u32,
}

/// A document's nodes over its text.
pub(crate) struct Document {
    text: Arc<str>,
    decoded: String,
    nodes: Vec<Node>,
    /// Reads a word (a number or other unquoted text) as the document's dialect does.
    word: fn(&str) -> Value,
    /// The containers made into lists and maps, by node, and a bit per node telling
    /// which are (most reads look for none).
    built: RefCell<HashMap<u32, Value, foldhash::fast::RandomState>>,
    made: Vec<Cell<u64>>,
}

impl Document {
    /// A document over `text` whose nodes the caller adds.
    pub(crate) fn new(text: Arc<str>, word: fn(&str) -> Value) -> Document {
        Document {
            text,
            decoded: String::new(),
            nodes: Vec::new(),
            word,
            built: RefCell::new(HashMap::default()),
            made: Vec::new(),
        }
    }

    /// Adds a node; returns its index.
    pub(crate) fn push(&mut self, kind: Kind, start: usize, len: usize, count: u32) -> u32 {
        let at = self.nodes.len() as u32;
        self.nodes.push(Node {
            kind,
            start: start as u32,
            len: len as u32,
            next: at + 1,
            count,
        });
        at
    }

    /// Adds a decoded string's node.
    pub(crate) fn push_decoded(&mut self, s: &str) -> u32 {
        let start = self.decoded.len();
        self.decoded.push_str(s);
        self.push(Kind::Decoded, start, s.len(), 0)
    }

    /// Ends container `at`, which holds `count` entries: its contents are the nodes added
    /// since it.
    pub(crate) fn close(&mut self, at: u32, count: u32) {
        let next = self.nodes.len() as u32;
        let node = &mut self.nodes[at as usize];
        node.next = next;
        node.count = count;
    }

    /// The text (or decoded text) of a string or word node.
    fn text_of(&self, node: &Node) -> &str {
        let range = node.start as usize..(node.start + node.len) as usize;
        match node.kind {
            Kind::Decoded => &self.decoded[range],
            _ => &self.text[range],
        }
    }

    /// The length of the text.
    pub(crate) fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Bytes the document holds beyond its text.
    pub(crate) fn bytes(&self) -> usize {
        self.nodes.len() * std::mem::size_of::<Node>() + self.decoded.len()
    }

    /// The value of the document's first node.
    pub(crate) fn root(mut self) -> Value {
        self.made = (0..self.nodes.len().div_ceil(64))
            .map(|_| Cell::new(0))
            .collect();
        let doc = Rc::new(self);
        value_at(&doc, 0)
    }

    /// The list or map node `at` was made into, if it was.
    fn built(&self, at: u32) -> Option<Value> {
        let word = self.made[at as usize / 64].get();
        if word & (1 << (at % 64)) == 0 {
            return None;
        }
        self.built.borrow().get(&at).cloned()
    }

    /// Keeps the list or map `made` of node `at` for the rest of the render.
    fn keep(doc: &Rc<Document>, at: u32, made: &Value) {
        let first = doc.built.borrow().is_empty();
        let word = &doc.made[at as usize / 64];
        word.set(word.get() | 1 << (at % 64));
        doc.built.borrow_mut().insert(at, made.clone());
        if first {
            MADE.with(|m| m.borrow_mut().push(Rc::clone(doc)));
        }
    }

    /// Lets go of the lists and maps made of this document's containers.
    fn forget(&self) {
        let built = std::mem::take(&mut *self.built.borrow_mut());
        for word in &self.made {
            word.set(0);
        }
        drop(built);
    }
}

thread_local! {
    /// Renders running on this thread, one inside another.
    static RENDERS: Cell<usize> = const { Cell::new(0) };
    /// The documents whose containers this thread's renders made into lists and maps.
    static MADE: RefCell<Vec<Rc<Document>>> = const { RefCell::new(Vec::new()) };
}

/// Held while a render runs. A list or map made of a container holds the document (its
/// containers stay there) and the document holds it: when the last render on the thread
/// ends, the documents let go of what they made, so that both are freed.
pub(crate) struct Render(());

impl Render {
    pub(crate) fn begin() -> Render {
        RENDERS.with(|r| r.set(r.get() + 1));
        Render(())
    }

    /// Whether this is the only render running on the thread.
    pub(crate) fn outermost(&self) -> bool {
        RENDERS.with(Cell::get) == 1
    }
}

impl Drop for Render {
    fn drop(&mut self) {
        let left = RENDERS.with(|r| {
            r.set(r.get() - 1);
            r.get()
        });
        if left == 0 {
            for doc in MADE.with(|m| std::mem::take(&mut *m.borrow_mut())) {
                doc.forget();
            }
        }
    }
}

/// The value at node `at`: a container stays in the document until it is made.
fn value_at(doc: &Rc<Document>, at: u32) -> Value {
    let node = &doc.nodes[at as usize];
    match node.kind {
        Kind::Object | Kind::Array => match doc.built(at) {
            Some(built) => built,
            None => Value::Json(Json {
                doc: Rc::clone(doc),
                at,
            }),
        },
        Kind::Text | Kind::Decoded => Value::from(doc.text_of(node)),
        Kind::Int => Value::Int(node.count as i32),
        Kind::Word => (doc.word)(doc.text_of(node)),
        Kind::True => Value::Bool(true),
        Kind::False => Value::Bool(false),
        Kind::Null => Value::Null,
    }
}

/// A JSON object or array of a payload, not yet made into a map or list: reading it
/// makes only the values read. Behaves in every way as the `LinkedHashMap` or JSON list
/// it stands for.
#[derive(Clone)]
pub struct Json {
    doc: Rc<Document>,
    at: u32,
}

impl Json {
    fn node(&self) -> &Node {
        &self.doc.nodes[self.at as usize]
    }

    /// Whether this is an object (a map), not an array.
    pub(crate) fn is_object(&self) -> bool {
        self.node().kind == Kind::Object
    }

    /// The list or map made of this container, if a template needed it whole.
    pub(crate) fn built(&self) -> Option<Value> {
        self.doc.built(self.at)
    }

    /// The contents' nodes, in order: for an object, its keys.
    fn children(&self) -> impl Iterator<Item = u32> + '_ {
        let nodes = &self.doc.nodes;
        let end = self.node().next;
        let mut at = self.at + 1;
        std::iter::from_fn(move || {
            (at < end).then(|| {
                let here = at;
                at = nodes[at as usize].next;
                here
            })
        })
    }

    /// The value at key `name` of an object (the last of repeated keys, which replaces
    /// the earlier ones); `None` when there is none. The caller checks `built` first.
    pub(crate) fn get(&self, name: &str) -> Option<Value> {
        if self.len() > SCANNED {
            let map = self.value();
            let Value::Map(map) = map else {
                return None;
            };
            return map.borrow().get(&super::key::StrKey(name)).cloned();
        }
        let nodes = &self.doc.nodes;
        let end = self.node().next;
        let mut found = None;
        let mut at = self.at + 1;
        while at < end {
            let key = &nodes[at as usize];
            let value = key.next;
            if key.len as usize == name.len() && self.doc.text_of(key) == name {
                found = Some(value);
            }
            at = nodes[value as usize].next;
        }
        found.map(|at| value_at(&self.doc, at))
    }

    /// The element at `index` of an array. The caller checks `built` first.
    pub(crate) fn item(&self, index: usize) -> Option<Value> {
        if index >= self.len() {
            return None;
        }
        if self.len() > SCANNED {
            let Value::List(items, _) = self.value() else {
                return None;
            };
            return items.borrow().get(index).cloned();
        }
        self.children().nth(index).map(|at| value_at(&self.doc, at))
    }

    /// The values of an array or object, as its list or map holds them; `None` for an
    /// object that must be made into its map to tell (see `has_repeated_keys`). The caller
    /// checks `built` first.
    pub(crate) fn values(&self) -> Option<Vec<Value>> {
        if !self.is_object() {
            return Some(self.items());
        }
        if self.has_repeated_keys() {
            return None;
        }
        Some(
            self.children()
                .skip(1)
                .step_by(2)
                .map(|at| value_at(&self.doc, at))
                .collect(),
        )
    }

    /// The elements of an array. The caller checks `built` first.
    pub(crate) fn items(&self) -> Vec<Value> {
        self.children().map(|at| value_at(&self.doc, at)).collect()
    }

    /// A container's entries as written (an object's repeated keys counted). The caller
    /// checks `built` first.
    pub(crate) fn len(&self) -> usize {
        self.node().count as usize
    }

    /// Appends the text of this container as `toString()` writes it (`json`: false) or as
    /// json-smart does (`json`: true), reading the document; the caller checks `built`
    /// first and handles the depth. An object with repeated keys, or too many to check,
    /// is made into its map first (which keeps one entry per key).
    pub(crate) fn write(&self, out: &mut String, depth: usize, json: bool) {
        use super::display;
        let doc = &self.doc;
        // Below this depth json-smart's writer prints even a string as `...`.
        let shallow = depth + 1 < display::MAX_DEPTH;
        let write = |at: u32, out: &mut String| {
            let node = &doc.nodes[at as usize];
            match node.kind {
                Kind::Text | Kind::Decoded if json && shallow => {
                    display::write_json_string(doc.text_of(node), out)
                }
                Kind::Text | Kind::Decoded if !json => out.push_str(doc.text_of(node)),
                _ => {
                    let value = value_at(doc, at);
                    if json {
                        display::write_json(&value, out, depth + 1);
                    } else {
                        display::write_java(&value, out, depth + 1);
                    }
                }
            }
        };
        if !self.is_object() {
            out.push('[');
            for (i, at) in self.children().enumerate() {
                if out.len() > crate::limits::max_string() {
                    return;
                }
                if i > 0 {
                    out.push(',');
                }
                // A list prints its elements as JSON whatever prints it.
                let node = &doc.nodes[at as usize];
                match node.kind {
                    Kind::Text | Kind::Decoded if shallow => {
                        display::write_json_string(doc.text_of(node), out)
                    }
                    _ => display::write_json(&value_at(doc, at), out, depth + 1),
                }
            }
            out.push(']');
            return;
        }
        if self.has_repeated_keys() {
            let map = self.value();
            return if json {
                display::write_json(&map, out, depth)
            } else {
                display::write_java(&map, out, depth)
            };
        }
        out.push('{');
        let mut children = self.children();
        let mut first = true;
        while let (Some(key), Some(value)) = (children.next(), children.next()) {
            if out.len() > crate::limits::max_string() {
                return;
            }
            if !first {
                out.push_str(if json { "," } else { ", " });
            }
            first = false;
            let key = doc.text_of(&doc.nodes[key as usize]);
            if json {
                display::write_json_string(key, out);
                out.push(':');
            } else {
                out.push_str(key);
                out.push('=');
            }
            write(value, out);
        }
        out.push('}');
    }

    /// Whether an object has a key twice, or more keys than are worth checking.
    fn has_repeated_keys(&self) -> bool {
        if self.len() > SCANNED {
            return true;
        }
        let mut keys: [&str; SCANNED] = [""; SCANNED];
        let mut children = self.children();
        let mut n = 0;
        while let (Some(key), Some(_)) = (children.next(), children.next()) {
            let key = self.doc.text_of(&self.doc.nodes[key as usize]);
            if keys[..n].contains(&key) {
                return true;
            }
            keys[n] = key;
            n += 1;
        }
        false
    }

    /// The map or JSON list this container stands for, made once (its containers stay in
    /// the document).
    pub(crate) fn value(&self) -> Value {
        if let Some(built) = self.built() {
            return built;
        }
        let count = self.node().count as usize;
        crate::limits::build_elements(count);
        let made = if self.is_object() {
            let mut map = Map::with_capacity(count);
            let mut children = self.children();
            while let (Some(key), Some(value)) = (children.next(), children.next()) {
                let key = self.doc.text_of(&self.doc.nodes[key as usize]);
                map.insert(Key(Value::from(key)), value_at(&self.doc, value));
            }
            Value::new_map(map)
        } else {
            let items = self.items();
            Value::List(Rc::new(RefCell::new(items)), ListStyle::Json)
        };
        // Outside a render nothing changes it: it need not be kept.
        if RENDERS.with(Cell::get) > 0 {
            Document::keep(&self.doc, self.at, &made);
        }
        made
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document of `{"o": {"k": 1}}`, its root and a way to tell whether it is freed.
    fn document() -> (Value, std::rc::Weak<Document>) {
        let text: Arc<str> = Arc::from(r#"{"o": {"k": 1}}"#);
        let mut doc = Document::new(Arc::clone(&text), |w| Value::from(w));
        let root = doc.push(Kind::Object, 0, 0, 0);
        doc.push(Kind::Text, 2, 1, 0);
        let inner = doc.push(Kind::Object, 0, 0, 0);
        doc.push(Kind::Text, 8, 1, 0);
        doc.push(Kind::Int, 0, 0, 1);
        doc.close(inner, 1);
        doc.close(root, 1);
        let root = doc.root();
        let Value::Json(json) = &root else {
            panic!("an object stays in its document");
        };
        let weak = Rc::downgrade(&json.doc);
        (root, weak)
    }

    #[test]
    fn what_a_render_made_is_freed_with_its_document() {
        let (root, weak) = document();
        {
            let _render = Render::begin();
            let Value::Json(json) = &root else { return };
            // The root made into its map, which holds the inner object in the document.
            assert_eq!(json.value().to_java_string(), "{o={k=1}}");
            assert!(json.built().is_some());
        }
        drop(root);
        assert!(
            weak.upgrade().is_none(),
            "the document and its map hold each other"
        );
    }

    #[test]
    fn made_outside_a_render_is_not_kept() {
        let (root, weak) = document();
        let Value::Json(json) = &root else { return };
        assert_eq!(json.value().to_java_string(), "{o={k=1}}");
        assert!(json.built().is_none());
        drop(root);
        assert!(weak.upgrade().is_none());
    }
}
