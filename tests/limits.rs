//! No template or payload can crash, hang or exhaust the renderer: each limit ends the
//! render with a positioned error.

use vtl::{Context, ErrorKind, Limits, Request, Template};

fn render_with(src: &str, limits: Limits) -> vtl::Error {
    let mut ctx = Context::new();
    ctx.set_limits(limits);
    Template::parse(src)
        .expect("parses")
        .render(&ctx)
        .expect_err("must hit a limit")
}

#[test]
fn deep_nesting_is_a_syntax_error_not_a_stack_overflow() {
    let calls = "$a.b(".repeat(100_000) + &")".repeat(100_000);
    for src in [
        "#if(true)".repeat(200_000),
        "#set($x = ".to_string() + &"(".repeat(1_000_000),
        calls,
        "#set($x = ".to_string() + &"[".repeat(100_000),
    ] {
        let Err(e) = Template::parse(&src) else {
            panic!("{} bytes of nesting parsed", src.len());
        };
        assert_eq!(e.kind(), ErrorKind::Syntax);
        assert!(e.line() >= 1 && e.column() >= 1);
    }
}

#[test]
fn recursion_is_bounded() {
    let e = render_with("#macro(m)#m()#end#m()", Limits::default());
    assert_eq!(e.kind(), ErrorKind::Recursion);
    let e = render_with("#set($s = '#evaluate($s)')#evaluate($s)", Limits::default());
    assert_eq!(e.kind(), ErrorKind::Recursion);
    // Velocity renders a defined block at most twice within itself, then prints the reference.
    let t = Template::parse("#define($a)[$b]#end#define($b)$a#end$a").unwrap();
    assert_eq!(t.render(&Context::new()).unwrap(), "[[$a]]");
}

#[test]
fn loops_and_total_work_are_bounded() {
    let limits = Limits {
        max_iterations: Some(10),
        ..Limits::default()
    };
    let e = render_with("x\n#foreach($i in [1..11])$i#end", limits);
    assert_eq!((e.kind(), e.line(), e.column()), (ErrorKind::Limit, 2, 1));

    let limits = Limits {
        max_steps: 100_000,
        ..Limits::default()
    };
    let e = render_with(
        "#foreach($i in [1..1000])#foreach($j in [1..1000])#end#end",
        limits,
    );
    assert_eq!(e.kind(), ErrorKind::Limit);
}

#[test]
fn memory_is_bounded() {
    let limits = Limits {
        max_output_bytes: 1 << 20,
        ..Limits::default()
    };
    // A string doubling in a loop.
    let e = render_with(
        "#set($s = 'ab')#foreach($i in [1..40])#set($s = \"$s$s\")#end$s",
        limits,
    );
    assert_eq!(e.kind(), ErrorKind::Limit);
    let e = render_with(
        "#set($s = 'ab')#foreach($i in [1..40])#set($s = $s.concat($s))#end",
        limits,
    );
    assert_eq!(e.kind(), ErrorKind::Limit);
    let e = render_with(
        "#set($s = 'ab')#foreach($i in [1..40])#set($s = $s + $s)#end",
        limits,
    );
    assert_eq!(e.kind(), ErrorKind::Limit);
    // Output from a loop.
    let e = render_with("#foreach($i in [1..1000000])xxxxxxxxxx#end", limits);
    assert_eq!(e.kind(), ErrorKind::Limit);
    // A huge range.
    let e = render_with("#set($r = [1..2000000000])", Limits::default());
    assert_eq!(e.kind(), ErrorKind::Limit);
}

#[test]
fn self_containing_collections_do_not_recurse_forever() {
    let t = Template::parse(
        "#set($l = [])#set($x = $l.add($l))#set($m = [])#set($y = $m.add($m))\
         #set($n = {})#set($z = $n.put('me', $n))$l.hashCode() $l.equals($m) $n.hashCode() $l $n #if($l == $m)eq#end",
    )
    .unwrap();
    let out = t.render(&Context::new()).unwrap();
    assert!(out.contains("[(this Collection)] {me=(this Map)}"), "{out}");
}

#[test]
fn api_gateway_limits() {
    let request = Request::new();
    let e = vtl::render("#foreach($i in [1..1001])#end", &request).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit);
    assert!(vtl::render("#foreach($i in [1..1000])#end", &request).is_ok());
    let big = "x".repeat(300 * 1024 + 1);
    assert_eq!(
        vtl::render(&big, &request).unwrap_err().kind(),
        ErrorKind::Limit
    );
}

