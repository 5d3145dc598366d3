//! Request bodies of the REST API, shared with the CLI. Unknown fields are
//! refused so that a typo never silently drops a setting.

use crate::model::Rule;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `POST /v1/ns`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NamespaceReq {
    /// Name (a-z, 0-9, '-').
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
}

/// `POST /v1/credentials`.
#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialReq {
    /// Name.
    pub name: String,
    /// Adapter the credential is for.
    pub adapter: String,
    /// Field values, as the adapter declares them (e.g. `access_key`, `secret_key`).
    pub values: BTreeMap<String, String>,
}

impl std::fmt::Debug for CredentialReq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialReq")
            .field("name", &self.name)
            .field("adapter", &self.adapter)
            .field("values", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// `POST /v1/connections`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectionReq {
    /// Name.
    pub name: String,
    /// Adapter name.
    pub adapter: String,
    /// Pin an adapter version or range (e.g. `1.2.0`, `^1.2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adapter_version: Option<String>,
    /// Credential name.
    pub credential: String,
    /// Region code.
    pub region: String,
    /// Zone code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Endpoint override (base URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Connection-level extra parameters.
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
    /// Hosts the adapter may call beyond its declared ones and the endpoint
    /// (`host`, `host:port`, `*.domain`, or a URL).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_hosts: Vec<String>,
}

/// A subnet in a vnet request.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubnetReq {
    /// Name.
    pub name: String,
    /// IPv4 CIDR inside the vnet's.
    pub cidr: String,
    /// Zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
}

/// `POST /v1/ns/{ns}/vnets`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VnetReq {
    /// Name.
    pub name: String,
    /// Connection to create it in.
    pub connection: String,
    /// IPv4 CIDR, e.g. `10.0.0.0/16`.
    pub cidr: String,
    /// Subnets to create with it.
    #[serde(default)]
    pub subnets: Vec<SubnetReq>,
}

/// `POST /v1/ns/{ns}/security-groups`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupReq {
    /// Name.
    pub name: String,
    /// Connection.
    pub connection: String,
    /// Vnet name (in this namespace).
    pub vnet: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Rules.
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// `POST /v1/ns/{ns}/keypairs`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeypairReq {
    /// Name.
    pub name: String,
    /// Connection.
    pub connection: String,
    /// OpenSSH public key to import; omit to have the CSP generate one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
}

/// `POST /v1/ns/{ns}/vms`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VmReq {
    /// Name.
    pub name: String,
    /// Connection.
    pub connection: String,
    /// Spec (size/flavor) name.
    pub spec: String,
    /// Image id.
    pub image: String,
    /// Vnet name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vnet: Option<String>,
    /// Subnet name in the vnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<String>,
    /// Security group names.
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// Key pair name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keypair: Option<String>,
    /// Root disk type in the CSP's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_disk_type: Option<String>,
    /// Root disk size, GiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_disk_gib: Option<u32>,
    /// User data (cloud-init).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// CSP-specific parameters the adapter declares (scope `vm`).
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
}
