//! Keeping VM status fresh in the background: VMs are due by `next_poll_at`
//! (soon while changing or with an action in flight, rarely when stable, never
//! once terminated). Due VMs are grouped by connection; a group of more than a
//! few VMs is refreshed with one listing filtered by the namespace tag, the
//! rest one by one. Reads of status never call a CSP: they read what this
//! keeps up to date.

use crate::error::{Code, Result};
use crate::model::{Vm, VmStatus};
use crate::runtime::bindings as b;
use crate::services::vms::{
    REFRESH_FAILED, VmChange, apply_info, clear_refresh_error, set_status, status_of,
};
use crate::services::{Gateway, kvs, tags};
use std::collections::{BTreeMap, HashMap};

/// VMs refreshed per tick at most.
const PER_TICK: usize = 5000;
/// Above this many due VMs in one connection, list instead of asking each.
const LIST_THRESHOLD: usize = 3;

impl Gateway {
    /// Poll until `stop` turns true.
    pub async fn run_poller(&self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let tick = self.mcis.settings.poll_tick;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(tick) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            if let Err(e) = self.poll_once().await {
                tracing::warn!("status poll failed: {e}");
            }
        }
    }

    /// One round: refresh every VM that is due.
    pub async fn poll_once(&self) -> Result<usize> {
        let due = self.store.vms_due(PER_TICK).await?;
        let n = due.len();
        let mut groups: BTreeMap<(String, String), Vec<Vm>> = BTreeMap::new();
        for (ns, vm) in due {
            groups
                .entry((ns, vm.connection.clone()))
                .or_default()
                .push(vm);
        }
        futures::future::join_all(groups.into_iter().map(|((ns, conn), vms)| async move {
            if let Err(e) = self.refresh_group(&ns, &conn, vms).await {
                tracing::debug!(connection = %conn, "refresh failed: {e}");
            }
        }))
        .await;
        Ok(n)
    }

    async fn refresh_group(&self, ns: &str, conn_name: &str, vms: Vec<Vm>) -> Result<()> {
        let conn = self.connection(conn_name).await?;
        let client = self.client(&conn).await?;
        let limiter = &self.mcis.limiter;
        let mut seen: HashMap<String, b::VmInfo> = HashMap::new();
        if vms.len() > LIST_THRESHOLD {
            let filter = b::VmFilter {
                tags: kvs(&BTreeMap::from([(tags::NS.to_string(), ns.to_string())])),
            };
            let listed = limiter
                .call(
                    &conn.adapter,
                    &conn.region,
                    || {},
                    || client.list_vms(&filter),
                )
                .await?;
            seen = listed.into_iter().map(|i| (i.id.clone(), i)).collect();
        }
        let mut changes: Vec<(String, VmChange)> = Vec::new();
        for vm in &vms {
            let expected = vm.csp_id.clone();
            let change: VmChange = match seen.remove(&vm.csp_id) {
                Some(info) => Box::new(move |v: &mut Vm| {
                    if v.csp_id == expected {
                        apply_info(v, &info);
                        clear_refresh_error(v);
                    }
                }),
                None => {
                    let id = vm.csp_id.clone();
                    let outcome = limiter
                        .call(&conn.adapter, &conn.region, || {}, || client.vm_status(&id))
                        .await;
                    Box::new(move |v: &mut Vm| {
                        if v.csp_id != expected {
                            return;
                        }
                        match outcome {
                            Ok(s) => {
                                set_status(v, status_of(s.status), &s.native_status);
                                clear_refresh_error(v);
                            }
                            Err(e) if e.code == Code::NotFound => {
                                set_status(v, VmStatus::Terminated, "(gone)")
                            }
                            Err(e) => v.last_error = Some(format!("{REFRESH_FAILED}{}", e.message)),
                        }
                    })
                }
            };
            changes.push((vm.name.clone(), change));
        }
        // Every VM is written back, changed or not, to move its next poll time.
        self.store.modify_vms(ns, changes).await
    }
}
