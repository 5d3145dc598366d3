//! Instances: launch (one or a batch in one RunInstances), read, list by tag,
//! and the lifecycle actions.
//!
//! The actions check the instance's state first and refuse what EC2 refuses
//! (starting a terminated instance, rebooting a stopped one, ...), so the
//! adapter answers with EC2's semantics even against EC2-compatible clouds
//! that are more lenient (moto lets a terminated instance start again). The
//! same check makes a repeated suspend or resume a harmless no-op.

use crate::api::{Client, Params};
use crate::{map, tags, wire};
use base64::Engine;
use mcgw_sdk::{
    CallContext, Error, ErrorKind, Result, VmFilter, VmInfo, VmRequest, VmStatus, VmStatusInfo,
};

/// The root device name when an image does not say (EC2's Linux default).
const DEFAULT_ROOT_DEVICE: &str = "/dev/xvda";

/// Launch `count` identical instances in one RunInstances call.
/// `MinCount = MaxCount = count` makes it all or nothing at EC2.
pub fn launch(ctx: &CallContext, req: &VmRequest, count: u32) -> Result<Vec<VmInfo>> {
    let c = Client::new(ctx)?;
    if req.vnet_id.is_some() && req.subnet_id.is_none() {
        return Err(Error::bad_request(
            "EC2 places an instance in a VPC through one of its subnets: name the subnet",
        )
        .field("subnet"));
    }
    let n = count.max(1).to_string();
    let vm_tags = tags::with_name(&req.tags, &req.name);
    let mut p = Params::new()
        .set("ImageId", &req.image)
        .set("InstanceType", &req.spec)
        .set("MinCount", &n)
        .set("MaxCount", &n)
        .opt("SubnetId", req.subnet_id.as_ref())
        .list("SecurityGroupId", &req.security_group_ids)
        .opt("KeyName", req.keypair_id.as_ref())
        .tags(1, "instance", &vm_tags)
        .tags(2, "volume", &vm_tags);
    if req.subnet_id.is_none() {
        p = p.opt("Placement.AvailabilityZone", ctx.zone.as_ref());
    }
    if let Some(data) = &req.user_data {
        p = p.set(
            "UserData",
            base64::engine::general_purpose::STANDARD.encode(data),
        );
    }
    if req.root_disk_type.is_some() || req.root_disk_gib.is_some() {
        let device = root_device(&c, &req.image)?;
        let b = "BlockDeviceMapping.1";
        p = p
            .set(format!("{b}.DeviceName"), device)
            .set(format!("{b}.Ebs.DeleteOnTermination"), "true")
            .opt(
                &format!("{b}.Ebs.VolumeSize"),
                req.root_disk_gib.map(|g| g.to_string()),
            )
            .opt(&format!("{b}.Ebs.VolumeType"), req.root_disk_type.as_ref());
    }
    let launched: wire::Reservation = c.call(&map::RUN_INSTANCES, p)?;
    let mut instances = launched.instances_set.into_vec();
    instances.sort_by_key(|i| i.ami_launch_index.unwrap_or(0));
    let batch = instances.len() > 1 && !req.tags.iter().any(|t| t.key == "Name");
    let mut out = Vec::with_capacity(instances.len());
    for (i, inst) in instances.into_iter().enumerate() {
        let mut vm = vm(inst, c.region(), &req.name);
        if batch {
            // The batch path names each VM `name-1`, `name-2`, ... like the
            // contract's per-VM fallback; EC2 launched them all as `name`.
            let name = format!("{}-{}", req.name, i + 1);
            let p = Params::new()
                .set("ResourceId.1", &vm.id)
                .set("Tag.1.Key", "Name")
                .set("Tag.1.Value", &name);
            c.act(&map::CREATE_TAGS, p)?;
            for t in vm.tags.iter_mut().filter(|t| t.key == "Name") {
                t.value = name.clone();
            }
            vm.name = name;
        }
        out.push(vm);
    }
    Ok(out)
}

/// The image's root device name, for a root disk of another size or type.
fn root_device(c: &Client, image: &str) -> Result<String> {
    let out: wire::Images = c.call(&map::IMAGE_OF_VM, Params::new().set("ImageId.1", image))?;
    let img = out.images_set.into_iter().next().ok_or_else(|| {
        Error::bad_request(format!("image {image} does not exist")).field("image")
    })?;
    Ok(img
        .root_device_name
        .unwrap_or_else(|| DEFAULT_ROOT_DEVICE.into()))
}

/// The contract's record of an EC2 instance.
fn vm(i: wire::Instance, region: &str, fallback_name: &str) -> VmInfo {
    let name = tags::name(&i.tag_set).unwrap_or_else(|| {
        if fallback_name.is_empty() {
            i.instance_id.clone()
        } else {
            fallback_name.to_string()
        }
    });
    let native = i.instance_state.name;
    VmInfo {
        name,
        status: map::STATES.map(&native),
        native_status: native,
        ssh_access_point: i.ip_address.as_ref().map(|ip| format!("{ip}:22")),
        id: i.instance_id,
        spec: i.instance_type,
        image: i.image_id,
        region: region.to_string(),
        zone: i.placement.and_then(|p| p.availability_zone),
        vnet_id: i.vpc_id,
        subnet_id: i.subnet_id,
        security_group_ids: i.group_set.into_iter().map(|g| g.group_id).collect(),
        keypair_id: i.key_name,
        public_ip: i.ip_address,
        private_ip: i.private_ip_address,
        tags: tags::from_wire(i.tag_set),
        created_at: i.launch_time,
    }
}

