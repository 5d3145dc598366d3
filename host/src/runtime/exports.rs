//! Per-interface export indices, found once per component. A call loads (and
//! type-checks) only the functions of the interface it uses, not the whole
//! world's thirty-odd exports.

use super::CallState;
use super::bindings::exports::mcgw::adapter::{catalog, compute, keypair, metadata, network};
use wasmtime::component::InstancePre;

/// The contract's exported interfaces of one component.
pub struct Exports {
    /// `metadata`.
    pub metadata: metadata::GuestIndices,
    /// `catalog`.
    pub catalog: catalog::GuestIndices,
    /// `network`.
    pub network: network::GuestIndices,
    /// `keypair`.
    pub keypair: keypair::GuestIndices,
    /// `compute`.
    pub compute: compute::GuestIndices,
}

impl Exports {
    /// Look every interface up in a linked component.
    pub fn new(pre: &InstancePre<CallState>) -> wasmtime::Result<Exports> {
        Ok(Exports {
            metadata: metadata::GuestIndices::new(pre)?,
            catalog: catalog::GuestIndices::new(pre)?,
            network: network::GuestIndices::new(pre)?,
            keypair: keypair::GuestIndices::new(pre)?,
            compute: compute::GuestIndices::new(pre)?,
        })
    }
}
