//! Inputs found by the fuzz targets in fuzz/ (minimised with `cargo fuzz tmin`), replayed
//! through the same API. Each test names the target that found it; see fuzz/README.md.

use vtl::apigateway::{Integration, Outcome, SelectionPattern};
use vtl::{Error, Request};

/// A positioned error has a 1-based line and column, or no position at all.
fn assert_positioned(e: &Error) {
    assert!(
        e.line() >= 1 && e.column() >= 1,
        "error without a full 1-based position: {e:?}"
    );
}

/// fuzz target `select`: a pattern Java rejects whose error index falls inside a
/// multi-byte character made `SelectionPattern::new` slice the pattern off a char
/// boundary ("end byte index 2 is not a char boundary; it is inside 'é'").
#[test]
fn select_invalid_pattern_with_multibyte_char_does_not_panic() {
    let pattern = "[\u{e9} ";
    let e = SelectionPattern::new(pattern).unwrap_err();
    assert_positioned(&e);
    assert!(e.column() <= pattern.chars().count() + 1, "{e:?}");
}

/// fuzz target `simulate`: malformed JSON at the very start of a line (here an empty
/// document) is reported at column 0, half a position ("1:0: ... EOF while parsing a
/// value at line 1 column 0"), by every `from_json` of the crate.
#[test]
fn simulate_json_error_at_line_start_has_column_at_least_1() {
    for text in ["", "{\n", "[1,\n"] {
        assert_positioned(&Outcome::from_json(text).unwrap_err());
        assert_positioned(&Request::from_json(text).unwrap_err());
        assert_positioned(&Integration::from_json(text).unwrap_err());
    }
}

/// fuzz target `render`: a body whose string has an invalid escape before a multi-byte
/// character made the payload parser behind `$input.path` slice inside the character
/// (src/apigateway/json.rs `JsonParser::string`: "start byte index 3 is not a char
/// boundary; it is inside 'é'"). Found twice, once with `\😀`.
#[test]
fn render_input_path_on_invalid_escape_before_multibyte_char_does_not_panic() {
    for body in ["\"\\\u{e9}", "{\"a\": \"x\\\u{1F600}y\"}"] {
        let request = Request::new().with_body(body);
        // Ok or Err: either is fine, as long as it returns.
        let _ = vtl::render("$input.path('a')", &request);
        let _ = vtl::render("$input.json('$.a')", &request);
        let _ = vtl::render("$util.parseJson($input.body)", &request);
    }
}

/// fuzz target `select`: matching a pattern twice gave two answers near the end of its
/// budget, the first paying for building the whole-input program the second reused.
/// Selection patterns now build every program when they are compiled.
#[test]
fn select_matches_the_same_way_twice_at_its_work_limit() {
    let p =
        SelectionPattern::new("522221E40022$}t2I2222\\h+Nd{22210}2222222222222\\hand \t").unwrap();
    let input = "\0\0foque20}\0";
    assert_eq!(p.matches(input), p.matches(input));
}

/// fuzz target `render`: `vtl::render` and `Template::render` of the same template
/// disagreed where a regex was compiled near the step limit, after other renders had
/// filled the thread's cache of compiled patterns: what a render could do depended on
/// what ran before it. Each render now compiles its own patterns. (Replayed alone, the
/// input renders the same way with or without that cache.)
#[test]
fn render_compiles_its_own_patterns() {
    let data = include_bytes!("data/fuzz/render-regex-at-the-step-limit");
    let text = std::str::from_utf8(data).unwrap();
    let (body, src) = text.split_once('\n').unwrap();
    // The fuzz target's request.
    let request = Request::new()
        .with_body(body)
        .with_path("id", "7")
        .with_path("name", "fuga")
        .with_querystring("q", "a b&c")
        .with_querystring("empty", "")
        .with_header("Content-Type", "application/json")
        .with_header("X-Quote", "it's \"quoted\"")
        .with_stage_variable("env", "prod")
        .with_context("requestId", serde_json::json!("r-1"))
        .with_context(
            "identity",
            serde_json::json!({"sourceIp": "203.0.113.7", "caller": null}),
        )
        .with_context("requestTimeEpoch", serde_json::json!(1428582896000u64));
    let first = vtl::render(src, &request);
    let direct = vtl::Template::parse(src).unwrap().render(&request);
    assert_eq!(first, direct);
}
