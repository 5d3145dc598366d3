//! Crash safety: the gateway is killed (SIGKILL) in the middle of creating an
//! MCIS, restarted, and every VM must be accounted for: each VM at the cloud
//! has exactly one record, each record a VM, none orphaned. Repeated at several
//! kill points. The simulated cloud runs as its own process, like a real cloud
//! that does not die with the gateway.

mod common;

use common::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const REGIONS: [&str; 4] = ["ap-seoul", "eu-london", "us-oregon", "sa-saopaulo"];

struct Sim {
    child: Child,
    url: String,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sim(dir: &std::path::Path) -> Sim {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcgw"))
        .args([
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--account",
            "AKCRASH:crash-secret",
            "--create-delay-ms",
            "300",
            "--transition-delay-ms",
            "100",
            "--state",
        ])
        .arg(dir.join("sim.json"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("mcgw-sim ready: ")
        .expect("sim ready line")
        .to_string();
    Sim { child, url }
}

fn gateway(data: &std::path::Path) -> Gateway {
    Gateway::start_with(
        data,
        Opts {
            args: vec![
                "--no-sim".into(),
                "--mcis-batch-size".into(),
                "4".into(),
                "--region-concurrency".into(),
                "2".into(),
            ],
            env: vec![],
        },
    )
}

/// Every live instance at the cloud tagged with this MCIS, by id.
fn cloud_vms(sim: &Sim, mcis: &str) -> BTreeMap<String, String> {
    let all: Value = reqwest::blocking::get(format!("{}/admin/instances", sim.url))
        .unwrap()
        .json()
        .unwrap();
    all["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["instance"])
        .filter(|i| i["tags"]["mcgw-mcis"] == mcis)
        .filter(|i| {
            !matches!(
                i["state"].as_str(),
                Some("TERMINATING") | Some("TERMINATED")
            )
        })
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                i["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_killed_gateway_leaves_no_orphans_at_any_kill_point() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim(dir.path());
    let data = dir.path().join("data");
    let mut gw = gateway(&data);
    let (s, v) = gw.post("/v1/credentials", json!({"name": "c", "adapter": "sim", "values": {"access_key": "AKCRASH", "secret_key": "crash-secret"}}));
    assert_eq!(s, 201, "{v}");
    for r in REGIONS {
        let (s, v) = gw.post("/v1/connections", json!({"name": format!("sim-{r}"), "adapter": "sim", "credential": "c", "region": r, "endpoint": sim.url}));
        assert_eq!(s, 201, "{v}");
        sim_vnet(&gw, "default", &format!("net-{r}"), r);
    }

    let mut interrupted = 0;
    for (round, kill_after_ms) in [0u64, 40, 120, 300, 800].into_iter().enumerate() {
        let name = format!("crash{round}");
        let subgroups: Vec<Value> = REGIONS
            .iter()
            .enumerate()
            .map(|(i, r)| json!({"name": format!("g{i}"), "connection": format!("sim-{r}"), "spec": "sim.small",
                "image": "img-ubuntu-22.04", "vnet": format!("net-{r}"), "subnet": "main", "size": 6}))
            .collect();
        let (s, v) = gw.post(
            "/v1/ns/default/mcis",
            json!({"name": name, "subgroups": subgroups}),
        );
        assert_eq!(s, 201, "{v}");
        let op = v["data"]["operation"]["id"].as_str().unwrap().to_string();
        std::thread::sleep(Duration::from_millis(kill_after_ms));
        gw.kill();

        gw = gateway(&data);
        let log = gw.log_text();
        let resumed =
            log.contains(&format!("op={op}")) && log.contains("resuming an interrupted operation");
        let adopted = log.matches("adopting VMs found by their batch tag").count();
        interrupted += usize::from(resumed);
        let done = wait_op(&gw, "default", &op, Duration::from_secs(90));
        assert_eq!(
            done["state"], "succeeded",
            "round {round} (kill after {kill_after_ms} ms): {done}"
        );
        let status = gw.ok(&format!("/v1/ns/default/mcis/{name}/status"));
        assert_eq!(
            status["status"], "Running:24 (R:24/24)",
            "round {round}: {status}"
        );

        // Each record points to a live VM at the cloud, each VM there to exactly one record.
        let cloud = cloud_vms(&sim, &name);
        let records: Vec<String> = status["vms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["csp_id"].as_str().unwrap().to_string())
            .collect();
        let mut unique = records.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            records.len(),
            "round {round}: two records share a VM"
        );
        for id in &records {
            assert!(
                cloud.contains_key(id),
                "round {round}: record points to {id}, which the cloud does not have"
            );
        }
        for id in cloud.keys() {
            assert!(
                records.contains(id),
                "round {round}: orphan {id} at the cloud"
            );
        }
        assert_eq!(cloud.len(), 24, "round {round}");
        eprintln!(
            "round {round}: killed after {kill_after_ms} ms (interrupted: {resumed}, batches adopted: {adopted}); 24/24 accounted for"
        );
    }
    assert!(
        interrupted >= 3,
        "most kill points must hit a creation in flight ({interrupted} did)"
    );
}
