//! `mcgw-sim`: run the simulated cloud alone.
//!
//! ```text
//! mcgw-sim --listen 127.0.0.1:8090 --state sim.json --account AK:SECRET --create-delay-ms 500
//! ```
//! Behaviour flags given explicitly override the behaviour saved in `--state`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Parser;
use mcgw_sim::{Account, BehaviourPatch, FaultsPatch, SimConfig};
use tracing_subscriber::EnvFilter;

#[derive(Parser, Debug)]
#[command(
    name = "mcgw-sim",
    version,
    about = "A simulated cloud with its own REST dialect"
)]
struct Args {
    /// Address to listen on (keep it on loopback: the admin API has no auth).
    #[arg(long, env = "MCGW_SIM_LISTEN", default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    /// State file: resources, admin-added accounts and behaviour survive restarts.
    #[arg(long, env = "MCGW_SIM_STATE")]
    state: Option<PathBuf>,
    /// An account as ACCESS_KEY:SECRET_KEY (repeatable).
    #[arg(long = "account", value_name = "KEY:SECRET")]
    accounts: Vec<String>,
    #[arg(long)]
    create_delay_ms: Option<u64>,
    #[arg(long)]
    stop_delay_ms: Option<u64>,
    #[arg(long)]
    start_delay_ms: Option<u64>,
    #[arg(long)]
    reboot_delay_ms: Option<u64>,
    #[arg(long)]
    terminate_delay_ms: Option<u64>,
    #[arg(long)]
    terminated_retention_ms: Option<u64>,
    #[arg(long)]
    quota_instances_per_region: Option<u32>,
    /// Probability of injected 500/503 answers.
    #[arg(long)]
    error_rate: Option<f64>,
    /// Probability of injected 429 answers.
    #[arg(long)]
    throttle_rate: Option<f64>,
    /// Probability that a launch ends in ERROR.
    #[arg(long)]
    create_failure_rate: Option<f64>,
    /// Extra latency of every request.
    #[arg(long)]
    latency_ms: Option<u64>,
}

fn parse_account(s: &str) -> anyhow::Result<Account> {
    let Some((access_key, secret_key)) = s.split_once(':') else {
        bail!("--account {s:?}: expected ACCESS_KEY:SECRET_KEY");
    };
    if access_key.is_empty() || secret_key.is_empty() {
        bail!("--account {s:?}: both keys must be non-empty");
    }
    Ok(Account {
        access_key: access_key.into(),
        secret_key: secret_key.into(),
    })
}

impl Args {
    fn overrides(&self) -> BehaviourPatch {
        let faults = FaultsPatch {
            error_rate: self.error_rate,
            throttle_rate: self.throttle_rate,
            create_failure_rate: self.create_failure_rate,
            latency_ms: self.latency_ms,
            regions: None,
            operations: None,
        };
        let any_fault = faults.error_rate.is_some()
            || faults.throttle_rate.is_some()
            || faults.create_failure_rate.is_some()
            || faults.latency_ms.is_some();
        BehaviourPatch {
            create_delay_ms: self.create_delay_ms,
            stop_delay_ms: self.stop_delay_ms,
            start_delay_ms: self.start_delay_ms,
            reboot_delay_ms: self.reboot_delay_ms,
            terminate_delay_ms: self.terminate_delay_ms,
            terminated_retention_ms: self.terminated_retention_ms,
            quota_instances_per_region: self.quota_instances_per_region,
            faults: any_fault.then_some(faults),
        }
    }
}

/// Resolves on ctrl-c, or SIGTERM on unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let accounts = args
        .accounts
        .iter()
        .map(|a| parse_account(a))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let overrides = args.overrides();
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    let config = SimConfig {
        accounts,
        behaviour: Default::default(),
        state_path: args.state,
    };
    mcgw_sim::serve_with_overrides(listener, config, overrides, shutdown_signal()).await
}
