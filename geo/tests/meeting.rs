//! Meeting placement: hand-checked cases, ties, and exactness against brute force.

mod common;

use common::{candidate, public_candidates, rng};
use mcgw_geo::{
    Candidate, LatencyModel, MeetingRequest, Objective, Participant, parse_participants_csv,
    solve_meeting,
};
use rand::Rng;

fn seoul_tokyo_singapore() -> Vec<Participant> {
    vec![
        Participant::at("seoul", 37.5665, 126.9780),
        Participant::at("tokyo", 35.6762, 139.6503),
        Participant::at("singapore", 1.3521, 103.8198),
    ]
}

fn five_aws_regions() -> Vec<Candidate> {
    [
        "ap-northeast-2",
        "ap-northeast-1",
        "ap-southeast-1",
        "ap-east-1",
        "us-east-1",
    ]
    .iter()
    .map(|code| candidate("aws", code))
    .collect()
}

/// Great-circle distances (km) from the participants to the candidates:
///
/// | region             | Seoul  | Tokyo  | Singapore |
/// |--------------------|--------|--------|-----------|
/// | ap-northeast-2 SEL |      0 |  1 149 |  4 672    |
/// | ap-northeast-1 TYO |  1 149 |      0 |  5 311    |
/// | ap-southeast-1 SIN |  4 672 |  5 311 |      0    |
/// | ap-east-1 HKG      |  2 092 |  2 876 |  2 586    |
/// | us-east-1 IAD      | 11 137 | 10 874 | 15 521    |
///
/// RTT = 5 + 2 × km × 1.5 / 200 = 5 + 0.015 × km, so Hong Kong gives
/// 36.39 / 48.13 / 43.79 ms: its worst participant (Tokyo, 48.1 ms) beats
/// every other region's worst (Seoul's is Singapore at 75.1 ms).
#[test]
fn min_max_picks_hong_kong_for_seoul_tokyo_singapore() {
    let request = MeetingRequest {
        participants: seoul_tokyo_singapore(),
        candidates: five_aws_regions(),
        objective: Objective::MinMax,
    };
    let plan = solve_meeting(&request, &LatencyModel::default()).unwrap();
    assert_eq!(plan.chosen.region.code, "ap-east-1");
    let rtts: Vec<f64> = plan.participants.iter().map(|p| p.rtt_ms).collect();
    for (got, want) in rtts.iter().zip([36.39, 48.13, 43.79]) {
        assert!((got - want).abs() < 0.05, "{rtts:?}");
    }
    assert!((plan.objective_ms - 48.13).abs() < 0.05);
    // Random region: mean of the five worst-participant RTTs
    // (75.08 + 84.67 + 84.67 + 48.13 + 237.82) / 5 = 106.07 ms.
    assert!(
        (plan.random_region_ms - 106.07).abs() < 0.05,
        "{}",
        plan.random_region_ms
    );
    assert_eq!(plan.worst.region.code, "us-east-1");
    assert!((plan.worst.objective_ms - 237.82).abs() < 0.05);
    assert_eq!(plan.ranking.len(), 5);
    assert_eq!(plan.participants[1].name.as_deref(), Some("tokyo"));
}

/// With the mean as objective Seoul wins: (5.00 + 22.24 + 75.08) / 3 = 34.11 ms
/// against Tokyo's 37.30 and Hong Kong's 42.77.
#[test]
fn min_mean_picks_seoul() {
    let request = MeetingRequest {
        participants: seoul_tokyo_singapore(),
        candidates: five_aws_regions(),
        objective: Objective::MinMean,
    };
    let plan = solve_meeting(&request, &LatencyModel::default()).unwrap();
    assert_eq!(plan.chosen.region.code, "ap-northeast-2");
    assert!(
        (plan.objective_ms - 34.11).abs() < 0.05,
        "{}",
        plan.objective_ms
    );
    assert!((plan.chosen.max_rtt_ms - 75.08).abs() < 0.05);
}

#[test]
fn weights_move_the_mean() {
    let mut participants = seoul_tokyo_singapore();
    participants[2].weight = Some(10.0); // ten people in Singapore
    let request = MeetingRequest {
        participants,
        candidates: five_aws_regions(),
        objective: Objective::MinMean,
    };
    let plan = solve_meeting(&request, &LatencyModel::default()).unwrap();
    assert_eq!(plan.chosen.region.code, "ap-southeast-1");
}

