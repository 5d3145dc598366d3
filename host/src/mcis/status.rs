//! One readable status for a set of VMs, in CB-Tumblebug's form:
//! `Running:3 (R:3/3)` when all agree, `Partial-Running:2 (R:2/3)` otherwise.

use crate::model::{Vm, VmAction, VmStatus};
use serde::Serialize;
use std::collections::BTreeMap;

/// A VM as the status view shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VmBrief {
    /// Name.
    pub name: String,
    /// Subgroup.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subgroup: Option<String>,
    /// Connection.
    pub connection: String,
    /// Common status.
    pub status: VmStatus,
    /// Status the last action aims at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_status: Option<VmStatus>,
    /// The last action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_action: Option<VmAction>,
    /// The CSP's word.
    pub native_status: String,
    /// CSP id.
    pub csp_id: String,
    /// Public IP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<String>,
    /// Last error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// The aggregated status.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Aggregate {
    /// E.g. `Running:3 (R:3/3)` or `Partial-Suspended:2 (R:1/3)`.
    pub status: String,
    /// Number of VMs.
    pub total: usize,
    /// VMs per status.
    pub counts: BTreeMap<String, usize>,
    /// VMs with an action still in flight.
    pub in_flight: usize,
    /// Per VM.
    pub vms: Vec<VmBrief>,
}

/// Order of precedence when two statuses are equally common: the states VMs
/// are meant to be in come first, so `2 Running + 2 Failed` reads as
/// `Partial-Running:2`; the counts still show the failures.
fn rank(s: VmStatus) -> u8 {
    match s {
        VmStatus::Running => 0,
        VmStatus::Suspended => 1,
        VmStatus::Creating => 2,
        VmStatus::Suspending | VmStatus::Resuming | VmStatus::Rebooting | VmStatus::Terminating => {
            3
        }
        VmStatus::Failed => 4,
        VmStatus::Undefined => 5,
        VmStatus::Terminated => 6,
    }
}

/// Aggregate `vms` (any order).
pub fn aggregate(vms: &[Vm]) -> Aggregate {
    let mut counts: BTreeMap<VmStatus, usize> = BTreeMap::new();
    for vm in vms {
        *counts.entry(vm.status).or_default() += 1;
    }
    let total = vms.len();
    let running = counts.get(&VmStatus::Running).copied().unwrap_or(0);
    let status = match counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(rank(*b.0).cmp(&rank(*a.0))))
    {
        None => "Empty:0 (R:0/0)".to_string(),
        Some((s, n)) if *n == total => format!("{}:{n} (R:{running}/{total})", s.as_str()),
        Some((s, n)) => format!("Partial-{}:{n} (R:{running}/{total})", s.as_str()),
    };
    Aggregate {
        status,
        total,
        counts: counts
            .iter()
            .map(|(s, n)| (s.as_str().to_string(), *n))
            .collect(),
        in_flight: vms.iter().filter(|v| v.target_status.is_some()).count(),
        vms: vms
            .iter()
            .map(|v| VmBrief {
                name: v.name.clone(),
                subgroup: v.subgroup.clone(),
                connection: v.connection.clone(),
                status: v.status,
                target_status: v.target_status,
                target_action: v.target_action,
                native_status: v.native_status.clone(),
                csp_id: v.csp_id.clone(),
                public_ip: v.public_ip.clone(),
                last_error: v.last_error.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vm(status: VmStatus) -> Vm {
        serde_json::from_value(serde_json::json!({
            "name": "v", "connection": "c", "csp_id": "i", "status": status, "native_status": "",
            "spec": "s", "image": "i", "region": "r", "created_at": "", "updated_at": ""
        }))
        .unwrap()
    }

    #[test]
    fn tumblebug_style_strings() {
        use VmStatus::*;
        assert_eq!(
            aggregate(&[vm(Running), vm(Running), vm(Running)]).status,
            "Running:3 (R:3/3)"
        );
        assert_eq!(
            aggregate(&[vm(Running), vm(Running), vm(Failed)]).status,
            "Partial-Running:2 (R:2/3)"
        );
        assert_eq!(
            aggregate(&[vm(Suspended), vm(Running)]).status,
            "Partial-Running:1 (R:1/2)"
        );
        assert_eq!(
            aggregate(&[vm(Creating), vm(Creating), vm(Running)]).status,
            "Partial-Creating:2 (R:1/3)"
        );
        assert_eq!(aggregate(&[]).status, "Empty:0 (R:0/0)");
        let a = aggregate(&[vm(Running), vm(Failed)]);
        assert_eq!(a.counts["Running"], 1);
        assert_eq!(a.counts["Failed"], 1);
    }
}
