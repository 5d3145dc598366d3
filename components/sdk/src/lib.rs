//! Guest SDK for mcgw adapters.
//!
//! An adapter is one type implementing [`Adapter`]; every operation it does not
//! override answers `unsupported`. [`export_adapter!`] turns it into the
//! component's exports. The rest of the SDK is what every CSP translation needs:
//! - [`http`]: blocking HTTP over `wasi:http` (the only network an adapter has);
//! - [`Error`] helpers that build the contract's `adapter-error`;
//! - [`ContextExt`] to read credentials and extra parameters with precise errors;
//! - [`sign`]: SHA-256, HMAC and timestamps for request signatures;
//! - [`log`] and [`cache`]: the host's log and per-adapter cache.
//!
//! ```ignore
//! struct MyCloud;
//! impl mcgw_sdk::Adapter for MyCloud {
//!     fn describe() -> mcgw_sdk::AdapterInfo { /* ... */ }
//!     fn list_regions(ctx: CallContext) -> mcgw_sdk::Result<Vec<RegionInfo>> { /* ... */ }
//! }
//! mcgw_sdk::export_adapter!(MyCloud);
//! ```

pub mod bindings;
pub mod cache;
mod context;
mod error;
pub mod http;
pub mod log;
pub mod sign;
mod status;
#[cfg(feature = "xml")]
pub mod xml;

pub use context::ContextExt;
pub use error::{Error, Result};
pub use status::StatusTable;

pub use bindings::exports::mcgw::adapter::metadata::{
    AdapterInfo, Capabilities, ParamScope, ParamSpec,
};
pub use bindings::mcgw::adapter::types::{
    AdapterError, CallContext, ErrorKind, GeoLocation, GpuInfo, ImageInfo, KeypairInfo,
    KeypairRequest, Kv, RegionInfo, RuleDirection, SecurityGroupInfo, SecurityGroupRequest,
    SecurityRule, SpecInfo, SubnetInfo, SubnetRequest, VmFilter, VmInfo, VmRequest, VmStatus,
    VmStatusInfo, VnetInfo, VnetRequest,
};

/// Re-exported so adapters need no direct dependency for JSON bodies.
pub use serde;
/// Re-exported so adapters need no direct dependency for JSON bodies.
pub use serde_json;

/// Build a `Vec<Kv>` from pairs.
pub fn kvs<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Vec<Kv> {
    pairs
        .into_iter()
        .map(|(k, v)| Kv {
            key: k.into(),
            value: v.into(),
        })
        .collect()
}

/// Look a key up in a `Kv` list.
pub fn kv_get<'a>(list: &'a [Kv], key: &str) -> Option<&'a str> {
    list.iter()
        .find(|kv| kv.key == key)
        .map(|kv| kv.value.as_str())
}

/// One CSP adapter. Implement `describe` and whatever the CSP supports; the
/// defaults answer `unsupported`, which the gateway reports as 405.
#[allow(unused_variables)]
pub trait Adapter {
    /// Self-description; must not make network calls.
    fn describe() -> AdapterInfo;

    /// See `catalog.list-regions`.
    fn list_regions(ctx: CallContext) -> Result<Vec<RegionInfo>> {
        Err(Error::unsupported("list-regions"))
    }
    /// See `catalog.list-images`.
    fn list_images(ctx: CallContext) -> Result<Vec<ImageInfo>> {
        Err(Error::unsupported("list-images"))
    }
    /// See `catalog.get-image`. The default searches `list_images`.
    fn get_image(ctx: CallContext, id: String) -> Result<ImageInfo> {
        Self::list_images(ctx)?
            .into_iter()
            .find(|i| i.id == id)
            .ok_or_else(|| Error::not_found(format!("image {id} not found")).field("image"))
    }
    /// See `catalog.list-specs`.
    fn list_specs(ctx: CallContext) -> Result<Vec<SpecInfo>> {
        Err(Error::unsupported("list-specs"))
    }
    /// See `catalog.get-spec`. The default searches `list_specs`.
    fn get_spec(ctx: CallContext, name: String) -> Result<SpecInfo> {
        Self::list_specs(ctx)?
            .into_iter()
            .find(|s| s.name == name)
            .ok_or_else(|| Error::not_found(format!("spec {name} not found")).field("spec"))
    }

