//! The one error type of the gateway, carrying the seed paper's response code.
//!
//! Every failure, whether the client's, the CSP's, an adapter's or our own, ends
//! up here with a [`Code`] (the paper's table) and an [`Origin`] (who failed);
//! the API turns it into the common envelope in exactly one place
//! (`api::envelope`). The MCIS engine asks [`Error::retryable`].

use crate::runtime::CallError;
use crate::runtime::bindings::{AdapterError, ErrorKind};
use serde::Serialize;

/// The paper's response codes (tables 2 and 3) plus NotFound and Throttled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Code {
    /// 400: the request makes no sense as a whole.
    InvalidRequest,
    /// 400: a value in the request is wrong.
    BadRequestData,
    /// 401: the credential was refused.
    Unauthorized,
    /// 404: no such object.
    NotFound,
    /// 405: no such API, or the adapter does not implement the operation.
    MethodNotAllowed,
    /// 409: the name is taken.
    AlreadyExists,
    /// 429: the CSP keeps throttling us.
    Throttled,
    /// 500: the CSP, an adapter or the gateway failed.
    InternalError,
}

impl Code {
    /// HTTP status of the code.
    pub fn status(self) -> u16 {
        match self {
            Code::InvalidRequest | Code::BadRequestData => 400,
            Code::Unauthorized => 401,
            Code::NotFound => 404,
            Code::MethodNotAllowed => 405,
            Code::AlreadyExists => 409,
            Code::Throttled => 429,
            Code::InternalError => 500,
        }
    }

    /// The paper's title of the code.
    pub fn title(self) -> &'static str {
        match self {
            Code::InvalidRequest => "Invalid Request",
            Code::BadRequestData => "Bad Request Data",
            Code::Unauthorized => "Unauthorized",
            Code::NotFound => "Not Found",
            Code::MethodNotAllowed => "Requested API is not defined",
            Code::AlreadyExists => "Already Exists",
            Code::Throttled => "Throttled",
            Code::InternalError => "Internal Error",
        }
    }
}

/// Who failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The request was wrong.
    Client,
    /// The CSP refused or failed.
    Csp,
    /// The adapter component crashed or broke a limit.
    Adapter,
    /// The gateway itself.
    Gateway,
}

/// The CSP's own words about a failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CspDetail {
    /// The CSP's error code, e.g. `InvalidAMIID.NotFound`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The CSP's message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The HTTP status the CSP answered with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
}

/// A gateway error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct Error {
    /// The response code.
    pub code: Code,
    /// Human message.
    pub message: String,
    /// The request field at fault, when known.
    pub field: Option<String>,
    /// Who failed.
    pub origin: Origin,
    /// The CSP's detail, when the CSP answered.
    pub csp: Option<CspDetail>,
    /// How long the CSP asked us to wait.
    pub retry_after_ms: Option<u32>,
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error caused by the request.
    pub fn client(code: Code, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            field: None,
            origin: Origin::Client,
            csp: None,
            retry_after_ms: None,
        }
    }
    /// 400 InvalidRequest.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::client(Code::InvalidRequest, message)
    }
    /// 400 BadRequestData naming `field`.
    pub fn bad_data(field: &str, message: impl Into<String>) -> Self {
        Self::client(Code::BadRequestData, message).with_field(field)
    }
    /// 404 NotFound.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::client(Code::NotFound, message)
    }
    /// 409 AlreadyExists.
    pub fn already_exists(message: impl Into<String>) -> Self {
        Self::client(Code::AlreadyExists, message)
    }
    /// 500 caused by the gateway itself.
    pub fn internal(message: impl Into<String>) -> Self {
        Error {
            origin: Origin::Gateway,
            ..Self::client(Code::InternalError, message)
        }
    }
    /// Name the field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The error as one line, with the CSP's code when there is one.
    pub fn summary(&self) -> String {
        match self.csp.as_ref().and_then(|c| c.code.as_deref()) {
            Some(code) => format!("{:?}: {} [{code}]", self.code, self.message),
            None => format!("{:?}: {}", self.code, self.message),
        }
    }

    /// Whether trying again later may succeed (throttling, CSP 5xx, adapter timeouts).
    pub fn retryable(&self) -> bool {
        match self.code {
            Code::Throttled => true,
            Code::InternalError => matches!(self.origin, Origin::Csp),
            _ => false,
        }
    }

    /// An adapter's answer (the CSP's failure, as classified by the adapter).
    pub fn from_adapter(e: AdapterError) -> Self {
        let code = match e.kind {
            ErrorKind::InvalidRequest | ErrorKind::QuotaExceeded => Code::InvalidRequest,
            ErrorKind::BadRequestData => Code::BadRequestData,
            ErrorKind::Unauthorized => Code::Unauthorized,
            ErrorKind::NotFound => Code::NotFound,
            ErrorKind::AlreadyExists => Code::AlreadyExists,
            ErrorKind::Throttled => Code::Throttled,
            ErrorKind::CspFailure => Code::InternalError,
            ErrorKind::Unsupported => Code::MethodNotAllowed,
        };
        let origin = match e.kind {
            ErrorKind::Unsupported => Origin::Adapter,
            _ => Origin::Csp,
        };
        let csp = (e.csp_code.is_some() || e.csp_message.is_some() || e.http_status.is_some())
            .then_some(CspDetail {
                code: e.csp_code,
                message: e.csp_message,
                http_status: e.http_status,
            });
        Error {
            code,
            message: e.message,
            field: e.field,
            origin,
            csp,
            retry_after_ms: e.retry_after_ms,
        }
    }

    /// A failure of the adapter component itself (trap, limits, deadline).
    pub fn from_call(adapter: &str, e: CallError) -> Self {
        Error {
            origin: Origin::Adapter,
            ..Self::client(Code::InternalError, format!("adapter {adapter}: {e}"))
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::internal(format!("database: {e}"))
    }
}
