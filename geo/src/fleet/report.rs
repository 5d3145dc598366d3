//! Turn a solution into the plan the operator reads: per-site load and RTTs,
//! overall mean and p95, cost, and how close to optimal it is.

use crate::candidate::Candidate;

use super::cells::UserPoint;
use super::search::{Counters, Problem, Solution};
use super::{FleetPlan, SearchStats, SitePlan};

/// Everything the report needs besides the problem.
pub(crate) struct Context<'a> {
    pub candidates: &'a [Candidate],
    /// Allowed candidate index → index in `candidates`.
    pub allowed: &'a [usize],
    pub cells: &'a [UserPoint],
    pub cost_weight: f64,
}

/// Build the plan for a solution.
pub(crate) fn build(
    problem: &Problem,
    ctx: &Context<'_>,
    sol: &Solution,
    counters: Counters,
    lower_bound: Option<f64>,
) -> FleetPlan {
    let assignment = problem.assign(&sol.chosen);
    let k = sol.chosen.len();
    let mut per_site: Vec<Vec<(f64, f64)>> = vec![Vec::new(); k];
    for (c, &(pos, rtt)) in assignment.iter().enumerate() {
        per_site[pos].push((rtt, problem.weight[c]));
    }
    let mut sites: Vec<SitePlan> = sol
        .chosen
        .iter()
        .zip(per_site.iter_mut())
        .map(|(&j, rows)| {
            let candidate = &ctx.candidates[ctx.allowed[j]];
            let weight: f64 = rows.iter().map(|r| r.1).sum();
            let mean = if weight > 0.0 {
                rows.iter().map(|r| r.0 * r.1).sum::<f64>() / weight
            } else {
                0.0
            };
            SitePlan {
                region: candidate.region.clone(),
                hourly_cost: candidate.hourly_cost,
                assigned_weight: weight,
                assigned_cells: rows.len(),
                mean_rtt_ms: mean,
                p95_rtt_ms: weighted_percentile(rows, 0.95),
                max_rtt_ms: rows.iter().map(|r| r.0).fold(0.0, f64::max),
            }
        })
        .collect();
    sites.sort_by(|a, b| {
        b.assigned_weight
            .total_cmp(&a.assigned_weight)
            .then_with(|| a.region.code.cmp(&b.region.code))
            .then_with(|| a.region.provider.cmp(&b.region.provider))
    });
    let mut all: Vec<(f64, f64)> = assignment
        .iter()
        .enumerate()
        .map(|(c, &(_, rtt))| (rtt, problem.weight[c]))
        .collect();
    let mean = all.iter().map(|r| r.0 * r.1).sum::<f64>() / problem.total_weight;
    let max = all.iter().map(|r| r.0).fold(0.0, f64::max);
    let p95 = weighted_percentile(&mut all, 0.95);
    let total_hourly_cost = sol
        .chosen
        .iter()
        .map(|&j| ctx.candidates[ctx.allowed[j]].hourly_cost)
        .sum::<Option<f64>>();
    let objective = sol.value / problem.total_weight;
    let lower_bound = lower_bound.map(|lb| lb / problem.total_weight);
    let gap = lower_bound.map(|lb| {
        if lb > 0.0 {
            (objective - lb).max(0.0) / lb
        } else {
            0.0
        }
    });
    FleetPlan {
        k,
        sites,
        mean_rtt_ms: mean,
        p95_rtt_ms: p95,
        max_rtt_ms: max,
        total_hourly_cost,
        cost_weight: ctx.cost_weight,
        objective,
        lower_bound,
        gap,
        total_weight: problem.total_weight,
        cells: ctx.cells.len(),
        stats: SearchStats {
            starts: counters.starts,
            swaps: counters.swaps,
            passes: counters.passes,
        },
    }
}

/// The smallest value v such that the weight of rows with value ≤ v is at
/// least q of the total (the weighted q-quantile, no interpolation). Sorts rows.
pub(crate) fn weighted_percentile(rows: &mut [(f64, f64)], q: f64) -> f64 {
    if rows.is_empty() {
        return 0.0;
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = rows.iter().map(|r| r.1).sum();
    let goal = q * total * (1.0 - 1e-12);
    let mut acc = 0.0;
    for &(v, w) in rows.iter() {
        acc += w;
        if acc >= goal {
            return v;
        }
    }
    rows[rows.len() - 1].0
}

#[cfg(test)]
mod tests {
    use super::weighted_percentile;

    #[test]
    fn weighted_percentiles() {
        let mut rows = vec![(30.0, 1.0), (10.0, 1.0), (20.0, 1.0), (40.0, 1.0)];
        assert_eq!(weighted_percentile(&mut rows, 0.5), 20.0);
        assert_eq!(weighted_percentile(&mut rows, 0.95), 40.0);
        // 95 of 100 users at 10 ms: p95 is 10 ms.
        let mut rows = vec![(10.0, 95.0), (100.0, 5.0)];
        assert_eq!(weighted_percentile(&mut rows, 0.95), 10.0);
        let mut rows = vec![(10.0, 94.0), (100.0, 6.0)];
        assert_eq!(weighted_percentile(&mut rows, 0.95), 100.0);
        assert_eq!(weighted_percentile(&mut [], 0.95), 0.0);
    }
}