    /// See `network.create-vnet`.
    fn create_vnet(ctx: CallContext, req: VnetRequest) -> Result<VnetInfo> {
        Err(Error::unsupported("create-vnet"))
    }
    /// See `network.get-vnet`.
    fn get_vnet(ctx: CallContext, id: String) -> Result<VnetInfo> {
        Err(Error::unsupported("get-vnet"))
    }
    /// See `network.list-vnets`.
    fn list_vnets(ctx: CallContext) -> Result<Vec<VnetInfo>> {
        Err(Error::unsupported("list-vnets"))
    }
    /// See `network.delete-vnet`.
    fn delete_vnet(ctx: CallContext, id: String) -> Result<()> {
        Err(Error::unsupported("delete-vnet"))
    }
    /// See `network.add-subnet`.
    fn add_subnet(ctx: CallContext, vnet_id: String, req: SubnetRequest) -> Result<SubnetInfo> {
        Err(Error::unsupported("add-subnet"))
    }
    /// See `network.delete-subnet`.
    fn delete_subnet(ctx: CallContext, vnet_id: String, subnet_id: String) -> Result<()> {
        Err(Error::unsupported("delete-subnet"))
    }
    /// See `network.create-security-group`.
    fn create_security_group(
        ctx: CallContext,
        req: SecurityGroupRequest,
    ) -> Result<SecurityGroupInfo> {
        Err(Error::unsupported("create-security-group"))
    }
    /// See `network.get-security-group`.
    fn get_security_group(ctx: CallContext, id: String) -> Result<SecurityGroupInfo> {
        Err(Error::unsupported("get-security-group"))
    }
    /// See `network.list-security-groups`.
    fn list_security_groups(ctx: CallContext) -> Result<Vec<SecurityGroupInfo>> {
        Err(Error::unsupported("list-security-groups"))
    }
    /// See `network.delete-security-group`.
    fn delete_security_group(ctx: CallContext, id: String) -> Result<()> {
        Err(Error::unsupported("delete-security-group"))
    }

    /// See `keypair.create-keypair`.
    fn create_keypair(ctx: CallContext, req: KeypairRequest) -> Result<KeypairInfo> {
        Err(Error::unsupported("create-keypair"))
    }
    /// See `keypair.get-keypair`.
    fn get_keypair(ctx: CallContext, id: String) -> Result<KeypairInfo> {
        Err(Error::unsupported("get-keypair"))
    }
    /// See `keypair.list-keypairs`.
    fn list_keypairs(ctx: CallContext) -> Result<Vec<KeypairInfo>> {
        Err(Error::unsupported("list-keypairs"))
    }
    /// See `keypair.delete-keypair`.
    fn delete_keypair(ctx: CallContext, id: String) -> Result<()> {
        Err(Error::unsupported("delete-keypair"))
    }

