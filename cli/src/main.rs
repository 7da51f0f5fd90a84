//! The `vtl` command line: render an API Gateway mapping template against a request, test a
//! selection pattern, simulate a whole integration call.

mod diagnostics;

use std::io::{Read, Write};
use std::process::ExitCode;

use vtl::Request;

const USAGE: &str = "usage:
  vtl --help | --version (-h, -V)
  vtl render TEMPLATE [--request FILE]
  vtl select PATTERN INPUT
  vtl simulate INTEGRATION --request FILE --backend FILE [--trace]
  vtl check TEMPLATE|API... [--request FILE]... [--content-type TYPE] [--format json]
  vtl test CASES

render    renders the mapping template TEMPLATE (a file, or - for standard input) as API
          Gateway does and writes exactly the rendered text to standard output. The request
          file: {\"body\": \"..\", \"path\": {..}, \"querystring\": {..}, \"header\": {..},
          \"stageVariables\": {..}, \"context\": {..}} (without it, an empty request).
select    prints `match` or `nomatch`: whether the selection pattern (a Java regex) matches
          the whole of INPUT, as API Gateway matches a Lambda errorMessage or a status code.
simulate  runs one call through an integration (x-amazon-apigateway-integration, JSON or YAML) with
          the backend outcome of --backend ({\"type\": \"lambda\", \"result\": ..},
          {\"type\": \"lambda-error\", \"errorMessage\": ..}, {\"type\": \"http\", \"status\": ..,
          \"body\": ..} or {\"type\": \"mock\"}) and prints the status line, headers and body;
          --trace also prints each step and what the backend received.

check     parses each template, renders it against each sample request (or an empty one)
          and reports problems: syntax errors, #include/#parse, API Gateway's limits,
          output that is not JSON (unless --content-type is not JSON), references that
          resolve to nothing, #if($x) used to test presence. An OpenAPI or Swagger export
          (JSON or YAML, with x-amazon-apigateway-integration) has all its templates and
          selection patterns checked. Exit 1 when there are errors.
test      runs the cases of a case file (YAML or JSON: an API or integration, then for
          each case a request, a backend outcome and the expected status, headers and
          body) and prints a report. Exit 1 when a case fails.

Exit status: 0 done; 1 template or pattern error, printed as FILE:LINE:COLUMN: message;
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

/// Whether the arguments ask for the usage text: `-h` or `--help` anywhere, except as
/// the pattern or input of `select`, which may be any text.
fn wants_help(args: &[String]) -> bool {
    let options = match args {
        [command, _, _] if command == "select" => &args[..1],
        _ => args,
    };
    options.iter().any(|a| a == "-h" || a == "--help")
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    if wants_help(args) {
        println!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    }
    let mut args = args.iter();
    match args.next().map(String::as_str) {
        Some("render") => {}
        Some("select") => return select(args.as_slice()),
        Some("simulate") => return simulate(args.as_slice()),
        Some("check") => return check(args.as_slice()),
        Some("test") => return test(args.as_slice()),
        Some("help") => {
            println!("{USAGE}");
            return Ok(ExitCode::SUCCESS);
        }
        Some("-V" | "--version") => {
            println!("vtl {}", env!("CARGO_PKG_VERSION"));
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
            eprint!("{}", diagnostics::error(shown, &source, &e));
            Ok(ExitCode::from(1))
        }
    }
}

fn write_out(text: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write the output: {e}"))
}

fn select(args: &[String]) -> Result<ExitCode, String> {
    let [pattern, input] = args else {
        return Err(USAGE.to_string());
    };
    let outcome = vtl::apigateway::SelectionPattern::new(pattern).and_then(|p| p.matches(input));
    match outcome {
        Ok(matched) => {
            write_out(if matched { "match\n" } else { "nomatch\n" })?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprint!("{}", diagnostics::error("<pattern>", pattern, &e));
            Ok(ExitCode::from(1))
        }
    }
}

fn simulate(args: &[String]) -> Result<ExitCode, String> {
    use vtl::apigateway::{Integration, Outcome};
    let mut integration_path = None;
    let mut request_path = None;
    let mut backend_path = None;
    let mut trace = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--request" => request_path = Some(args.next().ok_or("--request needs a file")?),
            "--backend" => backend_path = Some(args.next().ok_or("--backend needs a file")?),
            "--trace" => trace = true,
            other if integration_path.is_none() && !other.starts_with('-') => {
                integration_path = Some(other)
            }
            other => return Err(format!("unexpected argument `{other}`\n{USAGE}")),
        }
    }
    let (Some(integration_path), Some(backend_path)) = (integration_path, backend_path) else {
        return Err(USAGE.to_string());
    };
    let integration = match Integration::from_text(&read(integration_path)?) {
        Ok(i) => i,
        Err(e) if e.kind() == vtl::ErrorKind::Input => {
            return Err(format!("{integration_path}:{e}"));
        }
        Err(e) => {
            eprintln!("{integration_path}:{e}");
            return Ok(ExitCode::from(1));
        }
    };
    let request = match request_path {
        Some(p) => Request::from_json(&read(p)?).map_err(|e| format!("{p}:{e}"))?,
        None => Request::new(),
    };
    let outcome =
        Outcome::from_text(&read(backend_path)?).map_err(|e| format!("{backend_path}:{e}"))?;
    let result = vtl::apigateway::simulate(&integration, &request, |_| outcome);
    let mut text = String::new();
    if trace {
        for step in &result.trace {
            text.push_str(&format!("# {step}\n"));
        }
        if let Some(b) = &result.backend_request {
            text.push_str(&format!(
                "# backend received: {}\n",
                b.body.replace('\n', "\n#   ")
            ));
        }
    }
    text.push_str(&format!("HTTP {}\n", result.status));
    for (k, v) in &result.headers {
        text.push_str(&format!("{k}: {v}\n"));
    }
    text.push('\n');
    text.push_str(&result.body);
    write_out(&text)?;
    if let Some(e) = &result.error {
        eprintln!("{integration_path}:{e}");
    }
    Ok(ExitCode::SUCCESS)
}

fn check(args: &[String]) -> Result<ExitCode, String> {
    let mut files = Vec::new();
    let mut requests = Vec::new();
    let mut json_output = false;
    let mut content_type = "application/json".to_string();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--request" => {
                let p = args.next().ok_or("--request needs a file")?;
                requests.push(Request::from_json(&read(p)?).map_err(|e| format!("{p}:{e}"))?);
            }
            "--format" => match args.next().map(String::as_str) {
                Some("json") => json_output = true,
                Some("human") => json_output = false,
                _ => return Err("--format is `human` or `json`".to_string()),
            },
            "--content-type" => {
                content_type = args
                    .next()
                    .ok_or("--content-type needs a media type")?
                    .to_ascii_lowercase()
            }
            other if !other.starts_with('-') || other == "-" => files.push(other.to_string()),
            other => return Err(format!("unexpected argument `{other}`\n{USAGE}")),
        }
    }
    if files.is_empty() {
        return Err(USAGE.to_string());
    }
    let json = content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().ends_with("json"));
    let (mut errors, mut warnings) = (0, 0);
    let mut text = String::new();
    let mut report = |origin: &str, source: &str, f: &vtl::apigateway::check::Finding| {
        match f.severity {
            vtl::apigateway::check::Severity::Error => errors += 1,
            vtl::apigateway::check::Severity::Warning => warnings += 1,
        }
        if json_output {
            let obj = serde_json::json!({
                "file": origin, "line": f.line, "column": f.column,
                "severity": if f.severity == vtl::apigateway::check::Severity::Error { "error" } else { "warning" },
                "code": f.code, "message": f.message, "hint": f.hint,
            });
            text.push_str(&format!("{obj}\n"));
        } else {
            text.push_str(&diagnostics::finding(origin, source, f));
            text.push('\n');
        }
    };
    for file in &files {
        let source = read(file)?;
        let shown = if file == "-" {
            "<stdin>"
        } else {
            file.as_str()
        };
        // An API definition: every template and selection pattern in it.
        if let Some(api) = api_definition(file, &source) {
            let api = match api {
                Ok(api) => api,
                Err(e) => {
                    let f = vtl::apigateway::check::Finding {
                        severity: vtl::apigateway::check::Severity::Error,
                        code: "api",
                        message: e.message().to_string(),
                        span: None,
                        line: e.line(),
                        column: e.column(),
                        hint: None,
                    };
                    report(shown, "", &f);
                    continue;
                }
            };
            for op in &api.operations {
                let integration = &op.integration;
                for (media, t) in &integration.request_templates {
                    let origin = format!(
                        "{shown}: {} {} requestTemplates {media}",
                        op.method, op.path
                    );
                    for f in vtl::apigateway::check::check_template(
                        t.source(),
                        &requests,
                        json && media.contains("json"),
                    ) {
                        report(&origin, t.source(), &f);
                    }
                }
                for r in &integration.responses {
                    for (media, t) in &r.response_templates {
                        let origin = format!(
                            "{shown}: {} {} response {} {media}",
                            op.method, op.path, r.status_code
                        );
                        for f in vtl::apigateway::check::check_template(t.source(), &[], false) {
                            report(&origin, t.source(), &f);
                        }
                    }
                }
                let patterns: Vec<Option<&str>> = integration
                    .responses
                    .iter()
                    .map(|r| r.selection_pattern.as_ref().map(|p| p.as_str()))
                    .collect();
                for (i, f) in vtl::apigateway::check::check_patterns(&patterns) {
                    let origin = format!(
                        "{shown}: {} {} selection pattern of response {}",
                        op.method, op.path, integration.responses[i].status_code
                    );
                    report(&origin, patterns[i].unwrap_or_default(), &f);
                }
                if let Some(declared) = &integration.method_responses {
                    let statuses: Vec<u16> = integration
                        .responses
                        .iter()
                        .map(|r| r.status_code)
                        .collect();
                    for (i, f) in
                        vtl::apigateway::check::check_method_responses(&statuses, declared)
                    {
                        let origin = format!(
                            "{shown}: {} {} response {}",
                            op.method, op.path, statuses[i]
                        );
                        report(&origin, "", &f);
                    }
                }
            }
            continue;
        }
        for f in vtl::apigateway::check::check_template(&source, &requests, json) {
            report(shown, &source, &f);
        }
    }
    if !json_output {
        text.push_str(&format!("{errors} error(s), {warnings} warning(s)\n"));
    }
    write_out(&text)?;
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The API definition in `file`, if it is one (an OpenAPI or Swagger document).
fn api_definition(
    file: &str,
    source: &str,
) -> Option<Result<vtl::apigateway::openapi::Api, vtl::Error>> {
    let lower = file.to_ascii_lowercase();
    if !(lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json")) {
        return None;
    }
    let looks_like_api = ["openapi", "swagger"].iter().any(|k| source.contains(k));
    looks_like_api.then(|| vtl::apigateway::openapi::Api::from_str(source))
}

fn test(args: &[String]) -> Result<ExitCode, String> {
    let [file] = args else {
        return Err(USAGE.to_string());
    };
    let report = vtl::apigateway::cases::run_file(std::path::Path::new(file))
        .map_err(|e| format!("{file}:{e}"))?;
    write_out(&format!("{report}"))?;
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
