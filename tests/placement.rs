//! Placement through the API and the CLI: a meeting's best region among the
//! connections (predictions checked against what the simulated cloud measures),
//! a fleet's sites, precise refusals, and a dynamic MCIS placed for its users.

mod common;

use common::*;
use serde_json::{Value, json};
use std::time::Duration;

fn participants() -> Value {
    json!([
        {"name": "seoul", "latitude": 37.5665, "longitude": 126.9780},
        {"name": "tokyo", "latitude": 35.6762, "longitude": 139.6503},
        {"name": "singapore", "latitude": 1.3521, "longitude": 103.8198},
    ])
}

#[test]
fn meeting_region_and_predictions_match_the_clouds_measurement() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    let (s, v) = gw.post(
        "/v1/placement/meeting",
        json!({"participants": participants(), "spec": {"sim": "sim.small"}}),
    );
    assert_eq!(s, 200, "{v}");
    let plan = &v["data"];
    assert_eq!(plan["chosen"]["region"]["code"], "ap-hongkong", "{plan}");
    assert_eq!(plan["connection"], "sim-ap-hongkong");
    assert_eq!(plan["candidates"], 24);
    assert!(
        plan["chosen"]["hourly_cost"].as_f64().unwrap() > 0.0,
        "priced from the spec catalog"
    );
    let best = plan["objective_ms"].as_f64().unwrap();
    assert!(
        best < plan["random_region_ms"].as_f64().unwrap() / 2.0,
        "{plan}"
    );
    assert!(
        plan["worst"]["objective_ms"].as_f64().unwrap() > 200.0,
        "{plan}"
    );
    // The simulated cloud applies the same model: what the planner predicts
    // for each participant is what it measures.
    let sim = gw.sim_url.clone().unwrap();
    let account = sim_account_connection(&gw, "probe", "ap-hongkong");
    for p in plan["participants"].as_array().unwrap() {
        let path = format!(
            "/v1/regions/ap-hongkong/latency?lat={}&lon={}",
            p["latitude"], p["longitude"]
        );
        let url_path = path.split('?').next().unwrap().to_string();
        let q = path.split('?').nth(1).unwrap().to_string();
        let date = time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let sig = mcgw_sim::auth::sign(&account.1, "GET", &url_path, &q, &date, b"");
        let measured: Value = reqwest::blocking::Client::new()
            .get(format!("{sim}{path}"))
            .header(mcgw_sim::auth::DATE_HEADER, date)
            .header(
                "authorization",
                mcgw_sim::auth::authorization(&account.0, &sig),
            )
            .send()
            .unwrap()
            .json()
            .unwrap();
        let predicted = p["rtt_ms"].as_f64().unwrap();
        let got = measured["rtt_ms"]
            .as_f64()
            .unwrap_or_else(|| panic!("{measured}"));
        assert!(
            (predicted - got).abs() < 0.01,
            "{}: predicted {predicted} ms, measured {got} ms",
            p["name"]
        );
    }
    // Minimising the mean picks another region.
    let (_, v) = gw.post(
        "/v1/placement/meeting",
        json!({"participants": participants(), "objective": "min-mean"}),
    );
    assert_eq!(v["data"]["chosen"]["region"]["code"], "ap-seoul", "{v}");
}

#[test]
fn fleet_sites_and_precise_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    let mut users = Vec::new();
    for (lat, lon) in [
        (51.5, -0.1),
        (48.8, 2.3),
        (40.7, -74.0),
        (41.8, -87.6),
        (35.7, 139.7),
        (34.7, 135.5),
    ] {
        users.push(json!({"latitude": lat, "longitude": lon, "weight": 1000.0}));
    }
    let (s, v) = gw.post(
        "/v1/placement/fleet",
        json!({"users": users, "goal": {"mode": "sites", "k": 3}}),
    );
    assert_eq!(s, 200, "{v}");
    let mut sites: Vec<String> = v["data"]["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["connection"].as_str().unwrap().to_string())
        .collect();
    sites.sort();
    assert_eq!(sites.len(), 3);
    assert!(
        sites.iter().any(|s| s.starts_with("sim-eu-"))
            && sites
                .iter()
                .any(|s| s.starts_with("sim-us-") || s == "sim-ca-montreal")
            && sites
                .iter()
                .any(|s| s == "sim-ap-tokyo" || s == "sim-ap-osaka"),
        "{sites:?}"
    );
    assert!(v["data"]["mean_rtt_ms"].as_f64().unwrap() < 20.0, "{v}");

    let cases = [
        (
            json!({"users": [], "goal": {"mode": "sites", "k": 1}}),
            "users",
        ),
        (
            json!({"users": [{"latitude": 95.0, "longitude": 0.0}], "goal": {"mode": "sites", "k": 1}}),
            "users[0].latitude",
        ),
        (
            json!({"users": users, "goal": {"mode": "sites", "k": 99}}),
            "goal.k",
        ),
        (
            json!({"users": users, "goal": {"mode": "sites", "k": 1}, "providers": ["nimbus"]}),
            "providers[0]",
        ),
        (
            json!({"users": users, "goal": {"mode": "sites", "k": 1}, "connections": ["nope"]}),
            "connections[0]",
        ),
    ];
    for (body, field) in cases {
        let (s, v) = gw.post("/v1/placement/fleet", body.clone());
        assert_eq!(s, 400, "{body}: {v}");
        assert_eq!(v["code"], "BadRequestData");
        assert_eq!(v["field"], field, "{body}: {v}");
    }
    let (s, v) = gw.post(
        "/v1/placement/meeting",
        json!({"participants": [{"latitude": 0, "longitude": 200}]}),
    );
    assert_eq!(
        (s, v["field"].as_str()),
        (400, Some("participants[0].longitude")),
        "{v}"
    );
    // The catalog covers the five providers.
    let regions = gw.ok("/v1/placement/regions");
    assert!(regions.as_array().unwrap().len() >= 100);
    assert_eq!(
        gw.ok("/v1/placement/regions?provider=aws")[0]["provider"],
        "aws"
    );
}

