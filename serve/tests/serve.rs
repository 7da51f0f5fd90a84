//! `vtl serve` end to end: the server on an ephemeral loopback port, a fake Lambda Invoke
//! API and HTTP backend written here, and real HTTP requests with every byte of the
//! answers checked.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use vtl_serve::{Config, Function};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)
}

/// A server under test; it stops when dropped.
struct Served {
    addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

async fn start(config: Config) -> Served {
    let loaded = vtl_serve::load(&config).expect("the API loads");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(vtl_serve::serve(config, loaded, listener, async {
        let _ = stopped.await;
    }));
    Served { addr, _stop: stop }
}

/// An answer as it came over the wire.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `head` (request line and headers, without the blank line) and `body`.
async fn send(addr: SocketAddr, head: &str, body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut request = format!("{head}\r\nHost: {addr}\r\nConnection: close\r\n");
    if !body.is_empty() {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    parse(&raw)
}

async fn get(addr: SocketAddr, path: &str) -> Answer {
    send(addr, &format!("GET {path} HTTP/1.1"), b"").await
}

fn parse(raw: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete answer");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .map(|l| {
            let (k, v) = l.split_once(": ").unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

/// The fake backends: a Lambda Invoke API (the seed's `lambdemo`, `customfn`, `proxyfn`)
/// and an HTTP backend (`GET /items/{id}`).
async fn fake_backends() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(backend_connection(stream));
        }
    });
    addr
}

