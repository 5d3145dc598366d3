//! The conformance kit (`mcgw adapter test`) against the built-in adapter and
//! against the template adapter registered at runtime through the API.

mod common;

use common::*;
use serde_json::{Value, json};
use std::process::Command;

fn kit(gw: &Gateway, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mcgw"))
        .args(["--server", &gw.url, "adapter", "test"])
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// A fresh account at the embedded simulated cloud: (access key, secret key).
fn sim_account(gw: &Gateway, name: &str) -> (String, String) {
    let sim = gw.sim_url.clone().unwrap();
    let (ak, sk) = (
        format!("AK{}", name.to_uppercase()),
        format!("secret-{name}"),
    );
    let r = reqwest::blocking::Client::new()
        .post(format!("{sim}/admin/accounts"))
        .json(&json!({"access_key": ak, "secret_key": sk}))
        .send()
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().unwrap());
    (ak, sk)
}

#[test]
fn the_built_in_adapter_passes_the_conformance_kit() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    let (ok, out) = kit(
        &gw,
        &[
            "--adapter",
            "sim",
            "--credential",
            "sim",
            "--region",
            "ap-seoul",
            "--wait-secs",
            "30",
        ],
    );
    assert!(ok, "{out}");
    for check in [
        "catalog.image.unknown-is-404",
        "keypair.duplicate-is-409",
        "compute.suspended",
        "compute.gone-is-404",
    ] {
        assert!(
            out.lines().any(|l| l.contains(check) && l.contains("PASS")),
            "{check} did not pass:\n{out}"
        );
    }
    assert!(out.contains("0 failed"), "{out}");
    // The kit cleaned up after itself.
    let ns: Vec<Value> = gw.ok("/v1/ns").as_array().unwrap().clone();
    assert_eq!(ns.len(), 1, "{ns:?}");
}

#[test]
fn the_template_adapter_registered_at_runtime_passes_the_conformance_kit() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    let (ak, sk) = sim_account(&gw, "template");
    let endpoint = gw.sim_url.clone().unwrap();
    let template = env!("MCGW_TEMPLATE_COMPONENT");

    // The kit registers the file, tests exactly that version, and removes it again.
    let (ok, out) = kit(
        &gw,
        &[
            template,
            "--credential-value",
            &format!("access_key={ak}"),
            "--credential-value",
            &format!("secret_key={sk}"),
            "--region",
            "eu-paris",
            "--endpoint",
            &endpoint,
            "--wait-secs",
            "30",
        ],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("register") && out.contains("template@0.1.0"),
        "{out}"
    );
    // Operations the template leaves out are skipped, not passed.
    assert!(
        out.lines()
            .any(|l| l.contains("network.security-group.create") && l.contains("SKIP")),
        "{out}"
    );
    assert_eq!(
        gw.get("/v1/adapters/template").0,
        404,
        "the kit removes what it registered"
    );

    // Registered and activated through the API like any adapter, then tested by name.
    let r = reqwest::blocking::Client::new()
        .post(format!(
            "{}/v1/adapters/template/versions/0.1.0?activate=true",
            gw.url
        ))
        .header("content-type", "application/wasm")
        .body(std::fs::read(template).unwrap())
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let (s, v) = gw.post(
        "/v1/credentials",
        json!({"name": "tpl", "adapter": "template",
        "values": {"access_key": ak, "secret_key": sk}}),
    );
    assert_eq!(s, 201, "{v}");
    let (ok, out) = kit(
        &gw,
        &[
            "--adapter",
            "template",
            "--credential",
            "tpl",
            "--region",
            "eu-paris",
            "--endpoint",
            &endpoint,
            "--wait-secs",
            "30",
        ],
    );
    assert!(ok, "{out}");
}

#[test]
fn a_failing_adapter_fails_the_kit_with_a_readable_table() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    // The misbehave adapter lists one region and creates VMs that never run.
    let (ok, out) = kit(
        &gw,
        &[
            &test_component("test-misbehave").display().to_string(),
            "--credential-value",
            "token=x",
            "--region",
            "test-1",
            "--wait-secs",
            "2",
        ],
    );
    assert!(!ok, "{out}");
    assert!(out.contains("FAIL") && out.contains("failed"), "{out}");
}
