//! A synthetic world population of internet users, for benchmarks, examples
//! and tests.
//!
//! Real user locations are private; placement still has to be evaluated on
//! something shaped like the real world. The table below lists metropolitan
//! areas and regions with a rough count of internet users (millions, rounded
//! public estimates of national internet users split across each country's
//! main metros) and a spread (km) that stands for the size of the area the
//! users live in. Points are drawn around the centres with a seeded generator,
//! so the same `(n, seed)` always gives the same population.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::fleet::UserPoint;

/// A population centre: where many internet users live.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PopulationCentre {
    /// City or region name.
    pub name: &'static str,
    /// Latitude in decimal degrees.
    pub latitude: f64,
    /// Longitude in decimal degrees.
    pub longitude: f64,
    /// Internet users, millions (rough).
    pub internet_users_millions: f64,
    /// Standard deviation of the users' distance from the centre, km.
    pub spread_km: f64,
}

const fn c(
    name: &'static str,
    latitude: f64,
    longitude: f64,
    users: f64,
    spread_km: f64,
) -> PopulationCentre {
    PopulationCentre {
        name,
        latitude,
        longitude,
        internet_users_millions: users,
        spread_km,
    }
}

/// About 100 centres covering every continent, weighted by internet users.
pub const POPULATION_CENTRES: &[PopulationCentre] = &[
    // East Asia
    c("Shanghai", 31.23, 121.47, 150.0, 250.0),
    c("Beijing", 39.90, 116.41, 120.0, 250.0),
    c("Guangzhou-Shenzhen", 23.13, 113.26, 140.0, 200.0),
    c("Chengdu-Chongqing", 30.57, 104.07, 100.0, 300.0),
    c("Wuhan", 30.59, 114.31, 90.0, 300.0),
    c("Xi'an", 34.34, 108.94, 60.0, 300.0),
    c("Shenyang", 41.81, 123.43, 70.0, 350.0),
    c("Zhengzhou", 34.75, 113.63, 100.0, 250.0),
    c("Jinan", 36.65, 117.12, 90.0, 250.0),
    c("Fuzhou-Xiamen", 26.07, 119.30, 40.0, 200.0),
    c("Kunming", 25.04, 102.71, 40.0, 300.0),
    c("Hong Kong", 22.32, 114.17, 7.0, 30.0),
    c("Taipei", 25.03, 121.57, 22.0, 120.0),
    c("Tokyo", 35.68, 139.65, 60.0, 120.0),
    c("Osaka", 34.69, 135.50, 30.0, 150.0),
    c("Nagoya", 35.18, 136.91, 10.0, 100.0),
    c("Fukuoka", 33.59, 130.40, 12.0, 150.0),
    c("Sapporo", 43.06, 141.35, 6.0, 150.0),
    c("Seoul", 37.57, 126.98, 35.0, 80.0),
    c("Busan", 35.18, 129.08, 12.0, 100.0),
    // South Asia
    c("Delhi", 28.61, 77.21, 150.0, 300.0),
    c("Mumbai", 19.08, 72.88, 110.0, 250.0),
    c("Bangalore", 12.97, 77.59, 90.0, 250.0),
    c("Kolkata", 22.57, 88.36, 110.0, 300.0),
    c("Chennai", 13.08, 80.27, 70.0, 200.0),
    c("Hyderabad", 17.39, 78.49, 80.0, 250.0),
    c("Lucknow", 26.85, 80.95, 100.0, 300.0),
    c("Ahmedabad", 23.02, 72.57, 60.0, 250.0),
    c("Lahore", 31.55, 74.34, 60.0, 300.0),
    c("Karachi", 24.86, 67.01, 40.0, 200.0),
    c("Dhaka", 23.81, 90.41, 70.0, 150.0),
    // South-East Asia and Oceania
    c("Jakarta", -6.21, 106.85, 110.0, 300.0),
    c("Surabaya", -7.25, 112.75, 60.0, 250.0),
    c("Medan", 3.60, 98.67, 30.0, 300.0),
    c("Manila", 14.60, 120.98, 60.0, 250.0),
    c("Cebu", 10.32, 123.89, 20.0, 250.0),
    c("Hanoi", 21.03, 105.85, 40.0, 200.0),
    c("Ho Chi Minh City", 10.82, 106.63, 40.0, 200.0),
    c("Bangkok", 13.76, 100.50, 55.0, 250.0),
    c("Kuala Lumpur", 3.139, 101.69, 30.0, 200.0),
    c("Singapore", 1.35, 103.82, 5.5, 20.0),
    c("Yangon", 16.84, 96.17, 25.0, 250.0),
    c("Sydney", -33.87, 151.21, 8.0, 150.0),
    c("Melbourne", -37.81, 144.96, 7.0, 150.0),
    c("Brisbane", -27.47, 153.03, 4.0, 150.0),
    c("Perth", -31.95, 115.86, 3.0, 100.0),
    c("Auckland", -36.85, 174.76, 4.5, 200.0),
    // Middle East and Central Asia
    c("Istanbul", 41.01, 28.98, 40.0, 200.0),
    c("Ankara", 39.93, 32.86, 30.0, 400.0),
    c("Tehran", 35.69, 51.39, 70.0, 400.0),
    c("Baghdad", 33.31, 44.36, 30.0, 300.0),
    c("Riyadh", 24.71, 46.68, 20.0, 400.0),
    c("Jeddah", 21.49, 39.19, 12.0, 200.0),
    c("Dubai", 25.20, 55.27, 10.0, 150.0),
    c("Tel Aviv", 32.09, 34.78, 8.0, 80.0),
    c("Tashkent", 41.30, 69.24, 20.0, 300.0),
    c("Almaty", 43.24, 76.89, 15.0, 400.0),
    // Africa
    c("Cairo", 30.04, 31.24, 70.0, 200.0),
    c("Lagos", 6.52, 3.38, 60.0, 300.0),
    c("Kano", 12.00, 8.52, 40.0, 300.0),
    c("Accra", 5.60, -0.19, 20.0, 250.0),
    c("Dakar", 14.72, -17.47, 10.0, 200.0),
    c("Casablanca", 33.57, -7.59, 30.0, 300.0),
    c("Algiers", 36.74, 3.06, 30.0, 300.0),
    c("Tunis", 36.81, 10.18, 9.0, 150.0),
    c("Addis Ababa", 9.03, 38.74, 25.0, 300.0),
    c("Nairobi", -1.29, 36.82, 25.0, 300.0),
    c("Dar es Salaam", -6.79, 39.21, 20.0, 300.0),
    c("Kinshasa", -4.44, 15.27, 20.0, 300.0),
    c("Johannesburg", -26.20, 28.05, 30.0, 300.0),
    c("Cape Town", -33.92, 18.42, 8.0, 150.0),
    // Europe
    c("London", 51.51, -0.13, 35.0, 150.0),
    c("Manchester", 53.48, -2.24, 20.0, 150.0),
    c("Paris", 48.86, 2.35, 30.0, 150.0),
    c("Lyon", 45.76, 4.84, 25.0, 250.0),
    c("Rhine-Ruhr", 51.23, 6.78, 35.0, 150.0),
    c("Berlin", 52.52, 13.40, 18.0, 200.0),
    c("Munich", 48.14, 11.58, 20.0, 150.0),
    c("Amsterdam", 52.37, 4.90, 17.0, 100.0),
    c("Brussels", 50.85, 4.35, 10.0, 80.0),
    c("Madrid", 40.42, -3.70, 22.0, 250.0),
    c("Barcelona", 41.39, 2.17, 15.0, 150.0),
    c("Lisbon", 38.72, -9.14, 8.0, 150.0),
    c("Milan", 45.46, 9.19, 25.0, 150.0),
    c("Rome", 41.90, 12.50, 25.0, 250.0),
    c("Zurich", 47.38, 8.54, 8.0, 100.0),
    c("Vienna", 48.21, 16.37, 9.0, 150.0),
    c("Prague", 50.08, 14.44, 10.0, 150.0),
    c("Warsaw", 52.23, 21.01, 32.0, 250.0),
    c("Budapest", 47.50, 19.04, 8.0, 150.0),
    c("Bucharest", 44.43, 26.10, 16.0, 250.0),
    c("Athens", 37.98, 23.73, 9.0, 200.0),
    c("Stockholm", 59.33, 18.07, 10.0, 200.0),
    c("Copenhagen", 55.68, 12.57, 6.0, 100.0),
    c("Helsinki", 60.17, 24.94, 5.0, 150.0),
    c("Kyiv", 50.45, 30.52, 30.0, 300.0),
    c("Moscow", 55.76, 37.62, 60.0, 300.0),
    c("St Petersburg", 59.93, 30.36, 15.0, 150.0),
    c("Yekaterinburg", 56.84, 60.61, 15.0, 400.0),
    c("Novosibirsk", 55.01, 82.93, 15.0, 500.0),
    // North America
    c("New York", 40.71, -74.01, 35.0, 150.0),
    c("Washington", 38.91, -77.04, 15.0, 150.0),
    c("Boston", 42.36, -71.06, 10.0, 100.0),
    c("Chicago", 41.88, -87.63, 20.0, 200.0),
    c("Atlanta", 33.75, -84.39, 15.0, 250.0),
    c("Miami", 25.76, -80.19, 12.0, 150.0),
    c("Dallas", 32.78, -96.80, 18.0, 250.0),
    c("Houston", 29.76, -95.37, 12.0, 200.0),
    c("Denver", 39.74, -104.99, 8.0, 300.0),
    c("Phoenix", 33.45, -112.07, 8.0, 200.0),
    c("Los Angeles", 34.05, -118.24, 30.0, 150.0),
    c("San Francisco", 37.77, -122.42, 15.0, 120.0),
    c("Seattle", 47.61, -122.33, 10.0, 150.0),
    c("Toronto", 43.65, -79.38, 15.0, 150.0),
    c("Montreal", 45.50, -73.57, 8.0, 150.0),
    c("Vancouver", 49.28, -123.12, 5.0, 150.0),
    c("Mexico City", 19.43, -99.13, 50.0, 250.0),
    c("Guadalajara", 20.66, -103.35, 20.0, 250.0),
    c("Monterrey", 25.69, -100.32, 15.0, 250.0),
    // South America
    c("Bogota", 4.71, -74.07, 35.0, 300.0),
    c("Caracas", 10.48, -66.90, 20.0, 250.0),
    c("Quito", -0.18, -78.47, 13.0, 250.0),
    c("Lima", -12.05, -77.04, 25.0, 300.0),
    c("Santiago", -33.45, -70.67, 17.0, 200.0),
    c("Buenos Aires", -34.60, -58.38, 35.0, 250.0),
    c("Sao Paulo", -23.55, -46.63, 60.0, 250.0),
    c("Rio de Janeiro", -22.91, -43.17, 35.0, 200.0),
    c("Belo Horizonte", -19.92, -43.94, 20.0, 250.0),
    c("Brasilia", -15.79, -47.88, 15.0, 300.0),
    c("Recife", -8.05, -34.88, 25.0, 300.0),
    c("Porto Alegre", -30.03, -51.23, 15.0, 250.0),
];

