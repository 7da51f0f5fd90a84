//! Each check of `vtl_tools::check`: a template or pattern that triggers it and one that does not.

use vtl::Request;
use vtl_tools::check::{Expect, Finding, check_patterns, check_template};

const JSON: Expect = Expect {
    json: true,
    lambda: true,
};

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.code).collect()
}

fn template(src: &str, body: &str) -> Vec<&'static str> {
    codes(&check_template(
        src,
        &[Request::new().with_body(body)],
        JSON,
    ))
}

#[test]
fn parse_errors() {
    let f = check_template("{\n  #if($a\n}", &[], JSON);
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
    let f = check_template(src, &[Request::new().with_body(r#"{"b": true}"#)], JSON);
    assert_eq!(codes(&f), ["invalid-json"]);
    assert_eq!(f[0].line, 4);
    // The escapeJavaScript quote, with its fix as the hint.
    let src = r#"{"q": "$util.escapeJavaScript($input.path('$.q'))"}"#;
    let f = check_template(src, &[Request::new().with_body(r#"{"q": "it's"}"#)], JSON);
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
            Expect::default()
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
    assert!(check_template(r#"{"n": "$input.path('$.nmae')"}"#, &[], JSON).is_empty());
    assert!(template(r#"{"n": "$input.path('$.name')"}"#, r#"{"name": "x"}"#).is_empty());
    // A quiet reference says the value may be absent.
    assert!(template(r#"{"n": "$!input.path('$.nick')"}"#, r#"{"name": "x"}"#).is_empty());
}

#[test]
fn findings_on_long_lines_are_placed_in_characters_and_reported_once() {
    // Every finding of a long line of 2-byte characters, two samples each missing both
    // references: the columns count characters, and each reference is reported once.
    let unit = "é$input.path('$.a')$x.y";
    let line = unit.repeat(2000);
    let src = format!("[\n{line}\n]");
    let samples = [
        Request::new().with_body("{}"),
        Request::new().with_body("{}"),
    ];
    let findings = check_template(&src, &samples, Expect::default());
    let width = unit.chars().count();
    let mut expected = Vec::new();
    for i in 0..2000 {
        expected.push((2, i * width + 2));
        expected.push((2, i * width + 20));
    }
    let placed: Vec<(usize, usize)> = findings.iter().map(|f| (f.line, f.column)).collect();
    assert_eq!(placed, expected);
    assert!(
        codes(&findings)
            .iter()
            .all(|c| *c == "unresolved-reference")
    );
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

#[test]
fn unknown_members_and_directives_get_a_suggestion() {
    let f = check_template(
        "$util.escapeJavascript($input.param('x')) $context.requestID $inptu.body\n#elsif($a)",
        &[],
        Expect::default(),
    );
    let found: Vec<(usize, usize, &str, Option<&str>)> = f
        .iter()
        .map(|f| (f.line, f.column, f.message.as_str(), f.hint.as_deref()))
        .collect();
    assert_eq!(
        found,
        [
            (
                1,
                7,
                "$util has no method `escapeJavascript`",
                Some("did you mean `escapeJavaScript`?")
            ),
            (
                1,
                31,
                "$input has no member `param`",
                Some("did you mean `params`?")
            ),
            (
                1,
                52,
                "$context has no variable `requestID`",
                Some("did you mean `requestId`?")
            ),
            (
                1,
                62,
                "`$inptu` is not a variable API Gateway provides, and the template does not set it",
                Some("did you mean `$input`?")
            ),
            (
                2,
                1,
                "#elsif is not a Velocity directive: it is printed as text",
                Some("did you mean #elseif?")
            ),
        ]
    );
    // Names the template sets itself, and directives spelt right, are not findings.
    let clean = "#set($inpt = 1)$inpt $input.json('$') $context.identity.sourceIp #if($a == 1)#elseif($b == 2)#end";
    assert!(check_template(clean, &[], Expect::default()).is_empty());
}
