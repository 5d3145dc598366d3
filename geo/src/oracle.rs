//! One place where solvers get round-trip times: measurements first, the model
//! for everything that was not measured.
//!
//! The great-circle model ([`LatencyModel`]) is right on average but wrong for
//! particular routes (submarine cables, peering detours). Operators who have
//! measured RTTs (pings from user networks, region-to-region probes) load them
//! into a [`MeasuredLatency`] table; an [`Oracle`] answers from the table when
//! it has an entry and from the model otherwise. Solvers only see the
//! [`LatencyOracle`] trait, so a gateway can plug in any other source.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::catalog::Region;
use crate::error::PlacementError;
use crate::latency::{LatencyModel, Point};

/// Where solvers get RTTs from. Implemented by [`LatencyModel`] (model only)
/// and [`Oracle`] (measurements, then model).
pub trait LatencyOracle {
    /// Round-trip time in ms between a user location and a region.
    fn point_to_region_ms(&self, point: Point, region: &Region) -> f64;
    /// Round-trip time in ms between two regions.
    fn region_to_region_ms(&self, a: &Region, b: &Region) -> f64;

    /// RTTs from every point to every region, region-major
    /// (`out[r * points.len() + p]`). The fleet solver asks for the whole
    /// matrix at once so that implementations can share work across pairs;
    /// the default asks [`point_to_region_ms`](Self::point_to_region_ms) per pair.
    fn matrix_ms(&self, points: &[Point], regions: &[&Region]) -> Vec<f64> {
        let mut out = Vec::with_capacity(points.len() * regions.len());
        for region in regions {
            out.extend(points.iter().map(|&p| self.point_to_region_ms(p, region)));
        }
        out
    }
}

impl LatencyOracle for LatencyModel {
    fn point_to_region_ms(&self, point: Point, region: &Region) -> f64 {
        self.rtt_ms(point, region.point())
    }

    fn matrix_ms(&self, points: &[Point], regions: &[&Region]) -> Vec<f64> {
        let targets: Vec<Point> = regions.iter().map(|r| r.point()).collect();
        self.rtt_matrix_ms(points, &targets)
    }

    fn region_to_region_ms(&self, a: &Region, b: &Region) -> f64 {
        self.rtt_ms(a.point(), b.point())
    }
}

/// Identifies a region in the measurement table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RegionRef {
    /// Provider key, e.g. `aws`.
    pub provider: String,
    /// Region code, e.g. `ap-northeast-2`.
    pub code: String,
}

impl RegionRef {
    /// A reference from provider key and region code.
    pub fn new(provider: &str, code: &str) -> RegionRef {
        RegionRef {
            provider: provider.to_string(),
            code: code.to_string(),
        }
    }

    fn of(region: &Region) -> RegionRef {
        RegionRef::new(&region.provider, &region.code)
    }
}

/// The measured end of a measurement: a region, or a user location (a point,
/// optionally with a name such as `seoul-office` so it can be looked up by name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Endpoint {
    /// Another region (region-to-region probe).
    Region(RegionRef),
    /// A user location; every point in the same grid cell shares the measurement.
    Location {
        /// Optional name of the location (office, PoP, city).
        #[serde(default)]
        name: Option<String>,
        /// Latitude in decimal degrees.
        latitude: f64,
        /// Longitude in decimal degrees.
        longitude: f64,
    },
}

/// One measured round trip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// Where the probe ran.
    pub from: Endpoint,
    /// The region probed.
    pub to: RegionRef,
    /// Measured round-trip time in ms.
    pub rtt_ms: f64,
}

/// Serialized form of [`MeasuredLatency`]: the grid and the raw measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasuredTable {
    /// Grid cell size in degrees that locations are rounded to.
    #[serde(default = "default_grid")]
    pub grid_deg: f64,
    /// The measurements, in insertion order.
    #[serde(default)]
    pub measurements: Vec<Measurement>,
}

fn default_grid() -> f64 {
    MeasuredLatency::DEFAULT_GRID_DEG
}

/// Grid cell of a location: (round(lat / grid), round(lon / grid)).
type CellKey = (i32, i32);

/// Measured RTTs, region↔region and location↔region.
///
/// Locations are rounded to a grid (default 0.5°, about 55 km) because a probe
/// from one street stands for its whole metro area, and users never sit on the
/// exact probe coordinates. When several measurements fall on the same key the
/// minimum is kept: queueing only ever adds delay, so the minimum RTT is the
/// standard estimate of a path's latency.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuredLatency {
    grid_deg: f64,
    /// Location cell → (region, rtt) pairs; a cell has few entries.
    locations: HashMap<CellKey, Vec<(RegionRef, f64)>>,
    /// Unordered region pair (smaller first) → rtt.
    pairs: BTreeMap<(RegionRef, RegionRef), f64>,
    /// Named locations, so callers can ask by name.
    names: BTreeMap<String, Point>,
    /// Everything inserted, for serialization.
    raw: Vec<Measurement>,
}

