//! Signed calls to the EC2 Query API (version 2016-11-15) through host HTTP.
//!
//! Every call is a form-encoded POST to the regional endpoint, signed with
//! SigV4 by the `aws-sigv4` crate (AWS's own signer, never a hand-written
//! one), answered in XML. Errors become contract errors in `map`; listings
//! follow `NextToken` until EC2 stops sending one.

use crate::map::{self, Op};
use crate::regions;
use crate::wire::ErrorResponse;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use mcgw_sdk::http::{Request, encode};
use mcgw_sdk::{CallContext, ContextExt, Error, Kv, Result};
use serde::de::DeserializeOwned;
use std::time::{Duration, SystemTime};

/// The API version every call names.
const VERSION: &str = "2016-11-15";
/// The form body's content type (signed, so it must be exactly what is sent).
const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";
/// A listing that has not ended after this many pages is a CSP failure
/// rather than an endless loop inside a call's CPU budget.
const MAX_PAGES: usize = 200;
/// Longest wait for EC2 to start answering one call.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The parameters of one call, in the Query API's flattened form
/// (`InstanceId.1`, `TagSpecification.1.Tag.2.Key`, ...).
#[derive(Default, Clone)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new() -> Self {
        Params::default()
    }
    /// One parameter.
    pub fn set(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.push((key.into(), value.into()));
        self
    }
    /// One parameter, when there is a value.
    pub fn opt(self, key: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.set(key, v),
            None => self,
        }
    }
    /// A list: `prefix.1`, `prefix.2`, ...
    pub fn list<S: AsRef<str>>(mut self, prefix: &str, values: &[S]) -> Self {
        for (i, v) in values.iter().enumerate() {
            self = self.set(format!("{prefix}.{}", i + 1), v.as_ref());
        }
        self
    }
    /// Filter number `n`: `Filter.n.Name` with its values.
    pub fn filter<S: AsRef<str>>(self, n: usize, name: &str, values: &[S]) -> Self {
        self.set(format!("Filter.{n}.Name"), name)
            .list(&format!("Filter.{n}.Value"), values)
    }
    /// Tags set at creation: `TagSpecification.n` for `resource_type`.
    /// EC2 refuses an empty tag specification, so no tags means none at all.
    pub fn tags(mut self, n: usize, resource_type: &str, tags: &[Kv]) -> Self {
        if tags.is_empty() {
            return self;
        }
        let p = format!("TagSpecification.{n}");
        self = self.set(format!("{p}.ResourceType"), resource_type);
        for (i, t) in tags.iter().enumerate() {
            self = self
                .set(format!("{p}.Tag.{}.Key", i + 1), &t.key)
                .set(format!("{p}.Tag.{}.Value", i + 1), &t.value);
        }
        self
    }
    /// The form body of a call to `action`.
    fn body(&self, action: &str) -> String {
        let mut out = format!("Action={action}&Version={VERSION}");
        for (k, v) in &self.0 {
            out.push('&');
            out.push_str(&form_encode(k));
            out.push('=');
            out.push_str(&form_encode(v));
        }
        out
    }
}

/// `application/x-www-form-urlencoded` encoding: RFC 3986 unreserved
/// characters kept, a space as `+`, everything else `%XX`. EC2 hashes the
/// bytes as sent either way; moto instead re-encodes the parsed form this way
/// before checking the signature, so this spelling is the one both accept.
fn form_encode(s: &str) -> String {
    encode(s).replace("%20", "+")
}

/// A listing answer: its items and the token of the next page.
pub trait Page: DeserializeOwned {
    type Item;
    fn split(self) -> (Vec<Self::Item>, Option<String>);
}

/// A client bound to one call's account, region and endpoint.
pub struct Client {
    url: String,
    region: String,
    identity: Identity,
    /// Results per page of the listings that take `MaxResults`.
    page_size: u32,
}

impl Client {
    /// Read credentials, region and endpoint from the call context.
    pub fn new(ctx: &CallContext) -> Result<Self> {
        Self::for_region(ctx, &ctx.region)
    }

