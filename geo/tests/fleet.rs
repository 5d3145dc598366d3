//! Fleet placement: hand-checkable cases, prices, targets, aggregation, JSON.

mod common;

use common::{candidate, public_candidates, rng};
use mcgw_geo::synthetic::internet_population;
use mcgw_geo::{
    Candidate, Constraints, FleetGoal, FleetParams, FleetRequest, LatencyModel, PlacementError,
    TargetMetric, UserPoint, aggregate_users, parse_users_csv, solve_cells, solve_fleet,
};
use rand::Rng;

/// `n` users within about 30 km of a point.
fn cluster(rng: &mut impl Rng, lat: f64, lon: f64, n: usize, weight: f64) -> Vec<UserPoint> {
    (0..n)
        .map(|_| {
            UserPoint::weighted(
                lat + rng.random_range(-0.3..0.3),
                lon + rng.random_range(-0.3..0.3),
                weight,
            )
        })
        .collect()
}

#[test]
fn two_clusters_get_one_site_each() {
    let mut rng = rng(1);
    let mut users = cluster(&mut rng, 37.57, 126.98, 100, 1.0); // Seoul
    users.extend(cluster(&mut rng, 50.11, 8.68, 100, 1.0)); // Frankfurt
    let plan = solve_fleet(
        &users,
        &public_candidates(),
        &FleetParams::sites(2),
        &LatencyModel::default(),
    )
    .unwrap();
    let mut cities: Vec<&str> = plan.sites.iter().map(|s| s.region.city.as_str()).collect();
    cities.sort();
    assert_eq!(cities, ["Frankfurt", "Seoul"]);
    for site in &plan.sites {
        assert_eq!(site.assigned_weight, 100.0);
        // Users sit within ~40 km: RTT ≤ 5 + 0.015 × 40 ≈ 5.6 ms.
        assert!(site.max_rtt_ms < 6.0, "{site:?}");
    }
    assert!(plan.mean_rtt_ms < 6.0 && plan.p95_rtt_ms < 6.0);
    assert_eq!(plan.total_weight, 200.0);
    assert_eq!(plan.total_hourly_cost, None, "candidates have no price");
}

/// One site for 1000 users in Seoul and 1 in Frankfurt: Seoul.
#[test]
fn weights_decide_a_single_site() {
    let mut rng = rng(2);
    let mut users = cluster(&mut rng, 37.57, 126.98, 10, 100.0);
    users.push(UserPoint::new(50.11, 8.68));
    let plan = solve_fleet(
        &users,
        &public_candidates(),
        &FleetParams::sites(1),
        &LatencyModel::default(),
    )
    .unwrap();
    assert_eq!(plan.sites[0].region.city, "Seoul");
    assert_eq!(plan.sites[0].assigned_weight, 1001.0);
    // p95 is a Seoul user; the max is the Frankfurt user (~8 560 km → ~133 ms).
    assert!(plan.p95_rtt_ms < 6.0);
    assert!((plan.max_rtt_ms - 133.0).abs() < 3.0, "{}", plan.max_rtt_ms);
}

/// Four regions in Seoul at different prices: with a cost weight the cheapest
/// wins; the objective is mean RTT + cost_weight × cost.
#[test]
fn cost_weight_prefers_the_cheaper_equal_region() {
    let mut rng = rng(3);
    let users = cluster(&mut rng, 37.57, 126.98, 50, 1.0);
    let candidates = vec![
        candidate("aws", "ap-northeast-2").with_cost(0.30),
        candidate("azure", "koreacentral").with_cost(0.25),
        candidate("gcp", "asia-northeast3").with_cost(0.20),
        candidate("alibaba", "ap-northeast-2").with_cost(0.35),
        candidate("aws", "ap-northeast-1").with_cost(0.01), // Tokyo: cheap but far
    ];
    let mut params = FleetParams::sites(1);
    params.cost_weight = 10.0; // 1 $/h is worth 10 ms
    let plan = solve_fleet(&users, &candidates, &params, &LatencyModel::default()).unwrap();
    assert_eq!(plan.sites[0].region.provider, "gcp");
    assert_eq!(plan.total_hourly_cost, Some(0.20));
    assert!((plan.objective - (plan.mean_rtt_ms + 10.0 * 0.20)).abs() < 1e-9);
    // At 1000 ms per $/h Tokyo's 0.19 $/h saving outweighs ~17 ms of RTT.
    params.cost_weight = 1000.0;
    let plan = solve_fleet(&users, &candidates, &params, &LatencyModel::default()).unwrap();
    assert_eq!(plan.sites[0].region.code, "ap-northeast-1");
}

