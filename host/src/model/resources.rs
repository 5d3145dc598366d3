//! Network resources and key pairs, as recorded by the gateway: the user's name,
//! the connection, and the CSP's id (the host owns the name ↔ id mapping).

use serde::{Deserialize, Serialize};

/// A subnet of a vnet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Subnet {
    /// Name, unique in the vnet.
    pub name: String,
    /// CSP id.
    pub csp_id: String,
    /// IPv4 CIDR.
    pub cidr: String,
    /// Zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
}

/// A virtual network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Vnet {
    /// Name, unique in the namespace.
    pub name: String,
    /// Connection it lives in.
    pub connection: String,
    /// CSP id.
    pub csp_id: String,
    /// IPv4 CIDR.
    pub cidr: String,
    /// Subnets.
    pub subnets: Vec<Subnet>,
    /// CSP status in its words.
    pub status: String,
    /// RFC 3339.
    pub created_at: String,
}

/// Rule direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RuleDirection {
    /// Into the VM.
    Inbound,
    /// Out of the VM.
    Outbound,
}

/// A firewall rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rule {
    /// Direction.
    pub direction: RuleDirection,
    /// `tcp`, `udp`, `icmp` or `all`.
    pub protocol: String,
    /// First port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_port: Option<u16>,
    /// Last port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_port: Option<u16>,
    /// Peer CIDR.
    pub cidr: String,
}

/// A security group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SecurityGroup {
    /// Name, unique in the namespace.
    pub name: String,
    /// Connection.
    pub connection: String,
    /// Vnet name.
    pub vnet: String,
    /// CSP id.
    pub csp_id: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Rules.
    pub rules: Vec<Rule>,
    /// RFC 3339.
    pub created_at: String,
}

/// A key pair (the private key is never stored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Keypair {
    /// Name, unique in the namespace.
    pub name: String,
    /// Connection.
    pub connection: String,
    /// CSP id.
    pub csp_id: String,
    /// Fingerprint.
    pub fingerprint: String,
    /// Public key, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}
