//! Latency-target mode: the fewest sites whose mean or p95 RTT meets a target
//! within the budget and constraints.
//!
//! More sites never make the optimum worse, so "does k sites meet the target"
//! is monotone in k for the exact optimum; the search binary-searches k with
//! the heuristic solver in its place (about log2(candidates) solves). The most
//! sites the budget allows is found the same way (the cheapest feasible set
//! only gets dearer as k grows, prices being non-negative).

use std::collections::BTreeMap;

use crate::error::PlacementError;

use super::report::Context;
use super::search::Problem;
use super::{FleetPlan, SolverOptions, TargetMetric, solve_k};

/// Smallest k meeting the target, and its plan.
pub(crate) fn solve(
    problem: &Problem,
    ctx: &Context<'_>,
    metric: TargetMetric,
    target_ms: f64,
    max_sites: Option<usize>,
    options: &SolverOptions,
) -> Result<FleetPlan, PlacementError> {
    let rules = &problem.rules;
    let (lo, most) = rules.size_range();
    let hi = most.min(max_sites.unwrap_or(usize::MAX)).min(problem.m);
    if lo > hi {
        let field = if max_sites.is_some_and(|m| m < lo) {
            "goal.max_sites"
        } else {
            "constraints"
        };
        return Err(PlacementError::infeasible(
            field,
            format!("the constraints need at least {lo} sites but at most {hi} are allowed"),
        ));
    }
    if let Some(err) = rules.check_k(lo) {
        return Err(err);
    }
    // Largest k that the budget (and everything else) allows.
    let (mut a, mut b) = (lo, hi);
    while a < b {
        let mid = a + (b - a).div_ceil(2);
        if rules.check_k(mid).is_none() {
            a = mid;
        } else {
            b = mid - 1;
        }
    }
    let hi = a;
    let value = |plan: &FleetPlan| match metric {
        TargetMetric::Mean => plan.mean_rtt_ms,
        TargetMetric::P95 => plan.p95_rtt_ms,
    };
    let mut plans: BTreeMap<usize, FleetPlan> = BTreeMap::new();
    let mut plan_for = |k: usize| -> f64 {
        let plan = solve_k(problem, ctx, k, options, false);
        let v = value(&plan);
        plans.insert(k, plan);
        v
    };
    let best_at_most = plan_for(hi);
    if best_at_most > target_ms {
        let limit = if rules.budget.is_some() {
            "the constraints, budget and max_sites allow"
        } else {
            "the constraints and max_sites allow"
        };
        return Err(PlacementError::infeasible(
            "goal.target_ms",
            format!(
                "{metric} RTT <= {target_ms} ms not reachable: with {hi} sites (the most {limit}) the best {metric} found is {best_at_most:.1} ms"
            ),
        ));
    }
    // Smallest k in [lo, hi] that meets the target (hi does).
    let (mut a, mut b) = (lo, hi);
    while a < b {
        let mid = a + (b - a) / 2;
        if plan_for(mid) <= target_ms {
            b = mid;
        } else {
            a = mid + 1;
        }
    }
    if options.lower_bound_iterations > 0 {
        return Ok(solve_k(problem, ctx, a, options, true));
    }
    Ok(plans.remove(&a).expect("every probed k has a plan"))
}
