//! mcgw adapter for the simulated cloud (`mcgw-sim`, dialect in docs/sim-api.md).
//!
//! It reaches the cloud only through host HTTP, exactly like a public-cloud adapter.

mod api;
mod map;
mod wire;

use api::Client;
use mcgw_sdk::{
    Adapter, AdapterInfo, CallContext, Capabilities, Error, GeoLocation, GpuInfo, ImageInfo,
    KeypairInfo, KeypairRequest, Kv, ParamScope, ParamSpec, RegionInfo, Result, RuleDirection,
    SecurityGroupInfo, SecurityGroupRequest, SecurityRule, SpecInfo, SubnetInfo, SubnetRequest,
    VmFilter, VmInfo, VmRequest, VmStatus, VmStatusInfo, VnetInfo, VnetRequest, export_adapter,
};
use wire::Tags;

struct Sim;

fn tags_out(tags: &[Kv]) -> Tags {
    tags.iter()
        .map(|kv| (kv.key.clone(), kv.value.clone()))
        .collect()
}

fn tags_in(tags: Tags) -> Vec<Kv> {
    mcgw_sdk::kvs(tags)
}

fn subnet(s: wire::Subnet) -> SubnetInfo {
    SubnetInfo {
        name: s.name,
        id: s.id,
        cidr: s.cidr,
        zone: s.zone,
    }
}

fn vnet(v: wire::Vpc) -> VnetInfo {
    VnetInfo {
        name: v.name,
        id: v.id,
        cidr: v.cidr,
        subnets: v.subnets.into_iter().map(subnet).collect(),
        status: v.state,
        tags: tags_in(v.tags),
    }
}

fn rule_in(r: wire::Rule) -> SecurityRule {
    SecurityRule {
        direction: if r.direction == "egress" {
            RuleDirection::Outbound
        } else {
            RuleDirection::Inbound
        },
        protocol: r.protocol,
        from_port: r.from_port,
        to_port: r.to_port,
        cidr: r.cidr,
    }
}

fn security_group(g: wire::SecurityGroup) -> SecurityGroupInfo {
    SecurityGroupInfo {
        name: g.name,
        id: g.id,
        vnet_id: g.vpc_id,
        rules: g.rules.into_iter().map(rule_in).collect(),
        tags: tags_in(g.tags),
    }
}

fn keypair(k: wire::KeyPair) -> KeypairInfo {
    KeypairInfo {
        name: k.name,
        id: k.id,
        fingerprint: k.fingerprint,
        public_key: k.public_key,
        private_key: k.private_key,
    }
}

fn vm(i: wire::Instance) -> VmInfo {
    let ssh = i.public_ip.as_ref().map(|ip| format!("{ip}:22"));
    VmInfo {
        name: i.name,
        status: map::STATES.map(&i.state),
        native_status: i.state,
        id: i.id,
        spec: i.spec,
        image: i.image,
        region: i.region,
        zone: i.zone,
        vnet_id: i.vpc_id,
        subnet_id: i.subnet_id,
        security_group_ids: i.security_group_ids,
        keypair_id: i.keypair_id,
        public_ip: i.public_ip,
        private_ip: i.private_ip,
        ssh_access_point: ssh,
        tags: tags_in(i.tags),
        created_at: i.created_at,
    }
}

fn status(i: wire::Instance) -> VmStatusInfo {
    VmStatusInfo {
        id: i.id,
        status: map::STATES.map(&i.state),
        native_status: i.state,
    }
}

fn launch(ctx: &CallContext, req: &VmRequest, count: u32) -> Result<Vec<VmInfo>> {
    let c = Client::new(ctx)?;
    let root_disk =
        (req.root_disk_type.is_some() || req.root_disk_gib.is_some()).then_some(wire::RootDisk {
            kind: req.root_disk_type.as_deref(),
            size_gib: req.root_disk_gib,
        });
    let body = wire::NewInstances {
        name: &req.name,
        spec: &req.spec,
        image: &req.image,
        vpc_id: req.vnet_id.as_deref(),
        subnet_id: req.subnet_id.as_deref(),
        security_group_ids: &req.security_group_ids,
        keypair_id: req.keypair_id.as_deref(),
        zone: ctx.zone.as_deref(),
        root_disk,
        user_data: req.user_data.as_deref(),
        tags: tags_out(&req.tags),
        count,
    };
    let out: wire::InstanceList = c.post(&format!("{}/instances", c.region_path), &body)?;
    Ok(out.instances.into_iter().map(vm).collect())
}

