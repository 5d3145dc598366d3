//! The `cache` import: one moka cache in the host, partitioned so that an adapter
//! only ever sees entries written by the same adapter for the same credential.

use moka::Expiry;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longest time an entry may live, whatever the adapter asks.
const MAX_TTL: Duration = Duration::from_secs(24 * 3600);
/// Largest value an adapter may store.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;
/// Largest key.
const MAX_KEY_BYTES: usize = 512;

#[derive(Clone)]
struct Entry {
    value: Arc<[u8]>,
    ttl: Duration,
}

struct PerEntryTtl;

impl Expiry<(Arc<str>, String), Entry> for PerEntryTtl {
    fn expire_after_create(
        &self,
        _key: &(Arc<str>, String),
        value: &Entry,
        _now: Instant,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// The shared store behind every adapter's cache.
#[derive(Clone)]
pub struct AdapterCache {
    inner: moka::sync::Cache<(Arc<str>, String), Entry>,
}

impl AdapterCache {
    /// A cache holding at most `max_bytes` of values in total.
    pub fn new(max_bytes: u64) -> Self {
        AdapterCache {
            inner: moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|k: &(Arc<str>, String), v: &Entry| {
                    (k.1.len() + v.value.len()).min(u32::MAX as usize) as u32
                })
                .expire_after(PerEntryTtl)
                .build(),
        }
    }

    /// The view of one adapter for one credential. `scope` must identify both.
    pub fn scoped(&self, scope: Arc<str>) -> ScopedCache {
        ScopedCache {
            cache: self.clone(),
            scope,
        }
    }
}

/// What one call may touch.
#[derive(Clone)]
pub struct ScopedCache {
    cache: AdapterCache,
    scope: Arc<str>,
}

impl ScopedCache {
    /// Read an entry.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.cache
            .inner
            .get(&(self.scope.clone(), key.to_string()))
            .map(|e| e.value.to_vec())
    }

    /// Store an entry; oversized keys/values are dropped (a cache may forget).
    pub fn set(&self, key: String, value: Vec<u8>, ttl_ms: u32) {
        if key.len() > MAX_KEY_BYTES || value.len() > MAX_VALUE_BYTES || ttl_ms == 0 {
            return;
        }
        let ttl = Duration::from_millis(ttl_ms.into()).min(MAX_TTL);
        self.cache.inner.insert(
            (self.scope.clone(), key),
            Entry {
                value: value.into(),
                ttl,
            },
        );
    }

    /// Remove an entry.
    pub fn remove(&self, key: &str) {
        self.cache
            .inner
            .invalidate(&(self.scope.clone(), key.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_do_not_see_each_other() {
        let c = AdapterCache::new(1 << 20);
        let a = c.scoped("aws\0cred-1".into());
        let b = c.scoped("evil\0cred-1".into());
        a.set("token".into(), b"secret".to_vec(), 60_000);
        assert_eq!(a.get("token").as_deref(), Some(&b"secret"[..]));
        assert_eq!(b.get("token"), None);
        a.remove("token");
        assert_eq!(a.get("token"), None);
    }

    #[test]
    fn entries_expire() {
        let c = AdapterCache::new(1 << 20);
        let a = c.scoped("x".into());
        a.set("k".into(), vec![1], 1);
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(a.get("k"), None);
    }
}
