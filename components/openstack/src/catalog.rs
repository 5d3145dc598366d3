//! The read-only catalog: regions from Keystone, their availability zones
//! and the flavors (specs) from Nova.

use crate::client::{Service, Session};
use crate::paging::{MAX_PAGES, marker_of, page_query};
use mcgw_sdk::{Error, GpuInfo, RegionInfo, Result, SpecInfo};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Keystone's regions; zones are filled in for the connection's region, the
/// only one whose Nova this connection talks to.
pub fn regions(s: &Session, own_region: &str) -> Result<Vec<RegionInfo>> {
    let out: Regions = s.keystone_get("/v3/regions")?;
    let mut regions: Vec<RegionInfo> = out
        .regions
        .into_iter()
        .map(|r| RegionInfo {
            display_name: r
                .description
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| r.id.clone()),
            name: r.id,
            location: None,
            zones: Vec::new(),
        })
        .collect();
    if let Some(r) = regions.iter_mut().find(|r| r.name == own_region) {
        // The region list is how users find the right region name: a Nova
        // that cannot be asked must not hide it.
        r.zones = zones(s).unwrap_or_else(|e| {
            mcgw_sdk::log::warn(&format!("listing availability zones failed: {e}"));
            Vec::new()
        });
    }
    Ok(regions)
}

/// Nova's availability zones that are up.
fn zones(s: &Session) -> Result<Vec<String>> {
    let out: Zones = s.get(Service::Compute, "/os-availability-zone", &[])?;
    Ok(out
        .zones
        .into_iter()
        .filter(|z| z.state.available)
        .map(|z| z.name)
        .collect())
}

/// Every flavor, all pages (`flavors_links` carries the next marker).
pub fn flavors(s: &Session) -> Result<Vec<Flavor>> {
    let mut all = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let query = page_query(&[], &marker);
        let page: FlavorPage = s.get(Service::Compute, "/flavors/detail", &query)?;
        let done = page.flavors.is_empty();
        all.extend(page.flavors);
        match marker_of(&page.links) {
            Some(m) if !done => marker = Some(m),
            _ => return Ok(all),
        }
    }
    Err(Error::csp_failure("flavor listing did not end"))
}

/// The flavor a spec name stands for (names are what users see; ids are
/// what Nova's `flavorRef` takes).
pub fn flavor_by_name(s: &Session, name: &str) -> Result<Flavor> {
    flavors(s)?
        .into_iter()
        .find(|f| f.name == name)
        .ok_or_else(|| {
            Error::not_found(format!("flavor {name} is not offered in this region")).field("spec")
        })
}

/// A flavor as a spec: vCPUs, RAM, root disk, and a GPU when the flavor
/// requests vGPUs or PCI passthrough devices.
pub fn spec(f: Flavor) -> SpecInfo {
    SpecInfo {
        vcpus: f.vcpus,
        memory_mib: f.ram,
        disk_gib: (f.disk > 0).then_some(f.disk),
        gpu: gpu(&f.extra_specs),
        price_per_hour: None,
        currency: None,
        architecture: None,
        name: f.name,
    }
}

fn gpu(extra: &BTreeMap<String, String>) -> Option<GpuInfo> {
    if let Some(n) = extra.get("resources:VGPU").and_then(|v| v.parse().ok()) {
        return Some(GpuInfo {
            count: n,
            model: "vGPU".into(),
            memory_mib: None,
        });
    }
    // `pci_passthrough:alias` = "alias:count[,alias:count]".
    let alias = extra.get("pci_passthrough:alias")?;
    let (model, count) = alias.split(',').next()?.split_once(':')?;
    Some(GpuInfo {
        count: count.trim().parse().ok()?,
        model: model.trim().to_string(),
        memory_mib: None,
    })
}

#[derive(Deserialize)]
struct Regions {
    regions: Vec<Region>,
}

#[derive(Deserialize)]
struct Region {
    id: String,
    description: Option<String>,
}

#[derive(Deserialize)]
struct Zones {
    #[serde(rename = "availabilityZoneInfo")]
    zones: Vec<Zone>,
}

#[derive(Deserialize)]
struct Zone {
    #[serde(rename = "zoneName")]
    name: String,
    #[serde(rename = "zoneState")]
    state: ZoneState,
}

#[derive(Deserialize)]
struct ZoneState {
    available: bool,
}

#[derive(Deserialize)]
struct FlavorPage {
    flavors: Vec<Flavor>,
    #[serde(rename = "flavors_links", default)]
    links: Vec<crate::paging::Link>,
}

/// A Nova flavor (2.61+ includes `extra_specs`).
#[derive(Deserialize)]
pub struct Flavor {
    pub id: String,
    pub name: String,
    pub vcpus: u32,
    pub ram: u64,
    #[serde(default)]
    pub disk: u32,
    #[serde(default)]
    pub extra_specs: BTreeMap<String, String>,
}
