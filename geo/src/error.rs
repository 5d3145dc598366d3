//! Why a placement request was refused.
//!
//! Every variant carries the JSON path of the offending input field
//! (`users[3].latitude`, `constraints.min_providers`, ...), so that the gateway
//! can answer HTTP 400 with a message a person can act on without reading code.

use serde::{Deserialize, Serialize};

/// A placement request that cannot be solved as given.
///
/// Errors are about the input, never about the engine: a valid request always
/// gets a plan. `field` is a path into the request as the gateway's JSON spells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlacementError {
    /// A list that must not be empty is empty (no participants, users or candidates).
    Empty {
        /// The empty list, e.g. `participants`.
        field: String,
    },
    /// A latitude outside -90..=90 or not a number.
    LatitudeOutOfRange {
        /// e.g. `users[3].latitude`.
        field: String,
        /// The value given.
        value: f64,
    },
    /// A longitude outside -180..=180 or not a number.
    LongitudeOutOfRange {
        /// e.g. `participants[0].longitude`.
        field: String,
        /// The value given.
        value: f64,
    },
    /// A weight that is negative, NaN or infinite.
    InvalidWeight {
        /// e.g. `users[7].weight`.
        field: String,
        /// The value given.
        value: f64,
    },
    /// Every weight is zero, so no mean can be taken.
    ZeroTotalWeight {
        /// The list whose weights sum to zero.
        field: String,
    },
    /// An hourly cost that is negative, NaN or infinite.
    InvalidCost {
        /// e.g. `candidates[2].hourly_cost`.
        field: String,
        /// The value given.
        value: f64,
    },
    /// The objective or a budget needs a price that a candidate does not have.
    MissingCost {
        /// e.g. `candidates[2].hourly_cost`.
        field: String,
        /// Why a price is needed here.
        reason: String,
    },
    /// The same region is offered twice as a candidate.
    DuplicateCandidate {
        /// The second occurrence, e.g. `candidates[5]`.
        field: String,
        /// `provider/code` of the region.
        region: String,
    },
    /// k is zero or larger than the number of candidates.
    InvalidK {
        /// e.g. `goal.k`.
        field: String,
        /// The k requested.
        k: usize,
        /// How many candidates there are.
        candidates: usize,
    },
    /// A constraint names a provider that no candidate belongs to.
    UnknownProvider {
        /// e.g. `constraints.allowed_providers[1]`.
        field: String,
        /// The provider named.
        provider: String,
        /// Providers that do have candidates, for the message.
        known: Vec<String>,
    },
    /// A numeric parameter is out of its range (grid size, cost weight, target, ...).
    InvalidParameter {
        /// e.g. `options.grid_deg`.
        field: String,
        /// What is wrong, e.g. `must be between 0 and 10 degrees, got -1`.
        reason: String,
    },
    /// The constraints cannot all be met by any set of candidates.
    Infeasible {
        /// The constraint that cannot be met, e.g. `constraints.min_providers`.
        field: String,
        /// Why, with the numbers, e.g. `at least 3 providers requested but only
        /// 2 allowed providers have candidates`.
        reason: String,
    },
    /// An input file (CSV of participants or users) could not be read.
    Parse {
        /// e.g. `line 4`.
        field: String,
        /// The parser's message.
        reason: String,
    },
}

impl PlacementError {
    /// The path of the offending input field.
    pub fn field(&self) -> &str {
        match self {
            PlacementError::Empty { field }
            | PlacementError::LatitudeOutOfRange { field, .. }
            | PlacementError::LongitudeOutOfRange { field, .. }
            | PlacementError::InvalidWeight { field, .. }
            | PlacementError::ZeroTotalWeight { field }
            | PlacementError::InvalidCost { field, .. }
            | PlacementError::MissingCost { field, .. }
            | PlacementError::DuplicateCandidate { field, .. }
            | PlacementError::InvalidK { field, .. }
            | PlacementError::UnknownProvider { field, .. }
            | PlacementError::InvalidParameter { field, .. }
            | PlacementError::Infeasible { field, .. }
            | PlacementError::Parse { field, .. } => field,
        }
    }

    pub(crate) fn infeasible(field: &str, reason: impl Into<String>) -> PlacementError {
        PlacementError::Infeasible {
            field: field.to_string(),
            reason: reason.into(),
        }
    }

    pub(crate) fn parameter(field: &str, reason: impl Into<String>) -> PlacementError {
        PlacementError::InvalidParameter {
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for PlacementError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlacementError::Empty { field } => write!(f, "{field}: must not be empty"),
            PlacementError::LatitudeOutOfRange { field, value } => {
                write!(
                    f,
                    "{field}: latitude must be between -90 and 90, got {value}"
                )
            }
            PlacementError::LongitudeOutOfRange { field, value } => {
                write!(
                    f,
                    "{field}: longitude must be between -180 and 180, got {value}"
                )
            }
            PlacementError::InvalidWeight { field, value } => {
                write!(
                    f,
                    "{field}: weight must be a finite number >= 0, got {value}"
                )
            }
            PlacementError::ZeroTotalWeight { field } => {
                write!(
                    f,
                    "{field}: the weights sum to zero; give at least one positive weight"
                )
            }
            PlacementError::InvalidCost { field, value } => {
                write!(
                    f,
                    "{field}: hourly cost must be a finite number >= 0, got {value}"
                )
            }
            PlacementError::MissingCost { field, reason } => {
                write!(f, "{field}: no hourly cost given, but {reason}")
            }
            PlacementError::DuplicateCandidate { field, region } => {
                write!(f, "{field}: region {region} is listed more than once")
            }
            PlacementError::InvalidK {
                field,
                k,
                candidates,
            } => {
                if *k == 0 {
                    write!(f, "{field}: k must be at least 1")
                } else {
                    write!(
                        f,
                        "{field}: k = {k} sites requested but only {} given",
                        regions(*candidates)
                    )
                }
            }
            PlacementError::UnknownProvider {
                field,
                provider,
                known,
            } => write!(
                f,
                "{field}: provider \"{provider}\" has no candidate region (providers with candidates: {})",
                known.join(", ")
            ),
            PlacementError::InvalidParameter { field, reason } => write!(f, "{field}: {reason}"),
            PlacementError::Infeasible { field, reason } => {
                write!(f, "{field}: infeasible: {reason}")
            }
            PlacementError::Parse { field, reason } => write!(f, "{field}: {reason}"),
        }
    }
}

impl std::error::Error for PlacementError {}

/// Check a latitude/longitude pair; `path` is the item's path, e.g. `users[3]`.
pub(crate) fn check_point(path: &str, latitude: f64, longitude: f64) -> Result<(), PlacementError> {
    if !(-90.0..=90.0).contains(&latitude) {
        return Err(PlacementError::LatitudeOutOfRange {
            field: format!("{path}.latitude"),
            value: latitude,
        });
    }
    if !(-180.0..=180.0).contains(&longitude) {
        return Err(PlacementError::LongitudeOutOfRange {
            field: format!("{path}.longitude"),
            value: longitude,
        });
    }
    Ok(())
}

/// Check a weight: finite and not negative.
pub(crate) fn check_weight(path: &str, weight: f64) -> Result<(), PlacementError> {
    if !weight.is_finite() || weight < 0.0 {
        return Err(PlacementError::InvalidWeight {
            field: format!("{path}.weight"),
            value: weight,
        });
    }
    Ok(())
}

/// "1 candidate region", "3 candidate regions".
pub(crate) fn regions(n: usize) -> String {
    if n == 1 {
        "1 candidate region".to_string()
    } else {
        format!("{n} candidate regions")
    }
}
