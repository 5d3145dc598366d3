//! SSH key pairs: imported public keys, or Ed25519 keys the cloud generates
//! and whose private half it hands out exactly once.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use ssh_key::public::KeyData;
use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey, PublicKey};

use super::extract::{Caller, JsonBody, Params, json, tag_only_query};
use super::{region, validate};
use crate::app::App;
use crate::clock::now_ms;
use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::model::{KeyPair, Tags, tags_match};

/// Longest accepted public key line (a 16384-bit RSA key is about 2.8 KB).
const MAX_PUBLIC_KEY: usize = 16 * 1024;
/// Smallest RSA modulus accepted, in bits.
const MIN_RSA_BITS: usize = 2048;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateKeyPair {
    name: String,
    #[serde(default)]
    public_key: Option<String>,
    #[serde(default)]
    tags: Tags,
}

/// A checked public key: (OpenSSH line, fingerprint, type).
#[derive(Debug)]
struct Checked {
    public_key: String,
    fingerprint: String,
    key_type: &'static str,
}

fn format_error(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("InvalidKeyPair.Format", message)
}

/// Accept Ed25519, ECDSA and RSA (≥ 2048 bits) keys in OpenSSH format.
fn import(line: &str) -> ApiResult<Checked> {
    let line = line.trim();
    if line.len() > MAX_PUBLIC_KEY {
        return Err(format_error("the public key is too long"));
    }
    let key = PublicKey::from_openssh(line)
        .map_err(|e| format_error(format!("the public key is not an OpenSSH public key: {e}")))?;
    let key_type = match key.key_data() {
        KeyData::Ed25519(_) => "ed25519",
        KeyData::Ecdsa(_) => "ecdsa",
        KeyData::Rsa(rsa) => {
            let bits = rsa.n.as_positive_bytes().map_or(0, |b| b.len() * 8);
            if bits < MIN_RSA_BITS {
                return Err(format_error(format!(
                    "RSA keys must have at least {MIN_RSA_BITS} bits"
                )));
            }
            "rsa"
        }
        _ => {
            return Err(format_error(format!(
                "unsupported key type {} (use ed25519, ecdsa or rsa)",
                key.algorithm()
            )));
        }
    };
    Ok(Checked {
        public_key: line.to_string(),
        fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
        key_type,
    })
}

/// A fresh Ed25519 key commented with the key pair's name: (public, private PEM).
fn generate(name: &str) -> ApiResult<(Checked, String)> {
    let mut key = PrivateKey::random(&mut ssh_key::rand_core::OsRng, Algorithm::Ed25519)
        .map_err(|e| ApiError::internal(format!("generating a key failed: {e}")))?;
    key.set_comment(name);
    let private = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| ApiError::internal(format!("encoding a key failed: {e}")))?;
    let public = key
        .public_key()
        .to_openssh()
        .map_err(|e| ApiError::internal(format!("encoding a key failed: {e}")))?;
    let checked = Checked {
        public_key: public,
        fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
        key_type: "ed25519",
    };
    Ok((checked, private.to_string()))
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found("KeyPairNotFound", format!("key pair {id} does not exist"))
}

/// `POST /v1/regions/{region}/keypairs`
pub async fn create(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params(r): Params<String>,
    JsonBody(req): JsonBody<CreateKeyPair>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    validate::name("name", &req.name)?;
    validate::tags(&req.tags)?;
    let (checked, private_key) = match &req.public_key {
        Some(line) => (import(line)?, None),
        None => {
            let taken = app.read(|s| {
                s.region(&account, &r)
                    .is_some_and(|rs| rs.keypairs.values().any(|k| k.name == req.name))
            });
            if taken {
                return Err(exists(&req.name, &r));
            }
            let (checked, private) = generate(&req.name)?;
            (checked, Some(private))
        }
    };
    app.write(|store| {
        let rs = store.tenant(&account, &r).rs;
        if rs.keypairs.values().any(|k| k.name == req.name) {
            return Err(exists(&req.name, &r));
        }
        let id = ids::short_id("key", |id| rs.keypairs.contains_key(id));
        let kp = KeyPair {
            id: id.clone(),
            name: req.name,
            fingerprint: checked.fingerprint,
            public_key: checked.public_key,
            key_type: checked.key_type.to_string(),
            tags: req.tags,
            created_at: now_ms(),
        };
        let mut view = kp.view();
        view.private_key = private_key.as_deref();
        let response = json(StatusCode::CREATED, &view);
        rs.keypairs.insert(id, kp);
        Ok(response)
    })
}

fn exists(name: &str, region: &str) -> ApiError {
    ApiError::conflict(
        "KeyPairAlreadyExists",
        format!("a key pair named {name} already exists in {region}"),
    )
}

/// `GET /v1/regions/{region}/keypairs?tag=k=v`
pub async fn list(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params(r): Params<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    region(&app, &r)?;
    let filters = tag_only_query(query.as_deref())?;
    Ok(app.read(|store| {
        let keys: Vec<_> = store
            .region(&account, &r)
            .into_iter()
            .flat_map(|rs| rs.keypairs.values())
            .filter(|k| tags_match(&k.tags, &filters))
            .map(KeyPair::view)
            .collect();
        json(StatusCode::OK, &serde_json::json!({ "keypairs": keys }))
    }))
}

/// `GET /v1/regions/{region}/keypairs/{id}`
pub async fn get(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params((r, id)): Params<(String, String)>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    app.read(|store| {
        let kp = store
            .region(&account, &r)
            .and_then(|rs| rs.keypairs.get(&id))
            .ok_or_else(|| not_found(&id))?;
        Ok(json(StatusCode::OK, &kp.view()))
    })
}

/// `DELETE /v1/regions/{region}/keypairs/{id}`: allowed even while instances
/// were launched with it, as with real clouds (the key is already on them).
pub async fn delete(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params((r, id)): Params<(String, String)>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    app.write(|store| {
        let rs = store.tenant(&account, &r).rs;
        rs.keypairs.remove(&id).ok_or_else(|| not_found(&id))?;
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_round_trip() {
        let (checked, private) = generate("k1").unwrap();
        assert!(private.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"));
        assert!(checked.public_key.starts_with("ssh-ed25519 "));
        assert!(checked.fingerprint.starts_with("SHA256:"));
        let again = import(&checked.public_key).unwrap();
        assert_eq!(again.fingerprint, checked.fingerprint);
        let parsed = PrivateKey::from_openssh(&private).unwrap();
        assert_eq!(
            parsed.public_key().to_openssh().unwrap(),
            checked.public_key
        );
    }

    #[test]
    fn bad_keys() {
        assert_eq!(
            import("ssh-ed25519 nope").unwrap_err().code,
            "InvalidKeyPair.Format"
        );
        assert!(import("").is_err());
    }
}
