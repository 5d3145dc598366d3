//! moto, the AWS mock (PyPI `moto[server]`), as the AWS adapter's test cloud.
//!
//! Each [`Moto`] is its own `moto_server` on a free 127.0.0.1 port, so tests
//! running in parallel never see each other's objects. IAM authentication is
//! switched on before the test gets it: an IAM user with an `ec2:*` policy and
//! an access key is created through moto's IAM API, then `/moto-api/reset-auth`
//! makes moto verify every request's SigV4 signature against that key. AMI,
//! instance type and key pair validation are on, so unknown references fail as
//! they do at EC2. Dropping a `Moto` stops the process (bounded wait, then kill).
//!
//! moto missing is a test failure with the install command, never a skip:
//! CI installs it (`.ci/run`).

use super::Gateway;
use serde_json::{Value, json};
use std::io::Read;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What to do when moto cannot be started.
const INSTALL_HINT: &str = "moto is not installed: run `python3 -m pip install 'moto[server]'` \
     (.ci/run installs it for CI); the AWS adapter's tests need it";

/// A running moto server with IAM authentication on.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Access key id of the IAM user the tests sign with.
    pub access_key_id: String,
    /// Its secret.
    pub secret_access_key: String,
    log: Arc<Mutex<String>>,
    http: reqwest::blocking::Client,
}

