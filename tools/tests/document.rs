//! Documents keep the file position of every character of their strings.

use vtl::apigateway::Origin;
use vtl_tools::document::{Document, Node};

fn origin_of(doc: &Document, node: &Node) -> (String, Origin) {
    let vtl_tools::document::Value::String(t) = &node.value else {
        panic!("not a string: {node:?}")
    };
    (t.text.clone(), doc.origin(t).expect("a position"))
}

fn at(doc: &Document, path: &[&str]) -> Node {
    let mut node = &doc.root;
    for key in path {
        node = node.get(key).unwrap_or_else(|| panic!("no {key}"));
    }
    node.clone()
}

/// The position of the first occurrence of `needle` in the text.
fn locate(text: &str, origin: &Origin, needle: &str) -> (usize, usize) {
    origin.locate(text, text.find(needle).expect("the needle"))
}

#[test]
fn a_literal_block_maps_each_line() {
    let src = "a:\n  t: |\n    {\n      \"x\": $y\n    }\n";
    let doc = Document::parse("f.yaml", src).unwrap();
    let (text, origin) = origin_of(&doc, &at(&doc, &["a", "t"]));
    assert_eq!(text, "{\n  \"x\": $y\n}\n");
    assert_eq!(origin.start(), (3, 5));
    assert_eq!(locate(&text, &origin, "$y"), (4, 12));
    assert_eq!(locate(&text, &origin, "}"), (5, 5));
}

#[test]
fn a_json_string_maps_past_its_escapes() {
    let src = "{\"t\": \"{\\n  \\\"x\\\": $y\\n}\"}";
    let doc = Document::parse("f.json", src).unwrap();
    let (text, origin) = origin_of(&doc, &at(&doc, &["t"]));
    assert_eq!(text, "{\n  \"x\": $y\n}");
    assert_eq!(origin.start(), (1, 8));
    // `{\n  \"x\": ` is 12 characters of the file after the quote.
    assert_eq!(locate(&text, &origin, "$y"), (1, 20));
    assert_eq!(locate(&text, &origin, "}"), (1, 24));
}

#[test]
fn quoted_yaml_scalars_map_past_escapes_and_doubled_quotes() {
    let src = "a: \"x\\ty $z\"\nb: 'it''s $w'\n";
    let doc = Document::parse("f.yaml", src).unwrap();
    let (text, origin) = origin_of(&doc, &at(&doc, &["a"]));
    assert_eq!(text, "x\ty $z");
    assert_eq!(locate(&text, &origin, "$z"), (1, 10));
    let (text, origin) = origin_of(&doc, &at(&doc, &["b"]));
    assert_eq!(text, "it's $w");
    assert_eq!(locate(&text, &origin, "$w"), (2, 11));
}

#[test]
fn tags_are_kept_and_plain_scalars_resolve() {
    let src = "a: !Ref Name\nb: !GetAtt Fn.Arn\nc: 200\nd: yes\ne: ~\nf: !Sub\n  - x\n";
    let doc = Document::parse("f.yaml", src).unwrap();
    assert_eq!(at(&doc, &["a"]).tag.as_deref(), Some("!Ref"));
    assert_eq!(at(&doc, &["a"]).as_str(), Some("Name"));
    assert_eq!(at(&doc, &["b"]).tag.as_deref(), Some("!GetAtt"));
    assert_eq!(at(&doc, &["c"]).to_json(), serde_json::json!(200));
    assert_eq!(at(&doc, &["d"]).to_json(), serde_json::json!("yes"));
    assert_eq!(at(&doc, &["e"]).to_json(), serde_json::Value::Null);
    assert_eq!(at(&doc, &["f"]).tag.as_deref(), Some("!Sub"));
}

#[test]
fn anchors_and_merge_keys_expand() {
    let src = "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n";
    let doc = Document::parse("f.yaml", src).unwrap();
    assert_eq!(
        at(&doc, &["use"]).to_json(),
        serde_json::json!({"y": 3, "x": 1})
    );
}

#[test]
fn syntax_errors_point_into_the_file() {
    let err = Document::parse("f.yaml", "a: [1, 2\nb: 3\n").unwrap_err();
    assert_eq!(err.file(), Some("f.yaml"));
    assert!(err.line() >= 1, "{err}");
    let err = Document::parse("f.json", "{\n  \"a\": 1,\n}").unwrap_err();
    assert_eq!(
        err.to_string(),
        "f.json:2:9: not valid JSON: Trailing commas are not allowed"
    );
}

#[test]
fn deep_nesting_is_refused() {
    let deep = "[".repeat(100_000);
    let err = Document::parse("f.json", &deep).unwrap_err();
    assert_eq!(
        err.to_string(),
        "f.json:1:257: the document nests deeper than 256 levels"
    );
    let deep = format!("a: {}", "[".repeat(100_000));
    let err = Document::parse("f.yaml", &deep).unwrap_err();
    assert_eq!(
        err.to_string(),
        "f.yaml:1:259: not valid YAML: recursion limit exceeded"
    );
}

#[test]
fn tagged_and_multi_line_scalars_map_too() {
    let src = "a: !Sub \"x ${y}\"\nb: !Sub |\n  one\n  $two\nc: plain\n  $more\nd: >-\n  folded\n  $text\n";
    let doc = Document::parse("f.yaml", src).unwrap();
    let (text, origin) = origin_of(&doc, &at(&doc, &["a"]));
    assert_eq!(locate(&text, &origin, "${y}"), (1, 12));
    let (text, origin) = origin_of(&doc, &at(&doc, &["b"]));
    assert_eq!(locate(&text, &origin, "$two"), (4, 3));
    let (text, origin) = origin_of(&doc, &at(&doc, &["c"]));
    assert_eq!(text, "plain $more");
    assert_eq!(locate(&text, &origin, "$more"), (6, 3));
    let (text, origin) = origin_of(&doc, &at(&doc, &["d"]));
    assert_eq!(text, "folded $text");
    assert_eq!(locate(&text, &origin, "$text"), (9, 3));
}
