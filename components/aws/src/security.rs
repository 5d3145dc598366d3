//! Security groups and their rules.
//!
//! EC2 gives every new VPC security group an allow-all egress rule. The
//! adapter keeps it when the request names no outbound rule (the usual
//! expectation: a VM may reach package mirrors) and replaces it by the
//! requested ones otherwise, so the group ends up with exactly what was asked.

use crate::api::{Client, Params};
use crate::{map, tags, wire};
use mcgw_sdk::{
    CallContext, Error, Result, RuleDirection, SecurityGroupInfo, SecurityGroupRequest,
    SecurityRule,
};

/// Create the group and apply its rules: all or nothing.
pub fn create(ctx: &CallContext, req: &SecurityGroupRequest) -> Result<SecurityGroupInfo> {
    let c = Client::new(ctx)?;
    // EC2 requires a description.
    let description = match req.description.trim() {
        "" => format!("mcgw security group {}", req.name),
        d => d.to_string(),
    };
    let p = Params::new()
        .set("GroupName", &req.name)
        .set("GroupDescription", description)
        .set("VpcId", &req.vnet_id)
        .tags(1, "security-group", &tags::with_name(&req.tags, &req.name));
    let id = c
        .call::<wire::GroupCreated>(&map::CREATE_GROUP, p)?
        .group_id;
    if let Err(e) = apply_rules(&c, &id, &req.rules) {
        let _ = c.act(&map::DELETE_GROUP, Params::new().set("GroupId", &id));
        return Err(e);
    }
    get(ctx, &id)
}

fn apply_rules(c: &Client, id: &str, rules: &[SecurityRule]) -> Result<()> {
    // A rule given twice would be EC2's InvalidPermission.Duplicate.
    let same = |a: &SecurityRule, b: &SecurityRule| {
        a.direction == b.direction
            && a.protocol.eq_ignore_ascii_case(&b.protocol)
            && (a.from_port, a.to_port) == (b.from_port, b.to_port)
            && a.cidr == b.cidr
    };
    let mut unique: Vec<&SecurityRule> = Vec::new();
    for r in rules {
        if !unique.iter().any(|u| same(u, r)) {
            unique.push(r);
        }
    }
    let (inbound, outbound): (Vec<&SecurityRule>, Vec<&SecurityRule>) = unique
        .into_iter()
        .partition(|r| r.direction == RuleDirection::Inbound);
    if !inbound.is_empty() {
        c.act(&map::AUTHORIZE_INGRESS, permissions(id, &inbound)?)?;
    }
    if !outbound.is_empty() {
        let default = Params::new()
            .set("GroupId", id)
            .set("IpPermissions.1.IpProtocol", "-1")
            .set("IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0");
        c.act(&map::REVOKE_EGRESS, default)?;
        c.act(&map::AUTHORIZE_EGRESS, permissions(id, &outbound)?)?;
    }
    Ok(())
}

/// `IpPermissions.n` for each rule.
fn permissions(id: &str, rules: &[&SecurityRule]) -> Result<Params> {
    let mut p = Params::new().set("GroupId", id);
    for (i, r) in rules.iter().enumerate() {
        let k = format!("IpPermissions.{}", i + 1);
        let protocol = r.protocol.to_ascii_lowercase();
        let (proto, from, to) = match protocol.as_str() {
            "all" | "-1" => ("-1".to_string(), None, None),
            // ICMP: ports are type and code; -1 means all of them.
            "icmp" => (
                protocol.clone(),
                Some(r.from_port.map_or(-1, i32::from)),
                Some(r.to_port.map_or(-1, i32::from)),
            ),
            "tcp" | "udp" => match (r.from_port, r.to_port) {
                (Some(a), Some(b)) => (protocol.clone(), Some(a.into()), Some(b.into())),
                _ => {
                    return Err(Error::bad_request(format!(
                        "a {protocol} rule needs from-port and to-port"
                    ))
                    .field(format!("rules[{i}]")));
                }
            },
            other => {
                return Err(Error::bad_request(format!("unknown protocol {other:?}"))
                    .field(format!("rules[{i}].protocol")));
            }
        };
        p = p
            .set(format!("{k}.IpProtocol"), proto)
            .opt(&format!("{k}.FromPort"), from.map(|n: i32| n.to_string()))
            .opt(&format!("{k}.ToPort"), to.map(|n: i32| n.to_string()));
        p = if r.cidr.contains(':') {
            p.set(format!("{k}.Ipv6Ranges.1.CidrIpv6"), &r.cidr)
        } else {
            p.set(format!("{k}.IpRanges.1.CidrIp"), &r.cidr)
        };
    }
    Ok(p)
}

fn rules_in(perms: wire::List<wire::Permission>, direction: RuleDirection) -> Vec<SecurityRule> {
    let mut out = Vec::new();
    for p in perms {
        let protocol = match p.ip_protocol.as_str() {
            "-1" => "all".to_string(),
            other => other.to_ascii_lowercase(),
        };
        let port = |n: Option<i32>| {
            n.filter(|_| protocol == "tcp" || protocol == "udp")
                .and_then(|n| u16::try_from(n).ok())
        };
        let (from_port, to_port) = (port(p.from_port), port(p.to_port));
        let cidrs = p
            .ip_ranges
            .into_iter()
            .map(|r| r.cidr_ip)
            .chain(p.ipv6_ranges.into_iter().map(|r| r.cidr_ipv6));
        for cidr in cidrs {
            out.push(SecurityRule {
                direction,
                protocol: protocol.clone(),
                from_port,
                to_port,
                cidr,
            });
        }
    }
    out
}

fn group(g: wire::Group) -> SecurityGroupInfo {
    let mut rules = rules_in(g.ip_permissions, RuleDirection::Inbound);
    rules.extend(rules_in(g.ip_permissions_egress, RuleDirection::Outbound));
    SecurityGroupInfo {
        name: g.group_name,
        id: g.group_id,
        vnet_id: g.vpc_id,
        rules,
        tags: tags::from_wire(g.tag_set),
    }
}

/// One group by id.
pub fn get(ctx: &CallContext, id: &str) -> Result<SecurityGroupInfo> {
    let c = Client::new(ctx)?;
    let out: wire::Groups = c.call(&map::DESCRIBE_GROUPS, Params::new().set("GroupId.1", id))?;
    out.security_group_info
        .into_iter()
        .next()
        .map(group)
        .ok_or_else(|| Error::not_found(format!("security group {id} does not exist")))
}

/// Every group of the account in the region.
pub fn list(ctx: &CallContext) -> Result<Vec<SecurityGroupInfo>> {
    let c = Client::new(ctx)?;
    let all = c.all::<wire::Groups>(&map::DESCRIBE_GROUPS, Params::new())?;
    Ok(all.into_iter().map(group).collect())
}

/// Delete one group.
pub fn delete(ctx: &CallContext, id: &str) -> Result<()> {
    Client::new(ctx)?.act(&map::DELETE_GROUP, Params::new().set("GroupId", id))
}
