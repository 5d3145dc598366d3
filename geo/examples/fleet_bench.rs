//! Fleet placement benchmark: 1 million synthetic internet users, every public
//! region of AWS, Azure, GCP and Alibaba Cloud as candidates, k = 18.
//!
//! Run with `cargo run --release -p mcgw-geo --example fleet_bench`.
//! Optional arguments: `[users] [k] [grid_deg] [restarts]`.
//!
//! Prints the aggregation, solve and total time (goal: under 1 s), the chosen
//! sites, and two optimality checks: a Lagrangian lower bound (a proof: no plan
//! with k sites can beat it) and the best of many random restarts (evidence
//! only: a search that tries harder does not find a better plan).

use std::time::Instant;

use mcgw_geo::synthetic::internet_population;
use mcgw_geo::{Candidate, Catalog, FleetParams, LatencyModel, aggregate_users, solve_cells};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: f64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let n = arg(0, 1_000_000.0) as usize;
    let k = arg(1, 18.0) as usize;
    let grid = arg(2, mcgw_geo::SolverOptions::default().grid_deg);
    let restarts = arg(3, 4.0) as usize;

    let catalog = Catalog::builtin();
    let candidates: Vec<Candidate> =
        Candidate::all(catalog.regions().iter().filter(|r| r.provider != "sim"));
    let oracle = LatencyModel::default();

    let t = Instant::now();
    let users = internet_population(n, 42);
    let generate = t.elapsed();

    let t0 = Instant::now();
    let cells = aggregate_users(&users, grid).expect("valid users");
    let aggregate = t0.elapsed();

    let mut params = FleetParams::sites(k);
    params.options.grid_deg = grid;
    params.options.restarts = restarts;
    let t1 = Instant::now();
    let plan = solve_cells(&cells, &candidates, &params, &oracle).expect("valid request");
    let solve = t1.elapsed();
    let total = t0.elapsed();

    println!("fleet placement benchmark");
    println!(
        "  users                {n:>10}   (synthetic internet population, seed 42, generated in {:.0} ms)",
        ms(generate)
    );
    println!(
        "  candidates           {:>10}   (aws, azure, gcp, alibaba)",
        candidates.len()
    );
    println!("  k                    {k:>10}");
    println!(
        "  grid                 {grid:>9}°   -> {} cells",
        cells.len()
    );
    println!(
        "  starts               {:>10}   (greedy + random; --restarts {restarts}, more added while cheap; {} swaps)",
        plan.stats.starts, plan.stats.swaps
    );
    println!();
    println!("  aggregation time     {:>9.1} ms", ms(aggregate));
    println!(
        "  solve time           {:>9.1} ms   (RTT matrix + search)",
        ms(solve)
    );
    println!(
        "  total time           {:>9.1} ms   (goal < 1000 ms)",
        ms(total)
    );
    println!();
    println!(
        "  {:<8} {:<24} {:<16} {:>9} {:>7} {:>9} {:>9}",
        "provider", "region", "city", "users", "share", "mean ms", "p95 ms"
    );
    for s in &plan.sites {
        println!(
            "  {:<8} {:<24} {:<16} {:>9.0} {:>6.1}% {:>9.1} {:>9.1}",
            s.region.provider,
            s.region.code,
            s.region.city,
            s.assigned_weight,
            100.0 * s.assigned_weight / plan.total_weight,
            s.mean_rtt_ms,
            s.p95_rtt_ms
        );
    }
    println!();
    println!("  overall mean RTT     {:>9.2} ms", plan.mean_rtt_ms);
    println!("  overall p95 RTT      {:>9.2} ms", plan.p95_rtt_ms);
    println!("  overall max RTT      {:>9.2} ms", plan.max_rtt_ms);

    // Optimality, 1: Lagrangian lower bound (proof).
    let mut bounded = params.clone();
    bounded.options.lower_bound_iterations = LB_ITERATIONS;
    bounded.options.restarts = restarts;
    let t2 = Instant::now();
    let with_bound = solve_cells(&cells, &candidates, &bounded, &oracle).expect("valid request");
    let bound_time = t2.elapsed();
    let lb = with_bound.lower_bound.expect("bound requested");
    println!();
    println!(
        "  lower bound          {:>9.4} ms   (Lagrangian relaxation, {LB_ITERATIONS} subgradient steps; solve + bound {:.0} ms)",
        lb,
        ms(bound_time)
    );
    println!(
        "  certified gap        {:>9.4} %    (plan objective {:.4} ms is at most this far above optimal)",
        100.0 * (plan.objective - lb) / lb,
        plan.objective
    );

    // Optimality, 2: many more random restarts (evidence).
    let mut many = params.clone();
    many.options.restarts = 64;
    many.options.seed = 7;
    let t3 = Instant::now();
    let deep = solve_cells(&cells, &candidates, &many, &oracle).expect("valid request");
    println!(
        "  best of 64 restarts  {:>9.4} ms   ({:.0} ms; default plan is {:+.4} % vs this)",
        deep.objective,
        ms(t3.elapsed()),
        100.0 * (plan.objective - deep.objective) / deep.objective
    );

    // Baselines: what simpler placements give on the same cells.
    let centroid = centroid_of(&cells);
    let mut by_distance: Vec<&Candidate> = candidates.iter().collect();
    by_distance.sort_by(|a, b| {
        let da = mcgw_geo::great_circle_km(centroid, a.region.point());
        let db = mcgw_geo::great_circle_km(centroid, b.region.point());
        da.total_cmp(&db)
    });
    let nearest: Vec<mcgw_geo::Point> = by_distance
        .iter()
        .take(k)
        .map(|c| c.region.point())
        .collect();
    let mut rng_state = 0x9E37_79B9_7F4A_7C15u64;
    let mut random_sum = 0.0;
    const DRAWS: usize = 20;
    for _ in 0..DRAWS {
        let mut pool: Vec<mcgw_geo::Point> = candidates.iter().map(|c| c.region.point()).collect();
        let mut chosen = Vec::with_capacity(k);
        for _ in 0..k {
            rng_state ^= rng_state << 13;
            rng_state ^= rng_state >> 7;
            rng_state ^= rng_state << 17;
            chosen.push(pool.swap_remove((rng_state % pool.len() as u64) as usize));
        }
        random_sum += mean_to(&cells, &chosen, &oracle);
    }
    println!();
    println!(
        "  baseline: {k} regions nearest the users' centroid ({:.1}, {:.1}): mean {:.1} ms",
        centroid.latitude,
        centroid.longitude,
        mean_to(&cells, &nearest, &oracle)
    );
    println!(
        "  baseline: {k} random regions (mean of {DRAWS} draws):            mean {:.1} ms",
        random_sum / DRAWS as f64
    );

    // Aggregation error: the same plan evaluated on raw points vs cells.
    let raw = raw_mean(&users, &plan, &oracle);
    println!(
        "  aggregation error    {:>9.3} ms   (plan's mean RTT on the raw 1M points: {:.3} ms)",
        raw - plan.mean_rtt_ms,
        raw
    );
}

