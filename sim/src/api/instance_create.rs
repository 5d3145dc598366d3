//! `POST /v1/regions/{region}/instances`: launching one or more instances.
//!
//! All checks run, in the documented order, before anything is created, so a
//! request either launches all `count` instances or none.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::extract::{Caller, JsonBody, Params, json};
use super::{region, validate};
use crate::app::App;
use crate::cidr::Ipv4Net;
use crate::clock::now_ms;
use crate::errors::{ApiError, ApiResult};
use crate::faults;
use crate::ids;
use crate::model::{Instance, RootDisk, Tags};
use crate::state_machine::{Step, Transition};

/// Most instances one request may launch.
const MAX_COUNT: u32 = 100;
/// Most security groups per instance.
const MAX_GROUPS: usize = 5;
/// Largest user data, in bytes (as on common clouds).
const MAX_USER_DATA: usize = 16 * 1024;
/// Largest root disk.
const MAX_DISK_GIB: u32 = 16 * 1024;
/// Root disk types.
const DISK_TYPES: [&str; 2] = ["standard", "ssd"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateInstances {
    name: String,
    spec: String,
    image: String,
    vpc_id: String,
    subnet_id: String,
    security_group_ids: Vec<String>,
    #[serde(default)]
    keypair_id: Option<String>,
    #[serde(default)]
    zone: Option<String>,
    #[serde(default)]
    root_disk: Option<RootDiskRequest>,
    #[serde(default)]
    user_data: Option<String>,
    #[serde(default)]
    tags: Tags,
    #[serde(default)]
    count: Option<u32>,
}

/// Both fields default: `standard`, and the larger of the spec's disk and the
/// image's minimum.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RootDiskRequest {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    size_gib: Option<u32>,
}

/// The checks that need no store.
fn check_shape(req: &CreateInstances, count: u32) -> ApiResult<()> {
    validate::name("name", &req.name)?;
    if count > 1 {
        validate::name("name", &format!("{}-{count}", req.name))?;
    }
    validate::tags(&req.tags)?;
    if !(1..=MAX_COUNT).contains(&count) {
        return Err(ApiError::invalid(format!("count must be 1..={MAX_COUNT}")));
    }
    if req
        .user_data
        .as_ref()
        .is_some_and(|u| u.len() > MAX_USER_DATA)
    {
        return Err(ApiError::invalid(format!(
            "user_data exceeds {MAX_USER_DATA} bytes"
        )));
    }
    if req.security_group_ids.len() > MAX_GROUPS {
        return Err(ApiError::invalid(format!(
            "at most {MAX_GROUPS} security groups per instance"
        )));
    }
    for (i, sg) in req.security_group_ids.iter().enumerate() {
        if req.security_group_ids[..i].contains(sg) {
            return Err(ApiError::invalid(format!(
                "security group {sg} is listed twice"
            )));
        }
    }
    if let Some(kind) = req.root_disk.as_ref().and_then(|d| d.kind.as_deref())
        && !DISK_TYPES.contains(&kind)
    {
        return Err(ApiError::invalid(format!(
            "root_disk.type {kind:?} is not one of {}",
            DISK_TYPES.join(", ")
        )));
    }
    Ok(())
}

