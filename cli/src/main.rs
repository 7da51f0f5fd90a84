//! The `vtl` command line: a thin shell over `vtl` and `vtl-tools`. Each command reads its
//! arguments, calls the library, and prints what it answered.

mod diagnostics;
mod serve;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;

use clap::{Args, Parser, Subcommand};
use vtl::apigateway::{Outcome, simulate};
use vtl_tools::check::{Expect, Finding, Severity};
use vtl_tools::import::{self, Format, Opened, Options};
use vtl_tools::request::{self, Call, RequestFile};

const EXIT_STATUS: &str = "Exit status:
  0  done: rendered, matched or not, no errors found, every case passed
  1  a template or pattern error, an error finding, a failed case
  2  a usage error, or an input that cannot be read (a file, a request, an API definition)";

/// Render AWS API Gateway mapping templates exactly as API Gateway does, check them, and
/// run whole calls of an API defined in OpenAPI, CloudFormation, SAM, CDK, Terraform or
/// Serverless files.
#[derive(Parser)]
#[command(name = "vtl", version, after_help = EXIT_STATUS)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Render(RenderArgs),
    Select(SelectArgs),
    Simulate(SimulateArgs),
    Check(CheckArgs),
    Test(TestArgs),
    Routes(RoutesArgs),
    Init(InitArgs),
    Serve(serve::ServeArgs),
    Playground(PlaygroundArgs),
}

/// How to read an API definition.
#[derive(Args)]
pub struct SourceArgs {
    /// The format of the API definition, instead of finding it out from its content.
    #[arg(long = "api-format", value_name = "FORMAT", value_parser = format_names())]
    api_format: Option<String>,
    /// A value for what only AWS knows: a CloudFormation parameter or attribute
    /// (`Fn.Arn=...`), a Terraform variable, a Serverless option. Repeatable.
    #[arg(long = "parameter", short = 'P', value_name = "NAME=VALUE")]
    parameters: Vec<String>,
}

fn format_names() -> Vec<&'static str> {
    Format::ALL.iter().map(|(n, _)| *n).collect()
}

impl SourceArgs {
    pub fn options(&self) -> Result<Options, String> {
        let mut options = Options {
            format: self.api_format.as_deref().and_then(Format::from_name),
            ..Options::default()
        };
        for p in &self.parameters {
            let (name, value) = p
                .split_once('=')
                .ok_or_else(|| format!("--parameter `{p}` is not NAME=VALUE"))?;
            options
                .parameters
                .insert(name.to_string(), value.to_string());
        }
        Ok(options)
    }
}

/// Render a mapping template against a request and print exactly the rendered text.
#[derive(Args)]
#[command(after_help = "Example:
  vtl render request.vm --request fuga.request.json

The request file: {\"body\": \"...\", \"path\": {..}, \"querystring\": {..}, \"header\": {..},
\"stageVariables\": {..}, \"context\": {..}}, every field optional (docs/request.md).
A template error prints FILE:LINE:COLUMN: message and exits 1.")]
struct RenderArgs {
    /// The template file, or - for standard input.
    template: String,
    /// The request file (without it, an empty request).
    #[arg(long, value_name = "FILE")]
    request: Option<PathBuf>,
}

/// Tell whether a selection pattern matches a Lambda errorMessage or a status code, as
/// API Gateway matches it: a Java regex against the whole string.
#[derive(Args)]
#[command(after_help = "Example:
  vtl select '^\\[400:.*' '[400:BadRequest] fuga is not hoge'     # prints match")]
struct SelectArgs {
    /// The selection pattern.
    #[arg(allow_hyphen_values = true)]
    pattern: String,
    /// The errorMessage or status code.
    #[arg(allow_hyphen_values = true)]
    input: String,
}

/// Run one call through an API or an integration: request template, backend, selection
/// pattern, response template, method response.
#[derive(Args)]
#[command(after_help = "Examples:
  vtl simulate template.yaml --method GET --path /fuga --backend fuga.backend.json --trace
  vtl simulate integration.json --request fuga.request.json --backend fuga.backend.json

The backend file: {\"type\": \"lambda\", \"result\": ..}, {\"type\": \"lambda-error\",
\"errorMessage\": ..}, {\"type\": \"http\", \"status\": .., \"body\": ..} or {\"type\": \"mock\"}.")]
struct SimulateArgs {
    /// The API definition (a file or a folder) or an integration file.
    source: PathBuf,
    /// The request's method (else the request file's, else GET).
    #[arg(long)]
    method: Option<String>,
    /// The request's path, with its query string (`/fuga?x=1`); routed to a method.
    #[arg(long)]
    path: Option<String>,
    /// The request file (body, parameters, headers, context).
    #[arg(long, value_name = "FILE")]
    request: Option<PathBuf>,
    /// What the backend answers.
    #[arg(long, value_name = "FILE")]
    backend: Option<PathBuf>,
    /// Print each step and what the backend received.
    #[arg(long)]
    trace: bool,
    /// Which REST API, when the source defines several.
    #[arg(long, value_name = "NAME")]
    api: Option<String>,
    #[command(flatten)]
    source_args: SourceArgs,
}

