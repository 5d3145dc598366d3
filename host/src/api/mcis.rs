//! MCIS: create (static or dynamic), review, observe, control, scale, adopt,
//! delete; and the operations that do the work.

use super::envelope::{Reply, Success, ok};
use super::extract::{ApiJson, query_flag};
use crate::error::{Error, Result};
use crate::mcis::create::Accepted;
use crate::mcis::plan::Review;
use crate::mcis::status::{Aggregate, aggregate};
use crate::mcis::{DynamicMcisReq, McisReq, RegisterReq, ScaleReq};
use crate::model::{Operation, Vm, VmAction};
use crate::services::Gateway;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

pub fn routes() -> Router<Gateway> {
    Router::new()
        .route("/v1/ns/{ns}/mcis", get(list).post(create))
        .route("/v1/ns/{ns}/mcis/review", post(review))
        .route("/v1/ns/{ns}/mcis/dynamic", post(create_dynamic))
        .route("/v1/ns/{ns}/mcis/dynamic/review", post(review_dynamic))
        .route("/v1/ns/{ns}/mcis/{name}", get(get_one).delete(delete))
        .route("/v1/ns/{ns}/mcis/{name}/status", get(status))
        .route("/v1/ns/{ns}/mcis/{name}/vms", post(register))
        .route(
            "/v1/ns/{ns}/mcis/{name}/subgroups/{subgroup}/scale",
            post(scale),
        )
        .route("/v1/ns/{ns}/mcis/{name}/{action}", post(control))
        .route("/v1/ns/{ns}/operations", get(operations))
        .route("/v1/ns/{ns}/operations/{id}", get(operation))
}

type Q = Query<HashMap<String, String>>;

/// One line per MCIS in a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct McisLine {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Aggregated status string.
    pub status: String,
    /// VMs.
    pub total: usize,
    /// VMs per status.
    pub counts: BTreeMap<String, usize>,
}

/// Create an MCIS (static request); answers at once with the operation.
#[utoipa::path(post, path = "/v1/ns/{ns}/mcis", tag = "mcis", params(("ns" = String, Path)), request_body = McisReq, responses((status = 201, description = "Created", body = Accepted), (status = 400, description = "InvalidRequest / BadRequestData"), (status = 409, description = "AlreadyExists")))]
pub async fn create(
    State(gw): State<Gateway>,
    Path(ns): Path<String>,
    ApiJson(req): ApiJson<McisReq>,
) -> Result<Reply<Accepted>> {
    Ok(Reply(Success::Created, gw.create_mcis(&ns, req).await?))
}

/// Create an MCIS from `csp+region+spec` subgroups; default network objects are
/// found or created per connection (new private keys are in this answer only).
#[utoipa::path(post, path = "/v1/ns/{ns}/mcis/dynamic", tag = "mcis", params(("ns" = String, Path)), request_body = DynamicMcisReq, responses((status = 201, description = "Created")))]
pub async fn create_dynamic(
    State(gw): State<Gateway>,
    Path(ns): Path<String>,
    ApiJson(req): ApiJson<DynamicMcisReq>,
) -> Result<Reply<Value>> {
    let (accepted, keys, placed) = gw.create_dynamic_mcis(&ns, req).await?;
    let mut v = serde_json::to_value(accepted).map_err(|e| Error::internal(e.to_string()))?;
    v["private_keys"] = json!(keys);
    if let Some(p) = placed {
        v["placement"] = serde_json::to_value(p).map_err(|e| Error::internal(e.to_string()))?;
    }
    Ok(Reply(Success::Created, v))
}

/// Dry-run a static request: what would be created and its hourly cost.
#[utoipa::path(post, path = "/v1/ns/{ns}/mcis/review", tag = "mcis", params(("ns" = String, Path)), request_body = McisReq, responses((status = 200, description = "OK", body = Review)))]
pub async fn review(
    State(gw): State<Gateway>,
    Path(ns): Path<String>,
    ApiJson(req): ApiJson<McisReq>,
) -> Result<Reply<Review>> {
    Ok(ok(gw.review_mcis(&ns, &req, &[]).await?))
}

/// Dry-run a dynamic request.
#[utoipa::path(post, path = "/v1/ns/{ns}/mcis/dynamic/review", tag = "mcis", params(("ns" = String, Path)), request_body = DynamicMcisReq, responses((status = 200, description = "OK", body = Review)))]
pub async fn review_dynamic(
    State(gw): State<Gateway>,
    Path(ns): Path<String>,
    ApiJson(req): ApiJson<DynamicMcisReq>,
) -> Result<Reply<Review>> {
    Ok(ok(gw.review_dynamic_mcis(&ns, req).await?))
}

/// The MCIS of a namespace with their aggregated status.
#[utoipa::path(get, path = "/v1/ns/{ns}/mcis", tag = "mcis", params(("ns" = String, Path)), responses((status = 200, description = "OK", body = [McisLine])))]
pub async fn list(
    State(gw): State<Gateway>,
    Path(ns): Path<String>,
) -> Result<Reply<Vec<McisLine>>> {
    gw.require_ns(&ns).await?;
    let mut out = Vec::new();
    for m in gw.store.all_mcis(&ns).await? {
        let a = aggregate(&gw.store.mcis_vms(&ns, &m.name).await?);
        out.push(McisLine {
            name: m.name,
            description: m.description,
            labels: m.labels,
            status: a.status,
            total: a.total,
            counts: a.counts,
        });
    }
    Ok(ok(out))
}

