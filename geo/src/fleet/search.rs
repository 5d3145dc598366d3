//! The k-median search: greedy construction, random feasible starts, and
//! swap-based local search with fast interchange evaluation.
//!
//! Objective (in the solver's units): Σ_c w_c · min_{s∈S} d(c, s) + λ·W·Σ_{s∈S} cost_s,
//! i.e. W × (weighted mean RTT + λ × total hourly cost), W the total weight.
//!
//! Local search evaluates every swap (remove i ∈ S, add j ∉ S) in O(n) per j
//! for all i at once, by keeping each cell's nearest (d1) and second-nearest
//! (d2) open site (Whitaker's fast interchange): for a fixed j,
//! Δ(i, j) = Σ_c w·(min(d1, d_j) − d1) + Σ_{c: near(c)=i} w·(min(d2, d_j) − min(d1, d_j)).
//! One pass over all j therefore costs O(n·m), not O(n·m·k).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::rules::{Partial, Rules};

/// The numeric problem: cells × candidates RTT matrix, weights, prices.
pub(crate) struct Problem {
    /// Number of cells.
    pub n: usize,
    /// Number of (allowed) candidates.
    pub m: usize,
    /// Cell weights.
    pub weight: Vec<f64>,
    /// Total weight W.
    pub total_weight: f64,
    /// RTT in ms, candidate-major: `dist[j * n + c]`.
    pub dist: Vec<f64>,
    /// λ·W: the price of one unit of hourly cost in solver units.
    pub cost_scale: f64,
    /// Constraints.
    pub rules: Rules,
}

/// Restarts are added while starts × cells × candidates stays under this.
const AUTO_RESTART_WORK: usize = 20_000_000;

/// At most this many starts are added automatically.
const MAX_AUTO_STARTS: usize = 64;

/// A solution: chosen candidates and the objective in solver units.
#[derive(Debug, Clone)]
pub(crate) struct Solution {
    pub chosen: Vec<usize>,
    pub value: f64,
}

/// Search counters, reported in the plan.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counters {
    pub starts: usize,
    pub swaps: usize,
    pub passes: usize,
}

impl Problem {
    /// RTTs of candidate j to every cell.
    pub fn column(&self, j: usize) -> &[f64] {
        &self.dist[j * self.n..(j + 1) * self.n]
    }

    /// Objective of a set, in solver units.
    pub fn value(&self, set: &[usize]) -> f64 {
        let mut sum = 0.0;
        for c in 0..self.n {
            let d = set
                .iter()
                .map(|&j| self.dist[j * self.n + c])
                .fold(f64::INFINITY, f64::min);
            sum += self.weight[c] * d;
        }
        sum + self.cost_scale * set.iter().map(|&j| self.rules.cost[j]).sum::<f64>()
    }

    /// Greedy construction: add the site that lowers the objective most while
    /// the set can still be completed feasibly.
    ///
    /// Lazy evaluation (as in CELF): the gain of adding a site only shrinks as
    /// the set grows (the objective is supermodular), so a gain computed in an
    /// earlier round is an upper bound. Each round re-evaluates only the sites
    /// whose stale bound is on top of the heap, usually a handful, instead of
    /// all m. The result is the same as plain greedy.
    pub fn greedy(&self, k: usize) -> Vec<usize> {
        let mut d1 = vec![f64::INFINITY; self.n];
        let mut in_set = vec![false; self.m];
        let mut partial = Partial::empty(self.rules.providers.len());
        let mut chosen = Vec::with_capacity(k);
        let feasible = |partial: &Partial, in_set: &mut Vec<bool>, j: usize| {
            let mut trial = partial.clone();
            trial.add(&self.rules, j);
            in_set[j] = true;
            let ok = self.rules.can_complete(&trial, in_set, k);
            in_set[j] = false;
            ok
        };
        // Round 1: the objective of each single site, exactly.
        let mut scores: Vec<(f64, usize)> = (0..self.m)
            .map(|j| {
                (
                    weighted_sum(&self.weight, self.column(j))
                        + self.cost_scale * self.rules.cost[j],
                    j,
                )
            })
            .collect();
        scores.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let first = scores
            .iter()
            .map(|&(_, j)| j)
            .find(|&j| feasible(&partial, &mut in_set, j))
            .expect("a feasible completion exists (checked before the search)");
        let mut take =
            |j: usize, d1: &mut Vec<f64>, in_set: &mut Vec<bool>, partial: &mut Partial| {
                in_set[j] = true;
                partial.add(&self.rules, j);
                chosen.push(j);
                for (d, &x) in d1.iter_mut().zip(self.column(j)) {
                    *d = d.min(x);
                }
            };
        take(first, &mut d1, &mut in_set, &mut partial);
        // Later rounds: max-heap of (net gain bound, round computed, site).
        let mut heap: BinaryHeap<Entry> = (0..self.m)
            .filter(|&j| !in_set[j])
            .map(|j| Entry {
                gain: f64::INFINITY,
                round: 0,
                j,
            })
            .collect();
        let mut skipped = Vec::new();
        for round in 1..k {
            let pick = loop {
                let top = heap
                    .pop()
                    .expect("a feasible completion exists (checked before the search)");
                if top.round < round {
                    let gain = weighted_gain(&self.weight, &d1, self.column(top.j))
                        - self.cost_scale * self.rules.cost[top.j];
                    heap.push(Entry {
                        gain,
                        round,
                        j: top.j,
                    });
                } else if feasible(&partial, &mut in_set, top.j) {
                    break top.j;
                } else {
                    skipped.push(top);
                }
            };
            heap.extend(skipped.drain(..));
            take(pick, &mut d1, &mut in_set, &mut partial);
        }
        chosen
    }

