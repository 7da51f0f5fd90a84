//! API Gateway's `x-amazon-apigateway-integration` extension of OpenAPI, the shape of an
//! integration in an API export and in an integration file, read with serde: from JSON
//! here, and by the importers from documents that know positions.

use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess, Visitor};

use super::api::{
    Integration, IntegrationResponse, IntegrationType, MappingTemplate, PassthroughBehavior,
    Pattern,
};
use crate::{Error, ErrorKind};

/// `x-amazon-apigateway-integration` as written.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct IntegrationExtension {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    uri: String,
    http_method: Option<String>,
    #[serde(default)]
    request_templates: IndexMap<String, MappingTemplate>,
    passthrough_behavior: Option<String>,
    content_handling: Option<String>,
    #[serde(default)]
    request_parameters: IndexMap<String, String>,
    #[serde(default, deserialize_with = "entries")]
    responses: Vec<(Pattern, ResponseExtension)>,
    // Exported, but no part of what a template sees.
    #[serde(default, rename = "timeoutInMillis")]
    _timeout: IgnoredAny,
    #[serde(default, rename = "cacheNamespace")]
    _cache_namespace: IgnoredAny,
    #[serde(default, rename = "cacheKeyParameters")]
    _cache_key_parameters: IgnoredAny,
    #[serde(default, rename = "credentials")]
    _credentials: IgnoredAny,
    #[serde(default, rename = "connectionType")]
    _connection_type: IgnoredAny,
    #[serde(default, rename = "connectionId")]
    _connection_id: IgnoredAny,
    #[serde(default, rename = "tlsConfig")]
    _tls_config: IgnoredAny,
    #[serde(default, rename = "integrationSubtype")]
    _subtype: IgnoredAny,
    #[serde(default, rename = "payloadFormatVersion")]
    _payload_format: IgnoredAny,
}

/// One entry of `responses`, keyed by its selection pattern (`default` for the default).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ResponseExtension {
    status_code: StatusCode,
    #[serde(default)]
    response_templates: IndexMap<String, MappingTemplate>,
    #[serde(default)]
    response_parameters: IndexMap<String, String>,
    content_handling: Option<String>,
}

/// An HTTP status code as API Gateway accepts one, 100 to 599; read with serde from a
/// number or from text (`"200"`, as exports write it). The one rule every reader uses.
///
/// ```
/// use vtl::apigateway::StatusCode;
///
/// assert_eq!(StatusCode::parse(" 404 "), Some(StatusCode(404)));
/// assert_eq!(StatusCode::parse("600"), None);
/// let code: StatusCode = serde_json::from_str("\"201\"").unwrap();
/// assert_eq!(code, StatusCode(201));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StatusCode(pub u16);

impl StatusCode {
    /// `n` if it is a status code.
    pub fn new(n: u64) -> Option<StatusCode> {
        u16::try_from(n)
            .ok()
            .filter(|n| (100..=599).contains(n))
            .map(StatusCode)
    }

    /// The status code `text` spells (surrounding whitespace aside), if it spells one.
    pub fn parse(text: &str) -> Option<StatusCode> {
        text.trim().parse().ok().and_then(StatusCode::new)
    }
}

