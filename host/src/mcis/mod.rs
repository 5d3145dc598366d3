//! MCIS: many VMs over many clouds, created, observed and controlled with one
//! call, and crash-safe.
//!
//! - `plan`: validate a request and turn it into named VMs and batches; review;
//! - `dynamic`: `csp+region+spec` requests, with default network objects
//!   found or created once per connection;
//! - `create`: run creation batches (journal first, then the CSP), wait for the
//!   VMs, apply the partial-failure policy;
//! - `control`: suspend/resume/reboot/terminate, scale in, delete;
//! - `reconcile`: after a restart, resume interrupted operations and adopt
//!   VMs found by their tags;
//! - `poller`: keep VM status fresh in the background;
//! - `status`: the aggregated view; `throttle`: CSP concurrency and retries.
//!
//! Everything here is `impl Gateway`: the MCIS engine uses the same store and
//! adapters as the single-VM API.

pub mod control;
pub mod create;
pub mod dynamic;
pub mod plan;
pub mod poller;
pub mod reconcile;
pub mod status;
pub mod throttle;

use crate::model::FailurePolicy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Tags the MCIS engine sets at the CSP, beside `mcgw-ns` and `mcgw-name`.
pub mod tags {
    /// The MCIS.
    pub const MCIS: &str = "mcgw-mcis";
    /// The subgroup.
    pub const SUBGROUP: &str = "mcgw-subgroup";
    /// The operation that created the VM.
    pub const OP: &str = "mcgw-op";
    /// The batch (CSP call) that created the VM.
    pub const BATCH: &str = "mcgw-batch";
}

/// Engine settings.
#[derive(Debug, Clone)]
pub struct McisSettings {
    /// VMs per CSP call at most.
    pub batch_size: u32,
    /// VMs per MCIS request at most.
    pub max_vms: u32,
    /// How long a creation waits for its VMs to run before calling them failed.
    pub create_timeout: Duration,
    /// How often the poller looks for VMs due a refresh.
    pub poll_tick: Duration,
    /// CSP concurrency and retries.
    pub throttle: throttle::ThrottleSettings,
}

impl Default for McisSettings {
    fn default() -> Self {
        McisSettings {
            batch_size: 50,
            max_vms: 5000,
            create_timeout: Duration::from_secs(900),
            poll_tick: Duration::from_millis(250),
            throttle: throttle::ThrottleSettings::default(),
        }
    }
}

/// State shared by every MCIS operation.
pub struct McisShared {
    /// Settings.
    pub settings: McisSettings,
    /// CSP concurrency limits.
    pub limiter: throttle::Limiter,
    /// One lock per connection for finding-or-creating default network objects.
    pub dynamic_locks: std::sync::Mutex<BTreeMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl McisShared {
    /// Shared state with these settings.
    pub fn new(settings: McisSettings) -> Arc<McisShared> {
        Arc::new(McisShared {
            limiter: throttle::Limiter::new(settings.throttle),
            settings,
            dynamic_locks: std::sync::Mutex::new(BTreeMap::new()),
        })
    }
}

/// `POST /v1/ns/{ns}/mcis`: a static request.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct McisReq {
    /// Name.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// What to do if some VMs fail.
    #[serde(default)]
    pub policy: FailurePolicy,
    /// Subgroups.
    pub subgroups: Vec<crate::model::Subgroup>,
}

/// A subgroup of a dynamic request.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DynamicSubgroup {
    /// Name (default: `g1`, `g2`, ... in order).
    #[serde(default)]
    pub name: Option<String>,
    /// `csp+region+spec`, e.g. `sim+ap-seoul+sim.small` or `aws+us-east-1+t3.micro`.
    pub spec_id: String,
    /// Image id.
    pub image: String,
    /// Number of VMs.
    pub size: u32,
    /// Root disk type.
    #[serde(default)]
    pub root_disk_type: Option<String>,
    /// Root disk size, GiB.
    #[serde(default)]
    pub root_disk_gib: Option<u32>,
    /// Tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// CSP-specific VM parameters.
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
}

/// `POST /v1/ns/{ns}/mcis/dynamic`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DynamicMcisReq {
    /// Name.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// What to do if some VMs fail.
    #[serde(default)]
    pub policy: FailurePolicy,
    /// Subgroups.
    #[serde(default)]
    pub subgroups: Vec<DynamicSubgroup>,
    /// Or (also): place sites for these users and make one subgroup per site.
    #[serde(default)]
    pub place: Option<PlaceReq>,
}

/// "Place for these users": the fleet planner picks `k` regions among the
/// connections; each becomes a subgroup of `size_per_site` VMs.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceReq {
    /// Users as weighted points.
    #[schema(value_type = Vec<Object>)]
    pub users: Vec<mcgw_geo::UserPoint>,
    /// Number of sites.
    pub k: usize,
    /// VMs per site.
    #[serde(default = "one")]
    pub size_per_site: u32,
    /// Spec per provider, e.g. `{"sim": "sim.small"}` (also prices the regions).
    pub spec: BTreeMap<String, String>,
    /// Image per provider.
    pub image: BTreeMap<String, String>,
    /// ms of mean RTT one unit of hourly cost is worth.
    #[serde(default)]
    pub cost_weight: f64,
    /// Constraints (providers, per-provider counts, spread, budget).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub constraints: mcgw_geo::Constraints,
}

fn one() -> u32 {
    1
}

/// `POST /v1/ns/{ns}/mcis/{name}/subgroups/{sg}/scale`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScaleReq {
    /// VMs to add.
    #[serde(default)]
    pub add: u32,
    /// VMs to remove (failed ones first, then the newest).
    #[serde(default)]
    pub remove: u32,
    /// Policy for added VMs that fail.
    #[serde(default)]
    pub policy: FailurePolicy,
}

/// `POST /v1/ns/{ns}/mcis/{name}/vms`: adopt a VM that exists at a CSP.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterReq {
    /// Connection it lives in.
    pub connection: String,
    /// Its CSP id.
    pub csp_id: String,
    /// Name to give it (default: `<mcis>-<subgroup>-<n>`).
    #[serde(default)]
    pub name: Option<String>,
    /// Subgroup to put it in (default: `registered`).
    #[serde(default)]
    pub subgroup: Option<String>,
}
