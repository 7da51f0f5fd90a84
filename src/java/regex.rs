//! Java regular expressions (`java.util.regex`) on top of `fancy-regex`.
//!
//! Java and Rust regex syntax mostly agree; where they differ the pattern is rewritten:
//! `\d`, `\w`, `\s` and the POSIX classes are ASCII-only in Java, `.` excludes every line
//! terminator, `$` also matches before a final line terminator, `\Q..\E` quotes, and a
//! backslash may escape any punctuation. Matching is bounded by a backtracking limit, so
//! a pathological pattern fails instead of hanging.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::OnceLock;

use fancy_regex::{Captures, Regex, RegexBuilder, RegexInput, RuntimeError};

/// Backtracking steps of one search at most: Java would have overflowed its stack long
/// before, and the search fails as Java's `StackOverflowError`.
const BACKTRACK_LIMIT: usize = 1_000_000;
/// The backtracking limits a search tries in turn. Each attempt costs the render its limit
/// in steps before it runs (the backtracking VM cannot tell what it used), so a search
/// costs at most about nine times the backtracking it needed, and never more than the
/// render has left.
const LEVELS: [usize; 7] = [16, 128, 1_024, 8_192, 65_536, 524_288, BACKTRACK_LIMIT];
/// Bytes an automaton reads per step of work (a step is worth some ten nanoseconds).
const BYTES_PER_STEP: usize = 8;
/// Bytes a lookaround or backreference may read per step: measured, a lazy DFA started
/// anew at each position reads about four times slower than one scanning on.
const SCAN_BYTES_PER_STEP: u128 = 2;
/// Steps per byte a lookaround running on the backtracking VM may read: measured, one
/// iteration of a repetition there costs some ten times what an automaton's byte does.
const VM_SCAN_STEPS_PER_BYTE: u128 = 2;
/// Bytes a lookaround running on the VM may read on from a start position at most: the
/// VM keeps some 170 bytes per byte it repeats over (a million digits took 145 MB), and
/// past this a search fails as Java's `StackOverflowError`, as the VM would a little
/// further on.
const MAX_VM_SCAN: usize = 1024 * 1024;
/// Steps of compiling one program: a fixed part, and a part per character of its source
/// with counted repetitions unrolled (an automaton grows with both).
const COMPILE_STEPS: usize = 20_000;
const COMPILE_STEPS_PER_CHAR: usize = 100;
/// What a Unicode property (`\p{L}`) weighs in characters, as measured.
const PROPERTY_CHARS: usize = 400;
/// The compiled patterns a thread keeps, at most, counted in the steps of compiling them:
/// a bound on their memory, as an automaton's size follows its compile work.
const CACHE_WEIGHT: usize = 64 * COMPILE_STEPS + 2_000_000;
/// The most distinct patterns a thread keeps.
const CACHE_SIZE: usize = 64;

/// Why a search gave no answer.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The render (or selection) has no work left: it fails at its next step.
    Exhausted,
    /// Backtracking went past [`BACKTRACK_LIMIT`], or the VM's stack overflowed.
    Overflow(String),
    /// A program of the pattern did not compile.
    Invalid(String),
    /// Java throws this exception (class, message).
    Exception(&'static str, String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Exhausted => f.write_str("the work allowed for regular expressions ran out"),
            Failure::Overflow(e) | Failure::Invalid(e) | Failure::Exception(_, e) => f.write_str(e),
        }
    }
}

/// Takes `steps` of work from the running render.
fn charge(steps: usize) -> Result<(), Failure> {
    if crate::limits::burn(steps) {
        Ok(())
    } else {
        Err(Failure::Exhausted)
    }
}

/// One translated pattern, compiled once per backtracking limit it needed.
#[derive(Debug)]
struct Program {
    source: String,
    /// Runs on fancy-regex's backtracking VM (lookaround, backreferences, atomic groups);
    /// otherwise on the regex crate's automata, in time linear in what they read (which
    /// may go past the match, for a trailing lookahead they took over).
    hard: bool,
    /// Lookarounds and backreferences that may read up to the end of the input wherever
    /// they are tried, unseen by the backtracking count (see [`open_scans`]): each start
    /// position is charged the rest of the input for each, and for each repeated one, the
    /// square of it.
    scans: Scans,
    compile_steps: usize,
    levels: [OnceLock<Regex>; LEVELS.len()],
}

impl Program {
    /// Compiles `source` for the first backtracking limit, charging the work.
    fn new(source: String) -> Result<Program, Failure> {
        let compile_steps = compile_steps(&source);
        charge(compile_steps)?;
        let first = build(&source, LEVELS[0]).map_err(Failure::Invalid)?;
        let hard = !is_wrapped(&first);
        let program = Program {
            scans: open_scans(&source),
            source,
            hard,
            compile_steps,
            levels: Default::default(),
        };
        let _ = program.levels[0].set(first);
        Ok(program)
    }

    fn at_level(&self, level: usize) -> Result<&Regex, Failure> {
        if let Some(r) = self.levels[level].get() {
            return Ok(r);
        }
        charge(self.compile_steps)?;
        let r = build(&self.source, LEVELS[level]).map_err(Failure::Invalid)?;
        Ok(self.levels[level].get_or_init(|| r))
    }

