//! Constraints on which sets of sites are allowed, and how to tell cheaply
//! whether a partial set can still be completed.
//!
//! The search only ever moves between feasible sets, so it needs two checks:
//! "can this partial set still grow into a feasible set of k sites?" (greedy and
//! random construction) and "is this one-for-one swap still feasible?" (local
//! search). Both are exact. Without a budget the first is a counting argument;
//! with a budget it is a small dynamic program over providers that finds the
//! cheapest feasible completion.

use std::collections::BTreeMap;

use crate::candidate::Candidate;
use crate::error::PlacementError;

use super::Constraints;

/// Constraints resolved against the allowed candidates (indices into them).
#[derive(Debug, Clone)]
pub(crate) struct Rules {
    /// Provider keys, sorted.
    pub providers: Vec<String>,
    /// Provider index of each allowed candidate.
    pub provider_of: Vec<usize>,
    /// Hourly cost of each allowed candidate (0 when unknown and not needed).
    pub cost: Vec<f64>,
    /// Per provider: at least this many sites.
    pub min: Vec<usize>,
    /// Per provider: at most this many sites (already capped by its candidate count).
    pub max: Vec<usize>,
    /// At least this many distinct providers.
    pub min_providers: usize,
    /// Total hourly cost limit.
    pub budget: Option<f64>,
    /// Allowed candidates of each provider, cheapest first.
    by_provider: Vec<Vec<usize>>,
}

/// Slack for comparing sums of prices against the budget.
const BUDGET_EPS: f64 = 1e-9;

