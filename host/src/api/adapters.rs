//! The adapter registry: list, upload (raw component bytes), activate, roll
//! back, remove versions, and per-adapter limits.

use super::envelope::{Reply, Success, ok};
use super::extract::{ApiJson, query_flag};
use crate::adapters::{AdapterSummary, LimitsView};
use crate::error::{Error, Result};
use crate::services::{Gateway, MAX_COMPONENT_BYTES};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::routing::{get, post, put};
use std::collections::HashMap;

pub fn routes() -> Router<Gateway> {
    Router::new()
        .route("/v1/adapters", get(list).post(upload_any))
        .route("/v1/adapters/{name}", get(get_one))
        .route(
            "/v1/adapters/{name}/versions/{version}",
            post(upload).delete(remove),
        )
        .route(
            "/v1/adapters/{name}/versions/{version}/activate",
            post(activate),
        )
        .route("/v1/adapters/{name}/rollback", post(rollback))
        .route(
            "/v1/adapters/{name}/limits",
            put(set_limits).delete(reset_limits),
        )
        .layer(DefaultBodyLimit::max(MAX_COMPONENT_BYTES))
}

fn created(changed: bool, s: AdapterSummary) -> Reply<AdapterSummary> {
    Reply(
        if changed {
            Success::Created
        } else {
            Success::Ok
        },
        s,
    )
}

/// Registered adapters with their metadata, versions and limits.
#[utoipa::path(get, path = "/v1/adapters", tag = "adapters", responses((status = 200, description = "OK", body = [AdapterSummary])))]
pub async fn list(State(gw): State<Gateway>) -> Reply<Vec<AdapterSummary>> {
    ok(gw.registry.list())
}

/// One adapter.
#[utoipa::path(get, path = "/v1/adapters/{name}", tag = "adapters", params(("name" = String, Path)), responses((status = 200, description = "OK", body = AdapterSummary), (status = 404, description = "NotFound")))]
pub async fn get_one(
    State(gw): State<Gateway>,
    Path(name): Path<String>,
) -> Result<Reply<AdapterSummary>> {
    gw.registry
        .get(&name)
        .map(ok)
        .ok_or_else(|| Error::not_found(format!("no adapter named {name}")))
}

/// Upload a component (body: its bytes) under whatever name and version its
/// metadata gives; `?activate=true` makes it active at once.
#[utoipa::path(post, path = "/v1/adapters", tag = "adapters", params(("activate" = Option<bool>, Query)), request_body(content = Vec<u8>, content_type = "application/wasm"), responses((status = 201, description = "Created", body = AdapterSummary), (status = 200, description = "OK: identical version already registered"), (status = 400, description = "BadRequestData: invalid, incompatible or forbidden component"), (status = 409, description = "AlreadyExists: same version, other content")))]
pub async fn upload_any(
    State(gw): State<Gateway>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Reply<AdapterSummary>> {
    let (s, changed) = gw
        .upload_adapter(body.to_vec(), None, query_flag(&q, "activate")?)
        .await?;
    Ok(created(changed, s))
}

/// Upload a component that must describe itself as `name@version`.
#[utoipa::path(post, path = "/v1/adapters/{name}/versions/{version}", tag = "adapters", params(("name" = String, Path), ("version" = String, Path), ("activate" = Option<bool>, Query)), request_body(content = Vec<u8>, content_type = "application/wasm"), responses((status = 201, description = "Created", body = AdapterSummary), (status = 400, description = "BadRequestData"), (status = 409, description = "AlreadyExists")))]
pub async fn upload(
    State(gw): State<Gateway>,
    Path((name, version)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Reply<AdapterSummary>> {
    let (s, changed) = gw
        .upload_adapter(
            body.to_vec(),
            Some((&name, &version)),
            query_flag(&q, "activate")?,
        )
        .await?;
    Ok(created(changed, s))
}

/// Make a version the one new calls use (calls in flight finish on theirs).
#[utoipa::path(post, path = "/v1/adapters/{name}/versions/{version}/activate", tag = "adapters", params(("name" = String, Path), ("version" = String, Path)), responses((status = 200, description = "Changed", body = AdapterSummary), (status = 404, description = "NotFound")))]
pub async fn activate(
    State(gw): State<Gateway>,
    Path((name, version)): Path<(String, String)>,
) -> Result<Reply<AdapterSummary>> {
    Ok(Reply(
        Success::Changed,
        gw.activate_adapter(&name, &version).await?,
    ))
}

/// Return to the previously active version.
#[utoipa::path(post, path = "/v1/adapters/{name}/rollback", tag = "adapters", params(("name" = String, Path)), responses((status = 200, description = "Changed", body = AdapterSummary), (status = 400, description = "InvalidRequest: nothing to roll back to")))]
pub async fn rollback(
    State(gw): State<Gateway>,
    Path(name): Path<String>,
) -> Result<Reply<AdapterSummary>> {
    Ok(Reply(Success::Changed, gw.rollback_adapter(&name).await?))
}

/// Remove a version that is not active, not built in, and pinned by no connection.
#[utoipa::path(delete, path = "/v1/adapters/{name}/versions/{version}", tag = "adapters", params(("name" = String, Path), ("version" = String, Path)), responses((status = 200, description = "Deleted", body = AdapterSummary), (status = 400, description = "InvalidRequest")))]
pub async fn remove(
    State(gw): State<Gateway>,
    Path((name, version)): Path<(String, String)>,
) -> Result<Reply<AdapterSummary>> {
    Ok(Reply(
        Success::Deleted,
        gw.remove_adapter_version(&name, &version).await?,
    ))
}

/// Set an adapter's limits (memory, CPU, deadlines).
#[utoipa::path(put, path = "/v1/adapters/{name}/limits", tag = "adapters", params(("name" = String, Path)), request_body = LimitsView, responses((status = 200, description = "Changed", body = AdapterSummary)))]
pub async fn set_limits(
    State(gw): State<Gateway>,
    Path(name): Path<String>,
    ApiJson(limits): ApiJson<LimitsView>,
) -> Result<Reply<AdapterSummary>> {
    Ok(Reply(
        Success::Changed,
        gw.set_adapter_limits(&name, Some(limits)).await?,
    ))
}

/// Return an adapter to the gateway's default limits.
#[utoipa::path(delete, path = "/v1/adapters/{name}/limits", tag = "adapters", params(("name" = String, Path)), responses((status = 200, description = "Changed", body = AdapterSummary)))]
pub async fn reset_limits(
    State(gw): State<Gateway>,
    Path(name): Path<String>,
) -> Result<Reply<AdapterSummary>> {
    Ok(Reply(
        Success::Changed,
        gw.set_adapter_limits(&name, None).await?,
    ))
}
