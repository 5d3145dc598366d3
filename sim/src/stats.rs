//! Request counters for `GET /admin/stats`.
//!
//! Tests use them to check what the gateway actually sent (e.g. that it
//! retried after throttling, or cached a list).

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;

/// Counters since start (not persisted, not reset by `/admin/reset`).
#[derive(Debug, Default)]
pub struct Stats {
    inner: Mutex<Snapshot>,
}

/// What `GET /admin/stats` answers.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Snapshot {
    /// Every `/v1` request, authenticated or not.
    pub requests: u64,
    /// Per operation name (`instances.create`, `vpcs.list`, ...).
    pub by_operation: BTreeMap<&'static str, u64>,
    /// Injected 429s.
    pub throttled: u64,
    /// Injected 500s and 503s.
    pub injected_errors: u64,
}

impl Stats {
    fn with(&self, f: impl FnOnce(&mut Snapshot)) {
        f(&mut self.inner.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Count a `/v1` request, under its operation name if it has one.
    pub fn request(&self, operation: Option<&'static str>) {
        self.with(|s| {
            s.requests += 1;
            if let Some(op) = operation {
                *s.by_operation.entry(op).or_default() += 1;
            }
        })
    }

    pub fn throttled(&self) {
        self.with(|s| s.throttled += 1)
    }

    pub fn injected_error(&self) {
        self.with(|s| s.injected_errors += 1)
    }

    pub fn snapshot(&self) -> Snapshot {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
