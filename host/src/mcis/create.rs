//! Creating VMs for an MCIS: the journal is written first (operation, MCIS and
//! every VM row), then batches go to the CSPs in parallel within the limits,
//! then the operation waits for its VMs and applies the partial-failure policy.

use super::tags;
use super::{McisReq, plan::vm_name};
use crate::error::{Code, Error, Result};
use crate::model::{
    BatchState, FailurePolicy, Mcis, OpKind, OpState, Operation, Subgroup, Vm, VmStatus,
    now_rfc3339,
};
use crate::runtime::bindings as b;
use crate::services::vms::{apply_info, set_status};
use crate::services::{Gateway, kvs, tags as base_tags};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// A fresh operation id.
pub(crate) fn new_op_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_string()
}

/// What a create call answers: the MCIS and the operation that builds it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Accepted {
    /// The MCIS.
    pub mcis: Mcis,
    /// The operation, to follow with `GET /v1/ns/{ns}/operations/{id}`.
    pub operation: Operation,
}

impl Gateway {
    /// Validate, journal and start creating an MCIS; answers at once.
    pub async fn create_mcis(&self, ns: &str, req: McisReq) -> Result<Accepted> {
        self.check_request(ns, &req).await?;
        if self.store.mcis(ns, &req.name).await?.is_some() {
            return Err(Error::already_exists(format!(
                "mcis {} already exists in namespace {ns}",
                req.name
            ))
            .with_field("name"));
        }
        let checks = futures::future::try_join_all(
            req.subgroups
                .iter()
                .enumerate()
                .map(|(i, sg)| self.check_subgroup(ns, i, sg, true, true)),
        )
        .await?;
        let mcis = Mcis {
            name: req.name.clone(),
            description: req.description,
            labels: req.labels,
            subgroups: req.subgroups,
            created_at: now_rfc3339(),
        };
        let op_id = new_op_id();
        let (mut vms, mut batches) = (Vec::new(), Vec::new());
        for (sg, check) in mcis.subgroups.iter().zip(&checks) {
            let (v, b) = self.plan_vms(&mcis.name, sg, &check.region, 1, sg.size, &op_id);
            vms.extend(v);
            batches.extend(b);
        }
        let op = Operation {
            id: op_id,
            ns: ns.to_string(),
            mcis: mcis.name.clone(),
            kind: OpKind::Create,
            state: OpState::Running,
            policy: req.policy,
            action: None,
            batches,
            targets: vec![],
            failures: BTreeMap::new(),
            summary: None,
            created_at: now_rfc3339(),
            finished_at: None,
        };
        self.store.begin_operation(&op, Some(&mcis), &vms).await?;
        self.spawn_operation(op.clone());
        Ok(Accepted {
            mcis,
            operation: op,
        })
    }

    /// Add `count` VMs to a subgroup (an operation of its own).
    pub(crate) async fn scale_out(
        &self,
        ns: &str,
        mut mcis: Mcis,
        sg_name: &str,
        count: u32,
        policy: FailurePolicy,
    ) -> Result<Operation> {
        let i = mcis
            .subgroups
            .iter()
            .position(|s| s.name == sg_name)
            .ok_or_else(|| {
                Error::not_found(format!("mcis {} has no subgroup {sg_name}", mcis.name))
            })?;
        let existing = self.store.mcis_vms(ns, &mcis.name).await?;
        let first = existing
            .iter()
            .filter(|v| v.subgroup.as_deref() == Some(sg_name))
            .filter_map(|v| v.name.rsplit('-').next()?.parse::<u32>().ok())
            .max()
            .unwrap_or(0)
            + 1;
        let last = vm_name(&mcis.name, sg_name, first + count - 1);
        if last.len() > 63 {
            return Err(Error::bad_data(
                "add",
                format!("VM names like {last} would exceed 63 characters"),
            ));
        }
        let check = self
            .check_subgroup(ns, i, &mcis.subgroups[i], false, true)
            .await?;
        let op_id = new_op_id();
        let (vms, batches) = self.plan_vms(
            &mcis.name,
            &mcis.subgroups[i],
            &check.region,
            first,
            count,
            &op_id,
        );
        mcis.subgroups[i].size += count;
        let op = Operation {
            id: op_id,
            ns: ns.to_string(),
            mcis: mcis.name.clone(),
            kind: OpKind::ScaleOut,
            state: OpState::Running,
            policy,
            action: None,
            batches,
            targets: vec![],
            failures: BTreeMap::new(),
            summary: None,
            created_at: now_rfc3339(),
            finished_at: None,
        };
        self.store.begin_operation(&op, None, &vms).await?;
        self.store.update_mcis(ns, &mcis).await?;
        self.spawn_operation(op.clone());
        Ok(op)
    }

