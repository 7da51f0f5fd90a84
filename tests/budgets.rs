//! Every render is bounded in time and memory by its work and build budgets: each case
//! ends with a limit error at a pinned place, whatever the machine's speed.

use vtl::{Context, ErrorKind, Limits, Request, Template};

/// A 1 MiB string in `$s` and an equal copy of it in `$t`.
const BIG: &str =
    "#set($s = 'abcdefgh')#foreach($i in [1..17])#set($s = \"$s$s\")#end#set($t = \"$s\")";

/// Three nested loops of a thousand iterations each around `body`.
fn loops(body: &str) -> String {
    format!(
        "{BIG}#set($a = 'a')#foreach($i in [1..1000])#foreach($j in [1..1000])#foreach($k in [1..1000]){body}#end#end#end"
    )
}

fn failure(src: &str, limits: Limits) -> vtl::Error {
    let mut ctx = Context::new();
    ctx.set_limits(limits);
    Template::parse(src)
        .expect("parses")
        .render(&ctx)
        .expect_err("must hit a limit")
}

/// The error at the default limits, which must point into the loops' body.
fn at_default(body: &str) -> (vtl::Error, usize) {
    let src = loops(body);
    let column = src.len() - "#end#end#end".len() - body.len() + 1;
    let e = failure(&src, Limits::default());
    assert_eq!(e.kind(), ErrorKind::Limit, "{body}: {e}");
    assert_eq!(e.line(), 1, "{body}: {e}");
    assert!(
        (column..column + body.len()).contains(&e.column()),
        "{body}: {e}"
    );
    (e, column)
}

#[test]
fn string_arguments_are_work() {
    for call in [
        "$a.startsWith($s)",
        "$a.endsWith($s)",
        "$a.indexOf($s)",
        "$a.lastIndexOf($s)",
        "$a.compareTo($s)",
        "$a.compareToIgnoreCase($s)",
        "$a.equalsIgnoreCase($s)",
        "$a.regionMatches(0, $s, 0, 1)",
        "$a.contains($s)",
        "$a.equals($s)",
        "$a.contentEquals($s)",
        "$a.replace($s, 'b')",
        "$s.equals($t)",
    ] {
        let (e, column) = at_default(&format!("#set($x = {call})"));
        assert_eq!(e.kind(), ErrorKind::Limit, "{call}: {e}");
        assert_eq!(e.line(), 1, "{call}");
        assert!(e.column() >= column, "{call}: {e}");
        assert!(
            e.to_string().contains("more than 25000000 steps"),
            "{call}: {e}"
        );
    }
}

#[test]
fn collections_of_large_strings_are_work() {
    let fill = "#set($l = [])#set($m = [])#foreach($n in [1..100])#set($d = $l.add($s))#set($d = $m.add($t))#end";
    for body in [
        "#if($l == $m)#end",
        "#set($x = $l.contains($t))",
        "#set($x = $l.hashCode())",
    ] {
        let src = loops(body).replacen("#set($a = 'a')", fill, 1);
        let e = failure(&src, Limits::default());
        assert_eq!(e.kind(), ErrorKind::Limit, "{body}: {e}");
        assert!(e.to_string().contains("steps"), "{body}: {e}");
        // In the loops: at the call, or the loop's next step after the comparison.
        let start = src.find("#foreach($i in [1..1000])").unwrap() + 1;
        assert!((start..src.len()).contains(&e.column()), "{body}: {e}");
    }
    // A literal's elements are work, each.
    let items = "$s,".repeat(1000);
    let src = loops(&format!("#set($x = [{items}1])"));
    let e = failure(&src, Limits::default());
    // At the innermost loop's next iteration.
    let inner = src.find("#foreach($k").unwrap() + 1;
    assert_eq!((e.kind(), e.column()), (ErrorKind::Limit, inner), "{e}");
}

#[test]
fn the_body_is_shared_not_copied() {
    let body = "x".repeat(1 << 20);
    let request = Request::new().with_body(&body);
    // A million reads of a 1 MiB body take no memory: the render ends on its steps.
    let e = vtl::render(
        "#foreach($i in [1..1000])#foreach($j in [1..1000])#foreach($k in [1..1000])#set($x = $input.body)#end#end#end",
        &request,
    )
    .unwrap_err();
    assert!(e.to_string().contains("steps"), "{e}");
}