    /// See `compute.create-vm`.
    fn create_vm(ctx: CallContext, req: VmRequest) -> Result<VmInfo> {
        Err(Error::unsupported("create-vm"))
    }
    /// See `compute.create-vms`. The default calls `create_vm` once per VM
    /// and, if one fails, terminates the ones it made (all-or-nothing).
    fn create_vms(ctx: CallContext, req: VmRequest) -> Result<Vec<VmInfo>> {
        let mut made: Vec<VmInfo> = Vec::new();
        for i in 0..req.count.max(1) {
            let mut one = req.clone();
            one.count = 1;
            if req.count > 1 {
                one.name = format!("{}-{}", req.name, i + 1);
            }
            match Self::create_vm(ctx.clone(), one) {
                Ok(vm) => made.push(vm),
                Err(e) => {
                    for vm in &made {
                        let _ = Self::terminate_vm(ctx.clone(), vm.id.clone());
                    }
                    return Err(e);
                }
            }
        }
        Ok(made)
    }
    /// See `compute.get-vm`.
    fn get_vm(ctx: CallContext, id: String) -> Result<VmInfo> {
        Err(Error::unsupported("get-vm"))
    }
    /// See `compute.list-vms`.
    fn list_vms(ctx: CallContext, filter: VmFilter) -> Result<Vec<VmInfo>> {
        Err(Error::unsupported("list-vms"))
    }
    /// See `compute.vm-status`. The default reads the whole VM.
    fn vm_status(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        let vm = Self::get_vm(ctx, id)?;
        Ok(VmStatusInfo {
            id: vm.id,
            status: vm.status,
            native_status: vm.native_status,
        })
    }
    /// See `compute.suspend-vm`.
    fn suspend_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        Err(Error::unsupported("suspend-vm"))
    }
    /// See `compute.resume-vm`.
    fn resume_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        Err(Error::unsupported("resume-vm"))
    }
    /// See `compute.reboot-vm`.
    fn reboot_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        Err(Error::unsupported("reboot-vm"))
    }
    /// See `compute.terminate-vm`.
    fn terminate_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        Err(Error::unsupported("terminate-vm"))
    }
}

