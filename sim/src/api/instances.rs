//! Instances after launch: list (paged, tag-filtered), get, state, actions, delete.
//!
//! States are computed on read from the stored transition, so these handlers
//! never need a timer; TERMINATED instances past retention answer 404.

use std::ops::Bound;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::extract::{Caller, JsonBody, Params, TagFilters, json, query_pairs, tag_filter};
use super::region;
use crate::app::App;
use crate::clock::now_ms;
use crate::errors::{ApiError, ApiResult};
use crate::model::{Instance, InstanceView, tags_match};
use crate::state_machine::{Action, State as VmState, Step};

/// Page size without `limit`.
const DEFAULT_LIMIT: usize = 50;
/// Largest page.
const MAX_LIMIT: usize = 200;

fn not_found(id: &str) -> ApiError {
    ApiError::not_found("InstanceNotFound", format!("instance {id} does not exist"))
}

struct ListQuery {
    tags: TagFilters,
    limit: usize,
    after: Option<String>,
}

fn parse_list_query(raw: Option<&str>) -> ApiResult<ListQuery> {
    let mut q = ListQuery {
        tags: Vec::new(),
        limit: DEFAULT_LIMIT,
        after: None,
    };
    let (mut seen_limit, mut seen_token) = (false, false);
    for (k, v) in query_pairs(raw) {
        match k.as_str() {
            "tag" => q.tags.push(tag_filter(&v)?),
            "limit" if !seen_limit => {
                seen_limit = true;
                q.limit = v
                    .parse::<usize>()
                    .ok()
                    .filter(|l| (1..=MAX_LIMIT).contains(l))
                    .ok_or_else(|| ApiError::invalid(format!("limit must be 1..={MAX_LIMIT}")))?;
            }
            "page_token" if !seen_token => {
                seen_token = true;
                q.after = Some(decode_token(&v)?);
            }
            "limit" | "page_token" => return Err(ApiError::invalid(format!("{k} given twice"))),
            _ => return Err(ApiError::invalid(format!("unknown query parameter {k}"))),
        }
    }
    Ok(q)
}

/// Page tokens are the hex of the last id returned: opaque to clients, and
/// stable when instances come and go between pages.
fn encode_token(last_id: &str) -> String {
    hex::encode(last_id)
}

fn decode_token(token: &str) -> ApiResult<String> {
    hex::decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .filter(|id| id.starts_with("i-"))
        .ok_or_else(|| ApiError::invalid("page_token is not a token this API returned"))
}

#[derive(Serialize)]
struct Page<'a> {
    instances: Vec<InstanceView<'a>>,
    next_page_token: Option<String>,
}

/// `GET /v1/regions/{region}/instances?tag=k=v&limit=50&page_token=...`
pub async fn list(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params(r): Params<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    region(&app, &r)?;
    let q = parse_list_query(query.as_deref())?;
    let now = now_ms();
    Ok(app.read(|store| {
        let retention = store.behaviour.terminated_retention_ms;
        let mut page = Page {
            instances: Vec::new(),
            next_page_token: None,
        };
        let Some(rs) = store.region(&account, &r) else {
            return json(StatusCode::OK, &page);
        };
        let start = q.after.map_or(Bound::Unbounded, Bound::Excluded);
        let matching = rs
            .instances
            .range::<String, _>((start, Bound::Unbounded))
            .map(|(_, i)| i)
            .filter(|i| !i.expired(now, retention) && tags_match(&i.tags, &q.tags));
        for inst in matching {
            if page.instances.len() == q.limit {
                // Only hand out a token when another match exists: no empty last page.
                page.next_page_token = page.instances.last().map(|v| encode_token(v.id));
                break;
            }
            page.instances.push(inst.view(&r, now));
        }
        json(StatusCode::OK, &page)
    }))
}

