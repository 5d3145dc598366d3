//! CLI commands for namespaces, adapters, credentials, connections, catalog,
//! vnets, security groups and key pairs.

use super::client::{Api, seg};
use super::table;
use crate::api::dto::{
    ConnectionReq, CredentialReq, KeypairReq, NamespaceReq, SecurityGroupReq, SubnetReq, VnetReq,
};
use crate::model::{Rule, RuleDirection};
use anyhow::{Context, Result, anyhow, bail};
use clap::Subcommand;
use serde_json::Value;
use std::collections::BTreeMap;

pub fn show(api: &Api, v: &Value, columns: &[(&str, &str)]) {
    if api.json {
        println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
    } else if v.is_array() {
        table::print(v, columns);
    } else {
        table::print_one(v);
    }
}

/// Parse `key=value`.
pub fn key_value(s: &str) -> Result<(String, String)> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| anyhow!("expected key=value, got {s:?}"))
}

fn pairs(items: &[String]) -> Result<BTreeMap<String, String>> {
    items.iter().map(|s| key_value(s)).collect()
}

#[derive(Debug, Subcommand)]
pub enum NsCmd {
    /// List namespaces.
    List,
    /// Create a namespace.
    Create {
        name: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Delete an empty namespace.
    Delete { name: String },
}

pub async fn ns(api: &Api, cmd: NsCmd) -> Result<()> {
    let cols = [
        ("NAME", "/name"),
        ("DESCRIPTION", "/description"),
        ("CREATED", "/created_at"),
    ];
    let v = match cmd {
        NsCmd::List => api.get("/v1/ns").await?,
        NsCmd::Create { name, description } => {
            api.post("/v1/ns", &NamespaceReq { name, description })
                .await?
        }
        NsCmd::Delete { name } => api.delete(&format!("/v1/ns/{}", seg(&name))).await?,
    };
    show(api, &v, &cols);
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum CredentialCmd {
    /// List credentials (field names only).
    List,
    /// Store a credential: `--value access_key=... --value secret_key=...`.
    Create {
        name: String,
        #[arg(long)]
        adapter: String,
        #[arg(long = "value")]
        values: Vec<String>,
    },
    /// Delete a credential.
    Delete { name: String },
}

pub async fn credential(api: &Api, cmd: CredentialCmd) -> Result<()> {
    let v = match cmd {
        CredentialCmd::List => api.get("/v1/credentials").await?,
        CredentialCmd::Create {
            name,
            adapter,
            values,
        } => {
            api.post(
                "/v1/credentials",
                &CredentialReq {
                    name,
                    adapter,
                    values: pairs(&values)?,
                },
            )
            .await?
        }
        CredentialCmd::Delete { name } => {
            api.delete(&format!("/v1/credentials/{}", seg(&name)))
                .await?
        }
    };
    show(
        api,
        &v,
        &[
            ("NAME", "/name"),
            ("ADAPTER", "/adapter"),
            ("FIELDS", "/keys"),
        ],
    );
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum ConnectionCmd {
    /// List connection configs.
    List,
    /// Create a connection config.
    Create {
        name: String,
        #[arg(long)]
        adapter: String,
        #[arg(long)]
        credential: String,
        #[arg(long)]
        region: String,
        #[arg(long)]
        zone: Option<String>,
        #[arg(long)]
        endpoint: Option<String>,
        /// Pin an adapter version or range.
        #[arg(long)]
        adapter_version: Option<String>,
        /// Connection parameter `key=value` (repeatable).
        #[arg(long)]
        extra: Vec<String>,
        /// A host the adapter may call beyond its declared ones (repeatable).
        #[arg(long = "allow-host")]
        allowed_hosts: Vec<String>,
    },
    /// Delete a connection config.
    Delete { name: String },
}

pub async fn connection(api: &Api, cmd: ConnectionCmd) -> Result<()> {
    let v = match cmd {
        ConnectionCmd::List => api.get("/v1/connections").await?,
        ConnectionCmd::Create {
            name,
            adapter,
            credential,
            region,
            zone,
            endpoint,
            adapter_version,
            extra,
            allowed_hosts,
        } => {
            let req = ConnectionReq {
                allowed_hosts,
                name,
                adapter,
                adapter_version,
                credential,
                region,
                zone,
                endpoint,
                extra: pairs(&extra)?,
            };
            api.post("/v1/connections", &req).await?
        }
        ConnectionCmd::Delete { name } => {
            api.delete(&format!("/v1/connections/{}", seg(&name)))
                .await?
        }
    };
    show(
        api,
        &v,
        &[
            ("NAME", "/name"),
            ("ADAPTER", "/adapter"),
            ("REGION", "/region"),
            ("ZONE", "/zone"),
            ("CREDENTIAL", "/credential"),
            ("ENDPOINT", "/endpoint"),
        ],
    );
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum CatalogCmd {
    /// Regions of the connection's account.
    Regions {
        #[arg(long, short)]
        connection: String,
    },
    /// Images in the connection's region.
    Images {
        #[arg(long, short)]
        connection: String,
    },
    /// Specs in the connection's region.
    Specs {
        #[arg(long, short)]
        connection: String,
    },
}

pub async fn catalog(api: &Api, cmd: CatalogCmd) -> Result<()> {
    match cmd {
        CatalogCmd::Regions { connection } => {
            let v = api
                .get(&format!("/v1/connections/{}/regions", seg(&connection)))
                .await?;
            show(
                api,
                &v,
                &[
                    ("REGION", "/name"),
                    ("NAME", "/display_name"),
                    ("LAT", "/location/latitude"),
                    ("LON", "/location/longitude"),
                    ("ZONES", "/zones"),
                ],
            );
        }
        CatalogCmd::Images { connection } => {
            let v = api
                .get(&format!("/v1/connections/{}/images", seg(&connection)))
                .await?;
            show(
                api,
                &v,
                &[
                    ("ID", "/id"),
                    ("NAME", "/name"),
                    ("OS", "/os_distribution"),
                    ("ARCH", "/architecture"),
                    ("STATUS", "/status"),
                ],
            );
        }
        CatalogCmd::Specs { connection } => {
            let v = api
                .get(&format!("/v1/connections/{}/specs", seg(&connection)))
                .await?;
            show(
                api,
                &v,
                &[
                    ("SPEC", "/name"),
                    ("VCPU", "/vcpus"),
                    ("MEM_MIB", "/memory_mib"),
                    ("GPU", "/gpu/model"),
                    ("PRICE/H", "/price_per_hour"),
                    ("CUR", "/currency"),
                ],
            );
        }
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum VnetCmd {
    /// List vnets.
    List,
    /// Create a vnet: `--subnet name=10.0.1.0/24[@zone]` (repeatable).
    Create {
        name: String,
        #[arg(long, short)]
        connection: String,
        #[arg(long)]
        cidr: String,
        #[arg(long = "subnet")]
        subnets: Vec<String>,
    },
    /// Delete a vnet.
    Delete { name: String },
}

fn subnet(s: &str) -> Result<SubnetReq> {
    let (name, rest) = key_value(s)?;
    let (cidr, zone) = match rest.split_once('@') {
        Some((c, z)) => (c.to_string(), Some(z.to_string())),
        None => (rest, None),
    };
    Ok(SubnetReq { name, cidr, zone })
}

pub async fn vnet(api: &Api, ns: &str, cmd: VnetCmd) -> Result<()> {
    let base = format!("/v1/ns/{}/vnets", seg(ns));
    let v = match cmd {
        VnetCmd::List => api.get(&base).await?,
        VnetCmd::Create {
            name,
            connection,
            cidr,
            subnets,
        } => {
            let subnets = subnets.iter().map(|s| subnet(s)).collect::<Result<_>>()?;
            api.post(
                &base,
                &VnetReq {
                    name,
                    connection,
                    cidr,
                    subnets,
                },
            )
            .await?
        }
        VnetCmd::Delete { name } => api.delete(&format!("{base}/{}", seg(&name))).await?,
    };
    show(
        api,
        &v,
        &[
            ("NAME", "/name"),
            ("CONNECTION", "/connection"),
            ("CIDR", "/cidr"),
            ("CSP ID", "/csp_id"),
            ("STATUS", "/status"),
        ],
    );
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum SgCmd {
    /// List security groups.
    List,
    /// Create a security group: `--rule "inbound tcp 22 0.0.0.0/0"`, ports as `80` or `8000-8080`.
    Create {
        name: String,
        #[arg(long, short)]
        connection: String,
        #[arg(long)]
        vnet: String,
        #[arg(long = "rule")]
        rules: Vec<String>,
    },
    /// Delete a security group.
    Delete { name: String },
}

fn rule(s: &str) -> Result<Rule> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let direction = match parts.first().copied() {
        Some("inbound") | Some("in") => RuleDirection::Inbound,
        Some("outbound") | Some("out") => RuleDirection::Outbound,
        _ => bail!("a rule starts with inbound or outbound: {s:?}"),
    };
    let protocol = parts.get(1).context("a rule needs a protocol")?.to_string();
    let (ports, cidr) = match parts.len() {
        3 => (None, parts[2]),
        4 => (Some(parts[2]), parts[3]),
        _ => bail!("a rule is `DIRECTION PROTOCOL [PORTS] CIDR`: {s:?}"),
    };
    let (from_port, to_port) = match ports {
        None => (None, None),
        Some(p) => {
            let (a, b) = p.split_once('-').unwrap_or((p, p));
            (Some(a.parse()?), Some(b.parse()?))
        }
    };
    Ok(Rule {
        direction,
        protocol,
        from_port,
        to_port,
        cidr: cidr.to_string(),
    })
}

pub async fn sg(api: &Api, ns: &str, cmd: SgCmd) -> Result<()> {
    let base = format!("/v1/ns/{}/security-groups", seg(ns));
    let v = match cmd {
        SgCmd::List => api.get(&base).await?,
        SgCmd::Create {
            name,
            connection,
            vnet,
            rules,
        } => {
            let rules = rules.iter().map(|r| rule(r)).collect::<Result<_>>()?;
            api.post(
                &base,
                &SecurityGroupReq {
                    name,
                    connection,
                    vnet,
                    description: String::new(),
                    rules,
                },
            )
            .await?
        }
        SgCmd::Delete { name } => api.delete(&format!("{base}/{}", seg(&name))).await?,
    };
    show(
        api,
        &v,
        &[
            ("NAME", "/name"),
            ("CONNECTION", "/connection"),
            ("VNET", "/vnet"),
            ("CSP ID", "/csp_id"),
        ],
    );
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum KeypairCmd {
    /// List key pairs.
    List,
    /// Create a key pair (prints the private key once) or import one.
    Create {
        name: String,
        #[arg(long, short)]
        connection: String,
        #[arg(long)]
        public_key_file: Option<std::path::PathBuf>,
    },
    /// Delete a key pair.
    Delete { name: String },
}

pub async fn keypair(api: &Api, ns: &str, cmd: KeypairCmd) -> Result<()> {
    let base = format!("/v1/ns/{}/keypairs", seg(ns));
    let v = match cmd {
        KeypairCmd::List => api.get(&base).await?,
        KeypairCmd::Create {
            name,
            connection,
            public_key_file,
        } => {
            let public_key = match public_key_file {
                Some(p) => Some(
                    std::fs::read_to_string(&p)
                        .with_context(|| format!("reading {}", p.display()))?
                        .trim()
                        .to_string(),
                ),
                None => None,
            };
            api.post(
                &base,
                &KeypairReq {
                    name,
                    connection,
                    public_key,
                },
            )
            .await?
        }
        KeypairCmd::Delete { name } => api.delete(&format!("{base}/{}", seg(&name))).await?,
    };
    show(
        api,
        &v,
        &[
            ("NAME", "/name"),
            ("CONNECTION", "/connection"),
            ("FINGERPRINT", "/fingerprint"),
            ("CSP ID", "/csp_id"),
        ],
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_and_subnets_parse() {
        let r = rule("inbound tcp 8000-8080 0.0.0.0/0").unwrap();
        assert_eq!((r.from_port, r.to_port), (Some(8000), Some(8080)));
        assert_eq!(rule("out all 0.0.0.0/0").unwrap().from_port, None);
        assert!(rule("sideways tcp 22 0.0.0.0/0").is_err());
        let s = subnet("web=10.0.1.0/24@ap-seoul-a").unwrap();
        assert_eq!(s.zone.as_deref(), Some("ap-seoul-a"));
    }
}
