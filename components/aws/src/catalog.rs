//! The catalog: regions with their zones, images (AMIs) and specs (instance types).

use crate::api::{Client, Params};
use crate::{map, regions, wire};
use mcgw_sdk::{
    CallContext, ContextExt, Error, GeoLocation, GpuInfo, ImageInfo, RegionInfo, Result, SpecInfo,
};
use std::collections::HashSet;
use std::time::Duration;

/// Zones change rarely and listing them costs one call per region: keep them
/// in the host's per-credential cache for an hour.
const ZONES_TTL: Duration = Duration::from_secs(3600);

/// Enabled regions of the account, each with its availability zones.
pub fn list_regions(ctx: &CallContext) -> Result<Vec<RegionInfo>> {
    let c = Client::new(ctx)?;
    let out: wire::Regions = c.call(&map::DESCRIBE_REGIONS, Params::new())?;
    let mut all = Vec::new();
    for r in out.region_info {
        let zones = zones(ctx, &r.region_name).unwrap_or_else(|e| {
            // One region refusing (e.g. an opt-in region) must not hide the others.
            mcgw_sdk::log::warn(&format!("zones of {}: {e}", r.region_name));
            Vec::new()
        });
        let known = regions::lookup(&r.region_name);
        all.push(RegionInfo {
            display_name: known.map_or_else(|| r.region_name.clone(), |k| k.0.to_string()),
            location: known.map(|(_, latitude, longitude)| GeoLocation {
                latitude,
                longitude,
            }),
            name: r.region_name,
            zones,
        });
    }
    Ok(all)
}

/// The availability zones of one region (local and wavelength zones left out:
/// they are opt-in extensions, not places to put a subnet by default).
fn zones(ctx: &CallContext, region: &str) -> Result<Vec<String>> {
    let key = format!("zones\0{}\0{region}", ctx.endpoint.as_deref().unwrap_or(""));
    if let Some(z) = mcgw_sdk::cache::get_string(&key) {
        return Ok(z
            .split(',')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect());
    }
    let c = Client::for_region(ctx, region)?;
    let out: wire::Zones = c.call(&map::DESCRIBE_ZONES, Params::new())?;
    let zones: Vec<String> = out
        .availability_zone_info
        .into_iter()
        .filter(|z| {
            z.zone_type
                .as_deref()
                .is_none_or(|t| t == "availability-zone")
        })
        .map(|z| z.zone_name)
        .collect();
    mcgw_sdk::cache::set_string(&key, &zones.join(","), ZONES_TTL);
    Ok(zones)
}

/// Available machine images of the configured owners (`image_owners`,
/// default the account's own and Amazon's), optionally filtered by name
/// (`image_name`, EC2 wildcards).
pub fn list_images(ctx: &CallContext) -> Result<Vec<ImageInfo>> {
    let c = Client::new(ctx)?;
    let owners: Vec<&str> = ctx
        .extra("image_owners")
        .unwrap_or("self,amazon")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let mut p = Params::new()
        .list("Owner", &owners)
        .filter(1, "state", &["available"])
        .filter(2, "image-type", &["machine"]);
    if let Some(name) = ctx.extra("image_name") {
        p = p.filter(3, "name", &[name]);
    }
    let images = c.all::<wire::Images>(&map::DESCRIBE_IMAGES, p)?;
    Ok(images.into_iter().map(image).collect())
}

/// One image by id, whoever owns it.
pub fn get_image(ctx: &CallContext, id: &str) -> Result<ImageInfo> {
    let missing = || Error::not_found(format!("image {id} does not exist")).field("image");
    // EC2 ids look like ami-0123abcd: anything else cannot exist.
    if !id.starts_with("ami-") {
        return Err(missing());
    }
    let c = Client::new(ctx)?;
    let out: wire::Images = c.call(&map::GET_IMAGE, Params::new().set("ImageId.1", id))?;
    out.images_set
        .into_iter()
        .next()
        .map(image)
        .ok_or_else(missing)
}

fn image(i: wire::Image) -> ImageInfo {
    let windows = i.platform.as_deref() == Some("windows")
        || i.platform_details
            .as_deref()
            .is_some_and(|p| p.to_ascii_lowercase().contains("windows"));
    let min_disk_gib = i
        .block_device_mapping
        .iter()
        .find(|b| b.device_name.is_some() && b.device_name == i.root_device_name)
        .or(i.block_device_mapping.first())
        .and_then(|b| b.ebs.as_ref()?.volume_size);
    let label = if i.name.is_empty() {
        i.description.clone().unwrap_or_default()
    } else {
        i.name.clone()
    };
    ImageInfo {
        os_distribution: distribution(&label),
        os_type: Some(if windows { "windows" } else { "linux" }.into()),
        id: i.image_id,
        name: i.name,
        architecture: i.architecture,
        min_disk_gib,
        status: i.image_state,
        public: i.is_public,
    }
}

