//! Users and their aggregation into weighted grid cells.
//!
//! A game with 2 million players does not need 2 million rows in the latency
//! matrix: users in the same 1° cell (about 111 km, about 1.7 ms of RTT across)
//! are nearly interchangeable for placement. Aggregating them into the weighted
//! centroid of their grid cell turns a million points into about ten thousand
//! cells, which is what makes the fleet solver fast; the mean RTT moves by
//! about 0.01 ms.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{PlacementError, check_point, check_weight};
use crate::latency::Point;

/// A user (or a group of users at one place): location and weight.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UserPoint {
    /// Latitude in decimal degrees.
    pub latitude: f64,
    /// Longitude in decimal degrees.
    pub longitude: f64,
    /// How many users this point stands for; default 1.
    #[serde(default = "one")]
    pub weight: f64,
}

fn one() -> f64 {
    1.0
}

impl UserPoint {
    /// A point with weight 1.
    pub const fn new(latitude: f64, longitude: f64) -> UserPoint {
        UserPoint {
            latitude,
            longitude,
            weight: 1.0,
        }
    }

    /// A point with a weight.
    pub const fn weighted(latitude: f64, longitude: f64, weight: f64) -> UserPoint {
        UserPoint {
            latitude,
            longitude,
            weight,
        }
    }

    /// Where the user is.
    pub fn point(&self) -> Point {
        Point::new(self.latitude, self.longitude)
    }
}

/// Largest grid the aggregation accepts, in degrees.
pub const MAX_GRID_DEG: f64 = 10.0;

/// Grids with at most this many cells use a dense array (fast, 24 bytes a cell).
const DENSE_LIMIT: usize = 1 << 20;

/// Validate users and merge them into the weighted centroids of a
/// `grid_deg`-degree grid (0 keeps every point as its own cell).
///
/// Points with weight 0 are dropped. Cells come out in grid order, so the
/// result does not depend on the order of the input. Errors name the first
/// invalid user (`users[i].latitude`, ...).
pub fn aggregate_users(
    users: &[UserPoint],
    grid_deg: f64,
) -> Result<Vec<UserPoint>, PlacementError> {
    if users.is_empty() {
        return Err(PlacementError::Empty {
            field: "users".into(),
        });
    }
    if !(0.0..=MAX_GRID_DEG).contains(&grid_deg) {
        return Err(PlacementError::parameter(
            "options.grid_deg",
            format!("must be between 0 and {MAX_GRID_DEG} degrees, got {grid_deg}"),
        ));
    }
    let cells = if grid_deg == 0.0 {
        validate(users)?;
        users.iter().copied().filter(|u| u.weight > 0.0).collect()
    } else {
        let rows = (180.0 / grid_deg).ceil() as usize + 1;
        let cols = (360.0 / grid_deg).ceil() as usize + 1;
        let index = |u: &UserPoint| {
            let r = (((u.latitude + 90.0) / grid_deg) as usize).min(rows - 1);
            let c = (((u.longitude + 180.0) / grid_deg) as usize).min(cols - 1);
            r * cols + c
        };
        if rows.saturating_mul(cols) <= DENSE_LIMIT {
            let mut acc = vec![[0.0f64; 3]; rows * cols];
            for (i, u) in users.iter().enumerate() {
                check_user(i, u)?;
                if u.weight > 0.0 {
                    let a = &mut acc[index(u)];
                    a[0] += u.weight;
                    a[1] += u.weight * u.latitude;
                    a[2] += u.weight * u.longitude;
                }
            }
            acc.iter().filter(|a| a[0] > 0.0).map(centroid).collect()
        } else {
            let mut acc: HashMap<usize, [f64; 3]> = HashMap::new();
            for (i, u) in users.iter().enumerate() {
                check_user(i, u)?;
                if u.weight > 0.0 {
                    let a = acc.entry(index(u)).or_insert([0.0; 3]);
                    a[0] += u.weight;
                    a[1] += u.weight * u.latitude;
                    a[2] += u.weight * u.longitude;
                }
            }
            let mut keyed: Vec<(usize, [f64; 3])> = acc.into_iter().collect();
            keyed.sort_unstable_by_key(|(k, _)| *k);
            keyed.iter().map(|(_, a)| centroid(a)).collect()
        }
    };
    finish(cells)
}

fn centroid(a: &[f64; 3]) -> UserPoint {
    // A cell never straddles the antimeridian (cells start at -180), so the
    // plain weighted mean of longitudes is the centroid. Clamp against rounding.
    UserPoint {
        latitude: (a[1] / a[0]).clamp(-90.0, 90.0),
        longitude: (a[2] / a[0]).clamp(-180.0, 180.0),
        weight: a[0],
    }
}

fn finish(cells: Vec<UserPoint>) -> Result<Vec<UserPoint>, PlacementError> {
    if cells.is_empty() {
        return Err(PlacementError::ZeroTotalWeight {
            field: "users".into(),
        });
    }
    Ok(cells)
}

fn check_user(i: usize, u: &UserPoint) -> Result<(), PlacementError> {
    // Fast path: the common valid case costs three comparisons.
    if (-90.0..=90.0).contains(&u.latitude)
        && (-180.0..=180.0).contains(&u.longitude)
        && u.weight >= 0.0
        && u.weight.is_finite()
    {
        return Ok(());
    }
    let path = format!("users[{i}]");
    check_point(&path, u.latitude, u.longitude)?;
    check_weight(&path, u.weight)
}

/// Validate users without aggregating.
pub(crate) fn validate(users: &[UserPoint]) -> Result<(), PlacementError> {
    if users.is_empty() {
        return Err(PlacementError::Empty {
            field: "users".into(),
        });
    }
    let mut total = 0.0;
    for (i, u) in users.iter().enumerate() {
        check_user(i, u)?;
        total += u.weight;
    }
    if total <= 0.0 {
        return Err(PlacementError::ZeroTotalWeight {
            field: "users".into(),
        });
    }
    Ok(())
}

/// Parse users from CSV with columns `latitude,longitude` and optional
/// `weight` (default 1); other columns such as `name` are ignored. Pure: the
/// caller reads the file. Values are validated by the solver.
pub fn parse_users_csv(text: &str) -> Result<Vec<UserPoint>, PlacementError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    #[derive(Deserialize)]
    struct Row {
        latitude: f64,
        longitude: f64,
        #[serde(default)]
        weight: Option<f64>,
    }
    let mut out = Vec::new();
    for (i, row) in reader.deserialize::<Row>().enumerate() {
        let row = row.map_err(|e| PlacementError::Parse {
            field: format!("line {}", i + 2),
            reason: e.to_string(),
        })?;
        out.push(UserPoint::weighted(
            row.latitude,
            row.longitude,
            row.weight.unwrap_or(1.0),
        ));
    }
    Ok(out)
}
