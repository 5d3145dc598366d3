//! The unauthenticated admin API: health, behaviour, accounts, a view of every
//! instance, counters and reset. Meant for tests and operators on loopback.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use crate::api::extract::{JsonBody, json};
use crate::api::method_not_allowed;
use crate::app::App;
use crate::clock::now_ms;
use crate::config::{Account, BehaviourPatch, valid_key};
use crate::errors::{ApiError, ApiResult};
use crate::model::InstanceView;

/// The admin routes.
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/health", get(health))
        .route("/admin/config", get(get_config).patch(patch_config))
        .route("/admin/accounts", get(list_accounts).post(add_account))
        .route("/admin/instances", get(all_instances))
        .route("/admin/stats", get(stats))
        .route("/admin/reset", post(reset))
        .method_not_allowed_fallback(method_not_allowed)
}

async fn health() -> Response {
    json(StatusCode::OK, &serde_json::json!({ "status": "ok" }))
}

async fn get_config(State(app): State<Arc<App>>) -> Response {
    app.read(|s| json(StatusCode::OK, &s.behaviour))
}

/// Merge a partial behaviour; an invalid result leaves the old one in place.
async fn patch_config(
    State(app): State<Arc<App>>,
    JsonBody(patch): JsonBody<BehaviourPatch>,
) -> ApiResult<Response> {
    app.write(|s| {
        let merged = s
            .behaviour
            .merged(&patch, |r| app.catalog.region(r).is_some())
            .map_err(ApiError::invalid)?;
        s.behaviour = merged;
        Ok(json(StatusCode::OK, &s.behaviour))
    })
}

/// `POST /admin/accounts` body (strict, unlike [`Account`] which is also
/// read from configuration files).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAccount {
    access_key: String,
    secret_key: String,
}

#[derive(Serialize)]
struct AccessKey<'a> {
    access_key: &'a str,
}

/// 201 for a new account, 200 when the same pair is already known (so setup
/// scripts can be re-run), 409 `AccountAlreadyExists` for a different secret.
async fn add_account(
    State(app): State<Arc<App>>,
    JsonBody(NewAccount {
        access_key,
        secret_key,
    }): JsonBody<NewAccount>,
) -> ApiResult<Response> {
    let account = Account {
        access_key,
        secret_key,
    };
    if !valid_key(&account.access_key) || !valid_key(&account.secret_key) {
        return Err(ApiError::invalid(
            "access_key and secret_key must be 1..=128 printable ASCII characters without ',' or '='",
        ));
    }
    app.write(|s| {
        let status = match s.accounts.get(&account.access_key) {
            Some(a) if a.secret_key == account.secret_key => StatusCode::OK,
            Some(_) => {
                return Err(ApiError::conflict(
                    "AccountAlreadyExists",
                    format!(
                        "account {} exists with another secret key",
                        account.access_key
                    ),
                ));
            }
            None => StatusCode::CREATED,
        };
        let response = json(
            status,
            &AccessKey {
                access_key: &account.access_key,
            },
        );
        s.put_account(account, true);
        Ok(response)
    })
}

async fn list_accounts(State(app): State<Arc<App>>) -> Response {
    app.read(|s| {
        let keys: Vec<_> = s
            .accounts
            .keys()
            .map(|k| AccessKey { access_key: k })
            .collect();
        json(StatusCode::OK, &serde_json::json!({ "accounts": keys }))
    })
}

#[derive(Serialize)]
struct Owned<'a> {
    account: &'a str,
    instance: InstanceView<'a>,
    /// Not in the tenant API; here so tests can check what was passed through.
    user_data: Option<&'a str>,
}

/// Every visible instance of every account in every region, ordered by
/// account, region and id.
async fn all_instances(State(app): State<Arc<App>>) -> Response {
    let now = now_ms();
    app.read(|s| {
        let retention = s.behaviour.terminated_retention_ms;
        let mut regions: Vec<_> = s
            .tenants
            .iter()
            .flat_map(|(acct, regions)| regions.iter().map(move |(r, rs)| (acct, r, rs)))
            .collect();
        regions.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let all: Vec<_> = regions
            .into_iter()
            .flat_map(|(acct, r, rs)| {
                rs.instances
                    .values()
                    .filter(move |i| !i.expired(now, retention))
                    .map(move |i| Owned {
                        account: acct,
                        instance: i.view(r, now),
                        user_data: i.user_data.as_deref(),
                    })
            })
            .collect();
        json(StatusCode::OK, &serde_json::json!({ "instances": all }))
    })
}

async fn stats(State(app): State<Arc<App>>) -> Response {
    json(StatusCode::OK, &app.stats.snapshot())
}

async fn reset(State(app): State<Arc<App>>) -> Response {
    app.write(|s| s.reset());
    StatusCode::NO_CONTENT.into_response()
}
