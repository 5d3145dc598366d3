//! Fleet placement: choose k server sites for a population of users
//! (a constrained k-median problem with prices).
//!
//! A game operator with 2 million players needs 18 sites around the world. The
//! solver aggregates users into weighted grid cells ([`aggregate_users`]),
//! computes the cells × candidates RTT matrix once (from the
//! [`LatencyOracle`]), then searches: greedy
//! construction, random feasible restarts, and swap-based local search until no
//! single swap improves (see `search`). Every set it visits meets the
//! constraints: allowed providers, per-provider minimum and maximum site
//! counts, a minimum number of distinct providers, and an hourly budget.
//!
//! Objective: weighted mean RTT (ms) + `cost_weight` × total hourly cost; users
//! are served by their nearest chosen site. Instead of a fixed k, a
//! [`FleetGoal::Target`] asks for the fewest sites whose mean or p95 RTT meets
//! a target within the budget. Optionally a Lagrangian lower bound certifies
//! how far the plan can be from optimal (see `bound`).

mod bound;
mod cells;
mod report;
mod rules;
mod search;
mod target;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::candidate::{self, Candidate};
use crate::catalog::Region;
use crate::error::PlacementError;
use crate::latency::Point;
use crate::oracle::LatencyOracle;

pub use cells::{MAX_GRID_DEG, UserPoint, aggregate_users, parse_users_csv};

use rules::Rules;
use search::Problem;

/// How many sites, or what latency they must achieve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum FleetGoal {
    /// Exactly `k` sites.
    Sites {
        /// Number of sites, 1..=candidates.
        k: usize,
    },
    /// The fewest sites whose `metric` RTT is at most `target_ms` (within the
    /// budget and constraints): "what does 30 ms p95 cost me?".
    Target {
        /// Which RTT statistic must meet the target.
        metric: TargetMetric,
        /// The target in ms.
        target_ms: f64,
        /// Never more than this many sites (default: all candidates).
        #[serde(default)]
        max_sites: Option<usize>,
    },
}

/// The RTT statistic a target applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetMetric {
    /// Weighted mean RTT over users.
    Mean,
    /// Weighted 95th percentile RTT over users.
    P95,
}

impl std::fmt::Display for TargetMetric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TargetMetric::Mean => "mean",
            TargetMetric::P95 => "p95",
        })
    }
}

/// Which sets of sites are acceptable. All fields default to "no constraint".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Constraints {
    /// Only candidates of these providers (empty: every provider).
    #[serde(default)]
    pub allowed_providers: Vec<String>,
    /// At most N sites of a provider; key `*` applies to every provider
    /// without its own entry (avoid lock-in: "no more than 6 per cloud").
    #[serde(default)]
    pub max_sites_per_provider: BTreeMap<String, usize>,
    /// At least N sites of a provider; key `*` applies to every allowed provider.
    #[serde(default)]
    pub min_sites_per_provider: BTreeMap<String, usize>,
    /// Spread over at least this many distinct providers (resilience to one
    /// cloud's outage).
    #[serde(default)]
    pub min_providers: usize,
    /// Total hourly cost of the chosen sites must not exceed this.
    #[serde(default)]
    pub max_hourly_cost: Option<f64>,
}

/// How hard to search and how coarsely to aggregate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolverOptions {
    /// Grid cell size in degrees for aggregating users (0 = no aggregation).
    /// The default 1° (about 111 km) moves a user at most one cell diagonal
    /// (≈ 2.4 ms of RTT) and the mean by about 0.01 ms on a world-wide
    /// population (see docs/PLACEMENT.md); use 0.5° or less for a single
    /// country.
    #[serde(default = "default_grid")]
    pub grid_deg: f64,
    /// Random restarts after the greedy start (each followed by local
    /// search). Small problems get more, up to 64 starts, while starts ×
    /// cells × candidates stays under 2·10⁷ (milliseconds of work).
    #[serde(default = "default_restarts")]
    pub restarts: usize,
    /// Seed of the restarts' generator: same input and seed, same plan.
    #[serde(default)]
    pub seed: u64,
    /// Subgradient steps for the lower bound (0 = no bound). About 100–300
    /// give a bound within a few tenths of a percent on typical instances.
    #[serde(default)]
    pub lower_bound_iterations: usize,
}

