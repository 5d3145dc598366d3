//! Instances: launch checks, the whole state machine, counts, retention, quota.

use std::net::Ipv4Addr;

use serde_json::json;

use crate::common::*;

fn in_subnet(ip: &str) -> bool {
    let ip: Ipv4Addr = ip.parse().unwrap();
    let o = ip.octets();
    o[0] == 10 && o[1] == 0 && o[2] == 1 && o[3] >= 4 && o[3] < 255
}

#[tokio::test]
async fn the_whole_state_machine() {
    let sim = Sim::fast().await;
    let c = sim.client();
    let net = network(&c, REGION).await;
    let key = c.post(&r("/keypairs"), json!({"name": "k"})).await.ok(201);
    let mut body = launch(&net, "web-1");
    body["keypair_id"] = key["id"].clone();
    body["user_data"] = json!("#!/bin/sh\necho hi");
    let inst = launch_ok(&c, REGION, body).await.remove(0);
    let id = inst["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("i-") && id.len() == 18, "{id}");
    assert_eq!(inst["state"], "PROVISIONING");
    assert_eq!(inst["public_ip"], json!(null));
    assert_eq!(inst["zone"], "ap-seoul-a");
    assert_eq!(inst["region"], REGION);
    assert_eq!(inst["keypair_id"], key["id"]);
    assert_eq!(
        inst["root_disk"],
        json!({"type": "standard", "size_gib": 20})
    );
    assert_eq!(inst["state_reason"], json!(null));
    assert!(in_subnet(inst["private_ip"].as_str().unwrap()), "{inst}");
    let path = r(&format!("/instances/{id}"));
    let actions = format!("{path}/actions");

    // Nothing but delete while PROVISIONING.
    c.post(&actions, json!({"action": "stop"}))
        .await
        .expect_error(409, "IncorrectState");

    let active = c.wait_state(REGION, &id, "ACTIVE").await;
    let ip1 = active["public_ip"].as_str().unwrap().to_string();
    assert_eq!(
        c.get(&format!("{path}/state")).await.ok(200),
        json!({"id": id, "state": "ACTIVE"})
    );
    c.post(&actions, json!({"action": "start"}))
        .await
        .expect_error(409, "IncorrectState");

    let rebooting = c.post(&actions, json!({"action": "reboot"})).await.ok(200);
    assert_eq!(rebooting["state"], "REBOOTING");
    c.wait_state(REGION, &id, "ACTIVE").await;

    let stopping = c.post(&actions, json!({"action": "stop"})).await.ok(200);
    assert_eq!(stopping["state"], "STOPPING");
    let stopped = c.wait_state(REGION, &id, "STOPPED").await;
    assert_eq!(stopped["public_ip"], json!(null));
    assert_eq!(
        stopped["state_reason"]["code"],
        "Client.UserInitiatedShutdown"
    );
    c.post(&actions, json!({"action": "stop"}))
        .await
        .expect_error(409, "IncorrectState");
    c.post(&actions, json!({"action": "reboot"}))
        .await
        .expect_error(409, "IncorrectState");

    let starting = c.post(&actions, json!({"action": "start"})).await.ok(200);
    assert_eq!(starting["state"], "STARTING");
    let active = c.wait_state(REGION, &id, "ACTIVE").await;
    assert_ne!(
        active["public_ip"].as_str().unwrap(),
        ip1,
        "a new public IP after start"
    );

    c.post(&actions, json!({"action": "explode"}))
        .await
        .expect_error(400, "InvalidParameterValue");
    c.post(&actions, json!({}))
        .await
        .expect_error(400, "MissingParameter");

    let deleting = c.delete(&path).await.ok(200);
    assert_eq!(deleting["state"], "TERMINATING");
    // Deleting again is not an error.
    assert_eq!(c.delete(&path).await.ok(200)["state"], "TERMINATING");
    c.post(&actions, json!({"action": "start"}))
        .await
        .expect_error(409, "IncorrectState");
    c.wait_state(REGION, &id, "TERMINATED").await;
    assert_eq!(c.delete(&path).await.ok(200)["state"], "TERMINATED");

    // Retention: shrink it and the instance disappears.
    sim.patch_config(json!({"terminated_retention_ms": 0}))
        .await;
    c.get(&path).await.expect_error(404, "InstanceNotFound");
    c.get(&format!("{path}/state"))
        .await
        .expect_error(404, "InstanceNotFound");
    c.delete(&path).await.expect_error(404, "InstanceNotFound");
    assert_eq!(
        c.get(&r("/instances")).await.ok(200)["instances"],
        json!([])
    );
    c.get(&r("/instances/i-0000000000000000"))
        .await
        .expect_error(404, "InstanceNotFound");
}

#[tokio::test]
async fn launch_checks_in_order() {
    let sim = Sim::fast().await;
    let c = sim.client();
    let net = network(&c, REGION).await;
    let other = c
        .post(&r("/vpcs"), json!({"name": "other", "cidr": "10.9.0.0/16"}))
        .await
        .ok(201);
    let other_subnet = c
        .post(
            &r(&format!("/vpcs/{}/subnets", other["id"].as_str().unwrap())),
            json!({"name": "o", "cidr": "10.9.1.0/24"}),
        )
        .await
        .ok(201);
    let cases = [
        (json!({"spec": "sim.huge"}), "InvalidSpec.NotFound"),
        (json!({"spec": "sim.g1.xlarge"}), "InvalidSpec.NotFound"),
        (json!({"image": "img-foo"}), "InvalidImage.NotFound"),
        (
            json!({"image": "img-ubuntu-22.04-arm64"}),
            "InvalidParameterValue",
        ),
        (json!({"vpc_id": "vpc-00000000"}), "InvalidVpc.NotFound"),
        (
            json!({"subnet_id": other_subnet["id"]}),
            "InvalidSubnet.NotFound",
        ),
        (
            json!({"security_group_ids": ["sg-00000000"]}),
            "InvalidSecurityGroup.NotFound",
        ),
        (
            json!({"keypair_id": "key-00000000"}),
            "InvalidKeyPair.NotFound",
        ),
        (
            json!({"root_disk": {"type": "standard", "size_gib": 4}}),
            "InvalidParameterValue",
        ),
        (
            json!({"root_disk": {"type": "floppy", "size_gib": 20}}),
            "InvalidParameterValue",
        ),
        (json!({"zone": "ap-seoul-z"}), "InvalidZone"),
        (json!({"zone": "ap-seoul-b"}), "InvalidParameterValue"),
        (json!({"count": 0}), "InvalidParameterValue"),
        (json!({"count": 101}), "InvalidParameterValue"),
        (json!({"name": ""}), "InvalidParameterValue"),
        (json!({"tags": {"k": 1}}), "InvalidParameterValue"),
        // Spec is checked before image.
        (
            json!({"spec": "sim.huge", "image": "img-foo"}),
            "InvalidSpec.NotFound",
        ),
        // Image before vpc.
        (
            json!({"image": "img-foo", "vpc_id": "vpc-00000000"}),
            "InvalidImage.NotFound",
        ),
    ];
    for (patch, code) in cases {
        let mut body = launch(&net, "x");
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        c.post(&r("/instances"), body.clone())
            .await
            .expect_error(400, code);
    }
    let mut body = launch(&net, "x");
    body.as_object_mut().unwrap().remove("subnet_id");
    c.post(&r("/instances"), body)
        .await
        .expect_error(400, "MissingParameter");
    // Nothing was created by the failures.
    assert_eq!(
        c.get(&r("/instances")).await.ok(200)["instances"],
        json!([])
    );

    // Windows needs a bigger disk than the default of sim.nano; the default grows to fit.
    let mut body = launch(&net, "win");
    body["image"] = json!("img-windows-2022");
    body["spec"] = json!("sim.nano");
    let win = launch_ok(&c, REGION, body).await.remove(0);
    assert_eq!(win["root_disk"]["size_gib"], 50);
    // The GPU spec where it exists.
    let gpu_net = network(&c, "us-virginia").await;
    let mut body = launch(&gpu_net, "gpu");
    body["spec"] = json!("sim.g1.xlarge");
    launch_ok(&c, "us-virginia", body).await;
}

#[tokio::test]
async fn count_launches_several_with_suffixes_and_addresses() {
    let sim = Sim::fast().await;
    let c = sim.client();
    let net = network(&c, REGION).await;
    let mut body = launch(&net, "batch");
    body["count"] = json!(3);
    body["zone"] = json!("ap-seoul-a");
    let insts = launch_ok(&c, REGION, body).await;
    let names: Vec<_> = insts.iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["batch-1", "batch-2", "batch-3"]);
    let mut ips: Vec<_> = insts
        .iter()
        .map(|i| i["private_ip"].as_str().unwrap())
        .collect();
    ips.sort();
    ips.dedup();
    assert_eq!(ips.len(), 3);
    assert!(ips.iter().all(|ip| in_subnet(ip)));

    // A /28 holds 11 instances; the 12th does not fit.
    let small = c
        .post(
            &r(&format!("/vpcs/{}/subnets", net.vpc)),
            json!({"name": "tiny", "cidr": "10.0.2.0/28"}),
        )
        .await
        .ok(201);
    let mut body = launch(&net, "fill");
    body["subnet_id"] = small["id"].clone();
    body["count"] = json!(12);
    c.post(&r("/instances"), body.clone())
        .await
        .expect_error(400, "InsufficientFreeAddressesInSubnet");
    body["count"] = json!(11);
    launch_ok(&c, REGION, body).await;
}

#[tokio::test]
async fn quota_counts_live_instances_per_region() {
    let sim = Sim::fast().await;
    sim.patch_config(json!({"quota_instances_per_region": 3}))
        .await;
    let c = sim.client();
    let net = network(&c, REGION).await;
    let mut body = launch(&net, "q");
    body["count"] = json!(2);
    let first = launch_ok(&c, REGION, body.clone()).await;
    c.post(&r("/instances"), body.clone())
        .await
        .expect_error(400, "QuotaExceeded");
    // Another region has its own quota.
    let tokyo = network(&c, "ap-tokyo").await;
    let mut tb = launch(&tokyo, "t");
    tb["count"] = json!(3);
    launch_ok(&c, "ap-tokyo", tb).await;

    let id = first[0]["id"].as_str().unwrap();
    c.delete(&r(&format!("/instances/{id}"))).await.ok(200);
    // TERMINATING still counts.
    c.post(&r("/instances"), body.clone())
        .await
        .expect_error(400, "QuotaExceeded");
    c.wait_state(REGION, id, "TERMINATED").await;
    launch_ok(&c, REGION, body).await;
}
