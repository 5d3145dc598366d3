//! Every response code of the seed paper's tables (plus NotFound), each reached
//! by a real request, in the common envelope, naming the offending field.

mod common;

use common::*;
use serde_json::{Value, json};

fn assert_code(got: (u16, Value), status: u16, code: &str) -> Value {
    assert_eq!(got.0, status, "expected {status} {code}, got {}", got.1);
    assert_eq!(got.1["code"], code, "{}", got.1);
    assert_eq!(got.1["status"], status);
    assert!(got.1["title"].is_string());
    got.1
}

#[test]
fn every_code_of_the_papers_tables() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());

    // OK 200, Created 201, Deleted 200.
    let v = assert_code(gw.get("/v1/ns"), 200, "OK");
    assert_eq!(v["title"], "Retrieve Successes");
    let v = assert_code(gw.post("/v1/ns", json!({"name": "team-a"})), 201, "Created");
    assert_eq!(v["title"], "Created Successes");
    // AlreadyExists 409, naming the field.
    let v = assert_code(
        gw.post("/v1/ns", json!({"name": "team-a"})),
        409,
        "AlreadyExists",
    );
    assert!(v["message"].as_str().unwrap().contains("team-a"));
    let v = assert_code(gw.delete("/v1/ns/team-a"), 200, "Deleted");
    assert_eq!(v["title"], "Deleted Successes");

    // InvalidRequest 400: not JSON at all, and malformed JSON.
    let client = reqwest::blocking::Client::new();
    let r = client
        .post(format!("{}/v1/ns", gw.url))
        .body("name=x")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(r.json::<Value>().unwrap()["code"], "InvalidRequest");
    let r = client
        .post(format!("{}/v1/ns", gw.url))
        .header("content-type", "application/json")
        .body(r#"{"name": "x""#)
        .send()
        .unwrap();
    let v: Value = r.json().unwrap();
    assert_eq!(v["code"], "InvalidRequest", "{v}");
    assert!(v["message"].as_str().unwrap().contains("malformed JSON"));

    // BadRequestData 400: a missing mandatory field, an unknown field, a bad
    // name, an unknown connection: each named.
    sim_vnet(&gw, "default", "net1", "ap-tokyo");
    let mut req = sim_vm("vm-1", "ap-tokyo", "net1");
    req.as_object_mut().unwrap().remove("spec");
    let v = assert_code(gw.post("/v1/ns/default/vms", req), 400, "BadRequestData");
    assert_eq!(v["field"], "spec");
    let mut req = sim_vm("vm-1", "ap-tokyo", "net1");
    req["colour"] = json!("blue");
    let v = assert_code(gw.post("/v1/ns/default/vms", req), 400, "BadRequestData");
    assert_eq!(v["field"], "colour");
    let v = assert_code(
        gw.post("/v1/ns/default/vms", sim_vm("Bad_Name", "ap-tokyo", "net1")),
        400,
        "BadRequestData",
    );
    assert_eq!(v["field"], "name");
    let mut req = sim_vm("vm-1", "ap-tokyo", "net1");
    req["connection"] = json!("no-such-connection");
    let v = assert_code(gw.post("/v1/ns/default/vms", req), 400, "BadRequestData");
    assert_eq!(v["field"], "connection");
    // ... and a value the CSP refuses, with the CSP's own error kept.
    let mut req = sim_vm("vm-1", "ap-tokyo", "net1");
    req["image"] = json!("img-does-not-exist");
    let v = assert_code(gw.post("/v1/ns/default/vms", req), 400, "BadRequestData");
    assert_eq!(v["field"], "image");
    assert_eq!(v["origin"], "csp");
    assert_eq!(v["csp"]["code"], "InvalidImage.NotFound");
    // The refused create left nothing behind: the name is free.
    assert_eq!(gw.get("/v1/ns/default/vms/vm-1").0, 404);

    // Created again, then AlreadyExists for the duplicate name.
    assert_code(
        gw.post("/v1/ns/default/vms", sim_vm("vm-1", "ap-tokyo", "net1")),
        201,
        "Created",
    );
    let v = assert_code(
        gw.post("/v1/ns/default/vms", sim_vm("vm-1", "ap-tokyo", "net1")),
        409,
        "AlreadyExists",
    );
    assert_eq!(v["field"], "name");

    // Changed 200.
    gw.wait_for(
        "/v1/ns/default/vms/vm-1",
        std::time::Duration::from_secs(20),
        |v| v["status"] == "Running",
    );
    let v = assert_code(
        gw.post("/v1/ns/default/vms/vm-1/reboot", json!({})),
        200,
        "Changed",
    );
    assert_eq!(v["title"], "Changed Successes");

    // NotFound 404: an unknown object, an unknown path.
    assert_code(gw.get("/v1/ns/default/vms/nope"), 404, "NotFound");
    assert_code(gw.get("/v1/no/such/api"), 404, "NotFound");

    // MethodNotAllowed 405: a defined path with an undefined method.
    let v = assert_code(
        gw.call("PUT", "/v1/ns", Some(&json!({}))),
        405,
        "MethodNotAllowed",
    );
    assert_eq!(v["title"], "Requested API is not defined");

    // Unauthorized 401: a credential the cloud does not accept.
    assert_code(
        gw.post(
            "/v1/credentials",
            json!({"name": "wrong", "adapter": "sim",
            "values": {"access_key": "SIMNOBODY", "secret_key": "guess"}}),
        ),
        201,
        "Created",
    );
    assert_code(
        gw.post(
            "/v1/connections",
            json!({"name": "wrong-seoul", "adapter": "sim",
            "credential": "wrong", "region": "ap-seoul"}),
        ),
        201,
        "Created",
    );
    let v = assert_code(
        gw.get("/v1/connections/wrong-seoul/regions"),
        401,
        "Unauthorized",
    );
    assert_eq!(v["csp"]["code"], "AuthFailure");

    // InternalError 500: the cloud fails (fault injection), its error kept as detail.
    let sim = gw.sim_url.clone().unwrap();
    let r = client
        .patch(format!("{sim}/admin/config"))
        .json(&json!({"faults": {"error_rate": 1.0, "regions": ["ap-tokyo"]}}))
        .send()
        .unwrap();
    assert!(r.status().is_success());
    let v = assert_code(
        gw.get("/v1/connections/sim-ap-tokyo/specs"),
        500,
        "InternalError",
    );
    assert_eq!(v["origin"], "csp");
    assert!(v["csp"]["code"].is_string(), "{v}");
    // Other regions are unaffected.
    assert_code(gw.get("/v1/connections/sim-ap-seoul/specs"), 200, "OK");
}

