//! The state file: everything survives a restart, and saving happens in the background.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim-state.json");
    let mut behaviour = fast();
    behaviour.create_delay_ms = 400;
    let sim = Sim::start(config(behaviour, Some(path.clone()))).await;
    sim.admin(
        Method::POST,
        "/admin/accounts",
        Some(json!({"access_key": "AK2", "secret_key": "S2"})),
    )
    .await
    .ok(201);
    let c = sim.client();
    let net = network(&c, REGION).await;
    let key = c.post(&r("/keypairs"), json!({"name": "k"})).await.ok(201);
    let inst = launch_ok(&c, REGION, launch(&net, "survivor"))
        .await
        .remove(0);
    let id = inst["id"].as_str().unwrap().to_string();
    sim.patch_config(json!({"quota_instances_per_region": 7}))
        .await;
    let other = sim.client_as("AK2", "S2");
    other
        .post(
            &r("/vpcs"),
            json!({"name": "theirs", "cidr": "10.0.0.0/16"}),
        )
        .await
        .ok(201);
    sim.stop().await;
    assert!(path.exists());

    // Restart on another port with the same file (and no create delay in the config:
    // the persisted behaviour wins).
    let sim = Sim::start(config(fast(), Some(path.clone()))).await;
    let c = sim.client();
    assert_eq!(
        sim.admin(Method::GET, "/admin/config", None).await.ok(200)["quota_instances_per_region"],
        7
    );
    assert_eq!(
        c.get(&r(&format!("/vpcs/{}", net.vpc))).await.ok(200)["subnets"][0]["id"],
        net.subnet.as_str()
    );
    assert_eq!(
        c.get(&r(&format!("/security-groups/{}", net.sg)))
            .await
            .ok(200)["name"],
        "ssh"
    );
    let k = c
        .get(&r(&format!("/keypairs/{}", key["id"].as_str().unwrap())))
        .await
        .ok(200);
    assert_eq!(k["fingerprint"], key["fingerprint"]);
    // The instance kept moving by the wall clock.
    let active = c.wait_state(REGION, &id, "ACTIVE").await;
    assert_eq!(active["private_ip"], inst["private_ip"]);
    assert!(active["public_ip"].is_string());
    // Indexes were rebuilt: the subnet is in use, and its address is taken.
    c.delete(&r(&format!("/vpcs/{}/subnets/{}", net.vpc, net.subnet)))
        .await
        .expect_error(409, "DependencyViolation");
    let second = launch_ok(&c, REGION, launch(&net, "second"))
        .await
        .remove(0);
    assert_ne!(second["private_ip"], inst["private_ip"]);
    // The admin-added account still works and still owns its vpc.
    let other = sim.client_as("AK2", "S2");
    assert_eq!(
        other.get(&r("/vpcs")).await.ok(200)["vpcs"][0]["name"],
        "theirs"
    );
    sim.stop().await;
}

#[tokio::test]
async fn changes_are_saved_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("state.json");
    let sim = Sim::start(config(fast(), Some(path.clone()))).await;
    let c = sim.client();
    let vpc = c
        .post(&r("/vpcs"), json!({"name": "bg", "cidr": "10.0.0.0/16"}))
        .await
        .ok(201);
    let id = vpc["id"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.contains(id) {
            break;
        }
        assert!(Instant::now() < deadline, "the state file never got {id}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [std::ffi::OsString::from("state.json")]);
    sim.stop().await;
}

#[tokio::test]
async fn a_corrupt_state_file_is_an_error_not_a_wipe() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, "{ not json").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let result = mcgw_sim::serve(listener, config(fast(), Some(path.clone())), async {}).await;
    assert!(result.is_err());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ not json");
}
