//! The OpenStack adapter through the gateway's REST API, against real
//! Keystone (PyPI) and the Nova/Neutron/Glance emulator whose answers are
//! checked against the official API samples (see tests/common/openstack.rs).

mod common;

use common::openstack::*;
use common::*;
use serde_json::{Value, json};
use sha2::Digest;
use std::time::Duration;

#[test]
fn keystone_login_catalog_reads_and_a_wrong_password() {
    let os = cloud();
    let (_dir, gw, p) = setup("catalog");

    let regions = gw.ok("/v1/connections/os/regions");
    let one = regions
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "RegionOne");
    assert_eq!(
        one.unwrap()["zones"],
        json!(["nova", "zone-b"]),
        "{regions}"
    );
    assert!(regions.to_string().contains("Second region"), "{regions}");

    // A wrong password is Keystone's 401, with Keystone's own message kept.
    let mut bad = password_values(&p);
    bad["password"] = json!("not-the-password");
    connect(&gw, "bad", bad, "RegionOne", json!({}));
    let (s, v) = gw.get("/v1/connections/bad/specs");
    assert_eq!((s, v["code"].as_str()), (401, Some("Unauthorized")), "{v}");
    assert_eq!(v["csp"]["http_status"], 401, "{v}");
    assert_eq!(v["csp"]["code"], "Unauthorized", "{v}");
    assert!(csp_message(&v).contains("requires authentication"), "{v}");

    // Flavors over three pages of two, as specs.
    assert_eq!(len(&gw, "/v1/connections/os/specs"), 5);
    let small = gw.ok("/v1/connections/os/specs/m1.small");
    assert_eq!(
        (small["vcpus"].as_u64(), small["memory_mib"].as_u64()),
        (Some(1), Some(2048))
    );
    assert_eq!(small["disk_gib"], 20);
    assert_eq!(
        gw.ok("/v1/connections/os/specs/g1.large.vgpu")["gpu"]["count"],
        1
    );
    assert_eq!(gw.get("/v1/connections/os/specs/m9.huge").0, 404);

    // Images over three pages of two.
    assert_eq!(len(&gw, "/v1/connections/os/images"), 5);
    let ubuntu = gw.ok(&format!("/v1/connections/os/images/{UBUNTU}"));
    assert_eq!(ubuntu["os_type"], "linux");
    assert_eq!(ubuntu["os_distribution"], "ubuntu 22.04");
    assert_eq!(
        (ubuntu["public"].as_bool(), ubuntu["min_disk_gib"].as_u64()),
        (Some(true), Some(3))
    );
    let (s, v) = gw.get("/v1/connections/os/images/no-such-image");
    assert_eq!(s, 404, "{v}");
    assert!(csp_message(&v).contains("No image found"), "{v}");

    // An application credential; another region; the internal interface;
    // a region the catalog does not have.
    let (id, secret) = os.app_credential(&p);
    let app = json!({"application_credential_id": id, "application_credential_secret": secret});
    connect(&gw, "app", app, "RegionOne", json!({}));
    assert_eq!(len(&gw, "/v1/connections/app/specs"), 5);
    connect(&gw, "two", password_values(&p), "RegionTwo", json!({}));
    assert_eq!(len(&gw, "/v1/connections/two/images"), 5);
    connect(
        &gw,
        "int",
        password_values(&p),
        "RegionOne",
        json!({"interface": "internal"}),
    );
    assert_eq!(len(&gw, "/v1/connections/int/specs"), 5);
    connect(&gw, "far", password_values(&p), "RegionNine", json!({}));
    let (s, v) = gw.get("/v1/connections/far/specs");
    assert_eq!((s, v["field"].as_str()), (400, Some("region")), "{v}");

    let log = os.requests(&p);
    assert!(log.iter().any(|r| r["region"] == "RegionTwo"));
    assert!(log.iter().any(|r| r["interface"] == "internal"));
    assert!(
        log.iter()
            .any(|r| r["query"].as_str().unwrap().contains("marker="))
    );
    for r in log.iter().filter(|r| r["service"] == "compute") {
        assert_eq!(r["microversion"], json!(["compute 2.79", "2.79"]), "{r}");
    }
    // One token per credential content, cached across calls and connections:
    // the password login and the application credential.
    let mut tokens: Vec<&str> = log.iter().filter_map(|r| r["token"].as_str()).collect();
    tokens.sort();
    tokens.dedup();
    assert_eq!(tokens.len(), 2, "{log:?}");
    os.check_shapes();
}

