//! Namespaces, credentials and connection configs.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A namespace: a project's own set of resources (`/ns/{ns}/...`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Namespace {
    /// Name.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// RFC 3339.
    pub created_at: String,
}

/// A credential as the API shows it: the names of its fields, never the values.
/// The values live sealed in the store and only ever reach an adapter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Credential {
    /// Name.
    pub name: String,
    /// The adapter it is for.
    pub adapter: String,
    /// Field names present (e.g. `access_key`, `secret_key`).
    pub keys: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// A connection config: adapter + credential + region (+ zone, endpoint, extras).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Connection {
    /// Name.
    pub name: String,
    /// Adapter name.
    pub adapter: String,
    /// Adapter version requirement (e.g. `1.2.0`, `^1.2`); none = the active version.
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
    /// Connection-level extra parameters declared by the adapter.
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
    /// Hosts the operator allows this connection's adapter to call beyond
    /// its declared ones and the endpoint (e.g. a private cloud's service
    /// endpoints on other ports): `host`, `host:port`, `*.domain` or a URL.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_hosts: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
}
