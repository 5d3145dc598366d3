//! The registry: adapter name → loaded versions → the active one.
//!
//! Readers take a snapshot of the whole table (`ArcSwap`, no lock on the call
//! path); writers build a new table and swap it in, one writer at a time.
//! A call keeps the `Arc` of the version it started on, so swapping versions
//! never disturbs calls in flight.

use crate::error::{Error, Result};
use crate::runtime::bindings::AdapterInfo;
use crate::runtime::{Limits, Loaded, Runtime};
use arc_swap::ArcSwap;
use semver::{Version, VersionReq};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Where a version came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Compiled into the gateway.
    Builtin,
    /// Uploaded through the API (kept in the data directory).
    Uploaded,
    /// Found in a watched adapter directory.
    Directory,
}

/// One loaded version of an adapter.
pub struct AdapterVersion {
    /// Registry name (from its metadata).
    pub name: String,
    /// Its version (from its metadata).
    pub version: Version,
    /// `name@version`, for logs.
    pub label: Arc<str>,
    /// The compiled component.
    pub loaded: Loaded,
    /// Where it came from.
    pub source: Source,
}

impl AdapterVersion {
    /// Its self-description.
    pub fn info(&self) -> &AdapterInfo {
        &self.loaded.info
    }
}

#[derive(Clone, Default)]
struct Entry {
    versions: BTreeMap<Version, Arc<AdapterVersion>>,
    active: Option<Version>,
    /// Previously active versions, most recent last (what rollback returns to).
    history: Vec<Version>,
    /// Limits for this adapter's calls, when the operator set them.
    limits: Option<Limits>,
}

/// What the API shows of an adapter.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AdapterSummary {
    /// Registry name.
    pub name: String,
    /// The CSP it reaches.
    pub csp: String,
    /// Description of the active version.
    pub description: String,
    /// Active version.
    pub active_version: Option<String>,
    /// Versions a rollback would return to, most recent first.
    pub rollback_to: Vec<String>,
    /// Limits of this adapter's calls.
    pub limits: LimitsView,
    /// Loaded versions, oldest first.
    pub versions: Vec<VersionSummary>,
    /// Capability flags of the active version.
    pub capabilities: Vec<String>,
    /// Declared parameters of the active version.
    pub parameters: Vec<ParamSummary>,
    /// Declared outbound hosts of the active version.
    pub outbound_hosts: Vec<String>,
}

/// Limits as the API shows and takes them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsView {
    /// Memory limit of an instance, MiB.
    pub memory_mib: usize,
    /// CPU budget of a call, ms.
    pub cpu_ms: u64,
    /// Deadline of a call, ms.
    pub timeout_ms: u64,
    /// Longest wait for one CSP response, ms.
    pub outbound_timeout_ms: u64,
}

impl From<Limits> for LimitsView {
    fn from(l: Limits) -> Self {
        LimitsView {
            memory_mib: l.memory_bytes >> 20,
            cpu_ms: l.cpu.as_millis() as u64,
            timeout_ms: l.call_timeout.as_millis() as u64,
            outbound_timeout_ms: l.outbound_timeout.as_millis() as u64,
        }
    }
}

impl From<LimitsView> for Limits {
    fn from(v: LimitsView) -> Self {
        Limits {
            memory_bytes: v.memory_mib << 20,
            cpu: std::time::Duration::from_millis(v.cpu_ms),
            call_timeout: std::time::Duration::from_millis(v.timeout_ms),
            outbound_timeout: std::time::Duration::from_millis(v.outbound_timeout_ms),
        }
    }
}

impl AdapterSummary {
    /// What remains of an adapter whose last version was removed.
    pub fn removed(name: &str) -> AdapterSummary {
        AdapterSummary {
            name: name.to_string(),
            csp: String::new(),
            description: String::new(),
            active_version: None,
            rollback_to: vec![],
            limits: crate::runtime::Limits::default().into(),
            versions: vec![],
            capabilities: vec![],
            parameters: vec![],
            outbound_hosts: vec![],
        }
    }
}

/// One version in a summary.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionSummary {
    /// Semantic version.
    pub version: String,
    /// Built-in or uploaded.
    pub source: Source,
    /// SHA-256 of the component.
    pub digest: String,
}

