//! Key pairs: generated Ed25519 keys, imports, and errors.

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn generated_keys_are_real_openssh_ed25519() {
    let sim = Sim::fast().await;
    let c = sim.client();
    let k = c
        .post(
            &r("/keypairs"),
            json!({"name": "deploy", "tags": {"a": "b"}}),
        )
        .await
        .ok(201);
    let id = k["id"].as_str().unwrap();
    assert!(id.starts_with("key-"));
    let private = k["private_key"].as_str().unwrap();
    let parsed = ssh_key::PrivateKey::from_openssh(private).unwrap();
    assert_eq!(parsed.algorithm(), ssh_key::Algorithm::Ed25519);
    let public = parsed.public_key();
    assert_eq!(
        public.to_openssh().unwrap(),
        k["public_key"].as_str().unwrap()
    );
    assert_eq!(
        public.fingerprint(ssh_key::HashAlg::Sha256).to_string(),
        k["fingerprint"].as_str().unwrap()
    );
    assert!(k["fingerprint"].as_str().unwrap().starts_with("SHA256:"));

    // Never again with the private key.
    let got = c.get(&r(&format!("/keypairs/{id}"))).await.ok(200);
    assert!(got.get("private_key").is_none());
    assert_eq!(got["fingerprint"], k["fingerprint"]);
    let list = c.get(&r("/keypairs")).await.ok(200);
    assert_eq!(list["keypairs"].as_array().unwrap().len(), 1);
    assert!(list["keypairs"][0].get("private_key").is_none());

    // Import the same public key under another name: same fingerprint, no private key.
    let imported = c
        .post(
            &r("/keypairs"),
            json!({"name": "imported", "public_key": k["public_key"]}),
        )
        .await
        .ok(201);
    assert_eq!(imported["fingerprint"], k["fingerprint"]);
    assert!(imported.get("private_key").is_none());

    c.post(&r("/keypairs"), json!({"name": "deploy"}))
        .await
        .expect_error(409, "KeyPairAlreadyExists");
    c.post(
        &r("/keypairs"),
        json!({"name": "x", "public_key": "ssh-rsa AAAAnotakey"}),
    )
    .await
    .expect_error(400, "InvalidKeyPair.Format");
    c.post(&r("/keypairs"), json!({"name": "x", "public_key": "hello"}))
        .await
        .expect_error(400, "InvalidKeyPair.Format");
    c.post(&r("/keypairs"), json!({}))
        .await
        .expect_error(400, "MissingParameter");

    assert_eq!(c.delete(&r(&format!("/keypairs/{id}"))).await.status, 204);
    c.get(&r(&format!("/keypairs/{id}")))
        .await
        .expect_error(404, "KeyPairNotFound");
    c.delete(&r(&format!("/keypairs/{id}")))
        .await
        .expect_error(404, "KeyPairNotFound");
}