impl Default for MeasuredLatency {
    fn default() -> Self {
        MeasuredLatency::new(MeasuredLatency::DEFAULT_GRID_DEG).expect("default grid is valid")
    }
}

impl MeasuredLatency {
    /// Default grid: 0.5°, a metro area.
    pub const DEFAULT_GRID_DEG: f64 = 0.5;

    /// An empty table whose locations are rounded to `grid_deg` degrees
    /// (0 < grid_deg ≤ 10).
    pub fn new(grid_deg: f64) -> Result<MeasuredLatency, PlacementError> {
        if !(grid_deg > 0.0 && grid_deg <= 10.0) {
            return Err(PlacementError::parameter(
                "grid_deg",
                format!("must be > 0 and <= 10 degrees, got {grid_deg}"),
            ));
        }
        Ok(MeasuredLatency {
            grid_deg,
            locations: HashMap::new(),
            pairs: BTreeMap::new(),
            names: BTreeMap::new(),
            raw: Vec::new(),
        })
    }

    /// The grid size in degrees.
    pub fn grid_deg(&self) -> f64 {
        self.grid_deg
    }

    /// True when nothing was measured (the oracle then answers from the model alone).
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Number of measurements inserted.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Record one measurement; refused when the RTT or a coordinate is invalid.
    pub fn insert(&mut self, m: Measurement) -> Result<(), PlacementError> {
        if !m.rtt_ms.is_finite() || m.rtt_ms < 0.0 {
            return Err(PlacementError::parameter(
                "rtt_ms",
                format!("must be a finite number >= 0, got {}", m.rtt_ms),
            ));
        }
        match &m.from {
            Endpoint::Region(from) => {
                let key = ordered(from.clone(), m.to.clone());
                let slot = self.pairs.entry(key).or_insert(f64::INFINITY);
                *slot = slot.min(m.rtt_ms);
            }
            Endpoint::Location {
                name,
                latitude,
                longitude,
            } => {
                crate::error::check_point("from", *latitude, *longitude)?;
                let point = Point::new(*latitude, *longitude);
                if let Some(name) = name {
                    self.names.insert(name.clone(), point);
                }
                let cell = self.locations.entry(self.cell(point)).or_default();
                match cell.iter_mut().find(|(r, _)| *r == m.to) {
                    Some((_, rtt)) => *rtt = rtt.min(m.rtt_ms),
                    None => cell.push((m.to.clone(), m.rtt_ms)),
                }
            }
        }
        self.raw.push(m);
        Ok(())
    }

    /// Record a region↔region RTT (symmetric).
    pub fn insert_region_pair(
        &mut self,
        a: RegionRef,
        b: RegionRef,
        rtt_ms: f64,
    ) -> Result<(), PlacementError> {
        self.insert(Measurement {
            from: Endpoint::Region(a),
            to: b,
            rtt_ms,
        })
    }

    /// Record a location↔region RTT; `name` makes the location findable by name.
    pub fn insert_location(
        &mut self,
        name: Option<&str>,
        location: Point,
        region: RegionRef,
        rtt_ms: f64,
    ) -> Result<(), PlacementError> {
        self.insert(Measurement {
            from: Endpoint::Location {
                name: name.map(str::to_string),
                latitude: location.latitude,
                longitude: location.longitude,
            },
            to: region,
            rtt_ms,
        })
    }

    /// Measured RTT from a location to a region, if its grid cell has one.
    pub fn location_rtt(&self, point: Point, provider: &str, code: &str) -> Option<f64> {
        if self.locations.is_empty() {
            return None;
        }
        let cell = self.locations.get(&self.cell(point))?;
        cell.iter()
            .find(|(r, _)| r.provider == provider && r.code == code)
            .map(|(_, rtt)| *rtt)
    }

    /// Measured RTT from a named location to a region.
    pub fn named_rtt(&self, name: &str, provider: &str, code: &str) -> Option<f64> {
        let point = *self.names.get(name)?;
        self.location_rtt(point, provider, code)
    }

    /// The point recorded for a named location.
    pub fn named_location(&self, name: &str) -> Option<Point> {
        self.names.get(name).copied()
    }

    /// Measured RTT between two regions (either order).
    pub fn region_rtt(&self, a: &RegionRef, b: &RegionRef) -> Option<f64> {
        if self.pairs.is_empty() {
            return None;
        }
        self.pairs.get(&ordered(a.clone(), b.clone())).copied()
    }

