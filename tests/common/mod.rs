//! Test harness: start the real `mcgw` binary on 127.0.0.1 with a temporary data
//! directory (and its embedded simulated cloud), talk HTTP to it, stop it.
#![allow(dead_code)]

pub mod moto;

pub mod openstack;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where built test-only components are (hostile adapters, ...).
pub fn test_component(name: &str) -> PathBuf {
    Path::new(env!("MCGW_TEST_COMPONENTS_DIR")).join(format!("{}.wasm", name.replace('-', "_")))
}

/// A compile cache shared by all tests, so Cranelift runs once per component.
fn shared_compile_cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("compiled")
}

/// Options for starting a gateway.
#[derive(Clone)]
pub struct Opts {
    /// Extra command-line flags.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            args: vec![
                "--sim-create-delay-ms".into(),
                "300".into(),
                "--sim-transition-delay-ms".into(),
                "200".into(),
            ],
            env: vec![],
        }
    }
}

/// A running gateway process.
pub struct Gateway {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The embedded simulated cloud, `http://127.0.0.1:PORT`.
    pub sim_url: Option<String>,
    /// Everything the process wrote to stderr so far.
    pub log: Arc<Mutex<String>>,
    http: reqwest::blocking::Client,
}

impl Gateway {
    /// Start with default options in `data_dir`.
    pub fn start(data_dir: &Path) -> Gateway {
        Self::start_with(data_dir, Opts::default())
    }

