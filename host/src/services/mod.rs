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

    /// An adapter client for `conn`.
    pub async fn client(&self, conn: &Connection) -> Result<AdapterClient> {
        let adapter = self
            .registry
            .resolve(&conn.adapter, conn.adapter_version.as_deref())?;
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
            format!("{}\0{}", adapter.name, hex::encode(&h.finalize()[..16])).into();
        let ctx = CallContext {
            region: conn.region.clone(),
            zone: conn.zone.clone(),
            endpoint,
            credential: kvs(&secrets.0),
            extra: kvs(&conn.extra),
        };
        let limits = self.registry.limits(&adapter.name);
        AdapterClient::new(self.registry.runtime(), adapter, limits, ctx, scope)
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
