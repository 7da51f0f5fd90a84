//! Any input parses to a template or an error with a position, without panicking, and
//! parsing is deterministic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let first = vtl::Template::parse(src);
    match &first {
        Ok(t) => assert_eq!(t.source(), src),
        Err(e) => {
            assert!(
                e.line() >= 1 && e.column() >= 1,
                "parse error without a position: {e:?}"
            );
            let lines = src.split('\n').count();
            assert!(
                e.line() <= lines,
                "error line {} past the {lines} lines: {e:?}",
                e.line()
            );
        }
    }
    // Parsing twice gives the same answer.
    let second = vtl::Template::parse(src);
    match (&first, &second) {
        (Ok(_), Ok(_)) => {}
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("parse is not deterministic: {first:?} then {second:?}"),
    }
});
