//! Vnets, subnets and security groups.

use super::{Gateway, tags};
use crate::api::dto::{SecurityGroupReq, SubnetReq, VnetReq};
use crate::error::{Error, Result};
use crate::model::{Rule, RuleDirection, SecurityGroup, Subnet, Vnet, now_rfc3339, validate_name};
use crate::runtime::bindings as b;
use crate::store::{Kind, Reference};
use ipnet::Ipv4Net;

fn parse_cidr(field: &str, cidr: &str) -> Result<Ipv4Net> {
    cidr.parse::<Ipv4Net>().map_err(|_| {
        Error::bad_data(
            field,
            format!("`{field}` must be an IPv4 CIDR like 10.0.0.0/16 (got {cidr:?})"),
        )
    })
}

fn csp_tags(ns: &str, name: &str) -> Vec<b::Kv> {
    vec![
        b::Kv {
            key: tags::NS.into(),
            value: ns.into(),
        },
        b::Kv {
            key: tags::NAME.into(),
            value: name.into(),
        },
    ]
}

fn subnet_model(s: b::SubnetInfo) -> Subnet {
    Subnet {
        name: s.name,
        csp_id: s.id,
        cidr: s.cidr,
        zone: s.zone,
    }
}

/// Check a subnet request against its vnet's CIDR and siblings.
fn check_subnet(
    i: usize,
    s: &SubnetReq,
    vnet: Ipv4Net,
    siblings: &[(String, Ipv4Net)],
) -> Result<Ipv4Net> {
    let field = format!("subnets[{i}]");
    validate_name(&format!("{field}.name"), &s.name)?;
    let net = parse_cidr(&format!("{field}.cidr"), &s.cidr)?;
    if !vnet.contains(&net) {
        return Err(Error::bad_data(
            &format!("{field}.cidr"),
            format!("subnet {} ({net}) is not inside the vnet's {vnet}", s.name),
        ));
    }
    for (name, other) in siblings {
        if name == &s.name {
            return Err(Error::bad_data(
                &format!("{field}.name"),
                format!("two subnets are named {name}"),
            ));
        }
        if other.contains(&net) || net.contains(other) {
            return Err(Error::bad_data(
                &format!("{field}.cidr"),
                format!("subnet {} ({net}) overlaps subnet {name} ({other})", s.name),
            ));
        }
    }
    Ok(net)
}

impl Gateway {
    /// Create a vnet with its subnets at the CSP and record it.
    pub async fn create_vnet(&self, ns: &str, req: VnetReq) -> Result<Vnet> {
        self.require_ns(ns).await?;
        validate_name("name", &req.name)?;
        let cidr = parse_cidr("cidr", &req.cidr)?;
        let mut seen = Vec::new();
        for (i, s) in req.subnets.iter().enumerate() {
            let net = check_subnet(i, s, cidr, &seen)?;
            seen.push((s.name.clone(), net));
        }
        let conn = self.connection_ref("connection", &req.connection).await?;
        if self
            .store
            .resource::<Vnet>(Kind::Vnet, ns, &req.name)
            .await?
            .is_some()
        {
            return Err(Error::already_exists(format!(
                "vnet {} already exists in namespace {ns}",
                req.name
            ))
            .with_field("name"));
        }
        let client = self.client(&conn).await?;
        let info = client
            .create_vnet(&b::VnetRequest {
                name: req.name.clone(),
                cidr: req.cidr.clone(),
                subnets: req
                    .subnets
                    .iter()
                    .map(|s| b::SubnetRequest {
                        name: s.name.clone(),
                        cidr: s.cidr.clone(),
                        zone: s.zone.clone(),
                    })
                    .collect(),
                tags: csp_tags(ns, &req.name),
            })
            .await?;
        let vnet = Vnet {
            name: req.name,
            connection: conn.name,
            csp_id: info.id.clone(),
            cidr: info.cidr,
            subnets: info.subnets.into_iter().map(subnet_model).collect(),
            status: info.status,
            created_at: now_rfc3339(),
        };
        if let Err(e) = self
            .store
            .insert_resource(Kind::Vnet, ns, &vnet.name, &vnet.connection, &vnet)
            .await
        {
            // Lost a race for the name: do not leave the CSP object behind.
            let _ = client.delete_vnet(&info.id).await;
            return Err(e);
        }
        Ok(vnet)
    }