    /// The first match at or after `from`, its work taken from the render's budget.
    fn search<'i>(
        &self,
        input: &'i str,
        from: usize,
    ) -> Result<Option<Captures<'i, str>>, Failure> {
        let Scans {
            once,
            repeated,
            in_vm,
        } = self.scans;
        // What the scans may read from a start position, in steps.
        let scans = |at: usize| {
            let rest = (input.len() - at + 1) as u128;
            let read = rest * once as u128 + rest * rest * repeated as u128;
            let steps = if in_vm {
                read * VM_SCAN_STEPS_PER_BYTE
            } else {
                read / SCAN_BYTES_PER_STEP
            };
            usize::try_from(steps).unwrap_or(usize::MAX)
        };
        if in_vm && input.len() - from > MAX_VM_SCAN {
            return Err(Failure::Overflow(format!(
                "a lookaround would read on over {} bytes, more than {MAX_VM_SCAN}",
                input.len() - from
            )));
        }
        if !self.hard {
            // A trailing lookahead the automata took over reads on past the match.
            charge(scans(from))?;
            let found = self.at_level(0)?.captures_from_pos(input, from);
            let found = found.map_err(|e| Failure::Overflow(e.to_string()))?;
            let end = found
                .as_ref()
                .map_or(input.len(), |c| c.get(0).map_or(from, |m| m.end()));
            charge((end - from) / BYTES_PER_STEP)?;
            return Ok(found);
        }
        if once + repeated == 0 || self.source.starts_with(r"\A") {
            let found = self.attempt(RegexInput::new(input).from_pos(from), scans(from))?;
            let end = found
                .as_ref()
                .map_or(input.len(), |c| c.get(0).map_or(from, |m| m.end()));
            charge((end - from) / BYTES_PER_STEP)?;
            return Ok(found);
        }
        // Start position by start position, each charged what its scans may read before
        // it runs: the first that matches is the leftmost match, as in an unanchored search.
        let mut at = from;
        loop {
            let anchored = RegexInput::new(input).from_pos(at).anchored(true);
            if let Some(found) = self.attempt(anchored, scans(at))? {
                return Ok(Some(found));
            }
            match input[at..].chars().next() {
                Some(c) => at += c.len_utf8(),
                None => return Ok(None),
            }
        }
    }

    /// One search on the backtracking VM, with each backtracking limit in turn; `scans`
    /// is what its lookarounds may read, charged for every limit tried, as each reads anew.
    fn attempt<'i>(
        &self,
        input: RegexInput<'i, str>,
        scans: usize,
    ) -> Result<Option<Captures<'i, str>>, Failure> {
        for (level, &limit) in LEVELS.iter().enumerate() {
            charge(limit.saturating_add(scans))?;
            match self.at_level(level)?.captures_input(input.clone()) {
                Ok(found) => return Ok(found),
                Err(fancy_regex::Error::RuntimeError(RuntimeError::BacktrackLimitExceeded))
                    if level + 1 < LEVELS.len() => {}
                Err(e) => return Err(Failure::Overflow(e.to_string())),
            }
        }
        unreachable!("the last level returns")
    }
}

fn build(source: &str, backtrack_limit: usize) -> Result<Regex, String> {
    RegexBuilder::new(source)
        .backtrack_limit(backtrack_limit)
        .build()
        .map_err(|e| e.to_string())
}

/// Whether fancy-regex handed the whole pattern to the regex crate (it says so first
/// thing when it describes itself).
fn is_wrapped(r: &Regex) -> bool {
    struct Prefix(String);
    impl std::fmt::Write for Prefix {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.push_str(s);
            if self.0.len() >= 7 {
                Err(std::fmt::Error)
            } else {
                Ok(())
            }
        }
    }
    struct Describe<'a>(&'a Regex);
    impl std::fmt::Debug for Describe<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            self.0.debug_print(f)
        }
    }
    let mut p = Prefix(String::new());
    let _ = std::fmt::write(&mut p, format_args!("{:?}", Describe(r)));
    p.0.starts_with("wrapped")
}

/// The compile work of a translated pattern: its length, each counted repetition
/// multiplying what it repeats (bounded, as the automata refuse to grow past their size
/// limits anyway).
fn compile_steps(source: &str) -> usize {
    let mut chars = 0usize;
    let mut factor = 1usize;
    let b = source.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'{'
            && i > 0
            && b[i - 1] != b'\\'
            && b[i - 1] != b'x'
            && b[i - 1] != b'p'
            && b[i - 1] != b'P'
        {
            let digits: String = source[i + 1..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ',')
                .collect();
            let n = digits
                .split(',')
                .filter_map(|d| d.parse::<usize>().ok())
                .max()
                .unwrap_or(1);
            factor = factor.saturating_mul(n.max(1)).min(1 << 20);
        }
        // A Unicode property compiles to hundreds of ranges.
        chars += if b[i] == b'\\' && matches!(b.get(i + 1), Some(b'p' | b'P')) {
            PROPERTY_CHARS
        } else {
            1
        };
        i += 1;
    }
    COMPILE_STEPS
        .saturating_add(
            chars
                .saturating_mul(factor)
                .saturating_mul(COMPILE_STEPS_PER_CHAR),
        )
        .min(50_000_000)
}

/// What the lookarounds and backreferences of a pattern may read (see [`open_scans`]).
#[derive(Clone, Copy, Debug)]
struct Scans {
    /// Those tried once per start position.
    once: usize,
    /// Those tried at every character of an unbounded repetition.
    repeated: usize,
    /// Some lookaround holds a lookaround or backreference itself: then its body runs on
    /// the backtracking VM, not the automata (see [`VM_SCAN_STEPS_PER_BYTE`]).
    in_vm: bool,
}

/// Lookarounds whose body repeats without bound, and backreferences, in a translated
/// pattern: those tried once per start position, and those inside an unbounded repetition
/// (tried once per character of it). Translated patterns write every literal punctuation
/// as `\x{..}`, so a bare `(`, `)`, `[`, `]`, `*`, `+` or `{` is syntax.
fn open_scans(source: &str) -> Scans {
    #[derive(Default)]
    struct Group {
        look: bool,
        unbounded: bool,
        once: usize,
        repeated: usize,
        /// It holds a lookaround or a backreference.
        hard: bool,
        in_vm: bool,
    }
    let b = source.as_bytes();
    let unbounded_at = |i: usize| match b.get(i) {
        Some(b'*' | b'+') => true,
        Some(b'{') => source[i + 1..]
            .split('}')
            .next()
            .is_some_and(|r| r.ends_with(',')),
        _ => false,
    };
    let mut open = vec![Group::default()];
    let mut class = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                if b.get(i + 1)
                    .is_some_and(|c| c.is_ascii_digit() || *c == b'k')
                {
                    let g = open.last_mut().expect("the pattern's own");
                    g.once += 1;
                    g.hard = true;
                }
                i += 1;
            }
            b'[' => class += 1,
            b']' if class > 0 => class -= 1,
            _ if class > 0 => {}
            b'(' => {
                let rest = &source[i + 1..];
                let look = ["?=", "?!", "?<=", "?<!"]
                    .iter()
                    .any(|p| rest.starts_with(p));
                open.push(Group {
                    look,
                    ..Group::default()
                });
            }
            b')' if open.len() > 1 => {
                let mut g = open.pop().expect("checked");
                if g.look && g.unbounded {
                    g.once += 1;
                    g.in_vm |= g.hard;
                }
                let repeated = unbounded_at(i + 1);
                let outer = open.last_mut().expect("the pattern's own");
                outer.unbounded |= g.unbounded || repeated;
                outer.hard |= g.hard || g.look;
                outer.in_vm |= g.in_vm;
                if repeated {
                    outer.repeated += g.once + g.repeated;
                } else {
                    outer.once += g.once;
                    outer.repeated += g.repeated;
                }
            }
            _ if unbounded_at(i) => open.last_mut().expect("the pattern's own").unbounded = true,
            _ => {}
        }
        i += 1;
    }
    let g = &open[0];
    Scans {
        once: g.once,
        repeated: g.repeated,
        in_vm: g.in_vm,
    }
}