#[test]
fn hostile_payloads_and_patterns_fail_cleanly() {
    // JSON nested deeper than json-smart's 400 levels.
    let body = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let e = vtl::render("$input.path('$')", &Request::new().with_body(body)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Render);
    // Patterns that backtrack exponentially in Java end quickly: with an answer where the
    // pattern needs no backtracking, with an error where it does.
    let input = "a".repeat(40) + "c";
    for pattern in [
        "(a+)+b",
        "(a|aa)+$",
        "(a+)+\\1b",
        "(?=(a+)+b)a",
        "(a*)*(?<=a)b",
    ] {
        let p = vtl::apigateway::SelectionPattern::new(pattern).unwrap();
        assert!(!p.matches(&input).unwrap_or(false), "{pattern}");
    }
    let t = format!("#set($s = '{input}')$s.matches('(a+)+\\1b')");
    let _ = vtl::render(&t, &Request::new());
}

/// Inputs that once crashed or ran without bound (found by review): each now ends with a
/// value or an error.
#[test]
fn hostile_values_end() {
    let ends = |src: &str, body: &str| {
        let _ = vtl::render(src, &Request::new().with_body(body));
    };
    // Long operator chains and deep JSONPath filters are syntax errors, not stack overflows.
    let chain = format!("#set($x = 1{})$x", "+1".repeat(100_000));
    assert_eq!(
        Template::parse(&chain).unwrap_err().kind(),
        ErrorKind::Syntax
    );
    let filter = format!(
        "$input.path('$[?({}@.a{})]')",
        "(".repeat(50_000),
        ")".repeat(50_000)
    );
    ends(&filter, "[]");
    ends(
        &format!("$input.path('$[?({}@.a)]')", "!".repeat(50_000)),
        "[]",
    );
    // A map that is its own key.
    ends(
        "#set($m = {})$m.put($m, 1)#set($n = {})#set($n[$n] = 1)$n",
        "",
    );
    // Values that grow without bound: numbers, lists, strings, shared structures.
    ends(
        "#set($x = 9223372036854775807)#foreach($i in [1..40])#set($x = $x * $x)#end$x",
        "",
    );
    ends(
        "#set($r = [1..1000000])#foreach($i in [1..1000])#set($x = $r.addAll($r))#end",
        "",
    );
    ends("#set($s = 'a')$s.repeat(1000000000)", "");
    ends(
        "#set($a = 'a')#set($s = $a.repeat(50000))$s.replace('', $s)",
        "",
    );
    ends(
        "#set($l = [1])#foreach($i in [1..40])#set($l = [$l, $l])#end$l.hashCode() $l.equals($l) $l",
        "",
    );
    ends(
        "#set($x = $input.path('$.a'))#set($y = $x + 1)#if($x == 1)eq#end$x",
        r#"{"a": 1.0000000000000000000e999999999}"#,
    );
    ends(
        "$input.path('$.a')",
        r#"{"a": 1.00000000000000000e-9223372036854775808}"#,
    );
    ends("#set($s = 'a')$s.substring(-2147483648)", "");
    // A map of more than a dozen entries (hashed) given itself or an object as a key, while
    // it is being written.
    let mut request = Request::new();
    for i in 0..14 {
        request = request.with_context(format!("k{i}"), serde_json::json!(i));
    }
    let out = vtl::render("$context.put($context, '1')|$context.size()", &request).unwrap();
    assert_eq!(out, "|17");
    let out = vtl::render(
        "#set($m = {})#foreach($i in [1..14])$m.put($i, $i)#end$m.put($util, 'u')$m.get($util)",
        &Request::new(),
    )
    .unwrap();
    assert_eq!(out, "u");
    // A JSON object nested in many others reserves little room in each.
    let nested = format!(
        "[{{{}}}, {}1{}]",
        (0..100)
            .map(|i| format!("\"k{i}\": 1"))
            .collect::<Vec<_>>()
            .join(","),
        "{\"a\": ".repeat(390),
        "}".repeat(390)
    );
    assert_eq!(
        vtl::render("$input.path('$').size()", &Request::new().with_body(nested)).unwrap(),
        "2"
    );
}

/// Recursion through macros or `#evaluate` whose bodies nest blocks deeply: every level
/// counts against one depth limit, so the render fails cleanly on a spawned thread's
/// 2 MiB stack instead of overflowing it.
#[test]
fn nesting_through_recursion_fits_a_thread_stack() {
    let ifs = 95;
    let macro_recursion = format!(
        "#macro(m)#set($c = $c + 1)#if($c < 21){}#m(){}#end#end#set($c = 0)#m()",
        "#if(true)".repeat(ifs),
        "#end".repeat(ifs)
    );
    let loops = 25;
    let evaluate_recursion = format!(
        "#set($t = '{}#evaluate($t){}')#evaluate($t)",
        "#foreach($i in [1])".repeat(loops),
        "#end".repeat(loops)
    );
    for src in [macro_recursion, evaluate_recursion] {
        let kind = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || render_with(&src, Limits::default()).kind())
            .unwrap()
            .join()
            .expect("no stack overflow");
        assert_eq!(kind, ErrorKind::Recursion);
    }
    // Nesting within the limit renders.
    let t = Template::parse(&format!("{}x{}", "#if(true)".repeat(99), "#end".repeat(99))).unwrap();
    assert_eq!(t.render(&Context::new()).unwrap(), "x");
}

