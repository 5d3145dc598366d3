//! Security groups: named rule sets inside a vpc that instances attach to.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::extract::{Caller, JsonBody, Params, json, tag_only_query};
use super::{region, validate};
use crate::app::App;
use crate::cidr::valid_rule_cidr;
use crate::clock::now_ms;
use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::model::{Protocol, Rule, SecurityGroup, Tags, tags_match};

/// Most rules in one group.
const MAX_RULES: usize = 60;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSecurityGroup {
    name: String,
    vpc_id: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    rules: Vec<Rule>,
    #[serde(default)]
    tags: Tags,
}

/// Ports are required for tcp and udp (`from_port <= to_port <= 65535`) and
/// must be absent for icmp and all, which have no ports.
fn check_rules(rules: &[Rule]) -> ApiResult<()> {
    if rules.len() > MAX_RULES {
        return Err(ApiError::invalid(format!(
            "at most {MAX_RULES} rules are allowed"
        )));
    }
    for (i, rule) in rules.iter().enumerate() {
        match rule.protocol {
            Protocol::Tcp | Protocol::Udp => {
                let from = rule
                    .from_port
                    .ok_or_else(|| ApiError::missing(&format!("rules[{i}].from_port")))?;
                let to = rule
                    .to_port
                    .ok_or_else(|| ApiError::missing(&format!("rules[{i}].to_port")))?;
                if to > 65535 || from > to {
                    return Err(ApiError::invalid(format!(
                        "rules[{i}]: ports must satisfy from_port <= to_port <= 65535"
                    )));
                }
            }
            Protocol::Icmp | Protocol::All => {
                if rule.from_port.is_some() || rule.to_port.is_some() {
                    return Err(ApiError::invalid(format!(
                        "rules[{i}]: protocol {:?} takes no ports",
                        rule.protocol
                    )));
                }
            }
        }
        if !valid_rule_cidr(&rule.cidr) {
            return Err(ApiError::invalid(format!(
                "rules[{i}]: {} is not a canonical IPv4 or IPv6 CIDR block",
                rule.cidr
            )));
        }
        if rules[..i].contains(rule) {
            return Err(ApiError::invalid(format!(
                "rules[{i}] duplicates an earlier rule"
            )));
        }
    }
    Ok(())
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(
        "SecurityGroupNotFound",
        format!("security group {id} does not exist"),
    )
}

/// `POST /v1/regions/{region}/security-groups`
pub async fn create(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params(r): Params<String>,
    JsonBody(req): JsonBody<CreateSecurityGroup>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    validate::name("name", &req.name)?;
    validate::text("description", &req.description)?;
    validate::tags(&req.tags)?;
    check_rules(&req.rules)?;
    app.write(|store| {
        let rs = store.tenant(&account, &r).rs;
        if !rs.vpcs.contains_key(&req.vpc_id) {
            return Err(ApiError::bad_request(
                "InvalidVpc.NotFound",
                format!("vpc {} does not exist", req.vpc_id),
            ));
        }
        if rs
            .security_groups
            .values()
            .any(|sg| sg.vpc_id == req.vpc_id && sg.name == req.name)
        {
            return Err(ApiError::conflict(
                "SecurityGroupAlreadyExists",
                format!(
                    "vpc {} already has a security group named {}",
                    req.vpc_id, req.name
                ),
            ));
        }
        let id = ids::short_id("sg", |id| rs.security_groups.contains_key(id));
        let sg = SecurityGroup {
            id: id.clone(),
            name: req.name,
            vpc_id: req.vpc_id,
            description: req.description,
            rules: req.rules,
            tags: req.tags,
            created_at: now_ms(),
        };
        let response = json(StatusCode::CREATED, &sg.view());
        rs.security_groups.insert(id, sg);
        Ok(response)
    })
}

/// `GET /v1/regions/{region}/security-groups?tag=k=v`
pub async fn list(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params(r): Params<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    region(&app, &r)?;
    let filters = tag_only_query(query.as_deref())?;
    Ok(app.read(|store| {
        let groups: Vec<_> = store
            .region(&account, &r)
            .into_iter()
            .flat_map(|rs| rs.security_groups.values())
            .filter(|sg| tags_match(&sg.tags, &filters))
            .map(SecurityGroup::view)
            .collect();
        json(
            StatusCode::OK,
            &serde_json::json!({ "security_groups": groups }),
        )
    }))
}

/// `GET /v1/regions/{region}/security-groups/{id}`
pub async fn get(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params((r, id)): Params<(String, String)>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    app.read(|store| {
        let sg = store
            .region(&account, &r)
            .and_then(|rs| rs.security_groups.get(&id))
            .ok_or_else(|| not_found(&id))?;
        Ok(json(StatusCode::OK, &sg.view()))
    })
}

/// `DELETE /v1/regions/{region}/security-groups/{id}`: refused while live
/// instances use the group.
pub async fn delete(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params((r, id)): Params<(String, String)>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    let now = now_ms();
    app.write(|store| {
        let rs = store.tenant(&account, &r).rs;
        if !rs.security_groups.contains_key(&id) {
            return Err(not_found(&id));
        }
        if rs.sg_in_use(&id, now) {
            return Err(ApiError::conflict(
                "DependencyViolation",
                format!("security group {id} is still used by instances"),
            ));
        }
        rs.sg_deleted(&id);
        rs.security_groups.remove(&id);
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Direction;

    fn rule(protocol: Protocol, from: Option<u32>, to: Option<u32>, cidr: &str) -> Rule {
        Rule {
            direction: Direction::Ingress,
            protocol,
            from_port: from,
            to_port: to,
            cidr: cidr.into(),
        }
    }

    #[test]
    fn rule_checks() {
        assert!(check_rules(&[rule(Protocol::Tcp, Some(22), Some(22), "0.0.0.0/0")]).is_ok());
        assert!(check_rules(&[rule(Protocol::All, None, None, "::/0")]).is_ok());
        let e = check_rules(&[rule(Protocol::Tcp, None, Some(22), "0.0.0.0/0")]).unwrap_err();
        assert_eq!(e.code, "MissingParameter");
        assert!(check_rules(&[rule(Protocol::Tcp, Some(23), Some(22), "0.0.0.0/0")]).is_err());
        assert!(check_rules(&[rule(Protocol::Udp, Some(1), Some(70000), "0.0.0.0/0")]).is_err());
        assert!(check_rules(&[rule(Protocol::Icmp, Some(0), None, "0.0.0.0/0")]).is_err());
        assert!(check_rules(&[rule(Protocol::Tcp, Some(1), Some(2), "10.0.0.1/8")]).is_err());
        let r = rule(Protocol::Tcp, Some(1), Some(2), "10.0.0.0/8");
        assert!(check_rules(&[r.clone(), r]).is_err());
    }
}
