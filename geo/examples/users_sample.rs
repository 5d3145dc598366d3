//! Print a sample of the synthetic internet population as the gateway CLI's
//! users CSV (`name,latitude,longitude,weight`).
//!
//! `cargo run -p mcgw-geo --example users_sample -- [n] [seed] > examples/placement/users-sample.csv`
//! regenerates the checked-in sample (300 users, seed 2024). Each user is
//! named after the nearest population centre.

use mcgw_geo::great_circle_km;
use mcgw_geo::synthetic::{POPULATION_CENTRES, internet_population};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = args.first().and_then(|a| a.parse().ok()).unwrap_or(300);
    let seed = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(2024);
    println!("name,latitude,longitude,weight");
    for (i, u) in internet_population(n, seed).iter().enumerate() {
        let centre = POPULATION_CENTRES
            .iter()
            .min_by(|a, b| {
                let da = great_circle_km(u.point(), mcgw_geo::Point::new(a.latitude, a.longitude));
                let db = great_circle_km(u.point(), mcgw_geo::Point::new(b.latitude, b.longitude));
                da.total_cmp(&db)
            })
            .expect("the table is not empty");
        let name = centre.name.to_lowercase().replace([' ', '\''], "-");
        println!(
            "{name}-{:03},{:.4},{:.4},{}",
            i + 1,
            u.latitude,
            u.longitude,
            u.weight
        );
    }
}
