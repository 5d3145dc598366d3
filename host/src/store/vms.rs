//! VM records: one row per VM with the columns queries need (status, MCIS,
//! operation, next poll time) beside the JSON document. Bulk writes run in one
//! transaction so an MCIS of a thousand VMs is recorded atomically.

use super::records::{from_json, to_json};
use super::{Store, unique_violation};
use crate::error::Result;
use crate::model::{Vm, poll_delay};
use rusqlite::{OptionalExtension, params};

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// When the poller should next ask the CSP about `vm` (unix ms; never = max).
fn next_poll_at(vm: &Vm) -> i64 {
    poll_delay(vm).map_or(i64::MAX, |d| now_ms() + d.as_millis() as i64)
}

pub(super) fn insert(tx: &rusqlite::Transaction<'_>, ns: &str, vm: &Vm) -> Result<()> {
    tx.execute(
        "INSERT INTO vms(ns, name, connection, csp_id, status, mcis, op_id, next_poll_at, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            ns,
            vm.name,
            vm.connection,
            vm.csp_id,
            vm.status.as_str(),
            vm.mcis,
            vm.op_id,
            next_poll_at(vm),
            to_json(vm)?
        ],
    )
    .map_err(|e| {
        unique_violation(e, || {
            format!("vm {} already exists in namespace {ns}", vm.name)
        })
    })?;
    Ok(())
}

fn update(tx: &rusqlite::Transaction<'_>, ns: &str, vm: &Vm) -> Result<()> {
    tx.execute(
        "UPDATE vms SET csp_id = ?3, status = ?4, mcis = ?5, op_id = ?6, next_poll_at = ?7, data = ?8
         WHERE ns = ?1 AND name = ?2",
        params![
            ns,
            vm.name,
            vm.csp_id,
            vm.status.as_str(),
            vm.mcis,
            vm.op_id,
            next_poll_at(vm),
            to_json(vm)?
        ],
    )?;
    Ok(())
}

