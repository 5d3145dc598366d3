//! Scale smoke test: thousands of instances over 20 regions stay cheap to serve.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_instances_over_twenty_regions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let sim = Sim::start(config(fast(), Some(path.clone()))).await;
    let c = sim.client();
    let regions: Vec<String> = c.get("/v1/regions").await.ok(200)["regions"]
        .as_array()
        .unwrap()
        .iter()
        .take(20)
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    let mut ids = Vec::new();
    let t = Instant::now();
    for region in &regions {
        let net = network(&c, region).await;
        let mut body = launch(&net, "fleet");
        body["count"] = json!(100);
        for i in launch_ok(&c, region, body).await {
            ids.push((region.clone(), i["id"].as_str().unwrap().to_string()));
        }
    }
    assert_eq!(ids.len(), 2000);
    eprintln!("launched 2000 instances in {:?}", t.elapsed());

    // 2000 concurrent gets, 8 at a time per task.
    let t = Instant::now();
    let mut tasks = Vec::new();
    for chunk in ids.chunks(250) {
        let c = c.clone();
        let chunk = chunk.to_vec();
        tasks.push(tokio::spawn(async move {
            for (region, id) in chunk {
                c.get(&format!("/v1/regions/{region}/instances/{id}/state"))
                    .await
                    .ok(200);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = t.elapsed();
    eprintln!("2000 signed gets in {elapsed:?}");
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");

    let t = Instant::now();
    let page = c
        .get(&format!("/v1/regions/{}/instances?limit=200", regions[0]))
        .await
        .ok(200);
    assert_eq!(page["instances"].as_array().unwrap().len(), 100);
    eprintln!("one full list in {:?}", t.elapsed());
    let all = sim
        .admin(Method::GET, "/admin/instances", None)
        .await
        .ok(200);
    assert_eq!(all["instances"].as_array().unwrap().len(), 2000);
    sim.stop().await;
    let size = std::fs::metadata(&path).unwrap().len();
    eprintln!("state file: {size} bytes");
}
