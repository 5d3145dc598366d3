//! OpenStack test backends, started once per test binary and shared by its
//! tests through a `OnceLock`:
//!
//! - real Keystone from PyPI (sqlite and fernet keys in a temporary
//!   directory, `keystone-manage db_sync/fernet_setup/credential_setup/
//!   bootstrap`, served by uwsgi on 127.0.0.1, stopped with SIGINT);
//! - the Nova/Neutron/Glance emulator of `tests/openstack_emulator/`, which is
//!   the single front door: `/identity` is proxied to Keystone, the services
//!   are path-routed on the same host:port (devstack's layout), because the
//!   gateway lets an adapter reach only its connection's endpoint host:port;
//! - the official API samples from the PyPI sdists of nova, neutron-lib and
//!   glance, fetched once into `target/` and used to check every answer the
//!   emulator gives ([`Cloud::check_shapes`]).
//!
//! Each test makes its own Keystone project and user, so tests share the
//! processes but not their resources. Everything is stopped by a process-exit
//! hook; if the test process dies, the emulator stops Keystone and removes
//! the temporary directory.

#[path = "../openstack_emulator/drive.rs"]
pub mod drive;
#[path = "../openstack_emulator/keystone.rs"]
pub mod keystone;
#[path = "../openstack_emulator/samples.rs"]
pub mod samples;
#[path = "../openstack_emulator/shapes.rs"]
pub mod shapes;

use super::Gateway;
use keystone::{ADMIN_PASSWORD, free_port, installed};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What CI installs (`.ci/run`) and what these tests were written against.
pub const PYPI_PINS: &str = "keystone==30.0.0 uwsgi==2.0.31";

/// The shared backends.
pub struct Cloud {
    /// The front door, `http://127.0.0.1:PORT`.
    pub url: String,
    /// Keystone through the front door, `http://127.0.0.1:PORT/identity`.
    pub keystone: String,
    dir: PathBuf,
    member_role: String,
    children: Mutex<Vec<(&'static str, Child)>>,
    fetch: Mutex<Option<JoinHandle<Result<PathBuf, String>>>>,
    samples: OnceLock<PathBuf>,
    sample_cache: Mutex<HashMap<String, Value>>,
    admin: Mutex<Option<String>>,
    http: reqwest::blocking::Client,
}

/// A Keystone project with a member user of its own.
pub struct Project {
    pub id: String,
    pub name: String,
    pub user: String,
    pub user_id: String,
    pub password: String,
}

static CLOUD: OnceLock<Cloud> = OnceLock::new();

/// The backends of this test binary, started on first use.
pub fn cloud() -> &'static Cloud {
    CLOUD.get_or_init(Cloud::start)
}

unsafe extern "C" {
    fn atexit(callback: extern "C" fn()) -> i32;
    #[link_name = "kill"]
    fn kill_pid(pid: i32, sig: i32) -> i32;
}

extern "C" fn stop_at_exit() {
    if let Some(c) = CLOUD.get() {
        c.stop();
    }
}

/// Start the emulator on a free port; (child, port).
fn start_emulator(dir: &Path, keystone_port: u16) -> (Child, u16) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/openstack_emulator/emulator.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .args(["--keystone-port", &keystone_port.to_string()])
        .args(["--admin-password", ADMIN_PASSWORD])
        // Pages of 2 so that every list the adapter reads spans pages.
        .args(["--page-max", "2", "--delay-ms", "300"])
        .args(["--parent-pid", &std::process::id().to_string()])
        .arg("--cleanup-dir")
        .arg(dir)
        // No __pycache__ in the source tree.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("emulator.log")).unwrap())
        .spawn()
        .expect("starting the OpenStack emulator (python3)");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("the emulator did not start; see {}", dir.display()));
    let port = line
        .strip_prefix("emulator ready: ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected emulator output {line:?}"));
    (child, port)
}

