//! Adapters are sandboxed: one that crashes or spins forever costs only its own
//! request (500 InternalError within its deadline) while others are served, and
//! one that imports what adapters may not use is refused at load.

mod common;

use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

fn gateway_with_test_adapters(dir: &std::path::Path, extra: &[&str]) -> Gateway {
    let adapters = dir.join("adapters");
    std::fs::create_dir_all(&adapters).unwrap();
    for name in [
        "test-misbehave",
        "test-reads-files",
        "test-reads-env",
        "test-opens-socket",
        "test-snoop",
    ] {
        std::fs::copy(test_component(name), adapters.join(format!("{name}.wasm"))).unwrap();
    }
    let mut opts = Opts::default();
    opts.args.extend([
        "--adapter-dir".into(),
        adapters.display().to_string(),
        "--adapter-cpu-ms".into(),
        "400".into(),
    ]);
    opts.args.extend(extra.iter().map(|s| s.to_string()));
    opts.env.push((
        "MCGW_TEST_HOST_SECRET".into(),
        "host-env-secret-value".into(),
    ));
    Gateway::start_with(&dir.join("data"), opts)
}

fn misbehave_connection(gw: &Gateway, behaviour: &str) -> String {
    connection(
        gw,
        "misbehave",
        "misbehave",
        &format!("bad-{behaviour}"),
        json!({"behaviour": behaviour}),
    )
}

/// A connection of `adapter` with `credential` (created with token = its name).
fn connection(
    gw: &Gateway,
    adapter: &str,
    credential: &str,
    name: &str,
    extra: serde_json::Value,
) -> String {
    if gw.get(&format!("/v1/credentials/{credential}")).0 == 404 {
        let (s, v) = gw.post(
            "/v1/credentials",
            json!({"name": credential, "adapter": adapter, "values": {"token": format!("secret-of-{credential}")}}),
        );
        assert_eq!(s, 201, "{v}");
    }
    let (s, v) = gw.post(
        "/v1/connections",
        json!({"name": name, "adapter": adapter, "credential": credential, "region": "test-1", "extra": extra}),
    );
    assert_eq!(s, 201, "{v}");
    name.to_string()
}

fn region_name(gw: &Gateway, conn: &str) -> String {
    gw.ok(&format!("/v1/connections/{conn}/regions"))[0]["name"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn adapters_see_only_their_own_cache_and_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let gw = gateway_with_test_adapters(dir.path(), &[]);
    let writer = connection(
        &gw,
        "misbehave",
        "cred-a",
        "writer",
        json!({"behaviour": "cache-write", "target": "tok-123"}),
    );
    assert_eq!(region_name(&gw, &writer), "tok-123");
    // Same adapter, same credential (another connection): shares the token.
    let same = connection(
        &gw,
        "misbehave",
        "cred-a",
        "same",
        json!({"behaviour": "cache-read"}),
    );
    assert_eq!(region_name(&gw, &same), "tok-123");
    // Same adapter, another credential: sees nothing.
    let other_cred = connection(
        &gw,
        "misbehave",
        "cred-b",
        "other-cred",
        json!({"behaviour": "cache-read"}),
    );
    assert_eq!(region_name(&gw, &other_cred), "(none)");
    // Another adapter with an identical credential: sees nothing.
    let snoop = connection(
        &gw,
        "snoop",
        "snoop-a",
        "snoop",
        json!({"behaviour": "cache-read"}),
    );
    assert_eq!(region_name(&gw, &snoop), "(none)");
    // A call carries only its own connection's credential.
    let echo = connection(
        &gw,
        "misbehave",
        "cred-b",
        "echo",
        json!({"behaviour": "echo-credential"}),
    );
    assert_eq!(region_name(&gw, &echo), "token=secret-of-cred-b");
}

#[test]
fn limits_are_configurable_per_adapter() {
    let dir = tempfile::tempdir().unwrap();
    let gw = gateway_with_test_adapters(dir.path(), &[]);
    let (s, v) = gw.call(
        "PUT",
        "/v1/adapters/misbehave/limits",
        Some(&json!({"memory_mib": 32, "cpu_ms": 100, "timeout_ms": 5000, "outbound_timeout_ms": 1000})),
    );
    assert_eq!(s, 200, "{v}");
    let bad = misbehave_connection(&gw, "loop");
    let t = Instant::now();
    let (s, v) = gw.get(&format!("/v1/connections/{bad}/regions"));
    assert_eq!(s, 500, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("CPU budget of 100 ms"),
        "{v}"
    );
    assert!(t.elapsed() < Duration::from_secs(2));
    let bomb = misbehave_connection(&gw, "memory");
    let (_, v) = gw.get(&format!("/v1/connections/{bomb}/regions"));
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("memory limit of 32 MiB"),
        "{v}"
    );
    // Other adapters keep the defaults.
    assert_eq!(gw.ok("/v1/adapters/sim")["limits"]["cpu_ms"], 400);
}

