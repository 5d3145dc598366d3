//! Calls every route of the emulator directly, as a project's user, so that
//! each kind of answer it can give is checked against its official sample.

use super::{Cloud, Project, UBUNTU};
use serde_json::{Value, json};

/// Call every route once; the names of the samples the answers must match.
pub fn every_route(os: &Cloud, p: &Project) -> Vec<String> {
    let t = os.user_token(p);
    let call = |method: &str, path: &str, body: Option<Value>| {
        let (s, v) = os.service(&t, method, path, body);
        assert!((200..300).contains(&s), "{method} {path}: {s} {v}");
        v
    };
    let net = call(
        "POST",
        "/networking/v2.0/networks",
        Some(json!({"network": {"name": "n"}})),
    );
    let net_id = net["network"]["id"].as_str().unwrap().to_string();
    call(
        "PUT",
        &format!("/networking/v2.0/networks/{net_id}/tags"),
        Some(json!({"tags": ["a=b"]})),
    );
    call("GET", "/networking/v2.0/networks", None);
    call("GET", &format!("/networking/v2.0/networks/{net_id}"), None);
    let sub = call(
        "POST",
        "/networking/v2.0/subnets",
        Some(json!({"subnet": {
        "network_id": net_id, "ip_version": 4, "cidr": "192.168.9.0/24"}})),
    );
    call("GET", "/networking/v2.0/subnets", None);
    call(
        "GET",
        &format!(
            "/networking/v2.0/subnets/{}",
            sub["subnet"]["id"].as_str().unwrap()
        ),
        None,
    );
    let sg = call(
        "POST",
        "/networking/v2.0/security-groups",
        Some(json!({"security_group": {"name": "g"}})),
    );
    let sg_id = sg["security_group"]["id"].as_str().unwrap().to_string();
    call(
        "POST",
        "/networking/v2.0/security-group-rules",
        Some(json!({"security_group_rule": {
        "security_group_id": sg_id, "direction": "ingress", "protocol": "tcp",
        "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0"}})),
    );
    call("GET", "/networking/v2.0/security-groups", None);
    call(
        "GET",
        &format!("/networking/v2.0/security-groups/{sg_id}"),
        None,
    );

    call("GET", "/compute/v2.1/flavors/detail", None);
    call("GET", "/compute/v2.1/flavors/2", None);
    call("GET", "/compute/v2.1/os-availability-zone", None);
    let key = call(
        "POST",
        "/compute/v2.1/os-keypairs",
        Some(json!({"keypair": {"name": "a"}})),
    );
    let public = key["keypair"]["public_key"].clone();
    for name in ["b", "c"] {
        call(
            "POST",
            "/compute/v2.1/os-keypairs",
            Some(json!({"keypair": {"name": name, "public_key": public}})),
        );
    }
    call("GET", "/compute/v2.1/os-keypairs", None);
    call("GET", "/compute/v2.1/os-keypairs/a", None);
    let server = json!({"name": "s", "imageRef": UBUNTU, "flavorRef": "1",
        "networks": [{"uuid": net_id}], "security_groups": [{"name": "g"}], "key_name": "a",
        "metadata": {"k": "v"}});
    let one = call(
        "POST",
        "/compute/v2.1/servers",
        Some(json!({"server": server})),
    );
    let mut many = server.clone();
    many["min_count"] = json!(2);
    many["max_count"] = json!(2);
    many["return_reservation_id"] = json!(true);
    call(
        "POST",
        "/compute/v2.1/servers",
        Some(json!({"server": many})),
    );
    call("GET", "/compute/v2.1/servers/detail", None);
    call(
        "GET",
        &format!(
            "/compute/v2.1/servers/{}",
            one["server"]["id"].as_str().unwrap()
        ),
        None,
    );
    call("GET", "/image/v2/images", None);
    call("GET", &format!("/image/v2/images/{UBUNTU}"), None);

    let nova = "nova:doc/api_samples/";
    let neutron = "neutron-lib:api-ref/source/v2/samples/";
    let glance = "glance:api-ref/source/v2/samples/";
    [
        "flavors/v2.75/flavors-detail-resp.json",
        "flavors/v2.75/flavor-get-resp.json",
        "os-availability-zone/availability-zone-list-resp.json",
        "os-keypairs/v2.10/keypairs-post-resp.json",
        "os-keypairs/v2.10/keypairs-import-post-resp.json",
        "os-keypairs/v2.35/keypairs-list-resp.json",
        "os-keypairs/v2.10/keypairs-get-resp.json",
        "servers/v2.74/server-create-resp.json",
        "os-multiple-create/multiple-create-post-resp.json",
        "servers/v2.73/servers-details-resp.json",
        "servers/v2.73/server-get-resp.json",
    ]
    .iter()
    .map(|s| format!("{nova}{s}"))
    .chain(
        [
            "networks/network-create-response.json",
            "networks/networks-list-response.json",
            "networks/network-show-response.json",
            "tag/tag-update-response.json",
            "subnets/subnet-create-response.json",
            "subnets/subnets-list-response.json",
            "subnets/subnet-show-response.json",
            "security-groups/security-group-create-response.json",
            "security-groups/security-groups-list-response.json",
            "security-groups/security-group-show-response.json",
            "security-groups/security-group-rule-create-response.json",
        ]
        .iter()
        .map(|s| format!("{neutron}{s}")),
    )
    .chain(
        ["images-list-response.json", "image-show-response.json"]
            .iter()
            .map(|s| format!("{glance}{s}")),
    )
    .collect()
}
