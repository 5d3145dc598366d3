//! Regions, images, specs, latency, and the generic error answers.

use mcgw_geo::{LatencyModel, Point};
use reqwest::Method;

use crate::common::*;

#[tokio::test]
async fn regions_come_from_the_geo_catalog() {
    let sim = Sim::fast().await;
    let body = sim.client().get("/v1/regions").await.ok(200);
    let regions = body["regions"].as_array().unwrap();
    assert_eq!(
        regions.len(),
        mcgw_geo::Catalog::builtin().provider("sim").count()
    );
    assert!(regions.len() >= 20);
    let seoul = regions.iter().find(|r| r["name"] == "ap-seoul").unwrap();
    assert_eq!(
        seoul["zones"],
        serde_json::json!(["ap-seoul-a", "ap-seoul-b", "ap-seoul-c"])
    );
    for field in ["display_name", "city", "country"] {
        assert!(seoul[field].is_string(), "{field}");
    }
    assert!(seoul["latitude"].is_f64() && seoul["longitude"].is_f64());
}

#[tokio::test]
async fn images_list_and_get() {
    let sim = Sim::fast().await;
    let c = sim.client();
    let body = c.get(&r("/images")).await.ok(200);
    let images = body["images"].as_array().unwrap();
    assert!(images.len() >= 8);
    let img = c.get(&r("/images/img-ubuntu-22.04")).await.ok(200);
    for f in [
        "id",
        "name",
        "os_type",
        "os_distribution",
        "architecture",
        "min_disk_gib",
        "status",
        "public",
    ] {
        assert!(!img[f].is_null(), "{f}");
    }
    c.get(&r("/images/img-foo"))
        .await
        .expect_error(404, "ImageNotFound");
    c.get("/v1/regions/mars-1/images")
        .await
        .expect_error(400, "InvalidRegion");
}

#[tokio::test]
async fn specs_are_priced_per_region_and_gpus_are_local() {
    let sim = Sim::fast().await;
    let c = sim.client();
    let us = c
        .get("/v1/regions/us-virginia/specs/sim.small")
        .await
        .ok(200);
    let ap = c.get("/v1/regions/ap-seoul/specs/sim.small").await.ok(200);
    assert!(ap["price_per_hour"].as_f64() > us["price_per_hour"].as_f64());
    assert_eq!(us["currency"], "USD");
    assert!(us["gpu"].is_null());
    let gpu = c
        .get("/v1/regions/us-virginia/specs/sim.g1.xlarge")
        .await
        .ok(200);
    assert_eq!(gpu["gpu"]["count"], 1);
    assert_eq!(gpu["gpu"]["model"], "NVIDIA T4");
    c.get("/v1/regions/ap-seoul/specs/sim.g1.xlarge")
        .await
        .expect_error(404, "SpecNotFound");
    let seoul = c.get("/v1/regions/ap-seoul/specs").await.ok(200);
    let virginia = c.get("/v1/regions/us-virginia/specs").await.ok(200);
    assert_eq!(
        seoul["specs"].as_array().unwrap().len() + 1,
        virginia["specs"].as_array().unwrap().len()
    );
    c.get("/v1/regions/nowhere/specs")
        .await
        .expect_error(400, "InvalidRegion");
}

#[tokio::test]
async fn latency_uses_the_shared_model() {
    let sim = Sim::fast().await;
    let c = sim.client();
    let body = c
        .get("/v1/regions/ap-tokyo/latency?lat=37.5665&lon=126.978")
        .await
        .ok(200);
    assert_eq!(body["region"], "ap-tokyo");
    let geo = mcgw_geo::Catalog::builtin();
    let tokyo = geo.get("sim", "ap-tokyo").unwrap();
    let want = LatencyModel::default().rtt_ms(
        Point {
            latitude: 37.5665,
            longitude: 126.978,
        },
        Point {
            latitude: tokyo.latitude,
            longitude: tokyo.longitude,
        },
    );
    assert!((body["rtt_ms"].as_f64().unwrap() - want).abs() < 1e-9);
    c.get("/v1/regions/ap-tokyo/latency?lat=1")
        .await
        .expect_error(400, "MissingParameter");
    c.get("/v1/regions/ap-tokyo/latency?lat=91&lon=0")
        .await
        .expect_error(400, "InvalidParameterValue");
    c.get("/v1/regions/ap-tokyo/latency?lat=x&lon=0")
        .await
        .expect_error(400, "InvalidParameterValue");
    c.get("/v1/regions/atlantis/latency?lat=0&lon=0")
        .await
        .expect_error(400, "InvalidRegion");
}

#[tokio::test]
async fn unknown_paths_methods_and_bodies_answer_in_the_envelope() {
    let sim = Sim::fast().await;
    let c = sim.client();
    c.get("/v1/nothing/here")
        .await
        .expect_error(404, "NotFound");
    c.send(Method::PUT, &r("/vpcs"), None)
        .await
        .expect_error(405, "MethodNotAllowed");
    c.send(Method::PATCH, "/v1/regions", None)
        .await
        .expect_error(405, "MethodNotAllowed");
    c.send_raw(Method::POST, &r("/vpcs"), b"{not json".to_vec(), &date(0))
        .await
        .expect_error(400, "InvalidParameterValue");
    c.send_raw(Method::POST, &r("/vpcs"), b"[]".to_vec(), &date(0))
        .await
        .expect_error(400, "InvalidParameterValue");
    c.send_raw(Method::POST, &r("/vpcs"), vec![], &date(0))
        .await
        .expect_error(400, "InvalidParameterValue");
    let big = vec![b' '; (1 << 20) + 1];
    c.send_raw(Method::POST, &r("/vpcs"), big, &date(0))
        .await
        .expect_error(413, "RequestEntityTooLarge");
    sim.admin(Method::DELETE, "/admin/config", None)
        .await
        .expect_error(405, "MethodNotAllowed");
    sim.admin(Method::GET, "/admin/nope", None)
        .await
        .expect_error(404, "NotFound");
}
