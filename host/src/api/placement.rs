//! Placement: the best region for a meeting, the best k sites for a fleet, and
//! the region catalog they choose from.

use super::envelope::{Reply, ok};
use super::extract::ApiJson;
use crate::error::Result;
use crate::placement::{FleetAnswer, FleetReq, MeetingAnswer, MeetingReq};
use crate::services::Gateway;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use std::collections::HashMap;

pub fn routes() -> Router<Gateway> {
    Router::new()
        .route("/v1/placement/meeting", post(meeting))
        .route("/v1/placement/fleet", post(fleet))
        .route("/v1/placement/regions", get(regions))
        // User populations are large, even aggregated into cells.
        .layer(axum::extract::DefaultBodyLimit::max(64 << 20))
}

/// The region that serves a meeting's participants best (min-max or min-mean
/// round trip), with each participant's expected RTT and what a random and
/// the worst region would give.
#[utoipa::path(post, path = "/v1/placement/meeting", tag = "placement", request_body = MeetingReq, responses((status = 200, description = "OK", body = MeetingAnswer), (status = 400, description = "BadRequestData naming the field")))]
pub async fn meeting(
    State(gw): State<Gateway>,
    ApiJson(req): ApiJson<MeetingReq>,
) -> Result<Reply<MeetingAnswer>> {
    Ok(ok(gw.place_meeting(req).await?))
}

/// k sites (or the fewest meeting a latency target) for a user population,
/// minimising weighted mean RTT plus a cost weight, under constraints.
#[utoipa::path(post, path = "/v1/placement/fleet", tag = "placement", request_body = FleetReq, responses((status = 200, description = "OK", body = FleetAnswer), (status = 400, description = "BadRequestData naming the field")))]
pub async fn fleet(
    State(gw): State<Gateway>,
    ApiJson(req): ApiJson<FleetReq>,
) -> Result<Reply<FleetAnswer>> {
    Ok(ok(gw.place_fleet(req).await?))
}

/// Every known region (`?provider=aws` for one provider).
#[utoipa::path(get, path = "/v1/placement/regions", tag = "placement", params(("provider" = Option<String>, Query)), responses((status = 200, description = "OK")))]
pub async fn regions(
    State(gw): State<Gateway>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply<Vec<mcgw_geo::Region>> {
    let list = gw
        .world
        .catalog
        .regions()
        .iter()
        .filter(|r| q.get("provider").is_none_or(|p| &r.provider == p))
        .cloned()
        .collect();
    ok(list)
}
