//! An adapter that misbehaves on request, to prove the host contains it.
//!
//! The connection's extra parameter `behaviour` picks what `list-regions`,
//! `create-vm` and `get-vm` do:
//! - `trap`: panic (the component traps);
//! - `loop`: spin forever without yielding;
//! - `memory`: allocate until memory runs out;
//! - `egress`: call `target` (not in the allow-list);
//! - `stack`: recurse until the stack overflows;
//! - `cache-write`: store `target` under the cache key `token`;
//! - `cache-read`: answer with the cache entry `token` as the region's name;
//! - `echo-credential`: answer with the credential it was given as the region's name;
//! - anything else: answer normally with one region.
//!
//! The adapter's name is its crate name without `test-`, so the same source
//! builds a second adapter (`test-snoop` → `snoop`) for isolation tests.

use mcgw_sdk::http::Request;
use mcgw_sdk::{
    Adapter, AdapterInfo, CallContext, Capabilities, ContextExt, Error, ParamScope, ParamSpec,
    RegionInfo, Result, VmInfo, VmRequest, VmStatus, export_adapter,
};
use std::time::Duration;

struct Misbehave;

/// What the call should report as the region's name, if anything.
fn misbehave(ctx: &CallContext) -> Result<Option<String>> {
    match ctx.extra("behaviour").unwrap_or("") {
        "cache-write" => {
            let value = ctx.extra("target").unwrap_or("");
            mcgw_sdk::cache::set_string("token", value, Duration::from_secs(60));
            Ok(Some(value.to_string()))
        }
        "cache-read" => Ok(Some(
            mcgw_sdk::cache::get_string("token").unwrap_or_else(|| "(none)".into()),
        )),
        "echo-credential" => Ok(Some(
            ctx.credential
                .iter()
                .map(|kv| format!("{}={}", kv.key, kv.value))
                .collect::<Vec<_>>()
                .join(","),
        )),
        "trap" => panic!("misbehave: deliberate panic"),
        "loop" => {
            let mut x: u64 = 0;
            loop {
                x = std::hint::black_box(x.wrapping_add(1));
            }
        }
        "memory" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 16 * 1024 * 1024]);
                std::hint::black_box(&hoard);
            }
        }
        "stack" => {
            #[allow(unconditional_recursion)]
            fn deep(n: u64) -> u64 {
                std::hint::black_box(deep(n + 1)) + n
            }
            std::hint::black_box(deep(0));
            Ok(None)
        }
        "egress" => {
            let target = ctx.extra("target").unwrap_or("http://example.invalid/");
            let resp = Request::get(target).send()?;
            Err(Error::csp_failure(format!(
                "egress was not blocked: HTTP {}",
                resp.status
            )))
        }
        _ => Ok(None),
    }
}

impl Adapter for Misbehave {
    fn describe() -> AdapterInfo {
        AdapterInfo {
            name: env!("CARGO_PKG_NAME").trim_start_matches("test-").into(),
            csp: "TEST".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Test adapter that traps, loops, hoards memory or calls out on request"
                .into(),
            capabilities: Capabilities::empty(),
            parameters: vec![
                ParamSpec {
                    name: "behaviour".into(),
                    scope: ParamScope::Connection,
                    mandatory: false,
                    description: "trap | loop | memory | stack | egress | (normal)".into(),
                },
                ParamSpec {
                    name: "token".into(),
                    scope: ParamScope::Credential,
                    mandatory: false,
                    description: "An optional secret, for isolation tests".into(),
                },
                ParamSpec {
                    name: "target".into(),
                    scope: ParamScope::Connection,
                    mandatory: false,
                    description: "URL the egress behaviour calls".into(),
                },
            ],
            outbound_hosts: vec![],
        }
    }

    fn list_regions(ctx: CallContext) -> Result<Vec<RegionInfo>> {
        let name = misbehave(&ctx)?;
        Ok(vec![RegionInfo {
            name: name.unwrap_or_else(|| "test-1".into()),
            display_name: "Test".into(),
            location: None,
            zones: vec![],
        }])
    }

    fn create_vm(ctx: CallContext, req: VmRequest) -> Result<VmInfo> {
        misbehave(&ctx)?;
        Ok(VmInfo {
            name: req.name,
            id: "vm-1".into(),
            status: VmStatus::Creating,
            native_status: "new".into(),
            spec: req.spec,
            image: req.image,
            region: ctx.region,
            zone: None,
            vnet_id: None,
            subnet_id: None,
            security_group_ids: vec![],
            keypair_id: None,
            public_ip: None,
            private_ip: None,
            ssh_access_point: None,
            tags: req.tags,
            created_at: None,
        })
    }
}

export_adapter!(Misbehave);
