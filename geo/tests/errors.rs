//! Every validation error: the right variant, the offending field, a message
//! that names it (the gateway returns these as HTTP 400).

mod common;

use common::candidate;
use mcgw_geo::{
    Candidate, Constraints, FleetGoal, FleetParams, LatencyModel, MeetingRequest, Objective,
    Participant, PlacementError, TargetMetric, UserPoint, aggregate_users, parse_participants_csv,
    solve_fleet,
};

fn meeting(participants: Vec<Participant>, candidates: Vec<Candidate>) -> PlacementError {
    let request = MeetingRequest {
        participants,
        candidates,
        objective: Objective::MinMax,
    };
    mcgw_geo::solve_meeting(&request, &LatencyModel::default()).unwrap_err()
}

fn fleet(users: &[UserPoint], candidates: &[Candidate], params: &FleetParams) -> PlacementError {
    solve_fleet(users, candidates, params, &LatencyModel::default()).unwrap_err()
}

fn four() -> Vec<Candidate> {
    vec![
        candidate("aws", "ap-northeast-2").with_cost(0.1),
        candidate("aws", "eu-central-1").with_cost(0.1),
        candidate("gcp", "us-east4").with_cost(0.1),
        candidate("azure", "brazilsouth").with_cost(0.1),
    ]
}

fn users() -> Vec<UserPoint> {
    vec![
        UserPoint::new(37.5, 127.0),
        UserPoint::new(50.1, 8.7),
        UserPoint::new(-23.5, -46.6),
    ]
}

/// The error's field is `field` and its message starts with it.
fn expect(err: PlacementError, field: &str, words: &str) {
    assert_eq!(err.field(), field, "{err:?}");
    let msg = err.to_string();
    assert!(msg.starts_with(field), "{msg}");
    assert!(msg.contains(words), "{msg} should mention {words}");
    // Serializable for the HTTP body.
    let json = serde_json::to_value(&err).unwrap();
    assert_eq!(json["field"], field);
}

#[test]
fn empty_inputs() {
    expect(meeting(vec![], four()), "participants", "must not be empty");
    expect(
        meeting(vec![Participant::at("a", 1.0, 1.0)], vec![]),
        "candidates",
        "must not be empty",
    );
    expect(
        fleet(&[], &four(), &FleetParams::sites(1)),
        "users",
        "must not be empty",
    );
    expect(
        fleet(&users(), &[], &FleetParams::sites(1)),
        "candidates",
        "must not be empty",
    );
}

#[test]
fn coordinates_out_of_range() {
    let bad_lat = vec![
        Participant::at("a", 1.0, 1.0),
        Participant::at("b", 91.0, 1.0),
    ];
    expect(
        meeting(bad_lat, four()),
        "participants[1].latitude",
        "between -90 and 90",
    );
    expect(
        meeting(vec![Participant::at("a", 1.0, -180.5)], four()),
        "participants[0].longitude",
        "between -180 and 180",
    );
    let mut u = users();
    u[2].latitude = f64::NAN;
    expect(
        fleet(&u, &four(), &FleetParams::sites(1)),
        "users[2].latitude",
        "NaN",
    );
    let mut u = users();
    u[1].longitude = 200.0;
    expect(
        fleet(&u, &four(), &FleetParams::sites(1)),
        "users[1].longitude",
        "200",
    );
    // Also without aggregation, and for candidates.
    let mut params = FleetParams::sites(1);
    params.options.grid_deg = 0.0;
    expect(fleet(&u, &four(), &params), "users[1].longitude", "200");
    let mut c = four();
    c[3].region.latitude = -100.0;
    expect(
        fleet(&users(), &c, &params),
        "candidates[3].region.latitude",
        "-100",
    );
}