/// Km per degree of latitude.
const KM_PER_DEG: f64 = 111.32;

/// `n` users (weight 1 each) scattered around [`POPULATION_CENTRES`] in
/// proportion to their internet users, reproducibly from `seed`.
pub fn internet_population(n: usize, seed: u64) -> Vec<UserPoint> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut cumulative = Vec::with_capacity(POPULATION_CENTRES.len());
    let mut total = 0.0;
    for centre in POPULATION_CENTRES {
        total += centre.internet_users_millions;
        cumulative.push(total);
    }
    (0..n)
        .map(|_| {
            let x = rng.random::<f64>() * total;
            let i = cumulative
                .partition_point(|&c| c <= x)
                .min(cumulative.len() - 1);
            let centre = &POPULATION_CENTRES[i];
            let (z1, z2) = gaussian_pair(&mut rng);
            let latitude =
                (centre.latitude + centre.spread_km * z1 / KM_PER_DEG).clamp(-89.9, 89.9);
            let km_per_deg_lon = KM_PER_DEG * centre.latitude.to_radians().cos().max(0.05);
            let longitude =
                wrap_longitude(centre.longitude + centre.spread_km * z2 / km_per_deg_lon);
            UserPoint::new(latitude, longitude)
        })
        .collect()
}

/// Two independent standard normal draws (Box–Muller).
fn gaussian_pair(rng: &mut ChaCha8Rng) -> (f64, f64) {
    let u1 = 1.0 - rng.random::<f64>(); // in (0, 1], so ln is finite
    let u2 = rng.random::<f64>();
    let r = (-2.0 * u1.ln()).sqrt();
    let t = std::f64::consts::TAU * u2;
    (r * t.cos(), r * t.sin())
}