fn default_grid() -> f64 {
    1.0
}

fn default_restarts() -> usize {
    4
}

impl Default for SolverOptions {
    fn default() -> Self {
        SolverOptions {
            grid_deg: default_grid(),
            restarts: default_restarts(),
            seed: 0,
            lower_bound_iterations: 0,
        }
    }
}

/// Everything about a fleet request except the users and candidates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetParams {
    /// Fixed k, or a latency target.
    pub goal: FleetGoal,
    /// ms of mean RTT one unit of hourly cost is worth (0: ignore prices
    /// except for the budget). The objective is mean RTT + cost_weight × cost.
    #[serde(default)]
    pub cost_weight: f64,
    /// Constraints on the chosen set.
    #[serde(default)]
    pub constraints: Constraints,
    /// Search options.
    #[serde(default)]
    pub options: SolverOptions,
}

impl FleetParams {
    /// Exactly k sites, no constraints, default options.
    pub fn sites(k: usize) -> FleetParams {
        FleetParams {
            goal: FleetGoal::Sites { k },
            cost_weight: 0.0,
            constraints: Constraints::default(),
            options: SolverOptions::default(),
        }
    }
}

/// A complete fleet request as the gateway receives it in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetRequest {
    /// Users (raw points or pre-aggregated cells with weights).
    pub users: Vec<UserPoint>,
    /// Regions that may host a site, with prices.
    pub candidates: Vec<Candidate>,
    /// Goal, cost weight, constraints and options.
    #[serde(flatten)]
    pub params: FleetParams,
}

impl FleetRequest {
    /// Solve this request (see [`solve_fleet`]).
    pub fn solve<O: LatencyOracle + ?Sized>(
        &self,
        oracle: &O,
    ) -> Result<FleetPlan, PlacementError> {
        solve_fleet(&self.users, &self.candidates, &self.params, oracle)
    }
}

/// One chosen site and the users it serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SitePlan {
    /// The region.
    pub region: Region,
    /// Its hourly cost, if known.
    pub hourly_cost: Option<f64>,
    /// Total weight (user count) of the users nearest to this site.
    pub assigned_weight: f64,
    /// Number of aggregated cells assigned.
    pub assigned_cells: usize,
    /// Weighted mean RTT of its users (ms).
    pub mean_rtt_ms: f64,
    /// Weighted 95th percentile RTT of its users (ms).
    pub p95_rtt_ms: f64,
    /// Worst RTT of its users (ms).
    pub max_rtt_ms: f64,
}

/// Search effort, for logs and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchStats {
    /// Starting solutions tried (greedy + random restarts).
    pub starts: usize,
    /// Improving swaps applied in total.
    pub swaps: usize,
    /// Passes over the candidates during local search.
    pub passes: usize,
}

/// The answer to a fleet request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetPlan {
    /// Number of sites chosen.
    pub k: usize,
    /// The sites, most loaded first.
    pub sites: Vec<SitePlan>,
    /// Weighted mean RTT over all users (ms).
    pub mean_rtt_ms: f64,
    /// Weighted 95th percentile RTT over all users (ms).
    pub p95_rtt_ms: f64,
    /// Worst user RTT (ms).
    pub max_rtt_ms: f64,
    /// Sum of the sites' hourly costs; none when a chosen site has no price.
    pub total_hourly_cost: Option<f64>,
    /// The cost weight used.
    pub cost_weight: f64,
    /// mean_rtt_ms + cost_weight × (known) total hourly cost.
    pub objective: f64,
    /// Proven lower bound on the objective of any plan with k sites (when requested).
    pub lower_bound: Option<f64>,
    /// (objective − lower_bound) / lower_bound: the plan is at most this
    /// fraction worse than optimal.
    pub gap: Option<f64>,
    /// Total user weight.
    pub total_weight: f64,
    /// Number of aggregated cells the solver worked on.
    pub cells: usize,
    /// Search effort.
    pub stats: SearchStats,
}

