//! `mcgw place meeting|fleet`: where to put servers for these users, as tables.

use super::client::Api;
use super::resources::key_value;
use super::table;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Candidate flags shared by both planners.
#[derive(Debug, Args)]
pub struct CandidateArgs {
    /// Plan over every catalog region instead of the gateway's connections.
    #[arg(long)]
    catalog: bool,
    /// Only these providers (repeatable).
    #[arg(long = "provider")]
    providers: Vec<String>,
    /// Only these connections (repeatable).
    #[arg(long = "connection")]
    connections: Vec<String>,
    /// Price this spec per provider: `sim=sim.small` (repeatable).
    #[arg(long = "spec")]
    specs: Vec<String>,
}

impl CandidateArgs {
    fn json(&self) -> Result<Value> {
        let spec: BTreeMap<String, String> = self
            .specs
            .iter()
            .map(|s| key_value(s))
            .collect::<Result<_>>()?;
        Ok(json!({
            "source": if self.catalog { "catalog" } else { "connections" },
            "providers": self.providers,
            "connections": self.connections,
            "spec": spec,
        }))
    }
}

#[derive(Debug, Subcommand)]
pub enum PlaceCmd {
    /// The one region that serves a meeting's participants best.
    Meeting {
        /// CSV with `name,latitude,longitude[,weight]`.
        #[arg(long)]
        participants: PathBuf,
        /// `min-max` (worst round trip) or `min-mean`.
        #[arg(long, default_value = "min-max")]
        objective: String,
        #[command(flatten)]
        candidates: CandidateArgs,
    },
    /// k sites for a user population.
    Fleet {
        /// CSV with `latitude,longitude[,weight]` per user or cell.
        #[arg(long, conflicts_with = "synthetic")]
        users: Option<PathBuf>,
        /// Or: this many synthetic users distributed like the world's internet users.
        #[arg(long)]
        synthetic: Option<usize>,
        /// Number of sites.
        #[arg(short)]
        k: usize,
        /// ms of mean RTT one unit of hourly cost is worth.
        #[arg(long, default_value_t = 0.0)]
        cost_weight: f64,
        /// Spread over at least this many providers.
        #[arg(long)]
        min_providers: Option<usize>,
        /// At most this many sites per provider.
        #[arg(long)]
        max_per_provider: Option<usize>,
        #[command(flatten)]
        candidates: CandidateArgs,
    },
}

