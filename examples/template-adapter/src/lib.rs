//! A template mcgw adapter, small enough to read in one sitting.
//!
//! It speaks to the built-in simulated cloud (whose REST dialect is in
//! `docs/sim-api.md`), so it runs end to end with no cloud account. To write an
//! adapter for your own cloud, keep the shape and replace three things:
//! 1. `describe()`: your adapter's name, version, capabilities, parameters and
//!    the hosts it calls;
//! 2. `call()`: how your cloud authenticates a request;
//! 3. the mappings from your cloud's JSON to the contract's records.
//!
//! Operations you do not implement answer `unsupported` (the gateway's 405),
//! and the conformance kit reports them as skipped.

use mcgw_sdk::http::Request;
use mcgw_sdk::serde_json::{Value, json};
use mcgw_sdk::sign::{hmac_sha256_hex, now_rfc3339, sha256_hex};
use mcgw_sdk::{
    Adapter, AdapterInfo, CallContext, Capabilities, ContextExt, Error, ImageInfo, KeypairInfo,
    KeypairRequest, Kv, ParamScope, ParamSpec, RegionInfo, Result, SpecInfo, StatusTable,
    SubnetInfo, VmFilter, VmInfo, VmRequest, VmStatus, VmStatusInfo, VnetInfo, VnetRequest,
    export_adapter,
};

struct Template;

/// Native states → common status.
const STATES: StatusTable = StatusTable(&[
    ("PROVISIONING", VmStatus::Creating),
    ("ACTIVE", VmStatus::Running),
    ("STOPPING", VmStatus::Suspending),
    ("STOPPED", VmStatus::Suspended),
    ("STARTING", VmStatus::Resuming),
    ("REBOOTING", VmStatus::Rebooting),
    ("TERMINATING", VmStatus::Terminating),
    ("TERMINATED", VmStatus::Terminated),
    ("ERROR", VmStatus::Failed),
]);

/// Send one signed request for a regional resource (`path` below the region).
fn call(ctx: &CallContext, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
    send(
        ctx,
        method,
        &format!("/v1/regions/{}{path}", ctx.region),
        body,
    )
}

