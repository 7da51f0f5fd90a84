//! How the cost of a render grows with its work: bodies of 1 KB to 10 MB (API Gateway's
//! payload limit; `#foreach` unbounded in iterations and steps for these) and templates of 1 KB to 300 KB (its template limit).
//!
//! For each size it prints, as a markdown table, the median time of a render over the
//! size in bytes (flat across sizes when the cost grows linearly), the allocations of one
//! render, and the peak of bytes held during one render over the body plus the output
//! (a counting allocator measures both). The templates are parsed once (`render`) or with
//! each render (`parse+render`).
//!
//! ```sh
//! cargo bench --bench scaling            # every size, about a minute
//! cargo bench --bench scaling -- 1000000 # only sizes up to 1 MB
//! ```

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use vtl::{Request, Template};

#[path = "support/counting.rs"]
mod counting;

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

const SIZES: [usize; 4] = [1_000, 100_000, 1_000_000, 10_000_000];
const TEMPLATE_SIZES: [usize; 4] = [1_000, 10_000, 100_000, 300_000];

/// The items of `tests/workloads/transform-items`, as many as fit in `size` bytes.
fn items_body(size: usize) -> String {
    let mut body = String::from("{\"currency\": \"EUR\", \"items\": [");
    let mut i = 0;
    loop {
        let tags = ["\"a\"", "\"a\", \"b\"", "\"a\", \"b\", \"c\""][i % 3];
        let item = format!(
            "{{\"id\": {i}, \"name\": \"item-{i} \\\"quoted\\\" it's\", \"price\": {}, \"tags\": [{tags}], \"active\": {}}}",
            100 + i % 50,
            i % 4 != 0
        );
        if body.len() + item.len() + 4 > size {
            break;
        }
        if i > 0 {
            body.push_str(", ");
        }
        body.push_str(&item);
        i += 1;
    }
    body.push_str("]}");
    body
}

fn workload(name: &str, ext: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/workloads")
        .join(format!("{name}.{ext}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The median time of `f` over runs filling about half a second (at least three).
fn median(mut f: impl FnMut()) -> Duration {
    let mut times = Vec::new();
    let started = Instant::now();
    while times.len() < 3 || (started.elapsed() < Duration::from_millis(500) && times.len() < 1000)
    {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

/// One row: the time per byte of `bytes`, allocations and peak memory of one render.
fn row(what: &str, bytes: usize, body: usize, render: impl Fn() -> String) {
    let (out, allocations, peak) = counting::measure(&render);
    let output = out.len();
    drop(out);
    let time = median(|| {
        black_box(render());
    });
    println!(
        "| {what} | {bytes} | {output} | {:.2} | {allocations} | {:.2} |",
        time.as_nanos() as f64 / bytes as f64,
        peak as f64 / (body + output) as f64,
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a number limits the sizes.
    let most: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(usize::MAX);
    println!(
        "| case | bytes | output bytes | ns per byte | allocations | peak / (body + output) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");

    let transform = Template::parse(&workload("transform-items", "vm")).expect("parses");
    let json = Template::parse("$input.json('$')").expect("parses");
    let foreach =
        Template::parse("#foreach($item in $input.path('$.items'))$item.id,#end").expect("parses");
    for size in SIZES.into_iter().filter(|&s| s <= most) {
        // API Gateway stops a `#foreach` after 1,000 iterations; the larger bodies need
        // more, and steps for them.
        let base = Request::new().with_body(items_body(size));
        let limits = vtl::Limits {
            max_iterations: None,
            max_steps: 1 << 40,
            ..base.limits()
        };
        let request = base.with_limits(limits);
        let body = request.body().len();
        for (what, template) in [
            ("body: transform-items", &transform),
            ("body: `$input.json('$')`", &json),
            ("body: `#foreach` over `$input.path`", &foreach),
        ] {
            row(what, body, body, || {
                template.render(&request).expect("renders")
            });
        }
    }

    // Copies of the passthrough template, as `large-template` makes them.
    let passthrough = workload("passthrough", "vm");
    let request = Request::from_json(&workload("passthrough", "json")).expect("a request");
    let body = request.body().len();
    for size in TEMPLATE_SIZES.into_iter().filter(|&s| s <= most) {
        let mut source = String::new();
        while source.len() + passthrough.len() <= size.max(passthrough.len()) {
            source.push_str(&passthrough);
        }
        let template = Template::parse(&source).expect("parses");
        row("template: render", source.len(), body, || {
            template.render(&request).expect("renders")
        });
        row("template: parse+render", source.len(), body, || {
            vtl::render(&source, &request).expect("renders")
        });
    }
}