/// A declared parameter.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ParamSummary {
    /// Key.
    pub name: String,
    /// `credential`, `connection` or `vm`.
    pub scope: String,
    /// Whether requests without it are refused.
    pub mandatory: bool,
    /// Meaning.
    pub description: String,
}

/// The registry.
pub struct Registry {
    runtime: Arc<Runtime>,
    table: ArcSwap<HashMap<String, Entry>>,
    writer: tokio::sync::Mutex<()>,
    limits: Limits,
}

impl Registry {
    /// An empty registry whose adapters run under `limits`.
    pub fn new(runtime: Arc<Runtime>, limits: Limits) -> Registry {
        Registry {
            runtime,
            table: ArcSwap::from_pointee(HashMap::new()),
            writer: tokio::sync::Mutex::new(()),
            limits,
        }
    }

    /// The runtime calls go through.
    pub fn runtime(&self) -> Arc<Runtime> {
        self.runtime.clone()
    }

    /// Load, validate and add a component as a version; activate it if
    /// `activate` or if the adapter has no active version yet. When `expect`
    /// is given, the component's own metadata must name that adapter and version.
    pub async fn register(
        &self,
        bytes: Arc<[u8]>,
        source: Source,
        activate: bool,
        expect: Option<(&str, &Version)>,
    ) -> Result<Arc<AdapterVersion>> {
        let adapter = self.load(bytes, source, expect).await?;
        self.insert(adapter.clone(), activate).await?;
        Ok(adapter)
    }

    /// Load and validate without adding (upload checks, conformance runs).
    pub async fn load(
        &self,
        bytes: Arc<[u8]>,
        source: Source,
        expect: Option<(&str, &Version)>,
    ) -> Result<Arc<AdapterVersion>> {
        let loaded = self
            .runtime
            .load(bytes)
            .await
            .map_err(|e| Error::bad_data("component", e.to_string()))?;
        let name = loaded.info.name.clone();
        crate::model::validate_name("name", &name).map_err(|_| {
            Error::bad_data(
                "component",
                format!(
                    "the component's metadata names it {name:?}, which is not a valid adapter name"
                ),
            )
        })?;
        let version = Version::parse(&loaded.info.version).map_err(|e| {
            Error::bad_data(
                "component",
                format!(
                    "the component's metadata version {:?} is not a semantic version: {e}",
                    loaded.info.version
                ),
            )
        })?;
        if let Some((want_name, want_version)) = expect
            && (want_name != name || *want_version != version)
        {
            return Err(Error::bad_data(
                "component",
                format!(
                    "the component describes itself as {name}@{version}, not {want_name}@{want_version}"
                ),
            ));
        }
        Ok(Arc::new(AdapterVersion {
            label: format!("{name}@{version}").into(),
            name,
            version,
            loaded,
            source,
        }))
    }

    /// Add a loaded version. The same version with the same content is a no-op;
    /// with different content it is AlreadyExists.
    pub async fn insert(&self, adapter: Arc<AdapterVersion>, activate: bool) -> Result<bool> {
        let _w = self.writer.lock().await;
        let mut table = (**self.table.load()).clone();
        let entry = table.entry(adapter.name.clone()).or_default();
        if let Some(existing) = entry.versions.get(&adapter.version) {
            if existing.loaded.digest != adapter.loaded.digest {
                return Err(Error::already_exists(format!(
                    "adapter {} is already registered with different content",
                    adapter.label
                )));
            }
            if activate {
                activate_in(entry, &adapter.version);
                self.table.store(Arc::new(table));
            }
            return Ok(false);
        }
        entry
            .versions
            .insert(adapter.version.clone(), adapter.clone());
        if activate || entry.active.is_none() {
            activate_in(entry, &adapter.version);
        }
        self.table.store(Arc::new(table));
        tracing::info!(adapter = %adapter.label, digest = %&adapter.loaded.digest[..12], "adapter registered");
        Ok(true)
    }