/// The programs of one translation: one to find matches, one to match the whole input.
#[derive(Debug)]
struct Programs {
    find: Program,
    whole: OnceLock<Program>,
}

impl Programs {
    fn new(translated: String) -> Result<Programs, Failure> {
        Ok(Programs {
            find: Program::new(translated)?,
            whole: OnceLock::new(),
        })
    }

    fn whole(&self) -> Result<&Program, Failure> {
        if let Some(p) = self.whole.get() {
            return Ok(p);
        }
        let p = Program::new(format!(r"\A(?:{})\z", self.find.source))?;
        Ok(self.whole.get_or_init(|| p))
    }
}

/// A compiled Java regular expression.
#[derive(Debug)]
pub struct JavaRegex {
    /// The anchors as Java means them.
    exact: Programs,
    /// The anchors as `\A` and `\z`, for inputs where that is what they mean (see
    /// [`Anchors::plain_in`]); compiled when first needed.
    plain: Option<(String, OnceLock<Programs>)>,
    anchors: Anchors,
    /// The text the pattern matches, when it matches only that one text (`\\'`, `abc`).
    literal: Option<String>,
}

/// The one text a pattern made of plain characters and escaped punctuation matches.
fn literal_text(java: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = java.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if e.is_ascii_punctuation() => out.push(e),
                _ => return None,
            },
            // Outside a class and without flags (which start with `(`), only these are
            // not literal.
            '^' | '$' | '.' | '|' | '?' | '*' | '+' | '(' | ')' | '[' | ']' | '{' | '}' => {
                return None;
            }
            c => out.push(c),
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Compiled patterns of this thread: the one used last (a template mostly calls one
/// pattern many times, and comparing it is cheaper than hashing it), and the others.
#[derive(Default)]
struct Cache {
    last: Option<(Box<str>, Rc<JavaRegex>)>,
    all: HashMap<Box<str>, Rc<JavaRegex>, foldhash::fast::RandomState>,
    /// The compile steps of `all` (see [`CACHE_WEIGHT`]).
    weight: usize,
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

/// Empties this thread's cache of compiled patterns.
pub(crate) fn forget_compiled() {
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.last.is_some() {
            *c = Cache::default();
        }
    });
}

const LINE_TERMINATORS: &str = r"\n\r\x{85}\x{2028}\x{2029}";

/// What the last element of a character class was, to tell a range's `-` from a literal one.
#[derive(Clone, Copy, PartialEq)]
enum ClassItem {
    /// Nothing yet (or after `&&`): a `-` here is literal.
    Start,
    /// A single character, which may start a range.
    Char,
    /// The end of a range, or a set such as `\d`: a `-` after it is literal.
    Set,
}

/// Which of Java's line-sensitive anchors a pattern uses.
#[derive(Clone, Copy, Debug, Default)]
struct Anchors {
    /// `$` or `\Z` without MULTILINE.
    end: bool,
    /// `^` or `$` with MULTILINE.
    lines: bool,
}

impl Anchors {
    /// Whether, in `input`, the anchors mean no more than `\A` and `\z`: then the pattern
    /// translated with `plain` anchors matches alike, and without lookaround (in linear
    /// time when nothing else needs backtracking).
    fn plain_in(self, input: &str) -> bool {
        let terminator = |c: char| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}');
        (!self.end || !input.ends_with(terminator))
            && (!self.lines || (!input.is_empty() && !input.contains(terminator)))
    }
}

/// Rewrites a Java pattern into fancy-regex syntax, with `^`, `$` and `\Z` as `\A` and
/// `\z` when `plain`, and tells which of them it uses. Constructs whose Java meaning cannot
/// be reproduced are refused with their index, rather than matched differently.
fn translate_anchors(java: &str, plain: bool) -> Result<(String, Anchors), String> {
    let mut t = Translator {
        plain,
        anchors: Anchors::default(),
        chars: java.chars().collect(),
        i: 0,
        out: String::with_capacity(java.len() + 16),
        classes: Vec::new(),
        range_open: false,
        flags: Flags::default(),
        saved: Vec::new(),
        names: Vec::new(),
    };
    while t.i < t.chars.len() {
        t.step()?;
    }
    if !t.classes.is_empty() {
        return Err(format!(
            "unclosed character class near index {}",
            t.chars.len() - 1
        ));
    }
    if !t.saved.is_empty() {
        return Err(format!("unclosed group near index {}", t.chars.len()));
    }
    Ok((t.out, t.anchors))
}

struct Translator {
    /// Anchors written as `\A` and `\z` (see [`Anchors::plain_in`]).
    plain: bool,
    anchors: Anchors,
    chars: Vec<char>,
    i: usize,
    out: String,
    /// One entry per open character class: what its last element was.
    classes: Vec<ClassItem>,
    /// A `-` of a range was written; the next character ends the range.
    range_open: bool,
    /// The flags in force here, and those to restore at each open group's end.
    flags: Flags,
    saved: Vec<Flags>,
    /// Named groups seen, to refuse duplicates as Java does.
    names: Vec<String>,
}

/// Java's inline flags that change how the pattern is translated; `i` is passed on.
#[derive(Clone, Copy, Default)]
struct Flags {
    dotall: bool,
    multiline: bool,
    extended: bool,
}

