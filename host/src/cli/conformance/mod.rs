//! The conformance kit: the standard contract checks run against an adapter and
//! its cloud through a running gateway's public API, printed as a table.
//!
//! It registers the component (when given a file), pins a scratch connection to
//! exactly that version, walks metadata, catalog, network, key pairs and a VM's
//! whole life, checks the error mapping of unknown ids and duplicates, and
//! cleans up after itself. Operations the adapter declares unsupported (405)
//! are reported as SKIP, never as PASS.

mod checks;

use super::client::{Api, seg};
use super::resources::key_value;
use anyhow::{Context, Result, bail};
use clap::Args;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use rand::distr::{Alphanumeric, SampleString};
use reqwest::Method;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Flags of `mcgw adapter test`.
#[derive(Debug, Args)]
pub struct ConformanceArgs {
    /// The component to test (registered, not activated). Or use --adapter.
    file: Option<PathBuf>,
    /// Test an already registered adapter: `name` or `name@version`.
    #[arg(long, conflicts_with = "file")]
    adapter: Option<String>,
    /// Credential to use (must exist, for this adapter). Or give its values.
    #[arg(long, required_unless_present = "credential_value")]
    credential: Option<String>,
    /// A credential field `key=value` for a scratch credential (repeatable).
    #[arg(long = "credential-value", conflicts_with = "credential")]
    credential_value: Vec<String>,
    /// Region to test in.
    #[arg(long)]
    region: String,
    #[arg(long)]
    zone: Option<String>,
    /// Endpoint override (test backends).
    #[arg(long)]
    endpoint: Option<String>,
    /// Connection parameter `key=value` (repeatable).
    #[arg(long)]
    extra: Vec<String>,
    /// Spec for the test VM (default: the smallest offered).
    #[arg(long)]
    spec: Option<String>,
    /// Image for the test VM (default: the first Linux image).
    #[arg(long)]
    image: Option<String>,
    /// Longest wait for a VM state, seconds.
    #[arg(long, default_value_t = 120)]
    wait_secs: u64,
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Outcome {
    Pass,
    Fail,
    Skip,
}

struct Row {
    check: &'static str,
    outcome: Outcome,
    detail: String,
    ms: u128,
}

pub(super) struct Kit<'a> {
    pub(super) api: &'a Api,
    rows: Vec<Row>,
    started: Instant,
}

