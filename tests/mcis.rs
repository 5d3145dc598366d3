//! MCIS on the simulated cloud: static and dynamic creation over several
//! regions, review, each partial-failure policy under fault injection,
//! lifecycle on MCIS / subgroup / VM, scaling, adoption and deletion.

mod common;

use common::*;
use serde_json::{Value, json};
use std::time::Duration;

const T: Duration = Duration::from_secs(60);

fn subgroup(name: &str, region: &str, size: u32) -> Value {
    json!({"name": name, "connection": format!("sim-{region}"), "spec": "sim.small",
           "image": "img-ubuntu-22.04", "vnet": format!("net-{region}"), "subnet": "main", "size": size})
}

fn static_mcis(gw: &Gateway, name: &str, groups: &[(&str, &str, u32)], policy: &str) -> Value {
    for (_, region, _) in groups {
        if gw.get(&format!("/v1/ns/default/vnets/net-{region}")).0 == 404 {
            sim_vnet(gw, "default", &format!("net-{region}"), region);
        }
    }
    let subgroups: Vec<Value> = groups.iter().map(|(n, r, s)| subgroup(n, r, *s)).collect();
    let (s, v) = gw.post(
        "/v1/ns/default/mcis",
        json!({"name": name, "policy": policy, "subgroups": subgroups,
        "description": "game servers", "labels": {"team": "games"}}),
    );
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["data"]["operation"]["state"], "running");
    v["data"].clone()
}

#[test]
fn static_creation_over_three_regions_then_lifecycle_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    let accepted = static_mcis(
        &gw,
        "game",
        &[
            ("kr", "ap-seoul", 3),
            ("eu", "eu-frankfurt", 2),
            ("us", "us-oregon", 2),
        ],
        "continue",
    );
    let op = wait_op(
        &gw,
        "default",
        accepted["operation"]["id"].as_str().unwrap(),
        T,
    );
    assert_eq!(op["state"], "succeeded", "{op}");
    let status = gw.ok("/v1/ns/default/mcis/game/status");
    assert_eq!(status["status"], "Running:7 (R:7/7)");
    // Every VM is at the cloud, tagged with its MCIS and operation.
    let at_cloud = sim_instances_tagged(&gw, "mcgw-mcis", "game");
    assert_eq!(at_cloud.len(), 7);
    for vm in status["vms"].as_array().unwrap() {
        assert!(
            at_cloud.iter().any(|(id, _)| vm["csp_id"] == id.as_str()),
            "{vm}"
        );
    }
    let listed = gw.ok("/v1/ns/default/mcis");
    assert_eq!(listed[0]["status"], "Running:7 (R:7/7)");

    // One call for the whole MCIS.
    let (s, v) = gw.post("/v1/ns/default/mcis/game/suspend?wait=true", json!({}));
    assert_eq!((s, v["code"].as_str()), (200, Some("Changed")), "{v}");
    assert_eq!(v["data"]["state"], "succeeded", "{v}");
    gw.wait_for("/v1/ns/default/mcis/game/status", T, |s| {
        s["status"] == "Suspended:7 (R:0/7)"
    });
    // One subgroup.
    let (s, v) = gw.post(
        "/v1/ns/default/mcis/game/resume?subgroup=kr&wait=true",
        json!({}),
    );
    assert_eq!(s, 200, "{v}");
    gw.wait_for("/v1/ns/default/mcis/game/status", T, |s| {
        s["status"] == "Partial-Suspended:4 (R:3/7)"
    });
    // One VM, through the VM API.
    let (s, v) = gw.post("/v1/ns/default/vms/game-kr-1/reboot", json!({}));
    assert_eq!(s, 200, "{v}");
    gw.wait_for("/v1/ns/default/mcis/game/status", T, |s| {
        s["vms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["name"] == "game-kr-1" && v["status"] == "Running")
    });
    // An unknown subgroup or action is precise.
    assert_eq!(
        gw.post("/v1/ns/default/mcis/game/resume?subgroup=nope", json!({}))
            .0,
        404
    );
    assert_eq!(
        gw.post("/v1/ns/default/mcis/game/explode", json!({})).0,
        404
    );

    // Delete is refused while VMs live ...
    let (s, v) = gw.delete("/v1/ns/default/mcis/game");
    assert_eq!(
        (s, v["code"].as_str()),
        (400, Some("InvalidRequest")),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("terminate=true"));
    // ... and works after terminate.
    let (s, _) = gw.post("/v1/ns/default/mcis/game/terminate?wait=true", json!({}));
    assert_eq!(s, 200);
    gw.wait_for("/v1/ns/default/mcis/game/status", T, |s| {
        s["status"] == "Terminated:7 (R:0/7)"
    });
    let (s, v) = gw.delete("/v1/ns/default/mcis/game");
    assert_eq!((s, v["code"].as_str()), (200, Some("Deleted")), "{v}");
    assert_eq!(gw.get("/v1/ns/default/mcis/game").0, 404);
    assert!(gw.ok("/v1/ns/default/vms").as_array().unwrap().is_empty());
}

