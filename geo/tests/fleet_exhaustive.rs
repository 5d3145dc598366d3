//! The fleet solver against brute force: optimality on random instances with
//! k ≤ 3 over 100+ candidates, and constraints respected (and infeasibility
//! reported exactly when no feasible set exists) over hundreds of random
//! constrained instances.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{for_each_subset, matrix, objective, random_candidates, random_users, rng};
use mcgw_geo::synthetic::internet_population;
use mcgw_geo::{
    Candidate, Constraints, FleetParams, FleetPlan, LatencyModel, PlacementError, UserPoint,
    solve_cells,
};
use rand::Rng;
use rand::seq::IndexedRandom;

/// Index in `candidates` of each site of the plan.
fn chosen_indices(plan: &FleetPlan, candidates: &[Candidate]) -> Vec<usize> {
    plan.sites
        .iter()
        .map(|s| {
            candidates
                .iter()
                .position(|c| {
                    c.region.provider == s.region.provider && c.region.code == s.region.code
                })
                .expect("a chosen site is a candidate")
        })
        .collect()
}

/// Exact optimum for k ≤ 3 by enumeration, with the pairwise minimum hoisted
/// out of the innermost loop so that C(115, 3) ≈ 250 000 sets stay fast.
fn exhaustive(
    dist: &[Vec<f64>],
    users: &[UserPoint],
    candidates: &[Candidate],
    k: usize,
    cost_weight: f64,
) -> f64 {
    let w: Vec<f64> = users.iter().map(|u| u.weight).collect();
    let total: f64 = w.iter().sum();
    let cost: Vec<f64> = candidates
        .iter()
        .map(|c| cost_weight * c.hourly_cost.unwrap_or(0.0))
        .collect();
    let m = candidates.len();
    let score = |d: &[f64]| d.iter().zip(&w).map(|(d, w)| d * w).sum::<f64>() / total;
    let mut best = f64::INFINITY;
    match k {
        1 => {
            for a in 0..m {
                best = best.min(score(&dist[a]) + cost[a]);
            }
        }
        2 | 3 => {
            let mut pair = vec![0.0; users.len()];
            for a in 0..m {
                for b in a + 1..m {
                    for (u, p) in pair.iter_mut().enumerate() {
                        *p = dist[a][u].min(dist[b][u]);
                    }
                    if k == 2 {
                        best = best.min(score(&pair) + cost[a] + cost[b]);
                        continue;
                    }
                    for c in b + 1..m {
                        let mut s = 0.0;
                        for (u, &p) in pair.iter().enumerate() {
                            s += w[u] * p.min(dist[c][u]);
                        }
                        best = best.min(s / total + cost[a] + cost[b] + cost[c]);
                    }
                }
            }
        }
        _ => unreachable!("k ≤ 3"),
    }
    best
}

#[test]
fn within_one_percent_of_exhaustive_search() {
    let oracle = LatencyModel::default();
    let mut rng = rng(21);
    let mut gaps = Vec::new();
    for instance in 0..9 {
        let k = 1 + instance % 3;
        let m = rng.random_range(100..=115);
        let candidates = random_candidates(&mut rng, m);
        let users: Vec<UserPoint> = if instance % 2 == 0 {
            random_users(&mut rng, 40)
        } else {
            // Shaped like the real world: clustered, weighted.
            internet_population(40, instance as u64)
                .into_iter()
                .map(|u| {
                    UserPoint::weighted(u.latitude, u.longitude, rng.random_range(1..=50) as f64)
                })
                .collect()
        };
        let cost_weight = if instance % 4 == 1 { 5.0 } else { 0.0 };
        let mut params = FleetParams::sites(k);
        params.cost_weight = cost_weight;
        params.options.grid_deg = 0.0;
        params.options.seed = instance as u64;
        let plan = solve_cells(&users, &candidates, &params, &oracle).unwrap();
        let dist = matrix(&users, &candidates);
        let best = exhaustive(&dist, &users, &candidates, k, cost_weight);
        // The plan's own objective is what an independent evaluation says.
        let set = chosen_indices(&plan, &candidates);
        let own = objective(&dist, &users, &candidates, &set, cost_weight);
        assert!(
            (own - plan.objective).abs() < 1e-6,
            "instance {instance}: {own} vs {}",
            plan.objective
        );
        let gap = (plan.objective - best) / best;
        assert!(
            gap > -1e-9,
            "instance {instance}: better than exhaustive? {gap}"
        );
        assert!(
            gap < 0.01,
            "instance {instance} (k = {k}, m = {m}): gap {:.3} %",
            100.0 * gap
        );
        gaps.push(gap);
    }
    let max = gaps.iter().copied().fold(0.0, f64::max);
    eprintln!(
        "max gap to exhaustive over {} instances: {:.4} %",
        gaps.len(),
        100.0 * max
    );
}

