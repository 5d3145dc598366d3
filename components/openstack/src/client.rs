//! Authenticated calls to Nova, Neutron and Glance for one connection.
//!
//! Every request carries the token; Nova's also carry the fixed microversion
//! in both headers Nova reads. A service that refuses a cached token (revoked,
//! or expired early) gets one retry with a fresh token; a fresh token refused
//! is the credential's problem and is reported as such.

use crate::identity::{self, Identity, Token};
use crate::map::{self, Api};
use mcgw_sdk::http::{Request, Response};
use mcgw_sdk::{CallContext, ContextExt, Error, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::cell::RefCell;

/// The Nova microversion every compute request asks for: 2.79 (Train, 2019)
/// is the newest that still lets Nova generate key pairs (2.92 removed that)
/// and has everything this adapter reads: the flavor embedded in the server
/// (2.47), server tags at create (2.52), key pair paging (2.35).
pub const NOVA_MICROVERSION: &str = "2.79";

/// The OpenStack services this adapter calls.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Service {
    Compute,
    Network,
    Image,
}

impl Service {
    fn catalog_type(self) -> &'static str {
        match self {
            Service::Compute => "compute",
            Service::Network => "network",
            Service::Image => "image",
        }
    }
    fn api(self) -> Api {
        match self {
            Service::Compute => Api::Nova,
            Service::Network => Api::Neutron,
            Service::Image => Api::Glance,
        }
    }
    /// The API version path the catalog URL may or may not include already.
    fn version_path(self) -> &'static str {
        match self {
            Service::Compute => "",
            Service::Network => "/v2.0",
            Service::Image => "/v2",
        }
    }
}

/// One connection's session: identity, token, region and interface.
pub struct Session {
    identity: Identity,
    token: RefCell<(Token, bool)>,
    region: String,
    interface: String,
}

impl Session {
    /// Log in (or take the cached token) for the call context.
    pub fn new(ctx: &CallContext) -> Result<Session> {
        let interface = ctx.extra("interface").unwrap_or("public").to_string();
        if !matches!(interface.as_str(), "public" | "internal" | "admin") {
            return Err(Error::bad_request(format!(
                "interface must be public, internal or admin (got {interface:?})"
            ))
            .field("extra.interface"));
        }
        let identity = Identity::new(ctx)?;
        let token = identity.token()?;
        Ok(Session {
            identity,
            token: RefCell::new(token),
            region: ctx.region.clone(),
            interface,
        })
    }

    /// The project the token is scoped to.
    pub fn project_id(&self) -> String {
        self.token.borrow().0.project_id.clone()
    }

    /// A GET on Keystone itself (e.g. `/v3/regions`).
    pub fn keystone_get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let url = format!("{}{path}", self.identity.keystone);
        let resp = self.with_token(|token| {
            Ok(Request::get(&url)
                .header("accept", "application/json")
                .header("x-auth-token", token.value.clone()))
        })?;
        if resp.is_success() {
            resp.json()
        } else {
            Err(map::error(Api::Keystone, &resp))
        }
    }

    /// The base URL of `service` (with its API version) in the connection's
    /// region and interface.
    pub fn base(&self, service: Service) -> Result<String> {
        let token = &self.token.borrow().0;
        let url = identity::endpoint(token, service.catalog_type(), &self.region, &self.interface)?;
        let version = service.version_path();
        Ok(if version.is_empty() || url.ends_with(version) {
            url
        } else {
            format!("{url}{version}")
        })
    }

    /// Send `method path` to `service` with `query` and an optional JSON body;
    /// a non-2xx answer becomes the service's error.
    pub fn call(
        &self,
        service: Service,
        method: &str,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Response> {
        let resp = self
            .with_token(|token| {
                let base = self.base(service)?;
                let mut req = Request::new(method, format!("{base}{path}"))
                    .header("accept", "application/json")
                    .header("x-auth-token", token.value.clone());
                if service == Service::Compute {
                    req = req
                        .header(
                            "openstack-api-version",
                            format!("compute {NOVA_MICROVERSION}"),
                        )
                        .header("x-openstack-nova-api-version", NOVA_MICROVERSION);
                }
                for (k, v) in query {
                    req = req.query(*k, v.clone());
                }
                if let Some(b) = body {
                    req = req.json(b);
                }
                Ok(req)
            })
            .map_err(|e| refused_host(service, e, &self.identity.keystone))?;
        if resp.is_success() {
            return Ok(resp);
        }
        let mut e = map::error(service.api(), &resp);
        if service == Service::Compute && resp.status == 406 {
            e.0.message = format!(
                "this cloud's Nova does not serve compute microversion {NOVA_MICROVERSION} \
                 (OpenStack Train or later is needed): {}",
                e.0.message
            );
        }
        Err(e)
    }

    /// GET and parse JSON.
    pub fn get<T: DeserializeOwned>(
        &self,
        service: Service,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        self.call(service, "GET", path, query, None)?.json()
    }

    /// POST JSON and parse the JSON answer.
    pub fn post<T: DeserializeOwned>(
        &self,
        service: Service,
        path: &str,
        body: &Value,
    ) -> Result<T> {
        self.call(service, "POST", path, &[], Some(body))?.json()
    }

    /// Send with the current token; on 401 with a cached token, log in again
    /// and retry once.
    fn with_token(&self, build: impl Fn(&Token) -> Result<Request>) -> Result<Response> {
        let req = build(&self.token.borrow().0)?;
        let resp = req.send()?;
        let cached = self.token.borrow().1;
        if resp.status != 401 || !cached {
            return Ok(resp);
        }
        mcgw_sdk::log::info("a service refused the cached Keystone token; logging in again");
        self.identity.forget();
        let fresh = self.identity.login()?;
        *self.token.borrow_mut() = (fresh, false);
        let req = build(&self.token.borrow().0)?;
        req.send()
    }
}

/// The host lets an adapter reach only its declared hosts and the
/// connection's endpoint (host and port). Say so precisely when the catalog
/// puts a service elsewhere.
fn refused_host(service: Service, e: Error, keystone: &str) -> Error {
    if !e.0.message.contains("not in this adapter's allowed hosts") {
        return e;
    }
    Error::bad_request(format!(
        "{} (the catalog's {} endpoint). The gateway lets this adapter reach only the \
         connection's endpoint ({keystone}, that host and port) and the adapter's declared \
         hosts: serve the OpenStack APIs under the endpoint's host and port (path routing, as \
         devstack does) or use a cloud whose domain the adapter declares",
        e.0.message,
        service.catalog_type()
    ))
    .field("endpoint")
}
