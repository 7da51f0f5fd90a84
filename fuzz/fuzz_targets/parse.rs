//! Any input parses to a template or an error with a position, without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        if let Err(e) = vtl::Template::parse(src) {
            assert!(e.line() >= 1 && e.column() >= 1);
        }
    }
});