fn action(ctx: &CallContext, id: &str, verb: &str) -> Result<VmStatusInfo> {
    let c = Client::new(ctx)?;
    let path = format!("{}/instances/{}/actions", c.region_path, enc(id));
    let i: wire::Instance = c.post(&path, &wire::Action { action: verb })?;
    Ok(status(i))
}

fn enc(s: &str) -> String {
    mcgw_sdk::http::encode(s)
}

impl Adapter for Sim {
    fn describe() -> AdapterInfo {
        AdapterInfo {
            name: "sim".into(),
            csp: "SIM".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "The built-in simulated cloud (mcgw-sim), reached over its REST API"
                .into(),
            capabilities: Capabilities::ZONE_BASED_CONTROL
                | Capabilities::NATIVE_BATCH_CREATE
                | Capabilities::TAGS
                | Capabilities::KEYPAIR_IMPORT
                | Capabilities::SUSPEND_RESUME,
            parameters: vec![
                ParamSpec {
                    name: "access_key".into(),
                    scope: ParamScope::Credential,
                    mandatory: true,
                    description: "Access key of the simulated account".into(),
                },
                ParamSpec {
                    name: "secret_key".into(),
                    scope: ParamScope::Credential,
                    mandatory: true,
                    description: "Secret key that signs every request".into(),
                },
            ],
            // The simulated cloud has no public address: only the connection's
            // endpoint (always allowed by the host) is ever called.
            outbound_hosts: vec![],
        }
    }

    fn list_regions(ctx: CallContext) -> Result<Vec<RegionInfo>> {
        let c = Client::new(&ctx)?;
        let out: wire::Regions = c.get("/v1/regions", &[])?;
        Ok(out
            .regions
            .into_iter()
            .map(|r| RegionInfo {
                location: match (r.latitude, r.longitude) {
                    (Some(latitude), Some(longitude)) => Some(GeoLocation {
                        latitude,
                        longitude,
                    }),
                    _ => None,
                },
                name: r.name,
                display_name: r.display_name,
                zones: r.zones,
            })
            .collect())
    }

    fn list_images(ctx: CallContext) -> Result<Vec<ImageInfo>> {
        let c = Client::new(&ctx)?;
        let out: wire::Images = c.get(&format!("{}/images", c.region_path), &[])?;
        Ok(out.images.into_iter().map(image).collect())
    }

    fn get_image(ctx: CallContext, id: String) -> Result<ImageInfo> {
        let c = Client::new(&ctx)?;
        let i: wire::Image = c.get(&format!("{}/images/{}", c.region_path, enc(&id)), &[])?;
        Ok(image(i))
    }

    fn list_specs(ctx: CallContext) -> Result<Vec<SpecInfo>> {
        let c = Client::new(&ctx)?;
        let out: wire::Specs = c.get(&format!("{}/specs", c.region_path), &[])?;
        Ok(out.specs.into_iter().map(spec).collect())
    }

    fn get_spec(ctx: CallContext, name: String) -> Result<SpecInfo> {
        let c = Client::new(&ctx)?;
        let s: wire::Spec = c.get(&format!("{}/specs/{}", c.region_path, enc(&name)), &[])?;
        Ok(spec(s))
    }

    fn create_vnet(ctx: CallContext, req: VnetRequest) -> Result<VnetInfo> {
        let c = Client::new(&ctx)?;
        let body = wire::NewVpc {
            name: &req.name,
            cidr: &req.cidr,
            tags: tags_out(&req.tags),
        };
        let v: wire::Vpc = c.post(&format!("{}/vpcs", c.region_path), &body)?;
        for s in &req.subnets {
            if let Err(e) = Self::add_subnet(ctx.clone(), v.id.clone(), s.clone()) {
                // All or nothing: do not leave a half-built vnet behind.
                let _ = Self::delete_vnet(ctx.clone(), v.id.clone());
                return Err(e);
            }
        }
        Self::get_vnet(ctx, v.id)
    }

