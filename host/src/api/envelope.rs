//! The common response envelope, and the one place where errors become HTTP.
//!
//! Success: `{"code": "Created", "status": 201, "title": "Created Successes", "data": ...}`
//! Error:   `{"code": "BadRequestData", "status": 400, "title": "Bad Request Data",
//!           "message": "...", "field": "image", "origin": "csp",
//!           "csp": {"code": "InvalidImage.NotFound", "message": "...", "http_status": 400}}`

use crate::error::{Code, Error};
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

/// The paper's success codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Success {
    /// 200 "Retrieve Successes".
    Ok,
    /// 201 "Created Successes".
    Created,
    /// 200 "Deleted Successes".
    Deleted,
    /// 200 "Changed Successes".
    Changed,
}

impl Success {
    fn parts(self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Success::Ok => (StatusCode::OK, "OK", "Retrieve Successes"),
            Success::Created => (StatusCode::CREATED, "Created", "Created Successes"),
            Success::Deleted => (StatusCode::OK, "Deleted", "Deleted Successes"),
            Success::Changed => (StatusCode::OK, "Changed", "Changed Successes"),
        }
    }
}

/// A successful answer with its payload.
pub struct Reply<T>(pub Success, pub T);

/// The success envelope, serialised straight from the payload (no
/// intermediate JSON tree).
#[derive(Serialize)]
struct Envelope<'a, T> {
    code: &'static str,
    status: u16,
    title: &'static str,
    data: &'a T,
}

impl<T: Serialize> IntoResponse for Reply<T> {
    fn into_response(self) -> Response {
        let (status, code, title) = self.0.parts();
        let body = Envelope {
            code,
            status: status.as_u16(),
            title,
            data: &self.1,
        };
        (status, Json(body)).into_response()
    }
}

/// Shorthand for `Reply(Success::Ok, data)`.
pub fn ok<T>(data: T) -> Reply<T> {
    Reply(Success::Ok, data)
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = json!({
            "code": self.code,
            "status": status.as_u16(),
            "title": self.code.title(),
            "message": self.message,
            "origin": self.origin,
        });
        if let Some(f) = &self.field {
            body["field"] = json!(f);
        }
        if let Some(c) = &self.csp {
            body["csp"] = json!(c);
        }
        if let Some(ms) = self.retry_after_ms {
            body["retry_after_ms"] = json!(ms);
        }
        if self.code == Code::InternalError {
            tracing::error!(origin = ?self.origin, "request failed: {}", self.message);
        }
        let mut response = (status, Json(body)).into_response();
        if let Some(ms) = self.retry_after_ms {
            let secs = ms.div_ceil(1000).max(1);
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}
