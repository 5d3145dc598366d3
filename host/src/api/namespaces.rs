//! Namespaces.

use super::dto::NamespaceReq;
use super::envelope::{Reply, Success, ok};
use super::extract::ApiJson;
use crate::error::Result;
use crate::model::Namespace;
use crate::services::Gateway;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use serde_json::{Value, json};

pub fn routes() -> Router<Gateway> {
    Router::new()
        .route("/v1/ns", get(list).post(create))
        .route("/v1/ns/{ns}", get(get_one).delete(delete))
}

/// Create a namespace.
#[utoipa::path(post, path = "/v1/ns", tag = "namespaces", request_body = NamespaceReq, responses((status = 201, description = "Created", body = Namespace), (status = 409, description = "AlreadyExists")))]
pub async fn create(
    State(gw): State<Gateway>,
    ApiJson(req): ApiJson<NamespaceReq>,
) -> Result<Reply<Namespace>> {
    Ok(Reply(Success::Created, gw.create_namespace(req).await?))
}

/// All namespaces.
#[utoipa::path(get, path = "/v1/ns", tag = "namespaces", responses((status = 200, description = "OK", body = [Namespace])))]
pub async fn list(State(gw): State<Gateway>) -> Result<Reply<Vec<Namespace>>> {
    Ok(ok(gw.store.namespaces().await?))
}

/// One namespace.
#[utoipa::path(get, path = "/v1/ns/{ns}", tag = "namespaces", params(("ns" = String, Path)), responses((status = 200, description = "OK", body = Namespace), (status = 404, description = "NotFound")))]
pub async fn get_one(
    State(gw): State<Gateway>,
    Path(ns): Path<String>,
) -> Result<Reply<Namespace>> {
    Ok(ok(gw.namespace(&ns).await?))
}

/// Delete an empty namespace.
#[utoipa::path(delete, path = "/v1/ns/{ns}", tag = "namespaces", params(("ns" = String, Path)), responses((status = 200, description = "Deleted"), (status = 404, description = "NotFound")))]
pub async fn delete(State(gw): State<Gateway>, Path(ns): Path<String>) -> Result<Reply<Value>> {
    gw.delete_namespace(&ns).await?;
    Ok(Reply(Success::Deleted, json!({"name": ns})))
}