    /// Make `version` the one new calls use. Calls in flight finish on theirs.
    pub async fn activate(&self, name: &str, version: &Version) -> Result<()> {
        let _w = self.writer.lock().await;
        let mut table = (**self.table.load()).clone();
        let entry = table
            .get_mut(name)
            .ok_or_else(|| Error::not_found(format!("no adapter named {name}")))?;
        if !entry.versions.contains_key(version) {
            return Err(Error::not_found(format!(
                "adapter {name} has no version {version}"
            )));
        }
        activate_in(entry, version);
        self.table.store(Arc::new(table));
        tracing::info!(adapter = name, %version, "adapter version activated");
        Ok(())
    }

    /// Return to the previously active version; the version it leaves stays loaded.
    pub async fn rollback(&self, name: &str) -> Result<Version> {
        let _w = self.writer.lock().await;
        let mut table = (**self.table.load()).clone();
        let entry = table
            .get_mut(name)
            .ok_or_else(|| Error::not_found(format!("no adapter named {name}")))?;
        let Some(previous) = entry.history.pop() else {
            return Err(Error::invalid(format!(
                "adapter {name} has no previous version to roll back to"
            )));
        };
        // Rolling back is not an activation: it must not grow the history.
        entry.active = Some(previous.clone());
        self.table.store(Arc::new(table));
        tracing::info!(adapter = name, version = %previous, "adapter rolled back");
        Ok(previous)
    }

    /// Unload a version that is neither active nor built in. The last version
    /// of an adapter may go (taking the adapter with it) when `last_ok`.
    pub async fn remove(
        &self,
        name: &str,
        version: &Version,
        last_ok: bool,
    ) -> Result<Arc<AdapterVersion>> {
        let _w = self.writer.lock().await;
        let mut table = (**self.table.load()).clone();
        let entry = table
            .get_mut(name)
            .ok_or_else(|| Error::not_found(format!("no adapter named {name}")))?;
        let adapter =
            entry.versions.get(version).cloned().ok_or_else(|| {
                Error::not_found(format!("adapter {name} has no version {version}"))
            })?;
        if adapter.source == Source::Builtin {
            return Err(Error::invalid(format!(
                "{name}@{version} is built into the gateway and cannot be removed"
            )));
        }
        let last = entry.versions.len() == 1;
        if entry.active.as_ref() == Some(version) && !(last && last_ok) {
            return Err(Error::invalid(format!(
                "{name}@{version} is the active version; activate another one first"
            )));
        }
        if last {
            table.remove(name);
            self.table.store(Arc::new(table));
            return Ok(adapter);
        }
        entry.versions.remove(version);
        entry.history.retain(|v| v != version);
        self.table.store(Arc::new(table));
        Ok(adapter)
    }

    /// Restore persisted activation state (versions that are gone are skipped).
    pub async fn restore_state(
        &self,
        name: &str,
        active: Option<Version>,
        history: Vec<Version>,
        limits: Option<Limits>,
    ) {
        let _w = self.writer.lock().await;
        let mut table = (**self.table.load()).clone();
        let Some(entry) = table.get_mut(name) else {
            return;
        };
        if let Some(a) = active {
            if entry.versions.contains_key(&a) {
                entry.active = Some(a);
            } else {
                tracing::warn!(adapter = name, version = %a, "the previously active version is gone; keeping {:?}", entry.active.as_ref().map(|v| v.to_string()));
            }
        }
        entry.history = history
            .into_iter()
            .filter(|v| entry.versions.contains_key(v))
            .collect();
        entry.limits = limits;
        self.table.store(Arc::new(table));
    }

    /// Set (or clear) an adapter's own limits.
    pub async fn set_limits(&self, name: &str, limits: Option<Limits>) -> Result<()> {
        let _w = self.writer.lock().await;
        let mut table = (**self.table.load()).clone();
        let entry = table
            .get_mut(name)
            .ok_or_else(|| Error::not_found(format!("no adapter named {name}")))?;
        entry.limits = limits;
        self.table.store(Arc::new(table));
        Ok(())
    }

    /// Limits in effect for an adapter's calls.
    pub fn limits(&self, name: &str) -> Limits {
        self.table
            .load()
            .get(name)
            .and_then(|e| e.limits)
            .unwrap_or(self.limits)
    }

    /// Active version and rollback history of an adapter.
    pub fn activation(&self, name: &str) -> Option<(Option<Version>, Vec<Version>)> {
        self.table
            .load()
            .get(name)
            .map(|e| (e.active.clone(), e.history.clone()))
    }

