//! Vnets, subnets, security groups and key pairs of a namespace.

use super::dto::{KeypairReq, SecurityGroupReq, SubnetReq, VnetReq};
use super::envelope::{Reply, Success, ok};
use super::extract::ApiJson;
use crate::error::Result;
use crate::model::{Keypair, SecurityGroup, Vnet};
use crate::services::{Gateway, KeypairCreated};
use crate::store::Kind;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{delete, get, post};
use serde_json::{Value, json};

pub fn routes() -> Router<Gateway> {
    Router::new()
        .route("/v1/ns/{ns}/vnets", get(list_vnets).post(create_vnet))
        .route(
            "/v1/ns/{ns}/vnets/{name}",
            get(get_vnet).delete(delete_vnet),
        )
        .route("/v1/ns/{ns}/vnets/{name}/subnets", post(add_subnet))
        .route(
            "/v1/ns/{ns}/vnets/{name}/subnets/{subnet}",
            delete(delete_subnet),
        )
        .route("/v1/ns/{ns}/security-groups", get(list_sgs).post(create_sg))
        .route(
            "/v1/ns/{ns}/security-groups/{name}",
            get(get_sg).delete(delete_sg),
        )
        .route(
            "/v1/ns/{ns}/keypairs",
            get(list_keypairs).post(create_keypair),
        )
        .route(
            "/v1/ns/{ns}/keypairs/{name}",
            get(get_keypair).delete(delete_keypair),
        )
}

/// Create a vnet with subnets.
#[utoipa::path(post, path = "/v1/ns/{ns}/vnets", tag = "network", params(("ns" = String, Path)), request_body = VnetReq, responses((status = 201, description = "Created", body = Vnet), (status = 400, description = "BadRequestData"), (status = 409, description = "AlreadyExists")))]
pub async fn create_vnet(
    State(gw): State<Gateway>,
    Path(ns): Path<String>,
    ApiJson(req): ApiJson<VnetReq>,
) -> Result<Reply<Vnet>> {
    Ok(Reply(Success::Created, gw.create_vnet(&ns, req).await?))
}

/// Vnets of a namespace.
#[utoipa::path(get, path = "/v1/ns/{ns}/vnets", tag = "network", params(("ns" = String, Path)), responses((status = 200, description = "OK", body = [Vnet])))]
pub async fn list_vnets(
    State(gw): State<Gateway>,
    Path(ns): Path<String>,
) -> Result<Reply<Vec<Vnet>>> {
    gw.require_ns(&ns).await?;
    Ok(ok(gw.store.resources(Kind::Vnet, &ns).await?))
}

/// One vnet.
#[utoipa::path(get, path = "/v1/ns/{ns}/vnets/{name}", tag = "network", params(("ns" = String, Path), ("name" = String, Path)), responses((status = 200, description = "OK", body = Vnet), (status = 404, description = "NotFound")))]
pub async fn get_vnet(
    State(gw): State<Gateway>,
    Path((ns, name)): Path<(String, String)>,
) -> Result<Reply<Vnet>> {
    Ok(ok(gw.vnet(&ns, &name).await?))
}

/// Delete a vnet nothing uses.
#[utoipa::path(delete, path = "/v1/ns/{ns}/vnets/{name}", tag = "network", params(("ns" = String, Path), ("name" = String, Path)), responses((status = 200, description = "Deleted"), (status = 400, description = "InvalidRequest (in use)")))]
pub async fn delete_vnet(
    State(gw): State<Gateway>,
    Path((ns, name)): Path<(String, String)>,
) -> Result<Reply<Value>> {
    gw.delete_vnet(&ns, &name).await?;
    Ok(Reply(Success::Deleted, json!({"name": name})))
}

/// Add a subnet.
#[utoipa::path(post, path = "/v1/ns/{ns}/vnets/{name}/subnets", tag = "network", params(("ns" = String, Path), ("name" = String, Path)), request_body = SubnetReq, responses((status = 201, description = "Created", body = Vnet)))]
pub async fn add_subnet(
    State(gw): State<Gateway>,
    Path((ns, name)): Path<(String, String)>,
    ApiJson(req): ApiJson<SubnetReq>,
) -> Result<Reply<Vnet>> {
    Ok(Reply(
        Success::Created,
        gw.add_subnet(&ns, &name, req).await?,
    ))
}

