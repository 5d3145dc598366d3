//! The gateway's use cases, one file per resource. Handlers in `api` parse and
//! answer; everything they mean happens here, against the store and adapters.

mod adapters;
mod catalog;
mod connections;
mod keypairs;
mod namespaces;
mod network;
pub(crate) mod vms;

pub use adapters::MAX_COMPONENT_BYTES;
pub use keypairs::KeypairCreated;

use crate::adapters::{AdapterClient, Registry};
use crate::error::{Error, Result};
use crate::model::Connection;
use crate::runtime::bindings::{CallContext, Kv};
use crate::store::Store;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The tag keys the gateway sets on everything it creates at a CSP, so it can
/// find its objects again (after a crash, or to adopt them).
pub mod tags {
    /// Namespace of the object.
    pub const NS: &str = "mcgw-ns";
    /// The object's name in the gateway.
    pub const NAME: &str = "mcgw-name";
}

/// Shared state of all use cases.
#[derive(Clone)]
pub struct Gateway {
    /// The database.
    pub store: Store,
    /// Loaded adapters.
    pub registry: Arc<Registry>,
    /// Base URL of the embedded simulated cloud, used by `sim` connections that
    /// name no endpoint of their own.
    pub embedded_sim: Option<String>,
    /// The data directory (uploaded adapters live in `adapters/` under it).
    pub data_dir: std::path::PathBuf,
    /// Limits of adapters that have none of their own.
    pub default_limits: crate::runtime::Limits,
    /// Upper bound of any adapter's memory limit.
    pub max_memory_bytes: usize,
    /// The MCIS engine's shared state.
    pub mcis: Arc<crate::mcis::McisShared>,
    /// Connections with their opened credentials, by name.
    pub bound: BoundCache,
    /// Regions and latencies the planners use.
    pub world: Arc<crate::placement::World>,
}

/// A connection ready for calls: its record, its call context (credential
/// values included: never log it) and its cache partition.
pub struct Bound {
    /// The connection.
    pub conn: Connection,
    /// The context every call of this connection carries.
    pub ctx: CallContext,
    /// The adapter cache partition of its adapter and credential.
    pub scope: Arc<str>,
}

/// The cache of [`Bound`] connections.
#[derive(Clone)]
pub struct BoundCache(
    moka::future::Cache<String, Arc<Bound>>,
    Arc<std::sync::atomic::AtomicU64>,
);

impl Default for BoundCache {
    fn default() -> Self {
        BoundCache(moka::future::Cache::new(10_000), Arc::default())
    }
}

impl BoundCache {
    fn generation(&self) -> u64 {
        self.1.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Drop every entry (a connection or credential was deleted).
    pub fn forget_all(&self) {
        self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        // Invalidated entries are invisible to the next `get` at once.
        self.0.invalidate_all();
    }
}

impl Gateway {
    /// The connection named by a request body field; BadRequestData naming
    /// `field` when unknown.
    pub async fn connection_ref(&self, field: &str, name: &str) -> Result<Connection> {
        self.store
            .connection(name)
            .await?
            .ok_or_else(|| Error::bad_data(field, format!("there is no connection named {name:?}")))
    }

    /// An adapter client for `conn` (its active or pinned adapter version,
    /// resolved now, so an activation applies to the very next call).
    pub async fn client(&self, conn: &Connection) -> Result<AdapterClient> {
        let bound = self
            .bound(&conn.name)
            .await?
            .ok_or_else(|| Error::internal(format!("connection {} vanished", conn.name)))?;
        let adapter = self
            .registry
            .resolve(&bound.conn.adapter, bound.conn.adapter_version.as_deref())?;
        let limits = self.registry.limits(&adapter.name);
        AdapterClient::new(
            self.registry.runtime(),
            adapter,
            limits,
            bound.ctx.clone(),
            &bound.conn.allowed_hosts,
            bound.scope.clone(),
        )
    }

    /// A connection with its call context (credential opened), cached: the
    /// database and the secret are read once, not on every call. Deleting a
    /// connection or credential drops the entry.
    pub async fn bound(&self, name: &str) -> Result<Option<Arc<Bound>>> {
        let load = async {
            let Some(conn) = self.store.connection(name).await? else {
                return Ok(None);
            };
            let secrets = self
                .store
                .credential_secrets(&conn.credential)
                .await?
                .ok_or_else(|| {
                    Error::internal(format!(
                        "connection {} names credential {} which no longer exists",
                        conn.name, conn.credential
                    ))
                })?;
            let endpoint = conn.endpoint.clone().or_else(|| {
                (conn.adapter == "sim")
                    .then(|| self.embedded_sim.clone())
                    .flatten()
            });
            // The cache partition: this adapter, this credential (by content, so
            // two connections sharing an account share its token).
            let mut h = Sha256::new();
            for (k, v) in &secrets.0 {
                h.update(k.as_bytes());
                h.update([0]);
                h.update(v.as_bytes());
                h.update([0]);
            }
            let scope: Arc<str> =
                format!("{}\0{}", conn.adapter, hex::encode(&h.finalize()[..16])).into();
            let ctx = CallContext {
                region: conn.region.clone(),
                zone: conn.zone.clone(),
                endpoint,
                credential: kvs(&secrets.0),
                extra: kvs(&conn.extra),
            };
            Ok::<_, Error>(Some(Arc::new(Bound { conn, ctx, scope })))
        };
        if let Some(b) = self.bound.0.get(name).await {
            return Ok(Some(b));
        }
        let generation = self.bound.generation();
        let loaded: Option<Arc<Bound>> = load.await?;
        // A deletion while we read would make this entry stale: keep it only
        // if nothing was deleted meanwhile.
        if let Some(b) = &loaded
            && self.bound.generation() == generation
        {
            self.bound.0.insert(name.to_string(), b.clone()).await;
        }
        Ok(loaded)
    }

    /// NotFound unless the namespace exists.
    pub async fn require_ns(&self, ns: &str) -> Result<()> {
        match self.store.namespace(ns).await? {
            Some(_) => Ok(()),
            None => Err(Error::not_found(format!("namespace {ns} does not exist"))),
        }
    }
}

/// A map as the contract's key/value list.
pub fn kvs(map: &BTreeMap<String, String>) -> Vec<Kv> {
    map.iter()
        .map(|(k, v)| Kv {
            key: k.clone(),
            value: v.clone(),
        })
        .collect()
}