    /// One vnet (NotFound naming it).
    pub async fn vnet(&self, ns: &str, name: &str) -> Result<Vnet> {
        self.require_ns(ns).await?;
        self.store
            .resource(Kind::Vnet, ns, name)
            .await?
            .ok_or_else(|| {
                Error::not_found(format!("vnet {name} does not exist in namespace {ns}"))
            })
    }

    /// Delete a vnet nothing uses, at the CSP and here.
    pub async fn delete_vnet(&self, ns: &str, name: &str) -> Result<()> {
        let vnet = self.vnet(ns, name).await?;
        let users = self
            .store
            .users_of(ns, Reference::Vnet(name.into()))
            .await?;
        if !users.is_empty() {
            return Err(Error::invalid(format!(
                "vnet {name} is in use by {}",
                users.join(", ")
            )));
        }
        let conn = self.connection(&vnet.connection).await?;
        match self.client(&conn).await?.delete_vnet(&vnet.csp_id).await {
            Ok(()) => {}
            Err(e) if e.code == crate::error::Code::NotFound => {}
            Err(e) => return Err(e),
        }
        self.store.delete_resource(Kind::Vnet, ns, name).await?;
        Ok(())
    }

    /// Add a subnet to a vnet.
    pub async fn add_subnet(&self, ns: &str, vnet_name: &str, req: SubnetReq) -> Result<Vnet> {
        let mut vnet = self.vnet(ns, vnet_name).await?;
        let cidr = parse_cidr("cidr", &vnet.cidr)?;
        let siblings: Vec<(String, Ipv4Net)> = vnet
            .subnets
            .iter()
            .filter_map(|s| s.cidr.parse().ok().map(|n| (s.name.clone(), n)))
            .collect();
        check_subnet(0, &req, cidr, &siblings).map_err(|mut e| {
            e.field = e
                .field
                .map(|f| f.trim_start_matches("subnets[0].").to_string());
            e
        })?;
        let conn = self.connection(&vnet.connection).await?;
        let info = self
            .client(&conn)
            .await?
            .add_subnet(
                &vnet.csp_id,
                &b::SubnetRequest {
                    name: req.name,
                    cidr: req.cidr,
                    zone: req.zone,
                },
            )
            .await?;
        vnet.subnets.push(subnet_model(info));
        self.store
            .update_resource(Kind::Vnet, ns, vnet_name, &vnet)
            .await?;
        Ok(vnet)
    }

    /// Remove a subnet no live VM uses.
    pub async fn delete_subnet(&self, ns: &str, vnet_name: &str, subnet: &str) -> Result<Vnet> {
        let mut vnet = self.vnet(ns, vnet_name).await?;
        let Some(pos) = vnet.subnets.iter().position(|s| s.name == subnet) else {
            return Err(Error::not_found(format!(
                "vnet {vnet_name} has no subnet {subnet}"
            )));
        };
        let users = self
            .store
            .users_of(ns, Reference::Subnet(vnet_name.into(), subnet.into()))
            .await?;
        if !users.is_empty() {
            return Err(Error::invalid(format!(
                "subnet {subnet} is in use by {}",
                users.join(", ")
            )));
        }
        let conn = self.connection(&vnet.connection).await?;
        match self
            .client(&conn)
            .await?
            .delete_subnet(&vnet.csp_id, &vnet.subnets[pos].csp_id)
            .await
        {
            Ok(()) => {}
            Err(e) if e.code == crate::error::Code::NotFound => {}
            Err(e) => return Err(e),
        }
        vnet.subnets.remove(pos);
        self.store
            .update_resource(Kind::Vnet, ns, vnet_name, &vnet)
            .await?;
        Ok(vnet)
    }

