//! Reading the files a source names, with a size cap: a path that points at something
//! endless (a device, a pipe) or huge is refused, not read until memory runs out.

use std::io::Read;
use std::path::{Path, PathBuf};

use vtl::{Error, ErrorKind};

/// The largest file read: API Gateway accepts API definitions of a few MB, and a
/// template of 300 KB.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a UTF-8 text file of at most [`MAX_FILE_BYTES`].
pub fn read(path: &Path) -> Result<String, Error> {
    read_at_most(path, MAX_FILE_BYTES)
}

/// Reads a UTF-8 text file of at most `max` bytes; a larger one is refused after reading
/// `max + 1` bytes of it.
pub fn read_at_most(path: &Path, max: u64) -> Result<String, Error> {
    let invalid = |m: String| Error::new(ErrorKind::Input, m);
    let file = std::fs::File::open(path)
        .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
    if bytes.len() as u64 > max {
        return Err(invalid(format!(
            "{} is larger than {} MiB",
            path.display(),
            max >> 20
        )));
    }
    String::from_utf8(bytes)
        .map_err(|e| invalid(format!("{} is not UTF-8 text: {e}", path.display())))
}

/// `name` relative to the folder of `file` (or as it is when absolute).
pub fn beside(file: &Path, name: &str) -> PathBuf {
    file.parent().unwrap_or_else(|| Path::new("")).join(name)
}
