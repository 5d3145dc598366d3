//! VPCs and their subnets.
//!
//! A vpc owns its subnets: they are listed inside it and deleted with it. The
//! address plan is checked like a real cloud does (containment, no overlap).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::extract::{Caller, JsonBody, Params, json, tag_only_query};
use super::{region, validate};
use crate::app::App;
use crate::cidr::Ipv4Net;
use crate::clock::now_ms;
use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::model::{Subnet, Tags, Vpc, tags_match};

/// Prefix lengths a vpc or subnet may have.
const PREFIXES: std::ops::RangeInclusive<u8> = 16..=28;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateVpc {
    name: String,
    cidr: String,
    #[serde(default)]
    tags: Tags,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSubnet {
    name: String,
    cidr: String,
    #[serde(default)]
    zone: Option<String>,
    #[serde(default)]
    tags: Tags,
}

fn parse_block(cidr: &str) -> ApiResult<Ipv4Net> {
    let net = Ipv4Net::parse(cidr).map_err(ApiError::invalid)?;
    if !PREFIXES.contains(&net.prefix()) {
        return Err(ApiError::invalid(format!(
            "{cidr}: the prefix length must be /16 to /28"
        )));
    }
    Ok(net)
}

fn vpc_not_found(id: &str) -> ApiError {
    ApiError::not_found("VpcNotFound", format!("vpc {id} does not exist"))
}

fn subnet_not_found(id: &str) -> ApiError {
    ApiError::not_found("SubnetNotFound", format!("subnet {id} does not exist"))
}

/// `POST /v1/regions/{region}/vpcs`
pub async fn create(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params(r): Params<String>,
    JsonBody(req): JsonBody<CreateVpc>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    validate::name("name", &req.name)?;
    parse_block(&req.cidr)?;
    validate::tags(&req.tags)?;
    app.write(|store| {
        let t = store.tenant(&account, &r);
        if t.rs.vpcs.values().any(|v| v.name == req.name) {
            return Err(ApiError::conflict(
                "VpcAlreadyExists",
                format!("a vpc named {} already exists in {r}", req.name),
            ));
        }
        let id = ids::short_id("vpc", |id| t.rs.vpcs.contains_key(id));
        let vpc = Vpc {
            id: id.clone(),
            name: req.name,
            cidr: req.cidr,
            subnets: Vec::new(),
            tags: req.tags,
            created_at: now_ms(),
        };
        let response = json(StatusCode::CREATED, &vpc.view());
        t.rs.vpcs.insert(id, vpc);
        Ok(response)
    })
}

/// `GET /v1/regions/{region}/vpcs?tag=k=v`
pub async fn list(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params(r): Params<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    region(&app, &r)?;
    let filters = tag_only_query(query.as_deref())?;
    Ok(app.read(|store| {
        let vpcs: Vec<_> = store
            .region(&account, &r)
            .into_iter()
            .flat_map(|rs| rs.vpcs.values())
            .filter(|v| tags_match(&v.tags, &filters))
            .map(Vpc::view)
            .collect();
        json(StatusCode::OK, &serde_json::json!({ "vpcs": vpcs }))
    }))
}

/// `GET /v1/regions/{region}/vpcs/{id}`
pub async fn get(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params((r, id)): Params<(String, String)>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    app.read(|store| {
        let vpc = store
            .region(&account, &r)
            .and_then(|rs| rs.vpcs.get(&id))
            .ok_or_else(|| vpc_not_found(&id))?;
        Ok(json(StatusCode::OK, &vpc.view()))
    })
}

/// `DELETE /v1/regions/{region}/vpcs/{id}`: refused while security groups or
/// live instances are in it; its subnets go with it.
pub async fn delete(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params((r, id)): Params<(String, String)>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    let now = now_ms();
    app.write(|store| {
        let rs = store.tenant(&account, &r).rs;
        let vpc = rs.vpcs.get(&id).ok_or_else(|| vpc_not_found(&id))?;
        if let Some(sg) = rs.security_groups.values().find(|sg| sg.vpc_id == id) {
            return Err(ApiError::conflict(
                "DependencyViolation",
                format!("vpc {id} still has security group {}", sg.id),
            ));
        }
        let subnet_ids: Vec<String> = vpc.subnets.iter().map(|s| s.id.clone()).collect();
        for s in &subnet_ids {
            if rs.subnet_in_use(s, now) {
                return Err(ApiError::conflict(
                    "DependencyViolation",
                    format!("vpc {id} still has instances (in subnet {s})"),
                ));
            }
        }
        for s in &subnet_ids {
            rs.subnet_deleted(s);
        }
        rs.vpcs.remove(&id);
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

/// `POST /v1/regions/{region}/vpcs/{id}/subnets`
pub async fn create_subnet(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params((r, vpc_id)): Params<(String, String)>,
    JsonBody(req): JsonBody<CreateSubnet>,
) -> ApiResult<Response> {
    let region = region(&app, &r)?;
    validate::name("name", &req.name)?;
    let block = parse_block(&req.cidr)?;
    validate::tags(&req.tags)?;
    let zone = match req.zone {
        Some(z) if region.zones.contains(&z) => z,
        Some(z) => {
            return Err(ApiError::bad_request(
                "InvalidZone",
                format!("zone {z} is not a zone of {r}"),
            ));
        }
        None => region.zones[0].clone(),
    };
    app.write(|store| {
        let rs = store.tenant(&account, &r).rs;
        let vpc = rs.vpcs.get(&vpc_id).ok_or_else(|| vpc_not_found(&vpc_id))?;
        if vpc.subnets.iter().any(|s| s.name == req.name) {
            return Err(ApiError::conflict(
                "SubnetAlreadyExists",
                format!("vpc {vpc_id} already has a subnet named {}", req.name),
            ));
        }
        let vpc_block = Ipv4Net::parse(&vpc.cidr).map_err(ApiError::internal)?;
        if !vpc_block.contains_net(&block) {
            return Err(ApiError::bad_request(
                "InvalidSubnet.Range",
                format!("{} is not inside the vpc's {}", req.cidr, vpc.cidr),
            ));
        }
        if let Some(other) = vpc
            .subnets
            .iter()
            .find(|s| Ipv4Net::parse(&s.cidr).is_ok_and(|n| n.overlaps(&block)))
        {
            return Err(ApiError::bad_request(
                "InvalidSubnet.Conflict",
                format!("{} overlaps subnet {} ({})", req.cidr, other.id, other.cidr),
            ));
        }
        let id = ids::short_id("subnet", |id| {
            rs.vpcs
                .values()
                .any(|v| v.subnets.iter().any(|s| s.id == id))
        });
        let subnet = Subnet {
            id,
            name: req.name,
            cidr: req.cidr,
            zone,
            vpc_id: vpc_id.clone(),
            tags: req.tags,
            created_at: now_ms(),
        };
        let response = json(StatusCode::CREATED, &subnet.view());
        if let Some(vpc) = rs.vpcs.get_mut(&vpc_id) {
            vpc.subnets.push(subnet);
        }
        Ok(response)
    })
}

/// `GET /v1/regions/{region}/vpcs/{id}/subnets`
pub async fn list_subnets(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params((r, vpc_id)): Params<(String, String)>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    app.read(|store| {
        let vpc = store
            .region(&account, &r)
            .and_then(|rs| rs.vpcs.get(&vpc_id))
            .ok_or_else(|| vpc_not_found(&vpc_id))?;
        let subnets: Vec<_> = vpc.subnets.iter().map(Subnet::view).collect();
        Ok(json(
            StatusCode::OK,
            &serde_json::json!({ "subnets": subnets }),
        ))
    })
}

/// `GET /v1/regions/{region}/vpcs/{id}/subnets/{subnet_id}`
pub async fn get_subnet(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params((r, vpc_id, subnet_id)): Params<(String, String, String)>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    app.read(|store| {
        let vpc = store
            .region(&account, &r)
            .and_then(|rs| rs.vpcs.get(&vpc_id))
            .ok_or_else(|| vpc_not_found(&vpc_id))?;
        let subnet = vpc
            .subnets
            .iter()
            .find(|s| s.id == subnet_id)
            .ok_or_else(|| subnet_not_found(&subnet_id))?;
        Ok(json(StatusCode::OK, &subnet.view()))
    })
}

/// `DELETE /v1/regions/{region}/vpcs/{id}/subnets/{subnet_id}`: refused while
/// live instances use it.
pub async fn delete_subnet(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params((r, vpc_id, subnet_id)): Params<(String, String, String)>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    let now = now_ms();
    app.write(|store| {
        let rs = store.tenant(&account, &r).rs;
        let vpc = rs.vpcs.get(&vpc_id).ok_or_else(|| vpc_not_found(&vpc_id))?;
        if !vpc.subnets.iter().any(|s| s.id == subnet_id) {
            return Err(subnet_not_found(&subnet_id));
        }
        if rs.subnet_in_use(&subnet_id, now) {
            return Err(ApiError::conflict(
                "DependencyViolation",
                format!("subnet {subnet_id} still has instances"),
            ));
        }
        rs.subnet_deleted(&subnet_id);
        if let Some(vpc) = rs.vpcs.get_mut(&vpc_id) {
            vpc.subnets.retain(|s| s.id != subnet_id);
        }
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}
