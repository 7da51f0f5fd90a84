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
/// disagreed where a regex was compiled near the step limit: the second render found the
/// pattern in the thread's cache of compiled patterns, filled by the first. What a render
/// may do within its budget no longer depends on the renders before it.
#[test]
fn a_render_pays_for_its_own_patterns() {
    let t = vtl::Template::parse("#set($s = 'aaa')$s.matches('(a)\\1+')").unwrap();
    let mut ctx = vtl::Context::new();
    assert_eq!(t.render(&ctx).unwrap(), "true");
    // Too little work to compile the pattern, though the render before compiled it.
    ctx.set_limits(vtl::Limits {
        max_steps: 10_000,
        ..vtl::Limits::default()
    });
    let e = t.render(&ctx).unwrap_err();
    assert_eq!(e.kind(), vtl::ErrorKind::Limit, "{e:?}");
}
