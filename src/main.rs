//! The `vtl` command line: render an API Gateway mapping template against a request.

use std::io::{Read, Write};
use std::process::ExitCode;

use vtl::Request;

const USAGE: &str = "usage: vtl render TEMPLATE [--request FILE]

Renders the mapping template TEMPLATE (a file, or - for standard input) as API Gateway
does and writes exactly the rendered text to standard output.

  --request FILE   the request: {\"body\": \"..\", \"path\": {..}, \"querystring\": {..},
                   \"header\": {..}, \"stageVariables\": {..}, \"context\": {..}}
                   (without it, an empty request)

Exit status: 0 rendered; 1 template error, printed as TEMPLATE:LINE:COLUMN: message;
2 usage, request or I/O error.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("vtl: {message}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(s);
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let mut args = args.iter();
    match args.next().map(String::as_str) {
        Some("render") => {}
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            return Ok(ExitCode::SUCCESS);
        }
        _ => return Err(USAGE.to_string()),
    }
    let mut template_path = None;
    let mut request = Request::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--request" => {
                let path = args.next().ok_or("--request needs a file")?;
                request = Request::from_json(&read(path)?).map_err(|e| format!("{path}:{e}"))?;
            }
            other if template_path.is_none() && (other == "-" || !other.starts_with('-')) => {
                template_path = Some(other.to_string());
            }
            other => return Err(format!("unexpected argument `{other}`\n{USAGE}")),
        }
    }
    let path = template_path.ok_or(USAGE)?;
    let source = read(&path)?;
    let shown = if path == "-" { "<stdin>" } else { &path };
    match vtl::render(&source, &request) {
        Ok(text) => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| format!("cannot write the output: {e}"))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{shown}:{e}");
            Ok(ExitCode::from(1))
        }
    }
}