fn wrap_longitude(lon: f64) -> f64 {
    let wrapped = (lon + 180.0).rem_euclid(360.0) - 180.0;
    wrapped.clamp(-180.0, 180.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_population() {
        let a = internet_population(1000, 7);
        assert_eq!(a, internet_population(1000, 7));
        assert_ne!(a, internet_population(1000, 8));
        assert_eq!(a.len(), 1000);
        for u in &a {
            assert!((-90.0..=90.0).contains(&u.latitude));
            assert!((-180.0..=180.0).contains(&u.longitude));
            assert_eq!(u.weight, 1.0);
        }
    }

    #[test]
    fn table_is_sane() {
        assert!((60..=150).contains(&POPULATION_CENTRES.len()));
        let total: f64 = POPULATION_CENTRES
            .iter()
            .map(|c| c.internet_users_millions)
            .sum();
        // Roughly the world's internet users, in millions.
        assert!((4000.0..6500.0).contains(&total), "{total}");
    }

    #[test]
    fn asia_is_the_largest_share() {
        let pop = internet_population(20_000, 1);
        let asia = pop
            .iter()
            .filter(|u| u.longitude > 60.0 && u.longitude < 150.0 && u.latitude > -11.0)
            .count();
        assert!(asia > 9_000 && asia < 15_000, "{asia}");
    }
}
