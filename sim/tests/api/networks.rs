//! VPCs, subnets and security groups: create/list/get/delete and their errors.

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn vpc_lifecycle_and_errors() {
    let sim = Sim::fast().await;
    let c = sim.client();
    let vpc = c
        .post(
            &r("/vpcs"),
            json!({"name": "main", "cidr": "10.0.0.0/16", "tags": {"team": "a"}}),
        )
        .await
        .ok(201);
    let id = vpc["id"].as_str().unwrap();
    assert!(id.starts_with("vpc-") && id.len() == 12, "{id}");
    assert_eq!(vpc["state"], "available");
    assert_eq!(vpc["subnets"], json!([]));
    assert_eq!(vpc["tags"], json!({"team": "a"}));
    assert!(vpc["created_at"].as_str().unwrap().ends_with('Z'));

    c.post(&r("/vpcs"), json!({"name": "main", "cidr": "10.1.0.0/16"}))
        .await
        .expect_error(409, "VpcAlreadyExists");
    // The same name in another region is fine.
    c.post(
        "/v1/regions/ap-tokyo/vpcs",
        json!({"name": "main", "cidr": "10.0.0.0/16"}),
    )
    .await
    .ok(201);

    for cidr in [
        "10.0.0.0/8",
        "10.0.0.0/29",
        "10.0.0.1/16",
        "banana",
        "10.0.0.0",
    ] {
        c.post(&r("/vpcs"), json!({"name": cidr, "cidr": cidr}))
            .await
            .expect_error(400, "InvalidParameterValue");
    }
    c.post(&r("/vpcs"), json!({"cidr": "10.0.0.0/16"}))
        .await
        .expect_error(400, "MissingParameter");
    c.post(
        &r("/vpcs"),
        json!({"name": "x", "cidr": "10.0.0.0/16", "colour": "red"}),
    )
    .await
    .expect_error(400, "InvalidParameterValue");
    c.post(&r("/vpcs"), json!({"name": "", "cidr": "10.0.0.0/16"}))
        .await
        .expect_error(400, "InvalidParameterValue");
    c.post(&r("/vpcs"), json!({"name": 5, "cidr": "10.0.0.0/16"}))
        .await
        .expect_error(400, "InvalidParameterValue");

    let list = c.get(&r("/vpcs")).await.ok(200);
    assert_eq!(list["vpcs"].as_array().unwrap().len(), 1);
    let filtered = c.get(&r("/vpcs?tag=team=b")).await.ok(200);
    assert_eq!(filtered["vpcs"], json!([]));
    assert_eq!(
        c.get(&r("/vpcs?tag=team")).await.ok(200)["vpcs"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        c.get(&r(&format!("/vpcs/{id}"))).await.ok(200)["name"],
        "main"
    );
    c.get(&r("/vpcs/vpc-00000000"))
        .await
        .expect_error(404, "VpcNotFound");

    assert_eq!(c.delete(&r(&format!("/vpcs/{id}"))).await.status, 204);
    c.get(&r(&format!("/vpcs/{id}")))
        .await
        .expect_error(404, "VpcNotFound");
    c.delete(&r(&format!("/vpcs/{id}")))
        .await
        .expect_error(404, "VpcNotFound");
    c.post(
        "/v1/regions/xx/vpcs",
        json!({"name": "a", "cidr": "10.0.0.0/16"}),
    )
    .await
    .expect_error(400, "InvalidRegion");
}

#[tokio::test]
async fn subnets_check_ranges_overlaps_and_zones() {
    let sim = Sim::fast().await;
    let c = sim.client();
    let vpc = c
        .post(&r("/vpcs"), json!({"name": "main", "cidr": "10.0.0.0/16"}))
        .await
        .ok(201);
    let vpc = vpc["id"].as_str().unwrap();
    let subnets = r(&format!("/vpcs/{vpc}/subnets"));
    let a = c
        .post(&subnets, json!({"name": "a", "cidr": "10.0.1.0/24"}))
        .await
        .ok(201);
    assert_eq!(a["zone"], "ap-seoul-a");
    assert_eq!(a["vpc_id"], vpc);
    assert!(a["id"].as_str().unwrap().starts_with("subnet-"));
    let b = c
        .post(
            &subnets,
            json!({"name": "b", "cidr": "10.0.2.0/24", "zone": "ap-seoul-c"}),
        )
        .await
        .ok(201);
    assert_eq!(b["zone"], "ap-seoul-c");

    c.post(&subnets, json!({"name": "c", "cidr": "10.1.0.0/24"}))
        .await
        .expect_error(400, "InvalidSubnet.Range");
    c.post(&subnets, json!({"name": "c", "cidr": "10.0.1.128/25"}))
        .await
        .expect_error(400, "InvalidSubnet.Conflict");
    c.post(
        &subnets,
        json!({"name": "c", "cidr": "10.0.3.0/24", "zone": "ap-tokyo-a"}),
    )
    .await
    .expect_error(400, "InvalidZone");
    c.post(&subnets, json!({"name": "a", "cidr": "10.0.9.0/24"}))
        .await
        .expect_error(409, "SubnetAlreadyExists");
    c.post(&subnets, json!({"name": "c", "cidr": "10.0.3.0/30"}))
        .await
        .expect_error(400, "InvalidParameterValue");
    c.post(
        &r("/vpcs/vpc-00000000/subnets"),
        json!({"name": "c", "cidr": "10.0.3.0/24"}),
    )
    .await
    .expect_error(404, "VpcNotFound");

    let got = c.get(&r(&format!("/vpcs/{vpc}"))).await.ok(200);
    assert_eq!(got["subnets"].as_array().unwrap().len(), 2);
    assert_eq!(
        c.get(&subnets).await.ok(200)["subnets"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let a_id = a["id"].as_str().unwrap();
    assert_eq!(c.delete(&format!("{subnets}/{a_id}")).await.status, 204);
    c.delete(&format!("{subnets}/{a_id}"))
        .await
        .expect_error(404, "SubnetNotFound");
    c.get(&format!("{subnets}/{a_id}"))
        .await
        .expect_error(404, "SubnetNotFound");
    // Its range is free again.
    c.post(&subnets, json!({"name": "a2", "cidr": "10.0.1.0/24"}))
        .await
        .ok(201);
    // The vpc goes with its subnets.
    assert_eq!(c.delete(&r(&format!("/vpcs/{vpc}"))).await.status, 204);
}

#[tokio::test]
async fn security_groups_and_dependencies() {
    let sim = Sim::fast().await;
    let c = sim.client();
    let net = network(&c, REGION).await;
    let sg = c
        .get(&r(&format!("/security-groups/{}", net.sg)))
        .await
        .ok(200);
    assert_eq!(sg["vpc_id"], net.vpc.as_str());
    assert_eq!(sg["rules"][0]["from_port"], 22);
    assert!(net.sg.starts_with("sg-"));

    let groups = r("/security-groups");
    c.post(&groups, json!({"name": "ssh", "vpc_id": net.vpc}))
        .await
        .expect_error(409, "SecurityGroupAlreadyExists");
    c.post(&groups, json!({"name": "x", "vpc_id": "vpc-00000000"}))
        .await
        .expect_error(400, "InvalidVpc.NotFound");
    c.post(&groups, json!({"name": "x"}))
        .await
        .expect_error(400, "MissingParameter");
    let bad_rules = [
        json!({"direction": "sideways", "protocol": "tcp", "from_port": 1, "to_port": 2, "cidr": "0.0.0.0/0"}),
        json!({"direction": "ingress", "protocol": "tcp", "from_port": 3, "to_port": 2, "cidr": "0.0.0.0/0"}),
        json!({"direction": "ingress", "protocol": "icmp", "from_port": 3, "cidr": "0.0.0.0/0"}),
        json!({"direction": "ingress", "protocol": "all", "cidr": "everywhere"}),
    ];
    for rule in bad_rules {
        c.post(
            &groups,
            json!({"name": "x", "vpc_id": net.vpc, "rules": [rule]}),
        )
        .await
        .expect_error(400, "InvalidParameterValue");
    }
    let web = c
        .post(
            &groups,
            json!({"name": "web", "vpc_id": net.vpc, "tags": {"tier": "web"},
            "rules": [{"direction": "egress", "protocol": "all", "cidr": "::/0"}]}),
        )
        .await
        .ok(201);
    let web_id = web["id"].as_str().unwrap();
    assert_eq!(
        c.get(&groups).await.ok(200)["security_groups"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        c.get(&format!("{groups}?tag=tier=web")).await.ok(200)["security_groups"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The vpc cannot go while it has groups.
    c.delete(&r(&format!("/vpcs/{}", net.vpc)))
        .await
        .expect_error(409, "DependencyViolation");

    // A group, subnet and vpc used by a live instance cannot go; once it is TERMINATED they can.
    let inst = launch_ok(&c, REGION, launch(&net, "vm")).await.remove(0);
    let id = inst["id"].as_str().unwrap();
    c.delete(&r(&format!("/security-groups/{}", net.sg)))
        .await
        .expect_error(409, "DependencyViolation");
    c.delete(&r(&format!("/vpcs/{}/subnets/{}", net.vpc, net.subnet)))
        .await
        .expect_error(409, "DependencyViolation");
    assert_eq!(
        c.delete(&r(&format!("/security-groups/{web_id}")))
            .await
            .status,
        204
    );
    c.delete(&r(&format!("/instances/{id}"))).await.ok(200);
    // Still TERMINATING: still in use.
    c.delete(&r(&format!("/security-groups/{}", net.sg)))
        .await
        .expect_error(409, "DependencyViolation");
    c.wait_state(REGION, id, "TERMINATED").await;
    assert_eq!(
        c.delete(&r(&format!("/security-groups/{}", net.sg)))
            .await
            .status,
        204
    );
    c.get(&r(&format!("/security-groups/{}", net.sg)))
        .await
        .expect_error(404, "SecurityGroupNotFound");
    c.delete(&r(&format!("/security-groups/{}", net.sg)))
        .await
        .expect_error(404, "SecurityGroupNotFound");
    assert_eq!(
        c.delete(&r(&format!("/vpcs/{}", net.vpc))).await.status,
        204
    );
}
