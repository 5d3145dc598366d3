//! Listing instances: pages and tag filters.

use std::collections::BTreeSet;

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn pages_cover_everything_once() {
    let sim = Sim::fast().await;
    let c = sim.client();
    let net = network(&c, REGION).await;
    let mut body = launch(&net, "p");
    body["count"] = json!(7);
    let created: BTreeSet<String> = launch_ok(&c, REGION, body)
        .await
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();

    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let q = match &token {
            Some(t) => format!("/instances?limit=3&page_token={t}"),
            None => "/instances?limit=3".into(),
        };
        let page = c.get(&r(&q)).await.ok(200);
        pages += 1;
        seen.extend(
            page["instances"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_string()),
        );
        match page["next_page_token"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 7);
    assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), created);

    // Exactly one full page: no token.
    let all = c.get(&r("/instances?limit=7")).await.ok(200);
    assert_eq!(all["next_page_token"], json!(null));
    // The default page holds them all.
    assert_eq!(
        c.get(&r("/instances")).await.ok(200)["instances"]
            .as_array()
            .unwrap()
            .len(),
        7
    );

    for q in [
        "limit=0",
        "limit=201",
        "limit=ten",
        "page_token=nothex",
        "page_token=00",
        "sort=name",
    ] {
        c.get(&r(&format!("/instances?{q}")))
            .await
            .expect_error(400, "InvalidParameterValue");
    }
}

#[tokio::test]
async fn tag_filters_must_all_match() {
    let sim = Sim::fast().await;
    let c = sim.client();
    let net = network(&c, REGION).await;
    for (name, tags) in [
        ("a", json!({"env": "prod", "team": "x"})),
        ("b", json!({"env": "prod", "team": "y"})),
        ("c", json!({"env": "dev", "team": "x"})),
        ("d", json!({})),
    ] {
        let mut body = launch(&net, name);
        body["tags"] = tags;
        launch_ok(&c, REGION, body).await;
    }
    let names = |v: serde_json::Value| {
        let mut n: Vec<String> = v["instances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_string())
            .collect();
        n.sort();
        n
    };
    assert_eq!(
        names(c.get(&r("/instances?tag=env=prod")).await.ok(200)),
        ["a", "b"]
    );
    assert_eq!(
        names(
            c.get(&r("/instances?tag=env%3Dprod&tag=team%3Dx"))
                .await
                .ok(200)
        ),
        ["a"]
    );
    assert_eq!(
        names(c.get(&r("/instances?tag=team")).await.ok(200)),
        ["a", "b", "c"]
    );
    assert_eq!(
        names(c.get(&r("/instances?tag=env=staging")).await.ok(200)),
        Vec::<String>::new()
    );
    // Filters and paging together.
    let page = c.get(&r("/instances?tag=team&limit=2")).await.ok(200);
    assert_eq!(page["instances"].as_array().unwrap().len(), 2);
    let token = page["next_page_token"].as_str().unwrap();
    let rest = c
        .get(&r(&format!(
            "/instances?tag=team&limit=2&page_token={token}"
        )))
        .await
        .ok(200);
    assert_eq!(rest["instances"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next_page_token"], json!(null));
}