impl Cloud {
    fn start() -> Cloud {
        for program in ["keystone-manage", "uwsgi", "python3"] {
            assert!(
                installed(program),
                "the OpenStack tests need `{program}`: install Keystone and uWSGI from PyPI \
                 with `python3 -m pip install {PYPI_PINS}` (.ci/run does this)"
            );
        }
        // Once CLOUD is set this stops everything at exit; if starting fails
        // first, the emulator (which watches this process) stops Keystone.
        unsafe {
            atexit(stop_at_exit);
        }
        let started = Instant::now();
        let fetch = std::thread::spawn(samples::fetch);
        let dir = tempfile::Builder::new()
            .prefix("mcgw-openstack-")
            .tempdir()
            .unwrap()
            .keep();
        let keystone_port = free_port();
        let (emulator, port) = start_emulator(&dir, keystone_port);
        let url = format!("http://127.0.0.1:{port}");
        let mut cloud = Cloud {
            keystone: format!("{url}/identity"),
            url,
            dir: dir.clone(),
            member_role: String::new(),
            children: Mutex::new(vec![("emulator", emulator)]),
            fetch: Mutex::new(Some(fetch)),
            samples: OnceLock::new(),
            sample_cache: Mutex::new(HashMap::new()),
            admin: Mutex::new(None),
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
        };
        let keystone = keystone::start(&dir, keystone_port, &cloud.keystone);
        cloud.hook("guard", json!({"pids": [keystone.id()]}));
        cloud
            .children
            .lock()
            .unwrap()
            .insert(0, ("keystone", keystone));
        cloud.wait_for_keystone();
        cloud.register_catalog();
        cloud.member_role = cloud.role_id("member");
        eprintln!(
            "OpenStack backends ready in {:.1} s at {} (logs in {})",
            started.elapsed().as_secs_f64(),
            cloud.url,
            dir.display()
        );
        cloud
    }