/// Send one signed request; error answers become contract errors.
fn send(ctx: &CallContext, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
    let base = ctx.endpoint.as_deref().ok_or_else(|| {
        Error::bad_request("set the connection's endpoint to the simulated cloud's URL")
            .field("endpoint")
    })?;
    let mut req = Request::new(method, format!("{}{path}", base.trim_end_matches('/')));
    if let Some(b) = &body {
        req = req.json(b);
    }
    // The simulated cloud's signature: HMAC-SHA256 over method, path, query, date, body hash.
    let date = now_rfc3339();
    let to_sign = format!(
        "{method}\n{path}\n\n{date}\n{}",
        sha256_hex(req.body_bytes())
    );
    let signature = hmac_sha256_hex(ctx.credential("secret_key")?.as_bytes(), to_sign.as_bytes());
    let auth = format!(
        "SIM1-HMAC-SHA256 Credential={}, Signature={signature}",
        ctx.credential("access_key")?
    );
    let resp = req
        .header("x-sim-date", date)
        .header("authorization", auth)
        .send()?;
    let json: Value = if resp.body.is_empty() {
        Value::Null
    } else {
        resp.json()?
    };
    if resp.is_success() {
        return Ok(json);
    }
    let code = json["error"]["code"].as_str().unwrap_or("Unknown");
    let message = json["error"]["message"].as_str().unwrap_or("");
    // Most of the mapping follows from the HTTP status; refine it by code.
    let kind = if code.starts_with("Invalid") && code.ends_with(".NotFound") {
        mcgw_sdk::ErrorKind::BadRequestData
    } else if code == "IncorrectState" || code == "DependencyViolation" {
        mcgw_sdk::ErrorKind::InvalidRequest
    } else {
        Error::kind_for_status(resp.status)
    };
    Err(Error::new(kind, message)
        .csp(code, message)
        .http_status(resp.status))
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn opt(v: &Value) -> Option<String> {
    v.as_str().map(String::from)
}

fn tags(v: &Value) -> Vec<Kv> {
    v.as_object()
        .map(|m| mcgw_sdk::kvs(m.iter().map(|(k, v)| (k.clone(), s(v)))))
        .unwrap_or_default()
}

fn tag_object(tags: &[Kv]) -> Value {
    tags.iter()
        .map(|kv| (kv.key.clone(), json!(kv.value)))
        .collect::<mcgw_sdk::serde_json::Map<_, _>>()
        .into()
}

fn vm(v: &Value) -> VmInfo {
    let ip = opt(&v["public_ip"]);
    VmInfo {
        name: s(&v["name"]),
        id: s(&v["id"]),
        status: STATES.map(v["state"].as_str().unwrap_or("")),
        native_status: s(&v["state"]),
        spec: s(&v["spec"]),
        image: s(&v["image"]),
        region: s(&v["region"]),
        zone: opt(&v["zone"]),
        vnet_id: opt(&v["vpc_id"]),
        subnet_id: opt(&v["subnet_id"]),
        security_group_ids: v["security_group_ids"]
            .as_array()
            .map(|a| a.iter().map(s).collect())
            .unwrap_or_default(),
        keypair_id: opt(&v["keypair_id"]),
        ssh_access_point: ip.as_ref().map(|ip| format!("{ip}:22")),
        public_ip: ip,
        private_ip: opt(&v["private_ip"]),
        tags: tags(&v["tags"]),
        created_at: opt(&v["created_at"]),
    }
}

fn vnet(v: &Value) -> VnetInfo {
    VnetInfo {
        name: s(&v["name"]),
        id: s(&v["id"]),
        cidr: s(&v["cidr"]),
        subnets: v["subnets"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| SubnetInfo {
                        name: s(&x["name"]),
                        id: s(&x["id"]),
                        cidr: s(&x["cidr"]),
                        zone: opt(&x["zone"]),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        status: s(&v["state"]),
        tags: tags(&v["tags"]),
    }
}

fn status(v: &Value) -> VmStatusInfo {
    VmStatusInfo {
        id: s(&v["id"]),
        status: STATES.map(v["state"].as_str().unwrap_or("")),
        native_status: s(&v["state"]),
    }
}

impl Adapter for Template {
    fn describe() -> AdapterInfo {
        AdapterInfo {
            name: "template".into(),
            csp: "SIM".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Template adapter (for the simulated cloud): copy it to write your own"
                .into(),
            capabilities: Capabilities::TAGS | Capabilities::SUSPEND_RESUME,
            parameters: vec![
                ParamSpec {
                    name: "access_key".into(),
                    scope: ParamScope::Credential,
                    mandatory: true,
                    description: "Access key".into(),
                },
                ParamSpec {
                    name: "secret_key".into(),
                    scope: ParamScope::Credential,
                    mandatory: true,
                    description: "Secret key".into(),
                },
            ],
            // Your cloud's API hosts, e.g. "api.example-cloud.com" or "*.example-cloud.com".
            outbound_hosts: vec![],
        }
    }

    fn list_regions(ctx: CallContext) -> Result<Vec<RegionInfo>> {
        let v = send(&ctx, "GET", "/v1/regions", None)?;
        Ok(v["regions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| RegionInfo {
                name: s(&r["name"]),
                display_name: s(&r["display_name"]),
                location: match (r["latitude"].as_f64(), r["longitude"].as_f64()) {
                    (Some(latitude), Some(longitude)) => Some(mcgw_sdk::GeoLocation {
                        latitude,
                        longitude,
                    }),
                    _ => None,
                },
                zones: r["zones"]
                    .as_array()
                    .map(|z| z.iter().map(s).collect())
                    .unwrap_or_default(),
            })
            .collect())
    }

    fn list_images(ctx: CallContext) -> Result<Vec<ImageInfo>> {
        let v = call(&ctx, "GET", "/images", None)?;
        Ok(v["images"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| ImageInfo {
                id: s(&i["id"]),
                name: s(&i["name"]),
                os_type: opt(&i["os_type"]),
                os_distribution: opt(&i["os_distribution"]),
                architecture: opt(&i["architecture"]),
                min_disk_gib: i["min_disk_gib"].as_u64().map(|n| n as u32),
                status: s(&i["status"]),
                public: i["public"].as_bool().unwrap_or(true),
            })
            .collect())
    }

    fn list_specs(ctx: CallContext) -> Result<Vec<SpecInfo>> {
        let v = call(&ctx, "GET", "/specs", None)?;
        Ok(v["specs"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| SpecInfo {
                name: s(&x["name"]),
                vcpus: x["vcpus"].as_u64().unwrap_or(0) as u32,
                memory_mib: x["memory_mib"].as_u64().unwrap_or(0),
                disk_gib: x["disk_gib"].as_u64().map(|n| n as u32),
                gpu: None,
                price_per_hour: x["price_per_hour"].as_f64(),
                currency: opt(&x["currency"]),
                architecture: opt(&x["architecture"]),
            })
            .collect())
    }

    fn create_vnet(ctx: CallContext, req: VnetRequest) -> Result<VnetInfo> {
        let v = call(
            &ctx,
            "POST",
            "/vpcs",
            Some(json!({"name": req.name, "cidr": req.cidr, "tags": tag_object(&req.tags)})),
        )?;
        let id = s(&v["id"]);
        for sub in &req.subnets {
            let body = json!({"name": sub.name, "cidr": sub.cidr, "zone": sub.zone});
            if let Err(e) = call(&ctx, "POST", &format!("/vpcs/{id}/subnets"), Some(body)) {
                let _ = call(&ctx, "DELETE", &format!("/vpcs/{id}"), None);
                return Err(e);
            }
        }
        Ok(vnet(&call(&ctx, "GET", &format!("/vpcs/{id}"), None)?))
    }

    fn get_vnet(ctx: CallContext, id: String) -> Result<VnetInfo> {
        Ok(vnet(&call(&ctx, "GET", &format!("/vpcs/{id}"), None)?))
    }

    fn delete_vnet(ctx: CallContext, id: String) -> Result<()> {
        call(&ctx, "DELETE", &format!("/vpcs/{id}"), None).map(|_| ())
    }

    fn create_keypair(ctx: CallContext, req: KeypairRequest) -> Result<KeypairInfo> {
        let v = call(
            &ctx,
            "POST",
            "/keypairs",
            Some(
                json!({"name": req.name, "public_key": req.public_key, "tags": tag_object(&req.tags)}),
            ),
        )?;
        Ok(KeypairInfo {
            name: s(&v["name"]),
            id: s(&v["id"]),
            fingerprint: s(&v["fingerprint"]),
            public_key: opt(&v["public_key"]),
            private_key: opt(&v["private_key"]),
        })
    }

    fn delete_keypair(ctx: CallContext, id: String) -> Result<()> {
        call(&ctx, "DELETE", &format!("/keypairs/{id}"), None).map(|_| ())
    }

    fn create_vm(ctx: CallContext, req: VmRequest) -> Result<VmInfo> {
        let body = json!({"name": req.name, "spec": req.spec, "image": req.image, "vpc_id": req.vnet_id,
            "subnet_id": req.subnet_id, "security_group_ids": req.security_group_ids, "keypair_id": req.keypair_id,
            "user_data": req.user_data, "tags": tag_object(&req.tags), "count": 1});
        let v = call(&ctx, "POST", "/instances", Some(body))?;
        v["instances"]
            .get(0)
            .map(vm)
            .ok_or_else(|| Error::csp_failure("no instance in the answer"))
    }

    fn get_vm(ctx: CallContext, id: String) -> Result<VmInfo> {
        Ok(vm(&call(&ctx, "GET", &format!("/instances/{id}"), None)?))
    }

    fn list_vms(ctx: CallContext, _filter: VmFilter) -> Result<Vec<VmInfo>> {
        // One page is enough for a template; see components/sim for paging and tag filters.
        let v = call(&ctx, "GET", "/instances", None)?;
        Ok(v["instances"]
            .as_array()
            .into_iter()
            .flatten()
            .map(vm)
            .collect())
    }

    fn suspend_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        Ok(status(&call(
            &ctx,
            "POST",
            &format!("/instances/{id}/actions"),
            Some(json!({"action": "stop"})),
        )?))
    }

    fn resume_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        Ok(status(&call(
            &ctx,
            "POST",
            &format!("/instances/{id}/actions"),
            Some(json!({"action": "start"})),
        )?))
    }

    fn reboot_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        Ok(status(&call(
            &ctx,
            "POST",
            &format!("/instances/{id}/actions"),
            Some(json!({"action": "reboot"})),
        )?))
    }

    fn terminate_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        match call(&ctx, "DELETE", &format!("/instances/{id}"), None) {
            Ok(v) => Ok(status(&v)),
            Err(e) if e.kind() == mcgw_sdk::ErrorKind::NotFound => Ok(VmStatusInfo {
                id,
                status: VmStatus::Terminated,
                native_status: "TERMINATED".into(),
            }),
            Err(e) => Err(e),
        }
    }
}

export_adapter!(Template);
