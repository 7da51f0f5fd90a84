//! The syntax layer: template text to a tree whose every node has a span.
//!
//! Velocity's whitespace rules are resolved here, once: a directive that ends its line eats
//! the line break, a `#set` that starts a token eats the indentation before it. Rendering
//! then only copies text spans.

pub mod ast;
mod expr;
mod parser;
mod scan;

use std::collections::HashMap;
use std::sync::Arc;

use crate::Error;
use ast::{Block, MacroDef, Var};

/// Macros by name.
pub type Macros = HashMap<Arc<str>, Arc<MacroDef>>;

/// A parsed template: the tree and the macros it defines.
#[derive(Debug)]
pub struct Parsed {
    /// The top-level block.
    pub block: Block,
    /// Macros defined anywhere in the template, first definition kept.
    pub macros: Macros,
    /// The names the template uses, numbered.
    pub names: Names,
}

/// The distinct names of a template (variables, properties, methods), each allocated once
/// and numbered in order of appearance. `#evaluate`d text adds its own to a copy.
#[derive(Debug, Clone)]
pub struct Names {
    /// Numbers by name, once there are too many names to search `list` in turn.
    ids: Option<HashMap<Arc<str>, u32, foldhash::fast::RandomState>>,
    list: Vec<Arc<str>>,
    /// The number of a name seen lately, by a cheap hash of the name (`u32::MAX`: none):
    /// a template uses the same few names again and again.
    recent: [u32; RECENT],
}

thread_local! {
    /// Names of the templates parsed lately on this thread: parsing a template again (or
    /// another of the same API) allocates none of its names.
    static SHARED: std::cell::RefCell<std::collections::HashSet<Arc<str>, foldhash::fast::RandomState>> =
        std::cell::RefCell::default();
}

/// Names kept per thread, and the longest kept.
const SHARED_NAMES: usize = 1024;
const MAX_SHARED_NAME: usize = 64;

/// The shared copy of a name from this thread's names, added if new.
fn shared_name(name: &str) -> Arc<str> {
    if name.len() > MAX_SHARED_NAME {
        return Arc::from(name);
    }
    SHARED.with(|shared| {
        let mut shared = shared.borrow_mut();
        if let Some(n) = shared.get(name) {
            return Arc::clone(n);
        }
        if shared.len() >= SHARED_NAMES {
            shared.clear();
        }
        let n: Arc<str> = Arc::from(name);
        shared.insert(Arc::clone(&n));
        n
    })
}

/// Slots of `Names::recent`.
const RECENT: usize = 32;

/// The slot of `Names::recent` for a name: its length and its first and last bytes.
fn recent_slot(name: &[u8]) -> usize {
    let first = usize::from(name.first().copied().unwrap_or(0));
    let last = usize::from(name.last().copied().unwrap_or(0));
    (name.len().wrapping_mul(31) ^ first.wrapping_mul(7) ^ last.wrapping_mul(131)) % RECENT
}

/// Names up to which searching the list beats hashing.
const SCAN_NAMES: usize = 32;

impl Names {
    /// `$foreach`, which every loop sets.
    pub(crate) const FOREACH: u32 = 0;
    /// `$velocityCount`, Velocity's old name for `$foreach.count`.
    pub(crate) const VELOCITY_COUNT: u32 = 1;
    /// `$velocityHasNext`, Velocity's old name for `$foreach.hasNext`.
    pub(crate) const VELOCITY_HAS_NEXT: u32 = 2;

    /// The names of `$foreach`, `$velocityCount` and `$velocityHasNext`: the loop
    /// variables have fixed numbers.
    pub(crate) fn new() -> Names {
        let mut names = Names {
            ids: None,
            list: Vec::with_capacity(16),
            recent: [u32::MAX; RECENT],
        };
        for name in ["foreach", "velocityCount", "velocityHasNext"] {
            names.var(name);
        }
        names
    }

    /// The variable of that name, numbered on first sight.
    pub(crate) fn var(&mut self, name: &str) -> Var {
        let slot = recent_slot(name.as_bytes());
        if let Some(n) = self.list.get(self.recent[slot] as usize)
            && **n == *name
        {
            return Var {
                name: Arc::clone(n),
                id: self.recent[slot],
            };
        }
        let found = match &self.ids {
            Some(ids) => ids.get(name).copied(),
            None => self
                .list
                .iter()
                // Length and first byte first: most names differ there.
                .position(|n| {
                    n.len() == name.len()
                        && n.as_bytes().first() == name.as_bytes().first()
                        && **n == *name
                })
                .map(|i| i as u32),
        };
        if let Some(id) = found {
            self.recent[slot] = id;
            return Var {
                name: Arc::clone(&self.list[id as usize]),
                id,
            };
        }
        let id = self.list.len() as u32;
        self.recent[slot] = id;
        let name = shared_name(name);
        self.list.push(Arc::clone(&name));
        if let Some(ids) = &mut self.ids {
            ids.insert(Arc::clone(&name), id);
        } else if self.list.len() > SCAN_NAMES {
            let mut ids =
                HashMap::with_capacity_and_hasher(self.list.len() * 2, Default::default());
            for (i, n) in self.list.iter().enumerate() {
                ids.insert(Arc::clone(n), i as u32);
            }
            self.ids = Some(ids);
        }
        Var { name, id }
    }

    /// How many names there are: every id is below this.
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }
}

impl Names {
    /// An empty table, standing in while a parser borrows the real one.
    fn placeholder() -> Names {
        Names {
            ids: None,
            list: Vec::new(),
            recent: [u32::MAX; RECENT],
        }
    }
}

/// Parses a template.
pub fn parse(source: &Arc<str>) -> Result<Parsed, Error> {
    // Spans are 32-bit offsets.
    if u32::try_from(source.len()).is_err() {
        return Err(Error::new(
            crate::ErrorKind::Limit,
            "the template is 4 GiB or more: too large to parse",
        ));
    }
    parser::Parser::new(source, 0, Names::new()).parse_template()
}

/// Parses `#evaluate`d text (never larger than the largest string a render builds),
/// adding its names to `names`. Gives the block and the macros it defines.
pub(crate) fn parse_fragment(
    source: &Arc<str>,
    names: &mut Names,
) -> Result<(Block, Macros), Error> {
    let mut p = parser::Parser::new(source, 0, std::mem::replace(names, Names::placeholder()));
    let block = p.parse_block();
    *names = std::mem::replace(&mut p.names, Names::placeholder());
    Ok((block?, p.into_macros()))
}

/// Parses the inside of a double-quoted string literal, adding its names to `names`.
pub(crate) fn parse_string(
    source: &Arc<str>,
    depth: usize,
    names: &mut Names,
) -> Result<Block, Error> {
    let mut p = parser::Parser::new(
        source,
        depth,
        std::mem::replace(names, Names::placeholder()),
    );
    p.in_string = true;
    let block = p.parse_block();
    *names = std::mem::replace(&mut p.names, Names::placeholder());
    block
}
