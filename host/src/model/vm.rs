//! Virtual machines and the one status set of every CSP.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The common VM status (CB-Spider's set, plus Undefined for unmapped words).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum VmStatus {
    /// Accepted, not yet running.
    Creating,
    /// Running.
    Running,
    /// Being suspended.
    Suspending,
    /// Suspended.
    Suspended,
    /// Being resumed.
    Resuming,
    /// Rebooting.
    Rebooting,
    /// Being terminated.
    Terminating,
    /// Terminated.
    Terminated,
    /// Failed at the CSP.
    Failed,
    /// Unknown native state.
    Undefined,
}

impl VmStatus {
    /// States that will change by themselves (worth polling soon).
    pub fn is_transitional(self) -> bool {
        matches!(
            self,
            VmStatus::Creating
                | VmStatus::Suspending
                | VmStatus::Resuming
                | VmStatus::Rebooting
                | VmStatus::Terminating
        )
    }
    /// States that never change again.
    pub fn is_terminal(self) -> bool {
        matches!(self, VmStatus::Terminated)
    }
    /// Name as it appears in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            VmStatus::Creating => "Creating",
            VmStatus::Running => "Running",
            VmStatus::Suspending => "Suspending",
            VmStatus::Suspended => "Suspended",
            VmStatus::Resuming => "Resuming",
            VmStatus::Rebooting => "Rebooting",
            VmStatus::Terminating => "Terminating",
            VmStatus::Terminated => "Terminated",
            VmStatus::Failed => "Failed",
            VmStatus::Undefined => "Undefined",
        }
    }
    /// Parse the API name.
    pub fn parse(s: &str) -> Option<VmStatus> {
        [
            VmStatus::Creating,
            VmStatus::Running,
            VmStatus::Suspending,
            VmStatus::Suspended,
            VmStatus::Resuming,
            VmStatus::Rebooting,
            VmStatus::Terminating,
            VmStatus::Terminated,
            VmStatus::Failed,
            VmStatus::Undefined,
        ]
        .into_iter()
        .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

/// Lifecycle actions on a VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum VmAction {
    /// Stop/suspend.
    Suspend,
    /// Start/resume.
    Resume,
    /// Reboot.
    Reboot,
    /// Terminate (the record stays, as Terminated, until deleted).
    Terminate,
}

impl VmAction {
    /// Parse the path segment.
    pub fn parse(s: &str) -> Option<VmAction> {
        match s {
            "suspend" => Some(VmAction::Suspend),
            "resume" => Some(VmAction::Resume),
            "reboot" => Some(VmAction::Reboot),
            "terminate" => Some(VmAction::Terminate),
            _ => None,
        }
    }
    /// The status the action aims at.
    pub fn target(self) -> VmStatus {
        match self {
            VmAction::Suspend => VmStatus::Suspended,
            VmAction::Resume | VmAction::Reboot => VmStatus::Running,
            VmAction::Terminate => VmStatus::Terminated,
        }
    }
}

/// How soon a VM's status is worth asking the CSP again: soon while it is
/// changing or an action is in flight, rarely when stable, never once gone.
pub fn poll_delay(vm: &Vm) -> Option<std::time::Duration> {
    use std::time::Duration;
    if vm.status.is_terminal() {
        None
    } else if vm.csp_id.is_empty() {
        // Not yet accepted by the CSP: its creator will fill it in.
        Some(Duration::from_secs(30))
    } else if vm.status.is_transitional() || vm.target_status.is_some() {
        Some(Duration::from_millis(1000))
    } else {
        Some(Duration::from_secs(30))
    }
}

/// A VM as recorded by the gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Vm {
    /// Name, unique in the namespace.
    pub name: String,
    /// Connection.
    pub connection: String,
    /// CSP id (empty until the CSP accepted the request).
    pub csp_id: String,
    /// Common status.
    pub status: VmStatus,
    /// The CSP's own word.
    pub native_status: String,
    /// Status the last action aims at, while it is in flight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_status: Option<VmStatus>,
    /// Spec name.
    pub spec: String,
    /// Image id.
    pub image: String,
    /// Region.
    pub region: String,
    /// Zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Vnet name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vnet: Option<String>,
    /// Subnet name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<String>,
    /// Security group names.
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// Key pair name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keypair: Option<String>,
    /// Public IPv4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<String>,
    /// Private IPv4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip: Option<String>,
    /// `ip:22`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_access_point: Option<String>,
    /// Root disk type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_disk_type: Option<String>,
    /// Root disk size, GiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_disk_gib: Option<u32>,
    /// User tags (the gateway's own `mcgw-*` tags are added at the CSP only).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// CSP-specific parameters used at creation.
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
    /// Last error from the CSP about this VM, if the last action failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// The last action asked of the VM, while it is in flight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_action: Option<VmAction>,
    /// The MCIS it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcis: Option<String>,
    /// Its subgroup in the MCIS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subgroup: Option<String>,
    /// The operation that created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op_id: Option<String>,
    /// The batch (one CSP call) it was created in; its tag at the CSP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<String>,
    /// RFC 3339, at the gateway.
    pub created_at: String,
    /// RFC 3339, last status change seen.
    pub updated_at: String,
}
