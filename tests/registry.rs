//! The adapter registry at runtime: upload, validation refusals, activation,
//! rollback, pins, removal, persistence across restarts, watched directories,
//! and swaps under concurrent traffic with zero failed requests.

mod common;

use common::*;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn upload(gw: &Gateway, path: &str, bytes: Vec<u8>) -> (u16, Value) {
    let r = reqwest::blocking::Client::new()
        .post(format!("{}{path}", gw.url))
        .header("content-type", "application/wasm")
        .body(bytes)
        .send()
        .unwrap();
    (r.status().as_u16(), r.json().unwrap())
}

fn served_by(gw: &Gateway, path: &str) -> String {
    let r = reqwest::blocking::get(format!("{}{path}", gw.url)).unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r.headers()["x-mcgw-adapter"].to_str().unwrap().to_string()
}

fn sim_next() -> Vec<u8> {
    std::fs::read(test_component("test-sim-next")).unwrap()
}

#[test]
fn upload_activate_pin_rollback_and_remove() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    let specs = "/v1/connections/sim-ap-seoul/specs";
    assert_eq!(served_by(&gw, specs), "sim@1.0.0");

    let (s, v) = upload(&gw, "/v1/adapters/sim/versions/1.1.0", sim_next());
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["code"], "Created");
    assert_eq!(
        v["data"]["active_version"], "1.0.0",
        "upload alone does not activate"
    );
    let versions: Vec<&str> = v["data"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["1.0.0", "1.1.0"]);
    // The same bytes again change nothing.
    let (s, v) = upload(&gw, "/v1/adapters/sim/versions/1.1.0", sim_next());
    assert_eq!((s, v["code"].as_str()), (200, Some("OK")), "{v}");
    assert_eq!(served_by(&gw, specs), "sim@1.0.0");

    let (s, v) = gw.post("/v1/adapters/sim/versions/1.1.0/activate", json!({}));
    assert_eq!((s, v["code"].as_str()), (200, Some("Changed")), "{v}");
    assert_eq!(served_by(&gw, specs), "sim@1.1.0");
    assert_eq!(v["data"]["rollback_to"], json!(["1.0.0"]));

    let (s, v) = gw.post("/v1/adapters/sim/rollback", json!({}));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["active_version"], "1.0.0");
    assert_eq!(served_by(&gw, specs), "sim@1.0.0");
    let (s, v) = gw.post("/v1/adapters/sim/rollback", json!({}));
    assert_eq!(
        (s, v["code"].as_str()),
        (400, Some("InvalidRequest")),
        "{v}"
    );

    // A connection can pin a version (or a range) regardless of the active one.
    let (s, v) = gw.post(
        "/v1/connections",
        json!({"name": "pinned", "adapter": "sim", "adapter_version": "~1.1",
        "credential": "sim", "region": "ap-seoul"}),
    );
    assert_eq!(s, 201, "{v}");
    assert_eq!(served_by(&gw, "/v1/connections/pinned/specs"), "sim@1.1.0");
    let (s, v) = gw.post(
        "/v1/connections",
        json!({"name": "pinned2", "adapter": "sim", "adapter_version": "^3",
        "credential": "sim", "region": "ap-seoul"}),
    );
    assert_eq!(
        (s, v["field"].as_str()),
        (400, Some("adapter_version")),
        "{v}"
    );

    // A pinned version cannot be removed; the active and built-in ones neither.
    let (s, v) = gw.delete("/v1/adapters/sim/versions/1.1.0");
    assert_eq!(s, 400, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("pinned by connection pinned"),
        "{v}"
    );
    let (s, v) = gw.delete("/v1/adapters/sim/versions/1.0.0");
    assert_eq!(s, 400, "{v}");
    assert_eq!(gw.delete("/v1/connections/pinned").0, 200);
    let (s, v) = gw.delete("/v1/adapters/sim/versions/1.1.0");
    assert_eq!((s, v["code"].as_str()), (200, Some("Deleted")), "{v}");
    assert_eq!(v["data"]["versions"].as_array().unwrap().len(), 1);
    assert_eq!(
        std::fs::read_dir(dir.path().join("adapters"))
            .unwrap()
            .count(),
        0,
        "its file is gone too"
    );
}

