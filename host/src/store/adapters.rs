//! Uploaded adapter versions (their files live in `<data-dir>/adapters/`) and
//! each adapter's activation state, so a restart restores both.

use super::Store;
use crate::adapters::LimitsView;
use crate::error::{Error, Result};
use rusqlite::params;
use serde::{Deserialize, Serialize};

/// An uploaded version on disk.
#[derive(Debug, Clone)]
pub struct StoredVersion {
    /// Adapter name.
    pub name: String,
    /// Semantic version.
    pub version: String,
    /// SHA-256 of the file.
    pub digest: String,
    /// File name under `<data-dir>/adapters/`.
    pub file: String,
}

/// An adapter's activation state.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AdapterState {
    /// Active version.
    pub active: Option<String>,
    /// Rollback history, most recent last.
    pub history: Vec<String>,
    /// Operator-set limits.
    pub limits: Option<LimitsView>,
}

impl Store {
    /// Record an uploaded version.
    pub async fn insert_adapter_version(&self, v: StoredVersion) -> Result<()> {
        self.run(move |c| {
            c.execute(
                "INSERT OR REPLACE INTO adapter_versions(name, version, digest, file, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![v.name, v.version, v.digest, v.file, crate::model::now_rfc3339()],
            )?;
            Ok(())
        })
        .await
    }

    /// Forget an uploaded version.
    pub async fn delete_adapter_version(&self, name: &str, version: &str) -> Result<()> {
        let (name, version) = (name.to_string(), version.to_string());
        self.run(move |c| {
            c.execute(
                "DELETE FROM adapter_versions WHERE name = ?1 AND version = ?2",
                params![name, version],
            )?;
            Ok(())
        })
        .await
    }

    /// Every uploaded version, oldest first.
    pub async fn adapter_versions(&self) -> Result<Vec<StoredVersion>> {
        self.run(|c| {
            let mut st = c.prepare(
                "SELECT name, version, digest, file FROM adapter_versions ORDER BY created_at, name, version",
            )?;
            let rows = st.query_map([], |r| {
                Ok(StoredVersion {
                    name: r.get(0)?,
                    version: r.get(1)?,
                    digest: r.get(2)?,
                    file: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    /// Save an adapter's activation state.
    pub async fn save_adapter_state(&self, name: &str, state: &AdapterState) -> Result<()> {
        let name = name.to_string();
        let data = serde_json::to_string(state)
            .map_err(|e| Error::internal(format!("encoding adapter state: {e}")))?;
        self.run(move |c| {
            c.execute(
                "INSERT INTO adapter_state(name, data) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET data = excluded.data",
                params![name, data],
            )?;
            Ok(())
        })
        .await
    }

    /// Forget an adapter's activation state (its last version was removed).
    pub async fn delete_adapter_state(&self, name: &str) -> Result<()> {
        let name = name.to_string();
        self.run(move |c| {
            c.execute("DELETE FROM adapter_state WHERE name = ?1", [name])?;
            Ok(())
        })
        .await
    }

    /// Every saved activation state.
    pub async fn adapter_states(&self) -> Result<Vec<(String, AdapterState)>> {
        self.run(|c| {
            let mut st = c.prepare("SELECT name, data FROM adapter_state")?;
            let rows =
                st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            rows.map(|row| {
                let (name, data) = row?;
                let state = serde_json::from_str(&data)
                    .map_err(|e| Error::internal(format!("decoding adapter state: {e}")))?;
                Ok((name, state))
            })
            .collect()
        })
        .await
    }
}
