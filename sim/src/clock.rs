//! Wall-clock time as unix milliseconds, and its RFC 3339 text form.
//!
//! Everything time-based (instance states, request expiry) is stored as unix
//! millis so that persisted state keeps moving across restarts.

use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// Milliseconds since the unix epoch, now.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// `2026-11-29T05:44:01Z`: whole seconds, UTC, the shape every field of the API uses.
pub fn format_rfc3339(ms: u64) -> String {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    OffsetDateTime::from_unix_timestamp((ms / 1000) as i64)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string())
}

/// Parse any RFC 3339 timestamp (fractions and offsets allowed) into unix millis.
pub fn parse_rfc3339(s: &str) -> Option<i128> {
    let t = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    Some(t.unix_timestamp_nanos() / 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let ms = 1_795_844_641_000; // 2026-11-28T...
        let s = format_rfc3339(ms);
        assert_eq!(parse_rfc3339(&s), Some(ms as i128));
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            parse_rfc3339("2026-11-29T05:44:01Z"),
            parse_rfc3339("2026-11-29T06:44:01+01:00")
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
