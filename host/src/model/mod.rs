//! Plain domain types: names, namespaces, credentials, connections, network
//! resources and VMs. They depend on nothing else in the gateway and are what the
//! store persists and the API returns (secrets excepted: see `Credential`).

mod connection;
mod mcis;
mod names;
mod resources;
mod vm;

pub use connection::{Connection, Credential, Namespace};
pub use mcis::{Batch, BatchState, FailurePolicy, Mcis, OpKind, OpState, Operation, Subgroup};
pub use names::validate_name;
pub use resources::{Keypair, Rule, RuleDirection, SecurityGroup, Subnet, Vnet};
pub use vm::{Vm, VmAction, VmStatus, poll_delay};

/// Now, as an RFC 3339 UTC timestamp (what every record carries).
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("zero nanoseconds is valid")
        .format(&time::format_description::well_known::Rfc3339)
        .expect("formatting a UTC time as RFC 3339 cannot fail")
}