    /// A client for another region of the same account (region listings).
    pub fn for_region(ctx: &CallContext, region: &str) -> Result<Self> {
        if !regions::is_valid_code(region) {
            return Err(Error::bad_request(format!(
                "{region:?} is not an AWS region code (like us-east-1)"
            ))
            .field("region"));
        }
        let credentials = Credentials::new(
            ctx.credential("access_key_id")?,
            ctx.credential("secret_access_key")?,
            ctx.credential_opt("session_token").map(str::to_string),
            None,
            "mcgw-connection",
        );
        let url = match &ctx.endpoint {
            Some(e) => format!("{}/", e.trim_end_matches('/')),
            None => format!("https://{}/", regions::endpoint_host(region)),
        };
        let page_size = match ctx.extra("page_size") {
            None => 1000,
            Some(s) => s
                .parse::<u32>()
                .ok()
                .filter(|n| (5..=1000).contains(n))
                .ok_or_else(|| {
                    Error::bad_request(format!("page_size must be 5 to 1000 (got {s:?})"))
                        .field("extra.page_size")
                })?,
        };
        Ok(Client {
            url,
            region: region.to_string(),
            identity: credentials.into(),
            page_size,
        })
    }

    /// The region this client signs for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Call `op` and parse its XML answer into `T`.
    pub fn call<T: DeserializeOwned>(&self, op: &Op, params: Params) -> Result<T> {
        let body = self.send(op, &params)?;
        mcgw_sdk::xml::from_slice(&body)
            .map_err(|e| Error::csp_failure(format!("EC2 {}: {}", op.action, e.0.message)))
    }

    /// Call `op` for its effect only.
    pub fn act(&self, op: &Op, params: Params) -> Result<()> {
        self.send(op, &params).map(drop)
    }

    /// Every item of a listing, page after page (`MaxResults` + `NextToken`).
    pub fn all<P: Page>(&self, op: &Op, params: Params) -> Result<Vec<P::Item>> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut p = params.clone();
            if op.max_results > 0 {
                p = p.set("MaxResults", self.page_size.min(op.max_results).to_string());
            }
            let page: P = self.call(op, p.opt("NextToken", token.take()))?;
            let (more, next) = page.split();
            items.extend(more);
            match next {
                Some(t) if !t.is_empty() => token = Some(t),
                _ => return Ok(items),
            }
        }
        Err(Error::csp_failure(format!(
            "EC2 {}: the listing did not end after {MAX_PAGES} pages",
            op.action
        )))
    }

    /// Sign, send, and turn error answers into contract errors.
    fn send(&self, op: &Op, params: &Params) -> Result<Vec<u8>> {
        let body = params.body(op.action);
        let settings = SigningSettings::default();
        let signing = v4::SigningParams::builder()
            .identity(&self.identity)
            .region(&self.region)
            .name("ec2")
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .map_err(|e| Error::csp_failure(format!("SigV4 parameters: {e}")))?
            .into();
        let headers = [("content-type", FORM)];
        let signable = SignableRequest::new(
            "POST",
            &self.url,
            headers.iter().copied(),
            SignableBody::Bytes(body.as_bytes()),
        )
        .map_err(|e| {
            Error::bad_request(format!("cannot sign a request to {}: {e}", self.url))
                .field("endpoint")
        })?;
        let (instructions, _signature) = sign(signable, &signing)
            .map_err(|e| Error::csp_failure(format!("SigV4 signing failed: {e}")))?
            .into_parts();
        let mut req = Request::post(&self.url)
            .body(body.into_bytes(), FORM)
            .timeout(TIMEOUT);
        let (signed_headers, _) = instructions.into_parts();
        for h in signed_headers {
            req = req.header(h.name(), h.value());
        }
        let resp = req.send()?;
        if resp.is_success() {
            return Ok(resp.body);
        }
        let parsed = mcgw_sdk::xml::from_slice::<ErrorResponse>(&resp.body)
            .ok()
            .and_then(ErrorResponse::first);
        Err(match parsed {
            Some(e) => map::error(op, resp.status, &e.code, &e.message),
            None => Error::new(
                Error::kind_for_status(resp.status),
                format!(
                    "EC2 {} answered HTTP {} without an error code: {}",
                    op.action,
                    resp.status,
                    resp.text().chars().take(300).collect::<String>()
                ),
            )
            .http_status(resp.status),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_bodies_are_flattened_and_encoded() {
        let tags = [Kv {
            key: "Name".into(),
            value: "web 1/ü".into(),
        }];
        let body = Params::new()
            .list("InstanceId", &["i-1", "i-2"])
            .filter(1, "tag:team", &["a b"])
            .tags(1, "instance", &tags)
            .tags(2, "volume", &[])
            .body("DescribeInstances");
        assert_eq!(
            body,
            "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-1&InstanceId.2=i-2\
             &Filter.1.Name=tag%3Ateam&Filter.1.Value.1=a+b\
             &TagSpecification.1.ResourceType=instance\
             &TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=web+1%2F%C3%BC"
        );
    }
}
