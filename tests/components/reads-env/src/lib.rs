//! An adapter that tries to read environment variables: it imports
//! `wasi:cli/environment`, which the host does not link, so it must be refused at load.

use mcgw_sdk::{
    Adapter, AdapterInfo, CallContext, Capabilities, RegionInfo, Result, export_adapter,
};

struct ReadsEnv;

impl Adapter for ReadsEnv {
    fn describe() -> AdapterInfo {
        AdapterInfo {
            name: "reads-env".into(),
            csp: "TEST".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Test adapter importing wasi:cli/environment".into(),
            capabilities: Capabilities::empty(),
            parameters: vec![],
            outbound_hosts: vec![],
        }
    }

    fn list_regions(_ctx: CallContext) -> Result<Vec<RegionInfo>> {
        let vars: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
        Ok(vec![RegionInfo {
            name: vars.join(","),
            display_name: String::new(),
            location: None,
            zones: vec![],
        }])
    }
}

export_adapter!(ReadsEnv);
