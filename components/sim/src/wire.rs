//! The simulated cloud's JSON shapes (docs/sim-api.md), as it sends and expects them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Tags travel as a JSON object.
pub type Tags = BTreeMap<String, String>;

#[derive(Deserialize)]
pub struct Regions {
    pub regions: Vec<Region>,
}

#[derive(Deserialize)]
pub struct Region {
    pub name: String,
    pub display_name: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    #[serde(default)]
    pub zones: Vec<String>,
}

#[derive(Deserialize)]
pub struct Images {
    pub images: Vec<Image>,
}

#[derive(Deserialize)]
pub struct Image {
    pub id: String,
    pub name: String,
    pub os_type: Option<String>,
    pub os_distribution: Option<String>,
    pub architecture: Option<String>,
    pub min_disk_gib: Option<u32>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub public: bool,
}

#[derive(Deserialize)]
pub struct Specs {
    pub specs: Vec<Spec>,
}

#[derive(Deserialize)]
pub struct Spec {
    pub name: String,
    pub vcpus: u32,
    pub memory_mib: u64,
    pub disk_gib: Option<u32>,
    pub gpu: Option<Gpu>,
    pub price_per_hour: Option<f64>,
    pub currency: Option<String>,
    pub architecture: Option<String>,
}

#[derive(Deserialize)]
pub struct Gpu {
    pub count: u32,
    pub model: String,
    pub memory_mib: Option<u64>,
}

#[derive(Serialize)]
pub struct NewVpc<'a> {
    pub name: &'a str,
    pub cidr: &'a str,
    pub tags: Tags,
}

#[derive(Deserialize)]
pub struct Vpcs {
    pub vpcs: Vec<Vpc>,
}

#[derive(Deserialize)]
pub struct Vpc {
    pub id: String,
    pub name: String,
    pub cidr: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub subnets: Vec<Subnet>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Serialize)]
pub struct NewSubnet<'a> {
    pub name: &'a str,
    pub cidr: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<&'a str>,
}

#[derive(Deserialize)]
pub struct Subnet {
    pub id: String,
    pub name: String,
    pub cidr: String,
    pub zone: Option<String>,
}

#[derive(Serialize, Deserialize)]
pub struct Rule {
    pub direction: String,
    pub protocol: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_port: Option<u16>,
    pub cidr: String,
}

#[derive(Serialize)]
pub struct NewSecurityGroup<'a> {
    pub name: &'a str,
    pub vpc_id: &'a str,
    pub description: &'a str,
    pub rules: Vec<Rule>,
    pub tags: Tags,
}

#[derive(Deserialize)]
pub struct SecurityGroups {
    pub security_groups: Vec<SecurityGroup>,
}

#[derive(Deserialize)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub vpc_id: String,
    #[serde(default)]
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Serialize)]
pub struct NewKeyPair<'a> {
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key: Option<&'a str>,
    pub tags: Tags,
}

#[derive(Deserialize)]
pub struct KeyPairs {
    pub keypairs: Vec<KeyPair>,
}

#[derive(Deserialize)]
pub struct KeyPair {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub fingerprint: String,
    pub public_key: Option<String>,
    pub private_key: Option<String>,
}

#[derive(Serialize)]
pub struct RootDisk<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_gib: Option<u32>,
}

#[derive(Serialize)]
pub struct NewInstances<'a> {
    pub name: &'a str,
    pub spec: &'a str,
    pub image: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<&'a str>,
    pub security_group_ids: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keypair_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_disk: Option<RootDisk<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_data: Option<&'a str>,
    pub tags: Tags,
    pub count: u32,
}

#[derive(Deserialize)]
pub struct InstanceList {
    pub instances: Vec<Instance>,
    pub next_page_token: Option<String>,
}

#[derive(Deserialize)]
pub struct Instance {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub spec: String,
    #[serde(default)]
    pub image: String,
    #[serde(default)]
    pub region: String,
    pub zone: Option<String>,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    pub keypair_id: Option<String>,
    pub state: String,
    pub public_ip: Option<String>,
    pub private_ip: Option<String>,
    #[serde(default)]
    pub tags: Tags,
    pub created_at: Option<String>,
}

#[derive(Deserialize)]
pub struct InstanceState {
    pub id: String,
    pub state: String,
}

#[derive(Serialize)]
pub struct Action<'a> {
    pub action: &'a str,
}

#[derive(Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    #[serde(default)]
    pub message: String,
}
