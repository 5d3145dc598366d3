//! Catalog reads through a connection's adapter.

use super::Gateway;
use crate::error::Result;
use crate::runtime::bindings::{ImageInfo, RegionInfo, SpecInfo};

impl Gateway {
    /// Regions the connection's account can use.
    pub async fn regions(&self, conn: &str) -> Result<Vec<RegionInfo>> {
        let c = self.connection(conn).await?;
        self.client(&c).await?.list_regions().await
    }
    /// Images in the connection's region.
    pub async fn images(&self, conn: &str) -> Result<Vec<ImageInfo>> {
        let c = self.connection(conn).await?;
        self.client(&c).await?.list_images().await
    }
    /// One image.
    pub async fn image(&self, conn: &str, id: &str) -> Result<ImageInfo> {
        let c = self.connection(conn).await?;
        self.client(&c).await?.get_image(id).await
    }
    /// Specs in the connection's region.
    pub async fn specs(&self, conn: &str) -> Result<Vec<SpecInfo>> {
        let c = self.connection(conn).await?;
        self.client(&c).await?.list_specs().await
    }
    /// One spec.
    pub async fn spec(&self, conn: &str, name: &str) -> Result<SpecInfo> {
        let c = self.connection(conn).await?;
        self.client(&c).await?.get_spec(name).await
    }
}
