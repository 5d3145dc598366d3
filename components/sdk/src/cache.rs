//! The host's key/value cache, private to this adapter and the call's credential.

use crate::bindings::mcgw::adapter::cache as host;
use std::time::Duration;

/// Read a UTF-8 entry.
pub fn get_string(key: &str) -> Option<String> {
    host::get(key).and_then(|b| String::from_utf8(b).ok())
}

/// Store a UTF-8 entry for at most `ttl`.
pub fn set_string(key: &str, value: &str, ttl: Duration) {
    let ms = ttl.as_millis().min(u32::MAX as u128) as u32;
    host::set(key, value.as_bytes(), ms);
}

/// Read raw bytes.
pub fn get(key: &str) -> Option<Vec<u8>> {
    host::get(key)
}

/// Store raw bytes for at most `ttl`.
pub fn set(key: &str, value: &[u8], ttl: Duration) {
    let ms = ttl.as_millis().min(u32::MAX as u128) as u32;
    host::set(key, value, ms);
}

/// Drop an entry.
pub fn remove(key: &str) {
    host::remove(key);
}