#[test]
fn a_dynamic_mcis_placed_for_its_users() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    let users = json!([
        {"latitude": 37.5, "longitude": 127.0, "weight": 500.0},
        {"latitude": 51.5, "longitude": -0.1, "weight": 300.0},
    ]);
    let (s, v) = gw.post("/v1/ns/default/mcis/dynamic", json!({"name": "near", "place": {
        "users": users, "k": 2, "size_per_site": 2, "spec": {"sim": "sim.small"}, "image": {"sim": "img-ubuntu-22.04"}}}));
    assert_eq!(s, 201, "{v}");
    let mut regions: Vec<&str> = v["data"]["placement"]["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["region"].as_str().unwrap())
        .collect();
    regions.sort();
    assert_eq!(regions, ["ap-seoul", "eu-london"]);
    let op = wait_op(
        &gw,
        "default",
        v["data"]["operation"]["id"].as_str().unwrap(),
        Duration::from_secs(60),
    );
    assert_eq!(op["state"], "succeeded", "{op}");
    assert_eq!(
        gw.ok("/v1/ns/default/mcis/near/status")["status"],
        "Running:4 (R:4/4)"
    );
    let (s, v) = gw.post(
        "/v1/ns/default/mcis/dynamic",
        json!({"name": "x", "place": {
        "users": users, "k": 2, "spec": {"sim": "sim.small"}, "image": {}}}),
    );
    assert_eq!(
        (s, v["field"].as_str()),
        (400, Some("place.image.sim")),
        "{v}"
    );
}

#[test]
fn the_cli_prints_readable_plans() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    let root = env!("CARGO_MANIFEST_DIR");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mcgw"))
        .args([
            "--server",
            &gw.url,
            "place",
            "meeting",
            "--participants",
            &format!("{root}/examples/placement/meeting-seoul-tokyo-singapore.csv"),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("best region: sim/ap-hongkong"), "{text}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mcgw"))
        .args([
            "--server",
            &gw.url,
            "place",
            "fleet",
            "--synthetic",
            "20000",
            "-k",
            "5",
            "--catalog",
            "--min-providers",
            "3",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("5 item(s)") && text.contains("20000 users"),
        "{text}"
    );
}

#[test]
fn operator_regions_and_measured_latencies_override_the_model() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("extra.csv"),
        "provider,code,display_name,city,country,latitude,longitude\nedge,edge-taipei,Edge (Taipei),Taipei,TW,25.03,121.56\n",
    )
    .unwrap();
    // Measured: the Hong Kong region is far slower from these participants than
    // the model says (a congested route).
    let mut table = String::from(
        "from_provider,from_code,from_name,from_latitude,from_longitude,to_provider,to_code,rtt_ms\n",
    );
    for (lat, lon) in [(37.5665, 126.978), (35.6762, 139.6503), (1.3521, 103.8198)] {
        table.push_str(&format!(",,,{lat},{lon},sim,ap-hongkong,300\n"));
    }
    std::fs::write(dir.path().join("rtt.csv"), table).unwrap();
    let mut opts = Opts::default();
    opts.args.extend([
        "--regions-file".into(),
        dir.path().join("extra.csv").display().to_string(),
        "--latency-table".into(),
        dir.path().join("rtt.csv").display().to_string(),
    ]);
    let gw = Gateway::start_with(&dir.path().join("data"), opts);
    assert_eq!(
        gw.ok("/v1/placement/regions?provider=edge")[0]["code"],
        "edge-taipei"
    );
    let (s, v) = gw.post(
        "/v1/placement/meeting",
        json!({"participants": participants()}),
    );
    assert_eq!(s, 200, "{v}");
    assert_ne!(
        v["data"]["chosen"]["region"]["code"], "ap-hongkong",
        "the measured RTTs must win: {v}"
    );
    let hk = v["data"]["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["region"]["code"] == "ap-hongkong")
        .unwrap();
    assert_eq!(hk["max_rtt_ms"], 300.0, "{hk}");
    let (s, v) = gw.post(
        "/v1/placement/meeting",
        json!({"participants": participants(), "source": "catalog", "providers": ["edge"]}),
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["chosen"]["region"]["code"], "edge-taipei");
}