    /// A uniformly shuffled feasible start: candidates in random order, each
    /// kept when the set can still be completed.
    pub fn random_start(&self, k: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.m).collect();
        order.shuffle(rng);
        let mut in_set = vec![false; self.m];
        let mut partial = Partial::empty(self.rules.providers.len());
        let mut chosen = Vec::with_capacity(k);
        for j in order {
            if chosen.len() == k {
                break;
            }
            let mut trial = partial.clone();
            trial.add(&self.rules, j);
            in_set[j] = true;
            if self.rules.can_complete(&trial, &in_set, k) {
                partial = trial;
                chosen.push(j);
            } else {
                in_set[j] = false;
            }
        }
        debug_assert_eq!(chosen.len(), k, "a feasible completion always exists");
        chosen
    }

    /// Swap-based local search from `start` until no single swap improves the
    /// objective (a 1-swap local optimum), keeping every constraint.
    pub fn local_search(&self, start: Vec<usize>, counters: &mut Counters) -> Solution {
        let k = start.len();
        let mut state = State::new(self, start);
        let mut extra = vec![0.0; k];
        let mut since_improvement = 0;
        let mut j = 0;
        // Cycle over candidates to add; stop after a full cycle without a move.
        while since_improvement < self.m {
            if j == 0 {
                counters.passes += 1;
            }
            let cand = j;
            j = (j + 1) % self.m;
            since_improvement += 1;
            if state.in_set[cand] {
                continue;
            }
            let col = self.column(cand);
            extra.iter_mut().for_each(|e| *e = 0.0);
            let mut add = 0.0;
            for c in 0..self.n {
                let (w, d, d1) = (self.weight[c], col[c], state.d1[c]);
                if d < d1 {
                    add += w * (d - d1);
                } else {
                    extra[state.near[c] as usize] += w * (state.d2[c].min(d) - d1);
                }
            }
            let mut best: Option<(f64, usize)> = None;
            for (pos, &out) in state.chosen.iter().enumerate() {
                if !self.rules.swap_ok(&state.partial, out, cand) {
                    continue;
                }
                let delta = add
                    + extra[pos]
                    + self.cost_scale * (self.rules.cost[cand] - self.rules.cost[out]);
                if best.is_none_or(|(b, _)| delta < b) {
                    best = Some((delta, pos));
                }
            }
            let threshold = -1e-9 * state.value.abs().max(1e-9);
            if let Some((delta, pos)) = best
                && delta < threshold
            {
                state.swap(self, pos, cand);
                counters.swaps += 1;
                since_improvement = 0;
            }
        }
        Solution {
            value: self.value(&state.chosen),
            chosen: state.chosen,
        }
    }

    /// Greedy start, then `restarts` random starts (more on small problems);
    /// each improved by local search; the best is kept (first found wins ties, so the result is
    /// deterministic for a given seed).
    pub fn solve(&self, k: usize, restarts: usize, rng: &mut ChaCha8Rng) -> (Solution, Counters) {
        let mut counters = Counters::default();
        counters.starts += 1;
        let mut best = self.local_search(self.greedy(k), &mut counters);
        // Small problems get extra restarts while they stay cheap: constraints
        // can wall a 1-swap search into a poor local optimum, and on a tiny
        // instance another start costs microseconds.
        let affordable = (AUTO_RESTART_WORK / (self.n * self.m).max(1)).min(MAX_AUTO_STARTS);
        for _ in 0..restarts.max(affordable.saturating_sub(1)) {
            counters.starts += 1;
            let start = self.random_start(k, rng);
            let sol = self.local_search(start, &mut counters);
            if sol.value < best.value - 1e-9 * best.value.abs() {
                best = sol;
            }
        }
        debug_assert!(Partial::of(&self.rules, &best.chosen).is_feasible(&self.rules, k));
        (best, counters)
    }

    /// Index of the nearest chosen site for every cell (ties: first in `set`).
    pub fn assign(&self, set: &[usize]) -> Vec<(usize, f64)> {
        (0..self.n)
            .map(|c| {
                let mut best = (0, f64::INFINITY);
                for (pos, &j) in set.iter().enumerate() {
                    let d = self.dist[j * self.n + c];
                    if d < best.1 {
                        best = (pos, d);
                    }
                }
                best
            })
            .collect()
    }
}

