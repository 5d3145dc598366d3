//! Placement in the gateway: the solvers live in `mcgw-geo` (pure functions);
//! this module turns the gateway's connections (or the whole region catalog)
//! into priced candidates and calls them.
//!
//! Candidates come from the connections by default — regions the gateway can
//! actually create VMs in — with each region's price taken from its adapter's
//! spec catalog (a named spec per provider, or the cheapest spec meeting a
//! vCPU/memory floor). The `catalog` source plans over every known region of
//! the chosen providers, without prices, for "what if" questions.

use crate::error::{Error, Result};
use crate::model::Connection;
use crate::services::Gateway;
use mcgw_geo::{
    Candidate, Catalog, FleetParams, FleetPlan, LatencyModel, MeasuredLatency, MeetingPlan,
    MeetingRequest, Objective, Oracle, Participant, PlacementError, Region, UserPoint,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where candidate regions come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The gateway's connections (default).
    #[default]
    Connections,
    /// Every region of the catalog (no prices).
    Catalog,
}

/// Which regions may be chosen and how they are priced.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CandidateFilter {
    /// Where candidates come from.
    #[serde(default)]
    pub source: Source,
    /// Only these connections (connections source).
    #[serde(default)]
    pub connections: Vec<String>,
    /// Only these providers (adapter names, e.g. `sim`, `aws`).
    #[serde(default)]
    pub providers: Vec<String>,
    /// Spec to price per provider, e.g. `{"sim": "sim.small"}`.
    #[serde(default)]
    pub spec: BTreeMap<String, String>,
    /// Or: price the cheapest spec with at least this many vCPUs ...
    #[serde(default)]
    pub min_vcpus: Option<u32>,
    /// ... and at least this much memory (MiB).
    #[serde(default)]
    pub min_memory_mib: Option<u64>,
}

/// `POST /v1/placement/meeting`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeetingReq {
    /// Participants' coordinates (and optional weights).
    #[schema(value_type = Vec<Object>)]
    pub participants: Vec<Participant>,
    /// `min-max` (worst round trip, default) or `min-mean`.
    #[serde(default)]
    #[schema(value_type = String)]
    pub objective: Objective,
    /// Candidates.
    #[serde(flatten)]
    pub candidates: CandidateFilter,
}

/// `POST /v1/placement/fleet`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FleetReq {
    /// Users as weighted points (or pre-aggregated cells).
    #[schema(value_type = Vec<Object>)]
    pub users: Vec<UserPoint>,
    /// `{"goal": {"mode": "sites", "k": 18}, "cost_weight": ..., "constraints": {...}}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub params: FleetParams,
    /// Candidates.
    #[serde(flatten)]
    pub candidates: CandidateFilter,
}

/// A candidate and the connection that offers it (connections source).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Offer {
    /// Provider key.
    pub provider: String,
    /// Region code.
    pub region: String,
    /// The connection to create VMs there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// Price per hour, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hourly_cost: Option<f64>,
}

/// A meeting plan with the connection to use.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeetingAnswer {
    /// The plan (chosen region, each participant's RTT, random and worst region).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub plan: MeetingPlan,
    /// The connection offering the chosen region.
    pub connection: Option<String>,
    /// Candidates considered.
    pub candidates: usize,
    /// Connections left out (no known location), with why.
    pub skipped: Vec<String>,
}

/// A fleet plan with the connection for each site.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FleetAnswer {
    /// The plan (sites, assignment, mean/p95 RTT, cost).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub plan: FleetPlan,
    /// Per site, in the plan's order: provider, region, connection, price.
    pub offers: Vec<Offer>,
    /// Candidates considered.
    pub candidates: usize,
    /// Connections left out, with why.
    pub skipped: Vec<String>,
}

/// What the planners know of the world: the region catalog (built in, plus
/// the operator's extra rows) and the latency oracle (the model, overridden by
/// the operator's measured table where it has one).
#[derive(Debug, Clone)]
pub struct World {
    /// Regions.
    pub catalog: Catalog,
    /// Round-trip times.
    pub oracle: Oracle,
}

