//! Nova servers: create (one, or `count` in one call with min/max_count),
//! read, list (all pages, filtered by tags), the lifecycle actions and delete.
//!
//! Nova reports networks and security groups by name only, so the ids the
//! server was created with are kept as bookkeeping server tags (`tags`),
//! next to the host's `mcgw-*` tags, which the list API can filter on.

use crate::catalog;
use crate::client::{Service, Session};
use crate::map;
use crate::paging::{Link, MAX_PAGES, marker_of, page_query};
use crate::tags;
use base64::Engine;
use mcgw_sdk::{
    CallContext, ContextExt, Error, ErrorKind, Kv, Result, VmInfo, VmRequest, VmStatus,
    VmStatusInfo,
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn path(id: &str) -> String {
    format!("/servers/{}", mcgw_sdk::http::encode(id))
}

/// `hard` when the VM parameter (kept as a server tag) or the connection asks.
fn wants_hard_reboot(ctx: &CallContext, server_tags: &[String]) -> bool {
    tags::own(server_tags, "reboot")
        .or_else(|| ctx.extra("reboot_type"))
        .is_some_and(|t| t.eq_ignore_ascii_case("hard"))
}

/// The body of POST /servers.
fn create_body(s: &Session, ctx: &CallContext, req: &VmRequest, count: u32) -> Result<Value> {
    let flavor = catalog::flavor_by_name(s, &req.spec).map_err(|e| {
        if e.kind() == ErrorKind::NotFound {
            Error::bad_request(e.0.message).field("spec")
        } else {
            e
        }
    })?;
    let mut own = Vec::new();
    own.extend(req.vnet_id.iter().map(|v| tags::own_tag("vnet", v)));
    own.extend(req.subnet_id.iter().map(|v| tags::own_tag("subnet", v)));
    own.extend(
        req.security_group_ids
            .iter()
            .map(|g| tags::own_tag("sg", g)),
    );
    match req.extra("reboot_type") {
        None | Some("soft") => {}
        Some("hard") => own.push(tags::own_tag("reboot", "hard")),
        Some(other) => {
            return Err(Error::bad_request(format!(
                "reboot_type must be soft or hard (got {other:?})"
            ))
            .field("extra.reboot_type"));
        }
    }
    let mut server = json!({
        "name": req.name,
        "flavorRef": flavor.id,
        // Without a vnet Nova picks the project's only network ("auto").
        "networks": match &req.vnet_id {
            Some(v) => json!([{"uuid": v}]),
            None => json!("auto"),
        },
        "metadata": tags::metadata(&req.tags),
        "tags": tags::server_tags(own, &req.tags),
    });
    if req.root_disk_gib.is_some() || req.root_disk_type.is_some() {
        // A chosen root disk means booting from a Cinder volume made from the image.
        let size = match req.root_disk_gib {
            Some(g) => g,
            None => flavor.disk.max(1),
        };
        let mut bdm = json!({"boot_index": 0, "uuid": req.image, "source_type": "image",
            "destination_type": "volume", "volume_size": size, "delete_on_termination": true});
        if let Some(t) = &req.root_disk_type {
            bdm["volume_type"] = json!(t);
        }
        server["block_device_mapping_v2"] = json!([bdm]);
    } else {
        server["imageRef"] = json!(req.image);
    }
    if !req.security_group_ids.is_empty() {
        // Nova resolves `name` as a Neutron group name or id.
        server["security_groups"] = req
            .security_group_ids
            .iter()
            .map(|g| json!({"name": g}))
            .collect();
    }
    if let Some(k) = &req.keypair_id {
        server["key_name"] = json!(k);
    }
    if let Some(u) = &req.user_data {
        server["user_data"] = json!(base64::engine::general_purpose::STANDARD.encode(u));
    }
    if let Some(z) = &ctx.zone {
        server["availability_zone"] = json!(z);
    }
    if count > 1 {
        server["min_count"] = json!(count);
        server["max_count"] = json!(count);
        server["return_reservation_id"] = json!(true);
    }
    Ok(json!({"server": server}))
}

/// Create one VM; the answer is the server as Nova shows it right after.
pub fn create(s: &Session, ctx: &CallContext, req: &VmRequest) -> Result<VmInfo> {
    let body = create_body(s, ctx, req, 1)?;
    let out: Created = s.post(Service::Compute, "/servers", &body)?;
    // Nova has accepted the server: a failed read must not make the host
    // believe nothing was created, so fall back to what the request said.
    Ok(get(s, ctx, &out.server.id).unwrap_or_else(|e| {
        mcgw_sdk::log::warn(&format!("reading new server {} failed: {e}", out.server.id));
        accepted(ctx, req, out.server.id)
    }))
}

/// A just-accepted server as the request describes it.
fn accepted(ctx: &CallContext, req: &VmRequest, id: String) -> VmInfo {
    VmInfo {
        name: req.name.clone(),
        id,
        status: VmStatus::Creating,
        native_status: "BUILD".into(),
        spec: req.spec.clone(),
        image: req.image.clone(),
        region: ctx.region.clone(),
        zone: ctx.zone.clone(),
        vnet_id: req.vnet_id.clone(),
        subnet_id: req.subnet_id.clone(),
        security_group_ids: req.security_group_ids.clone(),
        keypair_id: req.keypair_id.clone(),
        public_ip: None,
        private_ip: None,
        ssh_access_point: None,
        tags: req.tags.clone(),
        created_at: None,
    }
}

/// Create `count` VMs in one Nova call (min_count = max_count, so Nova makes
/// all or none), then read them back by reservation id, in launch order
/// (Nova names them `<name>-1` ... `<name>-N`).
pub fn create_many(s: &Session, ctx: &CallContext, req: &VmRequest) -> Result<Vec<VmInfo>> {
    let count = req.count.max(1);
    if count == 1 {
        return Ok(vec![create(s, ctx, req)?]);
    }
    let body = create_body(s, ctx, req, count)?;
    let out: Reserved = s.post(Service::Compute, "/servers", &body)?;
    let mut servers = list_servers(s, &[("reservation_id", out.reservation_id.clone())])?;
    let index = |srv: &Server| {
        srv.name
            .rsplit_once('-')
            .and_then(|(_, n)| n.parse::<u32>().ok())
            .unwrap_or(u32::MAX)
    };
    servers.sort_by_key(|srv| (index(srv), srv.created.clone()));
    if servers.len() != count as usize {
        return Err(Error::csp_failure(format!(
            "Nova accepted {count} servers (reservation {}) but lists {}; they carry this \
             request's tags",
            out.reservation_id,
            servers.len()
        )));
    }
    Ok(servers.into_iter().map(|srv| info(ctx, srv)).collect())
}

/// One server.
pub fn get(s: &Session, ctx: &CallContext, id: &str) -> Result<VmInfo> {
    let out: One = s.get(Service::Compute, &path(id), &[])?;
    Ok(info(ctx, out.server))
}

/// Every page of /servers/detail with `filters`.
fn list_servers(s: &Session, filters: &[(&str, String)]) -> Result<Vec<Server>> {
    let mut all = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let query = page_query(filters, &marker);
        let page: Page = s.get(Service::Compute, "/servers/detail", &query)?;
        let done = page.servers.is_empty();
        all.extend(page.servers);
        match marker_of(&page.links) {
            Some(m) if !done => marker = Some(m),
            _ => return Ok(all),
        }
    }
    Err(Error::csp_failure("server listing did not end"))
}

