//! Accounts and the tunable behaviour of the simulated cloud (`/admin/config`).
//!
//! `Behaviour` is what tests turn to make the cloud slow, flaky or strict; it is
//! persisted with the resources so a restarted simulator behaves the same way.

use serde::{Deserialize, Serialize};

/// One account: resources belong to the access key, requests are signed with the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Public half, sent in the `authorization` header.
    pub access_key: String,
    /// Private half, the HMAC key of request signatures.
    pub secret_key: String,
}

/// Upper bound of every delay, so a typo cannot park an instance for years.
pub const MAX_DELAY_MS: u64 = 3_600_000;
/// Upper bound of how long TERMINATED instances stay visible (7 days).
pub const MAX_RETENTION_MS: u64 = 7 * 24 * 3_600_000;
/// Upper bound of the injected latency: longer would only trip client timeouts.
pub const MAX_LATENCY_MS: u64 = 60_000;
/// Upper bound of the per-region instance quota.
pub const MAX_QUOTA: u32 = 1_000_000;
/// The operation kinds faults can be restricted to.
pub const OPERATION_KINDS: [&str; 5] = ["list", "get", "create", "action", "delete"];

/// How the cloud behaves: transition delays, quota and injected faults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Behaviour {
    /// PROVISIONING → ACTIVE (or ERROR).
    pub create_delay_ms: u64,
    /// STOPPING → STOPPED.
    pub stop_delay_ms: u64,
    /// STARTING → ACTIVE.
    pub start_delay_ms: u64,
    /// REBOOTING → ACTIVE.
    pub reboot_delay_ms: u64,
    /// TERMINATING → TERMINATED.
    pub terminate_delay_ms: u64,
    /// How long TERMINATED instances stay visible before answering 404.
    pub terminated_retention_ms: u64,
    /// Live instances one account may have in one region.
    pub quota_instances_per_region: u32,
    /// Injected faults.
    pub faults: Faults,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            create_delay_ms: 2000,
            stop_delay_ms: 1000,
            start_delay_ms: 1000,
            reboot_delay_ms: 1000,
            terminate_delay_ms: 1000,
            terminated_retention_ms: 3_600_000,
            quota_instances_per_region: 1000,
            faults: Faults::default(),
        }
    }
}

/// Faults injected into `/v1` requests, optionally restricted to regions and operations.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Probability of answering 500 `InternalFailure` or 503 `ServiceUnavailable`.
    pub error_rate: f64,
    /// Probability of answering 429 `Throttling`.
    pub throttle_rate: f64,
    /// Probability that a new instance ends in ERROR instead of ACTIVE.
    pub create_failure_rate: f64,
    /// Extra delay before every targeted request is handled.
    pub latency_ms: u64,
    /// Regions the faults apply to; empty means all.
    pub regions: Vec<String>,
    /// Operation kinds the faults apply to (`list`, `get`, `create`, `action`, `delete`); empty means all.
    pub operations: Vec<String>,
}

/// A `PATCH /admin/config` body: any subset of `Behaviour`, merged field by field.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BehaviourPatch {
    pub create_delay_ms: Option<u64>,
    pub stop_delay_ms: Option<u64>,
    pub start_delay_ms: Option<u64>,
    pub reboot_delay_ms: Option<u64>,
    pub terminate_delay_ms: Option<u64>,
    pub terminated_retention_ms: Option<u64>,
    pub quota_instances_per_region: Option<u32>,
    pub faults: Option<FaultsPatch>,
}

/// The `faults` part of a [`BehaviourPatch`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultsPatch {
    pub error_rate: Option<f64>,
    pub throttle_rate: Option<f64>,
    pub create_failure_rate: Option<f64>,
    pub latency_ms: Option<u64>,
    pub regions: Option<Vec<String>>,
    pub operations: Option<Vec<String>>,
}

impl Behaviour {
    /// This behaviour with `patch` applied; the result is validated so a bad
    /// patch leaves the running behaviour untouched.
    pub fn merged(
        &self,
        patch: &BehaviourPatch,
        known_region: impl Fn(&str) -> bool,
    ) -> Result<Behaviour, String> {
        let mut b = self.clone();
        set(&mut b.create_delay_ms, patch.create_delay_ms);
        set(&mut b.stop_delay_ms, patch.stop_delay_ms);
        set(&mut b.start_delay_ms, patch.start_delay_ms);
        set(&mut b.reboot_delay_ms, patch.reboot_delay_ms);
        set(&mut b.terminate_delay_ms, patch.terminate_delay_ms);
        set(
            &mut b.terminated_retention_ms,
            patch.terminated_retention_ms,
        );
        set(
            &mut b.quota_instances_per_region,
            patch.quota_instances_per_region,
        );
        if let Some(f) = &patch.faults {
            set(&mut b.faults.error_rate, f.error_rate);
            set(&mut b.faults.throttle_rate, f.throttle_rate);
            set(&mut b.faults.create_failure_rate, f.create_failure_rate);
            set(&mut b.faults.latency_ms, f.latency_ms);
            set(&mut b.faults.regions, f.regions.clone());
            set(&mut b.faults.operations, f.operations.clone());
        }
        b.validate(known_region)?;
        Ok(b)
    }

    /// Check every field is in range; the message names the offending field.
    pub fn validate(&self, known_region: impl Fn(&str) -> bool) -> Result<(), String> {
        let delays = [
            ("create_delay_ms", self.create_delay_ms),
            ("stop_delay_ms", self.stop_delay_ms),
            ("start_delay_ms", self.start_delay_ms),
            ("reboot_delay_ms", self.reboot_delay_ms),
            ("terminate_delay_ms", self.terminate_delay_ms),
        ];
        for (name, v) in delays {
            if v > MAX_DELAY_MS {
                return Err(format!("{name} must be at most {MAX_DELAY_MS}"));
            }
        }
        if self.terminated_retention_ms > MAX_RETENTION_MS {
            return Err(format!(
                "terminated_retention_ms must be at most {MAX_RETENTION_MS}"
            ));
        }
        if self.quota_instances_per_region > MAX_QUOTA {
            return Err(format!(
                "quota_instances_per_region must be at most {MAX_QUOTA}"
            ));
        }
        let f = &self.faults;
        let rates = [
            ("faults.error_rate", f.error_rate),
            ("faults.throttle_rate", f.throttle_rate),
            ("faults.create_failure_rate", f.create_failure_rate),
        ];
        for (name, v) in rates {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name} must be between 0 and 1"));
            }
        }
        if f.latency_ms > MAX_LATENCY_MS {
            return Err(format!(
                "faults.latency_ms must be at most {MAX_LATENCY_MS}"
            ));
        }
        if let Some(r) = f.regions.iter().find(|r| !known_region(r)) {
            return Err(format!("faults.regions: unknown region {r}"));
        }
        if let Some(o) = f
            .operations
            .iter()
            .find(|o| !OPERATION_KINDS.contains(&o.as_str()))
        {
            return Err(format!(
                "faults.operations: unknown operation {o} (expected one of {})",
                OPERATION_KINDS.join(", ")
            ));
        }
        Ok(())
    }
}

fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *field = v;
    }
}

/// Whether a string can serve as an access or secret key: the `authorization`
/// header is split on `,`, `=` and spaces, so those cannot appear in a key.
pub fn valid_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && b != b',' && b != b'=')
}