impl<'de> Deserialize<'de> for StatusCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<StatusCode, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = StatusCode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a status code between 100 and 599")
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<StatusCode, E> {
                StatusCode::new(n)
                    .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Unsigned(n), &self))
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<StatusCode, E> {
                match u64::try_from(n) {
                    Ok(n) => self.visit_u64(n),
                    Err(_) => Err(E::invalid_value(serde::de::Unexpected::Signed(n), &self)),
                }
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<StatusCode, E> {
                StatusCode::parse(s)
                    .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(s), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// A map read as its entries, in order (selection patterns are not hashable keys).
fn entries<'de, D, K, V>(d: D) -> Result<Vec<(K, V)>, D::Error>
where
    D: serde::Deserializer<'de>,
    K: Deserialize<'de>,
    V: Deserialize<'de>,
{
    struct Entries<K, V>(std::marker::PhantomData<(K, V)>);
    impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for Entries<K, V> {
        type Value = Vec<(K, V)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object keyed by selection pattern")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = map.next_entry()? {
                out.push(entry);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Entries(std::marker::PhantomData))
}

fn lower_keys(map: IndexMap<String, MappingTemplate>) -> IndexMap<String, MappingTemplate> {
    map.into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect()
}

impl IntegrationExtension {
    /// The integration it describes; an unknown type or passthrough behaviour is an error
    /// of kind [`ErrorKind::Input`].
    fn into_integration(self) -> Result<Integration, Error> {
        let invalid = |m: String| Error::new(ErrorKind::Input, m);
        let kind = IntegrationType::parse(&self.kind).ok_or_else(|| {
            invalid(format!(
                "unknown integration type `{}` (expected AWS, AWS_PROXY, HTTP, HTTP_PROXY or MOCK)",
                self.kind
            ))
        })?;
        let passthrough_behavior = match &self.passthrough_behavior {
            None => PassthroughBehavior::default(),
            Some(p) => PassthroughBehavior::parse(p).ok_or_else(|| {
                invalid(format!(
                    "unknown passthroughBehavior `{p}` (expected WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER)"
                ))
            })?,
        };
        let responses = self
            .responses
            .into_iter()
            .map(|(pattern, r)| {
                let pattern = (pattern.text() != "default").then_some(pattern);
                IntegrationResponse {
                    selection_pattern: pattern,
                    status_code: r.status_code.0,
                    response_templates: lower_keys(r.response_templates),
                    response_parameters: r.response_parameters,
                    content_handling: r.content_handling,
                }
            })
            .collect();
        Ok(Integration {
            kind,
            uri: self.uri,
            http_method: self.http_method,
            request_templates: lower_keys(self.request_templates),
            passthrough_behavior,
            content_handling: self.content_handling,
            request_parameters: self.request_parameters,
            responses,
        })
    }
}

impl Integration {
    /// Reads an integration in the shape of API Gateway's `x-amazon-apigateway-integration`:
    ///
    /// ```json
    /// {"type": "AWS", "uri": "arn:aws:apigateway:us-east-1:lambda:path/...",
    ///  "requestTemplates": {"application/json": "..."},
    ///  "passthroughBehavior": "WHEN_NO_MATCH",
    ///  "responses": {"default": {"statusCode": "200"},
    ///                "^\\[400:.*": {"statusCode": "400", "responseTemplates": {"application/json": "..."},
    ///                               "responseParameters": {"method.response.header.X": "'v'"}}}}
    /// ```
    ///
    /// `type` is `AWS` (a Lambda function when `uri` names one, else an AWS service),
    /// `AWS_PROXY`, `HTTP`, `HTTP_PROXY` or `MOCK`. The keys of `responses` are the
    /// selection patterns, in definition order; `default` marks the default response.
    /// Templates and patterns are compiled when first used.
    pub fn from_json(text: &str) -> Result<Integration, Error> {
        let ext: IntegrationExtension = serde_json::from_str(text).map_err(|e| {
            Error::new(
                ErrorKind::Input,
                format!("the integration: {}", strip_position(&e)),
            )
            .at(e.line().max(1), e.column().max(1))
        })?;
        ext.into_integration()
    }

    /// Builds an integration from its parsed JSON (see [`Integration::from_json`]).
    pub fn from_value(v: &serde_json::Value) -> Result<Integration, Error> {
        Integration::deserialize(v)
            .map_err(|e| Error::new(ErrorKind::Input, format!("the integration: {e}")))
    }
}

/// An integration reads as `x-amazon-apigateway-integration` (see [`Integration::from_json`]).
impl<'de> Deserialize<'de> for Integration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Integration, D::Error> {
        IntegrationExtension::deserialize(d)?
            .into_integration()
            .map_err(|e| serde::de::Error::custom(e.message()))
    }
}

/// serde_json's message without its ` at line N column M` (the error carries it).
fn strip_position(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    message
        .strip_suffix(&suffix)
        .map_or(message.clone(), str::to_string)
}
