//! The readers of API definitions and case files on arbitrary text: every input ends with
//! an API or an error placed in the file, never a panic, a hang or unbounded memory. The
//! first byte picks the reader; the text is written to a file, as the readers take paths.

#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use vtl_tools::import::{Format, Options, load};

/// A folder of this process's own for the inputs.
fn folder() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vtl-fuzz-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let formats = [
        None,
        Some(Format::OpenApi),
        Some(Format::CloudFormation),
        Some(Format::Sam),
        Some(Format::Terraform),
        Some(Format::Serverless),
        Some(Format::Integration),
    ];
    let dir = folder();
    let cases = which & 0x80 != 0;
    let file = dir.join(match (cases, formats[usize::from(which & 0x7f) % formats.len()]) {
        (true, _) => "cases.yaml",
        (false, Some(Format::Terraform)) => "main.tf",
        _ => "input.yaml",
    });
    std::fs::write(&file, text).expect("writable");
    let options = Options {
        format: formats[usize::from(which & 0x7f) % formats.len()],
        ..Options::default()
    };
    let check = |e: &vtl::Error| {
        assert!(!e.message().is_empty(), "an error without a message");
    };
    if cases {
        if let Err(e) = vtl_tools::cases::run_file(&file, &options) {
            check(&e);
        }
        return;
    }
    match load(&file, &options) {
        Ok(source) => {
            for named in &source.apis {
                let _ = vtl_tools::check::check_api(&named.api, &[], &[]);
                let _ = vtl_tools::routes::routes(&named.api);
            }
        }
        Err(e) => check(&e),
    }
});
