//! The `/v1` API: routes, and the layer every request passes first
//! (counting, body buffering, signature check, fault injection).
//!
//! Handlers live in one module per resource; they see only authenticated,
//! fault-free requests with the body already buffered.

pub mod catalog;
pub mod extract;
pub mod instance_create;
pub mod instances;
pub mod keypairs;
pub mod security_groups;
pub mod validate;
pub mod vpcs;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::app::App;
use crate::auth::{self, SignedRequest};
use crate::catalog::SimRegion;
use crate::clock::now_ms;
use crate::errors::{ApiError, ApiResult};
use crate::faults::{self, OpKind};
use extract::{BODY_LIMIT, Caller};

const REGIONS: &str = "/v1/regions";
const IMAGES: &str = "/v1/regions/{region}/images";
const IMAGE: &str = "/v1/regions/{region}/images/{id}";
const SPECS: &str = "/v1/regions/{region}/specs";
const SPEC: &str = "/v1/regions/{region}/specs/{name}";
const LATENCY: &str = "/v1/regions/{region}/latency";
const VPCS: &str = "/v1/regions/{region}/vpcs";
const VPC: &str = "/v1/regions/{region}/vpcs/{id}";
const SUBNETS: &str = "/v1/regions/{region}/vpcs/{id}/subnets";
const SUBNET: &str = "/v1/regions/{region}/vpcs/{id}/subnets/{subnet_id}";
const GROUPS: &str = "/v1/regions/{region}/security-groups";
const GROUP: &str = "/v1/regions/{region}/security-groups/{id}";
const KEYPAIRS: &str = "/v1/regions/{region}/keypairs";
const KEYPAIR: &str = "/v1/regions/{region}/keypairs/{id}";
const INSTANCES: &str = "/v1/regions/{region}/instances";
const INSTANCE: &str = "/v1/regions/{region}/instances/{id}";
const INSTANCE_STATE: &str = "/v1/regions/{region}/instances/{id}/state";
const INSTANCE_ACTIONS: &str = "/v1/regions/{region}/instances/{id}/actions";

/// Operation names (for stats) and kinds (for fault targeting) of each route.
const OPERATIONS: &[(&str, &str, &str, OpKind)] = &[
    ("GET", REGIONS, "regions.list", OpKind::List),
    ("GET", IMAGES, "images.list", OpKind::List),
    ("GET", IMAGE, "images.get", OpKind::Get),
    ("GET", SPECS, "specs.list", OpKind::List),
    ("GET", SPEC, "specs.get", OpKind::Get),
    ("GET", LATENCY, "latency.get", OpKind::Get),
    ("GET", VPCS, "vpcs.list", OpKind::List),
    ("POST", VPCS, "vpcs.create", OpKind::Create),
    ("GET", VPC, "vpcs.get", OpKind::Get),
    ("DELETE", VPC, "vpcs.delete", OpKind::Delete),
    ("GET", SUBNETS, "subnets.list", OpKind::List),
    ("POST", SUBNETS, "subnets.create", OpKind::Create),
    ("GET", SUBNET, "subnets.get", OpKind::Get),
    ("DELETE", SUBNET, "subnets.delete", OpKind::Delete),
    ("GET", GROUPS, "security_groups.list", OpKind::List),
    ("POST", GROUPS, "security_groups.create", OpKind::Create),
    ("GET", GROUP, "security_groups.get", OpKind::Get),
    ("DELETE", GROUP, "security_groups.delete", OpKind::Delete),
    ("GET", KEYPAIRS, "keypairs.list", OpKind::List),
    ("POST", KEYPAIRS, "keypairs.create", OpKind::Create),
    ("GET", KEYPAIR, "keypairs.get", OpKind::Get),
    ("DELETE", KEYPAIR, "keypairs.delete", OpKind::Delete),
    ("GET", INSTANCES, "instances.list", OpKind::List),
    ("POST", INSTANCES, "instances.create", OpKind::Create),
    ("GET", INSTANCE, "instances.get", OpKind::Get),
    ("DELETE", INSTANCE, "instances.delete", OpKind::Delete),
    ("GET", INSTANCE_STATE, "instances.state", OpKind::Get),
    ("POST", INSTANCE_ACTIONS, "instances.action", OpKind::Action),
];