/// Remove a subnet.
#[utoipa::path(delete, path = "/v1/ns/{ns}/vnets/{name}/subnets/{subnet}", tag = "network", params(("ns" = String, Path), ("name" = String, Path), ("subnet" = String, Path)), responses((status = 200, description = "Deleted", body = Vnet)))]
pub async fn delete_subnet(
    State(gw): State<Gateway>,
    Path((ns, name, subnet)): Path<(String, String, String)>,
) -> Result<Reply<Vnet>> {
    Ok(Reply(
        Success::Deleted,
        gw.delete_subnet(&ns, &name, &subnet).await?,
    ))
}

/// Create a security group.
#[utoipa::path(post, path = "/v1/ns/{ns}/security-groups", tag = "network", params(("ns" = String, Path)), request_body = SecurityGroupReq, responses((status = 201, description = "Created", body = SecurityGroup)))]
pub async fn create_sg(
    State(gw): State<Gateway>,
    Path(ns): Path<String>,
    ApiJson(req): ApiJson<SecurityGroupReq>,
) -> Result<Reply<SecurityGroup>> {
    Ok(Reply(
        Success::Created,
        gw.create_security_group(&ns, req).await?,
    ))
}

/// Security groups of a namespace.
#[utoipa::path(get, path = "/v1/ns/{ns}/security-groups", tag = "network", params(("ns" = String, Path)), responses((status = 200, description = "OK", body = [SecurityGroup])))]
pub async fn list_sgs(
    State(gw): State<Gateway>,
    Path(ns): Path<String>,
) -> Result<Reply<Vec<SecurityGroup>>> {
    gw.require_ns(&ns).await?;
    Ok(ok(gw.store.resources(Kind::SecurityGroup, &ns).await?))
}

/// One security group.
#[utoipa::path(get, path = "/v1/ns/{ns}/security-groups/{name}", tag = "network", params(("ns" = String, Path), ("name" = String, Path)), responses((status = 200, description = "OK", body = SecurityGroup)))]
pub async fn get_sg(
    State(gw): State<Gateway>,
    Path((ns, name)): Path<(String, String)>,
) -> Result<Reply<SecurityGroup>> {
    Ok(ok(gw.security_group(&ns, &name).await?))
}

/// Delete a security group no live VM uses.
#[utoipa::path(delete, path = "/v1/ns/{ns}/security-groups/{name}", tag = "network", params(("ns" = String, Path), ("name" = String, Path)), responses((status = 200, description = "Deleted")))]
pub async fn delete_sg(
    State(gw): State<Gateway>,
    Path((ns, name)): Path<(String, String)>,
) -> Result<Reply<Value>> {
    gw.delete_security_group(&ns, &name).await?;
    Ok(Reply(Success::Deleted, json!({"name": name})))
}

/// Create or import a key pair; a generated private key is in this answer only.
#[utoipa::path(post, path = "/v1/ns/{ns}/keypairs", tag = "network", params(("ns" = String, Path)), request_body = KeypairReq, responses((status = 201, description = "Created", body = KeypairCreated)))]
pub async fn create_keypair(
    State(gw): State<Gateway>,
    Path(ns): Path<String>,
    ApiJson(req): ApiJson<KeypairReq>,
) -> Result<Reply<KeypairCreated>> {
    Ok(Reply(Success::Created, gw.create_keypair(&ns, req).await?))
}

/// Key pairs of a namespace.
#[utoipa::path(get, path = "/v1/ns/{ns}/keypairs", tag = "network", params(("ns" = String, Path)), responses((status = 200, description = "OK", body = [Keypair])))]
pub async fn list_keypairs(
    State(gw): State<Gateway>,
    Path(ns): Path<String>,
) -> Result<Reply<Vec<Keypair>>> {
    gw.require_ns(&ns).await?;
    Ok(ok(gw.store.resources(Kind::Keypair, &ns).await?))
}

/// One key pair.
#[utoipa::path(get, path = "/v1/ns/{ns}/keypairs/{name}", tag = "network", params(("ns" = String, Path), ("name" = String, Path)), responses((status = 200, description = "OK", body = Keypair)))]
pub async fn get_keypair(
    State(gw): State<Gateway>,
    Path((ns, name)): Path<(String, String)>,
) -> Result<Reply<Keypair>> {
    Ok(ok(gw.keypair(&ns, &name).await?))
}

/// Delete a key pair no live VM uses.
#[utoipa::path(delete, path = "/v1/ns/{ns}/keypairs/{name}", tag = "network", params(("ns" = String, Path), ("name" = String, Path)), responses((status = 200, description = "Deleted")))]
pub async fn delete_keypair(
    State(gw): State<Gateway>,
    Path((ns, name)): Path<(String, String)>,
) -> Result<Reply<Value>> {
    gw.delete_keypair(&ns, &name).await?;
    Ok(Reply(Success::Deleted, json!({"name": name})))
}