/// Brute-force reading of the constraints, independent of the solver's.
fn feasible(set: &[usize], candidates: &[Candidate], c: &Constraints) -> bool {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut cost = 0.0;
    for &j in set {
        let p = candidates[j].region.provider.as_str();
        if !c.allowed_providers.is_empty() && !c.allowed_providers.iter().any(|a| a == p) {
            return false;
        }
        *counts.entry(p).or_default() += 1;
        cost += candidates[j].hourly_cost.unwrap_or(0.0);
    }
    let providers: BTreeSet<&str> = candidates
        .iter()
        .map(|c| c.region.provider.as_str())
        .collect();
    for p in providers {
        let n = counts.get(p).copied().unwrap_or(0);
        let max = c
            .max_sites_per_provider
            .get(p)
            .or(c.max_sites_per_provider.get("*"));
        if max.is_some_and(|&m| n > m) {
            return false;
        }
        let allowed = c.allowed_providers.is_empty() || c.allowed_providers.iter().any(|a| a == p);
        let min = c
            .min_sites_per_provider
            .get(p)
            .copied()
            .unwrap_or(if allowed {
                c.min_sites_per_provider.get("*").copied().unwrap_or(0)
            } else {
                0
            });
        if n < min {
            return false;
        }
    }
    counts.len() >= c.min_providers && c.max_hourly_cost.is_none_or(|b| cost <= b + 1e-9)
}

