//! Tags between the contract's key/value lists and EC2.
//!
//! EC2 shows an object's `Name` tag as its name everywhere (console, CLI), so
//! every object the adapter creates carries one, next to the host's `mcgw-*`
//! tags, which are stored verbatim.

use crate::wire::{List, Tag};
use mcgw_sdk::Kv;

/// `tags` plus `Name = name`, unless the caller set a `Name` tag already.
pub fn with_name(tags: &[Kv], name: &str) -> Vec<Kv> {
    let mut out = tags.to_vec();
    if !out.iter().any(|t| t.key == "Name") {
        out.push(Kv {
            key: "Name".into(),
            value: name.into(),
        });
    }
    out
}

/// The `Name` tag of an object.
pub fn name(tags: &List<Tag>) -> Option<String> {
    tags.iter()
        .find(|t| t.key == "Name" && !t.value.is_empty())
        .map(|t| t.value.clone())
}

/// EC2's tag set as the contract's list.
pub fn from_wire(tags: List<Tag>) -> Vec<Kv> {
    tags.into_iter()
        .map(|t| Kv {
            key: t.key,
            value: t.value,
        })
        .collect()
}
