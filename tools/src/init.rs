//! A starter case file for an API: one case per method that has mapping templates, each
//! with a request the route answers, a backend outcome of the integration's kind, and the
//! expectation of a default response, to edit into real ones.

use vtl::apigateway::{Api, Backend};

/// The YAML text of a case file for `api`, which `api_path` (relative to where the case
/// file will be) names, and `api_name` among the source's APIs when it defines several.
///
/// ```
/// let source = vtl_tools::import::load(std::path::Path::new("../examples/seed/api.yaml"), &Default::default()).unwrap();
/// let text = vtl_tools::init::starter(&source.apis[0].api, "api.yaml", None);
/// assert!(text.starts_with("api: api.yaml\ncases:\n  - name: GET /{hoge}\n"));
/// assert!(text.contains("      path: /hoge\n"));
/// ```
pub fn starter(api: &Api, api_path: &str, api_name: Option<&str>) -> String {
    let mut out = format!("api: {}\n", quote(api_path));
    if let Some(name) = api_name {
        out.push_str(&format!("apiName: {}\n", quote(name)));
    }
    out.push_str("cases:\n");
    let mut any = false;
    for m in &api.methods {
        let Some(i) = &m.integration else { continue };
        if i.kind.is_proxy() {
            continue;
        }
        any = true;
        let path = example_path(&m.path);
        let method = if m.http_method == "ANY" {
            "GET"
        } else {
            &m.http_method
        };
        out.push_str(&format!(
            "  - name: {}\n",
            quote(&format!("{} {}", m.http_method, m.path))
        ));
        out.push_str(&format!(
            "    request:\n      method: {method}\n      path: {}\n",
            quote(&path)
        ));
        if i.request_templates.keys().any(|k| k.contains("json"))
            && ["POST", "PUT", "PATCH"].contains(&method)
        {
            out.push_str("      body: '{}'\n");
        }
        let default_status = i
            .responses
            .iter()
            .find(|r| r.is_default())
            .map_or(200, |r| r.status_code);
        out.push_str(match i.backend() {
            Backend::Lambda => "    backend:\n      type: lambda\n      result: {}\n",
            Backend::Http | Backend::AwsService => {
                "    backend:\n      type: http\n      status: 200\n      body: '{}'\n"
            }
            Backend::Mock => "",
        });
        out.push_str(&format!("    expect:\n      status: {default_status}\n"));
    }
    if !any {
        out.push_str("  []\n");
    }
    out
}

/// A concrete path for a resource path: each `{name}` becomes `name`, and a greedy
/// `{name+}` becomes `name/more`.
pub fn example_path(path: &str) -> String {
    let segments: Vec<String> = path
        .split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) if name.ends_with('+') => format!("{}/more", name.trim_end_matches('+')),
                Some(name) => name.to_string(),
                None => s.to_string(),
            },
        )
        .collect();
    let joined = segments.join("/");
    if joined.is_empty() {
        "/".to_string()
    } else {
        joined
    }
}

/// A YAML scalar for `s`: plain when that reads back as the same string, else quoted.
fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with([
            '{', '[', '*', '&', '!', '|', '>', '\'', '"', '%', '@', '`', '#', '-', '?', ':',
        ])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':');
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}
