//! The JSON API over real HTTP on 127.0.0.1: each call answers what the library answers,
//! and no request stops the server from answering the next.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::mpsc;

use serde_json::{Value, json};
use vtl_playground::{MAX_REQUEST_BYTES, Playground};

fn workspace(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

fn seed(name: &str) -> String {
    std::fs::read_to_string(workspace(name)).unwrap()
}

/// A playground on a free port, for the API at `source` (relative to the workspace).
fn start(source: Option<&str>) -> SocketAddr {
    let playground = Playground::new(source.map(workspace), None, Default::default()).unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        vtl_playground::run(0, playground, |address| tx.send(address).unwrap()).unwrap();
    });
    rx.recv().unwrap()
}

/// Sends one HTTP/1.1 request and reads the status and body of the answer.
fn send(address: SocketAddr, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(address).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // A server may answer before reading a body it refuses.
    let _ = stream.write_all(body);
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&answer[..split]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = answer[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = unchunk(&body);
    }
    (status, body)
}

fn unchunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(std::str::from_utf8(&data[..line]).unwrap(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[line + 2..line + 2 + size]);
        data = &data[line + 4 + size..];
    }
}

fn post(address: SocketAddr, call: &str, body: Value) -> Value {
    let (status, answer) = send(
        address,
        "POST",
        &format!("/api/{call}"),
        body.to_string().as_bytes(),
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    serde_json::from_slice(&answer).unwrap()
}

/// What `vtl render examples/seed-request.vm --request examples/seed-request.json` prints.
const SEED_OUTPUT: &str = "{\n  \"pathParams\": {\n    \"hoge\": \"hoge\"  }\n}\n";

#[test]
fn render_answers_the_exact_bytes_and_whether_they_are_json() {
    let address = start(None);
    let answer = post(
        address,
        "render",
        json!({ "template": seed("examples/seed-request.vm"), "request": seed("examples/seed-request.json") }),
    );
    assert_eq!(
        answer,
        json!({ "output": SEED_OUTPUT, "json": { "valid": true } })
    );

    let answer = post(
        address,
        "render",
        json!({ "template": "{\n\"a\": x\n}", "request": "" }),
    );
    assert_eq!(answer["output"], "{\n\"a\": x\n}");
    assert_eq!(
        answer["json"],
        json!({ "valid": false, "line": 2, "column": 6, "message": "expected value at line 2 column 6" })
    );

    let answer = post(
        address,
        "render",
        json!({ "template": "#foreach($i in [1..2000])#end" }),
    );
    assert_eq!(
        answer,
        json!({ "output": null, "error": { "message": "#foreach ran more than 1000 iterations", "line": 1, "column": 1 } })
    );
}

#[test]
fn a_request_the_library_refuses_is_an_input_error_at_its_place() {
    let address = start(None);
    let answer = post(
        address,
        "render",
        json!({ "template": "x", "request": "{\"headers\": {}}" }),
    );
    assert_eq!(
        answer,
        json!({ "inputError": {
            "message": "`headers` is written `header`, as in a request file",
            "line": 1, "column": 2, "input": "request",
        }})
    );
}

#[test]
fn check_gives_every_finding_with_its_place_and_hint() {
    let address = start(None);
    let answer = post(
        address,
        "check",
        json!({ "template": "$util.escapeJavascript($x)" }),
    );
    let findings = answer["findings"].as_array().unwrap();
    let unknown = findings
        .iter()
        .find(|f| f["code"] == "unknown-member")
        .unwrap();
    assert_eq!(
        unknown,
        &json!({
            "severity": "warning", "code": "unknown-member",
            "message": "$util has no method `escapeJavascript`",
            "hint": "did you mean `escapeJavaScript`?",
            "line": 1, "column": 7, "end": { "line": 1, "column": 27 },
        })
    );

    let answer = post(address, "check", json!({ "template": "{\n#if(\n}" }));
    assert_eq!(answer["findings"][0]["code"], "parse");
    assert_eq!(answer["findings"][0]["line"], 3);

    let answer = post(
        address,
        "check",
        json!({ "template": "{\"a\": \"$util.escapeJavaScript(\"it's\")\"}" }),
    );
    assert_eq!(
        answer["findings"],
        json!([{
            "severity": "error", "code": "invalid-json",
            "message": "the output is not valid JSON: invalid escape at output line 1, column 11",
            "hint": "$util.escapeJavaScript turns ' into \\', which JSON rejects; append .replaceAll(\"\\\\'\", \"'\")",
            "line": 1, "column": 8, "end": { "line": 1, "column": 9 },
        }])
    );
}

#[test]
fn select_picks_the_first_matching_pattern_or_the_default() {
    let address = start(None);
    let responses =
        json!([{ "pattern": null, "status": 200 }, { "pattern": "^\\[400:.*", "status": 400 }]);
    let answer = post(
        address,
        "select",
        json!({ "value": "[400:BadRequest] fuga is not hoge", "responses": responses }),
    );
    assert_eq!(answer["chosen"], 1);
    assert_eq!(
        answer["why"],
        "`^\\[400:.*` is the first selection pattern that matches (400)"
    );
    assert_eq!(answer["responses"][1]["matches"], true);
    assert_eq!(
        answer["responses"][1]["findings"][0]["code"],
        "multiline-message"
    );

    // A Lambda result: no errorMessage, so the default.
    let answer = post(
        address,
        "select",
        json!({ "value": null, "responses": responses }),
    );
    assert_eq!(answer["chosen"], 0);
    assert_eq!(
        answer["why"],
        "no selection pattern matches, so the default response (200) is chosen"
    );

    let answer = post(
        address,
        "select",
        json!({ "value": "404", "responses": [{ "pattern": "(", "status": 400 }] }),
    );
    assert_eq!(answer["chosen"], Value::Null);
    assert_eq!(
        answer["responses"][0]["error"],
        json!({ "message": "invalid selection pattern: unclosed group near index 1", "line": 1, "column": 2 })
    );
}

/// The seed's case file: GET /fuga, the function's error, the 400 response template.
const FUGA_BODY: &str = "{\n  \"message\" : \"[400:BadRequest] fuga is not hoge\"\n}\n";
const FUGA_ERROR: &str =
    r#"{"type": "lambda-error", "errorMessage": "[400:BadRequest] fuga is not hoge"}"#;

#[test]
fn routes_and_simulate_walk_a_call_of_the_api() {
    let address = start(Some("examples/seed/api.yaml"));
    let routes = post(address, "routes", json!({}));
    let route = &routes["routes"][0];
    assert_eq!(routes["routes"].as_array().unwrap().len(), 1);
    assert_eq!(
        (route["method"].as_str(), route["path"].as_str()),
        (Some("GET"), Some("/{hoge}"))
    );
    let labels: Vec<&str> = route["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "request application/json",
            "response 200 application/json",
            "response 400 application/json"
        ]
    );
    assert_eq!(
        route["request"],
        "{\n  \"method\": \"GET\",\n  \"path\": \"/hoge\"\n}"
    );

    let answer = post(
        address,
        "simulate",
        json!({ "route": 0, "request": "{\"path\": \"/fuga\"}", "backend": FUGA_ERROR }),
    );
    assert_eq!(answer["status"], 400);
    assert_eq!(answer["body"], FUGA_BODY);
    assert_eq!(
        answer["backendRequest"]["body"],
        "{\n  \"pathParams\": {\n    \"hoge\": \"fuga\"  }\n}\n"
    );
    assert_eq!(
        answer["trace"][3],
        "integration response 400 (pattern \"^\\\\[400:.*\")"
    );

    // The page's edit of the 400 response template is what the call runs.
    let edit = json!([{ "response": 1, "media": "application/json", "text": "edited" }]);
    let answer = post(
        address,
        "simulate",
        json!({ "route": 0, "request": "{\"path\": \"/fuga\"}", "backend": FUGA_ERROR, "templates": edit }),
    );
    assert_eq!(
        (answer["status"].as_u64(), answer["body"].as_str()),
        (Some(400), Some("edited"))
    );

    let answer = post(
        address,
        "simulate",
        json!({ "route": 0, "request": "{}", "backend": "{" }),
    );
    assert_eq!(answer["inputError"]["input"], "backend");
}