#[test]
fn a_trapping_adapter_fails_only_its_request() {
    let dir = tempfile::tempdir().unwrap();
    let gw = gateway_with_test_adapters(dir.path(), &[]);
    let ok = misbehave_connection(&gw, "none");
    assert_eq!(gw.get(&format!("/v1/connections/{ok}/regions")).0, 200);

    let bad = misbehave_connection(&gw, "trap");
    let (s, v) = gw.get(&format!("/v1/connections/{bad}/regions"));
    assert_eq!(s, 500, "{v}");
    assert_eq!(v["code"], "InternalError");
    assert_eq!(v["origin"], "adapter");
    assert!(v["message"].as_str().unwrap().contains("crashed"), "{v}");
    // The panic message reached the log, attributed to the adapter.
    assert!(gw.log_text().contains("misbehave: deliberate panic"));
    // The gateway and the same adapter keep serving.
    assert_eq!(gw.get(&format!("/v1/connections/{ok}/regions")).0, 200);
    assert_eq!(gw.get("/v1/connections/sim-ap-seoul/regions").0, 200);

    let bad = misbehave_connection(&gw, "stack");
    let (s, v) = gw.get(&format!("/v1/connections/{bad}/regions"));
    assert_eq!((s, v["origin"].as_str()), (500, Some("adapter")), "{v}");
}

#[test]
fn a_spinning_adapter_is_stopped_at_its_cpu_deadline_while_others_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let gw = gateway_with_test_adapters(dir.path(), &[]);
    let bad = misbehave_connection(&gw, "loop");
    let url = gw.url.clone();
    let spinner = std::thread::spawn(move || {
        let started = Instant::now();
        let r = reqwest::blocking::Client::new()
            .get(format!("{url}/v1/connections/{bad}/regions"))
            .timeout(Duration::from_secs(30))
            .send()
            .unwrap();
        (
            r.status().as_u16(),
            r.json::<serde_json::Value>().unwrap(),
            started.elapsed(),
        )
    });
    // While it spins, other requests are answered promptly.
    std::thread::sleep(Duration::from_millis(50));
    for _ in 0..5 {
        let t = Instant::now();
        assert_eq!(gw.get("/v1/connections/sim-ap-seoul/specs").0, 200);
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "a spinning adapter slowed others: {:?}",
            t.elapsed()
        );
    }
    let (status, body, elapsed) = spinner.join().unwrap();
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["origin"], "adapter");
    assert!(
        body["message"].as_str().unwrap().contains("CPU budget"),
        "{body}"
    );
    assert!(
        elapsed < Duration::from_secs(5),
        "stopped after {elapsed:?}"
    );
}

#[test]
fn a_memory_bomb_is_stopped_at_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let gw = gateway_with_test_adapters(dir.path(), &["--adapter-memory-mib", "64"]);
    let bad = misbehave_connection(&gw, "memory");
    let (s, v) = gw.get(&format!("/v1/connections/{bad}/regions"));
    assert_eq!(s, 500, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("memory limit of 64 MiB"),
        "{v}"
    );
    assert_eq!(gw.get("/v1/connections/sim-ap-seoul/regions").0, 200);
}

