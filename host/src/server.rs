//! Wiring: store, runtime, registry with the built-in adapters, the embedded
//! simulated cloud, first-start bootstrap, and the HTTP server.

use crate::adapters::{BUILTIN, Registry, Source};
use crate::config::Config;
use crate::runtime::{Runtime, RuntimeConfig};
use crate::services::Gateway;
use crate::store::Store;
use anyhow::Context;
use std::sync::Arc;
use tokio::net::TcpListener;

mod bootstrap;

/// Addresses the gateway ended up serving on.
#[derive(Debug, Clone)]
pub struct Ready {
    /// The API.
    pub api: std::net::SocketAddr,
    /// The embedded simulated cloud, if started.
    pub sim: Option<std::net::SocketAddr>,
}

/// Serve the API on `listener` until `shutdown` resolves. `on_ready` is called
/// once everything is up (the CLI prints it; tests wait for it).
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_ready: impl FnOnce(&Ready),
) -> anyhow::Result<()> {
    config.validate()?;
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating the data directory {}", config.data_dir.display()))?;
    let store = Store::open(
        &config.data_dir.join("mcgw.db"),
        &config.data_dir.join("secret.key"),
    )?;
    let runtime = Arc::new(Runtime::new(&RuntimeConfig {
        compile_cache_dir: Some(config.compile_cache()),
        max_concurrent_calls: config.max_concurrent_calls,
        max_memory_bytes: config
            .limits
            .memory_bytes
            .max(RuntimeConfig::default().max_memory_bytes),
        keep_resident_bytes: config.pool_keep_resident_bytes,
        decommit_batch: config.pool_decommit_batch,
        ..RuntimeConfig::default()
    })?);
    let registry = Arc::new(Registry::new(runtime, config.limits));
    for (name, bytes) in BUILTIN {
        registry
            .register(Arc::from(*bytes), Source::Builtin, false, None)
            .await
            .map_err(|e| anyhow::anyhow!("built-in adapter {name}: {}", e.message))?;
    }

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    crate::adapters::watch::load_and_watch(
        registry.clone(),
        config.adapter_dirs.clone(),
        config.adapter_dir_poll,
        stop_rx.clone(),
    )
    .await?;
    let sim = match &config.embedded_sim {
        Some(sim) => {
            Some(bootstrap::start_embedded_sim(&store, &config, sim, stop_rx.clone()).await?)
        }
        None => None,
    };
    let sim_addr = sim.as_ref().map(|s| s.addr);
    let (sim_account, sim_task) = match sim {
        Some(s) => (Some(s.new_account), Some(s.task)),
        None => (None, None),
    };
    let gateway = Gateway {
        store: store.clone(),
        registry,
        embedded_sim: sim_addr.map(|a| format!("http://{a}")),
        data_dir: config.data_dir.clone(),
        default_limits: config.limits,
        max_memory_bytes: config
            .limits
            .memory_bytes
            .max(crate::runtime::RuntimeConfig::default().max_memory_bytes),
        mcis: crate::mcis::McisShared::new(config.mcis.clone()),
        bound: Default::default(),
        world: Arc::new(crate::placement::World::load(
            &config.region_files,
            config.latency_table.as_deref(),
        )?),
    };
    gateway.restore_adapters().await?;
    if config.bootstrap {
        bootstrap::first_start(&gateway, sim_account).await?;
    }

    // Finish what a crash interrupted, then keep statuses fresh.
    let resumed = gateway.reconcile().await?;
    if resumed > 0 {
        tracing::info!(resumed, "resumed interrupted operations");
    }
    let poller = gateway.clone();
    let poller_stop = stop_rx.clone();
    tokio::spawn(async move { poller.run_poller(poller_stop).await });

    let ready = Ready {
        api: listener.local_addr()?,
        sim: sim_addr,
    };
    on_ready(&ready);
    let app = crate::api::router(gateway);
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving the API");
    let _ = stop_tx.send(true);
    // Let the embedded cloud save its state before the process exits.
    if let Some(task) = sim_task {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), task).await;
    }
    result
}
