//! The resources an account owns, as stored, and their JSON views.
//!
//! Stored forms keep unix millis and whatever is needed to recompute state;
//! views are what the API answers (RFC 3339 times, computed instance state).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clock::format_rfc3339;
use crate::state_machine::{State, StateReason, Transition};

/// User tags, sorted so answers are stable.
pub type Tags = BTreeMap<String, String>;

/// A virtual network.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Vpc {
    pub id: String,
    pub name: String,
    pub cidr: String,
    pub subnets: Vec<Subnet>,
    pub tags: Tags,
    pub created_at: u64,
}

/// A subnet of a [`Vpc`], in one zone.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Subnet {
    pub id: String,
    pub name: String,
    pub cidr: String,
    pub zone: String,
    pub vpc_id: String,
    pub tags: Tags,
    pub created_at: u64,
}

/// Traffic direction of a [`Rule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ingress,
    Egress,
}

/// Protocol of a [`Rule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
    Icmp,
    All,
}

/// A security group rule, stored and answered as sent (after validation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub direction: Direction,
    pub protocol: Protocol,
    #[serde(default)]
    pub from_port: Option<u32>,
    #[serde(default)]
    pub to_port: Option<u32>,
    pub cidr: String,
}

/// A security group, scoped to a vpc.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub vpc_id: String,
    pub description: String,
    pub rules: Vec<Rule>,
    pub tags: Tags,
    pub created_at: u64,
}

/// An SSH public key registered with the cloud (the private half is never kept).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyPair {
    pub id: String,
    pub name: String,
    pub fingerprint: String,
    pub public_key: String,
    pub key_type: String,
    pub tags: Tags,
    pub created_at: u64,
}

/// The boot disk of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootDisk {
    #[serde(rename = "type")]
    pub kind: String,
    pub size_gib: u32,
}

/// A virtual machine. Its state is not stored but computed from `transition`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Instance {
    pub id: String,
    pub name: String,
    pub spec: String,
    pub image: String,
    pub zone: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group_ids: Vec<String>,
    pub keypair_id: Option<String>,
    pub private_ip: String,
    /// Allocated at launch and at each start; shown only while running.
    pub public_ip: String,
    pub root_disk: RootDisk,
    pub tags: Tags,
    pub user_data: Option<String>,
    pub created_at: u64,
    /// Decided at creation: whether PROVISIONING ends in ERROR.
    pub launch_fails: bool,
    /// The latest state change.
    pub transition: Transition,
}

/// JSON view of a subnet.
#[derive(Serialize)]
pub struct SubnetView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub cidr: &'a str,
    pub zone: &'a str,
    pub vpc_id: &'a str,
    pub tags: &'a Tags,
    pub created_at: String,
}

impl Subnet {
    pub fn view(&self) -> SubnetView<'_> {
        SubnetView {
            id: &self.id,
            name: &self.name,
            cidr: &self.cidr,
            zone: &self.zone,
            vpc_id: &self.vpc_id,
            tags: &self.tags,
            created_at: format_rfc3339(self.created_at),
        }
    }
}

/// JSON view of a vpc (with its subnets).
#[derive(Serialize)]
pub struct VpcView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub cidr: &'a str,
    pub state: &'static str,
    pub subnets: Vec<SubnetView<'a>>,
    pub tags: &'a Tags,
    pub created_at: String,
}

impl Vpc {
    pub fn view(&self) -> VpcView<'_> {
        VpcView {
            id: &self.id,
            name: &self.name,
            cidr: &self.cidr,
            state: "available",
            subnets: self.subnets.iter().map(Subnet::view).collect(),
            tags: &self.tags,
            created_at: format_rfc3339(self.created_at),
        }
    }
}

/// JSON view of a security group.
#[derive(Serialize)]
pub struct SecurityGroupView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub vpc_id: &'a str,
    pub description: &'a str,
    pub rules: &'a [Rule],
    pub tags: &'a Tags,
    pub created_at: String,
}

impl SecurityGroup {
    pub fn view(&self) -> SecurityGroupView<'_> {
        SecurityGroupView {
            id: &self.id,
            name: &self.name,
            vpc_id: &self.vpc_id,
            description: &self.description,
            rules: &self.rules,
            tags: &self.tags,
            created_at: format_rfc3339(self.created_at),
        }
    }
}

/// JSON view of a key pair; `private_key` only in the answer that generated it.
#[derive(Serialize)]
pub struct KeyPairView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub fingerprint: &'a str,
    pub public_key: &'a str,
    pub key_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_key: Option<&'a str>,
    pub tags: &'a Tags,
    pub created_at: String,
}

impl KeyPair {
    pub fn view(&self) -> KeyPairView<'_> {
        KeyPairView {
            id: &self.id,
            name: &self.name,
            fingerprint: &self.fingerprint,
            public_key: &self.public_key,
            key_type: &self.key_type,
            private_key: None,
            tags: &self.tags,
            created_at: format_rfc3339(self.created_at),
        }
    }
}

/// JSON view of an instance at a given time.
#[derive(Serialize)]
pub struct InstanceView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub spec: &'a str,
    pub image: &'a str,
    pub region: &'a str,
    pub zone: &'a str,
    pub vpc_id: &'a str,
    pub subnet_id: &'a str,
    pub security_group_ids: &'a [String],
    pub keypair_id: Option<&'a str>,
    pub state: State,
    pub public_ip: Option<&'a str>,
    pub private_ip: &'a str,
    pub root_disk: &'a RootDisk,
    pub tags: &'a Tags,
    pub created_at: String,
    pub state_reason: Option<StateReason>,
}

impl Instance {
    /// The instance as it looks at `now` in `region`.
    pub fn view<'a>(&'a self, region: &'a str, now: u64) -> InstanceView<'a> {
        let state = self.state(now);
        InstanceView {
            id: &self.id,
            name: &self.name,
            spec: &self.spec,
            image: &self.image,
            region,
            zone: &self.zone,
            vpc_id: &self.vpc_id,
            subnet_id: &self.subnet_id,
            security_group_ids: &self.security_group_ids,
            keypair_id: self.keypair_id.as_deref(),
            state,
            public_ip: state.has_public_ip().then_some(self.public_ip.as_str()),
            private_ip: &self.private_ip,
            root_disk: &self.root_disk,
            tags: &self.tags,
            created_at: format_rfc3339(self.created_at),
            state_reason: state.reason(),
        }
    }
}

/// Whether `tags` satisfy every filter: `(key, Some(value))` needs that value,
/// `(key, None)` only that the key exists.
pub fn tags_match(tags: &Tags, filters: &[(String, Option<String>)]) -> bool {
    filters.iter().all(|(k, v)| match (tags.get(k), v) {
        (Some(have), Some(want)) => have == want,
        (Some(_), None) => true,
        (None, _) => false,
    })
}
