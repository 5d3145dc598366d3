//! The performance suite of issue 8, one command, side by side in one run:
//!
//! - P1 added latency: the same VM read, direct to the backend vs through the
//!   gateway + Wasm adapter, interleaved; p50/p99/p99.9 of both and of the
//!   per-pair difference;
//! - P2 throughput at several concurrency levels: gateway + Wasm adapter vs a
//!   plain hyper reverse proxy in front of the same backend;
//! - P3 upgrade under load: activate/roll back an adapter version every second
//!   for 30 s under load; failed requests, and the delay until the new version serves;
//! - P4 memory per concurrent adapter instance;
//! - P6 cold start with the precompiled-component cache cold and warm.
//!
//! Run: `cargo run --release --example perf` (`-- quick` for a short run).
//! The backend is the simulated cloud (its own throughput is printed too).

mod load;
mod procs;

use anyhow::{Context, Result};
use load::{MakeReq, closed_loop, paired, pct};
use procs::{ACCESS, Proc, SECRET, spawn};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match args.first().map(String::as_str) {
        Some("sim") => rt.block_on(procs::run_sim()),
        Some("gateway") => rt.block_on(procs::run_gateway(&args[1..])),
        Some("proxy") => rt.block_on(procs::run_proxy(&args[1])),
        other => rt.block_on(suite(other == Some("quick"))),
    }
}

/// A signed GET to the simulated cloud (what the adapter sends).
fn signed_get(base: &str, path: &str) -> MakeReq {
    let (base, path) = (base.to_string(), path.to_string());
    Arc::new(move |c: &reqwest::Client| {
        let date = time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .expect("valid")
            .format(&time::format_description::well_known::Rfc3339)
            .expect("valid");
        let sig = mcgw_sim::auth::sign(SECRET, "GET", &path, "", &date, b"");
        c.get(format!("{base}{path}"))
            .header(mcgw_sim::auth::DATE_HEADER, date)
            .header("authorization", mcgw_sim::auth::authorization(ACCESS, &sig))
    })
}

fn plain_get(url: String) -> MakeReq {
    Arc::new(move |c: &reqwest::Client| c.get(url.clone()))
}

async fn post(c: &reqwest::Client, url: &str, body: Value) -> Result<Value> {
    let r = c.post(url).json(&body).send().await?;
    let s = r.status();
    let v: Value = r.json().await?;
    anyhow::ensure!(s.is_success(), "POST {url}: {s} {v}");
    Ok(v)
}

struct Bed {
    sim: Proc,
    gw: Proc,
    proxy: Proc,
    /// Path of the VM at the backend.
    vm_path: String,
    dir: tempfile::TempDir,
}

async fn setup(c: &reqwest::Client) -> Result<Bed> {
    let dir = tempfile::tempdir()?;
    let sim = spawn("sim", &[], &[])?;
    let gw = spawn(
        "gateway",
        &[
            dir.path().join("gw").display().to_string(),
            dir.path().join("cache").display().to_string(),
        ],
        &[("MCGW_LOG", "warn")],
    )?;
    let proxy = spawn("proxy", std::slice::from_ref(&sim.url), &[])?;
    let api = format!("{}/v1", gw.url);
    post(c, &format!("{api}/credentials"), json!({"name": "p", "adapter": "sim", "values": {"access_key": ACCESS, "secret_key": SECRET}})).await?;
    post(c, &format!("{api}/connections"), json!({"name": "p-seoul", "adapter": "sim", "credential": "p", "region": "ap-seoul", "endpoint": sim.url})).await?;
    post(c, &format!("{api}/ns/default/vnets"), json!({"name": "n", "connection": "p-seoul", "cidr": "10.0.0.0/16", "subnets": [{"name": "main", "cidr": "10.0.1.0/24"}]})).await?;
    let vm = post(c, &format!("{api}/ns/default/vms"), json!({"name": "v", "connection": "p-seoul", "spec": "sim.small", "image": "img-ubuntu-22.04", "vnet": "n", "subnet": "main"})).await?;
    let id = vm["data"]["csp_id"].as_str().context("csp id")?.to_string();
    // Let the VM settle so reads do not change the record.
    tokio::time::sleep(Duration::from_millis(300)).await;
    c.get(format!("{api}/ns/default/vms/v")).send().await?;
    Ok(Bed {
        sim,
        gw,
        proxy,
        vm_path: format!("/v1/regions/ap-seoul/instances/{id}"),
        dir,
    })
}