impl Rules {
    /// Resolve constraints. `allowed` are the candidates of allowed providers
    /// (indices into `candidates`); errors name the constraint at fault.
    pub fn new(
        candidates: &[Candidate],
        allowed: &[usize],
        constraints: &Constraints,
    ) -> Result<Rules, PlacementError> {
        let mut providers: Vec<String> = allowed
            .iter()
            .map(|&i| candidates[i].region.provider.clone())
            .collect();
        providers.sort();
        providers.dedup();
        let index: BTreeMap<&str, usize> = providers
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_str(), i))
            .collect();
        let provider_of: Vec<usize> = allowed
            .iter()
            .map(|&i| index[candidates[i].region.provider.as_str()])
            .collect();
        let cost: Vec<f64> = allowed
            .iter()
            .map(|&i| candidates[i].hourly_cost.unwrap_or(0.0))
            .collect();
        let mut by_provider = vec![Vec::new(); providers.len()];
        for (j, &p) in provider_of.iter().enumerate() {
            by_provider[p].push(j);
        }
        for list in &mut by_provider {
            list.sort_by(|&a, &b| cost[a].total_cmp(&cost[b]).then(a.cmp(&b)));
        }
        let available: Vec<usize> = by_provider.iter().map(Vec::len).collect();

        let all_max = constraints.max_sites_per_provider.get("*").copied();
        let all_min = constraints
            .min_sites_per_provider
            .get("*")
            .copied()
            .unwrap_or(0);
        let mut min = vec![all_min; providers.len()];
        let mut max: Vec<usize> = available
            .iter()
            .map(|&a| all_max.map_or(a, |m| m.min(a)))
            .collect();
        for (name, &n) in &constraints.max_sites_per_provider {
            if let Some(&p) = index.get(name.as_str()) {
                max[p] = n.min(available[p]);
            }
        }
        for (name, &n) in &constraints.min_sites_per_provider {
            if name == "*" {
                continue;
            }
            let field = format!("constraints.min_sites_per_provider.{name}");
            let Some(&p) = index.get(name.as_str()) else {
                // Validation already rejected unknown providers, so this one
                // has candidates but is not allowed.
                return Err(PlacementError::infeasible(
                    &field,
                    format!(
                        "at least {n} sites of {name} requested but {name} is not in allowed_providers"
                    ),
                ));
            };
            min[p] = n;
        }
        for p in 0..providers.len() {
            let name = &providers[p];
            let field = format!("constraints.min_sites_per_provider.{name}");
            if min[p] > available[p] {
                return Err(PlacementError::infeasible(
                    &field,
                    format!(
                        "at least {} sites of {name} requested but {name} has only {}",
                        min[p],
                        crate::error::regions(available[p])
                    ),
                ));
            }
            if min[p] > max[p] {
                return Err(PlacementError::infeasible(
                    &field,
                    format!(
                        "at least {} sites of {name} requested but at most {} allowed by max_sites_per_provider",
                        min[p], max[p]
                    ),
                ));
            }
        }
        if constraints.min_providers > providers.len() {
            return Err(PlacementError::infeasible(
                "constraints.min_providers",
                format!(
                    "at least {} providers requested but only {} allowed providers have candidates",
                    constraints.min_providers,
                    providers.len()
                ),
            ));
        }
        let usable = max.iter().filter(|&&m| m > 0).count();
        if constraints.min_providers > usable {
            return Err(PlacementError::infeasible(
                "constraints.min_providers",
                format!(
                    "at least {} providers requested but max_sites_per_provider leaves only {usable} providers with room",
                    constraints.min_providers
                ),
            ));
        }
        Ok(Rules {
            providers,
            provider_of,
            cost,
            min,
            max,
            min_providers: constraints.min_providers,
            budget: constraints.max_hourly_cost,
            by_provider,
        })
    }

    /// Fewest and most sites any feasible set can have (ignoring the budget).
    pub fn size_range(&self) -> (usize, usize) {
        let lo = self
            .min
            .iter()
            .sum::<usize>()
            .max(self.min_providers)
            .max(1);
        // Providers beyond their minimum needed to reach min_providers.
        let lo = lo.max(self.sites_for_providers());
        let hi = self.max.iter().sum();
        (lo, hi)
    }

    /// Fewest sites that meet both the per-provider minimums and min_providers.
    fn sites_for_providers(&self) -> usize {
        let with_min = self.min.iter().filter(|&&m| m > 0).count();
        self.min.iter().sum::<usize>() + self.min_providers.saturating_sub(with_min)
    }

    /// Explain why no set of exactly k sites meets the constraints, or None.
    pub fn check_k(&self, k: usize) -> Option<PlacementError> {
        let min_sum: usize = self.min.iter().sum();
        if min_sum > k {
            return Some(PlacementError::infeasible(
                "constraints.min_sites_per_provider",
                format!("the per-provider minimums add up to {min_sum} sites but k = {k}"),
            ));
        }
        if self.min_providers > k {
            return Some(PlacementError::infeasible(
                "constraints.min_providers",
                format!(
                    "at least {} providers requested but only k = {k} sites",
                    self.min_providers
                ),
            ));
        }
        if self.sites_for_providers() > k {
            return Some(PlacementError::infeasible(
                "constraints.min_providers",
                format!(
                    "at least {} providers plus the per-provider minimums need {} sites but k = {k}",
                    self.min_providers,
                    self.sites_for_providers()
                ),
            ));
        }
        let max_sum: usize = self.max.iter().sum();
        if max_sum < k {
            return Some(PlacementError::infeasible(
                "constraints.max_sites_per_provider",
                format!(
                    "k = {k} sites requested but the allowed providers and per-provider maximums allow at most {max_sum}"
                ),
            ));
        }
        let empty = Partial::empty(self.providers.len());
        if let Some(budget) = self.budget {
            match self.cheapest_completion(&empty, &[], k) {
                Some(cost) if cost <= budget + BUDGET_EPS => {}
                Some(cost) => {
                    return Some(PlacementError::infeasible(
                        "constraints.max_hourly_cost",
                        format!(
                            "the cheapest {k} sites that meet the constraints cost {cost:.4} per hour, above the budget of {budget:.4}"
                        ),
                    ));
                }
                None => {}
            }
        }
        if !self.can_complete(&empty, &[], k) {
            return Some(PlacementError::infeasible(
                "constraints",
                format!("no set of {k} sites meets all constraints together"),
            ));
        }
        None
    }

    /// Can `partial` (with `in_set` marking chosen candidates) grow into a
    /// feasible set of exactly k sites?
    pub fn can_complete(&self, partial: &Partial, in_set: &[bool], k: usize) -> bool {
        if partial.size > k {
            return false;
        }
        match self.budget {
            None => self.can_complete_counts(partial, in_set, k),
            Some(budget) => self
                .cheapest_completion(partial, in_set, k)
                .is_some_and(|c| partial.cost + c <= budget + BUDGET_EPS),
        }
    }

    /// Counting argument: minimums fit, maximums leave room, and enough
    /// providers without a site can still get one.
    fn can_complete_counts(&self, partial: &Partial, in_set: &[bool], k: usize) -> bool {
        let r = k - partial.size;
        let mut need = 0;
        let mut room = 0;
        let mut used = 0;
        let mut fresh = 0;
        for p in 0..self.providers.len() {
            let cnt = partial.counts[p];
            if cnt > self.max[p] {
                return false;
            }
            let avail = self.available(p, in_set);
            let lo = self.min[p].saturating_sub(cnt);
            let hi = (self.max[p] - cnt).min(avail);
            if lo > hi {
                return false;
            }
            need += lo;
            room += hi;
            if cnt > 0 || lo > 0 {
                used += 1;
            } else if hi > 0 {
                fresh += 1;
            }
        }
        let extra = self.min_providers.saturating_sub(used);
        extra <= fresh && need + extra <= r && r <= room
    }

    /// Cheapest cost of adding exactly k - size sites to `partial` so that every
    /// constraint but the budget holds; None when impossible. DP over providers
    /// with state (sites added, providers used capped at min_providers).
    pub fn cheapest_completion(&self, partial: &Partial, in_set: &[bool], k: usize) -> Option<f64> {
        let r = k.checked_sub(partial.size)?;
        let m = self.min_providers;
        let width = m + 1;
        let mut dp = vec![f64::INFINITY; (r + 1) * width];
        dp[0] = 0.0;
        let mut next = vec![f64::INFINITY; (r + 1) * width];
        let mut prefix = Vec::new();
        for p in 0..self.providers.len() {
            let cnt = partial.counts[p];
            if cnt > self.max[p] {
                return None;
            }
            prefix.clear();
            prefix.push(0.0);
            for &j in &self.by_provider[p] {
                if !in_set.get(j).copied().unwrap_or(false) {
                    let last = *prefix.last().expect("prefix starts with 0");
                    prefix.push(last + self.cost[j]);
                }
            }
            let avail = prefix.len() - 1;
            let lo = self.min[p].saturating_sub(cnt);
            let hi = (self.max[p] - cnt).min(avail).min(r);
            if lo > hi {
                return None;
            }
            next.fill(f64::INFINITY);
            for a in 0..=r {
                for u in 0..width {
                    let base = dp[a * width + u];
                    if base.is_infinite() {
                        continue;
                    }
                    for x in lo..=hi.min(r - a) {
                        let used = usize::from(cnt + x > 0);
                        let nu = (u + used).min(m);
                        let slot = &mut next[(a + x) * width + nu];
                        *slot = slot.min(base + prefix[x]);
                    }
                }
            }
            std::mem::swap(&mut dp, &mut next);
        }
        // The DP counts every provider with a final site (cnt + x > 0), so its
        // provider count is the final one, already-used providers included.
        let best = dp[r * width + m];
        best.is_finite().then_some(best)
    }

    /// Is swapping `out` (in the set) for `inn` (not in the set) still feasible?
    pub fn swap_ok(&self, partial: &Partial, out: usize, inn: usize) -> bool {
        if let Some(budget) = self.budget
            && partial.cost - self.cost[out] + self.cost[inn] > budget + BUDGET_EPS
        {
            return false;
        }
        let (a, b) = (self.provider_of[out], self.provider_of[inn]);
        if a == b {
            return true;
        }
        if partial.counts[a] <= self.min[a] || partial.counts[b] >= self.max[b] {
            return false;
        }
        let distinct = partial.distinct - usize::from(partial.counts[a] == 1)
            + usize::from(partial.counts[b] == 0);
        distinct >= self.min_providers
    }

    fn available(&self, p: usize, in_set: &[bool]) -> usize {
        self.by_provider[p]
            .iter()
            .filter(|&&j| !in_set.get(j).copied().unwrap_or(false))
            .count()
    }
}

