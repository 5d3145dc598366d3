//! Building the contract's `adapter-error` with as little ceremony as possible.

use crate::bindings::mcgw::adapter::types::{AdapterError, ErrorKind};

/// The error every adapter operation returns; converts into `adapter-error`.
#[derive(Debug, Clone)]
pub struct Error(pub AdapterError);

/// Result of an adapter operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with a message in the adapter's words.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error(AdapterError {
            kind,
            message: message.into(),
            field: None,
            csp_code: None,
            csp_message: None,
            http_status: None,
            retry_after_ms: None,
        })
    }
    /// 400 InvalidRequest.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidRequest, message)
    }
    /// 400 BadRequestData.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequestData, message)
    }
    /// 401 Unauthorized.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthorized, message)
    }
    /// 404 NotFound.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    /// 409 AlreadyExists.
    pub fn already_exists(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::AlreadyExists, message)
    }
    /// The CSP failed or answered something unusable.
    pub fn csp_failure(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::CspFailure, message)
    }
    /// The adapter does not implement `operation`.
    pub fn unsupported(operation: &str) -> Self {
        Self::new(
            ErrorKind::Unsupported,
            format!("this adapter does not support {operation}"),
        )
    }
    /// Name the request parameter at fault.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.0.field = Some(field.into());
        self
    }
    /// Keep the CSP's own error code and message.
    pub fn csp(mut self, code: impl Into<String>, message: impl Into<String>) -> Self {
        self.0.csp_code = Some(code.into());
        self.0.csp_message = Some(message.into());
        self
    }
    /// Record the HTTP status the CSP answered with.
    pub fn http_status(mut self, status: u16) -> Self {
        self.0.http_status = Some(status);
        self
    }
    /// Ask the host to wait this long before retrying.
    pub fn retry_after_ms(mut self, ms: u32) -> Self {
        self.0.retry_after_ms = Some(ms);
        self
    }
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The usual classification of an HTTP error status, for CSPs whose
    /// status codes carry the meaning (REST APIs). Adapters refine it with
    /// the CSP's error code where the status is ambiguous.
    pub fn kind_for_status(status: u16) -> ErrorKind {
        match status {
            400 | 422 => ErrorKind::BadRequestData,
            401 | 403 => ErrorKind::Unauthorized,
            404 => ErrorKind::NotFound,
            405 | 501 => ErrorKind::Unsupported,
            409 => ErrorKind::AlreadyExists,
            413 => ErrorKind::QuotaExceeded,
            429 => ErrorKind::Throttled,
            _ => ErrorKind::CspFailure,
        }
    }
}

impl From<Error> for AdapterError {
    fn from(e: Error) -> Self {
        e.0
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.0.kind, self.0.message)?;
        if let Some(code) = &self.0.csp_code {
            write!(f, " ({code})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::csp_failure(format!("unparseable answer from the CSP: {e}"))
    }
}
