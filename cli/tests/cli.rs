//! The command line's output, compared with the exact text committed in `cli/tests/golden/`
//! (set `UPDATE_GOLDEN=1` to rewrite it after an intended change). Commands run from the
//! root of the repository, so the paths they print are the repository's.

use std::path::Path;
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn vtl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vtl"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("vtl runs")
}

fn golden(name: &str, args: &[&str], expected_status: i32) {
    let out = vtl(args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let file = root().join("cli/tests/golden").join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&file, &text).expect("writable");
    }
    let want = std::fs::read_to_string(&file).expect("golden file");
    assert_eq!(text, want, "output of `vtl {}`", args.join(" "));
    assert_eq!(
        out.status.code(),
        Some(expected_status),
        "exit status of `vtl {}`",
        args.join(" ")
    );
}

const G: &str = "cli/tests/golden";

#[test]
fn check_reports_every_problem_with_its_place() {
    let profile = format!("{G}/profile.vm");
    let request = format!("{G}/profile.request.json");
    golden(
        "check-profile",
        &["check", &profile, "--request", &request],
        1,
    );
    golden("check-broken", &["check", &format!("{G}/broken.vm")], 1);
    golden("check-limits", &["check", &format!("{G}/limits.vm")], 1);
    golden(
        "check-json",
        &["check", "--format", "json", &profile, "--request", &request],
        1,
    );
    golden(
        "check-clean",
        &[
            "check",
            "examples/seed-request.vm",
            "--request",
            "examples/seed-request.json",
        ],
        0,
    );
    golden("check-api", &["check", "examples/seed/api.yaml"], 0);
    golden(
        "check-api-missing-method-response",
        &["check", &format!("{G}/api-missing-method-response.json")],
        1,
    );
}

#[test]
fn check_places_findings_in_the_files_templates_were_written_in() {
    // Broken templates in a SAM template (a YAML block), a CloudFormation JSON template
    // (a string with \n escapes) and a Terraform heredoc: every one is reported, at its
    // line of its file.
    golden(
        "check-sam-broken",
        &["check", &format!("{G}/broken-sam.yaml")],
        1,
    );
    golden(
        "check-cfn-json-broken",
        &["check", &format!("{G}/broken-cfn.json")],
        1,
    );
    golden(
        "check-terraform-broken",
        &["check", &format!("{G}/broken-terraform")],
        1,
    );
    golden(
        "check-fixture-serverless",
        &["check", "tests/fixtures/serverless"],
        0,
    );
    golden(
        "check-cases",
        &[
            "check",
            "examples/seed/api.yaml",
            "--cases",
            "examples/seed/cases.yaml",
            "--format",
            "json",
        ],
        0,
    );
}

#[test]
fn a_finding_on_a_long_line_shows_its_file_column_and_the_line_cut_around_it() {
    // Minified files: the renderer is given a window of the line around each finding, and
    // the header keeps the column in the file (in characters, after hundreds of `é`); the
    // cut shows as `...`, and where the line ends within the window, its end is shown.
    golden(
        "check-one-line-api",
        &["check", &format!("{G}/one-line-api.json")],
        1,
    );
    golden(
        "check-one-line-template",
        &["check", &format!("{G}/one-line.vm")],
        1,
    );
}

#[test]
fn a_yaml_file_that_is_no_api_is_not_a_template() {
    golden(
        "check-not-an-api",
        &["check", "examples/seed/cases.yaml"],
        2,
    );
    // A `.yaml` file that does not parse: its syntax error at the opening quote, not the
    // text checked as a template.
    golden(
        "check-truncated-yaml",
        &["check", &format!("{G}/broken-truncated.yaml")],
        2,
    );
}

#[test]
fn routes_list_every_method_of_every_format() {
    golden(
        "routes-sam",
        &["routes", "tests/fixtures/sam/template.yaml"],
        0,
    );
    golden(
        "routes-terraform-json",
        &["routes", "tests/fixtures/terraform", "--format", "json"],
        0,
    );
    golden(
        "routes-several",
        &[
            "routes",
            "tests/fixtures/serverless",
            "tests/fixtures/cdk/cdk.out",
            "tests/fixtures/openapi/swagger.yaml",
        ],
        0,
    );
}

