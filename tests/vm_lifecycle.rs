//! A VM's whole life on the built-in simulated cloud, through the REST API:
//! network objects, create, status moving by itself, suspend/resume/reboot,
//! terminate, delete; plus catalog reads.

mod common;

use common::*;
use serde_json::json;
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

#[test]
fn vm_lifecycle_on_the_simulated_cloud() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());

    // First start made the default namespace and one connection per region.
    let conns = gw.ok("/v1/connections");
    assert!(conns.as_array().unwrap().len() >= 20, "{conns}");
    let adapters = gw.ok("/v1/adapters");
    let sim = adapters
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "sim")
        .unwrap();
    assert_eq!(sim["active_version"], "1.0.0");

    // Catalog.
    let regions = gw.ok("/v1/connections/sim-ap-seoul/regions");
    assert!(regions.as_array().unwrap().len() >= 20);
    let seoul = regions
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "ap-seoul")
        .unwrap();
    assert!((seoul["location"]["latitude"].as_f64().unwrap() - 37.57).abs() < 0.1);
    let specs = gw.ok("/v1/connections/sim-ap-seoul/specs");
    let small = specs
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "sim.small")
        .unwrap();
    assert!(small["price_per_hour"].as_f64().unwrap() > 0.0);
    let images = gw.ok("/v1/connections/sim-ap-seoul/images");
    assert!(
        images
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == "img-ubuntu-22.04")
    );

    // Network objects and a key pair.
    sim_vnet(&gw, "default", "net1", "ap-seoul");
    let (s, sg) = gw.post(
        "/v1/ns/default/security-groups",
        json!({"name": "web", "connection": "sim-ap-seoul", "vnet": "net1",
               "rules": [{"direction": "inbound", "protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}]}),
    );
    assert_eq!(s, 201, "{sg}");
    let (s, kp) = gw.post(
        "/v1/ns/default/keypairs",
        json!({"name": "key1", "connection": "sim-ap-seoul"}),
    );
    assert_eq!(s, 201, "{kp}");
    assert!(
        kp["data"]["private_key"]
            .as_str()
            .unwrap()
            .contains("PRIVATE KEY")
    );
    let kp_again = gw.ok("/v1/ns/default/keypairs/key1");
    assert!(
        kp_again.get("private_key").is_none(),
        "the private key is returned once only"
    );

    // Create: answers at once with Creating.
    let mut req = sim_vm("web-1", "ap-seoul", "net1");
    req["security_groups"] = json!(["web"]);
    req["keypair"] = json!("key1");
    req["tags"] = json!({"team": "games"});
    let (s, vm) = gw.post("/v1/ns/default/vms", req);
    assert_eq!(s, 201, "{vm}");
    assert_eq!(vm["code"], "Created");
    assert_eq!(vm["data"]["status"], "Creating");
    assert!(vm["data"]["csp_id"].as_str().unwrap().starts_with("i-"));

    // The status moves as the CSP reports it.
    let vm = gw.wait_for("/v1/ns/default/vms/web-1", T, |v| v["status"] == "Running");
    assert_eq!(vm["native_status"], "ACTIVE");
    assert!(vm["public_ip"].is_string());
    assert_eq!(
        vm["ssh_access_point"],
        format!("{}:22", vm["public_ip"].as_str().unwrap())
    );
    assert_eq!(vm["tags"]["team"], "games");

    for (action, transient, settled) in [
        ("suspend", "Suspending", "Suspended"),
        ("resume", "Resuming", "Running"),
        ("reboot", "Rebooting", "Running"),
    ] {
        let (s, v) = gw.post(&format!("/v1/ns/default/vms/web-1/{action}"), json!({}));
        assert_eq!(s, 200, "{action}: {v}");
        assert_eq!(v["code"], "Changed");
        assert_eq!(v["data"]["status"], transient, "{action}");
        gw.wait_for("/v1/ns/default/vms/web-1", T, |v| v["status"] == settled);
    }

    // An action the state does not allow is refused by the CSP, clearly.
    let (s, v) = gw.post("/v1/ns/default/vms/web-1/resume", json!({}));
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["code"], "InvalidRequest");
    assert_eq!(v["csp"]["code"], "IncorrectState");

    // Resources in use cannot be deleted.
    let (s, v) = gw.delete("/v1/ns/default/vnets/net1");
    assert_eq!(
        (s, v["code"].as_str()),
        (400, Some("InvalidRequest")),
        "{v}"
    );

    let (s, v) = gw.post("/v1/ns/default/vms/web-1/terminate", json!({}));
    assert_eq!(s, 200, "{v}");
    gw.wait_for("/v1/ns/default/vms/web-1", T, |v| {
        v["status"] == "Terminated"
    });
    let (s, v) = gw.delete("/v1/ns/default/vms/web-1");
    assert_eq!((s, v["code"].as_str()), (200, Some("Deleted")), "{v}");
    assert_eq!(gw.get("/v1/ns/default/vms/web-1").0, 404);

    // Now the network objects go, in dependency order.
    for path in ["keypairs/key1", "security-groups/web", "vnets/net1"] {
        let (s, v) = gw.delete(&format!("/v1/ns/default/{path}"));
        assert_eq!(s, 200, "{path}: {v}");
    }
    assert!(gw.ok("/v1/ns/default/vnets").as_array().unwrap().is_empty());
}

#[test]
fn deleting_a_running_vm_terminates_it_at_the_cloud() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    sim_vnet(&gw, "default", "net1", "eu-london");
    let (s, vm) = gw.post("/v1/ns/default/vms", sim_vm("db-1", "eu-london", "net1"));
    assert_eq!(s, 201, "{vm}");
    let id = vm["data"]["csp_id"].as_str().unwrap().to_string();
    gw.wait_for("/v1/ns/default/vms/db-1", T, |v| v["status"] == "Running");
    let (s, _) = gw.delete("/v1/ns/default/vms/db-1");
    assert_eq!(s, 200);
    // The simulated cloud itself saw the termination.
    let sim = gw.sim_url.clone().unwrap();
    let all: serde_json::Value = reqwest::blocking::get(format!("{sim}/admin/instances"))
        .unwrap()
        .json()
        .unwrap();
    let inst = all["instances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["instance"]["id"] == id.as_str())
        .unwrap();
    let state = inst["instance"]["state"].as_str().unwrap();
    assert!(state == "TERMINATING" || state == "TERMINATED", "{state}");
}