    /// Parse a CSV of measurements with the columns
    /// `from_provider,from_code,from_name,from_latitude,from_longitude,to_provider,to_code,rtt_ms`:
    /// a row with `from_provider` set is region→region, otherwise location→region.
    pub fn from_csv(text: &str, grid_deg: f64) -> Result<MeasuredLatency, PlacementError> {
        #[derive(Deserialize)]
        struct Row {
            #[serde(default)]
            from_provider: Option<String>,
            #[serde(default)]
            from_code: Option<String>,
            #[serde(default)]
            from_name: Option<String>,
            #[serde(default)]
            from_latitude: Option<f64>,
            #[serde(default)]
            from_longitude: Option<f64>,
            to_provider: String,
            to_code: String,
            rtt_ms: f64,
        }
        let mut table = MeasuredLatency::new(grid_deg)?;
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        for (i, row) in reader.deserialize::<Row>().enumerate() {
            let line = format!("line {}", i + 2);
            let row = row.map_err(|e| PlacementError::Parse {
                field: line.clone(),
                reason: e.to_string(),
            })?;
            let from = match (row.from_provider, row.from_code) {
                (Some(provider), Some(code)) if !provider.is_empty() => {
                    Endpoint::Region(RegionRef { provider, code })
                }
                _ => match (row.from_latitude, row.from_longitude) {
                    (Some(latitude), Some(longitude)) => Endpoint::Location {
                        name: row.from_name.filter(|n| !n.is_empty()),
                        latitude,
                        longitude,
                    },
                    _ => {
                        return Err(PlacementError::Parse {
                            field: line,
                            reason: "give from_provider and from_code, or from_latitude and from_longitude".into(),
                        });
                    }
                },
            };
            let m = Measurement {
                from,
                to: RegionRef::new(&row.to_provider, &row.to_code),
                rtt_ms: row.rtt_ms,
            };
            table.insert(m).map_err(|e| PlacementError::Parse {
                field: line,
                reason: e.to_string(),
            })?;
        }
        Ok(table)
    }

    fn cell(&self, p: Point) -> CellKey {
        let lat = (p.latitude / self.grid_deg).round() as i32;
        let mut lon = (p.longitude / self.grid_deg).round() as i32;
        // -180 and 180 are the same meridian.
        let half_turn = (180.0 / self.grid_deg).round() as i32;
        if lon >= half_turn {
            lon -= 2 * half_turn;
        }
        (lat, lon)
    }
}

fn ordered(a: RegionRef, b: RegionRef) -> (RegionRef, RegionRef) {
    if a <= b { (a, b) } else { (b, a) }
}

impl Serialize for MeasuredLatency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        MeasuredTable {
            grid_deg: self.grid_deg,
            measurements: self.raw.clone(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for MeasuredLatency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let table = MeasuredTable::deserialize(d)?;
        let mut out = MeasuredLatency::new(table.grid_deg).map_err(serde::de::Error::custom)?;
        for m in table.measurements {
            out.insert(m).map_err(serde::de::Error::custom)?;
        }
        Ok(out)
    }
}

/// Where an RTT came from, so plans can say how much of them is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RttSource {
    /// From the measurement table.
    Measured,
    /// From the great-circle model.
    Model,
}

/// The model plus a measurement table: the oracle the gateway hands to solvers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Oracle {
    /// Used for every pair that was not measured.
    #[serde(default)]
    pub model: LatencyModel,
    /// Measured RTTs, used first.
    #[serde(default)]
    pub measured: MeasuredLatency,
}

impl Oracle {
    /// An oracle with no measurements: answers are the model's.
    pub fn from_model(model: LatencyModel) -> Oracle {
        Oracle {
            model,
            measured: MeasuredLatency::default(),
        }
    }

    /// RTT from a location to a region and whether it was measured.
    pub fn point_to_region(&self, point: Point, region: &Region) -> (f64, RttSource) {
        match self
            .measured
            .location_rtt(point, &region.provider, &region.code)
        {
            Some(rtt) => (rtt, RttSource::Measured),
            None => (self.model.rtt_ms(point, region.point()), RttSource::Model),
        }
    }

    /// RTT between two regions and whether it was measured.
    pub fn region_to_region(&self, a: &Region, b: &Region) -> (f64, RttSource) {
        match self
            .measured
            .region_rtt(&RegionRef::of(a), &RegionRef::of(b))
        {
            Some(rtt) => (rtt, RttSource::Measured),
            None => (self.model.rtt_ms(a.point(), b.point()), RttSource::Model),
        }
    }
}

impl LatencyOracle for Oracle {
    fn point_to_region_ms(&self, point: Point, region: &Region) -> f64 {
        self.point_to_region(point, region).0
    }

    fn matrix_ms(&self, points: &[Point], regions: &[&Region]) -> Vec<f64> {
        let mut out = self.model.matrix_ms(points, regions);
        if self.measured.locations.is_empty() {
            return out;
        }
        let n = points.len();
        for (p, &point) in points.iter().enumerate() {
            let Some(entries) = self.measured.locations.get(&self.measured.cell(point)) else {
                continue;
            };
            for (r, region) in regions.iter().enumerate() {
                if let Some((_, rtt)) = entries
                    .iter()
                    .find(|(key, _)| key.provider == region.provider && key.code == region.code)
                {
                    out[r * n + p] = *rtt;
                }
            }
        }
        out
    }

    fn region_to_region_ms(&self, a: &Region, b: &Region) -> f64 {
        self.region_to_region(a, b).0
    }
}