/// `$` without MULTILINE: the end, or before a final line terminator (`\r\n` counts as one).
const END: &str = r"(?:\z|(?=\r\n\z)|(?=[\r\x{85}\x{2028}\x{2029}]\z)|(?<!\r)(?=\n\z))";
/// `$` with MULTILINE: before any line terminator (not inside `\r\n`), or the end.
const LINE_END: &str = r"(?:\z|(?=[\r\x{85}\x{2028}\x{2029}])|(?<!\r)(?=\n))";
/// `^` with MULTILINE: the start or after a line terminator, but never at the end.
const LINE_START: &str = r"(?:(?:\A|(?<=[\n\x{85}\x{2028}\x{2029}])|(?<=\r)(?!\n))(?!\z))";

impl Translator {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    fn in_class(&self) -> bool {
        !self.classes.is_empty()
    }

    /// Records what was just written inside a class.
    fn class_item(&mut self, item: ClassItem) {
        if let Some(last) = self.classes.last_mut() {
            *last = if self.range_open {
                ClassItem::Set
            } else {
                item
            };
            self.range_open = false;
        }
    }

    fn literal(&mut self, c: char) {
        push_literal(&mut self.out, c);
        self.class_item(ClassItem::Char);
    }

    fn code(&mut self, v: u32) {
        push_code(&mut self.out, v);
        self.class_item(ClassItem::Char);
    }

    /// A predefined set: bare outside a class, its members inside one.
    fn set(&mut self, inside: &str, outside: &str) {
        if self.in_class() {
            self.out.push_str(inside);
            self.class_item(ClassItem::Set);
        } else {
            self.out.push_str(outside);
        }
    }

    /// `$`, `\Z` or a MULTILINE `^`, written as `java` means it or as its plain anchor.
    fn line_anchor(&mut self, java: &'static str) {
        if java == END {
            self.anchors.end = true;
        } else {
            self.anchors.lines = true;
        }
        self.out.push_str(match java {
            _ if !self.plain => java,
            LINE_START => r"\A",
            _ => r"\z",
        });
    }

