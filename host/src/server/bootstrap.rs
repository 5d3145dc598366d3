//! What a fresh data directory gets: the `default` namespace and, with the
//! embedded simulated cloud, an account there, its credential, and one
//! connection per simulated region (`sim-<region>`), so the first VM needs no setup.

use crate::api::dto::{ConnectionReq, CredentialReq, NamespaceReq};
use crate::config::{Config, EmbeddedSim};
use crate::error::Code;
use crate::services::Gateway;
use crate::store::Store;
use anyhow::Context;
use rand::distr::{Alphanumeric, SampleString};
use std::collections::BTreeMap;
use std::net::SocketAddr;

/// Name of the credential for the embedded simulated cloud.
pub const SIM_CREDENTIAL: &str = "sim";

/// The embedded simulated cloud, started.
pub struct StartedSim {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The account made for it on a fresh data directory, still to be stored
    /// as the `sim` credential by [`first_start`].
    pub new_account: Option<mcgw_sim::Account>,
    /// Its task: awaited at shutdown so it saves its state before the process exits.
    pub task: tokio::task::JoinHandle<()>,
}

/// Start the simulated cloud on loopback with the gateway's account.
pub async fn start_embedded_sim(
    store: &Store,
    config: &Config,
    sim: &EmbeddedSim,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<StartedSim> {
    // The account lives in the gateway's sealed credential; a new one is
    // made on first start.
    let account = match store.credential_secrets(SIM_CREDENTIAL).await? {
        Some(s) => mcgw_sim::Account {
            access_key: s.0.get("access_key").cloned().unwrap_or_default(),
            secret_key: s.0.get("secret_key").cloned().unwrap_or_default(),
        },
        None => mcgw_sim::Account {
            access_key: format!(
                "SIM{}",
                Alphanumeric
                    .sample_string(&mut rand::rng(), 16)
                    .to_uppercase()
            ),
            secret_key: Alphanumeric.sample_string(&mut rand::rng(), 40),
        },
    };
    let listener = tokio::net::TcpListener::bind(sim.listen)
        .await
        .with_context(|| format!("binding the simulated cloud to {}", sim.listen))?;
    let addr = listener.local_addr()?;
    // The gateway's flags win over what the simulator persisted.
    let transition = Some(sim.transition_delay.as_millis() as u64);
    let overrides = mcgw_sim::BehaviourPatch {
        create_delay_ms: Some(sim.create_delay.as_millis() as u64),
        stop_delay_ms: transition,
        start_delay_ms: transition,
        reboot_delay_ms: transition,
        terminate_delay_ms: transition,
        ..mcgw_sim::BehaviourPatch::default()
    };
    let sim_config = mcgw_sim::SimConfig {
        accounts: vec![account.clone()],
        behaviour: mcgw_sim::Behaviour::default(),
        state_path: Some(config.data_dir.join("sim-state.json")),
    };
    let shutdown = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    let task = tokio::spawn(async move {
        if let Err(e) =
            mcgw_sim::serve_with_overrides(listener, sim_config, overrides, shutdown).await
        {
            tracing::error!("the embedded simulated cloud stopped: {e:#}");
        }
    });
    let new_account = store
        .credential(SIM_CREDENTIAL)
        .await?
        .is_none()
        .then_some(account);
    Ok(StartedSim {
        addr,
        new_account,
        task,
    })
}

/// Create what a fresh data directory needs; leave existing objects alone.
pub async fn first_start(
    gw: &Gateway,
    sim: Option<Option<mcgw_sim::Account>>,
) -> anyhow::Result<()> {
    let ignore_exists = |r: Result<(), crate::error::Error>| match r {
        Ok(()) => Ok(()),
        Err(e) if e.code == Code::AlreadyExists => Ok(()),
        Err(e) => Err(anyhow::anyhow!("bootstrap: {}", e.message)),
    };
    ignore_exists(
        gw.create_namespace(NamespaceReq {
            name: "default".into(),
            description: "Created at first start".into(),
        })
        .await
        .map(|_| ()),
    )?;
    let Some(account) = sim else {
        return Ok(());
    };
    if let Some(account) = account {
        ignore_exists(
            gw.create_credential(CredentialReq {
                name: SIM_CREDENTIAL.into(),
                adapter: "sim".into(),
                values: BTreeMap::from([
                    ("access_key".into(), account.access_key),
                    ("secret_key".into(), account.secret_key),
                ]),
            })
            .await
            .map(|_| ()),
        )?;
    }
    let catalog = mcgw_geo::Catalog::builtin();
    for region in catalog.provider("sim") {
        ignore_exists(
            gw.create_connection(ConnectionReq {
                name: format!("sim-{}", region.code),
                adapter: "sim".into(),
                adapter_version: None,
                credential: SIM_CREDENTIAL.into(),
                region: region.code.clone(),
                zone: None,
                endpoint: None,
                extra: BTreeMap::new(),
                allowed_hosts: Vec::new(),
            })
            .await
            .map(|_| ()),
        )?;
    }
    Ok(())
}
