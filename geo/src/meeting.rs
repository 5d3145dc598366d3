//! Meeting placement: one server for a group of participants around the world.
//!
//! A video-meeting operator gets the participants' locations and creates the
//! server where it serves them best. With one server the problem is tiny
//! (participants × candidates RTTs), so the solver is exact: it scores every
//! candidate and takes the best. It also reports what a region picked at random
//! would give (the mean over candidates, a deterministic expectation) and the
//! worst region, so the operator sees what placement buys.

use serde::{Deserialize, Serialize};

use crate::candidate::{self, Candidate};
use crate::catalog::Region;
use crate::error::{PlacementError, check_point, check_weight};
use crate::latency::Point;
use crate::oracle::LatencyOracle;

/// One participant of the meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    /// Optional label, echoed in the plan.
    #[serde(default)]
    pub name: Option<String>,
    /// Latitude in decimal degrees.
    pub latitude: f64,
    /// Longitude in decimal degrees.
    pub longitude: f64,
    /// Importance in the mean (e.g. people behind this endpoint); default 1.
    #[serde(default)]
    pub weight: Option<f64>,
}

impl Participant {
    /// A participant with weight 1.
    pub fn at(name: &str, latitude: f64, longitude: f64) -> Participant {
        Participant {
            name: Some(name.to_string()),
            latitude,
            longitude,
            weight: None,
        }
    }

    /// Where the participant is.
    pub fn point(&self) -> Point {
        Point::new(self.latitude, self.longitude)
    }

    /// The weight, 1 when not given.
    pub fn weight(&self) -> f64 {
        self.weight.unwrap_or(1.0)
    }
}

/// What "best" means for a meeting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Objective {
    /// Minimise the worst participant's RTT: in a call everyone waits for the
    /// slowest link, so this is the default. Weights are ignored.
    #[default]
    #[serde(rename = "min-max", alias = "min_max")]
    MinMax,
    /// Minimise the weighted mean RTT.
    #[serde(rename = "min-mean", alias = "min_mean")]
    MinMean,
}

impl std::fmt::Display for Objective {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Objective::MinMax => "min-max",
            Objective::MinMean => "min-mean",
        })
    }
}

impl std::str::FromStr for Objective {
    type Err = PlacementError;

    fn from_str(s: &str) -> Result<Objective, PlacementError> {
        match s {
            "min-max" | "min_max" => Ok(Objective::MinMax),
            "min-mean" | "min_mean" => Ok(Objective::MinMean),
            other => Err(PlacementError::parameter(
                "objective",
                format!("must be \"min-max\" or \"min-mean\", got \"{other}\""),
            )),
        }
    }
}

/// A meeting placement request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingRequest {
    /// Who is in the meeting.
    pub participants: Vec<Participant>,
    /// Regions where the server may go.
    pub candidates: Vec<Candidate>,
    /// What to minimise (default `min-max`).
    #[serde(default)]
    pub objective: Objective,
}

/// How one candidate region serves the participants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateScore {
    /// The region.
    pub region: Region,
    /// Its hourly cost, if given.
    pub hourly_cost: Option<f64>,
    /// The objective value (ms): the max or the weighted mean RTT.
    pub objective_ms: f64,
    /// Worst participant RTT (ms).
    pub max_rtt_ms: f64,
    /// Weighted mean participant RTT (ms).
    pub mean_rtt_ms: f64,
}

/// One participant's RTT to the chosen region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipantRtt {
    /// The participant's label.
    pub name: Option<String>,
    /// Latitude given.
    pub latitude: f64,
    /// Longitude given.
    pub longitude: f64,
    /// Weight used.
    pub weight: f64,
    /// RTT to the chosen region (ms).
    pub rtt_ms: f64,
}