/// Subgradient steps for the lower bound.
const LB_ITERATIONS: usize = 1000;

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Weighted centroid of the users on the sphere (normalised mean of unit vectors).
fn centroid_of(users: &[mcgw_geo::UserPoint]) -> mcgw_geo::Point {
    let (mut x, mut y, mut z) = (0.0, 0.0, 0.0);
    for u in users {
        let (la, lo) = (u.latitude.to_radians(), u.longitude.to_radians());
        x += u.weight * la.cos() * lo.cos();
        y += u.weight * la.cos() * lo.sin();
        z += u.weight * la.sin();
    }
    let h = (x * x + y * y).sqrt();
    mcgw_geo::Point::new(z.atan2(h).to_degrees(), y.atan2(x).to_degrees())
}

/// Weighted mean RTT from users to their nearest site.
fn mean_to(users: &[mcgw_geo::UserPoint], sites: &[mcgw_geo::Point], model: &LatencyModel) -> f64 {
    let sum: f64 = users
        .iter()
        .map(|u| {
            sites
                .iter()
                .map(|&s| model.rtt_ms(u.point(), s))
                .fold(f64::INFINITY, f64::min)
                * u.weight
        })
        .sum();
    sum / users.iter().map(|u| u.weight).sum::<f64>()
}

/// Mean RTT of the raw users to their nearest chosen site.
fn raw_mean(
    users: &[mcgw_geo::UserPoint],
    plan: &mcgw_geo::FleetPlan,
    model: &LatencyModel,
) -> f64 {
    let sites: Vec<mcgw_geo::Point> = plan.sites.iter().map(|s| s.region.point()).collect();
    let sum: f64 = users
        .iter()
        .map(|u| {
            sites
                .iter()
                .map(|&s| model.rtt_ms(u.point(), s))
                .fold(f64::INFINITY, f64::min)
                * u.weight
        })
        .sum();
    sum / users.iter().map(|u| u.weight).sum::<f64>()
}
