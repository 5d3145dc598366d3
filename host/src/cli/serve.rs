//! `mcgw serve`: flags → `Config` → `server::run`, until Ctrl-C or SIGTERM.

use crate::config::{Config, EmbeddedSim};
use crate::runtime::Limits;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Flags of `mcgw serve` (each also readable from an `MCGW_*` variable).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address of the REST API.
    #[arg(long, env = "MCGW_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Data directory (database, secret key, compiled adapters, sim state).
    #[arg(long, env = "MCGW_DATA_DIR", default_value = "mcgw-data")]
    data_dir: PathBuf,
    /// Precompiled-adapter cache (default: <data-dir>/compiled).
    #[arg(long, env = "MCGW_COMPILE_CACHE")]
    compile_cache: Option<PathBuf>,
    /// Do not start the built-in simulated cloud.
    #[arg(long)]
    no_sim: bool,
    /// Address of the built-in simulated cloud.
    #[arg(long, env = "MCGW_SIM_LISTEN", default_value = "127.0.0.1:0")]
    sim_listen: SocketAddr,
    /// Boot time of a simulated VM, ms.
    #[arg(long, env = "MCGW_SIM_CREATE_DELAY_MS", default_value_t = 3000)]
    sim_create_delay_ms: u64,
    /// Time of other simulated transitions (stop, start, reboot, terminate), ms.
    #[arg(long, env = "MCGW_SIM_TRANSITION_DELAY_MS", default_value_t = 2000)]
    sim_transition_delay_ms: u64,
    /// Register every *.wasm adapter in this directory, at start and whenever a
    /// file appears or changes (repeatable).
    #[arg(long = "adapter-dir")]
    adapter_dirs: Vec<PathBuf>,
    /// How often adapter directories are polled, ms (0: only at start).
    #[arg(long, env = "MCGW_ADAPTER_DIR_POLL_MS", default_value_t = 2000)]
    adapter_dir_poll_ms: u64,
    /// Do not create the default namespace and sim connections on first start.
    #[arg(long)]
    no_bootstrap: bool,
    /// Memory limit of an adapter instance, MiB.
    #[arg(long, env = "MCGW_ADAPTER_MEMORY_MIB", default_value_t = 128)]
    adapter_memory_mib: usize,
    /// CPU budget of one adapter call, ms.
    #[arg(long, env = "MCGW_ADAPTER_CPU_MS", default_value_t = 5000)]
    adapter_cpu_ms: u64,
    /// Deadline of one adapter call (CSP waits included), ms.
    #[arg(long, env = "MCGW_ADAPTER_TIMEOUT_MS", default_value_t = 120_000)]
    adapter_timeout_ms: u64,
    /// Longest wait for one CSP response, ms.
    #[arg(long, env = "MCGW_OUTBOUND_TIMEOUT_MS", default_value_t = 60_000)]
    outbound_timeout_ms: u64,
    /// VMs per CSP call when creating an MCIS.
    #[arg(long, env = "MCGW_MCIS_BATCH_SIZE", default_value_t = 50)]
    mcis_batch_size: u32,
    /// How long an MCIS creation waits for its VMs to run, seconds.
    #[arg(long, env = "MCGW_MCIS_CREATE_TIMEOUT_S", default_value_t = 900)]
    mcis_create_timeout_s: u64,
    /// Calls at once to one adapter (all regions) from the MCIS engine and poller.
    #[arg(long, env = "MCGW_CSP_CONCURRENCY", default_value_t = 32)]
    csp_concurrency: usize,
    /// Calls at once to one region of one adapter.
    #[arg(long, env = "MCGW_REGION_CONCURRENCY", default_value_t = 8)]
    region_concurrency: usize,
    /// Extra regions for the planners: a CSV with the columns of geo/data/regions.csv
    /// (a row replaces the built-in region with the same provider and code; repeatable).
    #[arg(long = "regions-file")]
    region_files: Vec<PathBuf>,
    /// Measured round-trip times overriding the latency model, CSV:
    /// from_provider,from_code,from_name,from_latitude,from_longitude,to_provider,to_code,rtt_ms.
    #[arg(long)]
    latency_table: Option<PathBuf>,
    /// Memory of each adapter instance slot kept resident between calls, KiB.
    #[arg(long, env = "MCGW_POOL_KEEP_RESIDENT_KIB", default_value_t = 8192)]
    pool_keep_resident_kib: usize,
    /// Instance slots returned to the OS per batch.
    #[arg(long, env = "MCGW_POOL_DECOMMIT_BATCH", default_value_t = 32)]
    pool_decommit_batch: usize,
    /// Adapter calls running at once.
    #[arg(long, env = "MCGW_MAX_CONCURRENT_CALLS", default_value_t = 256)]
    max_concurrent_calls: u32,
}

impl ServeArgs {
    fn config(&self) -> Config {
        let mut c = Config::new(self.data_dir.clone());
        c.compile_cache_dir = self.compile_cache.clone();
        c.limits = Limits {
            memory_bytes: self.adapter_memory_mib << 20,
            cpu: Duration::from_millis(self.adapter_cpu_ms),
            call_timeout: Duration::from_millis(self.adapter_timeout_ms),
            outbound_timeout: Duration::from_millis(self.outbound_timeout_ms),
        };
        c.max_concurrent_calls = self.max_concurrent_calls;
        c.pool_keep_resident_bytes = self.pool_keep_resident_kib << 10;
        c.pool_decommit_batch = self.pool_decommit_batch;
        c.bootstrap = !self.no_bootstrap;
        c.mcis.batch_size = self.mcis_batch_size;
        c.mcis.create_timeout = Duration::from_secs(self.mcis_create_timeout_s);
        c.mcis.throttle.per_adapter = self.csp_concurrency;
        c.mcis.throttle.per_region = self.region_concurrency;
        c.adapter_dirs = self.adapter_dirs.clone();
        c.region_files = self.region_files.clone();
        c.latency_table = self.latency_table.clone();
        c.adapter_dir_poll = Duration::from_millis(self.adapter_dir_poll_ms);
        c.embedded_sim = (!self.no_sim).then(|| EmbeddedSim {
            listen: self.sim_listen,
            create_delay: Duration::from_millis(self.sim_create_delay_ms),
            transition_delay: Duration::from_millis(self.sim_transition_delay_ms),
        });
        c
    }
}

/// Run the gateway in the foreground.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let config = args.config();
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.listen))?;
    crate::server::run(listener, config, shutdown_signal(), |ready| {
        // One parseable line on stdout: scripts and tests wait for it.
        match ready.sim {
            Some(sim) => println!(
                "mcgw ready: http://{} (simulated cloud: http://{sim})",
                ready.api
            ),
            None => println!("mcgw ready: http://{}", ready.api),
        }
    })
    .await
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
}
