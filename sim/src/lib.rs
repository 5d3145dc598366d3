//! `mcgw-sim`: a simulated cloud with its own REST dialect (docs/sim-api.md).
//!
//! A real HTTP server (axum) with signed requests, regions from `mcgw-geo`,
//! images and priced specs, VPCs, subnets, security groups, SSH key pairs and
//! instances whose lifecycle is computed from timestamps, plus quotas, fault
//! injection and an admin API. The gateway embeds it in-process through
//! [`serve`]; `mcgw-sim` runs it alone.

mod admin;
mod api;
mod app;
pub mod auth;
mod catalog;
mod cidr;
mod clock;
mod config;
mod errors;
mod faults;
mod ids;
mod model;
mod persist;
mod server;
mod state_machine;
mod stats;
mod store;

use std::future::Future;
use std::path::PathBuf;

pub use config::{Account, Behaviour, BehaviourPatch, Faults, FaultsPatch};

/// How to run a simulator.
#[derive(Debug, Clone, Default)]
pub struct SimConfig {
    /// Accounts added at start, on top of those persisted in the state file
    /// (a persisted account with the same access key is replaced). Not saved.
    pub accounts: Vec<Account>,
    /// The initial behaviour; a behaviour persisted in the state file wins.
    pub behaviour: Behaviour,
    /// Where resources, admin-added accounts and behaviour are saved; `None`
    /// keeps everything in memory.
    pub state_path: Option<PathBuf>,
}

/// Serve the simulated cloud on `listener` until `shutdown` completes, then
/// finish in-flight requests and save the state (if `state_path` is set).
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: SimConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    server::serve_with(listener, config, BehaviourPatch::default(), shutdown).await
}

/// [`serve`], with `overrides` merged over the persisted (or configured)
/// behaviour at start, for settings given explicitly on a command line.
pub async fn serve_with_overrides(
    listener: tokio::net::TcpListener,
    config: SimConfig,
    overrides: BehaviourPatch,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    server::serve_with(listener, config, overrides, shutdown).await
}