/// One MCIS with its subgroups, aggregated status and VMs (from the database).
#[utoipa::path(get, path = "/v1/ns/{ns}/mcis/{name}", tag = "mcis", params(("ns" = String, Path), ("name" = String, Path)), responses((status = 200, description = "OK"), (status = 404, description = "NotFound")))]
pub async fn get_one(
    State(gw): State<Gateway>,
    Path((ns, name)): Path<(String, String)>,
) -> Result<Reply<crate::mcis::control::McisView>> {
    Ok(ok(gw.mcis_view(&ns, &name).await?))
}

/// The aggregated status, e.g. `Running:3 (R:3/3)`, with counts and per-VM detail.
#[utoipa::path(get, path = "/v1/ns/{ns}/mcis/{name}/status", tag = "mcis", params(("ns" = String, Path), ("name" = String, Path)), responses((status = 200, description = "OK", body = Aggregate)))]
pub async fn status(
    State(gw): State<Gateway>,
    Path((ns, name)): Path<(String, String)>,
) -> Result<Reply<Aggregate>> {
    Ok(ok(gw.mcis_view(&ns, &name).await?.status))
}

/// `suspend`, `resume`, `reboot` or `terminate` the MCIS (`?subgroup=` for one
/// subgroup; `?wait=true` to answer once every CSP has answered).
#[utoipa::path(post, path = "/v1/ns/{ns}/mcis/{name}/{action}", tag = "mcis", params(("ns" = String, Path), ("name" = String, Path), ("action" = String, Path), ("subgroup" = Option<String>, Query), ("wait" = Option<bool>, Query)), responses((status = 200, description = "Changed", body = Operation)))]
pub async fn control(
    State(gw): State<Gateway>,
    Path((ns, name, action)): Path<(String, String, String)>,
    Query(q): Q,
) -> Result<Reply<Operation>> {
    let action = VmAction::parse(&action).ok_or_else(|| {
        Error::client(
            crate::error::Code::NotFound,
            format!("no action {action:?}: use suspend, resume, reboot or terminate"),
        )
    })?;
    let op = gw
        .control_mcis(
            &ns,
            &name,
            action,
            q.get("subgroup").map(String::as_str),
            query_flag(&q, "wait")?,
        )
        .await?;
    Ok(Reply(Success::Changed, op))
}

/// Scale a subgroup out (`add`) or in (`remove`).
#[utoipa::path(post, path = "/v1/ns/{ns}/mcis/{name}/subgroups/{subgroup}/scale", tag = "mcis", params(("ns" = String, Path), ("name" = String, Path), ("subgroup" = String, Path), ("wait" = Option<bool>, Query)), request_body = ScaleReq, responses((status = 200, description = "Changed", body = Operation)))]
pub async fn scale(
    State(gw): State<Gateway>,
    Path((ns, name, sg)): Path<(String, String, String)>,
    Query(q): Q,
    ApiJson(req): ApiJson<ScaleReq>,
) -> Result<Reply<Operation>> {
    Ok(Reply(
        Success::Changed,
        gw.scale_mcis(&ns, &name, &sg, req, query_flag(&q, "wait")?)
            .await?,
    ))
}

/// Adopt a VM that exists at a CSP into the MCIS.
#[utoipa::path(post, path = "/v1/ns/{ns}/mcis/{name}/vms", tag = "mcis", params(("ns" = String, Path), ("name" = String, Path)), request_body = RegisterReq, responses((status = 201, description = "Created", body = Vm)))]
pub async fn register(
    State(gw): State<Gateway>,
    Path((ns, name)): Path<(String, String)>,
    ApiJson(req): ApiJson<RegisterReq>,
) -> Result<Reply<Vm>> {
    Ok(Reply(
        Success::Created,
        gw.register_vm(&ns, &name, req).await?,
    ))
}

/// Delete an MCIS: refused while VMs live, unless `?terminate=true`.
#[utoipa::path(delete, path = "/v1/ns/{ns}/mcis/{name}", tag = "mcis", params(("ns" = String, Path), ("name" = String, Path), ("terminate" = Option<bool>, Query), ("wait" = Option<bool>, Query)), responses((status = 200, description = "Deleted"), (status = 400, description = "InvalidRequest")))]
pub async fn delete(
    State(gw): State<Gateway>,
    Path((ns, name)): Path<(String, String)>,
    Query(q): Q,
) -> Result<Reply<Value>> {
    let op = gw
        .delete_mcis(
            &ns,
            &name,
            query_flag(&q, "terminate")?,
            query_flag(&q, "wait")?,
        )
        .await?;
    Ok(Reply(
        Success::Deleted,
        json!({"name": name, "operation": op}),
    ))
}

/// Operations of a namespace (`?mcis=` for one MCIS), newest first.
#[utoipa::path(get, path = "/v1/ns/{ns}/operations", tag = "mcis", params(("ns" = String, Path), ("mcis" = Option<String>, Query)), responses((status = 200, description = "OK", body = [Operation])))]
pub async fn operations(
    State(gw): State<Gateway>,
    Path(ns): Path<String>,
    Query(q): Q,
) -> Result<Reply<Vec<Operation>>> {
    gw.require_ns(&ns).await?;
    Ok(ok(gw
        .store
        .operations(&ns, q.get("mcis").map(String::as_str))
        .await?))
}

/// One operation, with per-batch progress.
#[utoipa::path(get, path = "/v1/ns/{ns}/operations/{id}", tag = "mcis", params(("ns" = String, Path), ("id" = String, Path)), responses((status = 200, description = "OK", body = Operation), (status = 404, description = "NotFound")))]
pub async fn operation(
    State(gw): State<Gateway>,
    Path((ns, id)): Path<(String, String)>,
) -> Result<Reply<Operation>> {
    let op = gw.operation(&id).await?;
    if op.ns != ns {
        return Err(Error::not_found(format!(
            "no operation {id} in namespace {ns}"
        )));
    }
    Ok(ok(op))
}