async fn suite(quick: bool) -> Result<()> {
    let c = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .build()?;
    let bed = setup(&c).await?;
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    println!(
        "# mcgw performance suite{}",
        if quick { " (quick)" } else { "" }
    );
    println!(
        "machine: {} cores, {cpu}; backend: the simulated cloud (mcgw-sim, HMAC-signed requests)\n",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );

    let direct = signed_get(&bed.sim.url, &bed.vm_path);
    let via_gw = plain_get(format!("{}/v1/ns/default/vms/v", bed.gw.url));
    let via_proxy = signed_get(&bed.proxy.url, &bed.vm_path);

    // P1.
    let n = if quick { 1000 } else { 5000 };
    let (a, b, d) = paired(&c, &direct, &via_gw, n, 200).await?;
    // The same with the plain proxy: what one extra loopback HTTP hop costs.
    let (pa, pb, pd) = paired(&c, &direct, &via_proxy, n, 200).await?;
    println!("## P1 added latency ({n} interleaved pairs each, sequential, µs)\n");
    println!("| path | p50 | p99 | p99.9 |\n|---|---|---|---|");
    let row = |name: &str, x: &[f64]| {
        println!(
            "| {name} | {:.0} | {:.0} | {:.0} |",
            pct(x, 50.0),
            pct(x, 99.0),
            pct(x, 99.9)
        )
    };
    row("direct to the backend", &a);
    row("through gateway + Wasm adapter", &b);
    row("**gateway: added per pair**", &d);
    row("direct to the backend (second run)", &pa);
    row("through the plain proxy", &pb);
    row("plain proxy: added per pair", &pd);
    println!("\ngoal: p50 added ≤ 50 µs, p99 ≤ 250 µs\n");

    // P2.
    let secs = Duration::from_secs(if quick { 2 } else { 5 });
    println!(
        "## P2 throughput ({} s per cell, requests/s)\n",
        secs.as_secs()
    );
    println!(
        "| concurrency | backend direct | plain proxy | gateway + Wasm | gateway / proxy | gateway p99 µs |\n|---|---|---|---|---|---|"
    );
    for conc in [1, 8, 32, 128] {
        let d = closed_loop(&c, &direct, conc, secs).await;
        let p = closed_loop(&c, &via_proxy, conc, secs).await;
        let g = closed_loop(&c, &via_gw, conc, secs).await;
        println!(
            "| {conc} | {:.0} | {:.0} | {:.0} | **{:.2}** | {} |",
            d.rps,
            p.rps,
            g.rps,
            g.rps / p.rps,
            g.hist.value_at_quantile(0.99)
        );
        anyhow::ensure!(
            d.errors + p.errors + g.errors == 0,
            "errors during P2: {} {} {}",
            d.errors,
            p.errors,
            g.errors
        );
    }
    println!("\ngoal: gateway ≥ 0.7 × plain proxy\n");

    p3(&c, &bed, if quick { 5 } else { 30 }).await?;
    p4(&c, &bed).await?;
    p6(&bed)?;
    Ok(())
}

