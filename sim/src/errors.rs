//! The error envelope every failure answers with:
//! `{"error": {"code", "message", "request_id"}}`.
//!
//! Handlers return `ApiResult<T>`; anything that goes wrong becomes an
//! [`ApiError`] with a documented code, never a panic or a bare status.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::ids;

/// Header carrying the request id on every response.
pub const REQUEST_ID_HEADER: &str = "x-sim-request-id";

/// A documented error: HTTP status, code and a human message.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds for the `retry-after` header (throttling only).
    pub retry_after: Option<u32>,
}

/// What handlers return.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400 `InvalidParameterValue`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidParameterValue", message)
    }

    /// 400 `MissingParameter` for the named parameter.
    pub fn missing(parameter: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "MissingParameter",
            format!("the request must contain the parameter {parameter}"),
        )
    }

    /// 400 with a specific code (`InvalidRegion`, `InvalidImage.NotFound`, ...).
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 404 with a specific code (`VpcNotFound`, ...).
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 409 with a specific code (`VpcAlreadyExists`, `DependencyViolation`, ...).
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 401 with a specific code (`AuthFailure`, ...).
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    /// 400 `InvalidRegion`.
    pub fn invalid_region(region: &str) -> Self {
        Self::bad_request("InvalidRegion", format!("region {region} does not exist"))
    }

    /// 429 `Throttling`, retry after one second.
    pub fn throttled() -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Throttling",
            "rate exceeded, slow down",
        );
        e.retry_after = Some(1);
        e
    }

    /// 500 `InternalFailure`.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalFailure",
            message,
        )
    }

    /// 503 `ServiceUnavailable`.
    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "the service is temporarily unavailable, try again",
        )
    }

    /// 404 `NotFound` for a path no route serves.
    pub fn no_route(path: &str) -> Self {
        Self::not_found("NotFound", format!("no resource at {path}"))
    }

    /// 405 `MethodNotAllowed`.
    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("{method} is not allowed on {path}"),
        )
    }

    /// 413 `RequestEntityTooLarge`.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            format!("the request body exceeds {limit} bytes"),
        )
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    request_id: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = ids::request_id();
        let body = serde_json::to_vec(&Envelope {
            error: Body {
                code: self.code,
                message: &self.message,
                request_id: &request_id,
            },
        })
        .unwrap_or_default();
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
        let headers = response.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            headers.insert(REQUEST_ID_HEADER, v);
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}
