//! Selection patterns agree with Java's `Pattern.matches` on every recorded pair of
//! `tests/selection/*.jsonl` (recorded with the reference renderer's `select`), or refuse the
//! pattern where the pair is marked as a known difference.

use std::fs;
use std::path::Path;

use serde_json::Value as Json;
use vtl::apigateway::SelectionPattern;

#[test]
fn patterns_agree_with_java() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/selection");
    let mut total = 0;
    let mut failures = Vec::new();
    for entry in fs::read_dir(&dir).expect("tests/selection exists") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "jsonl") {
            continue;
        }
        for line in fs::read_to_string(&path).expect("readable").split('\n') {
            if line.trim().is_empty() {
                continue;
            }
            let case: Json = serde_json::from_str(line).expect("valid case");
            total += 1;
            let id = case["id"].as_str().unwrap_or("?");
            let pattern = case["select"]["pattern"].as_str().expect("pattern");
            let input = case["select"]["input"].as_str().expect("input");
            let want = case.get("match").and_then(Json::as_bool);
            let got = SelectionPattern::new(pattern).and_then(|p| p.matches(input));
            let agree = match (want, &got) {
                (Some(w), Ok(g)) => w == *g,
                (None, Err(_)) => true,
                _ => false,
            };
            let known = case.get("known_difference").is_some();
            match (agree, known) {
                (false, false) => failures.push(format!(
                    "{id}: pattern {pattern:?} input {input:?}: Java {want:?}, vtl {got:?}"
                )),
                (true, true) => {
                    failures.push(format!("{id} now agrees: remove its known_difference mark"))
                }
                _ => {}
            }
        }
    }
    assert!(total >= 200, "only {total} pairs");
    assert!(
        failures.is_empty(),
        "{} of {total} pairs disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A selection pattern has a budget of its own: one that would scan the message at every
/// character of it ends at once with a Limit error.
#[test]
fn selection_patterns_end_promptly() {
    let p = SelectionPattern::new("(a(?=a*$))*").unwrap();
    let e = p.matches(&"a".repeat(100_000)).unwrap_err();
    assert_eq!(e.kind(), vtl::ErrorKind::Limit);
    assert_eq!(
        e.message(),
        "selection pattern `(a(?=a*$))*` could not be matched: the work allowed for regular expressions ran out"
    );
    // The same pattern on a short message, and a lookahead over a long one, answer.
    assert!(p.matches("aaaa").unwrap());
    let long = format!("{}[400]", "x".repeat(200_000));
    assert!(
        SelectionPattern::new("(?=.*\\[400\\]).*")
            .unwrap()
            .matches(&long)
            .unwrap()
    );
}
