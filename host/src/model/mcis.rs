//! MCIS (multi-cloud infrastructure service): a named group of VMs over many
//! connections, organised in subgroups of identical VMs, and the journaled
//! operations that create and control them.

use super::VmAction;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What to do when some VMs of a creation fail.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FailurePolicy {
    /// Keep what succeeded; failed VMs stay listed as Failed.
    #[default]
    Continue,
    /// Remove exactly what this operation created, nothing else.
    Rollback,
    /// Drop (terminate and forget) the failed VMs, keep the rest.
    Refine,
}

/// A subgroup: `size` identical VMs in one connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Subgroup {
    /// Name, unique in the MCIS.
    pub name: String,
    /// Connection.
    pub connection: String,
    /// Spec name.
    pub spec: String,
    /// Image id.
    pub image: String,
    /// Vnet name in the namespace.
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
    /// Root disk type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_disk_type: Option<String>,
    /// Root disk size, GiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_disk_gib: Option<u32>,
    /// Number of VMs.
    pub size: u32,
    /// CSP-specific VM parameters.
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
    /// Tags for its VMs.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// An MCIS as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Mcis {
    /// Name, unique in the namespace.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Labels for selecting and grouping.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Its subgroups (as last requested; `size` follows scaling).
    pub subgroups: Vec<Subgroup>,
    /// RFC 3339.
    pub created_at: String,
}

/// Kinds of operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OpKind {
    /// Create an MCIS with its VMs.
    Create,
    /// Add VMs to a subgroup.
    ScaleOut,
    /// Remove VMs from a subgroup.
    ScaleIn,
    /// Suspend, resume, reboot or terminate VMs.
    Control,
    /// Terminate everything and delete the MCIS.
    Delete,
}

/// Where an operation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OpState {
    /// In progress (or interrupted by a crash, to be resumed).
    Running,
    /// Everything succeeded.
    Succeeded,
    /// Some VMs failed and were kept (policy continue) or dropped (refine).
    PartiallyFailed,
    /// Some VMs failed and everything this operation made was removed.
    RolledBack,
    /// Nothing succeeded.
    Failed,
}

impl OpState {
    /// Finished, one way or another.
    pub fn is_final(self) -> bool {
        self != OpState::Running
    }
}

/// Where one batch (one CSP call creating several VMs) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BatchState {
    /// Journaled; the CSP has not been asked.
    Pending,
    /// The CSP may have been asked (the answer was not recorded yet).
    Sent,
    /// The CSP answered with the VMs; they are recorded.
    Done,
    /// The CSP refused; its VMs failed.
    Failed,
}

/// One CSP call creating several identical VMs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Batch {
    /// Id, also tagged on its VMs at the CSP (`mcgw-batch`).
    pub id: String,
    /// Subgroup.
    pub subgroup: String,
    /// Connection.
    pub connection: String,
    /// The gateway names of its VMs.
    pub vms: Vec<String>,
    /// Where it stands.
    pub state: BatchState,
    /// The CSP's refusal, when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// CSP calls made for it (retries of throttled calls included).
    #[serde(default)]
    pub attempts: u32,
}

/// A journaled operation on an MCIS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Operation {
    /// Id.
    pub id: String,
    /// Namespace.
    pub ns: String,
    /// MCIS.
    pub mcis: String,
    /// What it does.
    pub kind: OpKind,
    /// Where it stands.
    pub state: OpState,
    /// Partial-failure policy (creations).
    pub policy: FailurePolicy,
    /// The lifecycle action (control operations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<VmAction>,
    /// Creation batches (create and scale-out).
    #[serde(default)]
    pub batches: Vec<Batch>,
    /// VMs acted on (control, scale-in, delete).
    #[serde(default)]
    pub targets: Vec<String>,
    /// Per-VM failures of control actions: VM name → error.
    #[serde(default)]
    pub failures: BTreeMap<String, String>,
    /// A human summary of the outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, when it reached a final state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
}
