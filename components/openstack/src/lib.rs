//! mcgw adapter for OpenStack: Keystone v3 (password or application
//! credential), Nova at a fixed microversion, Neutron and Glance v2, all
//! reached through host HTTP only.
//!
//! The connection's endpoint is Keystone; Nova, Neutron and Glance are found
//! in the token's service catalog (region = the connection's region,
//! interface = the `interface` parameter). The gateway lets an adapter reach
//! the connection's endpoint (that host and port) and its declared hosts only,
//! so the catalog's endpoints must be on the endpoint's host and port (path
//! routed, as devstack does) or on a declared public cloud domain.

mod catalog;
mod client;
mod compute;
mod identity;
mod image;
mod keypair;
mod map;
mod network;
mod paging;
mod tags;

use client::Session;
use mcgw_sdk::{
    Adapter, AdapterInfo, CallContext, Capabilities, ImageInfo, KeypairInfo, KeypairRequest,
    ParamScope, ParamSpec, RegionInfo, Result, SecurityGroupInfo, SecurityGroupRequest, SpecInfo,
    SubnetInfo, SubnetRequest, VmFilter, VmInfo, VmRequest, VmStatusInfo, VnetInfo, VnetRequest,
    export_adapter,
};

struct OpenStack;

fn param(name: &str, scope: ParamScope, description: &str) -> ParamSpec {
    ParamSpec {
        name: name.into(),
        scope,
        // Either a password login or an application credential: the adapter
        // checks which set is complete and names the missing field.
        mandatory: false,
        description: description.into(),
    }
}

impl Adapter for OpenStack {
    fn describe() -> AdapterInfo {
        use ParamScope::{Connection, Credential, Vm};
        AdapterInfo {
            name: "openstack".into(),
            csp: "OpenStack".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "OpenStack clouds: Keystone v3, Nova (microversion 2.79), Neutron and \
                          Glance v2; set the connection's endpoint to the Keystone URL"
                .into(),
            capabilities: Capabilities::ZONE_BASED_CONTROL
                | Capabilities::NATIVE_BATCH_CREATE
                | Capabilities::TAGS
                | Capabilities::KEYPAIR_IMPORT
                | Capabilities::SUSPEND_RESUME,
            parameters: vec![
                param(
                    "auth_url",
                    Credential,
                    "Keystone URL, used when the connection has no endpoint (the gateway only \
                     lets the adapter reach the connection's endpoint and declared hosts)",
                ),
                param("username", Credential, "User name (password login)"),
                param("user_id", Credential, "User id, instead of username"),
                param("password", Credential, "Password (password login)"),
                param(
                    "user_domain_name",
                    Credential,
                    "The user's domain (default: Default)",
                ),
                param("user_domain_id", Credential, "The user's domain by id"),
                param("project_name", Credential, "Project to work in"),
                param(
                    "project_id",
                    Credential,
                    "Project id, instead of project_name",
                ),
                param(
                    "project_domain_name",
                    Credential,
                    "The project's domain (default: Default)",
                ),
                param(
                    "project_domain_id",
                    Credential,
                    "The project's domain by id",
                ),
                param(
                    "application_credential_id",
                    Credential,
                    "Application credential id (instead of a password login)",
                ),
                param(
                    "application_credential_secret",
                    Credential,
                    "Application credential secret",
                ),
                param(
                    "interface",
                    Connection,
                    "Catalog interface to use: public (default), internal or admin",
                ),
                param(
                    "suspend_mode",
                    Connection,
                    "How to suspend: stop (os-stop/os-start, default) or suspend \
                     (suspend/resume, keeps memory)",
                ),
                param(
                    "reboot_type",
                    Connection,
                    "soft (default) or hard reboots for this connection's VMs",
                ),
                param(
                    "reboot_type",
                    Vm,
                    "soft or hard reboots for this VM (overrides the connection's)",
                ),
            ],
            // Public OpenStack clouds whose Keystone and services are sibling
            // hosts of one domain. A private cloud's hosts cannot be known
            // here: its catalog must use the connection endpoint's host and port.
            outbound_hosts: vec![
                "*.cloud.ovh.net".into(),
                "*.vexxhost.net".into(),
                "*.otc.t-systems.com".into(),
            ],
        }
    }

    fn list_regions(ctx: CallContext) -> Result<Vec<RegionInfo>> {
        catalog::regions(&Session::new(&ctx)?, &ctx.region)
    }

