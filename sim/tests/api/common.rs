//! Test harness: a simulator on 127.0.0.1:0 in-process, and signing clients.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use mcgw_sim::{Account, Behaviour, SimConfig, auth};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const AK: &str = "AKTEST";
pub const SK: &str = "secret-test";
pub const REGION: &str = "ap-seoul";

/// A running simulator.
pub struct Sim {
    pub base: String,
    http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

/// Fast transitions so state-machine tests finish quickly.
pub fn fast() -> Behaviour {
    Behaviour {
        create_delay_ms: 100,
        stop_delay_ms: 100,
        start_delay_ms: 100,
        reboot_delay_ms: 100,
        terminate_delay_ms: 100,
        ..Behaviour::default()
    }
}

pub fn config(behaviour: Behaviour, state_path: Option<PathBuf>) -> SimConfig {
    SimConfig {
        accounts: vec![Account {
            access_key: AK.into(),
            secret_key: SK.into(),
        }],
        behaviour,
        state_path,
    }
}

impl Sim {
    pub async fn start(config: SimConfig) -> Sim {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(mcgw_sim::serve(listener, config, async move {
            let _ = rx.await;
        }));
        Sim {
            base,
            http: reqwest::Client::new(),
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// A simulator with the test account and fast transitions.
    pub async fn fast() -> Sim {
        Sim::start(config(fast(), None)).await
    }

    /// A client of the test account.
    pub fn client(&self) -> Client {
        self.client_as(AK, SK)
    }

    pub fn client_as(&self, ak: &str, sk: &str) -> Client {
        Client {
            base: self.base.clone(),
            http: self.http.clone(),
            ak: ak.into(),
            sk: sk.into(),
        }
    }

    /// An unauthenticated admin request.
    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        Resp::from(req.send().await.unwrap()).await
    }

    pub async fn patch_config(&self, body: Value) -> Resp {
        let r = self.admin(Method::PATCH, "/admin/config", Some(body)).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r
    }

    /// Shut down gracefully and wait until the state is saved.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .expect("the simulator stops in time")
                .unwrap()
                .unwrap();
        }
    }
}

/// A signing client of one account.
#[derive(Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    pub ak: String,
    pub sk: String,
}

/// An answer: status, headers, JSON body (Null when empty).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Resp {
    async fn from(r: reqwest::Response) -> Resp {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let bytes = r.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Resp {
            status,
            headers,
            body,
        }
    }

    /// The error code of an envelope.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// Assert a status and error code.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.code()),
            (status, code),
            "{:?}",
            self.body
        );
        assert!(
            self.body["error"]["request_id"].is_string(),
            "{:?}",
            self.body
        );
        assert!(self.body["error"]["message"].is_string(), "{:?}", self.body);
    }

    #[track_caller]
    pub fn ok(self, status: u16) -> Value {
        assert_eq!(self.status, status, "{:?}", self.body);
        self.body
    }
}

/// `/v1/regions/{REGION}` + rest.
pub fn r(rest: &str) -> String {
    format!("/v1/regions/{REGION}{rest}")
}

/// `2026-11-29T05:44:01Z` for now + `offset_s`.
pub fn date(offset_s: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::seconds(offset_s);
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&f).unwrap()
}

impl Client {
    /// Send a signed request; `path` may carry a query.
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let bytes = body
            .map(|b| serde_json::to_vec(&b).unwrap())
            .unwrap_or_default();
        self.send_raw(method, path, bytes, &date(0)).await
    }

    /// Send signed bytes with a given date.
    pub async fn send_raw(&self, method: Method, path: &str, body: Vec<u8>, date: &str) -> Resp {
        let (p, q) = path.split_once('?').unwrap_or((path, ""));
        let sig = auth::sign(&self.sk, method.as_str(), p, q, date, &body);
        let req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("x-sim-date", date)
            .header("authorization", auth::authorization(&self.ak, &sig))
            .header("content-type", "application/json")
            .body(body);
        Resp::from(req.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(Method::DELETE, path, None).await
    }

    /// Wait (bounded) until an instance reaches `state`; the instance then.
    pub async fn wait_state(&self, region: &str, id: &str, state: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let r = self
                .get(&format!("/v1/regions/{region}/instances/{id}"))
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            if r.body["state"] == state {
                return r.body;
            }
            assert!(
                Instant::now() < deadline,
                "{id} never reached {state}: {:?}",
                r.body
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// A vpc 10.0.0.0/16 with subnet 10.0.1.0/24 and an ssh security group.
pub struct Net {
    pub vpc: String,
    pub subnet: String,
    pub sg: String,
}

pub async fn network(c: &Client, region: &str) -> Net {
    let vpc = c
        .post(
            &format!("/v1/regions/{region}/vpcs"),
            json!({"name": "main", "cidr": "10.0.0.0/16"}),
        )
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let subnet = c
        .post(
            &format!("/v1/regions/{region}/vpcs/{vpc}/subnets"),
            json!({"name": "a", "cidr": "10.0.1.0/24"}),
        )
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sg = c
        .post(
            &format!("/v1/regions/{region}/security-groups"),
            json!({"name": "ssh", "vpc_id": vpc, "description": "ssh in",
                   "rules": [{"direction": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}]}),
        )
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    Net { vpc, subnet, sg }
}

/// A valid launch request in `net`.
pub fn launch(net: &Net, name: &str) -> Value {
    json!({"name": name, "spec": "sim.small", "image": "img-ubuntu-22.04", "vpc_id": net.vpc,
           "subnet_id": net.subnet, "security_group_ids": [net.sg], "tags": {"env": "test"}})
}

/// Launch and return the instances.
pub async fn launch_ok(c: &Client, region: &str, body: Value) -> Vec<Value> {
    let r = c
        .post(&format!("/v1/regions/{region}/instances"), body)
        .await;
    r.ok(202)["instances"].as_array().unwrap().clone()
}
