//! State survives a gateway restart: namespaces, credentials (sealed on disk),
//! connections, network objects and VMs, and the VM's status keeps moving.

mod common;

use common::*;
use serde_json::json;
use std::time::Duration;

#[test]
fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    let (s, _) = gw.post(
        "/v1/ns",
        json!({"name": "game", "description": "battle royale"}),
    );
    assert_eq!(s, 201);
    sim_vnet(&gw, "game", "net1", "us-oregon");
    let (s, v) = gw.post("/v1/ns/game/vms", sim_vm("srv-1", "us-oregon", "net1"));
    assert_eq!(s, 201, "{v}");
    let id = v["data"]["csp_id"].clone();
    let (s, _) = gw.post(
        "/v1/credentials",
        json!({"name": "extra", "adapter": "sim", "values": {"access_key": "AKX", "secret_key": "very-secret-string"}}),
    );
    assert_eq!(s, 201);
    gw.stop();

    // The secret is sealed in the database file.
    let db = std::fs::read(dir.path().join("mcgw.db")).unwrap();
    let wal = std::fs::read(dir.path().join("mcgw.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(
            !bytes.windows(18).any(|w| w == b"very-secret-string"),
            "secret stored in clear"
        );
    }

    let gw = Gateway::start(dir.path());
    assert_eq!(gw.ok("/v1/ns/game")["description"], "battle royale");
    assert_eq!(
        gw.ok("/v1/credentials/extra")["keys"],
        json!(["access_key", "secret_key"])
    );
    assert!(gw.ok("/v1/connections").as_array().unwrap().len() >= 20);
    assert_eq!(
        gw.ok("/v1/ns/game/vnets/net1")["subnets"][0]["name"],
        "main"
    );
    let vm = gw.wait_for("/v1/ns/game/vms/srv-1", Duration::from_secs(20), |v| {
        v["status"] == "Running"
    });
    assert_eq!(vm["csp_id"], id);
    // Still controllable after the restart.
    let (s, v) = gw.post("/v1/ns/game/vms/srv-1/suspend", json!({}));
    assert_eq!(s, 200, "{v}");
    gw.wait_for("/v1/ns/game/vms/srv-1", Duration::from_secs(20), |v| {
        v["status"] == "Suspended"
    });
}