async fn backend_connection(mut stream: TcpStream) {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let (head, mut body) = loop {
        let n = stream.read(&mut buf).await.unwrap_or(0);
        if n == 0 {
            return;
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).to_string();
            break (head, raw[end + 4..].to_vec());
        }
    };
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(": ")?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.parse().ok())?
        })
        .unwrap_or(0);
    while body.len() < length {
        let n = stream.read(&mut buf).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    let target = head.split(' ').nth(1).unwrap_or("").to_string();
    let event: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let (status, headers, body): (u16, Vec<(&str, String)>, String) = match target.as_str() {
        "/2015-03-31/functions/lambdemo/invocations" => {
            let hoge = event["pathParams"]["hoge"].as_str().unwrap_or("");
            if hoge == "hoge" {
                (200, vec![], r#"{"message": "hogehoge"}"#.to_string())
            } else {
                let error = serde_json::json!({
                    "errorMessage": format!("[400:BadRequest] {hoge} is not hoge"),
                    "errorType": "NotHogeError",
                    "stackTrace": [],
                });
                (
                    200,
                    vec![("X-Amz-Function-Error", "Unhandled".to_string())],
                    error.to_string(),
                )
            }
        }
        "/2015-03-31/functions/customfn/invocations" => match event["what"].as_str() {
            Some("typed") => (
                200,
                vec![("x-amzn-ErrorType", "Typed".to_string())],
                r#"{"errorMessage": "[400:BadRequest] typed", "errorType": "Typed"}"#.to_string(),
            ),
            Some("slow") => {
                tokio::time::sleep(Duration::from_secs(5)).await;
                (200, vec![], "{}".to_string())
            }
            Some("midstream") => {
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial")
                    .await;
                return;
            }
            Some("missing") => (
                404,
                vec![("x-amzn-ErrorType", "ResourceNotFoundException".to_string())],
                r#"{"Type":"User","message":"Function not found: customfn"}"#.to_string(),
            ),
            _ => (200, vec![], r#"{"ok": true}"#.to_string()),
        },
        "/2015-03-31/functions/proxyfn/invocations" => {
            let result = serde_json::json!({
                "statusCode": 201,
                "headers": {"X-Echo": "yes", "Content-Type": "application/json"},
                "body": event.to_string(),
            });
            (200, vec![], result.to_string())
        }
        t if t.starts_with("/items/") => {
            let method = head.split(' ').next().unwrap_or("");
            let item = &t["/items/".len()..];
            (
                200,
                vec![],
                format!(r#"{{"item":"{item}","method":"{method}"}}"#),
            )
        }
        _ => (404, vec![], "{}".to_string()),
    };
    let mut answer = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        answer.push_str(&format!("{k}: {v}\r\n"));
    }
    answer.push_str("\r\n");
    answer.push_str(&body);
    let _ = stream.write_all(answer.as_bytes()).await;
}

fn tests_api() -> Config {
    let mut config = Config::new(vec![fixture("tests/fixtures/api.yaml")]);
    config.stage_variables.insert("env".into(), "test".into());
    config
}

async fn with_lambdas(mut config: Config) -> (Config, SocketAddr) {
    let backends = fake_backends().await;
    config.lambda_endpoint = Some(format!("http://{backends}"));
    (config, backends)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_curl_session_byte_for_byte() {
    let mut config = Config::new(vec![fixture("../examples/seed/api.yaml")]);
    config.stage = "snapshot".into();
    let (config, _) = with_lambdas(config).await;
    let served = start(config).await;

    let hoge = get(served.addr, "/snapshot/hoge").await;
    assert_eq!(hoge.status, 200);
    assert_eq!(hoge.header("content-type"), Some("application/json"));
    assert_eq!(hoge.header("content-length"), Some("23"));
    assert_eq!(hoge.body, r#"{"message": "hogehoge"}"#);
    assert_eq!(hoge.header("x-amzn-requestid").map(str::len), Some(36));

    let fuga = get(served.addr, "/snapshot/fuga").await;
    assert_eq!(fuga.status, 400);
    assert_eq!(fuga.header("content-type"), Some("application/json"));
    assert_eq!(
        fuga.body,
        "{\n  \"message\" : \"[400:BadRequest] fuga is not hoge\"\n}\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_methods_and_stages_are_403() {
    let mut config = Config::new(vec![fixture("../examples/seed/api.yaml")]);
    config.stage = "snapshot".into();
    let served = start(config).await;
    for head in [
        "POST /snapshot/hoge HTTP/1.1",
        "GET /snapshot/hoge/more HTTP/1.1",
        "GET /snapshot/ HTTP/1.1",
        "GET /prod/hoge HTTP/1.1",
        "GET / HTTP/1.1",
    ] {
        let answer = send(served.addr, head, b"").await;
        assert_eq!(answer.status, 403, "{head}");
        assert_eq!(answer.body, r#"{"message":"Missing Authentication Token"}"#);
        assert_eq!(
            answer.header("x-amzn-errortype"),
            Some("MissingAuthenticationTokenException")
        );
        assert_eq!(answer.header("content-type"), Some("application/json"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_precedence_literal_then_parameter_then_greedy() {
    let served = start(tests_api()).await;
    let cases = [
        ("GET /local/pets/mine", r#"{"route": "mine"}"#),
        ("GET /local/pets/7", r#"{"route": "id", "id": "7"}"#),
        (
            "GET /local/pets/7/toys",
            r#"{"route": "proxy", "proxy": "pets/7/toys", "method": "GET"}"#,
        ),
        (
            "DELETE /local/pets/7",
            r#"{"route": "proxy", "proxy": "pets/7", "method": "DELETE"}"#,
        ),
        ("GET /local/pets/a%20b", r#"{"route": "id", "id": "a b"}"#),
    ];
    for (request, body) in cases {
        let answer = send(served.addr, &format!("{request} HTTP/1.1"), b"").await;
        assert_eq!(answer.status, 200, "{request}");
        assert_eq!(answer.body, body, "{request}");
    }
    assert_eq!(get(served.addr, "/local/").await.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_names_keep_the_last_value_and_the_context_is_the_call() {
    let served = start(tests_api()).await;
    let head = "GET /local/echo?q=1&q=2 HTTP/1.1\r\nX-Tag: a\r\nX-Tag: b\r\nUser-Agent: t/1";
    let answer = send(served.addr, head, b"").await;
    assert_eq!(answer.status, 200);
    let expected = format!(
        r#"{{"q": "2", "tag": "b", "query": "{{q=2}}", "agent": "t/1", "ip": "127.0.0.1", "stage": "local", "path": "/local/echo", "resource": "/echo", "domain": "{}", "env": "test"}}"#,
        served.addr
    );
    assert_eq!(answer.body, expected);
    let plain = send(
        served.addr,
        "GET /local/echo?q=x+y HTTP/1.1\r\nAccept: text/plain",
        b"",
    )
    .await;
    assert_eq!(plain.body, "plain x y");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_content_type_without_a_template_is_415() {
    let served = start(tests_api()).await;
    let answer = send(
        served.addr,
        "POST /local/strict HTTP/1.1\r\nContent-Type: text/plain",
        b"hello",
    )
    .await;
    assert_eq!(answer.status, 415);
    assert_eq!(answer.body, r#"{"message": "Unsupported Media Type"}"#);
    let json = send(
        served.addr,
        "POST /local/strict HTTP/1.1\r\nContent-Type: application/json",
        b"{\"a\": 1}",
    )
    .await;
    assert_eq!(
        (json.status, json.body.as_str()),
        (200, r#"{"accepted": true}"#)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payload_over_10_mb_is_413_and_one_at_the_limit_is_served() {
    let served = start(tests_api()).await;
    let declared = format!(
        "POST /local/strict HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nHost: x\r\nConnection: close\r\n\r\n",
        10 * 1024 * 1024 + 1
    );
    let mut stream = TcpStream::connect(served.addr).await.unwrap();
    stream.write_all(declared.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let answer = parse(&raw);
    assert_eq!(answer.status, 413);
    assert_eq!(answer.body, r#"{"message":"Request Too Long"}"#);

    let mut body = vec![b' '; 10 * 1024 * 1024];
    body[0] = b'1';
    let at_limit = send(
        served.addr,
        "POST /local/strict HTTP/1.1\r\nContent-Type: application/json",
        &body,
    )
    .await;
    assert_eq!(at_limit.status, 200);
    assert_eq!(at_limit.body, r#"{"accepted": true}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_backend_is_504_and_blocks_no_one_else() {
    let (mut config, _) = with_lambdas(tests_api()).await;
    config.timeout = Duration::from_millis(1500);
    let served = start(config).await;
    let addr = served.addr;
    let slow = tokio::spawn(async move { get(addr, "/local/lambda/slow").await });
    // While the slow call waits on its backend, other calls are answered.
    for _ in 0..20 {
        let answer = get(addr, "/local/pets/mine").await;
        assert_eq!(answer.status, 200);
    }
    assert!(!slow.is_finished());
    let slow = slow.await.unwrap();
    assert_eq!(slow.status, 504);
    assert_eq!(slow.body, r#"{"message": "Endpoint request timed out"}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_calls_at_once() {
    let (config, _) = with_lambdas(tests_api()).await;
    let served = start(config).await;
    let calls: Vec<_> = (0..64)
        .map(|i| {
            let addr = served.addr;
            tokio::spawn(async move {
                if i % 2 == 0 {
                    get(addr, &format!("/local/pets/{i}")).await
                } else {
                    get(addr, "/local/lambda/ok").await
                }
            })
        })
        .collect();
    for (i, call) in calls.into_iter().enumerate() {
        let answer = call.await.unwrap();
        assert_eq!(answer.status, 200);
        if i % 2 == 0 {
            assert_eq!(answer.body, format!(r#"{{"route": "id", "id": "{i}"}}"#));
        } else {
            assert_eq!(answer.body, r#"{"ok": true}"#);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn function_errors_are_selected_and_broken_backends_are_502() {
    let (config, backends) = with_lambdas(tests_api()).await;
    let served = start(config).await;

    let typed = get(served.addr, "/local/lambda/typed").await;
    assert_eq!(typed.status, 400);
    assert_eq!(
        typed.body,
        r#"{"error": "[400:BadRequest] typed", "type": "Typed"}"#
    );

    let url = format!("http://{backends}/2015-03-31/functions/customfn/invocations");
    let midstream = get(served.addr, "/local/lambda/midstream").await;
    assert_eq!(midstream.status, 502);
    let prefix = format!(r#"{{"message":"{url} answered 200, then its body failed: "#);
    assert!(midstream.body.starts_with(&prefix), "{}", midstream.body);

    let missing = get(served.addr, "/local/lambda/missing").await;
    assert_eq!(missing.status, 502);
    let expected = serde_json::json!({"message": format!(
        "the Lambda Invoke API at {url} answered 404 (ResourceNotFoundException): {}",
        r#"{"Type":"User","message":"Function not found: customfn"}"#
    )});
    assert_eq!(missing.body, expected.to_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_that_is_down_is_502_with_the_reason() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut config = tests_api();
    config.lambdas.insert(
        "customfn".into(),
        Function::Invoke(format!("http://127.0.0.1:{port}")),
    );
    let served = start(config).await;
    let answer = get(served.addr, "/local/lambda/ok").await;
    assert_eq!(answer.status, 502);
    let prefix = format!(
        r#"{{"message":"http://127.0.0.1:{port}/2015-03-31/functions/customfn/invocations cannot be reached: client error (Connect)"#
    );
    assert!(answer.body.starts_with(&prefix), "{}", answer.body);
    assert!(
        answer.body.contains("Connection refused"),
        "{}",
        answer.body
    );

    // A function with no endpoint at all names the flags.
    let proxy = get(served.addr, "/local/fn/x").await;
    assert_eq!(proxy.status, 502);
    assert_eq!(
        proxy.body,
        r#"{"message":"no endpoint for the Lambda function `proxyfn`: give --lambda proxyfn=URL, --lambda proxyfn=cmd:COMMAND or --lambda-endpoint URL"}"#
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_integration_gets_the_version_1_event() {
    let (config, _) = with_lambdas(tests_api()).await;
    let served = start(config).await;
    let head = "POST /local/fn/abc?a=1&a=2&b= HTTP/1.1\r\nX-Multi: x\r\nX-Multi: y\r\nContent-Type: text/plain";
    let answer = send(served.addr, head, b"hello").await;
    assert_eq!(answer.status, 201);
    assert_eq!(answer.header("x-echo"), Some("yes"));
    let event: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(event["resource"], "/fn/{name}");
    assert_eq!(event["path"], "/fn/abc");
    assert_eq!(event["httpMethod"], "POST");
    assert_eq!(event["headers"]["X-Multi"], "y");
    assert_eq!(event["headers"]["Content-Type"], "text/plain");
    assert_eq!(
        event["multiValueHeaders"]["X-Multi"],
        serde_json::json!(["x", "y"])
    );
    assert_eq!(
        event["queryStringParameters"],
        serde_json::json!({"a": "2", "b": ""})
    );
    assert_eq!(
        event["multiValueQueryStringParameters"],
        serde_json::json!({"a": ["1", "2"], "b": [""]})
    );
    assert_eq!(event["pathParameters"], serde_json::json!({"name": "abc"}));
    assert_eq!(event["stageVariables"], serde_json::json!({"env": "test"}));
    assert_eq!(event["body"], "hello");
    assert_eq!(event["isBase64Encoded"], false);
    let context = &event["requestContext"];
    assert_eq!(context["stage"], "local");
    assert_eq!(context["resourcePath"], "/fn/{name}");
    assert_eq!(context["httpMethod"], "POST");
    assert_eq!(context["path"], "/local/fn/abc");
    assert_eq!(context["identity"]["sourceIp"], "127.0.0.1");
    assert_eq!(
        context["requestId"],
        answer.header("x-amzn-requestid").unwrap()
    );
    assert!(context.get("requestOverride").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_runs_as_the_function() {
    let mut config = tests_api();
    let mut run = |command: &str| {
        config
            .lambdas
            .insert("customfn".into(), Function::Command(command.into()));
        config.clone()
    };
    let echo = start(run("cat")).await;
    let answer = get(echo.addr, "/local/lambda/echo").await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (200, r#"{"what": "echo"}"#)
    );

    let failing = start(run(
        r#"cat >/dev/null; echo '{"errorMessage": "[400:BadRequest] from sh", "errorType": "ShError"}'; exit 3"#,
    ))
    .await;
    let answer = get(failing.addr, "/local/lambda/x").await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.body,
        r#"{"error": "[400:BadRequest] from sh", "type": "ShError"}"#
    );

    // A crash matches no pattern: the default response passes the error through.
    let crashing = start(run("exit 2")).await;
    let answer = get(crashing.addr, "/local/lambda/x").await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.body,
        r#"{"errorMessage":"Runtime exited with error: exit status: 2","errorType":"Runtime.ExitError"}"#
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_integration_goes_to_its_rewritten_origin() {
    let backends = fake_backends().await;
    let mut config = tests_api();
    config.http_origins.push((
        "https://backend.example.com".into(),
        format!("http://{backends}"),
    ));
    let served = start(config).await;
    let answer = get(served.addr, "/local/http/7").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, r#"{"backend": {"item":"7","method":"GET"}}"#);

    // An HTTP proxy passes the method, the greedy path and the query string through, and
    // the backend's answer back as it is.
    let proxied = send(served.addr, "PUT /local/hp/9/x?q=1 HTTP/1.1", b"{}").await;
    assert_eq!(proxied.status, 200);
    assert_eq!(proxied.body, r#"{"item":"9/x?q=1","method":"PUT"}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_services_answer_from_the_outcomes_file_or_name_the_flag() {
    let post = "POST /local/queue HTTP/1.1\r\nContent-Type: application/json";
    let served = start(tests_api()).await;
    let answer = send(served.addr, post, b"{\"job\": 1}").await;
    assert_eq!(answer.status, 502);
    assert_eq!(
        answer.body,
        r#"{"message":"POST /queue integrates an AWS service (arn:aws:apigateway:us-east-1:sqs:path/123456789012/jobs), which cannot be called locally: give its outcome with --outcomes FILE"}"#
    );

    let mut config = tests_api();
    config.outcomes = Some(fixture("tests/fixtures/outcomes.yaml"));
    let served = start(config).await;
    let answer = send(served.addr, post, b"{\"job\": 1}").await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (200, r#"{"queued": "m-1"}"#)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_template_is_500_and_the_server_goes_on() {
    let served = start(tests_api()).await;
    let broken = get(served.addr, "/local/broken-template").await;
    assert_eq!(broken.status, 500);
    assert_eq!(broken.body, r#"{"message": "Internal server error"}"#);
    assert_eq!(get(served.addr, "/local/pets/mine").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_serves_the_changed_template() {
    let dir = std::env::temp_dir().join(format!("vtl-serve-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let api = dir.join("api.yaml");
    let write = |body: &str| {
        let text = format!(
            "openapi: \"3.0.1\"\ninfo: {{title: w, version: \"1\"}}\npaths:\n  /w:\n    get:\n      x-amazon-apigateway-integration:\n        type: mock\n        requestTemplates: {{application/json: '{{\"statusCode\": 200}}'}}\n        responses:\n          default:\n            statusCode: \"200\"\n            responseTemplates: {{application/json: '{body}'}}\n"
        );
        std::fs::write(&api, text).unwrap();
    };
    write("one");
    let mut config = Config::new(vec![api.clone()]);
    config.watch = true;
    let served = start(config).await;
    assert_eq!(get(served.addr, "/local/w").await.body, "one");
    // A second later, so that the modification time moves on any file system.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    write("two ");
    let mut body = String::new();
    for _ in 0..100 {
        body = get(served.addr, "/local/w").await.body;
        if body != "one" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(body, "two ");
    std::fs::remove_dir_all(&dir).unwrap();
}