fn query(c: &rusqlite::Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<Vm>> {
    let mut st = c.prepare_cached(sql)?;
    let rows = st.query_map(args, |r| r.get::<_, String>(0))?;
    rows.map(|d| from_json(&d?)).collect()
}

impl Store {
    /// Record a VM (AlreadyExists if the name is taken in `ns`).
    pub async fn insert_vm(&self, ns: &str, vm: &Vm) -> Result<()> {
        self.insert_vms(ns, std::slice::from_ref(vm)).await
    }

    /// Record several VMs at once, all or none.
    pub async fn insert_vms(&self, ns: &str, vms: &[Vm]) -> Result<()> {
        let (ns, vms) = (ns.to_string(), vms.to_vec());
        self.run(move |c| {
            let tx = c.transaction()?;
            for vm in &vms {
                insert(&tx, &ns, vm)?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Replace a VM's record.
    pub async fn update_vm(&self, ns: &str, vm: &Vm) -> Result<()> {
        self.update_vms(ns, std::slice::from_ref(vm)).await
    }

    /// Replace several VMs' records at once.
    pub async fn update_vms(&self, ns: &str, vms: &[Vm]) -> Result<()> {
        let (ns, vms) = (ns.to_string(), vms.to_vec());
        self.run(move |c| {
            let tx = c.transaction()?;
            for vm in &vms {
                update(&tx, &ns, vm)?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Change VMs in place: each closure sees the row as it is now (not as the
    /// caller read it earlier), so concurrent writers never undo each other.
    pub async fn modify_vms<F>(&self, ns: &str, changes: Vec<(String, F)>) -> Result<()>
    where
        F: FnOnce(&mut Vm) + Send + 'static,
    {
        let ns = ns.to_string();
        self.run(move |c| {
            let tx = c.transaction()?;
            for (name, change) in changes {
                let data: Option<String> = tx
                    .query_row(
                        "SELECT data FROM vms WHERE ns = ?1 AND name = ?2",
                        params![ns, name],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(d) = data {
                    let mut vm: Vm = from_json(&d)?;
                    change(&mut vm);
                    update(&tx, &ns, &vm)?;
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Change one VM in place (see [`Store::modify_vms`]); the row as stored
    /// afterwards, or `None` if it is gone.
    pub async fn modify_vm<F>(&self, ns: &str, name: &str, change: F) -> Result<Option<Vm>>
    where
        F: FnOnce(&mut Vm) + Send + 'static,
    {
        let (ns, name) = (ns.to_string(), name.to_string());
        self.run(move |c| {
            let tx = c.transaction()?;
            let data: Option<String> = tx
                .prepare_cached("SELECT data FROM vms WHERE ns = ?1 AND name = ?2")?
                .query_row(params![ns, name], |r| r.get(0))
                .optional()?;
            let Some(d) = data else {
                return Ok(None);
            };
            let mut vm: Vm = from_json(&d)?;
            let before = vm.clone();
            change(&mut vm);
            if vm != before {
                update(&tx, &ns, &vm)?;
            }
            tx.commit()?;
            Ok(Some(vm))
        })
        .await
    }

    /// One VM.
    pub async fn vm(&self, ns: &str, name: &str) -> Result<Option<Vm>> {
        let (ns, name) = (ns.to_string(), name.to_string());
        self.read(move |c| {
            c.prepare_cached("SELECT data FROM vms WHERE ns = ?1 AND name = ?2")?
                .query_row(params![ns, name], |r| r.get::<_, String>(0))
                .optional()?
                .map(|d| from_json(&d))
                .transpose()
        })
        .await
    }

    /// All VMs of a namespace, by name.
    pub async fn vms(&self, ns: &str) -> Result<Vec<Vm>> {
        let ns = ns.to_string();
        self.run(move |c| query(c, "SELECT data FROM vms WHERE ns = ?1 ORDER BY name", [ns]))
            .await
    }

    /// The VMs of an MCIS, by name.
    pub async fn mcis_vms(&self, ns: &str, mcis: &str) -> Result<Vec<Vm>> {
        let (ns, mcis) = (ns.to_string(), mcis.to_string());
        self.run(move |c| {
            query(
                c,
                "SELECT data FROM vms WHERE ns = ?1 AND mcis = ?2 ORDER BY name",
                params![ns, mcis],
            )
        })
        .await
    }

    /// The VMs an operation created, by name.
    pub async fn op_vms(&self, ns: &str, op_id: &str) -> Result<Vec<Vm>> {
        let (ns, op) = (ns.to_string(), op_id.to_string());
        self.run(move |c| {
            query(
                c,
                "SELECT data FROM vms WHERE ns = ?1 AND op_id = ?2 ORDER BY name",
                params![ns, op],
            )
        })
        .await
    }

    /// VMs whose poll time has come (oldest first), with their namespaces.
    pub async fn vms_due(&self, limit: usize) -> Result<Vec<(String, Vm)>> {
        self.run(move |c| {
            let mut st = c.prepare_cached(
                "SELECT ns, data FROM vms WHERE next_poll_at <= ?1 AND csp_id <> ''
                 ORDER BY next_poll_at LIMIT ?2",
            )?;
            let rows = st.query_map(params![now_ms(), limit as i64], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?;
            rows.map(|row| {
                let (ns, d) = row?;
                Ok((ns, from_json(&d)?))
            })
            .collect()
        })
        .await
    }

    /// Forget a VM.
    pub async fn delete_vm(&self, ns: &str, name: &str) -> Result<bool> {
        Ok(self.delete_vms(ns, &[name.to_string()]).await? > 0)
    }

    /// Forget several VMs at once; how many went.
    pub async fn delete_vms(&self, ns: &str, names: &[String]) -> Result<usize> {
        let (ns, names) = (ns.to_string(), names.to_vec());
        self.run(move |c| {
            let tx = c.transaction()?;
            let mut n = 0;
            for name in &names {
                n += tx.execute(
                    "DELETE FROM vms WHERE ns = ?1 AND name = ?2",
                    params![ns, name],
                )?;
            }
            tx.commit()?;
            Ok(n)
        })
        .await
    }
}
