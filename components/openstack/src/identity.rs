//! Keystone v3: who the credential is (user + password + project, or an
//! application credential), the token it gets, and where the services are.
//!
//! A token costs a Keystone round trip (and a password hash on Keystone's
//! side), so it is kept in the host's cache, private to this adapter and
//! credential, until shortly before its `expires_at`. Together with the token
//! we keep the slice of its service catalog we use (compute, network, image)
//! so a cached call needs no Keystone request at all.

use crate::map::{self, Api};
use mcgw_sdk::http::Request;
use mcgw_sdk::sign::{now_utc, sha256_hex};
use mcgw_sdk::{CallContext, ContextExt, Error, Result, cache};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The catalog service types this adapter calls.
const SERVICE_TYPES: [&str; 3] = ["compute", "network", "image"];

/// A token and what came with it.
#[derive(Clone, Serialize, Deserialize)]
pub struct Token {
    /// The `X-Subject-Token` value.
    pub value: String,
    /// The project it is scoped to.
    pub project_id: String,
    /// compute/network/image endpoints of every region and interface.
    pub endpoints: Vec<Endpoint>,
}

/// One catalog entry.
#[derive(Clone, Serialize, Deserialize)]
pub struct Endpoint {
    /// Service type, e.g. `compute`.
    pub service: String,
    /// `public`, `internal` or `admin`.
    pub interface: String,
    /// Region id.
    pub region: String,
    /// Base URL.
    pub url: String,
}

/// The Keystone a connection talks to and the credential's login.
pub struct Identity {
    /// Keystone's base URL without `/v3`, e.g. `https://cloud.example/identity`.
    pub keystone: String,
    auth: Value,
    cache_key: String,
}

impl Identity {
    /// Read the Keystone URL and the login from the call context.
    pub fn new(ctx: &CallContext) -> Result<Identity> {
        let url = ctx
            .endpoint
            .as_deref()
            .or_else(|| ctx.credential_opt("auth_url"))
            .ok_or_else(|| {
                Error::bad_request(
                    "set the connection's endpoint to the Keystone URL, e.g. \
                     https://cloud.example.com:5000/v3",
                )
                .field("endpoint")
            })?;
        let keystone = url
            .trim_end_matches('/')
            .trim_end_matches("/v3")
            .to_string();
        let auth = auth_body(ctx)?;
        let cache_key = format!("keystone-token:{}", sha256_hex(keystone.as_bytes()));
        Ok(Identity {
            keystone,
            auth,
            cache_key,
        })
    }

    /// The cached token, if any (second value: it came from the cache).
    pub fn token(&self) -> Result<(Token, bool)> {
        if let Some(t) = cache::get(&self.cache_key)
            .and_then(|bytes| serde_json::from_slice::<Token>(&bytes).ok())
        {
            return Ok((t, true));
        }
        Ok((self.login()?, false))
    }

    /// Drop the cached token (after a service refused it).
    pub fn forget(&self) {
        cache::remove(&self.cache_key);
    }

    /// POST /v3/auth/tokens, then cache the token until shortly before it expires.
    pub fn login(&self) -> Result<Token> {
        let url = format!("{}/v3/auth/tokens", self.keystone);
        let resp = Request::post(&url)
            .header("accept", "application/json")
            .json(&self.auth)
            .send()?;
        if resp.status == 401 {
            let e = map::error(Api::Keystone, &resp);
            let detail = e.0.csp_message.clone().unwrap_or_default();
            return Err(Error::unauthorized(format!(
                "Keystone refused the credential (user, password, project or application \
                 credential): {detail}"
            ))
            .csp(e.0.csp_code.unwrap_or_default(), detail)
            .http_status(401)
            .field("credential"));
        }
        if resp.status == 404 {
            return Err(Error::bad_request(format!(
                "no Keystone v3 API at {url} (HTTP 404): the connection's endpoint must be \
                 the Keystone URL"
            ))
            .field("endpoint")
            .http_status(404));
        }
        if !resp.is_success() {
            return Err(map::error(Api::Keystone, &resp));
        }
        let value = resp
            .header("x-subject-token")
            .ok_or_else(|| Error::csp_failure("Keystone issued a token without X-Subject-Token"))?
            .to_string();
        let body: TokenBody = resp.json()?;
        let project_id = body.token.project.map(|p| p.id).ok_or_else(|| {
            Error::unauthorized(
                "Keystone issued an unscoped token: name a project in the credential \
                     (project_name or project_id)",
            )
            .field("credential.project_name")
        })?;
        let endpoints = body
            .token
            .catalog
            .into_iter()
            .filter(|s| SERVICE_TYPES.contains(&s.kind.as_str()))
            .flat_map(|s| {
                let service = s.kind;
                s.endpoints.into_iter().map(move |e| Endpoint {
                    service: service.clone(),
                    interface: e.interface,
                    region: e.region_id.or(e.region).unwrap_or_default(),
                    url: e.url.trim_end_matches('/').to_string(),
                })
            })
            .collect();
        let token = Token {
            value,
            project_id,
            endpoints,
        };
        if let Some(ttl) = cache_ttl(&body.token.expires_at) {
            let bytes = serde_json::to_vec(&token).expect("a token serialises");
            cache::set(&self.cache_key, &bytes, ttl);
        }
        Ok(token)
    }
}