/// Tokyo and Singapore tie under min-max (both worst = 84.67 ms, the
/// Tokyo–Singapore distance): cost decides, then the code.
#[test]
fn ties_break_by_cost_then_code() {
    let participants = seoul_tokyo_singapore();
    let tyo = candidate("aws", "ap-northeast-1");
    let sin = candidate("aws", "ap-southeast-1");
    let solve = |candidates: Vec<Candidate>| {
        let request = MeetingRequest {
            participants: participants.clone(),
            candidates,
            objective: Objective::MinMax,
        };
        solve_meeting(&request, &LatencyModel::default()).unwrap()
    };
    // No prices: code order, ap-northeast-1 < ap-southeast-1.
    assert_eq!(
        solve(vec![sin.clone(), tyo.clone()]).chosen.region.code,
        "ap-northeast-1"
    );
    // Singapore cheaper: Singapore.
    let plan = solve(vec![tyo.clone().with_cost(0.2), sin.clone().with_cost(0.1)]);
    assert_eq!(plan.chosen.region.code, "ap-southeast-1");
    // A price beats no price.
    assert_eq!(
        solve(vec![tyo.clone(), sin.clone().with_cost(9.0)])
            .chosen
            .region
            .code,
        "ap-southeast-1"
    );
    // Same city, same code, different providers: provider order.
    let plan = solve(vec![
        candidate("gcp", "asia-northeast1"),
        candidate("azure", "japaneast"),
    ]);
    assert_eq!(plan.ranking[0].objective_ms, plan.ranking[1].objective_ms);
    assert_eq!(
        plan.chosen.region.provider, "gcp",
        "asia-northeast1 < japaneast"
    );
}

/// The solver is exhaustive, so on random instances its objective equals the
/// brute-force minimum exactly (gap 0), for both objectives.
#[test]
fn equals_brute_force_on_random_instances() {
    let model = LatencyModel::default();
    let all = public_candidates();
    let mut rng = rng(11);
    for instance in 0..40 {
        let n = rng.random_range(2..12);
        let participants: Vec<Participant> = (0..n)
            .map(|i| Participant {
                name: Some(format!("p{i}")),
                latitude: rng.random_range(-60.0..70.0),
                longitude: rng.random_range(-180.0..180.0),
                weight: Some(rng.random_range(1..5) as f64),
            })
            .collect();
        let objective = if instance % 2 == 0 {
            Objective::MinMax
        } else {
            Objective::MinMean
        };
        let request = MeetingRequest {
            participants: participants.clone(),
            candidates: all.clone(),
            objective,
        };
        let plan = solve_meeting(&request, &model).unwrap();
        let total: f64 = participants.iter().map(|p| p.weight()).sum();
        let scores: Vec<f64> = all
            .iter()
            .map(|c| {
                let rtts: Vec<f64> = participants
                    .iter()
                    .map(|p| model.rtt_ms(p.point(), c.region.point()))
                    .collect();
                match objective {
                    Objective::MinMax => rtts.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    Objective::MinMean => {
                        rtts.iter()
                            .zip(&participants)
                            .map(|(r, p)| r * p.weight())
                            .sum::<f64>()
                            / total
                    }
                }
            })
            .collect();
        let best = scores.iter().copied().fold(f64::INFINITY, f64::min);
        let gap = plan.objective_ms - best;
        assert!(gap.abs() < 1e-9, "instance {instance}: gap {gap}");
        let worst = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert!((plan.worst.objective_ms - worst).abs() < 1e-9);
        let mean = scores.iter().sum::<f64>() / scores.len() as f64;
        assert!((plan.random_region_ms - mean).abs() < 1e-9);
        assert!(plan.objective_ms <= plan.random_region_ms && plan.random_region_ms <= worst);
    }
}

#[test]
fn reads_the_example_file() {
    let text = include_str!("../../examples/placement/meeting-seoul-tokyo-singapore.csv");
    let participants = parse_participants_csv(text).unwrap();
    assert_eq!(participants.len(), 3);
    assert_eq!(participants[0].name.as_deref(), Some("seoul"));
    let request = MeetingRequest {
        participants,
        candidates: public_candidates(),
        objective: Objective::MinMax,
    };
    let plan = solve_meeting(&request, &LatencyModel::default()).unwrap();
    // Over every public region, the best worst-participant RTT is around Hong
    // Kong / southern China (about 48 ms); a random region averages far worse.
    assert!(plan.objective_ms < 50.0, "{}", plan.objective_ms);
    assert!(plan.random_region_ms > 2.0 * plan.objective_ms);
}

#[test]
fn json_uses_snake_case_and_dashed_objectives() {
    let json = r#"{
        "participants": [{"name": "a", "latitude": 37.5, "longitude": 127.0},
                         {"latitude": 35.7, "longitude": 139.7, "weight": 2}],
        "candidates": [{"region": {"provider": "x", "code": "y", "display_name": "Y", "city": "Y",
                        "country": "KR", "latitude": 37.5, "longitude": 127.0}, "hourly_cost": 0.1}],
        "objective": "min-mean"
    }"#;
    let request: MeetingRequest = serde_json::from_str(json).unwrap();
    assert_eq!(request.objective, Objective::MinMean);
    let plan = solve_meeting(&request, &LatencyModel::default()).unwrap();
    let out = serde_json::to_value(&plan).unwrap();
    assert_eq!(out["objective"], "min-mean");
    assert!(out["random_region_ms"].is_number());
    assert!(out["participants"][1]["rtt_ms"].is_number());
    assert_eq!("min-max".parse::<Objective>().unwrap(), Objective::MinMax);
}