    /// Run a creation to its end: send pending batches, wait for the VMs,
    /// apply the policy. Resumable: batches already answered are skipped.
    pub(crate) async fn run_create(&self, op: Operation) -> Result<()> {
        let ns = op.ns.clone();
        let mcis = self.store.mcis(&ns, &op.mcis).await?.ok_or_else(|| {
            Error::internal(format!("operation {} refers to a missing mcis", op.id))
        })?;
        let pending: Vec<usize> = (0..op.batches.len())
            .filter(|&i| op.batches[i].state == BatchState::Pending)
            .collect();
        let shared = Arc::new(Mutex::new(op));
        futures::future::join_all(
            pending
                .into_iter()
                .map(|i| self.run_batch(&ns, &mcis, shared.clone(), i)),
        )
        .await;

        let op = shared.lock().await.clone();
        self.wait_for_vms(&op).await?;
        self.apply_policy(op).await
    }

    /// One CSP call creating one batch of VMs, journaled before and after.
    async fn run_batch(&self, ns: &str, mcis: &Mcis, op: Arc<Mutex<Operation>>, i: usize) {
        let (op_id, batch) = {
            let mut o = op.lock().await;
            o.batches[i].state = BatchState::Sent;
            (o.id.clone(), o.batches[i].clone())
        };
        if let Err(e) = self.save_op(&op).await {
            tracing::error!(op = %op_id, "journaling a batch failed: {e}");
            return;
        }
        let outcome = async {
            let sg = mcis
                .subgroups
                .iter()
                .find(|s| s.name == batch.subgroup)
                .ok_or_else(|| {
                    Error::internal(format!("batch {} names a missing subgroup", batch.id))
                })?;
            let conn = self.connection(&batch.connection).await?;
            let client = self.client(&conn).await?;
            let req = self
                .batch_request(
                    ns,
                    &mcis.name,
                    sg,
                    &op_id,
                    &batch.id,
                    batch.vms.len() as u32,
                )
                .await?;
            let mut attempts = 0;
            let result = self
                .mcis
                .limiter
                .call(
                    &conn.adapter,
                    &conn.region,
                    || attempts += 1,
                    || async {
                        match client.create_vms(&req).await {
                            // A transient failure may still have created VMs:
                            // look for them by their batch tag before retrying.
                            Err(e) if e.retryable() && e.code != Code::Throttled => {
                                match self.find_batch(&client, &batch.id).await {
                                    Ok(found) if !found.is_empty() => Ok(found),
                                    _ => Err(e),
                                }
                            }
                            other => other,
                        }
                    },
                )
                .await;
            op.lock().await.batches[i].attempts += attempts;
            result
        }
        .await;

        let mut rows = match self.store.op_vms(ns, &op_id).await {
            Ok(rows) => rows
                .into_iter()
                .filter(|v| v.batch.as_deref() == Some(batch.id.as_str()))
                .collect::<Vec<_>>(),
            Err(e) => {
                tracing::error!(op = %op_id, "reading batch rows failed: {e}");
                return;
            }
        };
        let state = match outcome {
            Ok(infos) => {
                self.assign(ns, &mut rows, infos).await;
                BatchState::Done
            }
            Err(e) => {
                let why = e.summary();
                for vm in &mut rows {
                    set_status(vm, VmStatus::Failed, "(not created)");
                    vm.last_error = Some(why.clone());
                }
                op.lock().await.batches[i].error = Some(why);
                BatchState::Failed
            }
        };
        if let Err(e) = self.store.update_vms(ns, &rows).await {
            tracing::error!(op = %op_id, "recording batch results failed: {e}");
        }
        op.lock().await.batches[i].state = state;
        let _ = self.save_op(&op).await;
    }

