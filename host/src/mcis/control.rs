//! Controlling an MCIS: lifecycle actions on all of it, a subgroup or a list of
//! VMs; scaling in; deleting; adopting a VM that exists at a CSP. Every action
//! is a journaled operation, so a restart finishes what a crash interrupted.

use super::create::{index_of, new_op_id};
use super::status::{Aggregate, aggregate};
use super::{RegisterReq, ScaleReq};
use crate::error::{Code, Error, Result};
use crate::model::{
    FailurePolicy, Mcis, OpKind, OpState, Operation, Vm, VmAction, VmStatus, now_rfc3339,
};
use crate::services::Gateway;
use crate::services::vms::{apply_info, status_of};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// An MCIS with its aggregated status.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct McisView {
    /// The record.
    #[serde(flatten)]
    pub mcis: Mcis,
    /// Aggregated status and per-VM detail.
    #[serde(flatten)]
    pub status: Aggregate,
}

impl Gateway {
    /// One MCIS, its status read from the database (the poller keeps it fresh).
    pub async fn mcis_view(&self, ns: &str, name: &str) -> Result<McisView> {
        self.require_ns(ns).await?;
        let mcis = self.store.mcis(ns, name).await?.ok_or_else(|| {
            Error::not_found(format!("mcis {name} does not exist in namespace {ns}"))
        })?;
        let vms = self.store.mcis_vms(ns, name).await?;
        Ok(McisView {
            mcis,
            status: aggregate(&vms),
        })
    }

    /// Start `action` on the MCIS (or one subgroup); `wait` until the CSPs
    /// answered every VM (not until the VMs reached their new state).
    pub async fn control_mcis(
        &self,
        ns: &str,
        name: &str,
        action: VmAction,
        subgroup: Option<&str>,
        wait: bool,
    ) -> Result<Operation> {
        let view = self.mcis_view(ns, name).await?;
        if let Some(sg) = subgroup
            && !view.mcis.subgroups.iter().any(|s| s.name == sg)
        {
            return Err(Error::not_found(format!(
                "mcis {name} has no subgroup {sg}"
            )));
        }
        let targets: Vec<String> = self
            .store
            .mcis_vms(ns, name)
            .await?
            .into_iter()
            .filter(|v| subgroup.is_none_or(|sg| v.subgroup.as_deref() == Some(sg)))
            .filter(|v| !v.csp_id.is_empty() && v.status != VmStatus::Terminated)
            .map(|v| v.name)
            .collect();
        let op = self
            .journal(ns, name, OpKind::Control, Some(action), targets)
            .await?;
        self.start(op, wait).await
    }

    /// Scale a subgroup out (`add`) or in (`remove`).
    pub async fn scale_mcis(
        &self,
        ns: &str,
        name: &str,
        subgroup: &str,
        req: ScaleReq,
        wait: bool,
    ) -> Result<Operation> {
        let mcis = self.mcis_view(ns, name).await?.mcis;
        match (req.add, req.remove) {
            (0, 0) => Err(Error::bad_data(
                "add",
                "give `add` or `remove` a positive number",
            )),
            (a, r) if a > 0 && r > 0 => Err(Error::bad_data(
                "remove",
                "scale out or in, not both at once",
            )),
            (add, 0) => {
                let op = self.scale_out(ns, mcis, subgroup, add, req.policy).await?;
                if wait {
                    self.wait_op(&op.id).await
                } else {
                    Ok(op)
                }
            }
            (0, remove) => {
                if !mcis.subgroups.iter().any(|s| s.name == subgroup) {
                    return Err(Error::not_found(format!(
                        "mcis {name} has no subgroup {subgroup}"
                    )));
                }
                let mut members: Vec<Vm> = self
                    .store
                    .mcis_vms(ns, name)
                    .await?
                    .into_iter()
                    .filter(|v| v.subgroup.as_deref() == Some(subgroup))
                    .collect();
                if (remove as usize) > members.len() {
                    return Err(Error::bad_data(
                        "remove",
                        format!(
                            "subgroup {subgroup} has {} VMs; cannot remove {remove}",
                            members.len()
                        ),
                    ));
                }
                // Failed VMs go first, then the newest.
                members.sort_by_key(|v| {
                    (
                        v.status != VmStatus::Failed,
                        std::cmp::Reverse(index_of(&v.name)),
                    )
                });
                let targets = members
                    .into_iter()
                    .take(remove as usize)
                    .map(|v| v.name)
                    .collect();
                let op = self
                    .journal(
                        ns,
                        name,
                        OpKind::ScaleIn,
                        Some(VmAction::Terminate),
                        targets,
                    )
                    .await?;
                self.start(op, wait).await
            }
            _ => unreachable!("all combinations are covered"),
        }
    }

