//! Vnets (VPCs) and subnets.
//!
//! A vnet is made usable the way a VM user expects: besides the VPC and its
//! subnets, the adapter attaches an internet gateway, routes `0.0.0.0/0` to it
//! in the VPC's main route table and lets subnets give instances a public IPv4
//! address, so a VM in it gets an SSH access point. Deleting a vnet removes all
//! of that again (EC2 refuses to delete a VPC that still has any of it).

use crate::api::{Client, Params};
use crate::{map, tags, wire};
use mcgw_sdk::{CallContext, Error, Kv, Result, SubnetInfo, SubnetRequest, VnetInfo, VnetRequest};

/// Create the VPC, its internet access and its subnets: all or nothing.
pub fn create_vnet(ctx: &CallContext, req: &VnetRequest) -> Result<VnetInfo> {
    let c = Client::new(ctx)?;
    let vpc_tags = tags::with_name(&req.tags, &req.name);
    let p = Params::new()
        .set("CidrBlock", &req.cidr)
        .tags(1, "vpc", &vpc_tags);
    let vpc = c.call::<wire::VpcCreated>(&map::CREATE_VPC, p)?.vpc;
    let built = (|| {
        internet_access(&c, &vpc.vpc_id, &vpc_tags)?;
        let mut subnets = Vec::new();
        for (i, s) in req.subnets.iter().enumerate() {
            let made = add(&c, ctx, &vpc.vpc_id, s, &req.tags).map_err(|mut e| {
                // Name the subnet at fault in the vnet request's terms.
                e.0.field = Some(match e.0.field.take() {
                    Some(f) => format!("subnets[{i}].{f}"),
                    None => format!("subnets[{i}]"),
                });
                e
            })?;
            subnets.push(made);
        }
        Ok(subnets)
    })();
    match built {
        Ok(subnets) => Ok(VnetInfo {
            name: req.name.clone(),
            id: vpc.vpc_id,
            cidr: vpc.cidr_block,
            subnets,
            status: vpc.state,
            tags: tags::from_wire(vpc.tag_set),
        }),
        Err(e) => {
            if let Err(cleanup) = teardown(&c, &vpc.vpc_id) {
                mcgw_sdk::log::warn(&format!(
                    "vpc {} left behind after a failed create: {cleanup}",
                    vpc.vpc_id
                ));
            }
            Err(e)
        }
    }
}

/// Internet gateway, attached, and the default route to it.
fn internet_access(c: &Client, vpc_id: &str, vpc_tags: &[Kv]) -> Result<()> {
    let p = Params::new().tags(1, "internet-gateway", vpc_tags);
    let igw = c
        .call::<wire::GatewayCreated>(&map::CREATE_IGW, p)?
        .internet_gateway
        .internet_gateway_id;
    c.act(
        &map::ATTACH_IGW,
        Params::new()
            .set("InternetGatewayId", &igw)
            .set("VpcId", vpc_id),
    )?;
    let p = Params::new()
        .filter(1, "vpc-id", &[vpc_id])
        .filter(2, "association.main", &["true"]);
    let table = c
        .all::<wire::RouteTables>(&map::DESCRIBE_ROUTE_TABLES, p)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::csp_failure(format!("vpc {vpc_id} has no main route table")))?;
    c.act(
        &map::CREATE_ROUTE,
        Params::new()
            .set("RouteTableId", table.route_table_id)
            .set("DestinationCidrBlock", "0.0.0.0/0")
            .set("GatewayId", igw),
    )
}

/// One subnet, named by its `Name` tag, giving its instances public addresses.
fn add(
    c: &Client,
    ctx: &CallContext,
    vpc_id: &str,
    req: &SubnetRequest,
    extra_tags: &[Kv],
) -> Result<SubnetInfo> {
    let subnet_tags = tags::with_name(
        &extra_tags
            .iter()
            .filter(|t| t.key != "Name")
            .cloned()
            .collect::<Vec<_>>(),
        &req.name,
    );
    let p = Params::new()
        .set("VpcId", vpc_id)
        .set("CidrBlock", &req.cidr)
        .opt("AvailabilityZone", req.zone.as_ref().or(ctx.zone.as_ref()))
        .tags(1, "subnet", &subnet_tags);
    let s = c
        .call::<wire::SubnetCreated>(&map::CREATE_SUBNET, p)?
        .subnet;
    let public = Params::new()
        .set("SubnetId", &s.subnet_id)
        .set("MapPublicIpOnLaunch.Value", "true");
    if let Err(e) = c.act(&map::MODIFY_SUBNET, public) {
        let _ = c.act(
            &map::DELETE_SUBNET,
            Params::new().set("SubnetId", &s.subnet_id),
        );
        return Err(e);
    }
    Ok(subnet(s, Some(&req.name)))
}

