//! The checks themselves, in the order a VM's life goes: catalog, network,
//! key pairs, then a VM from creation to deletion.

use super::{ConformanceArgs, Kit, Outcome};
use crate::cli::client::seg;
use anyhow::Result;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

pub(super) async fn checks(
    kit: &mut Kit<'_>,
    args: &ConformanceArgs,
    ns: &str,
    ns2: &str,
    conn: &str,
    suspend: bool,
) -> Result<()> {
    let c = format!("/v1/connections/{conn}");
    let wait = Duration::from_secs(args.wait_secs);

    // Catalog.
    if let Some(v) = kit
        .expect(
            "catalog.regions",
            Method::GET,
            &format!("{c}/regions"),
            None,
            200,
        )
        .await?
        && !v["data"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["name"] == args.region.as_str()))
    {
        kit.record(
            "catalog.regions.includes-own",
            Outcome::Fail,
            format!("region {} not listed", args.region),
        );
    }
    let images = kit
        .expect(
            "catalog.images",
            Method::GET,
            &format!("{c}/images"),
            None,
            200,
        )
        .await?;
    let image = args.image.clone().or_else(|| {
        let list = images.as_ref()?["data"].as_array()?.clone();
        list.iter()
            .find(|i| i["os_type"] == "linux")
            .or(list.first())
            .and_then(|i| i["id"].as_str().map(String::from))
    });
    let specs = kit
        .expect(
            "catalog.specs",
            Method::GET,
            &format!("{c}/specs"),
            None,
            200,
        )
        .await?;
    let spec = args.spec.clone().or_else(|| {
        let mut list = specs.as_ref()?["data"].as_array()?.clone();
        list.retain(|s| s["gpu"].is_null());
        list.sort_by_key(|s| {
            (
                s["vcpus"].as_u64().unwrap_or(0),
                s["memory_mib"].as_u64().unwrap_or(0),
            )
        });
        list.first()
            .and_then(|s| s["name"].as_str().map(String::from))
    });
    let (Some(image), Some(spec)) = (image, spec) else {
        kit.record(
            "compute",
            Outcome::Fail,
            "no image or spec to create a VM with",
        );
        return Ok(());
    };
    kit.expect(
        "catalog.image.get",
        Method::GET,
        &format!("{c}/images/{}", seg(&image)),
        None,
        200,
    )
    .await?;
    kit.expect(
        "catalog.image.unknown-is-404",
        Method::GET,
        &format!("{c}/images/mcgw-no-such-image"),
        None,
        404,
    )
    .await?;
    kit.expect(
        "catalog.spec.get",
        Method::GET,
        &format!("{c}/specs/{}", seg(&spec)),
        None,
        200,
    )
    .await?;
    kit.expect(
        "catalog.spec.unknown-is-404",
        Method::GET,
        &format!("{c}/specs/mcgw-no-such-spec"),
        None,
        404,
    )
    .await?;

    // Network.
    let vnet = json!({"name": "net-1", "connection": conn, "cidr": "10.250.0.0/16",
        "subnets": [{"name": "main", "cidr": "10.250.1.0/24"}]});
    let have_vnet = kit
        .expect(
            "network.vnet.create",
            Method::POST,
            &format!("/v1/ns/{ns}/vnets"),
            Some(&vnet),
            201,
        )
        .await?
        .is_some();
    let mut have_sg = false;
    if have_vnet {
        let sg = json!({"name": "sg-1", "connection": conn, "vnet": "net-1",
            "rules": [{"direction": "inbound", "protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}]});
        have_sg = kit
            .expect(
                "network.security-group.create",
                Method::POST,
                &format!("/v1/ns/{ns}/security-groups"),
                Some(&sg),
                201,
            )
            .await?
            .is_some();
    }

    // Key pairs: a generated private key comes back once; the same name again
    // (from another namespace, so the gateway does not refuse it first) must be
    // the CSP's duplicate, mapped to AlreadyExists.
    let kp = json!({"name": "key-1", "connection": conn});
    if let Some(v) = kit
        .expect(
            "keypair.create",
            Method::POST,
            &format!("/v1/ns/{ns}/keypairs"),
            Some(&kp),
            201,
        )
        .await?
    {
        if v["data"]["private_key"].as_str().is_none_or(str::is_empty) {
            kit.record(
                "keypair.private-key-once",
                Outcome::Fail,
                "no private key in the create answer",
            );
        }
        kit.expect(
            "keypair.duplicate-is-409",
            Method::POST,
            &format!("/v1/ns/{ns2}/keypairs"),
            Some(&kp),
            409,
        )
        .await?;
    }

    // A VM's whole life.
    let mut vm = json!({"name": "vm-1", "connection": conn, "spec": spec, "image": image});
    if have_vnet {
        vm["vnet"] = json!("net-1");
        vm["subnet"] = json!("main");
    }
    if have_sg {
        vm["security_groups"] = json!(["sg-1"]);
    }
    let vm_path = format!("/v1/ns/{ns}/vms/vm-1");
    if kit
        .expect(
            "compute.create",
            Method::POST,
            &format!("/v1/ns/{ns}/vms"),
            Some(&vm),
            201,
        )
        .await?
        .is_none()
    {
        return Ok(());
    }
    if !kit
        .wait_vm("compute.running", &vm_path, "Running", wait)
        .await?
    {
        return Ok(());
    }
    let listed = kit
        .api
        .raw(Method::GET, &format!("/v1/ns/{ns}/vms?refresh=true"), None)
        .await?
        .1;
    if listed["data"].as_array().is_some_and(|l| {
        l.iter()
            .any(|v| v["name"] == "vm-1" && v["status"] == "Running")
    }) {
        kit.record("compute.list", Outcome::Pass, "listed as Running");
    } else {
        kit.record("compute.list", Outcome::Fail, "vm-1 not listed as Running");
    }
    if suspend {
        if kit
            .expect(
                "compute.suspend",
                Method::POST,
                &format!("{vm_path}/suspend"),
                Some(&json!({})),
                200,
            )
            .await?
            .is_some()
        {
            kit.wait_vm("compute.suspended", &vm_path, "Suspended", wait)
                .await?;
            if kit
                .expect(
                    "compute.resume",
                    Method::POST,
                    &format!("{vm_path}/resume"),
                    Some(&json!({})),
                    200,
                )
                .await?
                .is_some()
            {
                kit.wait_vm("compute.resumed", &vm_path, "Running", wait)
                    .await?;
            }
        }
    } else {
        kit.record(
            "compute.suspend",
            Outcome::Skip,
            "no suspend-resume capability",
        );
    }
    if kit
        .expect(
            "compute.reboot",
            Method::POST,
            &format!("{vm_path}/reboot"),
            Some(&json!({})),
            200,
        )
        .await?
        .is_some()
    {
        kit.wait_vm("compute.rebooted", &vm_path, "Running", wait)
            .await?;
    }
    if kit
        .expect(
            "compute.terminate",
            Method::POST,
            &format!("{vm_path}/terminate"),
            Some(&json!({})),
            200,
        )
        .await?
        .is_some()
    {
        kit.wait_vm("compute.terminated", &vm_path, "Terminated", wait)
            .await?;
    }
    kit.expect("compute.delete", Method::DELETE, &vm_path, None, 200)
        .await?;
    kit.expect("compute.gone-is-404", Method::GET, &vm_path, None, 404)
        .await?;
    if have_sg {
        kit.expect(
            "network.security-group.delete",
            Method::DELETE,
            &format!("/v1/ns/{ns}/security-groups/sg-1"),
            None,
            200,
        )
        .await?;
    }
    if have_vnet {
        kit.expect(
            "network.vnet.delete",
            Method::DELETE,
            &format!("/v1/ns/{ns}/vnets/net-1"),
            None,
            200,
        )
        .await?;
    }
    kit.expect(
        "keypair.delete",
        Method::DELETE,
        &format!("/v1/ns/{ns}/keypairs/key-1"),
        None,
        200,
    )
    .await?;
    Ok(())
}
