//! Catalog endpoints: regions, images, specs, and the latency model.
//!
//! Read-only and the same for every account; images and specs are scoped to a
//! region because availability and prices are.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use mcgw_geo::{LatencyModel, Point};
use serde::Serialize;

use super::extract::{Params, json, query_pairs};
use super::region;
use crate::app::App;
use crate::catalog::{IMAGES, SimRegion};
use crate::errors::{ApiError, ApiResult};

#[derive(Serialize)]
struct Regions<'a> {
    regions: &'a [SimRegion],
}

/// `GET /v1/regions`
pub async fn list_regions(State(app): State<Arc<App>>) -> Response {
    json(
        StatusCode::OK,
        &Regions {
            regions: app.catalog.regions(),
        },
    )
}

/// `GET /v1/regions/{region}/images`
pub async fn list_images(
    State(app): State<Arc<App>>,
    Params(r): Params<String>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({ "images": &IMAGES[..] }),
    ))
}

/// `GET /v1/regions/{region}/images/{id}`
pub async fn get_image(
    State(app): State<Arc<App>>,
    Params((r, id)): Params<(String, String)>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    let image = app.catalog.image(&id).ok_or_else(|| {
        ApiError::not_found("ImageNotFound", format!("image {id} does not exist"))
    })?;
    Ok(json(StatusCode::OK, image))
}

/// `GET /v1/regions/{region}/specs`
pub async fn list_specs(
    State(app): State<Arc<App>>,
    Params(r): Params<String>,
) -> ApiResult<Response> {
    let region = region(&app, &r)?;
    let specs: Vec<_> = app.catalog.specs(region).map(|s| s.view(region)).collect();
    Ok(json(StatusCode::OK, &serde_json::json!({ "specs": specs })))
}

/// `GET /v1/regions/{region}/specs/{name}`
pub async fn get_spec(
    State(app): State<Arc<App>>,
    Params((r, name)): Params<(String, String)>,
) -> ApiResult<Response> {
    let region = region(&app, &r)?;
    let spec = app.catalog.spec(region, &name).ok_or_else(|| {
        ApiError::not_found("SpecNotFound", format!("spec {name} is not offered in {r}"))
    })?;
    Ok(json(StatusCode::OK, &spec.view(region)))
}

#[derive(Serialize)]
struct Latency<'a> {
    region: &'a str,
    rtt_ms: f64,
}

/// `GET /v1/regions/{region}/latency?lat=..&lon=..`
pub async fn latency(
    State(app): State<Arc<App>>,
    Params(r): Params<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let region = region(&app, &r)?;
    let (mut lat, mut lon) = (None, None);
    for (k, v) in query_pairs(query.as_deref()) {
        let slot = match k.as_str() {
            "lat" => &mut lat,
            "lon" => &mut lon,
            _ => return Err(ApiError::invalid(format!("unknown query parameter {k}"))),
        };
        if slot.is_some() {
            return Err(ApiError::invalid(format!("{k} given twice")));
        }
        *slot = Some(coordinate(&k, &v)?);
    }
    let lat = lat.ok_or_else(|| ApiError::missing("lat"))?;
    let lon = lon.ok_or_else(|| ApiError::missing("lon"))?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(ApiError::invalid(
            "lat must be in -90..=90 and lon in -180..=180",
        ));
    }
    let client = Point {
        latitude: lat,
        longitude: lon,
    };
    let site = Point {
        latitude: region.latitude,
        longitude: region.longitude,
    };
    let rtt_ms = LatencyModel::default().rtt_ms(client, site);
    Ok(json(
        StatusCode::OK,
        &Latency {
            region: &region.name,
            rtt_ms,
        },
    ))
}

fn coordinate(name: &str, value: &str) -> ApiResult<f64> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| ApiError::invalid(format!("{name}={value:?} is not a number")))
}
