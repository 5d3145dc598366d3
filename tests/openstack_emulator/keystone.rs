//! Real Keystone from PyPI for the OpenStack tests: configured with sqlite
//! and fernet keys in a temporary directory, bootstrapped with
//! `keystone-manage`, served by uwsgi on 127.0.0.1 (stopped with SIGINT: uwsgi
//! only reloads on SIGTERM).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The bootstrap admin's password (project `admin`, domain Default).
pub const ADMIN_PASSWORD: &str = "mcgw-test-admin";

pub fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Run a command to completion within `limit`; its output goes to `log`.
fn run(cmd: &mut Command, what: &str, log: &Path, limit: Duration) {
    let out = std::fs::File::create(log).unwrap();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            if status.success() {
                return;
            }
            let text = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{what} failed ({status}):\n{text}");
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("{what} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Configure and bootstrap Keystone in `dir` (sqlite, fernet), then serve it
/// with uwsgi on `port`. Its public URL is the front door's `/identity`.
pub fn start(dir: &Path, port: u16, public: &str) -> Child {
    let d = dir.display();
    let conf = dir.join("keystone.conf");
    std::fs::write(
        &conf,
        format!(
            "[DEFAULT]\nlog_file = {d}/keystone.log\npublic_endpoint = {public}\n\
             [database]\nconnection = sqlite:///{d}/keystone.db\n\
             [fernet_tokens]\nkey_repository = {d}/fernet-keys\n\
             [fernet_receipts]\nkey_repository = {d}/fernet-keys\n\
             [credential]\nkey_repository = {d}/credential-keys\n\
             [token]\nexpiration = 3600\n\
             [identity]\npassword_hash_rounds = 4\n"
        ),
    )
    .unwrap();
    let id = |flag: &str| {
        let out = Command::new("id").arg(flag).output().expect("running id");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let (user, group) = (id("-un"), id("-gn"));
    let limit = Duration::from_secs(120);
    let manage = |args: &[&str], log: &str| {
        let mut cmd = Command::new("keystone-manage");
        cmd.arg("--config-file").arg(&conf).args(args);
        run(
            &mut cmd,
            &format!("keystone-manage {}", args[0]),
            &dir.join(log),
            limit,
        );
    };
    let owner = ["--keystone-user", &user, "--keystone-group", &group];
    // The key repositories and the schema are independent: set them up at once.
    std::thread::scope(|s| {
        s.spawn(|| manage(&["db_sync"], "db_sync.log"));
        s.spawn(|| {
            manage(
                &[&["fernet_setup"][..], &owner].concat(),
                "fernet_setup.log",
            )
        });
        s.spawn(|| {
            let args = [&["credential_setup"][..], &owner].concat();
            manage(&args, "credential_setup.log")
        });
    });
    manage(
        &[
            "bootstrap",
            "--bootstrap-password",
            ADMIN_PASSWORD,
            "--bootstrap-region-id",
            "RegionOne",
            "--bootstrap-admin-url",
            public,
            "--bootstrap-internal-url",
            public,
            "--bootstrap-public-url",
            public,
        ],
        "bootstrap.log",
    );
    let log = std::fs::File::create(dir.join("uwsgi.log")).unwrap();
    Command::new("uwsgi")
        .args(["--http-socket", &format!("127.0.0.1:{port}")])
        .args(["--module", "keystone.wsgi.api:application"])
        .args(["--master", "--processes", "1", "--threads", "8"])
        .args(["--enable-threads", "--need-app", "--disable-logging"])
        .env("OS_KEYSTONE_CONFIG_FILES", &conf)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("starting uwsgi")
}
