//! Reading the call context: credentials, extra parameters and the endpoint.

use crate::bindings::mcgw::adapter::types::{CallContext, VmRequest};
use crate::{Error, Result, kv_get};

/// Accessors on the contract's records that fail with precise errors.
pub trait ContextExt {
    /// A credential field; `unauthorized` naming the field when absent or empty.
    fn credential(&self, key: &str) -> Result<&str>;
    /// A credential field that may be absent.
    fn credential_opt(&self, key: &str) -> Option<&str>;
    /// A connection-level extra parameter.
    fn extra(&self, key: &str) -> Option<&str>;
    /// The endpoint override, or `default` when the connection has none,
    /// without a trailing slash.
    fn endpoint_or(&self, default: &str) -> String;
}

impl ContextExt for CallContext {
    fn credential(&self, key: &str) -> Result<&str> {
        match kv_get(&self.credential, key) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(
                Error::unauthorized(format!("the credential has no value for `{key}`"))
                    .field(format!("credential.{key}")),
            ),
        }
    }
    fn credential_opt(&self, key: &str) -> Option<&str> {
        kv_get(&self.credential, key).filter(|v| !v.is_empty())
    }
    fn extra(&self, key: &str) -> Option<&str> {
        kv_get(&self.extra, key)
    }
    fn endpoint_or(&self, default: &str) -> String {
        self.endpoint
            .as_deref()
            .unwrap_or(default)
            .trim_end_matches('/')
            .to_string()
    }
}

impl VmRequest {
    /// A VM-level extra parameter.
    pub fn extra(&self, key: &str) -> Option<&str> {
        kv_get(&self.extra, key)
    }
    /// A tag value.
    pub fn tag(&self, key: &str) -> Option<&str> {
        kv_get(&self.tags, key)
    }
}

impl CallContext {
    /// The value of a mandatory VM-independent parameter, or `bad-request-data`.
    pub fn require_extra(&self, key: &str) -> Result<&str> {
        kv_get(&self.extra, key).ok_or_else(|| {
            Error::bad_request(format!("the connection needs the parameter `{key}`"))
                .field(format!("extra.{key}"))
        })
    }
}
