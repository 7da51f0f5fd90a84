//! Java regular expressions (`java.util.regex`) on top of `fancy-regex`.
//!
//! Java and Rust regex syntax mostly agree; where they differ the pattern is rewritten:
//! `\d`, `\w`, `\s` and the POSIX classes are ASCII-only in Java, `.` excludes every line
//! terminator, `$` also matches before a final line terminator, `\Q..\E` quotes, and a
//! backslash may escape any punctuation. Matching is bounded by a backtracking limit, so
//! a pathological pattern fails instead of hanging.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use fancy_regex::{Captures, Regex, RegexBuilder};

/// Backtracking steps allowed per match before it fails.
const BACKTRACK_LIMIT: usize = 1_000_000;
/// Compiled patterns kept per thread.
const CACHE_SIZE: usize = 64;

/// A compiled Java regular expression.
#[derive(Debug)]
pub struct JavaRegex {
    find: Regex,
    whole: Regex,
}

thread_local! {
    static CACHE: RefCell<HashMap<String, Rc<JavaRegex>>> = RefCell::new(HashMap::new());
}

const LINE_TERMINATORS: &str = r"\n\r\x{85}\x{2028}\x{2029}";

/// Rewrites a Java pattern into fancy-regex syntax.
pub fn translate(java: &str) -> Result<String, String> {
    let chars: Vec<char> = java.chars().collect();
    let dotall = has_flag(java, 's');
    let multiline = has_flag(java, 'm');
    let mut out = String::with_capacity(java.len() + 16);
    let mut class_depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&e) = chars.get(i + 1) else {
                    return Err(format!("a trailing backslash at index {i} escapes nothing"));
                };
                i += 2;
                match e {
                    'd' => out.push_str(if class_depth > 0 { "0-9" } else { "[0-9]" }),
                    'D' => out.push_str("[^0-9]"),
                    'w' => out.push_str(if class_depth > 0 {
                        "a-zA-Z0-9_"
                    } else {
                        "[a-zA-Z0-9_]"
                    }),
                    'W' => out.push_str("[^a-zA-Z0-9_]"),
                    's' => out.push_str(if class_depth > 0 {
                        r" \t\n\x0B\f\r"
                    } else {
                        r"[ \t\n\x0B\f\r]"
                    }),
                    'S' => out.push_str(r"[^ \t\n\x0B\f\r]"),
                    'h' => out.push_str(
                        r"[ \t\xA0\x{1680}\x{180e}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}]",
                    ),
                    'H' => out.push_str(
                        r"[^ \t\xA0\x{1680}\x{180e}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}]",
                    ),
                    'R' => out.push_str(r"(?:\r\n|[\n\x0B\f\r\x{85}\x{2028}\x{2029}])"),
                    'Q' => {
                        let mut j = i;
                        while j < chars.len()
                            && !(chars[j] == '\\' && chars.get(j + 1) == Some(&'E'))
                        {
                            push_literal(&mut out, chars[j]);
                            j += 1;
                        }
                        i = (j + 2).min(chars.len());
                    }
                    'E' => {}
                    'Z' => out.push_str(&format!(r"(?:(?=(?:\r\n|[{LINE_TERMINATORS}])\z)|\z)")),
                    'z' => out.push_str(r"\z"),
                    'A' | 'b' | 'B' | 't' | 'n' | 'r' | 'f' => {
                        out.push('\\');
                        out.push(e);
                    }
                    'a' => out.push_str(r"\x07"),
                    'e' => out.push_str(r"\x1B"),
                    'G' => return Err(format!("\\G is not supported (index {})", i - 2)),
                    'c' => {
                        let Some(&x) = chars.get(i) else {
                            return Err("illegal control escape sequence".into());
                        };
                        i += 1;
                        push_code(&mut out, (x as u32) ^ 64);
                    }
                    '0' => {
                        let mut v = 0u32;
                        let mut n = 0;
                        while n < 3 && chars.get(i).is_some_and(|d| ('0'..='7').contains(d)) {
                            let nv = v * 8 + chars[i].to_digit(8).unwrap_or(0);
                            if nv > 0o377 {
                                break;
                            }
                            v = nv;
                            i += 1;
                            n += 1;
                        }
                        if n == 0 {
                            return Err("illegal octal escape sequence".into());
                        }
                        push_code(&mut out, v);
                    }
                    'x' => {
                        if chars.get(i) == Some(&'{') {
                            let end = chars[i..]
                                .iter()
                                .position(|&c| c == '}')
                                .ok_or("unclosed hexadecimal escape sequence")?;
                            let hex: String = chars[i + 1..i + end].iter().collect();
                            let v = u32::from_str_radix(&hex, 16)
                                .map_err(|_| "illegal hexadecimal escape sequence")?;
                            push_code(&mut out, v);
                            i += end + 1;
                        } else {
                            let hex: String = chars
                                .get(i..i + 2)
                                .ok_or("illegal hexadecimal escape sequence")?
                                .iter()
                                .collect();
                            let v = u32::from_str_radix(&hex, 16)
                                .map_err(|_| "illegal hexadecimal escape sequence")?;
                            push_code(&mut out, v);
                            i += 2;
                        }
                    }
                    'u' => {
                        let hex: String = chars
                            .get(i..i + 4)
                            .ok_or("illegal Unicode escape sequence")?
                            .iter()
                            .collect();
                        let mut v = u32::from_str_radix(&hex, 16)
                            .map_err(|_| "illegal Unicode escape sequence")?;
                        i += 4;
                        // A surrogate pair written as two escapes is one character.
                        if (0xD800..0xDC00).contains(&v)
                            && chars.get(i) == Some(&'\\')
                            && chars.get(i + 1) == Some(&'u')
                        {
                            let hex: String =
                                chars.get(i + 2..i + 6).unwrap_or(&[]).iter().collect();
                            if let Ok(lo) = u32::from_str_radix(&hex, 16)
                                && (0xDC00..0xE000).contains(&lo)
                            {
                                v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                                i += 6;
                            }
                        }
                        push_code(&mut out, v);
                    }
                    'p' | 'P' => {
                        let (name, len) = if chars.get(i) == Some(&'{') {
                            let end = chars[i..]
                                .iter()
                                .position(|&c| c == '}')
                                .ok_or("unclosed character family")?;
                            (chars[i + 1..i + end].iter().collect::<String>(), end + 1)
                        } else {
                            (chars.get(i).map(|c| c.to_string()).unwrap_or_default(), 1)
                        };
                        i += len;
                        push_property(&mut out, &name, e == 'P', class_depth > 0)?;
                    }
                    'k' => {
                        out.push_str("\\k");
                    }
                    d if d.is_ascii_digit() => {
                        out.push('\\');
                        out.push(d);
                    }
                    other if other.is_ascii_alphabetic() => {
                        return Err(format!(
                            "illegal/unsupported escape sequence \\{other} near index {}",
                            i - 1
                        ));
                    }
                    other => push_literal(&mut out, other),
                }
                continue;
            }
            '[' => {
                class_depth += 1;
                out.push('[');
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                // A `]` right after `[` or `[^` is a literal in Java too.
                if chars.get(i + 1) == Some(&']') {
                    out.push_str(r"\]");
                    i += 1;
                }
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(']');
            }
            '.' if class_depth == 0 && !dotall => {
                out.push_str(&format!("[^{LINE_TERMINATORS}]"));
            }
            '$' if class_depth == 0 && !multiline => {
                out.push_str(&format!(r"(?:(?=(?:\r\n|[{LINE_TERMINATORS}])\z)|\z)"));
            }
            '(' if class_depth == 0 && chars.get(i + 1) == Some(&'?') => {
                // Inline flags: Java's `u` (Unicode case) and `d` (Unix lines) have no
                // counterpart; drop them.
                let mut j = i + 2;
                let mut flags = String::new();
                while let Some(&f) = chars.get(j) {
                    if f.is_ascii_alphabetic() || f == '-' {
                        flags.push(f);
                        j += 1;
                    } else {
                        break;
                    }
                }
                if !flags.is_empty() && matches!(chars.get(j), Some(':') | Some(')')) {
                    let kept: String = flags
                        .chars()
                        .filter(|f| !matches!(f, 'u' | 'd' | 'U'))
                        .collect();
                    if kept.is_empty() || kept == "-" {
                        if chars[j] == ')' {
                            i = j + 1;
                            continue;
                        }
                        out.push_str("(?:");
                    } else {
                        out.push_str("(?");
                        out.push_str(&kept);
                        out.push(chars[j]);
                    }
                    i = j + 1;
                    continue;
                }
                // Group syntax: lookaround, atomic, non-capturing or named.
                out.push_str("(?");
                i += 2;
                match chars.get(i) {
                    Some('<') if chars.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) => {
                        while let Some(&c) = chars.get(i) {
                            out.push(c);
                            i += 1;
                            if c == '>' {
                                break;
                            }
                        }
                    }
                    Some('<') => {
                        out.push('<');
                        if let Some(&c) = chars.get(i + 1) {
                            out.push(c);
                        }
                        i += 2;
                    }
                    Some(&c) => {
                        out.push(c);
                        i += 1;
                    }
                    None => {}
                }
                continue;
            }
            ']' | '{' | '}' | '(' | ')' | '|' | '*' | '+' | '?' | '^' | '.' | '$' => out.push(c),
            '&' if class_depth > 0 && chars.get(i + 1) == Some(&'&') => {
                out.push_str("&&");
                i += 1;
            }
            '-' if class_depth > 0 => out.push('-'),
            other => push_literal(&mut out, other),
        }
        i += 1;
    }
    Ok(out)
}

