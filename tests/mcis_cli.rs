//! The `mcgw mcis` CLI with the example request files: review, create with
//! live progress, status, a lifecycle action and delete.

mod common;

use common::*;
use std::process::Command;

fn mcgw(gw: &Gateway, dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mcgw"))
        .current_dir(dir)
        .args(["--server", &gw.url])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn the_example_requests_work_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(&dir.path().join("data"));
    let ex = |f: &str| format!("{}/examples/mcis/{f}", env!("CARGO_MANIFEST_DIR"));

    let (ok, out) = mcgw(
        &gw,
        dir.path(),
        &["mcis", "review", "-f", &ex("dynamic.yaml")],
    );
    assert!(ok, "{out}");
    assert!(out.contains("10 VMs, estimated"), "{out}");

    let (ok, out) = mcgw(
        &gw,
        dir.path(),
        &["mcis", "create", "-f", &ex("dynamic.yaml")],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("succeeded") && out.contains("game: Running:10 (R:10/10)"),
        "{out}"
    );
    assert!(
        dir.path().join("dyn-sim-ap-seoul.pem").exists(),
        "the new private key was saved"
    );

    let (ok, out) = mcgw(
        &gw,
        dir.path(),
        &["mcis", "suspend", "game", "--subgroup", "asia"],
    );
    assert!(ok, "{out}");
    let (ok, out) = mcgw(&gw, dir.path(), &["mcis", "list"]);
    assert!(ok && out.contains("game"), "{out}");

    // The static example needs its vnet first.
    let (ok, out) = mcgw(
        &gw,
        dir.path(),
        &[
            "vnet",
            "create",
            "net-seoul",
            "-c",
            "sim-ap-seoul",
            "--cidr",
            "10.0.0.0/16",
            "--subnet",
            "main=10.0.1.0/24",
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = mcgw(
        &gw,
        dir.path(),
        &["mcis", "create", "-f", &ex("static.yaml")],
    );
    assert!(ok, "{out}");
    assert!(out.contains("shop: Running:3 (R:3/3)"), "{out}");

    let (ok, out) = mcgw(
        &gw,
        dir.path(),
        &["mcis", "create", "-f", &ex("placed.yaml")],
    );
    assert!(ok, "{out}");
    assert!(out.contains("Running:3 (R:3/3)"), "{out}");

    let (ok, out) = mcgw(&gw, dir.path(), &["mcis", "delete", "game"]);
    assert!(
        !ok && out.contains("terminate"),
        "deleting live VMs needs --terminate: {out}"
    );
    let (ok, out) = mcgw(&gw, dir.path(), &["mcis", "delete", "game", "--terminate"]);
    assert!(ok, "{out}");
    assert!(out.contains("mcis deleted"), "{out}");
}