/// Work done inside methods and values counts toward `max_steps`: a loop of calls that
/// each scan, copy or compare a large collection or string ends with the step limit.
#[test]
fn work_inside_methods_counts_as_steps() {
    let limits = Limits {
        max_steps: 10_000_000,
        ..Limits::default()
    };
    let big =
        "#set($big = [1..100000])#set($m = {})#foreach($i in $big)#set($x = $m.put($i, $i))#end";
    for work in [
        "#set($x = $big.contains(-1))",
        "#set($x = $big.indexOf(-1))",
        "#set($x = $big.subList(0, 100000))",
        "#set($x = $big.equals([1..100000]))",
        "#set($x = $big.hashCode())",
        "#set($x = \"$big\")",
        "#set($x = $big.toString().length())",
        "#set($x = [$big] == [[1..100000]])",
        // Copies: the one a #foreach over a map makes, and clone().
        "#foreach($v in $m)#break#end",
        "#set($x = $big.clone())",
    ] {
        let src = format!("{big}#foreach($i in [1..1000])#foreach($j in [1..1000]){work}#end#end");
        let e = render_with(&src, limits);
        assert_eq!(e.kind(), ErrorKind::Limit, "{work}");
    }
    // One call whose work alone is over the limit stops early.
    let e = render_with(
        "#set($a = [1..100000])#set($b = [1..100000])#set($x = $a.removeAll($b))",
        limits,
    );
    assert_eq!(e.kind(), ErrorKind::Limit);
    // The same work within the limit is done.
    let t =
        Template::parse("#set($a = [1..1000])#set($x = $a.removeAll([1..500]))$a.size()").unwrap();
    assert_eq!(t.render(&Context::new()).unwrap(), "500");
}

#[test]
fn strings_and_lists_made_from_huge_strings_are_refused() {
    for src in [
        "#set($a = 'a')#set($s = $a.repeat(20000000))#set($c = $s.toCharArray())",
        "#set($a = 'a')#set($s = $a.repeat(20000000))#set($c = $s.getBytes())",
        "#set($a = 'a')#set($s = $a.repeat(20000000))#set($c = $s.split(''))",
        // A plain-text replacement as large as the pattern's every occurrence.
        "#set($a = 'a')#set($s = $a.repeat(10000))#set($r = $s.replaceAll('a', $s))",
    ] {
        let e = render_with(src, Limits::default());
        assert!(e.message().contains("OutOfMemoryError"), "{src}: {e}");
    }
}

/// Lists and maps used as map keys are hashed by their content, so many of them do not
/// make a map slow.
#[test]
fn collections_as_keys_stay_fast() {
    let t = Template::parse(
        "#set($m = {})#foreach($i in [1..200])#foreach($j in [1..200])\
         #set($x = $m.put([$i, $j], $i))#set($x = $m.put({\"a\": $i, \"b\": $j}, $j))#end#end\
         $m.size() $m.get([7, 5]) $m.get({\"b\": 5, \"a\": 7})",
    )
    .unwrap();
    assert_eq!(t.render(&Context::new()).unwrap(), "80000 7 5");
}

/// Output is never cut short: a limit raised past the largest string a render builds acts
/// as that size, and fails the render.
#[test]
fn output_is_never_silently_cut() {
    let limits = Limits {
        max_output_bytes: usize::MAX,
        ..Limits::default()
    };
    let e = render_with("#set($a = 'a')#set($s = $a.repeat(40000000))$s$s|5", limits);
    assert_eq!(e.kind(), ErrorKind::Limit);
}

/// Two maps whose keys lead back to the maps compare without overflowing the stack.
#[test]
fn maps_reached_through_their_keys_compare_unequal() {
    let t = Template::parse(
        "#set($a = {})#set($b = {})#set($y = [0])#set($z = [0])\
         #set($x = $a.put([$y], 1))#set($x = $b.put([$z], 1))\
         #set($x = $y.set(0, $a))#set($x = $z.set(0, $b))$a.equals($b)",
    )
    .unwrap();
    assert_eq!(t.render(&Context::new()).unwrap(), "false");
}