/// Aggregate users into cells (`params.options.grid_deg`) and solve.
pub fn solve_fleet<O: LatencyOracle + ?Sized>(
    users: &[UserPoint],
    candidates: &[Candidate],
    params: &FleetParams,
    oracle: &O,
) -> Result<FleetPlan, PlacementError> {
    let cells = aggregate_users(users, params.options.grid_deg)?;
    solve_cells(&cells, candidates, params, oracle)
}

/// Solve on users that are already aggregated (each point is one cell). Use
/// this with [`aggregate_users`] to time or cache the aggregation separately.
pub fn solve_cells<O: LatencyOracle + ?Sized>(
    cells: &[UserPoint],
    candidates: &[Candidate],
    params: &FleetParams,
    oracle: &O,
) -> Result<FleetPlan, PlacementError> {
    cells::validate(cells)?;
    candidate::validate(candidates)?;
    validate_params(params, candidates.len())?;
    let allowed = allowed_candidates(candidates, &params.constraints)?;
    check_prices(candidates, &allowed, params)?;
    let rules = Rules::new(candidates, &allowed, &params.constraints)?;
    let problem = build_problem(
        cells,
        candidates,
        &allowed,
        params.cost_weight,
        rules,
        oracle,
    );
    let ctx = report::Context {
        candidates,
        allowed: &allowed,
        cells,
        cost_weight: params.cost_weight,
    };
    match &params.goal {
        FleetGoal::Sites { k } => {
            if allowed.len() < *k {
                return Err(PlacementError::infeasible(
                    "constraints.allowed_providers",
                    format!(
                        "k = {k} sites requested but the allowed providers have only {}",
                        crate::error::regions(allowed.len())
                    ),
                ));
            }
            if let Some(err) = problem.rules.check_k(*k) {
                return Err(err);
            }
            Ok(solve_k(&problem, &ctx, *k, &params.options, true))
        }
        FleetGoal::Target {
            metric,
            target_ms,
            max_sites,
        } => target::solve(
            &problem,
            &ctx,
            *metric,
            *target_ms,
            *max_sites,
            &params.options,
        ),
    }
}

/// Solve for exactly k sites (feasibility already checked).
pub(crate) fn solve_k(
    problem: &Problem,
    ctx: &report::Context<'_>,
    k: usize,
    options: &SolverOptions,
    with_bound: bool,
) -> FleetPlan {
    let mut rng = search::rng(options.seed);
    let (solution, counters) = problem.solve(k, options.restarts, &mut rng);
    let bound = (with_bound && options.lower_bound_iterations > 0)
        .then(|| bound::lagrangian(problem, k, solution.value, options.lower_bound_iterations));
    report::build(problem, ctx, &solution, counters, bound)
}

fn validate_params(params: &FleetParams, candidates: usize) -> Result<(), PlacementError> {
    if !params.cost_weight.is_finite() || params.cost_weight < 0.0 {
        return Err(PlacementError::parameter(
            "cost_weight",
            format!("must be a finite number >= 0, got {}", params.cost_weight),
        ));
    }
    let o = &params.options;
    if !(0.0..=MAX_GRID_DEG).contains(&o.grid_deg) {
        return Err(PlacementError::parameter(
            "options.grid_deg",
            format!(
                "must be between 0 and {MAX_GRID_DEG} degrees, got {}",
                o.grid_deg
            ),
        ));
    }
    if o.restarts > 1000 {
        return Err(PlacementError::parameter(
            "options.restarts",
            format!("must be at most 1000, got {}", o.restarts),
        ));
    }
    if o.lower_bound_iterations > 100_000 {
        return Err(PlacementError::parameter(
            "options.lower_bound_iterations",
            format!("must be at most 100000, got {}", o.lower_bound_iterations),
        ));
    }
    if let Some(budget) = params.constraints.max_hourly_cost
        && (!budget.is_finite() || budget < 0.0)
    {
        return Err(PlacementError::parameter(
            "constraints.max_hourly_cost",
            format!("must be a finite number >= 0, got {budget}"),
        ));
    }
    match &params.goal {
        FleetGoal::Sites { k } => {
            if *k == 0 || *k > candidates {
                return Err(PlacementError::InvalidK {
                    field: "goal.k".into(),
                    k: *k,
                    candidates,
                });
            }
        }
        FleetGoal::Target {
            target_ms,
            max_sites,
            ..
        } => {
            if !target_ms.is_finite() || *target_ms <= 0.0 {
                return Err(PlacementError::parameter(
                    "goal.target_ms",
                    format!("must be a finite number > 0, got {target_ms}"),
                ));
            }
            if let Some(max) = *max_sites
                && max == 0
            {
                return Err(PlacementError::InvalidK {
                    field: "goal.max_sites".into(),
                    k: 0,
                    candidates,
                });
            }
        }
    }
    Ok(())
}

