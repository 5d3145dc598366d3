//! Adapter versions at runtime: upload (validated before anything serves it),
//! activate, roll back, remove, per-adapter limits, and restoring all of it
//! after a restart. Uploaded files live in `<data-dir>/adapters/`.

use super::Gateway;
use crate::adapters::{AdapterSummary, LimitsView, Source};
use crate::error::{Error, Result};
use crate::store::{AdapterState, StoredVersion};
use semver::Version;
use std::path::PathBuf;
use std::sync::Arc;

/// Largest component accepted.
pub const MAX_COMPONENT_BYTES: usize = 64 << 20;

fn parse_version(v: &str) -> Result<Version> {
    Version::parse(v)
        .map_err(|e| Error::bad_data("version", format!("{v:?} is not a semantic version: {e}")))
}

impl Gateway {
    fn adapter_dir(&self) -> PathBuf {
        self.data_dir.join("adapters")
    }

    /// Register an uploaded component; `expect` is the name and version the
    /// URL promised. Returns the adapter's summary and whether anything changed.
    pub async fn upload_adapter(
        &self,
        bytes: Vec<u8>,
        expect: Option<(&str, &str)>,
        activate: bool,
    ) -> Result<(AdapterSummary, bool)> {
        if bytes.is_empty() {
            return Err(Error::bad_data(
                "component",
                "the request body must be the component's bytes (Content-Type: application/wasm)",
            ));
        }
        let expect = match expect {
            Some((n, v)) => Some((n, parse_version(v)?)),
            None => None,
        };
        let adapter = self
            .registry
            .load(
                Arc::from(bytes.as_slice()),
                Source::Uploaded,
                expect.as_ref().map(|(n, v)| (*n, v)),
            )
            .await?;
        let file = format!(
            "{}-{}-{}.wasm",
            adapter.name,
            adapter.version,
            &adapter.loaded.digest[..16]
        );
        let path = self.adapter_dir().join(&file);
        let existed = path.exists();
        write_atomically(&path, &bytes).await?;
        let inserted = match self.registry.insert(adapter.clone(), activate).await {
            Ok(i) => i,
            Err(e) => {
                if !existed {
                    let _ = tokio::fs::remove_file(&path).await;
                }
                return Err(e);
            }
        };
        if inserted {
            self.store
                .insert_adapter_version(StoredVersion {
                    name: adapter.name.clone(),
                    version: adapter.version.to_string(),
                    digest: adapter.loaded.digest.clone(),
                    file,
                })
                .await?;
        } else if !existed {
            // Same content as a version already loaded (e.g. a built-in one).
            let _ = tokio::fs::remove_file(&path).await;
        }
        self.persist_adapter_state(&adapter.name).await?;
        let summary = self.registry.get(&adapter.name).expect("just inserted");
        Ok((summary, inserted || activate))
    }

    /// Activate a loaded version.
    pub async fn activate_adapter(&self, name: &str, version: &str) -> Result<AdapterSummary> {
        self.registry
            .activate(name, &parse_version(version)?)
            .await?;
        self.persist_adapter_state(name).await?;
        Ok(self.registry.get(name).expect("exists"))
    }

    /// Return to the previously active version.
    pub async fn rollback_adapter(&self, name: &str) -> Result<AdapterSummary> {
        self.registry.rollback(name).await?;
        self.persist_adapter_state(name).await?;
        Ok(self.registry.get(name).expect("exists"))
    }

    /// Unload and delete a version that no connection pins and is not active.
    pub async fn remove_adapter_version(
        &self,
        name: &str,
        version: &str,
    ) -> Result<AdapterSummary> {
        let v = parse_version(version)?;
        self.registry.resolve(name, Some(&format!("={v}")))?;
        let connections = self.store.connections().await?;
        let users: Vec<&str> = connections
            .iter()
            .filter(|c| c.adapter == name)
            .map(|c| c.name.as_str())
            .collect();
        for conn in &connections {
            if conn.adapter == name
                && let Some(pin) = &conn.adapter_version
                && self
                    .registry
                    .resolve(name, Some(pin))
                    .is_ok_and(|a| a.version == v)
            {
                return Err(Error::invalid(format!(
                    "{name}@{v} is pinned by connection {} ({pin}); change or delete it first",
                    conn.name
                )));
            }
        }
        // The adapter's last version may go only when no connection uses it.
        let removed = self
            .registry
            .remove(name, &v, users.is_empty())
            .await
            .map_err(|e| {
                if users.is_empty() {
                    e
                } else {
                    Error::invalid(format!(
                        "{}; connections using adapter {name}: {}",
                        e.message,
                        users.join(", ")
                    ))
                }
            })?;
        self.store.delete_adapter_version(name, version).await?;
        let file = format!(
            "{}-{}-{}.wasm",
            removed.name,
            removed.version,
            &removed.loaded.digest[..16]
        );
        let _ = tokio::fs::remove_file(self.adapter_dir().join(file)).await;
        match self.registry.get(name) {
            Some(summary) => {
                self.persist_adapter_state(name).await?;
                Ok(summary)
            }
            None => {
                self.store.delete_adapter_state(name).await?;
                Ok(AdapterSummary::removed(name))
            }
        }
    }