#[test]
fn weights() {
    let mut p = vec![Participant::at("a", 1.0, 1.0)];
    p[0].weight = Some(-1.0);
    expect(meeting(p, four()), "participants[0].weight", ">= 0");
    let mut p = vec![Participant::at("a", 1.0, 1.0)];
    p[0].weight = Some(f64::NAN);
    expect(meeting(p, four()), "participants[0].weight", "NaN");
    let mut p = vec![Participant::at("a", 1.0, 1.0)];
    p[0].weight = Some(0.0);
    expect(meeting(p, four()), "participants", "sum to zero");
    let mut u = users();
    u[0].weight = f64::INFINITY;
    expect(
        fleet(&u, &four(), &FleetParams::sites(1)),
        "users[0].weight",
        "inf",
    );
    let zero: Vec<UserPoint> = users()
        .iter()
        .map(|u| UserPoint::weighted(u.latitude, u.longitude, 0.0))
        .collect();
    expect(
        fleet(&zero, &four(), &FleetParams::sites(1)),
        "users",
        "sum to zero",
    );
}

#[test]
fn k_out_of_range() {
    let err = fleet(&users(), &four(), &FleetParams::sites(0));
    assert!(matches!(err, PlacementError::InvalidK { k: 0, .. }));
    expect(err, "goal.k", "at least 1");
    let err = fleet(&users(), &four(), &FleetParams::sites(5));
    assert!(matches!(
        err,
        PlacementError::InvalidK {
            k: 5,
            candidates: 4,
            ..
        }
    ));
    expect(err, "goal.k", "only 4 candidate regions");
    let params = FleetParams {
        goal: FleetGoal::Target {
            metric: TargetMetric::Mean,
            target_ms: 20.0,
            max_sites: Some(0),
        },
        ..FleetParams::sites(1)
    };
    expect(
        fleet(&users(), &four(), &params),
        "goal.max_sites",
        "at least 1",
    );
}

#[test]
fn candidates_prices_and_duplicates() {
    let mut c = four();
    c[1].hourly_cost = Some(-0.5);
    expect(
        fleet(&users(), &c, &FleetParams::sites(1)),
        "candidates[1].hourly_cost",
        "-0.5",
    );
    let mut c = four();
    c.push(c[0].clone());
    expect(
        fleet(&users(), &c, &FleetParams::sites(1)),
        "candidates[4]",
        "aws/ap-northeast-2",
    );
    expect(
        meeting(vec![Participant::at("a", 1.0, 1.0)], c),
        "candidates[4]",
        "more than once",
    );
    // Prices are needed when they matter, and only then.
    let mut c = four();
    c[2].hourly_cost = None;
    let mut params = FleetParams::sites(2);
    assert!(solve_fleet(&users(), &c, &params, &LatencyModel::default()).is_ok());
    params.cost_weight = 1.0;
    expect(
        fleet(&users(), &c, &params),
        "candidates[2].hourly_cost",
        "cost_weight",
    );
    params.cost_weight = 0.0;
    params.constraints.max_hourly_cost = Some(1.0);
    expect(
        fleet(&users(), &c, &params),
        "candidates[2].hourly_cost",
        "max_hourly_cost",
    );
    // ...unless that candidate is not allowed anyway.
    params.constraints.allowed_providers = vec!["aws".into(), "azure".into()];
    assert!(solve_fleet(&users(), &c, &params, &LatencyModel::default()).is_ok());
}

#[test]
fn unknown_providers() {
    let mut params = FleetParams::sites(1);
    params.constraints.allowed_providers = vec!["aws".into(), "oracle".into()];
    let err = fleet(&users(), &four(), &params);
    assert!(
        matches!(&err, PlacementError::UnknownProvider { provider, .. } if provider == "oracle")
    );
    expect(err, "constraints.allowed_providers[1]", "aws, azure, gcp");
    let mut params = FleetParams::sites(1);
    params
        .constraints
        .max_sites_per_provider
        .insert("amazon".into(), 1);
    expect(
        fleet(&users(), &four(), &params),
        "constraints.max_sites_per_provider.amazon",
        "\"amazon\"",
    );
    let mut params = FleetParams::sites(1);
    params
        .constraints
        .min_sites_per_provider
        .insert("ibm".into(), 1);
    expect(
        fleet(&users(), &four(), &params),
        "constraints.min_sites_per_provider.ibm",
        "no candidate region",
    );
}

