//! The outbound HTTP hook: every request an adapter makes through
//! `wasi:http/outgoing-handler` arrives here. The allow-list is checked first (a
//! refused request is logged and never sent); allowed requests go through one
//! pooled client with a timeout, no redirects (a redirect could leave the
//! allow-list) and one trace line each.

use super::allowlist::AllowList;
use http_body_util::{BodyExt, Limited};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

/// Largest request body an adapter may send.
const MAX_REQUEST_BODY: usize = 16 * 1024 * 1024;

type BoxFuture<T> = Box<dyn Future<Output = T> + Send>;

/// The client shared by all adapters (connection pooling across calls).
pub fn shared_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_max_idle_per_host(64)
        .tcp_nodelay(true)
        .connect_timeout(Duration::from_secs(10))
        .build()
        .expect("building the outbound HTTP client")
}

/// The per-call policy of one adapter.
pub struct OutboundHooks {
    /// `name@version` of the adapter, for logs.
    pub adapter: Arc<str>,
    /// Where it may go.
    pub allow: Arc<AllowList>,
    /// Longest wait for a response to start.
    pub timeout: Duration,
    /// The pooled client.
    pub client: reqwest::Client,
}

impl WasiHttpHooks for OutboundHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _request_body_errors: BoxFuture<Result<(), Error>>,
    ) -> BoxFuture<Result<(http::Response<WasiBody>, BoxFuture<Result<(), Error>>), Error>> {
        let adapter = self.adapter.clone();
        let uri = request.uri().clone();
        let host = uri.host().unwrap_or("").to_string();
        let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
            Some("https") => 443,
            _ => 80,
        });
        if !self.allow.allows(&host, port) {
            tracing::warn!(
                adapter = %adapter,
                method = %request.method(),
                host = %host,
                port,
                "outbound request denied: host not in the adapter's allow-list"
            );
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }
        let timeout = options
            .and_then(|o| o.first_byte_timeout)
            .map_or(self.timeout, |t| t.min(self.timeout));
        let client = self.client.clone();
        Box::new(async move {
            let started = Instant::now();
            let (parts, body) = request.into_parts();
            let body = Limited::new(body, MAX_REQUEST_BODY)
                .collect()
                .await
                .map_err(|_| Error::HttpRequestBodySize(None))?
                .to_bytes();
            let mut builder = client
                .request(parts.method.clone(), uri.to_string())
                .timeout(timeout)
                .body(body);
            for (name, value) in parts.headers.iter() {
                builder = builder.header(name, value);
            }
            let result = builder.send().await;
            let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
            // The path only: query strings can carry signatures and key ids.
            let response = match result {
                Ok(r) => {
                    tracing::debug!(adapter = %adapter, method = %parts.method, host = %host, path = %uri.path(), status = r.status().as_u16(), elapsed_ms, "outbound");
                    r
                }
                Err(e) => {
                    tracing::warn!(adapter = %adapter, method = %parts.method, host = %host, path = %uri.path(), elapsed_ms, "outbound failed: {}", without_url(&e));
                    return Err(classify(&e));
                }
            };
            let response: http::Response<reqwest::Body> = response.into();
            let response = response.map(|b| {
                b.map_frame(|f| f)
                    .map_err(|e| Error::InternalError(Some(without_url(&e))))
                    .boxed_unsync()
            });
            let done: BoxFuture<Result<(), Error>> = Box::new(async { Ok(()) });
            Ok((response, done))
        })
    }
}

/// reqwest errors print the URL, query included; keep only the kind and causes.
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect error"
    } else if e.is_body() {
        "body error"
    } else {
        "request error"
    };
    let mut message = kind.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

fn classify(e: &reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::ConnectionReadTimeout
    } else if e.is_connect() {
        Error::ConnectionRefused
    } else {
        Error::InternalError(Some(without_url(e)))
    }
}