fn subnet(s: wire::Subnet, name: Option<&str>) -> SubnetInfo {
    SubnetInfo {
        name: tags::name(&s.tag_set)
            .or(name.map(String::from))
            .unwrap_or_else(|| s.subnet_id.clone()),
        id: s.subnet_id,
        cidr: s.cidr_block,
        zone: s.availability_zone,
    }
}

fn vnet(v: wire::Vpc, subnets: Vec<SubnetInfo>) -> VnetInfo {
    VnetInfo {
        name: tags::name(&v.tag_set).unwrap_or_else(|| v.vpc_id.clone()),
        id: v.vpc_id,
        cidr: v.cidr_block,
        subnets,
        status: v.state,
        tags: tags::from_wire(v.tag_set),
    }
}

/// One VPC with its subnets.
pub fn get_vnet(ctx: &CallContext, id: &str) -> Result<VnetInfo> {
    let c = Client::new(ctx)?;
    let out: wire::Vpcs = c.call(&map::DESCRIBE_VPCS, Params::new().set("VpcId.1", id))?;
    let v = out
        .vpc_set
        .into_iter()
        .next()
        .ok_or_else(|| Error::not_found(format!("vpc {id} does not exist")))?;
    let p = Params::new().filter(1, "vpc-id", &[id]);
    let subnets = c.all::<wire::Subnets>(&map::DESCRIBE_SUBNETS, p)?;
    Ok(vnet(
        v,
        subnets.into_iter().map(|s| subnet(s, None)).collect(),
    ))
}

/// Every VPC of the account in the region (the default VPC included).
pub fn list_vnets(ctx: &CallContext) -> Result<Vec<VnetInfo>> {
    let c = Client::new(ctx)?;
    let vpcs = c.all::<wire::Vpcs>(&map::DESCRIBE_VPCS, Params::new())?;
    let mut subnets = c.all::<wire::Subnets>(&map::DESCRIBE_SUBNETS, Params::new())?;
    Ok(vpcs
        .into_iter()
        .map(|v| {
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut subnets)
                .into_iter()
                .partition(|s| s.vpc_id == v.vpc_id);
            subnets = rest;
            vnet(v, mine.into_iter().map(|s| subnet(s, None)).collect())
        })
        .collect())
}

/// Delete the VPC with its subnets and internet gateways.
pub fn delete_vnet(ctx: &CallContext, id: &str) -> Result<()> {
    teardown(&Client::new(ctx)?, id)
}

fn teardown(c: &Client, vpc_id: &str) -> Result<()> {
    let p = Params::new().filter(1, "attachment.vpc-id", &[vpc_id]);
    for g in c.all::<wire::Gateways>(&map::DESCRIBE_IGWS, p)? {
        let igw = g.internet_gateway_id;
        c.act(
            &map::DETACH_IGW,
            Params::new()
                .set("InternetGatewayId", &igw)
                .set("VpcId", vpc_id),
        )?;
        c.act(
            &map::DELETE_IGW,
            Params::new().set("InternetGatewayId", &igw),
        )?;
    }
    let p = Params::new().filter(1, "vpc-id", &[vpc_id]);
    for s in c.all::<wire::Subnets>(&map::DESCRIBE_SUBNETS, p)? {
        c.act(
            &map::DELETE_SUBNET,
            Params::new().set("SubnetId", s.subnet_id),
        )?;
    }
    c.act(&map::DELETE_VPC, Params::new().set("VpcId", vpc_id))
}

/// Add a subnet to an existing VPC.
pub fn add_subnet(ctx: &CallContext, vnet_id: &str, req: &SubnetRequest) -> Result<SubnetInfo> {
    add(&Client::new(ctx)?, ctx, vnet_id, req, &[])
}

/// Delete one subnet.
pub fn delete_subnet(ctx: &CallContext, subnet_id: &str) -> Result<()> {
    Client::new(ctx)?.act(
        &map::DELETE_SUBNET,
        Params::new().set("SubnetId", subnet_id),
    )
}
