//! `mcgw sim`: the simulated cloud on its own, outside any gateway (the same
//! server `mcgw serve` embeds; also shipped as the `mcgw-sim` binary).

use anyhow::{Context, Result, bail};
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Flags of `mcgw sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Where to listen (loopback by default: the admin API has no authentication).
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    /// State file (resources survive restarts); none keeps everything in memory.
    #[arg(long)]
    state: Option<PathBuf>,
    /// An account as ACCESS_KEY:SECRET_KEY (repeatable).
    #[arg(long = "account", value_name = "KEY:SECRET")]
    accounts: Vec<String>,
    /// Boot time of a VM, ms.
    #[arg(long)]
    create_delay_ms: Option<u64>,
    /// Time of other transitions, ms.
    #[arg(long)]
    transition_delay_ms: Option<u64>,
}

/// Serve until Ctrl-C or SIGTERM.
pub async fn run(args: SimArgs) -> Result<()> {
    let accounts = args
        .accounts
        .iter()
        .map(|a| match a.split_once(':') {
            Some((k, s)) if !k.is_empty() && !s.is_empty() => Ok(mcgw_sim::Account {
                access_key: k.into(),
                secret_key: s.into(),
            }),
            _ => bail!("--account {a:?}: expected ACCESS_KEY:SECRET_KEY"),
        })
        .collect::<Result<Vec<_>>>()?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    let t = args.transition_delay_ms;
    let overrides = mcgw_sim::BehaviourPatch {
        create_delay_ms: args.create_delay_ms,
        stop_delay_ms: t,
        start_delay_ms: t,
        reboot_delay_ms: t,
        terminate_delay_ms: t,
        ..Default::default()
    };
    let config = mcgw_sim::SimConfig {
        accounts,
        behaviour: mcgw_sim::Behaviour::default(),
        state_path: args.state,
    };
    println!("mcgw-sim ready: http://{addr}");
    mcgw_sim::serve_with_overrides(listener, config, overrides, super::serve::shutdown_signal())
        .await
}
