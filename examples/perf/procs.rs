//! The processes a benchmark run needs, each this same binary re-executed in a
//! role: the simulated cloud (the backend), the gateway, and a plain hyper
//! reverse proxy (the baseline). Separate processes keep their memory and
//! runtimes apart, as in production.

use anyhow::{Context, Result};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ACCESS: &str = "AKPERF";
pub const SECRET: &str = "perf-secret";

/// A child process serving on a loopback port.
pub struct Proc {
    pub child: Child,
    pub url: String,
    /// Time from spawn to its ready line.
    pub startup: Duration,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    /// Resident memory now and at peak, KiB.
    pub fn rss_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |f: &str| {
            status
                .lines()
                .find(|l| l.starts_with(f))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

/// Start this binary in `role` with `args`; wait for `ready <url>` on stdout.
pub fn spawn(role: &str, args: &[String], env: &[(&str, &str)]) -> Result<Proc> {
    let started = Instant::now();
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.arg(role)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .spawn()
        .with_context(|| format!("starting the {role}"))?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
    let url = line
        .trim()
        .strip_prefix("ready ")
        .with_context(|| format!("the {role} did not start: {line:?}"))?
        .to_string();
    Ok(Proc {
        child,
        url,
        startup: started.elapsed(),
    })
}

/// Role `sim`: the simulated cloud with instant transitions.
pub async fn run_sim() -> Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("ready http://{}", listener.local_addr()?);
    let config = mcgw_sim::SimConfig {
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
            ..Default::default()
        },
        state_path: None,
    };
    mcgw_sim::serve(listener, config, std::future::pending()).await
}

/// Role `gateway DATA_DIR CACHE_DIR [embedded]`: the gateway; with `embedded`
/// it starts its own simulated cloud (the cold-start measurement).
pub async fn run_gateway(args: &[String]) -> Result<()> {
    let mut config = mcgw::config::Config::new(args[0].clone().into());
    config.compile_cache_dir = Some(args[1].clone().into());
    // Experiments with the instance pool without rebuilding.
    if let Some(kib) = std::env::var("MCGW_POOL_KEEP_RESIDENT_KIB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        config.pool_keep_resident_bytes = kib << 10;
    }
    if let Some(n) = std::env::var("MCGW_POOL_DECOMMIT_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        config.pool_decommit_batch = n;
    }
    if args.get(2).map(String::as_str) != Some("embedded") {
        config.embedded_sim = None;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    mcgw::server::run(listener, config, std::future::pending(), |ready| {
        println!("ready http://{}", ready.api);
    })
    .await
}

type ProxyClient = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    http_body_util::Full<bytes::Bytes>,
>;

/// Forward one request to the backend unchanged (but for its URI and Host).
async fn forward(
    client: ProxyClient,
    backend: String,
    req: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<hyper::body::Incoming>, std::io::Error> {
    use http_body_util::BodyExt;
    let (mut parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map_err(std::io::Error::other)?
        .to_bytes();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    parts.uri = format!("{backend}{path}")
        .parse()
        .map_err(std::io::Error::other)?;
    parts.headers.remove(hyper::header::HOST);
    client
        .request(hyper::Request::from_parts(
            parts,
            http_body_util::Full::new(body),
        ))
        .await
        .map_err(std::io::Error::other)
}

/// Role `proxy BACKEND`: the baseline — a plain hyper reverse proxy with a
/// pooled client, forwarding every request to the backend unchanged.
pub async fn run_proxy(backend: &str) -> Result<()> {
    use hyper::service::service_fn;
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::{TokioExecutor, TokioIo};

    let backend = backend.trim_end_matches('/').to_string();
    let client: ProxyClient = Client::builder(TokioExecutor::new()).build_http();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("ready http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let (client, backend) = (client.clone(), backend.clone());
        tokio::spawn(async move {
            let service = service_fn(move |req| forward(client.clone(), backend.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
