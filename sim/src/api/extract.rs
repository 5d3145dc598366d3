//! Request extractors and response helpers that speak the error envelope.
//!
//! axum's own extractors answer bad input with plain-text rejections; these
//! wrap them so every failure is a documented `ApiError`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::errors::{ApiError, ApiResult};

/// Largest request body accepted (user data is at most 16 KiB; 1 MiB leaves
/// room for anything legitimate).
pub const BODY_LIMIT: usize = 1 << 20;

/// The authenticated caller's access key, put in the request by the auth layer.
#[derive(Debug, Clone)]
pub struct Caller(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ApiResult<Self> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::internal("request reached a handler unauthenticated"))
    }
}

/// Path parameters; a parameter that is not valid UTF-8 is 400.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(t)| Params(t))
            .map_err(|e| ApiError::invalid(format!("invalid path: {e}")))
    }
}

/// A JSON request body. Unknown fields, wrong types and malformed JSON are 400
/// `InvalidParameterValue`; a missing required field is 400 `MissingParameter`.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> ApiResult<Self> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::too_large(BODY_LIMIT))?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parse a JSON body with the envelope's error codes.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid("the request body must be a JSON object"));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let text = e.to_string();
        match text.strip_prefix("missing field `") {
            Some(rest) => ApiError::missing(rest.split('`').next().unwrap_or("?")),
            None => ApiError::invalid(format!("invalid request body: {text}")),
        }
    })
}

/// A JSON answer. Serialised at once, so views may borrow from the locked store.
pub fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (status, [(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => ApiError::internal(format!("serialising the answer failed: {e}")).into_response(),
    }
}

/// The pairs of a raw query string, percent-decoded.
pub fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// `tag=key=value` (that value) and `tag=key` (any value) filters.
pub type TagFilters = Vec<(String, Option<String>)>;

/// Parse one `tag` query value.
pub fn tag_filter(value: &str) -> ApiResult<(String, Option<String>)> {
    let (k, v) = match value.split_once('=') {
        Some((k, v)) => (k, Some(v.to_string())),
        None => (value, None),
    };
    if k.is_empty() {
        return Err(ApiError::invalid(format!(
            "tag filter {value:?} must be key=value or key"
        )));
    }
    Ok((k.to_string(), v))
}

/// Parse a query that may only hold `tag` filters (the unpaged lists).
pub fn tag_only_query(raw: Option<&str>) -> ApiResult<TagFilters> {
    query_pairs(raw)
        .into_iter()
        .map(|(k, v)| match k.as_str() {
            "tag" => tag_filter(&v),
            _ => Err(ApiError::invalid(format!("unknown query parameter {k}"))),
        })
        .collect()
}