/// `POST /v1/regions/{region}/instances` → 202 `{"instances": [...]}`
pub async fn create(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params(r): Params<String>,
    JsonBody(req): JsonBody<CreateInstances>,
) -> ApiResult<Response> {
    let region = region(&app, &r)?;
    let count = req.count.unwrap_or(1);
    check_shape(&req, count)?;
    let spec = app.catalog.spec(region, &req.spec).ok_or_else(|| {
        ApiError::bad_request(
            "InvalidSpec.NotFound",
            format!("spec {} is not offered in {r}", req.spec),
        )
    })?;
    let image = app.catalog.image(&req.image).ok_or_else(|| {
        ApiError::bad_request(
            "InvalidImage.NotFound",
            format!("image {} does not exist", req.image),
        )
    })?;
    if image.architecture != spec.architecture {
        return Err(ApiError::invalid(format!(
            "image {} is {} but spec {} is {}",
            image.id, image.architecture, spec.name, spec.architecture
        )));
    }
    let now = now_ms();
    app.write(|store| {
        let t = store.tenant(&account, &r);
        let vpc = t.rs.vpcs.get(&req.vpc_id).ok_or_else(|| {
            ApiError::bad_request("InvalidVpc.NotFound", format!("vpc {} does not exist", req.vpc_id))
        })?;
        let subnet = vpc.subnets.iter().find(|s| s.id == req.subnet_id).ok_or_else(|| {
            ApiError::bad_request(
                "InvalidSubnet.NotFound",
                format!("subnet {} does not exist in vpc {}", req.subnet_id, req.vpc_id),
            )
        })?;
        if let Some(zone) = &req.zone {
            if !region.zones.contains(zone) {
                return Err(ApiError::bad_request("InvalidZone", format!("zone {zone} is not a zone of {r}")));
            }
            if *zone != subnet.zone {
                return Err(ApiError::invalid(format!(
                    "zone {zone} differs from the zone of subnet {} ({})",
                    subnet.id, subnet.zone
                )));
            }
        }
        let zone = subnet.zone.clone();
        let block = Ipv4Net::parse(&subnet.cidr).map_err(ApiError::internal)?;
        for sg in &req.security_group_ids {
            if t.rs.security_groups.get(sg).is_none_or(|g| g.vpc_id != req.vpc_id) {
                return Err(ApiError::bad_request(
                    "InvalidSecurityGroup.NotFound",
                    format!("security group {sg} does not exist in vpc {}", req.vpc_id),
                ));
            }
        }
        if let Some(key) = &req.keypair_id
            && !t.rs.keypairs.contains_key(key)
        {
            return Err(ApiError::bad_request(
                "InvalidKeyPair.NotFound",
                format!("key pair {key} does not exist"),
            ));
        }
        let disk = req.root_disk.as_ref();
        let size = disk.and_then(|d| d.size_gib).unwrap_or(spec.disk_gib.max(image.min_disk_gib));
        if size < image.min_disk_gib || size > MAX_DISK_GIB {
            return Err(ApiError::invalid(format!(
                "root_disk.size_gib must be {}..={MAX_DISK_GIB} for image {}",
                image.min_disk_gib, image.id
            )));
        }
        let root_disk = RootDisk {
            kind: disk.and_then(|d| d.kind.clone()).unwrap_or_else(|| "standard".into()),
            size_gib: size,
        };
        let quota = t.behaviour.quota_instances_per_region as usize;
        let live = t.rs.live_count(now);
        if live + count as usize > quota {
            return Err(ApiError::bad_request(
                "QuotaExceeded",
                format!("{count} more instances would exceed the quota of {quota} in {r} ({live} in use)"),
            ));
        }
        let ips = t.rs.free_ips(&req.subnet_id, &block, count as usize, now).ok_or_else(|| {
            ApiError::bad_request(
                "InsufficientFreeAddressesInSubnet",
                format!("subnet {} has fewer than {count} free addresses", req.subnet_id),
            )
        })?;
        let mut created = Vec::with_capacity(ips.len());
        for (i, private_ip) in ips.into_iter().enumerate() {
            let name = if count > 1 { format!("{}-{}", req.name, i + 1) } else { req.name.clone() };
            let id = ids::instance_id(|id| t.rs.instances.contains_key(id));
            let inst = Instance {
                id: id.clone(),
                name,
                spec: spec.name.to_string(),
                image: image.id.to_string(),
                zone: zone.clone(),
                vpc_id: req.vpc_id.clone(),
                subnet_id: req.subnet_id.clone(),
                security_group_ids: req.security_group_ids.clone(),
                keypair_id: req.keypair_id.clone(),
                private_ip,
                public_ip: t.public_ips.allocate(),
                root_disk: root_disk.clone(),
                tags: req.tags.clone(),
                user_data: req.user_data.clone(),
                created_at: now,
                launch_fails: faults::launch_fails(&t.behaviour.faults, &r),
                transition: Transition { step: Step::Create, at: now, delay_ms: t.behaviour.create_delay_ms },
            };
            t.rs.insert_instance(inst);
            created.push(id);
        }
        let views: Vec<_> = created
            .iter()
            .filter_map(|id| t.rs.instances.get(id))
            .map(|i| i.view(&r, now))
            .collect();
        Ok(json(StatusCode::ACCEPTED, &serde_json::json!({ "instances": views })))
    })
}