#[test]
fn dynamic_creation_with_review_and_default_objects_made_once_per_connection() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    let req = |name: &str| {
        json!({"name": name, "subgroups": [
            {"spec_id": "sim+ap-tokyo+sim.small", "image": "img-ubuntu-22.04", "size": 2},
            {"spec_id": "sim+sa-saopaulo+sim.medium", "image": "img-debian-12", "size": 1},
        ]})
    };
    let (s, v) = gw.post("/v1/ns/default/mcis/dynamic/review", req("fleet"));
    assert_eq!(s, 200, "{v}");
    let review = &v["data"];
    assert_eq!(review["valid"], true, "{review}");
    assert_eq!(review["total_vms"], 3);
    let cost = review["hourly_cost"].as_f64().unwrap();
    let sum: f64 = review["subgroups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["hourly_cost"].as_f64().unwrap())
        .sum();
    assert!(cost > 0.0 && (cost - sum).abs() < 1e-3, "{review}");
    assert!(
        review["subgroups"][0]["creates"].as_array().unwrap().len() == 3,
        "{review}"
    );
    assert!(
        gw.ok("/v1/ns/default/vnets").as_array().unwrap().is_empty(),
        "a review creates nothing"
    );
    // A review of a bad request lists its problems instead of failing.
    let (_, v) = gw.post(
        "/v1/ns/default/mcis/dynamic/review",
        json!({"name": "x", "subgroups": [
        {"spec_id": "sim+ap-tokyo+sim.nope", "image": "img-ubuntu-22.04", "size": 1}]}),
    );
    assert_eq!(v["data"]["valid"], false);
    assert_eq!(
        v["data"]["problems"][0]["field"], "subgroups[0].spec",
        "{v}"
    );

    // Two requests at once on the same connections: one set of default objects.
    let url = gw.url.clone();
    let threads: Vec<_> = ["fleet-a", "fleet-b"]
        .into_iter()
        .map(|n| {
            let (url, body) = (url.clone(), req(n));
            std::thread::spawn(move || {
                let r = reqwest::blocking::Client::new()
                    .post(format!("{url}/v1/ns/default/mcis/dynamic"))
                    .json(&body)
                    .send()
                    .unwrap();
                (r.status().as_u16(), r.json::<Value>().unwrap())
            })
        })
        .collect();
    let mut private_keys = 0;
    for t in threads {
        let (s, v) = t.join().unwrap();
        assert_eq!(s, 201, "{v}");
        private_keys += v["data"]["private_keys"].as_object().unwrap().len();
        let op = wait_op(
            &gw,
            "default",
            v["data"]["operation"]["id"].as_str().unwrap(),
            T,
        );
        assert_eq!(op["state"], "succeeded", "{op}");
    }
    assert_eq!(
        private_keys, 2,
        "one key pair per connection, its private key returned once"
    );
    let vnets = gw.ok("/v1/ns/default/vnets");
    let names: Vec<&str> = vnets
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dyn-sim-ap-tokyo", "dyn-sim-sa-saopaulo"]);
    assert_eq!(
        gw.ok("/v1/ns/default/mcis/fleet-b/status")["status"],
        "Running:3 (R:3/3)"
    );
}

