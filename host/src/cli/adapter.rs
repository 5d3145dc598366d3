//! `mcgw adapter ...`: the registry (list, upload, activate, rollback, remove,
//! limits) and the conformance kit (`test`).

use super::client::{Api, seg};
use super::conformance::{self, ConformanceArgs};
use super::resources::show;
use anyhow::{Context, Result};
use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum AdapterCmd {
    /// List adapters with their versions and capabilities.
    List,
    /// Show one adapter.
    Get { name: String },
    /// Upload a component; it is validated before anything serves it.
    Upload {
        /// The component (`.wasm`).
        file: PathBuf,
        /// Activate it at once.
        #[arg(long)]
        activate: bool,
        /// Refuse unless the component says it is this `name@version`.
        #[arg(long)]
        expect: Option<String>,
    },
    /// Make a version the one new calls use.
    Activate { name: String, version: String },
    /// Return to the previously active version.
    Rollback { name: String },
    /// Remove a version no connection pins.
    Remove { name: String, version: String },
    /// Set an adapter's limits.
    Limits {
        name: String,
        #[arg(long)]
        memory_mib: usize,
        #[arg(long)]
        cpu_ms: u64,
        #[arg(long)]
        timeout_ms: u64,
        #[arg(long, default_value_t = 60_000)]
        outbound_timeout_ms: u64,
    },
    /// Run the conformance kit against an adapter and its cloud.
    Test(ConformanceArgs),
}

const COLUMNS: &[(&str, &str)] = &[
    ("NAME", "/name"),
    ("CSP", "/csp"),
    ("ACTIVE", "/active_version"),
    ("VERSIONS", "/versions"),
    ("CAPABILITIES", "/capabilities"),
    ("DESCRIPTION", "/description"),
];

pub async fn run(api: &Api, cmd: AdapterCmd) -> Result<()> {
    let v = match cmd {
        AdapterCmd::List => {
            let mut v = api.get("/v1/adapters").await?;
            // Versions as a short list for the table.
            if let Some(list) = v.as_array_mut() {
                for a in list {
                    let versions: Vec<String> = a["versions"]
                        .as_array()
                        .map(|vs| {
                            vs.iter()
                                .filter_map(|x| x["version"].as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default();
                    a["versions"] = json!(versions);
                }
            }
            v
        }
        AdapterCmd::Get { name } => api.get(&format!("/v1/adapters/{}", seg(&name))).await?,
        AdapterCmd::Upload {
            file,
            activate,
            expect,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let path = match expect {
                Some(e) => {
                    let (n, v) = e.split_once('@').context("--expect takes name@version")?;
                    format!(
                        "/v1/adapters/{}/versions/{}?activate={activate}",
                        seg(n),
                        seg(v)
                    )
                }
                None => format!("/v1/adapters?activate={activate}"),
            };
            api.post_bytes(&path, bytes).await?
        }
        AdapterCmd::Activate { name, version } => {
            api.post(
                &format!(
                    "/v1/adapters/{}/versions/{}/activate",
                    seg(&name),
                    seg(&version)
                ),
                &json!({}),
            )
            .await?
        }
        AdapterCmd::Rollback { name } => {
            api.post(&format!("/v1/adapters/{}/rollback", seg(&name)), &json!({}))
                .await?
        }
        AdapterCmd::Remove { name, version } => {
            api.delete(&format!(
                "/v1/adapters/{}/versions/{}",
                seg(&name),
                seg(&version)
            ))
            .await?
        }
        AdapterCmd::Limits {
            name,
            memory_mib,
            cpu_ms,
            timeout_ms,
            outbound_timeout_ms,
        } => {
            let body = json!({"memory_mib": memory_mib, "cpu_ms": cpu_ms, "timeout_ms": timeout_ms, "outbound_timeout_ms": outbound_timeout_ms});
            api.put(&format!("/v1/adapters/{}/limits", seg(&name)), &body)
                .await?
        }
        AdapterCmd::Test(args) => return conformance::run(api, args).await,
    };
    show(api, &v, COLUMNS);
    Ok(())
}
