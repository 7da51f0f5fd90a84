//! A Lambda function run as a local command, once per call, so that a handler runs
//! without Docker: the event on standard input, the result on standard output, and a
//! non-zero exit with `{"errorMessage", "errorType"}` on standard output a function error.
//! What it writes on standard error goes to the server's, as a function's logs do.

use std::process::Stdio;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;
use vtl::apigateway::{MAX_PAYLOAD_BYTES, Outcome};

use crate::lambda::error_object;

/// Runs `command` through `sh -c` with `event` on its standard input. The process is
/// killed when the call is abandoned (a timeout).
pub async fn run(command: &str, event: String) -> Result<Outcome, String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run `{command}`: {e}"))?;
    let mut stdin = child.stdin.take();
    let mut stdout = child.stdout.take();
    // Write and read at once: a handler may answer before it has read everything.
    let write = async {
        if let Some(stdin) = stdin.as_mut() {
            // A handler that exits without reading its event is not an error.
            let _ = stdin.write_all(event.as_bytes()).await;
        }
        drop(stdin.take());
    };
    let read = async {
        let mut out = Vec::new();
        if let Some(stdout) = stdout.as_mut() {
            let limit = MAX_PAYLOAD_BYTES as u64 + 1;
            stdout
                .take(limit)
                .read_to_end(&mut out)
                .await
                .map_err(|e| format!("cannot read the output of `{command}`: {e}"))?;
        }
        Ok::<_, String>(out)
    };
    let ((), out) = tokio::join!(write, read);
    let out = out?;
    if out.len() > MAX_PAYLOAD_BYTES {
        return Err(format!(
            "`{command}` wrote more than {MAX_PAYLOAD_BYTES} bytes, API Gateway's payload limit"
        ));
    }
    let status = child
        .wait()
        .await
        .map_err(|e| format!("cannot wait for `{command}`: {e}"))?;
    let text = String::from_utf8_lossy(&out);
    let text = text
        .strip_suffix('\n')
        .map(|t| t.strip_suffix('\r').unwrap_or(t))
        .unwrap_or(&text);
    if status.success() {
        return Ok(Outcome::LambdaResult(text.to_string()));
    }
    if let Some(error) = error_object(text) {
        return Ok(Outcome::LambdaError(error));
    }
    // What Lambda reports when a runtime exits in the middle of an invocation.
    let error = json!({
        "errorMessage": format!("Runtime exited with error: {status}"),
        "errorType": "Runtime.ExitError",
    });
    Ok(Outcome::LambdaError(
        error.as_object().cloned().unwrap_or_default(),
    ))
}