/// The operation a matched route and method perform (HEAD counts as GET).
fn classify(method: &Method, path: &str) -> Option<(&'static str, OpKind)> {
    let method = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    OPERATIONS
        .iter()
        .find(|(m, p, _, _)| *m == method && *p == path)
        .map(|(_, _, name, kind)| (*name, *kind))
}

/// The region segment of a `/v1/regions/{region}/...` path.
fn region_of(path: &str) -> Option<&str> {
    path.strip_prefix("/v1/regions/")?
        .split('/')
        .next()
        .filter(|r| !r.is_empty())
}

/// Resolve a region name, or 400 `InvalidRegion`.
pub fn region<'a>(app: &'a App, name: &str) -> ApiResult<&'a SimRegion> {
    app.catalog
        .region(name)
        .ok_or_else(|| ApiError::invalid_region(name))
}

/// The `/v1` routes, behind [`guard`].
pub fn router(app: Arc<App>) -> Router<Arc<App>> {
    Router::new()
        .route(REGIONS, get(catalog::list_regions))
        .route(IMAGES, get(catalog::list_images))
        .route(IMAGE, get(catalog::get_image))
        .route(SPECS, get(catalog::list_specs))
        .route(SPEC, get(catalog::get_spec))
        .route(LATENCY, get(catalog::latency))
        .route(VPCS, get(vpcs::list).post(vpcs::create))
        .route(VPC, get(vpcs::get).delete(vpcs::delete))
        .route(SUBNETS, get(vpcs::list_subnets).post(vpcs::create_subnet))
        .route(SUBNET, get(vpcs::get_subnet).delete(vpcs::delete_subnet))
        .route(
            GROUPS,
            get(security_groups::list).post(security_groups::create),
        )
        .route(
            GROUP,
            get(security_groups::get).delete(security_groups::delete),
        )
        .route(KEYPAIRS, get(keypairs::list).post(keypairs::create))
        .route(KEYPAIR, get(keypairs::get).delete(keypairs::delete))
        .route(
            INSTANCES,
            get(instances::list).post(instance_create::create),
        )
        .route(INSTANCE, get(instances::get).delete(instances::delete))
        .route(INSTANCE_STATE, get(instances::state))
        .route(INSTANCE_ACTIONS, post(instances::action))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(app, guard))
}

/// 405 in the envelope.
pub async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::method_not_allowed(method.as_str(), uri.path())
}

/// Count, buffer the body, check the signature, inject faults; then hand the
/// request on with the caller's access key attached.
async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let op = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|m| classify(req.method(), m.as_str()));
    app.stats.request(op.map(|(name, _)| name));
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT) {
        return ApiError::too_large(BODY_LIMIT).into_response();
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return ApiError::too_large(BODY_LIMIT).into_response();
    };
    let signed = SignedRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &parts.headers,
        body: &bytes,
    };
    let caller = match app.read(|s| auth::verify(&signed, |k| s.secret_of(k), now_ms())) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    if let Some((_, kind)) = op {
        let region = region_of(parts.uri.path());
        let injection = app.read(|s| faults::draw(&s.behaviour.faults, region, kind));
        if injection.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(injection.latency_ms)).await;
        }
        if let Some(e) = injection.error {
            if e.code == "Throttling" {
                app.stats.throttled();
            } else {
                app.stats.injected_error();
            }
            return e.into_response();
        }
    }
    let mut req = Request::from_parts(parts, Body::from(bytes));
    req.extensions_mut().insert(Caller(caller));
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(
            classify(&Method::POST, INSTANCES),
            Some(("instances.create", OpKind::Create))
        );
        assert_eq!(
            classify(&Method::HEAD, REGIONS),
            Some(("regions.list", OpKind::List))
        );
        assert_eq!(classify(&Method::PUT, INSTANCES), None);
        assert_eq!(region_of("/v1/regions/ap-seoul/vpcs"), Some("ap-seoul"));
        assert_eq!(region_of("/v1/regions"), None);
    }
}