#[test]
fn budget_is_a_hard_limit() {
    let mut rng = rng(4);
    let mut users = cluster(&mut rng, 37.57, 126.98, 50, 1.0);
    users.extend(cluster(&mut rng, 40.71, -74.01, 50, 1.0)); // New York
    let candidates = vec![
        candidate("aws", "ap-northeast-2").with_cost(1.0),
        candidate("aws", "us-east-1").with_cost(1.0),
        candidate("gcp", "us-central1").with_cost(0.2),
        candidate("gcp", "asia-east1").with_cost(0.2),
    ];
    let mut params = FleetParams::sites(2);
    params.constraints.max_hourly_cost = Some(1.2);
    let plan = solve_fleet(&users, &candidates, &params, &LatencyModel::default()).unwrap();
    let cost = plan.total_hourly_cost.unwrap();
    assert!(cost <= 1.2 + 1e-9, "{cost}");
    params.constraints.max_hourly_cost = Some(0.3);
    let err = solve_fleet(&users, &candidates, &params, &LatencyModel::default()).unwrap_err();
    assert_eq!(err.field(), "constraints.max_hourly_cost");
    assert!(err.to_string().contains("cheapest 2 sites"), "{err}");
}

fn three_clusters() -> Vec<UserPoint> {
    let mut rng = rng(5);
    let mut users = cluster(&mut rng, 37.57, 126.98, 40, 1.0); // Seoul
    users.extend(cluster(&mut rng, 50.11, 8.68, 40, 1.0)); // Frankfurt
    users.extend(cluster(&mut rng, 39.04, -77.49, 40, 1.0)); // Ashburn
    users
}

#[test]
fn target_mode_finds_the_fewest_sites() {
    let users = three_clusters();
    let target = |metric, target_ms| FleetParams {
        goal: FleetGoal::Target {
            metric,
            target_ms,
            max_sites: None,
        },
        ..FleetParams::sites(1)
    };
    let oracle = LatencyModel::default();
    let candidates = public_candidates();
    // Every cluster within ~6 ms needs a site in each of the three cities.
    let plan = solve_fleet(
        &users,
        &candidates,
        &target(TargetMetric::P95, 8.0),
        &oracle,
    )
    .unwrap();
    assert_eq!(plan.k, 3);
    assert!(plan.p95_rtt_ms <= 8.0);
    // A loose target is met by one site.
    let plan = solve_fleet(
        &users,
        &candidates,
        &target(TargetMetric::Mean, 500.0),
        &oracle,
    )
    .unwrap();
    assert_eq!(plan.k, 1);
    // Two sites: Frankfurt and Ashburn clusters share one (~6 500 km apart).
    let two = solve_fleet(&users, &candidates, &FleetParams::sites(2), &oracle).unwrap();
    let plan = solve_fleet(
        &users,
        &candidates,
        &target(TargetMetric::Mean, two.mean_rtt_ms + 0.01),
        &oracle,
    )
    .unwrap();
    assert_eq!(plan.k, 2);
    // 1 ms is below the 5 ms base: unreachable, and the error says how close it got.
    let err = solve_fleet(
        &users,
        &candidates,
        &target(TargetMetric::P95, 1.0),
        &oracle,
    )
    .unwrap_err();
    assert_eq!(err.field(), "goal.target_ms");
    assert!(err.to_string().contains("best p95 found"), "{err}");
}

#[test]
fn target_mode_respects_max_sites_and_budget() {
    let users = three_clusters();
    let oracle = LatencyModel::default();
    let candidates: Vec<Candidate> = public_candidates()
        .into_iter()
        .map(|c| c.with_cost(1.0))
        .collect();
    let params = FleetParams {
        goal: FleetGoal::Target {
            metric: TargetMetric::P95,
            target_ms: 8.0,
            max_sites: Some(2),
        },
        ..FleetParams::sites(1)
    };
    let err = solve_fleet(&users, &candidates, &params, &oracle).unwrap_err();
    assert!(err.to_string().contains("with 2 sites"), "{err}");
    let params = FleetParams {
        goal: FleetGoal::Target {
            metric: TargetMetric::P95,
            target_ms: 8.0,
            max_sites: None,
        },
        constraints: Constraints {
            max_hourly_cost: Some(2.5),
            ..Constraints::default()
        },
        ..FleetParams::sites(1)
    };
    let err = solve_fleet(&users, &candidates, &params, &oracle).unwrap_err();
    assert!(err.to_string().contains("budget"), "{err}");
}

#[test]
fn aggregation_keeps_weight_and_shrinks_the_input() {
    let users = internet_population(8_000, 9);
    for grid in [0.5, 1.0, 2.0] {
        let cells = aggregate_users(&users, grid).unwrap();
        assert!(cells.len() < users.len(), "{grid}: {} cells", cells.len());
        if grid >= 2.0 {
            assert!(
                cells.len() < users.len() / 4,
                "{grid}: {} cells",
                cells.len()
            );
        }
        let total: f64 = cells.iter().map(|c| c.weight).sum();
        assert!((total - 8_000.0).abs() < 1e-6);
    }
    // No aggregation: every point is its own cell.
    assert_eq!(aggregate_users(&users, 0.0).unwrap().len(), users.len());
    // Order does not matter.
    let mut reversed = users.clone();
    reversed.reverse();
    let a = aggregate_users(&users, 1.0).unwrap();
    let b = aggregate_users(&reversed, 1.0).unwrap();
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert!((x.latitude - y.latitude).abs() < 1e-9 && (x.weight - y.weight).abs() < 1e-9);
    }
    // Points on the edges of the world are fine.
    let edges = [
        UserPoint::new(90.0, 180.0),
        UserPoint::new(-90.0, -180.0),
        UserPoint::new(0.0, 180.0),
    ];
    assert_eq!(aggregate_users(&edges, 0.5).unwrap().len(), 3);
    // A fine grid takes the sparse path and gives the same total.
    let fine = aggregate_users(&users[..1000], 0.1).unwrap();
    assert!((fine.iter().map(|c| c.weight).sum::<f64>() - 1000.0).abs() < 1e-9);
}

