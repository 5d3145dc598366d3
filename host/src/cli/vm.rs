//! `mcgw vm ...`.

use super::client::{Api, seg};
use super::resources::key_value;
use super::table;
use crate::api::dto::VmReq;
use anyhow::Result;
use clap::Subcommand;
use serde_json::Value;

#[derive(Debug, Subcommand)]
pub enum VmCmd {
    /// List VMs (from the gateway's database; --refresh asks the clouds).
    List {
        #[arg(long)]
        refresh: bool,
    },
    /// Create a VM (returns at once with status Creating).
    Create(Box<CreateArgs>),
    /// Show a VM (status refreshed from its cloud).
    Get { name: String },
    /// Suspend a VM.
    Suspend { name: String },
    /// Resume a VM.
    Resume { name: String },
    /// Reboot a VM.
    Reboot { name: String },
    /// Terminate a VM (its record stays until deleted).
    Terminate { name: String },
    /// Terminate (if needed) and forget a VM.
    Delete { name: String },
}

/// Flags of `mcgw vm create`.
#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    name: String,
    #[arg(long, short)]
    connection: String,
    #[arg(long)]
    spec: String,
    #[arg(long)]
    image: String,
    #[arg(long)]
    vnet: Option<String>,
    #[arg(long)]
    subnet: Option<String>,
    /// Security group name (repeatable).
    #[arg(long = "sg")]
    security_groups: Vec<String>,
    #[arg(long)]
    keypair: Option<String>,
    #[arg(long)]
    disk_type: Option<String>,
    #[arg(long)]
    disk_gib: Option<u32>,
    /// Tag `key=value` (repeatable).
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// CSP-specific parameter `key=value` (repeatable).
    #[arg(long)]
    extra: Vec<String>,
}

const COLUMNS: &[(&str, &str)] = &[
    ("NAME", "/name"),
    ("STATUS", "/status"),
    ("NATIVE", "/native_status"),
    ("CONNECTION", "/connection"),
    ("SPEC", "/spec"),
    ("PUBLIC IP", "/public_ip"),
    ("PRIVATE IP", "/private_ip"),
    ("CSP ID", "/csp_id"),
];

pub async fn run(api: &Api, ns: &str, cmd: VmCmd) -> Result<()> {
    let base = format!("/v1/ns/{}/vms", seg(ns));
    let action = |name: &str, a: &str| format!("{base}/{}/{a}", seg(name));
    let v: Value = match cmd {
        VmCmd::List { refresh } => api.get(&format!("{base}?refresh={refresh}")).await?,
        VmCmd::Create(args) => {
            let CreateArgs {
                name,
                connection,
                spec,
                image,
                vnet,
                subnet,
                security_groups,
                keypair,
                disk_type,
                disk_gib,
                tags,
                extra,
            } = *args;
            let req = VmReq {
                name,
                connection,
                spec,
                image,
                vnet,
                subnet,
                security_groups,
                keypair,
                root_disk_type: disk_type,
                root_disk_gib: disk_gib,
                user_data: None,
                tags: tags.iter().map(|t| key_value(t)).collect::<Result<_>>()?,
                extra: extra.iter().map(|t| key_value(t)).collect::<Result<_>>()?,
            };
            api.post(&base, &req).await?
        }
        VmCmd::Get { name } => api.get(&format!("{base}/{}", seg(&name))).await?,
        VmCmd::Suspend { name } => api.post(&action(&name, "suspend"), &()).await?,
        VmCmd::Resume { name } => api.post(&action(&name, "resume"), &()).await?,
        VmCmd::Reboot { name } => api.post(&action(&name, "reboot"), &()).await?,
        VmCmd::Terminate { name } => api.post(&action(&name, "terminate"), &()).await?,
        VmCmd::Delete { name } => api.delete(&format!("{base}/{}", seg(&name))).await?,
    };
    if api.json {
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else if v.is_array() {
        table::print(&v, COLUMNS);
    } else {
        table::print_one(&v);
    }
    Ok(())
}
