//! Neutron: networks (vnets) with their subnets, security groups and rules.
//!
//! Neutron networks have no CIDR and security groups belong to no network;
//! the contract's vnet CIDR and a group's vnet are kept as bookkeeping tags
//! (see `tags`). Creating a vnet or group is all-or-nothing: when a subnet or
//! rule is refused, what was made is deleted again.

use crate::client::{Service, Session};
use crate::paging::{Link, MAX_PAGES, marker_of};
use crate::tags;
use mcgw_sdk::{
    Error, Result, RuleDirection, SecurityGroupInfo, SecurityGroupRequest, SecurityRule,
    SubnetInfo, SubnetRequest, VnetInfo, VnetRequest,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn enc(s: &str) -> String {
    mcgw_sdk::http::encode(s)
}

/// Every page of a Neutron collection (Neutron pages only when its
/// `pagination_max_limit` is set; `<collection>_links` then names the marker).
fn list_all<T: DeserializeOwned>(
    s: &Session,
    path: &str,
    collection: &str,
    filters: &[(&str, String)],
) -> Result<Vec<T>> {
    let mut all = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut query = filters.to_vec();
        if let Some(m) = &marker {
            query.push(("marker", m.clone()));
        }
        let mut page: Value = s.get(Service::Network, path, &query)?;
        let items: Vec<T> = serde_json::from_value(page[collection].take())?;
        let links: Vec<Link> =
            serde_json::from_value(page[format!("{collection}_links")].take()).unwrap_or_default();
        let done = items.is_empty();
        all.extend(items);
        match marker_of(&links) {
            Some(m) if !done => marker = Some(m),
            _ => return Ok(all),
        }
    }
    Err(Error::csp_failure(format!(
        "{collection} listing did not end"
    )))
}

fn put_tags(s: &Session, collection: &str, id: &str, tags: Vec<String>) -> Result<()> {
    let path = format!("/{collection}/{}/tags", enc(id));
    s.call(
        Service::Network,
        "PUT",
        &path,
        &[],
        Some(&json!({"tags": tags})),
    )?;
    Ok(())
}

// ---- vnets --------------------------------------------------------------------------

/// Create a network, tag it, and add the subnets.
pub fn create_vnet(s: &Session, req: &VnetRequest) -> Result<VnetInfo> {
    let out: NetworkOne = s.post(
        Service::Network,
        "/networks",
        &json!({"network": {"name": req.name, "admin_state_up": true}}),
    )?;
    let id = out.network.id;
    let built = (|| {
        let own = vec![tags::own_tag("cidr", &req.cidr)];
        put_tags(s, "networks", &id, tags::neutron(own, &req.tags)?)?;
        for sub in &req.subnets {
            add_subnet(s, &id, sub)?;
        }
        get_vnet(s, &id)
    })();
    if built.is_err() {
        let _ = delete_vnet(s, &id);
    }
    built
}

/// One network with its subnets.
pub fn get_vnet(s: &Session, id: &str) -> Result<VnetInfo> {
    let out: NetworkOne = s.get(Service::Network, &format!("/networks/{}", enc(id)), &[])?;
    let subnets: Vec<Subnet> =
        list_all(s, "/subnets", "subnets", &[("network_id", id.to_string())])?;
    Ok(vnet(out.network, subnets))
}

/// The project's own networks (shared and external ones belong to others).
pub fn list_vnets(s: &Session) -> Result<Vec<VnetInfo>> {
    let project = [("project_id", s.project_id())];
    let networks: Vec<Network> = list_all(s, "/networks", "networks", &project)?;
    let mut subnets: Vec<Subnet> = list_all(s, "/subnets", "subnets", &project)?;
    Ok(networks
        .into_iter()
        .map(|n| {
            let (mine, rest): (Vec<Subnet>, Vec<Subnet>) =
                subnets.drain(..).partition(|sub| sub.network_id == n.id);
            subnets = rest;
            vnet(n, mine)
        })
        .collect())
}

/// Delete a network (Neutron removes its unused subnets with it).
pub fn delete_vnet(s: &Session, id: &str) -> Result<()> {
    s.call(
        Service::Network,
        "DELETE",
        &format!("/networks/{}", enc(id)),
        &[],
        None,
    )?;
    Ok(())
}

/// Add an IPv4 subnet (Neutron subnets have no zone; a requested zone is ignored).
pub fn add_subnet(s: &Session, vnet_id: &str, req: &SubnetRequest) -> Result<SubnetInfo> {
    let body = json!({"subnet": {"network_id": vnet_id, "name": req.name, "ip_version": 4,
        "cidr": req.cidr}});
    let out: SubnetOne = s.post(Service::Network, "/subnets", &body)?;
    Ok(subnet(out.subnet))
}

/// Delete a subnet.
pub fn delete_subnet(s: &Session, subnet_id: &str) -> Result<()> {
    let path = format!("/subnets/{}", enc(subnet_id));
    s.call(Service::Network, "DELETE", &path, &[], None)?;
    Ok(())
}

fn vnet(n: Network, subnets: Vec<Subnet>) -> VnetInfo {
    // A network made elsewhere has no recorded CIDR: its only subnet's will do.
    let cidr = tags::own(&n.tags, "cidr")
        .map(str::to_string)
        .or_else(|| (subnets.len() == 1).then(|| subnets[0].cidr.clone()))
        .unwrap_or_default();
    VnetInfo {
        name: n.name,
        id: n.id,
        cidr,
        subnets: subnets.into_iter().map(subnet).collect(),
        status: n.status,
        tags: tags::from_neutron(&n.tags),
    }
}