    fn list_images(ctx: CallContext) -> Result<Vec<ImageInfo>> {
        image::list(&Session::new(&ctx)?)
    }

    fn get_image(ctx: CallContext, id: String) -> Result<ImageInfo> {
        image::get(&Session::new(&ctx)?, &id)
    }

    fn list_specs(ctx: CallContext) -> Result<Vec<SpecInfo>> {
        let s = Session::new(&ctx)?;
        Ok(catalog::flavors(&s)?
            .into_iter()
            .map(catalog::spec)
            .collect())
    }

    fn get_spec(ctx: CallContext, name: String) -> Result<SpecInfo> {
        Ok(catalog::spec(catalog::flavor_by_name(
            &Session::new(&ctx)?,
            &name,
        )?))
    }

    fn create_vnet(ctx: CallContext, req: VnetRequest) -> Result<VnetInfo> {
        network::create_vnet(&Session::new(&ctx)?, &req)
    }

    fn get_vnet(ctx: CallContext, id: String) -> Result<VnetInfo> {
        network::get_vnet(&Session::new(&ctx)?, &id)
    }

    fn list_vnets(ctx: CallContext) -> Result<Vec<VnetInfo>> {
        network::list_vnets(&Session::new(&ctx)?)
    }

    fn delete_vnet(ctx: CallContext, id: String) -> Result<()> {
        network::delete_vnet(&Session::new(&ctx)?, &id)
    }

    fn add_subnet(ctx: CallContext, vnet_id: String, req: SubnetRequest) -> Result<SubnetInfo> {
        network::add_subnet(&Session::new(&ctx)?, &vnet_id, &req)
    }

    fn delete_subnet(ctx: CallContext, _vnet_id: String, subnet_id: String) -> Result<()> {
        network::delete_subnet(&Session::new(&ctx)?, &subnet_id)
    }

    fn create_security_group(
        ctx: CallContext,
        req: SecurityGroupRequest,
    ) -> Result<SecurityGroupInfo> {
        network::create_security_group(&Session::new(&ctx)?, &req)
    }

    fn get_security_group(ctx: CallContext, id: String) -> Result<SecurityGroupInfo> {
        network::get_security_group(&Session::new(&ctx)?, &id)
    }

    fn list_security_groups(ctx: CallContext) -> Result<Vec<SecurityGroupInfo>> {
        network::list_security_groups(&Session::new(&ctx)?)
    }

    fn delete_security_group(ctx: CallContext, id: String) -> Result<()> {
        network::delete_security_group(&Session::new(&ctx)?, &id)
    }

    fn create_keypair(ctx: CallContext, req: KeypairRequest) -> Result<KeypairInfo> {
        keypair::create(&Session::new(&ctx)?, &req)
    }

    fn get_keypair(ctx: CallContext, id: String) -> Result<KeypairInfo> {
        keypair::get(&Session::new(&ctx)?, &id)
    }

    fn list_keypairs(ctx: CallContext) -> Result<Vec<KeypairInfo>> {
        keypair::list(&Session::new(&ctx)?)
    }

    fn delete_keypair(ctx: CallContext, id: String) -> Result<()> {
        keypair::delete(&Session::new(&ctx)?, &id)
    }

    fn create_vm(ctx: CallContext, req: VmRequest) -> Result<VmInfo> {
        compute::create(&Session::new(&ctx)?, &ctx, &req)
    }

    fn create_vms(ctx: CallContext, req: VmRequest) -> Result<Vec<VmInfo>> {
        compute::create_many(&Session::new(&ctx)?, &ctx, &req)
    }

    fn get_vm(ctx: CallContext, id: String) -> Result<VmInfo> {
        compute::get(&Session::new(&ctx)?, &ctx, &id)
    }

    fn list_vms(ctx: CallContext, filter: VmFilter) -> Result<Vec<VmInfo>> {
        compute::list(&Session::new(&ctx)?, &ctx, &filter.tags)
    }

    fn vm_status(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        compute::status(&Session::new(&ctx)?, &id)
    }

    fn suspend_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        compute::suspend(&Session::new(&ctx)?, &ctx, &id)
    }

    fn resume_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        compute::resume(&Session::new(&ctx)?, &ctx, &id)
    }

    fn reboot_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        compute::reboot(&Session::new(&ctx)?, &ctx, &id)
    }

    fn terminate_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        compute::terminate(&Session::new(&ctx)?, &id)
    }
}

export_adapter!(OpenStack);
