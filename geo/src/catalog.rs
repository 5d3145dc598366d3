//! The region catalog: provider, region code, name, city and coordinates.
//!
//! The built-in catalog (`data/regions.csv`) lists every public region of AWS,
//! Azure, GCP and Alibaba Cloud plus the simulated cloud's regions. Operators
//! extend or correct it with a CSV file of their own in the same layout
//! ([`Catalog::from_csv_file`] then [`Catalog::merge`]): a row with the same
//! provider and code replaces the built-in one, any other row is added.

use serde::{Deserialize, Serialize};

use crate::latency::Point;

/// The catalog shipped with mcgw (public facts about each provider's regions).
const BUILTIN: &str = include_str!("../data/regions.csv");

/// One cloud region: where it is, so that latency to it can be estimated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    /// Provider key, lower case: `aws`, `azure`, `gcp`, `alibaba`, `sim`, ...
    pub provider: String,
    /// The provider's region code, e.g. `eu-west-1`.
    pub code: String,
    /// Human name.
    pub display_name: String,
    /// City the region is in or nearest to.
    pub city: String,
    /// ISO 3166 alpha-2 country code.
    pub country: String,
    /// Latitude in decimal degrees.
    pub latitude: f64,
    /// Longitude in decimal degrees.
    pub longitude: f64,
}

impl Region {
    /// The region's location, for latency estimates.
    pub fn point(&self) -> Point {
        Point::new(self.latitude, self.longitude)
    }

    /// `provider/code`, the way the engine names a region in messages.
    pub fn key(&self) -> String {
        format!("{}/{}", self.provider, self.code)
    }
}

/// Why a catalog could not be loaded (names the row or file at fault).
#[derive(Debug)]
pub struct CatalogError(pub String);

impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CatalogError {}

/// A set of regions, unique by (provider, code), in a stable order.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    regions: Vec<Region>,
}

impl Catalog {
    /// The catalog compiled into mcgw: every public region of AWS, Azure, GCP
    /// and Alibaba Cloud, and the simulated cloud's regions (`sim`).
    pub fn builtin() -> Catalog {
        Catalog::from_csv(BUILTIN).expect("the built-in region catalog is valid")
    }

    /// Parse a catalog in the CSV layout of `data/regions.csv`, validating
    /// coordinates and uniqueness.
    /// Cells are trimmed and lines starting with `#` are comments, so that
    /// hand-written operator files are forgiving.
    pub fn from_csv(text: &str) -> Result<Catalog, CatalogError> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        let mut catalog = Catalog::default();
        for (i, row) in reader.deserialize::<Region>().enumerate() {
            let region = row.map_err(|e| CatalogError(format!("row {}: {e}", i + 2)))?;
            catalog
                .insert(region)
                .map_err(|e| CatalogError(format!("row {}: {}", i + 2, e.0)))?;
        }
        Ok(catalog)
    }

    /// Load an operator's catalog file (same columns as `data/regions.csv`).
    ///
    /// This is the only function of the crate that touches the file system; it
    /// exists so that the gateway and its CLI read extension files the same way.
    pub fn from_csv_file(path: impl AsRef<std::path::Path>) -> Result<Catalog, CatalogError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| CatalogError(format!("{}: {e}", path.display())))?;
        Catalog::from_csv(&text).map_err(|e| CatalogError(format!("{}: {}", path.display(), e.0)))
    }

    /// Add every region of `other`, replacing regions with the same provider
    /// and code: an operator's file overrides the built-in facts (e.g. a
    /// corrected city) and adds private or new regions.
    pub fn merge(&mut self, other: Catalog) {
        for region in other.regions {
            // `other` was validated when it was built, so insert cannot fail.
            match self
                .regions
                .iter_mut()
                .find(|r| r.provider == region.provider && r.code == region.code)
            {
                Some(existing) => *existing = region,
                None => self.regions.push(region),
            }
        }
    }

    /// Number of regions.
    pub fn len(&self) -> usize {
        self.regions.len()
    }

    /// True when the catalog has no region.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// Distinct provider keys, sorted, so callers can list and validate them.
    pub fn providers(&self) -> Vec<&str> {
        let mut providers: Vec<&str> = self.regions.iter().map(|r| r.provider.as_str()).collect();
        providers.sort_unstable();
        providers.dedup();
        providers
    }

    /// Add a region or replace the one with the same provider and code.
    pub fn insert(&mut self, region: Region) -> Result<(), CatalogError> {
        if !region.latitude.is_finite() || !(-90.0..=90.0).contains(&region.latitude) {
            return Err(CatalogError(format!(
                "{}/{}: latitude {} out of range",
                region.provider, region.code, region.latitude
            )));
        }
        if !region.longitude.is_finite() || !(-180.0..=180.0).contains(&region.longitude) {
            return Err(CatalogError(format!(
                "{}/{}: longitude {} out of range",
                region.provider, region.code, region.longitude
            )));
        }
        if region.provider.is_empty() || region.code.is_empty() {
            return Err(CatalogError("provider and code must not be empty".into()));
        }
        match self
            .regions
            .iter_mut()
            .find(|r| r.provider == region.provider && r.code == region.code)
        {
            Some(existing) => *existing = region,
            None => self.regions.push(region),
        }
        Ok(())
    }

    /// All regions, in catalog order (file order, merged regions appended).
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// Regions of one provider, in catalog order.
    pub fn provider<'a>(&'a self, provider: &'a str) -> impl Iterator<Item = &'a Region> + 'a {
        self.regions.iter().filter(move |r| r.provider == provider)
    }

    /// Look up one region by provider key and region code.
    pub fn get(&self, provider: &str, code: &str) -> Option<&Region> {
        self.regions
            .iter()
            .find(|r| r.provider == provider && r.code == code)
    }
}
