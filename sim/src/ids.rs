//! Random resource and request ids.
//!
//! Ids are random rather than sequential so that clients cannot rely on an
//! order or guess another account's resources, as with a real cloud.

/// `<prefix>-` and 8 lower-case hex digits, e.g. `vpc-0a1b2c3d`. `taken` is
/// asked about each candidate so a (rare) collision draws again.
pub fn short_id(prefix: &str, taken: impl Fn(&str) -> bool) -> String {
    loop {
        let id = format!("{prefix}-{:08x}", rand::random::<u32>());
        if !taken(&id) {
            return id;
        }
    }
}

/// `i-` and 16 lower-case hex digits.
pub fn instance_id(taken: impl Fn(&str) -> bool) -> String {
    loop {
        let id = format!("i-{:016x}", rand::random::<u64>());
        if !taken(&id) {
            return id;
        }
    }
}

/// A request id for error envelopes and the `x-sim-request-id` header.
pub fn request_id() -> String {
    let v = rand::random::<u128>();
    let h = format!("{v:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn shapes() {
        let id = super::short_id("vpc", |_| false);
        assert_eq!(id.len(), 12);
        assert!(id.starts_with("vpc-"));
        let id = super::instance_id(|_| false);
        assert_eq!(id.len(), 18);
        assert_eq!(super::request_id().len(), 36);
    }
}