impl Default for World {
    fn default() -> Self {
        World {
            catalog: Catalog::builtin(),
            oracle: Oracle::from_model(LatencyModel::default()),
        }
    }
}

impl World {
    /// The built-in world, extended by region CSV files (same columns as
    /// `geo/data/regions.csv`; a row replaces the built-in one with the same
    /// provider and code) and overridden by a measured-latency CSV.
    pub fn load(
        region_files: &[std::path::PathBuf],
        latency_table: Option<&std::path::Path>,
    ) -> anyhow::Result<World> {
        let mut world = World::default();
        for f in region_files {
            let extra =
                Catalog::from_csv_file(f).map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?;
            world.catalog.merge(extra);
        }
        if let Some(t) = latency_table {
            let text =
                std::fs::read_to_string(t).map_err(|e| anyhow::anyhow!("{}: {e}", t.display()))?;
            world.oracle.measured = MeasuredLatency::from_csv(&text, 0.5)
                .map_err(|e| anyhow::anyhow!("{}: {e}", t.display()))?;
        }
        Ok(world)
    }
}

/// A solver refusal as a 400 naming the field.
fn refused(e: PlacementError) -> Error {
    Error::bad_data(e.field(), e.to_string())
}

impl Gateway {
    /// Candidates per the filter, with the connection of each.
    pub async fn candidates(
        &self,
        f: &CandidateFilter,
    ) -> Result<(Vec<Candidate>, Vec<Offer>, Vec<String>)> {
        let catalog = &self.world.catalog;
        let known: Vec<&str> = catalog.providers();
        for (i, p) in f.providers.iter().enumerate() {
            let registered = self.registry.contains(p);
            if !registered && !known.contains(&p.as_str()) {
                return Err(Error::bad_data(
                    &format!("providers[{i}]"),
                    format!("unknown provider {p:?} (known: {})", known.join(", ")),
                ));
            }
        }
        let wanted = |p: &str| f.providers.is_empty() || f.providers.iter().any(|x| x == p);
        if f.source == Source::Catalog {
            let regions: Vec<Region> = catalog
                .regions()
                .iter()
                .filter(|r| wanted(&r.provider))
                .cloned()
                .collect();
            let offers = regions
                .iter()
                .map(|r| Offer {
                    provider: r.provider.clone(),
                    region: r.code.clone(),
                    connection: None,
                    hourly_cost: None,
                })
                .collect();
            return Ok((
                regions.into_iter().map(Candidate::new).collect(),
                offers,
                vec![],
            ));
        }
        let mut conns: Vec<Connection> = self.store.connections().await?;
        for (i, name) in f.connections.iter().enumerate() {
            if !conns.iter().any(|c| &c.name == name) {
                return Err(Error::bad_data(
                    &format!("connections[{i}]"),
                    format!("there is no connection named {name:?}"),
                ));
            }
        }
        conns.retain(|c| {
            (f.connections.is_empty() || f.connections.contains(&c.name)) && wanted(&c.adapter)
        });
        // One candidate per (provider, region); the connection named
        // `<provider>-<region>` wins, then the first by name.
        conns.sort_by_key(|c| {
            (
                c.adapter.clone(),
                c.region.clone(),
                c.name != format!("{}-{}", c.adapter, c.region),
                c.name.clone(),
            )
        });
        conns.dedup_by(|a, b| a.adapter == b.adapter && a.region == b.region);
        let mut skipped = Vec::new();
        let located: Vec<(Connection, Region)> = conns
            .into_iter()
            .filter_map(|c| match catalog.get(&c.adapter, &c.region) {
                Some(r) => Some((c, r.clone())),
                None => {
                    skipped.push(format!(
                        "{}: region {}/{} has no known location",
                        c.name, c.adapter, c.region
                    ));
                    None
                }
            })
            .collect();
        let prices = futures::future::join_all(located.iter().map(|(c, _)| self.price(c, f))).await;
        let mut candidates = Vec::new();
        let mut offers = Vec::new();
        for ((c, r), price) in located.into_iter().zip(prices) {
            let price = match price {
                Ok(p) => p,
                Err(e) => {
                    skipped.push(format!("{}: no price ({})", c.name, e.message));
                    continue;
                }
            };
            offers.push(Offer {
                provider: c.adapter.clone(),
                region: c.region.clone(),
                connection: Some(c.name.clone()),
                hourly_cost: price,
            });
            candidates.push(Candidate {
                region: r,
                hourly_cost: price,
            });
        }
        Ok((candidates, offers, skipped))
    }

