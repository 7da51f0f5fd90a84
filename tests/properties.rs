//! Property tests: the parser and renderer accept any input without panicking, and text
//! without Velocity syntax renders to itself.

use proptest::prelude::*;
use vtl::{Context, NullMode, Template};

/// Fragments of Velocity syntax, so that generated templates reach deep into the parser.
const PIECES: &[&str] = &[
    "#set($a = ",
    "#set($m.k = ",
    "#if(",
    "#elseif(",
    "#else",
    "#end",
    "#{end}",
    "#foreach($i in ",
    "#break",
    "#stop",
    "#define($d)",
    "#macro(m $p)",
    "#m(",
    "#@m()",
    "#evaluate(",
    "#include(",
    "$a",
    "$!a",
    "${a}",
    "$a.b",
    "$a.size()",
    "$a[0]",
    "$m['k']",
    "$foreach.index",
    "$d",
    "$p",
    "\\",
    "\\$a",
    "\\#if",
    "##",
    "#*",
    "*#",
    "#[[",
    "]]#",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "[1..3]",
    "'s'",
    "\"d$a\"",
    "1",
    "-2",
    "3.5",
    "true",
    "==",
    "!=",
    "<",
    "&&",
    "||",
    "!",
    "+",
    "-",
    "*",
    "/",
    "%",
    ",",
    ":",
    "..",
    " ",
    "\n",
    "\t",
    "x",
    "é",
    "😀",
    "$",
    "#",
    "\"",
    "'",
];

fn template() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(PIECES).prop_map(str::to_string),
            1 => any::<char>().prop_map(|c| c.to_string()),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

fn render_both(t: &Template) {
    for mode in [NullMode::Stock, NullMode::Empty] {
        let mut ctx = Context::new();
        ctx.set_null_mode(mode);
        ctx.insert("a", serde_json::json!([1, "two", {"b": 3}]));
        ctx.insert("m", serde_json::json!({"k": "v"}));
        let _ = t.render(&ctx);
    }
}

proptest! {
    #[test]
    fn any_string_parses_or_errors(s in any::<String>()) {
        if let Ok(t) = Template::parse(&s) {
            render_both(&t);
        }
    }

    #[test]
    fn velocity_like_input_never_panics(s in template()) {
        match Template::parse(&s) {
            Ok(t) => render_both(&t),
            Err(e) => {
                let lines = s.split('\n').count();
                prop_assert!(e.line() >= 1 && e.line() <= lines, "{e} for {s:?}");
                prop_assert!(e.column() >= 1, "{e} for {s:?}");
            }
        }
    }

    /// (The last 2,048 characters of Unicode stand for lone surrogates inside a render, so
    /// they are left out.)
    #[test]
    fn plain_text_renders_to_itself(s in "[^$#\\\\\u{10F800}-\u{10FFFF}]*") {
        let t = Template::parse(&s).expect("plain text parses");
        prop_assert_eq!(t.render(&Context::new()).expect("plain text renders"), s);
    }

    #[test]
    fn rendering_is_deterministic(s in template()) {
        if let Ok(t) = Template::parse(&s) {
            let ctx = Context::new();
            let first = t.render(&ctx).map_err(|e| e.to_string());
            prop_assert_eq!(first, t.render(&ctx).map_err(|e| e.to_string()));
        }
    }
}

proptest! {
    #[test]
    fn escape_javascript_never_leaves_a_control_character(s in any::<String>()) {
        let escaped = vtl::apigateway::escape_javascript(&s);
        prop_assert!(!escaped.chars().any(|c| c < ' '), "{escaped:?}");
        prop_assert!(escaped.is_ascii());
    }

    #[test]
    fn selection_never_panics(pattern in "[a-z0-9.*+?|()\\[\\]{}^$\\\\dws:!=<>-]{0,12}", input in any::<String>()) {
        if let Ok(p) = vtl::apigateway::SelectionPattern::new(&pattern) {
            let _ = p.matches(&input);
        }
    }

    #[test]
    fn api_gateway_rendering_is_deterministic(s in template(), body in "[\\[\\]{}\",:a-z0-9 ]{0,40}") {
        let request = vtl::Request::new().with_body(body).with_path("id", "7");
        let first = vtl::render(&s, &request).map_err(|e| e.to_string());
        prop_assert_eq!(first, vtl::render(&s, &request).map_err(|e| e.to_string()));
    }
}

#[test]
fn templates_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Template>();
}

/// A small map key: a scalar, or a list or map of them (maps in the given order).
fn key_value() -> impl Strategy<Value = serde_json::Value> {
    let scalar = prop_oneof![
        any::<i32>().prop_map(serde_json::Value::from),
        "[a-c]{0,2}".prop_map(serde_json::Value::from),
        any::<bool>().prop_map(serde_json::Value::from),
    ];
    scalar.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::vec(("[a-d]", inner), 0..4)
                .prop_map(|entries| serde_json::Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// The same JSON with every object's entries in reverse order.
fn reversed(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.iter()
                .rev()
                .map(|(k, v)| (k.clone(), reversed(v)))
                .collect(),
        ),
        serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(reversed).collect()),
        other => other.clone(),
    }
}

proptest! {
    /// Map keys that are equal (maps compare without regard to order) hash alike, so a
    /// map with many keys finds each of them.
    #[test]
    fn equal_keys_hash_alike(v in key_value()) {
        use std::hash::BuildHasher;
        let a = vtl::Key::from(vtl::Value::from_json(&v));
        let b = vtl::Key::from(vtl::Value::from_json(&reversed(&v)));
        prop_assert!(a == b);
        let state = std::collections::hash_map::RandomState::new();
        prop_assert_eq!(state.hash_one(&a), state.hash_one(&b));
    }
}
