//! Credentials, connection configs and catalog reads through a connection.

use super::dto::{ConnectionReq, CredentialReq};
use super::envelope::{Reply, Success, ok};
use super::extract::ApiJson;
use crate::error::Result;
use crate::model::{Connection, Credential};
use crate::services::Gateway;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use serde_json::Value;

pub fn routes() -> Router<Gateway> {
    Router::new()
        .route(
            "/v1/credentials",
            get(list_credentials).post(create_credential),
        )
        .route(
            "/v1/credentials/{name}",
            get(get_credential).delete(delete_credential),
        )
        .route(
            "/v1/connections",
            get(list_connections).post(create_connection),
        )
        .route(
            "/v1/connections/{name}",
            get(get_connection).delete(delete_connection),
        )
        .route("/v1/connections/{name}/regions", get(regions))
        .route("/v1/connections/{name}/images", get(images))
        .route("/v1/connections/{name}/images/{id}", get(image))
        .route("/v1/connections/{name}/specs", get(specs))
        .route("/v1/connections/{name}/specs/{spec}", get(spec))
}

fn json<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Store a credential (values are sealed and never returned).
#[utoipa::path(post, path = "/v1/credentials", tag = "connections", request_body = CredentialReq, responses((status = 201, description = "Created", body = Credential), (status = 400, description = "BadRequestData"), (status = 409, description = "AlreadyExists")))]
pub async fn create_credential(
    State(gw): State<Gateway>,
    ApiJson(req): ApiJson<CredentialReq>,
) -> Result<Reply<Credential>> {
    Ok(Reply(Success::Created, gw.create_credential(req).await?))
}

/// All credentials (field names only).
#[utoipa::path(get, path = "/v1/credentials", tag = "connections", responses((status = 200, description = "OK", body = [Credential])))]
pub async fn list_credentials(State(gw): State<Gateway>) -> Result<Reply<Vec<Credential>>> {
    Ok(ok(gw.store.credentials().await?))
}

/// One credential (field names only).
#[utoipa::path(get, path = "/v1/credentials/{name}", tag = "connections", params(("name" = String, Path)), responses((status = 200, description = "OK", body = Credential), (status = 404, description = "NotFound")))]
pub async fn get_credential(
    State(gw): State<Gateway>,
    Path(name): Path<String>,
) -> Result<Reply<Credential>> {
    Ok(ok(gw.credential(&name).await?))
}

/// Delete a credential no connection uses.
#[utoipa::path(delete, path = "/v1/credentials/{name}", tag = "connections", params(("name" = String, Path)), responses((status = 200, description = "Deleted"), (status = 404, description = "NotFound")))]
pub async fn delete_credential(
    State(gw): State<Gateway>,
    Path(name): Path<String>,
) -> Result<Reply<Value>> {
    gw.delete_credential(&name).await?;
    Ok(Reply(Success::Deleted, serde_json::json!({"name": name})))
}

/// Create a connection config.
#[utoipa::path(post, path = "/v1/connections", tag = "connections", request_body = ConnectionReq, responses((status = 201, description = "Created", body = Connection), (status = 400, description = "BadRequestData"), (status = 409, description = "AlreadyExists")))]
pub async fn create_connection(
    State(gw): State<Gateway>,
    ApiJson(req): ApiJson<ConnectionReq>,
) -> Result<Reply<Connection>> {
    Ok(Reply(Success::Created, gw.create_connection(req).await?))
}

/// All connection configs.
#[utoipa::path(get, path = "/v1/connections", tag = "connections", responses((status = 200, description = "OK", body = [Connection])))]
pub async fn list_connections(State(gw): State<Gateway>) -> Result<Reply<Vec<Connection>>> {
    Ok(ok(gw.store.connections().await?))
}

/// One connection config.
#[utoipa::path(get, path = "/v1/connections/{name}", tag = "connections", params(("name" = String, Path)), responses((status = 200, description = "OK", body = Connection), (status = 404, description = "NotFound")))]
pub async fn get_connection(
    State(gw): State<Gateway>,
    Path(name): Path<String>,
) -> Result<Reply<Connection>> {
    Ok(ok(gw.connection(&name).await?))
}

/// Delete a connection nothing uses.
#[utoipa::path(delete, path = "/v1/connections/{name}", tag = "connections", params(("name" = String, Path)), responses((status = 200, description = "Deleted"), (status = 404, description = "NotFound")))]
pub async fn delete_connection(
    State(gw): State<Gateway>,
    Path(name): Path<String>,
) -> Result<Reply<Value>> {
    gw.delete_connection(&name).await?;
    Ok(Reply(Success::Deleted, serde_json::json!({"name": name})))
}

/// Regions of the connection's account.
#[utoipa::path(get, path = "/v1/connections/{name}/regions", tag = "catalog", params(("name" = String, Path)), responses((status = 200, description = "OK")))]
pub async fn regions(State(gw): State<Gateway>, Path(name): Path<String>) -> Result<Reply<Value>> {
    Ok(ok(json(gw.regions(&name).await?)))
}

/// Images in the connection's region.
#[utoipa::path(get, path = "/v1/connections/{name}/images", tag = "catalog", params(("name" = String, Path)), responses((status = 200, description = "OK")))]
pub async fn images(State(gw): State<Gateway>, Path(name): Path<String>) -> Result<Reply<Value>> {
    Ok(ok(json(gw.images(&name).await?)))
}

/// One image.
#[utoipa::path(get, path = "/v1/connections/{name}/images/{id}", tag = "catalog", params(("name" = String, Path), ("id" = String, Path)), responses((status = 200, description = "OK"), (status = 404, description = "NotFound")))]
pub async fn image(
    State(gw): State<Gateway>,
    Path((name, id)): Path<(String, String)>,
) -> Result<Reply<Value>> {
    Ok(ok(json(gw.image(&name, &id).await?)))
}

/// Specs in the connection's region.
#[utoipa::path(get, path = "/v1/connections/{name}/specs", tag = "catalog", params(("name" = String, Path)), responses((status = 200, description = "OK")))]
pub async fn specs(State(gw): State<Gateway>, Path(name): Path<String>) -> Result<Reply<Value>> {
    Ok(ok(json(gw.specs(&name).await?)))
}

/// One spec.
#[utoipa::path(get, path = "/v1/connections/{name}/specs/{spec}", tag = "catalog", params(("name" = String, Path), ("spec" = String, Path)), responses((status = 200, description = "OK"), (status = 404, description = "NotFound")))]
pub async fn spec(
    State(gw): State<Gateway>,
    Path((name, spec)): Path<(String, String)>,
) -> Result<Reply<Value>> {
    Ok(ok(json(gw.spec(&name, &spec).await?)))
}