/// Indices of the candidates of allowed providers; unknown provider names in
/// any constraint are errors (a typo must not silently mean "no constraint").
fn allowed_candidates(
    candidates: &[Candidate],
    constraints: &Constraints,
) -> Result<Vec<usize>, PlacementError> {
    let mut known: Vec<String> = candidates
        .iter()
        .map(|c| c.region.provider.clone())
        .collect();
    known.sort();
    known.dedup();
    let unknown = |field: String, provider: &str| PlacementError::UnknownProvider {
        field,
        provider: provider.to_string(),
        known: known.clone(),
    };
    for (i, p) in constraints.allowed_providers.iter().enumerate() {
        if !known.contains(p) {
            return Err(unknown(format!("constraints.allowed_providers[{i}]"), p));
        }
    }
    for (map, name) in [
        (
            &constraints.max_sites_per_provider,
            "max_sites_per_provider",
        ),
        (
            &constraints.min_sites_per_provider,
            "min_sites_per_provider",
        ),
    ] {
        for p in map.keys() {
            if p != "*" && !known.contains(p) {
                return Err(unknown(format!("constraints.{name}.{p}"), p));
            }
        }
    }
    let allow = &constraints.allowed_providers;
    Ok((0..candidates.len())
        .filter(|&i| allow.is_empty() || allow.contains(&candidates[i].region.provider))
        .collect())
}

/// Prices are required when they enter the objective or the budget.
fn check_prices(
    candidates: &[Candidate],
    allowed: &[usize],
    params: &FleetParams,
) -> Result<(), PlacementError> {
    let reason = if params.constraints.max_hourly_cost.is_some() {
        "constraints.max_hourly_cost needs the price of every allowed candidate"
    } else if params.cost_weight > 0.0 {
        "cost_weight > 0 puts prices in the objective; give every allowed candidate a price"
    } else {
        return Ok(());
    };
    match allowed
        .iter()
        .find(|&&i| candidates[i].hourly_cost.is_none())
    {
        Some(&i) => Err(PlacementError::MissingCost {
            field: format!("candidates[{i}].hourly_cost"),
            reason: reason.into(),
        }),
        None => Ok(()),
    }
}

/// Precompute the cells × candidates RTT matrix (candidate-major).
fn build_problem<O: LatencyOracle + ?Sized>(
    cells: &[UserPoint],
    candidates: &[Candidate],
    allowed: &[usize],
    cost_weight: f64,
    rules: Rules,
    oracle: &O,
) -> Problem {
    let n = cells.len();
    let points: Vec<Point> = cells.iter().map(UserPoint::point).collect();
    let regions: Vec<&Region> = allowed.iter().map(|&i| &candidates[i].region).collect();
    let dist = oracle.matrix_ms(&points, &regions);
    debug_assert_eq!(dist.len(), n * allowed.len());
    let weight: Vec<f64> = cells.iter().map(|c| c.weight).collect();
    let total_weight = weight.iter().sum();
    Problem {
        n,
        m: allowed.len(),
        weight,
        total_weight,
        dist,
        cost_scale: cost_weight * total_weight,
        rules,
    }
}
