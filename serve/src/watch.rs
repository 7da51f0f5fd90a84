//! `--watch`: the API's files are looked at twice a second, and when one changes the API
//! is read again and checked. A source that no longer reads keeps the API served as it
//! was; a template that no longer compiles answers 500 with its positioned error in the
//! log, as any broken template does.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use vtl_tools::check::{self, Severity};

use crate::gateway::{Gateway, load};

/// How often the files are looked at.
const INTERVAL: Duration = Duration::from_millis(500);

/// The most files looked at: a project folder with more is watched in part.
const MAX_FILES: usize = 10_000;

/// Folders never looked into: tools' caches and dependencies, not API definitions.
const SKIPPED: &[&str] = &["node_modules", "target", ".git", ".aws-sam", ".terraform"];

/// Watches the sources of `gateway` until the task is dropped.
pub async fn watch(gateway: Arc<Gateway>) {
    let roots = roots(&gateway.config().sources);
    let mut seen = stamp(&roots);
    loop {
        tokio::time::sleep(INTERVAL).await;
        let now = stamp(&roots);
        if now == seen {
            continue;
        }
        seen = now;
        let config = gateway.config().clone();
        let gateway = Arc::clone(&gateway);
        // Reading and checking is blocking work.
        let _ = tokio::task::spawn_blocking(move || reload(&gateway, &config)).await;
    }
}

/// Reads the API again and reports what the check finds.
fn reload(gateway: &Gateway, config: &crate::Config) {
    match load(config) {
        Ok(loaded) => {
            let findings = check::check_api(&loaded.api, &[], &[]);
            let errors = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            eprintln!(
                "vtl serve: the API changed and was read again: {} methods, {errors} errors, {} warnings",
                loaded.api.methods.len(),
                findings.len() - errors
            );
            for f in &findings {
                let place = f.file.as_deref().map_or(String::new(), |file| {
                    format!("{file}:{}:{}: ", f.line, f.column)
                });
                let what = f.subject.as_deref().unwrap_or("");
                let severity = match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                eprintln!("  {severity}: {place}{what}: {} [{}]", f.message, f.code);
            }
            gateway.replace(loaded);
        }
        Err(e) => eprintln!(
            "vtl serve: the API changed but does not read, so the previous one is still served: {e}"
        ),
    }
}

/// The folders whose files are watched: each source folder, and the folder of each
/// source file (templates and included files live beside it).
fn roots(sources: &[PathBuf]) -> Vec<PathBuf> {
    sources
        .iter()
        .map(|s| {
            if s.is_dir() {
                s.clone()
            } else {
                s.parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
            }
        })
        .collect()
}

/// Every watched file with its modification time and size.
fn stamp(roots: &[PathBuf]) -> Vec<(PathBuf, Option<SystemTime>, u64)> {
    let mut files = Vec::new();
    let mut pending: Vec<PathBuf> = roots.to_vec();
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if files.len() >= MAX_FILES {
                return files;
            }
            let name = entry.file_name();
            let hidden = name.to_string_lossy().starts_with('.');
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !hidden && !SKIPPED.iter().any(|s| name == *s) {
                    pending.push(entry.path());
                }
            } else if let Ok(meta) = entry.metadata() {
                files.push((entry.path(), meta.modified().ok(), meta.len()));
            }
        }
    }
    files.sort();
    files
}