impl Moto {
    /// Start moto with validation on, wait (bounded) until it answers, and
    /// switch IAM authentication on.
    pub fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = spawn(port);
        let log = Arc::new(Mutex::new(String::new()));
        if let Some(mut err) = child.stderr.take() {
            let log = log.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = err.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let mut l = log.lock().unwrap();
                    l.push_str(&String::from_utf8_lossy(&buf[..n]));
                    // Keep the tail only: moto logs every request.
                    if l.len() > 64 * 1024 {
                        let cut = l.len() - 32 * 1024;
                        l.replace_range(..cut, "");
                    }
                }
            });
        }
        let mut moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
            access_key_id: String::new(),
            secret_access_key: String::new(),
            log,
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        };
        moto.wait_ready();
        moto.enable_auth();
        moto
    }

    fn wait_ready(&mut self) {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = self.log_text();
                if log.contains("No module named") {
                    panic!("{INSTALL_HINT}\n{log}");
                }
                panic!("moto_server exited with {status} before answering:\n{log}");
            }
            let ok = self
                .http
                .get(format!("{}/moto-api/", self.url))
                .timeout(Duration::from_secs(2))
                .send()
                .is_ok_and(|r| r.status().is_success());
            if ok {
                return;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!(
                    "moto did not answer on {} within 30 s:\n{}",
                    self.url,
                    self.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Create the IAM user, policy and key while moto still accepts anything,
    /// then make it verify every signature from now on.
    fn enable_auth(&mut self) {
        self.iam(&[("Action", "CreateUser"), ("UserName", "mcgw")]);
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}"#;
        let created = self.iam(&[
            ("Action", "CreatePolicy"),
            ("PolicyName", "mcgw-ec2"),
            ("PolicyDocument", policy),
        ]);
        let arn = element(&created, "Arn");
        self.iam(&[
            ("Action", "AttachUserPolicy"),
            ("UserName", "mcgw"),
            ("PolicyArn", &arn),
        ]);
        let key = self.iam(&[("Action", "CreateAccessKey"), ("UserName", "mcgw")]);
        self.access_key_id = element(&key, "AccessKeyId");
        self.secret_access_key = element(&key, "SecretAccessKey");
        self.reset_auth("0");
    }

    /// `POST /moto-api/reset-auth`: how many more requests moto lets through
    /// without checking them (`0`: none; `inf`: all).
    fn reset_auth(&self, allowance: &str) {
        let r = self
            .http
            .post(format!("{}/moto-api/reset-auth", self.url))
            .header("content-type", "text/plain")
            .body(allowance.to_string())
            .send()
            .expect("moto reset-auth");
        assert!(r.status().is_success(), "reset-auth: {}", r.text().unwrap());
    }

    /// `POST /moto-api/reset`: forget every object (IAM included), then make a
    /// fresh IAM user and switch authentication on again. The access key
    /// changes: credentials made with the old one stop working.
    pub fn reset(&mut self) {
        let r = self
            .http
            .post(format!("{}/moto-api/reset", self.url))
            .send()
            .expect("moto reset");
        assert!(r.status().is_success(), "reset: {}", r.text().unwrap());
        self.reset_auth("inf");
        self.enable_auth();
    }

    /// One IAM Query API call, made while authentication is off: only the
    /// credential scope of the Authorization header matters (moto routes by it).
    fn iam(&self, params: &[(&str, &str)]) -> String {
        let mut form: Vec<(&str, &str)> = vec![("Version", "2010-05-08")];
        form.extend_from_slice(params);
        let r = self
            .http
            .post(format!("{}/", self.url))
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=MCGWSETUP/20260101/us-east-1/iam/aws4_request, \
                 SignedHeaders=host, Signature=0",
            )
            .form(&form)
            .send()
            .expect("moto IAM call");
        let status = r.status();
        let text = r.text().unwrap();
        assert!(status.is_success(), "IAM {params:?}: {status} {text}");
        text
    }

    /// Ask moto what it holds through AWS's own Python SDK (boto3, which moto
    /// depends on), signed with the test's key: an independent client checks
    /// what the adapter did. `call` is a boto3 EC2 client call such as
    /// `describe_vpcs(VpcIds=["vpc-1"])`; the answer is its JSON, or
    /// `{"Error": {...}}` when EC2 refused it.
    pub fn ec2(&self, region: &str, call: &str) -> serde_json::Value {
        const SCRIPT: &str = r#"
import boto3, botocore, json, sys
url, region, key, secret, call = sys.argv[1:6]
ec2 = boto3.client("ec2", endpoint_url=url, region_name=region,
                   aws_access_key_id=key, aws_secret_access_key=secret)
try:
    out = eval("ec2." + call)
    out.pop("ResponseMetadata", None)
except botocore.exceptions.ClientError as e:
    out = {"Error": e.response["Error"]}
print(json.dumps(out, default=str))
"#;
        let out = Command::new("python3")
            .args(["-c", SCRIPT, &self.url, region])
            .args([&self.access_key_id, &self.secret_access_key, call])
            .stdin(Stdio::null())
            .output()
            .expect("running python3 for boto3");
        assert!(
            out.status.success(),
            "boto3 {call}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("boto3 answer is JSON")
    }

    /// The tail of moto's log.
    pub fn log_text(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// `moto_server` from PATH, or the module through python3.
fn spawn(port: u16) -> Child {
    let port = port.to_string();
    let args = ["-H", "127.0.0.1", "-p", &port];
    let candidates: [(&str, &[&str]); 2] =
        [("moto_server", &[]), ("python3", &["-m", "moto.server"])];
    for (program, prefix) in candidates {
        let spawned = Command::new(program)
            .args(prefix)
            .args(args)
            .env("MOTO_ENABLE_AMI_VALIDATION", "true")
            .env("MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION", "true")
            .env("MOTO_ENABLE_KEYPAIR_VALIDATION", "true")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        match spawned {
            Ok(child) => return child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("starting {program}: {e}"),
        }
    }
    panic!("{INSTALL_HINT}");
}

/// The text of the first `<name>` element of an XML answer.
fn element(xml: &str, name: &str) -> String {
    let open = format!("<{name}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no <{name}> in {xml}"))
        + open.len();
    let end = xml[start..].find('<').map_or(xml.len(), |e| start + e);
    xml[start..end].to_string()
}

// ---- The AWS adapter's fixture: a gateway wired to a moto ----

/// A gateway with an `aws` credential for moto's IAM user and a connection
/// `aws-use1` (us-east-1) whose endpoint is moto.
pub struct Env {
    /// The gateway.
    pub gw: Gateway,
    /// Its cloud.
    pub moto: Moto,
    _dir: tempfile::TempDir,
}

pub fn start() -> Env {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    credential(&gw, "aws", &moto.access_key_id, &moto.secret_access_key);
    connect(&gw, "aws-use1", "us-east-1", &moto, "aws", json!({}));
    Env {
        gw,
        moto,
        _dir: dir,
    }
}

/// A credential of the `aws` adapter.
pub fn credential(gw: &Gateway, name: &str, key: &str, secret: &str) {
    let (s, v) = gw.post(
        "/v1/credentials",
        json!({"name": name, "adapter": "aws",
               "values": {"access_key_id": key, "secret_access_key": secret}}),
    );
    assert_eq!(s, 201, "{v}");
}

/// A connection of the `aws` adapter to moto.
pub fn connect(gw: &Gateway, name: &str, region: &str, moto: &Moto, cred: &str, extra: Value) {
    let (s, v) = gw.post(
        "/v1/connections",
        json!({"name": name, "adapter": "aws", "credential": cred, "region": region,
               "endpoint": moto.url, "extra": extra}),
    );
    assert_eq!(s, 201, "{v}");
}

/// An Ubuntu image from the connection's catalog.
pub fn ubuntu(gw: &Gateway, conn: &str) -> String {
    let images = gw.ok(&format!("/v1/connections/{conn}/images"));
    images
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"].as_str().unwrap_or("").contains("ubuntu"))
        .expect("moto has Ubuntu images")["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A vnet in namespace `default` with one subnet `main`.
pub fn vnet(gw: &Gateway, name: &str, conn: &str, cidr: &str, subnet: &str) -> Value {
    let (s, v) = gw.post(
        "/v1/ns/default/vnets",
        json!({"name": name, "connection": conn, "cidr": cidr,
               "subnets": [{"name": "main", "cidr": subnet}]}),
    );
    assert_eq!(s, 201, "vnet: {v}");
    v["data"].clone()
}

/// EC2's description of an instance, read with boto3, as text.
pub fn instance_at_ec2(moto: &Moto, region: &str, id: &str) -> String {
    let out = moto.ec2(region, &format!("describe_instances(InstanceIds=[{id:?}])"));
    let instance = &out["Reservations"][0]["Instances"][0];
    assert!(instance.is_object(), "EC2 does not know {id}: {out}");
    instance.to_string()
}

/// Whether EC2 still has a VPC with this id or CIDR block.
pub fn vpc_at_ec2(moto: &Moto, filter: &str, value: &str) -> bool {
    let call = format!("describe_vpcs(Filters=[{{'Name': {filter:?}, 'Values': [{value:?}]}}])");
    let out = moto.ec2("us-east-1", &call);
    !out["Vpcs"].as_array().expect("a VPC list").is_empty()
}
