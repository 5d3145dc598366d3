//! Blocking HTTP over `wasi:http/outgoing-handler`, the only network an adapter has.
//!
//! The host decides whether a request may leave (allow-list) and enforces its
//! timeout; a refused request comes back as a `csp-failure` naming the host.

use crate::bindings::wasi::http::outgoing_handler;
use crate::bindings::wasi::http::types::{
    ErrorCode, Fields, IncomingBody, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
};
use crate::bindings::wasi::io::streams::StreamError;
use crate::{Error, Result};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use std::time::Duration;

/// Characters escaped in query components (RFC 3986 unreserved are kept).
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encode one query key or value (RFC 3986, as SigV4 and most CSPs expect).
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, QUERY).to_string()
}

/// An HTTP request under construction.
#[derive(Debug, Clone)]
pub struct Request {
    method: String,
    url: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    timeout: Option<Duration>,
}

/// A complete HTTP response (body read to the end).
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Vec<u8>,
}

impl Request {
    /// A request with any method.
    pub fn new(method: &str, url: impl Into<String>) -> Self {
        Request {
            method: method.to_ascii_uppercase(),
            url: url.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Vec::new(),
            timeout: None,
        }
    }
    /// GET `url`.
    pub fn get(url: impl Into<String>) -> Self {
        Self::new("GET", url)
    }
    /// POST `url`.
    pub fn post(url: impl Into<String>) -> Self {
        Self::new("POST", url)
    }
    /// PUT `url`.
    pub fn put(url: impl Into<String>) -> Self {
        Self::new("PUT", url)
    }
    /// PATCH `url`.
    pub fn patch(url: impl Into<String>) -> Self {
        Self::new("PATCH", url)
    }
    /// DELETE `url`.
    pub fn delete(url: impl Into<String>) -> Self {
        Self::new("DELETE", url)
    }
    /// Add a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    /// Add `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }
    /// Append a query parameter (encoded when the request is sent).
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }
    /// Set a JSON body and its content type.
    pub fn json<T: serde::Serialize + ?Sized>(self, body: &T) -> Self {
        let bytes = serde_json::to_vec(body).expect("serialising a request body cannot fail");
        self.body(bytes, "application/json")
    }
    /// Set a raw body and its content type.
    pub fn body(mut self, body: Vec<u8>, content_type: &str) -> Self {
        self.body = body;
        self.header("content-type", content_type)
    }
    /// Ask the host to give up after `timeout` (the host may cap it).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    /// The method, upper case.
    pub fn method(&self) -> &str {
        &self.method
    }
    /// The URL including the encoded query string.
    pub fn full_url(&self) -> String {
        if self.query.is_empty() {
            return self.url.clone();
        }
        let q: Vec<String> = self
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        let sep = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{}{}", self.url, sep, q.join("&"))
    }
    /// Headers set so far.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }
    /// The body set so far.
    pub fn body_bytes(&self) -> &[u8] {
        &self.body
    }

    /// Send the request and read the whole response.
    /// Transport failures (refused by the host, connection errors, timeouts)
    /// are `csp-failure`; HTTP error statuses are returned as responses.
    pub fn send(self) -> Result<Response> {
        let url = self.full_url();
        let (scheme, authority, path) = split_url(&url)?;

        let headers = Fields::new();
        for (k, v) in &self.headers {
            headers
                .append(&k.to_ascii_lowercase(), v.as_bytes())
                .map_err(|e| Error::csp_failure(format!("invalid header {k}: {e:?}")))?;
        }
        if !self.body.is_empty() || matches!(self.method.as_str(), "POST" | "PUT" | "PATCH") {
            let _ = headers.set(
                "content-length",
                &[self.body.len().to_string().into_bytes()],
            );
        }
        let req = OutgoingRequest::new(headers);
        let method = match self.method.as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            "PATCH" => Method::Patch,
            "HEAD" => Method::Head,
            other => Method::Other(other.to_string()),
        };
        let bad = |what: &str| Error::csp_failure(format!("invalid {what} in {url}"));
        req.set_method(&method).map_err(|_| bad("method"))?;
        req.set_scheme(Some(&scheme)).map_err(|_| bad("scheme"))?;
        req.set_authority(Some(authority))
            .map_err(|_| bad("authority"))?;
        req.set_path_with_query(Some(path))
            .map_err(|_| bad("path"))?;

        let body = req.body().expect("outgoing body is taken once");
        {
            let stream = body.write().expect("body stream is taken once");
            for chunk in self.body.chunks(4096) {
                stream
                    .blocking_write_and_flush(chunk)
                    .map_err(|e| Error::csp_failure(format!("writing request body: {e:?}")))?;
            }
        }
        OutgoingBody::finish(body, None).map_err(|e| transport_error(&authority_of(&url), e))?;

        let options = self.timeout.map(|t| {
            let o = RequestOptions::new();
            let _ = o.set_first_byte_timeout(Some(t.as_nanos() as u64));
            o
        });
        let future = outgoing_handler::handle(req, options)
            .map_err(|e| transport_error(&authority_of(&url), e))?;
        let response = loop {
            if let Some(r) = future.get() {
                break r;
            }
            future.subscribe().block();
        };
        let response = response
            .map_err(|_| Error::csp_failure("response already taken"))?
            .map_err(|e| transport_error(&authority_of(&url), e))?;

        let status = response.status();
        let headers = response
            .headers()
            .entries()
            .into_iter()
            .map(|(k, v)| {
                (
                    k.to_ascii_lowercase(),
                    String::from_utf8_lossy(&v).into_owned(),
                )
            })
            .collect();
        let incoming = response
            .consume()
            .map_err(|_| Error::csp_failure("response body already taken"))?;
        let body = read_body(&incoming)?;
        drop(incoming);
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