#[test]
fn a_revoked_token_is_replaced_once() {
    let os = cloud();
    let (_dir, gw, p) = setup("revoke");
    let (s, v) = gw.get("/v1/connections/os/specs");
    assert_eq!(s, 200, "{v}");
    let token = os.hook(&format!("last-token?project={}", p.id), Value::Null)["token"]
        .as_str()
        .unwrap()
        .to_string();
    os.revoke(&token);
    assert_eq!(gw.get("/v1/connections/os/specs").0, 200);
    // The refused request carries the revoked token (its project is unknown
    // to the emulator then); the retry right after it carries a new one.
    let revoked = hex::encode(sha2::Sha256::digest(token.as_bytes()))[..12].to_string();
    let all = os.hook("requests", Value::Null)["requests"]
        .as_array()
        .unwrap()
        .clone();
    let refused = all
        .iter()
        .position(|r| r["token"] == revoked.as_str() && r["status"] == 401)
        .expect("the revoked token was refused");
    let after: Vec<&Value> = all[refused + 1..]
        .iter()
        .filter(|r| r["project"] == p.id.as_str())
        .collect();
    assert!(
        !after.is_empty() && after.iter().all(|r| r["status"] == 200),
        "{after:?}"
    );
    assert!(after.iter().all(|r| r["token"] != revoked.as_str()));
    os.check_shapes();
}

