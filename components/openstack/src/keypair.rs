//! Nova key pairs. The id is the name (Nova keys them by user and name). A
//! generated private key is in Nova's create answer only, and is passed on
//! once. Nova key pairs have no tags, so request tags are not stored.

use crate::client::{Service, Session};
use crate::paging::{Link, MAX_PAGES, marker_of, page_query};
use mcgw_sdk::{Error, KeypairInfo, KeypairRequest, Result};
use serde::Deserialize;
use serde_json::json;

/// Generate (no public key given) or import a key pair.
pub fn create(s: &Session, req: &KeypairRequest) -> Result<KeypairInfo> {
    let mut keypair = json!({"name": req.name, "type": "ssh"});
    if let Some(pk) = &req.public_key {
        keypair["public_key"] = json!(pk);
    }
    let out: One = s.post(
        Service::Compute,
        "/os-keypairs",
        &json!({"keypair": keypair}),
    )?;
    Ok(info(out.keypair))
}

/// One key pair, never with a private key.
pub fn get(s: &Session, name: &str) -> Result<KeypairInfo> {
    let out: One = s.get(Service::Compute, &path(name), &[])?;
    Ok(KeypairInfo {
        private_key: None,
        ..info(out.keypair)
    })
}

/// All of the user's key pairs (2.35+ pages them).
pub fn list(s: &Session) -> Result<Vec<KeypairInfo>> {
    let mut all = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let query = page_query(&[], &marker);
        let page: Page = s.get(Service::Compute, "/os-keypairs", &query)?;
        let done = page.keypairs.is_empty();
        all.extend(page.keypairs.into_iter().map(|k| KeypairInfo {
            private_key: None,
            ..info(k.keypair)
        }));
        match marker_of(&page.links) {
            Some(m) if !done => marker = Some(m),
            _ => return Ok(all),
        }
    }
    Err(Error::csp_failure("key pair listing did not end"))
}

/// Delete a key pair (Nova answers 204).
pub fn delete(s: &Session, name: &str) -> Result<()> {
    s.call(Service::Compute, "DELETE", &path(name), &[], None)?;
    Ok(())
}

fn path(name: &str) -> String {
    format!("/os-keypairs/{}", mcgw_sdk::http::encode(name))
}

fn info(k: Keypair) -> KeypairInfo {
    KeypairInfo {
        id: k.name.clone(),
        name: k.name,
        fingerprint: k.fingerprint.unwrap_or_default(),
        public_key: k.public_key.map(|p| p.trim_end().to_string()),
        private_key: k.private_key,
    }
}

#[derive(Deserialize)]
struct One {
    keypair: Keypair,
}

#[derive(Deserialize)]
struct Page {
    keypairs: Vec<Wrapped>,
    #[serde(rename = "keypairs_links", default)]
    links: Vec<Link>,
}

#[derive(Deserialize)]
struct Wrapped {
    keypair: Keypair,
}

#[derive(Deserialize)]
struct Keypair {
    name: String,
    fingerprint: Option<String>,
    public_key: Option<String>,
    private_key: Option<String>,
}
