//! Each check of `vtl::apigateway::check`: a template or pattern that triggers it and one that does not.

use vtl::Request;
use vtl::apigateway::check::{Finding, check_patterns, check_template};

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.code).collect()
}

fn template(src: &str, body: &str) -> Vec<&'static str> {
    codes(&check_template(
        src,
        &[Request::new().with_body(body)],
        true,
    ))
}

#[test]
fn parse_errors() {
    let f = check_template("{\n  #if($a\n}", &[], true);
    assert_eq!(codes(&f), ["parse"]);
    assert_eq!((f[0].line, f[0].column), (3, 1));
    assert!(template("{}", "").is_empty());
}

#[test]
fn refused_directives_and_limits() {
    assert!(template("#include('x.vm'){}", "").contains(&"unsupported-directive"));
    assert!(template("#parse('x.vm'){}", "").contains(&"unsupported-directive"));
    assert_eq!(template("#foreach($i in [1..1001])#end{}", ""), ["limit"]);
    assert!(template("#foreach($i in [1..1000])#end{}", "").is_empty());
    let big = format!("{{}}{}", " ".repeat(300 * 1024));
    assert_eq!(template(&big, ""), ["template-size"]);
}

#[test]
fn invalid_json_output_points_at_the_template_line() {
    let src = "{\n  \"a\": 1,\n  \"b\": $input.json('$.b')\n  \"c\": 2\n}";
    let f = check_template(src, &[Request::new().with_body(r#"{"b": true}"#)], true);
    assert_eq!(codes(&f), ["invalid-json"]);
    assert_eq!(f[0].line, 4);
    // The escapeJavaScript quote, with its fix as the hint.
    let src = r#"{"q": "$util.escapeJavaScript($input.path('$.q'))"}"#;
    let f = check_template(src, &[Request::new().with_body(r#"{"q": "it's"}"#)], true);
    assert_eq!(codes(&f), ["invalid-json"]);
    assert!(
        f[0].hint
            .as_deref()
            .unwrap_or_default()
            .contains("replaceAll")
    );
    let fixed = r#"{"q": "$util.escapeJavaScript($input.path('$.q')).replaceAll("\\'", "'")"}"#;
    assert!(template(fixed, r#"{"q": "it's"}"#).is_empty());
    // Not JSON on purpose: no JSON check.
    assert!(
        check_template(
            "a=$input.params('a')",
            &[Request::new().with_path("a", "1")],
            false
        )
        .is_empty()
    );
}

#[test]
fn unresolved_references() {
    assert_eq!(
        template(r#"{"n": "$input.path('$.nmae')"}"#, r#"{"name": "x"}"#),
        ["unresolved-reference"]
    );
    // Without a sample, a missing value proves nothing.
    assert!(check_template(r#"{"n": "$input.path('$.nmae')"}"#, &[], true).is_empty());
    assert!(template(r#"{"n": "$input.path('$.name')"}"#, r#"{"name": "x"}"#).is_empty());
    // A quiet reference says the value may be absent.
    assert!(template(r#"{"n": "$!input.path('$.nick')"}"#, r#"{"name": "x"}"#).is_empty());
}

#[test]
fn if_used_as_presence_test() {
    assert_eq!(
        template("{#if($input.path('$.a'))#end}", r#"{"a": 1}"#),
        ["if-existence"]
    );
    assert!(template("{#if(\"$!input.path('$.a')\" != \"\")#end}", r#"{"a": 1}"#).is_empty());
    assert!(
        template(
            "[#foreach($i in [1,2])$i#if($foreach.hasNext),#end#end]",
            ""
        )
        .is_empty()
    );
}

#[test]
fn selection_patterns() {
    let f = check_patterns(&[Some("(4\\d{2}"), None]);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].1.code, "invalid-pattern");
    let f = check_patterns(&[Some("(\\n|.)+"), Some("^\\[400:.*")]);
    assert!(
        f.iter()
            .any(|(i, x)| *i == 1 && x.code == "unreachable-pattern")
    );
    let f = check_patterns(&[Some("4\\d{2}"), Some("4\\d{2}")]);
    assert_eq!(
        codes(&f.into_iter().map(|x| x.1).collect::<Vec<_>>()),
        ["unreachable-pattern"]
    );
    let f = check_patterns(&[Some(".*Error.*")]);
    assert_eq!(f[0].1.code, "multiline-message");
    let clean = check_patterns(&[None, Some("^\\[400:(\\n|.)*"), Some("5\\d{2}")]);
    assert!(clean.is_empty(), "{clean:?}");
}