#[test]
fn same_seed_same_plan_and_bound_is_below() {
    let users = internet_population(1_500, 3);
    let candidates = public_candidates();
    let mut params = FleetParams::sites(5);
    params.options.grid_deg = 5.0;
    params.options.lower_bound_iterations = 100;
    let oracle = LatencyModel::default();
    let a = solve_fleet(&users, &candidates, &params, &oracle).unwrap();
    let b = solve_fleet(&users, &candidates, &params, &oracle).unwrap();
    assert_eq!(a, b);
    let lb = a.lower_bound.unwrap();
    assert!(lb <= a.objective + 1e-9, "{lb} > {}", a.objective);
    assert!(a.gap.unwrap() < 0.05, "gap {:?}", a.gap);
    assert!(a.stats.starts > params.options.restarts);
    let per_site: f64 = a.sites.iter().map(|s| s.assigned_weight).sum();
    assert!((per_site - 1500.0).abs() < 1e-6);
    assert!(
        a.sites
            .windows(2)
            .all(|w| w[0].assigned_weight >= w[1].assigned_weight)
    );
}

#[test]
fn solve_cells_equals_solve_fleet_after_aggregation() {
    let users = internet_population(2_000, 4);
    let candidates = public_candidates();
    let mut params = FleetParams::sites(4);
    params.options.grid_deg = 3.0;
    let oracle = LatencyModel::default();
    let cells = aggregate_users(&users, 3.0).unwrap();
    let a = solve_cells(&cells, &candidates, &params, &oracle).unwrap();
    let b = solve_fleet(&users, &candidates, &params, &oracle).unwrap();
    assert_eq!(a, b);
}

#[test]
fn json_request_round_trip() {
    let json = r#"{
        "users": [{"latitude": 37.5, "longitude": 127.0, "weight": 10},
                  {"latitude": 50.1, "longitude": 8.7}],
        "candidates": [
          {"region": {"provider": "aws", "code": "ap-northeast-2", "display_name": "Seoul", "city": "Seoul",
                      "country": "KR", "latitude": 37.5665, "longitude": 126.978}, "hourly_cost": 0.1},
          {"region": {"provider": "gcp", "code": "europe-west3", "display_name": "Frankfurt", "city": "Frankfurt",
                      "country": "DE", "latitude": 50.1109, "longitude": 8.6821}}
        ],
        "goal": {"mode": "sites", "k": 2},
        "constraints": {"max_sites_per_provider": {"*": 1}, "min_providers": 2},
        "options": {"grid_deg": 1.0, "seed": 3}
    }"#;
    let request: FleetRequest = serde_json::from_str(json).unwrap();
    assert_eq!(request.users[1].weight, 1.0, "weight defaults to 1");
    assert_eq!(
        request.params.options.restarts, 4,
        "unset options keep defaults"
    );
    let plan = request.solve(&LatencyModel::default()).unwrap();
    assert_eq!(plan.k, 2);
    let out = serde_json::to_value(&plan).unwrap();
    for key in [
        "sites",
        "mean_rtt_ms",
        "p95_rtt_ms",
        "total_hourly_cost",
        "objective",
        "stats",
    ] {
        assert!(out.get(key).is_some(), "{key} missing from {out}");
    }
    assert!(out["sites"][0]["assigned_weight"].is_number());
    let again: FleetRequest =
        serde_json::from_value(serde_json::to_value(&request).unwrap()).unwrap();
    assert_eq!(again, request);
    let target: FleetGoal =
        serde_json::from_str(r#"{"mode": "target", "metric": "p95", "target_ms": 30}"#).unwrap();
    assert!(matches!(
        target,
        FleetGoal::Target {
            metric: TargetMetric::P95,
            ..
        }
    ));
}

#[test]
fn reads_the_example_users_file() {
    let text = include_str!("../../examples/placement/users-sample.csv");
    let users = parse_users_csv(text).unwrap();
    assert!(users.len() >= 200, "{}", users.len());
    let plan = solve_fleet(
        &users,
        &public_candidates(),
        &FleetParams::sites(3),
        &LatencyModel::default(),
    )
    .unwrap();
    assert_eq!(plan.sites.len(), 3);
    let err = parse_users_csv("latitude,longitude\n1,x\n").unwrap_err();
    assert!(matches!(err, PlacementError::Parse { .. }));
    assert_eq!(err.field(), "line 2");
}
