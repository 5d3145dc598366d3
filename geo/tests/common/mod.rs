//! Helpers shared by the integration tests: candidates from the catalog,
//! seeded random instances, and brute-force reference solvers.

#![allow(dead_code)]

use mcgw_geo::{Candidate, Catalog, LatencyModel, Region, UserPoint};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Every non-simulated region as an unpriced candidate.
pub fn public_candidates() -> Vec<Candidate> {
    let catalog = Catalog::builtin();
    Candidate::all(catalog.regions().iter().filter(|r| r.provider != "sim"))
}

pub fn region(provider: &str, code: &str) -> Region {
    Catalog::builtin()
        .get(provider, code)
        .unwrap_or_else(|| panic!("{provider}/{code}"))
        .clone()
}

pub fn candidate(provider: &str, code: &str) -> Candidate {
    Candidate::new(region(provider, code))
}

/// `m` distinct public candidates chosen at random, with random prices.
pub fn random_candidates(rng: &mut ChaCha8Rng, m: usize) -> Vec<Candidate> {
    let mut all = public_candidates();
    all.shuffle(rng);
    all.truncate(m);
    for c in &mut all {
        c.hourly_cost = Some((rng.random_range(5..200) as f64) / 100.0);
    }
    all
}

/// `n` users scattered over the world with weights 1..=100.
pub fn random_users(rng: &mut ChaCha8Rng, n: usize) -> Vec<UserPoint> {
    (0..n)
        .map(|_| {
            UserPoint::weighted(
                rng.random_range(-60.0..70.0),
                rng.random_range(-180.0..180.0),
                rng.random_range(1..=100) as f64,
            )
        })
        .collect()
}

/// Cells × candidates RTTs, candidate-major, straight from the model.
pub fn matrix(users: &[UserPoint], candidates: &[Candidate]) -> Vec<Vec<f64>> {
    let model = LatencyModel::default();
    candidates
        .iter()
        .map(|c| {
            users
                .iter()
                .map(|u| model.rtt_ms(u.point(), c.region.point()))
                .collect()
        })
        .collect()
}

/// Visit every k-subset of 0..m (in lexicographic order).
pub fn for_each_subset(m: usize, k: usize, mut f: impl FnMut(&[usize])) {
    let mut idx: Vec<usize> = (0..k).collect();
    if k > m {
        return;
    }
    loop {
        f(&idx);
        let mut i = k;
        loop {
            if i == 0 {
                return;
            }
            i -= 1;
            if idx[i] != i + m - k {
                break;
            }
            if i == 0 {
                return;
            }
        }
        idx[i] += 1;
        for j in i + 1..k {
            idx[j] = idx[j - 1] + 1;
        }
    }
}

/// Objective of a set: weighted mean RTT to the nearest chosen site + λ·cost.
pub fn objective(
    dist: &[Vec<f64>],
    users: &[UserPoint],
    candidates: &[Candidate],
    set: &[usize],
    cost_weight: f64,
) -> f64 {
    let total: f64 = users.iter().map(|u| u.weight).sum();
    let mut sum = 0.0;
    for (c, u) in users.iter().enumerate() {
        let d = set
            .iter()
            .map(|&j| dist[j][c])
            .fold(f64::INFINITY, f64::min);
        sum += u.weight * d;
    }
    let cost: f64 = set
        .iter()
        .map(|&j| candidates[j].hourly_cost.unwrap_or(0.0))
        .sum();
    sum / total + cost_weight * cost
}
