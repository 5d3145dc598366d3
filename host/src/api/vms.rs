//! VMs of a namespace.

use super::dto::VmReq;
use super::envelope::{Reply, Success, ok};
use super::extract::{ApiJson, query_flag};
use crate::error::{Error, Result};
use crate::model::{Vm, VmAction};
use crate::services::Gateway;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn routes() -> Router<Gateway> {
    Router::new()
        .route("/v1/ns/{ns}/vms", get(list).post(create))
        .route("/v1/ns/{ns}/vms/{name}", get(get_one).delete(delete))
        .route("/v1/ns/{ns}/vms/{name}/{action}", post(action))
}

/// Create a VM: answers at once with status Creating.
#[utoipa::path(post, path = "/v1/ns/{ns}/vms", tag = "vms", params(("ns" = String, Path)), request_body = VmReq, responses((status = 201, description = "Created", body = Vm), (status = 400, description = "InvalidRequest / BadRequestData"), (status = 401, description = "Unauthorized"), (status = 409, description = "AlreadyExists"), (status = 500, description = "InternalError")))]
pub async fn create(
    State(gw): State<Gateway>,
    Path(ns): Path<String>,
    ApiJson(req): ApiJson<VmReq>,
) -> Result<Reply<Vm>> {
    Ok(Reply(Success::Created, gw.create_vm(&ns, req).await?))
}

/// VMs of a namespace, from the database (`?refresh=true` asks the CSPs first).
#[utoipa::path(get, path = "/v1/ns/{ns}/vms", tag = "vms", params(("ns" = String, Path), ("refresh" = Option<bool>, Query)), responses((status = 200, description = "OK", body = [Vm])))]
pub async fn list(
    State(gw): State<Gateway>,
    Path(ns): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Reply<Vec<Vm>>> {
    let refresh = query_flag(&q, "refresh")?;
    Ok(ok(gw.vms(&ns, refresh).await?))
}

/// One VM, refreshed from its CSP.
#[utoipa::path(get, path = "/v1/ns/{ns}/vms/{name}", tag = "vms", params(("ns" = String, Path), ("name" = String, Path)), responses((status = 200, description = "OK", body = Vm), (status = 404, description = "NotFound")))]
pub async fn get_one(
    State(gw): State<Gateway>,
    Path((ns, name)): Path<(String, String)>,
) -> Result<Reply<Vm>> {
    Ok(ok(gw.vm(&ns, &name).await?))
}

/// Terminate the VM at its CSP (if still there) and forget it.
#[utoipa::path(delete, path = "/v1/ns/{ns}/vms/{name}", tag = "vms", params(("ns" = String, Path), ("name" = String, Path)), responses((status = 200, description = "Deleted"), (status = 404, description = "NotFound")))]
pub async fn delete(
    State(gw): State<Gateway>,
    Path((ns, name)): Path<(String, String)>,
) -> Result<Reply<Value>> {
    gw.delete_vm(&ns, &name).await?;
    Ok(Reply(Success::Deleted, json!({"name": name})))
}

/// `suspend`, `resume`, `reboot` or `terminate` a VM.
#[utoipa::path(post, path = "/v1/ns/{ns}/vms/{name}/{action}", tag = "vms", params(("ns" = String, Path), ("name" = String, Path), ("action" = String, Path, description = "suspend | resume | reboot | terminate")), responses((status = 200, description = "Changed", body = Vm), (status = 400, description = "InvalidRequest")))]
pub async fn action(
    State(gw): State<Gateway>,
    Path((ns, name, action)): Path<(String, String, String)>,
) -> Result<Reply<Vm>> {
    let action = VmAction::parse(&action).ok_or_else(|| {
        Error::client(
            crate::error::Code::NotFound,
            format!("no action {action:?}: use suspend, resume, reboot or terminate"),
        )
    })?;
    Ok(Reply(
        Success::Changed,
        gw.vm_action(&ns, &name, action).await?,
    ))
}