fn random_constraints(rng: &mut impl Rng, candidates: &[Candidate]) -> Constraints {
    let providers: Vec<String> = candidates
        .iter()
        .map(|c| c.region.provider.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut c = Constraints::default();
    if rng.random_bool(0.3) {
        let n = rng.random_range(1..=providers.len());
        c.allowed_providers = providers.choose_multiple(rng, n).cloned().collect();
    }
    if rng.random_bool(0.4) {
        c.max_sites_per_provider
            .insert("*".into(), rng.random_range(1..=3));
    }
    if rng.random_bool(0.3) {
        let p = providers.choose(rng).unwrap().clone();
        c.max_sites_per_provider.insert(p, rng.random_range(0..=2));
    }
    if rng.random_bool(0.3) {
        let p = providers.choose(rng).unwrap().clone();
        c.min_sites_per_provider.insert(p, rng.random_range(1..=2));
    }
    if rng.random_bool(0.1) {
        c.min_sites_per_provider.insert("*".into(), 1);
    }
    if rng.random_bool(0.4) {
        c.min_providers = rng.random_range(1..=4);
    }
    if rng.random_bool(0.3) {
        c.max_hourly_cost = Some(rng.random_range(0.3..5.0));
    }
    c
}

/// Check a plan against the constraints; return the chosen indices.
fn check_plan(plan: &FleetPlan, candidates: &[Candidate], c: &Constraints, k: usize) -> Vec<usize> {
    let set = chosen_indices(plan, candidates);
    assert_eq!(set.len(), k);
    assert_eq!(
        set.iter().collect::<BTreeSet<_>>().len(),
        k,
        "sites are distinct"
    );
    assert!(
        feasible(&set, candidates, c),
        "plan violates {c:?}: {set:?}"
    );
    set
}

#[test]
fn constraints_hold_and_infeasibility_is_exact() {
    let oracle = LatencyModel::default();
    let mut rng = rng(31);
    let (mut solved, mut refused, mut max_gap) = (0, 0, 0.0f64);
    for instance in 0..300 {
        let m = rng.random_range(8..=13);
        let candidates = random_candidates(&mut rng, m);
        let users = random_users(&mut rng, 12);
        let k = rng.random_range(1..=m.min(5));
        let constraints = random_constraints(&mut rng, &candidates);
        let mut params = FleetParams::sites(k);
        params.constraints = constraints.clone();
        params.cost_weight = if rng.random_bool(0.3) { 2.0 } else { 0.0 };
        params.options.grid_deg = 0.0;
        params.options.seed = instance;
        let result = solve_cells(&users, &candidates, &params, &oracle);
        let dist = matrix(&users, &candidates);
        let mut best = f64::INFINITY;
        for_each_subset(m, k, |set| {
            if feasible(set, &candidates, &constraints) {
                best = best.min(objective(
                    &dist,
                    &users,
                    &candidates,
                    set,
                    params.cost_weight,
                ));
            }
        });
        match result {
            Ok(plan) => {
                solved += 1;
                check_plan(&plan, &candidates, &constraints, k);
                assert!(
                    best.is_finite(),
                    "instance {instance}: solved but brute force found no feasible set"
                );
                let g = (plan.objective - best) / best;
                // Name any instance above 0.1 % so a regression is easy to reproduce.
                if g > 0.001 {
                    eprintln!(
                        "instance {instance} k={k} m={m} gap {:.3}% {constraints:?} cw={}",
                        100.0 * g,
                        params.cost_weight
                    );
                }
                max_gap = max_gap.max(g);
                if let Some(budget) = constraints.max_hourly_cost {
                    assert!(plan.total_hourly_cost.unwrap() <= budget + 1e-9);
                }
            }
            Err(e) => {
                refused += 1;
                assert!(
                    matches!(e, PlacementError::Infeasible { .. }),
                    "instance {instance}: unexpected error {e}"
                );
                assert!(
                    best.is_infinite(),
                    "instance {instance}: refused ({e}) but a feasible set exists"
                );
            }
        }
    }
    eprintln!(
        "{solved} solved, {refused} infeasible, max gap {:.3} %",
        100.0 * max_gap
    );
    assert!(
        solved > 100 && refused > 20,
        "{solved} solved, {refused} refused: the generator needs tuning"
    );
    assert!(max_gap < 0.01, "max gap {:.3} %", 100.0 * max_gap);
}

/// Larger instances (no brute force): every returned plan meets its constraints.
#[test]
fn constraints_hold_on_larger_instances() {
    let oracle = LatencyModel::default();
    let mut rng = rng(41);
    let mut solved = 0;
    for instance in 0..40 {
        let candidates = random_candidates(&mut rng, 60);
        let users = random_users(&mut rng, 80);
        let k = rng.random_range(2..=10);
        let constraints = random_constraints(&mut rng, &candidates);
        let mut params = FleetParams::sites(k);
        params.constraints = constraints.clone();
        params.options.grid_deg = 0.0;
        params.options.restarts = 2;
        params.options.seed = instance;
        match solve_cells(&users, &candidates, &params, &oracle) {
            Ok(plan) => {
                solved += 1;
                check_plan(&plan, &candidates, &constraints, k);
            }
            Err(e) => assert!(matches!(e, PlacementError::Infeasible { .. }), "{e}"),
        }
    }
    assert!(solved >= 20, "{solved}");
}