    /// Start and wait (bounded) until it prints its ready line.
    pub fn start_with(data_dir: &Path, opts: Opts) -> Gateway {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mcgw"));
        cmd.arg("serve")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--compile-cache")
            .arg(shared_compile_cache())
            .args(&opts.args)
            .env("MCGW_LOG", "info,mcgw=debug,tower_http=warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &opts.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("starting mcgw");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let log2 = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut l = log2.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("mcgw ready:") {
                    let _ = tx.send(line);
                }
            }
        });
        let line = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(l) => l,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "mcgw did not become ready; its log:\n{}",
                    log.lock().unwrap()
                );
            }
        };
        let url = line
            .split_whitespace()
            .nth(2)
            .expect("ready line has the URL")
            .to_string();
        let sim_url = line
            .split("simulated cloud: ")
            .nth(1)
            .map(|s| s.trim_end_matches(')').to_string());
        Gateway {
            child,
            url,
            sim_url,
            log,
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
        }
    }

    /// Send a request; (HTTP status, JSON body).
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let url = format!("{}{}", self.url, path);
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(m, &url);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req
            .send()
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status().as_u16();
        let text = resp.text().unwrap();
        let json = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{method} {path} answered non-JSON ({status}): {text}"));
        (status, json)
    }

    /// GET.
    pub fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, None)
    }
    /// POST JSON.
    pub fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call("POST", path, Some(&body))
    }
    /// DELETE.
    pub fn delete(&self, path: &str) -> (u16, Value) {
        self.call("DELETE", path, None)
    }

    /// GET that must succeed; the envelope's data.
    pub fn ok(&self, path: &str) -> Value {
        let (s, v) = self.get(path);
        assert_eq!(s, 200, "GET {path}: {v}");
        v["data"].clone()
    }

    /// Poll `path` until `pred(data)` holds (bounded); the last data.
    pub fn wait_for(&self, path: &str, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Value {
        let start = Instant::now();
        loop {
            let data = self.ok(path);
            if pred(&data) {
                return data;
            }
            if start.elapsed() > timeout {
                panic!("timed out waiting on {path}; last answer: {data}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stop gracefully (SIGTERM), bounded, then kill.
    pub fn stop(mut self) {
        self.terminate();
    }

    fn terminate(&mut self) {
        #[cfg(unix)]
        unsafe {
            libc_kill(self.child.id() as i32, 15);
        }
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Kill without warning (SIGKILL).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The process's stderr so far.
    pub fn log_text(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
        }
    }
}

#[cfg(unix)]
unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

/// The request body of a small VM on a simulated region.
pub fn sim_vm(name: &str, region: &str, vnet: &str) -> Value {
    json!({
        "name": name,
        "connection": format!("sim-{region}"),
        "spec": "sim.small",
        "image": "img-ubuntu-22.04",
        "vnet": vnet,
        "subnet": "main",
    })
}

/// Create a vnet with one subnet `main` through a simulated connection.
pub fn sim_vnet(gw: &Gateway, ns: &str, name: &str, region: &str) {
    let (s, v) = gw.post(
        &format!("/v1/ns/{ns}/vnets"),
        json!({"name": name, "connection": format!("sim-{region}"), "cidr": "10.0.0.0/16",
               "subnets": [{"name": "main", "cidr": "10.0.1.0/24"}]}),
    );
    assert_eq!(s, 201, "vnet: {v}");
}

/// Wait (bounded) for an operation to finish; its final record.
pub fn wait_op(gw: &Gateway, ns: &str, id: &str, timeout: Duration) -> Value {
    gw.wait_for(&format!("/v1/ns/{ns}/operations/{id}"), timeout, |op| {
        op["state"] != "running"
    })
}

/// Call the embedded simulated cloud's admin API.
pub fn sim_admin(gw: &Gateway, method: &str, path: &str, body: Option<Value>) -> Value {
    let sim = gw
        .sim_url
        .clone()
        .expect("the embedded simulated cloud runs");
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = reqwest::blocking::Client::new().request(m, format!("{sim}{path}"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().unwrap();
    assert!(r.status().is_success(), "{method} {path}: {}", r.status());
    r.json().unwrap_or(Value::Null)
}

/// The simulated cloud's instances that carry `tag=value`, as (id, state).
pub fn sim_instances_tagged(gw: &Gateway, tag: &str, value: &str) -> Vec<(String, String)> {
    sim_admin(gw, "GET", "/admin/instances", None)["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["instance"])
        .filter(|i| i["tags"][tag] == value)
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                i["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A signed request to the embedded simulated cloud as `account` (access, secret).
pub fn sim_signed(
    gw: &Gateway,
    account: &(String, String),
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Value {
    let sim = gw
        .sim_url
        .clone()
        .expect("the embedded simulated cloud runs");
    let bytes = body
        .map(|b| serde_json::to_vec(&b).unwrap())
        .unwrap_or_default();
    let date = time_now_rfc3339();
    let sig = mcgw_sim::auth::sign(&account.1, method, path, "", &date, &bytes);
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let r = reqwest::blocking::Client::new()
        .request(m, format!("{sim}{path}"))
        .header(mcgw_sim::auth::DATE_HEADER, date)
        .header(
            "authorization",
            mcgw_sim::auth::authorization(&account.0, &sig),
        )
        .header("content-type", "application/json")
        .body(bytes)
        .send()
        .unwrap();
    let status = r.status();
    let v: Value = r.json().unwrap_or(Value::Null);
    assert!(status.is_success(), "{method} {path}: {status} {v}");
    v
}

/// A new account at the embedded simulated cloud, with a credential and a
/// connection (`<name>-<region>`) for it in the gateway.
pub fn sim_account_connection(gw: &Gateway, name: &str, region: &str) -> (String, String) {
    let account = (
        format!("AK{}", name.to_uppercase()),
        format!("secret-{name}"),
    );
    sim_admin(
        gw,
        "POST",
        "/admin/accounts",
        Some(serde_json::json!({"access_key": account.0, "secret_key": account.1})),
    );
    let (s, v) = gw.post(
        "/v1/credentials",
        serde_json::json!({"name": name, "adapter": "sim",
        "values": {"access_key": account.0, "secret_key": account.1}}),
    );
    assert_eq!(s, 201, "{v}");
    let (s, v) = gw.post(
        "/v1/connections",
        serde_json::json!({"name": format!("{name}-{region}"), "adapter": "sim",
        "credential": name, "region": region}),
    );
    assert_eq!(s, 201, "{v}");
    account
}

fn time_now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}