#[test]
fn partial_failure_policies_continue_rollback_refine() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    // Every VM created in London ends in ERROR.
    sim_admin(
        &gw,
        "PATCH",
        "/admin/config",
        Some(json!({"faults": {"create_failure_rate": 1.0, "regions": ["eu-london"]}})),
    );
    let groups = [("ok", "ap-seoul", 2), ("bad", "eu-london", 2)];

    let a = static_mcis(&gw, "keep", &groups, "continue");
    let op = wait_op(&gw, "default", a["operation"]["id"].as_str().unwrap(), T);
    assert_eq!(op["state"], "partially-failed", "{op}");
    let st = gw.ok("/v1/ns/default/mcis/keep/status");
    assert_eq!(st["status"], "Partial-Running:2 (R:2/4)", "{st}");
    assert!(
        st["vms"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["status"] == "Failed")
            .all(|v| v["native_status"] == "ERROR")
    );

    let b = static_mcis(&gw, "undo", &groups, "rollback");
    let op_id = b["operation"]["id"].as_str().unwrap().to_string();
    let op = wait_op(&gw, "default", &op_id, T);
    assert_eq!(op["state"], "rolled-back", "{op}");
    assert_eq!(
        gw.get("/v1/ns/default/mcis/undo").0,
        404,
        "the MCIS it created is gone"
    );
    // Exactly what it created was removed at the cloud, nothing else.
    let made = sim_instances_tagged(&gw, "mcgw-op", &op_id);
    assert_eq!(made.len(), 4);
    assert!(
        made.iter()
            .all(|(_, s)| s == "TERMINATING" || s == "TERMINATED"),
        "{made:?}"
    );
    assert_eq!(
        gw.ok("/v1/ns/default/mcis/keep/status")["total"],
        4,
        "the other MCIS is untouched"
    );

    let c = static_mcis(&gw, "trim", &groups, "refine");
    let op = wait_op(&gw, "default", c["operation"]["id"].as_str().unwrap(), T);
    assert_eq!(op["state"], "partially-failed", "{op}");
    assert!(
        op["summary"]
            .as_str()
            .unwrap()
            .contains("2 failed VMs dropped"),
        "{op}"
    );
    let st = gw.ok("/v1/ns/default/mcis/trim");
    assert_eq!(st["status"], "Running:2 (R:2/2)", "{st}");
    let bad = st["subgroups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "bad")
        .unwrap();
    assert_eq!(bad["size"], 0);
}

