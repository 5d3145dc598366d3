//! Measured RTTs override the model, in both solvers.

mod common;

use common::{candidate, region};
use mcgw_geo::{
    Endpoint, FleetParams, LatencyModel, LatencyOracle, MeasuredLatency, Measurement,
    MeetingRequest, Objective, Oracle, Participant, Point, RegionRef, RttSource, UserPoint,
    solve_fleet, solve_meeting,
};

fn seoul() -> Point {
    Point::new(37.5665, 126.9780)
}

#[test]
fn measured_location_rtt_wins_within_its_grid_cell() {
    let mut measured = MeasuredLatency::default();
    let tokyo = region("aws", "ap-northeast-1");
    measured
        .insert_location(
            Some("seoul-office"),
            seoul(),
            RegionRef::new("aws", "ap-northeast-1"),
            80.0,
        )
        .unwrap();
    let oracle = Oracle {
        model: LatencyModel::default(),
        measured,
    };
    assert_eq!(
        oracle.point_to_region(seoul(), &tokyo),
        (80.0, RttSource::Measured)
    );
    // 0.1° away: same 0.5° cell, same measurement.
    assert_eq!(
        oracle.point_to_region_ms(Point::new(37.6, 127.05), &tokyo),
        80.0
    );
    // 2° away: the model.
    let far = Point::new(35.5, 127.0);
    let (rtt, source) = oracle.point_to_region(far, &tokyo);
    assert_eq!(source, RttSource::Model);
    assert_eq!(rtt, LatencyModel::default().rtt_ms(far, tokyo.point()));
    // Another region from the same cell: the model.
    let seoul_region = region("aws", "ap-northeast-2");
    assert_eq!(
        oracle.point_to_region(seoul(), &seoul_region).1,
        RttSource::Model
    );
    // By name.
    assert_eq!(
        oracle
            .measured
            .named_rtt("seoul-office", "aws", "ap-northeast-1"),
        Some(80.0)
    );
    assert_eq!(
        oracle.measured.named_location("seoul-office"),
        Some(seoul())
    );
}

#[test]
fn the_minimum_of_repeated_measurements_is_kept() {
    let mut m = MeasuredLatency::new(1.0).unwrap();
    let to = RegionRef::new("gcp", "asia-northeast3");
    for rtt in [12.0, 9.5, 30.0] {
        m.insert_location(None, seoul(), to.clone(), rtt).unwrap();
    }
    assert_eq!(m.location_rtt(seoul(), "gcp", "asia-northeast3"), Some(9.5));
    assert_eq!(m.len(), 3);
}

#[test]
fn region_pairs_are_symmetric() {
    let mut m = MeasuredLatency::default();
    let (a, b) = (
        RegionRef::new("aws", "us-east-1"),
        RegionRef::new("gcp", "europe-west3"),
    );
    m.insert_region_pair(a.clone(), b.clone(), 88.0).unwrap();
    assert_eq!(m.region_rtt(&b, &a), Some(88.0));
    let oracle = Oracle {
        model: LatencyModel::default(),
        measured: m,
    };
    let (ra, rb) = (region("aws", "us-east-1"), region("gcp", "europe-west3"));
    assert_eq!(
        oracle.region_to_region(&rb, &ra),
        (88.0, RttSource::Measured)
    );
    let model = LatencyModel::default().region_to_region_ms(&ra, &rb);
    assert!((model - oracle.model.rtt_ms(ra.point(), rb.point())).abs() < 1e-12);
}

#[test]
fn invalid_measurements_are_refused() {
    let mut m = MeasuredLatency::default();
    assert!(
        m.insert_location(None, seoul(), RegionRef::new("a", "b"), -1.0)
            .is_err()
    );
    assert!(
        m.insert_location(None, Point::new(100.0, 0.0), RegionRef::new("a", "b"), 1.0)
            .is_err()
    );
    assert!(MeasuredLatency::new(0.0).is_err());
    assert!(m.is_empty());
}

