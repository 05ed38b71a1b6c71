//! Request extractors whose rejections are problem documents naming the bad field, and the JSON merge patch
//! (RFC 7386) that updates use: the stored object's input form, patched, is checked like a new one.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body; a malformed one answers 400 naming the path of the bad field.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !content_type.starts_with("application/json")
            && !content_type.starts_with("application/merge-patch+json")
        {
            return Err(ApiError::bad_field(
                "body",
                "send JSON with Content-Type: application/json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::TooLarge(format!(
                        "the request body is larger than {} bytes",
                        crate::BODY_LIMIT
                    ))
                } else {
                    ApiError::bad_field("body", e.body_text())
                }
            })?;
        from_json_bytes(&bytes).map(ApiJson)
    }
}

pub fn from_json_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(json_error)
}

pub fn from_json_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(json_error)
}

fn json_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let field = if path == "." {
        "body".to_string()
    } else {
        path
    };
    ApiError::bad_field(&field, e.inner().to_string())
}

/// Query parameters; a bad one answers 400 naming it.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        query(parts.uri.query().unwrap_or("")).map(ApiQuery)
    }
}

/// Reads a query string as `ApiQuery` does; a bad parameter answers 400 naming it.
pub fn query<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(text.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "query".to_string()
        } else {
            path
        };
        ApiError::bad_field(&field, e.inner().to_string())
    })
}

/// Applies a JSON merge patch to the input form of `current` and reads the result back as an input.
pub fn merge_patch<I>(current: &I, patch: serde_json::Value) -> Result<I, ApiError>
where
    I: Serialize + DeserializeOwned,
{
    if !patch.is_object() {
        return Err(ApiError::bad_field("body", "a patch must be a JSON object"));
    }
    let mut doc =
        serde_json::to_value(current).map_err(|e| ApiError::bad_field("body", e.to_string()))?;
    merge(&mut doc, patch);
    from_json_value(doc)
}

fn merge(target: &mut serde_json::Value, patch: serde_json::Value) {
    match patch {
        serde_json::Value::Object(fields) => {
            if !target.is_object() {
                *target = serde_json::Value::Object(Default::default());
            }
            if let serde_json::Value::Object(map) = target {
                for (key, value) in fields {
                    if value.is_null() {
                        map.insert(key, serde_json::Value::Null);
                    } else {
                        merge(map.entry(key).or_insert(serde_json::Value::Null), value);
                    }
                }
            }
        }
        other => *target = other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_replaces_only_the_fields_it_names() {
        let mut doc = json!({"a": 1, "b": {"c": 2, "d": 3}});
        merge(&mut doc, json!({"b": {"c": 5}}));
        assert_eq!(doc, json!({"a": 1, "b": {"c": 5, "d": 3}}));
    }

    #[test]
    fn merge_patch_null_clears_a_field() {
        let mut doc = json!({"park_id": 4, "name": "x"});
        merge(&mut doc, json!({"park_id": null}));
        assert_eq!(doc, json!({"park_id": null, "name": "x"}));
    }
}
