//! Signed calls to the simulated cloud (SIM1-HMAC-SHA256, docs/sim-api.md).

use crate::map;
use crate::wire::ErrorBody;
use mcgw_sdk::http::{Request, Response};
use mcgw_sdk::sign::{hmac_sha256_hex, now_rfc3339, sha256_hex};
use mcgw_sdk::{CallContext, ContextExt, Error, Result};
use serde::de::DeserializeOwned;

/// A client bound to one call's account, region and endpoint.
pub struct Client<'a> {
    base: String,
    access_key: &'a str,
    secret_key: &'a str,
    /// The region path prefix, `/v1/regions/<region>`.
    pub region_path: String,
}

impl<'a> Client<'a> {
    /// Read endpoint and credentials from the call context.
    pub fn new(ctx: &'a CallContext) -> Result<Self> {
        let base = ctx.endpoint.as_deref().ok_or_else(|| {
            Error::bad_request(
                "the simulated cloud has no public endpoint: set the connection's endpoint",
            )
            .field("endpoint")
        })?;
        Ok(Client {
            base: base.trim_end_matches('/').to_string(),
            access_key: ctx.credential("access_key")?,
            secret_key: ctx.credential("secret_key")?,
            region_path: format!("/v1/regions/{}", mcgw_sdk::http::encode(&ctx.region)),
        })
    }

    /// GET `path` (with `query` pairs) and parse the JSON answer.
    pub fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> Result<T> {
        let mut req = Request::get(format!("{}{}", self.base, path));
        for (k, v) in query {
            req = req.query(*k, v.clone());
        }
        self.send(req)?.json()
    }

    /// POST a JSON body and parse the JSON answer.
    pub fn post<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        self.send(Request::post(format!("{}{}", self.base, path)).json(body))?
            .json()
    }

    /// DELETE `path`; returns the raw successful response.
    pub fn delete(&self, path: &str) -> Result<Response> {
        self.send(Request::delete(format!("{}{}", self.base, path)))
    }

    /// Sign, send, and turn error answers into contract errors.
    fn send(&self, req: Request) -> Result<Response> {
        let url = req.full_url();
        let after_host = url
            .splitn(4, '/')
            .nth(3)
            .map(|rest| format!("/{rest}"))
            .unwrap_or_else(|| "/".to_string());
        let (path, query) = after_host.split_once('?').unwrap_or((&after_host, ""));
        let date = now_rfc3339();
        let body_hash = sha256_hex(req.body_bytes());
        let to_sign = format!("{}\n{path}\n{query}\n{date}\n{body_hash}", req.method());
        let signature = hmac_sha256_hex(self.secret_key.as_bytes(), to_sign.as_bytes());
        let resp = req
            .header("x-sim-date", date)
            .header(
                "authorization",
                format!(
                    "SIM1-HMAC-SHA256 Credential={}, Signature={signature}",
                    self.access_key
                ),
            )
            .send()?;
        if resp.is_success() {
            return Ok(resp);
        }
        Err(match serde_json::from_slice::<ErrorBody>(&resp.body) {
            Ok(body) => map::error(
                resp.status,
                &body.error.code,
                &body.error.message,
                resp.retry_after_ms(),
            ),
            Err(_) => Error::new(
                Error::kind_for_status(resp.status),
                format!(
                    "the simulated cloud answered HTTP {}: {}",
                    resp.status,
                    resp.text()
                ),
            )
            .http_status(resp.status),
        })
    }
}
