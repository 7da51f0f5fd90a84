//! The selection tester: a backend's answer and a list of integration responses, and the
//! response API Gateway picks, with `vtl select`'s matching and the simulator's choice.

use serde::Deserialize;
use serde_json::{Value as Json, json};
use vtl::apigateway::{IntegrationResponse, Pattern, select};
use vtl_tools::check::check_patterns;

use crate::api::{error_json, findings_json};

/// What the tester sends.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectInput {
    /// A Lambda function's `errorMessage` or an HTTP status code; `None` for a Lambda
    /// function's result.
    pub value: Option<String>,
    /// The integration responses, in definition order.
    pub responses: Vec<ResponseInput>,
}

/// One integration response of the tester.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseInput {
    /// Its selection pattern; `None` or empty for the default.
    pub pattern: Option<String>,
    /// Its method response status.
    pub status: u16,
}

/// The response chosen and why, and each pattern's own answer.
pub fn answer(input: &SelectInput) -> Json {
    let responses: Vec<IntegrationResponse> = input
        .responses
        .iter()
        .map(|r| IntegrationResponse::new(r.pattern.as_deref().map(Pattern::from), r.status))
        .collect();
    let texts: Vec<Option<&str>> = input
        .responses
        .iter()
        .map(|r| r.pattern.as_deref())
        .collect();
    let mut findings: Vec<Vec<Json>> = vec![Vec::new(); responses.len()];
    for (index, finding) in check_patterns(&texts) {
        let text = texts[index].unwrap_or_default();
        findings[index].extend(findings_json(text, std::slice::from_ref(&finding)));
    }
    let value = input.value.as_deref();
    let mut compiled = Vec::new();
    let mut each = Vec::new();
    let mut broken = None;
    for (index, r) in responses.iter().enumerate() {
        let pattern = r.selection_pattern.as_ref().filter(|_| !r.is_default());
        let (state, p) = match pattern.map(|p| p.compiled()) {
            None => (json!({ "default": true }), None),
            Some(Err(e)) => {
                broken.get_or_insert_with(|| e.clone());
                (json!({ "error": error_json(e) }), None)
            }
            Some(Ok(p)) => match p.matches(value.unwrap_or_default()) {
                Ok(m) => (json!({ "matches": m }), Some(p)),
                Err(e) => {
                    broken.get_or_insert_with(|| e.clone());
                    (json!({ "error": error_json(&e) }), None)
                }
            },
        };
        let mut state = state;
        state["findings"] = json!(findings[index]);
        each.push(state);
        compiled.push(p);
    }
    if let Some(e) = broken {
        return json!({
            "chosen": null,
            "why": format!("a selection pattern cannot be matched: {}", e.message()),
            "responses": each,
        });
    }
    let chosen = select(compiled.iter().copied().enumerate(), value);
    let (chosen, why) = match chosen {
        Ok(Some(i)) if responses[i].is_default() => (
            Some(i),
            format!(
                "no selection pattern matches, so the default response ({}) is chosen",
                responses[i].status_code
            ),
        ),
        Ok(Some(i)) => (
            Some(i),
            format!(
                "`{}` is the first selection pattern that matches ({})",
                texts[i].unwrap_or_default(),
                responses[i].status_code
            ),
        ),
        Ok(None) => (
            None,
            "no selection pattern matches and there is no default response".to_string(),
        ),
        Err(e) => (None, e.message().to_string()),
    };
    json!({ "chosen": chosen, "why": why, "responses": each })
}
