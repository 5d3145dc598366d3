//! Starting and stopping a simulator: load the state, serve HTTP, run the
//! background saver and sweeper, save once more on shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::http::{HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;
use tower_http::catch_panic::CatchPanicLayer;

use crate::app::App;
use crate::catalog::SimCatalog;
use crate::clock::now_ms;
use crate::config::BehaviourPatch;
use crate::errors::{ApiError, REQUEST_ID_HEADER};
use crate::store::Store;
use crate::{SimConfig, admin, api, ids, persist};

/// How often TERMINATED instances past retention are dropped from memory.
const SWEEP_INTERVAL: Duration = Duration::from_secs(1);

/// Serve until `shutdown` completes, with `overrides` applied on top of the
/// persisted (or configured) behaviour.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    config: SimConfig,
    overrides: BehaviourPatch,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let catalog = SimCatalog::builtin();
    let known = |r: &str| catalog.region(r).is_some();
    let loaded = match &config.state_path {
        Some(path) => persist::load(path)?,
        None => None,
    };
    let mut store = match loaded {
        Some(store) => store,
        None => {
            config
                .behaviour
                .validate(known)
                .map_err(anyhow::Error::msg)
                .context("invalid behaviour")?;
            Store::new(config.behaviour.clone())
        }
    };
    store.behaviour = store
        .behaviour
        .merged(&overrides, known)
        .map_err(anyhow::Error::msg)
        .context("invalid behaviour")?;
    for account in config.accounts {
        store.put_config_account(account);
    }
    let app = Arc::new(App::new(store, catalog));
    let (stop_tx, stop_rx) = watch::channel(false);
    let saver = config
        .state_path
        .clone()
        .map(|path| tokio::spawn(persist::run_saver(app.clone(), path, stop_rx.clone())));
    let sweeper = tokio::spawn(sweep(app.clone(), stop_rx));

    let addr = listener.local_addr().ok();
    tracing::info!(?addr, state = ?config.state_path, "simulated cloud listening");
    let served = axum::serve(listener, router(app.clone()))
        .with_graceful_shutdown(shutdown)
        .await;
    let _ = stop_tx.send(true);
    let _ = sweeper.await;
    if let Some(saver) = saver {
        saver.await.context("the state saver failed")?;
    }
    tracing::info!(?addr, "simulated cloud stopped");
    served.context("serving HTTP")
}

/// All routes with the outer layers: 404 and panic envelopes, request ids.
fn router(app: Arc<App>) -> Router {
    Router::new()
        .merge(api::router(app.clone()))
        .merge(admin::router())
        .fallback(|uri: Uri| async move { ApiError::no_route(uri.path()) })
        .layer(axum::middleware::map_response(add_request_id))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("the simulator failed unexpectedly").into_response()
        }))
        .with_state(app)
}

/// Every answer carries `x-sim-request-id` (errors already have one, matching
/// their body).
async fn add_request_id(mut response: Response) -> Response {
    if !response.headers().contains_key(REQUEST_ID_HEADER)
        && let Ok(v) = HeaderValue::from_str(&ids::request_id())
    {
        response.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    response
}

/// Drop expired TERMINATED instances every second until stopped.
async fn sweep(app: Arc<App>, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(SWEEP_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let now = now_ms();
                app.write_if(|s| {
                    let purged = s.purge_expired(now);
                    ((), purged > 0)
                });
            }
            _ = stop.changed() => return,
        }
    }
}
