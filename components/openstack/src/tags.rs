//! Where the contract's key/value tags live at OpenStack.
//!
//! - Nova servers: `metadata` holds every tag verbatim (keys and values up to
//!   255 characters), including the host's `mcgw-*` tags.
//! - Nova server tags (plain strings, at most 60 characters, no `/` or `,`,
//!   50 per server) carry what the adapter must find again: the host's
//!   `mcgw-*` tags as `key=value` (the list API filters on server tags, not on
//!   metadata) and the adapter's own bookkeeping under `mcgw.`.
//! - Neutron objects: `key=value` strings in the standard-attr tag extension,
//!   plus the adapter's bookkeeping under `mcgw.` (a network's CIDR, a
//!   security group's vnet), which Neutron has no field for.
//!
//! Bookkeeping tags never appear in the tags the adapter reports.

use mcgw_sdk::{Error, Kv, Result};
use std::collections::BTreeMap;

/// Prefix of the adapter's own bookkeeping tags.
pub const OWN: &str = "mcgw.";
/// Prefix of the host's tags, which the gateway looks VMs up by.
const HOST: &str = "mcgw-";
/// Nova's server tag limits.
const NOVA_TAG_MAX: usize = 60;
const NOVA_TAGS_PER_SERVER: usize = 50;
/// Neutron's tag length limit.
const NEUTRON_TAG_MAX: usize = 255;

/// Tags as Nova server metadata.
pub fn metadata(tags: &[Kv]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|kv| (kv.key.clone(), kv.value.clone()))
        .collect()
}

/// Server metadata back as tags (sorted by key).
pub fn from_metadata(metadata: BTreeMap<String, String>) -> Vec<Kv> {
    mcgw_sdk::kvs(metadata)
}

/// Whether a string can be a Nova server tag.
pub fn nova_tag_ok(tag: &str) -> bool {
    !tag.is_empty() && tag.len() <= NOVA_TAG_MAX && !tag.contains(['/', ','])
}

/// The server tags of a new server: bookkeeping first, then the host's tags
/// that fit Nova's tag rules (they only speed up lookups; metadata has them all).
pub fn server_tags(own: Vec<String>, tags: &[Kv]) -> Vec<String> {
    let mut out: Vec<String> = own.into_iter().filter(|t| nova_tag_ok(t)).collect();
    for kv in tags.iter().filter(|kv| kv.key.starts_with(HOST)) {
        let t = format!("{}={}", kv.key, kv.value);
        if nova_tag_ok(&t) && out.len() < NOVA_TAGS_PER_SERVER {
            out.push(t);
        }
    }
    out
}

/// The filter tags a server-side `tags=` query can carry (the host's ones
/// that [`server_tags`] stored).
pub fn server_filter(filter: &[Kv]) -> Vec<String> {
    filter
        .iter()
        .filter(|kv| kv.key.starts_with(HOST))
        .map(|kv| format!("{}={}", kv.key, kv.value))
        .filter(|t| nova_tag_ok(t))
        .collect()
}

/// A bookkeeping value from server or Neutron tags, e.g. `own(&tags, "vnet")`.
pub fn own<'a>(tags: &'a [String], name: &str) -> Option<&'a str> {
    own_all(tags, name).next()
}

/// Every bookkeeping value of `name`.
pub fn own_all<'a>(tags: &'a [String], name: &str) -> impl Iterator<Item = &'a str> {
    let prefix = format!("{OWN}{name}=");
    tags.iter()
        .filter_map(move |t| t.strip_prefix(prefix.as_str()))
}

/// One bookkeeping tag.
pub fn own_tag(name: &str, value: &str) -> String {
    format!("{OWN}{name}={value}")
}

/// Contract tags plus bookkeeping as Neutron tags.
pub fn neutron(own: Vec<String>, tags: &[Kv]) -> Result<Vec<String>> {
    let mut out = own;
    for kv in tags {
        let t = format!("{}={}", kv.key, kv.value);
        if t.len() > NEUTRON_TAG_MAX {
            return Err(Error::bad_request(format!(
                "tag {:?} is too long: Neutron keeps tags of at most {NEUTRON_TAG_MAX} \
                 characters as key=value",
                kv.key
            ))
            .field("tags"));
        }
        out.push(t);
    }
    Ok(out)
}

/// Neutron tags back as contract tags, without bookkeeping.
pub fn from_neutron(tags: &[String]) -> Vec<Kv> {
    tags.iter()
        .filter(|t| !t.starts_with(OWN))
        .map(|t| {
            let (k, v) = t.split_once('=').unwrap_or((t.as_str(), ""));
            Kv {
                key: k.to_string(),
                value: v.to_string(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_tags_become_filterable_server_tags_when_they_fit() {
        let tags = mcgw_sdk::kvs([
            ("mcgw-ns", "default"),
            ("team", "blue"),
            ("mcgw-name", "a/b"),
        ]);
        let server = server_tags(vec![own_tag("vnet", "n1")], &tags);
        assert_eq!(server, ["mcgw.vnet=n1", "mcgw-ns=default"]);
        assert_eq!(own(&server, "vnet"), Some("n1"));
        let neutron = neutron(vec![own_tag("cidr", "10.0.0.0/16")], &tags).unwrap();
        let back: Vec<(String, String)> = from_neutron(&neutron)
            .into_iter()
            .map(|kv| (kv.key, kv.value))
            .collect();
        let sent: Vec<(String, String)> = tags.into_iter().map(|kv| (kv.key, kv.value)).collect();
        assert_eq!(back, sent);
    }
}