/// Export a type implementing [`Adapter`] as this component's `mcgw:adapter` world.
#[macro_export]
macro_rules! export_adapter {
    ($adapter:ty) => {
        const _: () = {
            use $crate::Adapter as __A;
            use $crate::bindings::exports::mcgw::adapter as __exports;
            use $crate::*;

            struct __Export;

            impl __exports::metadata::Guest for __Export {
                fn describe() -> AdapterInfo {
                    <$adapter as __A>::describe()
                }
            }
            impl __exports::catalog::Guest for __Export {
                fn list_regions(ctx: CallContext) -> Result<Vec<RegionInfo>, AdapterError> {
                    <$adapter as __A>::list_regions(ctx).map_err(Into::into)
                }
                fn list_images(ctx: CallContext) -> Result<Vec<ImageInfo>, AdapterError> {
                    <$adapter as __A>::list_images(ctx).map_err(Into::into)
                }
                fn get_image(ctx: CallContext, id: String) -> Result<ImageInfo, AdapterError> {
                    <$adapter as __A>::get_image(ctx, id).map_err(Into::into)
                }
                fn list_specs(ctx: CallContext) -> Result<Vec<SpecInfo>, AdapterError> {
                    <$adapter as __A>::list_specs(ctx).map_err(Into::into)
                }
                fn get_spec(ctx: CallContext, name: String) -> Result<SpecInfo, AdapterError> {
                    <$adapter as __A>::get_spec(ctx, name).map_err(Into::into)
                }
            }
            impl __exports::network::Guest for __Export {
                fn create_vnet(
                    ctx: CallContext,
                    req: VnetRequest,
                ) -> Result<VnetInfo, AdapterError> {
                    <$adapter as __A>::create_vnet(ctx, req).map_err(Into::into)
                }
                fn get_vnet(ctx: CallContext, id: String) -> Result<VnetInfo, AdapterError> {
                    <$adapter as __A>::get_vnet(ctx, id).map_err(Into::into)
                }
                fn list_vnets(ctx: CallContext) -> Result<Vec<VnetInfo>, AdapterError> {
                    <$adapter as __A>::list_vnets(ctx).map_err(Into::into)
                }
                fn delete_vnet(ctx: CallContext, id: String) -> Result<(), AdapterError> {
                    <$adapter as __A>::delete_vnet(ctx, id).map_err(Into::into)
                }
                fn add_subnet(
                    ctx: CallContext,
                    vnet_id: String,
                    req: SubnetRequest,
                ) -> Result<SubnetInfo, AdapterError> {
                    <$adapter as __A>::add_subnet(ctx, vnet_id, req).map_err(Into::into)
                }
                fn delete_subnet(
                    ctx: CallContext,
                    vnet_id: String,
                    subnet_id: String,
                ) -> Result<(), AdapterError> {
                    <$adapter as __A>::delete_subnet(ctx, vnet_id, subnet_id).map_err(Into::into)
                }
                fn create_security_group(
                    ctx: CallContext,
                    req: SecurityGroupRequest,
                ) -> Result<SecurityGroupInfo, AdapterError> {
                    <$adapter as __A>::create_security_group(ctx, req).map_err(Into::into)
                }
                fn get_security_group(
                    ctx: CallContext,
                    id: String,
                ) -> Result<SecurityGroupInfo, AdapterError> {
                    <$adapter as __A>::get_security_group(ctx, id).map_err(Into::into)
                }
                fn list_security_groups(
                    ctx: CallContext,
                ) -> Result<Vec<SecurityGroupInfo>, AdapterError> {
                    <$adapter as __A>::list_security_groups(ctx).map_err(Into::into)
                }
                fn delete_security_group(ctx: CallContext, id: String) -> Result<(), AdapterError> {
                    <$adapter as __A>::delete_security_group(ctx, id).map_err(Into::into)
                }
            }
            impl __exports::keypair::Guest for __Export {
                fn create_keypair(
                    ctx: CallContext,
                    req: KeypairRequest,
                ) -> Result<KeypairInfo, AdapterError> {
                    <$adapter as __A>::create_keypair(ctx, req).map_err(Into::into)
                }
                fn get_keypair(ctx: CallContext, id: String) -> Result<KeypairInfo, AdapterError> {
                    <$adapter as __A>::get_keypair(ctx, id).map_err(Into::into)
                }
                fn list_keypairs(ctx: CallContext) -> Result<Vec<KeypairInfo>, AdapterError> {
                    <$adapter as __A>::list_keypairs(ctx).map_err(Into::into)
                }
                fn delete_keypair(ctx: CallContext, id: String) -> Result<(), AdapterError> {
                    <$adapter as __A>::delete_keypair(ctx, id).map_err(Into::into)
                }
            }
            impl __exports::compute::Guest for __Export {
                fn create_vm(ctx: CallContext, req: VmRequest) -> Result<VmInfo, AdapterError> {
                    <$adapter as __A>::create_vm(ctx, req).map_err(Into::into)
                }
                fn create_vms(
                    ctx: CallContext,
                    req: VmRequest,
                ) -> Result<Vec<VmInfo>, AdapterError> {
                    <$adapter as __A>::create_vms(ctx, req).map_err(Into::into)
                }
                fn get_vm(ctx: CallContext, id: String) -> Result<VmInfo, AdapterError> {
                    <$adapter as __A>::get_vm(ctx, id).map_err(Into::into)
                }
                fn list_vms(
                    ctx: CallContext,
                    filter: VmFilter,
                ) -> Result<Vec<VmInfo>, AdapterError> {
                    <$adapter as __A>::list_vms(ctx, filter).map_err(Into::into)
                }
                fn vm_status(ctx: CallContext, id: String) -> Result<VmStatusInfo, AdapterError> {
                    <$adapter as __A>::vm_status(ctx, id).map_err(Into::into)
                }
                fn suspend_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo, AdapterError> {
                    <$adapter as __A>::suspend_vm(ctx, id).map_err(Into::into)
                }
                fn resume_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo, AdapterError> {
                    <$adapter as __A>::resume_vm(ctx, id).map_err(Into::into)
                }
                fn reboot_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo, AdapterError> {
                    <$adapter as __A>::reboot_vm(ctx, id).map_err(Into::into)
                }
                fn terminate_vm(
                    ctx: CallContext,
                    id: String,
                ) -> Result<VmStatusInfo, AdapterError> {
                    <$adapter as __A>::terminate_vm(ctx, id).map_err(Into::into)
                }
            }

    $crate::bindings::export_world!(__Export with_types_in $crate::bindings);
        };
    };
}
