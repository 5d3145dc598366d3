//! Fault injection: throttling, errors, latency and failed launches, each
//! aimed at a region and/or an operation kind.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn throttling_targets_region_and_operation() {
    let sim = Sim::fast().await;
    let c = sim.client();
    sim.patch_config(
        json!({"faults": {"throttle_rate": 1.0, "regions": ["ap-seoul"], "operations": ["list"]}}),
    )
    .await;
    let resp = c.get(&r("/vpcs")).await;
    resp.expect_error(429, "Throttling");
    assert_eq!(resp.headers["retry-after"], "1");
    // Other region, other operation, non-regional list: untouched.
    c.get("/v1/regions/ap-tokyo/vpcs").await.ok(200);
    c.post(&r("/vpcs"), json!({"name": "v", "cidr": "10.0.0.0/16"}))
        .await
        .ok(201);
    c.get("/v1/regions").await.ok(200);
    let stats = sim.admin(Method::GET, "/admin/stats", None).await.ok(200);
    assert_eq!(stats["throttled"], 1);
    assert_eq!(stats["by_operation"]["vpcs.list"], 2);
    assert_eq!(stats["by_operation"]["vpcs.create"], 1);
    // Turning it off.
    sim.patch_config(json!({"faults": {"throttle_rate": 0.0}}))
        .await;
    c.get(&r("/vpcs")).await.ok(200);
}

#[tokio::test]
async fn injected_errors_have_no_side_effects() {
    let sim = Sim::fast().await;
    let c = sim.client();
    let net = network(&c, REGION).await;
    sim.patch_config(json!({"faults": {"error_rate": 1.0, "operations": ["create"]}}))
        .await;
    for _ in 0..6 {
        let resp = c.post(&r("/instances"), launch(&net, "x")).await;
        assert!(
            (resp.status == 500 && resp.code() == "InternalFailure")
                || (resp.status == 503 && resp.code() == "ServiceUnavailable"),
            "{resp:?}"
        );
    }
    // Reads are untouched and nothing was launched.
    assert_eq!(
        c.get(&r("/instances")).await.ok(200)["instances"],
        json!([])
    );
    let stats = sim.admin(Method::GET, "/admin/stats", None).await.ok(200);
    assert_eq!(stats["injected_errors"], 6);
    // Aimed at a delete: deletes fail, creates pass.
    sim.patch_config(json!({"faults": {"operations": ["delete"]}}))
        .await;
    let id = launch_ok(&c, REGION, launch(&net, "x")).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let resp = c.delete(&r(&format!("/instances/{id}"))).await;
    assert!(resp.status == 500 || resp.status == 503);
    assert_eq!(
        c.get(&r(&format!("/instances/{id}"))).await.ok(200)["state"],
        "PROVISIONING"
    );
}

#[tokio::test]
async fn latency_is_added_to_targeted_requests() {
    let sim = Sim::fast().await;
    let c = sim.client();
    sim.patch_config(json!({"faults": {"latency_ms": 300, "regions": ["eu-paris"]}}))
        .await;
    let t = Instant::now();
    c.get("/v1/regions/eu-paris/vpcs").await.ok(200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    let t = Instant::now();
    c.get("/v1/regions/eu-london/vpcs").await.ok(200);
    assert!(t.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn failed_launches_end_in_error_and_can_only_be_deleted() {
    let sim = Sim::fast().await;
    let c = sim.client();
    let net = network(&c, REGION).await;
    let tokyo = network(&c, "ap-tokyo").await;
    sim.patch_config(json!({"faults": {"create_failure_rate": 1.0, "regions": [REGION]}}))
        .await;
    let id = launch_ok(&c, REGION, launch(&net, "doomed")).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ok = launch_ok(&c, "ap-tokyo", launch(&tokyo, "fine")).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let failed = c.wait_state(REGION, &id, "ERROR").await;
    assert_eq!(failed["state_reason"]["code"], "Server.InternalError");
    assert_eq!(failed["public_ip"], json!(null));
    c.wait_state("ap-tokyo", &ok, "ACTIVE").await;
    let actions = r(&format!("/instances/{id}/actions"));
    for action in ["stop", "start", "reboot"] {
        c.post(&actions, json!({"action": action}))
            .await
            .expect_error(409, "IncorrectState");
    }
    assert_eq!(
        c.delete(&r(&format!("/instances/{id}"))).await.ok(200)["state"],
        "TERMINATING"
    );
    c.wait_state(REGION, &id, "TERMINATED").await;
}

#[tokio::test]
async fn config_patches_are_validated_and_merged() {
    let sim = Sim::fast().await;
    let before = sim.admin(Method::GET, "/admin/config", None).await.ok(200);
    assert_eq!(before["create_delay_ms"], 100);
    assert_eq!(before["quota_instances_per_region"], 1000);
    for bad in [
        json!({"faults": {"error_rate": 2.0}}),
        json!({"faults": {"operations": ["explode"]}}),
        json!({"faults": {"regions": ["mars-1"]}}),
        json!({"create_delay_ms": -1}),
        json!({"colour": "red"}),
    ] {
        sim.admin(Method::PATCH, "/admin/config", Some(bad))
            .await
            .expect_error(400, "InvalidParameterValue");
    }
    let after = sim
        .patch_config(json!({"stop_delay_ms": 5, "faults": {"latency_ms": 1}}))
        .await
        .body;
    assert_eq!(after["stop_delay_ms"], 5);
    assert_eq!(after["create_delay_ms"], 100);
    assert_eq!(after["faults"]["latency_ms"], 1);
    assert_eq!(after["faults"]["error_rate"], 0.0);
}