fn read_body(incoming: &IncomingBody) -> Result<Vec<u8>> {
    let stream = incoming
        .stream()
        .map_err(|_| Error::csp_failure("response body stream already taken"))?;
    let mut body = Vec::new();
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => body.extend_from_slice(&chunk),
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(e)) => {
                return Err(Error::csp_failure(format!(
                    "reading response body: {}",
                    e.to_debug_string()
                )));
            }
        }
    }
    Ok(body)
}

fn authority_of(url: &str) -> String {
    split_url(url)
        .map(|(_, a, _)| a.to_string())
        .unwrap_or_default()
}

fn transport_error(authority: &str, e: ErrorCode) -> Error {
    match e {
        ErrorCode::HttpRequestDenied => Error::csp_failure(format!(
            "the host refused the request to {authority}: not in this adapter's allowed hosts"
        )),
        ErrorCode::ConnectionTimeout
        | ErrorCode::ConnectionReadTimeout
        | ErrorCode::HttpResponseTimeout => {
            Error::csp_failure(format!("timed out waiting for {authority}"))
        }
        other => Error::csp_failure(format!("request to {authority} failed: {other:?}")),
    }
}

/// Split `scheme://authority/path?query`.
fn split_url(url: &str) -> Result<(Scheme, &str, &str)> {
    let (scheme, rest) = if let Some(r) = url.strip_prefix("https://") {
        (Scheme::Https, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (Scheme::Http, r)
    } else {
        return Err(Error::bad_request(format!("not an http(s) URL: {url}")).field("endpoint"));
    };
    let cut = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(cut);
    if authority.is_empty() {
        return Err(Error::bad_request(format!("URL without a host: {url}")).field("endpoint"));
    }
    let path = if path.is_empty() { "/" } else { path };
    Ok((scheme, authority, path))
}

impl Response {
    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
    /// A header value by name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// Parse the body as JSON; an unparseable body is a `csp-failure`.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::csp_failure(format!(
                "unparseable JSON from the CSP (HTTP {}): {e}",
                self.status
            ))
        })
    }
    /// `Retry-After` in milliseconds, when the CSP sent one in seconds.
    pub fn retry_after_ms(&self) -> Option<u32> {
        self.header("retry-after")
            .and_then(|v| v.trim().parse::<u32>().ok())
            .map(|s| s.saturating_mul(1000))
    }
}