/// GET /fuga with the Lambda error gives the same answer from every format.
#[test]
fn every_format_simulates_the_seed_alike() {
    let sources = [
        "tests/fixtures/openapi/api.json",
        "tests/fixtures/openapi/swagger.yaml",
        "tests/fixtures/cloudformation/template.yaml",
        "tests/fixtures/cloudformation/template.json",
        "tests/fixtures/sam/template.yaml",
        "tests/fixtures/sam-include",
        "tests/fixtures/sam-definitionuri",
        "tests/fixtures/cdk",
        "tests/fixtures/terraform",
        "tests/fixtures/serverless",
    ];
    for source in sources {
        let out = vtl(&[
            "simulate",
            source,
            "--path",
            "/fuga",
            "--backend",
            "examples/seed/fuga.backend.json",
        ]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let (head, body) = stdout.split_once("\n\n").expect("a status line and a body");
        assert!(head.starts_with("HTTP 400"), "{source}: {stdout}");
        assert_eq!(
            body, "{\n  \"message\" : \"[400:BadRequest] fuga is not hoge\"\n}\n",
            "{source}"
        );
        assert_eq!(out.status.code(), Some(0), "{source}");
    }
}

#[test]
fn simulate_the_seed() {
    golden(
        "simulate-seed",
        &[
            "simulate",
            "examples/seed/integration.json",
            "--request",
            "examples/seed/fuga.request.json",
            "--backend",
            "examples/seed/fuga.backend.json",
            "--trace",
        ],
        0,
    );
    golden(
        "simulate-cloudformation",
        &[
            "simulate",
            "tests/fixtures/cloudformation/template.yaml",
            "--path",
            "/fuga",
            "--backend",
            "examples/seed/fuga.backend.json",
            "--parameter",
            "Function.Arn=arn:aws:lambda:us-east-1:123456789012:function:lambdemo",
            "--trace",
        ],
        0,
    );
}

#[test]
fn test_runs_the_seed_cases() {
    golden("test-seed", &["test", "examples/seed/cases.yaml"], 0);
}

#[test]
fn init_writes_cases_that_run() {
    golden("init-sam", &["init", "tests/fixtures/sam/template.yaml"], 0);
}

#[test]
fn init_names_the_api_it_was_given_and_the_cases_run() {
    let source = "tests/fixtures/terraform-body";
    let out = vtl(&["init", source, "--api", "aws_api_gateway_rest_api.api"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let rest = text
        .strip_prefix("api: tests/fixtures/terraform-body\napiName: aws_api_gateway_rest_api.api\n")
        .expect("the api and its name first");
    // `api` is relative to the case file: point it at the fixture from a scratch folder.
    let dir = std::env::temp_dir().join(format!("vtl-init-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let absolute = root().join(source).canonicalize().unwrap();
    let cases = dir.join("cases.yaml");
    let api = format!("api: '{}'\n", absolute.display());
    std::fs::write(
        &cases,
        format!("{api}apiName: aws_api_gateway_rest_api.api\n{rest}"),
    )
    .unwrap();
    let run = vtl(&["test", cases.to_str().unwrap()]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );

    // Without `apiName` the case file is told which field chooses.
    std::fs::write(&cases, format!("{api}{rest}")).unwrap();
    let run = vtl(&["test", cases.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr.contains("cases.yaml:1:6: the source defines several REST APIs; choose one with `apiName` (aws_api_gateway_rest_api.api, aws_api_gateway_rest_api.from_file)"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn errors_show_the_source_line() {
    golden("render-broken", &["render", &format!("{G}/broken.vm")], 1);
    // The caret lands on a character of two bytes.
    golden(
        "render-broken-unicode",
        &["render", &format!("{G}/broken-unicode.vm")],
        1,
    );
    golden("select-invalid", &["select", "(4\\d{2}", "404"], 1);
    golden(
        "select-match",
        &["select", "^\\[400:.*", "[400:BadRequest] fuga is not hoge"],
        0,
    );
}

#[test]
fn help_explains_each_command_with_an_example() {
    golden("help", &["--help"], 0);
    for command in [
        "render", "select", "simulate", "check", "test", "routes", "init", "serve",
    ] {
        golden(&format!("help-{command}"), &[command, "--help"], 0);
    }
    // Misspelt commands and flags get a suggestion, and usage errors exit 2.
    golden("unknown-command", &["chek", "x.vm"], 2);
    golden("unknown-flag", &["check", "x.vm", "--reqest", "r.json"], 2);
    let version = vtl(&["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        format!("vtl {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// `vtl serve` end to end through the command: the seed API on a port the system picks,
/// its function run by a command, a real HTTP request, the server stopped by SIGTERM.
#[test]
fn serve_answers_over_http_until_stopped() {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut child = Command::new(env!("CARGO_BIN_EXE_vtl"))
        .args([
            "serve",
            "examples/seed/api.yaml",
            "--stage",
            "snapshot",
            "--port",
            "0",
            "--lambda",
            r#"lambdemo=cmd:cat >/dev/null; echo '{"message": "hogehoge"}'"#,
        ])
        .current_dir(root())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("vtl serve starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("a first line");
    let url = line
        .strip_prefix("vtl serve: listening on http://")
        .and_then(|rest| rest.strip_suffix("/snapshot/\n"))
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_string();
    let mut stream = std::net::TcpStream::connect(&url).expect("the server accepts");
    write!(
        stream,
        "GET /snapshot/hoge HTTP/1.1\r\nHost: {url}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(
        answer.ends_with("\r\n\r\n{\"message\": \"hogehoge\"}"),
        "{answer}"
    );
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    assert!(child.wait().expect("vtl serve ends").success());
}
