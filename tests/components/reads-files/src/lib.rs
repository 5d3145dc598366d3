//! An adapter that tries to read the host's files: it imports `wasi:filesystem`,
//! which the host does not link, so it must be refused at load.

use mcgw_sdk::{
    Adapter, AdapterInfo, CallContext, Capabilities, RegionInfo, Result, export_adapter,
};

struct ReadsFiles;

impl Adapter for ReadsFiles {
    fn describe() -> AdapterInfo {
        AdapterInfo {
            name: "reads-files".into(),
            csp: "TEST".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Test adapter importing wasi:filesystem".into(),
            capabilities: Capabilities::empty(),
            parameters: vec![],
            outbound_hosts: vec![],
        }
    }

    fn list_regions(_ctx: CallContext) -> Result<Vec<RegionInfo>> {
        let secret = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        Ok(vec![RegionInfo {
            name: secret,
            display_name: String::new(),
            location: None,
            zones: vec![],
        }])
    }
}

export_adapter!(ReadsFiles);
