//! Cloud regions on the globe, how long a packet takes between two points, and
//! where to put servers so that users get low latency at a reasonable price.
//!
//! Shared by the gateway's placement planner and the simulated cloud, so that
//! what the planner predicts is what the simulated cloud measures. Everything
//! here is pure computation (no network, no clock); the only file access is
//! [`Catalog::from_csv_file`] for an operator's extra regions.
//!
//! Modules, one concept each:
//! - [`catalog`]: regions of AWS, Azure, GCP, Alibaba Cloud and the simulated cloud.
//! - [`latency`]: great-circle distance and the RTT model.
//! - [`oracle`]: measured RTTs overriding the model, behind one trait.
//! - [`candidate`]: a region offered to a solver, with its price.
//! - [`meeting`]: one server for a meeting's participants (exact).
//! - [`fleet`]: k sites for a user population (constrained k-median).
//! - [`synthetic`]: a synthetic world population of internet users.
//! - [`error`]: typed validation errors naming the offending field.
//!
//! See `docs/PLACEMENT.md` for the model, algorithms and guarantees.

#![warn(missing_docs)]

pub mod candidate;
pub mod catalog;
pub mod error;
pub mod fleet;
pub mod latency;
pub mod meeting;
pub mod oracle;
pub mod synthetic;

pub use candidate::Candidate;
pub use catalog::{Catalog, CatalogError, Region};
pub use error::PlacementError;
pub use fleet::{
    Constraints, FleetGoal, FleetParams, FleetPlan, FleetRequest, SearchStats, SitePlan,
    SolverOptions, TargetMetric, UserPoint, aggregate_users, parse_users_csv, solve_cells,
    solve_fleet,
};
pub use latency::{LatencyModel, Point, great_circle_km};
pub use meeting::{
    CandidateScore, MeetingPlan, MeetingRequest, Objective, Participant, ParticipantRtt,
    parse_participants_csv, solve_meeting,
};
pub use oracle::{
    Endpoint, LatencyOracle, MeasuredLatency, MeasuredTable, Measurement, Oracle, RegionRef,
    RttSource,
};
