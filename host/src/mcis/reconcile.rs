//! After a restart (or a crash): every operation still marked running in the
//! journal is resumed. For creation batches whose CSP call may have happened
//! (state Sent), the CSP is asked for VMs carrying the batch's tag: found ones
//! are adopted, extra ones terminated, and a batch with none is sent again.

use crate::error::Result;
use crate::model::{BatchState, OpKind, Operation, VmStatus};
use crate::services::Gateway;
use crate::services::vms::set_status;

impl Gateway {
    /// Resume every interrupted operation; returns how many were resumed.
    pub async fn reconcile(&self) -> Result<usize> {
        let ops = self.store.running_operations().await?;
        let n = ops.len();
        for mut op in ops {
            tracing::info!(op = %op.id, mcis = %op.mcis, kind = ?op.kind, "resuming an interrupted operation");
            if matches!(op.kind, OpKind::Create | OpKind::ScaleOut) {
                if let Err(e) = self.settle_sent_batches(&mut op).await {
                    tracing::error!(op = %op.id, "cannot reconcile its batches yet: {e}; retrying at the next start");
                    continue;
                }
                self.store.save_operation(&op).await?;
            }
            self.spawn_operation(op);
        }
        Ok(n)
    }

    /// Decide, for each batch that may have reached its CSP, what happened.
    async fn settle_sent_batches(&self, op: &mut Operation) -> Result<()> {
        for batch in op
            .batches
            .iter_mut()
            .filter(|b| b.state == BatchState::Sent)
        {
            let conn = self.connection(&batch.connection).await?;
            let client = self.client(&conn).await?;
            let found = self.find_batch(&client, &batch.id).await?;
            let mut rows: Vec<_> = self
                .store
                .op_vms(&op.ns, &op.id)
                .await?
                .into_iter()
                .filter(|v| v.batch.as_deref() == Some(batch.id.as_str()))
                .collect();
            if found.is_empty() {
                // Never reached the CSP (or the CSP refused): send it again.
                batch.state = BatchState::Pending;
                for vm in &mut rows {
                    set_status(vm, VmStatus::Creating, "");
                    vm.target_status = Some(VmStatus::Running);
                }
            } else {
                tracing::info!(op = %op.id, batch = %batch.id, found = found.len(), "adopting VMs found by their batch tag");
                self.assign(&op.ns, &mut rows, found).await;
                batch.state = BatchState::Done;
            }
            self.store.update_vms(&op.ns, &rows).await?;
        }
        Ok(())
    }
}