    fn get_vnet(ctx: CallContext, id: String) -> Result<VnetInfo> {
        let c = Client::new(&ctx)?;
        let v: wire::Vpc = c.get(&format!("{}/vpcs/{}", c.region_path, enc(&id)), &[])?;
        Ok(vnet(v))
    }

    fn list_vnets(ctx: CallContext) -> Result<Vec<VnetInfo>> {
        let c = Client::new(&ctx)?;
        let out: wire::Vpcs = c.get(&format!("{}/vpcs", c.region_path), &[])?;
        Ok(out.vpcs.into_iter().map(vnet).collect())
    }

    fn delete_vnet(ctx: CallContext, id: String) -> Result<()> {
        let c = Client::new(&ctx)?;
        c.delete(&format!("{}/vpcs/{}", c.region_path, enc(&id)))?;
        Ok(())
    }

    fn add_subnet(ctx: CallContext, vnet_id: String, req: SubnetRequest) -> Result<SubnetInfo> {
        let c = Client::new(&ctx)?;
        let body = wire::NewSubnet {
            name: &req.name,
            cidr: &req.cidr,
            zone: req.zone.as_deref().or(ctx.zone.as_deref()),
        };
        let path = format!("{}/vpcs/{}/subnets", c.region_path, enc(&vnet_id));
        let s: wire::Subnet = c.post(&path, &body)?;
        Ok(subnet(s))
    }

    fn delete_subnet(ctx: CallContext, vnet_id: String, subnet_id: String) -> Result<()> {
        let c = Client::new(&ctx)?;
        let path = format!(
            "{}/vpcs/{}/subnets/{}",
            c.region_path,
            enc(&vnet_id),
            enc(&subnet_id)
        );
        c.delete(&path)?;
        Ok(())
    }

    fn create_security_group(
        ctx: CallContext,
        req: SecurityGroupRequest,
    ) -> Result<SecurityGroupInfo> {
        let c = Client::new(&ctx)?;
        let rules = req
            .rules
            .iter()
            .map(|r| wire::Rule {
                direction: match r.direction {
                    RuleDirection::Inbound => "ingress".into(),
                    RuleDirection::Outbound => "egress".into(),
                },
                protocol: r.protocol.clone(),
                from_port: r.from_port,
                to_port: r.to_port,
                cidr: r.cidr.clone(),
            })
            .collect();
        let body = wire::NewSecurityGroup {
            name: &req.name,
            vpc_id: &req.vnet_id,
            description: &req.description,
            rules,
            tags: tags_out(&req.tags),
        };
        let g: wire::SecurityGroup =
            c.post(&format!("{}/security-groups", c.region_path), &body)?;
        Ok(security_group(g))
    }

    fn get_security_group(ctx: CallContext, id: String) -> Result<SecurityGroupInfo> {
        let c = Client::new(&ctx)?;
        let path = format!("{}/security-groups/{}", c.region_path, enc(&id));
        Ok(security_group(c.get(&path, &[])?))
    }

    fn list_security_groups(ctx: CallContext) -> Result<Vec<SecurityGroupInfo>> {
        let c = Client::new(&ctx)?;
        let out: wire::SecurityGroups =
            c.get(&format!("{}/security-groups", c.region_path), &[])?;
        Ok(out
            .security_groups
            .into_iter()
            .map(security_group)
            .collect())
    }

    fn delete_security_group(ctx: CallContext, id: String) -> Result<()> {
        let c = Client::new(&ctx)?;
        c.delete(&format!("{}/security-groups/{}", c.region_path, enc(&id)))?;
        Ok(())
    }

    fn create_keypair(ctx: CallContext, req: KeypairRequest) -> Result<KeypairInfo> {
        let c = Client::new(&ctx)?;
        let body = wire::NewKeyPair {
            name: &req.name,
            public_key: req.public_key.as_deref(),
            tags: tags_out(&req.tags),
        };
        let k: wire::KeyPair = c.post(&format!("{}/keypairs", c.region_path), &body)?;
        Ok(keypair(k))
    }

    fn get_keypair(ctx: CallContext, id: String) -> Result<KeypairInfo> {
        let c = Client::new(&ctx)?;
        let k: wire::KeyPair = c.get(&format!("{}/keypairs/{}", c.region_path, enc(&id)), &[])?;
        Ok(KeypairInfo {
            private_key: None,
            ..keypair(k)
        })
    }

