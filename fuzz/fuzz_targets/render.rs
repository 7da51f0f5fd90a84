//! Any template that parses renders or fails cleanly, in both null modes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vtl::{Context, NullMode, Template};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(template) = Template::parse(src) else {
        return;
    };
    for mode in [NullMode::Stock, NullMode::Empty] {
        let mut ctx = Context::new();
        ctx.set_null_mode(mode);
        ctx.insert("a", serde_json::json!([1, "two", {"b": 3.5}]));
        ctx.insert("m", serde_json::json!({"k": "v", "n": null}));
        let _ = template.render(&ctx);
    }
});