/// A measured detour can change the meeting's best region.
#[test]
fn meeting_uses_measurements() {
    let participants = vec![
        Participant::at("seoul", 37.5665, 126.9780),
        Participant::at("busan", 35.18, 129.08),
    ];
    let candidates = vec![
        candidate("aws", "ap-northeast-2"),
        candidate("aws", "ap-northeast-1"),
    ];
    let request = MeetingRequest {
        participants,
        candidates,
        objective: Objective::MinMax,
    };
    let model_plan = solve_meeting(&request, &LatencyModel::default()).unwrap();
    assert_eq!(model_plan.chosen.region.code, "ap-northeast-2");
    let mut measured = MeasuredLatency::default();
    measured
        .insert_location(None, seoul(), RegionRef::new("aws", "ap-northeast-2"), 90.0)
        .unwrap();
    let oracle = Oracle {
        model: LatencyModel::default(),
        measured,
    };
    let plan = solve_meeting(&request, &oracle).unwrap();
    assert_eq!(plan.chosen.region.code, "ap-northeast-1");
}

/// The fleet solver's batched matrix honours measurements like the pairwise call.
#[test]
fn fleet_matrix_matches_pairwise_with_measurements() {
    let mut measured = MeasuredLatency::default();
    measured
        .insert_location(None, seoul(), RegionRef::new("aws", "ap-northeast-2"), 70.0)
        .unwrap();
    let oracle = Oracle {
        model: LatencyModel::default(),
        measured,
    };
    let points = [seoul(), Point::new(-33.87, 151.21), Point::new(0.0, -180.0)];
    let regions = [
        region("aws", "ap-northeast-2"),
        region("aws", "ap-southeast-2"),
    ];
    let refs: Vec<&mcgw_geo::Region> = regions.iter().collect();
    let matrix = oracle.matrix_ms(&points, &refs);
    for (r, reg) in regions.iter().enumerate() {
        for (p, &pt) in points.iter().enumerate() {
            let want = oracle.point_to_region_ms(pt, reg);
            assert!((matrix[r * points.len() + p] - want).abs() < 1e-9);
        }
    }
    assert_eq!(matrix[0], 70.0);
    // And the plan reports it: one Seoul user, one site in Seoul.
    let users = [UserPoint::new(37.5665, 126.9780)];
    let candidates = vec![candidate("aws", "ap-northeast-2")];
    let plan = solve_fleet(&users, &candidates, &FleetParams::sites(1), &oracle).unwrap();
    assert_eq!(plan.mean_rtt_ms, 70.0);
}

#[test]
fn csv_and_json_round_trip() {
    let text = "from_provider,from_code,from_name,from_latitude,from_longitude,to_provider,to_code,rtt_ms\n\
                ,,seoul-office,37.5665,126.978,aws,ap-northeast-1,31.5\n\
                aws,ap-northeast-2,,,,aws,ap-northeast-1,33\n";
    let m = MeasuredLatency::from_csv(text, 0.5).unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!(
        m.named_rtt("seoul-office", "aws", "ap-northeast-1"),
        Some(31.5)
    );
    assert_eq!(
        m.region_rtt(
            &RegionRef::new("aws", "ap-northeast-1"),
            &RegionRef::new("aws", "ap-northeast-2")
        ),
        Some(33.0)
    );
    let json = serde_json::to_string(&m).unwrap();
    let back: MeasuredLatency = serde_json::from_str(&json).unwrap();
    assert_eq!(back, m);
    let oracle: Oracle = serde_json::from_str(
        r#"{"measured": {"measurements": [
        {"from": {"kind": "location", "latitude": 1.35, "longitude": 103.82},
         "to": {"provider": "aws", "code": "ap-southeast-1"}, "rtt_ms": 2.0}]}}"#,
    )
    .unwrap();
    assert_eq!(oracle.model, LatencyModel::default());
    assert_eq!(
        oracle
            .measured
            .location_rtt(Point::new(1.35, 103.82), "aws", "ap-southeast-1"),
        Some(2.0)
    );
    let bad =
        MeasuredLatency::from_csv("from_provider,to_provider,to_code,rtt_ms\n,aws,x,1\n", 0.5)
            .unwrap_err();
    assert_eq!(bad.field(), "line 2");
    let m = Measurement {
        from: Endpoint::Region(RegionRef::new("a", "b")),
        to: RegionRef::new("c", "d"),
        rtt_ms: 1.0,
    };
    assert!(
        serde_json::to_string(&m)
            .unwrap()
            .contains("\"kind\":\"region\"")
    );
}