/// Find a visible instance of the caller.
fn find<'a>(
    store: &'a crate::store::Store,
    account: &str,
    region: &str,
    id: &str,
    now: u64,
) -> ApiResult<&'a Instance> {
    let retention = store.behaviour.terminated_retention_ms;
    store
        .region(account, region)
        .and_then(|rs| rs.instances.get(id))
        .filter(|i| !i.expired(now, retention))
        .ok_or_else(|| not_found(id))
}

/// `GET /v1/regions/{region}/instances/{id}`
pub async fn get(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params((r, id)): Params<(String, String)>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    let now = now_ms();
    app.read(|store| {
        let inst = find(store, &account, &r, &id, now)?;
        Ok(json(StatusCode::OK, &inst.view(&r, now)))
    })
}

#[derive(Serialize)]
struct StateOnly<'a> {
    id: &'a str,
    state: VmState,
}

/// `GET /v1/regions/{region}/instances/{id}/state`: cheap polling.
pub async fn state(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params((r, id)): Params<(String, String)>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    let now = now_ms();
    app.read(|store| {
        let inst = find(store, &account, &r, &id, now)?;
        Ok(json(
            StatusCode::OK,
            &StateOnly {
                id: &inst.id,
                state: inst.state(now),
            },
        ))
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    action: Action,
}

/// `POST /v1/regions/{region}/instances/{id}/actions` `{"action": "stop"|"start"|"reboot"}`
pub async fn action(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params((r, id)): Params<(String, String)>,
    JsonBody(req): JsonBody<ActionRequest>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    let now = now_ms();
    app.write(|store| {
        let retention = store.behaviour.terminated_retention_ms;
        let t = store.tenant(&account, &r);
        let inst =
            t.rs.instances
                .get_mut(&id)
                .filter(|i| !i.expired(now, retention))
                .ok_or_else(|| not_found(&id))?;
        if inst.act(req.action, now, t.behaviour)? == Step::Start {
            // A started instance comes back with a new public address.
            inst.public_ip = t.public_ips.allocate();
        }
        Ok(json(StatusCode::OK, &inst.view(&r, now)))
    })
}

/// `DELETE /v1/regions/{region}/instances/{id}` → 200 with the instance,
/// TERMINATING (or as it was, if already going or gone).
pub async fn delete(
    State(app): State<Arc<App>>,
    Caller(account): Caller,
    Params((r, id)): Params<(String, String)>,
) -> ApiResult<Response> {
    region(&app, &r)?;
    let now = now_ms();
    app.write(|store| {
        let retention = store.behaviour.terminated_retention_ms;
        let t = store.tenant(&account, &r);
        let inst =
            t.rs.instances
                .get_mut(&id)
                .filter(|i| !i.expired(now, retention))
                .ok_or_else(|| not_found(&id))?;
        let began = inst.delete(now, t.behaviour);
        let end_of_life = inst.end_of_life();
        let response = json(StatusCode::OK, &inst.view(&r, now));
        if began {
            t.rs.instance_deleted(&id, end_of_life);
        }
        Ok(response)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        let t = encode_token("i-0123456789abcdef");
        assert_eq!(decode_token(&t).unwrap(), "i-0123456789abcdef");
        assert!(decode_token("zz").is_err());
        assert!(decode_token(&hex::encode("vpc-1")).is_err());
    }

    #[test]
    fn list_queries() {
        let q = parse_list_query(Some("tag=env%3Dprod&tag=team&limit=2")).unwrap();
        assert_eq!(
            q.tags,
            vec![("env".into(), Some("prod".into())), ("team".into(), None)]
        );
        assert_eq!(q.limit, 2);
        assert!(parse_list_query(Some("limit=0")).is_err());
        assert!(parse_list_query(Some("limit=201")).is_err());
        assert!(parse_list_query(Some("limit=1&limit=2")).is_err());
        assert!(parse_list_query(Some("colour=red")).is_err());
        assert!(parse_list_query(Some("tag==x")).is_err());
    }
}