/// A payload number of a million digits prints as written, at once; arithmetic on it is
/// refused before converting it, and comparing or narrowing it needs no conversion.
#[test]
fn huge_payload_numbers_print_as_written() {
    let digits = "7".repeat(1_000_000);
    let request = Request::new().with_body(format!("{{\"n\": -{digits}, \"d\": 1.{digits}}}"));
    let out = vtl::render("$input.path('$.n')|$input.json('$.n')", &request).unwrap();
    assert_eq!(out, format!("-{digits}|-{digits}"));
    let out = vtl::render("$input.json('$')", &request).unwrap();
    assert_eq!(out, format!("{{\"n\":-{digits},\"d\":1.{digits}}}"));
    let e = vtl::render("#set($x = $input.path('$.n') + 1)$x", &request).unwrap_err();
    assert!(e.message().contains("too large"), "{}", e.message());
    let out = vtl::render(
        "#set($n = $input.path('$.n'))#if($n < 0)negative#end $n.longValue()",
        &request,
    )
    .unwrap();
    let n: num_bigint::BigInt = format!("-{digits}").parse().unwrap();
    let low = (n & num_bigint::BigInt::from(u64::MAX)).to_string();
    assert_eq!(
        out,
        format!("negative {}", low.parse::<u64>().unwrap() as i64)
    );
}

/// A payload larger than API Gateway accepts is refused, not read.
#[test]
fn payloads_past_api_gateways_limit_are_refused() {
    let body = " ".repeat(vtl::apigateway::MAX_PAYLOAD_BYTES) + "{}";
    let request = Request::new().with_body(body);
    for src in ["$input.path('$')", "$input.json('$')"] {
        let e = vtl::render(src, &request).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit, "{src}: {}", e.message());
    }
}

/// A payload is read in place: millions of empty objects are read and written without
/// a value made for each, and a template that needs them all as maps gets them.
#[test]
fn payload_values_are_read_in_place() {
    let items = vtl::apigateway::MAX_PAYLOAD_BYTES / 3;
    let body = format!("[{}{{}}]", "{},".repeat(items - 1));
    let request = Request::new().with_body(&body);
    assert_eq!(vtl::render("$input.json('$')", &request).unwrap(), body);
    assert_eq!(vtl::render("$input.path('$')", &request).unwrap(), body);
    assert_eq!(
        vtl::render(
            "$input.path('$').size() $input.path('$[7]').isEmpty()",
            &request
        )
        .unwrap(),
        format!("{items} true")
    );
}

/// Regular expressions work within the render's one budget: compiling, every search, and
/// what lookarounds read at each position. Each of these once ran for seconds or without end.
#[test]
fn regex_work_is_part_of_the_step_budget() {
    let steps = format!(
        "the render took more than {} steps",
        Limits::default().max_steps
    );
    for (src, column) in [
        // Thousands separators over a million digits (in Java, a StackOverflowError).
        (
            "#set($a = '1')#set($s = $a.repeat(1100000))$s.replaceAll(\"(\\d)(?=(\\d{3})+$)\", \"$1,\")",
            46,
        ),
        // A lookahead reading to the end at every position.
        (
            "#set($a = 'a')#set($s = $a.repeat(200000))$s.replaceAll('a(?=a*$)', 'b')",
            45,
        ),
        // A lookahead inside a repetition, tried at every character of it.
        (
            "#set($a = 'a')#set($s = $a.repeat(100000))$s.matches('(a(?=a*$))*')",
            45,
        ),
        // Compiling many large patterns.
        (
            "#set($x = 'x')#foreach($i in [1..1000])#set($j = $i % 200 + 1)\
             #set($r = $x.matches(\"\\p{L}{$j}y$i\"))#end",
            75,
        ),
    ] {
        let e = render_with(src, Limits::default());
        assert_eq!(e.kind(), ErrorKind::Limit, "{src}: {e}");
        assert_eq!(e.message(), steps.as_str(), "{src}");
        assert_eq!((e.line(), e.column()), (1, column), "{src}: {e}");
    }
    // Within the budget, the answer is Java's. Over 30k digits the lookahead reads to the
    // end at every position: more than the default budget allows, so this one is given
    // four times the default.
    let t = Template::parse(
        "#set($a = '1')#set($s = $a.repeat(30000))#set($r = $s.replaceAll(\"(\\d)(?=(\\d{3})+$)\", \"$1,\"))$r.length() $r.substring(0, 6)",
    )
    .unwrap();
    let mut roomy = Context::new();
    roomy.set_limits(Limits {
        max_steps: 4 * Limits::default().max_steps,
        ..Limits::default()
    });
    assert_eq!(t.render(&roomy).unwrap(), "39999 111,11");
    // `$` before a final line break, and where the input has none.
    let t = Template::parse("#set($s = \"ab\n\")$s.replaceAll('b$', 'X')|$s.trim().replaceAll('b$', 'X')|$s.matches('ab$')").unwrap();
    assert_eq!(t.render(&Context::new()).unwrap(), "aX\n|aX|false");
}