    fn step(&mut self) -> Result<(), String> {
        let c = self.chars[self.i];
        self.i += 1;
        match c {
            '\\' => return self.escape(),
            '[' => {
                if let Some(last) = self.classes.last_mut() {
                    *last = ClassItem::Set;
                }
                self.classes.push(ClassItem::Start);
                self.out.push('[');
                if self.peek(0) == Some('^') {
                    self.out.push('^');
                    self.i += 1;
                }
                // A `]` right after `[` or `[^` is a literal.
                if self.peek(0) == Some(']') {
                    self.i += 1;
                    self.literal(']');
                }
            }
            ']' if self.in_class() => {
                self.classes.pop();
                self.range_open = false;
                self.out.push(']');
            }
            '-' if self.in_class() => {
                let last = self.classes.last().copied().unwrap_or(ClassItem::Start);
                if last == ClassItem::Char
                    && !self.range_open
                    && self.peek(0).is_some_and(|n| n != ']')
                {
                    self.out.push('-');
                    self.range_open = true;
                } else {
                    self.literal('-');
                }
            }
            '&' if self.in_class() && self.peek(0) == Some('&') => {
                self.i += 1;
                self.out.push_str("&&");
                if let Some(last) = self.classes.last_mut() {
                    *last = ClassItem::Start;
                }
            }
            c if self.in_class() && self.flags.extended && c.is_whitespace() => {}
            _ if self.in_class() => self.literal(c),
            // In comments mode, whitespace and `#` comments are not part of the pattern.
            c if self.flags.extended && c.is_whitespace() => {}
            '#' if self.flags.extended => {
                while self.peek(0).is_some_and(|c| c != '\n') {
                    self.i += 1;
                }
            }
            '.' if self.flags.dotall => self.out.push_str("(?s:.)"),
            '.' => self.out.push_str(&format!("[^{LINE_TERMINATORS}]")),
            '$' => self.line_anchor(if self.flags.multiline { LINE_END } else { END }),
            '^' if self.flags.multiline => self.line_anchor(LINE_START),
            '^' => self.out.push_str(r"\A"),
            '(' if self.peek(0) == Some('?') => self.group()?,
            '(' => {
                self.saved.push(self.flags);
                self.out.push('(');
            }
            ')' => {
                let Some(f) = self.saved.pop() else {
                    return Err(format!("unmatched closing ')' near index {}", self.i - 1));
                };
                self.flags = f;
                self.out.push(')');
            }
            '{' => {
                // Only a well-formed repetition; Java rejects any other `{`.
                let rest: String = self.chars[self.i..]
                    .iter()
                    .take_while(|&&c| c != '}')
                    .collect();
                let ok = self.i + rest.chars().count() < self.chars.len()
                    && match rest.split_once(',') {
                        Some((a, b)) => {
                            !a.is_empty()
                                && a.bytes().all(|b| b.is_ascii_digit())
                                && b.bytes().all(|b| b.is_ascii_digit())
                                && (b.is_empty() || a.parse::<u64>().ok() <= b.parse::<u64>().ok())
                        }
                        None => !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()),
                    };
                if !ok {
                    return Err(format!("illegal repetition near index {}", self.i - 1));
                }
                self.out.push('{');
                self.out.push_str(&rest);
                self.out.push('}');
                self.i += rest.chars().count() + 1;
            }
            '|' | '*' | '+' | '?' => self.out.push(c),
            _ => self.literal(c),
        }
        Ok(())
    }

    /// `(?` constructs: inline flags, lookaround, atomic, non-capturing and named groups.
    fn group(&mut self) -> Result<(), String> {
        let start = self.i - 1;
        self.i += 1;
        let mut flags = String::new();
        while let Some(f) = self
            .peek(0)
            .filter(|f| f.is_ascii_alphabetic() || *f == '-')
        {
            flags.push(f);
            self.i += 1;
        }
        if !flags.is_empty() {
            let end = self.peek(0);
            if !matches!(end, Some(':' | ')')) {
                return Err(format!("unknown inline modifier near index {}", self.i));
            }
            self.i += 1;
            // `u` (Unicode case) asks for the case folding the translated `(?i)` does
            // anyway; `U` (Unicode classes) changes what `\w` and `\d` match in ways not
            // reproduced; `d` (Unix lines) changes `.` and `$`.
            if let Some(f) = flags
                .chars()
                .find(|f| !matches!(f, 'i' | 's' | 'm' | 'x' | 'u' | '-'))
            {
                return Err(format!(
                    "the inline flag `{f}` is not supported (index {start})"
                ));
            }
            let mut new = self.flags;
            let mut case = String::new();
            let mut on = true;
            for f in flags.chars() {
                match f {
                    '-' => on = false,
                    's' => new.dotall = on,
                    'm' => new.multiline = on,
                    'x' => new.extended = on,
                    'u' => {}
                    _ => case = if on { "i".into() } else { "-i".into() },
                }
            }
            if end == Some(')') {
                // Applies to the rest of the enclosing group.
                self.flags = new;
                if !case.is_empty() {
                    self.out.push_str(&format!("(?{case})"));
                }
            } else {
                self.saved.push(self.flags);
                self.flags = new;
                self.out.push_str(&format!("(?{case}:"));
            }
            return Ok(());
        }
        self.saved.push(self.flags);
        self.out.push_str("(?");
        match self.peek(0) {
            Some('<') if self.peek(1).is_some_and(|c| c.is_ascii_alphabetic()) => {
                // A named group: Java names are letters and digits, each used once.
                let mut name = String::new();
                self.i += 1;
                while let Some(c) = self.peek(0).filter(|c| c.is_ascii_alphanumeric()) {
                    name.push(c);
                    self.i += 1;
                }
                if self.peek(0) != Some('>') {
                    return Err(format!(
                        "named capturing group is missing trailing '>' near index {}",
                        self.i
                    ));
                }
                if self.names.contains(&name) {
                    return Err(format!(
                        "named capturing group <{name}> is already defined near index {}",
                        self.i
                    ));
                }
                self.i += 1;
                self.out.push_str(&format!("<{name}>"));
                self.names.push(name);
            }
            Some('<') if matches!(self.peek(1), Some('=' | '!')) => {
                self.out.push('<');
                self.out.push(self.chars[self.i + 1]);
                self.i += 2;
            }
            Some(c @ ('=' | '!' | '>' | ':')) => {
                self.out.push(c);
                self.i += 1;
            }
            _ => return Err(format!("unknown group type near index {}", self.i)),
        }
        Ok(())
    }

    fn escape(&mut self) -> Result<(), String> {
        let Some(e) = self.peek(0) else {
            return Err(format!(
                "unexpected internal error near index {}: a trailing backslash",
                self.i - 1
            ));
        };
        let at = self.i - 1;
        self.i += 1;
        match e {
            'd' => self.set("0-9", "[0-9]"),
            'D' => self.set("[^0-9]", "[^0-9]"),
            'w' => self.set("a-zA-Z0-9_", "[a-zA-Z0-9_]"),
            'W' => self.set("[^a-zA-Z0-9_]", "[^a-zA-Z0-9_]"),
            's' => self.set(r" \t\n\x0B\f\r", r"[ \t\n\x0B\f\r]"),
            'S' => self.set(r"[^ \t\n\x0B\f\r]", r"[^ \t\n\x0B\f\r]"),
            'h' => self.set(HORIZONTAL, &format!("[{HORIZONTAL}]")),
            'H' => self.set(&format!("[^{HORIZONTAL}]"), &format!("[^{HORIZONTAL}]")),
            'v' => self.set(VERTICAL, &format!("[{VERTICAL}]")),
            'V' => self.set(&format!("[^{VERTICAL}]"), &format!("[^{VERTICAL}]")),
            'R' if !self.in_class() => self
                .out
                .push_str(r"(?:\r\n|[\n\x0B\f\r\x{85}\x{2028}\x{2029}])"),
            'Q' => {
                while self.i < self.chars.len()
                    && !(self.chars[self.i] == '\\' && self.peek(1) == Some('E'))
                {
                    let c = self.chars[self.i];
                    self.i += 1;
                    self.literal(c);
                }
                self.i = (self.i + 2).min(self.chars.len());
            }
            'E' => {
                return Err(format!(
                    "illegal/unsupported escape sequence \\E near index {at}"
                ));
            }
            'Z' if !self.in_class() => self.line_anchor(END),
            'z' | 'A' | 'b' | 'B' if !self.in_class() => {
                self.out.push('\\');
                self.out.push(e);
            }
            't' => self.code(9),
            'n' => self.code(10),
            'r' => self.code(13),
            'f' => self.code(12),
            'a' => self.code(7),
            'e' => self.code(27),
            'c' => {
                let x = self.peek(0).ok_or("illegal control escape sequence")?;
                self.i += 1;
                self.code((x as u32) ^ 64);
            }
            '0' => {
                let mut v = 0u32;
                let mut n = 0;
                while n < 3 && self.peek(0).is_some_and(|d| ('0'..='7').contains(&d)) {
                    let nv = v * 8 + self.peek(0).and_then(|d| d.to_digit(8)).unwrap_or(0);
                    if nv > 0o377 {
                        break;
                    }
                    v = nv;
                    self.i += 1;
                    n += 1;
                }
                if n == 0 {
                    return Err(format!("illegal octal escape sequence near index {at}"));
                }
                self.code(v);
            }
            'x' => {
                let v = if self.peek(0) == Some('{') {
                    let end = self.chars[self.i..]
                        .iter()
                        .position(|&c| c == '}')
                        .ok_or("unclosed hexadecimal escape sequence")?;
                    let hex: String = self.chars[self.i + 1..self.i + end].iter().collect();
                    self.i += end + 1;
                    hex_value(&hex, usize::MAX)
                } else {
                    let hex: String = self.chars[self.i..].iter().take(2).collect();
                    self.i += 2;
                    hex_value(&hex, 2)
                }
                .ok_or_else(|| format!("illegal hexadecimal escape sequence near index {at}"))?;
                self.code(v);
            }
            'u' => {
                let hex: String = self.chars[self.i..].iter().take(4).collect();
                let mut v = hex_value(&hex, 4)
                    .ok_or_else(|| format!("illegal Unicode escape sequence near index {at}"))?;
                self.i += 4;
                // A surrogate pair written as two escapes is one character.
                if (0xD800..0xDC00).contains(&v)
                    && self.peek(0) == Some('\\')
                    && self.peek(1) == Some('u')
                {
                    let lo: String = self.chars[self.i + 2..].iter().take(4).collect();
                    if let Some(lo) = hex_value(&lo, 4).filter(|lo| (0xDC00..0xE000).contains(lo)) {
                        v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                        self.i += 6;
                    }
                }
                if (0xD800..0xE000).contains(&v) {
                    return Err(format!(
                        "a lone surrogate \\u{v:04X} cannot be matched here (index {at})"
                    ));
                }
                self.code(v);
            }
            'p' | 'P' => {
                let name = if self.peek(0) == Some('{') {
                    let end = self.chars[self.i..]
                        .iter()
                        .position(|&c| c == '}')
                        .ok_or("unclosed character family")?;
                    let name: String = self.chars[self.i + 1..self.i + end].iter().collect();
                    self.i += end + 1;
                    name
                } else {
                    let name = self.peek(0).map(|c| c.to_string()).unwrap_or_default();
                    self.i += 1;
                    name
                };
                let in_class = self.in_class();
                push_property(&mut self.out, &name, e == 'P', in_class, at)?;
                self.class_item(ClassItem::Set);
            }
            'k' if !self.in_class() => {
                if self.peek(0) != Some('<') {
                    return Err(format!(
                        "\\k is not followed by '<' for named capturing group near index {at}"
                    ));
                }
                let end = self.chars[self.i..]
                    .iter()
                    .position(|&c| c == '>')
                    .ok_or("named capturing group is missing trailing '>'")?;
                let name: String = self.chars[self.i + 1..self.i + end].iter().collect();
                if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                    return Err(format!(
                        "capturing group name does not start with a Latin letter near index {at}"
                    ));
                }
                self.i += end + 1;
                self.out.push_str(&format!(r"\k<{name}>"));
            }
            d if d.is_ascii_digit() && !self.in_class() => {
                self.out.push('\\');
                self.out.push(d);
            }
            other if other.is_ascii_alphanumeric() => {
                return Err(format!(
                    "illegal/unsupported escape sequence \\{other} near index {at}"
                ));
            }
            other => self.literal(other),
        }
        Ok(())
    }
}

