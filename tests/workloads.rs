//! The shared workloads (`tests/workloads/NAME.vm` against `NAME.json`) render to exactly
//! their recorded output `NAME.out`.

use std::fs;
use std::path::Path;

#[test]
fn every_workload_renders_to_its_recorded_output() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/workloads");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("tests/workloads exists")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".vm").map(str::to_string)
        })
        .collect();
    names.sort();
    assert_eq!(names.len(), 7, "workloads: {names:?}");
    for name in names {
        let read =
            |ext: &str| fs::read_to_string(dir.join(format!("{name}.{ext}"))).expect("readable");
        let request = vtl::Request::from_json(&read("json")).expect("valid request");
        let out = vtl::render(&read("vm"), &request).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(out == read("out"), "{name}: output differs from {name}.out");
    }
}