    fn list_keypairs(ctx: CallContext) -> Result<Vec<KeypairInfo>> {
        let c = Client::new(&ctx)?;
        let out: wire::KeyPairs = c.get(&format!("{}/keypairs", c.region_path), &[])?;
        Ok(out
            .keypairs
            .into_iter()
            .map(|k| KeypairInfo {
                private_key: None,
                ..keypair(k)
            })
            .collect())
    }

    fn delete_keypair(ctx: CallContext, id: String) -> Result<()> {
        let c = Client::new(&ctx)?;
        c.delete(&format!("{}/keypairs/{}", c.region_path, enc(&id)))?;
        Ok(())
    }

    fn create_vm(ctx: CallContext, req: VmRequest) -> Result<VmInfo> {
        launch(&ctx, &req, 1)?
            .into_iter()
            .next()
            .ok_or_else(|| Error::csp_failure("the simulated cloud launched no instance"))
    }

    fn create_vms(ctx: CallContext, req: VmRequest) -> Result<Vec<VmInfo>> {
        launch(&ctx, &req, req.count.max(1))
    }

    fn get_vm(ctx: CallContext, id: String) -> Result<VmInfo> {
        let c = Client::new(&ctx)?;
        let i: wire::Instance = c.get(&format!("{}/instances/{}", c.region_path, enc(&id)), &[])?;
        Ok(vm(i))
    }

    fn list_vms(ctx: CallContext, filter: VmFilter) -> Result<Vec<VmInfo>> {
        let c = Client::new(&ctx)?;
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        // Bounded: 10,000 pages of 200 is far beyond any account's quota.
        for _ in 0..10_000 {
            let mut query: Vec<(&str, String)> = filter
                .tags
                .iter()
                .map(|kv| ("tag", format!("{}={}", kv.key, kv.value)))
                .collect();
            query.push(("limit", "200".into()));
            if let Some(t) = &token {
                query.push(("page_token", t.clone()));
            }
            let page: wire::InstanceList =
                c.get(&format!("{}/instances", c.region_path), &query)?;
            all.extend(page.instances.into_iter().map(vm));
            match page.next_page_token {
                Some(t) if !t.is_empty() => token = Some(t),
                _ => return Ok(all),
            }
        }
        Err(Error::csp_failure(
            "instance listing did not end after 10,000 pages",
        ))
    }

    fn vm_status(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        let c = Client::new(&ctx)?;
        let path = format!("{}/instances/{}/state", c.region_path, enc(&id));
        let s: wire::InstanceState = c.get(&path, &[])?;
        Ok(VmStatusInfo {
            id: s.id,
            status: map::STATES.map(&s.state),
            native_status: s.state,
        })
    }

    fn suspend_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        action(&ctx, &id, "stop")
    }

    fn resume_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        action(&ctx, &id, "start")
    }

    fn reboot_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        action(&ctx, &id, "reboot")
    }

    fn terminate_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        let c = Client::new(&ctx)?;
        match c.delete(&format!("{}/instances/{}", c.region_path, enc(&id))) {
            Ok(resp) => Ok(status(resp.json()?)),
            // Already gone: terminating is idempotent by contract.
            Err(e) if e.kind() == mcgw_sdk::ErrorKind::NotFound => Ok(VmStatusInfo {
                id,
                status: VmStatus::Terminated,
                native_status: "TERMINATED".into(),
            }),
            Err(e) => Err(e),
        }
    }
}

fn image(i: wire::Image) -> ImageInfo {
    ImageInfo {
        id: i.id,
        name: i.name,
        os_type: i.os_type,
        os_distribution: i.os_distribution,
        architecture: i.architecture,
        min_disk_gib: i.min_disk_gib,
        status: i.status,
        public: i.public,
    }
}

fn spec(s: wire::Spec) -> SpecInfo {
    SpecInfo {
        name: s.name,
        vcpus: s.vcpus,
        memory_mib: s.memory_mib,
        disk_gib: s.disk_gib,
        gpu: s.gpu.map(|g| GpuInfo {
            count: g.count,
            model: g.model,
            memory_mib: g.memory_mib,
        }),
        price_per_hour: s.price_per_hour,
        currency: s.currency,
        architecture: s.architecture,
    }
}

export_adapter!(Sim);
