//! Canned backend outcomes for integrations that cannot be called locally (SQS, DynamoDB,
//! Step Functions, ...): a file mapping routes, as `vtl routes` writes them
//! (`GET /items/{id}`), to outcomes in the case-file format
//! (`{type: http, status: 200, body: ...}`).
//!
//! ```
//! let outcomes = vtl_serve::Outcomes::parse("o.yaml", "GET /items/{id}:\n  type: http\n  status: 200\n  body: '{}'\n")?;
//! assert!(outcomes.get("GET", "/items/{id}").is_some());
//! assert!(outcomes.get("POST", "/items/{id}").is_none());
//! # Ok::<(), vtl::Error>(())
//! ```

use std::path::Path;

use indexmap::IndexMap;
use vtl::Error;
use vtl::apigateway::Outcome;
use vtl_tools::document::Document;
use vtl_tools::files;

/// Outcomes by route.
#[derive(Clone, Debug, Default)]
pub struct Outcomes {
    by_route: IndexMap<(String, String), Outcome>,
}

impl Outcomes {
    /// Reads an outcomes file (YAML or JSON).
    pub fn read(path: &Path) -> Result<Outcomes, Error> {
        let text = files::read(path)?;
        Outcomes::parse(&path.display().to_string(), &text)
    }

    /// Reads an outcomes file's text, named `file` in errors, which point at the value.
    pub fn parse(file: &str, text: &str) -> Result<Outcomes, Error> {
        let doc = Document::parse(file, text)?;
        let Some(entries) = doc.root.entries() else {
            return Err(doc.error(
                &doc.root,
                "an outcomes file maps routes (`GET /items/{id}`) to backend outcomes",
            ));
        };
        let mut by_route = IndexMap::new();
        for (key, value) in entries {
            let route = key.as_str().unwrap_or_default();
            let Some((method, path)) = route.split_once(' ').filter(|(_, p)| p.starts_with('/'))
            else {
                return Err(doc.error(
                    key,
                    format!(
                        "`{route}` is not a route: write METHOD /path, as `vtl routes` lists them"
                    ),
                ));
            };
            let outcome = Outcome::from_value(value.to_json())
                .map_err(|e| doc.error(value, e.message().to_string()))?;
            by_route.insert((method.to_ascii_uppercase(), path.to_string()), outcome);
        }
        Ok(Outcomes { by_route })
    }

    /// The outcome of the method `http_method` (as the API defines it, `ANY` included) on
    /// `resource_path`.
    pub fn get(&self, http_method: &str, resource_path: &str) -> Option<&Outcome> {
        self.by_route
            .get(&(http_method.to_ascii_uppercase(), resource_path.to_string()))
    }
}
