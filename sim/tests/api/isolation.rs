//! Accounts cannot see or touch each other's resources.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn accounts_are_isolated() {
    let sim = Sim::fast().await;
    sim.admin(
        Method::POST,
        "/admin/accounts",
        Some(json!({"access_key": "BOB", "secret_key": "bob-secret"})),
    )
    .await
    .ok(201);
    let alice = sim.client();
    let bob = sim.client_as("BOB", "bob-secret");
    let net = network(&alice, REGION).await;
    let id = launch_ok(&alice, REGION, launch(&net, "mine")).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    assert_eq!(bob.get(&r("/vpcs")).await.ok(200)["vpcs"], json!([]));
    assert_eq!(
        bob.get(&r("/instances")).await.ok(200)["instances"],
        json!([])
    );
    bob.get(&r(&format!("/vpcs/{}", net.vpc)))
        .await
        .expect_error(404, "VpcNotFound");
    bob.delete(&r(&format!("/vpcs/{}", net.vpc)))
        .await
        .expect_error(404, "VpcNotFound");
    bob.get(&r(&format!("/security-groups/{}", net.sg)))
        .await
        .expect_error(404, "SecurityGroupNotFound");
    bob.get(&r(&format!("/instances/{id}")))
        .await
        .expect_error(404, "InstanceNotFound");
    bob.delete(&r(&format!("/instances/{id}")))
        .await
        .expect_error(404, "InstanceNotFound");
    bob.post(
        &r(&format!("/instances/{id}/actions")),
        json!({"action": "stop"}),
    )
    .await
    .expect_error(404, "InstanceNotFound");
    // Bob cannot launch into Alice's network.
    bob.post(&r("/instances"), launch(&net, "intruder"))
        .await
        .expect_error(400, "InvalidVpc.NotFound");
    // Names are per account.
    bob.post(&r("/vpcs"), json!({"name": "main", "cidr": "10.0.0.0/16"}))
        .await
        .ok(201);
    // Alice's instance is untouched.
    assert_eq!(
        alice.get(&r(&format!("/instances/{id}"))).await.ok(200)["name"],
        "mine"
    );
}
