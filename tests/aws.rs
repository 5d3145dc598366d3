//! The built-in AWS adapter, through the gateway's REST API, against moto with
//! IAM authentication on (every request's SigV4 signature is verified).
//!
//! Covered: a VM's whole life, catalog reads, vnet/subnet/security group/key
//! pair create and delete, EC2 errors mapped to the common codes, the
//! conformance kit, VMs in two regions, and an MCIS of three subgroups over two
//! regions created through the adapter's batch path (one RunInstances each).
//! What reached EC2 is checked with boto3, an independent client.
//!
//! Each test has its own moto and its own gateway, so tests are independent
//! and run in parallel.

mod common;

use common::moto::{connect, credential, instance_at_ec2, start, ubuntu, vnet, vpc_at_ec2};
use common::*;
use serde_json::{Value, json};
use std::process::Command;
use std::time::Duration;

const T: Duration = Duration::from_secs(30);

/// POST that must answer 201; the answer's data.
fn created(gw: &Gateway, path: &str, body: Value) -> Value {
    let (s, v) = gw.post(path, body);
    assert_eq!(s, 201, "POST {path}: {v}");
    v["data"].clone()
}

/// A VM action that must be accepted; the status it answers with.
fn act(gw: &Gateway, path: &str, action: &str) -> Value {
    let (s, v) = gw.post(&format!("{path}/{action}"), json!({}));
    assert_eq!(s, 200, "{action}: {v}");
    v["data"]["status"].clone()
}

/// DELETE each path, which must succeed.
fn delete_all(gw: &Gateway, paths: &[&str]) {
    for p in paths {
        let (s, v) = gw.delete(p);
        assert_eq!(s, 200, "DELETE {p}: {v}");
    }
}

fn status_is(want: &'static str) -> impl Fn(&Value) -> bool {
    move |vm| vm["status"] == want
}