#[test]
fn networks_security_groups_and_key_pairs() {
    let os = cloud();
    let (_dir, gw, p) = setup("network");
    let token = os.user_token(&p);
    let (s, v) = gw.post(
        "/v1/ns/default/vnets",
        json!({"name": "net", "connection": "os", "cidr": "10.10.0.0/16", "subnets": [
            {"name": "a", "cidr": "10.10.1.0/24"}, {"name": "b", "cidr": "10.10.2.0/24"}]}),
    );
    assert_eq!(s, 201, "{v}");
    let net_id = v["data"]["csp_id"].as_str().unwrap().to_string();
    assert_eq!(v["data"]["cidr"], "10.10.0.0/16");
    let (s, v) = gw.post(
        "/v1/ns/default/vnets/net/subnets",
        json!({"name": "c", "cidr": "10.10.3.0/24"}),
    );
    assert!(s == 200 || s == 201, "{v}");
    assert_eq!(gw.delete("/v1/ns/default/vnets/net/subnets/c").0, 200);
    let (_, subnets) = os.service(
        &token,
        "GET",
        &format!("/networking/v2.0/subnets?network_id={net_id}"),
        None,
    );
    assert_eq!(names(&subnets["subnets"]).len(), 2, "{subnets}");

    let rules = json!([
        {"direction": "inbound", "protocol": "tcp", "from_port": 80, "to_port": 443, "cidr": "0.0.0.0/0"},
        {"direction": "inbound", "protocol": "icmp", "cidr": "10.0.0.0/8"}]);
    let (s, v) = gw.post(
        "/v1/ns/default/security-groups",
        json!({"name": "web", "connection": "os", "vnet": "net", "rules": rules}),
    );
    assert_eq!(s, 201, "{v}");
    let sg_id = v["data"]["csp_id"].as_str().unwrap().to_string();
    let (_, g) = os.service(
        &token,
        "GET",
        &format!("/networking/v2.0/security-groups/{sg_id}"),
        None,
    );
    let tags = g["security_group"]["tags"].to_string();
    for t in [
        "mcgw-ns=default",
        "mcgw-name=web",
        &format!("mcgw.vnet={net_id}"),
    ] {
        assert!(tags.contains(t), "{tags}");
    }
    let ports = g["security_group"]["security_group_rules"].to_string();
    assert!(ports.contains("443") && ports.contains("icmp"), "{ports}");

    // Neutron refuses the second of two equal rules: nothing is left behind.
    let rule = json!({"direction": "inbound", "protocol": "udp", "from_port": 53, "to_port": 53,
        "cidr": "0.0.0.0/0"});
    let (s, v) = gw.post(
        "/v1/ns/default/security-groups",
        json!({"name": "odd", "connection": "os", "vnet": "net", "rules": [rule, rule]}),
    );
    assert_eq!((s, v["code"].as_str()), (409, Some("AlreadyExists")), "{v}");
    assert_eq!(v["csp"]["code"], "SecurityGroupRuleExists", "{v}");
    let (_, all) = os.service(&token, "GET", "/networking/v2.0/security-groups", None);
    assert_eq!(names(&all["security_groups"]), ["default", "web"]);

    // A generated key: the private key once; an imported key; Nova's duplicate.
    let (s, v) = gw.post(
        "/v1/ns/default/keypairs",
        json!({"name": "k1", "connection": "os"}),
    );
    assert_eq!(s, 201, "{v}");
    assert!(
        v["data"]["private_key"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN RSA PRIVATE KEY-----")
    );
    let public = v["data"]["public_key"].as_str().unwrap().to_string();
    let fingerprint = v["data"]["fingerprint"].as_str().unwrap().to_string();
    assert_eq!(fingerprint.len(), 47, "{v}");
    assert!(
        gw.ok("/v1/ns/default/keypairs/k1")
            .get("private_key")
            .is_none()
    );
    let (s, v) = gw.post(
        "/v1/ns/default/keypairs",
        json!({"name": "k2", "connection": "os", "public_key": public}),
    );
    assert_eq!(
        (s, v["data"]["fingerprint"].as_str()),
        (201, Some(fingerprint.as_str())),
        "{v}"
    );
    assert_eq!(gw.post("/v1/ns", json!({"name": "other"})).0, 201);
    let (s, v) = gw.post(
        "/v1/ns/other/keypairs",
        json!({"name": "k1", "connection": "os"}),
    );
    assert_eq!((s, v["code"].as_str()), (409, Some("AlreadyExists")), "{v}");
    assert_eq!(v["csp"]["message"], "Key pair 'k1' already exists.", "{v}");

    for path in [
        "security-groups/web",
        "vnets/net",
        "keypairs/k1",
        "keypairs/k2",
    ] {
        let (s, v) = gw.delete(&format!("/v1/ns/default/{path}"));
        assert_eq!(s, 200, "{path}: {v}");
    }
    let (_, nets) = os.service(&token, "GET", "/networking/v2.0/networks", None);
    assert_eq!(nets["networks"], json!([]));
    let (_, keys) = os.service(&token, "GET", "/compute/v2.1/os-keypairs", None);
    assert_eq!(keys["keypairs"], json!([]));
    os.check_shapes();
}

#[test]
fn a_vm_lives_its_whole_life() {
    let os = cloud();
    let (_dir, gw, p) = setup("lifecycle");
    network(&gw, "default", "10.20");
    let vm = "/v1/ns/default/vms/vm1";
    let (s, v) = gw.post(
        "/v1/ns/default/vms",
        json!({"name": "vm1", "connection": "os", "spec": "m1.small", "image": UBUNTU,
            "vnet": "net", "subnet": "main", "security_groups": ["web"], "keypair": "key",
            "user_data": "#cloud-config\n", "tags": {"team": "blue"}}),
    );
    assert_eq!(
        (s, v["data"]["status"].as_str()),
        (201, Some("Creating")),
        "{v}"
    );
    let running = wait_status(&gw, vm, "Running");
    assert!(
        running["private_ip"]
            .as_str()
            .unwrap()
            .starts_with("10.20.1."),
        "{running}"
    );
    assert_eq!(running["native_status"], "ACTIVE");

    let log = os.requests(&p);
    let create = &sent(&log, "POST", "/servers")[0]["server"];
    assert_eq!(create["metadata"]["mcgw-ns"], "default", "{create}");
    assert_eq!(create["metadata"]["mcgw-name"], "vm1");
    assert_eq!(create["metadata"]["team"], "blue");
    assert_eq!(create["user_data"], "I2Nsb3VkLWNvbmZpZwo=");
    assert_eq!(create["key_name"], "key");
    let server_tags = create["tags"].to_string();
    for t in [
        "mcgw-ns=default",
        "mcgw-name=vm1",
        "mcgw.vnet=",
        "mcgw.subnet=",
        "mcgw.sg=",
    ] {
        assert!(server_tags.contains(t), "{server_tags}");
    }

    for (action, status, native) in [
        ("suspend", "Suspended", "SHUTOFF"),
        ("resume", "Running", "ACTIVE"),
        ("reboot", "Running", "ACTIVE"),
        ("terminate", "Terminated", ""),
    ] {
        let (s, v) = gw.post(&format!("{vm}/{action}"), json!({}));
        assert_eq!(s, 200, "{action}: {v}");
        let now = wait_status(&gw, vm, status);
        if !native.is_empty() {
            assert_eq!(now["native_status"], native, "{now}");
        }
    }
    let log = os.requests(&p);
    let actions = sent(&log, "POST", "/action");
    assert_eq!(
        actions,
        [
            json!({"os-stop": null}),
            json!({"os-start": null}),
            json!({"reboot": {"type": "SOFT"}})
        ]
    );
    assert_eq!(gw.delete(vm).0, 200);
    assert_eq!(gw.get(vm).0, 404);

    // suspend/resume when the connection asks; a hard reboot when the VM asks.
    connect(
        &gw,
        "os2",
        password_values(&p),
        "RegionOne",
        json!({"suspend_mode": "suspend"}),
    );
    let (s, v) = gw.post(
        "/v1/ns/default/vms",
        // No vnet: Nova's "auto" picks the project's only network.
        json!({"name": "vm2", "connection": "os2", "spec": "m1.tiny", "image": UBUNTU,
            "extra": {"reboot_type": "hard"}}),
    );
    assert_eq!(s, 201, "{v}");
    let vm2 = "/v1/ns/default/vms/vm2";
    wait_status(&gw, vm2, "Running");
    assert_eq!(gw.post(&format!("{vm2}/suspend"), json!({})).0, 200);
    assert_eq!(
        wait_status(&gw, vm2, "Suspended")["native_status"],
        "SUSPENDED"
    );
    assert_eq!(gw.post(&format!("{vm2}/resume"), json!({})).0, 200);
    wait_status(&gw, vm2, "Running");
    assert_eq!(gw.post(&format!("{vm2}/reboot"), json!({})).0, 200);
    wait_status(&gw, vm2, "Running");
    let actions = sent(&os.requests(&p), "POST", "/action");
    assert_eq!(
        actions[3..],
        [
            json!({"suspend": null}),
            json!({"resume": null}),
            json!({"reboot": {"type": "HARD"}})
        ]
    );

    // Nova's refusals, mapped with the field and Nova's words.
    let bad = |spec: &str, image: &str| {
        gw.post(
            "/v1/ns/default/vms",
            json!({"name": "bad", "connection": "os", "spec": spec, "image": image,
                "vnet": "net", "subnet": "main"}),
        )
    };
    let (s, v) = bad("m1.small", "no-such-image");
    assert_eq!((s, v["field"].as_str()), (400, Some("image")), "{v}");
    assert_eq!(v["csp"]["message"], "Can not find requested image");
    let (s, v) = bad("m9.huge", UBUNTU);
    assert_eq!((s, v["field"].as_str()), (400, Some("spec")), "{v}");

    // Deleting a running VM terminates it; until Nova has released its port,
    // Neutron refuses to delete the network (NetworkInUse → InvalidRequest).
    assert_eq!(gw.delete(vm2).0, 200);
    for path in ["security-groups/web", "keypairs/key"] {
        assert_eq!(gw.delete(&format!("/v1/ns/default/{path}")).0, 200);
    }
    let start = std::time::Instant::now();
    loop {
        let (s, v) = gw.delete("/v1/ns/default/vnets/net");
        if s == 200 {
            break;
        }
        assert_eq!(
            (s, v["csp"]["code"].as_str()),
            (400, Some("NetworkInUse")),
            "{v}"
        );
        assert!(start.elapsed() < WAIT, "the network stayed in use");
        std::thread::sleep(Duration::from_millis(100));
    }
    os.check_shapes();
}

#[test]
fn a_vm_whose_creation_outlived_the_gateway_is_found_by_its_tags() {
    let os = cloud();
    let (dir, gw, p) = setup("adopt");
    network(&gw, "default", "10.30");
    let token = os.user_token(&p);
    let (_, net) = os.service(&token, "GET", "/networking/v2.0/networks", None);
    let net_id = net["networks"][0]["id"].as_str().unwrap().to_string();
    // Decoys carrying the same server tags but other metadata: the list spans
    // pages and the metadata check must tell them apart.
    for i in 0..3 {
        let (s, v) = os.service(
            &token,
            "POST",
            "/compute/v2.1/servers",
            Some(json!({"server": {
            "name": format!("decoy-{i}"), "imageRef": UBUNTU, "flavorRef": "1",
            "networks": [{"uuid": net_id}], "tags": ["mcgw-ns=default", "mcgw-name=vm-x"],
            "metadata": {"mcgw-ns": "default", "mcgw-name": format!("decoy-{i}")}}})),
        );
        assert_eq!(s, 202, "{v}");
    }
    os.hook("hold-create", json!({"project": p.id, "seconds": 3}));
    let url = format!("{}/v1/ns/default/vms", gw.url);
    let create = std::thread::spawn(move || {
        let body = json!({"name": "vm-x", "connection": "os", "spec": "m1.tiny", "image": UBUNTU,
            "vnet": "net", "subnet": "main"});
        let _ = reqwest::blocking::Client::new()
            .post(url)
            .json(&body)
            .send();
    });
    let start = std::time::Instant::now();
    while sent(&os.requests(&p), "POST", "/servers").len() < 4 {
        assert!(start.elapsed() < WAIT, "the create never reached Nova");
        std::thread::sleep(Duration::from_millis(50));
    }
    gw.kill();
    let _ = create.join();
    os.hook("hold-create", json!({"project": p.id, "seconds": 0}));

    let gw = Gateway::start(dir.path());
    let vm = wait_status(&gw, "/v1/ns/default/vms/vm-x", "Running");
    let (_, all) = os.service(&token, "GET", "/compute/v2.1/servers/detail?limit=50", None);
    let real = all["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["metadata"]["mcgw-name"] == "vm-x")
        .unwrap();
    assert_eq!(vm["csp_id"], real["id"], "{vm}");
    let lists: Vec<String> = os
        .requests(&p)
        .iter()
        .filter(|r| r["path"] == "/servers/detail")
        .map(|r| r["query"].as_str().unwrap().to_string())
        .collect();
    // Filtered by Nova on the server tags, over pages (decoys included).
    let tagged: Vec<&String> = lists
        .iter()
        .filter(|q| q.contains("mcgw-ns%3Ddefault") && q.contains("mcgw-name%3Dvm-x"))
        .collect();
    assert!(tagged.iter().any(|q| q.contains("marker=")), "{lists:?}");
    os.check_shapes();
}

#[test]
fn the_openstack_adapter_passes_the_conformance_kit() {
    let os = cloud();
    let (_dir, gw, _p) = setup("conformance");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mcgw"))
        .args([
            "--server",
            &gw.url,
            "adapter",
            "test",
            "--adapter",
            "openstack",
        ])
        .args([
            "--credential",
            "os",
            "--region",
            "RegionOne",
            "--wait-secs",
            "60",
        ])
        .args(["--endpoint", &os.keystone])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains(" 0 failed, 0 skipped"), "{text}");
    for check in [
        "catalog.image.unknown-is-404",
        "network.security-group.create",
        "keypair.duplicate-is-409",
        "compute.suspended",
        "compute.rebooted",
        "compute.gone-is-404",
    ] {
        assert!(
            text.lines()
                .any(|l| l.contains(check) && l.contains("PASS")),
            "{check} did not pass:\n{text}"
        );
    }
    os.check_shapes();
}

/// An MCIS with an OpenStack subgroup (two VMs, made in one Nova call with
/// min_count = max_count) beside a simulated-cloud subgroup.
#[test]
fn an_mcis_with_an_openstack_subgroup_beside_a_simulated_cloud_subgroup() {
    let os = cloud();
    let (_dir, gw, p) = setup("mcis");
    sim_vnet(&gw, "default", "simnet", "ap-seoul");
    network(&gw, "default", "10.40");
    let groups = json!([
        {"name": "os", "connection": "os", "spec": "m1.tiny", "image": UBUNTU, "vnet": "net",
         "subnet": "main", "security_groups": ["web"], "size": 2},
        {"name": "sim", "connection": "sim-ap-seoul", "spec": "sim.small",
         "image": "img-ubuntu-22.04", "vnet": "simnet", "subnet": "main", "size": 1}]);
    let (s, v) = gw.post(
        "/v1/ns/default/mcis",
        json!({"name": "mix", "policy": "rollback", "subgroups": groups}),
    );
    assert_eq!(s, 201, "{v}");
    let op = wait_op(
        &gw,
        "default",
        v["data"]["operation"]["id"].as_str().unwrap(),
        WAIT,
    );
    assert_eq!(op["state"], "succeeded", "{op}");
    let status = "/v1/ns/default/mcis/mix/status";
    assert_eq!(gw.ok(status)["status"], "Running:3 (R:3/3)");
    let creates = sent(&os.requests(&p), "POST", "/servers");
    assert_eq!(creates.len(), 1, "{creates:?}");
    let server = &creates[0]["server"];
    assert_eq!(
        (&server["min_count"], &server["max_count"]),
        (&json!(2), &json!(2))
    );
    assert_eq!(server["metadata"]["mcgw-mcis"], "mix", "{server}");

    for (action, want) in [
        ("suspend", "Suspended:3 (R:0/3)"),
        ("resume", "Running:3 (R:3/3)"),
    ] {
        let (s, v) = gw.post(
            &format!("/v1/ns/default/mcis/mix/{action}?wait=true"),
            json!({}),
        );
        assert_eq!(s, 200, "{v}");
        gw.wait_for(status, WAIT, |s| s["status"] == want);
    }
    let (s, v) = gw.post("/v1/ns/default/mcis/mix/terminate?wait=true", json!({}));
    assert_eq!(s, 200, "{v}");
    gw.wait_for(status, WAIT, |s| s["status"] == "Terminated:3 (R:0/3)");
    assert_eq!(gw.delete("/v1/ns/default/mcis/mix").0, 200);
    os.check_shapes();
}

/// Every route of the emulator, called directly; then every answer it has
/// given (in this test and the others so far) against the official samples.
#[test]
fn the_emulator_answers_in_the_shapes_of_the_official_samples() {
    let os = cloud();
    let expected = drive::every_route(os, &os.project("samples"));
    let seen = os.check_shapes();
    let missing: Vec<&String> = expected.iter().filter(|s| !seen.contains(*s)).collect();
    assert!(
        missing.is_empty(),
        "no answer was checked against {missing:?}"
    );
}