const HORIZONTAL: &str = r" \t\xA0\x{1680}\x{180e}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}";
const VERTICAL: &str = r"\n\x0B\f\r\x{85}\x{2028}\x{2029}";

fn hex_value(hex: &str, max_len: usize) -> Option<u32> {
    if hex.is_empty() || hex.len() > max_len.min(8) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    if max_len != usize::MAX && hex.len() != max_len {
        return None;
    }
    u32::from_str_radix(hex, 16).ok().filter(|&v| v <= 0x10FFFF)
}

/// A character matched literally: letters, digits and other non-ASCII as they are, ASCII
/// punctuation and spaces by code, which means the same in every position.
fn push_literal(out: &mut String, c: char) {
    if c.is_ascii() && !c.is_ascii_alphanumeric() {
        push_code(out, c as u32);
    } else {
        out.push(c);
    }
}

fn push_code(out: &mut String, v: u32) {
    out.push_str(&format!(r"\x{{{v:X}}}"));
}

/// `\p{Name}`: Java's POSIX classes are ASCII; Unicode categories, scripts (`IsLatin`) and
/// properties pass on; Unicode blocks (`InGreek`) have no counterpart and are refused.
fn push_property(
    out: &mut String,
    name: &str,
    negated: bool,
    in_class: bool,
    at: usize,
) -> Result<(), String> {
    let ascii = match name {
        "Lower" => Some("a-z"),
        "Upper" => Some("A-Z"),
        "ASCII" | "InBasicLatin" => Some(r"\x00-\x7F"),
        "InLatin-1Supplement" | "InLatin-1_Supplement" => Some(r"\x80-\xFF"),
        "Alpha" => Some("a-zA-Z"),
        "Digit" => Some("0-9"),
        "Alnum" => Some("a-zA-Z0-9"),
        "Punct" => Some(r"!-/:-@\[-`{-~"),
        "Graph" => Some(r"!-~"),
        "Print" => Some(r" -~"),
        "Blank" => Some(r" \t"),
        "Cntrl" => Some(r"\x00-\x1F\x7F"),
        "XDigit" => Some("0-9a-fA-F"),
        "Space" => Some(r" \t\n\x0B\f\r"),
        _ => None,
    };
    if let Some(set) = ascii {
        match (in_class, negated) {
            (true, false) => out.push_str(set),
            (_, n) => out.push_str(&format!("[{}{set}]", if n { "^" } else { "" })),
        }
        return Ok(());
    }
    let unicode = match name {
        "javaLowerCase" | "IsLowercase" => "Lowercase",
        "javaUpperCase" | "IsUppercase" => "Uppercase",
        "javaWhitespace" | "IsWhite_Space" | "IsWhiteSpace" => "White_Space",
        "javaLetter" | "IsLetter" => "L",
        "javaDigit" | "IsDigit" => "Nd",
        "javaLetterOrDigit" => return push_property(out, "IsLetterOrDigit", negated, in_class, at),
        "IsLetterOrDigit" => {
            let set = r"\p{L}\p{Nd}";
            match (in_class, negated) {
                (true, false) => out.push_str(set),
                (_, n) => out.push_str(&format!("[{}{set}]", if n { "^" } else { "" })),
            }
            return Ok(());
        }
        "IsAlphabetic" => "Alphabetic",
        n if n.starts_with("In") || n.starts_with("blk=") || n.starts_with("block=") => {
            return Err(format!(
                "the Unicode block \\p{{{n}}} is not supported (index {at})"
            ));
        }
        n if n.starts_with("IsEmoji") => {
            return Err(format!(
                "unknown character property \\p{{{n}}} (index {at})"
            ));
        }
        n if n.starts_with("Is") => &n[2..],
        n if n.starts_with("general_category=")
            || n.starts_with("gc=")
            || n.starts_with("script=")
            || n.starts_with("sc=") =>
        {
            n.split_once('=').map_or(n, |(_, v)| v)
        }
        // Java accepts general categories bare (`\p{L}`, `\p{Lu}`), scripts only with `Is`.
        n if n.len() <= 2 => n,
        n => {
            return Err(format!(
                "unknown character property \\p{{{n}}} (index {at})"
            ));
        }
    };
    out.push_str(if negated { r"\P{" } else { r"\p{" });
    out.push_str(unicode);
    out.push('}');
    Ok(())
}