#[test]
fn each_step_is_charged_at_the_cost_of_the_method() {
    for call in [
        "$s.matches('x.*')",
        "$s.hashCode()",
        "$s.substring(1, 2)",
        "$s.charAt(5)",
        "$s.codePointAt(5)",
        "$s.indexOf('zz')",
        "$s.equalsIgnoreCase($t)",
        "$a.charAt(0)",
    ] {
        let (e, column) = at_default(&format!("#set($x = {call})"));
        assert_eq!(e.kind(), ErrorKind::Limit, "{call}: {e}");
        // At the method, after `#set($x = $s`.
        assert_eq!(e.column(), column + 12, "{call}: {e}");
    }
}

#[test]
fn volumes_are_sized_for_api_gateway() {
    let limits = Limits::default();
    assert_eq!(limits.max_output_bytes, 10 * 1024 * 1024);
    assert_eq!(limits.max_elements, 1_000_000);
    // 16 MiB: past the string limit.
    let e = failure(
        &format!("{BIG}#foreach($i in [1..4])#set($s = \"$s$s\")#end"),
        Limits::default(),
    );
    assert!(
        e.to_string().contains("a string grew past 10485760 bytes"),
        "{e}"
    );
    // 2 Mi characters: past the element limit.
    let e = failure(
        &format!("{BIG}#set($s = \"$s$s\")#set($x = $s.toCharArray())"),
        Limits::default(),
    );
    assert!(e.to_string().contains("OutOfMemoryError"), "{e}");
    // A caller can raise them.
    let raised = Limits {
        max_elements: 4_000_000,
        max_built_bytes: 1 << 30,
        ..Limits::default()
    };
    let t = Template::parse(&format!("{BIG}#set($s = \"$s$s\")$s.toCharArray().size()")).unwrap();
    let mut ctx = Context::new();
    ctx.set_limits(raised);
    assert_eq!(t.render(&ctx).unwrap(), "2097152");
}

#[test]
fn what_a_render_keeps_is_bounded() {
    // Ranges kept in a list, strings kept in a list, entries put in a map.
    for body in [
        "#set($d = $l.add([1..1000]))",
        "#set($d = $l.add(\"$s$i\"))",
        "#set($d = $l.add($i))",
        "#set($d = $m.put(\"k$i$j$k\", $k))",
    ] {
        let e = failure(
            &loops(&format!("#set($l = [])#set($m = {{}}){body}")),
            Limits::default(),
        );
        assert_eq!(e.kind(), ErrorKind::Limit, "{body}: {e}");
    }
    // Nested loops over ranges are not memory kept.
    let t = Template::parse("#foreach($i in [1..1000])#foreach($j in [1..1000])#end#end.").unwrap();
    assert_eq!(t.render(&Context::new()).unwrap(), ".");
}

#[test]
fn evaluate_is_bounded() {
    let request = Request::new();
    // Past API Gateway's template size.
    let e = vtl::render(
        "#set($t = '#set($x = 1)')#foreach($i in [1..15])#set($t = \"$t$t\")#end\n#evaluate($t)",
        &request,
    )
    .unwrap_err();
    assert_eq!(
        (e.kind(), e.line(), e.column()),
        (ErrorKind::Limit, 2, 1),
        "{e}"
    );
    assert!(e.to_string().contains("at most 307200"), "{e}");
    // A text that doubles itself and evaluates that.
    let e = vtl::render(
        "#set($t = '#set($t = \"$t$t\")#evaluate($t)')#evaluate($t)",
        &request,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit, "{e}");
    // Parsing is work.
    let e = vtl::render(
        "#set($t = '$a')#foreach($i in [1..16])#set($t = \"$t$t\")#end#foreach($i in [1..1000])#foreach($j in [1..1000])#evaluate($t)#end#end",
        &request,
    )
    .unwrap_err();
    assert!(e.to_string().contains("steps"), "{e}");
    // A million macros, or names, defined through it.
    for (head, tail) in [("#macro(m", ")#end"), ("#set($v", " = 1)")] {
        let e = vtl::render(
            &format!("#foreach($i in [1..1000])#foreach($j in [1..1000])#set($n = '{head}' + \"_${{i}}_$j\" + '{tail}')#evaluate($n)#end#end"),
            &request,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit, "{head}: {e}");
    }
    // The engine's own default is larger.
    assert_eq!(Limits::default().max_template_bytes, 1024 * 1024);
}
