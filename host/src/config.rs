//! The gateway's configuration: one validated struct, built by the CLI from flags
//! and `MCGW_*` environment variables (the only place either is read).

use crate::runtime::Limits;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Everything `server::run` needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the database, secret key and compiled adapters live.
    pub data_dir: PathBuf,
    /// Precompiled-component cache (default: `<data_dir>/compiled`).
    pub compile_cache_dir: Option<PathBuf>,
    /// Limits of every adapter call.
    pub limits: Limits,
    /// Adapter instances alive at once.
    pub max_concurrent_calls: u32,
    /// Per-slot memory kept resident by the instance pool, bytes.
    pub pool_keep_resident_bytes: usize,
    /// Pool slots returned to the OS per batch.
    pub pool_decommit_batch: usize,
    /// Start the simulated cloud in-process and point `sim` connections at it.
    pub embedded_sim: Option<EmbeddedSim>,
    /// Directories whose `*.wasm` components are registered at start, after the
    /// built-in adapters (a component that fails validation is logged and skipped).
    pub adapter_dirs: Vec<PathBuf>,
    /// Extra region catalogs (CSV, the columns of `geo/data/regions.csv`).
    pub region_files: Vec<PathBuf>,
    /// Measured round-trip times overriding the latency model (CSV).
    pub latency_table: Option<PathBuf>,
    /// MCIS engine settings.
    pub mcis: crate::mcis::McisSettings,
    /// How often adapter directories are polled for new files (zero: never).
    pub adapter_dir_poll: Duration,
    /// Create the `default` namespace and, with the embedded sim, a credential
    /// and one connection per simulated region, if they do not exist.
    pub bootstrap: bool,
}

/// Settings of the embedded simulated cloud.
#[derive(Debug, Clone)]
pub struct EmbeddedSim {
    /// Where it listens (loopback; port 0 picks one).
    pub listen: SocketAddr,
    /// Time a simulated VM takes to boot.
    pub create_delay: Duration,
    /// Time other transitions (stop, start, reboot, terminate) take.
    pub transition_delay: Duration,
}

impl Config {
    /// Defaults for a data directory: embedded sim, bootstrap, default limits.
    pub fn new(data_dir: PathBuf) -> Config {
        Config {
            data_dir,
            compile_cache_dir: None,
            limits: Limits::default(),
            max_concurrent_calls: 256,
            pool_keep_resident_bytes: crate::runtime::RuntimeConfig::default().keep_resident_bytes,
            pool_decommit_batch: crate::runtime::RuntimeConfig::default().decommit_batch,
            embedded_sim: Some(EmbeddedSim {
                listen: "127.0.0.1:0".parse().expect("valid address"),
                create_delay: Duration::from_secs(3),
                transition_delay: Duration::from_secs(2),
            }),
            adapter_dirs: Vec::new(),
            mcis: crate::mcis::McisSettings::default(),
            region_files: Vec::new(),
            latency_table: None,
            adapter_dir_poll: Duration::from_secs(2),
            bootstrap: true,
        }
    }

    /// Check what cannot be checked by parsing alone.
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.limits.memory_bytes >= 16 << 20,
            "the adapter memory limit must be at least 16 MiB"
        );
        anyhow::ensure!(
            self.limits.cpu >= Duration::from_millis(10),
            "the adapter CPU limit must be at least 10 ms"
        );
        anyhow::ensure!(
            self.limits.call_timeout >= self.limits.cpu,
            "the adapter call timeout must not be shorter than its CPU limit"
        );
        anyhow::ensure!(
            self.max_concurrent_calls >= 1,
            "at least one concurrent adapter call"
        );
        Ok(())
    }

    /// The compile cache directory in effect.
    pub fn compile_cache(&self) -> PathBuf {
        self.compile_cache_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("compiled"))
    }
}