impl JavaRegex {
    /// Compiles a Java pattern.
    pub fn new(pattern: &str) -> Result<JavaRegex, String> {
        JavaRegex::compile(pattern).map_err(|e| e.to_string())
    }

    /// Compiles a Java pattern, charging the running render (outside a render, nothing
    /// bounds it but the automata's size limits).
    fn compile(pattern: &str) -> Result<JavaRegex, Failure> {
        // Compiling costs at least this; a pattern the render cannot afford fails before
        // its translation, which may be many times its size (each `$` is some 70 bytes).
        let least = pattern.len().saturating_mul(COMPILE_STEPS_PER_CHAR);
        if least as u64 > crate::limits::fuel() {
            crate::limits::refuel(0);
            return Err(Failure::Exhausted);
        }
        let (translated, anchors) = translate_anchors(pattern, false).map_err(Failure::Invalid)?;
        let plain = if anchors.end || anchors.lines {
            let (plain, _) = translate_anchors(pattern, true).map_err(Failure::Invalid)?;
            Some((plain, OnceLock::new()))
        } else {
            None
        };
        let exact = Programs::new(translated).map_err(|e| match e {
            Failure::Invalid(e) => Failure::Invalid(format!("{e} in pattern `{}`", shown(pattern))),
            e => e,
        })?;
        Ok(JavaRegex {
            exact,
            plain,
            anchors,
            literal: literal_text(pattern),
        })
    }

    /// The programs that match `input` as Java does, the cheapest first.
    fn programs(&self, input: &str) -> Result<&Programs, Failure> {
        let Some((source, cell)) = &self.plain else {
            return Ok(&self.exact);
        };
        charge(input.len() / BYTES_PER_STEP)?;
        if !self.anchors.plain_in(input) {
            return Ok(&self.exact);
        }
        if let Some(p) = cell.get() {
            return Ok(p);
        }
        let p = Programs::new(source.clone())?;
        Ok(cell.get_or_init(|| p))
    }

    /// Builds now the programs a match may need later, so that matching charges only the
    /// search (a selection pattern is matched with a budget of its own each time).
    pub(crate) fn prepare(&self) -> Result<(), String> {
        self.exact.whole().map_err(|e| e.to_string())?;
        if let Some((source, cell)) = &self.plain {
            let p = Programs::new(source.clone()).map_err(|e| e.to_string())?;
            p.whole().map_err(|e| e.to_string())?;
            let _ = cell.set(p);
        }
        Ok(())
    }

    /// A compiled pattern from this thread's cache.
    pub(crate) fn cached(pattern: &str) -> Result<Rc<JavaRegex>, Failure> {
        let found = CACHE.with(|c| {
            let mut c = c.borrow_mut();
            if let Some((p, r)) = &c.last
                && **p == *pattern
            {
                return Some(Rc::clone(r));
            }
            let r = Rc::clone(c.all.get(pattern)?);
            c.last = Some((Box::from(pattern), Rc::clone(&r)));
            Some(r)
        });
        if let Some(r) = found {
            return Ok(r);
        }
        let r = Rc::new(JavaRegex::compile(pattern)?);
        let weight = r.exact.find.compile_steps;
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            if c.all.len() >= CACHE_SIZE || c.weight + weight > CACHE_WEIGHT {
                c.all.clear();
                c.weight = 0;
            }
            c.weight += weight;
            c.all.insert(Box::from(pattern), Rc::clone(&r));
            c.last = Some((Box::from(pattern), Rc::clone(&r)));
        });
        Ok(r)
    }

    /// `Pattern.matches`: the whole input must match.
    pub fn matches(&self, input: &str) -> Result<bool, String> {
        self.is_match(input).map_err(|e| e.to_string())
    }

    /// [`matches`](Self::matches), its work taken from the running render.
    pub(crate) fn is_match(&self, input: &str) -> Result<bool, Failure> {
        let whole = self.programs(input)?.whole()?;
        Ok(whole.search(input, 0)?.is_some())
    }

    /// `replaceAll` / `replaceFirst` with Java's replacement syntax (`$1`, `${name}`, `\$`).
    /// Borrows `input` when nothing matches.
    pub(crate) fn replace<'i>(
        &self,
        input: &'i str,
        replacement: &str,
        all: bool,
    ) -> Result<Cow<'i, str>, Failure> {
        // A plain text replaced by a plain text (the common `.replaceAll("\\'", "'")`).
        if let Some(lit) = &self.literal
            && !replacement.contains(['$', '\\'])
        {
            return replace_literal(input, lit, replacement, all).ok_or_else(too_large);
        }
        let find = &self.programs(input)?.find;
        let replacement: Vec<char> = replacement.chars().collect();
        let mut out = String::with_capacity(input.len());
        let mut last = 0;
        let mut matched = false;
        for caps in java_matches(find, input) {
            let caps = caps?;
            matched = true;
            let m = caps.get(0).expect("group 0 always exists");
            out.push_str(&input[last..m.start()]);
            expand(&caps, &replacement, &mut out)?;
            if out.len() > crate::java::MAX_STRING {
                return Err(too_large());
            }
            last = m.end();
            if !all {
                break;
            }
        }
        if !matched {
            return Ok(Cow::Borrowed(input));
        }
        out.push_str(&input[last..]);
        Ok(Cow::Owned(out))
    }

    /// `String.split(regex, limit)` with Java's rules: no leading empty string from a
    /// zero-width match at the start, trailing empty strings dropped when `limit` is 0.
    pub(crate) fn split(&self, input: &str, limit: i32) -> Result<Vec<String>, Failure> {
        let find = &self.programs(input)?.find;
        // The parts as ranges, and the run of empty parts since the last non-empty one,
        // counted only: trailing ones are dropped when `limit` is 0, so too many parts
        // fail only once some are sure to be kept, before they take any memory.
        let mut parts: Vec<(usize, usize)> = Vec::new();
        let mut empties = 0;
        let keep = |parts: &mut Vec<(usize, usize)>, empties: &mut usize, part: (usize, usize)| {
            if parts.len() + *empties >= crate::limits::max_elements() {
                return Err(too_large());
            }
            parts.extend(std::iter::repeat_n((part.0, part.0), *empties));
            parts.push(part);
            *empties = 0;
            Ok(())
        };
        let mut index = 0;
        let mut matched = false;
        for caps in java_matches(find, input) {
            let caps = caps?;
            let m = caps.get(0).expect("group 0 always exists");
            if limit > 0 && (parts.len() + empties) as i32 >= limit - 1 {
                break;
            }
            if m.start() == 0 && m.end() == 0 {
                continue;
            }
            matched = true;
            if index == m.start() {
                empties += 1;
            } else {
                keep(&mut parts, &mut empties, (index, m.start()))?;
            }
            index = m.end();
        }
        if !matched {
            return Ok(vec![input.to_string()]);
        }
        if index < input.len() || limit != 0 {
            keep(&mut parts, &mut empties, (index, input.len()))?;
        }
        Ok(parts
            .into_iter()
            .map(|(a, b)| input[a..b].to_string())
            .collect())
    }
}

