//! The `vtl` command line.

use std::io::{Read, Write};
use std::process::ExitCode;

use vtl::{Context, NullMode, Template};

const USAGE: &str = "usage: vtl render TEMPLATE [--context FILE] [--stock]

Renders TEMPLATE (a file, or - for standard input) and writes exactly the rendered
text to standard output.

  --context FILE   a JSON object whose members become the template's variables
  --stock          Velocity 1.7's own null handling: an unresolved $x prints as $x
                   (by default, as in API Gateway, it prints nothing)

Exit status: 0 rendered, 1 template error (printed as FILE:LINE:COLUMN: message),
2 usage or I/O error.";

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
        Some("-h" | "--help") => {
            println!("{USAGE}");
            return Ok(ExitCode::SUCCESS);
        }
        _ => return Err(USAGE.to_string()),
    }
    let mut template_path = None;
    let mut context = Context::new();
    context.set_null_mode(NullMode::Empty);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--context" => {
                let path = args.next().ok_or("--context needs a file")?;
                let json: serde_json::Value = serde_json::from_str(&read(path)?)
                    .map_err(|e| format!("{path}: invalid JSON: {e}"))?;
                let serde_json::Value::Object(vars) = json else {
                    return Err(format!("{path}: the context must be a JSON object"));
                };
                for (name, value) in vars {
                    context.insert(name, value);
                }
            }
            "--stock" => {
                context.set_null_mode(NullMode::Stock);
            }
            other if template_path.is_none() && (other == "-" || !other.starts_with('-')) => {
                template_path = Some(other.to_string());
            }
            other => return Err(format!("unexpected argument {other}\n{USAGE}")),
        }
    }
    let path = template_path.ok_or(USAGE)?;
    let source = read(&path)?;
    let shown = if path == "-" { "<stdin>" } else { &path };
    let rendered = Template::parse(&source).and_then(|t| t.render(&context));
    match rendered {
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