#[test]
fn csp_errors_and_throttling_during_creation() {
    let dir = tempfile::tempdir().unwrap();
    // One VM per CSP call: enough calls that half of them being throttled is certain to show.
    let mut opts = Opts::default();
    opts.args.extend(["--mcis-batch-size".into(), "1".into()]);
    let gw = Gateway::start_with(dir.path(), opts);
    // Creation calls in Paris always fail; elsewhere half are throttled.
    for region in [
        "us-virginia",
        "eu-paris",
        "us-ohio",
        "us-texas",
        "ca-montreal",
        "us-california",
    ] {
        sim_vnet(&gw, "default", &format!("net-{region}"), region);
    }
    sim_admin(
        &gw,
        "PATCH",
        "/admin/config",
        Some(
            json!({"faults": {"error_rate": 1.0, "regions": ["eu-paris"], "operations": ["create"]}}),
        ),
    );
    let a = static_mcis(
        &gw,
        "errs",
        &[("ok", "us-virginia", 2), ("bad", "eu-paris", 2)],
        "continue",
    );
    let op = wait_op(&gw, "default", a["operation"]["id"].as_str().unwrap(), T);
    assert_eq!(op["state"], "partially-failed", "{op}");
    let bad = op["batches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["subgroup"] == "bad")
        .unwrap();
    assert_eq!(bad["state"], "failed");
    assert!(
        bad["attempts"].as_u64().unwrap() > 1,
        "a CSP failure is retried: {bad}"
    );
    assert!(
        bad["error"].as_str().unwrap().contains("InternalFailure")
            || bad["error"]
                .as_str()
                .unwrap()
                .contains("ServiceUnavailable"),
        "{bad}"
    );

    sim_admin(
        &gw,
        "PATCH",
        "/admin/config",
        Some(
            json!({"faults": {"error_rate": 0.0, "throttle_rate": 0.5, "regions": [], "operations": ["create"]}}),
        ),
    );
    let b = static_mcis(
        &gw,
        "busy",
        &[
            ("a", "us-ohio", 3),
            ("b", "us-texas", 3),
            ("c", "ca-montreal", 3),
            ("d", "us-california", 3),
        ],
        "continue",
    );
    let op = wait_op(&gw, "default", b["operation"]["id"].as_str().unwrap(), T);
    assert_eq!(
        op["state"], "succeeded",
        "throttling is retried with backoff: {op}"
    );
    let stats = sim_admin(&gw, "GET", "/admin/stats", None);
    assert!(stats["throttled"].as_u64().unwrap() > 0, "{stats}");
}

#[test]
fn scale_out_and_in_register_and_delete_with_terminate() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    let a = static_mcis(&gw, "elastic", &[("web", "ap-singapore", 2)], "continue");
    wait_op(&gw, "default", a["operation"]["id"].as_str().unwrap(), T);

    let (s, v) = gw.post(
        "/v1/ns/default/mcis/elastic/subgroups/web/scale?wait=true",
        json!({"add": 3}),
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["state"], "succeeded", "{v}");
    let m = gw.ok("/v1/ns/default/mcis/elastic");
    assert_eq!(m["status"], "Running:5 (R:5/5)");
    assert_eq!(m["subgroups"][0]["size"], 5);
    let (s, v) = gw.post(
        "/v1/ns/default/mcis/elastic/subgroups/web/scale?wait=true",
        json!({"remove": 2}),
    );
    assert_eq!(s, 200, "{v}");
    let m = gw.ok("/v1/ns/default/mcis/elastic");
    assert_eq!(m["total"], 3);
    let names: Vec<&str> = m["vms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["elastic-web-1", "elastic-web-2", "elastic-web-3"],
        "the newest went first"
    );
    let (s, v) = gw.post(
        "/v1/ns/default/mcis/elastic/subgroups/web/scale",
        json!({"remove": 9}),
    );
    assert_eq!((s, v["field"].as_str()), (400, Some("remove")), "{v}");

    // Adopt a VM that was made outside the gateway, directly at the cloud.
    let account = sim_account_connection(&gw, "side", "ap-singapore");
    let vpc = sim_signed(
        &gw,
        &account,
        "POST",
        "/v1/regions/ap-singapore/vpcs",
        Some(json!({"name": "v", "cidr": "10.9.0.0/16", "tags": {}})),
    );
    let vpc_id = vpc["id"].as_str().unwrap();
    let subnet = sim_signed(
        &gw,
        &account,
        "POST",
        &format!("/v1/regions/ap-singapore/vpcs/{vpc_id}/subnets"),
        Some(json!({"name": "s", "cidr": "10.9.1.0/24"})),
    );
    let made = sim_signed(
        &gw,
        &account,
        "POST",
        "/v1/regions/ap-singapore/instances",
        Some(json!({"name": "legacy", "spec": "sim.small",
        "image": "img-ubuntu-22.04", "vpc_id": vpc_id, "subnet_id": subnet["id"], "security_group_ids": [], "tags": {"owner": "ops"}})),
    );
    let id = made["instances"][0]["id"].as_str().unwrap().to_string();
    let (s, v) = gw.post(
        "/v1/ns/default/mcis/elastic/vms",
        json!({"connection": "side-ap-singapore", "csp_id": "i-nope"}),
    );
    assert_eq!((s, v["field"].as_str()), (404, Some("csp_id")), "{v}");
    let (s, v) = gw.post(
        "/v1/ns/default/mcis/elastic/vms",
        json!({"connection": "side-ap-singapore", "csp_id": id, "subgroup": "adopted"}),
    );
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["data"]["name"], "elastic-adopted-1");
    assert_eq!(v["data"]["tags"]["owner"], "ops");
    let (s, _) = gw.post(
        "/v1/ns/default/mcis/elastic/vms",
        json!({"connection": "side-ap-singapore", "csp_id": id}),
    );
    assert_eq!(s, 409, "a VM is recorded once");
    gw.wait_for("/v1/ns/default/mcis/elastic/status", T, |s| s["total"] == 4);

    let (s, v) = gw.delete("/v1/ns/default/mcis/elastic?terminate=true&wait=true");
    assert_eq!((s, v["code"].as_str()), (200, Some("Deleted")), "{v}");
    assert_eq!(v["data"]["operation"]["state"], "succeeded", "{v}");
    assert_eq!(gw.get("/v1/ns/default/mcis/elastic").0, 404);
    let left = sim_instances_tagged(&gw, "mcgw-mcis", "elastic");
    assert!(
        left.iter()
            .all(|(_, s)| s == "TERMINATING" || s == "TERMINATED"),
        "{left:?}"
    );
}