fn has_flag(pattern: &str, flag: char) -> bool {
    let mut rest = pattern;
    while let Some(at) = rest.find("(?") {
        let after = &rest[at + 2..];
        let flags: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphabetic() || *c == '-')
            .collect();
        let on = flags.split('-').next().unwrap_or("");
        if on.contains(flag) {
            return true;
        }
        rest = after;
    }
    false
}

fn push_literal(out: &mut String, c: char) {
    if c.is_ascii_punctuation() || c == ' ' || c == '#' {
        if c == ' ' || c == '#' {
            push_code(out, c as u32);
        } else {
            out.push('\\');
            out.push(c);
        }
    } else {
        out.push(c);
    }
}

fn push_code(out: &mut String, v: u32) {
    out.push_str(&format!(r"\x{{{v:X}}}"));
}

/// `\p{Name}`: Java's POSIX classes are ASCII; Unicode categories and scripts pass on.
fn push_property(
    out: &mut String,
    name: &str,
    negated: bool,
    in_class: bool,
) -> Result<(), String> {
    let ascii = match name {
        "Lower" => Some("a-z"),
        "Upper" => Some("A-Z"),
        "ASCII" => Some(r"\x00-\x7F"),
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
        let neg = if negated { "^" } else { "" };
        if in_class && !negated {
            out.push_str(set);
        } else {
            out.push_str(&format!("[{neg}{set}]"));
        }
        return Ok(());
    }
    let unicode = match name {
        "javaLowerCase" | "IsLowercase" => "Lowercase".to_string(),
        "javaUpperCase" | "IsUppercase" => "Uppercase".to_string(),
        "javaWhitespace" | "IsWhite_Space" | "IsWhiteSpace" => "White_Space".to_string(),
        "IsAlphabetic" => "Alphabetic".to_string(),
        "IsDigit" => "Nd".to_string(),
        "IsLetter" => "L".to_string(),
        n if n.starts_with("Is") || n.starts_with("In") => n[2..].to_string(),
        n if n.starts_with("general_category=")
            || n.starts_with("script=")
            || n.starts_with("sc=")
            || n.starts_with("gc=") =>
        {
            n.split_once('=')
                .map(|(_, v)| v.to_string())
                .unwrap_or_default()
        }
        n => n.to_string(),
    };
    out.push_str(if negated { r"\P{" } else { r"\p{" });
    out.push_str(&unicode);
    out.push('}');
    Ok(())
}