    /// The version a connection should use: the best match of `pin`, or the
    /// active version.
    pub fn resolve(&self, name: &str, pin: Option<&str>) -> Result<Arc<AdapterVersion>> {
        let table = self.table.load();
        let entry = table
            .get(name)
            .ok_or_else(|| Error::not_found(format!("no adapter named {name}")))?;
        match pin {
            None => entry
                .active
                .as_ref()
                .and_then(|v| entry.versions.get(v))
                .cloned()
                .ok_or_else(|| Error::not_found(format!("adapter {name} has no active version"))),
            Some(pin) => {
                let req = VersionReq::parse(pin).map_err(|e| {
                    Error::bad_data(
                        "adapter_version",
                        format!("invalid version requirement {pin:?}: {e}"),
                    )
                })?;
                // Prefer the active version when it satisfies the pin.
                if let Some(active) = entry.active.as_ref().filter(|v| req.matches(v)) {
                    return Ok(entry.versions[active].clone());
                }
                entry
                    .versions
                    .iter()
                    .rev()
                    .find(|(v, _)| req.matches(v))
                    .map(|(_, a)| a.clone())
                    .ok_or_else(|| {
                        Error::not_found(format!("adapter {name} has no version matching {pin}"))
                    })
            }
        }
    }

    /// Whether an adapter of this name is registered.
    pub fn contains(&self, name: &str) -> bool {
        self.table.load().contains_key(name)
    }

    /// Summaries of every adapter, by name.
    pub fn list(&self) -> Vec<AdapterSummary> {
        let table = self.table.load();
        let mut out: Vec<AdapterSummary> = table
            .iter()
            .map(|(name, entry)| summarise(name, entry, self.limits))
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// One adapter's summary.
    pub fn get(&self, name: &str) -> Option<AdapterSummary> {
        self.table
            .load()
            .get(name)
            .map(|e| summarise(name, e, self.limits))
    }
}

fn summarise(name: &str, entry: &Entry, default_limits: Limits) -> AdapterSummary {
    let active = entry.active.as_ref().and_then(|v| entry.versions.get(v));
    let info = active
        .or_else(|| entry.versions.values().next_back())
        .map(|a| a.info());
    AdapterSummary {
        name: name.to_string(),
        csp: info.map(|i| i.csp.clone()).unwrap_or_default(),
        description: info.map(|i| i.description.clone()).unwrap_or_default(),
        active_version: entry.active.as_ref().map(|v| v.to_string()),
        rollback_to: entry.history.iter().rev().map(|v| v.to_string()).collect(),
        limits: entry.limits.unwrap_or(default_limits).into(),
        versions: entry
            .versions
            .values()
            .map(|a| VersionSummary {
                version: a.version.to_string(),
                source: a.source,
                digest: a.loaded.digest.clone(),
            })
            .collect(),
        capabilities: info.map(capability_names).unwrap_or_default(),
        parameters: info
            .map(|i| {
                i.parameters
                    .iter()
                    .map(|p| ParamSummary {
                        name: p.name.clone(),
                        scope: match p.scope {
                            crate::runtime::bindings::ParamScope::Credential => "credential",
                            crate::runtime::bindings::ParamScope::Connection => "connection",
                            crate::runtime::bindings::ParamScope::Vm => "vm",
                        }
                        .to_string(),
                        mandatory: p.mandatory,
                        description: p.description.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        outbound_hosts: info.map(|i| i.outbound_hosts.clone()).unwrap_or_default(),
    }
}

/// Capability flags as names.
fn capability_names(info: &AdapterInfo) -> Vec<String> {
    crate::runtime::bindings::capability_names(info.capabilities)
        .into_iter()
        .map(String::from)
        .collect()
}

/// Make `version` active, remembering the one it replaces.
fn activate_in(entry: &mut Entry, version: &Version) {
    if entry.active.as_ref() == Some(version) {
        return;
    }
    if let Some(old) = entry.active.replace(version.clone()) {
        entry.history.retain(|v| v != &old);
        entry.history.push(old);
    }
    entry.history.retain(|v| v != version);
    // Keep the history short: it is for undoing recent activations.
    if entry.history.len() > 16 {
        entry.history.remove(0);
    }
}
