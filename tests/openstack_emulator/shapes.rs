//! Does a JSON answer have the shape of an official OpenStack API sample?
//!
//! Shape = the same keys (recursively) with the same JSON types. The rules
//! that make "the same" precise, each grounded in the projects' own sources:
//! - `null` on either side matches any type: the samples print nullable
//!   fields with whatever value their fixture had (`key_name: null`, ports
//!   `null` for "any"), so null carries no type.
//! - A list element matches if it matches any element of the sample's list
//!   (Neutron's security-group sample has one rule with a typo'd key
//!   `revisio[n_number`; the other rule is well formed). An empty sample
//!   list constrains nothing.
//! - Maps whose keys are data (`metadata`, `addresses`, `extra_specs`) are
//!   compared by value type only.
//! - Keys the sample lacks but the API documents for that answer, or keys
//!   the sample shows that the API leaves out in some cases, are optional;
//!   every such key names the file and text of the sdist that documents it,
//!   and [`check_citations`] verifies those texts are really there.
//! - Glance images are open objects: extra keys are allowed when they are
//!   strings (Glance's image schema has `additionalProperties: {type: string}`).
//! - Errata: a sample value whose type contradicts the API's own parameter
//!   reference and the service's other samples is skipped, with the reason.

use serde_json::Value;
use std::path::Path;

/// Keys whose maps hold data, not fields.
const FREE_MAPS: &[&str] = &["metadata", "addresses", "extra_specs"];

/// (sample file suffix, optional key, sdist file, text that documents it).
const OPTIONAL: &[(&str, &str, &str, &str)] = &[
    (
        "servers/v2.73/servers-details-resp.json",
        "servers_links",
        "nova:api-ref/source/parameters.yaml",
        "servers_links:",
    ),
    (
        "flavors/v2.75/flavors-detail-resp.json",
        "flavors_links",
        "nova:nova/api/openstack/compute/views/flavors.py",
        "flavors_dict[\"flavors_links\"] = flavors_links",
    ),
    (
        "os-keypairs/v2.35/keypairs-list-resp.json",
        "keypairs_links",
        "nova:api-ref/source/os-keypairs.inc",
        "- keypairs_links: keypair_links",
    ),
    (
        "servers/v2.73/server-get-resp.json",
        "security_groups",
        "nova:nova/api/openstack/compute/views/servers.py",
        "if groups:\n                server['security_groups'] = groups",
    ),
    (
        "servers/v2.73/servers-details-resp.json",
        "security_groups",
        "nova:nova/api/openstack/compute/views/servers.py",
        "if groups:\n                server['security_groups'] = groups",
    ),
    (
        "images-list-response.json",
        "next",
        "glance:api-ref/source/v2/images-parameters.yaml",
        "next:\n  description: |\n    The URI for the next page of response.",
    ),
    (
        "networks/networks-list-response.json",
        "tags",
        "neutron-lib:api-ref/source/v2/networks.inc",
        "   - is_default: network_is_default\n   - tags: tags",
    ),
];

/// (sample file suffix, path of the open object) for Glance images.
const OPEN_OBJECTS: &[(&str, &str)] = &[
    (
        "glance:api-ref/source/v2/samples/images-list-response.json",
        "images[]",
    ),
    (
        "glance:api-ref/source/v2/samples/image-show-response.json",
        "",
    ),
];
const OPEN_CITATION: (&str, &str) = (
    "glance:glance/schema.py",
    "raw['additionalProperties'] = {'type': 'string'}",
);

/// (sample file suffix, key, why its sample type is not checked).
const ERRATA: &[(&str, &str, &str)] = &[(
    "networks/network-show-response.json",
    "pvlan",
    "this sample alone prints pvlan as the string \"false\"; parameters.yaml and the \
     create/list samples have a boolean",
)];

/// The sdist root of a sample name like `nova:doc/api_samples/...`.
pub fn file_of(samples: &Path, name: &str) -> std::path::PathBuf {
    let (project, rest) = name.split_once(':').expect("sample names are project:path");
    let root = match project {
        "nova" => super::samples::NOVA_DIR,
        "neutron-lib" => super::samples::NEUTRON_LIB_DIR,
        "glance" => super::samples::GLANCE_DIR,
        other => panic!("unknown sample project {other}"),
    };
    samples.join(root).join(rest)
}

/// Check that every citation above is really in the fetched sdists.
pub fn check_citations(samples: &Path) {
    let cites = OPTIONAL
        .iter()
        .map(|(_, _, file, text)| (*file, *text))
        .chain([OPEN_CITATION]);
    for (file, text) in cites {
        let body = std::fs::read_to_string(file_of(samples, file))
            .unwrap_or_else(|e| panic!("reading {file}: {e}"));
        assert!(body.contains(text), "{file} no longer says {text:?}");
    }
}

/// Every difference in shape between `sample` (named `name`) and `actual`.
pub fn mismatches(name: &str, sample: &Value, actual: &Value) -> Vec<String> {
    let mut out = Vec::new();
    compare(name, "", None, sample, actual, &mut out);
    out
}

fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn compare(name: &str, path: &str, key: Option<&str>, s: &Value, a: &Value, out: &mut Vec<String>) {
    if s.is_null() || a.is_null() {
        return;
    }
    if let Some(k) = key
        && ERRATA.iter().any(|(n, e, _)| name.ends_with(n) && *e == k)
    {
        return;
    }
    if type_of(s) != type_of(a) {
        out.push(format!(
            "{path}: sample has {}, answer has {}",
            type_of(s),
            type_of(a)
        ));
        return;
    }
    match (s, a) {
        (Value::Array(ss), Value::Array(aa)) if !ss.is_empty() => {
            let elem = format!("{path}[]");
            for x in aa {
                let tries: Vec<Vec<String>> = ss
                    .iter()
                    .map(|se| {
                        let mut e = Vec::new();
                        compare(name, &elem, key, se, x, &mut e);
                        e
                    })
                    .collect();
                if tries.iter().all(|e| !e.is_empty()) {
                    out.extend(tries.into_iter().next().unwrap_or_default());
                }
            }
        }
        (Value::Object(so), Value::Object(ao)) => {
            if key.is_some_and(|k| FREE_MAPS.contains(&k)) {
                if let Some(sv) = so.values().next() {
                    for (k, av) in ao {
                        compare(name, &format!("{path}.{k}"), None, sv, av, out);
                    }
                }
                return;
            }
            let optional = |k: &str| {
                OPTIONAL
                    .iter()
                    .any(|(n, o, _, _)| name.ends_with(n) && *o == k)
            };
            let open = OPEN_OBJECTS.iter().any(|(n, p)| n == &name && *p == path);
            for k in so.keys() {
                if !ao.contains_key(k) && !optional(k) {
                    out.push(format!("{path}: missing key {k:?}"));
                }
            }
            for (k, av) in ao {
                let sub = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match so.get(k) {
                    Some(sv) => compare(name, &sub, Some(k), sv, av, out),
                    None if optional(k) || (open && av.is_string()) => {}
                    None => out.push(format!("{path}: unexpected key {k:?}")),
                }
            }
        }
        _ => {}
    }
}
