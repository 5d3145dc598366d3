//! Glance v2 images: every page of the list (marker paging through `next`),
//! and one image by id. The OS facts come from Glance's common image
//! properties (`os_type`, `os_distro`, `os_version`, `architecture`).

use crate::client::{Service, Session};
use crate::paging::{MAX_PAGES, marker_in, page_query};
use mcgw_sdk::{Error, ImageInfo, Result};
use serde::Deserialize;

/// All images the project can see.
pub fn list(s: &Session) -> Result<Vec<ImageInfo>> {
    let mut all = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let query = page_query(&[], &marker);
        let page: Page = s.get(Service::Image, "/images", &query)?;
        let done = page.images.is_empty();
        all.extend(page.images.into_iter().map(info));
        match page.next.as_deref().and_then(marker_in) {
            Some(m) if !done => marker = Some(m),
            _ => return Ok(all),
        }
    }
    Err(Error::csp_failure("image listing did not end"))
}

/// One image; Glance's 404 stays a 404.
pub fn get(s: &Session, id: &str) -> Result<ImageInfo> {
    let path = format!("/images/{}", mcgw_sdk::http::encode(id));
    let i: Image = s.get(Service::Image, &path, &[])?;
    Ok(info(i))
}

fn info(i: Image) -> ImageInfo {
    let distribution = match (i.os_distro, i.os_version) {
        (Some(d), Some(v)) => Some(format!("{d} {v}")),
        (Some(d), None) => Some(d),
        _ => None,
    };
    ImageInfo {
        id: i.id,
        name: i.name.unwrap_or_default(),
        os_type: i.os_type.map(|t| t.to_ascii_lowercase()),
        os_distribution: distribution,
        architecture: i.architecture,
        min_disk_gib: i.min_disk,
        status: i.status,
        public: i.visibility.as_deref() == Some("public"),
    }
}

#[derive(Deserialize)]
struct Page {
    images: Vec<Image>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct Image {
    id: String,
    name: Option<String>,
    status: String,
    visibility: Option<String>,
    min_disk: Option<u32>,
    os_type: Option<String>,
    os_distro: Option<String>,
    os_version: Option<String>,
    architecture: Option<String>,
}
