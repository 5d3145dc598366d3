//! mcgw adapter for AWS EC2, over the EC2 Query API (version 2016-11-15).
//!
//! It reaches AWS only through host HTTP, signs every request with the
//! `aws-sigv4` crate compiled into the component, and reads EC2's XML with the
//! SDK's `xml` module. The connection's endpoint, when set, replaces the
//! regional endpoint (EC2-compatible clouds, and moto in the tests).
//!
//! Modules: `api` (signed calls, paging), `map` (states and error codes),
//! `wire` (XML shapes), `regions` (known regions and endpoints), `tags`, and
//! one module per part of the contract (`catalog`, `network`, `security`,
//! `keypair`, `compute`). See README.md for EC2 specifics and moto's quirks.

mod api;
mod catalog;
mod compute;
mod keypair;
mod map;
mod network;
mod regions;
mod security;
mod tags;
mod wire;

use mcgw_sdk::{
    Adapter, AdapterInfo, CallContext, Capabilities, Error, ImageInfo, KeypairInfo, KeypairRequest,
    ParamScope, ParamSpec, RegionInfo, Result, SecurityGroupInfo, SecurityGroupRequest, SpecInfo,
    SubnetInfo, SubnetRequest, VmFilter, VmInfo, VmRequest, VmStatusInfo, VnetInfo, VnetRequest,
    export_adapter,
};

struct Aws;

fn param(name: &str, scope: ParamScope, mandatory: bool, description: &str) -> ParamSpec {
    ParamSpec {
        name: name.into(),
        scope,
        mandatory,
        description: description.into(),
    }
}

impl Adapter for Aws {
    fn describe() -> AdapterInfo {
        use ParamScope::{Connection, Credential};
        AdapterInfo {
            name: "aws".into(),
            csp: "AWS".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Amazon EC2 over the EC2 Query API (2016-11-15), SigV4-signed".into(),
            capabilities: Capabilities::ZONE_BASED_CONTROL
                | Capabilities::NATIVE_BATCH_CREATE
                | Capabilities::TAGS
                | Capabilities::KEYPAIR_IMPORT
                | Capabilities::SUSPEND_RESUME
                | Capabilities::VNET_CIDR_RULES,
            parameters: vec![
                param("access_key_id", Credential, true, "AWS access key id"),
                param(
                    "secret_access_key",
                    Credential,
                    true,
                    "AWS secret access key (signs every request)",
                ),
                param(
                    "session_token",
                    Credential,
                    false,
                    "Session token of temporary (STS) credentials",
                ),
                param(
                    "image_owners",
                    Connection,
                    false,
                    "Comma-separated image owners listed as images (default: self,amazon)",
                ),
                param(
                    "image_name",
                    Connection,
                    false,
                    "Only list images whose name matches this EC2 pattern, e.g. al2023-ami-*",
                ),
                param(
                    "page_size",
                    Connection,
                    false,
                    "Results per EC2 listing page, 5 to 1000 (default: the most each call allows)",
                ),
            ],
            outbound_hosts: regions::outbound_hosts(),
        }
    }

    fn list_regions(ctx: CallContext) -> Result<Vec<RegionInfo>> {
        catalog::list_regions(&ctx)
    }
    fn list_images(ctx: CallContext) -> Result<Vec<ImageInfo>> {
        catalog::list_images(&ctx)
    }
    fn get_image(ctx: CallContext, id: String) -> Result<ImageInfo> {
        catalog::get_image(&ctx, &id)
    }
    fn list_specs(ctx: CallContext) -> Result<Vec<SpecInfo>> {
        catalog::list_specs(&ctx)
    }
    fn get_spec(ctx: CallContext, name: String) -> Result<SpecInfo> {
        catalog::get_spec(&ctx, &name)
    }

    fn create_vnet(ctx: CallContext, req: VnetRequest) -> Result<VnetInfo> {
        network::create_vnet(&ctx, &req)
    }
    fn get_vnet(ctx: CallContext, id: String) -> Result<VnetInfo> {
        network::get_vnet(&ctx, &id)
    }
    fn list_vnets(ctx: CallContext) -> Result<Vec<VnetInfo>> {
        network::list_vnets(&ctx)
    }
    fn delete_vnet(ctx: CallContext, id: String) -> Result<()> {
        network::delete_vnet(&ctx, &id)
    }
    fn add_subnet(ctx: CallContext, vnet_id: String, req: SubnetRequest) -> Result<SubnetInfo> {
        network::add_subnet(&ctx, &vnet_id, &req)
    }
    fn delete_subnet(ctx: CallContext, _vnet_id: String, subnet_id: String) -> Result<()> {
        network::delete_subnet(&ctx, &subnet_id)
    }
    fn create_security_group(
        ctx: CallContext,
        req: SecurityGroupRequest,
    ) -> Result<SecurityGroupInfo> {
        security::create(&ctx, &req)
    }
    fn get_security_group(ctx: CallContext, id: String) -> Result<SecurityGroupInfo> {
        security::get(&ctx, &id)
    }
    fn list_security_groups(ctx: CallContext) -> Result<Vec<SecurityGroupInfo>> {
        security::list(&ctx)
    }
    fn delete_security_group(ctx: CallContext, id: String) -> Result<()> {
        security::delete(&ctx, &id)
    }

    fn create_keypair(ctx: CallContext, req: KeypairRequest) -> Result<KeypairInfo> {
        keypair::create(&ctx, &req)
    }
    fn get_keypair(ctx: CallContext, id: String) -> Result<KeypairInfo> {
        keypair::get(&ctx, &id)
    }
    fn list_keypairs(ctx: CallContext) -> Result<Vec<KeypairInfo>> {
        keypair::list(&ctx)
    }
    fn delete_keypair(ctx: CallContext, id: String) -> Result<()> {
        keypair::delete(&ctx, &id)
    }

    fn create_vm(ctx: CallContext, req: VmRequest) -> Result<VmInfo> {
        compute::launch(&ctx, &req, 1)?
            .into_iter()
            .next()
            .ok_or_else(|| Error::csp_failure("EC2 RunInstances launched no instance"))
    }
    fn create_vms(ctx: CallContext, req: VmRequest) -> Result<Vec<VmInfo>> {
        compute::launch(&ctx, &req, req.count)
    }
    fn get_vm(ctx: CallContext, id: String) -> Result<VmInfo> {
        compute::get(&ctx, &id)
    }
    fn list_vms(ctx: CallContext, filter: VmFilter) -> Result<Vec<VmInfo>> {
        compute::list(&ctx, &filter)
    }
    fn vm_status(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        compute::state(&ctx, &id)
    }
    fn suspend_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        compute::suspend(&ctx, &id)
    }
    fn resume_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        compute::resume(&ctx, &id)
    }
    fn reboot_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        compute::reboot(&ctx, &id)
    }
    fn terminate_vm(ctx: CallContext, id: String) -> Result<VmStatusInfo> {
        compute::terminate(&ctx, &id)
    }
}

export_adapter!(Aws);
