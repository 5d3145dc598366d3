//! `mcgw mcis ...`: create from a YAML/JSON file with a live progress display,
//! review, status, lifecycle actions, scaling, adoption and deletion.

use super::client::{Api, seg};
use super::table;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub enum McisCmd {
    /// Create an MCIS from a YAML or JSON request (static, or dynamic when its
    /// subgroups give `spec_id`), following its progress.
    Create {
        /// The request file.
        #[arg(short, long)]
        file: PathBuf,
        /// Return once the request is accepted, without following it.
        #[arg(long)]
        no_wait: bool,
    },
    /// Validate a request and show what it would create and cost.
    Review {
        #[arg(short, long)]
        file: PathBuf,
    },
    /// List MCIS with their status.
    List,
    /// Aggregated status and per-VM detail.
    Status { name: String },
    /// Suspend all VMs (or one subgroup's).
    Suspend {
        name: String,
        #[arg(long)]
        subgroup: Option<String>,
    },
    /// Resume all VMs (or one subgroup's).
    Resume {
        name: String,
        #[arg(long)]
        subgroup: Option<String>,
    },
    /// Reboot all VMs (or one subgroup's).
    Reboot {
        name: String,
        #[arg(long)]
        subgroup: Option<String>,
    },
    /// Terminate all VMs (or one subgroup's).
    Terminate {
        name: String,
        #[arg(long)]
        subgroup: Option<String>,
    },
    /// Scale a subgroup out (--add N) or in (--remove N).
    Scale {
        name: String,
        #[arg(long)]
        subgroup: String,
        #[arg(long, default_value_t = 0)]
        add: u32,
        #[arg(long, default_value_t = 0)]
        remove: u32,
    },
    /// Adopt a VM that exists at a CSP.
    Register {
        name: String,
        #[arg(long, short)]
        connection: String,
        #[arg(long)]
        csp_id: String,
        #[arg(long)]
        subgroup: Option<String>,
    },
    /// Delete an MCIS (--terminate terminates its VMs first).
    Delete {
        name: String,
        #[arg(long)]
        terminate: bool,
    },
    /// Show an operation.
    Op { id: String },
}

fn read_request(file: &PathBuf) -> Result<Value> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let v: Value = serde_yaml_ng::from_str(&text)
        .with_context(|| format!("{} is neither YAML nor JSON", file.display()))?;
    Ok(v)
}

/// Dynamic requests place sites for users or name `spec_id`s.
fn is_dynamic(req: &Value) -> bool {
    req.get("place").is_some()
        || req["subgroups"]
            .as_array()
            .is_some_and(|s| s.iter().any(|g| g.get("spec_id").is_some()))
}

