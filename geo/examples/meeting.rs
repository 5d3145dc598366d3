//! Meeting placement from a participants CSV over every public region.
//!
//! `cargo run -p mcgw-geo --example meeting -- examples/placement/meeting-seoul-tokyo-singapore.csv [min-max|min-mean]`

use mcgw_geo::{
    Candidate, Catalog, LatencyModel, MeetingRequest, Objective, parse_participants_csv,
    solve_meeting,
};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().map_or(
        "examples/placement/meeting-seoul-tokyo-singapore.csv",
        String::as_str,
    );
    let objective: Objective = args
        .get(1)
        .map_or(Ok(Objective::MinMax), |s| s.parse())
        .unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2)
        });
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let participants = parse_participants_csv(&text).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let catalog = Catalog::builtin();
    let request = MeetingRequest {
        participants,
        candidates: Candidate::all(catalog.regions().iter().filter(|r| r.provider != "sim")),
        objective,
    };
    let plan = solve_meeting(&request, &LatencyModel::default()).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let c = &plan.chosen;
    println!("objective      {}", plan.objective);
    println!(
        "chosen         {}/{} ({}, {})",
        c.region.provider, c.region.code, c.region.city, c.region.country
    );
    for p in &plan.participants {
        println!(
            "  {:<14} {:>7.1} ms",
            p.name.as_deref().unwrap_or("-"),
            p.rtt_ms
        );
    }
    println!("best           {:>7.1} ms", plan.objective_ms);
    println!(
        "random region  {:>7.1} ms  (expected over {} candidates)",
        plan.random_region_ms,
        plan.ranking.len()
    );
    let w = &plan.worst;
    println!(
        "worst region   {:>7.1} ms  ({}/{}, {})",
        w.objective_ms, w.region.provider, w.region.code, w.region.city
    );
    println!("top 5:");
    for s in plan.ranking.iter().take(5) {
        println!(
            "  {:>7.1} ms  {}/{} ({})",
            s.objective_ms, s.region.provider, s.region.code, s.region.city
        );
    }
}