    /// Give the CSP's VMs (in launch order) to the batch's rows in index order;
    /// VMs beyond the rows are terminated at once (never leave a VM no record
    /// points to).
    pub(crate) async fn assign(&self, ns: &str, rows: &mut [Vm], mut infos: Vec<b::VmInfo>) {
        rows.sort_by_key(|v| index_of(&v.name));
        let extra = infos.split_off(infos.len().min(rows.len()));
        for (vm, info) in rows.iter_mut().zip(&infos) {
            apply_info(vm, info);
            vm.last_error = None;
        }
        for vm in rows.iter_mut().skip(infos.len()) {
            set_status(vm, VmStatus::Failed, "(not created)");
            vm.last_error = Some("the CSP created fewer VMs than asked".into());
        }
        if let Some(first) = rows.first()
            && !extra.is_empty()
        {
            tracing::warn!(
                ns,
                count = extra.len(),
                "the CSP created more VMs than asked; terminating the extra ones"
            );
            if let Ok(conn) = self.connection(&first.connection).await
                && let Ok(client) = self.client(&conn).await
            {
                for info in extra {
                    let _ = client.terminate_vm(&info.id).await;
                }
            }
        }
    }

    /// The VMs a batch created, found by their tag, oldest first.
    pub(crate) async fn find_batch(
        &self,
        client: &crate::adapters::AdapterClient,
        batch: &str,
    ) -> Result<Vec<b::VmInfo>> {
        let filter = b::VmFilter {
            tags: kvs(&BTreeMap::from([(
                tags::BATCH.to_string(),
                batch.to_string(),
            )])),
        };
        let mut found: Vec<b::VmInfo> = client
            .list_vms(&filter)
            .await?
            .into_iter()
            .filter(|v| v.status != b::VmStatus::Terminated)
            .collect();
        // A listing has no launch order: creation time, then id, is the best guess.
        found.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(found)
    }

    /// The contract request for one batch, with every tag the engine needs.
    async fn batch_request(
        &self,
        ns: &str,
        mcis: &str,
        sg: &Subgroup,
        op_id: &str,
        batch: &str,
        count: u32,
    ) -> Result<b::VmRequest> {
        let refs = self
            .resolve_refs(
                ns,
                &sg.connection,
                &crate::api::dto::VmReq {
                    name: sg.name.clone(),
                    connection: sg.connection.clone(),
                    spec: sg.spec.clone(),
                    image: sg.image.clone(),
                    vnet: sg.vnet.clone(),
                    subnet: sg.subnet.clone(),
                    security_groups: sg.security_groups.clone(),
                    keypair: sg.keypair.clone(),
                    ..Default::default()
                },
            )
            .await?;
        let mut t = sg.tags.clone();
        t.insert(base_tags::NS.into(), ns.into());
        t.insert(base_tags::NAME.into(), format!("{mcis}-{}", sg.name));
        t.insert(tags::MCIS.into(), mcis.into());
        t.insert(tags::SUBGROUP.into(), sg.name.clone());
        t.insert(tags::OP.into(), op_id.into());
        t.insert(tags::BATCH.into(), batch.into());
        Ok(b::VmRequest {
            name: format!("{mcis}-{}", sg.name),
            spec: sg.spec.clone(),
            image: sg.image.clone(),
            vnet_id: refs.vnet_id,
            subnet_id: refs.subnet_id,
            security_group_ids: refs.security_group_ids,
            keypair_id: refs.keypair_id,
            root_disk_type: sg.root_disk_type.clone(),
            root_disk_gib: sg.root_disk_gib,
            user_data: None,
            tags: kvs(&t),
            extra: kvs(&sg.extra),
            count,
        })
    }

