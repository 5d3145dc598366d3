//! Being a good citizen at the CSPs: at most N calls at once per adapter and
//! per (adapter, region), and retries with exponential backoff and jitter when
//! a CSP throttles or fails transiently (honouring its retry-after).

use crate::error::{Error, Result};
use rand::Rng;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Concurrency and retry settings.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleSettings {
    /// Calls at once to one adapter (all its regions).
    pub per_adapter: usize,
    /// Calls at once to one region of one adapter.
    pub per_region: usize,
    /// Attempts per call after a transient CSP failure, the first included.
    pub attempts: u32,
    /// How long a throttled call keeps being retried: throttling says "later",
    /// not "no", so it is bounded by time rather than by a count.
    pub throttle_patience: Duration,
    /// First backoff; doubles each retry.
    pub base_backoff: Duration,
    /// Longest backoff.
    pub max_backoff: Duration,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        ThrottleSettings {
            per_adapter: 32,
            per_region: 8,
            attempts: 5,
            throttle_patience: Duration::from_secs(120),
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
        }
    }
}

/// The semaphores, created on first use per key.
pub struct Limiter {
    settings: ThrottleSettings,
    adapters: Mutex<HashMap<String, Arc<Semaphore>>>,
    regions: Mutex<HashMap<(String, String), Arc<Semaphore>>>,
}

/// Permission to make one call.
pub struct Permit(
    #[allow(dead_code)] OwnedSemaphorePermit,
    #[allow(dead_code)] OwnedSemaphorePermit,
);

impl Limiter {
    /// A limiter with these settings.
    pub fn new(settings: ThrottleSettings) -> Limiter {
        Limiter {
            settings,
            adapters: Mutex::new(HashMap::new()),
            regions: Mutex::new(HashMap::new()),
        }
    }

    /// The settings.
    pub fn settings(&self) -> ThrottleSettings {
        self.settings
    }

    /// Wait for a slot for `adapter` in `region` (region slot first, so a busy
    /// region does not hold adapter-wide slots while it waits).
    pub async fn acquire(&self, adapter: &str, region: &str) -> Permit {
        let region_sem = self
            .regions
            .lock()
            .expect("limiter lock")
            .entry((adapter.to_string(), region.to_string()))
            .or_insert_with(|| Arc::new(Semaphore::new(self.settings.per_region)))
            .clone();
        let adapter_sem = self
            .adapters
            .lock()
            .expect("limiter lock")
            .entry(adapter.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.settings.per_adapter)))
            .clone();
        let r = region_sem
            .acquire_owned()
            .await
            .expect("semaphores are never closed");
        let a = adapter_sem
            .acquire_owned()
            .await
            .expect("semaphores are never closed");
        Permit(r, a)
    }

    /// Run `call` within the limits, retrying retryable failures with backoff.
    /// `on_attempt` counts attempts (for the journal).
    pub async fn call<T, F, Fut>(
        &self,
        adapter: &str,
        region: &str,
        mut on_attempt: impl FnMut(),
        mut call: F,
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut attempt = 0;
        let started = std::time::Instant::now();
        loop {
            attempt += 1;
            on_attempt();
            let outcome = {
                let _permit = self.acquire(adapter, region).await;
                call().await
            };
            match outcome {
                Err(e) if self.should_retry(&e, attempt, started.elapsed()) => {
                    let wait = self.backoff(attempt, &e);
                    tracing::debug!(
                        adapter,
                        region,
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "retrying: {}",
                        e.message
                    );
                    tokio::time::sleep(wait).await;
                }
                other => return other,
            }
        }
    }

    /// Throttling is retried for `throttle_patience`; other transient
    /// failures `attempts` times.
    fn should_retry(&self, e: &Error, attempt: u32, elapsed: Duration) -> bool {
        match e.code {
            crate::error::Code::Throttled => elapsed < self.settings.throttle_patience,
            _ => e.retryable() && attempt < self.settings.attempts,
        }
    }

    /// Exponential backoff with full jitter, never below the CSP's retry-after.
    fn backoff(&self, attempt: u32, e: &Error) -> Duration {
        let exp = self
            .settings
            .base_backoff
            .saturating_mul(1 << attempt.min(16).saturating_sub(1));
        let cap = exp.min(self.settings.max_backoff);
        let jittered = cap.mul_f64(rand::rng().random_range(0.5..=1.0));
        let floor = Duration::from_millis(e.retry_after_ms.unwrap_or(0).into())
            .min(self.settings.max_backoff);
        jittered.max(floor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn csp_failure() -> Error {
        Error {
            origin: crate::error::Origin::Csp,
            ..Error::internal("503")
        }
    }

    fn throttled() -> Error {
        let mut e = Error::internal("slow down");
        e.code = Code::Throttled;
        e
    }

    #[tokio::test]
    async fn retries_throttling_then_succeeds() {
        let l = Limiter::new(ThrottleSettings {
            base_backoff: Duration::from_millis(1),
            ..Default::default()
        });
        let calls = AtomicU32::new(0);
        let mut attempts = 0;
        let r: Result<u32> = l
            .call(
                "sim",
                "r1",
                || attempts += 1,
                || async {
                    let n = calls.fetch_add(1, Ordering::SeqCst);
                    if n < 3 { Err(throttled()) } else { Ok(n) }
                },
            )
            .await;
        assert_eq!(r.unwrap(), 3);
        assert_eq!(attempts, 4);
    }

    #[tokio::test]
    async fn does_not_retry_client_errors_and_gives_up_eventually() {
        let l = Limiter::new(ThrottleSettings {
            base_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
            attempts: 3,
            throttle_patience: Duration::from_millis(60),
            ..Default::default()
        });
        let mut n = 0;
        let r: Result<()> = l
            .call(
                "sim",
                "r1",
                || n += 1,
                || async { Err(Error::invalid("no")) },
            )
            .await;
        assert!(r.is_err());
        assert_eq!(n, 1);
        // A CSP failure: a bounded number of attempts.
        let mut n = 0;
        let r: Result<()> = l
            .call("sim", "r1", || n += 1, || async { Err(csp_failure()) })
            .await;
        assert_eq!(r.unwrap_err().code, Code::InternalError);
        assert_eq!(n, 3);
        // Throttling: retried until the patience runs out.
        let started = std::time::Instant::now();
        let mut n = 0;
        let r: Result<()> = l
            .call("sim", "r1", || n += 1, || async { Err(throttled()) })
            .await;
        assert_eq!(r.unwrap_err().code, Code::Throttled);
        assert!(
            n > 3 && started.elapsed() >= Duration::from_millis(60),
            "{n}"
        );
    }

    #[tokio::test]
    async fn limits_concurrency_per_region() {
        let l = Arc::new(Limiter::new(ThrottleSettings {
            per_region: 2,
            ..Default::default()
        }));
        let live = Arc::new(AtomicU32::new(0));
        let peak = Arc::new(AtomicU32::new(0));
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (l, live, peak) = (l.clone(), live.clone(), peak.clone());
                tokio::spawn(async move {
                    let _p = l.acquire("sim", "r1").await;
                    let now = live.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    live.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2);
    }
}