/// The answer: the chosen region and how much better it is than the alternatives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingPlan {
    /// The objective minimised.
    pub objective: Objective,
    /// The best region (ties broken by cost, then region code).
    pub chosen: CandidateScore,
    /// Each participant's RTT to the chosen region, in input order.
    pub participants: Vec<ParticipantRtt>,
    /// The chosen region's objective value (ms).
    pub objective_ms: f64,
    /// Expected objective of a region picked uniformly at random among the
    /// candidates: the mean of every candidate's objective (exact, not sampled).
    pub random_region_ms: f64,
    /// The worst candidate (last in the ranking), for comparison.
    pub worst: CandidateScore,
    /// Every candidate, best first (same order as the tie rule).
    pub ranking: Vec<CandidateScore>,
}

/// Choose the region that minimises the objective. Exact: every candidate is
/// scored, so the result is the optimum of the model (or measured) RTTs.
pub fn solve_meeting<O: LatencyOracle + ?Sized>(
    request: &MeetingRequest,
    oracle: &O,
) -> Result<MeetingPlan, PlacementError> {
    let participants = &request.participants;
    validate_participants(participants)?;
    candidate::validate(&request.candidates)?;

    let total_weight: f64 = participants.iter().map(Participant::weight).sum();
    let mut scored: Vec<(CandidateScore, &Candidate)> = request
        .candidates
        .iter()
        .map(|c| {
            let mut max = f64::NEG_INFINITY;
            let mut sum = 0.0;
            for p in participants {
                let rtt = oracle.point_to_region_ms(p.point(), &c.region);
                max = max.max(rtt);
                sum += p.weight() * rtt;
            }
            let mean = sum / total_weight;
            let score = CandidateScore {
                region: c.region.clone(),
                hourly_cost: c.hourly_cost,
                objective_ms: match request.objective {
                    Objective::MinMax => max,
                    Objective::MinMean => mean,
                },
                max_rtt_ms: max,
                mean_rtt_ms: mean,
            };
            (score, c)
        })
        .collect();
    // Objectives are compared at 1 ns resolution so that float noise does not
    // hide a tie, and the comparison stays a total order.
    scored.sort_by(|(a, ca), (b, cb)| {
        quantize(a.objective_ms)
            .cmp(&quantize(b.objective_ms))
            .then_with(|| candidate::tie_order(ca, cb))
    });
    let random_region_ms =
        scored.iter().map(|(s, _)| s.objective_ms).sum::<f64>() / scored.len() as f64;
    let ranking: Vec<CandidateScore> = scored.into_iter().map(|(s, _)| s).collect();
    let chosen = ranking[0].clone();
    let worst = ranking.last().expect("at least one candidate").clone();
    let participants = participants
        .iter()
        .map(|p| ParticipantRtt {
            name: p.name.clone(),
            latitude: p.latitude,
            longitude: p.longitude,
            weight: p.weight(),
            rtt_ms: oracle.point_to_region_ms(p.point(), &chosen.region),
        })
        .collect();
    Ok(MeetingPlan {
        objective: request.objective,
        objective_ms: chosen.objective_ms,
        chosen,
        participants,
        random_region_ms,
        worst,
        ranking,
    })
}

fn quantize(ms: f64) -> i64 {
    (ms * 1e6).round() as i64
}

fn validate_participants(participants: &[Participant]) -> Result<(), PlacementError> {
    if participants.is_empty() {
        return Err(PlacementError::Empty {
            field: "participants".into(),
        });
    }
    let mut total = 0.0;
    for (i, p) in participants.iter().enumerate() {
        let path = format!("participants[{i}]");
        check_point(&path, p.latitude, p.longitude)?;
        check_weight(&path, p.weight())?;
        total += p.weight();
    }
    if total <= 0.0 {
        return Err(PlacementError::ZeroTotalWeight {
            field: "participants".into(),
        });
    }
    Ok(())
}

/// Parse participants from CSV with columns `name,latitude,longitude,weight`
/// (`name` and `weight` optional; other columns ignored). Pure: the caller reads
/// the file. Values are validated by the solver, not here.
pub fn parse_participants_csv(text: &str) -> Result<Vec<Participant>, PlacementError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, row) in reader.deserialize::<Participant>().enumerate() {
        out.push(row.map_err(|e| PlacementError::Parse {
            field: format!("line {}", i + 2),
            reason: e.to_string(),
        })?);
    }
    Ok(out)
}