#[test]
fn infeasible_constraints_are_explained() {
    let with = |k: usize, f: &dyn Fn(&mut Constraints)| {
        let mut params = FleetParams::sites(k);
        f(&mut params.constraints);
        fleet(&users(), &four(), &params)
    };
    expect(
        with(3, &|c| {
            c.allowed_providers = vec!["aws".into(), "gcp".into()];
            c.min_providers = 3;
        }),
        "constraints.min_providers",
        "at least 3 providers requested but only 2 allowed providers have candidates",
    );
    expect(
        with(3, &|c| {
            c.min_sites_per_provider.insert("gcp".into(), 2);
        }),
        "constraints.min_sites_per_provider.gcp",
        "gcp has only 1 candidate region",
    );
    expect(
        with(2, &|c| {
            c.min_sites_per_provider.insert("aws".into(), 2);
            c.min_sites_per_provider.insert("gcp".into(), 1);
        }),
        "constraints.min_sites_per_provider",
        "add up to 3 sites but k = 2",
    );
    expect(
        with(2, &|c| c.min_providers = 3),
        "constraints.min_providers",
        "only k = 2 sites",
    );
    expect(
        with(3, &|c| {
            c.max_sites_per_provider.insert("*".into(), 1);
            c.allowed_providers = vec!["aws".into(), "gcp".into()];
        }),
        "constraints.max_sites_per_provider",
        "at most 2",
    );
    expect(
        with(3, &|c| c.allowed_providers = vec!["aws".into()]),
        "constraints.allowed_providers",
        "only 2 candidate regions",
    );
    expect(
        with(1, &|c| {
            c.allowed_providers = vec!["aws".into()];
            c.min_sites_per_provider.insert("gcp".into(), 1);
        }),
        "constraints.min_sites_per_provider.gcp",
        "not in allowed_providers",
    );
    expect(
        with(1, &|c| {
            c.min_sites_per_provider.insert("aws".into(), 2);
            c.max_sites_per_provider.insert("aws".into(), 1);
        }),
        "constraints.min_sites_per_provider.aws",
        "at most 1 allowed",
    );
    expect(
        with(2, &|c| c.max_hourly_cost = Some(0.15)),
        "constraints.max_hourly_cost",
        "above the budget",
    );
    let err = with(2, &|c| c.max_hourly_cost = Some(0.15));
    assert!(matches!(err, PlacementError::Infeasible { .. }));
}

#[test]
fn bad_parameters() {
    let mut params = FleetParams::sites(1);
    params.cost_weight = -1.0;
    expect(fleet(&users(), &four(), &params), "cost_weight", ">= 0");
    let mut params = FleetParams::sites(1);
    params.options.grid_deg = 45.0;
    expect(
        fleet(&users(), &four(), &params),
        "options.grid_deg",
        "between 0 and 10",
    );
    expect(
        aggregate_users(&users(), -1.0).unwrap_err(),
        "options.grid_deg",
        "-1",
    );
    let mut params = FleetParams::sites(1);
    params.options.restarts = 5000;
    expect(
        fleet(&users(), &four(), &params),
        "options.restarts",
        "at most 1000",
    );
    let mut params = FleetParams::sites(1);
    params.constraints.max_hourly_cost = Some(f64::NAN);
    expect(
        fleet(&users(), &four(), &params),
        "constraints.max_hourly_cost",
        "NaN",
    );
    let params = FleetParams {
        goal: FleetGoal::Target {
            metric: TargetMetric::P95,
            target_ms: 0.0,
            max_sites: None,
        },
        ..FleetParams::sites(1)
    };
    expect(fleet(&users(), &four(), &params), "goal.target_ms", "> 0");
    expect(
        "fastest".parse::<Objective>().unwrap_err(),
        "objective",
        "min-max",
    );
}

#[test]
fn unparsable_csv() {
    let err = parse_participants_csv("name,latitude,longitude\na,1,2\nb,north,2\n").unwrap_err();
    assert!(matches!(err, PlacementError::Parse { .. }));
    expect(err, "line 3", "");
}