#[test]
fn a_vm_lives_its_whole_life_on_ec2() {
    let env = start();
    let gw = &env.gw;
    let image = ubuntu(gw, "aws-use1");

    let net = vnet(gw, "net1", "aws-use1", "10.0.0.0/16", "10.0.1.0/24");
    assert!(net["csp_id"].as_str().unwrap().starts_with("vpc-"), "{net}");
    assert!(net["subnets"][0]["csp_id"].to_string().contains("subnet-"));
    let sg = created(
        gw,
        "/v1/ns/default/security-groups",
        json!({"name": "web", "connection": "aws-use1", "vnet": "net1",
               "rules": [{"direction": "inbound", "protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}]}),
    );
    assert!(sg["csp_id"].to_string().contains("sg-"));
    let rules = sg["rules"].to_string();
    assert!(rules.contains("\"from_port\":22"), "{rules}");
    // No outbound rule asked for: EC2's allow-all egress stays.
    assert!(
        rules.contains("outbound") && rules.contains("\"all\""),
        "{rules}"
    );
    let kp = created(
        gw,
        "/v1/ns/default/keypairs",
        json!({"name": "key1", "connection": "aws-use1"}),
    );
    assert!(kp["private_key"].to_string().contains("PRIVATE KEY"));
    let again = gw.ok("/v1/ns/default/keypairs/key1");
    assert!(again.get("private_key").is_none(), "shown once only");

    let vm = created(
        gw,
        "/v1/ns/default/vms",
        json!({"name": "web-1", "connection": "aws-use1", "spec": "t2.micro", "image": image,
               "vnet": "net1", "subnet": "main", "security_groups": ["web"], "keypair": "key1",
               "root_disk_gib": 20, "root_disk_type": "gp3", "user_data": "#!/bin/sh\necho hi\n",
               "tags": {"team": "blue"}}),
    );
    assert_eq!(vm["status"], "Creating", "{vm}");
    assert_eq!(vm["native_status"], "pending");
    let id = vm["csp_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("i-"), "{vm}");

    let path = "/v1/ns/default/vms/web-1";
    let running = gw.wait_for(path, T, status_is("Running"));
    assert_eq!(running["native_status"], "running");
    assert!(
        running["zone"].to_string().contains("us-east-1"),
        "{running}"
    );
    assert!(
        running["private_ip"].to_string().contains("10.0.1."),
        "{running}"
    );
    if let Some(ip) = running["public_ip"].as_str() {
        assert_eq!(running["ssh_access_point"], format!("{ip}:22"));
    }

    // Everything the request named reached EC2, the host's tags included.
    let at_ec2 = instance_at_ec2(&env.moto, "us-east-1", &id);
    for needle in [
        "team",
        "blue",
        "mcgw-ns",
        "mcgw-name",
        "web-1",
        "t2.micro",
        "key1",
    ] {
        assert!(at_ec2.contains(needle), "{needle} missing at EC2: {at_ec2}");
    }

    assert_eq!(act(gw, path, "suspend"), "Suspending");
    gw.wait_for(path, T, status_is("Suspended"));
    // Suspending a stopped VM again is harmless (EC2 semantics).
    assert_eq!(act(gw, path, "suspend"), "Suspended");
    assert_eq!(act(gw, path, "resume"), "Resuming");
    gw.wait_for(path, T, status_is("Running"));
    assert_eq!(act(gw, path, "reboot"), "Rebooting");
    gw.wait_for(path, T, status_is("Running"));
    act(gw, path, "terminate");
    let done = gw.wait_for(path, T, status_is("Terminated"));
    assert_eq!(done["native_status"], "terminated");
    assert_eq!(gw.delete(path).0, 200);
    assert_eq!(gw.get(path).0, 404);

    delete_all(
        gw,
        &[
            "/v1/ns/default/security-groups/web",
            "/v1/ns/default/vnets/net1",
            "/v1/ns/default/keypairs/key1",
        ],
    );
    // The VPC is gone at EC2 with its subnet and internet gateway.
    let vpc = net["csp_id"].as_str().unwrap();
    assert!(
        !vpc_at_ec2(&env.moto, "vpc-id", vpc),
        "the VPC is left at EC2"
    );
    let call = format!(
        "describe_internet_gateways(Filters=[{{'Name': 'attachment.vpc-id', 'Values': [{vpc:?}]}}])"
    );
    let igws = env.moto.ec2("us-east-1", &call);
    assert_eq!(igws["InternetGateways"], json!([]), "{igws}");
}

#[test]
fn catalog_reads_come_from_ec2() {
    let env = start();
    let gw = &env.gw;

    let regions = gw.ok("/v1/connections/aws-use1/regions");
    let regions = regions.as_array().unwrap();
    assert!(regions.len() >= 17, "{regions:?}");
    let use1 = regions.iter().find(|r| r["name"] == "us-east-1").unwrap();
    assert_eq!(use1["display_name"], "US East (N. Virginia)");
    assert!((use1["location"]["latitude"].as_f64().unwrap() - 38.9).abs() < 1.0);
    assert!(use1["zones"].to_string().contains("us-east-1a"), "{use1}");
    let euw1 = regions.iter().find(|r| r["name"] == "eu-west-1").unwrap();
    assert!(euw1["zones"].to_string().contains("eu-west-1b"), "{euw1}");

    let images = gw.ok("/v1/connections/aws-use1/images");
    let images = images.as_array().unwrap();
    assert!(images.len() > 100, "{}", images.len());
    assert!(images.iter().any(|i| i["os_type"] == "windows"));
    let versioned = |i: &&Value| i["os_distribution"].to_string().starts_with("\"Ubuntu 1");
    let ubuntu = images
        .iter()
        .find(versioned)
        .expect("an Ubuntu image with its version");
    assert_eq!(ubuntu["os_type"], "linux");
    let id = ubuntu["id"].as_str().unwrap();
    let one = gw.ok(&format!("/v1/connections/aws-use1/images/{id}"));
    assert_eq!(one["name"], ubuntu["name"]);
    for missing in ["ami-12345678", "mcgw-no-such-image"] {
        let (s, v) = gw.get(&format!("/v1/connections/aws-use1/images/{missing}"));
        assert_eq!(s, 404, "{missing}: {v}");
    }

    let specs = gw.ok("/v1/connections/aws-use1/specs");
    let specs = specs.as_array().unwrap();
    let find = |name: &str| specs.iter().find(|s| s["name"] == name).unwrap().clone();
    let micro = find("t2.micro");
    assert_eq!(
        (micro["vcpus"].as_u64(), micro["memory_mib"].as_u64()),
        (Some(1), Some(1024))
    );
    assert_eq!(micro["architecture"], "x86_64");
    let gpu = find("g4dn.xlarge");
    assert_eq!(gpu["gpu"]["count"], 1, "{gpu}");
    assert!(
        gpu["gpu"]["model"].to_string().contains("NVIDIA T4"),
        "{gpu}"
    );
    assert_eq!(gw.ok("/v1/connections/aws-use1/specs/t2.micro")["vcpus"], 1);
    let (s, v) = gw.get("/v1/connections/aws-use1/specs/mcgw-no-such-spec");
    assert_eq!(s, 404, "{v}");

    // Owner and name filters, and a zone-pinned connection's offerings.
    let names = json!({"image_name": "*ubuntu*"});
    connect(gw, "aws-ubuntu", "us-east-1", &env.moto, "aws", names);
    let only = gw.ok("/v1/connections/aws-ubuntu/images");
    let only = only.as_array().unwrap();
    assert!(!only.is_empty() && only.len() < images.len());
    assert!(
        only.iter()
            .all(|i| i["name"].to_string().contains("ubuntu"))
    );
    let mine = json!({"image_owners": "self"});
    connect(gw, "aws-mine", "us-east-1", &env.moto, "aws", mine);
    assert_eq!(gw.ok("/v1/connections/aws-mine/images"), json!([]));
    created(
        gw,
        "/v1/connections",
        json!({"name": "aws-1a", "adapter": "aws", "credential": "aws", "region": "us-east-1",
               "zone": "us-east-1a", "endpoint": env.moto.url}),
    );
    let zonal = gw.ok("/v1/connections/aws-1a/specs").to_string();
    assert!(zonal.contains("\"t2.micro\""));
}

#[test]
fn network_objects_and_keypairs_are_made_and_removed() {
    let env = start();
    let gw = &env.gw;
    let conn = "aws-use1";

    let v = created(
        gw,
        "/v1/ns/default/vnets",
        json!({"name": "net", "connection": conn, "cidr": "10.1.0.0/16",
               "subnets": [{"name": "a", "cidr": "10.1.1.0/24", "zone": "us-east-1a"},
                           {"name": "b", "cidr": "10.1.2.0/24", "zone": "us-east-1b"}]}),
    );
    assert_eq!(v["subnets"][1]["zone"], "us-east-1b");
    let vpc = v["csp_id"].as_str().unwrap().to_string();

    let (s, v) = gw.post(
        "/v1/ns/default/vnets/net/subnets",
        json!({"name": "c", "cidr": "10.1.3.0/24"}),
    );
    assert!(s == 200 || s == 201, "{v}");
    assert_eq!(v["data"]["subnets"].as_array().unwrap().len(), 3);
    let (s, v) = gw.delete("/v1/ns/default/vnets/net/subnets/c");
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["subnets"].as_array().unwrap().len(), 2);

    // Outbound rules given: they replace EC2's default allow-all egress.
    let v = created(
        gw,
        "/v1/ns/default/security-groups",
        json!({"name": "dns", "connection": conn, "vnet": "net", "description": "resolvers",
               "rules": [
                 {"direction": "inbound", "protocol": "udp", "from_port": 53, "to_port": 53, "cidr": "10.0.0.0/8"},
                 {"direction": "inbound", "protocol": "icmp", "cidr": "0.0.0.0/0"},
                 {"direction": "outbound", "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr": "0.0.0.0/0"}]}),
    );
    let rules = v["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 3, "{rules:?}");
    let out: Vec<_> = rules
        .iter()
        .filter(|r| r["direction"] == "outbound")
        .collect();
    assert_eq!(
        (out.len(), &out[0]["from_port"]),
        (1, &json!(443)),
        "{rules:?}"
    );
    assert!(
        rules
            .iter()
            .any(|r| r["protocol"] == "icmp" && r["from_port"].is_null())
    );

    // A generated key, then the same public key imported under another name.
    let v = created(
        gw,
        "/v1/ns/default/keypairs",
        json!({"name": "gen", "connection": conn}),
    );
    let public = v["public_key"]
        .as_str()
        .expect("public key read back")
        .to_string();
    assert!(public.starts_with("ssh-"), "{public}");
    let v = created(
        gw,
        "/v1/ns/default/keypairs",
        json!({"name": "imported", "connection": conn, "public_key": public}),
    );
    assert!(v.get("private_key").is_none(), "{v}");
    assert!(!v["fingerprint"].as_str().unwrap().is_empty());
    let (s, v) = gw.post(
        "/v1/ns/default/keypairs",
        json!({"name": "garbage", "connection": conn, "public_key": "ssh-rsa not-a-key"}),
    );
    assert_eq!((s, &v["code"]), (400, &json!("BadRequestData")), "{v}");
    assert_eq!(v["field"], "public_key");

    let ns = "/v1/ns/default";
    delete_all(
        gw,
        &[
            &format!("{ns}/security-groups/dns"),
            &format!("{ns}/vnets/net"),
            &format!("{ns}/keypairs/gen"),
            &format!("{ns}/keypairs/imported"),
        ],
    );
    assert!(!vpc_at_ec2(&env.moto, "vpc-id", &vpc), "the VPC is left");

    // EC2's CIDR rules come back as BadRequestData naming the field, and a
    // vnet that fails half-way leaves nothing behind.
    let (s, v) = gw.post(
        "/v1/ns/default/vnets",
        json!({"name": "huge", "connection": conn, "cidr": "10.0.0.0/8"}),
    );
    assert_eq!((s, &v["field"]), (400, &json!("cidr")), "{v}");
    assert_eq!(v["csp"]["code"], "InvalidVpc.Range", "{v}");
    let (s, v) = gw.post(
        "/v1/ns/default/vnets",
        json!({"name": "tiny", "connection": conn, "cidr": "10.2.0.0/16",
               "subnets": [{"name": "a", "cidr": "10.2.1.0/24"},
                           {"name": "b", "cidr": "10.2.2.0/24", "zone": "us-east-1z"}]}),
    );
    assert_eq!((s, &v["field"]), (400, &json!("subnets[1].zone")), "{v}");
    assert_eq!(v["csp"]["code"], "InvalidParameterValue", "{v}");
    assert!(
        !vpc_at_ec2(&env.moto, "cidr", "10.2.0.0/16"),
        "half-made vnet left"
    );
}

#[test]
fn ec2_errors_become_the_common_codes() {
    let mut env = start();
    let gw = &env.gw;
    let image = ubuntu(gw, "aws-use1");

    // A wrong secret: moto verifies the signature and refuses it.
    credential(gw, "wrong", &env.moto.access_key_id, "not-the-secret");
    connect(gw, "aws-wrong", "us-east-1", &env.moto, "wrong", json!({}));
    let (s, v) = gw.get("/v1/connections/aws-wrong/regions");
    assert_eq!((s, &v["code"]), (401, &json!("Unauthorized")), "{v}");
    assert_eq!(v["csp"]["code"], "AuthFailure", "{v}");
    let (s, v) = gw.post(
        "/v1/ns/default/vms",
        json!({"name": "x", "connection": "aws-wrong", "spec": "t2.micro", "image": image}),
    );
    assert_eq!(s, 401, "{v}");

    // A nonexistent AMI is bad data in the request, with EC2's code kept.
    let (s, v) = gw.post(
        "/v1/ns/default/vms",
        json!({"name": "x", "connection": "aws-use1", "spec": "t2.micro", "image": "ami-12345678"}),
    );
    assert_eq!((s, &v["code"]), (400, &json!("BadRequestData")), "{v}");
    assert_eq!(v["field"], "image");
    assert_eq!(v["csp"]["code"], "InvalidAMIID.NotFound", "{v}");
    assert!(v["csp"]["message"].to_string().contains("ami-12345678"));
    assert_eq!(
        gw.get("/v1/ns/default/vms/x").0,
        404,
        "the name is given back"
    );

    let (s, v) = gw.post(
        "/v1/ns/default/vms",
        json!({"name": "x", "connection": "aws-use1", "spec": "t9.nano", "image": image}),
    );
    assert_eq!((s, &v["field"]), (400, &json!("spec")), "{v}");

    // The same key pair name twice in one account and region: EC2's duplicate.
    let kp = json!({"name": "dup", "connection": "aws-use1"});
    assert_eq!(gw.post("/v1/ns/default/keypairs", kp.clone()).0, 201);
    let (s, _) = gw.post("/v1/ns", json!({"name": "other"}));
    assert_eq!(s, 201);
    let (s, v) = gw.post("/v1/ns/other/keypairs", kp);
    assert_eq!((s, &v["code"]), (409, &json!("AlreadyExists")), "{v}");
    assert_eq!(v["csp"]["code"], "InvalidKeyPair.Duplicate", "{v}");

    // After moto's reset the old access key no longer exists: refused.
    env.moto.reset();
    let (s, v) = gw.get("/v1/connections/aws-use1/regions");
    assert_eq!(s, 401, "{v}");
    let (key, secret) = (&env.moto.access_key_id, &env.moto.secret_access_key);
    credential(gw, "fresh", key, secret);
    connect(gw, "aws-fresh", "us-east-1", &env.moto, "fresh", json!({}));
    let (s, v) = gw.post(
        "/v1/ns/other/keypairs",
        json!({"name": "dup", "connection": "aws-fresh"}),
    );
    assert_eq!(s, 201, "reset cleared the old key pair: {v}");
}

#[test]
fn the_conformance_kit_passes_against_moto_with_auth_on() {
    let env = start();
    let out = Command::new(env!("CARGO_BIN_EXE_mcgw"))
        .args([
            "--server",
            &env.gw.url,
            "adapter",
            "test",
            "--adapter",
            "aws",
        ])
        .args(["--credential", "aws", "--region", "us-east-1"])
        .args([
            "--endpoint",
            &env.moto.url,
            "--spec",
            "t2.micro",
            "--wait-secs",
            "30",
        ])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains(" 0 failed"), "{text}");
    for check in [
        "catalog.image.unknown-is-404",
        "keypair.duplicate-is-409",
        "compute.suspended",
        "compute.rebooted",
        "compute.gone-is-404",
        "network.vnet.delete",
    ] {
        assert!(
            text.lines()
                .any(|l| l.contains(check) && l.contains("PASS")),
            "{check} did not pass:\n{text}"
        );
    }
}

#[test]
fn vms_in_two_regions_of_one_account() {
    let env = start();
    let gw = &env.gw;
    connect(gw, "aws-euw1", "eu-west-1", &env.moto, "aws", json!({}));
    let mut made = Vec::new();
    for (conn, region, cidr) in [
        ("aws-use1", "us-east-1", "10.10"),
        ("aws-euw1", "eu-west-1", "10.20"),
    ] {
        let image = ubuntu(gw, conn);
        let net = format!("net-{region}");
        vnet(
            gw,
            &net,
            conn,
            &format!("{cidr}.0.0/16"),
            &format!("{cidr}.1.0/24"),
        );
        for i in 1..=2 {
            let name = format!("{region}-{i}");
            let (s, v) = gw.post(
                "/v1/ns/default/vms",
                json!({"name": name, "connection": conn, "spec": "t3.micro", "image": image,
                       "vnet": net, "subnet": "main"}),
            );
            assert_eq!(s, 201, "{v}");
            made.push((name, region));
        }
    }
    for (name, region) in &made {
        let vm = gw.wait_for(
            &format!("/v1/ns/default/vms/{name}"),
            T,
            status_is("Running"),
        );
        assert_eq!(vm["region"], *region);
        assert!(vm["zone"].as_str().unwrap().starts_with(region), "{vm}");
    }
    // Each instance lives in its own region at EC2.
    for (name, region) in &made {
        let id = gw.ok(&format!("/v1/ns/default/vms/{name}"))["csp_id"].clone();
        let id = id.as_str().unwrap();
        assert!(instance_at_ec2(&env.moto, region, id).contains(region));
        let other = if *region == "us-east-1" {
            "eu-west-1"
        } else {
            "us-east-1"
        };
        let out = env
            .moto
            .ec2(other, &format!("describe_instances(InstanceIds=[{id:?}])"));
        assert_eq!(out["Error"]["Code"], "InvalidInstanceID.NotFound", "{out}");
    }
    for (name, _) in &made {
        let (s, v) = gw.delete(&format!("/v1/ns/default/vms/{name}"));
        assert_eq!(s, 200, "{v}");
    }
    for net in ["net-us-east-1", "net-eu-west-1"] {
        let (s, v) = gw.delete(&format!("/v1/ns/default/vnets/{net}"));
        assert_eq!(s, 200, "{v}");
    }
}

#[test]
fn a_three_subgroup_mcis_over_two_regions_uses_batch_launches() {
    let env = start();
    let gw = &env.gw;
    connect(gw, "aws-euw1", "eu-west-1", &env.moto, "aws", json!({}));
    let image = ubuntu(gw, "aws-use1");
    vnet(gw, "net-use1", "aws-use1", "10.30.0.0/16", "10.30.1.0/24");
    vnet(gw, "net-euw1", "aws-euw1", "10.40.0.0/16", "10.40.1.0/24");
    let group = |name: &str, conn: &str, net: &str, size: u32| {
        json!({"name": name, "connection": conn, "spec": "t3.micro", "image": image,
               "vnet": net, "subnet": "main", "size": size})
    };
    let v = created(
        gw,
        "/v1/ns/default/mcis",
        json!({"name": "fleet", "subgroups": [
            group("web", "aws-use1", "net-use1", 3),
            group("db", "aws-use1", "net-use1", 1),
            group("eu", "aws-euw1", "net-euw1", 2)]}),
    );
    let op = wait_op(gw, "default", v["operation"]["id"].as_str().unwrap(), T);
    assert_eq!(op["state"], "succeeded", "{op}");
    let status = gw.ok("/v1/ns/default/mcis/fleet/status");
    assert_eq!(status["status"], "Running:6 (R:6/6)", "{status}");

    // Each subgroup was one RunInstances (one reservation) in its own region,
    // its VMs tagged with the MCIS, subgroup and batch.
    for (region, groups) in [
        ("us-east-1", vec![("web", 3), ("db", 1)]),
        ("eu-west-1", vec![("eu", 2)]),
    ] {
        let call = "describe_instances(Filters=[{'Name': 'tag:mcgw-mcis', 'Values': ['fleet']}])";
        let out = env.moto.ec2(region, call);
        let reservations = out["Reservations"].as_array().unwrap();
        assert_eq!(reservations.len(), groups.len(), "{out}");
        for (name, size) in groups {
            let r = reservations
                .iter()
                .find(|r| {
                    r["Instances"][0]["Tags"]
                        .to_string()
                        .contains(&format!("\"{name}\""))
                })
                .unwrap_or_else(|| panic!("no reservation for subgroup {name}: {out}"));
            let instances = r["Instances"].as_array().unwrap();
            assert_eq!(instances.len(), size, "{r}");
            for i in instances {
                let tags = i["Tags"].to_string();
                for key in ["mcgw-subgroup", "mcgw-batch", "mcgw-op", "mcgw-ns"] {
                    assert!(tags.contains(key), "{key} missing: {tags}");
                }
            }
        }
    }

    let (s, v) = gw.post("/v1/ns/default/mcis/fleet/terminate?wait=true", json!({}));
    assert_eq!(s, 200, "{v}");
    gw.wait_for("/v1/ns/default/mcis/fleet/status", T, |s| {
        s["status"] == "Terminated:6 (R:0/6)"
    });
    let (s, v) = gw.delete("/v1/ns/default/mcis/fleet");
    assert_eq!(s, 200, "{v}");
    for net in ["net-use1", "net-euw1"] {
        let (s, v) = gw.delete(&format!("/v1/ns/default/vnets/{net}"));
        assert_eq!(s, 200, "{v}");
    }
}