/// How long to cache a token: until shortly before it expires (a tenth of its
/// remaining life, between 10 s and 5 min early); not at all if that is past.
fn cache_ttl(expires_at: &str) -> Option<Duration> {
    let expires = OffsetDateTime::parse(expires_at, &Rfc3339).ok()?;
    let left = (expires - now_utc()).whole_seconds();
    let margin = (left / 10).clamp(10, 300);
    (left > margin).then(|| Duration::from_secs((left - margin) as u64))
}

/// The body of POST /v3/auth/tokens for this credential.
fn auth_body(ctx: &CallContext) -> Result<Value> {
    if let Some(id) = ctx.credential_opt("application_credential_id") {
        let secret = ctx.credential("application_credential_secret")?;
        // An application credential is scoped to its project already.
        return Ok(json!({"auth": {"identity": {
            "methods": ["application_credential"],
            "application_credential": {"id": id, "secret": secret}}}}));
    }
    let domain = |prefix: &str| match (
        ctx.credential_opt(&format!("{prefix}_domain_id")),
        ctx.credential_opt(&format!("{prefix}_domain_name")),
    ) {
        (Some(id), _) => json!({"id": id}),
        (None, Some(name)) => json!({"name": name}),
        (None, None) => json!({"name": "Default"}),
    };
    let user = match ctx.credential_opt("user_id") {
        Some(id) => json!({"id": id, "password": ctx.credential("password")?}),
        None => json!({"name": ctx.credential("username")?, "domain": domain("user"),
            "password": ctx.credential("password")?}),
    };
    let project = match (
        ctx.credential_opt("project_id"),
        ctx.credential_opt("project_name"),
    ) {
        (Some(id), _) => json!({"id": id}),
        (None, Some(name)) => json!({"name": name, "domain": domain("project")}),
        (None, None) => {
            return Err(Error::unauthorized(
                "the credential names no project: set project_name (or project_id)",
            )
            .field("credential.project_name"));
        }
    };
    Ok(json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": user}},
        "scope": {"project": project}}}))
}

/// The endpoint of `service` for the connection's region and interface.
pub fn endpoint(token: &Token, service: &str, region: &str, interface: &str) -> Result<String> {
    let of_service: Vec<&Endpoint> = token
        .endpoints
        .iter()
        .filter(|e| e.service == service)
        .collect();
    if let Some(e) = of_service
        .iter()
        .find(|e| e.region == region && e.interface == interface)
    {
        return Ok(e.url.clone());
    }
    if of_service.is_empty() {
        return Err(Error::invalid_request(format!(
            "the service catalog has no `{service}` service for this project"
        )));
    }
    let have: Vec<String> = of_service
        .iter()
        .map(|e| format!("{}/{}", e.region, e.interface))
        .collect();
    Err(Error::bad_request(format!(
        "the service catalog has no {interface} `{service}` endpoint in region {region} \
         (it has: {})",
        have.join(", ")
    ))
    .field("region"))
}

#[derive(Deserialize)]
struct TokenBody {
    token: TokenInfo,
}

#[derive(Deserialize)]
struct TokenInfo {
    expires_at: String,
    project: Option<Project>,
    #[serde(default)]
    catalog: Vec<CatalogService>,
}

#[derive(Deserialize)]
struct Project {
    id: String,
}

#[derive(Deserialize)]
struct CatalogService {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    endpoints: Vec<CatalogEndpoint>,
}

#[derive(Deserialize)]
struct CatalogEndpoint {
    interface: String,
    region_id: Option<String>,
    region: Option<String>,
    url: String,
}