/// Check mapping templates, or every template and selection pattern of an API, before
/// deploying.
#[derive(Args)]
#[command(after_help = "Examples:
  vtl check template.yaml                        # every template of a SAM or CloudFormation stack
  vtl check infra/                               # a Terraform module, a cdk.out, a Serverless project
  vtl check request.vm --request sample.json     # one template against a sample request
  vtl check api.yaml --cases cases.yaml          # each case's request as its method's sample

Findings: syntax errors; #include/#parse; API Gateway's limits; output that is not JSON
where the integration needs JSON; references that resolve to nothing for a sample; unknown
$util, $input and $context members and misspelt directives (with a suggestion); #if($x)
as a presence test; selection patterns that do not compile or can never be chosen;
responses the method does not declare. Exit 1 when there are errors.")]
struct CheckArgs {
    /// Templates and API definitions (files or folders); - for a template on standard input.
    #[arg(required = true)]
    sources: Vec<String>,
    /// A sample request (repeatable).
    #[arg(long, value_name = "FILE")]
    request: Vec<PathBuf>,
    /// A case file whose requests and backend outcomes are the samples of their methods.
    #[arg(long, value_name = "FILE")]
    cases: Option<PathBuf>,
    /// The media type a lone template produces; JSON output is checked when it is JSON.
    #[arg(long, value_name = "TYPE", default_value = "application/json")]
    content_type: String,
    /// Print findings as text or as one JSON object per line.
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    #[command(flatten)]
    source_args: SourceArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

/// Run the cases of a case file: requests, backend outcomes and expected responses.
#[derive(Args)]
#[command(after_help = "Example:
  vtl test cases.yaml

A case file names the API (`api: template.yaml`, any source) or an inline integration, then
lists cases (docs/cases.md). Exit 1 when a case fails.")]
struct TestArgs {
    /// The case file.
    cases: PathBuf,
}

/// List the methods of an API: route, integration, templates, responses, and where each
/// was defined.
#[derive(Args)]
#[command(after_help = "Examples:
  vtl routes template.yaml
  vtl routes infra/ --format json")]
struct RoutesArgs {
    /// API definitions (files or folders).
    #[arg(required = true)]
    sources: Vec<PathBuf>,
    /// Print a line per method, or a JSON array.
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    #[command(flatten)]
    source_args: SourceArgs,
}

/// Write a starter case file for an API: one case per method with mapping templates.
#[derive(Args)]
#[command(after_help = "Example:
  vtl init template.yaml > cases.yaml && vtl test cases.yaml")]
struct InitArgs {
    /// The API definition (a file or a folder).
    source: PathBuf,
    /// Which REST API, when the source defines several.
    #[arg(long, value_name = "NAME")]
    api: Option<String>,
    #[command(flatten)]
    source_args: SourceArgs,
}

/// Serve a page on 127.0.0.1 to edit templates and see what API Gateway makes of them.
///
/// As you type: the exact output, the findings of `vtl check`, which response a selection
/// picks and, for an API, each route's whole simulated call.
#[derive(Args)]
#[command(after_help = "Examples:
  vtl playground                          # the seed's request template and request
  vtl playground template.yaml --port 3002

Open the address it prints. The page needs no network: its assets are in the binary.")]
struct PlaygroundArgs {
    /// An API definition (a file or a folder) whose routes the page lists.
    source: Option<PathBuf>,
    /// The port on 127.0.0.1 (0: any free one).
    #[arg(long, default_value_t = 3001)]
    port: u16,
    /// Which REST API, when the source defines several.
    #[arg(long, value_name = "NAME")]
    api: Option<String>,
    #[command(flatten)]
    source_args: SourceArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Render(a) => render(a),
        Command::Select(a) => select(a),
        Command::Simulate(a) => simulate_call(a),
        Command::Check(a) => check(a),
        Command::Test(a) => test(a),
        Command::Routes(a) => routes(a),
        Command::Init(a) => init(a),
        Command::Serve(a) => serve::serve(a),
        Command::Playground(a) => playground(a),
    };
    match result {
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
    vtl_tools::files::read(Path::new(path)).map_err(|e| e.to_string())
}

/// Reads a template to render: refused past API Gateway's size limit before it is read
/// whole.
fn read_template(path: &str) -> Result<String, String> {
    if path == "-" {
        let max = vtl::apigateway::MAX_TEMPLATE_BYTES as u64;
        let mut s = String::new();
        std::io::stdin()
            .take(max + 1)
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        if s.len() as u64 > max {
            let cap = vtl_tools::files::TEMPLATE_LIMIT;
            return Err(format!("standard input is larger than {cap} ({max} bytes)"));
        }
        return Ok(s);
    }
    vtl_tools::files::read_template(Path::new(path)).map_err(|e| e.to_string())
}

fn read_request(path: &Path) -> Result<RequestFile, String> {
    request::read(path).map_err(|e| e.to_string())
}

/// A request file as a template sees it when no route is known: its fields, and the
/// local `$context` defaults under its own.
fn lone_request(path: &Option<PathBuf>) -> Result<vtl::Request, String> {
    let file = match path {
        Some(p) => read_request(p)?,
        None => RequestFile::default(),
    };
    Ok(request::local_call(&file, &Call::default()))
}

fn write_out(text: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write the output: {e}"))
}

fn render(a: &RenderArgs) -> Result<ExitCode, String> {
    let request = lone_request(&a.request)?;
    let source = read_template(&a.template)?;
    let shown = if a.template == "-" {
        "<stdin>"
    } else {
        &a.template
    };
    match vtl::render(&source, &request) {
        Ok(text) => {
            write_out(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprint!("{}", diagnostics::error(shown, &source, &e));
            Ok(ExitCode::from(1))
        }
    }
}

fn select(a: &SelectArgs) -> Result<ExitCode, String> {
    let outcome =
        vtl::apigateway::SelectionPattern::new(&a.pattern).and_then(|p| p.matches(&a.input));
    match outcome {
        Ok(matched) => {
            write_out(if matched { "match\n" } else { "nomatch\n" })?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprint!("{}", diagnostics::error("<pattern>", &a.pattern, &e));
            Ok(ExitCode::from(1))
        }
    }
}

fn simulate_call(a: &SimulateArgs) -> Result<ExitCode, String> {
    let options = a.source_args.options()?;
    let source = import::load(&a.source, &options).map_err(|e| e.to_string())?;
    print_warnings(&source.warnings);
    let api = source.api(a.api.as_deref()).map_err(|e| e.to_string())?;
    let mut file = match &a.request {
        Some(p) => read_request(p)?,
        None => RequestFile::default(),
    };
    if let Some(path) = &a.path {
        let with_path =
            RequestFile::parse("--path", &serde_json::json!({ "path": path }).to_string())
                .map_err(|e| e.to_string())?;
        file.path = with_path.path;
        file.querystring.extend(with_path.querystring);
    }
    if a.method.is_some() {
        file.method = a.method.as_ref().map(|m| m.to_ascii_uppercase());
    }
    // An integration on its own has no resource to route to: the request reaches it.
    let unrouted = source.format == Format::Integration
        || (api.methods.len() == 1 && file.url_path().is_none());
    let (method, request) = if unrouted {
        let method = &api.methods[0];
        let call = Call {
            resource_path: Some(&method.path),
            ..Call::default()
        };
        (method, request::local_call(&file, &call))
    } else {
        file.route(api, None).map_err(|e| e.to_string())?
    };
    let outcome = match &a.backend {
        Some(p) => {
            let text = read(&p.to_string_lossy())?;
            let doc = vtl_tools::document::Document::parse(p.display().to_string(), &text)
                .map_err(|e| e.to_string())?;
            Outcome::from_value(doc.root.to_json()).map_err(|e| format!("{}: {e}", p.display()))?
        }
        None => Outcome::Mock,
    };
    let result = simulate(method, &request, |_| outcome);
    let mut text = String::new();
    if a.trace {
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
        eprintln!("{e}");
    }
    Ok(ExitCode::SUCCESS)
}

fn print_warnings(warnings: &[vtl::Error]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

fn check(a: &CheckArgs) -> Result<ExitCode, String> {
    let options = a.source_args.options()?;
    let requests = a
        .request
        .iter()
        .map(|p| lone_request(&Some(p.clone())))
        .collect::<Result<Vec<_>, _>>()?;
    let samples = match &a.cases {
        Some(p) => vtl_tools::cases::samples(p, &options).map_err(|e| e.to_string())?,
        None => Vec::new(),
    };
    let json = a
        .content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().to_ascii_lowercase().ends_with("json"));
    // A lone template's findings share its text, indexed once.
    let mut findings: Vec<(String, Option<Rc<diagnostics::Source>>, Finding)> = Vec::new();
    for name in &a.sources {
        let opened = if name == "-" {
            Opened::Template(read(name)?)
        } else {
            import::open(Path::new(name), &options).map_err(|e| e.to_string())?
        };
        match opened {
            Opened::Template(text) => {
                let expect = Expect {
                    json,
                    lambda: false,
                };
                let shown = if name == "-" { "<stdin>" } else { name };
                let source = Rc::new(diagnostics::Source::new(text));
                for f in vtl_tools::check::check_template(source.text(), &requests, expect) {
                    findings.push((shown.to_string(), Some(Rc::clone(&source)), f));
                }
            }
            Opened::Api(source) => {
                print_warnings(&source.warnings);
                for named in &source.apis {
                    for f in vtl_tools::check::check_api(&named.api, &samples, &requests) {
                        findings.push((name.clone(), None, f));
                    }
                }
            }
        }
    }
    let errors = findings
        .iter()
        .filter(|(_, _, f)| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    let mut text = String::new();
    let mut sources = diagnostics::Sources::default();
    for (shown, template, f) in &findings {
        if a.format == OutputFormat::Json {
            let obj = serde_json::json!({
                "file": f.file.as_deref().unwrap_or(shown), "line": f.line, "column": f.column,
                "severity": if f.severity == Severity::Error { "error" } else { "warning" },
                "code": f.code, "message": f.message, "hint": f.hint, "subject": f.subject,
            });
            text.push_str(&format!("{obj}\n"));
        } else {
            text.push_str(&diagnostics::finding(
                shown,
                template.as_deref(),
                f,
                &mut sources,
            ));
            text.push('\n');
        }
    }
    if a.format == OutputFormat::Text {
        text.push_str(&format!("{errors} error(s), {warnings} warning(s)\n"));
    }
    write_out(&text)?;
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn test(a: &TestArgs) -> Result<ExitCode, String> {
    let report =
        vtl_tools::cases::run_file(&a.cases, &Options::default()).map_err(|e| e.to_string())?;
    write_out(&format!("{report}\n"))?;
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn routes(a: &RoutesArgs) -> Result<ExitCode, String> {
    let options = a.source_args.options()?;
    let mut all = Vec::new();
    let mut text = String::new();
    for path in &a.sources {
        let source = import::load(path, &options).map_err(|e| e.to_string())?;
        print_warnings(&source.warnings);
        for named in &source.apis {
            let routes = vtl_tools::routes::routes(&named.api);
            if source.apis.len() > 1 && a.format == OutputFormat::Text {
                text.push_str(&format!("# {}\n", named.name));
            }
            for r in routes {
                text.push_str(&format!("{r}\n"));
                all.push(r);
            }
        }
    }
    if a.format == OutputFormat::Json {
        text = serde_json::to_string_pretty(&all).map_err(|e| e.to_string())? + "\n";
    }
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn init(a: &InitArgs) -> Result<ExitCode, String> {
    let options = a.source_args.options()?;
    let source = import::load(&a.source, &options).map_err(|e| e.to_string())?;
    print_warnings(&source.warnings);
    let api = source.api(a.api.as_deref()).map_err(|e| e.to_string())?;
    let name = a.source.display().to_string();
    write_out(&vtl_tools::init::starter(api, &name, a.api.as_deref()))?;
    Ok(ExitCode::SUCCESS)
}

fn playground(a: &PlaygroundArgs) -> Result<ExitCode, String> {
    let options = a.source_args.options()?;
    let playground = vtl_playground::Playground::new(a.source.clone(), a.api.clone(), options)
        .map_err(|e| e.to_string())?;
    vtl_playground::run(a.port, playground, |address| {
        println!("vtl playground: http://{address}/");
    })
    .map_err(|e| format!("cannot serve the playground on port {}: {e}", a.port))?;
    Ok(ExitCode::SUCCESS)
}