    /// The hourly price of the filter's spec in a connection's region.
    async fn price(&self, c: &Connection, f: &CandidateFilter) -> Result<Option<f64>> {
        if let Some(spec) = f.spec.get(&c.adapter) {
            let client = self.client(c).await?;
            let s = self
                .mcis
                .limiter
                .call(&c.adapter, &c.region, || {}, || client.get_spec(spec))
                .await?;
            return Ok(s.price_per_hour);
        }
        if f.min_vcpus.is_none() && f.min_memory_mib.is_none() {
            return Ok(None);
        }
        let client = self.client(c).await?;
        let specs = self
            .mcis
            .limiter
            .call(&c.adapter, &c.region, || {}, || client.list_specs())
            .await?;
        Ok(specs
            .iter()
            .filter(|s| {
                f.min_vcpus.is_none_or(|v| s.vcpus >= v)
                    && f.min_memory_mib.is_none_or(|m| s.memory_mib >= m)
            })
            .filter_map(|s| s.price_per_hour)
            .min_by(|a, b| a.total_cmp(b)))
    }

    /// Choose the meeting server's region.
    pub async fn place_meeting(&self, req: MeetingReq) -> Result<MeetingAnswer> {
        let (candidates, offers, skipped) = self.candidates(&req.candidates).await?;
        if candidates.is_empty() {
            return Err(Error::bad_data(
                "candidates",
                format!("no candidate region (skipped: {})", skipped.join("; ")),
            ));
        }
        let n = candidates.len();
        let request = MeetingRequest {
            participants: req.participants,
            candidates,
            objective: req.objective,
        };
        let plan = mcgw_geo::solve_meeting(&request, &self.world.oracle).map_err(refused)?;
        let connection = offers
            .iter()
            .find(|o| {
                o.provider == plan.chosen.region.provider && o.region == plan.chosen.region.code
            })
            .and_then(|o| o.connection.clone());
        Ok(MeetingAnswer {
            plan,
            connection,
            candidates: n,
            skipped,
        })
    }

    /// Choose a fleet's sites.
    pub async fn place_fleet(&self, req: FleetReq) -> Result<FleetAnswer> {
        let (candidates, offers, skipped) = self.candidates(&req.candidates).await?;
        if candidates.is_empty() {
            return Err(Error::bad_data(
                "candidates",
                format!("no candidate region (skipped: {})", skipped.join("; ")),
            ));
        }
        let n = candidates.len();
        // The solver is CPU-bound (a million users take ~0.2 s): keep it off
        // the runtime threads that serve requests.
        let world = self.world.clone();
        let plan = tokio::task::spawn_blocking(move || {
            mcgw_geo::solve_fleet(&req.users, &candidates, &req.params, &world.oracle)
        })
        .await
        .map_err(|e| Error::internal(format!("placement task failed: {e}")))?
        .map_err(refused)?;
        let offers = plan
            .sites
            .iter()
            .map(|s| {
                offers
                    .iter()
                    .find(|o| o.provider == s.region.provider && o.region == s.region.code)
                    .cloned()
                    .unwrap_or(Offer {
                        provider: s.region.provider.clone(),
                        region: s.region.code.clone(),
                        connection: None,
                        hourly_cost: s.hourly_cost,
                    })
            })
            .collect();
        Ok(FleetAnswer {
            plan,
            offers,
            candidates: n,
            skipped,
        })
    }
}
