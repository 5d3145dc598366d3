//! The load harness: paired (interleaved) latency samples and closed-loop
//! throughput runs with HDR histograms, over one pooled HTTP client.

use anyhow::Result;
use hdrhistogram::Histogram;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Builds one request (called per request: signatures carry a timestamp).
pub type MakeReq = Arc<dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync>;

/// Send one request, returning its latency in µs (error when not 2xx).
pub async fn one(client: &reqwest::Client, make: &MakeReq) -> Result<f64> {
    let t = Instant::now();
    let r = make(client).send().await?;
    let ok = r.status().is_success();
    let status = r.status();
    let _ = r.bytes().await?;
    let us = t.elapsed().as_secs_f64() * 1e6;
    anyhow::ensure!(ok, "HTTP {status}");
    Ok(us)
}

/// Percentile of sorted samples.
pub fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// `n` pairs, A then B alternating (order flipped every pair), after `warm`
/// unmeasured pairs: (A samples, B samples, B−A per pair), each sorted.
pub async fn paired(
    client: &reqwest::Client,
    a: &MakeReq,
    b: &MakeReq,
    n: usize,
    warm: usize,
) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    for _ in 0..warm {
        one(client, a).await?;
        one(client, b).await?;
    }
    let (mut xa, mut xb, mut diff) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for i in 0..n {
        let (ta, tb) = if i % 2 == 0 {
            let ta = one(client, a).await?;
            (ta, one(client, b).await?)
        } else {
            let tb = one(client, b).await?;
            (one(client, a).await?, tb)
        };
        xa.push(ta);
        xb.push(tb);
        diff.push(tb - ta);
    }
    for v in [&mut xa, &mut xb, &mut diff] {
        v.sort_by(f64::total_cmp);
    }
    Ok((xa, xb, diff))
}

/// Result of a closed-loop run.
pub struct Run {
    pub rps: f64,
    pub errors: u64,
    pub hist: Histogram<u64>,
}

/// `concurrency` workers sending back to back for `duration`.
pub async fn closed_loop(
    client: &reqwest::Client,
    make: &MakeReq,
    concurrency: usize,
    duration: Duration,
) -> Run {
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, make, stop, errors) =
                (client.clone(), make.clone(), stop.clone(), errors.clone());
            tokio::spawn(async move {
                let mut h =
                    Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("valid bounds");
                while !stop.load(Ordering::Relaxed) {
                    match one(&client, &make).await {
                        Ok(us) => {
                            let _ = h.record(us as u64);
                        }
                        Err(_) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                h
            })
        })
        .collect();
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("valid bounds");
    for w in workers {
        if let Ok(h) = w.await {
            let _ = hist.add(h);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    Run {
        rps: hist.len() as f64 / secs,
        errors: errors.load(Ordering::Relaxed),
        hist,
    }
}