    /// Create a security group in a vnet.
    pub async fn create_security_group(
        &self,
        ns: &str,
        req: SecurityGroupReq,
    ) -> Result<SecurityGroup> {
        self.require_ns(ns).await?;
        validate_name("name", &req.name)?;
        for (i, r) in req.rules.iter().enumerate() {
            check_rule(i, r)?;
        }
        let vnet: Vnet = self
            .store
            .resource(Kind::Vnet, ns, &req.vnet)
            .await?
            .ok_or_else(|| {
                Error::bad_data(
                    "vnet",
                    format!("there is no vnet named {:?} in namespace {ns}", req.vnet),
                )
            })?;
        if vnet.connection != req.connection {
            return Err(Error::bad_data(
                "vnet",
                format!(
                    "vnet {} belongs to connection {}, not {}",
                    vnet.name, vnet.connection, req.connection
                ),
            ));
        }
        let conn = self.connection_ref("connection", &req.connection).await?;
        if self
            .store
            .resource::<SecurityGroup>(Kind::SecurityGroup, ns, &req.name)
            .await?
            .is_some()
        {
            return Err(Error::already_exists(format!(
                "security group {} already exists in namespace {ns}",
                req.name
            ))
            .with_field("name"));
        }
        let client = self.client(&conn).await?;
        let info = client
            .create_security_group(&b::SecurityGroupRequest {
                name: req.name.clone(),
                vnet_id: vnet.csp_id.clone(),
                description: req.description.clone(),
                rules: req.rules.iter().map(rule_out).collect(),
                tags: csp_tags(ns, &req.name),
            })
            .await?;
        let sg = SecurityGroup {
            name: req.name,
            connection: conn.name,
            vnet: vnet.name,
            csp_id: info.id.clone(),
            description: req.description,
            rules: info.rules.into_iter().map(rule_in).collect(),
            created_at: now_rfc3339(),
        };
        if let Err(e) = self
            .store
            .insert_resource(Kind::SecurityGroup, ns, &sg.name, &sg.connection, &sg)
            .await
        {
            let _ = client.delete_security_group(&info.id).await;
            return Err(e);
        }
        Ok(sg)
    }

    /// One security group.
    pub async fn security_group(&self, ns: &str, name: &str) -> Result<SecurityGroup> {
        self.require_ns(ns).await?;
        self.store
            .resource(Kind::SecurityGroup, ns, name)
            .await?
            .ok_or_else(|| {
                Error::not_found(format!(
                    "security group {name} does not exist in namespace {ns}"
                ))
            })
    }

    /// Delete a security group no live VM uses.
    pub async fn delete_security_group(&self, ns: &str, name: &str) -> Result<()> {
        let sg = self.security_group(ns, name).await?;
        let users = self
            .store
            .users_of(ns, Reference::SecurityGroup(name.into()))
            .await?;
        if !users.is_empty() {
            return Err(Error::invalid(format!(
                "security group {name} is in use by {}",
                users.join(", ")
            )));
        }
        let conn = self.connection(&sg.connection).await?;
        match self
            .client(&conn)
            .await?
            .delete_security_group(&sg.csp_id)
            .await
        {
            Ok(()) => {}
            Err(e) if e.code == crate::error::Code::NotFound => {}
            Err(e) => return Err(e),
        }
        self.store
            .delete_resource(Kind::SecurityGroup, ns, name)
            .await?;
        Ok(())
    }
}

fn check_rule(i: usize, r: &Rule) -> Result<()> {
    let field = format!("rules[{i}]");
    let protocol = r.protocol.to_ascii_lowercase();
    if !matches!(protocol.as_str(), "tcp" | "udp" | "icmp" | "all") {
        return Err(Error::bad_data(
            &format!("{field}.protocol"),
            "protocol must be tcp, udp, icmp or all",
        ));
    }
    parse_cidr(&format!("{field}.cidr"), &r.cidr)?;
    if matches!(protocol.as_str(), "tcp" | "udp") {
        match (r.from_port, r.to_port) {
            (Some(a), Some(b)) if a <= b => {}
            (Some(_), Some(_)) => {
                return Err(Error::bad_data(
                    &format!("{field}.to_port"),
                    "to_port must not be below from_port",
                ));
            }
            _ => {
                return Err(Error::bad_data(
                    &format!("{field}.from_port"),
                    "tcp and udp rules need from_port and to_port",
                ));
            }
        }
    }
    Ok(())
}

fn rule_out(r: &Rule) -> b::SecurityRule {
    b::SecurityRule {
        direction: match r.direction {
            RuleDirection::Inbound => b::RuleDirection::Inbound,
            RuleDirection::Outbound => b::RuleDirection::Outbound,
        },
        protocol: r.protocol.to_ascii_lowercase(),
        from_port: r.from_port,
        to_port: r.to_port,
        cidr: r.cidr.clone(),
    }
}

fn rule_in(r: b::SecurityRule) -> Rule {
    Rule {
        direction: match r.direction {
            b::RuleDirection::Inbound => RuleDirection::Inbound,
            b::RuleDirection::Outbound => RuleDirection::Outbound,
        },
        protocol: r.protocol,
        from_port: r.from_port,
        to_port: r.to_port,
        cidr: r.cidr,
    }
}
