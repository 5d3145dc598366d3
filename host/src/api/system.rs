//! Health and the OpenAPI document.

use super::envelope::{Reply, ok};
use crate::services::Gateway;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

pub fn routes() -> Router<Gateway> {
    Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi))
}

/// Liveness and version.
#[utoipa::path(get, path = "/health", tag = "system", responses((status = 200, description = "OK")))]
pub async fn health() -> Reply<Value> {
    ok(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(super::openapi::document())
}