#[test]
fn every_validation_refusal_is_a_precise_400_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    let before = gw.ok("/v1/adapters");
    let read = |name: &str| std::fs::read(test_component(name)).unwrap();
    // An empty component: valid, but implements nothing of the contract.
    let empty_component = b"\0asm\x0d\x00\x01\x00".to_vec();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("/v1/adapters", vec![], "request body must be the component"),
        (
            "/v1/adapters",
            b"not wasm at all".to_vec(),
            "not a valid WebAssembly component",
        ),
        (
            "/v1/adapters",
            b"\0asm\x01\x00\x00\x00".to_vec(),
            "not a valid WebAssembly component",
        ),
        (
            "/v1/adapters",
            empty_component,
            "does not export `mcgw:adapter/metadata`",
        ),
        ("/v1/adapters", read("test-reads-files"), "wasi:filesystem"),
        ("/v1/adapters", read("test-opens-socket"), "wasi:sockets"),
        (
            "/v1/adapters",
            read("test-bad-describe"),
            "describe() failed",
        ),
        (
            "/v1/adapters/sim/versions/2.0.0",
            sim_next(),
            "describes itself as sim@1.1.0, not sim@2.0.0",
        ),
        (
            "/v1/adapters/other/versions/1.1.0",
            sim_next(),
            "not other@1.1.0",
        ),
        (
            "/v1/adapters/sim/versions/banana",
            sim_next(),
            "not a semantic version",
        ),
    ];
    for (path, bytes, expect) in cases {
        let (s, v) = upload(&gw, path, bytes);
        assert_eq!(s, 400, "{path}: {v}");
        assert_eq!(v["code"], "BadRequestData", "{v}");
        assert!(
            v["message"].as_str().unwrap().contains(expect),
            "{path}: wanted {expect:?} in {v}"
        );
    }
    assert_eq!(
        gw.ok("/v1/adapters"),
        before,
        "refusals must change nothing"
    );
    assert!(
        !dir.path().join("adapters").exists()
            || std::fs::read_dir(dir.path().join("adapters"))
                .unwrap()
                .count()
                == 0
    );
    let (s, v) = gw.post("/v1/adapters/sim/versions/9.9.9/activate", json!({}));
    assert_eq!((s, v["code"].as_str()), (404, Some("NotFound")), "{v}");
}

#[test]
fn a_restart_restores_versions_activation_and_limits() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    let (s, v) = upload(&gw, "/v1/adapters?activate=true", sim_next());
    assert_eq!(s, 201, "{v}");
    let (s, v) = gw.call("PUT", "/v1/adapters/sim/limits", Some(&json!({"memory_mib": 96, "cpu_ms": 1500, "timeout_ms": 30000, "outbound_timeout_ms": 20000})));
    assert_eq!(s, 200, "{v}");
    let (s, v) = gw.call("PUT", "/v1/adapters/sim/limits", Some(&json!({"memory_mib": 1, "cpu_ms": 1500, "timeout_ms": 30000, "outbound_timeout_ms": 20000})));
    assert_eq!((s, v["field"].as_str()), (400, Some("memory_mib")), "{v}");
    gw.stop();

    let gw = Gateway::start(dir.path());
    let sim = gw.ok("/v1/adapters/sim");
    assert_eq!(sim["active_version"], "1.1.0");
    assert_eq!(sim["rollback_to"], json!(["1.0.0"]));
    assert_eq!(sim["limits"]["memory_mib"], 96);
    assert_eq!(
        served_by(&gw, "/v1/connections/sim-eu-paris/specs"),
        "sim@1.1.0"
    );
    let (s, _) = gw.post("/v1/adapters/sim/rollback", json!({}));
    assert_eq!(s, 200);
    gw.stop();
    let gw = Gateway::start(dir.path());
    assert_eq!(gw.ok("/v1/adapters/sim")["active_version"], "1.0.0");
}

