//! A small REST client for the CLI: sends JSON, unwraps the envelope, and turns
//! error envelopes into readable messages (exit status 1).

use anyhow::{Result, anyhow, bail};
use serde::Serialize;
use serde_json::Value;

/// The gateway's API.
pub struct Api {
    base: String,
    http: reqwest::Client,
    /// Print raw JSON instead of tables.
    pub json: bool,
}

impl Api {
    /// A client for `base` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base: &str, json: bool) -> Api {
        Api {
            base: base.trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
            json,
        }
    }

    /// GET `path`; the envelope's `data`.
    pub async fn get(&self, path: &str) -> Result<Value> {
        self.send(self.http.get(self.url(path))).await
    }

    /// POST `body` to `path`; the envelope's `data`.
    pub async fn post<B: Serialize>(&self, path: &str, body: &B) -> Result<Value> {
        self.send(self.http.post(self.url(path)).json(body)).await
    }

    /// PUT `body` to `path`; the envelope's `data`.
    pub async fn put<B: Serialize>(&self, path: &str, body: &B) -> Result<Value> {
        self.send(self.http.put(self.url(path)).json(body)).await
    }

    /// POST raw bytes (a component) to `path`; the envelope's `data`.
    pub async fn post_bytes(&self, path: &str, bytes: Vec<u8>) -> Result<Value> {
        self.send(
            self.http
                .post(self.url(path))
                .header("content-type", "application/wasm")
                .body(bytes),
        )
        .await
    }

    /// Send and return (HTTP status, whole envelope) without failing on errors.
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value)> {
        let mut req = self.http.request(method, self.url(path));
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.map_err(|e| {
            anyhow!(
                "cannot reach the gateway at {} ({})",
                self.base,
                e.without_url()
            )
        })?;
        let status = resp.status().as_u16();
        let body = resp.json().await.unwrap_or(Value::Null);
        Ok((status, body))
    }

    /// DELETE `path`; the envelope's `data`.
    pub async fn delete(&self, path: &str) -> Result<Value> {
        self.send(self.http.delete(self.url(path))).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<Value> {
        let resp = req.send().await.map_err(|e| {
            anyhow!(
                "cannot reach the gateway at {} ({}); is `mcgw serve` running?",
                self.base,
                e.without_url()
            )
        })?;
        let status = resp.status();
        let body: Value = resp.json().await.map_err(|e| {
            anyhow!("the gateway answered HTTP {status} without a JSON envelope: {e}")
        })?;
        if status.is_success() {
            return Ok(body.get("data").cloned().unwrap_or(Value::Null));
        }
        let code = body["code"].as_str().unwrap_or("Error");
        let mut msg = format!(
            "{code} ({status}): {}",
            body["message"].as_str().unwrap_or("")
        );
        if let Some(f) = body["field"].as_str() {
            msg.push_str(&format!("\n  field: {f}"));
        }
        if let Some(csp) = body.get("csp") {
            msg.push_str(&format!(
                "\n  csp: {} {}",
                csp["code"].as_str().unwrap_or(""),
                csp["message"].as_str().unwrap_or("")
            ));
        }
        bail!(msg)
    }
}

/// Percent-encode a path segment.
pub fn seg(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
