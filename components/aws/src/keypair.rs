//! SSH key pairs. The contract's key pair id is EC2's key *name*: RunInstances
//! takes the name (`KeyName`), not EC2's `key-...` id.

use crate::api::{Client, Params};
use crate::{map, tags, wire};
use base64::Engine;
use mcgw_sdk::{CallContext, Error, KeypairInfo, KeypairRequest, Result};

/// Create a key pair (EC2 generates it and returns the private key this
/// once) or import the given OpenSSH public key.
pub fn create(ctx: &CallContext, req: &KeypairRequest) -> Result<KeypairInfo> {
    let c = Client::new(ctx)?;
    let key_tags = tags::with_name(&req.tags, &req.name);
    let p = Params::new().set("KeyName", &req.name);
    let made: wire::KeyPairCreated = match &req.public_key {
        Some(public) => {
            // The Query API takes the key file's bytes base64-encoded.
            let material = base64::engine::general_purpose::STANDARD.encode(public.trim());
            let p = p
                .set("PublicKeyMaterial", material)
                .tags(1, "key-pair", &key_tags);
            c.call(&map::IMPORT_KEY_PAIR, p)?
        }
        None => c.call(&map::CREATE_KEY_PAIR, p.tags(1, "key-pair", &key_tags))?,
    };
    // EC2 does not return the public half of a generated key on creation;
    // reading it back is a convenience, not worth failing the creation for.
    let public_key = match &req.public_key {
        Some(k) => Some(k.trim().to_string()),
        None => describe(&c, Some(&made.key_name))
            .ok()
            .and_then(|mut v| v.pop())
            .and_then(|k| k.public_key),
    };
    Ok(KeypairInfo {
        name: made.key_name.clone(),
        id: made.key_name,
        fingerprint: made.key_fingerprint,
        public_key,
        private_key: made.key_material.filter(|m| !m.is_empty()),
    })
}

fn describe(c: &Client, name: Option<&str>) -> Result<Vec<KeypairInfo>> {
    let p = Params::new()
        .set("IncludePublicKey", "true")
        .opt("KeyName.1", name);
    let out: wire::KeyPairs = c.call(&map::DESCRIBE_KEY_PAIRS, p)?;
    Ok(out
        .key_set
        .into_iter()
        .map(|k| KeypairInfo {
            name: k.key_name.clone(),
            id: k.key_name,
            fingerprint: k.key_fingerprint,
            public_key: k.public_key.map(|s| s.trim().to_string()),
            private_key: None,
        })
        .collect())
}

/// One key pair by name, without its private key.
pub fn get(ctx: &CallContext, id: &str) -> Result<KeypairInfo> {
    describe(&Client::new(ctx)?, Some(id))?
        .pop()
        .ok_or_else(|| Error::not_found(format!("key pair {id} does not exist")))
}

/// Every key pair of the account in the region.
pub fn list(ctx: &CallContext) -> Result<Vec<KeypairInfo>> {
    describe(&Client::new(ctx)?, None)
}

/// Delete a key pair (EC2 answers success for an unknown name too).
pub fn delete(ctx: &CallContext, id: &str) -> Result<()> {
    Client::new(ctx)?.act(&map::DELETE_KEY_PAIR, Params::new().set("KeyName", id))
}
