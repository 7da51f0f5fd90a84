//! Speed of the shared API Gateway workloads of `tests/workloads/`.
//!
//! For every `NAME.vm` (with its request `NAME.json` and expected output `NAME.out`) the
//! rendered output is first checked byte for byte against `NAME.out` (the bench panics on
//! any difference), then two benches run in the criterion group `NAME`:
//!
//! - `render`: the template is parsed once and rendered against the request per iteration
//!   (each render binds a fresh context, so the body is parsed again, as in a real call);
//! - `parse+render`: `vtl::render(source, request)` per iteration, parse included.
//!
//! The group `static-large` also has `copy-output`: the cost of producing the expected
//! output bytes in a new `String` (one allocation and a copy), the yardstick of the goal
//! "static-large within 2x of copying its output bytes"; the group `transform-items` has
//! `validate-body`: serde_json only checking the body (`from_str::<IgnoredAny>`), the
//! yardstick of "transform-items within 2x of validating its body".
//!
//! A counting allocator also records what one render allocates, in each mode: the number
//! of allocations and the peak of bytes held, in `target/criterion/NAME/allocations.json`.
//!
//! Results land in `target/criterion/NAME/{render,parse+render,copy-output,validate-body}/new/estimates.json`;
//! `scripts/compare-velocity` reads them. See `benches/README.md`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use vtl::{Request, Template};

#[path = "support/counting.rs"]
mod counting;

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

struct Workload {
    name: String,
    source: String,
    request: Request,
    expected: String,
}

fn workloads_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/workloads")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every workload of `tests/workloads/`, sorted by name.
fn workloads() -> Vec<Workload> {
    let dir = workloads_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| {
            let path = entry.expect("directory entry").path();
            (path.extension()? == "vm").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no workloads in {}", dir.display());
    names
        .into_iter()
        .map(|name| {
            let source = read(&dir.join(format!("{name}.vm")));
            let request_text = read(&dir.join(format!("{name}.json")));
            let request = Request::from_json(&request_text)
                .unwrap_or_else(|e| panic!("{name}.json is not a valid request: {e}"));
            let expected = read(&dir.join(format!("{name}.out")));
            Workload {
                name,
                source,
                request,
                expected,
            }
        })
        .collect()
}

/// Panics unless both ways of rendering give exactly `NAME.out`.
fn check(w: &Workload, template: &Template) {
    let rendered = template
        .render(&w.request)
        .unwrap_or_else(|e| panic!("{}: render failed: {e}", w.name));
    let direct = vtl::render(&w.source, &w.request)
        .unwrap_or_else(|e| panic!("{}: vtl::render failed: {e}", w.name));
    for (how, out) in [("Template::render", &rendered), ("vtl::render", &direct)] {
        if out.as_bytes() != w.expected.as_bytes() {
            let at = out
                .bytes()
                .zip(w.expected.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(out.len().min(w.expected.len()));
            let from = at.saturating_sub(40);
            panic!(
                "{}: {how} output differs from {}.out at byte {at} (got {} bytes, expected {});\n\
                 got:      {:?}\nexpected: {:?}",
                w.name,
                w.name,
                out.len(),
                w.expected.len(),
                String::from_utf8_lossy(&out.as_bytes()[from..(at + 40).min(out.len())]),
                String::from_utf8_lossy(
                    &w.expected.as_bytes()[from..(at + 40).min(w.expected.len())]
                ),
            );
        }
    }
}

/// Writes what one render allocates in each mode to `target/criterion/NAME/allocations.json`.
fn record_allocations(w: &Workload, template: &Template) {
    // A first render warms what a thread keeps between renders (pattern and key caches).
    black_box(template.render(&w.request).expect("renders"));
    let (_, render, render_peak) = counting::measure(|| template.render(&w.request));
    let (_, both, both_peak) = counting::measure(|| vtl::render(&w.source, &w.request));
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    );
    let dir = target.join("criterion").join(&w.name);
    std::fs::create_dir_all(&dir).expect("criterion directory");
    let json = format!(
        "{{\"render\": {render}, \"render_peak_bytes\": {render_peak}, \"parse+render\": {both}, \"parse+render_peak_bytes\": {both_peak}}}\n"
    );
    std::fs::write(dir.join("allocations.json"), json).expect("allocations.json");
}

fn bench(c: &mut Criterion) {
    for w in workloads() {
        let template = Template::parse(&w.source)
            .unwrap_or_else(|e| panic!("{}: template does not parse: {e}", w.name));
        check(&w, &template);
        record_allocations(&w, &template);

        let mut group = c.benchmark_group(&w.name);
        // Renders of a millisecond or more: fewer samples, so that the modest measurement
        // time still completes them.
        let started = std::time::Instant::now();
        black_box(template.render(&w.request).expect("renders"));
        if started.elapsed() > Duration::from_micros(500) {
            group.sample_size(20);
        }
        group.bench_function("render", |b| {
            b.iter(|| black_box(template.render(black_box(&w.request)).expect("renders")))
        });
        group.bench_function("parse+render", |b| {
            b.iter(|| {
                black_box(
                    vtl::render(black_box(&w.source), black_box(&w.request)).expect("renders"),
                )
            })
        });
        if w.name == "static-large" {
            let expected = w.expected.as_str();
            group.bench_function("copy-output", |b| {
                b.iter(|| black_box(String::from(black_box(expected))))
            });
        }
        if w.name == "transform-items" {
            let body = w.request.body();
            group.bench_function("validate-body", |b| {
                b.iter(|| {
                    black_box(serde_json::from_str::<serde::de::IgnoredAny>(black_box(
                        body,
                    )))
                    .expect("the body is JSON")
                })
            });
        }
        group.finish();
    }
}

/// Modest defaults for a small shared machine; the command line (`-- --measurement-time 5`)
/// overrides them.
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