impl JavaRegex {
    /// Compiles a Java pattern.
    pub fn new(pattern: &str) -> Result<JavaRegex, String> {
        let translated = translate(pattern)?;
        let build = |p: &str| {
            RegexBuilder::new(p)
                .backtrack_limit(BACKTRACK_LIMIT)
                .build()
                .map_err(|e| format!("{e} in pattern `{pattern}`"))
        };
        Ok(JavaRegex {
            find: build(&translated)?,
            whole: build(&format!(r"\A(?:{translated})\z"))?,
        })
    }

    /// A compiled pattern from this thread's cache.
    pub(crate) fn cached(pattern: &str) -> Result<Rc<JavaRegex>, String> {
        if let Some(r) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
            return Ok(r);
        }
        let r = Rc::new(JavaRegex::new(pattern)?);
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            if c.len() >= CACHE_SIZE {
                c.clear();
            }
            c.insert(pattern.to_string(), Rc::clone(&r));
        });
        Ok(r)
    }

    /// `Pattern.matches`: the whole input must match.
    pub fn matches(&self, input: &str) -> Result<bool, String> {
        self.whole.is_match(input).map_err(|e| e.to_string())
    }

    /// `replaceAll` / `replaceFirst` with Java's replacement syntax (`$1`, `${name}`, `\$`).
    pub(crate) fn replace(
        &self,
        input: &str,
        replacement: &str,
        all: bool,
    ) -> Result<String, (&'static str, String)> {
        let mut out = String::with_capacity(input.len());
        let mut last = 0;
        for caps in self.find.captures_iter(input) {
            let caps = caps.map_err(|e| ("java.lang.StackOverflowError", e.to_string()))?;
            let m = caps.get(0).expect("group 0 always exists");
            out.push_str(&input[last..m.start()]);
            expand(&caps, replacement, &mut out)?;
            last = m.end();
            if !all {
                break;
            }
        }
        out.push_str(&input[last..]);
        Ok(out)
    }

    /// `String.split(regex, limit)` with Java's rules: no leading empty string from a
    /// zero-width match at the start, trailing empty strings dropped when `limit` is 0.
    pub(crate) fn split(&self, input: &str, limit: i32) -> Result<Vec<String>, String> {
        let mut parts: Vec<String> = Vec::new();
        let mut index = 0;
        let mut matched = false;
        for m in self.find.find_iter(input) {
            let m = m.map_err(|e| e.to_string())?;
            if limit > 0 && parts.len() as i32 >= limit - 1 {
                break;
            }
            if m.start() == 0 && m.end() == 0 {
                continue;
            }
            matched = true;
            parts.push(input[index..m.start()].to_string());
            index = m.end();
        }
        if !matched {
            return Ok(vec![input.to_string()]);
        }
        parts.push(input[index..].to_string());
        if limit == 0 {
            while parts.last().is_some_and(|p| p.is_empty()) {
                parts.pop();
            }
        }
        Ok(parts)
    }
}

/// Appends Java's expansion of `replacement` for one match.
fn expand(
    caps: &Captures<'_, str>,
    replacement: &str,
    out: &mut String,
) -> Result<(), (&'static str, String)> {
    let r: Vec<char> = replacement.chars().collect();
    let groups = caps.len() - 1;
    let mut i = 0;
    while i < r.len() {
        match r[i] {
            '\\' => {
                let Some(&c) = r.get(i + 1) else {
                    return Err((
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
                    let end = r[i..].iter().position(|&c| c == '}').ok_or((
                        "java.lang.IllegalArgumentException",
                        "named capturing group is missing trailing '}'".to_string(),
                    ))?;
                    let name: String = r[i + 1..i + end].iter().collect();
                    let Some(m) = caps.name(&name) else {
                        return Err((
                            "java.lang.IllegalArgumentException",
                            format!("No group with name {{{name}}}"),
                        ));
                    };
                    out.push_str(m.as_str());
                    i += end + 1;
                    continue;
                }
                let Some(first) = r.get(i).and_then(|c| c.to_digit(10)) else {
                    return Err((
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
                    return Err((
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
