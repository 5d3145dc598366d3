//! What the simulated cloud offers: regions (from `mcgw-geo`), images and
//! instance specs with per-region prices.
//!
//! Regions come from the shared geo catalog so that the planner's idea of where
//! a region is matches what the simulated cloud reports and measures.

use std::collections::HashMap;

use serde::Serialize;

/// One region of the `sim` provider, with its zones and pricing.
#[derive(Debug, Clone, Serialize)]
pub struct SimRegion {
    pub name: String,
    pub display_name: String,
    pub city: String,
    pub country: String,
    pub latitude: f64,
    pub longitude: f64,
    pub zones: Vec<String>,
    /// Price factor over the base (US) price.
    #[serde(skip)]
    pub price_multiplier: f64,
    /// Whether GPU specs are offered here.
    #[serde(skip)]
    pub gpu: bool,
}

/// A machine image; the same list in every region.
#[derive(Debug, Clone, Serialize)]
pub struct Image {
    pub id: &'static str,
    pub name: &'static str,
    pub os_type: &'static str,
    pub os_distribution: &'static str,
    pub os_version: &'static str,
    pub architecture: &'static str,
    pub min_disk_gib: u32,
    pub status: &'static str,
    pub public: bool,
}

/// An accelerator attached to a spec.
#[derive(Debug, Clone, Serialize)]
pub struct Gpu {
    pub count: u32,
    pub model: &'static str,
    pub memory_mib: u32,
}

/// An instance type, before region pricing.
#[derive(Debug, Clone)]
pub struct Spec {
    pub name: &'static str,
    pub family: &'static str,
    pub vcpus: u32,
    pub memory_mib: u32,
    pub disk_gib: u32,
    pub gpu: Option<Gpu>,
    /// USD per hour in the US regions.
    pub base_price: f64,
    pub architecture: &'static str,
}

/// A spec as one region sells it.
#[derive(Debug, Clone, Serialize)]
pub struct SpecView<'a> {
    pub name: &'a str,
    pub family: &'a str,
    pub vcpus: u32,
    pub memory_mib: u32,
    pub disk_gib: u32,
    pub gpu: Option<&'a Gpu>,
    pub price_per_hour: f64,
    pub currency: &'static str,
    pub architecture: &'a str,
}

const fn image(
    id: &'static str,
    name: &'static str,
    os_type: &'static str,
    os_distribution: &'static str,
    os_version: &'static str,
    architecture: &'static str,
    min_disk_gib: u32,
) -> Image {
    Image {
        id,
        name,
        os_type,
        os_distribution,
        os_version,
        architecture,
        min_disk_gib,
        status: "available",
        public: true,
    }
}

/// The public images.
pub static IMAGES: [Image; 8] = [
    image(
        "img-ubuntu-22.04",
        "Ubuntu 22.04 LTS (x86_64)",
        "linux",
        "ubuntu",
        "22.04",
        "x86_64",
        8,
    ),
    image(
        "img-ubuntu-22.04-arm64",
        "Ubuntu 22.04 LTS (arm64)",
        "linux",
        "ubuntu",
        "22.04",
        "arm64",
        8,
    ),
    image(
        "img-ubuntu-24.04",
        "Ubuntu 24.04 LTS (x86_64)",
        "linux",
        "ubuntu",
        "24.04",
        "x86_64",
        8,
    ),
    image(
        "img-ubuntu-24.04-arm64",
        "Ubuntu 24.04 LTS (arm64)",
        "linux",
        "ubuntu",
        "24.04",
        "arm64",
        8,
    ),
    image(
        "img-debian-12",
        "Debian 12 Bookworm (x86_64)",
        "linux",
        "debian",
        "12",
        "x86_64",
        8,
    ),
    image(
        "img-debian-12-arm64",
        "Debian 12 Bookworm (arm64)",
        "linux",
        "debian",
        "12",
        "arm64",
        8,
    ),
    image(
        "img-rocky-9",
        "Rocky Linux 9 (x86_64)",
        "linux",
        "rocky",
        "9",
        "x86_64",
        10,
    ),
    image(
        "img-windows-2022",
        "Windows Server 2022 Datacenter",
        "windows",
        "windows-server",
        "2022",
        "x86_64",
        50,
    ),
];

const fn spec(
    name: &'static str,
    family: &'static str,
    vcpus: u32,
    memory_mib: u32,
    disk_gib: u32,
    base_price: f64,
    architecture: &'static str,
) -> Spec {
    Spec {
        name,
        family,
        vcpus,
        memory_mib,
        disk_gib,
        gpu: None,
        base_price,
        architecture,
    }
}

/// The GPU spec, offered only in [`GPU_REGIONS`].
pub const GPU_SPEC: &str = "sim.g1.xlarge";

/// Regions that offer [`GPU_SPEC`].
pub const GPU_REGIONS: [&str; 6] = [
    "us-virginia",
    "us-oregon",
    "eu-frankfurt",
    "eu-london",
    "ap-tokyo",
    "ap-singapore",
];

