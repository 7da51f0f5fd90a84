//! The hostile-input suite: every case of `tests/hostile/cases.jsonl` run through the
//! binary, each ending with its expected output or positioned error. Not timed: the
//! timings are `scripts/measure-hostile`'s. Cases marked `pending` are skipped, named.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn manifest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/hostile/cases.jsonl")
}

/// The bytes a file description stands for (see tests/hostile/README.md).
fn generate(spec: &Value) -> Vec<u8> {
    if let Some(s) = spec.as_str() {
        return s.as_bytes().to_vec();
    }
    if let Some(parts) = spec.get("concat").and_then(Value::as_array) {
        return parts.iter().flat_map(generate).collect();
    }
    if let Some(item) = spec.get("repeat") {
        let times = spec["times"].as_u64().expect("times") as usize;
        let join = spec.get("join").and_then(Value::as_str).unwrap_or("");
        let numbered = spec.get("numbered").and_then(Value::as_bool) == Some(true);
        let one = generate(item);
        let mut out = Vec::with_capacity((one.len() + join.len()) * times);
        for i in 0..times {
            if i > 0 {
                out.extend_from_slice(join.as_bytes());
            }
            if numbered {
                let text = item.as_str().expect("a numbered repeat repeats a string");
                out.extend_from_slice(text.replace("{{i}}", &i.to_string()).as_bytes());
            } else {
                out.extend_from_slice(&one);
            }
        }
        return out;
    }
    if let Some(hex) = spec.get("hex").and_then(Value::as_str) {
        return (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
            .collect();
    }
    panic!("unknown file description {spec}");
}

fn write(dir: &Path, name: &str, spec: &Value) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    if let Some(size) = spec.get("size").and_then(Value::as_u64) {
        // Sparse: such a file is refused by its size, never read.
        std::fs::File::create(&path).unwrap().set_len(size).unwrap();
    } else {
        std::fs::write(&path, generate(spec)).unwrap();
    }
}

/// None when the run ended as `expect` says, else why not.
fn verdict(expect: &Value, code: i32, out: &str, err: &str) -> Option<String> {
    let text = |k: &str| expect.get(k).and_then(Value::as_str);
    let list = |k: &str| -> Vec<&str> {
        expect
            .get(k)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    };
    let short = |s: &str| s.chars().take(200).collect::<String>();
    if Some(i64::from(code)) != expect["exit"].as_i64() {
        return Some(format!(
            "exit {code}, expected {}: {}",
            expect["exit"],
            short(err)
        ));
    }
    if let Some(s) = text("stdout").filter(|s| out != *s) {
        return Some(format!("stdout {:?}, expected {s:?}", short(out)));
    }
    if let Some(s) = text("stdout_prefix").filter(|s| !out.starts_with(s)) {
        return Some(format!(
            "stdout does not start with {s:?}: {:?}",
            short(out)
        ));
    }
    if let Some(s) = text("stdout_suffix").filter(|s| !out.ends_with(s)) {
        return Some(format!("stdout does not end with {s:?}"));
    }
    if let Some(n) = expect.get("stdout_len").and_then(Value::as_u64)
        && out.len() as u64 != n
    {
        return Some(format!("stdout has {} bytes, expected {n}", out.len()));
    }
    if let Some(s) = list("stdout_has").into_iter().find(|s| !out.contains(s)) {
        return Some(format!("stdout lacks {s:?}: {:?}", short(out)));
    }
    if let Some(s) = list("stderr_has").into_iter().find(|s| !err.contains(s)) {
        return Some(format!("stderr lacks {s:?}: {:?}", short(err)));
    }
    list("stderr_lacks")
        .into_iter()
        .find(|s| err.contains(s))
        .map(|s| format!("stderr shows {s:?}"))
}

/// What a case's command did: exit status, standard output and error.
fn execute(case: &Value) -> (i32, String, String) {
    let name = case["name"].as_str().unwrap();
    let dir = std::env::temp_dir().join(format!("vtl-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    if let Some(files) = case.get("files").and_then(Value::as_object) {
        for (file, spec) in files {
            write(&dir, file, spec);
        }
    }
    let args: Vec<&str> = case["run"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let output = Command::new(env!("CARGO_BIN_EXE_vtl"))
        .args(&args)
        .current_dir(&dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn run(case: &Value) -> Option<String> {
    let (code, out, err) = execute(case);
    verdict(&case["expect"], code, &out, &err)
}

/// The expectation of what a case did (with `HOSTILE_RECORD=1`): its exit status and,
/// for an error, the diagnostic's first line and its position; for an answer, its
/// first line.
fn record(case: &Value) -> Value {
    let (code, out, err) = execute(case);
    let mut expect = serde_json::json!({ "exit": code });
    let diagnostic: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("error: ") || l.trim_start().starts_with("--> "))
        .take(2)
        .map(str::trim)
        .collect();
    if !diagnostic.is_empty() {
        expect["stderr_has"] = serde_json::json!(diagnostic);
    } else if code != 0 {
        expect["stderr_has"] = serde_json::json!([err.lines().next().unwrap_or("")]);
    }
    let first = out.lines().next().unwrap_or("");
    if !first.is_empty() {
        expect["stdout_prefix"] = serde_json::json!(first.chars().take(60).collect::<String>());
    }
    expect
}

#[test]
fn every_hostile_case_ends_as_expected() {
    let text = std::fs::read_to_string(manifest()).unwrap();
    let cases: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let only = std::env::var("HOSTILE").ok();
    if std::env::var_os("HOSTILE_RECORD").is_some() {
        let lines: Vec<String> = cases
            .iter()
            .map(|case| {
                let mut case = case.clone();
                case["expect"] = record(&case);
                case.as_object_mut().unwrap().remove("pending");
                serde_json::to_string(&case).unwrap()
            })
            .collect();
        std::fs::write(manifest(), lines.join("\n") + "\n").unwrap();
        return;
    }
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        if let Some(why) = case.get("pending").and_then(Value::as_str) {
            eprintln!("pending {name}: {why}");
            continue;
        }
        if let Some(why) = run(case) {
            failures.push(format!("{name}: {why}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_case_has_a_name_a_class_a_command_and_an_expectation() {
    let text = std::fs::read_to_string(manifest()).unwrap();
    let mut names = std::collections::HashSet::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let name = case["name"].as_str().expect("name");
        assert!(names.insert(name.to_string()), "{name} twice");
        assert!(case["class"].is_string(), "{name}: class");
        assert!(case["run"].is_array(), "{name}: run");
        assert!(case["expect"]["exit"].is_i64(), "{name}: expect.exit");
    }
}