/// Servers carrying all `filter` tags: Nova filters on the server tags we
/// stored for the host's tags, and every tag is checked again on metadata.
pub fn list(s: &Session, ctx: &CallContext, filter: &[Kv]) -> Result<Vec<VmInfo>> {
    let pushed = tags::server_filter(filter);
    let query: Vec<(&str, String)> = if pushed.is_empty() {
        vec![]
    } else {
        vec![("tags", pushed.join(","))]
    };
    Ok(list_servers(s, &query)?
        .into_iter()
        .filter(|srv| {
            filter
                .iter()
                .all(|kv| srv.metadata.get(&kv.key) == Some(&kv.value))
        })
        .map(|srv| info(ctx, srv))
        .collect())
}

/// Status of one server.
pub fn status(s: &Session, id: &str) -> Result<VmStatusInfo> {
    let out: One = s.get(Service::Compute, &path(id), &[])?;
    Ok(status_of(&out.server))
}

fn status_of(srv: &Server) -> VmStatusInfo {
    VmStatusInfo {
        id: srv.id.clone(),
        status: map::vm_status(&srv.status, srv.task_state.as_deref()),
        native_status: srv.status.clone(),
    }
}

/// POST /servers/{id}/action, then read the status Nova moved to.
fn act(s: &Session, id: &str, action: Value) -> Result<VmStatusInfo> {
    let p = format!("{}/action", path(id));
    s.call(Service::Compute, "POST", &p, &[], Some(&action))?;
    status(s, id)
}

/// Stop (`os-stop`, the default) or suspend (`suspend_mode=suspend`: keeps memory).
pub fn suspend(s: &Session, ctx: &CallContext, id: &str) -> Result<VmStatusInfo> {
    let action = match ctx.extra("suspend_mode").unwrap_or("stop") {
        "stop" => "os-stop",
        "suspend" => "suspend",
        other => {
            return Err(Error::bad_request(format!(
                "suspend_mode must be stop or suspend (got {other:?})"
            ))
            .field("extra.suspend_mode"));
        }
    };
    act(s, id, json!({ action: null }))
}