    /// SIGINT to uwsgi (SIGTERM only reloads it), SIGTERM to the emulator;
    /// bounded waits, then SIGKILL.
    fn stop(&self) {
        let mut children = self.children.lock().unwrap_or_else(|e| e.into_inner());
        for (name, child) in children.iter_mut() {
            let signal = if *name == "keystone" { 2 } else { 15 };
            unsafe {
                kill_pid(child.id() as i32, signal);
            }
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        children.clear();
        // Keep the logs of the last run for diagnosis; drop the state.
        let logs = Path::new(env!("CARGO_TARGET_TMPDIR")).join("openstack-logs");
        let _ = std::fs::create_dir_all(&logs);
        for entry in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|e| e == "log") {
                let _ = std::fs::copy(entry.path(), logs.join(entry.file_name()));
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    fn wait_for_keystone(&self) {
        let start = Instant::now();
        loop {
            let ok = self
                .http
                .get(format!("{}/v3", self.keystone))
                .send()
                .is_ok_and(|r| r.status().is_success());
            if ok {
                return;
            }
            if start.elapsed() > Duration::from_secs(60) {
                let log = std::fs::read_to_string(self.dir.join("uwsgi.log")).unwrap_or_default();
                panic!("Keystone did not answer within 60 s; uwsgi log:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A project-scoped token for `user` in `project` (name, domain Default).
    fn login(&self, user: &str, password: &str, project: &str) -> String {
        let body = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": user, "domain": {"id": "default"}, "password": password}}},
            "scope": {"project": {"name": project, "domain": {"id": "default"}}}}});
        let r = self
            .http
            .post(format!("{}/v3/auth/tokens", self.keystone))
            .json(&body)
            .send()
            .unwrap();
        assert_eq!(
            r.status().as_u16(),
            201,
            "login {user}: {}",
            r.text().unwrap()
        );
        r.headers()["x-subject-token"].to_str().unwrap().to_string()
    }

    /// An admin token (one login per test binary).
    pub fn admin_token(&self) -> String {
        let mut admin = self.admin.lock().unwrap();
        admin
            .get_or_insert_with(|| self.login("admin", ADMIN_PASSWORD, "admin"))
            .clone()
    }

    /// A Keystone API call as admin; the JSON answer (status checked).
    pub fn keystone_admin(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .http
            .request(m, format!("{}{path}", self.keystone))
            .header("x-auth-token", self.admin_token());
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().unwrap();
        let status = r.status();
        let text = r.text().unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    fn role_id(&self, name: &str) -> String {
        let v = self.keystone_admin("GET", &format!("/v3/roles?name={name}"), None);
        v["roles"][0]["id"]
            .as_str()
            .expect("the role exists")
            .to_string()
    }

    /// Compute, network and image in the catalog: RegionOne public and
    /// internal, RegionTwo public; all on the front door, path-routed.
    fn register_catalog(&self) {
        self.keystone_admin(
            "POST",
            "/v3/regions",
            Some(json!({"region": {"id": "RegionTwo", "description": "Second region"}})),
        );
        for (kind, name, path) in [
            ("compute", "nova", "/compute/v2.1"),
            ("network", "neutron", "/networking"),
            ("image", "glance", "/image"),
        ] {
            let s = self.keystone_admin(
                "POST",
                "/v3/services",
                Some(json!({"service": {"type": kind, "name": name}})),
            );
            let id = s["service"]["id"].as_str().unwrap().to_string();
            for (region, interface, prefix) in [
                ("RegionOne", "public", ""),
                ("RegionOne", "internal", "/internal"),
                ("RegionTwo", "public", "/RegionTwo"),
            ] {
                self.keystone_admin(
                    "POST",
                    "/v3/endpoints",
                    Some(
                        json!({"endpoint": {"service_id": id, "interface": interface,
                        "region_id": region, "url": format!("{}{prefix}{path}", self.url)}}),
                    ),
                );
            }
        }
    }

    /// A fresh project with a member user of its own.
    pub fn project(&self, label: &str) -> Project {
        let tag = &uuid::Uuid::new_v4().simple().to_string()[..8];
        let name = format!("{label}-{tag}");
        let p = self.keystone_admin(
            "POST",
            "/v3/projects",
            Some(json!({"project": {"name": name, "domain_id": "default"}})),
        );
        let id = p["project"]["id"].as_str().unwrap().to_string();
        let (user, password) = (format!("user-{name}"), format!("pw-{tag}"));
        let u = self.keystone_admin(
            "POST",
            "/v3/users",
            Some(
                json!({"user": {"name": user, "password": password, "domain_id": "default",
                "default_project_id": id}}),
            ),
        );
        let user_id = u["user"]["id"].as_str().unwrap().to_string();
        let path = format!(
            "/v3/projects/{id}/users/{user_id}/roles/{}",
            self.member_role
        );
        self.keystone_admin("PUT", &path, None);
        Project {
            id,
            name,
            user,
            user_id,
            password,
        }
    }

    /// The project user's own token.
    pub fn user_token(&self, p: &Project) -> String {
        self.login(&p.user, &p.password, &p.name)
    }

    /// A new application credential of the project's user: (id, secret).
    pub fn app_credential(&self, p: &Project) -> (String, String) {
        let r = self
            .http
            .post(format!(
                "{}/v3/users/{}/application_credentials",
                self.keystone, p.user_id
            ))
            .header("x-auth-token", self.user_token(p))
            .json(&json!({"application_credential": {"name": "mcgw-test",
                "roles": [{"name": "member"}]}}))
            .send()
            .unwrap();
        let status = r.status().as_u16();
        let v: Value = r.json().unwrap_or_default();
        assert_eq!(status, 201, "application credential: {v}");
        let a = &v["application_credential"];
        (
            a["id"].as_str().unwrap().into(),
            a["secret"].as_str().unwrap().into(),
        )
    }

    /// Revoke a token at Keystone.
    pub fn revoke(&self, token: &str) {
        let r = self
            .http
            .delete(format!("{}/v3/auth/tokens", self.keystone))
            .header("x-auth-token", self.admin_token())
            .header("x-subject-token", token)
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 204, "revoking: {}", r.text().unwrap());
    }

    /// Call a test hook of the emulator.
    pub fn hook(&self, name: &str, body: Value) -> Value {
        let url = format!("{}/_emulator/{name}", self.url);
        let r = if body.is_null() {
            self.http.get(url).send()
        } else {
            self.http.post(url).json(&body).send()
        };
        r.unwrap().json().unwrap()
    }

    /// The emulator's log of service requests made in `project`.
    pub fn requests(&self, project: &Project) -> Vec<Value> {
        let v = self.hook(&format!("requests?project={}", project.id), Value::Null);
        v["requests"].as_array().cloned().unwrap_or_default()
    }

    /// Call a service of the emulator directly, as the project's user.
    pub fn service(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .http
            .request(m, format!("{}{path}", self.url))
            .header("x-auth-token", token)
            .header("openstack-api-version", "compute 2.79")
            .header("x-openstack-nova-api-version", "2.79");
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().unwrap();
        let status = r.status().as_u16();
        (status, r.json().unwrap_or(Value::Null))
    }

    /// The directory with the extracted sdists (waits for the download).
    pub fn samples(&self) -> &Path {
        self.samples.get_or_init(|| {
            let handle = self.fetch.lock().unwrap().take().expect("fetched once");
            let dir = handle
                .join()
                .expect("the sample fetch thread")
                .unwrap_or_else(|e| panic!("fetching the official API samples: {e}"));
            shapes::check_citations(&dir);
            dir
        })
    }

    /// Check every JSON answer the emulator has given so far (in any test)
    /// against its official sample; the set of samples seen.
    pub fn check_shapes(&self) -> std::collections::BTreeSet<String> {
        let samples = self.samples().to_path_buf();
        let v = self.hook("responses", Value::Null);
        let mut seen = std::collections::BTreeSet::new();
        let mut bad = Vec::new();
        for r in v["responses"].as_array().unwrap() {
            let name = r["sample"].as_str().unwrap().to_string();
            let sample = {
                let mut cache = self.sample_cache.lock().unwrap();
                cache
                    .entry(name.clone())
                    .or_insert_with(|| {
                        let path = shapes::file_of(&samples, &name);
                        let text = std::fs::read_to_string(&path)
                            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
                        serde_json::from_str(&text).unwrap()
                    })
                    .clone()
            };
            for m in shapes::mismatches(&name, &sample, &r["body"]) {
                bad.push(format!("{} {} ({name}): {m}", r["method"], r["path"]));
            }
            seen.insert(name);
        }
        assert!(
            bad.is_empty(),
            "answers unlike the official samples:\n{}",
            bad.join("\n")
        );
        seen
    }
}

/// Store a credential and a connection for `project` in the gateway.
pub fn connect(gw: &Gateway, name: &str, values: Value, region: &str, extra: Value) {
    let (s, v) = gw.post(
        "/v1/credentials",
        json!({"name": name, "adapter": "openstack", "values": values}),
    );
    assert_eq!(s, 201, "credential: {v}");
    let (s, v) = gw.post(
        "/v1/connections",
        json!({"name": name, "adapter": "openstack", "credential": name, "region": region,
            "endpoint": cloud().keystone, "extra": extra}),
    );
    assert_eq!(s, 201, "connection: {v}");
}

/// The password credential values of a project's user.
pub fn password_values(p: &Project) -> Value {
    json!({"username": p.user, "password": p.password, "project_name": p.name,
        "user_domain_name": "Default", "project_domain_name": "Default"})
}

// ---- helpers of the tests ----------------------------------------------------------

/// The emulator's Ubuntu 22.04 image.
pub const UBUNTU: &str = "6b1c9c4e-3f2a-4d59-9d5e-2c5f6b1f0a02";
/// Longest wait for a VM state.
pub const WAIT: Duration = Duration::from_secs(30);

/// A gateway with a connection `os` for a fresh project.
pub fn setup(label: &str) -> (tempfile::TempDir, Gateway, Project) {
    let os = cloud();
    let p = os.project(label);
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    connect(&gw, "os", password_values(&p), "RegionOne", json!({}));
    (dir, gw, p)
}

pub fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect()
}

/// A vnet `net` (one subnet `main`), a group `web` (SSH in) and a key `key`.
pub fn network(gw: &Gateway, ns: &str, cidr: &str) {
    let (s, v) = gw.post(
        &format!("/v1/ns/{ns}/vnets"),
        json!({"name": "net", "connection": "os", "cidr": format!("{cidr}.0.0/16"),
            "subnets": [{"name": "main", "cidr": format!("{cidr}.1.0/24")}]}),
    );
    assert_eq!(s, 201, "{v}");
    let (s, v) = gw.post(
        &format!("/v1/ns/{ns}/security-groups"),
        json!({"name": "web", "connection": "os", "vnet": "net", "rules": [
            {"direction": "inbound", "protocol": "tcp", "from_port": 22, "to_port": 22,
             "cidr": "0.0.0.0/0"}]}),
    );
    assert_eq!(s, 201, "{v}");
    let (s, v) = gw.post(
        &format!("/v1/ns/{ns}/keypairs"),
        json!({"name": "key", "connection": "os"}),
    );
    assert_eq!(s, 201, "{v}");
}

pub fn wait_status(gw: &Gateway, path: &str, status: &str) -> Value {
    gw.wait_for(path, WAIT, |v| v["status"] == status)
}

/// The length of the list a GET answers.
pub fn len(gw: &Gateway, path: &str) -> usize {
    gw.ok(path).as_array().map_or(0, Vec::len)
}

/// The CSP's own message in an error answer.
pub fn csp_message(v: &Value) -> &str {
    v["csp"]["message"].as_str().unwrap_or_default()
}

/// The request bodies Nova received for `path` with `method`.
pub fn sent(log: &[Value], method: &str, path_end: &str) -> Vec<Value> {
    log.iter()
        .filter(|r| r["method"] == method && r["path"].as_str().unwrap().ends_with(path_end))
        .map(|r| r["body"].clone())
        .collect()
}