    /// Delete an MCIS: refused while VMs live unless `terminate`.
    pub async fn delete_mcis(
        &self,
        ns: &str,
        name: &str,
        terminate: bool,
        wait: bool,
    ) -> Result<Option<Operation>> {
        let vms = self.store.mcis_vms(ns, name).await?;
        self.mcis_view(ns, name).await?;
        if let Some(op) = self
            .store
            .operations(ns, Some(name))
            .await?
            .into_iter()
            .find(|o| o.state == OpState::Running)
        {
            return Err(Error::invalid(format!(
                "operation {} is still running on mcis {name}; wait for it",
                op.id
            )));
        }
        let live: Vec<String> = vms
            .iter()
            .filter(|v| !v.csp_id.is_empty() && v.status != VmStatus::Terminated)
            .map(|v| v.name.clone())
            .collect();
        if live.is_empty() {
            self.store.delete_mcis(ns, name).await?;
            return Ok(None);
        }
        if !terminate {
            return Err(Error::invalid(format!(
                "mcis {name} still has {} VMs that are not terminated; terminate it first or delete with ?terminate=true",
                live.len()
            )));
        }
        let op = self
            .journal(ns, name, OpKind::Delete, Some(VmAction::Terminate), live)
            .await?;
        Ok(Some(self.start(op, wait).await?))
    }

    /// Adopt a VM that exists at a CSP into an MCIS.
    pub async fn register_vm(&self, ns: &str, name: &str, req: RegisterReq) -> Result<Vm> {
        let mut mcis = self.mcis_view(ns, name).await?.mcis;
        let conn = self.connection_ref("connection", &req.connection).await?;
        let sg_name = req.subgroup.clone().unwrap_or_else(|| "registered".into());
        crate::model::validate_name("subgroup", &sg_name)?;
        let info = self
            .client(&conn)
            .await?
            .get_vm(&req.csp_id)
            .await
            .map_err(|e| {
                if e.code == Code::NotFound {
                    e.with_field("csp_id")
                } else {
                    e
                }
            })?;
        if let Some(v) = self
            .store
            .vms(ns)
            .await?
            .iter()
            .find(|v| v.csp_id == req.csp_id && v.connection == conn.name)
        {
            return Err(Error::already_exists(format!(
                "that VM is already recorded as {} in namespace {ns}",
                v.name
            ))
            .with_field("csp_id"));
        }
        let existing = self.store.mcis_vms(ns, name).await?;
        let next = existing
            .iter()
            .filter(|v| v.subgroup.as_deref() == Some(sg_name.as_str()))
            .map(|v| index_of(&v.name))
            .max()
            .unwrap_or(0)
            + 1;
        let vm_name = req
            .name
            .clone()
            .unwrap_or_else(|| super::plan::vm_name(name, &sg_name, next));
        crate::model::validate_name("name", &vm_name)?;
        let now = now_rfc3339();
        let mut vm = Vm {
            name: vm_name,
            connection: conn.name.clone(),
            csp_id: String::new(),
            status: status_of(info.status),
            native_status: String::new(),
            target_status: None,
            spec: info.spec.clone(),
            image: info.image.clone(),
            region: conn.region.clone(),
            zone: None,
            vnet: None,
            subnet: None,
            security_groups: vec![],
            keypair: None,
            public_ip: None,
            private_ip: None,
            ssh_access_point: None,
            root_disk_type: None,
            root_disk_gib: None,
            tags: info
                .tags
                .iter()
                .filter(|kv| !kv.key.starts_with("mcgw-"))
                .map(|kv| (kv.key.clone(), kv.value.clone()))
                .collect(),
            extra: BTreeMap::new(),
            last_error: None,
            target_action: None,
            mcis: Some(name.to_string()),
            subgroup: Some(sg_name.clone()),
            op_id: None,
            batch: None,
            created_at: now.clone(),
            updated_at: now,
        };
        apply_info(&mut vm, &info);
        self.store
            .insert_vm(ns, &vm)
            .await
            .map_err(|e| e.with_field("name"))?;
        match mcis.subgroups.iter_mut().find(|s| s.name == sg_name) {
            Some(sg) => sg.size += 1,
            None => mcis.subgroups.push(crate::model::Subgroup {
                name: sg_name,
                connection: conn.name,
                spec: info.spec,
                image: info.image,
                vnet: None,
                subnet: None,
                security_groups: vec![],
                keypair: None,
                root_disk_type: None,
                root_disk_gib: None,
                size: 1,
                extra: BTreeMap::new(),
                tags: BTreeMap::new(),
            }),
        }
        self.store.update_mcis(ns, &mcis).await?;
        Ok(vm)
    }