    /// Set (or with `None`, reset) an adapter's limits.
    pub async fn set_adapter_limits(
        &self,
        name: &str,
        limits: Option<LimitsView>,
    ) -> Result<AdapterSummary> {
        if let Some(l) = &limits {
            if l.memory_mib < 16 || (l.memory_mib << 20) > self.max_memory_bytes {
                return Err(Error::bad_data(
                    "memory_mib",
                    format!(
                        "memory_mib must be between 16 and {}",
                        self.max_memory_bytes >> 20
                    ),
                ));
            }
            if l.cpu_ms < 10 {
                return Err(Error::bad_data("cpu_ms", "cpu_ms must be at least 10"));
            }
            if l.timeout_ms < l.cpu_ms {
                return Err(Error::bad_data(
                    "timeout_ms",
                    "timeout_ms must not be below cpu_ms",
                ));
            }
            if l.outbound_timeout_ms == 0 {
                return Err(Error::bad_data(
                    "outbound_timeout_ms",
                    "outbound_timeout_ms must be positive",
                ));
            }
        }
        self.registry
            .set_limits(name, limits.map(Into::into))
            .await?;
        self.persist_adapter_state(name).await?;
        Ok(self.registry.get(name).expect("exists"))
    }

    async fn persist_adapter_state(&self, name: &str) -> Result<()> {
        let Some((active, history)) = self.registry.activation(name) else {
            return Ok(());
        };
        let limits = self.registry.get(name).and_then(|s| {
            let own: LimitsView = self.registry.limits(name).into();
            (own != self.default_limits.into()).then_some(s.limits)
        });
        let state = AdapterState {
            active: active.map(|v| v.to_string()),
            history: history.iter().map(|v| v.to_string()).collect(),
            limits,
        };
        self.store.save_adapter_state(name, &state).await
    }

    /// After the built-in and directory adapters are loaded: load uploaded
    /// versions from the data directory and restore activation state.
    pub async fn restore_adapters(&self) -> anyhow::Result<()> {
        for v in self.store.adapter_versions().await? {
            let path = self.adapter_dir().join(&v.file);
            let bytes = match tokio::fs::read(&path).await {
                Ok(b) => b,
                Err(e) => {
                    tracing::error!(file = %path.display(), "uploaded adapter {}@{} is missing: {e}", v.name, v.version);
                    continue;
                }
            };
            let version = Version::parse(&v.version)?;
            match self
                .registry
                .register(
                    Arc::from(bytes),
                    Source::Uploaded,
                    false,
                    Some((&v.name, &version)),
                )
                .await
            {
                Ok(a) if a.loaded.digest == v.digest => {}
                Ok(a) => {
                    tracing::warn!(adapter = %a.label, "uploaded adapter file changed on disk since upload")
                }
                Err(e) => {
                    tracing::error!(file = %path.display(), "uploaded adapter {}@{} refused: {}", v.name, v.version, e.message)
                }
            }
        }
        for (name, state) in self.store.adapter_states().await? {
            let active = state.active.and_then(|v| Version::parse(&v).ok());
            let history = state
                .history
                .iter()
                .filter_map(|v| Version::parse(v).ok())
                .collect();
            self.registry
                .restore_state(&name, active, history, state.limits.map(Into::into))
                .await;
        }
        Ok(())
    }
}

async fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let io = |e: std::io::Error| Error::internal(format!("storing the component: {e}"));
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await.map_err(io)?;
    }
    let tmp = path.with_extension("partial");
    tokio::fs::write(&tmp, bytes).await.map_err(io)?;
    tokio::fs::rename(&tmp, path).await.map_err(io)?;
    Ok(())
}
