//! The page and its bundle, built into the binary: nothing is fetched at run time.
//!
//! `assets/app.js` and `assets/app.css` are made from `web/` by `web/build.sh` (esbuild) and
//! committed, so that building the crate needs no Node.

/// One asset: its media type and bytes.
#[derive(Clone, Copy, Debug)]
pub struct Asset {
    /// The `Content-Type` it is served with.
    pub content_type: &'static str,
    /// Its bytes.
    pub bytes: &'static [u8],
}

const INDEX: &[u8] = include_bytes!("../assets/index.html");
const APP_JS: &[u8] = include_bytes!("../assets/app.js");
const APP_CSS: &[u8] = include_bytes!("../assets/app.css");

/// The asset served at `path`, if any.
pub fn get(path: &str) -> Option<Asset> {
    let (content_type, bytes) = match path {
        "/" | "/index.html" => ("text/html; charset=utf-8", INDEX),
        "/app.js" => ("text/javascript; charset=utf-8", APP_JS),
        "/app.css" => ("text/css; charset=utf-8", APP_CSS),
        _ => return None,
    };
    Some(Asset {
        content_type,
        bytes,
    })
}

/// The template the page starts from: the seed's request template.
pub const SEED_TEMPLATE: &str = include_str!("../../examples/seed-request.vm");

/// The request the page starts from: the seed's request.
pub const SEED_REQUEST: &str = include_str!("../../examples/seed-request.json");