/// A best guess of distribution and version from an image's name, e.g.
/// `ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-2024` → `Ubuntu 22.04`.
/// EC2 has no such field; `None` when the name says nothing known.
pub fn distribution(name: &str) -> Option<String> {
    const KNOWN: &[(&str, &str)] = &[
        ("ubuntu", "Ubuntu"),
        ("al2023", "Amazon Linux 2023"),
        ("amzn2", "Amazon Linux 2"),
        ("amzn", "Amazon Linux"),
        ("debian", "Debian"),
        ("rhel", "RHEL"),
        ("suse", "SUSE Linux"),
        ("sles", "SUSE Linux"),
        ("centos", "CentOS"),
        ("rocky", "Rocky Linux"),
        ("almalinux", "AlmaLinux"),
        ("fedora", "Fedora"),
        ("windows_server", "Windows Server"),
    ];
    let lower = name.to_ascii_lowercase();
    let (at, label) = KNOWN
        .iter()
        .find_map(|(needle, label)| lower.find(needle).map(|i| (i + needle.len(), *label)))?;
    if label.starts_with("Amazon Linux ") {
        return Some(label.into());
    }
    // The first version-like token after the name: 22.04, 12, 2019, 9.3 ...
    let version = lower[at..]
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .find(|t| t.starts_with(|c: char| c.is_ascii_digit()))
        .map(|t| t.trim_end_matches('.'));
    Some(match version {
        Some(v) => format!("{label} {v}"),
        None => label.into(),
    })
}

/// Instance types offered in the region, or in the context's zone when set.
pub fn list_specs(ctx: &CallContext) -> Result<Vec<SpecInfo>> {
    let c = Client::new(ctx)?;
    let mut specs: Vec<SpecInfo> = c
        .all::<wire::InstanceTypes>(&map::DESCRIBE_TYPES, Params::new())?
        .into_iter()
        .map(spec)
        .collect();
    if let Some(zone) = &ctx.zone {
        let p = Params::new()
            .set("LocationType", "availability-zone")
            .filter(1, "location", &[zone]);
        let offered: HashSet<String> = c
            .all::<wire::Offerings>(&map::DESCRIBE_OFFERINGS, p)?
            .into_iter()
            .map(|o| o.instance_type)
            .collect();
        specs.retain(|s| offered.contains(&s.name));
    }
    specs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(specs)
}

/// One instance type by name.
pub fn get_spec(ctx: &CallContext, name: &str) -> Result<SpecInfo> {
    let c = Client::new(ctx)?;
    let out: wire::InstanceTypes =
        c.call(&map::GET_TYPE, Params::new().set("InstanceType.1", name))?;
    out.instance_type_set
        .into_iter()
        .next()
        .map(spec)
        .ok_or_else(|| {
            Error::not_found(format!("instance type {name} is not offered")).field("spec")
        })
}

fn spec(t: wire::InstanceType) -> SpecInfo {
    let gpu = t.gpu_info.and_then(|g| {
        let gpus = g.gpus.into_vec();
        let first = gpus.first()?;
        Some(GpuInfo {
            count: gpus.iter().map(|g| g.count).sum(),
            model: format!("{} {}", first.manufacturer, first.name)
                .trim()
                .to_string(),
            memory_mib: first.memory_info.as_ref().map(|m| m.size_in_mib),
        })
    });
    SpecInfo {
        name: t.instance_type,
        vcpus: t.v_cpu_info.map_or(0, |v| v.default_v_cpus),
        memory_mib: t.memory_info.map_or(0, |m| m.size_in_mib),
        disk_gib: t.instance_storage_info.and_then(|s| s.total_size_in_gb),
        gpu,
        // EC2 does not publish prices; the Pricing API is another service.
        price_per_hour: None,
        currency: None,
        architecture: t.processor_info.and_then(|p| {
            // Old types list i386 first; the 64-bit one is what images need.
            let all = p.supported_architectures.into_vec();
            let best = ["x86_64", "arm64"]
                .into_iter()
                .find(|a| all.iter().any(|x| x == a));
            best.map(String::from).or_else(|| all.into_iter().next())
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distributions_from_names() {
        let d = |n| distribution(n);
        assert_eq!(
            d("ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240101").as_deref(),
            Some("Ubuntu 22.04")
        );
        assert_eq!(
            d("al2023-ami-2023.4.20240401.1-kernel-6.1-x86_64").as_deref(),
            Some("Amazon Linux 2023")
        );
        assert_eq!(d("debian-12-amd64-20240201").as_deref(), Some("Debian 12"));
        assert_eq!(
            d("Windows_Server-2019-English-Full-Base").as_deref(),
            Some("Windows Server 2019")
        );
        assert_eq!(d("my-golden-image"), None);
    }

    #[test]
    fn instance_types_parse() {
        let x = r#"<DescribeInstanceTypesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
          <instanceTypeSet><item><instanceType>g4dn.xlarge</instanceType>
            <vCpuInfo><defaultVCpus>4</defaultVCpus></vCpuInfo>
            <memoryInfo><sizeInMiB>16384</sizeInMiB></memoryInfo>
            <instanceStorageInfo><totalSizeInGB>125</totalSizeInGB></instanceStorageInfo>
            <gpuInfo><gpus><item><name>T4</name><manufacturer>NVIDIA</manufacturer><count>1</count>
              <memoryInfo><sizeInMiB>16384</sizeInMiB></memoryInfo></item></gpus></gpuInfo>
            <processorInfo><supportedArchitectures><item>x86_64</item></supportedArchitectures></processorInfo>
          </item></instanceTypeSet><nextToken>abc</nextToken></DescribeInstanceTypesResponse>"#;
        let t: wire::InstanceTypes = mcgw_sdk::xml::from_str(x).unwrap();
        assert_eq!(t.next_token.as_deref(), Some("abc"));
        let s = spec(t.instance_type_set.into_vec().remove(0));
        assert_eq!((s.vcpus, s.memory_mib, s.disk_gib), (4, 16384, Some(125)));
        let g = s.gpu.unwrap();
        assert_eq!((g.count, g.model.as_str()), (1, "NVIDIA T4"));
        assert_eq!(s.architecture.as_deref(), Some("x86_64"));
    }
}