/// The matches in `input` as Java's `Matcher.find` finds them one after the other: the
/// next search starts where a match ended, one character further after an empty
/// match, so an empty match may directly follow a non-empty one (`"abc"` has two
/// matches of `.*`), which Rust's iterators skip.
fn java_matches<'r, 'i>(
    find: &'r Program,
    input: &'i str,
) -> impl Iterator<Item = Result<Captures<'i, str>, Failure>> + 'r
where
    'i: 'r,
{
    let mut from = Some(0);
    std::iter::from_fn(move || {
        let caps = match find.search(input, from?) {
            Ok(Some(caps)) => caps,
            other => {
                from = None;
                return other.transpose();
            }
        };
        let m = caps.get(0).expect("group 0 always exists");
        from = if m.end() > m.start() {
            Some(m.end())
        } else {
            input[m.end()..]
                .chars()
                .next()
                .map(|c| m.end() + c.len_utf8())
        };
        Some(Ok(caps))
    })
}

/// A pattern as a message shows it: a long one (built at run time) by its start.
fn shown(pattern: &str) -> Cow<'_, str> {
    const SHOWN: usize = 100;
    match pattern.char_indices().nth(SHOWN) {
        Some((end, _)) => Cow::Owned(format!("{}...", &pattern[..end])),
        None => Cow::Borrowed(pattern),
    }
}

/// The exception of a replacement whose result would be too large to build.
fn too_large() -> Failure {
    Failure::Exception(
        "java.lang.OutOfMemoryError",
        "the result would be too large".into(),
    )
}

/// `input` with `lit` replaced by `replacement` (the first time, or `all` times); borrowed
/// when `lit` does not occur; `None` when the result would be too large.
fn replace_literal<'i>(
    input: &'i str,
    lit: &str,
    replacement: &str,
    all: bool,
) -> Option<Cow<'i, str>> {
    // Needles are mostly short, and so are inputs: looking for the first byte and
    // comparing the rest beats setting a substring searcher up on every call. Past a few
    // bytes the searcher keeps the work linear (`aaa..` in `aaaa..`).
    let (bytes, needle) = (input.as_bytes(), lit.as_bytes());
    let next = |mut from: usize| loop {
        if needle.len() > 8 {
            return memchr::memmem::find(&bytes[from..], needle).map(|at| from + at);
        }
        let at = from + memchr::memchr(needle[0], &bytes[from..])?;
        if bytes[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + 1;
    };
    let Some(mut at) = next(0) else {
        return Some(Cow::Borrowed(input));
    };
    let mut out = String::with_capacity(input.len() + replacement.len());
    let mut last = 0;
    loop {
        out.push_str(&input[last..at]);
        out.push_str(replacement);
        if out.len() > crate::java::MAX_STRING {
            return None;
        }
        last = at + lit.len();
        match next(last) {
            Some(found) if all => at = found,
            _ => break,
        }
    }
    out.push_str(&input[last..]);
    Some(Cow::Owned(out))
}

/// Appends Java's expansion of the replacement `r` for one match.
fn expand(caps: &Captures<'_, str>, r: &[char], out: &mut String) -> Result<(), Failure> {
    let groups = caps.len() - 1;
    let mut i = 0;
    while i < r.len() {
        match r[i] {
            '\\' => {
                let Some(&c) = r.get(i + 1) else {
                    return Err(Failure::Exception(
                        "java.lang.IllegalArgumentException",
                        "character to be escaped is missing".into(),
                    ));
                };
                out.push(c);
                i += 2;
            }
            '$' => {
                i += 1;
                if r.get(i) == Some(&'{') {
                    let end = r[i..]
                        .iter()
                        .position(|&c| c == '}')
                        .ok_or(Failure::Exception(
                            "java.lang.IllegalArgumentException",
                            "named capturing group is missing trailing '}'".to_string(),
                        ))?;
                    let name: String = r[i + 1..i + end].iter().collect();
                    let Some(m) = caps.name(&name) else {
                        return Err(Failure::Exception(
                            "java.lang.IllegalArgumentException",
                            format!("No group with name {{{name}}}"),
                        ));
                    };
                    out.push_str(m.as_str());
                    i += end + 1;
                    continue;
                }
                let Some(first) = r.get(i).and_then(|c| c.to_digit(10)) else {
                    return Err(Failure::Exception(
                        "java.lang.IllegalArgumentException",
                        "Illegal group reference: group index is missing".into(),
                    ));
                };
                let mut group = first as usize;
                i += 1;
                while let Some(d) = r.get(i).and_then(|c| c.to_digit(10)) {
                    let next = group * 10 + d as usize;
                    if next > groups {
                        break;
                    }
                    group = next;
                    i += 1;
                }
                if group > groups {
                    return Err(Failure::Exception(
                        "java.lang.IndexOutOfBoundsException",
                        format!("No group {group}"),
                    ));
                }
                if let Some(m) = caps.get(group) {
                    out.push_str(m.as_str());
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(())
}