/// Undo whatever stopped the server: the action follows its current status,
/// so a mode changed in between still resumes it.
pub fn resume(s: &Session, ctx: &CallContext, id: &str) -> Result<VmStatusInfo> {
    let out: One = s.get(Service::Compute, &path(id), &[])?;
    let action = match out.server.status.as_str() {
        "SHUTOFF" => "os-start",
        "SUSPENDED" => "resume",
        "PAUSED" => "unpause",
        "SHELVED" | "SHELVED_OFFLOADED" => "unshelve",
        // Not stopped: let Nova say why it cannot (409 → InvalidRequest).
        _ if ctx.extra("suspend_mode") == Some("suspend") => "resume",
        _ => "os-start",
    };
    act(s, id, json!({ action: null }))
}

/// Soft reboot, or hard when the VM or the connection asks.
pub fn reboot(s: &Session, ctx: &CallContext, id: &str) -> Result<VmStatusInfo> {
    let out: One = s.get(Service::Compute, &path(id), &[])?;
    let kind = if wants_hard_reboot(ctx, &out.server.tags) {
        "HARD"
    } else {
        "SOFT"
    };
    act(s, id, json!({"reboot": {"type": kind}}))
}

/// Delete; a server that is already gone is terminated.
pub fn terminate(s: &Session, id: &str) -> Result<VmStatusInfo> {
    let gone = || VmStatusInfo {
        id: id.to_string(),
        status: VmStatus::Terminated,
        native_status: "DELETED".into(),
    };
    match s.call(Service::Compute, "DELETE", &path(id), &[], None) {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(gone()),
        Err(e) => return Err(e),
    }
    match status(s, id) {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(gone()),
        other => other,
    }
}

fn info(ctx: &CallContext, srv: Server) -> VmInfo {
    let status = status_of(&srv);
    let addresses: Vec<&Address> = srv.addresses.values().flatten().collect();
    let ipv4 = |kind: &str| {
        addresses
            .iter()
            .find(|a| a.version == 4 && a.kind.as_deref() == Some(kind))
            .map(|a| a.addr.clone())
    };
    let public_ip = ipv4("floating");
    let mut groups: Vec<String> = tags::own_all(&srv.tags, "sg").map(String::from).collect();
    if groups.is_empty() {
        groups = srv.security_groups.iter().map(|g| g.name.clone()).collect();
    }
    VmInfo {
        name: srv.name,
        id: srv.id,
        status: status.status,
        native_status: status.native_status,
        spec: srv.flavor.original_name.unwrap_or_default(),
        // Booted from a volume, Nova shows "" for the image.
        image: srv
            .image
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        region: ctx.region.clone(),
        zone: srv.zone.filter(|z| !z.is_empty()),
        vnet_id: tags::own(&srv.tags, "vnet").map(String::from),
        subnet_id: tags::own(&srv.tags, "subnet").map(String::from),
        security_group_ids: groups,
        keypair_id: srv.key_name,
        private_ip: ipv4("fixed"),
        ssh_access_point: public_ip.as_ref().map(|ip| format!("{ip}:22")),
        public_ip,
        tags: tags::from_metadata(srv.metadata),
        created_at: srv.created,
    }
}

#[derive(Deserialize)]
struct Created {
    server: CreatedServer,
}

#[derive(Deserialize)]
struct CreatedServer {
    id: String,
}

#[derive(Deserialize)]
struct Reserved {
    reservation_id: String,
}

#[derive(Deserialize)]
struct One {
    server: Server,
}

#[derive(Deserialize)]
struct Page {
    servers: Vec<Server>,
    #[serde(rename = "servers_links", default)]
    links: Vec<Link>,
}

/// The fields of a 2.79 server this adapter reads (none of the admin-only
/// `OS-EXT-SRV-ATTR:*` ones, which members do not see).
#[derive(Deserialize)]
struct Server {
    id: String,
    #[serde(default)]
    name: String,
    status: String,
    #[serde(rename = "OS-EXT-STS:task_state")]
    task_state: Option<String>,
    #[serde(rename = "OS-EXT-AZ:availability_zone")]
    zone: Option<String>,
    #[serde(default)]
    flavor: Flavor,
    #[serde(default)]
    image: Value,
    key_name: Option<String>,
    #[serde(default)]
    addresses: BTreeMap<String, Vec<Address>>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    security_groups: Vec<Named>,
    created: Option<String>,
}

#[derive(Deserialize, Default)]
struct Flavor {
    original_name: Option<String>,
}

#[derive(Deserialize)]
struct Address {
    addr: String,
    version: u8,
    #[serde(rename = "OS-EXT-IPS:type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct Named {
    name: String,
}