/// Local search state: the set, its counts, and per cell the nearest and
/// second-nearest open site.
struct State {
    chosen: Vec<usize>,
    in_set: Vec<bool>,
    partial: Partial,
    /// Position in `chosen` of each cell's nearest site.
    near: Vec<u32>,
    /// Position in `chosen` of each cell's second-nearest site.
    near2: Vec<u32>,
    d1: Vec<f64>,
    d2: Vec<f64>,
    value: f64,
}

impl State {
    fn new(problem: &Problem, chosen: Vec<usize>) -> State {
        let mut in_set = vec![false; problem.m];
        for &j in &chosen {
            in_set[j] = true;
        }
        let mut state = State {
            partial: Partial::of(&problem.rules, &chosen),
            chosen,
            in_set,
            near: vec![0; problem.n],
            near2: vec![0; problem.n],
            d1: vec![0.0; problem.n],
            d2: vec![0.0; problem.n],
            value: 0.0,
        };
        state.refresh(problem);
        state
    }

    /// Replace the site at `pos` by `inn`. Only cells whose nearest or
    /// second-nearest site left need a full O(k) rescan (about 2/k of them);
    /// the others just compare with the new site, so a swap costs O(n).
    fn swap(&mut self, problem: &Problem, pos: usize, inn: usize) {
        let out = self.chosen[pos];
        self.in_set[out] = false;
        self.in_set[inn] = true;
        self.chosen[pos] = inn;
        self.partial = Partial::of(&problem.rules, &self.chosen);
        let col = problem.column(inn);
        let p = pos as u32;
        for (c, &d) in col.iter().enumerate() {
            if self.near[c] == p || self.near2[c] == p {
                self.rescan(problem, c);
            } else if d < self.d1[c] {
                self.d2[c] = self.d1[c];
                self.near2[c] = self.near[c];
                self.d1[c] = d;
                self.near[c] = p;
            } else if d < self.d2[c] {
                self.d2[c] = d;
                self.near2[c] = p;
            }
        }
        self.update_value(problem);
    }

    /// Nearest and second-nearest site of one cell, from scratch.
    fn rescan(&mut self, problem: &Problem, c: usize) {
        let (mut d1, mut d2) = (f64::INFINITY, f64::INFINITY);
        let (mut n1, mut n2) = (0u32, 0u32);
        for (pos, &j) in self.chosen.iter().enumerate() {
            let d = problem.dist[j * problem.n + c];
            if d < d1 {
                (d2, n2) = (d1, n1);
                (d1, n1) = (d, pos as u32);
            } else if d < d2 {
                (d2, n2) = (d, pos as u32);
            }
        }
        (self.d1[c], self.d2[c], self.near[c], self.near2[c]) = (d1, d2, n1, n2);
    }

    /// Recompute nearest/second-nearest for every cell: O(n·k).
    fn refresh(&mut self, problem: &Problem) {
        for c in 0..problem.n {
            self.rescan(problem, c);
        }
        self.update_value(problem);
    }

    fn update_value(&mut self, problem: &Problem) {
        let sum: f64 = self
            .d1
            .iter()
            .zip(&problem.weight)
            .map(|(d, w)| d * w)
            .sum();
        self.value = sum + problem.cost_scale * self.partial.cost;
    }
}

/// A lazy-greedy heap entry; the heap pops the largest gain, then the lowest index.
struct Entry {
    gain: f64,
    round: usize,
    j: usize,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.gain
            .total_cmp(&other.gain)
            .then_with(|| other.j.cmp(&self.j))
            .then_with(|| self.round.cmp(&other.round))
    }
}

/// Σ w·d, with independent accumulators so the loop vectorizes.
fn weighted_sum(w: &[f64], d: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (wc, dc) = (w.chunks_exact(4), d.chunks_exact(4));
    let tail: f64 = wc
        .remainder()
        .iter()
        .zip(dc.remainder())
        .map(|(w, d)| w * d)
        .sum();
    for (w, d) in wc.zip(dc) {
        for i in 0..4 {
            acc[i] += w[i] * d[i];
        }
    }
    acc.iter().sum::<f64>() + tail
}

/// Σ w·max(0, d1 − d): how much a site at distances `d` improves on `d1`.
fn weighted_gain(w: &[f64], d1: &[f64], d: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (wc, ac, dc) = (w.chunks_exact(4), d1.chunks_exact(4), d.chunks_exact(4));
    let tail: f64 = wc
        .remainder()
        .iter()
        .zip(ac.remainder())
        .zip(dc.remainder())
        .map(|((w, a), d)| w * (a - d).max(0.0))
        .sum();
    for ((w, a), d) in wc.zip(ac).zip(dc) {
        for i in 0..4 {
            acc[i] += w[i] * (a[i] - d[i]).max(0.0);
        }
    }
    acc.iter().sum::<f64>() + tail
}

/// A seeded generator for restarts: same seed, same plan.
pub(crate) fn rng(seed: u64) -> ChaCha8Rng {
    use rand::SeedableRng;
    ChaCha8Rng::seed_from_u64(seed)
}
