//! MCIS records and the operation journal. An operation is written, together
//! with the VM rows it will create, before any CSP is asked for anything.

use super::records::{from_json, to_json};
use super::{Store, unique_violation};
use crate::error::{Error, Result};
use crate::model::{Mcis, OpState, Operation, Vm};
use rusqlite::{OptionalExtension, params};

fn state_key(s: OpState) -> &'static str {
    match s {
        OpState::Running => "running",
        OpState::Succeeded => "succeeded",
        OpState::PartiallyFailed => "partially-failed",
        OpState::RolledBack => "rolled-back",
        OpState::Failed => "failed",
    }
}

fn put_op(c: &rusqlite::Connection, op: &Operation) -> Result<()> {
    c.execute(
        "INSERT INTO operations(id, ns, mcis, state, created_at, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(id) DO UPDATE SET state = excluded.state, data = excluded.data",
        params![op.id, op.ns, op.mcis, state_key(op.state), op.created_at, to_json(op)?],
    )?;
    Ok(())
}

impl Store {
    /// Journal an operation with the MCIS it creates (if any) and the VM rows
    /// it will create, in one transaction. AlreadyExists if a name is taken.
    pub async fn begin_operation(
        &self,
        op: &Operation,
        new_mcis: Option<&Mcis>,
        vms: &[Vm],
    ) -> Result<()> {
        let (op, mcis, vms) = (op.clone(), new_mcis.cloned(), vms.to_vec());
        self.run(move |c| {
            let tx = c.transaction()?;
            if let Some(m) = &mcis {
                tx.execute(
                    "INSERT INTO mcis(ns, name, data) VALUES (?1, ?2, ?3)",
                    params![op.ns, m.name, to_json(m)?],
                )
                .map_err(|e| {
                    unique_violation(e, || {
                        format!("mcis {} already exists in namespace {}", m.name, op.ns)
                    })
                })?;
            }
            put_op(&tx, &op)?;
            for vm in &vms {
                super::vms::insert(&tx, &op.ns, vm)?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Save an operation's progress.
    pub async fn save_operation(&self, op: &Operation) -> Result<()> {
        let op = op.clone();
        self.run(move |c| put_op(c, &op)).await
    }

    /// One operation.
    pub async fn operation(&self, id: &str) -> Result<Option<Operation>> {
        let id = id.to_string();
        self.run(move |c| {
            c.prepare_cached("SELECT data FROM operations WHERE id = ?1")?
                .query_row([id], |r| r.get::<_, String>(0))
                .optional()?
                .map(|d| from_json(&d))
                .transpose()
        })
        .await
    }

    /// Operations of a namespace (optionally of one MCIS), newest first.
    pub async fn operations(&self, ns: &str, mcis: Option<&str>) -> Result<Vec<Operation>> {
        let (ns, mcis) = (ns.to_string(), mcis.map(String::from));
        self.run(move |c| {
            let mut st = c.prepare(
                "SELECT data FROM operations WHERE ns = ?1 AND (?2 IS NULL OR mcis = ?2) ORDER BY created_at DESC, id",
            )?;
            let rows = st.query_map(params![ns, mcis], |r| r.get::<_, String>(0))?;
            rows.map(|d| from_json(&d?)).collect()
        })
        .await
    }

    /// Operations still running (to resume after a restart), oldest first.
    pub async fn running_operations(&self) -> Result<Vec<Operation>> {
        self.run(|c| {
            let mut st = c.prepare(
                "SELECT data FROM operations WHERE state = 'running' ORDER BY created_at, id",
            )?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            rows.map(|d| from_json(&d?)).collect()
        })
        .await
    }

    /// One MCIS.
    pub async fn mcis(&self, ns: &str, name: &str) -> Result<Option<Mcis>> {
        let (ns, name) = (ns.to_string(), name.to_string());
        self.run(move |c| {
            c.prepare_cached("SELECT data FROM mcis WHERE ns = ?1 AND name = ?2")?
                .query_row(params![ns, name], |r| r.get::<_, String>(0))
                .optional()?
                .map(|d| from_json(&d))
                .transpose()
        })
        .await
    }

    /// All MCIS of a namespace.
    pub async fn all_mcis(&self, ns: &str) -> Result<Vec<Mcis>> {
        let ns = ns.to_string();
        self.run(move |c| {
            let mut st = c.prepare("SELECT data FROM mcis WHERE ns = ?1 ORDER BY name")?;
            let rows = st.query_map([ns], |r| r.get::<_, String>(0))?;
            rows.map(|d| from_json(&d?)).collect()
        })
        .await
    }

    /// Replace an MCIS record.
    pub async fn update_mcis(&self, ns: &str, mcis: &Mcis) -> Result<()> {
        let (ns, mcis) = (ns.to_string(), mcis.clone());
        self.run(move |c| {
            c.execute(
                "UPDATE mcis SET data = ?3 WHERE ns = ?1 AND name = ?2",
                params![ns, mcis.name, to_json(&mcis)?],
            )?;
            Ok(())
        })
        .await
    }

    /// Delete an MCIS record and its VM rows (its VMs must be gone at the CSP).
    pub async fn delete_mcis(&self, ns: &str, name: &str) -> Result<()> {
        let (ns, name) = (ns.to_string(), name.to_string());
        self.run(move |c| {
            let tx = c.transaction()?;
            tx.execute(
                "DELETE FROM vms WHERE ns = ?1 AND mcis = ?2",
                params![ns, name],
            )?;
            let n = tx.execute(
                "DELETE FROM mcis WHERE ns = ?1 AND name = ?2",
                params![ns, name],
            )?;
            tx.commit()?;
            if n == 0 {
                return Err(Error::not_found(format!(
                    "mcis {name} does not exist in namespace {ns}"
                )));
            }
            Ok(())
        })
        .await
    }
}