#[test]
fn dropping_a_component_into_a_watched_directory_registers_it() {
    let dir = tempfile::tempdir().unwrap();
    let watched = dir.path().join("watched");
    std::fs::create_dir_all(&watched).unwrap();
    let mut opts = Opts::default();
    opts.args.extend([
        "--adapter-dir".into(),
        watched.display().to_string(),
        "--adapter-dir-poll-ms".into(),
        "200".into(),
    ]);
    let gw = Gateway::start_with(&dir.path().join("data"), opts);
    assert_eq!(gw.get("/v1/adapters/misbehave").0, 404);
    std::fs::copy(
        test_component("test-misbehave"),
        watched.join("misbehave.wasm"),
    )
    .unwrap();
    let start = Instant::now();
    while gw.get("/v1/adapters/misbehave").0 != 200 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "not registered; log:\n{}",
            gw.log_text()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // A refused file is logged with its reason and does not stop the watcher.
    std::fs::copy(
        test_component("test-reads-files"),
        watched.join("reads-files.wasm"),
    )
    .unwrap();
    std::fs::copy(test_component("test-snoop"), watched.join("snoop.wasm")).unwrap();
    let start = Instant::now();
    while gw.get("/v1/adapters/snoop").0 != 200 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "not registered; log:\n{}",
            gw.log_text()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(gw.log_text().contains("wasi:filesystem"));
    assert_eq!(gw.get("/v1/adapters/reads-files").0, 404);
}

#[test]
fn zero_failed_requests_while_versions_swap_under_load() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    sim_vnet(&gw, "default", "net1", "ap-seoul");
    for i in 1..=3 {
        let (s, v) = gw.post(
            "/v1/ns/default/vms",
            sim_vm(&format!("vm-{i}"), "ap-seoul", "net1"),
        );
        assert_eq!(s, 201, "{v}");
    }
    let (s, v) = upload(&gw, "/v1/adapters/sim/versions/1.1.0", sim_next());
    assert_eq!(s, 201, "{v}");

    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = Arc::new(Mutex::new(std::collections::BTreeSet::<String>::new()));
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (url, stop, ok, failures, seen) = (
                gw.url.clone(),
                stop.clone(),
                ok.clone(),
                failures.clone(),
                seen.clone(),
            );
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let path = match (w + i) % 3 {
                        0 => format!("/v1/ns/default/vms/vm-{}", 1 + i % 3),
                        1 => "/v1/connections/sim-ap-seoul/specs".to_string(),
                        _ => "/v1/ns/default/vms?refresh=true".to_string(),
                    };
                    match client.get(format!("{url}{path}")).send() {
                        Ok(r) if r.status().is_success() => {
                            if let Some(h) = r.headers().get("x-mcgw-adapter") {
                                seen.lock().unwrap().insert(h.to_str().unwrap().to_string());
                            }
                            let body: Value = r.json().unwrap();
                            // A read that could not reach the cloud is a failure too.
                            if body.to_string().contains("status refresh failed") {
                                failures.lock().unwrap().push(format!("{path}: {body}"));
                            } else {
                                ok.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Ok(r) => failures.lock().unwrap().push(format!(
                            "{path}: {} {}",
                            r.status(),
                            r.text().unwrap_or_default()
                        )),
                        Err(e) => failures.lock().unwrap().push(format!("{path}: {e}")),
                    }
                }
            })
        })
        .collect();
    let mut swaps = 0;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(6) {
        let (s, v) = gw.post("/v1/adapters/sim/versions/1.1.0/activate", json!({}));
        assert_eq!(s, 200, "{v}");
        std::thread::sleep(Duration::from_millis(100));
        let (s, v) = gw.post("/v1/adapters/sim/rollback", json!({}));
        assert_eq!(s, 200, "{v}");
        std::thread::sleep(Duration::from_millis(100));
        swaps += 2;
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} failed requests during {swaps} swaps, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(3)]
    );
    let ok = ok.load(Ordering::Relaxed);
    assert!(ok > 50, "too little traffic to mean anything: {ok}");
    let seen = seen.lock().unwrap();
    assert!(
        seen.contains("sim@1.0.0") && seen.contains("sim@1.1.0"),
        "both versions must have served: {seen:?}"
    );
    eprintln!("{ok} requests, 0 failed, {swaps} swaps, served by {seen:?}");
}
