//! The typed face of an adapter for one connection: services call plain async
//! methods; instantiation, limits, the allow-list and error mapping stay here.

use super::AdapterVersion;
use crate::error::{Error, Result};
use crate::runtime::bindings::{
    self as b, CallContext, ImageInfo, KeypairInfo, KeypairRequest, RegionInfo, SecurityGroupInfo,
    SecurityGroupRequest, SpecInfo, SubnetInfo, SubnetRequest, VmFilter, VmInfo, VmRequest,
    VmStatusInfo, VnetInfo, VnetRequest,
};
use crate::runtime::{AllowList, Grant, Runtime};
use std::sync::Arc;

tokio::task_local! {
    /// The adapter versions that served the current API request (the API
    /// reports them in the `x-mcgw-adapter` header).
    pub static SERVED_BY: std::cell::RefCell<Vec<Arc<str>>>;
}

/// An adapter bound to one connection's context and grant.
pub struct AdapterClient {
    runtime: Arc<Runtime>,
    adapter: Arc<AdapterVersion>,
    ctx: CallContext,
    grant: Grant,
}

/// Call one export: `call!(self, interface, method, args...)`.
macro_rules! call {
    ($self:ident, $iface:ident, $method:ident $(, $arg:expr)*) => {{
        let ctx = &$self.ctx;
        let outcome = $self
            .runtime
            .invoke(&$self.adapter.loaded, &$self.grant, async |x: &crate::runtime::Exports, i, s| {
                x.$iface.load(&mut *s, i)?.$method(s, ctx $(, $arg)*).await
            })
            .await;
        $self.finish(outcome)
    }};
}

impl AdapterClient {
    /// Bind `adapter` to a call context. The allow-list is the adapter's
    /// declared hosts, plus the connection's endpoint and the hosts the
    /// operator allowed for this connection (`extra_hosts`).
    pub fn new(
        runtime: Arc<Runtime>,
        adapter: Arc<AdapterVersion>,
        limits: crate::runtime::Limits,
        ctx: CallContext,
        extra_hosts: &[String],
        cache_scope: Arc<str>,
    ) -> Result<AdapterClient> {
        let mut allow: AllowList = adapter.loaded.declared_hosts.clone();
        if let Some(endpoint) = &ctx.endpoint {
            allow
                .add(endpoint)
                .map_err(|e| Error::bad_data("endpoint", e))?;
        }
        for h in extra_hosts {
            allow
                .add(h)
                .map_err(|e| Error::bad_data("allowed_hosts", e))?;
        }
        let grant = Grant {
            label: adapter.label.clone(),
            allow: Arc::new(allow),
            limits,
            cache_scope,
        };
        Ok(AdapterClient {
            runtime,
            adapter,
            ctx,
            grant,
        })
    }

    /// The adapter version serving this client.
    pub fn adapter(&self) -> &Arc<AdapterVersion> {
        &self.adapter
    }

    fn finish<T>(
        &self,
        outcome: Result<Result<T, b::AdapterError>, crate::runtime::CallError>,
    ) -> Result<T> {
        let _ = SERVED_BY.try_with(|s| {
            let mut s = s.borrow_mut();
            if !s.contains(&self.adapter.label) {
                s.push(self.adapter.label.clone());
            }
        });
        match outcome {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(Error::from_adapter(e)),
            Err(call) => Err(Error::from_call(&self.adapter.label, call)),
        }
    }

    /// `catalog.list-regions`.
    pub async fn list_regions(&self) -> Result<Vec<RegionInfo>> {
        call!(self, catalog, call_list_regions)
    }
    /// `catalog.list-images`.
    pub async fn list_images(&self) -> Result<Vec<ImageInfo>> {
        call!(self, catalog, call_list_images)
    }
    /// `catalog.get-image`.
    pub async fn get_image(&self, id: &str) -> Result<ImageInfo> {
        call!(self, catalog, call_get_image, id)
    }
    /// `catalog.list-specs`.
    pub async fn list_specs(&self) -> Result<Vec<SpecInfo>> {
        call!(self, catalog, call_list_specs)
    }
    /// `catalog.get-spec`.
    pub async fn get_spec(&self, name: &str) -> Result<SpecInfo> {
        call!(self, catalog, call_get_spec, name)
    }

