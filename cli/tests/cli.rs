//! The command line's human output, compared with the exact text committed beside the
//! inputs in `tests/cli/` (set `UPDATE_GOLDEN=1` to rewrite it after an intended change).

use std::path::Path;
use std::process::Command;

fn golden(name: &str, args: &[&str], expected_status: i32) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_vtl"))
        .args(args)
        .current_dir(root)
        .env("NO_COLOR", "1")
        .output()
        .expect("vtl runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let file = root.join("tests/cli").join(format!("{name}.txt"));
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

#[test]
fn check_reports_every_problem_with_its_place() {
    golden(
        "check-profile",
        &[
            "check",
            "tests/cli/profile.vm",
            "--request",
            "tests/cli/profile.request.json",
        ],
        1,
    );
    golden("check-broken", &["check", "tests/cli/broken.vm"], 1);
    golden("check-limits", &["check", "tests/cli/limits.vm"], 1);
    golden(
        "check-json",
        &[
            "check",
            "--format",
            "json",
            "tests/cli/profile.vm",
            "--request",
            "tests/cli/profile.request.json",
        ],
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
        &["check", "tests/cli/api-missing-method-response.json"],
        1,
    );
}

#[test]
fn test_runs_the_seed_cases() {
    golden("test-seed", &["test", "examples/seed/cases.yaml"], 0);
}

#[test]
fn errors_show_the_source_line() {
    golden("render-broken", &["render", "tests/cli/broken.vm"], 1);
    // The caret lands on a character of two bytes.
    golden(
        "render-broken-unicode",
        &["render", "tests/cli/broken-unicode.vm"],
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
}

#[test]
fn help_and_version_answer_on_standard_output() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_vtl"))
            .args(args)
            .output()
            .expect("vtl runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    for args in [
        &["--help"][..],
        &["-h"],
        &["help"],
        &["render", "--help"],
        &["check", "x.vm", "-h"],
        &["simulate", "--help"],
    ] {
        let (status, stdout) = run(args);
        assert_eq!(status, Some(0), "exit status of `vtl {}`", args.join(" "));
        assert!(stdout.starts_with("usage:\n"), "`vtl {}`", args.join(" "));
    }
    // The input of `select` is any text, `--help` too.
    assert_eq!(
        run(&["select", "--.*", "--help"]),
        (Some(0), "match\n".to_string())
    );
    assert_eq!(
        run(&["--version"]),
        (Some(0), format!("vtl {}\n", env!("CARGO_PKG_VERSION")))
    );
}