pub async fn run(api: &Api, cmd: PlaceCmd) -> Result<()> {
    match cmd {
        PlaceCmd::Meeting {
            participants,
            objective,
            candidates,
        } => {
            let text = std::fs::read_to_string(&participants)
                .with_context(|| format!("reading {}", participants.display()))?;
            let people = mcgw_geo::parse_participants_csv(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", participants.display()))?;
            let mut body = candidates.json()?;
            body["participants"] = serde_json::to_value(&people)?;
            body["objective"] = json!(objective);
            let plan = api.post("/v1/placement/meeting", &body).await?;
            if api.json {
                println!("{}", serde_json::to_string_pretty(&plan)?);
                return Ok(());
            }
            let chosen = &plan["chosen"];
            println!(
                "best region: {}/{} ({}, {}) via {} — {} {:.1} ms",
                chosen["region"]["provider"].as_str().unwrap_or(""),
                chosen["region"]["code"].as_str().unwrap_or(""),
                chosen["region"]["display_name"].as_str().unwrap_or(""),
                chosen["region"]["city"].as_str().unwrap_or(""),
                plan["connection"].as_str().unwrap_or("(no connection)"),
                plan["objective"].as_str().unwrap_or(""),
                plan["objective_ms"].as_f64().unwrap_or(0.0),
            );
            let rows: Vec<Value> = plan["participants"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| json!({"name": p["name"], "rtt": format!("{:.1}", p["rtt_ms"].as_f64().unwrap_or(0.0))}))
                .collect();
            table::print(
                &Value::Array(rows),
                &[("PARTICIPANT", "/name"), ("RTT MS", "/rtt")],
            );
            println!(
                "a random region would give {:.1} ms; the worst ({}/{}) {:.1} ms; {} candidates",
                plan["random_region_ms"].as_f64().unwrap_or(0.0),
                plan["worst"]["region"]["provider"].as_str().unwrap_or(""),
                plan["worst"]["region"]["code"].as_str().unwrap_or(""),
                plan["worst"]["objective_ms"].as_f64().unwrap_or(0.0),
                plan["candidates"],
            );
            Ok(())
        }
        PlaceCmd::Fleet {
            users,
            synthetic,
            k,
            cost_weight,
            min_providers,
            max_per_provider,
            candidates,
        } => {
            let points = match (users, synthetic) {
                (Some(file), _) => {
                    let text = std::fs::read_to_string(&file)
                        .with_context(|| format!("reading {}", file.display()))?;
                    mcgw_geo::parse_users_csv(&text)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?
                }
                (None, Some(n)) => mcgw_geo::synthetic::internet_population(n, 42),
                (None, None) => bail!("give --users FILE or --synthetic N"),
            };
            let raw = points.len();
            // Millions of users travel as weighted cells: a quarter-degree grid
            // changes the answer by far less than a millisecond.
            let cells =
                mcgw_geo::aggregate_users(&points, 0.25).map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut body = candidates.json()?;
            body["users"] = serde_json::to_value(&cells)?;
            body["goal"] = json!({"mode": "sites", "k": k});
            body["cost_weight"] = json!(cost_weight);
            let mut constraints = serde_json::Map::new();
            if let Some(m) = min_providers {
                constraints.insert("min_providers".into(), json!(m));
            }
            if let Some(m) = max_per_provider {
                constraints.insert("max_sites_per_provider".into(), json!({"*": m}));
            }
            body["constraints"] = Value::Object(constraints);
            let plan = api.post("/v1/placement/fleet", &body).await?;
            if api.json {
                println!("{}", serde_json::to_string_pretty(&plan)?);
                return Ok(());
            }
            let mut rows = Vec::new();
            for (site, offer) in plan["sites"]
                .as_array()
                .into_iter()
                .flatten()
                .zip(plan["offers"].as_array().into_iter().flatten())
            {
                rows.push(json!({
                    "site": format!("{}/{}", site["region"]["provider"].as_str().unwrap_or(""), site["region"]["code"].as_str().unwrap_or("")),
                    "city": site["region"]["city"],
                    "users": site["assigned_weight"].as_f64().map(|w| w.round()),
                    "mean": format!("{:.1}", site["mean_rtt_ms"].as_f64().unwrap_or(0.0)),
                    "p95": format!("{:.1}", site["p95_rtt_ms"].as_f64().unwrap_or(0.0)),
                    "cost": site["hourly_cost"],
                    "connection": offer["connection"],
                }));
            }
            table::print(
                &Value::Array(rows),
                &[
                    ("SITE", "/site"),
                    ("CITY", "/city"),
                    ("USERS", "/users"),
                    ("MEAN MS", "/mean"),
                    ("P95 MS", "/p95"),
                    ("COST/H", "/cost"),
                    ("CONNECTION", "/connection"),
                ],
            );
            println!(
                "{raw} users in {} cells; overall mean {:.1} ms, p95 {:.1} ms; hourly cost {}; {} candidates",
                plan["cells"],
                plan["mean_rtt_ms"].as_f64().unwrap_or(0.0),
                plan["p95_rtt_ms"].as_f64().unwrap_or(0.0),
                plan["total_hourly_cost"]
                    .as_f64()
                    .map_or("unknown".to_string(), |c| format!("{c:.4}")),
                plan["candidates"],
            );
            Ok(())
        }
    }
}