    /// `network.create-vnet`.
    pub async fn create_vnet(&self, req: &VnetRequest) -> Result<VnetInfo> {
        call!(self, network, call_create_vnet, req)
    }
    /// `network.get-vnet`.
    pub async fn get_vnet(&self, id: &str) -> Result<VnetInfo> {
        call!(self, network, call_get_vnet, id)
    }
    /// `network.delete-vnet`.
    pub async fn delete_vnet(&self, id: &str) -> Result<()> {
        call!(self, network, call_delete_vnet, id)
    }
    /// `network.add-subnet`.
    pub async fn add_subnet(&self, vnet_id: &str, req: &SubnetRequest) -> Result<SubnetInfo> {
        call!(self, network, call_add_subnet, vnet_id, req)
    }
    /// `network.delete-subnet`.
    pub async fn delete_subnet(&self, vnet_id: &str, subnet_id: &str) -> Result<()> {
        call!(self, network, call_delete_subnet, vnet_id, subnet_id)
    }
    /// `network.create-security-group`.
    pub async fn create_security_group(
        &self,
        req: &SecurityGroupRequest,
    ) -> Result<SecurityGroupInfo> {
        call!(self, network, call_create_security_group, req)
    }
    /// `network.delete-security-group`.
    pub async fn delete_security_group(&self, id: &str) -> Result<()> {
        call!(self, network, call_delete_security_group, id)
    }

    /// `keypair.create-keypair`.
    pub async fn create_keypair(&self, req: &KeypairRequest) -> Result<KeypairInfo> {
        call!(self, keypair, call_create_keypair, req)
    }
    /// `keypair.delete-keypair`.
    pub async fn delete_keypair(&self, id: &str) -> Result<()> {
        call!(self, keypair, call_delete_keypair, id)
    }

    /// `compute.create-vm`.
    pub async fn create_vm(&self, req: &VmRequest) -> Result<VmInfo> {
        call!(self, compute, call_create_vm, req)
    }
    /// `compute.create-vms`.
    pub async fn create_vms(&self, req: &VmRequest) -> Result<Vec<VmInfo>> {
        call!(self, compute, call_create_vms, req)
    }
    /// `compute.get-vm`.
    pub async fn get_vm(&self, id: &str) -> Result<VmInfo> {
        call!(self, compute, call_get_vm, id)
    }
    /// `compute.list-vms`.
    pub async fn list_vms(&self, filter: &VmFilter) -> Result<Vec<VmInfo>> {
        call!(self, compute, call_list_vms, filter)
    }
    /// `compute.vm-status`.
    pub async fn vm_status(&self, id: &str) -> Result<VmStatusInfo> {
        call!(self, compute, call_vm_status, id)
    }
    /// `compute.suspend-vm`.
    pub async fn suspend_vm(&self, id: &str) -> Result<VmStatusInfo> {
        call!(self, compute, call_suspend_vm, id)
    }
    /// `compute.resume-vm`.
    pub async fn resume_vm(&self, id: &str) -> Result<VmStatusInfo> {
        call!(self, compute, call_resume_vm, id)
    }
    /// `compute.reboot-vm`.
    pub async fn reboot_vm(&self, id: &str) -> Result<VmStatusInfo> {
        call!(self, compute, call_reboot_vm, id)
    }
    /// `compute.terminate-vm`.
    pub async fn terminate_vm(&self, id: &str) -> Result<VmStatusInfo> {
        call!(self, compute, call_terminate_vm, id)
    }
}