    /// Write a control-style operation to the journal.
    async fn journal(
        &self,
        ns: &str,
        mcis: &str,
        kind: OpKind,
        action: Option<VmAction>,
        targets: Vec<String>,
    ) -> Result<Operation> {
        if let Some(op) = self
            .store
            .operations(ns, Some(mcis))
            .await?
            .into_iter()
            .find(|o| o.state == OpState::Running && o.kind != OpKind::Control)
        {
            return Err(Error::invalid(format!(
                "operation {} ({:?}) is still running on mcis {mcis}; wait for it",
                op.id, op.kind
            )));
        }
        let op = Operation {
            id: new_op_id(),
            ns: ns.to_string(),
            mcis: mcis.to_string(),
            kind,
            state: OpState::Running,
            policy: FailurePolicy::Continue,
            action,
            batches: vec![],
            targets,
            failures: BTreeMap::new(),
            summary: None,
            created_at: now_rfc3339(),
            finished_at: None,
        };
        self.store.begin_operation(&op, None, &[]).await?;
        Ok(op)
    }

    async fn start(&self, op: Operation, wait: bool) -> Result<Operation> {
        self.spawn_operation(op.clone());
        if wait {
            self.wait_op(&op.id).await
        } else {
            Ok(op)
        }
    }

    /// Wait (bounded) for an operation to finish; its final record.
    pub async fn wait_op(&self, id: &str) -> Result<Operation> {
        let deadline =
            std::time::Instant::now() + self.mcis.settings.create_timeout + Duration::from_secs(60);
        loop {
            let op = self.operation(id).await?;
            if op.state.is_final() || std::time::Instant::now() > deadline {
                return Ok(op);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// One operation.
    pub async fn operation(&self, id: &str) -> Result<Operation> {
        self.store
            .operation(id)
            .await?
            .ok_or_else(|| Error::not_found(format!("no operation {id}")))
    }

    /// Run an operation in the background, logging a failure of the engine itself.
    pub(crate) fn spawn_operation(&self, op: Operation) {
        let gw = self.clone();
        tokio::spawn(async move {
            let id = op.id.clone();
            let result = match op.kind {
                OpKind::Create | OpKind::ScaleOut => gw.run_create(op).await,
                OpKind::Control | OpKind::ScaleIn | OpKind::Delete => gw.run_control(op).await,
            };
            if let Err(e) = result {
                tracing::error!(op = %id, "operation stopped: {e}; it resumes at the next start");
            }
        });
    }

    /// Act on every target VM (in parallel, within the CSP limits), then finish
    /// the operation according to its kind.
    pub(crate) async fn run_control(&self, mut op: Operation) -> Result<()> {
        let action = op.action.unwrap_or(VmAction::Terminate);
        let results = futures::future::join_all(
            op.targets
                .iter()
                .map(|name| self.act_on(&op.ns, name, action)),
        )
        .await;
        let mut done = Vec::new();
        for (name, r) in op.targets.iter().zip(results) {
            match r {
                Ok(()) => done.push(name.clone()),
                Err(e) => {
                    op.failures.insert(name.clone(), e.summary());
                }
            }
        }
        match op.kind {
            OpKind::ScaleIn => {
                self.store.delete_vms(&op.ns, &done).await?;
                self.shrink_subgroups(&op.ns, &op.mcis, &done).await?;
            }
            OpKind::Delete if op.failures.is_empty() => {
                self.store.delete_mcis(&op.ns, &op.mcis).await?;
            }
            _ => {}
        }
        let (ok, bad) = (done.len(), op.failures.len());
        op.state = match (ok, bad) {
            (_, 0) => OpState::Succeeded,
            (0, _) => OpState::Failed,
            _ => OpState::PartiallyFailed,
        };
        op.summary = Some(match op.kind {
            OpKind::Delete if bad == 0 => format!("{ok} VMs terminated; mcis deleted"),
            OpKind::Delete => format!("{bad} VMs could not be terminated; the mcis is kept"),
            OpKind::ScaleIn => format!("{ok} VMs removed, {bad} failed"),
            _ => format!("{action:?}: {ok} VMs accepted, {bad} failed"),
        });
        op.finished_at = Some(now_rfc3339());
        self.store.save_operation(&op).await
    }

    /// One VM's action through the limiter; a VM already where the action
    /// leads (or gone, for terminate) counts as done.
    async fn act_on(&self, ns: &str, name: &str, action: VmAction) -> Result<()> {
        let Some(vm) = self.store.vm(ns, name).await? else {
            return Ok(());
        };
        if vm.csp_id.is_empty() || vm.status == action.target() || vm.status == VmStatus::Terminated
        {
            return Ok(());
        }
        let conn = self.connection(&vm.connection).await?;
        let client = self.client(&conn).await?;
        let id = vm.csp_id.clone();
        let answer = self
            .mcis
            .limiter
            .call(
                &conn.adapter,
                &conn.region,
                || {},
                || async {
                    match action {
                        VmAction::Suspend => client.suspend_vm(&id).await,
                        VmAction::Resume => client.resume_vm(&id).await,
                        VmAction::Reboot => client.reboot_vm(&id).await,
                        VmAction::Terminate => client.terminate_vm(&id).await,
                    }
                },
            )
            .await;
        self.record_action(ns, &vm, action, answer)
            .await
            .map(|_| ())
    }

    /// Terminate VMs at their CSPs (those that have a CSP id) and forget them.
    pub(crate) async fn remove_vms(&self, ns: &str, names: &[String]) -> Result<()> {
        let results = futures::future::join_all(
            names
                .iter()
                .map(|n| self.act_on(ns, n, VmAction::Terminate)),
        )
        .await;
        let gone: Vec<String> = names
            .iter()
            .zip(results)
            .filter_map(|(n, r)| match r {
                Ok(()) => Some(n.clone()),
                Err(e) => {
                    tracing::error!(vm = %n, "could not terminate: {e}; its record stays");
                    None
                }
            })
            .collect();
        self.store.delete_vms(ns, &gone).await?;
        Ok(())
    }
}