/// One instance by id; not-found when EC2 does not know it.
pub fn get(ctx: &CallContext, id: &str) -> Result<VmInfo> {
    let c = Client::new(ctx)?;
    let p = Params::new().set("InstanceId.1", id);
    let out: wire::Reservations = c.call(&map::DESCRIBE_INSTANCES, p)?;
    out.reservation_set
        .into_iter()
        .flat_map(|r| r.instances_set)
        .next()
        .map(|i| vm(i, c.region(), ""))
        .ok_or_else(|| Error::not_found(format!("instance {id} does not exist")))
}

/// Every instance carrying all the filter's tags, all pages.
pub fn list(ctx: &CallContext, filter: &VmFilter) -> Result<Vec<VmInfo>> {
    let c = Client::new(ctx)?;
    let mut p = Params::new();
    for (n, t) in filter.tags.iter().enumerate() {
        p = p.filter(n + 1, &format!("tag:{}", t.key), &[&t.value]);
    }
    let reservations = c.all::<wire::Reservations>(&map::LIST_INSTANCES, p)?;
    Ok(reservations
        .into_iter()
        .flat_map(|r| r.instances_set)
        .map(|i| vm(i, c.region(), ""))
        .collect())
}

fn status(id: String, native: String) -> VmStatusInfo {
    VmStatusInfo {
        id,
        status: map::STATES.map(&native),
        native_status: native,
    }
}

/// The state alone (DescribeInstanceStatus, much smaller than a whole
/// instance); falls back to DescribeInstances for instances it leaves out.
pub fn state(ctx: &CallContext, id: &str) -> Result<VmStatusInfo> {
    let c = Client::new(ctx)?;
    let p = Params::new()
        .set("InstanceId.1", id)
        .set("IncludeAllInstances", "true");
    let out: wire::InstanceStatuses = c.call(&map::DESCRIBE_STATUS, p)?;
    match out.instance_status_set.into_iter().next() {
        Some(s) => Ok(status(s.instance_id, s.instance_state.name)),
        None => {
            let vm = get(ctx, id)?;
            Ok(status(vm.id, vm.native_status))
        }
    }
}

/// A state change call's answer for `id`.
fn changed(c: &Client, op: &map::Op, id: &str) -> Result<VmStatusInfo> {
    let out: wire::StateChanges = c.call(op, Params::new().set("InstanceId.1", id))?;
    out.instances_set
        .into_iter()
        .find(|s| s.instance_id == id)
        .map(|s| status(s.instance_id, s.current_state.name))
        .ok_or_else(|| Error::csp_failure(format!("EC2 {} did not mention {id}", op.action)))
}

fn refuse(action: &str, id: &str, now: &VmStatusInfo) -> Error {
    Error::invalid_request(format!(
        "cannot {action} instance {id}: it is {}",
        now.native_status
    ))
}

/// Stop a running instance; a stopped or stopping one is left as it is.
pub fn suspend(ctx: &CallContext, id: &str) -> Result<VmStatusInfo> {
    let now = state(ctx, id)?;
    match now.native_status.as_str() {
        "stopped" | "stopping" => Ok(now),
        "running" => changed(&Client::new(ctx)?, &map::STOP, id),
        _ => Err(refuse("suspend", id, &now)),
    }
}

/// Start a stopped instance; a running or starting one is left as it is.
pub fn resume(ctx: &CallContext, id: &str) -> Result<VmStatusInfo> {
    let now = state(ctx, id)?;
    match now.native_status.as_str() {
        "running" | "pending" => Ok(now),
        "stopped" => {
            let mut s = changed(&Client::new(ctx)?, &map::START, id)?;
            // A started instance passes through `pending` like a new one;
            // here it is known to be a resume.
            if s.status == VmStatus::Creating {
                s.status = VmStatus::Resuming;
            }
            Ok(s)
        }
        _ => Err(refuse("resume", id, &now)),
    }
}

/// Reboot a running instance. EC2 keeps it `running` throughout and answers
/// only "true", so the answer is `rebooting` with EC2's own word, `running`.
pub fn reboot(ctx: &CallContext, id: &str) -> Result<VmStatusInfo> {
    let now = state(ctx, id)?;
    if now.native_status != "running" {
        return Err(refuse("reboot", id, &now));
    }
    Client::new(ctx)?.act(&map::REBOOT, Params::new().set("InstanceId.1", id))?;
    Ok(VmStatusInfo {
        status: VmStatus::Rebooting,
        ..now
    })
}

/// Terminate; an instance EC2 no longer knows is terminated already.
pub fn terminate(ctx: &CallContext, id: &str) -> Result<VmStatusInfo> {
    match changed(&Client::new(ctx)?, &map::TERMINATE, id) {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            Ok(status(id.to_string(), "terminated".to_string()))
        }
        other => other,
    }
}