/// All specs; [`GPU_SPEC`] only exists in GPU regions.
pub static SPECS: [Spec; 14] = [
    spec("sim.nano", "general", 1, 512, 10, 0.0052, "x86_64"),
    spec("sim.micro", "general", 1, 1024, 10, 0.0104, "x86_64"),
    spec("sim.small", "general", 1, 2048, 20, 0.0208, "x86_64"),
    spec("sim.medium", "general", 2, 4096, 20, 0.0416, "x86_64"),
    spec("sim.large", "general", 2, 8192, 40, 0.0832, "x86_64"),
    spec("sim.xlarge", "general", 4, 16384, 80, 0.1664, "x86_64"),
    spec("sim.2xlarge", "general", 8, 32768, 160, 0.3328, "x86_64"),
    spec("sim.c1.large", "compute", 2, 4096, 40, 0.085, "x86_64"),
    spec("sim.c1.xlarge", "compute", 4, 8192, 80, 0.17, "x86_64"),
    spec("sim.m1.large", "memory", 2, 16384, 40, 0.126, "x86_64"),
    spec("sim.m1.xlarge", "memory", 4, 32768, 80, 0.252, "x86_64"),
    spec("sim.a1.medium", "arm", 2, 4096, 20, 0.0336, "arm64"),
    spec("sim.a1.large", "arm", 2, 8192, 40, 0.0672, "arm64"),
    Spec {
        name: GPU_SPEC,
        family: "gpu",
        vcpus: 4,
        memory_mib: 16384,
        disk_gib: 125,
        gpu: Some(Gpu {
            count: 1,
            model: "NVIDIA T4",
            memory_mib: 16384,
        }),
        base_price: 0.526,
        architecture: "x86_64",
    },
];

/// Price factor by the continent prefix of a region name: the US is the
/// cheapest, as with real clouds, then Canada, Europe, Mexico, Asia-Pacific,
/// and South America, Africa and the Middle East the dearest.
fn price_multiplier(region: &str) -> f64 {
    match region.split('-').next().unwrap_or("") {
        "us" => 1.0,
        "ca" => 1.05,
        "eu" => 1.1,
        "mx" => 1.15,
        "ap" => 1.2,
        "sa" | "af" | "me" => 1.3,
        _ => 1.25,
    }
}

/// The simulated cloud's offer.
#[derive(Debug, Clone)]
pub struct SimCatalog {
    regions: Vec<SimRegion>,
    by_name: HashMap<String, usize>,
}

impl SimCatalog {
    /// The `sim` rows of the built-in geo catalog, each with zones `-a`, `-b`, `-c`.
    pub fn builtin() -> SimCatalog {
        let geo = mcgw_geo::Catalog::builtin();
        let regions: Vec<SimRegion> = geo
            .provider("sim")
            .map(|r| SimRegion {
                name: r.code.clone(),
                display_name: r.display_name.clone(),
                city: r.city.clone(),
                country: r.country.clone(),
                latitude: r.latitude,
                longitude: r.longitude,
                zones: ["a", "b", "c"]
                    .iter()
                    .map(|z| format!("{}-{z}", r.code))
                    .collect(),
                price_multiplier: price_multiplier(&r.code),
                gpu: GPU_REGIONS.contains(&r.code.as_str()),
            })
            .collect();
        let by_name = regions
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.clone(), i))
            .collect();
        SimCatalog { regions, by_name }
    }

    /// All regions, in catalog order.
    pub fn regions(&self) -> &[SimRegion] {
        &self.regions
    }

    /// One region by name.
    pub fn region(&self, name: &str) -> Option<&SimRegion> {
        self.by_name.get(name).map(|&i| &self.regions[i])
    }

    /// One image by id (images are the same everywhere).
    pub fn image(&self, id: &str) -> Option<&'static Image> {
        IMAGES.iter().find(|i| i.id == id)
    }

    /// The specs a region sells.
    pub fn specs<'a>(&'a self, region: &'a SimRegion) -> impl Iterator<Item = &'static Spec> + 'a {
        SPECS.iter().filter(move |s| s.gpu.is_none() || region.gpu)
    }

    /// One spec, if the region sells it.
    pub fn spec(&self, region: &SimRegion, name: &str) -> Option<&'static Spec> {
        self.specs(region).find(|s| s.name == name)
    }
}

impl Spec {
    /// This spec priced for a region, rounded to 1/10000 USD.
    pub fn view(&self, region: &SimRegion) -> SpecView<'_> {
        let price = (self.base_price * region.price_multiplier * 10_000.0).round() / 10_000.0;
        SpecView {
            name: self.name,
            family: self.family,
            vcpus: self.vcpus,
            memory_mib: self.memory_mib,
            disk_gib: self.disk_gib,
            gpu: self.gpu.as_ref(),
            price_per_hour: price,
            currency: "USD",
            architecture: self.architecture,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_shape() {
        let c = SimCatalog::builtin();
        assert!(c.regions().len() >= 20);
        let seoul = c.region("ap-seoul").unwrap();
        assert_eq!(seoul.zones, ["ap-seoul-a", "ap-seoul-b", "ap-seoul-c"]);
        assert!(c.spec(seoul, GPU_SPEC).is_none());
        let tokyo = c.region("ap-tokyo").unwrap();
        assert!(c.spec(tokyo, GPU_SPEC).is_some());
        let virginia = c.region("us-virginia").unwrap();
        let small = c.spec(virginia, "sim.small").unwrap();
        assert_eq!(small.view(virginia).price_per_hour, 0.0208);
        assert_eq!(small.view(seoul).price_per_hour, 0.025);
        for r in GPU_REGIONS {
            assert!(c.region(r).is_some(), "{r}");
        }
    }
}