#[test]
fn forbidden_imports_are_refused_at_load_and_the_environment_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let gw = gateway_with_test_adapters(dir.path(), &[]);
    let log = gw.log_text();
    assert!(log.contains("adapter refused"), "{log}");
    assert!(log.contains("wasi:filesystem/types"), "{log}");
    assert!(log.contains("wasi:sockets/"), "{log}");
    assert_eq!(gw.get("/v1/adapters/reads-files").0, 404);
    assert_eq!(gw.get("/v1/adapters/opens-socket").0, 404);
    // reads-env links (std imports the environment interface) but sees nothing
    // of the host's environment.
    assert_eq!(gw.get("/v1/adapters/reads-env").0, 200);
    let (s, v) = gw.post(
        "/v1/credentials",
        json!({"name": "env", "adapter": "reads-env", "values": {}}),
    );
    assert_eq!(s, 201, "{v}");
    let (s, v) = gw.post(
        "/v1/connections",
        json!({"name": "env", "adapter": "reads-env", "credential": "env", "region": "x"}),
    );
    assert_eq!(s, 201, "{v}");
    let regions = gw.ok("/v1/connections/env/regions");
    assert_eq!(
        regions[0]["name"], "",
        "the adapter saw environment variables: {regions}"
    );
    assert!(!regions.to_string().contains("host-env-secret-value"));
}

#[test]
fn outbound_calls_outside_the_allow_list_are_refused_and_never_sent() {
    let dir = tempfile::tempdir().unwrap();
    let gw = gateway_with_test_adapters(dir.path(), &[]);
    // A listener that must never be reached.
    let trap = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    trap.set_nonblocking(true).unwrap();
    let target = format!("http://{}/steal", trap.local_addr().unwrap());
    let (s, v) = gw.post(
        "/v1/credentials",
        json!({"name": "misbehave", "adapter": "misbehave", "values": {}}),
    );
    assert_eq!(s, 201, "{v}");
    let (s, v) = gw.post(
        "/v1/connections",
        json!({"name": "egress", "adapter": "misbehave", "credential": "misbehave", "region": "x",
               "extra": {"behaviour": "egress", "target": target}}),
    );
    assert_eq!(s, 201, "{v}");
    let (s, v) = gw.get("/v1/connections/egress/regions");
    assert_eq!(s, 500, "{v}");
    let port = trap.local_addr().unwrap().port();
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains(&format!("refused the request to 127.0.0.1:{port}")),
        "{v}"
    );
    assert!(gw.log_text().contains("outbound request denied"));
    assert!(trap.accept().is_err(), "nothing may connect");
}

#[test]
fn the_operator_can_allow_more_hosts_per_connection() {
    let dir = tempfile::tempdir().unwrap();
    let gw = gateway_with_test_adapters(dir.path(), &[]);
    // A tiny HTTP server the adapter is not allowed to reach by itself.
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut s in server.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n");
        }
    });
    let target = format!("http://{addr}/");
    let (s, v) = gw.post(
        "/v1/credentials",
        json!({"name": "misbehave", "adapter": "misbehave", "values": {}}),
    );
    assert_eq!(s, 201, "{v}");
    let (s, v) = gw.post(
        "/v1/connections",
        json!({"name": "bad-allow", "adapter": "misbehave", "credential": "misbehave",
        "region": "x", "allowed_hosts": ["*"], "extra": {"behaviour": "egress", "target": target}}),
    );
    assert_eq!(
        (s, v["field"].as_str()),
        (400, Some("allowed_hosts[0]")),
        "{v}"
    );
    let (s, v) = gw.post("/v1/connections", json!({"name": "allowed", "adapter": "misbehave", "credential": "misbehave",
        "region": "x", "allowed_hosts": [addr.to_string()], "extra": {"behaviour": "egress", "target": target}}));
    assert_eq!(s, 201, "{v}");
    let (s, v) = gw.get("/v1/connections/allowed/regions");
    assert_eq!(s, 500, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("egress was not blocked: HTTP 204"),
        "the call must have gone through: {v}"
    );
}
