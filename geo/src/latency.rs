//! Round-trip time from distance: light in fibre, inflated by real routes.

use serde::{Deserialize, Serialize};

/// Mean Earth radius in km (IUGG).
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A point in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Latitude, -90..=90.
    pub latitude: f64,
    /// Longitude, -180..=180.
    pub longitude: f64,
}

impl Point {
    /// A point from latitude and longitude in decimal degrees (not validated:
    /// the solvers validate their inputs and name the offending field).
    pub const fn new(latitude: f64, longitude: f64) -> Point {
        Point {
            latitude,
            longitude,
        }
    }
}

/// Great-circle distance between two points (haversine), in km.
pub fn great_circle_km(a: Point, b: Point) -> f64 {
    let (la1, la2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let dla = la2 - la1;
    let dlo = (b.longitude - a.longitude).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Round trip = 2 × distance × inflation / fibre speed + base.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatencyModel {
    /// Km that light covers in fibre per ms, one way (about 200).
    pub km_per_ms: f64,
    /// How much longer real routes are than the great circle (about 1.5).
    pub route_inflation: f64,
    /// Fixed cost of a round trip (last mile, switching, server), in ms.
    pub base_ms: f64,
}

impl Default for LatencyModel {
    fn default() -> Self {
        LatencyModel {
            km_per_ms: 200.0,
            route_inflation: 1.5,
            base_ms: 5.0,
        }
    }
}

impl LatencyModel {
    /// Estimated round-trip time between two points, in ms.
    pub fn rtt_ms(&self, a: Point, b: Point) -> f64 {
        self.base_ms + 2.0 * great_circle_km(a, b) * self.route_inflation / self.km_per_ms
    }

    /// RTTs from every point to every target, target-major
    /// (`out[t * points.len() + p]`), equal to [`rtt_ms`](Self::rtt_ms) up to
    /// rounding. Converts each point to a unit vector once, so a pair costs a
    /// square root and an arcsine instead of four trigonometric calls: the
    /// fleet solver's cells × candidates matrix is millions of pairs.
    pub fn rtt_matrix_ms(&self, points: &[Point], targets: &[Point]) -> Vec<f64> {
        let per_km = 2.0 * self.route_inflation / self.km_per_ms;
        let from: Vec<[f64; 3]> = points.iter().map(|&p| unit_vector(p)).collect();
        let mut out = Vec::with_capacity(points.len() * targets.len());
        for &t in targets {
            let [tx, ty, tz] = unit_vector(t);
            out.extend(from.iter().map(|&[x, y, z]| {
                // Chord length between the unit vectors; the haversine h is chord² / 4.
                let chord2 = (x - tx).powi(2) + (y - ty).powi(2) + (z - tz).powi(2);
                let km = 2.0 * EARTH_RADIUS_KM * (0.5 * chord2.sqrt()).min(1.0).asin();
                self.base_ms + km * per_km
            }));
        }
        out
    }
}

/// A point on the unit sphere.
fn unit_vector(p: Point) -> [f64; 3] {
    let (la, lo) = (p.latitude.to_radians(), p.longitude.to_radians());
    [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seoul_to_tokyo_is_about_1150_km() {
        let seoul = Point {
            latitude: 37.5665,
            longitude: 126.9780,
        };
        let tokyo = Point {
            latitude: 35.6762,
            longitude: 139.6503,
        };
        let d = great_circle_km(seoul, tokyo);
        assert!((d - 1152.0).abs() < 15.0, "{d}");
        let rtt = LatencyModel::default().rtt_ms(seoul, tokyo);
        // 5 + 2 * 1152 * 1.5 / 200 = 22.3 ms
        assert!((rtt - 22.3).abs() < 0.3, "{rtt}");
    }

    #[test]
    fn matrix_matches_pairwise() {
        let m = LatencyModel::default();
        let pts = [
            Point::new(37.5665, 126.9780),
            Point::new(-33.9, 18.4),
            Point::new(0.0, 179.9),
            Point::new(0.0, -179.9),
            Point::new(89.0, 10.0),
        ];
        let out = m.rtt_matrix_ms(&pts, &pts);
        for (t, &b) in pts.iter().enumerate() {
            for (p, &a) in pts.iter().enumerate() {
                let want = m.rtt_ms(a, b);
                assert!((out[t * pts.len() + p] - want).abs() < 1e-9, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn antipodes_are_half_the_circumference() {
        let a = Point {
            latitude: 0.0,
            longitude: 0.0,
        };
        let b = Point {
            latitude: 0.0,
            longitude: 180.0,
        };
        assert!((great_circle_km(a, b) - 20015.1).abs() < 1.0);
    }
}
