//! Every error names the line and column of the character it is about.

use vtl::{Context, ErrorKind, NullMode, Template};

fn parse_error(src: &str) -> (usize, usize, ErrorKind) {
    let e = Template::parse(src).expect_err("should not parse");
    (e.line(), e.column(), e.kind())
}

fn render_error(src: &str) -> (usize, usize, ErrorKind) {
    let t = Template::parse(src).expect("parses");
    let mut ctx = Context::new();
    ctx.set_null_mode(NullMode::Empty);
    let e = t.render(&ctx).expect_err("should not render");
    (e.line(), e.column(), e.kind())
}

#[test]
fn parse_errors_point_at_the_offending_character() {
    use ErrorKind::Syntax;
    // An unclosed block points at the directive that opened it.
    assert_eq!(parse_error("a\n  #if(true)\nb"), (2, 3, Syntax));
    assert_eq!(parse_error("#foreach($i in [1])x"), (1, 1, Syntax));
    // A stray #end points at itself.
    assert_eq!(parse_error("#if(true)\nabc\n#end #end"), (3, 6, Syntax));
    assert_eq!(parse_error("x #else"), (1, 3, Syntax));
    // Inside a directive, the error is where the unexpected character is.
    assert_eq!(parse_error("#set($a 1)"), (1, 9, Syntax));
    assert_eq!(parse_error("#if($a == )"), (1, 11, Syntax));
    assert_eq!(parse_error("#set($a = [1, 2,])"), (1, 17, Syntax));
    assert_eq!(parse_error("#set($a = 5-3)"), (1, 12, Syntax));
    assert_eq!(parse_error("$a.substring( )"), (1, 15, Syntax));
    assert_eq!(parse_error("${a"), (1, 4, Syntax));
    assert_eq!(parse_error("#set($s = 'open)"), (1, 11, Syntax));
    assert_eq!(parse_error("#set($r = ['a'..2])"), (1, 12, Syntax));
    // Columns count characters, not bytes.
    assert_eq!(parse_error("é😀 #if("), (1, 8, Syntax));
    // A lone `$` or `#` at the end of the template.
    assert_eq!(parse_error("abc$"), (1, 4, Syntax));
    assert_eq!(parse_error("x\n#"), (2, 1, Syntax));
}

#[test]
fn render_errors_point_at_the_failing_access() {
    use ErrorKind::Render;
    assert_eq!(render_error("#set($l = [1])\n  $l[3]"), (2, 5, Render));
    assert_eq!(
        render_error("#set($s = 'abc')$s.substring(5)"),
        (1, 19, Render)
    );
    assert_eq!(
        render_error("#set($l = [1])#foreach($x in $l)$l.add(2)#end"),
        (1, 15, Render)
    );
    assert_eq!(render_error("a #include('x.vm')").2, ErrorKind::Unsupported);
}

#[test]
fn display_is_line_colon_column() {
    let e = Template::parse("\n\n  #end").unwrap_err();
    assert_eq!(e.to_string(), format!("3:3: {}", e.message()));
}

#[test]
fn recursion_is_an_error_not_a_crash() {
    let (_, _, kind) = render_error("#macro(r)#r()#end#r()");
    assert_eq!(kind, ErrorKind::Recursion);
    let (_, _, kind) = render_error("#set($s = '#evaluate($s)')#evaluate($s)");
    assert_eq!(kind, ErrorKind::Recursion);
    let deep = format!("#set($x = {}1{})", "(".repeat(5000), ")".repeat(5000));
    assert_eq!(parse_error(&deep).2, ErrorKind::Syntax);
    let deep_ifs = "#if(true)".repeat(5000);
    assert_eq!(parse_error(&deep_ifs).2, ErrorKind::Syntax);
}
