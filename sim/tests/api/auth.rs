//! Signatures: success, each kind of failure, expiry.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn signed_requests_succeed() {
    let sim = Sim::fast().await;
    let c = sim.client();
    let resp = c.get("/v1/regions").await;
    assert_eq!(resp.status, 200);
    assert!(resp.headers.contains_key("x-sim-request-id"));
    // A query and a body are covered too.
    c.get(&r("/instances?limit=5&tag=env%3Dprod")).await.ok(200);
    c.post(&r("/vpcs"), json!({"name": "v", "cidr": "10.0.0.0/16"}))
        .await
        .ok(201);
}

#[tokio::test]
async fn missing_or_malformed_authorization_is_auth_failure() {
    let sim = Sim::fast().await;
    let http = reqwest::Client::new();
    let resp = http
        .get(format!("{}/v1/regions", sim.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "AuthFailure");

    for header in [
        "Bearer abc",
        "SIM1-HMAC-SHA256 Credential=AKTEST",
        "SIM1-HMAC-SHA256 nonsense",
    ] {
        let resp = http
            .get(format!("{}/v1/regions", sim.base))
            .header("authorization", header)
            .header("x-sim-date", date(0))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "{header}");
    }
    // Unknown access key.
    let stranger = sim.client_as("NOBODY", SK);
    stranger
        .get("/v1/regions")
        .await
        .expect_error(401, "AuthFailure");
    // A correctly signed request without a parseable date.
    let c = sim.client();
    c.send_raw(Method::GET, "/v1/regions", vec![], "yesterday")
        .await
        .expect_error(401, "AuthFailure");
}

#[tokio::test]
async fn wrong_secret_or_tampering_is_signature_mismatch() {
    let sim = Sim::fast().await;
    let wrong = sim.client_as(AK, "not-the-secret");
    wrong
        .get("/v1/regions")
        .await
        .expect_error(401, "SignatureDoesNotMatch");

    // Sign one body, send another.
    let c = sim.client();
    let d = date(0);
    let sig = mcgw_sim::auth::sign(
        SK,
        "POST",
        &r("/vpcs"),
        "",
        &d,
        br#"{"name":"a","cidr":"10.0.0.0/16"}"#,
    );
    let resp = reqwest::Client::new()
        .post(format!("{}{}", sim.base, r("/vpcs")))
        .header("x-sim-date", &d)
        .header("authorization", mcgw_sim::auth::authorization(AK, &sig))
        .body(r#"{"name":"b","cidr":"10.0.0.0/16"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    // Sign one query, send another.
    let sig = mcgw_sim::auth::sign(SK, "GET", &r("/instances"), "limit=1", &d, b"");
    let resp = reqwest::Client::new()
        .get(format!("{}{}?limit=2", sim.base, r("/instances")))
        .header("x-sim-date", &d)
        .header("authorization", mcgw_sim::auth::authorization(AK, &sig))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "SignatureDoesNotMatch");
    // Non-hex signature.
    let resp = reqwest::Client::new()
        .get(format!("{}/v1/regions", sim.base))
        .header("x-sim-date", &d)
        .header("authorization", mcgw_sim::auth::authorization(AK, "zz"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    drop(c);
}

#[tokio::test]
async fn old_or_future_dates_are_expired() {
    let sim = Sim::fast().await;
    let c = sim.client();
    c.send_raw(Method::GET, "/v1/regions", vec![], &date(-16 * 60))
        .await
        .expect_error(401, "RequestExpired");
    c.send_raw(Method::GET, "/v1/regions", vec![], &date(16 * 60))
        .await
        .expect_error(401, "RequestExpired");
    // Within the window is fine.
    c.send_raw(Method::GET, "/v1/regions", vec![], &date(-14 * 60))
        .await
        .ok(200);
}