fn subnet(sub: Subnet) -> SubnetInfo {
    SubnetInfo {
        name: sub.name,
        id: sub.id,
        cidr: sub.cidr,
        zone: None,
    }
}

// ---- security groups --------------------------------------------------------------

/// Create a group, tag it with its vnet, and add the rules.
pub fn create_security_group(s: &Session, req: &SecurityGroupRequest) -> Result<SecurityGroupInfo> {
    let rules: Vec<Value> = req.rules.iter().map(rule_out).collect::<Result<_>>()?;
    let out: GroupOne = s.post(
        Service::Network,
        "/security-groups",
        &json!({"security_group": {"name": req.name, "description": req.description}}),
    )?;
    let id = out.security_group.id;
    let built = (|| {
        let own = vec![tags::own_tag("vnet", &req.vnet_id)];
        put_tags(s, "security-groups", &id, tags::neutron(own, &req.tags)?)?;
        for mut rule in rules {
            rule["security_group_id"] = json!(id);
            let body = json!({"security_group_rule": rule});
            s.call(
                Service::Network,
                "POST",
                "/security-group-rules",
                &[],
                Some(&body),
            )?;
        }
        get_security_group(s, &id)
    })();
    if built.is_err() {
        let _ = delete_security_group(s, &id);
    }
    built
}

/// One group with its rules.
pub fn get_security_group(s: &Session, id: &str) -> Result<SecurityGroupInfo> {
    let path = format!("/security-groups/{}", enc(id));
    let out: GroupOne = s.get(Service::Network, &path, &[])?;
    Ok(group(out.security_group))
}

/// The project's groups (including Neutron's `default`).
pub fn list_security_groups(s: &Session) -> Result<Vec<SecurityGroupInfo>> {
    let project = [("project_id", s.project_id())];
    let groups: Vec<Group> = list_all(s, "/security-groups", "security_groups", &project)?;
    Ok(groups.into_iter().map(group).collect())
}

/// Delete a group.
pub fn delete_security_group(s: &Session, id: &str) -> Result<()> {
    let path = format!("/security-groups/{}", enc(id));
    s.call(Service::Network, "DELETE", &path, &[], None)?;
    Ok(())
}

/// A contract rule as a Neutron rule body (without the group id).
fn rule_out(r: &SecurityRule) -> Result<Value> {
    let ethertype = if r.cidr.contains(':') { "IPv6" } else { "IPv4" };
    let mut rule = json!({
        "direction": match r.direction {
            RuleDirection::Inbound => "ingress",
            RuleDirection::Outbound => "egress",
        },
        "ethertype": ethertype,
        "remote_ip_prefix": r.cidr,
    });
    match r.protocol.to_ascii_lowercase().as_str() {
        "all" | "any" | "-1" => {}
        "icmp" => rule["protocol"] = json!("icmp"),
        p @ ("tcp" | "udp") => {
            rule["protocol"] = json!(p);
            rule["port_range_min"] = json!(r.from_port);
            rule["port_range_max"] = json!(r.to_port.or(r.from_port));
        }
        other => {
            return Err(Error::bad_request(format!(
                "protocol {other:?} is not one of tcp, udp, icmp, all"
            ))
            .field("rules"));
        }
    }
    Ok(rule)
}

/// Neutron's rules that the contract can express: a rule whose peer is
/// another group (like `default`'s "from members") has no CIDR and is left out.
fn group(g: Group) -> SecurityGroupInfo {
    let rules = g
        .security_group_rules
        .into_iter()
        .filter(|r| r.remote_group_id.is_none())
        .map(|r| SecurityRule {
            direction: if r.direction == "egress" {
                RuleDirection::Outbound
            } else {
                RuleDirection::Inbound
            },
            protocol: r.protocol.unwrap_or_else(|| "all".into()),
            from_port: r.port_range_min,
            to_port: r.port_range_max,
            cidr: r.remote_ip_prefix.unwrap_or_else(|| {
                if r.ethertype == "IPv6" {
                    "::/0"
                } else {
                    "0.0.0.0/0"
                }
                .into()
            }),
        })
        .collect();
    SecurityGroupInfo {
        vnet_id: tags::own(&g.tags, "vnet").unwrap_or_default().to_string(),
        tags: tags::from_neutron(&g.tags),
        name: g.name,
        id: g.id,
        rules,
    }
}

#[derive(Deserialize)]
struct NetworkOne {
    network: Network,
}

#[derive(Deserialize)]
struct Network {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
struct SubnetOne {
    subnet: Subnet,
}

#[derive(Deserialize)]
struct Subnet {
    id: String,
    #[serde(default)]
    name: String,
    network_id: String,
    cidr: String,
}

#[derive(Deserialize)]
struct GroupOne {
    security_group: Group,
}

#[derive(Deserialize)]
struct Group {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    security_group_rules: Vec<Rule>,
}

#[derive(Deserialize)]
struct Rule {
    direction: String,
    #[serde(default)]
    ethertype: String,
    protocol: Option<String>,
    port_range_min: Option<u16>,
    port_range_max: Option<u16>,
    remote_ip_prefix: Option<String>,
    remote_group_id: Option<String>,
}
