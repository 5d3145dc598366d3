//! The REST API (axum on hyper): one file per resource, the envelope, the JSON
//! extractor, DTOs shared with the CLI, and the OpenAPI document.
//!
//! Every answer, including unknown paths (404) and wrong methods (405), uses
//! the common envelope of `envelope.rs`.

mod adapters;
mod connections;
pub mod dto;
pub mod envelope;
mod extract;
mod mcis;
mod namespaces;
mod network;
pub mod openapi;
mod placement;
mod system;
mod vms;

use crate::error::{Code, Error};
use crate::services::Gateway;
use axum::Router;
use axum::http::Uri;

/// The whole API, ready to serve.
pub fn router(gateway: Gateway) -> Router {
    Router::new()
        .merge(system::routes())
        .merge(adapters::routes())
        .merge(connections::routes())
        .merge(namespaces::routes())
        .merge(network::routes())
        .merge(vms::routes())
        .merge(mcis::routes())
        .merge(placement::routes())
        .fallback(unknown_path)
        .layer(axum::middleware::from_fn(served_by))
        .method_not_allowed_fallback(wrong_method)
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        .with_state(gateway)
}

/// Report which adapter versions served a request (`x-mcgw-adapter`), so an
/// operator can see an activation take effect.
async fn served_by(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    crate::adapters::SERVED_BY
        .scope(std::cell::RefCell::new(Vec::new()), async move {
            let mut resp = next.run(req).await;
            let labels = crate::adapters::SERVED_BY.with(|s| s.borrow().join(", "));
            if !labels.is_empty()
                && let Ok(v) = axum::http::HeaderValue::from_str(&labels)
            {
                resp.headers_mut().insert("x-mcgw-adapter", v);
            }
            resp
        })
        .await
}

async fn unknown_path(uri: Uri) -> Error {
    Error::client(Code::NotFound, format!("no API at {}", uri.path()))
}

async fn wrong_method(method: axum::http::Method, uri: Uri) -> Error {
    Error::client(
        Code::MethodNotAllowed,
        format!("{method} is not defined for {}", uri.path()),
    )
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    Error::internal("the gateway hit a bug while handling this request").into_response()
}
