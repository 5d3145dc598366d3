//! The admin API: health, accounts, every instance, stats, reset.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn admin_endpoints() {
    let sim = Sim::fast().await;
    assert_eq!(
        sim.admin(Method::GET, "/health", None).await.ok(200),
        json!({"status": "ok"})
    );

    let acct = json!({"access_key": "NEW", "secret_key": "s"});
    sim.admin(Method::POST, "/admin/accounts", Some(acct.clone()))
        .await
        .ok(201);
    sim.admin(Method::POST, "/admin/accounts", Some(acct))
        .await
        .ok(200);
    sim.admin(
        Method::POST,
        "/admin/accounts",
        Some(json!({"access_key": "NEW", "secret_key": "other"})),
    )
    .await
    .expect_error(409, "AccountAlreadyExists");
    sim.admin(
        Method::POST,
        "/admin/accounts",
        Some(json!({"access_key": "bad,key", "secret_key": "s"})),
    )
    .await
    .expect_error(400, "InvalidParameterValue");
    sim.admin(
        Method::POST,
        "/admin/accounts",
        Some(json!({"access_key": "X"})),
    )
    .await
    .expect_error(400, "MissingParameter");
    let accounts = sim
        .admin(Method::GET, "/admin/accounts", None)
        .await
        .ok(200);
    assert_eq!(
        accounts,
        json!({"accounts": [{"access_key": AK}, {"access_key": "NEW"}]})
    );

    let a = sim.client();
    let b = sim.client_as("NEW", "s");
    let na = network(&a, REGION).await;
    let nb = network(&b, "eu-paris").await;
    let mut body = launch(&na, "a");
    body["user_data"] = json!("echo a");
    launch_ok(&a, REGION, body).await;
    launch_ok(&b, "eu-paris", launch(&nb, "b")).await;
    let all = sim
        .admin(Method::GET, "/admin/instances", None)
        .await
        .ok(200);
    let all = all["instances"].as_array().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["account"], AK);
    assert_eq!(all[0]["instance"]["region"], REGION);
    assert_eq!(all[0]["user_data"], "echo a");
    assert_eq!(all[1]["account"], "NEW");
    assert_eq!(all[1]["instance"]["region"], "eu-paris");

    let stats = sim.admin(Method::GET, "/admin/stats", None).await.ok(200);
    assert!(stats["requests"].as_u64().unwrap() >= 8);
    assert_eq!(stats["by_operation"]["instances.create"], 2);
    assert_eq!(stats["throttled"], 0);

    assert_eq!(
        sim.admin(Method::POST, "/admin/reset", None).await.status,
        204
    );
    assert_eq!(
        sim.admin(Method::GET, "/admin/instances", None)
            .await
            .ok(200)["instances"],
        json!([])
    );
    assert_eq!(a.get(&r("/vpcs")).await.ok(200)["vpcs"], json!([]));
    // Accounts stay.
    b.get("/v1/regions").await.ok(200);
}
