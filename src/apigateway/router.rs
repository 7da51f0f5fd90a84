//! Routing: which method of an API a request reaches, and its path parameters. A literal
//! segment wins over `{param}`, which wins over a greedy `{proxy+}`; on one resource, the
//! method itself wins over `ANY`.

use super::Params;
use super::api::{Api, Method};

impl Api {
    /// The method a request for `method` (any case) and the concrete `path` reaches, and
    /// the path parameters of the match. A query string (`?...`) on `path` is ignored.
    ///
    /// ```
    /// use vtl::apigateway::{Api, Method};
    /// let api = Api { methods: vec![
    ///     Method::new("ANY", "/{proxy+}", None),
    ///     Method::new("GET", "/pets/{id}", None),
    ///     Method::new("GET", "/pets/mine", None),
    /// ]};
    /// assert_eq!(api.route("get", "/pets/mine").unwrap().0.path, "/pets/mine");
    /// assert_eq!(api.route("GET", "/pets/7?x=1").unwrap().1["id"], "7");
    /// assert_eq!(api.route("POST", "/pets/7").unwrap().1["proxy"], "pets/7");
    /// assert!(api.route("GET", "/").is_none());
    /// ```
    pub fn route(&self, method: &str, path: &str) -> Option<(&Method, Params)> {
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        let mut best: Option<(Vec<u8>, bool, &Method, Params)> = None;
        for m in &self.methods {
            let exact = m.http_method.eq_ignore_ascii_case(method);
            if !exact && m.http_method != "ANY" {
                continue;
            }
            let Some((rank, params)) = match_ranked(&m.path, path) else {
                continue;
            };
            let better = best.as_ref().is_none_or(|(best_rank, best_exact, _, _)| {
                (&rank, exact) > (best_rank, *best_exact)
            });
            if better {
                best = Some((rank, exact, m, params));
            }
        }
        best.map(|(_, _, m, params)| (m, params))
    }
}

/// Matches a concrete request path (`/pets/7`) against a resource path (`/pets/{id}`) and
/// returns the path parameters. A `{name}` segment matches one non-empty segment; a final
/// `{name+}` matches one or more segments (`a/b/c`). Literal segments compare exactly
/// (case-sensitive); empty segments (a trailing `/`) are ignored. Values are taken as
/// written, not URL-decoded.
///
/// ```
/// use vtl::apigateway::match_path;
/// assert_eq!(match_path("/pets/{id}", "/pets/7").unwrap()["id"], "7");
/// assert_eq!(match_path("/files/{proxy+}", "/files/a/b.txt").unwrap()["proxy"], "a/b.txt");
/// assert!(match_path("/pets/{id}", "/pets/7/toys").is_none());
/// assert!(match_path("/{proxy+}", "/").is_none());
/// ```
pub fn match_path(template: &str, path: &str) -> Option<Params> {
    match_ranked(template, path).map(|(_, params)| params)
}

/// A match and its specificity: per template segment 2 for a literal, 1 for `{param}`,
/// 0 for `{proxy+}`, compared lexicographically.
fn match_ranked(template: &str, path: &str) -> Option<(Vec<u8>, Params)> {
    let wanted: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    let given: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut params = Params::new();
    let mut rank = Vec::with_capacity(wanted.len());
    for (i, segment) in wanted.iter().enumerate() {
        let name = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
        match name {
            Some(name) if name.ends_with('+') && i + 1 == wanted.len() => {
                if given.len() <= i {
                    return None;
                }
                params.insert(name.trim_end_matches('+').to_string(), given[i..].join("/"));
                rank.push(0);
                return Some((rank, params));
            }
            Some(name) => {
                params.insert(name.to_string(), (*given.get(i)?).to_string());
                rank.push(1);
            }
            None => {
                if given.get(i) != Some(segment) {
                    return None;
                }
                rank.push(2);
            }
        }
    }
    (given.len() == wanted.len()).then_some((rank, params))
}