#[test]
fn credentials_are_checked_and_never_returned() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    let v = assert_code(
        gw.post(
            "/v1/credentials",
            json!({"name": "c1", "adapter": "sim", "values": {"access_key": "AK"}}),
        ),
        400,
        "BadRequestData",
    );
    assert_eq!(v["field"], "values.secret_key");
    let v = assert_code(
        gw.post(
            "/v1/credentials",
            json!({"name": "c1", "adapter": "sim",
            "values": {"access_key": "AK", "secret_key": "s3cr3t-value", "token": "x"}}),
        ),
        400,
        "BadRequestData",
    );
    assert_eq!(v["field"], "values.token");
    let v = assert_code(
        gw.post(
            "/v1/credentials",
            json!({"name": "c1", "adapter": "sim",
            "values": {"access_key": "AK", "secret_key": "s3cr3t-value"}}),
        ),
        201,
        "Created",
    );
    assert_eq!(v["data"]["keys"], json!(["access_key", "secret_key"]));
    for path in ["/v1/credentials", "/v1/credentials/c1"] {
        let (_, v) = gw.get(path);
        assert!(
            !v.to_string().contains("s3cr3t-value"),
            "{path} leaked the secret: {v}"
        );
    }
    // A credential in use cannot be deleted; the connection names it precisely.
    assert_code(
        gw.post(
            "/v1/connections",
            json!({"name": "k1", "adapter": "sim", "credential": "c1", "region": "ap-seoul"}),
        ),
        201,
        "Created",
    );
    assert_code(gw.delete("/v1/credentials/c1"), 400, "InvalidRequest");
    let v = assert_code(
        gw.post(
            "/v1/connections",
            json!({"name": "k2", "adapter": "nope", "credential": "c1", "region": "ap-seoul"}),
        ),
        400,
        "BadRequestData",
    );
    assert_eq!(v["field"], "adapter");
    let v = assert_code(
        gw.post("/v1/connections", json!({"name": "k2", "adapter": "sim", "credential": "c1", "region": "ap-seoul", "extra": {"colour": "red"}})),
        400,
        "BadRequestData",
    );
    assert_eq!(v["field"], "extra.colour");
    assert!(
        !gw.log_text().contains("s3cr3t-value"),
        "the log leaked the secret"
    );
}

#[test]
fn the_openapi_document_describes_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let gw = Gateway::start(dir.path());
    let doc: Value = reqwest::blocking::get(format!("{}/openapi.json", gw.url))
        .unwrap()
        .json()
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/v1/ns/{ns}/vms",
        "/v1/ns/{ns}/vms/{name}/{action}",
        "/v1/ns/{ns}/mcis",
        "/v1/adapters/{name}/rollback",
        "/v1/placement/fleet",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"].get("VmReq").is_some());
}