#[test]
fn written_cases_pass_under_vtl_test() {
    let address = start(Some("examples/seed/api.yaml"));
    let answer = post(
        address,
        "case",
        json!({ "template": "", "request": "{\"path\": \"/fuga\"}", "route": 0, "backend": FUGA_ERROR }),
    );
    let text = answer["text"].as_str().unwrap();
    let case: Value = serde_json::from_str(text).unwrap();
    assert_eq!(
        case["cases"][0]["expect"],
        json!({ "status": 400, "body": FUGA_BODY })
    );
    // The case names the source as the playground was given it: here, an absolute path.
    let report =
        vtl_tools::cases::run_str(&workspace("case.json"), text, &Default::default()).unwrap();
    assert!(report.passed(), "{report}");

    let address = start(None);
    let answer = post(
        address,
        "case",
        json!({ "template": seed("examples/seed-request.vm"), "request": seed("examples/seed-request.json") }),
    );
    let text = answer["text"].as_str().unwrap();
    let case: Value = serde_json::from_str(text).unwrap();
    assert_eq!(
        case["cases"][0]["expect"],
        json!({ "backendBody": SEED_OUTPUT })
    );
    let report =
        vtl_tools::cases::run_str(&workspace("case.json"), text, &Default::default()).unwrap();
    assert!(report.passed(), "{report}");
}

#[test]
fn bad_calls_are_clear_errors_and_the_server_keeps_serving() {
    let address = start(None);
    let (status, body) = send(address, "POST", "/api/render", b"{not json");
    assert_eq!(status, 400);
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .starts_with("the call is not understood: ")
    );

    let (status, _) = send(address, "POST", "/api/nothing", b"{}");
    assert_eq!(status, 404);
    let (status, _) = send(address, "GET", "/api/render", b"");
    assert_eq!(status, 405);

    let huge = vec![b' '; MAX_REQUEST_BYTES + 1];
    let (status, _) = send(address, "POST", "/api/render", &huge);
    assert_eq!(status, 413);

    let (status, page) = send(address, "GET", "/", b"");
    assert_eq!(status, 200);
    assert!(
        String::from_utf8(page)
            .unwrap()
            .contains("data-testid=\"template\"")
    );
    let answer = post(address, "render", json!({ "template": "still here" }));
    assert_eq!(answer["output"], "still here");
}