#[test]
fn bad_requests_are_precise_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    sim_vnet(&gw, "default", "net-ap-seoul", "ap-seoul");
    let cases = [
        (json!({"name": "m", "subgroups": []}), "subgroups"),
        (
            json!({"name": "m", "subgroups": [subgroup("a", "ap-seoul", 0)]}),
            "subgroups[0].size",
        ),
        (
            json!({"name": "m", "subgroups": [subgroup("a", "ap-seoul", 1), subgroup("a", "ap-seoul", 1)]}),
            "subgroups[1].name",
        ),
        (
            json!({"name": "m", "subgroups": [subgroup("a", "eu-nowhere", 1)]}),
            "subgroups[0].connection",
        ),
        (
            json!({"name": "m", "subgroups": [{"name": "a", "connection": "sim-ap-seoul", "spec": "sim.huge", "image": "img-ubuntu-22.04", "vnet": "net-ap-seoul", "subnet": "main", "size": 1}]}),
            "subgroups[0].spec",
        ),
        (
            json!({"name": "m", "subgroups": [{"name": "a", "connection": "sim-ap-seoul", "spec": "sim.small", "image": "img-nope", "vnet": "net-ap-seoul", "subnet": "main", "size": 1}]}),
            "subgroups[0].image",
        ),
        (
            json!({"name": "m", "subgroups": [{"name": "a", "connection": "sim-ap-seoul", "spec": "sim.small", "image": "img-ubuntu-22.04", "vnet": "nope", "size": 1}]}),
            "subgroups[0].vnet",
        ),
        (
            json!({"name": "review", "subgroups": [subgroup("a", "ap-seoul", 1)]}),
            "name",
        ),
        (
            json!({"name": "m", "policy": "pray", "subgroups": [subgroup("a", "ap-seoul", 1)]}),
            "policy",
        ),
    ];
    for (body, field) in cases {
        let (s, v) = gw.post("/v1/ns/default/mcis", body.clone());
        assert_eq!(s, 400, "{body}: {v}");
        assert_eq!(v["field"], field, "{body}: {v}");
    }
    let (s, v) = gw.post(
        "/v1/ns/default/mcis/dynamic",
        json!({"name": "d", "subgroups": [{"spec_id": "sim-ap-seoul", "image": "i", "size": 1}]}),
    );
    assert_eq!(
        (s, v["field"].as_str()),
        (400, Some("subgroups[0].spec_id")),
        "{v}"
    );
    assert!(gw.ok("/v1/ns/default/mcis").as_array().unwrap().is_empty());
    assert!(gw.ok("/v1/ns/default/vms").as_array().unwrap().is_empty());
    assert!(sim_instances_tagged(&gw, "mcgw-ns", "default").is_empty());
}