pub async fn run(api: &Api, ns: &str, cmd: McisCmd) -> Result<()> {
    let base = format!("/v1/ns/{}/mcis", seg(ns));
    let control = |name: &str, action: &str, sg: Option<String>| {
        let q = sg
            .map(|s| format!("&subgroup={}", seg(&s)))
            .unwrap_or_default();
        format!("{base}/{}/{action}?wait=true{q}", seg(name))
    };
    match cmd {
        McisCmd::Create { file, no_wait } => {
            let req = read_request(&file)?;
            let path = if is_dynamic(&req) {
                format!("{base}/dynamic")
            } else {
                base.clone()
            };
            let accepted = api.post(&path, &req).await?;
            if let Some(keys) = accepted["private_keys"]
                .as_object()
                .filter(|k| !k.is_empty())
            {
                for (name, key) in keys {
                    let file = format!("{name}.pem");
                    write_private_key(&file, key.as_str().unwrap_or_default())?;
                    eprintln!("created key pair {name}: private key saved to {file}");
                }
            }
            let name = accepted["mcis"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let op = accepted["operation"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if api.json && no_wait {
                println!("{}", serde_json::to_string_pretty(&accepted)?);
                return Ok(());
            }
            eprintln!("mcis {name}: operation {op} accepted");
            if no_wait {
                return Ok(());
            }
            follow(api, ns, &name, &op).await
        }
        McisCmd::Review { file } => {
            let req = read_request(&file)?;
            let path = if is_dynamic(&req) {
                format!("{base}/dynamic/review")
            } else {
                format!("{base}/review")
            };
            let v = api.post(&path, &req).await?;
            if api.json {
                println!("{}", serde_json::to_string_pretty(&v)?);
                return Ok(());
            }
            table::print(
                &v["subgroups"],
                &[
                    ("SUBGROUP", "/name"),
                    ("CONNECTION", "/connection"),
                    ("REGION", "/region"),
                    ("SPEC", "/spec"),
                    ("VCPU", "/vcpus"),
                    ("SIZE", "/size"),
                    ("PRICE/H", "/price_per_hour"),
                    ("COST/H", "/hourly_cost"),
                    ("CREATES", "/creates"),
                ],
            );
            println!(
                "{} VMs, estimated {:.4}/hour{}",
                v["total_vms"],
                v["hourly_cost"].as_f64().unwrap_or(0.0),
                if v["cost_complete"] == true {
                    ""
                } else {
                    " (some prices unknown)"
                }
            );
            if let Some(problems) = v["problems"].as_array().filter(|p| !p.is_empty()) {
                for p in problems {
                    println!(
                        "problem: {} {}: {}",
                        p["code"].as_str().unwrap_or(""),
                        p["field"].as_str().unwrap_or("-"),
                        p["message"].as_str().unwrap_or("")
                    );
                }
                bail!("the request would be refused");
            }
            Ok(())
        }
        McisCmd::List => {
            let v = api.get(&base).await?;
            show(
                api,
                &v,
                &[
                    ("NAME", "/name"),
                    ("STATUS", "/status"),
                    ("VMS", "/total"),
                    ("DESCRIPTION", "/description"),
                ],
            );
            Ok(())
        }
        McisCmd::Status { name } => status(api, &base, &name).await,
        McisCmd::Suspend { name, subgroup } => {
            act(api, &control(&name, "suspend", subgroup), &base, &name).await
        }
        McisCmd::Resume { name, subgroup } => {
            act(api, &control(&name, "resume", subgroup), &base, &name).await
        }
        McisCmd::Reboot { name, subgroup } => {
            act(api, &control(&name, "reboot", subgroup), &base, &name).await
        }
        McisCmd::Terminate { name, subgroup } => {
            act(api, &control(&name, "terminate", subgroup), &base, &name).await
        }
        McisCmd::Scale {
            name,
            subgroup,
            add,
            remove,
        } => {
            let path = format!("{base}/{}/subgroups/{}/scale", seg(&name), seg(&subgroup));
            let op = api
                .post(&path, &json!({"add": add, "remove": remove}))
                .await?;
            let id = op["id"].as_str().unwrap_or_default().to_string();
            if add > 0 {
                follow(api, ns, &name, &id).await
            } else {
                finish_op(api, ns, &id, &base, &name).await
            }
        }
        McisCmd::Register {
            name,
            connection,
            csp_id,
            subgroup,
        } => {
            let v = api
                .post(
                    &format!("{base}/{}/vms", seg(&name)),
                    &json!({"connection": connection, "csp_id": csp_id, "subgroup": subgroup}),
                )
                .await?;
            show(api, &v, &[]);
            Ok(())
        }
        McisCmd::Delete { name, terminate } => {
            let v = api
                .delete(&format!(
                    "{base}/{}?terminate={terminate}&wait=true",
                    seg(&name)
                ))
                .await?;
            if api.json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                match v["operation"]["summary"].as_str() {
                    Some(s) => println!("{s}"),
                    None => println!("mcis {name} deleted"),
                }
            }
            Ok(())
        }
        McisCmd::Op { id } => {
            let v = api
                .get(&format!("/v1/ns/{}/operations/{}", seg(ns), seg(&id)))
                .await?;
            println!("{}", serde_json::to_string_pretty(&v)?);
            Ok(())
        }
    }
}

fn show(api: &Api, v: &Value, columns: &[(&str, &str)]) {
    if api.json {
        println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
    } else if v.is_array() {
        table::print(v, columns);
    } else {
        table::print_one(v);
    }
}

async fn status(api: &Api, base: &str, name: &str) -> Result<()> {
    let v = api.get(&format!("{base}/{}/status", seg(name))).await?;
    if api.json {
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!("{name}: {}", v["status"].as_str().unwrap_or(""));
    table::print(
        &v["vms"],
        &[
            ("VM", "/name"),
            ("SUBGROUP", "/subgroup"),
            ("STATUS", "/status"),
            ("TARGET", "/target_status"),
            ("NATIVE", "/native_status"),
            ("CONNECTION", "/connection"),
            ("PUBLIC IP", "/public_ip"),
            ("ERROR", "/last_error"),
        ],
    );
    Ok(())
}

async fn act(api: &Api, path: &str, base: &str, name: &str) -> Result<()> {
    let op = api.post(path, &json!({})).await?;
    if let Some(s) = op["summary"].as_str() {
        eprintln!("{s}");
    }
    for (vm, why) in op["failures"].as_object().into_iter().flatten() {
        eprintln!("  {vm}: {}", why.as_str().unwrap_or(""));
    }
    status(api, base, name).await
}

async fn finish_op(api: &Api, ns: &str, id: &str, base: &str, name: &str) -> Result<()> {
    let path = format!("/v1/ns/{}/operations/{}", seg(ns), seg(id));
    for _ in 0..3000 {
        let op = api.get(&path).await?;
        if op["state"] != "running" {
            eprintln!("{}", op["summary"].as_str().unwrap_or(""));
            return status(api, base, name).await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("operation {id} is still running; follow it with `mcgw mcis op {id}`")
}

/// Show a creation's progress until its operation finishes.
async fn follow(api: &Api, ns: &str, name: &str, op_id: &str) -> Result<()> {
    let op_path = format!("/v1/ns/{}/operations/{}", seg(ns), seg(op_id));
    let status_path = format!("/v1/ns/{}/mcis/{}/status", seg(ns), seg(name));
    let op = api.get(&op_path).await?;
    let total: u64 = op["batches"]
        .as_array()
        .map(|b| {
            b.iter()
                .map(|x| x["vms"].as_array().map_or(0, |v| v.len() as u64))
                .sum()
        })
        .unwrap_or(0);
    let bar = ProgressBar::new(total.max(1));
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} settled  {msg}",
        )
        .expect("valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    loop {
        let op = api.get(&op_path).await?;
        let mine: Vec<String> = op["batches"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|b| b["vms"].as_array().cloned().unwrap_or_default())
            .filter_map(|v| v.as_str().map(String::from))
            .collect();
        let st = api.raw(reqwest::Method::GET, &status_path, None).await?.1;
        let vms: Vec<&Value> = st["data"]["vms"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| mine.iter().any(|m| v["name"] == m.as_str()))
            .collect();
        let count = |s: &str| vms.iter().filter(|v| v["status"] == s).count();
        let (running, failed) = (count("Running"), count("Failed"));
        let waiting = op["batches"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|b| b["state"] == "pending" || b["state"] == "sent")
            .count();
        bar.set_position((running + failed) as u64);
        bar.set_message(format!(
            "running {running}, failed {failed}, creating {}, batches waiting {waiting}",
            vms.len().saturating_sub(running + failed)
        ));
        if op["state"] != "running" {
            bar.finish_and_clear();
            println!(
                "operation {op_id}: {} — {}",
                op["state"].as_str().unwrap_or(""),
                op["summary"].as_str().unwrap_or("")
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let v = api.raw(reqwest::Method::GET, &status_path, None).await?;
    if v.0 == 200 {
        status(api, &format!("/v1/ns/{}/mcis", seg(ns)), name).await?;
    } else {
        println!("mcis {name} no longer exists (rolled back)");
    }
    Ok(())
}

fn write_private_key(file: &str, key: &str) -> Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(file)
        .with_context(|| format!("creating {file} (it must not exist yet)"))?;
    f.write_all(key.as_bytes())?;
    Ok(())
}
