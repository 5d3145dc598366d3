//! Benchmark: a 1,000-VM MCIS over 20 regions of the simulated cloud with zero
//! simulated latency, so every second measured is the gateway's own.
//!
//! Run: `cargo run --release --example mcis_bench [-- VMS REGIONS]`
//!
//! The simulated cloud runs in this process; the gateway runs as a child
//! process (this same binary, re-executed), so its peak RSS is its own.
//! Prints: wall time from the create call to all VMs Running, the gateway's
//! peak RSS, and the latency of reading the MCIS status (from its database).

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ACCESS: &str = "AKBENCH";
const SECRET: &str = "bench-secret";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let rt = tokio::runtime::Runtime::new()?;
    if args.get(1).map(String::as_str) == Some("gateway") {
        return rt.block_on(gateway(&args[2]));
    }
    let vms: u32 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let regions: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    rt.block_on(bench(vms, regions))
}

/// The child: a gateway on a free port with no embedded cloud.
async fn gateway(data_dir: &str) -> anyhow::Result<()> {
    let mut config = mcgw::config::Config::new(data_dir.into());
    config.embedded_sim = None;
    config.bootstrap = true;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    mcgw::server::run(listener, config, std::future::pending(), |ready| {
        println!("ready {}", ready.api);
    })
    .await
}

async fn bench(vms: u32, region_count: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    // The simulated cloud, in this process, instant transitions.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let sim_url = format!("http://{}", listener.local_addr()?);
    let sim_config = mcgw_sim::SimConfig {
        accounts: vec![mcgw_sim::Account {
            access_key: ACCESS.into(),
            secret_key: SECRET.into(),
        }],
        behaviour: mcgw_sim::Behaviour {
            create_delay_ms: 0,
            stop_delay_ms: 0,
            start_delay_ms: 0,
            reboot_delay_ms: 0,
            terminate_delay_ms: 0,
            quota_instances_per_region: 100_000,
            ..Default::default()
        },
        state_path: None,
    };
    tokio::spawn(mcgw_sim::serve(
        listener,
        sim_config,
        std::future::pending(),
    ));

    let mut child = Command::new(std::env::current_exe()?)
        .arg("gateway")
        .arg(dir.path().join("gw"))
        .env("MCGW_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()?;
    let pid = child.id();
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line)?;
    let api = format!("http://{}/v1", line.trim().trim_start_matches("ready "));
    let http = reqwest::Client::new();
    let post = |path: String, body: Value| {
        let http = http.clone();
        let api = api.clone();
        async move {
            let r = http.post(format!("{api}{path}")).json(&body).send().await?;
            let s = r.status();
            let v: Value = r.json().await?;
            anyhow::ensure!(s.is_success(), "POST {path}: {s} {v}");
            Ok::<Value, anyhow::Error>(v)
        }
    };

    // Setup (not measured): a credential, and a connection and vnet per region.
    post("/credentials".into(), json!({"name": "bench", "adapter": "sim", "values": {"access_key": ACCESS, "secret_key": SECRET}})).await?;
    let regions: Vec<String> = mcgw_geo::Catalog::builtin()
        .provider("sim")
        .take(region_count)
        .map(|r| r.code.clone())
        .collect();
    anyhow::ensure!(
        regions.len() == region_count,
        "the simulated cloud has {} regions",
        regions.len()
    );
    for r in &regions {
        post("/connections".into(), json!({"name": format!("b-{r}"), "adapter": "sim", "credential": "bench", "region": r, "endpoint": sim_url})).await?;
        post(
            "/ns/default/vnets".into(),
            json!({"name": format!("n-{r}"), "connection": format!("b-{r}"), "cidr": "10.0.0.0/16",
            "subnets": [{"name": "main", "cidr": "10.0.0.0/20"}]}),
        )
        .await?;
    }
    let per = vms / region_count as u32;
    let subgroups: Vec<Value> = regions
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let size = if i == 0 { vms - per * (region_count as u32 - 1) } else { per };
            json!({"name": format!("g{i}"), "connection": format!("b-{r}"), "spec": "sim.small", "image": "img-ubuntu-22.04",
                   "vnet": format!("n-{r}"), "subnet": "main", "size": size})
        })
        .collect();

    // Measured: create → every VM Running.
    let started = Instant::now();
    let accepted = post(
        "/ns/default/mcis".into(),
        json!({"name": "bench", "subgroups": subgroups}),
    )
    .await?;
    let accept_ms = started.elapsed().as_secs_f64() * 1000.0;
    let op = accepted["data"]["operation"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut peak_rss = 0;
    loop {
        peak_rss = peak_rss.max(rss_kib(pid, "VmHWM"));
        let v: Value = http
            .get(format!("{api}/ns/default/operations/{op}"))
            .send()
            .await?
            .json()
            .await?;
        if v["data"]["state"] != "running" {
            anyhow::ensure!(
                v["data"]["state"] == "succeeded",
                "creation ended {}",
                v["data"]
            );
            break;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(600),
            "creation did not finish in 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let create_s = started.elapsed().as_secs_f64();
    peak_rss = peak_rss.max(rss_kib(pid, "VmHWM"));

    // Measured: reading the aggregated status of all VMs (from the database).
    let mut times = Vec::new();
    let mut status = String::new();
    for _ in 0..100 {
        let t = Instant::now();
        let r = http
            .get(format!("{api}/ns/default/mcis/bench/status"))
            .send()
            .await?;
        let v: Value = r.json().await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        status = v["data"]["status"].as_str().unwrap_or_default().to_string();
    }
    times.sort_by(f64::total_cmp);
    let rss_now = rss_kib(pid, "VmRSS");
    let _ = child.kill();
    let _ = child.wait();

    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    println!(
        "MCIS benchmark: {vms} VMs over {region_count} regions of the simulated cloud (zero simulated latency)"
    );
    println!(
        "machine: {} cores, {cpu}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    println!("| measure | value | target |");
    println!("|---|---|---|");
    println!("| create call answered | {accept_ms:.0} ms | at once |");
    println!("| wall time to all Running | {create_s:.2} s | < 10 s |");
    println!(
        "| gateway peak RSS | {:.0} MiB | < 200 MiB |",
        peak_rss as f64 / 1024.0
    );
    println!(
        "| gateway RSS after | {:.0} MiB | |",
        rss_now as f64 / 1024.0
    );
    println!(
        "| status read p50 | {:.2} ms | < 20 ms |",
        times[times.len() / 2]
    );
    println!(
        "| status read p99 | {:.2} ms | |",
        times[times.len() * 99 / 100]
    );
    println!("| final status | {status} | Running:{vms} (R:{vms}/{vms}) |");
    Ok(())
}

/// A memory figure of a process from /proc (KiB; 0 when unavailable).
fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
