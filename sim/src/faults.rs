//! Fault injection: throttling, server errors, extra latency and failed launches,
//! optionally aimed at some regions and operation kinds.
//!
//! Faults are drawn before a request touches the store, so an injected error
//! never has a side effect: a client that retries is always safe.

use crate::config::Faults;
use crate::errors::ApiError;

/// The operation kinds faults can be aimed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    List,
    Get,
    Create,
    Action,
    Delete,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::List => "list",
            OpKind::Get => "get",
            OpKind::Create => "create",
            OpKind::Action => "action",
            OpKind::Delete => "delete",
        }
    }
}

/// What to do to one request.
#[derive(Debug, Default)]
pub struct Injection {
    /// Wait this long before handling.
    pub latency_ms: u64,
    /// Answer this instead of handling.
    pub error: Option<ApiError>,
}

/// Whether the faults apply to a request in `region` (None: not regional,
/// e.g. `GET /v1/regions`) of kind `kind`.
pub fn targeted(f: &Faults, region: Option<&str>, kind: OpKind) -> bool {
    let region_ok =
        f.regions.is_empty() || region.is_some_and(|r| f.regions.iter().any(|x| x == r));
    let op_ok = f.operations.is_empty() || f.operations.iter().any(|o| o == kind.as_str());
    region_ok && op_ok
}

/// Draw the faults of one request. Throttling is drawn first, then errors
/// (500 and 503 equally likely); latency applies to every targeted request.
pub fn draw(f: &Faults, region: Option<&str>, kind: OpKind) -> Injection {
    if !targeted(f, region, kind) {
        return Injection::default();
    }
    let error = if chance(f.throttle_rate) {
        Some(ApiError::throttled())
    } else if chance(f.error_rate) {
        Some(if rand::random::<bool>() {
            ApiError::internal("injected failure: an internal error occurred")
        } else {
            ApiError::unavailable()
        })
    } else {
        None
    };
    Injection {
        latency_ms: f.latency_ms,
        error,
    }
}

/// Whether a new instance in `region` is to end in ERROR.
pub fn launch_fails(f: &Faults, region: &str) -> bool {
    targeted(f, Some(region), OpKind::Create) && chance(f.create_failure_rate)
}

fn chance(p: f64) -> bool {
    p > 0.0 && (p >= 1.0 || rand::random::<f64>() < p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targeting() {
        let mut f = Faults {
            throttle_rate: 1.0,
            ..Faults::default()
        };
        assert!(draw(&f, None, OpKind::List).error.is_some());
        f.regions = vec!["ap-seoul".into()];
        f.operations = vec!["create".into()];
        assert!(draw(&f, None, OpKind::Create).error.is_none());
        assert!(draw(&f, Some("ap-tokyo"), OpKind::Create).error.is_none());
        assert!(draw(&f, Some("ap-seoul"), OpKind::List).error.is_none());
        assert_eq!(
            draw(&f, Some("ap-seoul"), OpKind::Create)
                .error
                .unwrap()
                .code,
            "Throttling"
        );
        f.create_failure_rate = 1.0;
        assert!(launch_fails(&f, "ap-seoul"));
        assert!(!launch_fails(&f, "ap-tokyo"));
    }
}
