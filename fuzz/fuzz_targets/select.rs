//! Selection patterns: any pattern compiles or fails with a position, and matching
//! terminates, agrees with itself and with `select`.
//!
//! Input: the pattern, then (after the first NUL or newline) the value matched.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vtl::apigateway::{SelectionPattern, select};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (pattern, input) = match text.find(['\0', '\n']) {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, ""),
    };
    let p = match SelectionPattern::new(pattern) {
        Ok(p) => p,
        Err(e) => {
            assert!(
                e.line() >= 1 && e.column() >= 1,
                "pattern error without a position: {e:?}"
            );
            assert!(
                e.column() <= pattern.chars().count() + 1,
                "pattern error column past the end: {e:?}"
            );
            return;
        }
    };
    assert_eq!(p.as_str(), pattern);
    let first = p.matches(input);
    let second = p.matches(input);
    assert_eq!(first, second, "matches is not deterministic");

    // `select`: the pattern first, then a default.
    let chosen = select([(0, Some(&p)), (1, None)], Some(input));
    match (&first, &chosen) {
        _ if pattern.is_empty() => assert_eq!(chosen, Ok(Some(0))),
        (Ok(true), Ok(Some(0))) | (Ok(false), Ok(Some(1))) | (Err(_), Err(_)) => {}
        _ => panic!("select {chosen:?} disagrees with matches {first:?}"),
    }
    // A successful Lambda result (no value) is matched as the empty string.
    if !pattern.is_empty() {
        let none = select([(0, Some(&p))], None);
        let empty = p.matches("");
        match (&empty, &none) {
            (Ok(true), Ok(Some(0))) | (Ok(false), Ok(None)) | (Err(_), Err(_)) => {}
            _ => panic!("select(None) {none:?} disagrees with matches(\"\") {empty:?}"),
        }
    }
});