/// P3: swap versions every second under load.
async fn p3(c: &reqwest::Client, bed: &Bed, seconds: u64) -> Result<()> {
    let next = std::fs::read(
        std::path::Path::new(env!("MCGW_TEST_COMPONENTS_DIR")).join("test_sim_next.wasm"),
    )?;
    let r = c
        .post(format!("{}/v1/adapters/sim/versions/1.1.0", bed.gw.url))
        .header("content-type", "application/wasm")
        .body(next)
        .send()
        .await?;
    anyhow::ensure!(r.status().is_success(), "upload: {}", r.text().await?);
    let via_gw = plain_get(format!("{}/v1/ns/default/vms/v", bed.gw.url));
    let load = {
        let (c, m) = (c.clone(), via_gw.clone());
        tokio::spawn(async move { closed_loop(&c, &m, 8, Duration::from_secs(seconds)).await })
    };
    let mut delays = Vec::new();
    let started = Instant::now();
    let mut i = 0;
    while started.elapsed() < Duration::from_secs(seconds.saturating_sub(1)) {
        let (path, want) = if i % 2 == 0 {
            ("versions/1.1.0/activate", "sim@1.1.0")
        } else {
            ("rollback", "sim@1.0.0")
        };
        let t = Instant::now();
        let r = c
            .post(format!("{}/v1/adapters/sim/{path}", bed.gw.url))
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "swap failed: {}", r.status());
        // How long until a fresh request is served by the new version.
        loop {
            let r = via_gw(c).send().await?;
            if r.headers()
                .get("x-mcgw-adapter")
                .and_then(|h| h.to_str().ok())
                == Some(want)
            {
                delays.push(t.elapsed().as_secs_f64() * 1000.0);
                break;
            }
            anyhow::ensure!(t.elapsed() < Duration::from_secs(5), "{want} never served");
        }
        i += 1;
        tokio::time::sleep(Duration::from_secs(1).saturating_sub(t.elapsed())).await;
    }
    let run = load.await?;
    delays.sort_by(f64::total_cmp);
    println!("## P3 upgrade under load ({seconds} s, concurrency 8, a swap every second)\n");
    println!(
        "| swaps | requests/s | failed | new version serving after activation: p50 / max |\n|---|---|---|---|"
    );
    println!(
        "| {i} | {:.0} | **{}** | {:.1} ms / **{:.1} ms** |",
        run.rps,
        run.errors,
        pct(&delays, 50.0),
        pct(&delays, 100.0)
    );
    println!("\ngoal: 0 failed, new version serving within 100 ms\n");
    Ok(())
}

/// P4: resident memory per adapter instance held open by slow CSP calls.
async fn p4(c: &reqwest::Client, bed: &Bed) -> Result<()> {
    let k = 200;
    c.patch(format!("{}/admin/config", bed.sim.url))
        .json(&json!({"faults": {"latency_ms": 3000, "operations": ["get"]}}))
        .send()
        .await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (idle, _) = bed.gw.rss_kib();
    let url = format!("{}/v1/ns/default/vms/v", bed.gw.url);
    let calls: Vec<_> = (0..k)
        .map(|_| tokio::spawn(c.get(url.clone()).send()))
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (busy, _) = bed.gw.rss_kib();
    for call in calls {
        let _ = call.await;
    }
    c.patch(format!("{}/admin/config", bed.sim.url))
        .json(&json!({"faults": {"latency_ms": 0}}))
        .send()
        .await?;
    println!("## P4 memory per concurrent instance\n");
    println!(
        "| in-flight adapter calls | gateway RSS idle | RSS with them in flight | per instance |\n|---|---|---|---|"
    );
    println!(
        "| {k} | {:.1} MiB | {:.1} MiB | {:.0} KiB |\n",
        idle as f64 / 1024.0,
        busy as f64 / 1024.0,
        busy.saturating_sub(idle) as f64 / k as f64
    );
    Ok(())
}

/// P6: process start to ready, with all built-in adapters and the embedded cloud.
fn p6(bed: &Bed) -> Result<()> {
    let cache = bed.dir.path().join("cold-start-cache");
    let mut rows = Vec::new();
    for (label, fresh_cache) in [
        ("cold (empty compile cache)", true),
        ("warm", false),
        ("warm", false),
        ("warm", false),
    ] {
        if fresh_cache {
            let _ = std::fs::remove_dir_all(&cache);
        }
        let data = bed.dir.path().join(format!("cold-{}", rows.len()));
        let p = spawn(
            "gateway",
            &[
                data.display().to_string(),
                cache.display().to_string(),
                "embedded".into(),
            ],
            &[("MCGW_LOG", "warn")],
        )?;
        rows.push((label, p.startup));
    }
    println!(
        "## P6 cold start (process start → ready; built-in adapters, embedded cloud, fresh data dir)\n"
    );
    println!("| compile cache | time to ready |\n|---|---|");
    for (label, t) in rows {
        println!("| {label} | {:.0} ms |", t.as_secs_f64() * 1000.0);
    }
    println!("\ngoal: ≤ 300 ms warm");
    Ok(())
}