/// Provider counts, distinct providers and cost of a (partial) set of sites.
#[derive(Debug, Clone)]
pub(crate) struct Partial {
    pub counts: Vec<usize>,
    pub distinct: usize,
    pub size: usize,
    pub cost: f64,
}

impl Partial {
    pub fn empty(providers: usize) -> Partial {
        Partial {
            counts: vec![0; providers],
            distinct: 0,
            size: 0,
            cost: 0.0,
        }
    }

    /// The counts of a set of candidate indices.
    pub fn of(rules: &Rules, set: &[usize]) -> Partial {
        let mut p = Partial::empty(rules.providers.len());
        for &j in set {
            p.add(rules, j);
        }
        p
    }

    pub fn add(&mut self, rules: &Rules, j: usize) {
        let p = rules.provider_of[j];
        if self.counts[p] == 0 {
            self.distinct += 1;
        }
        self.counts[p] += 1;
        self.size += 1;
        self.cost += rules.cost[j];
    }

    /// Whether the full set meets every constraint (used by tests and asserts).
    pub fn is_feasible(&self, rules: &Rules, k: usize) -> bool {
        self.size == k
            && self.distinct >= rules.min_providers
            && (0..rules.providers.len())
                .all(|p| self.counts[p] >= rules.min[p] && self.counts[p] <= rules.max[p])
            && rules.budget.is_none_or(|b| self.cost <= b + BUDGET_EPS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    /// Candidates from three providers with prices 1, 2, 3, ...
    fn setup() -> Vec<Candidate> {
        let catalog = Catalog::builtin();
        let mut out = Vec::new();
        for (i, r) in catalog.provider("aws").take(3).enumerate() {
            out.push(Candidate::new(r.clone()).with_cost(1.0 + i as f64));
        }
        for (i, r) in catalog.provider("gcp").take(2).enumerate() {
            out.push(Candidate::new(r.clone()).with_cost(1.0 + i as f64));
        }
        out.push(Candidate::new(catalog.provider("azure").next().unwrap().clone()).with_cost(5.0));
        out
    }

    /// With an unlimited budget the DP and the counting argument agree, on
    /// every partial set of every constraint combination tried.
    #[test]
    fn dp_agrees_with_counting() {
        let candidates = setup();
        let all: Vec<usize> = (0..candidates.len()).collect();
        for min_providers in 0..=3 {
            for max_aws in [0, 1, 2, 3] {
                for min_gcp in [0, 1, 2] {
                    let mut c = Constraints {
                        min_providers,
                        ..Constraints::default()
                    };
                    c.max_sites_per_provider.insert("aws".into(), max_aws);
                    c.min_sites_per_provider.insert("gcp".into(), min_gcp);
                    let Ok(rules) = Rules::new(&candidates, &all, &c) else {
                        continue;
                    };
                    for k in 1..=candidates.len() {
                        for mask in 0u32..(1 << candidates.len()) {
                            let set: Vec<usize> = all
                                .iter()
                                .copied()
                                .filter(|&j| mask & (1 << j) != 0)
                                .collect();
                            if set.len() > k {
                                continue;
                            }
                            let in_set: Vec<bool> =
                                all.iter().map(|&j| mask & (1 << j) != 0).collect();
                            let partial = Partial::of(&rules, &set);
                            let counting = rules.can_complete_counts(&partial, &in_set, k);
                            let dp = rules.cheapest_completion(&partial, &in_set, k).is_some();
                            assert_eq!(counting, dp, "k={k} set={set:?} {c:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn cheapest_completion_picks_the_cheapest_mix() {
        let candidates = setup();
        let all: Vec<usize> = (0..candidates.len()).collect();
        let c = Constraints {
            min_providers: 3,
            ..Constraints::default()
        };
        let rules = Rules::new(&candidates, &all, &c).unwrap();
        let empty = Partial::empty(rules.providers.len());
        // Three providers: aws 1 + gcp 1 + azure 5 = 7; a fourth site adds aws 2.
        assert_eq!(rules.cheapest_completion(&empty, &[], 3), Some(7.0));
        assert_eq!(rules.cheapest_completion(&empty, &[], 4), Some(9.0));
        assert_eq!(rules.cheapest_completion(&empty, &[], 2), None);
    }
}
