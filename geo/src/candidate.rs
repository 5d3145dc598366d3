//! A region offered to a solver, with its hourly price when known.
//!
//! Which regions are candidates and what a server costs in each (the spec
//! catalog) is the gateway's business; the solvers only take the result.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::catalog::Region;
use crate::error::{PlacementError, check_point};

/// A region the solver may choose, with the hourly cost of the server there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// The region (its coordinates drive the latency estimate).
    pub region: Region,
    /// Price per hour of the server in this region (any currency, used
    /// consistently), or none when unknown.
    #[serde(default)]
    pub hourly_cost: Option<f64>,
}

impl Candidate {
    /// A candidate without a known price.
    pub fn new(region: Region) -> Candidate {
        Candidate {
            region,
            hourly_cost: None,
        }
    }

    /// The same candidate with a price.
    pub fn with_cost(mut self, hourly_cost: f64) -> Candidate {
        self.hourly_cost = Some(hourly_cost);
        self
    }

    /// Unpriced candidates for a list of regions, e.g. `catalog.provider("aws")`.
    pub fn all<'a>(regions: impl IntoIterator<Item = &'a Region>) -> Vec<Candidate> {
        regions.into_iter().cloned().map(Candidate::new).collect()
    }
}

/// Check candidates: not empty, valid coordinates and prices, no duplicate region.
pub(crate) fn validate(candidates: &[Candidate]) -> Result<(), PlacementError> {
    if candidates.is_empty() {
        return Err(PlacementError::Empty {
            field: "candidates".into(),
        });
    }
    let mut seen = HashSet::with_capacity(candidates.len());
    for (i, c) in candidates.iter().enumerate() {
        check_point(
            &format!("candidates[{i}].region"),
            c.region.latitude,
            c.region.longitude,
        )?;
        if let Some(cost) = c.hourly_cost
            && (!cost.is_finite() || cost < 0.0)
        {
            return Err(PlacementError::InvalidCost {
                field: format!("candidates[{i}].hourly_cost"),
                value: cost,
            });
        }
        if !seen.insert((c.region.provider.as_str(), c.region.code.as_str())) {
            return Err(PlacementError::DuplicateCandidate {
                field: format!("candidates[{i}]"),
                region: c.region.key(),
            });
        }
    }
    Ok(())
}

/// Order of candidates whose scores tie: cheaper first (unknown price last),
/// then by region code, then provider, so results never depend on input order.
pub(crate) fn tie_order(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    let cost = |c: &Candidate| c.hourly_cost.unwrap_or(f64::INFINITY);
    cost(a)
        .total_cmp(&cost(b))
        .then_with(|| a.region.code.cmp(&b.region.code))
        .then_with(|| a.region.provider.cmp(&b.region.provider))
}
