//! Rendering speed of the core engine: a JSON-building loop and static text, rendered
//! from a parsed template and parsed anew each time, against a plain [`Context`].
//! The API Gateway workloads of `tests/workloads/` are in `workloads.rs`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use vtl::{Context, NullMode, Template};

const LOOP: &str = r#"{
  "items": [
#foreach($item in $items)
    {"id": "$item.id", "name": "$item.name.toUpperCase()", "total": $item.price * $item.qty}#if($foreach.hasNext),#end

#end
  ]
}"#;

fn context() -> Context {
    let items: Vec<_> = (0..1000)
        .map(|i| serde_json::json!({"id": i, "name": format!("item {i}"), "price": i % 17, "qty": 3}))
        .collect();
    let mut ctx = Context::new();
    ctx.set_null_mode(NullMode::Empty);
    ctx.insert("items", serde_json::Value::Array(items));
    ctx
}

fn bench(c: &mut Criterion) {
    let ctx = context();
    let static_text = "The quick brown fox jumps over the lazy dog.\n".repeat(2000);
    for (name, src) in [("loop-1000", LOOP), ("static-90k", static_text.as_str())] {
        let template = Template::parse(src).expect("bench template parses");
        c.bench_function(&format!("{name}/render"), |b| {
            b.iter(|| black_box(template.render(&ctx).expect("renders")))
        });
        c.bench_function(&format!("{name}/parse+render"), |b| {
            b.iter(|| {
                let t = Template::parse(black_box(src)).expect("parses");
                black_box(t.render(&ctx).expect("renders"))
            })
        });
    }
}

/// Modest defaults for a small shared machine; the command line overrides them.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench
}
criterion_main!(benches);
