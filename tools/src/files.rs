//! Reading the files a source names, with a size cap: only regular files are read, so a
//! path that points at something endless (a device, a pipe) is refused before it is
//! opened, and a file larger than its cap is refused before it is read.

use std::io::Read;
use std::path::{Path, PathBuf};

use vtl::{Error, ErrorKind};

/// The largest file read: API Gateway accepts API definitions of a few MB, and a
/// template of 300 KB.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a UTF-8 text file of at most [`MAX_FILE_BYTES`].
pub fn read(path: &Path) -> Result<String, Error> {
    read_capped(path, MAX_FILE_BYTES, "64 MiB")
}

/// What a template file is refused past, as errors name it.
pub const TEMPLATE_LIMIT: &str = "API Gateway's 300 KiB template limit";

/// Reads a template file: refused past API Gateway's template size before it is read.
pub fn read_template(path: &Path) -> Result<String, Error> {
    read_capped(
        path,
        vtl::apigateway::MAX_TEMPLATE_BYTES as u64,
        TEMPLATE_LIMIT,
    )
}

/// Refuses what is not a regular file (a directory, a device, a pipe), without opening it.
pub fn require_regular(path: &Path) -> Result<(), Error> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Error::new(
            ErrorKind::Input,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    refuse_irregular(path, &meta)
}

/// Reads a UTF-8 text regular file of at most `max` bytes; `cap` says what the cap is in
/// the error (`64 MiB`, `API Gateway's 300 KiB template limit`).
pub fn read_capped(path: &Path, max: u64, cap: &str) -> Result<String, Error> {
    let invalid = |m: String| Error::new(ErrorKind::Input, m);
    let cannot = |e: std::io::Error| invalid(format!("cannot read {}: {e}", path.display()));
    // Checked before opening: opening a FIFO blocks until something writes to it.
    require_regular(path)?;
    let file = std::fs::File::open(path).map_err(cannot)?;
    // And again on the file opened, in case the path changed in between.
    let meta = file.metadata().map_err(cannot)?;
    refuse_irregular(path, &meta)?;
    let too_large = || {
        invalid(format!(
            "{} is larger than {cap} ({max} bytes)",
            path.display()
        ))
    };
    if meta.len() > max {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    // A file may grow while it is read: never read past the cap whatever its size said.
    file.take(max + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > max {
        return Err(too_large());
    }
    String::from_utf8(bytes)
        .map_err(|e| invalid(format!("{} is not UTF-8 text: {e}", path.display())))
}

fn refuse_irregular(path: &Path, meta: &std::fs::Metadata) -> Result<(), Error> {
    if meta.is_file() {
        return Ok(());
    }
    let what = if meta.is_dir() {
        "a directory"
    } else {
        kind_of_special(meta)
    };
    Err(Error::new(
        ErrorKind::Input,
        format!("{} is {what}, not a regular file", path.display()),
    ))
}

#[cfg(unix)]
fn kind_of_special(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_fifo() {
        "a pipe"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn kind_of_special(_: &std::fs::Metadata) -> &'static str {
    "a special file"
}

/// `name` relative to the folder of `file` (or as it is when absolute).
pub fn beside(file: &Path, name: &str) -> PathBuf {
    file.parent().unwrap_or_else(|| Path::new("")).join(name)
}