    /// Wait until every VM of the operation is Running, Failed or gone; VMs
    /// still on their way at the deadline are marked Failed.
    async fn wait_for_vms(&self, op: &Operation) -> Result<()> {
        let deadline = Instant::now() + self.mcis.settings.create_timeout;
        loop {
            let rows = self.store.op_vms(&op.ns, &op.id).await?;
            let waiting: Vec<Vm> = rows
                .into_iter()
                .filter(|v| {
                    !matches!(
                        v.status,
                        VmStatus::Running | VmStatus::Failed | VmStatus::Terminated
                    )
                })
                .collect();
            if waiting.is_empty() {
                return Ok(());
            }
            if Instant::now() > deadline {
                let mut late = waiting;
                for vm in &mut late {
                    vm.last_error = Some(format!(
                        "did not reach Running within {} s (last seen {})",
                        self.mcis.settings.create_timeout.as_secs(),
                        vm.status.as_str()
                    ));
                    set_status(vm, VmStatus::Failed, &vm.native_status.clone());
                }
                return self.store.update_vms(&op.ns, &late).await;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Continue, roll back or refine, then record the outcome.
    async fn apply_policy(&self, mut op: Operation) -> Result<()> {
        let rows = self.store.op_vms(&op.ns, &op.id).await?;
        let failed: Vec<&Vm> = rows
            .iter()
            .filter(|v| v.status == VmStatus::Failed)
            .collect();
        let (ok, bad) = (rows.len() - failed.len(), failed.len());
        op.state = match (bad, op.policy) {
            (0, _) => OpState::Succeeded,
            _ if ok == 0 && op.policy != FailurePolicy::Rollback => OpState::Failed,
            (_, FailurePolicy::Continue) => OpState::PartiallyFailed,
            (_, FailurePolicy::Refine) => {
                let names: Vec<String> = failed.iter().map(|v| v.name.clone()).collect();
                self.remove_vms(&op.ns, &names).await?;
                self.shrink_subgroups(&op.ns, &op.mcis, &names).await?;
                OpState::PartiallyFailed
            }
            (_, FailurePolicy::Rollback) => {
                let names: Vec<String> = rows.iter().map(|v| v.name.clone()).collect();
                self.remove_vms(&op.ns, &names).await?;
                if op.kind == OpKind::Create {
                    // The MCIS was this operation's own: it goes too.
                    let _ = self.store.delete_mcis(&op.ns, &op.mcis).await;
                } else {
                    self.shrink_subgroups(&op.ns, &op.mcis, &names).await?;
                }
                OpState::RolledBack
            }
        };
        let first_error = failed
            .first()
            .and_then(|v| v.last_error.clone())
            .unwrap_or_default();
        op.summary = Some(match op.state {
            OpState::Succeeded => format!("{ok} VMs running"),
            OpState::RolledBack => format!(
                "{bad} of {} VMs failed ({first_error}); everything this operation created was removed",
                rows.len()
            ),
            _ if op.policy == FailurePolicy::Refine => {
                format!("{ok} VMs running; {bad} failed VMs dropped ({first_error})")
            }
            _ => format!("{ok} VMs running; {bad} failed ({first_error})"),
        });
        op.finished_at = Some(now_rfc3339());
        self.store.save_operation(&op).await?;
        tracing::info!(op = %op.id, mcis = %op.mcis, state = ?op.state, "{}", op.summary.as_deref().unwrap_or(""));
        Ok(())
    }

    /// Lower subgroup sizes after VMs were dropped.
    pub(crate) async fn shrink_subgroups(
        &self,
        ns: &str,
        mcis: &str,
        names: &[String],
    ) -> Result<()> {
        let Some(mut m) = self.store.mcis(ns, mcis).await? else {
            return Ok(());
        };
        for sg in &mut m.subgroups {
            let prefix = format!("{mcis}-{}-", sg.name);
            let gone = names
                .iter()
                .filter(|n| n.starts_with(&prefix) && index_of(n) > 0)
                .count() as u32;
            sg.size = sg.size.saturating_sub(gone);
        }
        self.store.update_mcis(ns, &m).await
    }

    async fn save_op(&self, op: &Arc<Mutex<Operation>>) -> Result<()> {
        let snapshot = op.lock().await.clone();
        self.store.save_operation(&snapshot).await
    }
}

/// The numeric suffix of a VM name (0 when none).
pub(crate) fn index_of(name: &str) -> u32 {
    name.rsplit('-')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}