impl Kit<'_> {
    pub(super) fn record(
        &mut self,
        check: &'static str,
        outcome: Outcome,
        detail: impl Into<String>,
    ) {
        let ms = self.started.elapsed().as_millis();
        self.started = Instant::now();
        self.rows.push(Row {
            check,
            outcome,
            detail: detail.into(),
            ms,
        });
    }

    /// Record a request's outcome by HTTP status: `want` passes, 405 skips.
    pub(super) async fn expect(
        &mut self,
        check: &'static str,
        method: Method,
        path: &str,
        body: Option<&Value>,
        want: u16,
    ) -> Result<Option<Value>> {
        let (status, v) = self.api.raw(method, path, body).await?;
        if status == want {
            self.record(check, Outcome::Pass, summary(&v));
            Ok(Some(v))
        } else if status == 405 && want != 405 {
            self.record(check, Outcome::Skip, "the adapter declares it unsupported");
            Ok(None)
        } else {
            self.record(
                check,
                Outcome::Fail,
                format!(
                    "expected HTTP {want}, got {status}: {}",
                    v["message"].as_str().unwrap_or("")
                ),
            );
            Ok(None)
        }
    }

    /// Poll a VM until `status` (bounded).
    pub(super) async fn wait_vm(
        &mut self,
        check: &'static str,
        path: &str,
        status: &str,
        limit: Duration,
    ) -> Result<bool> {
        let t = Instant::now();
        loop {
            let (s, v) = self.api.raw(Method::GET, path, None).await?;
            let got = v["data"]["status"].as_str().unwrap_or("").to_string();
            if s == 200 && got == status {
                self.record(
                    check,
                    Outcome::Pass,
                    format!("{status} after {:.1} s", t.elapsed().as_secs_f64()),
                );
                return Ok(true);
            }
            if t.elapsed() > limit || got == "Failed" {
                self.record(
                    check,
                    Outcome::Fail,
                    format!(
                        "still {got:?} (HTTP {s}) after {} s, wanted {status}",
                        limit.as_secs()
                    ),
                );
                return Ok(false);
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}

fn summary(v: &Value) -> String {
    let d = &v["data"];
    for key in ["status", "name", "id", "code"] {
        if let Some(s) = d[key].as_str() {
            return format!("{key}={s}");
        }
    }
    match d.as_array() {
        Some(a) => format!("{} item(s)", a.len()),
        None => v["code"].as_str().unwrap_or("").to_string(),
    }
}

/// Run the kit; fails (exit status 1) when any check fails.
pub async fn run(api: &Api, args: ConformanceArgs) -> Result<()> {
    let mut kit = Kit {
        api,
        rows: Vec::new(),
        started: Instant::now(),
    };
    let tag = Alphanumeric
        .sample_string(&mut rand::rng(), 6)
        .to_lowercase();
    let (ns, ns2, conn) = (
        format!("conf-{tag}"),
        format!("conf-{tag}-b"),
        format!("conf-{tag}"),
    );

    // Which adapter and version.
    let (name, version, uploaded) = match (&args.file, &args.adapter) {
        (Some(file), _) => {
            let bytes =
                std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
            let before: Vec<Value> = api
                .get("/v1/adapters")
                .await?
                .as_array()
                .cloned()
                .unwrap_or_default();
            let a = match api.post_bytes("/v1/adapters?activate=false", bytes).await {
                Ok(a) => a,
                Err(e) => {
                    kit.record("register", Outcome::Fail, format!("{e:#}"));
                    return finish(kit);
                }
            };
            let name = a["name"].as_str().unwrap_or_default().to_string();
            // The version just uploaded: the one whose digest matches the file.
            let digest = crate::runtime::digest(&std::fs::read(file)?);
            let version = a["versions"]
                .as_array()
                .and_then(|vs| vs.iter().find(|v| v["digest"] == digest.as_str()))
                .and_then(|v| v["version"].as_str())
                .unwrap_or_default()
                .to_string();
            let existed = before.iter().any(|b| {
                b["name"] == name.as_str()
                    && b["versions"]
                        .as_array()
                        .is_some_and(|vs| vs.iter().any(|v| v["digest"] == digest.as_str()))
            });
            kit.record("register", Outcome::Pass, format!("{name}@{version}"));
            (name, version, !existed)
        }
        (None, Some(a)) => {
            let (n, v) = a
                .split_once('@')
                .map(|(n, v)| (n.to_string(), Some(v.to_string())))
                .unwrap_or((a.clone(), None));
            let info = api.get(&format!("/v1/adapters/{}", seg(&n))).await?;
            let v = v
                .or_else(|| info["active_version"].as_str().map(String::from))
                .unwrap_or_default();
            (n, v, false)
        }
        (None, None) => bail!("give a component file or --adapter NAME[@VERSION]"),
    };

    let meta = api.get(&format!("/v1/adapters/{}", seg(&name))).await?;
    let has = |cap: &str| {
        meta["capabilities"]
            .as_array()
            .is_some_and(|c| c.iter().any(|x| x == cap))
    };
    if meta["csp"].as_str().is_some_and(|s| !s.is_empty())
        && meta["description"].as_str().is_some_and(|s| !s.is_empty())
    {
        kit.record(
            "metadata",
            Outcome::Pass,
            format!("csp={} caps={}", meta["csp"], meta["capabilities"]),
        );
    } else {
        kit.record(
            "metadata",
            Outcome::Fail,
            "csp and description must not be empty",
        );
    }

    // A scratch namespace pair and a connection pinned to exactly this version.
    for n in [&ns, &ns2] {
        api.post(
            "/v1/ns",
            &json!({"name": n, "description": "conformance kit"}),
        )
        .await?;
    }
    let extra: serde_json::Map<String, Value> = args
        .extra
        .iter()
        .map(|e| key_value(e).map(|(k, v)| (k, Value::String(v))))
        .collect::<Result<_>>()?;
    let credential = match &args.credential {
        Some(c) => c.clone(),
        None => {
            let values: serde_json::Map<String, Value> = args
                .credential_value
                .iter()
                .map(|e| key_value(e).map(|(k, v)| (k, Value::String(v))))
                .collect::<Result<_>>()?;
            let body = json!({"name": conn, "adapter": name, "values": values});
            kit.expect(
                "credential",
                Method::POST,
                "/v1/credentials",
                Some(&body),
                201,
            )
            .await?;
            conn.clone()
        }
    };
    let body = json!({"name": conn, "adapter": name, "adapter_version": format!("={version}"),
        "credential": credential, "region": args.region, "zone": args.zone,
        "endpoint": args.endpoint, "extra": extra});
    kit.expect(
        "connection",
        Method::POST,
        "/v1/connections",
        Some(&body),
        201,
    )
    .await?;

    let outcome = checks::checks(&mut kit, &args, &ns, &ns2, &conn, has("suspend-resume")).await;

    // Clean up whatever exists, in dependency order; failures here are reported.
    for (n, kind, obj) in [
        (&ns, "vms", "vm-1"),
        (&ns, "security-groups", "sg-1"),
        (&ns, "vnets", "net-1"),
        (&ns, "keypairs", "key-1"),
        (&ns2, "keypairs", "key-1"),
    ] {
        let _ = api
            .raw(Method::DELETE, &format!("/v1/ns/{n}/{kind}/{obj}"), None)
            .await;
    }
    let _ = api
        .raw(Method::DELETE, &format!("/v1/connections/{conn}"), None)
        .await;
    if args.credential.is_none() {
        let _ = api
            .raw(Method::DELETE, &format!("/v1/credentials/{conn}"), None)
            .await;
    }
    for n in [&ns, &ns2] {
        let _ = api.raw(Method::DELETE, &format!("/v1/ns/{n}"), None).await;
    }
    if uploaded {
        let _ = api
            .raw(
                Method::DELETE,
                &format!("/v1/adapters/{}/versions/{}", seg(&name), seg(&version)),
                None,
            )
            .await;
    }
    outcome?;
    finish(kit)
}

fn finish(kit: Kit<'_>) -> Result<()> {
    if kit.api.json {
        let rows: Vec<Value> = kit
            .rows
            .iter()
            .map(|r| json!({"check": r.check, "result": label(r.outcome), "detail": r.detail, "ms": r.ms}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED);
        t.set_header(["CHECK", "RESULT", "DETAIL", "MS"]);
        for r in &kit.rows {
            t.add_row([
                r.check.to_string(),
                label(r.outcome).to_string(),
                r.detail.clone(),
                r.ms.to_string(),
            ]);
        }
        println!("{t}");
    }
    let count = |o| kit.rows.iter().filter(|r| r.outcome == o).count();
    let (pass, fail, skip) = (
        count(Outcome::Pass),
        count(Outcome::Fail),
        count(Outcome::Skip),
    );
    println!("conformance: {pass} passed, {fail} failed, {skip} skipped");
    if fail > 0 {
        bail!("{fail} conformance check(s) failed");
    }
    Ok(())
}

fn label(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "PASS",
        Outcome::Fail => "FAIL",
        Outcome::Skip => "SKIP",
    }
}
